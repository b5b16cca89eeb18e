/**
 * Secrets (docs/design.md §4, docs/factpulse.md Writes): the client webhook secret (`whsec_` + base64 of 32
 * bytes, shown once, replaced on regenerate, status, delete), and a full scenario after
 * which no secret — integration clientSecrets, the Chorus Pro technicalPassword, webhook
 * secrets, the callers' base64 AES keys — appears in any later response, any event, any
 * captured log line, or any database row (text, bytea hex/base64, the secret's UTF-8 hex).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revealClientWebhookSecret } from '../../src/core/webhook-secrets.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import {
  assertApiError,
  assertExactKeys,
  assertOk,
  assertValidation,
  bearer,
  chorusConfig,
  createRecorder,
  dumpDatabase,
  factPulseLogin,
  failingStore,
  keyLeakForms,
  leakForms,
  newClientKey,
  SHAPES,
  startTokenServer,
  uniqueSecret,
  type TokenServer,
} from '../support/factpulse.js';

const WHSEC_RE = /^whsec_([A-Za-z0-9+/]{43}=)$/;

for (const backend of testBackends()) {
  describe(`client webhook secret [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    const rec = createRecorder();

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    const stored = async (uid: string) => {
      const client = await t.services.ctx.store.clients.get(acc.accountId, uid);
      assert.ok(client);
      return revealClientWebhookSecret(t.services.ctx, client);
    };

    it('generate → whsec_ + base64 of 32 bytes, returned once; regenerate replaces it; status; delete', async () => {
      const created = await rec.call(t, 'POST', '/api/v1/clients', acc.headers, { json: { name: 'Hooked' } });
      assert.equal(created.status, 201);
      const uid = created.body.uid as string;
      const base = `/api/v1/clients/${uid}/webhook-secret`;

      const first = await rec.call(t, 'POST', `${base}/generate`, acc.headers);
      assertOk(first, 200, SHAPES.WebhookSecretGenerateResponse);
      assertExactKeys(first.body, ['success', 'webhookSecret', 'message', 'createdAt']);
      assert.equal(first.body.success, true);
      const m = WHSEC_RE.exec(first.body.webhookSecret);
      assert.ok(m, first.body.webhookSecret);
      const bytes = Buffer.from(m[1]!, 'base64');
      assert.equal(bytes.length, 32);
      assert.equal(bytes.toString('base64'), m[1], 'canonical base64');
      assert.equal(await stored(uid), first.body.webhookSecret, 'the returned value is the one that signs');

      const status1 = await rec.call(t, 'GET', `${base}/status`, acc.headers);
      assertOk(status1, 200, SHAPES.WebhookSecretStatusResponse);
      assert.deepEqual(status1.body, { hasSecret: true, createdAt: first.body.createdAt });

      const second = await rec.call(t, 'POST', `${base}/generate`, acc.headers);
      assertOk(second, 200, SHAPES.WebhookSecretGenerateResponse);
      assert.match(second.body.webhookSecret, WHSEC_RE);
      assert.notEqual(second.body.webhookSecret, first.body.webhookSecret);
      assert.equal(await stored(uid), second.body.webhookSecret, 'replaced');
      const status2 = await rec.call(t, 'GET', `${base}/status`, acc.headers);
      assert.deepEqual(status2.body, { hasSecret: true, createdAt: second.body.createdAt });
      assert.ok(Date.parse(second.body.createdAt) >= Date.parse(first.body.createdAt));

      // Through the native surface too, the status never shows it.
      const native = await rec.call(t, 'GET', `/v1/clients/${uid}/webhook-secret/status`, acc.headers);
      assert.equal(native.status, 200);
      assert.deepEqual(native.body, { hasSecret: true, createdAt: second.body.createdAt });

      const del = await rec.call(t, 'DELETE', base, acc.headers);
      assertOk(del, 200, SHAPES.WebhookSecretDeleteResponse);
      assertExactKeys(del.body, ['success', 'message']);
      assert.equal(del.body.success, true);
      assert.equal(await stored(uid), null);
      const status3 = await rec.call(t, 'GET', `${base}/status`, acc.headers);
      assertOk(status3, 200, SHAPES.WebhookSecretStatusResponse);
      assert.equal(status3.body.hasSecret, false);
      assert.equal(status3.body.createdAt ?? null, null);

      // Each secret appears in exactly one response: the one that generated it.
      for (const secret of [first.body.webhookSecret as string, second.body.webhookSecret as string]) {
        const carriers = rec.responses.filter((r) => r.raw.includes(secret) || r.headers.includes(secret));
        assert.equal(carriers.length, 1, `${secret} appears in: ${carriers.map((c) => c.what).join(', ')}`);
      }
      const events = await rec.call(t, 'GET', `/v1/events?clientId=${uid}`, acc.headers);
      assert.equal(events.status, 200, events.raw);
      assert.deepEqual(
        events.body.data
          .map((e: { type: string }) => e.type)
          .filter((x: string) => x.startsWith('webhook_secret'))
          .sort(),
        ['webhook_secret.deleted', 'webhook_secret.generated', 'webhook_secret.generated'],
      );
      assert.ok(!events.raw.includes(first.body.webhookSecret) && !events.raw.includes(second.body.webhookSecret));
    });
  });

  describe(`no secret ever leaks: responses, events, logs, database [${backend}]`, () => {
    let t: TestApp;
    let server: TokenServer;
    let acc: TestAccount;
    const rec = createRecorder();
    /** Values that must never appear anywhere except the one response allowed to carry them. */
    const integrationSecrets: string[] = [];
    const keys: string[] = [];
    const webhook: Array<{ secret: string; response: number }> = [];

    before(async () => {
      server = await startTokenServer();
      t = await createTestApp(backend, { outboundAllowHosts: '127.0.0.1' });
      acc = await t.newAccount();
    });
    after(async () => {
      await t?.close();
      await server?.close();
    });

    it('runs every secret-bearing operation', async () => {
      const h = acc.headers;
      const jwt = bearer(await factPulseLogin(t, acc));
      const newClient = async (name: string) => {
        const res = await rec.call(t, 'POST', '/api/v1/clients', h, { json: { name, siret: '12345678901234' } });
        assert.equal(res.status, 201, res.raw);
        return res.body.uid as string;
      };
      const secret = (label: string) => {
        const s = uniqueSecret(label);
        integrationSecrets.push(s);
        return s;
      };
      const key = () => {
        const k = newClientKey();
        keys.push(k.b64);
        return k.b64;
      };
      const pdp = (clientId: string, clientSecret: string, extra: Record<string, unknown> = {}) => ({
        flowServiceUrl: 'https://pdp.example.test/flow',
        tokenUrl: server.url,
        oauthClientId: clientId,
        clientSecret,
        ...extra,
      });

      // Fernet PDP + Chorus Pro, tested (success and failure).
      const a = await newClient('Fernet');
      const aPdp = secret('pdp-fernet');
      server.accept('a-pdp', aPdp);
      assert.equal((await rec.call(t, 'PUT', `/api/v1/clients/${a}/pdp-config`, h, { json: pdp('a-pdp', aPdp) })).status, 200);
      const aChorus = secret('chorus-fernet');
      const aTp = secret('tp-fernet');
      assert.equal((await rec.call(t, 'PUT', `/v1/clients/${a}/integrations/chorus-pro`, jwt, { json: chorusConfig(server.url, aChorus, aTp) })).status, 200);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${a}/integrations/pdp/test`, h)).body.lastTestSuccess, true);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${a}/integrations/chorus-pro/test`, h)).body.lastTestSuccess, false);

      // Double PDP + Chorus Pro under k1; refused attempts carrying keys and secrets.
      const b = await newClient('Double');
      const k1 = key();
      const k2 = key();
      const k3 = key();
      const bPdp = secret('pdp-double');
      const bChorus = secret('chorus-double');
      const bTp = secret('tp-double');
      server.accept('b-pdp', bPdp);
      server.accept('chorus-client', bChorus);
      assertApiError(await rec.call(t, 'PUT', `/api/v1/clients/${b}/pdp-config`, h, { json: pdp('b-pdp', bPdp, { encryptionMode: 'double' }) }), 400, 'ENCRYPTION_KEY_REQUIRED');
      assert.equal((await rec.call(t, 'PUT', `/api/v1/clients/${b}/pdp-config`, { ...h, 'x-encryption-key': k1 }, { json: pdp('b-pdp', bPdp, { encryptionMode: 'double' }) })).status, 200);
      assert.equal(
        (await rec.call(t, 'PUT', `/v1/clients/${b}/integrations/chorus-pro`, { ...h, 'x-encryption-key': k2 }, { json: { ...chorusConfig(server.url, bChorus, bTp), encryptionMode: 'double' } }))
          .status,
        400,
      );
      assert.equal(
        (await rec.call(t, 'PUT', `/v1/clients/${b}/integrations/chorus-pro`, { ...h, 'x-encryption-key': k1 }, { json: { ...chorusConfig(server.url, bChorus, bTp), encryptionMode: 'double' } }))
          .status,
        200,
      );
      assertValidation(await rec.call(t, 'PUT', `/api/v1/clients/${b}/pdp-config`, { ...h, 'x-encryption-key': k1 }, { json: pdp('b-pdp', bPdp, { encryptionMode: 'aes' }) }), [
        ['body', 'encryptionMode'],
      ]);
      assertValidation(await rec.call(t, 'POST', `/api/v1/clients/${b}/rotate-encryption-key`, h, { json: { oldKey: k1, newKey: Buffer.alloc(33).toString('base64') } }), [['body', 'newKey']]);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${b}/integrations/pdp/test`, { ...h, 'x-encryption-key': k1 })).body.lastTestSuccess, true);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${b}/integrations/chorus-pro/test`, { ...h, 'x-encryption-key': k1 })).body.lastTestSuccess, true);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${b}/integrations/pdp/test`, { ...h, 'x-encryption-key': k3 })).status, 400);

      // Rotations: wrong key, injected failure, success.
      assertApiError(await rec.call(t, 'POST', `/api/v1/clients/${b}/rotate-encryption-key`, h, { json: { oldKey: k3, newKey: k2 } }), 400, 'INVALID_ENCRYPTION_KEY');
      const original = t.services.ctx.store;
      t.services.ctx.store = failingStore(original, { calls: 0, failOn: 2 });
      try {
        assertApiError(await rec.call(t, 'POST', `/api/v1/clients/${b}/rotate-encryption-key`, jwt, { json: { oldKey: k1, newKey: k2 } }), 500, 'INTERNAL_ERROR');
      } finally {
        t.services.ctx.store = original;
      }
      const rotated = await rec.call(t, 'POST', `/api/v1/clients/${b}/rotate-encryption-key`, jwt, { json: { oldKey: k1, newKey: k2 } });
      assert.equal(rotated.status, 200, rotated.raw);
      assert.equal(rotated.body.rotatedCount, 2);
      assert.equal((await rec.call(t, 'POST', `/v1/clients/${b}/integrations/pdp/test`, { ...h, 'x-encryption-key': k2 })).body.lastTestSuccess, true);

      // Webhook secrets: generated twice (FactPulse and native), one deleted.
      for (const [i, url] of [`/api/v1/clients/${a}/webhook-secret/generate`, `/v1/clients/${b}/webhook-secret/generate`, `/api/v1/clients/${b}/webhook-secret/generate`].entries()) {
        const res = await rec.call(t, 'POST', url, i === 0 ? jwt : h);
        assert.equal(res.status, 200, res.raw);
        webhook.push({ secret: res.body.webhookSecret, response: rec.responses.length - 1 });
      }
      assert.equal((await rec.call(t, 'DELETE', `/api/v1/clients/${a}/webhook-secret`, h)).status, 200);

      // Everything that reads these records back.
      for (const uid of [a, b]) {
        for (const url of [
          `/api/v1/clients/${uid}`,
          `/api/v1/clients/${uid}/pdp-config`,
          `/api/v1/clients/${uid}/webhook-secret/status`,
          `/v1/clients/${uid}/integrations/pdp`,
          `/v1/clients/${uid}/integrations/chorus-pro`,
          `/v1/clients/${uid}/webhook-secret/status`,
          `/v1/events?clientId=${uid}`,
          `/v1/clients/${uid}`,
        ]) {
          const res = await rec.call(t, 'GET', url, h);
          assert.equal(res.status, 200, `${url}: ${res.raw}`);
        }
      }
      assert.equal((await rec.call(t, 'GET', '/api/v1/clients', jwt)).status, 200);
      assert.equal((await rec.call(t, 'GET', '/v1/events?limit=100', h)).status, 200);
      assert.equal((await rec.call(t, 'DELETE', `/api/v1/clients/${a}/pdp-config`, h)).status, 200);

      assert.equal(integrationSecrets.length, 6);
      assert.equal(keys.length, 3);
      assert.equal(webhook.length, 3);
      // The token server did receive the integration secrets (they were really used).
      assert.ok(server.hits.some((x) => x.form.client_secret === bPdp));
    });

    const needles = () => [
      ...integrationSecrets.flatMap((s) => leakForms(s).map((f) => ({ label: `integration secret ${s}`, form: f }))),
      ...keys.flatMap((k) => keyLeakForms(k).map((f) => ({ label: `encryption key ${k}`, form: f }))),
      ...webhook.flatMap((w) => leakForms(w.secret).map((f) => ({ label: `webhook secret ${w.secret}`, form: f }))),
    ];

    it('no response carries an integration secret or a key; a webhook secret only the response that generated it', () => {
      assert.ok(rec.responses.length > 40, `${rec.responses.length} responses recorded`);
      for (const [i, r] of rec.responses.entries()) {
        for (const { label, form } of needles()) {
          const allowed = webhook.some((w) => w.response === i && label === `webhook secret ${w.secret}`);
          if (allowed) continue;
          assert.ok(!r.raw.includes(form) && !r.headers.includes(form), `${label} in response #${i} ${r.what}`);
        }
      }
      for (const w of webhook) assert.ok(rec.responses[w.response]!.raw.includes(w.secret), 'the generating response did carry it');
    });

    it('no event row carries one', async () => {
      const rows = await t.database.db.selectFrom('events').selectAll().where('account_id', '=', acc.accountId).execute();
      assert.ok(rows.length >= 15, `${rows.length} events`);
      const text = JSON.stringify(rows);
      for (const type of ['integration.updated', 'integration.tested', 'encryption_key.rotated', 'webhook_secret.generated', 'webhook_secret.deleted', 'integration.deleted']) {
        assert.ok(
          rows.some((r) => r.type === type),
          `an ${type} event exists`,
        );
      }
      for (const { label, form } of needles()) assert.ok(!text.includes(form), `${label} in events`);
    });

    it('no captured log line carries one', () => {
      const text = t.logs.join('\n');
      assert.ok(t.logs.length > 40, `${t.logs.length} log lines captured`);
      assert.ok(text.includes('/rotate-encryption-key'), 'request lines are captured');
      assert.ok(text.includes('injected storage failure'), 'the injected error was logged');
      for (const { label, form } of needles()) assert.ok(!text.includes(form), `${label} in the logs`);
    });

    it('no database row carries one: row_to_json text of every table, bytea bytes, hex and base64', async () => {
      const { text, bytea } = await dumpDatabase(t);
      assert.ok(text.includes('integration_credentials: '), 'the dump covers the integrations');
      assert.ok(text.includes('client_webhook_secrets: '), 'the dump covers the webhook secrets');
      const lower = text.toLowerCase();
      for (const { label, form } of needles()) {
        assert.ok(!text.includes(form) && !lower.includes(form.toLowerCase()), `${label} in the database dump`);
      }
      const raw = [
        ...integrationSecrets.map((s) => ({ label: s, bytes: Buffer.from(s, 'utf8') })),
        ...webhook.map((w) => ({ label: w.secret, bytes: Buffer.from(w.secret, 'utf8') })),
        ...webhook.map((w) => ({ label: `${w.secret} (decoded)`, bytes: Buffer.from(w.secret.slice(6), 'base64') })),
        ...keys.map((k) => ({ label: k, bytes: Buffer.from(k, 'base64') })),
        ...keys.map((k) => ({ label: `${k} (text)`, bytes: Buffer.from(k, 'utf8') })),
      ];
      // data keys (2), sealed integration secrets (3), webhook secret (1), key hash, pepper, signing key.
      assert.ok(bytea.length >= 9, `${bytea.length} bytea values`);
      for (const value of bytea) {
        const b64 = value.toString('base64');
        for (const { label, bytes } of raw) {
          assert.ok(!value.includes(bytes), `${label} inside a bytea value`);
          assert.ok(!b64.includes(bytes.toString('base64').replace(/=+$/, '')), `${label} in a bytea value's base64`);
        }
      }
    });
  });
}
