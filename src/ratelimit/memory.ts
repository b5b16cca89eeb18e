/**
 * Rate limits in this process's memory: exact for one instance (the embedded default), and
 * always answered without waiting. Counters of ended windows are swept periodically.
 */
import { RateLimitUnavailableError, windowOf, type RateLimitCheck, type RateLimiter, type RateLimitOutcome } from '../core/rate-limits.js';

interface Counter {
  /** End of the window counted, epoch ms. */
  end: number;
  count: number;
  owner: string;
}

export interface MemoryRateLimiterOptions {
  now?: () => number;
  /** How often ended windows are forgotten (default 10 s). */
  sweepMs?: number;
  /** Most counters kept (default 1,000,000, about 200 MB); a check that needs one more fails (503) rather than forget one. */
  maxCounters?: number;
  /** Most counters of one owner (an account; default a tenth of maxCounters), so one cannot take everyone's room. */
  maxCountersPerOwner?: number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  /** Counters by window length, then key. */
  const counters = new Map<number, Map<string, Counter>>();
  const maxCounters = options.maxCounters ?? 1_000_000;
  const maxPerOwner = options.maxCountersPerOwner ?? Math.ceil(maxCounters / 10);
  const perOwner = new Map<string, number>();
  let size = 0;
  let sweptAt = Number.NEGATIVE_INFINITY;
  const release = (c: Counter) => {
    size--;
    const n = (perOwner.get(c.owner) ?? 1) - 1;
    if (n === 0) perOwner.delete(c.owner);
    else perOwner.set(c.owner, n);
  };
  const forgetEnded = () => {
    const t = now();
    for (const [duration, byKey] of counters) {
      for (const [k, c] of byKey) {
        if (c.end <= t) {
          byKey.delete(k);
          release(c);
        }
      }
      if (byKey.size === 0) counters.delete(duration);
    }
  };
  const sweep = setInterval(forgetEnded, options.sweepMs ?? 10_000);
  sweep.unref();

  function tryCheck(checks: readonly RateLimitCheck[]): RateLimitOutcome {
    const t = now();
    const current: Counter[] = [];
    let success = true;
    for (const c of checks) {
      const end = windowOf(t, c.durationMs).end;
      let byKey = counters.get(c.durationMs);
      if (!byKey) {
        byKey = new Map();
        counters.set(c.durationMs, byKey);
      }
      let counter = byKey.get(c.key);
      if (!counter) {
        // At a cap, ended windows are swept first (at most once a second: a sweep reads every counter).
        if ((size >= maxCounters || (perOwner.get(c.owner) ?? 0) >= maxPerOwner) && t - sweptAt >= 1_000) {
          sweptAt = t;
          forgetEnded();
        }
        // Forgetting a live counter would let its limit be exceeded: refuse to count instead.
        if (size >= maxCounters) throw new RateLimitUnavailableError(`more than ${maxCounters} rate-limit counters are live`);
        if ((perOwner.get(c.owner) ?? 0) >= maxPerOwner) throw new RateLimitUnavailableError(`one account has ${maxPerOwner} rate-limit counters live`);
        counter = { end, count: 0, owner: c.owner };
        byKey.set(c.key, counter);
        size++;
        perOwner.set(c.owner, (perOwner.get(c.owner) ?? 0) + 1);
      } else if (counter.end !== end) {
        counter.end = end;
        counter.count = 0;
      }
      current.push(counter);
      if (counter.count + c.cost > c.limit) success = false;
    }
    const states = checks.map((c, i) => {
      const counter = current[i]!;
      const exceeded = counter.count + c.cost > c.limit;
      if (success) counter.count += c.cost;
      return { limit: c.limit, remaining: Math.max(0, c.limit - counter.count), reset: counter.end, exceeded };
    });
    return { success, states };
  }

  return {
    kind: 'memory',
    tryCheck,
    check: async (checks) => tryCheck(checks),
    async refund(checks, at) {
      for (const c of checks) {
        const counter = counters.get(c.durationMs)?.get(c.key);
        if (counter && counter.end === windowOf(at, c.durationMs).end) counter.count = Math.max(0, counter.count - c.cost);
      }
    },
    async stop() {
      clearInterval(sweep);
      counters.clear();
      perOwner.clear();
      size = 0;
    },
  };
}
