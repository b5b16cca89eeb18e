/**
 * Browser sessions: sign-in sets an HttpOnly, Secure, SameSite=Strict cookie (a new session
 * every time: a planted token is worth nothing); the cookie works on the native API only,
 * never on a vendor surface; a change made with it needs the session's CSRF token and the
 * server's own origin (a cross-site form post is refused); idle and absolute expiry; sign-out,
 * listing and revoking one's own sessions; a user with two-factor authentication needs a code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TOTP, URI } from 'otpauth';
import { type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call, expectStatus } from '../support/http.js';

let offsetMs = 0;

for (const backend of testBackends()) {
  describe(`browser sessions [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;
    useTestApp(backend, (s) => ({ t, acc, h } = s), { now: () => new Date(Date.now() + offsetMs) });

    const signIn = async (email: string, password: string, extra: Record<string, unknown> = {}) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { 'user-agent': 'session-test' }, payload: { email, password, ...extra } });
      const cookie = res.cookies.find((c) => c.name === 'clientele_session');
      const headers: Record<string, string> = cookie ? { cookie: `clientele_session=${cookie.value}` } : {};
      return { res, body: res.json(), cookie, headers };
    };
    const viewer = async () => {
      const made = await call(t, 'POST', '/v1/users', h, { email: `s-${Date.now()}-${Math.random()}@example.com`, role: 'admin' });
      expectStatus(made, 201, 'create user');
      return { email: made.body.user.email as string, password: made.body.setupPassword as string };
    };

    it('signs in with a new HttpOnly, Secure, SameSite=Strict cookie every time, and no token in the body', async () => {
      const u = await viewer();
      const a = await signIn(u.email, u.password);
      assert.equal(a.res.statusCode, 201, a.res.body);
      assert.ok(a.cookie, 'a session cookie');
      assert.equal(a.cookie.httpOnly, true);
      assert.equal(a.cookie.secure, true);
      assert.equal(a.cookie.sameSite, 'Strict');
      assert.equal(a.cookie.path, '/');
      assert.ok(!a.res.body.includes(a.cookie.value), 'the token is only in the cookie');
      assert.equal(a.res.headers['cache-control'], 'no-store');
      const b = await signIn(u.email, u.password);
      assert.notEqual(b.cookie!.value, a.cookie.value);
      assert.notEqual(b.body.session.id, a.body.session.id);
      // A token nobody issued (planted by an attacker before sign-in) is no session.
      expectStatus(await call(t, 'GET', '/v1/clients', { cookie: `clientele_session=${'A'.repeat(43)}` }), 401, 'a planted token');
      // Wrong password, unknown e-mail: the same refusal.
      for (const [email, password] of [
        [u.email, 'not the password'],
        ['nobody@example.com', 'whatever'],
      ] as const) {
        const bad = await signIn(email, password);
        assert.deepEqual([bad.res.statusCode, bad.body.code, bad.cookie], [401, 'UNAUTHENTICATED', undefined]);
      }
    });

    it('works on the native API only, with the user’s permissions', async () => {
      const u = await viewer();
      const s = await signIn(u.email, u.password);
      expectStatus(await call(t, 'GET', '/v1/clients', s.headers), 200, 'native read');
      expectStatus(await call(t, 'GET', '/v1/users/me', s.headers), 200, 'me');
      expectStatus(await call(t, 'GET', '/api/v1/clients', s.headers), 401, 'FactPulse');
      expectStatus(await call(t, 'GET', '/hosting/api/client', s.headers), 401, 'CCM19');
      expectStatus(await call(t, 'POST', '/Services/2.0.0/getClientList', s.headers, {}), 401, 'Inteliquent');
      // admins may not manage users, whatever the credential
      const users = await call(t, 'GET', '/v1/users', s.headers);
      assert.deepEqual([users.status, users.body.code], [403, 'PERMISSION_DENIED']);
    });

    it('refuses a change without the CSRF token, or from another origin — a cross-site form post included', async () => {
      const u = await viewer();
      const s = await signIn(u.email, u.password);
      const csrf = { 'x-csrf-token': s.body.csrfToken as string };
      const client = await call(t, 'POST', '/v1/clients', { ...s.headers, ...csrf }, { name: 'made in the console' });
      expectStatus(client, 201, 'a change with the CSRF token');
      const without = await call(t, 'POST', '/v1/clients', s.headers, { name: 'no token' });
      assert.deepEqual([without.status, without.body.code], [403, 'CSRF_REJECTED']);
      const wrong = await call(t, 'POST', '/v1/clients', { ...s.headers, 'x-csrf-token': 'x'.repeat(43) }, { name: 'wrong token' });
      assert.deepEqual([wrong.status, wrong.body.code], [403, 'CSRF_REJECTED']);
      const foreign = await call(t, 'POST', '/v1/clients', { ...s.headers, ...csrf, origin: 'https://evil.example' }, { name: 'from elsewhere' });
      assert.deepEqual([foreign.status, foreign.body.code], [403, 'CSRF_REJECTED']);
      // What a cross-site <form method=post> sends: a form content type, the foreign origin, the cookie.
      const form = await t.app.inject({
        method: 'POST',
        url: `/v1/clients/${client.body.id}/deactivate`,
        headers: { ...s.headers, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      assert.equal(form.statusCode, 403, form.body);
      assert.equal(form.json().code, 'CSRF_REJECTED');
      assert.equal((await call(t, 'GET', `/v1/clients/${client.body.id}`, h)).body.isActive, true, 'nothing changed');
      // The same origin, with the token: allowed.
      expectStatus(await call(t, 'POST', `/v1/clients/${client.body.id}/deactivate`, { ...s.headers, ...csrf, origin: 'http://localhost:80' }), 200, 'same origin');
    });

    it('lists and revokes one’s own sessions; signing out ends the session and clears the cookie', async () => {
      const u = await viewer();
      const first = await signIn(u.email, u.password);
      const second = await signIn(u.email, u.password);
      const list = await call(t, 'GET', '/v1/sessions', first.headers);
      expectStatus(list, 200, 'list');
      assert.equal(list.body.data.length, 2);
      assert.deepEqual(list.body.data.map((x: any) => x.current).sort(), [false, true]);
      assert.equal(list.body.data[0].userAgent, 'session-test');
      const current = await call(t, 'GET', '/v1/sessions/current', first.headers);
      assert.deepEqual([current.body.session.id, current.body.csrfToken], [first.body.session.id, first.body.csrfToken]);
      const revoke = await call(t, 'DELETE', `/v1/sessions/${second.body.session.id}`, { ...first.headers, 'x-csrf-token': first.body.csrfToken });
      expectStatus(revoke, 204, 'revoke the other session');
      expectStatus(await call(t, 'GET', '/v1/clients', second.headers), 401, 'the revoked session');
      // Another user's session is not one's own to revoke.
      const other = await viewer();
      const theirs = await signIn(other.email, other.password);
      expectStatus(await call(t, 'DELETE', `/v1/sessions/${theirs.body.session.id}`, { ...first.headers, 'x-csrf-token': first.body.csrfToken }), 404, "another user's session");
      const out = await t.app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: { ...first.headers, 'x-csrf-token': first.body.csrfToken } });
      assert.equal(out.statusCode, 204);
      const cleared = out.cookies.find((c) => c.name === 'clientele_session');
      assert.ok(cleared && cleared.value === '' && cleared.maxAge === 0, 'the cookie is cleared');
      expectStatus(await call(t, 'GET', '/v1/clients', first.headers), 401, 'after signing out');
      expectStatus(await call(t, 'GET', '/v1/clients', theirs.headers), 200, "the other user's session is untouched");
      // A key is no session.
      expectStatus(await call(t, 'GET', '/v1/sessions/current', acc.headers), 403, 'a key');
    });

    it('ends a session idle for 30 minutes, and any session 12 hours after sign-in', async () => {
      const u = await viewer();
      const idle = await signIn(u.email, u.password);
      offsetMs += 31 * 60_000;
      expectStatus(await call(t, 'GET', '/v1/clients', idle.headers), 401, 'idle for 31 minutes');
      const busy = await signIn(u.email, u.password);
      for (let hours = 0; hours < 11; hours++) {
        offsetMs += 25 * 60_000;
        expectStatus(await call(t, 'GET', '/v1/clients', busy.headers), 200, `used every 25 minutes (${hours})`);
      }
      offsetMs += 12 * 3600_000 - 11 * 25 * 60_000 + 60_000;
      expectStatus(await call(t, 'GET', '/v1/clients', busy.headers), 401, 'past 12 hours');
    });

    it('a user with two-factor authentication signs in only with a code', async () => {
      const u = await viewer();
      const s = await signIn(u.email, u.password);
      const csrf = { 'x-csrf-token': s.body.csrfToken as string };
      const enrolled = await call(t, 'POST', '/v1/users/me/2fa', { ...s.headers, ...csrf });
      expectStatus(enrolled, 200, 'enrol through the session');
      const generator = URI.parse(enrolled.body.otpauthUri) as TOTP;
      const code = generator.generate({ timestamp: Date.now() + offsetMs });
      const confirm = await call(t, 'POST', '/v1/users/me/2fa/confirm', { ...s.headers, ...csrf }, { code });
      expectStatus(confirm, 200, 'confirm');
      const noCode = await signIn(u.email, u.password);
      assert.deepEqual([noCode.res.statusCode, noCode.cookie], [401, undefined]);
      const withCode = await signIn(u.email, u.password, { otp: confirm.body.recoveryCodes[0] });
      assert.equal(withCode.res.statusCode, 201, withCode.res.body);
    });
  });
}
