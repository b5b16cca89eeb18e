/**
 * A flood of sign-ins cannot starve the server: password checks run within a bound, and one
 * more than the waiting room is answered at once — 503 with Retry-After, in the surface's own
 * format — while key verification keeps answering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD_CONCURRENCY, PASSWORD_MAX_WAITING } from '../../src/crypto/passwords.js';
import { NO_ADDRESS_LIMITS, type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { call, expectStatus } from '../support/http.js';

describe('a flood of sign-ins [embedded]', () => {
  let t: TestApp;
  let acc: TestAccount;
  let h: Record<string, string>;
  // The per-address sign-in limit would answer most of the flood 429 first (test/http/door-limits.test.ts): off here.
  useTestApp('embedded', (s) => ({ t, acc, h } = s), { logLevel: 'warn', throttle: NO_ADDRESS_LIMITS });

  it('fails fast beyond the bound, with Retry-After, while verification answers', async () => {
    const flood = PASSWORD_CONCURRENCY + PASSWORD_MAX_WAITING + 30;
    const logins = Array.from({ length: flood }, (_v, i) => call(t, 'POST', '/api/token/', {}, { username: `nobody-${i}@example.com`, password: 'a wrong password' }));
    const verify = call(t, 'POST', '/v1/keys/verify', h, { token: acc.token });
    const answers = await Promise.all(logins);
    expectStatus(await verify, 200, 'verification during the flood');
    const busy = answers.filter((r) => r.status === 503);
    const refused = answers.filter((r) => r.status === 401);
    assert.equal(busy.length + refused.length, flood, `only 401 and 503: ${[...new Set(answers.map((r) => r.status))]}`);
    assert.ok(busy.length >= 30, `${busy.length} answered 503`);
    for (const r of busy) {
      assert.equal(r.headers['retry-after'], '1');
      assert.deepEqual(Object.keys(r.body).sort(), ['errorCode', 'errorMessage'], 'FactPulse format');
    }
    // The native sign-in too, in problem+json.
    const sessions = await Promise.all(Array.from({ length: flood }, (_v, i) => call(t, 'POST', '/v1/sessions', {}, { email: `nobody-${i}@example.com`, password: 'wrong' })));
    const native = sessions.find((r) => r.status === 503);
    assert.ok(native, 'a 503 among the native sign-ins');
    assert.equal(native.body.code, 'SERVICE_UNAVAILABLE');
    // Afterwards, sign-in works again.
    expectStatus(await call(t, 'POST', '/api/token/', {}, { username: acc.email, password: acc.password }), 200, 'after the flood');
  });
});
