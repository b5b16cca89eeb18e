/** Rate-limit overrides and login throttles (SQL). The shared counters live in src/ratelimit/postgres.ts. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Store } from '../core/ports.js';
import type { LoginThrottle, RateLimitOverride } from '../core/types.js';
import type { DB } from './schema.js';

const toOverride = (r: Selectable<DB['rate_limit_overrides']>): RateLimitOverride => ({
  accountId: r.account_id,
  namespace: r.namespace,
  identifier: r.identifier,
  limit: Number(r.limit),
  duration: Number(r.duration_ms),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function rateLimitOverridesRepo(db: Kysely<DB>): Store['rateLimitOverrides'] {
  return {
    async listNamespace(accountId, namespace) {
      const rows = await db.selectFrom('rate_limit_overrides').selectAll().where('account_id', '=', accountId).where('namespace', '=', namespace).orderBy('identifier').execute();
      return new Map(rows.map((r) => [r.identifier, toOverride(r)]));
    },
    async countNamespace(accountId, namespace) {
      const r = await db
        .selectFrom('rate_limit_overrides')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .where('namespace', '=', namespace)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async upsert(o) {
      const r = await db
        .insertInto('rate_limit_overrides')
        .values({ account_id: o.accountId, namespace: o.namespace, identifier: o.identifier, limit: o.limit, duration_ms: o.duration, created_at: o.createdAt, updated_at: o.updatedAt })
        .onConflict((oc) => oc.columns(['account_id', 'namespace', 'identifier']).doUpdateSet({ limit: o.limit, duration_ms: o.duration, updated_at: o.updatedAt }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOverride(r);
    },
    async delete(accountId, namespace, identifier) {
      const r = await db.deleteFrom('rate_limit_overrides').where('account_id', '=', accountId).where('namespace', '=', namespace).where('identifier', '=', identifier).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

const toThrottle = (r: Selectable<DB['login_throttles']>): LoginThrottle => ({
  subject: r.subject,
  failures: r.failures,
  blockedUntil: r.blocked_until,
  lockedUntil: r.locked_until,
  updatedAt: r.updated_at,
});

export function loginThrottlesRepo(db: Kysely<DB>): Store['loginThrottles'] {
  return {
    async get(subject) {
      const r = await db.selectFrom('login_throttles').selectAll().where('subject', '=', subject).executeTakeFirst();
      return r ? toThrottle(r) : null;
    },
    async countFailure(subject, at, forgetBefore) {
      const r = await db
        .insertInto('login_throttles')
        .values({ subject, failures: 1, blocked_until: at, locked_until: null, updated_at: at })
        .onConflict((oc) =>
          oc.column('subject').doUpdateSet({
            failures: sql`CASE WHEN login_throttles.updated_at < ${forgetBefore} THEN 1 ELSE login_throttles.failures + 1 END`,
            locked_until: sql`CASE WHEN login_throttles.updated_at < ${forgetBefore} THEN NULL ELSE login_throttles.locked_until END`,
            updated_at: at,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return r.failures;
    },
    async block(subject, blockedUntil, lockedUntil) {
      await db.updateTable('login_throttles').set({ blocked_until: blockedUntil, locked_until: lockedUntil }).where('subject', '=', subject).execute();
    },
    async delete(subject) {
      const r = await db.deleteFrom('login_throttles').where('subject', '=', subject).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async prune(before) {
      await db.deleteFrom('login_throttles').where('updated_at', '<', before).execute();
    },
  };
}
