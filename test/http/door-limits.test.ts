/**
 * Clientele's own doors: sign-ins throttled per login name (growing delays, then a lock an
 * administrator lifts) and per source address; token requests and wrong credentials limited
 * per source address. Every refusal is a 429 with Retry-After and the IETF RateLimit-Policy
 * and RateLimit headers, in the surface's own error format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THROTTLE_POLICY } from '../../src/core/throttle.js';
import { type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, call, expectStatus, FORM, type Headers, type Res } from '../support/http.js';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

function assertLimited(res: Res, policy: string, what: string): void {
  assert.equal(res.status, 429, `${what}: ${res.status} ${res.raw}`);
  const retry = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1, `${what}: Retry-After ${res.headers['retry-after']}`);
  assert.match(String(res.headers['ratelimit-policy']), new RegExp(`^"${policy}";q=\\d+;w=\\d+$`), `${what}: RateLimit-Policy`);
  assert.equal(res.headers.ratelimit, `"${policy}";r=0;t=${retry}`, `${what}: RateLimit`);
}

for (const backend of testBackends()) {
  describe(`sign-in throttle per login name [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Headers;
    let clock = START;
    // Per-address limits off: this suite is about one login name.
    useTestApp(backend, (s) => ({ t, acc, h } = s), {
      now: () => new Date(clock),
      logLevel: 'warn',
      throttle: { ...DEFAULT_THROTTLE_POLICY, signInFailuresPerAddress: null, tokenRequestsPerAddress: null, authFailuresPerAddress: null, refusalDelayMs: 0 },
    });

    const token = (password: string, username = acc.email) => call(t, 'POST', '/api/token/', {}, { username, password });
    const session = (password: string, email = acc.email) => call(t, 'POST', '/v1/sessions', {}, { email, password });

    it('three failures are free, then each makes the next attempt wait longer; a refused attempt checks no password', async () => {
      for (let i = 0; i < 3; i++) expectStatus(await token('wrong password'), 401, `failure ${i + 1}`);
      expectStatus(await token('wrong password'), 401, 'failure 4 is still checked');
      const refused = await token(acc.password);
      assertLimited(refused, 'sign-in-name', 'right password during the delay');
      assert.deepEqual(Object.keys(refused.body).sort(), ['errorCode', 'errorMessage'], 'FactPulse format');
      assert.equal(refused.body.errorCode, 'RATE_LIMITED');
      assert.equal(refused.headers['retry-after'], '1');
      // The same login name is throttled on every door: the native sign-in, in problem+json.
      const native = await session(acc.password);
      assertProblem(native, 429, 'RATE_LIMITED');
      assertLimited(native, 'sign-in-name', 'native sign-in');
      clock += 1_000;
      expectStatus(await token('wrong password'), 401, 'failure 5');
      clock += 1_000;
      assertLimited(await token(acc.password), 'sign-in-name', 'the delay doubled');
      clock += 1_000;
      expectStatus(await token(acc.password), 200, 'the right password after the delay');
      // A success forgets the failures.
      expectStatus(await token('wrong password'), 401, 'a fresh start');
      expectStatus(await token(acc.password), 200, 'no delay after one failure');
    });

    it('ten failures in a row lock the name; an owner sees and lifts the lock', async () => {
      clock += 3_600_000;
      const user = (await call(t, 'GET', '/v1/users?limit=100', h)).body.data.find((u: { email: string }) => u.email === acc.email);
      const other = await t.newAccount();
      for (let failures = 0; failures < 10; ) {
        const res = await session('wrong password');
        if (res.status === 429) clock += Number(res.headers['retry-after']) * 1000;
        else {
          assertProblem(res, 401, 'UNAUTHENTICATED');
          failures++;
        }
      }
      clock += 120_000; // past any growing delay: only the lock remains
      const locked = await session(acc.password);
      assertLimited(locked, 'sign-in-name', 'locked');
      assert.match(locked.body.detail, /locked/);
      const lock = await call(t, 'GET', `/v1/users/${user.id}/sign-in-lock`, h);
      expectStatus(lock, 200, 'lock state');
      assert.equal(lock.body.locked, true);
      assert.equal(lock.body.failures, 10);
      assert.ok(Date.parse(lock.body.lockedUntil) > clock && Date.parse(lock.body.lockedUntil) <= clock + 15 * 60_000, lock.body.lockedUntil);
      // Another account cannot see or lift it.
      assertProblem(await call(t, 'DELETE', `/v1/users/${user.id}/sign-in-lock`, other.headers), 404, 'USER_NOT_FOUND');
      expectStatus(await call(t, 'DELETE', `/v1/users/${user.id}/sign-in-lock`, h), 204, 'lift');
      expectStatus(await session(acc.password), 201, 'signed in once lifted');
      const events = await call(t, 'GET', '/v1/events?limit=100', h);
      const types = events.body.data.map((e: { type: string }) => e.type);
      assert.ok(types.includes('user.locked') && types.includes('user.unlocked'), types.join());
    });

    it('the lock ends by itself after its time', async () => {
      clock += 3_600_000;
      for (let failures = 0; failures < 10; ) {
        const res = await token('wrong password');
        if (res.status === 429) clock += Number(res.headers['retry-after']) * 1000;
        else failures++;
      }
      assertLimited(await token(acc.password), 'sign-in-name', 'locked');
      clock += 15 * 60_000;
      expectStatus(await token(acc.password), 200, 'after the lock');
    });

    it('a name nobody uses is throttled exactly like a user’s, so a refusal reveals nothing', async () => {
      for (let i = 0; i < 4; i++) expectStatus(await token('wrong', 'nobody@example.com'), 401, `failure ${i + 1}`);
      const refused = await token('wrong', 'nobody@example.com');
      assertLimited(refused, 'sign-in-name', 'unknown name');
    });
  });

  describe(`per-address limits [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Headers;
    const clock = START;
    useTestApp(backend, (s) => ({ t, acc, h } = s), {
      now: () => new Date(clock),
      logLevel: 'warn',
      trustProxy: true,
      throttle: {
        ...DEFAULT_THROTTLE_POLICY,
        freeFailures: 0,
        lockFailures: 0,
        refusalDelayMs: 300,
        signInFailuresPerAddress: { limit: 3, durationMs: 60_000 },
        tokenRequestsPerAddress: { limit: 5, durationMs: 60_000 },
        authFailuresPerAddress: { limit: 4, durationMs: 60_000 },
      },
    });
    const from = (address: string): Headers => ({ 'x-forwarded-for': address });

    it('failed sign-ins from one address: refused once its budget is spent, other addresses unaffected', async () => {
      for (let i = 0; i < 3; i++) expectStatus(await call(t, 'POST', '/api/token/', from('203.0.113.1'), { username: `u${i}@example.com`, password: 'wrong' }), 401, `failure ${i + 1}`);
      const started = performance.now();
      assertLimited(await call(t, 'POST', '/api/token/', from('203.0.113.1'), { username: acc.email, password: acc.password }), 'sign-in-address', 'the address is spent');
      // A refusal is answered after the refusal delay: a caller ignoring Retry-After is slowed down.
      assert.ok(performance.now() - started >= 290, `answered after ${performance.now() - started} ms`);
      expectStatus(await call(t, 'POST', '/api/token/', from('203.0.113.2'), { username: acc.email, password: acc.password }), 200, 'another address');
    });

    it('token requests per address, in the OAuth error format on /oauth2/token', async () => {
      const address = from('203.0.113.10');
      const answers: Res[] = [];
      for (let i = 0; i < 6; i++) answers.push(await call(t, 'POST', '/oauth2/token', { ...address, ...FORM }, `grant_type=client_credentials&client_id=${acc.keyId}&client_secret=${acc.secret}`));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200, 200, 200, 429],
      );
      assertLimited(answers[5]!, 'token-address', 'oauth');
      assert.equal(answers[5]!.body.error, 'temporarily_unavailable');
    });

    it('wrong credentials per address: 429 instead of 401 beyond the budget, on every surface, in its format', async () => {
      const address = from('203.0.113.20');
      const wrong = { ...address, 'x-api-key': 'clt_0000000000000000000000_0000000000000000000000000000000000000000000' };
      for (let i = 0; i < 4; i++) expectStatus(await call(t, 'GET', '/v1/clients', wrong), 401, `wrong ${i + 1}`);
      const native = await call(t, 'GET', '/v1/clients', wrong);
      assertProblem(native, 429, 'RATE_LIMITED');
      assertLimited(native, 'auth-failure-address', 'native');
      const inteliquent = await call(t, 'POST', '/Services/2.0.0/getClientList', wrong, { privateKey: acc.keyId });
      assertLimited(inteliquent, 'auth-failure-address', 'Inteliquent');
      assert.deepEqual(inteliquent.body, { statusCode: '429', status: 'Too many requests' });
      // A request without a credential is not a wrong guess; a right one from elsewhere works.
      expectStatus(await call(t, 'GET', '/v1/clients', address), 401, 'no credential');
      expectStatus(await call(t, 'GET', '/v1/clients', { ...from('203.0.113.21'), ...h }), 200, 'another address');
    });
  });
}
