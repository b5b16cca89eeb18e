/**
 * Token endpoints: `POST /oauth2/token` (client credentials: form, Basic, JSON), the JWKS,
 * the FactPulse-style `POST /api/token/` and `/api/token/refresh/`, and how issued tokens
 * behave as Bearer credentials on `/v1` (client scoping, revocation by state).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblemCode, basicHeader as basic, bearerHeader as bearer, call, FORM, JSON_TYPE, type Res } from '../support/http.js';

const ISSUER = 'http://clientele.test';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const decodePart = (token: string, i: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString('utf8'));

function assertOAuthError(res: Res, status: number, error: string): void {
  assert.equal(res.status, status, res.raw);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'error_description']);
  assert.equal(res.body.error, error);
  assert.equal(typeof res.body.error_description, 'string');
  assert.ok(res.body.error_description.length > 0);
  if (status === 401) assert.match(String(res.headers['www-authenticate']), /^Basic /);
}

function assertFactPulse401(res: Res): void {
  assert.equal(res.status, 401, res.raw);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(Object.keys(res.body).sort(), ['errorCode', 'errorMessage']);
  assert.equal(res.body.errorCode, 'AUTHENTICATION_REQUIRED');
  assert.equal(typeof res.body.errorMessage, 'string');
}

const assert401 = (res: Res) => assertProblemCode(res, 401, 'UNAUTHENTICATED');

/** Flips one character in the signature of a JWT. */
function tamper(token: string): string {
  const [head, payload, sig] = token.split('.') as [string, string, string];
  const i = Math.floor(sig.length / 2);
  return `${head}.${payload}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
}

for (const backend of testBackends()) {
  describe(`token endpoints [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;
    let clientA: { id: string };
    let clientB: { id: string };
    let keyA: { key: { keyId: string }; secret: string; token: string };

    const must = async (status: number, method: string, url: string, payload?: unknown, headers = h) => {
      const res = await call(t, method, url, headers, payload);
      assert.equal(res.status, status, `${method} ${url}: ${res.raw}`);
      return res.body;
    };
    const oauth = (fields: Record<string, string>, headers: Record<string, string> = {}) => call(t, 'POST', '/oauth2/token', { ...FORM, ...headers }, form(fields));
    const grant = async (keyId: string, secret: string): Promise<string> => {
      const res = await oauth({ grant_type: 'client_credentials', client_id: keyId, client_secret: secret });
      assert.equal(res.status, 200, res.raw);
      return res.body.access_token;
    };
    const login = (body: Record<string, unknown>) => call(t, 'POST', '/api/token/', {}, body);

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      h = acc.headers;
      clientA = await must(201, 'POST', '/v1/clients', { name: 'Client A', username: 'Alice', password: 'alice password' });
      clientB = await must(201, 'POST', '/v1/clients', { name: 'Client B' });
      keyA = await must(201, 'POST', '/v1/keys', { clientId: clientA.id });
    });
    after(async () => {
      await t?.close();
    });

    it('client credentials in a form body give a Bearer token', async () => {
      const res = await oauth({ grant_type: 'client_credentials', client_id: acc.keyId, client_secret: acc.secret });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
      assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 1800);
      assert.match(res.body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const list = await call(t, 'GET', '/v1/clients', bearer(res.body.access_token));
      assert.equal(list.status, 200, list.raw);
      assert.equal(list.body.data.length, 2);
    });

    it('client credentials with HTTP Basic, and in a JSON body', async () => {
      const viaBasic = await oauth({ grant_type: 'client_credentials' }, basic(acc.keyId, acc.secret));
      assert.equal(viaBasic.status, 200, viaBasic.raw);
      assert.equal(viaBasic.headers['cache-control'], 'no-store');
      assert.equal(viaBasic.body.token_type, 'Bearer');
      assert.equal((await call(t, 'GET', '/v1/keys', bearer(viaBasic.body.access_token))).status, 200);

      const viaJson = await call(t, 'POST', '/oauth2/token', {}, { grant_type: 'client_credentials', client_id: acc.keyId, client_secret: acc.secret });
      assert.equal(viaJson.status, 200, viaJson.raw);
      assert.equal(viaJson.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(viaJson.body).sort(), ['access_token', 'expires_in', 'token_type']);
      assert.equal((await call(t, 'GET', '/v1/keys', bearer(viaJson.body.access_token))).status, 200);
    });

    it('a key with scopes gets them in the response', async () => {
      const k = await must(201, 'POST', '/v1/keys', { scopes: ['clients:read', 'keys:read'] });
      const res = await oauth({ grant_type: 'client_credentials', client_id: k.key.keyId, client_secret: k.secret });
      assert.equal(res.status, 200);
      assert.equal(res.body.scope, 'clients:read keys:read');
    });

    it('wrong or missing client credentials are 401 invalid_client', async () => {
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: acc.keyId, client_secret: 'wrong' }), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: 'ck_0000000000000000000000', client_secret: acc.secret }), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: acc.keyId }), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials' }), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials' }, basic(acc.keyId, 'nope')), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials' }, { authorization: 'Bearer abc' }), 401, 'invalid_client');
      // A malformed percent-escape in Basic credentials is a bad credential, not a crash.
      assertOAuthError(await oauth({ grant_type: 'client_credentials' }, basic(acc.keyId, '%zz')), 401, 'invalid_client');
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: 'ck_\u0000', client_secret: 'x' }), 401, 'invalid_client');
    });

    it('a missing grant_type is 400 invalid_request; another grant is 400 unsupported_grant_type', async () => {
      assertOAuthError(await oauth({ client_id: acc.keyId, client_secret: acc.secret }), 400, 'invalid_request');
      assertOAuthError(await oauth({ grant_type: '', client_id: acc.keyId, client_secret: acc.secret }), 400, 'invalid_request');
      assertOAuthError(await oauth({ grant_type: 'password', client_id: acc.keyId, client_secret: acc.secret }), 400, 'unsupported_grant_type');
      assertOAuthError(await oauth({ grant_type: 'authorization_code' }, basic(acc.keyId, acc.secret)), 400, 'unsupported_grant_type');
    });

    it('the JWKS publishes the Ed25519 key that signed the token, and the claims are right', async () => {
      const token = await grant(acc.keyId, acc.secret);
      const res = await call(t, 'GET', '/.well-known/jwks.json', {});
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      assert.deepEqual(Object.keys(res.body), ['keys']);
      const header = decodePart(token, 0);
      assert.equal(header.alg, 'EdDSA');
      const jwk = res.body.keys.find((k: { kid: string }) => k.kid === header.kid);
      assert.ok(jwk, 'the signing kid is published');
      assert.equal(jwk.kty, 'OKP');
      assert.equal(jwk.crv, 'Ed25519');
      assert.equal(typeof jwk.x, 'string');
      assert.equal(jwk.d, undefined, 'no private part in the JWKS');
      for (const k of res.body.keys) assert.equal(k.d, undefined);

      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(res.body as JSONWebKeySet), { issuer: ISSUER, algorithms: ['EdDSA'] });
      assert.equal(protectedHeader.kid, header.kid);
      assert.equal(payload.sub, `key:${acc.keyId}`);
      assert.equal(payload.acc, acc.accountId);
      assert.equal(payload.typ, 'access');
      assert.equal(payload.client_uid, undefined);
      assert.equal(typeof payload.jti, 'string');
      assert.equal(payload.exp! - payload.iat!, 1800);
    });

    it('a token for a client key carries client_uid and acts as that client', async () => {
      const token = await grant(keyA.key.keyId, keyA.secret);
      const claims = decodePart(token, 1);
      assert.equal(claims.client_uid, clientA.id);
      assert.equal(claims.sub, `key:${keyA.key.keyId}`);
      const own = await call(t, 'GET', `/v1/clients/${clientA.id}`, bearer(token));
      assert.equal(own.status, 200, own.raw);
      assert.equal(own.body.id, clientA.id);
      const other = await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(token));
      assert.equal(other.status, 403);
      assert.equal(other.body.code, 'FORBIDDEN');
      const list = await call(t, 'GET', '/v1/clients', bearer(token));
      assert.equal(list.status, 403);
      assert.equal(list.body.code, 'FORBIDDEN');
    });

    it('POST /api/token/ with the account user e-mail and password', async () => {
      const res = await login({ username: acc.email, password: acc.password });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(res.body).sort(), ['access', 'refresh']);
      assert.notEqual(res.body.access, res.body.refresh);
      const access = decodePart(res.body.access, 1);
      assert.equal(access.typ, 'access');
      assert.equal(access.acc, acc.accountId);
      assert.match(access.sub, /^user:/);
      assert.equal(access.client_uid, undefined);
      assert.equal(decodePart(res.body.refresh, 1).typ, 'refresh');
      const list = await call(t, 'GET', '/v1/clients', bearer(res.body.access));
      assert.equal(list.status, 200, list.raw);
      // E-mail addresses match case-insensitively.
      assert.equal((await login({ username: acc.email.toUpperCase(), password: acc.password })).status, 200);
    });

    it('POST /api/token/ with client_uid gives a token scoped to that client', async () => {
      const res = await login({ username: acc.email, password: acc.password, client_uid: clientA.id });
      assert.equal(res.status, 200, res.raw);
      assert.equal(decodePart(res.body.access, 1).client_uid, clientA.id);
      assert.equal(decodePart(res.body.refresh, 1).client_uid, clientA.id);
      assert.equal((await call(t, 'GET', `/v1/clients/${clientA.id}`, bearer(res.body.access))).status, 200);
      assert.equal((await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(res.body.access))).status, 403);
      assert.equal((await call(t, 'GET', '/v1/clients', bearer(res.body.access))).status, 403);
      // Another account's client, or no such client, is refused.
      const other = await t.newAccount();
      const foreign = await must(201, 'POST', '/v1/clients', { name: 'Foreign' }, other.headers);
      assertFactPulse401(await login({ username: acc.email, password: acc.password, client_uid: foreign.id }));
      assertFactPulse401(await login({ username: acc.email, password: acc.password, client_uid: '00000000-0000-4000-8000-000000000000' }));
    });

    it("POST /api/token/ with a client's own username, password and client_uid", async () => {
      const res = await login({ username: 'alice', password: 'alice password', client_uid: clientA.id });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(Object.keys(res.body).sort(), ['access', 'refresh']);
      const claims = decodePart(res.body.access, 1);
      assert.equal(claims.sub, `client:${clientA.id}`);
      assert.equal(claims.client_uid, clientA.id);
      assert.equal((await call(t, 'GET', `/v1/clients/${clientA.id}`, bearer(res.body.access))).status, 200);
      assert.equal((await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(res.body.access))).status, 403);
      assertFactPulse401(await login({ username: 'alice', password: 'wrong password', client_uid: clientA.id }));
      assertFactPulse401(await login({ username: 'alice', password: 'alice password' }));
      assertFactPulse401(await login({ username: 'alice', password: 'alice password', client_uid: clientB.id }));
    });

    it('POST /api/token/ with a key id and its secret', async () => {
      const res = await login({ username: acc.keyId, password: acc.secret });
      assert.equal(res.status, 200, res.raw);
      assert.equal(decodePart(res.body.access, 1).sub, `key:${acc.keyId}`);
      assert.equal((await call(t, 'GET', '/v1/clients', bearer(res.body.access))).status, 200);
      const client = await login({ username: keyA.key.keyId, password: keyA.secret });
      assert.equal(client.status, 200, client.raw);
      assert.equal(decodePart(client.body.access, 1).client_uid, clientA.id);
      assertFactPulse401(await login({ username: keyA.key.keyId, password: keyA.secret, client_uid: clientB.id }));
      assertFactPulse401(await login({ username: acc.keyId, password: keyA.secret }));
    });

    it('POST /api/token/ with a wrong password or unknown user is 401 AUTHENTICATION_REQUIRED', async () => {
      const wrong = await login({ username: acc.email, password: 'not the password' });
      assertFactPulse401(wrong);
      const unknown = await login({ username: 'nobody@nowhere.test', password: 'whatever' });
      assertFactPulse401(unknown);
      assert.deepEqual(unknown.body, wrong.body);
    });

    it('POST /api/token/ with a missing field is a 422 in the FastAPI shape', async () => {
      const res = await login({ username: acc.email });
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.deepEqual(Object.keys(res.body), ['detail']);
      assert.equal(res.body.detail.length, 1);
      const [item] = res.body.detail;
      assert.deepEqual(Object.keys(item).sort(), ['loc', 'msg', 'type']);
      assert.deepEqual(item.loc, ['body', 'password']);
      assert.equal(typeof item.msg, 'string');
      assert.equal(item.type, 'missing');

      const both = await login({});
      assert.equal(both.status, 422);
      assert.deepEqual(both.body.detail.map((d: { loc: string[] }) => d.loc).sort(), [
        ['body', 'password'],
        ['body', 'username'],
      ]);
      for (const d of both.body.detail) assert.deepEqual(Object.keys(d).sort(), ['loc', 'msg', 'type']);
      const typed = await login({ username: acc.email, password: 5 });
      assert.equal(typed.status, 422);
      assert.deepEqual(
        typed.body.detail.map((d: { loc: string[] }) => d.loc),
        [['body', 'password']],
      );
    });

    it('POST /api/token/refresh/ exchanges a refresh token for a new access token', async () => {
      const tokens = (await login({ username: acc.email, password: acc.password })).body;
      const res = await call(t, 'POST', '/api/token/refresh/', {}, { refresh: tokens.refresh });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(res.body), ['access']);
      const claims = decodePart(res.body.access, 1);
      assert.equal(claims.typ, 'access');
      assert.equal(claims.sub, decodePart(tokens.access, 1).sub);
      assert.equal((await call(t, 'GET', '/v1/clients', bearer(res.body.access))).status, 200);
      // A scoped refresh stays scoped.
      const scoped = (await login({ username: acc.email, password: acc.password, client_uid: clientA.id })).body;
      const refreshed = await call(t, 'POST', '/api/token/refresh/', {}, { refresh: scoped.refresh });
      assert.equal(decodePart(refreshed.body.access, 1).client_uid, clientA.id);
      assert.equal((await call(t, 'GET', '/v1/clients', bearer(refreshed.body.access))).status, 403);
    });

    it('token types cannot be swapped, and tampered or forged tokens fail', async () => {
      const tokens = (await login({ username: acc.email, password: acc.password })).body;
      assert401(await call(t, 'GET', '/v1/clients', bearer(tokens.refresh)));
      assertFactPulse401(await call(t, 'POST', '/api/token/refresh/', {}, { refresh: tokens.access }));
      assert401(await call(t, 'GET', '/v1/clients', bearer(tamper(tokens.access))));
      assertFactPulse401(await call(t, 'POST', '/api/token/refresh/', {}, { refresh: tamper(tokens.refresh) }));
      assertFactPulse401(await call(t, 'POST', '/api/token/refresh/', {}, { refresh: 'not.a.jwt' }));
      // alg "none" with the same claims.
      const [, payload] = tokens.access.split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      assert401(await call(t, 'GET', '/v1/clients', bearer(none)));
      // A changed claim under the original signature.
      const claims = decodePart(tokens.access, 1);
      const forged = tokens.access.split('.');
      forged[1] = Buffer.from(JSON.stringify({ ...claims, acc: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
      assert401(await call(t, 'GET', '/v1/clients', bearer(forged.join('.'))));
      assert401(await call(t, 'GET', '/v1/clients', bearer('garbage')));
      assert401(await call(t, 'GET', '/v1/clients', { authorization: 'Bearer' }));
    });

    it('deleting the key behind a token stops the token (and its refresh) at once', async () => {
      const k = await must(201, 'POST', '/v1/keys', { clientId: clientB.id });
      const spare = await must(201, 'POST', '/v1/keys', { clientId: clientB.id });
      const access = await grant(spare.key.keyId, spare.secret);
      const pair = (await login({ username: spare.key.keyId, password: spare.secret })).body;
      assert.equal((await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(access))).status, 200);
      await must(204, 'DELETE', `/v1/keys/${spare.key.keyId}`);
      assert401(await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(access)));
      assert401(await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(pair.access)));
      assertFactPulse401(await call(t, 'POST', '/api/token/refresh/', {}, { refresh: pair.refresh }));
      // The client's other key is unaffected.
      assert.equal((await call(t, 'GET', `/v1/clients/${clientB.id}`, bearer(await grant(k.key.keyId, k.secret)))).status, 200);
    });

    it('disabling the key behind a token stops the token', async () => {
      const k = await must(201, 'POST', '/v1/keys', { name: 'to disable' });
      const access = await grant(k.key.keyId, k.secret);
      assert.equal((await call(t, 'GET', '/v1/keys', bearer(access))).status, 200);
      await must(200, 'PATCH', `/v1/keys/${k.key.keyId}`, { enabled: false });
      assert401(await call(t, 'GET', '/v1/keys', bearer(access)));
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: k.key.keyId, client_secret: k.secret }), 401, 'invalid_client');
    });

    it("deactivating a client stops every token acting as it; its account's tokens keep working", async () => {
      const c = await must(201, 'POST', '/v1/clients', { name: 'Soon inactive', username: 'sleeper', password: 'sleeper password' });
      const k = await must(201, 'POST', '/v1/keys', { clientId: c.id });
      const keyToken = await grant(k.key.keyId, k.secret);
      const scoped = (await login({ username: acc.email, password: acc.password, client_uid: c.id })).body;
      const own = (await login({ username: 'sleeper', password: 'sleeper password', client_uid: c.id })).body;
      const accountToken = (await login({ username: acc.email, password: acc.password })).body.access;
      for (const token of [keyToken, scoped.access, own.access]) assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, bearer(token))).status, 200);

      await must(200, 'POST', `/v1/clients/${c.id}/deactivate`);
      for (const token of [keyToken, scoped.access, own.access]) assert401(await call(t, 'GET', `/v1/clients/${c.id}`, bearer(token)));
      for (const refresh of [scoped.refresh, own.refresh]) assertFactPulse401(await call(t, 'POST', '/api/token/refresh/', {}, { refresh }));
      assertOAuthError(await oauth({ grant_type: 'client_credentials', client_id: k.key.keyId, client_secret: k.secret }), 401, 'invalid_client');
      assertFactPulse401(await login({ username: 'sleeper', password: 'sleeper password', client_uid: c.id }));
      assertFactPulse401(await login({ username: acc.email, password: acc.password, client_uid: c.id }));
      const manage = await call(t, 'GET', `/v1/clients/${c.id}`, bearer(accountToken));
      assert.equal(manage.status, 200);
      assert.equal(manage.body.isActive, false);
      assert.equal((await call(t, 'POST', `/v1/clients/${c.id}/activate`, bearer(accountToken))).status, 200);
    });

    it('an access token from another account sees nothing of this one', async () => {
      const other = await t.newAccount();
      const token = (await login({ username: other.email, password: other.password })).body.access;
      const res = await call(t, 'GET', `/v1/clients/${clientA.id}`, bearer(token));
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'CLIENT_NOT_FOUND');
      assert.deepEqual((await call(t, 'GET', '/v1/clients', bearer(token))).body, { data: [], nextCursor: null });
    });

    it('no token or secret reaches the logs', async () => {
      const tokens = (await login({ username: acc.email, password: acc.password })).body;
      await oauth({ grant_type: 'client_credentials', client_id: acc.keyId, client_secret: acc.secret });
      await call(t, 'GET', '/v1/clients', bearer(tokens.access));
      const logs = t.logs.join('');
      assert.ok(logs.length > 0);
      for (const s of [tokens.access, tokens.refresh, acc.secret, acc.token, acc.password, keyA.secret, 'alice password']) assert.ok(!logs.includes(s));
    });
  });
}
