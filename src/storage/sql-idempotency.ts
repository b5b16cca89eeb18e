/** Idempotency records (SQL): the claim on the unique index, bounded waits, the TTL sweep. */
import { sql, type Kysely } from 'kysely';
import { AppError } from '../core/errors.js';
import type { Store } from '../core/ports.js';
import type { DB } from './schema.js';

/** `inTransaction`: the store runs on an open transaction (a bounded claim wait needs one). */
export function idempotencyRepo(db: Kysely<DB>, inTransaction: boolean): Store['idempotency'] {
  return {
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
  };
}
