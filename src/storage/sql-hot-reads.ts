/**
 * The reads behind every uncached verification and client read (a key by id, a key with its
 * client, a client by id), as fixed SQL run straight on the pool.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { API_KEY_COLUMNS, CLIENT_COLUMNS, type ApiKeyRow, type ClientRow } from './rows.js';
import type { DB } from './schema.js';

/** A key by id, a client by id: hot reads (token subjects, client reads) run as prepared statements. */
export const keyById = (db: Kysely<DB>, keyId: string) => db.selectFrom('api_keys').select(API_KEY_COLUMNS).where('key_id', '=', keyId);
export const clientById = (db: Kysely<DB>, accountId: string, id: string) => db.selectFrom('clients').select(CLIENT_COLUMNS).where('account_id', '=', accountId).where('id', '=', id);

/**
 * A key with its client (same account), in one read: the key's columns, then the client's
 * (all null for an account's own key). Rows come back as arrays, as the two tables share
 * column names.
 */
export const keyWithClientById = (db: Kysely<DB>, keyId: string) =>
  db
    .selectFrom('api_keys as k')
    .leftJoin('clients as c', (join) => join.onRef('c.account_id', '=', 'k.account_id').onRef('c.id', '=', 'k.client_id'))
    .select([...API_KEY_COLUMNS.map((col) => `k.${col}` as const), ...CLIENT_COLUMNS.map((col) => `c.${col}` as const)])
    .where('k.key_id', '=', keyId);

function zip<K extends string>(columns: readonly K[], values: unknown[], from: number): Record<K, unknown> {
  const row = {} as Record<K, unknown>;
  columns.forEach((c, i) => {
    row[c] = values[from + i];
  });
  return row;
}

export interface HotReads {
  key(keyId: string): Promise<ApiKeyRow | undefined>;
  keyWithClient(keyId: string): Promise<{ key: ApiKeyRow; client: ClientRow | null } | undefined>;
  client(accountId: string, id: string): Promise<ClientRow | undefined>;
  /** Any statement whose text never changes, on the pool, as the named prepared statement `name` unless prepared statements are off. */
  rows<R>(name: string, query: { sql: string; parameters: readonly unknown[] }): Promise<R[]>;
}

/**
 * The hot reads as fixed SQL straight on the pool: compiled once by the query builder (the
 * same text the builder would send, so the query-plan test covers them), then run without
 * rebuilding it per request, as named prepared statements unless `prepared` is false.
 * Measured on the uncached `GET /v1/clients/{id}` (bench/README.md): the builder costs about
 * 25 µs of CPU per query, and a prepared statement spares PostgreSQL its parse and plan.
 */
export function hotReads(db: Kysely<DB>, pool: pg.Pool, prepared: boolean): HotReads {
  const keySql = keyById(db, '').compile().sql;
  const clientSql = clientById(db, '', '').compile().sql;
  const keyWithClientSql = keyWithClientById(db, '').compile().sql;
  async function first<R>(name: string, text: string, values: unknown[], rowMode?: 'array'): Promise<R | undefined> {
    const query = { text, values, ...(prepared ? { name } : {}), ...(rowMode ? { rowMode } : {}) };
    return (await pool.query(query)).rows[0] as R | undefined;
  }
  return {
    key: (keyId) => first<ApiKeyRow>('clientele_key_by_id', keySql, [keyId]),
    async keyWithClient(keyId) {
      const row = await first<unknown[]>('clientele_key_with_client_by_id', keyWithClientSql, [keyId], 'array');
      if (!row) return undefined;
      const client = row[API_KEY_COLUMNS.length] === null ? null : (zip(CLIENT_COLUMNS, row, API_KEY_COLUMNS.length) as ClientRow);
      return { key: zip(API_KEY_COLUMNS, row, 0) as ApiKeyRow, client };
    },
    client: (accountId, id) => first<ClientRow>('clientele_client_by_id', clientSql, [accountId, id]),
    async rows<R>(name: string, query: { sql: string; parameters: readonly unknown[] }) {
      return (await pool.query({ text: query.sql, values: [...query.parameters], ...(prepared ? { name } : {}) })).rows as R[];
    },
  };
}
