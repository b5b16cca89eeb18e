/** Idempotency records (SQL): the claim on the unique index, bounded waits, the TTL sweep. */
import { sql, type Kysely, type Selectable } from 'kysely';
import { AppError } from '../core/errors.js';
import type { IdempotencyRecord, Store } from '../core/ports.js';
import type { DB, IdempotencyRecordsTable } from './schema.js';

const toRecord = (r: Selectable<IdempotencyRecordsTable>): IdempotencyRecord => ({
  accountId: r.account_id,
  principal: r.principal,
  key: r.idempotency_key,
  requestHash: r.request_hash,
  statusCode: r.status_code,
  response: r.response,
  createdAt: r.created_at,
});

/** `inTransaction`: the store runs on an open transaction (a bounded claim wait needs one). */
export function idempotencyRepo(db: Kysely<DB>, inTransaction: boolean): Store['idempotency'] {
  /**
   * Runs an insert of claims. It waits on the unique index while another transaction holds an
   * uncommitted claim of a key; in a transaction, lock_timeout bounds that wait to `waitMs`,
   * for this statement only (set_config with is_local lasts until the transaction ends, so it
   * is put back right after).
   */
  const boundedWait = async <T>(waitMs: number | undefined, insert: () => Promise<T>): Promise<T> => {
    const bounded = inTransaction && waitMs !== undefined;
    if (bounded) await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.ceil(waitMs!))}ms`}, true)`.execute(db);
    const r = await insert().catch((err: unknown) => {
      // 55P03 lock_not_available: the other claim is still running after waitMs.
      if (bounded && (err as { code?: string }).code === '55P03') throw new AppError('IDEMPOTENCY_IN_PROGRESS');
      throw err;
    });
    if (bounded) await sql`set local lock_timeout to default`.execute(db);
    return r;
  };
  return {
    async get(accountId, principal, key) {
      const r = await db.selectFrom('idempotency_records').selectAll().where('account_id', '=', accountId).where('principal', '=', principal).where('idempotency_key', '=', key).executeTakeFirst();
      return r ? toRecord(r) : null;
    },
    async getMany(accountId, principal, keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('idempotency_records')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('principal', '=', principal)
        .where(sql<boolean>`idempotency_key = any(${keys}::text[])`)
        .execute();
      return rows.map(toRecord);
    },
    async claim(rec, options = {}) {
      const r = await boundedWait(options.waitMs, () =>
        db
          .insertInto('idempotency_records')
          .values({
            account_id: rec.accountId,
            principal: rec.principal,
            idempotency_key: rec.key,
            request_hash: rec.requestHash,
            status_code: rec.statusCode,
            response: rec.response,
            created_at: rec.createdAt,
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst(),
      );
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async claimMany(records, options = {}) {
      if (records.length === 0) return [];
      // Key order: two calls sharing keys wait for each other in one order, never in a cycle.
      const rs = [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const r = await boundedWait(options.waitMs, () =>
        sql<{ idempotency_key: string }>`
          INSERT INTO idempotency_records (account_id, principal, idempotency_key, request_hash, status_code, response, created_at)
          SELECT account_id, principal, idempotency_key, request_hash, status_code, response, created_at
            FROM unnest(${rs.map((x) => x.accountId)}::uuid[], ${rs.map((x) => x.principal)}::text[], ${rs.map((x) => x.key)}::text[],
                        ${rs.map((x) => x.requestHash)}::bytea[], ${rs.map((x) => x.statusCode)}::int[], ${rs.map((x) => x.response)}::bytea[],
                        ${rs.map((x) => x.createdAt)}::timestamptz[])
                 WITH ORDINALITY AS t(account_id, principal, idempotency_key, request_hash, status_code, response, created_at, n)
           ORDER BY n
          ON CONFLICT DO NOTHING
          RETURNING idempotency_key`.execute(db),
      );
      return r.rows.map((row) => row.idempotency_key);
    },
    async complete(accountId, principal, key, statusCode, response) {
      await db
        .updateTable('idempotency_records')
        .set({ status_code: statusCode, response })
        .where('account_id', '=', accountId)
        .where('principal', '=', principal)
        .where('idempotency_key', '=', key)
        .execute();
    },
    async releaseMany(accountId, principal, keys) {
      if (keys.length === 0) return;
      await db.deleteFrom('idempotency_records').where('account_id', '=', accountId).where('principal', '=', principal).where(sql<boolean>`idempotency_key = any(${keys}::text[])`).execute();
    },
    async release(accountId, principal, key) {
      await db.deleteFrom('idempotency_records').where('account_id', '=', accountId).where('principal', '=', principal).where('idempotency_key', '=', key).execute();
    },
    async deleteOlderThan(before) {
      const r = await db.deleteFrom('idempotency_records').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
