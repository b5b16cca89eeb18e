/** API keys (SQL): one primary per owner (a unique partial index), lookups by id and owner. */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import { keyPatchColumns, toApiKey, toClient } from './rows.js';
import type { DB } from './schema.js';
import { keyById, type HotReads } from './sql-hot-reads.js';
import { mapUniqueViolation } from './sql-shared.js';

/** Stands for "no client" (an account's own keys) where NULL cannot be compared. */
const NO_CLIENT = '00000000-0000-0000-0000-000000000000';

/** `clients`: the same store's clients, for a key's client when there are no hot reads. */
export function apiKeysRepo(db: Kysely<DB>, hot: HotReads | undefined, clients: Store['clients']): Store['apiKeys'] {
  const repo: Store['apiKeys'] = {
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
          permissions: JSON.stringify(k.permissions),
          ratelimits: JSON.stringify(k.ratelimits),
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
      const key = await repo.get(keyId);
      return key ? { key, client: key.clientId ? await clients.get(key.accountId, key.clientId) : null } : null;
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
  };
  return repo;
}
