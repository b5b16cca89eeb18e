/**
 * One suite for every rate-limiter backend: in memory, PostgreSQL (on PGlite and on a real
 * server) and Redis. Each must admit exactly what the limit allows in a window (the shared
 * PostgreSQL one: never more, and with a single instance exactly), spend nothing when a
 * check is refused, and start a new window on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RateLimitCheck, RateLimiter } from '../../src/core/rate-limits.js';
import { createMemoryRateLimiter } from '../../src/ratelimit/memory.js';
import { createPostgresRateLimiter } from '../../src/ratelimit/postgres.js';
import { createRedisRateLimiter } from '../../src/ratelimit/redis.js';
import { openDatabase } from '../../src/storage/database.js';
import { openTestDatabase, testBackends, type TestDatabase } from '../support/databases.js';
import { redisTestPrefix, testRedisUrl } from '../support/redis.js';

interface Clock {
  now: () => number;
  set(ms: number): void;
}

function clock(start = Date.UTC(2026, 0, 1)): Clock {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

type Factory = (c: Clock) => Promise<RateLimiter>;

const factories: Array<{ name: string; make: () => Promise<{ factory: Factory; close(): Promise<void> }> }> = [
  { name: 'memory', make: async () => ({ factory: async (c) => createMemoryRateLimiter({ now: c.now }), close: async () => undefined }) },
];
for (const backend of testBackends()) {
  factories.push({
    name: `postgres (${backend})`,
    make: async () => {
      const db: TestDatabase = await openTestDatabase(backend);
      return { factory: async (c) => createPostgresRateLimiter({ db: db.db, now: c.now }), close: () => db.close() };
    },
  });
}
const redisUrl = testRedisUrl();
if (redisUrl) {
  factories.push({
    name: 'redis',
    make: async () => ({ factory: (c) => createRedisRateLimiter({ url: redisUrl, now: c.now, prefix: redisTestPrefix() }), close: async () => undefined }),
  });
}

const check = (key: string, limit: number, cost = 1, durationMs = 60_000): RateLimitCheck => ({ key, limit, durationMs, cost, owner: 'conformance' });

for (const { name, make } of factories) {
  describe(`rate limiter: ${name}`, () => {
    let factory: Factory;
    let close: () => Promise<void>;
    const open: RateLimiter[] = [];
    const limiter = async (c: Clock) => {
      const l = await factory(c);
      open.push(l);
      return l;
    };
    before(async () => ({ factory, close } = await make()));
    after(async () => {
      for (const l of open) await l.stop();
      await close();
    });

    it('admits exactly the limit in a window, reporting what remains and when the window ends', async () => {
      const c = clock(Date.UTC(2026, 0, 1, 0, 0, 10));
      const l = await limiter(c);
      const results = [];
      for (let i = 0; i < 7; i++) results.push(await l.check([check('a', 5)]));
      assert.deepEqual(
        results.map((r) => r.success),
        [true, true, true, true, true, false, false],
      );
      assert.deepEqual(
        results.map((r) => r.states[0]!.remaining),
        [4, 3, 2, 1, 0, 0, 0],
      );
      assert.equal(results[0]!.states[0]!.reset, Date.UTC(2026, 0, 1, 0, 1, 0));
      assert.equal(results[4]!.states[0]!.exceeded, false);
      assert.equal(results[5]!.states[0]!.exceeded, true);
    });

    it('a new window starts on time; counters of different durations or keys are separate', async () => {
      const c = clock(Date.UTC(2026, 0, 1, 0, 0, 59, 500));
      const l = await limiter(c);
      assert.equal((await l.check([check('w', 2)])).success, true);
      assert.equal((await l.check([check('w', 2)])).success, true);
      assert.equal((await l.check([check('w', 2)])).success, false);
      assert.equal((await l.check([check('w', 2, 1, 1_000)])).success, true, 'another duration, another counter');
      assert.equal((await l.check([check('w2', 2)])).success, true, 'another key, another counter');
      c.set(Date.UTC(2026, 0, 1, 0, 1, 0));
      const next = await l.check([check('w', 2)]);
      assert.equal(next.success, true);
      assert.equal(next.states[0]!.remaining, 1);
    });

    it('a check of several limits spends none of them when one is exceeded', async () => {
      const c = clock();
      const l = await limiter(c);
      assert.equal((await l.check([check('small', 1)])).success, true);
      const refused = await l.check([check('big', 10), check('small', 1)]);
      assert.equal(refused.success, false);
      assert.deepEqual(
        refused.states.map((s) => s.exceeded),
        [false, true],
      );
      const big = await l.check([check('big', 10, 0)]);
      assert.equal(big.states[0]!.remaining, 10, 'the refused check spent nothing of "big"');
    });

    it('cost: several units at once, 0 only reads, more than the limit is refused', async () => {
      const c = clock();
      const l = await limiter(c);
      assert.equal((await l.check([check('cost', 10, 7)])).success, true);
      assert.equal((await l.check([check('cost', 10, 4)])).success, false);
      const read = await l.check([check('cost', 10, 0)]);
      assert.equal(read.success, true);
      assert.equal(read.states[0]!.remaining, 3);
      assert.equal((await l.check([check('cost', 10, 3)])).success, true);
      assert.equal((await l.check([check('huge', 10, 11)])).success, false);
    });

    it('many concurrent checks: exactly the limit succeed', async () => {
      const c = clock();
      const l = await limiter(c);
      const outcomes = await Promise.all(Array.from({ length: 300 }, () => l.check([check('burst', 120)])));
      assert.equal(outcomes.filter((o) => o.success).length, 120);
    });

    it('refund gives back what a check spent, within its window only', async () => {
      const c = clock(Date.UTC(2026, 0, 1, 0, 0, 30));
      const l = await limiter(c);
      const at = c.now();
      assert.equal((await l.check([check('refund', 2, 2)])).success, true);
      assert.equal((await l.check([check('refund', 2)])).success, false);
      await l.refund([check('refund', 2)], at);
      assert.equal((await l.check([check('refund', 2)])).success, true, 'the unit given back is spendable again');
      c.set(Date.UTC(2026, 0, 1, 0, 1, 0));
      await l.refund([check('refund', 2, 2)], at); // the window has ended: nothing to give back
      assert.equal((await l.check([check('refund', 2, 0)])).states[0]!.remaining, 2);
    });

    it('the same counter checked with two limits at once (an override changing) gets an answer for each', async () => {
      const c = clock();
      const l = await limiter(c);
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => l.check([check('two-limits', i % 2 ? 10 : 5)])));
      const admitted = outcomes.filter((o) => o.success).length;
      assert.ok(admitted >= 5 && admitted <= 10, `${admitted} admitted`);
    });

    it('tryCheck answers from memory when it can, and never contradicts check', async () => {
      const c = clock();
      const l = await limiter(c);
      const first = l.tryCheck([check('sync', 3)]);
      if (l.kind === 'memory') assert.equal(first?.success, true);
      if (l.kind === 'redis') assert.equal(first, undefined, 'every Redis check is a round trip');
      let admitted = first?.success ? 1 : 0;
      for (let i = 0; i < 5; i++) {
        const r = l.tryCheck([check('sync', 3)]) ?? (await l.check([check('sync', 3)]));
        if (r.success) admitted++;
      }
      assert.equal(admitted, 3);
    });
  });
}

describe('rate limiter: postgres, two instances on one database', { skip: !testBackends().includes('postgres') }, () => {
  let db: TestDatabase;
  let second: Awaited<ReturnType<typeof openDatabase>>;
  before(async () => {
    db = await openTestDatabase('postgres');
    second = await openDatabase({ databaseUrl: db.url! });
  });
  after(async () => {
    await second.close();
    await db.close();
  });

  it('never admit more than the limit together, and at most the documented lease share less', async () => {
    const c = clock();
    const a = createPostgresRateLimiter({ db: db.db, now: c.now });
    const b = createPostgresRateLimiter({ db: second.db, now: c.now });
    try {
      const limit = 200;
      const tries = Array.from({ length: 600 }, (_, i) => (i % 2 ? a : b).check([check('shared', limit)]));
      const admitted = (await Promise.all(tries)).filter((o) => o.success).length;
      assert.ok(admitted <= limit, `admitted ${admitted} > ${limit}`);
      // Each instance may hold up to two leases (≤ limit/20 each) unspent.
      assert.ok(admitted >= limit - 2 * Math.ceil(limit / 20), `admitted only ${admitted}`);
      // A read (cost 0) on an instance that never spent from the counter sees what the other spent.
      const spent = await a.check([check('read-across', 10, 4)]);
      assert.equal(spent.success, true);
      const read = await b.check([check('read-across', 10, 0)]);
      assert.ok(read.states[0]!.remaining <= 6, `read ${read.states[0]!.remaining} remaining`);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
