/** Events, the audit log (SQL): keyset pages over UUIDv7 ids. */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../core/ports.js';
import { toEvent } from './rows.js';
import type { DB } from './schema.js';

export function eventsRepo(db: Kysely<DB>): Store['events'] {
  // One statement whatever the count: one array per column.
  const appendMany: Store['events']['appendMany'] = async (es) => {
    if (es.length === 0) return;
    await sql`
        INSERT INTO events (id, account_id, client_id, type, actor, data, created_at)
        SELECT * FROM unnest(${es.map((e) => e.id)}::uuid[], ${es.map((e) => e.accountId)}::uuid[], ${es.map((e) => e.clientId)}::uuid[],
                             ${es.map((e) => e.type)}::text[], ${es.map((e) => JSON.stringify(e.actor))}::jsonb[],
                             ${es.map((e) => JSON.stringify(e.data))}::jsonb[], ${es.map((e) => e.createdAt)}::timestamptz[])`.execute(db);
  };
  return {
    append: (e) => appendMany([e]),
    appendMany,
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
