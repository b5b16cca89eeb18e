/**
 * The SDK against the REAL server, every method: in-process (a fetch over app.inject) and
 * over a socket (127.0.0.1:0), on both databases.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Clientele, ClienteleError, type Client } from '../../sdk/src/index.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { connect, TRANSPORTS } from '../support/sdk.js';

const key32 = () => randomBytes(32).toString('base64');

async function rejects(promise: Promise<unknown>, status: number, code: string): Promise<ClienteleError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ClienteleError, `expected a ClienteleError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code, err.message);
    assert.equal(err.problem?.code, code);
    return err;
  }
  assert.fail(`expected ${status} ${code}`);
}

for (const backend of testBackends()) {
  for (const transport of TRANSPORTS) {
    describe(`SDK native API [${backend}, ${transport}]`, () => {
      let t: TestApp;
      let acc: TestAccount;
      let sdk: Clientele;
      let conn: Awaited<ReturnType<typeof connect>>;

      before(async () => {
        t = await createTestApp(backend, { outboundAllowHosts: '127.0.0.1' });
        acc = await t.newAccount('SDK Co');
        conn = await connect(t.app, transport);
        sdk = new Clientele({ ...conn, apiKey: acc.token });
      });
      after(() => t.close());

      it('clients: createBatch answers each item; createMany splits into batches, answers every item by its index and replays with per-item keys', async () => {
        const tag = randomBytes(3).toString('hex');
        // An account of its own: the other tests count the shared account's clients.
        const sdk = new Clientele({ ...conn, apiKey: (await t.newAccount('SDK batch')).token });
        const results = await sdk.clients.createBatch([{ name: `Batch ${tag}`, username: `batch-${tag}` }, { siret: 'nope' }, { name: 'Same', username: `BATCH-${tag}` }]);
        assert.deepEqual(
          results.map((r) => [r.index, r.status, r.error?.code ?? null]),
          [
            [0, 201, null],
            [1, 400, 'VALIDATION_FAILED'],
            [2, 409, 'USERNAME_TAKEN'],
          ],
        );
        assert.deepEqual(await sdk.clients.get(results[0]!.client!.id), results[0]!.client);
        assert.equal(results[1]!.error!.errors![0]!.field, 'body.siret');

        const items = Array.from({ length: 23 }, (_, i) => (i === 11 ? { name: 'bad', siret: '1' } : { name: `Many ${tag} ${i}` }));
        const keys = items.map((_, i) => `many-${tag}-${i}`);
        const seen: number[] = [];
        const first = await sdk.clients.createMany(items, { batchSize: 5, concurrency: 2, idempotencyKeys: keys, onBatch: (rs) => seen.push(...rs.map((r) => r.index)) });
        assert.deepEqual(
          first.map((r) => r.index),
          items.map((_, i) => i),
        );
        assert.deepEqual(
          [...seen].sort((a, b) => a - b),
          items.map((_, i) => i),
        );
        assert.deepEqual(
          first.map((r) => r.status),
          items.map((_, i) => (i === 11 ? 400 : 201)),
        );
        assert.equal(first[22]!.client!.name, `Many ${tag} 22`);
        const again = await sdk.clients.createMany(items, { batchSize: 7, idempotencyKeys: keys });
        assert.deepEqual(
          again.map((r) => [r.status, r.replayed ?? false]),
          items.map((_, i) => (i === 11 ? [400, false] : [201, true])),
        );
        assert.deepEqual(
          again.map((r) => r.client?.id),
          first.map((r) => r.client?.id),
          'the same clients, not new ones',
        );
        assert.equal((await sdk.clients.list({ q: `Many ${tag}` }).toArray()).length, 22);
        await assert.rejects(sdk.clients.createMany(items, { batchSize: 1001 }), RangeError);
        await rejects(sdk.clients.createBatch([]), 400, 'VALIDATION_FAILED');
      });

      it('clients: create (idempotent), get, update, list across pages, listPage, deactivate, activate, delete', async () => {
        let replayed: string | null = 'unset';
        const body = { name: 'Acme', username: `acme-${randomBytes(3).toString('hex')}`, emailAddress: 'ops@acme.test', limits: { calls: -1 } };
        const created = await sdk.clients.create(body, { idempotencyKey: 'sdk-acme-1' });
        assert.equal(created.name, 'Acme');
        assert.equal(created.isActive, true);
        const again = await sdk.clients.create(body, { idempotencyKey: 'sdk-acme-1', onResponse: (r) => (replayed = r.headers.get('idempotent-replayed')) });
        assert.equal(again.id, created.id, 'the retried create replays the first response');
        assert.equal(replayed, 'true');

        assert.deepEqual(await sdk.clients.get(created.id), created);
        const updated = await sdk.clients.update(created.id, { description: 'Main customer', emailAddress: null });
        assert.equal(updated.description, 'Main customer');
        assert.equal(updated.emailAddress, null);

        for (let i = 0; i < 4; i++) await sdk.clients.create({ name: `Paged ${i}` });
        const all: Client[] = [];
        for await (const c of sdk.clients.list({ limit: 2 })) all.push(c);
        assert.equal(all.length, 5, 'the iterator follows nextCursor over every page');
        assert.equal(new Set(all.map((c) => c.id)).size, 5);
        const page = await sdk.clients.listPage({ limit: 2 });
        assert.equal(page.data.length, 2);
        assert.ok(page.nextCursor);
        const next = await sdk.clients.listPage({ limit: 2, cursor: page.nextCursor });
        assert.notEqual(next.data[0]!.id, page.data[0]!.id);
        assert.deepEqual(
          (await sdk.clients.list({ q: 'Acme' }).toArray()).map((c) => c.id),
          [created.id],
        );
        assert.equal((await sdk.clients.list({ limit: 3 }).toArray(4)).length, 4);

        assert.equal((await sdk.clients.deactivate(created.id)).isActive, false);
        assert.deepEqual(
          (await sdk.clients.list({ isActive: false }).toArray()).map((c) => c.id),
          [created.id],
        );
        assert.equal((await sdk.clients.activate(created.id)).isActive, true);

        assert.equal(await sdk.clients.delete(created.id), undefined);
        await rejects(sdk.clients.get(created.id), 404, 'CLIENT_NOT_FOUND');
      });

      it('errors are typed: status, code, problem and field errors', async () => {
        const err = await rejects(sdk.clients.create({ name: 'Bad', siret: '123' }), 400, 'VALIDATION_FAILED');
        assert.deepEqual(
          err.fieldErrors.map((e) => e.field),
          ['body.siret'],
        );
        assert.equal(err.problem?.status, 400);
        await rejects(sdk.clients.listPage({ cursor: 'not-a-cursor' }), 400, 'VALIDATION_FAILED');
        const bad = new Clientele({ ...conn, apiKey: 'clt_wrong' });
        await rejects(bad.clients.listPage(), 401, 'UNAUTHENTICATED');
        const other = await t.newAccount();
        const mine = await sdk.clients.create({ name: 'Mine' });
        await rejects(new Clientele({ ...conn, apiKey: other.token }).clients.get(mine.id), 404, 'CLIENT_NOT_FOUND');
      });

      it('keys: create (idempotent), list, get, update, reset, verify, delete', async () => {
        const client = await sdk.clients.create({ name: 'Keyed' });
        const issued = await sdk.keys.create({ clientId: client.id, name: 'production', scopes: ['read'] }, { idempotencyKey: `k-${client.id}` });
        assert.match(issued.token, /^clt_/);
        assert.equal(issued.key.clientId, client.id);
        assert.equal((await sdk.keys.create({ clientId: client.id, name: 'production', scopes: ['read'] }, { idempotencyKey: `k-${client.id}` })).key.keyId, issued.key.keyId);
        const second = await sdk.keys.create({ clientId: client.id, name: 'staging' });

        const listed = await sdk.keys.list({ clientId: client.id, limit: 1 }).toArray();
        assert.deepEqual(listed.map((k) => k.keyId).sort(), [issued.key.keyId, second.key.keyId].sort());
        assert.equal(
          (await sdk.keys.listPage({ owner: 'account' })).data.some((k) => k.keyId === acc.keyId),
          true,
        );
        assert.equal((await sdk.keys.get(issued.key.keyId)).name, 'production');
        assert.equal((await sdk.keys.update(issued.key.keyId, { name: 'prod', enabled: true })).name, 'prod');

        assert.deepEqual(await sdk.keys.verify({ token: issued.token }), {
          valid: true,
          code: 'VALID',
          keyId: issued.key.keyId,
          accountId: acc.accountId,
          clientId: client.id,
          expiresAt: null,
          scopes: ['read'],
          ratelimits: [],
        });
        const reset = await sdk.keys.reset(issued.key.keyId, { gracePeriodSeconds: 60 });
        assert.notEqual(reset.secret, issued.secret);
        assert.equal((await sdk.keys.verify({ keyId: reset.key.keyId, secret: reset.secret })).valid, true);
        assert.equal((await sdk.keys.verify({ token: issued.token })).valid, true, 'the old secret works during the grace period');
        assert.equal((await sdk.keys.reset(second.key.keyId)).key.keyId, second.key.keyId, 'a bodyless reset');

        assert.equal(await sdk.keys.delete(second.key.keyId), undefined);
        assert.deepEqual(await sdk.keys.verify({ token: second.token }), { valid: false, code: 'NOT_FOUND', ratelimits: [] });
        await rejects(sdk.keys.get(second.key.keyId), 404, 'KEY_NOT_FOUND');

        // A client's own key acts on its client only.
        const asClient = new Clientele({ ...conn, apiKey: reset.token });
        assert.equal((await asClient.clients.get(client.id)).id, client.id);
        await rejects(asClient.clients.listPage(), 403, 'FORBIDDEN');
      });

      it('integrations: put/get/test/delete with X-Encryption-Key, and clients.rotateEncryptionKey', async () => {
        const client = await sdk.clients.create({ name: 'Integrated' });
        const oldKey = key32();
        const body = { flowServiceUrl: 'https://pdp.example/flow', tokenUrl: 'http://127.0.0.1:9/token', oauthClientId: 'oauth-id', clientSecret: 'very-secret', encryptionMode: 'double' as const };
        await rejects(sdk.integrations.put(client.id, 'pdp', body), 400, 'ENCRYPTION_KEY_REQUIRED');
        const put = await sdk.integrations.put(client.id, 'pdp', body, { encryptionKey: oldKey });
        assert.equal(put.encryptionMode, 'double');
        assert.deepEqual(put.secretStatus, { status: 'active', requiresClientKey: true });
        assert.ok(!JSON.stringify(put).includes('very-secret'));
        assert.deepEqual(await sdk.integrations.get(client.id, 'pdp'), put);

        await rejects(sdk.integrations.test(client.id, 'pdp'), 400, 'ENCRYPTION_KEY_REQUIRED');
        const tested = await sdk.integrations.test(client.id, 'pdp', { encryptionKey: oldKey });
        assert.equal(tested.lastTestSuccess, false, 'nothing listens on the token URL');
        assert.ok(tested.lastTestAt);

        const newKey = key32();
        assert.deepEqual(await sdk.clients.rotateEncryptionKey(client.id, { oldKey, newKey }), { rotatedCount: 1 });
        await rejects(sdk.integrations.test(client.id, 'pdp', { encryptionKey: oldKey }), 400, 'INVALID_ENCRYPTION_KEY');
        assert.equal((await sdk.integrations.test(client.id, 'pdp', { encryptionKey: newKey })).kind, 'pdp');

        assert.equal(await sdk.integrations.delete(client.id, 'pdp'), undefined);
        await rejects(sdk.integrations.get(client.id, 'pdp'), 404, 'INTEGRATION_NOT_FOUND');
        await rejects(sdk.clients.rotateEncryptionKey(client.id, { oldKey: newKey, newKey: key32() }), 404, 'NO_DOUBLE_ENCRYPTED_SECRETS');
      });

      it('webhook secrets: per client and the account default', async () => {
        const client = await sdk.clients.create({ name: 'Hooked' });
        assert.deepEqual(await sdk.webhookSecret.status(client.id), { hasSecret: false, createdAt: null });
        const generated = await sdk.webhookSecret.generate(client.id);
        assert.match(generated.webhookSecret, /^whsec_/);
        assert.equal((await sdk.webhookSecret.status(client.id)).hasSecret, true);
        assert.equal(await sdk.webhookSecret.delete(client.id), undefined);
        assert.equal((await sdk.webhookSecret.status(client.id)).hasSecret, false);

        const initial = await sdk.webhookSecret.account.status();
        const accountSecret = await sdk.webhookSecret.account.generate({ gracePeriodSeconds: 0 });
        assert.match(accountSecret.webhookSecret, /^whsec_/);
        assert.notEqual(accountSecret.webhookSecret, generated.webhookSecret);
        assert.equal((await sdk.webhookSecret.account.status()).hasSecret, true);
        assert.equal(typeof initial.hasSecret, 'boolean');
        assert.ok((await sdk.webhookSecret.account.generate()).webhookSecret, 'a bodyless generate');
        assert.equal(await sdk.webhookSecret.account.delete(), undefined);
        assert.equal((await sdk.webhookSecret.account.status()).hasSecret, false);
      });

      it('webhook endpoints: create, list, get, update, test, deliveries, redeliver, delete', async () => {
        const endpoint = await sdk.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', events: ['client.*'] });
        assert.equal(endpoint.enabled, true);
        assert.deepEqual(
          (await sdk.webhookEndpoints.list({ limit: 1 }).toArray()).map((e) => e.id),
          [endpoint.id],
        );
        assert.equal((await sdk.webhookEndpoints.listPage()).data.length, 1);
        assert.deepEqual(await sdk.webhookEndpoints.get(endpoint.id), endpoint);
        const updated = await sdk.webhookEndpoints.update(endpoint.id, { format: 'factpulse' });
        assert.equal(updated.format, 'factpulse');

        const delivery = await sdk.webhookEndpoints.test(endpoint.id);
        assert.equal(delivery.eventType, 'webhook.test');
        assert.equal(delivery.endpointId, endpoint.id);
        const deliveries = await sdk.webhookEndpoints.deliveries(endpoint.id).toArray();
        assert.ok(deliveries.some((d) => d.id === delivery.id));
        assert.ok((await sdk.webhookEndpoints.deliveriesPage(endpoint.id, { limit: 1 })).data.length === 1);
        const redelivered = await sdk.deliveries.redeliver(delivery.id);
        assert.equal(redelivered.eventId, delivery.eventId);

        assert.equal(await sdk.webhookEndpoints.delete(endpoint.id), undefined);
        await rejects(sdk.webhookEndpoints.get(endpoint.id), 404, 'NOT_FOUND');
      });

      it('usage: record one event and a batch, then read it', async () => {
        const client = await sdk.clients.create({ name: 'Metered', limits: { calls: 100 } });
        assert.deepEqual(await sdk.usage.record(client.id, { metric: 'calls', amount: 3, dimension: 'a.example' }), { recorded: 1 });
        assert.deepEqual(
          await sdk.usage.record(client.id, {
            events: [
              { metric: 'calls', amount: 2 },
              { metric: 'domains', amount: 1 },
            ],
          }),
          { recorded: 2 },
        );
        const usage = await sdk.usage.get(client.id);
        const calls = usage.metrics.find((m) => m.metric === 'calls');
        assert.equal(calls?.total, 5);
        assert.equal(calls?.limit, 100);
        const month = usage.month;
        assert.equal((await sdk.usage.get(client.id, { month })).month, month);
        await rejects(sdk.usage.record(client.id, { metric: 'calls', amount: 1000 }), 409, 'USAGE_LIMIT_EXCEEDED');
      });

      it('events: list (all pages, filtered) and follow new ones until aborted', async () => {
        const types = new Set<string>();
        for await (const e of sdk.events.list({ limit: 5 })) types.add(e.type);
        for (const type of ['client.created', 'client.updated', 'key.created', 'integration.updated', 'webhook_endpoint.created']) assert.ok(types.has(type), `missing ${type}`);
        const created = await sdk.events.list({ type: 'client.created' }).toArray();
        const firstPage = await sdk.events.listPage({ type: 'client.created', limit: 2 });
        assert.deepEqual(
          firstPage.data.map((e) => e.id),
          created.slice(0, 2).map((e) => e.id),
        );
        assert.ok(firstPage.nextCursor);
        assert.ok(created.length >= 5 && created.every((e) => e.type === 'client.created'));

        const controller = new AbortController();
        const seen: string[] = [];
        const following = (async () => {
          for await (const e of sdk.events.follow({ type: 'client.created', intervalMs: 20, signal: controller.signal })) {
            seen.push(String((e.data.client as { name: string }).name));
            if (seen.length === 2) controller.abort();
          }
        })();
        await new Promise((r) => setTimeout(r, 50));
        await sdk.clients.create({ name: 'Followed 1' });
        await sdk.clients.create({ name: 'Followed 2' });
        await following;
        assert.deepEqual(seen, ['Followed 1', 'Followed 2'], 'only events recorded after the start, in order');

        const everyCreated = (await sdk.events.list({ type: 'client.created' }).toArray()).map((e) => e.id);
        assert.equal(everyCreated.length, created.length + 2);
        const replay = new AbortController();
        const fromStart: string[] = [];
        for await (const e of sdk.events.follow({ since: 'beginning', type: 'client.created', signal: replay.signal, intervalMs: 10 })) {
          fromStart.push(e.id);
          if (fromStart.length === everyCreated.length) replay.abort();
        }
        assert.deepEqual(fromStart, everyCreated);
      });

      it('access tokens and client credentials (fetched by the SDK) authenticate too', async () => {
        const login = await t.app.inject({ method: 'POST', url: '/api/token/', payload: { username: acc.email, password: acc.password } });
        const viaToken = new Clientele({ ...conn, accessToken: (login.json() as { access: string }).access });
        assert.ok((await viaToken.clients.listPage()).data.length > 0);
        const viaProvider = new Clientele({ ...conn, accessToken: async () => (login.json() as { access: string }).access });
        assert.ok((await viaProvider.clients.listPage()).data.length > 0);

        const viaGrant = new Clientele({ ...conn, clientCredentials: { clientId: acc.keyId, clientSecret: acc.secret } });
        const [a, b] = await Promise.all([viaGrant.clients.listPage({ limit: 1 }), viaGrant.keys.listPage({ limit: 1 })]);
        assert.equal(a.data.length, 1);
        assert.equal(b.data.length, 1);
        const wrong = new Clientele({ ...conn, clientCredentials: { clientId: acc.keyId, clientSecret: 'nope' } });
        await assert.rejects(wrong.clients.listPage(), (err: ClienteleError) => err.status === 401 && err.code === 'INVALID_CLIENT');
      });
    });
  }
}
