import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitUnavailableError } from '../core/rate-limits.js';
import { createMemoryRateLimiter } from './memory.js';

test('memory limiter: one owner cannot take every counter; ended windows free their room', async () => {
  let t = Date.UTC(2026, 0, 1);
  const l = createMemoryRateLimiter({ now: () => t, maxCounters: 10, maxCountersPerOwner: 4 });
  const check = (owner: string, key: string) => l.check([{ key, limit: 5, durationMs: 60_000, cost: 1, owner }]);
  for (let i = 0; i < 4; i++) assert.equal((await check('greedy', `k${i}`)).success, true);
  await assert.rejects(check('greedy', 'k4'), RateLimitUnavailableError, 'its share is used');
  assert.equal((await check('greedy', 'k0')).success, true, 'its live counters still count');
  for (let i = 0; i < 4; i++) assert.equal((await check('other', `k${i}`)).success, true, 'others keep their room');
  t += 60_000; // every window has ended
  assert.equal((await check('greedy', 'k4')).success, true, 'a sweep gave the room back');
  await l.stop();
});
