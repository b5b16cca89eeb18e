/**
 * FactPulse scopes (docs/factpulse.md, Account level and client level): account-level operations (list, create)
 * refuse client-scoped credentials with 403 ACCESS_DENIED; client-level operations accept a
 * client-scoped credential only for its own client (403 for another client of the same
 * account); another account's client is 404 CLIENT_NOT_FOUND; a deactivated client's
 * token stops at once (401) and works again once the account re-activates the client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertApiError, assertOk, bearer, call, FACTPULSE_OPS, factPulseLogin, newClientKey, runOp, SHAPES, snapshot, validPdpConfig } from '../support/factpulse.js';

const CLIENT_OPS = FACTPULSE_OPS.filter((o) => o.level === 'client');
const ACCOUNT_OPS = FACTPULSE_OPS.filter((o) => o.level === 'account');

/** The success status and response shape of each operation. */
const SUCCESS: Record<string, [number, (typeof SHAPES)[keyof typeof SHAPES]]> = {
  'list clients': [200, SHAPES.ClientListResponse],
  'create client': [201, SHAPES.ClientDetail],
  'get client': [200, SHAPES.ClientDetail],
  'update client': [200, SHAPES.ClientDetail],
  'activate client': [200, SHAPES.ClientActivateResponse],
  'deactivate client': [200, SHAPES.ClientActivateResponse],
  'get pdp-config': [200, SHAPES.PDPConfigResponse],
  'put pdp-config': [200, SHAPES.PDPConfigResponse],
  'delete pdp-config': [200, SHAPES.WebhookSecretDeleteResponse],
  'rotate encryption key': [200, SHAPES.KeyRotationResponse],
  'generate webhook secret': [200, SHAPES.WebhookSecretGenerateResponse],
  'webhook secret status': [200, SHAPES.WebhookSecretStatusResponse],
  'delete webhook secret': [200, SHAPES.WebhookSecretDeleteResponse],
};

for (const backend of testBackends()) {
  describe(`FactPulse scopes [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let other: TestAccount;
    let mine: string;
    let neighbour: string;
    let foreign: string;
    /** Client-scoped tokens: POST /api/token/ with client_uid, and a client-owned API key. */
    let asMine: Record<string, Record<string, string>>;

    const newClient = async (a: TestAccount, name: string) => {
      const res = await call(t, 'POST', '/api/v1/clients', a.headers, { json: { name } });
      assert.equal(res.status, 201, res.raw);
      return res.body.uid as string;
    };

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      other = await t.newAccount();
      mine = await newClient(acc, 'Mine');
      neighbour = await newClient(acc, 'Neighbour');
      foreign = await newClient(other, 'Foreign');
      const key = await call(t, 'POST', '/v1/keys', acc.headers, { json: { clientId: mine } });
      assert.equal(key.status, 201, key.raw);
      asMine = {
        'JWT with client_uid': bearer(await factPulseLogin(t, acc, mine)),
        "the client's own X-API-Key": { 'x-api-key': key.body.token as string },
      };
    });
    after(async () => {
      await t?.close();
    });

    it('the client-scoped JWT carries client_uid; the account JWT does not', async () => {
      const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      assert.equal(claims(asMine['JWT with client_uid']!.authorization!.slice(7)).client_uid, mine);
      assert.equal(claims(await factPulseLogin(t, acc)).client_uid, undefined);
    });

    for (const op of ACCOUNT_OPS) {
      it(`${op.name} (account level) with a client-scoped credential → 403 ACCESS_DENIED, nothing changed`, async () => {
        for (const [label, headers] of Object.entries(asMine)) {
          const before = await snapshot(t);
          const res = await runOp(t, op, mine, headers);
          assertApiError(res, 403, 'ACCESS_DENIED');
          assert.deepEqual(await snapshot(t), before, label);
        }
        // The account token may.
        const ok = await runOp(t, op, mine, bearer(await factPulseLogin(t, acc)));
        assertOk(ok, SUCCESS[op.name]![0], SUCCESS[op.name]![1]);
      });
    }

    for (const op of CLIENT_OPS) {
      it(`${op.name} (client level) on another client of the same account → 403 ACCESS_DENIED, nothing changed`, async () => {
        for (const [label, headers] of Object.entries(asMine)) {
          const before = await snapshot(t);
          assertApiError(await runOp(t, op, neighbour, headers), 403, 'ACCESS_DENIED');
          assert.deepEqual(await snapshot(t), before, label);
        }
      });

      it(`${op.name} (client level) on another account's client → 404 CLIENT_NOT_FOUND (account and client credentials)`, async () => {
        const before = await snapshot(t);
        const credentials = { 'account API key': acc.headers, 'account JWT': bearer(await factPulseLogin(t, acc)), ...asMine };
        for (const [label, headers] of Object.entries(credentials)) {
          const res = await runOp(t, op, foreign, headers);
          assertApiError(res, 404, 'CLIENT_NOT_FOUND');
          assert.ok(!res.raw.includes(foreign), `${label}: the response does not echo the foreign uid`);
        }
        assert.deepEqual(await snapshot(t), before);
      });
    }

    it('every client-level operation succeeds with a credential scoped to the same client', async () => {
      // desactiver is exercised in the next test (it ends the client's tokens).
      const names = [
        'get client',
        'update client',
        'activate client',
        'get pdp-config',
        'put pdp-config',
        'rotate encryption key',
        'delete pdp-config',
        'generate webhook secret',
        'webhook secret status',
        'delete webhook secret',
      ];
      assert.equal(names.length, CLIENT_OPS.length - 1);
      for (const [label, headers] of Object.entries(asMine)) {
        let key = newClientKey();
        for (const name of names) {
          const op = CLIENT_OPS.find((o) => o.name === name)!;
          let res: Awaited<ReturnType<typeof call>>;
          if (name === 'rotate encryption key') {
            const next = newClientKey();
            res = await call(t, 'POST', op.path(mine), headers, { json: { oldKey: key.b64, newKey: next.b64 } });
            key = next;
          } else if (name === 'put pdp-config') {
            // Double encryption, so that the rotation has something to rotate.
            res = await call(t, 'PUT', op.path(mine), { ...headers, 'x-encryption-key': key.b64 }, { json: { ...validPdpConfig(), encryptionMode: 'double' } });
          } else {
            res = await runOp(t, op, mine, headers);
          }
          assertOk(res, SUCCESS[name]![0], SUCCESS[name]![1]);
          if (name === 'rotate encryption key') assert.equal(res.body.rotatedCount, 1, label);
          if (name === 'delete pdp-config' || name === 'delete webhook secret') assert.equal(res.body.success, true, label);
          if ('uid' in (res.body as object)) assert.equal(res.body.uid, mine, `${label}: ${name}`);
        }
      }
    });

    it("a deactivated client's tokens stop at once (401); the account re-activates it and the same tokens work again", async () => {
      const target = await newClient(acc, 'Switchable');
      const token = bearer(await factPulseLogin(t, acc, target));
      const key = await call(t, 'POST', '/v1/keys', acc.headers, { json: { clientId: target } });
      assert.equal(key.status, 201, key.raw);
      const apiKey = { 'x-api-key': key.body.token as string };
      for (const headers of [token, apiKey]) assertOk(await call(t, 'GET', `/api/v1/clients/${target}`, headers), 200, SHAPES.ClientDetail);

      // The client-scoped token may deactivate its own client (client level) — and is dead right after.
      const off = await call(t, 'POST', `/api/v1/clients/${target}/desactiver`, token);
      assertOk(off, 200, SHAPES.ClientActivateResponse);
      assert.equal(off.body.isActive, false);

      for (const headers of [token, apiKey]) {
        for (const op of CLIENT_OPS) assertApiError(await runOp(t, op, target, headers), 401, 'AUTHENTICATION_REQUIRED');
      }
      // No new client-scoped token either.
      const login = await call(t, 'POST', '/api/token/', {}, { json: { username: acc.email, password: acc.password, client_uid: target } });
      assertApiError(login, 401, 'AUTHENTICATION_REQUIRED');

      // The account still manages it.
      const seen = await call(t, 'GET', `/api/v1/clients/${target}`, acc.headers);
      assertOk(seen, 200, SHAPES.ClientDetail);
      assert.equal(seen.body.isActive, false);
      const on = await call(t, 'POST', `/api/v1/clients/${target}/activer`, bearer(await factPulseLogin(t, acc)));
      assertOk(on, 200, SHAPES.ClientActivateResponse);
      assert.equal(on.body.isActive, true);

      for (const headers of [token, apiKey]) {
        const back = await call(t, 'GET', `/api/v1/clients/${target}`, headers);
        assertOk(back, 200, SHAPES.ClientDetail);
        assert.equal(back.body.isActive, true);
      }
    });

    it("a client-scoped token for another account's client cannot be obtained", async () => {
      const res = await call(t, 'POST', '/api/token/', {}, { json: { username: acc.email, password: acc.password, client_uid: foreign } });
      assertApiError(res, 401, 'AUTHENTICATION_REQUIRED');
    });
  });
}
