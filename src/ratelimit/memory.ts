/**
 * Rate limits in this process's memory: exact for one instance (the embedded default), and
 * always answered without waiting. Counters of ended windows are swept periodically.
 */
import { RateLimitUnavailableError, windowOf, type RateLimitCheck, type RateLimiter, type RateLimitOutcome } from '../core/rate-limits.js';

interface Counter {
  /** End of the window counted, epoch ms. */
  end: number;
  count: number;
}

export interface MemoryRateLimiterOptions {
  now?: () => number;
  /** How often ended windows are forgotten (default 10 s). */
  sweepMs?: number;
  /** Most counters kept (default 1,000,000, about 200 MB); a check that needs one more fails (503) rather than forget one. */
  maxCounters?: number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  /** Counters by window length, then key. */
  const counters = new Map<number, Map<string, Counter>>();
  const maxCounters = options.maxCounters ?? 1_000_000;
  let size = 0;
  const forgetEnded = () => {
    const t = now();
    for (const [duration, byKey] of counters) {
      for (const [k, c] of byKey) {
        if (c.end <= t) {
          byKey.delete(k);
          size--;
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
        if (size >= maxCounters) forgetEnded();
        // Forgetting a live counter would let its limit be exceeded: refuse to count instead.
        if (size >= maxCounters) throw new RateLimitUnavailableError(`more than ${maxCounters} rate-limit counters are live`);
        counter = { end, count: 0 };
        byKey.set(c.key, counter);
        size++;
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
      size = 0;
    },
  };
}
