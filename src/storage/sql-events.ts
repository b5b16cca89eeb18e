/** Events, the audit log (SQL): keyset pages over UUIDv7 ids. */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../core/ports.js';
import { toEvent } from './rows.js';
import type { DB } from './schema.js';

export function eventsRepo(db: Kysely<DB>): Store['events'] {
  return {
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
      if (f.actorId) q = q.where(sql<string>`actor->>'id'`, '=', f.actorId);
      if (f.afterId) q = q.where('id', '>', f.afterId);
      if (f.beforeId) q = q.where('id', '<', f.beforeId);
      if (f.fromId) q = q.where('id', '>=', f.fromId);
      if (f.untilId) q = q.where('id', '<', f.untilId);
      const rows = await q
        .orderBy('id', f.order ?? 'asc')
        .limit(f.limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
