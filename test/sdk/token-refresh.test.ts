/**
 * Client credentials against the real server: the SDK fetches a token at /oauth2/token,
 * fetches a new one shortly before expiry (by its own clock), and when the server refuses
 * the token (401) it gets a new one and repeats the request once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Clientele } from '../../sdk/src/index.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { injectFetch, INJECT_ORIGIN } from '../support/sdk.js';

describe('SDK token refresh against the server', () => {
  let t: TestApp;
  let acc: TestAccount;

  before(async () => {
    t = await createTestApp('embedded');
    acc = await t.newAccount();
  });
  after(() => t.close());

  it('fetches a token, refreshes it before expiry, and recovers from a refused token', async () => {
    const inner = injectFetch(t.app);
    const seen: string[] = [];
    let spoil = false;
    let sdkNow = Date.now();
    const sdk = new Clientele({
      baseUrl: INJECT_ORIGIN,
      clientCredentials: { clientId: acc.keyId, clientSecret: acc.secret },
      now: () => sdkNow,
      fetch: async (url, init) => {
        const headers = new Headers(init.headers);
        // Stands for a token the server no longer accepts (revoked, or expired by its clock).
        if (spoil && headers.get('authorization')) {
          headers.set('authorization', `${headers.get('authorization')}x`);
          spoil = false;
        }
        const res = await inner(url, { ...init, headers });
        seen.push(`${new URL(url).pathname} ${res.status}`);
        return res;
      },
    });
    await sdk.clients.create({ name: 'First' });
    await sdk.clients.create({ name: 'Second' });
    assert.deepEqual(seen.splice(0), ['/oauth2/token 200', '/v1/clients 201', '/v1/clients 201']);

    sdkNow += 29.5 * 60_000; // the server's tokens live 30 minutes: inside the refresh margin
    await sdk.clients.listPage();
    assert.deepEqual(seen.splice(0), ['/oauth2/token 200', '/v1/clients 200']);

    spoil = true;
    const third = await sdk.clients.create({ name: 'Third' });
    assert.equal(third.name, 'Third');
    assert.deepEqual(seen.splice(0), ['/v1/clients 401', '/oauth2/token 200', '/v1/clients 201']);
    assert.deepEqual((await sdk.clients.list().toArray()).map((c) => c.name).sort(), ['First', 'Second', 'Third'], 'the refused POST was not applied, its repeat was');
  });
});
