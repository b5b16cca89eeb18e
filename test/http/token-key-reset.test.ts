/**
 * Tokens minted from an API key live only as long as the key secret they were minted from:
 * `POST /v1/keys/{id}/reset` with `gracePeriodSeconds: 0` stops them at once (both grants —
 * OAuth client credentials and `POST /api/token/` with a key id — and refresh tokens), a reset
 * with a grace period when the grace ends; tokens minted from the new secret, even in the same
 * second, keep working. The cached key is dropped by the reset (the cache is warmed first).
 * Tokens without the binding claim (older versions) are accepted only if minted after the
 * key's last change, and not while a grace reset keeps a previous secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../../src/crypto/keyed-hash.js';
import { keySecretBinding } from '../../src/crypto/jwt.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblemCode, bearerHeader as bearer, call, FORM, issueKey, type Res } from '../support/http.js';

const decodePayload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until just after the next whole second (JWT `iat` has one-second resolution). */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);

for (const backend of testBackends()) {
  describe(`tokens after a key reset [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let clientId: string;
    // The core's clock runs with real time plus `skew` (moved forward to end grace periods).
    let skew = 0;

    const oauth = (keyId: string, secret: string) =>
      call(t, 'POST', '/oauth2/token', FORM, new URLSearchParams({ grant_type: 'client_credentials', client_id: keyId, client_secret: secret }).toString());
    const grant = async (keyId: string, secret: string): Promise<string> => {
      const res = await oauth(keyId, secret);
      assert.equal(res.status, 200, res.raw);
      return res.body.access_token;
    };
    const login = async (keyId: string, secret: string): Promise<{ access: string; refresh: string }> => {
      const res = await call(t, 'POST', '/api/token/', {}, { username: keyId, password: secret });
      assert.equal(res.status, 200, res.raw);
      return res.body;
    };
    const refresh = (token: string) => call(t, 'POST', '/api/token/refresh/', {}, { refresh: token });
    const reset = async (keyId: string, gracePeriodSeconds: number): Promise<{ key: { updatedAt: string }; secret: string; token: string }> => {
      const res = await call(t, 'POST', `/v1/keys/${keyId}/reset`, acc.headers, { gracePeriodSeconds });
      assert.equal(res.status, 200, res.raw);
      return res.body;
    };
    /** The token's answer on a /v1 route: 200 or 401. */
    const use = (token: string) => call(t, 'GET', `/v1/clients/${clientId}`, bearer(token));
    const works = async (token: string, why: string) => {
      const res = await use(token);
      assert.equal(res.status, 200, `${why}: ${res.raw}`);
    };
    const refused = async (token: string, why: string) => {
      const res = await use(token);
      assert.equal(res.status, 401, `${why}: ${res.raw}`);
      assertProblemCode(res, 401, 'UNAUTHENTICATED');
    };
    const assertRefreshRefused = (res: Res) => {
      assert.equal(res.status, 401, res.raw);
      assert.equal(res.body.errorCode, 'AUTHENTICATION_REQUIRED');
    };
    const newKey = () => issueKey(t, acc.headers, { clientId });

    before(async () => {
      t = await createTestApp(backend, { now: () => new Date(Date.now() + skew), logLevel: 'warn' });
      acc = await t.newAccount();
      const res = await call(t, 'POST', '/v1/clients', acc.headers, { name: 'Tokens' });
      clientId = res.body.id;
    });
    after(async () => {
      await t?.close();
    });

    it("an immediate reset stops client-credentials tokens of the old secret at once; the new secret's tokens work", async () => {
      const k = await newKey();
      await nextSecond(); // so that the old token, the reset and the new token (almost always) share one `iat` second
      const old = await grant(k.key.keyId, k.secret);
      await works(old, 'before the reset (warms the key cache)');
      const fresh = await reset(k.key.keyId, 0);
      const next = await grant(k.key.keyId, fresh.secret);
      await refused(old, 'old-secret token after an immediate reset');
      await works(next, 'new-secret token');
      assert.equal((await oauth(k.key.keyId, k.secret)).status, 401, 'the old secret itself');
      await works(next, 'new-secret token, again');
    });

    it('an immediate reset stops /api/token/ access and refresh tokens of the old secret', async () => {
      const k = await newKey();
      const old = await login(k.key.keyId, k.secret);
      await works(old.access, 'before');
      const refreshed = await refresh(old.refresh);
      assert.equal(refreshed.status, 200, refreshed.raw);
      await works(refreshed.body.access, 'refreshed before the reset');
      const fresh = await reset(k.key.keyId, 0);
      const next = await login(k.key.keyId, fresh.secret);
      await refused(old.access, 'old access');
      await refused(refreshed.body.access, 'access refreshed from the old secret');
      assertRefreshRefused(await refresh(old.refresh));
      await works(next.access, 'new access');
      const again = await refresh(next.refresh);
      assert.equal(again.status, 200, again.raw);
      await works(again.body.access, 'refreshed from the new secret');
    });

    it('a grace reset keeps old-secret tokens (and refreshes) until the grace ends, then refuses them', async () => {
      const k = await newKey();
      const before = await grant(k.key.keyId, k.secret);
      const beforeLogin = await login(k.key.keyId, k.secret);
      const fresh = await reset(k.key.keyId, 60);
      // During the grace the old secret still grants, and those tokens are bound to it too.
      const during = await grant(k.key.keyId, k.secret);
      const next = await grant(k.key.keyId, fresh.secret);
      await works(before, 'old token in grace');
      await works(during, 'token granted from the old secret in grace');
      await works(beforeLogin.access, 'old login access in grace');
      const refreshedInGrace = await refresh(beforeLogin.refresh);
      assert.equal(refreshedInGrace.status, 200, refreshedInGrace.raw);
      await works(refreshedInGrace.body.access, 'refreshed in grace');
      await works(next, 'new token');

      skew = 59_000;
      await works(before, 'one second before the grace ends');
      skew = 61_000;
      try {
        for (const [token, why] of [
          [before, 'old token'],
          [during, 'granted in grace'],
          [beforeLogin.access, 'old login access'],
          [refreshedInGrace.body.access, 'refreshed in grace'],
        ] as const)
          await refused(token, `${why}, after the grace`);
        assertRefreshRefused(await refresh(beforeLogin.refresh));
        await works(next, 'new token after the grace');
        assert.equal((await oauth(k.key.keyId, k.secret)).status, 401, 'the old secret after the grace');
      } finally {
        skew = 0;
      }
    });

    it('a second reset ends the grace of the first secret; the previous one then gets its own', async () => {
      const k = await newKey();
      const first = await grant(k.key.keyId, k.secret);
      const s2 = await reset(k.key.keyId, 600);
      const second = await grant(k.key.keyId, s2.secret);
      await reset(k.key.keyId, 600);
      await refused(first, 'two secrets ago');
      await works(second, 'previous secret, in its grace');
    });

    it('tokens carry an opaque key_fp only when minted from a key; user tokens are unaffected by resets', async () => {
      const k = await newKey();
      const token = await grant(k.key.keyId, k.secret);
      const claims = decodePayload(token);
      assert.deepEqual(Object.keys(claims).sort(), ['acc', 'client_uid', 'exp', 'iat', 'iss', 'jti', 'key_fp', 'sub', 'typ']);
      assert.match(claims.key_fp, /^[A-Za-z0-9_-]{22}$/);
      const hash = hashSecret(t.services.ctx.pepper, k.secret);
      assert.equal(claims.key_fp, keySecretBinding(t.services.ctx.pepper, hash));
      for (const form of [hash.toString('hex'), hash.toString('base64'), hash.toString('base64url'), k.secret]) assert.ok(!token.includes(form) && !claims.key_fp.includes(form.slice(0, 16)));
      assert.notEqual(keySecretBinding(Buffer.alloc(32, 1), hash), claims.key_fp, 'the binding depends on the pepper');

      const user = await call(t, 'POST', '/api/token/', {}, { username: acc.email, password: acc.password });
      assert.equal(user.status, 200, user.raw);
      assert.equal(decodePayload(user.body.access).key_fp, undefined);
      await reset(acc.keyId, 0).then((r) => {
        acc = { ...acc, secret: r.secret, token: r.token, headers: { 'x-api-key': r.token } };
      });
      await works(user.body.access, 'a user token after the account key reset');
    });

    it('a token without key_fp (an older version) works only if minted after the key last changed', async () => {
      const k = await newKey();
      const legacy = async () => (await t.services.ctx.tokens.sign({ sub: `key:${k.key.keyId}`, acc: acc.accountId, typ: 'access', client_uid: clientId }, 600)).token;
      await nextSecond();
      const before = await legacy();
      await works(before, 'legacy token minted after the key was created');
      await nextSecond();
      const resetAt = Date.parse((await reset(k.key.keyId, 0)).key.updatedAt);
      await refused(before, 'legacy token minted before the reset');
      const sameSecond = await legacy();
      // Minted after the reset, but its `iat` cannot tell: refused unless it fell into the next second.
      if (decodePayload(sameSecond).iat * 1000 < resetAt) await refused(sameSecond, 'legacy token of the same second as the reset (fails safe)');
      await nextSecond();
      await works(await legacy(), 'legacy token minted a second after the reset');

      // After a grace reset the old secret may still mint: without a binding nothing tells them apart.
      await reset(k.key.keyId, 600);
      await nextSecond();
      await refused(await legacy(), 'legacy token while a previous secret is kept');
    });
  });
}
