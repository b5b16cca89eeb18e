/**
 * The SDK's users and account resources against the real server (in-process): create a user
 * (its setup password once), list, change the role, sign in as it, change its password, turn
 * two-factor authentication on and off, require it of everyone, and remove the user; and a
 * browser session as the console uses it (the cookie kept by the browser, here by a small jar).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TOTP, URI } from 'otpauth';
import { Clientele, ClienteleError } from '../../sdk/src/index.js';
import { type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call } from '../support/http.js';
import { connect } from '../support/sdk.js';
import type { FetchLike } from '../../sdk/src/http.js';

for (const backend of testBackends()) {
  describe(`SDK users and account [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    useTestApp(backend, (s) => ({ t, acc } = s));

    it('manages users, the calling user and the account settings', async () => {
      const conn = await connect(t.app, 'inject');
      const admin = new Clientele({ ...conn, apiKey: acc.token });
      const created = await admin.users.create({ email: `sdk-${Date.now()}@example.com`, role: 'viewer' });
      assert.equal(created.user.role, 'viewer');
      assert.ok(created.setupPassword.length >= 20);
      const all = [];
      for await (const u of admin.users.list({ limit: 1 })) all.push(u);
      assert.ok(all.some((u) => u.id === created.user.id));
      assert.equal((await admin.users.update(created.user.id, { role: 'admin' })).role, 'admin');

      const token = await call(t, 'POST', '/api/token/', {}, { username: created.user.email, password: created.setupPassword });
      const me = new Clientele({ ...conn, accessToken: token.body.access });
      assert.equal((await me.users.me.get()).id, created.user.id);
      await me.users.me.changePassword({ currentPassword: created.setupPassword, newPassword: 'an sdk-made password' });
      const enrolment = await me.users.me.enrollTwoFactor();
      const totp = URI.parse(enrolment.otpauthUri) as TOTP;
      const { recoveryCodes } = await me.users.me.confirmTwoFactor(totp.generate());
      assert.equal(recoveryCodes.length, 10);
      assert.equal((await admin.users.get(created.user.id)).twoFactorEnabled, true);
      await me.users.me.disableTwoFactor(recoveryCodes[0]!);

      const settings = await admin.account.update({ requireTwoFactor: false });
      assert.equal(settings.requireTwoFactor, false);
      await admin.users.delete(created.user.id);
      await assert.rejects(admin.users.get(created.user.id), (err: unknown) => err instanceof ClienteleError && err.status === 404 && err.code === 'USER_NOT_FOUND');
    });

    it('signs in with a browser session: the cookie carries it, the CSRF token goes with every change', async () => {
      const conn = await connect(t.app, 'inject');
      const admin = new Clientele({ ...conn, apiKey: acc.token });
      const { user, setupPassword } = await admin.users.create({ email: `session-${Date.now()}@example.com`, role: 'admin' });
      // What a browser does: keep the cookie the server sets, send it back (same origin).
      let cookie: string | undefined;
      const browserFetch: FetchLike = async (url, init) => {
        const headers = new Headers(init.headers);
        if (cookie) headers.set('cookie', cookie);
        const res = await conn.fetch!(url, { ...init, headers });
        const set = res.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!.endsWith('=') ? undefined : set.split(';')[0];
        return res;
      };
      let csrf: string | undefined;
      const browser = new Clientele({ baseUrl: conn.baseUrl, fetch: browserFetch, session: { csrfToken: () => csrf } });
      const signedIn = await browser.sessions.signIn({ email: user.email, password: setupPassword });
      assert.equal(signedIn.user.id, user.id);
      assert.ok(cookie?.startsWith('clientele_session='));
      // Without the CSRF token a change is refused; reads are not.
      assert.equal((await browser.sessions.current()).session.id, signedIn.session.id);
      await assert.rejects(browser.clients.create({ name: 'no token' }), (err: unknown) => err instanceof ClienteleError && err.code === 'CSRF_REJECTED');
      csrf = signedIn.csrfToken;
      const created = await browser.clients.create({ name: 'made in a session' });
      assert.equal(created.name, 'made in a session');
      const sessions = await browser.sessions.list();
      assert.deepEqual(
        sessions.map((s) => [s.id, s.current]),
        [[signedIn.session.id, true]],
      );
      await browser.sessions.signOut();
      assert.equal(cookie, undefined);
      await assert.rejects(browser.sessions.current(), (err: unknown) => err instanceof ClienteleError && err.status === 401);
    });
  });
}
