/**
 * Rate limits shared through PostgreSQL, for many instances without Redis.
 *
 * Each instance leases units of a window's budget from one row per counter and window
 * (`rate_limit_counters`, an UNLOGGED table) and spends them locally: a check that the
 * leased units cover is answered from memory, without waiting. A lease grants at most what
 * is left of the limit, so all instances together never admit more than the limit in a
 * window (over-admission: none). What it can cost is under-admission: units one instance
 * leased and has not spent are not available to another. Leases start at one unit and double
 * with each lease of the same window, up to a twentieth of the limit; an instance also takes
 * its next lease when half of the current one is spent, so a busy counter writes about
 * log2(traffic) + 20 times per window and instance, not once per request. Everything
 * pending in one turn of the event loop goes in one statement.
 *
 * Bound: in a window, each other instance may hold up to two leases unspent, so the
 * instances together admit at least `limit − 2·(instances − 1)·⌈limit/20⌉` units of
 * demand (docs/rate-limits.md; measured by bench/ratelimit.ts).
 */
import { sql, type Kysely } from 'kysely';
import { RateLimitUnavailableError, windowOf, type RateLimitCheck, type RateLimiter, type RateLimitOutcome } from '../core/rate-limits.js';
import type { DB } from '../storage/schema.js';

/** Largest lease, as a share of the limit. */
const LEASE_SHARE = 20;
/** Most budgets an instance keeps; beyond that the oldest is dropped (its unspent units are lost: under-admission only). */
const MAX_BUDGETS = 200_000;
/** Rounds of leasing one check may take before it gives up (each round leases, or learns the budget is gone). */
const MAX_ROUNDS = 64;

interface Budget {
  start: number;
  end: number;
  limit: number;
  /** Units leased by this instance and not spent yet. */
  available: number;
  /** Units leased by all instances together, as of this instance's last lease. */
  leasedByAll: number;
  /** The last lease got less than asked: the window's budget is gone. */
  exhausted: boolean;
  /** Leases taken in this window (each doubles the next one). */
  leases: number;
  pending?: Promise<void>;
}

interface Request {
  id: string;
  budget: Budget;
  want: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface PostgresRateLimiterOptions {
  db: Kysely<DB>;
  now?: () => number;
  /** How often ended windows are deleted (default 60 s). */
  sweepMs?: number;
  onError?: (err: unknown) => void;
}

export function createPostgresRateLimiter(options: PostgresRateLimiterOptions): RateLimiter {
  const { db } = options;
  const now = options.now ?? Date.now;
  const budgets = new Map<string, Budget>();
  let queue: Request[] = [];
  let scheduled = false;

  const sweep = setInterval(() => {
    const t = now();
    for (const [id, b] of budgets) if (b.end <= t) budgets.delete(id);
    sql`DELETE FROM rate_limit_counters WHERE expires_at < now()`.execute(db).catch((err) => options.onError?.(err));
  }, options.sweepMs ?? 60_000);
  sweep.unref();

  function budgetOf(c: RateLimitCheck, t: number): { id: string; budget: Budget } {
    const { start, end } = windowOf(t, c.durationMs);
    const id = `${c.durationMs}:${c.key}`;
    let budget = budgets.get(id);
    if (!budget || budget.start !== start) {
      budget = { start, end, limit: c.limit, available: 0, leasedByAll: 0, exhausted: false, leases: 0 };
      budgets.delete(id);
      budgets.set(id, budget);
      if (budgets.size > MAX_BUDGETS) budgets.delete(budgets.keys().next().value as string);
    } else if (budget.limit !== c.limit) {
      // The same counter with another limit (an override changed): the row's count still holds; the next lease applies the new limit.
      budget.limit = c.limit;
      budget.exhausted = budget.leasedByAll >= c.limit;
    }
    return { id, budget };
  }

  const leaseSize = (b: Budget) => Math.min(Math.max(1, Math.ceil(b.limit / LEASE_SHARE)), 2 ** b.leases);

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue;
    queue = [];
    // One row per counter (the statement may not touch a row twice): the largest want.
    const rows = new Map<string, Request>();
    for (const r of batch) {
      const key = `${r.id}@${r.budget.start}`;
      const seen = rows.get(key);
      if (!seen || seen.want < r.want) rows.set(key, r);
    }
    const list = [...rows.values()];
    try {
      const result = await sql<{ key: string; window_start: string; count: string; last_grant: string }>`
        INSERT INTO rate_limit_counters AS c (key, window_start, count, last_grant, max_count, expires_at)
        SELECT k, w, want, want, lim, to_timestamp(e / 1000.0)
        FROM unnest(${list.map((r) => r.id)}::text[], ${list.map((r) => r.budget.start)}::int8[], ${list.map((r) => r.want)}::int8[],
                    ${list.map((r) => r.budget.limit)}::int8[], ${list.map((r) => r.budget.end + 1_000)}::int8[]) AS t(k, w, want, lim, e)
        ORDER BY k, w
        ON CONFLICT (key, window_start) DO UPDATE SET
          last_grant = LEAST(EXCLUDED.last_grant, GREATEST(EXCLUDED.max_count - c.count, 0)),
          count = c.count + LEAST(EXCLUDED.last_grant, GREATEST(EXCLUDED.max_count - c.count, 0)),
          max_count = EXCLUDED.max_count
        RETURNING key, window_start, count, last_grant`.execute(db);
      const granted = new Map(result.rows.map((r) => [`${r.key}@${r.window_start}`, r]));
      for (const [key, r] of rows) {
        const row = granted.get(key);
        const b = r.budget;
        const grant = row ? Number(row.last_grant) : 0;
        b.available += grant;
        b.leasedByAll = row ? Number(row.count) : b.limit;
        b.leases += 1;
        b.exhausted = grant < r.want || b.leasedByAll >= b.limit;
      }
      for (const r of batch) r.resolve();
    } catch (err) {
      for (const r of batch) r.reject(new RateLimitUnavailableError('the rate-limit counters (PostgreSQL) did not answer', { cause: err }));
    }
  }

  /** Leases at least `need` more units of the budget (one lease at a time per budget). */
  function lease(id: string, budget: Budget, need: number): Promise<void> {
    if (budget.pending) return budget.pending;
    const want = Math.min(budget.limit, Math.max(need, leaseSize(budget)));
    const pending = new Promise<void>((resolve, reject) => queue.push({ id, budget, want, resolve, reject })).finally(() => {
      budget.pending = undefined;
    });
    budget.pending = pending;
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void flush());
    }
    return pending;
  }

  /** The answer from what is leased, or the budgets that need a lease first. */
  function answer(checks: readonly RateLimitCheck[]): RateLimitOutcome | Array<{ id: string; budget: Budget; need: number }> {
    const t = now();
    const found = checks.map((c) => budgetOf(c, t));
    const needy: Array<{ id: string; budget: Budget; need: number }> = [];
    let refused = false;
    checks.forEach((c, i) => {
      const { id, budget } = found[i]!;
      // A read (cost 0) of a counter this instance has not leased from yet needs the row.
      if (budget.available >= c.cost && (c.cost > 0 || budget.leases > 0 || budget.exhausted)) return;
      if (budget.available < c.cost && (budget.exhausted || c.cost > c.limit)) refused = true;
      else needy.push({ id, budget, need: Math.max(1, c.cost - budget.available) });
    });
    if (!refused && needy.length > 0) return needy;
    const states = checks.map((c, i) => {
      const b = found[i]!.budget;
      const exceeded = b.available < c.cost && (b.exhausted || c.cost > c.limit);
      if (!refused) b.available -= c.cost;
      return { limit: c.limit, remaining: Math.max(0, b.limit - b.leasedByAll) + b.available, reset: b.end, exceeded };
    });
    if (!refused) {
      for (const { id, budget } of found) {
        if (!budget.exhausted && !budget.pending && budget.available < Math.ceil(leaseSize(budget) / 2)) {
          lease(id, budget, 1).catch((err) => options.onError?.(err));
        }
      }
    }
    return { success: !refused, states };
  }

  return {
    kind: 'postgres',
    async refund(checks, at) {
      // Back into this instance's lease: spendable here again, never more than was leased.
      for (const c of checks) {
        const b = budgets.get(`${c.durationMs}:${c.key}`);
        if (b && b.start === windowOf(at, c.durationMs).start) b.available += c.cost;
      }
    },
    tryCheck(checks) {
      const r = answer(checks);
      if (!Array.isArray(r)) return r;
      for (const n of r) lease(n.id, n.budget, n.need).catch((err) => options.onError?.(err));
      return undefined;
    },
    async check(checks) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const r = answer(checks);
        if (!Array.isArray(r)) return r;
        await Promise.all(r.map((n) => lease(n.id, n.budget, n.need)));
      }
      throw new RateLimitUnavailableError(`no answer after ${MAX_ROUNDS} leases`);
    },
    async stop() {
      clearInterval(sweep);
      budgets.clear();
    },
  };
}
