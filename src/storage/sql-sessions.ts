/** Browser sessions (SQL): found by the keyed hash of their token, listed per user. */
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../core/ports.js';
import type { Session } from '../core/types.js';
import type { DB } from './schema.js';

const toSession = (r: Selectable<DB['sessions']>): Session => ({
  id: r.id,
  tokenHash: r.token_hash,
  accountId: r.account_id,
  userId: r.user_id,
  userAgent: r.user_agent,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

export function sessionsRepo(db: Kysely<DB>): Store['sessions'] {
  return {
    async insert(s) {
      await db
        .insertInto('sessions')
        .values({
          id: s.id,
          token_hash: s.tokenHash,
          account_id: s.accountId,
          user_id: s.userId,
          user_agent: s.userAgent,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
        })
        .execute();
    },
    async findByTokenHash(tokenHash) {
      const r = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? toSession(r) : null;
    },
    async touch(id, at) {
      await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).where('last_seen_at', '<', at).execute();
    },
    async listForUser(accountId, userId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return rows.map(toSession);
    },
    async delete(accountId, userId, id) {
      const r = await db.deleteFrom('sessions').where('account_id', '=', accountId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
