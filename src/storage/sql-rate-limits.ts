/** Rate-limit overrides and login throttles (SQL). The shared counters live in src/ratelimit/postgres.ts. */
import { randomUUID } from 'node:crypto';
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
      return rows.map(toOverride);
    },
    async listAccount(accountId) {
      const rows = await db.selectFrom('rate_limit_overrides').selectAll().where('account_id', '=', accountId).execute();
      return rows.map(toOverride);
    },
    async get(accountId, namespace, identifier) {
      const r = await db.selectFrom('rate_limit_overrides').selectAll().where('account_id', '=', accountId).where('namespace', '=', namespace).where('identifier', '=', identifier).executeTakeFirst();
      return r ? toOverride(r) : null;
    },
    async countAccount(accountId) {
      const r = await db
        .selectFrom('rate_limit_overrides')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
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
    async admit(subject, at, rule) {
      const attempt = randomUUID();
      // What the failure numbered n brings: a delay before the next attempt, and the lock.
      const delayed = (n: number) => (rule.freeFailures > 0 && n > rule.freeFailures ? Math.min(2 ** (n - rule.freeFailures - 1), rule.maxDelaySeconds) : 0);
      const first = { blocked: new Date(at.getTime() + delayed(1) * 1000), locked: rule.lockFailures > 0 && rule.lockFailures <= 1 ? rule.lockedUntil : null };
      // Old values: `t.` in SET and WHEN; the next failure count: fresh ? 1 : t.failures + 1.
      const fresh = sql`t.updated_at < ${rule.forgetBefore}`;
      const next = sql`(CASE WHEN ${fresh} THEN 1 ELSE t.failures + 1 END)`;
      const waiting = sql`(NOT ${fresh} AND GREATEST(t.blocked_until, COALESCE(t.locked_until, t.blocked_until)) > ${at})`;
      const delay = sql`(CASE WHEN ${rule.freeFailures}::int > 0 AND ${next} > ${rule.freeFailures}::int
                         THEN LEAST(power(2, ${next} - ${rule.freeFailures}::int - 1), ${rule.maxDelaySeconds}::int) ELSE 0 END)`;
      const r = await sql<Selectable<DB['login_throttles']>>`
        INSERT INTO login_throttles AS t (subject, failures, blocked_until, locked_until, updated_at, attempt)
        VALUES (${subject}, 1, ${first.blocked}, ${first.locked}, ${at}, ${attempt})
        ON CONFLICT (subject) DO UPDATE SET
          failures = CASE WHEN ${waiting} THEN t.failures ELSE ${next} END,
          blocked_until = CASE WHEN ${waiting} THEN t.blocked_until ELSE ${at}::timestamptz + make_interval(secs => ${delay}) END,
          locked_until = CASE WHEN ${waiting} THEN t.locked_until
                              WHEN ${rule.lockFailures}::int > 0 AND ${next} >= ${rule.lockFailures}::int THEN ${rule.lockedUntil}::timestamptz
                              WHEN ${fresh} THEN NULL ELSE t.locked_until END,
          updated_at = CASE WHEN ${waiting} THEN t.updated_at ELSE ${at} END,
          attempt = CASE WHEN ${waiting} THEN t.attempt ELSE ${attempt} END
        RETURNING *`.execute(db);
      const row = r.rows[0]!;
      return { admitted: row.attempt === attempt, throttle: toThrottle(row) };
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
