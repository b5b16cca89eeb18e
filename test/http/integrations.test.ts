/**
 * Integration credentials (docs/design.md §4, docs/factpulse.md Writes): FactPulse double encryption with
 * X-Encryption-Key, one caller key per client across kinds, rotate-encryption-key (wrong
 * key, right key, no double secrets, all-or-nothing under a storage failure), and the native
 * test action against a real loopback OAuth token server (success, wrong secret, the
 * private-address guard, a missing key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import {
  assertApiError,
  assertExactKeys,
  assertOk,
  call,
  chorusConfig,
  failingStore,
  newClientKey,
  PDP_CONFIGURED_KEYS,
  RFC3339_RE,
  SECRET_STATUS_KEYS,
  SHAPES,
  snapshot,
  startTokenServer,
  storedSecrets,
  uniqueSecret,
  type Res,
  type TokenServer,
} from '../support/factpulse.js';

const PROBLEM_CT = /^application\/problem\+json/;

function assertProblem(res: Res, status: number, code: string): void {
  assert.equal(res.status, status, res.raw);
  assert.match(String(res.headers['content-type']), PROBLEM_CT);
  assert.equal(res.body.code, code, res.raw);
}

const INTEGRATION_KEYS = ['kind', 'settings', 'encryptionMode', 'secretStatus', 'lastTestAt', 'lastTestSuccess', 'lastTestError', 'createdAt', 'updatedAt'];

for (const backend of testBackends()) {
  describe(`integrations: encryption, rotation and the test action [${backend}]`, () => {
    let t: TestApp;
    let server: TokenServer;
    let acc: TestAccount;
    let h: Record<string, string>;

    before(async () => {
      server = await startTokenServer();
      t = await createTestApp(backend, { outboundAllowHosts: '127.0.0.1' });
      acc = await t.newAccount();
      h = acc.headers;
    });
    after(async () => {
      await t?.close();
      await server?.close();
    });

    const newClient = async (name: string) => {
      const res = await call(t, 'POST', '/api/v1/clients', h, { json: { name } });
      assert.equal(res.status, 201, res.raw);
      return res.body.uid as string;
    };
    /** PDP credentials the token server accepts. */
    const pdpBody = (clientId: string, secret: string, extra: Record<string, unknown> = {}) => ({
      flowServiceUrl: 'https://pdp.example.test/flow',
      tokenUrl: server.url,
      oauthClientId: clientId,
      clientSecret: secret,
      ...extra,
    });
    const putPdp = (uid: string, body: unknown, keyB64?: string) =>
      call(t, 'PUT', `/api/v1/clients/${uid}/pdp-config`, { ...h, ...(keyB64 !== undefined ? { 'X-Encryption-Key': keyB64 } : {}) }, { json: body });
    const putChorus = (uid: string, body: unknown, keyB64?: string) =>
      call(t, 'PUT', `/v1/clients/${uid}/integrations/chorus-pro`, { ...h, ...(keyB64 !== undefined ? { 'x-encryption-key': keyB64 } : {}) }, { json: body });
    const testAction = (uid: string, kind: 'pdp' | 'chorus-pro', keyB64?: string, app: TestApp = t) =>
      call(app, 'POST', `/v1/clients/${uid}/integrations/${kind}/test`, { ...h, ...(keyB64 !== undefined ? { 'x-encryption-key': keyB64 } : {}) });
    const rotate = (uid: string, oldKey: string, newKey: string) => call(t, 'POST', `/api/v1/clients/${uid}/rotate-encryption-key`, h, { json: { oldKey, newKey } });
    const getPdp = (uid: string) => call(t, 'GET', `/api/v1/clients/${uid}/pdp-config`, h);

    /** Sets up a client with PDP and Chorus Pro both double-encrypted under `key`. */
    const twoDoubleSecrets = async (name: string, key: string) => {
      const uid = await newClient(name);
      const pdpId = `pdp-${name}`;
      const chorusId = `chorus-${name}`;
      const pdpSecret = uniqueSecret('pdp');
      const chorusSecret = uniqueSecret('chorus');
      server.accept(pdpId, pdpSecret);
      server.accept(chorusId, chorusSecret);
      const p = await putPdp(uid, pdpBody(pdpId, pdpSecret, { encryptionMode: 'double' }), key);
      assert.equal(p.status, 200, p.raw);
      const c = await putChorus(uid, { ...chorusConfig(server.url, chorusSecret), oauthClientId: chorusId, encryptionMode: 'double' }, key);
      assert.equal(c.status, 200, c.raw);
      return uid;
    };
    /** Runs the test action on both kinds with `key`; returns each outcome. */
    const opens = async (uid: string, key: string) => {
      const out: Record<string, boolean | string> = {};
      for (const kind of ['pdp', 'chorus-pro'] as const) {
        const res = await testAction(uid, kind, key);
        if (res.status === 200) out[kind] = res.body.lastTestSuccess as boolean;
        else {
          assertProblem(res, 400, 'INVALID_ENCRYPTION_KEY');
          out[kind] = 'INVALID_ENCRYPTION_KEY';
        }
      }
      return out;
    };

    describe('double encryption (X-Encryption-Key)', () => {
      it("PUT pdp-config with encryptionMode 'double' and no key → 400 ENCRYPTION_KEY_REQUIRED, nothing stored", async () => {
        const uid = await newClient('No key');
        const before = await snapshot(t);
        assertApiError(await putPdp(uid, pdpBody('x', uniqueSecret('s'), { encryptionMode: 'double' })), 400, 'ENCRYPTION_KEY_REQUIRED');
        assertApiError(await putPdp(uid, pdpBody('x', uniqueSecret('s'), { encryptionMode: 'double' }), ''), 400, 'ENCRYPTION_KEY_REQUIRED');
        assert.deepEqual(await snapshot(t), before);
        const res = await getPdp(uid);
        assertExactKeys(res.body, ['isConfigured', 'message']);
        assert.equal(res.body.isConfigured, false);
      });

      it("with a key → 200, encryptionMode 'double', secretStatus.requiresClientKey true; the key is needed to use it", async () => {
        const uid = await newClient('Double');
        const key = newClientKey();
        const secret = uniqueSecret('pdp');
        server.accept('double-client', secret);
        const res = await putPdp(uid, pdpBody('double-client', secret, { encryptionMode: 'double' }), key.b64);
        assertOk(res, 200, SHAPES.PDPConfigResponse);
        assertExactKeys(res.body, PDP_CONFIGURED_KEYS);
        assertExactKeys(res.body.secretStatus, SECRET_STATUS_KEYS, 'secretStatus');
        assert.equal(res.body.encryptionMode, 'double');
        assert.equal(res.body.secretStatus.status, 'active');
        assert.equal(res.body.secretStatus.encryptionMode, 'double');
        assert.equal(res.body.secretStatus.requiresClientKey, true);
        assert.ok(!res.raw.includes(secret) && !res.raw.includes(key.b64));
        assert.deepEqual((await getPdp(uid)).body, res.body);

        const native = await call(t, 'GET', `/v1/clients/${uid}/integrations/pdp`, h);
        assert.equal(native.status, 200, native.raw);
        assertExactKeys(native.body, INTEGRATION_KEYS);
        assert.equal(native.body.encryptionMode, 'double');
        assert.deepEqual(native.body.secretStatus, { status: 'active', requiresClientKey: true });
        assert.ok(!('clientSecret' in native.body.settings));

        // Replacing it in double mode needs the key again; without it nothing changes.
        const before = await snapshot(t);
        assertApiError(await putPdp(uid, pdpBody('changed', uniqueSecret('s'), { encryptionMode: 'double' })), 400, 'ENCRYPTION_KEY_REQUIRED');
        assert.deepEqual(await snapshot(t), before);

        // The stored secret is usable with the key only.
        const hits = server.hits.length;
        assertProblem(await testAction(uid, 'pdp'), 400, 'ENCRYPTION_KEY_REQUIRED');
        assertProblem(await testAction(uid, 'pdp', newClientKey().b64), 400, 'INVALID_ENCRYPTION_KEY');
        assert.equal(server.hits.length, hits, 'no token request without the right key');
        assert.equal((await getPdp(uid)).body.lastTestAt, null, 'nothing recorded');
        const ok = await testAction(uid, 'pdp', key.b64);
        assert.equal(ok.status, 200, ok.raw);
        assert.equal(ok.body.lastTestSuccess, true);
        assert.deepEqual(server.hits.at(-1)!.form, { grant_type: 'client_credentials', client_id: 'double-client', client_secret: secret });
      });

      it('a second double secret under a DIFFERENT key → 400 INVALID_ENCRYPTION_KEY, nothing changed; the same key is accepted', async () => {
        const uid = await newClient('One key per client');
        const key = newClientKey();
        const other = newClientKey();
        assert.equal((await putPdp(uid, pdpBody('one', uniqueSecret('s'), { encryptionMode: 'double' }), key.b64)).status, 200);

        const before = await snapshot(t);
        assertProblem(await putChorus(uid, { ...chorusConfig(server.url), encryptionMode: 'double' }, other.b64), 400, 'INVALID_ENCRYPTION_KEY');
        // Replacing the PDP secret under another key would orphan the old key too.
        assertApiError(await putPdp(uid, pdpBody('one', uniqueSecret('s'), { encryptionMode: 'double' }), other.b64), 400, 'INVALID_ENCRYPTION_KEY');
        assert.deepEqual(await snapshot(t), before);
        assertProblem(await call(t, 'GET', `/v1/clients/${uid}/integrations/chorus-pro`, h), 404, 'INTEGRATION_NOT_FOUND');
        assert.equal((await call(t, 'GET', `/api/v1/clients/${uid}`, h)).body.hasConfigChorus, false);

        const same = await putChorus(uid, { ...chorusConfig(server.url), encryptionMode: 'double' }, key.b64);
        assert.equal(same.status, 200, same.raw);
        assert.equal(same.body.encryptionMode, 'double');
        assert.equal((await call(t, 'GET', `/api/v1/clients/${uid}`, h)).body.hasConfigChorus, true);
        // A fernet secret next to them needs no key.
        const fernet = await putPdp(uid, pdpBody('one', uniqueSecret('s')));
        assert.equal(fernet.status, 200, fernet.raw);
        assert.equal(fernet.body.encryptionMode, 'fernet');
        assert.equal(fernet.body.secretStatus.requiresClientKey, false);
      });
    });

    describe('rotate-encryption-key', () => {
      it('a wrong oldKey → 400 INVALID_ENCRYPTION_KEY; nothing changed; the OLD key still opens the secrets', async () => {
        const k1 = newClientKey();
        const uid = await twoDoubleSecrets('wrong-old', k1.b64);
        const stored = await storedSecrets(t, uid);
        const before = await snapshot(t);
        assertApiError(await rotate(uid, newClientKey().b64, newClientKey().b64), 400, 'INVALID_ENCRYPTION_KEY');
        assert.deepEqual(await snapshot(t), before);
        assert.deepEqual(await storedSecrets(t, uid), stored);
        const hits = server.hits.length;
        assert.deepEqual(await opens(uid, k1.b64), { pdp: true, 'chorus-pro': true });
        assert.equal(server.hits.length, hits + 2, 'both secrets reached the token server');
      });

      it('the right oldKey → {success:true, message, rotatedCount:2}; only the new key works afterwards', async () => {
        const k1 = newClientKey();
        const k2 = newClientKey();
        const uid = await twoDoubleSecrets('rotate', k1.b64);
        const stored = await storedSecrets(t, uid);
        const res = await rotate(uid, k1.b64, k2.b64);
        assertOk(res, 200, SHAPES.KeyRotationResponse);
        assertExactKeys(res.body, ['success', 'message', 'rotatedCount']);
        assert.equal(res.body.success, true);
        assert.equal(res.body.rotatedCount, 2);
        assert.ok(res.body.message.length > 0);
        assert.ok(!res.raw.includes(k1.b64) && !res.raw.includes(k2.b64));

        const now = await storedSecrets(t, uid);
        assert.notEqual(now.pdp, stored.pdp, 're-encrypted');
        assert.notEqual(now['chorus-pro'], stored['chorus-pro'], 're-encrypted');
        assert.deepEqual(await opens(uid, k2.b64), { pdp: true, 'chorus-pro': true });
        assert.deepEqual(await opens(uid, k1.b64), { pdp: 'INVALID_ENCRYPTION_KEY', 'chorus-pro': 'INVALID_ENCRYPTION_KEY' });
        // Rotating again from the retired key fails; the status still says double.
        assertApiError(await rotate(uid, k1.b64, newClientKey().b64), 400, 'INVALID_ENCRYPTION_KEY');
        const pdp = await getPdp(uid);
        assert.equal(pdp.body.encryptionMode, 'double');
        assert.equal(pdp.body.secretStatus.requiresClientKey, true);
        // New double secrets must now use the new key.
        assertProblem(await putChorus(uid, { ...chorusConfig(server.url), encryptionMode: 'double' }, k1.b64), 400, 'INVALID_ENCRYPTION_KEY');
        assert.equal((await putChorus(uid, { ...chorusConfig(server.url), encryptionMode: 'double' }, k2.b64)).status, 200);

        const events = await call(t, 'GET', `/v1/events?clientId=${uid}&type=encryption_key.rotated`, h);
        assert.equal(events.status, 200, events.raw);
        assert.equal(events.body.data.length, 1);
        assert.equal(events.body.data[0].data.rotatedCount, 2);
      });

      it('a client with no double-encrypted secrets → 404; nothing changed', async () => {
        const empty = await newClient('Nothing');
        const fernetOnly = await newClient('Fernet only');
        assert.equal((await putPdp(fernetOnly, pdpBody('f', uniqueSecret('s')))).status, 200);
        assert.equal((await putChorus(fernetOnly, chorusConfig(server.url))).status, 200);
        const before = await snapshot(t);
        for (const uid of [empty, fernetOnly]) {
          assertApiError(await rotate(uid, newClientKey().b64, newClientKey().b64), 404, 'NO_DOUBLE_ENCRYPTED_SECRETS');
        }
        assert.deepEqual(await snapshot(t), before);
      });

      it('is all or nothing: a storage failure on the 2nd secret → 500 INTERNAL_ERROR; the old key still opens both, the new key none', async () => {
        const k1 = newClientKey();
        const k2 = newClientKey();
        const uid = await twoDoubleSecrets('atomic', k1.b64);
        const stored = await storedSecrets(t, uid);
        const before = await snapshot(t);
        const original = t.services.ctx.store;
        const state = { calls: 0, failOn: 2 };
        t.services.ctx.store = failingStore(original, state);
        let res: Res;
        try {
          res = await rotate(uid, k1.b64, k2.b64);
        } finally {
          t.services.ctx.store = original;
        }
        assert.equal(state.calls, 2, 'the first secret was re-encrypted and written before the failure');
        assertApiError(res, 500, 'INTERNAL_ERROR');
        assert.ok(!res.raw.includes('injected'), 'no internal detail in the response');
        assert.deepEqual(await storedSecrets(t, uid), stored, 'both rows as before');
        assert.deepEqual(await snapshot(t), before, 'no row and no event changed');
        assert.ok(
          t.logs.some((l) => l.includes('injected storage failure')),
          'the failure was logged',
        );

        assert.deepEqual(await opens(uid, k1.b64), { pdp: true, 'chorus-pro': true });
        assert.deepEqual(await opens(uid, k2.b64), { pdp: 'INVALID_ENCRYPTION_KEY', 'chorus-pro': 'INVALID_ENCRYPTION_KEY' });
        // And a retry without the fault completes.
        const retry = await rotate(uid, k1.b64, k2.b64);
        assertOk(retry, 200, SHAPES.KeyRotationResponse);
        assert.equal(retry.body.rotatedCount, 2);
        assert.deepEqual(await opens(uid, k2.b64), { pdp: true, 'chorus-pro': true });
      });
    });

    describe('the native test action (POST /v1/clients/{id}/integrations/{kind}/test)', () => {
      it('a real token request; success is recorded and visible in GET pdp-config', async () => {
        const uid = await newClient('Tested');
        const secret = uniqueSecret('pdp');
        server.accept('tested-client', secret);
        assert.equal((await putPdp(uid, pdpBody('tested-client', secret))).status, 200);
        const hits = server.hits.length;
        const started = Date.now();
        const res = await testAction(uid, 'pdp');
        assert.equal(res.status, 200, res.raw);
        assertExactKeys(res.body, INTEGRATION_KEYS);
        assert.equal(res.body.lastTestSuccess, true);
        assert.equal(res.body.lastTestError, null);
        assert.match(res.body.lastTestAt, RFC3339_RE);
        assert.ok(Date.parse(res.body.lastTestAt) >= started - 1000);
        assert.ok(!res.raw.includes(secret));

        assert.equal(server.hits.length, hits + 1);
        const hit = server.hits.at(-1)!;
        assert.equal(hit.path, '/token');
        assert.match(hit.contentType ?? '', /^application\/x-www-form-urlencoded/);
        assert.deepEqual(hit.form, { grant_type: 'client_credentials', client_id: 'tested-client', client_secret: secret });

        const pdp = await getPdp(uid);
        assertOk(pdp, 200, SHAPES.PDPConfigResponse);
        assert.equal(pdp.body.lastTestAt, res.body.lastTestAt);
        assert.equal(pdp.body.lastTestSuccess, true);
        assert.equal(pdp.body.lastTestError, null);

        // Replacing the configuration keeps the last test outcome.
        assert.equal((await putPdp(uid, pdpBody('tested-client', secret, { modeSandbox: true }))).body.lastTestSuccess, true);
      });

      it('a wrong secret at the token server → lastTestSuccess false, and lastTestError does not contain the secret', async () => {
        const uid = await newClient('Wrong secret');
        const wrong = uniqueSecret('wrong');
        server.accept('wrong-client', uniqueSecret('right'));
        assert.equal((await putPdp(uid, pdpBody('wrong-client', wrong))).status, 200);
        const hits = server.hits.length;
        const res = await testAction(uid, 'pdp');
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.body.lastTestSuccess, false);
        assert.equal(typeof res.body.lastTestError, 'string');
        assert.match(res.body.lastTestError, /401/);
        assert.ok(!res.body.lastTestError.includes(wrong));
        assert.ok(!res.raw.includes(wrong));
        assert.equal(server.hits.length, hits + 1, 'the server was asked');
        assert.equal(server.hits.at(-1)!.form.client_secret, wrong);

        const pdp = await getPdp(uid);
        assert.equal(pdp.body.lastTestSuccess, false);
        assert.equal(pdp.body.lastTestError, res.body.lastTestError);
        assert.equal(pdp.body.lastTestAt, res.body.lastTestAt);
        assert.ok(!pdp.raw.includes(wrong));
      });

      it('chorus-pro is tested the same way (its own client id and secret)', async () => {
        const uid = await newClient('Chorus tested');
        const secret = uniqueSecret('chorus');
        server.accept('chorus-tested', secret);
        assert.equal((await putChorus(uid, { ...chorusConfig(server.url, secret), oauthClientId: 'chorus-tested' })).status, 200);
        const res = await testAction(uid, 'chorus-pro');
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.body.lastTestSuccess, true);
        assert.deepEqual(server.hits.at(-1)!.form, { grant_type: 'client_credentials', client_id: 'chorus-tested', client_secret: secret });
      });

      it('without loopback allowed (the default), the request is refused as "not allowed" and never reaches the server', async () => {
        const guarded = await createTestApp(backend);
        try {
          const a = await guarded.newAccount();
          const secret = uniqueSecret('ssrf');
          server.accept('ssrf-client', secret);
          const urls = [
            server.url,
            `http://localhost:${server.port}/token`,
            `http://[::1]:${server.port}/token`,
            `http://127.1:${server.port}/token`,
            `http://[::ffff:127.0.0.1]:${server.port}/token`,
          ];
          for (const tokenUrl of urls) {
            const c = await call(guarded, 'POST', '/api/v1/clients', a.headers, { json: { name: tokenUrl } });
            assert.equal(c.status, 201, c.raw);
            const put = await call(guarded, 'PUT', `/api/v1/clients/${c.body.uid}/pdp-config`, a.headers, { json: pdpBody('ssrf-client', secret, { tokenUrl }) });
            assert.equal(put.status, 200, put.raw);
            const hits = server.hits.length;
            const res = await call(guarded, 'POST', `/v1/clients/${c.body.uid}/integrations/pdp/test`, a.headers);
            assert.equal(res.status, 200, res.raw);
            assert.equal(res.body.lastTestSuccess, false, tokenUrl);
            assert.match(res.body.lastTestError, /not allowed/, tokenUrl);
            assert.ok(!res.body.lastTestError.includes(secret));
            assert.equal(server.hits.length, hits, `${tokenUrl} never reached the server`);
            const pdp = await call(guarded, 'GET', `/api/v1/clients/${c.body.uid}/pdp-config`, a.headers);
            assert.equal(pdp.body.lastTestSuccess, false);
            assert.match(pdp.body.lastTestError, /not allowed/);
          }
        } finally {
          await guarded.close();
        }
      });

      it('double mode without X-Encryption-Key → 400 ENCRYPTION_KEY_REQUIRED; nothing recorded, nothing sent', async () => {
        const k = newClientKey();
        const uid = await twoDoubleSecrets('test-no-key', k.b64);
        const before = await snapshot(t);
        const hits = server.hits.length;
        for (const kind of ['pdp', 'chorus-pro'] as const) assertProblem(await testAction(uid, kind), 400, 'ENCRYPTION_KEY_REQUIRED');
        assert.equal(server.hits.length, hits);
        assert.deepEqual(await snapshot(t), before);
      });

      it('nothing configured → 404 INTEGRATION_NOT_FOUND', async () => {
        const uid = await newClient('Unconfigured');
        assertProblem(await testAction(uid, 'pdp'), 404, 'INTEGRATION_NOT_FOUND');
        assertProblem(await testAction(uid, 'chorus-pro'), 404, 'INTEGRATION_NOT_FOUND');
      });
    });
  });
}
