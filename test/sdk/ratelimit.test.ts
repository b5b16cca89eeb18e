/**
 * The SDK's rate-limit surface against the real server (in-process): limits on keys and
 * clients through the keys and clients resources, verify's report, POST /v1/ratelimit with an
 * override, and a user's sign-in lock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clientele } from '../../sdk/src/index.js';
import { type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { connect } from '../support/sdk.js';

for (const backend of testBackends()) {
  describe(`SDK rate limits [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    useTestApp(backend, (s) => ({ t, acc } = s));

    it('sets limits on clients and keys, reads verify’s report, checks a namespace with an override', async () => {
      const sdk = new Clientele({ ...(await connect(t.app, 'inject')), apiKey: acc.token });
      const client = await sdk.clients.create({ name: 'SDK limited', ratelimits: [{ name: 'calls', limit: 100, duration: 60_000, autoApply: true }] });
      assert.deepEqual(client.ratelimits, [{ name: 'calls', limit: 100, duration: 60_000, autoApply: true }]);
      const issued = await sdk.keys.create({ clientId: client.id, ratelimits: [{ name: 'burst', limit: 1, duration: 60_000 }] });
      const named = await sdk.keys.verify({ token: issued.token, ratelimits: [{ name: 'burst' }] });
      assert.equal(named.code, 'VALID');
      assert.deepEqual(
        named.ratelimits.map((r) => [r.name, r.remaining]),
        [
          ['calls', 99],
          ['burst', 0],
        ],
      );
      const limited = await sdk.keys.verify({ token: issued.token, ratelimits: [{ name: 'burst' }] });
      assert.equal(limited.code, 'RATE_LIMITED');
      const updated = await sdk.keys.update(issued.key.keyId, { ratelimits: [] });
      assert.deepEqual(updated.ratelimits, []);

      await sdk.ratelimit.setOverride('api', 'partner-1', { limit: 1, duration: 60_000 });
      assert.deepEqual(
        (await sdk.ratelimit.listOverrides('api')).map((o) => o.identifier),
        ['partner-1'],
      );
      const first = await sdk.ratelimit.limit({ namespace: 'api', identifier: 'partner-1', limit: 50, duration: 60_000 });
      assert.deepEqual([first.success, first.limit, first.overridden], [true, 1, true]);
      assert.equal((await sdk.ratelimit.limit({ namespace: 'api', identifier: 'partner-1', limit: 50, duration: 60_000 })).success, false);
      await sdk.ratelimit.deleteOverride('api', 'partner-1');
      assert.deepEqual(await sdk.ratelimit.listOverrides('api'), []);

      const me = (await sdk.users.listPage({ limit: 100 })).data.find((u) => u.email === acc.email)!;
      assert.deepEqual(await sdk.users.signInLock(me.id), { failures: 0, locked: false, lockedUntil: null, retryAfter: null });
      await sdk.users.unlockSignIn(me.id);
    });
  });
}
