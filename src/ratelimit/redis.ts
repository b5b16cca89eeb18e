/**
 * Rate limits in Redis or Valkey (CLIENTELE_REDIS_URL): exact across any number of
 * instances. One Lua script reads every counter of a check and spends them only when all
 * have room, atomically; each counter expires with its window. Every check is one round
 * trip, so `tryCheck` never answers. When Redis cannot be reached a check fails with
 * RateLimitUnavailableError (answered 503): a limit that cannot be enforced is not waved
 * through.
 */
import { Redis } from 'ioredis';
import { RateLimitUnavailableError, windowOf, type RateLimitCheck, type RateLimiter } from '../core/rate-limits.js';

// KEYS[i]: the counter of check i in its window. ARGV[3i-2..3i]: limit, cost, ttl (ms).
// Returns {ok, count1, count2, ...}: the counts after the check.
const SCRIPT = `
local ok = 1
local counts = {}
for i = 1, #KEYS do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  counts[i] = c
  if c + tonumber(ARGV[i * 3 - 1]) > tonumber(ARGV[i * 3 - 2]) then ok = 0 end
end
if ok == 1 then
  for i = 1, #KEYS do
    local cost = tonumber(ARGV[i * 3 - 1])
    if cost > 0 then
      counts[i] = redis.call('INCRBY', KEYS[i], cost)
      if counts[i] == cost then redis.call('PEXPIRE', KEYS[i], ARGV[i * 3]) end
    end
  end
end
table.insert(counts, 1, ok)
return counts
`;

// KEYS[i]: a counter; ARGV[i]: the units to give back (never below zero; a counter that has expired stays gone).
const REFUND = `
for i = 1, #KEYS do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  local back = math.min(c, tonumber(ARGV[i]))
  if back > 0 then redis.call('DECRBY', KEYS[i], back) end
end
return 0
`;

type ScriptedRedis = Redis & {
  clienteleRateLimit(numKeys: number, ...args: Array<string | number>): Promise<number[]>;
  clienteleRefund(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

export interface RedisRateLimiterOptions {
  url: string;
  now?: () => number;
  /** Prefix of every key this server writes (default `clientele:rl:`). */
  prefix?: string;
  /** Told when the connection fails (at most once every 10 s; ioredis reconnects by itself). */
  onError?: (err: unknown) => void;
}

/** Connects first: a server configured with Redis does not start without it. */
export async function createRedisRateLimiter(options: RedisRateLimiterOptions): Promise<RateLimiter> {
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'clientele:rl:';
  // No offline queue and one retry: while Redis is away a check fails fast instead of piling up.
  const redis = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 2_000 }) as ScriptedRedis;
  let reportedAt = 0;
  redis.on('error', (err) => {
    if (Date.now() - reportedAt < 10_000) return;
    reportedAt = Date.now();
    options.onError?.(err);
  });
  redis.defineCommand('clienteleRateLimit', { lua: SCRIPT });
  redis.defineCommand('clienteleRefund', { lua: REFUND });
  const keyOf = (c: RateLimitCheck, at: number) => `${prefix}${c.durationMs}:${windowOf(at, c.durationMs).start}:${c.key}`;
  await redis.connect();

  return {
    kind: 'redis',
    tryCheck: () => undefined,
    async check(checks: readonly RateLimitCheck[]) {
      const t = now();
      const windows = checks.map((c) => windowOf(t, c.durationMs));
      const keys = checks.map((c) => keyOf(c, t));
      // The counter outlives its window by a second so clock differences between instances cannot recreate it.
      const args = checks.flatMap((c, i) => [c.limit, c.cost, windows[i]!.end - t + 1_000]);
      let reply: number[];
      try {
        reply = await redis.clienteleRateLimit(keys.length, ...keys, ...args);
      } catch (err) {
        throw new RateLimitUnavailableError('the rate-limit store (Redis) did not answer', { cause: err });
      }
      const success = reply[0] === 1;
      const states = checks.map((c, i) => {
        const count = Number(reply[i + 1]);
        const before = success ? count - c.cost : count;
        return { limit: c.limit, remaining: Math.max(0, c.limit - count), reset: windows[i]!.end, exceeded: before + c.cost > c.limit };
      });
      return { success, states };
    },
    async refund(checks, at) {
      try {
        await redis.clienteleRefund(checks.length, ...checks.map((c) => keyOf(c, at)), ...checks.map((c) => c.cost));
      } catch (err) {
        throw new RateLimitUnavailableError('the rate-limit store (Redis) did not answer', { cause: err });
      }
    },
    async stop() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
