/**
 * Two-factor authentication (TOTP, RFC 6238) with codes computed here, independently of the
 * server's library: enrol (secret + otpauth:// URI), confirm, ten recovery codes shown once
 * and stored hashed; then every password sign-in needs the second factor — a password alone
 * never yields a token; each code works once; a recovery code works once; disable needs a
 * code. The secret is sealed in the database; events record each change.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { TestAccount, TestApp } from '../support/app.js';
import { useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call, expectStatus } from '../support/http.js';

/** RFC 4648 base32 decoding (no padding). */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => Number.parseInt(b, 2)));
}

/** RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits), as an authenticator app computes it. */
function totp(secret: Buffer, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

for (const backend of testBackends()) {
  describe(`two-factor authentication [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;
    useTestApp(backend, (s) => ({ t, acc, h } = s));

    const login = (body: Record<string, unknown>) => call(t, 'POST', '/api/token/', {}, body);

    it('enrols, confirms, and then demands the second factor on every password sign-in', async () => {
      const made = await call(t, 'POST', '/v1/users', h, { email: `mfa-${Date.now()}@example.com`, role: 'admin' });
      expectStatus(made, 201, 'create user');
      const email = made.body.user.email as string;
      const password = made.body.setupPassword as string;
      const first = await login({ username: email, password });
      expectStatus(first, 200, 'password sign-in before 2FA');
      const me = { authorization: `Bearer ${first.body.access}` };

      const enrolled = await call(t, 'POST', '/v1/users/me/2fa', me);
      expectStatus(enrolled, 200, 'enrol');
      assert.match(enrolled.body.otpauthUri, /^otpauth:\/\/totp\/Clientele:.+\?.*secret=[A-Z2-7]+/);
      assert.equal(enrolled.headers['cache-control'], 'no-store');
      const secret = base32(enrolled.body.secret);
      // Not on yet: the password alone still signs in.
      expectStatus(await login({ username: email, password }), 200, 'before confirmation');
      const wrong = await call(t, 'POST', '/v1/users/me/2fa/confirm', me, { code: totp(secret, Date.now() - 10 * 60_000) });
      assert.deepEqual([wrong.status, wrong.body.errors[0].field], [400, 'body.code']);
      const confirmed = await call(t, 'POST', '/v1/users/me/2fa/confirm', me, { code: totp(secret) });
      expectStatus(confirmed, 200, 'confirm');
      const recovery = confirmed.body.recoveryCodes as string[];
      assert.equal(recovery.length, 10);
      assert.equal(new Set(recovery).size, 10);

      // The secret and the recovery codes are not stored in plain form.
      const row = (await sql<{ totp_secret: Buffer; recovery_codes: string[] }>`select totp_secret, recovery_codes from users where email = ${email}`.execute(t.database.db)).rows[0]!;
      assert.ok(!row.totp_secret.includes(secret));
      for (const code of recovery) assert.ok(!JSON.stringify(row.recovery_codes).includes(code));

      // A password alone never signs in any more; with a code it does, once per code.
      for (const body of [
        { username: email, password },
        { username: email, password, otp: '000000' },
        { username: email, password: 'wrong password', otp: totp(secret) },
      ]) {
        const res = await login(body);
        assert.deepEqual([res.status, res.body.errorCode], [401, 'AUTHENTICATION_REQUIRED'], JSON.stringify({ ...body, password: '…' }));
      }
      // The next step's code (one step of drift is allowed) signs in — once; then no older code does.
      const next = totp(secret, Date.now() + 30_000);
      expectStatus(await login({ username: email, password, otp: next }), 200, 'a fresh code');
      expectStatus(await login({ username: email, password, otp: next }), 401, 'the same code twice');
      if (totp(secret) !== next) expectStatus(await login({ username: email, password, otp: totp(secret) }), 401, 'an older code after a newer one');
      // A recovery code signs in, once.
      expectStatus(await login({ username: email, password, otp: recovery[0] }), 200, 'a recovery code');
      expectStatus(await login({ username: email, password, otp: recovery[0] }), 401, 'the same recovery code again');

      // Disabling needs a code; afterwards the password alone signs in again.
      const bad = await call(t, 'POST', '/v1/users/me/2fa/disable', me, { code: 'not-a-code' });
      assert.equal(bad.status, 400);
      expectStatus(await call(t, 'POST', '/v1/users/me/2fa/disable', me, { code: recovery[1] }), 204, 'disable with a recovery code');
      expectStatus(await login({ username: email, password }), 200, 'after disabling');

      const events = ((await call(t, 'GET', '/v1/events?limit=100', h)).body.data as any[]).map((e) => e.type);
      for (const type of ['user.2fa_enabled', 'user.recovery_code_used', 'user.2fa_disabled']) assert.ok(events.includes(type), `${type} recorded`);
      assert.equal((await call(t, 'GET', `/v1/users/${made.body.user.id}`, h)).body.twoFactorEnabled, false);
    });

    it('an owner can require it of every user: one without it may only set it up, then acts with its role', async () => {
      const made = await call(t, 'POST', '/v1/users', h, { email: `required-${Date.now()}@example.com`, role: 'admin' });
      const email = made.body.user.email as string;
      const password = made.body.setupPassword as string;
      const token = { authorization: `Bearer ${(await login({ username: email, password })).body.access}` };
      expectStatus(await call(t, 'GET', '/v1/clients', token), 200, 'before the requirement');
      const required = await call(t, 'PATCH', '/v1/account', h, { requireTwoFactor: true });
      expectStatus(required, 200, 'require 2FA');
      assert.equal(required.body.requireTwoFactor, true);
      // At once, for the token already issued: nothing but setting it up.
      const refused = await call(t, 'GET', '/v1/clients', token);
      assert.deepEqual([refused.status, refused.body.code], [403, 'PERMISSION_DENIED']);
      const enrolled = await call(t, 'POST', '/v1/users/me/2fa', token);
      expectStatus(enrolled, 200, 'enrolment stays open');
      expectStatus(await call(t, 'POST', '/v1/users/me/2fa/confirm', token, { code: totp(base32(enrolled.body.secret)) }), 200, 'confirm');
      expectStatus(await call(t, 'GET', '/v1/clients', token), 200, 'with 2FA on, its role again');
      // Keys are not users: unaffected. A user may not require what it has not turned on itself.
      expectStatus(await call(t, 'GET', '/v1/clients', h), 200, 'a key');
      const admin2 = await call(t, 'POST', '/v1/users', h, { email: `owner2-${Date.now()}@example.com`, role: 'owner' });
      const ownerToken = { authorization: `Bearer ${(await login({ username: admin2.body.user.email, password: admin2.body.setupPassword })).body.access}` };
      const locked = await call(t, 'GET', '/v1/clients', ownerToken);
      assert.deepEqual([locked.status, locked.body.code], [403, 'PERMISSION_DENIED'], 'an owner without 2FA too');
      expectStatus(await call(t, 'PATCH', '/v1/account', h, { requireTwoFactor: false }), 200, 'lift the requirement');
      expectStatus(await call(t, 'GET', '/v1/clients', ownerToken), 200, 'lifted');
      const self = await call(t, 'PATCH', '/v1/account', ownerToken, { requireTwoFactor: true });
      assert.deepEqual([self.status, self.body.code], [409, 'TWO_FACTOR_NOT_ENROLLED']);
    });

    it('a key is no user: enrolment refuses it', async () => {
      const res = await call(t, 'POST', '/v1/users/me/2fa', acc.headers);
      assert.deepEqual([res.status, res.body.code], [403, 'FORBIDDEN']);
    });
  });
}
