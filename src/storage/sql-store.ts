/**
 * The SQL implementation of the storage port, shared by PostgreSQL and the embedded
 * engine. Every query is scoped by account and served by an index (see the migrations).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
import { AppError } from '../core/errors.js';
import { PrimaryConflict, type Store } from '../core/ports.js';
import type { DB } from './schema.js';
import { createPageAnchors, type PageAnchors } from './page-anchors.js';
import { integrationsRepo, webhookSecretsRepo } from './sql-integrations.js';
import { usageRepo } from './sql-usage.js';
import { accountWebhookSecretsRepo, webhooksRepo } from './sql-webhooks.js';
import { API_KEY_COLUMNS, CLIENT_COLUMNS, clientPatchColumns, type ApiKeyRow, type ClientRow, keyPatchColumns, toAccount, toApiKey, toClient, toEvent, toSigningKey, toUser } from './rows.js';

const NO_CLIENT = '00000000-0000-0000-0000-000000000000';

/** Maps unique-index violations to the port's documented errors. */
function mapUniqueViolation(err: unknown): never {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code === '23505') {
    const c = e.constraint ?? e.message ?? '';
    if (c.includes('clients_account_username_key')) throw new AppError('USERNAME_TAKEN');
    if (c.includes('users_email_key')) throw new AppError('EMAIL_TAKEN');
    if (c.includes('api_keys_one_primary_key')) throw new PrimaryConflict();
  }
  throw err;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => '\\' + m);
}

/** A key by id, a client by id: hot reads (token subjects, client reads) run as prepared statements. */
const keyById = (db: Kysely<DB>, keyId: string) => db.selectFrom('api_keys').select(API_KEY_COLUMNS).where('key_id', '=', keyId);
const clientById = (db: Kysely<DB>, accountId: string, id: string) => db.selectFrom('clients').select(CLIENT_COLUMNS).where('account_id', '=', accountId).where('id', '=', id);

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

interface HotReads {
  key(keyId: string): Promise<ApiKeyRow | undefined>;
  keyWithClient(keyId: string): Promise<{ key: ApiKeyRow; client: ClientRow | null } | undefined>;
  client(accountId: string, id: string): Promise<ClientRow | undefined>;
}

/**
 * The hot reads as fixed SQL straight on the pool: compiled once by the query builder (the
 * same text the builder would send, so the query-plan test covers them), then run without
 * rebuilding it per request, as named prepared statements unless `prepared` is false.
 * Measured on the uncached `GET /v1/clients/{id}` (bench/README.md): the builder costs about
 * 25 µs of CPU per query, and a prepared statement spares PostgreSQL its parse and plan.
 */
function hotReads(db: Kysely<DB>, pool: pg.Pool, prepared: boolean): HotReads {
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
  };
}

export interface SqlStoreOptions {
  /**
   * The pool `db` runs on: when given, the hot reads run on it directly (see hotReads).
   * Leave it out when `db` is not the pool's own Kysely instance (a logging wrapper, say).
   */
  pool?: pg.Pool;
  /** Run the hot reads as named prepared statements (default true; false behind a PgBouncer older than 1.21 in transaction mode). */
  preparedStatements?: boolean;
}

/** Builds a store over a Kysely instance (the pool). */
export function createSqlStore(db: Kysely<DB>, options: SqlStoreOptions = {}): Store {
  return buildStore(db, options.pool && hotReads(db, options.pool, options.preparedStatements ?? true), createPageAnchors(), false);
}

/** A store over the pool, or (inTransaction) over an open transaction, whose reads stay on its connection. */
function buildStore(db: Kysely<DB>, hot: HotReads | undefined, anchors: PageAnchors, inTransaction: boolean): Store {
  let savepoints = 0;
  const store: Store = {
    async transaction(fn) {
      if (!inTransaction) return db.transaction().execute((trx: Transaction<DB>) => fn(buildStore(trx, undefined, anchors, true)));
      // Nested (a keyed create runs its core function inside the idempotency transaction): a
      // savepoint, so a failing fn undoes only its own writes and the enclosing transaction
      // stays usable — createKey retries a lost primary race after a unique violation.
      const name = sql.id(`clientele_sp_${++savepoints}`);
      await sql`savepoint ${name}`.execute(db);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(store);
      } catch (err) {
        await sql`rollback to savepoint ${name}`.execute(db).catch(() => undefined);
        throw err;
      }
      await sql`release savepoint ${name}`.execute(db);
      return result;
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },

    accounts: {
      async insert(a) {
        await db.insertInto('accounts').values({ id: a.id, name: a.name, created_at: a.createdAt, updated_at: a.updatedAt }).execute();
      },
      async get(id) {
        const r = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toAccount(r) : null;
      },
      async count() {
        const r = await db
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      },
    },

    users: {
      async insert(u) {
        await db
          .insertInto('users')
          .values({
            id: u.id,
            account_id: u.accountId,
            email: u.email,
            password_hash: u.passwordHash,
            created_at: u.createdAt,
            updated_at: u.updatedAt,
          })
          .execute()
          .catch(mapUniqueViolation);
      },
      async findByEmail(email) {
        const r = await db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', sql`lower(${email})`).executeTakeFirst();
        return r ? toUser(r) : null;
      },
      async get(accountId, id) {
        const r = await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
        return r ? toUser(r) : null;
      },
    },

    clients: {
      async insert(c) {
        await db
          .insertInto('clients')
          .values({
            id: c.id,
            account_id: c.accountId,
            name: c.name,
            description: c.description,
            siret: c.siret,
            username: c.username,
            email_address: c.emailAddress,
            first_name: c.firstName,
            last_name: c.lastName,
            company: c.company,
            password_hash: c.passwordHash,
            is_active: c.isActive,
            features: JSON.stringify(c.features),
            limits: JSON.stringify(c.limits),
            metadata: JSON.stringify(c.metadata),
            data_key: c.dataKey,
            created_at: c.createdAt,
            updated_at: c.updatedAt,
          })
          .execute()
          .catch(mapUniqueViolation);
      },
      async get(accountId, id) {
        const r = await (hot ? hot.client(accountId, id) : clientById(db, accountId, id).executeTakeFirst());
        return r ? toClient(r) : null;
      },
      async getById(id) {
        const r = await db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toClient(r) : null;
      },
      async getForUpdate(accountId, id) {
        const r = await db.selectFrom('clients').selectAll().where('account_id', '=', accountId).where('id', '=', id).forUpdate().executeTakeFirst();
        return r ? toClient(r) : null;
      },
      async findByUsername(accountId, username) {
        const r = await db
          .selectFrom('clients')
          .selectAll()
          .where('account_id', '=', accountId)
          .where(sql`lower(username)`, '=', sql`lower(${username})`)
          .where('username', 'is not', null)
          .executeTakeFirst();
        return r ? toClient(r) : null;
      },
      async update(accountId, id, patch, at) {
        const r = await db
          .updateTable('clients')
          .set({ ...clientPatchColumns(patch), updated_at: at })
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
          .catch(mapUniqueViolation);
        return r ? toClient(r) : null;
      },
      async delete(accountId, id) {
        const r = await db.deleteFrom('clients').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async list(accountId, f) {
        let q = db.selectFrom('clients').selectAll().where('account_id', '=', accountId);
        if (f.afterId) q = q.where('id', '>', f.afterId);
        if (f.isActive !== undefined) q = q.where('is_active', '=', f.isActive);
        if (f.username !== undefined) q = q.where(sql`lower(username)`, '=', sql`lower(${f.username})`);
        if (f.emailAddress !== undefined) q = q.where(sql`lower(email_address)`, '=', sql`lower(${f.emailAddress})`);
        if (f.q) {
          const pattern = `%${escapeLike(f.q)}%`;
          q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('username', 'ilike', pattern), eb('email_address', 'ilike', pattern), eb('company', 'ilike', pattern)]));
        }
        const rows = await q.orderBy('id').limit(f.limit).execute();
        return rows.map(toClient);
      },
      async listPage(accountId, offset, limit) {
        // The total and the version of the account's id order are kept by the triggers of
        // migration 0007. A deep page starts from a page anchor (storage/page-anchors.ts), so
        // it skips fewer than a thousand ids whatever its depth. Deferred join: the skipping is
        // an index-only scan of (account_id, id), and only the page's rows are read from the
        // table (reading every skipped row was 4× slower at offset 150,000).
        const counts = await db.selectFrom('client_counts').select(['clients', 'version']).where('account_id', '=', accountId).executeTakeFirst();
        const total = Number(counts?.clients ?? 0);
        if (!counts || offset >= total) return { rows: [], total };
        const start = await anchors.seek(db, accountId, Number(counts.version), offset);
        let ids = db.selectFrom('clients').select('id').where('account_id', '=', accountId);
        if (start) ids = ids.where('id', '>=', start.from);
        ids = ids
          .orderBy('id')
          .offset(start ? start.skip : offset)
          .limit(limit);
        const rows = await db.selectFrom('clients').select(CLIENT_COLUMNS).where('account_id', '=', accountId).where('id', 'in', ids).orderBy('id').execute();
        return { rows: rows.map(toClient), total };
      },
    },

    integrations: integrationsRepo(db),
    webhookSecrets: webhookSecretsRepo(db),
    usage: usageRepo(db),
    webhooks: webhooksRepo(db),
    accountWebhookSecrets: accountWebhookSecretsRepo(db),

    apiKeys: {
      async insert(k) {
        await db
          .insertInto('api_keys')
          .values({
            key_id: k.keyId,
            account_id: k.accountId,
            client_id: k.clientId,
            name: k.name,
            is_primary: k.isPrimary,
            enabled: k.enabled,
            scopes: JSON.stringify(k.scopes),
            secret_hash: k.secretHash,
            secret_hint: k.secretHint,
            previous_secret_hash: k.previousSecretHash,
            previous_secret_expires_at: k.previousSecretExpiresAt,
            expires_at: k.expiresAt,
            last_used_at: k.lastUsedAt,
            created_at: k.createdAt,
            updated_at: k.updatedAt,
          })
          .execute()
          .catch(mapUniqueViolation);
      },
      async get(keyId) {
        const r = await (hot ? hot.key(keyId) : keyById(db, keyId).executeTakeFirst());
        return r ? toApiKey(r) : null;
      },
      async getWithClient(keyId) {
        if (hot) {
          const r = await hot.keyWithClient(keyId);
          return r ? { key: toApiKey(r.key), client: r.client && toClient(r.client) } : null;
        }
        const key = await store.apiKeys.get(keyId);
        return key ? { key, client: key.clientId ? await store.clients.get(key.accountId, key.clientId) : null } : null;
      },
      async getForUpdate(accountId, keyId) {
        const r = await db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).where('account_id', '=', accountId).forUpdate().executeTakeFirst();
        return r ? toApiKey(r) : null;
      },
      async findPrimaryForUpdate(accountId, clientId) {
        const r = await db
          .selectFrom('api_keys')
          .selectAll()
          .where('account_id', '=', accountId)
          .where(sql`COALESCE(client_id, ${NO_CLIENT}::uuid)`, '=', clientId ?? NO_CLIENT)
          .where('is_primary', '=', true)
          .forUpdate()
          .executeTakeFirst();
        return r ? toApiKey(r) : null;
      },
      async countForOwner(accountId, clientId) {
        let q = db
          .selectFrom('api_keys')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('account_id', '=', accountId);
        q = clientId === null ? q.where('client_id', 'is', null) : q.where('client_id', '=', clientId);
        const r = await q.executeTakeFirstOrThrow();
        return Number(r.n);
      },
      async update(accountId, keyId, patch, at) {
        const r = await db
          .updateTable('api_keys')
          .set({ ...keyPatchColumns(patch), updated_at: at })
          .where('key_id', '=', keyId)
          .where('account_id', '=', accountId)
          .returningAll()
          .executeTakeFirst()
          .catch(mapUniqueViolation);
        return r ? toApiKey(r) : null;
      },
      async delete(accountId, keyId) {
        const r = await db.deleteFrom('api_keys').where('key_id', '=', keyId).where('account_id', '=', accountId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async list(accountId, f) {
        let q = db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
        if (f.clientId === null) q = q.where('client_id', 'is', null);
        else if (f.clientId !== undefined) q = q.where('client_id', '=', f.clientId);
        else if (f.clientOwned) q = q.where('client_id', 'is not', null);
        if (f.afterKeyId) q = q.where('key_id', '>', f.afterKeyId);
        const rows = await q.orderBy('key_id').limit(f.limit).execute();
        return rows.map(toApiKey);
      },
      async recordUses(uses) {
        if (uses.length === 0) return;
        const ids = uses.map((u) => u.keyId);
        const counts = uses.map((u) => u.count);
        const times = uses.map((u) => u.lastUsedAt.toISOString());
        await sql`
          UPDATE api_keys AS k
             SET use_count = k.use_count + u.n,
                 last_used_at = GREATEST(COALESCE(k.last_used_at, u.t), u.t)
            FROM (SELECT key_id, sum(n) AS n, max(t) AS t
                    FROM unnest(${ids}::text[], ${counts}::bigint[], ${times}::timestamptz[]) AS x(key_id, n, t)
                   GROUP BY key_id) AS u
           WHERE k.key_id = u.key_id`.execute(db);
      },
    },

    events: {
      async append(e) {
        await db
          .insertInto('events')
          .values({
            id: e.id,
            account_id: e.accountId,
            client_id: e.clientId,
            type: e.type,
            actor: JSON.stringify(e.actor),
            data: JSON.stringify(e.data),
            created_at: e.createdAt,
          })
          .execute();
      },
      async get(accountId, id) {
        const r = await db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
        return r ? toEvent(r) : null;
      },
      async list(accountId, f) {
        let q = db.selectFrom('events').selectAll().where('account_id', '=', accountId);
        if (f.type) q = q.where('type', '=', f.type);
        if (f.clientId) q = q.where('client_id', '=', f.clientId);
        if (f.afterId) q = q.where('id', '>', f.afterId);
        const rows = await q.orderBy('id').limit(f.limit).execute();
        return rows.map(toEvent);
      },
    },

    idempotency: {
      async get(accountId, principal, key) {
        const r = await db.selectFrom('idempotency_records').selectAll().where('account_id', '=', accountId).where('principal', '=', principal).where('idempotency_key', '=', key).executeTakeFirst();
        if (!r) return null;
        return {
          accountId: r.account_id,
          principal: r.principal,
          key: r.idempotency_key,
          requestHash: r.request_hash,
          statusCode: r.status_code,
          response: r.response,
          createdAt: r.created_at,
        };
      },
      async claim(rec, options = {}) {
        // The insert waits on the unique index while another transaction holds an uncommitted
        // claim of the key; lock_timeout bounds that wait, for this statement only (set_config
        // with is_local lasts until the transaction ends, so it is put back right after).
        const bounded = inTransaction && options.waitMs !== undefined;
        if (bounded) await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.ceil(options.waitMs!))}ms`}, true)`.execute(db);
        const r = await db
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
          .executeTakeFirst()
          .catch((err: unknown) => {
            // 55P03 lock_not_available: the other claim is still running after waitMs.
            if (bounded && (err as { code?: string }).code === '55P03') throw new AppError('IDEMPOTENCY_IN_PROGRESS');
            throw err;
          });
        if (bounded) await sql`set local lock_timeout to default`.execute(db);
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
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
      async release(accountId, principal, key) {
        await db.deleteFrom('idempotency_records').where('account_id', '=', accountId).where('principal', '=', principal).where('idempotency_key', '=', key).execute();
      },
      async deleteOlderThan(before) {
        const r = await db.deleteFrom('idempotency_records').where('created_at', '<', before).executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    serverSecrets: {
      async getOrInsert(name, value, at) {
        await db
          .insertInto('server_secrets')
          .values({ name, value, created_at: at })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const r = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
        return r.value;
      },
    },

    signingKeys: {
      async insert(k) {
        await db
          .insertInto('signing_keys')
          .values({
            kid: k.kid,
            algorithm: k.algorithm,
            public_jwk: JSON.stringify(k.publicJwk),
            private_key: k.privateKey,
            created_at: k.createdAt,
            retired_at: k.retiredAt,
            publish_until: k.publishUntil,
          })
          .execute();
      },
      async listPublished(now) {
        const rows = await db
          .selectFrom('signing_keys')
          .selectAll()
          .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '>', now)]))
          .orderBy('created_at', 'desc')
          .execute();
        return rows.map(toSigningKey);
      },
      async retire(kid, at, publishUntil) {
        await db.updateTable('signing_keys').set({ retired_at: at, publish_until: publishUntil }).where('kid', '=', kid).execute();
      },
    },
  };
  return store;
}
