/**
 * Store conformance, part 4: rate limits — limits on keys, clients and accounts, the
 * namespaces' overrides and the sign-in throttles — on every backend (see
 * store-conformance.test.ts for part 1).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AdmitRule, Store } from '../../src/core/ports.js';
import type { RateLimitOverride, RateLimitSpec } from '../../src/core/types.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { makeClient, makeKey, newAccount, T0, T1, T2 } from '../support/store-fixtures.js';

const SPECS: RateLimitSpec[] = [
  { name: 'requests', limit: 100, duration: 60_000, autoApply: true },
  { name: 'tokens.µ', limit: 1_000_000_000, duration: 2_592_000_000, autoApply: false },
];

describeEachBackend('store conformance: rate limits', ({ db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  it('keys, clients and accounts round-trip their limits (empty by default) and update them', async () => {
    const a = await newAccount(store);
    assert.deepEqual((await store.accounts.get(a))!.ratelimits, []);
    const updated = await store.accounts.update(a, { ratelimits: SPECS }, T1);
    assert.deepEqual(updated!.ratelimits, SPECS);
    assert.equal(updated!.requireTwoFactor, false, 'a patch of the limits leaves the other settings');
    const c = makeClient(a, { ratelimits: SPECS });
    await store.clients.insert(c);
    assert.deepEqual((await store.clients.get(a, c.id))!.ratelimits, SPECS);
    assert.deepEqual((await store.clients.update(a, c.id, { ratelimits: [] }, T1))!.ratelimits, []);
    const k = makeKey(a, c.id, { ratelimits: SPECS });
    await store.apiKeys.insert(k);
    assert.deepEqual((await store.apiKeys.get(k.keyId))!.ratelimits, SPECS);
    assert.deepEqual((await store.apiKeys.getWithClient(k.keyId))!.key.ratelimits, SPECS);
    assert.deepEqual((await store.apiKeys.update(a, k.keyId, { ratelimits: SPECS.slice(1) }, T2))!.ratelimits, SPECS.slice(1));
  });

  describe('overrides', () => {
    it('upsert keeps createdAt and replaces the limit; lists one namespace of one account; deletes', async () => {
      const a = await newAccount(store);
      const b = await newAccount(store);
      const o = (accountId: string, identifier: string, limit: number, at: Date): RateLimitOverride => ({
        accountId,
        namespace: 'ns',
        identifier,
        limit,
        duration: 60_000,
        createdAt: at,
        updatedAt: at,
      });
      assert.deepEqual(await store.rateLimitOverrides.upsert(o(a, 'z', 5, T0)), o(a, 'z', 5, T0));
      await store.rateLimitOverrides.upsert(o(a, 'y', 6, T0));
      await store.rateLimitOverrides.upsert(o(b, 'z', 7, T0));
      await store.rateLimitOverrides.upsert({ ...o(a, 'x', 1, T0), namespace: 'other' });
      const replaced = await store.rateLimitOverrides.upsert(o(a, 'z', 50, T1));
      assert.deepEqual(replaced, { ...o(a, 'z', 50, T1), createdAt: T0 });
      const listed = await store.rateLimitOverrides.listNamespace(a, 'ns');
      assert.deepEqual(
        listed.map((x) => [x.identifier, x.limit]),
        [
          ['y', 6],
          ['z', 50],
        ],
      );
      assert.equal(await store.rateLimitOverrides.countAccount(a), 3);
      assert.deepEqual((await store.rateLimitOverrides.listAccount(a)).map((x) => `${x.namespace}/${x.identifier}`).sort(), ['ns/y', 'ns/z', 'other/x']);
      assert.equal((await store.rateLimitOverrides.get(a, 'ns', 'z'))!.limit, 50);
      assert.equal(await store.rateLimitOverrides.get(b, 'ns', 'y'), null);
      assert.equal(await store.rateLimitOverrides.delete(b, 'ns', 'y'), false, "another account's");
      assert.equal(await store.rateLimitOverrides.delete(a, 'ns', 'y'), true);
      assert.equal(await store.rateLimitOverrides.delete(a, 'ns', 'y'), false);
      assert.deepEqual(
        (await store.rateLimitOverrides.listNamespace(a, 'ns')).map((x) => x.identifier),
        ['z'],
      );
    });
  });

  describe('sign-in throttles', () => {
    const S = (ms: number) => new Date(T0.getTime() + ms);
    const rule = (at: Date, over: Partial<AdmitRule> = {}): AdmitRule => ({
      forgetBefore: new Date(at.getTime() - 900_000),
      freeFailures: 2,
      maxDelaySeconds: 60,
      lockFailures: 5,
      lockedUntil: new Date(at.getTime() + 900_000),
      ...over,
    });

    it('counts each admitted attempt in advance, with the delay and the lock its failure brings; refuses while waiting', async () => {
      const subject = `user-${Math.random()}@example.com`;
      assert.equal(await store.loginThrottles.get(subject), null);
      const admit = (ms: number) => store.loginThrottles.admit(subject, S(ms), rule(S(ms)));
      const first = await admit(0);
      assert.equal(first.admitted, true);
      assert.deepEqual({ ...first.throttle, subject: undefined }, { subject: undefined, failures: 1, blockedUntil: S(0), lockedUntil: null, updatedAt: S(0) });
      assert.equal((await admit(10)).throttle.failures, 2);
      const third = await admit(20); // beyond the two free ones: the next attempt waits 1 s
      assert.deepEqual([third.admitted, third.throttle.failures, third.throttle.blockedUntil], [true, 3, S(1_020)]);
      const early = await admit(500);
      assert.deepEqual([early.admitted, early.throttle.failures], [false, 3], 'refused while waiting, and not counted');
      const fourth = await admit(1_020);
      assert.deepEqual([fourth.admitted, fourth.throttle.failures, fourth.throttle.blockedUntil], [true, 4, S(3_020)], 'the delay doubles');
      const fifth = await admit(3_020);
      assert.deepEqual([fifth.admitted, fifth.throttle.failures], [true, 5]);
      assert.deepEqual(fifth.throttle.lockedUntil, new Date(S(3_020).getTime() + 900_000), 'the fifth failure locks');
      assert.equal((await admit(60_000)).admitted, false, 'locked');
      // Long after the last failure, counting starts again and the lock is forgotten.
      const later = await admit(3_020 + 900_001);
      assert.deepEqual([later.admitted, later.throttle.failures, later.throttle.lockedUntil], [true, 1, null]);
      assert.equal(await store.loginThrottles.delete(subject), true);
      assert.equal(await store.loginThrottles.delete(subject), false);
    });

    it('lets exactly one of many concurrent attempts past a delay', async () => {
      const subject = `burst-${Math.random()}`;
      const r = rule(S(0), { freeFailures: 1 });
      const answers = await Promise.all(Array.from({ length: 8 }, () => store.loginThrottles.admit(subject, S(0), r)));
      // The first is free, the second is let in and brings a delay; the others wait for it.
      assert.equal(answers.filter((a) => a.admitted).length, 2);
      assert.equal((await store.loginThrottles.get(subject))!.failures, 2);
    });

    it('prunes what was not touched since a moment', async () => {
      const stale = `stale-${Math.random()}`;
      const fresh = `fresh-${Math.random()}`;
      await store.loginThrottles.admit(stale, T0, rule(T0));
      await store.loginThrottles.admit(fresh, T2, rule(T2));
      await store.loginThrottles.prune(T1);
      assert.equal(await store.loginThrottles.get(stale), null);
      assert.notEqual(await store.loginThrottles.get(fresh), null);
    });
  });
});
