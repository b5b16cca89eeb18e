/**
 * Store conformance, part 4: rate limits — limits on keys, clients and accounts, the
 * namespaces' overrides and the sign-in throttles — on every backend (see
 * store-conformance.test.ts for part 1).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/core/ports.js';
import type { RateLimitOverride, RateLimitSpec } from '../../src/core/types.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { makeClient, makeKey, newAccount, T0, T1, T2, T3 } from '../support/store-fixtures.js';

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
      assert.deepEqual([...listed.keys()], ['y', 'z']);
      assert.equal(listed.get('z')!.limit, 50);
      assert.equal(await store.rateLimitOverrides.countNamespace(a, 'ns'), 2);
      assert.equal(await store.rateLimitOverrides.delete(b, 'ns', 'y'), false, "another account's");
      assert.equal(await store.rateLimitOverrides.delete(a, 'ns', 'y'), true);
      assert.equal(await store.rateLimitOverrides.delete(a, 'ns', 'y'), false);
      assert.deepEqual([...(await store.rateLimitOverrides.listNamespace(a, 'ns')).keys()], ['z']);
    });
  });

  describe('sign-in throttles', () => {
    it('counts failures, starting again after the forget horizon; blocks, locks, deletes and prunes', async () => {
      const subject = `user-${Math.random()}@example.com`;
      assert.equal(await store.loginThrottles.get(subject), null);
      assert.equal(await store.loginThrottles.countFailure(subject, T0, new Date(T0.getTime() - 60_000)), 1);
      assert.equal(await store.loginThrottles.countFailure(subject, T1, new Date(T0.getTime() - 60_000)), 2);
      await store.loginThrottles.block(subject, T2, T3);
      assert.deepEqual(await store.loginThrottles.get(subject), { subject, failures: 2, blockedUntil: T2, lockedUntil: T3, updatedAt: T1 });
      // The last failure is older than the horizon: counting starts again, and the lock is forgotten.
      assert.equal(await store.loginThrottles.countFailure(subject, T3, new Date(T3.getTime() - 1)), 1);
      assert.equal((await store.loginThrottles.get(subject))!.lockedUntil, null);
      // Concurrent failures are each counted.
      const counts = await Promise.all(Array.from({ length: 5 }, () => store.loginThrottles.countFailure(subject, T3, T0)));
      assert.deepEqual(
        counts.sort((x, y) => x - y),
        [2, 3, 4, 5, 6],
      );
      const stale = `stale-${Math.random()}`;
      await store.loginThrottles.countFailure(stale, T0, T0);
      await store.loginThrottles.prune(T1);
      assert.equal(await store.loginThrottles.get(stale), null);
      assert.notEqual(await store.loginThrottles.get(subject), null, 'a throttle touched after the horizon stays');
      assert.equal(await store.loginThrottles.delete(subject), true);
      assert.equal(await store.loginThrottles.delete(subject), false);
    });
  });
});
