/**
 * FactPulse Client Management wire contract (docs/factpulse.md):
 * for every operation, the status (create exactly 201, everything else 200), the JSON
 * content type, the exact key set (nested included), required keys non-null, the types
 * (UUID uids, RFC 3339 date-times with T and a zone), and the documented errors — with
 * both auth forms (Bearer access token from POST /api/token/, and X-API-Key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import {
  assertApiError,
  assertExactKeys,
  assertOk,
  assertValidation,
  authHeaders,
  call,
  CLIENT_KEYS,
  FACTPULSE_OPS,
  MISSING_UID,
  newClientKey,
  PDP_CONFIGURED_KEYS,
  runOp,
  SECRET_STATUS_KEYS,
  SHAPES,
  snapshot,
  uniqueSecret,
  validPdpConfig,
  type AuthForm,
  type Res,
} from '../support/factpulse.js';

const WHSEC_RE = /^whsec_[A-Za-z0-9+/]{43}=$/;

for (const backend of testBackends()) {
  describe(`FactPulse contract [${backend}]`, () => {
    let t: TestApp;

    before(async () => {
      t = await createTestApp(backend);
    });
    after(async () => {
      await t?.close();
    });

    for (const form of ['apiKey', 'bearer'] as AuthForm[]) {
      describe(`authenticated with ${form === 'apiKey' ? 'X-API-Key' : 'Authorization: Bearer (POST /api/token/)'}`, () => {
        let acc: TestAccount;
        let h: Record<string, string>;

        before(async () => {
          acc = await t.newAccount();
          h = await authHeaders(t, acc, form);
        });

        const create = async (body: Record<string, unknown>, headers = h) => {
          const res = await call(t, 'POST', '/api/v1/clients', headers, { json: body });
          assertOk(res, 201, SHAPES.ClientDetail);
          assertExactKeys(res.body, CLIENT_KEYS);
          return res.body as Record<string, any>;
        };
        const getClient = async (uid: string) => {
          const res = await call(t, 'GET', `/api/v1/clients/${uid}`, h);
          assertOk(res, 200, SHAPES.ClientDetail);
          assertExactKeys(res.body, CLIENT_KEYS);
          return res.body as Record<string, any>;
        };
        const assertPdpConfigured = (res: Res) => {
          assertOk(res, 200, SHAPES.PDPConfigResponse);
          assertExactKeys(res.body, PDP_CONFIGURED_KEYS);
          assertExactKeys(res.body.secretStatus, SECRET_STATUS_KEYS, 'secretStatus');
          assert.equal(res.body.isConfigured, true);
          assert.equal(res.body.secretStatus.status, 'active');
          assert.doesNotMatch(res.raw, /clientSecret|client_secret|technicalPassword/);
        };

        it('POST /api/v1/clients → exactly 201 and a ClientDetail with exactly the documented keys', async () => {
          const body = await create({ name: 'Acme SARL', description: 'First customer', siret: '12345678901234' });
          assert.equal(body.name, 'Acme SARL');
          assert.equal(body.description, 'First customer');
          assert.equal(body.siret, '12345678901234');
          assert.equal(body.isActive, true);
          assert.equal(body.hasConfigPdp, false);
          assert.equal(body.pdpIsActive, null);
          assert.equal(body.pdpIsMock, null);
          assert.equal(body.hasConfigChorus, false);
          assert.equal(body.createdAt, body.updatedAt);

          const minimal = await create({ name: 'Minimal' });
          assert.equal(minimal.description, null);
          assert.equal(minimal.siret, null);
          assert.notEqual(minimal.uid, body.uid);

          const nulls = await create({ name: 'Explicit nulls', description: null, siret: null });
          assert.equal(nulls.description, null);
          assert.equal(nulls.siret, null);

          // FastAPI ignores unknown request keys; they are neither stored nor echoed.
          const extra = await create({ name: 'Extra', isActive: false, uid: 'nope', foo: 1 });
          assert.equal(extra.isActive, true);
          assert.notEqual(extra.uid, 'nope');
        });

        it('GET /api/v1/clients/{uid} → 200, the same ClientDetail', async () => {
          const created = await create({ name: 'Gettable', siret: '98765432109876' });
          assert.deepEqual(await getClient(created.uid), created);
        });

        it('GET /api/v1/clients → {results,total,page,pageSize}; page/pageSize; past the end is empty with the right total', async () => {
          // A fresh account, so the total is known exactly.
          const other = await t.newAccount();
          const oh = await authHeaders(t, other, form);
          const list = (qs = '') => call(t, 'GET', `/api/v1/clients${qs}`, oh);

          const empty = await list();
          assertOk(empty, 200, SHAPES.ClientListResponse);
          assert.deepEqual(empty.body, { results: [], total: 0, page: 1, pageSize: 20 });

          const made: string[] = [];
          for (let i = 0; i < 5; i++) made.push((await create({ name: `Listed ${i}`, ...(i % 2 ? { siret: `1234567890123${i}` } : {}) }, oh)).uid);

          const all = await list();
          assertOk(all, 200, SHAPES.ClientListResponse);
          assertExactKeys(all.body, ['results', 'total', 'page', 'pageSize']);
          assert.equal(all.body.total, 5);
          assert.equal(all.body.page, 1);
          assert.equal(all.body.pageSize, 20);
          assert.equal(all.body.results.length, 5);
          for (const [i, item] of all.body.results.entries()) assertExactKeys(item, CLIENT_KEYS, `results[${i}]`);
          assert.deepEqual(all.body.results.map((c: { uid: string }) => c.uid).sort(), [...made].sort());
          // ClientSummary has the same fields and values as ClientDetail.
          const detail = await call(t, 'GET', `/api/v1/clients/${made[1]}`, oh);
          assert.deepEqual(
            all.body.results.find((c: { uid: string }) => c.uid === made[1]),
            detail.body,
          );

          const seen: string[] = [];
          for (const [page, expected] of [
            [1, 2],
            [2, 2],
            [3, 1],
            [4, 0],
          ] as const) {
            const res = await list(`?page=${page}&pageSize=2`);
            assertOk(res, 200, SHAPES.ClientListResponse);
            assertExactKeys(res.body, ['results', 'total', 'page', 'pageSize']);
            assert.equal(res.body.total, 5, `total on page ${page}`);
            assert.equal(res.body.page, page);
            assert.equal(res.body.pageSize, 2);
            assert.equal(res.body.results.length, expected, `results on page ${page}`);
            seen.push(...res.body.results.map((c: { uid: string }) => c.uid));
          }
          assert.deepEqual([...seen].sort(), [...made].sort(), 'pages cover every client exactly once');

          const far = await list('?page=1000&pageSize=100');
          assertOk(far, 200, SHAPES.ClientListResponse);
          assert.deepEqual(far.body, { results: [], total: 5, page: 1000, pageSize: 100 });

          const max = await list('?pageSize=100');
          assert.equal(max.body.results.length, 5);
          assert.equal(max.body.pageSize, 100);
        });

        it('PATCH /api/v1/clients/{uid}: absent = unchanged, null clears description/siret, null name → 422', async () => {
          const c = await create({ name: 'Patchable', description: 'keep me', siret: '11111111111111' });
          const patch = (body: unknown) => call(t, 'PATCH', `/api/v1/clients/${c.uid}`, h, { json: body });

          const noop = await patch({});
          assertOk(noop, 200, SHAPES.ClientDetail);
          assertExactKeys(noop.body, CLIENT_KEYS);
          assert.deepEqual({ ...noop.body, updatedAt: c.updatedAt }, c);

          const renamed = await patch({ name: 'Renamed' });
          assertOk(renamed, 200, SHAPES.ClientDetail);
          assert.equal(renamed.body.name, 'Renamed');
          assert.equal(renamed.body.description, 'keep me');
          assert.equal(renamed.body.siret, '11111111111111');
          assert.equal(renamed.body.createdAt, c.createdAt);
          assert.ok(Date.parse(renamed.body.updatedAt) >= Date.parse(c.updatedAt));

          const noDescription = await patch({ description: null });
          assertOk(noDescription, 200, SHAPES.ClientDetail);
          assert.equal(noDescription.body.description, null);
          assert.equal(noDescription.body.siret, '11111111111111');
          assert.equal(noDescription.body.name, 'Renamed');

          const noSiret = await patch({ siret: null });
          assertOk(noSiret, 200, SHAPES.ClientDetail);
          assert.equal(noSiret.body.siret, null);
          assert.equal(noSiret.body.description, null);

          const both = await patch({ description: 'back', siret: '22222222222222' });
          assert.equal(both.body.description, 'back');
          assert.equal(both.body.siret, '22222222222222');
          assert.equal(both.body.name, 'Renamed');

          const before = await snapshot(t);
          assertValidation(await patch({ name: null }), [['body', 'name']]);
          assert.deepEqual(await snapshot(t), before);
          assert.deepEqual(await getClient(c.uid), both.body);
        });

        it('POST …/desactiver and …/activer → 200 ClientActivateResponse {uid,isActive,message}', async () => {
          const c = await create({ name: 'Toggle' });
          const off = await call(t, 'POST', `/api/v1/clients/${c.uid}/desactiver`, h);
          assertOk(off, 200, SHAPES.ClientActivateResponse);
          assertExactKeys(off.body, ['uid', 'isActive', 'message']);
          assert.equal(off.body.uid, c.uid);
          assert.equal(off.body.isActive, false);
          assert.equal((await getClient(c.uid)).isActive, false);

          const again = await call(t, 'POST', `/api/v1/clients/${c.uid}/desactiver`, h);
          assertOk(again, 200, SHAPES.ClientActivateResponse);
          assert.equal(again.body.isActive, false);

          const on = await call(t, 'POST', `/api/v1/clients/${c.uid}/activer`, h);
          assertOk(on, 200, SHAPES.ClientActivateResponse);
          assertExactKeys(on.body, ['uid', 'isActive', 'message']);
          assert.equal(on.body.uid, c.uid);
          assert.equal(on.body.isActive, true);
          assert.equal((await getClient(c.uid)).isActive, true);
        });

        it('pdp-config: not configured → exactly {isConfigured:false,message}; PUT/GET configured; flags derived; DELETE', async () => {
          const c = await create({ name: 'PDP' });
          const url = `/api/v1/clients/${c.uid}/pdp-config`;

          const none = await call(t, 'GET', url, h);
          assertOk(none, 200, SHAPES.PDPConfigResponse);
          assertExactKeys(none.body, ['isConfigured', 'message']);
          assert.equal(none.body.isConfigured, false);
          assert.equal(typeof none.body.message, 'string');
          assert.ok(none.body.message.length > 0);

          const secret = uniqueSecret('pdp');
          const put = await call(t, 'PUT', url, h, {
            json: { flowServiceUrl: 'https://flow.test/v1', tokenUrl: 'https://auth.test/token', oauthClientId: 'oauth-id', clientSecret: secret },
          });
          assertPdpConfigured(put);
          assert.ok(!put.raw.includes(secret), 'the secret is never returned');
          assert.ok(Number.isInteger(put.body.id));
          assert.equal(put.body.isActive, true, 'isActive defaults to true');
          assert.equal(put.body.modeSandbox, false, 'modeSandbox defaults to false');
          assert.equal(put.body.flowServiceUrl, 'https://flow.test/v1');
          assert.equal(put.body.tokenUrl, 'https://auth.test/token');
          assert.equal(put.body.oauthClientId, 'oauth-id');
          assert.equal(put.body.encryptionMode, 'fernet');
          assert.deepEqual({ ...put.body.secretStatus, message: 'x' }, { status: 'active', message: 'x', encryptionMode: 'fernet', requiresClientKey: false });
          assert.equal(put.body.lastTestAt, null);
          assert.equal(put.body.lastTestSuccess, null);
          assert.equal(put.body.lastTestError, null);

          const got = await call(t, 'GET', url, h);
          assertPdpConfigured(got);
          assert.deepEqual(got.body, put.body);

          let detail = await getClient(c.uid);
          assert.equal(detail.hasConfigPdp, true);
          assert.equal(detail.pdpIsActive, true);
          assert.equal(detail.pdpIsMock, false);
          assert.equal(detail.hasConfigChorus, false);

          const replaced = await call(t, 'PUT', url, h, {
            json: {
              isActive: false,
              modeSandbox: true,
              flowServiceUrl: 'https://flow.test/v2',
              tokenUrl: 'https://auth.test/token',
              oauthClientId: 'oauth-id',
              clientSecret: uniqueSecret('pdp'),
              encryptionMode: null,
            },
          });
          assertPdpConfigured(replaced);
          assert.equal(replaced.body.id, put.body.id, 'same configuration, same id');
          assert.equal(replaced.body.createdAt, put.body.createdAt);
          assert.equal(replaced.body.isActive, false);
          assert.equal(replaced.body.modeSandbox, true);
          assert.equal(replaced.body.flowServiceUrl, 'https://flow.test/v2');
          assert.equal(replaced.body.encryptionMode, 'fernet', 'null encryptionMode means the default');
          detail = await getClient(c.uid);
          assert.equal(detail.pdpIsActive, false);
          assert.equal(detail.pdpIsMock, true);

          // Chorus Pro is configured through the native route; the FactPulse flag follows.
          const chorus = await call(t, 'PUT', `/v1/clients/${c.uid}/integrations/chorus-pro`, h, {
            json: {
              apiUrl: 'https://chorus.test/api',
              tokenUrl: 'https://chorus.test/token',
              oauthClientId: 'chorus-id',
              technicalLogin: 'tech',
              clientSecret: uniqueSecret('chorus'),
              technicalPassword: uniqueSecret('tp'),
            },
          });
          assert.equal(chorus.status, 200, chorus.raw);
          detail = await getClient(c.uid);
          assert.equal(detail.hasConfigChorus, true);
          assert.equal(detail.hasConfigPdp, true);

          const del = await call(t, 'DELETE', url, h);
          assertOk(del, 200, SHAPES.WebhookSecretDeleteResponse);
          assertExactKeys(del.body, ['success', 'message']);
          assert.equal(del.body.success, true);
          const gone = await call(t, 'GET', url, h);
          assertExactKeys(gone.body, ['isConfigured', 'message']);
          assert.equal(gone.body.isConfigured, false);
          detail = await getClient(c.uid);
          assert.equal(detail.hasConfigPdp, false);
          assert.equal(detail.pdpIsActive, null);
          assert.equal(detail.pdpIsMock, null);
          assert.equal(detail.hasConfigChorus, true);

          const delAgain = await call(t, 'DELETE', url, h);
          assertOk(delAgain, 200, SHAPES.WebhookSecretDeleteResponse);
          assertExactKeys(delAgain.body, ['success', 'message']);
        });

        it('list items carry the derived integration flags too', async () => {
          const other = await t.newAccount();
          const oh = await authHeaders(t, other, form);
          const plain = await create({ name: 'Plain' }, oh);
          const withPdp = await create({ name: 'With PDP' }, oh);
          const put = await call(t, 'PUT', `/api/v1/clients/${withPdp.uid}/pdp-config`, oh, { json: { ...validPdpConfig(), modeSandbox: true } });
          assert.equal(put.status, 200, put.raw);
          const chorus = await call(t, 'PUT', `/v1/clients/${plain.uid}/integrations/chorus-pro`, oh, {
            json: { apiUrl: 'https://c.test/api', tokenUrl: 'https://c.test/token', oauthClientId: 'id', technicalLogin: 'l', clientSecret: uniqueSecret('c'), technicalPassword: uniqueSecret('p') },
          });
          assert.equal(chorus.status, 200, chorus.raw);
          const list = await call(t, 'GET', '/api/v1/clients', oh);
          assertOk(list, 200, SHAPES.ClientListResponse);
          const byUid = new Map(list.body.results.map((c: { uid: string }) => [c.uid, c]));
          assert.deepEqual((({ hasConfigPdp, pdpIsActive, pdpIsMock, hasConfigChorus }: any) => ({ hasConfigPdp, pdpIsActive, pdpIsMock, hasConfigChorus }))(byUid.get(withPdp.uid)), {
            hasConfigPdp: true,
            pdpIsActive: true,
            pdpIsMock: true,
            hasConfigChorus: false,
          });
          assert.deepEqual((({ hasConfigPdp, pdpIsActive, pdpIsMock, hasConfigChorus }: any) => ({ hasConfigPdp, pdpIsActive, pdpIsMock, hasConfigChorus }))(byUid.get(plain.uid)), {
            hasConfigPdp: false,
            pdpIsActive: null,
            pdpIsMock: null,
            hasConfigChorus: true,
          });
        });

        it('POST …/rotate-encryption-key → 200 KeyRotationResponse {success,message,rotatedCount}', async () => {
          const c = await create({ name: 'Rotating' });
          const k1 = newClientKey();
          const k2 = newClientKey();
          const put = await call(t, 'PUT', `/api/v1/clients/${c.uid}/pdp-config`, { ...h, 'X-Encryption-Key': k1.b64 }, { json: { ...validPdpConfig(), encryptionMode: 'double' } });
          assertPdpConfigured(put);
          assert.equal(put.body.encryptionMode, 'double');
          assert.equal(put.body.secretStatus.requiresClientKey, true);
          const res = await call(t, 'POST', `/api/v1/clients/${c.uid}/rotate-encryption-key`, h, { json: { oldKey: k1.b64, newKey: k2.b64 } });
          assertOk(res, 200, SHAPES.KeyRotationResponse);
          assertExactKeys(res.body, ['success', 'message', 'rotatedCount']);
          assert.equal(res.body.success, true);
          assert.equal(res.body.rotatedCount, 1);
        });

        it('webhook-secret: generate → 200 {success,webhookSecret,message,createdAt}; status; delete', async () => {
          const c = await create({ name: 'Hooks' });
          const status = (): Promise<Res> => call(t, 'GET', `/api/v1/clients/${c.uid}/webhook-secret/status`, h);

          const before = await status();
          assertOk(before, 200, SHAPES.WebhookSecretStatusResponse);
          assertExactKeys(before.body, ['hasSecret', 'createdAt']);
          assert.deepEqual(before.body, { hasSecret: false, createdAt: null });

          const gen = await call(t, 'POST', `/api/v1/clients/${c.uid}/webhook-secret/generate`, h);
          assertOk(gen, 200, SHAPES.WebhookSecretGenerateResponse);
          assertExactKeys(gen.body, ['success', 'webhookSecret', 'message', 'createdAt']);
          assert.equal(gen.body.success, true);
          assert.match(gen.body.webhookSecret, WHSEC_RE);

          const after = await status();
          assertOk(after, 200, SHAPES.WebhookSecretStatusResponse);
          assertExactKeys(after.body, ['hasSecret', 'createdAt']);
          assert.deepEqual(after.body, { hasSecret: true, createdAt: gen.body.createdAt });

          const del = await call(t, 'DELETE', `/api/v1/clients/${c.uid}/webhook-secret`, h);
          assertOk(del, 200, SHAPES.WebhookSecretDeleteResponse);
          assertExactKeys(del.body, ['success', 'message']);
          assert.equal(del.body.success, true);
          assert.deepEqual((await status()).body, { hasSecret: false, createdAt: null });
        });

        it('bodyless POSTs accept form-urlencoded + empty body (TS), no content type (Python), JSON + empty body (PHP)', async () => {
          const c = await create({ name: 'Bodyless' });
          const variants: Array<[string, Record<string, string>, { raw?: string }]> = [
            ['x-www-form-urlencoded + empty body', { 'content-type': 'application/x-www-form-urlencoded' }, { raw: '' }],
            ['no content type, no body', {}, {}],
            ['application/json + empty body', { 'content-type': 'application/json' }, { raw: '' }],
          ];
          for (const [label, extra, body] of variants) {
            const headers = { ...h, accept: 'application/json', ...extra };
            const off = await call(t, 'POST', `/api/v1/clients/${c.uid}/desactiver`, headers, body);
            assertOk(off, 200, SHAPES.ClientActivateResponse);
            assert.equal(off.body.isActive, false, label);
            const on = await call(t, 'POST', `/api/v1/clients/${c.uid}/activer`, headers, body);
            assertOk(on, 200, SHAPES.ClientActivateResponse);
            assert.equal(on.body.isActive, true, label);
            const gen = await call(t, 'POST', `/api/v1/clients/${c.uid}/webhook-secret/generate`, headers, body);
            assertOk(gen, 200, SHAPES.WebhookSecretGenerateResponse);
            assert.match(gen.body.webhookSecret, WHSEC_RE, label);
          }
        });

        it('GETs and DELETEs accept application/json + an empty body (PHP SDK)', async () => {
          const c = await create({ name: 'PHP' });
          const headers = { ...h, accept: 'application/json', 'content-type': 'application/json' };
          const empty = { raw: '' };
          assertOk(await call(t, 'GET', '/api/v1/clients', headers, empty), 200, SHAPES.ClientListResponse);
          assertOk(await call(t, 'GET', '/api/v1/clients?page=1&pageSize=5', headers, empty), 200, SHAPES.ClientListResponse);
          const detail = await call(t, 'GET', `/api/v1/clients/${c.uid}`, headers, empty);
          assertOk(detail, 200, SHAPES.ClientDetail);
          assert.deepEqual(detail.body, c);
          assertOk(await call(t, 'GET', `/api/v1/clients/${c.uid}/pdp-config`, headers, empty), 200, SHAPES.PDPConfigResponse);
          assertOk(await call(t, 'GET', `/api/v1/clients/${c.uid}/webhook-secret/status`, headers, empty), 200, SHAPES.WebhookSecretStatusResponse);
          assertOk(await call(t, 'DELETE', `/api/v1/clients/${c.uid}/webhook-secret`, headers, empty), 200, SHAPES.WebhookSecretDeleteResponse);
          assertOk(await call(t, 'DELETE', `/api/v1/clients/${c.uid}/pdp-config`, headers, empty), 200, SHAPES.WebhookSecretDeleteResponse);
        });
      });
    }

    describe('documented errors, for every operation', () => {
      let acc: TestAccount;
      let uid: string;

      before(async () => {
        acc = await t.newAccount();
        const res = await call(t, 'POST', '/api/v1/clients', acc.headers, { json: { name: 'Error target' } });
        assert.equal(res.status, 201, res.raw);
        uid = res.body.uid;
      });

      for (const op of FACTPULSE_OPS) {
        it(`${op.method} ${op.path('{uid}')} (${op.name}): 401 AUTHENTICATION_REQUIRED without or with a bad credential`, async () => {
          const before = await snapshot(t);
          assertApiError(await runOp(t, op, uid, {}), 401, 'AUTHENTICATION_REQUIRED');
          assertApiError(await runOp(t, op, uid, { authorization: 'Bearer not-a-token' }), 401, 'AUTHENTICATION_REQUIRED');
          assertApiError(await runOp(t, op, uid, { 'x-api-key': `${acc.token}x` }), 401, 'AUTHENTICATION_REQUIRED');
          assert.deepEqual(await snapshot(t), before, 'nothing changed');
        });

        if (op.level === 'client') {
          it(`${op.method} ${op.path('{uid}')} (${op.name}): 404 CLIENT_NOT_FOUND for an unknown uid, both auth forms`, async () => {
            for (const form of ['apiKey', 'bearer'] as AuthForm[]) {
              assertApiError(await runOp(t, op, MISSING_UID, await authHeaders(t, acc, form)), 404, 'CLIENT_NOT_FOUND');
            }
          });

          it(`${op.method} ${op.path('{uid}')} (${op.name}): 422 with loc ["path","uid"] for a non-UUID uid`, async () => {
            for (const bad of ['not-a-uuid', '12345', `${uid}0`]) {
              assertValidation(await runOp(t, op, bad, acc.headers), [['path', 'uid']]);
            }
          });
        }
      }
    });
  });
}
