/**
 * Rate limits in this process's memory: exact for one instance (the embedded default), and
 * always answered without waiting. Counters of ended windows are swept periodically.
 */
import { windowOf, type RateLimitCheck, type RateLimiter, type RateLimitOutcome } from '../core/rate-limits.js';

interface Counter {
  /** End of the window counted, epoch ms. */
  end: number;
  count: number;
}

export interface MemoryRateLimiterOptions {
  now?: () => number;
  /** How often ended windows are forgotten (default 10 s). */
  sweepMs?: number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const counters = new Map<string, Counter>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, c] of counters) if (c.end <= t) counters.delete(k);
  }, options.sweepMs ?? 10_000);
  sweep.unref();

  function tryCheck(checks: readonly RateLimitCheck[]): RateLimitOutcome {
    const t = now();
    const current: Counter[] = [];
    let success = true;
    for (const c of checks) {
      const { end } = windowOf(t, c.durationMs);
      const id = `${c.durationMs}:${c.key}`;
      let counter = counters.get(id);
      if (!counter || counter.end !== end) {
        counter = { end, count: 0 };
        counters.set(id, counter);
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
    async stop() {
      clearInterval(sweep);
      counters.clear();
    },
  };
}
