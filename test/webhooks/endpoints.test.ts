/**
 * Webhook endpoint management over HTTP: CRUD, defaults, validation errors naming the field,
 * tenant isolation, and the account default secret routes (generate / status / delete).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVENT_TYPES } from '../../src/core/event-types.js';
import { testBackends } from '../support/databases.js';
import { accountSecret, assertInvalid, createClient, createEndpoint, createHarness, type Harness } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ENDPOINT_KEYS = ['clientId', 'createdAt', 'disabledReason', 'enabled', 'events', 'format', 'id', 'updatedAt', 'url'];

for (const backend of testBackends()) {
  describe(`webhook endpoints API [${backend}]`, () => {
    let h: Harness;
    // Public-looking hosts: endpoint creation resolves names, so use IP literals outside every denied range.
    const URL_A = 'https://93.184.215.14/hooks/a';
    const URL_B = 'http://93.184.215.14:8443/hooks/b?x=1';

    before(async () => {
      h = await createHarness(backend);
    });
    after(async () => {
      await h?.close();
    });

    it('creates with defaults, reads, lists with a cursor, updates, deletes', async () => {
      const a = await createEndpoint(h, { url: URL_A });
      assert.deepEqual(Object.keys(a).sort(), ENDPOINT_KEYS);
      assert.match(a.id, UUID);
      assert.equal(a.url, URL_A);
      assert.equal(a.events, null, 'absent events = every event');
      assert.equal(a.clientId, null);
      assert.equal(a.format, 'native');
      assert.equal(a.enabled, true);
      assert.equal(a.disabledReason, null);
      assert.match(a.createdAt, ISO);
      assert.equal(a.createdAt, a.updatedAt);

      const clientId = await createClient(h, 'Filter Co');
      const b = await createEndpoint(h, { url: URL_B, events: ['client.*', 'key.created'], clientId, format: 'factpulse', enabled: false });
      assert.deepEqual(b.events, ['client.*', 'key.created']);
      assert.equal(b.clientId, clientId);
      assert.equal(b.format, 'factpulse');
      assert.equal(b.enabled, false);

      const got = await h.call('GET', `/v1/webhook-endpoints/${b.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, b);

      const page1 = await h.call('GET', '/v1/webhook-endpoints?limit=1');
      assert.equal(page1.status, 200);
      assert.deepEqual(
        page1.body.data.map((e: any) => e.id),
        [a.id],
      );
      assert.equal(typeof page1.body.nextCursor, 'string');
      const page2 = await h.call('GET', `/v1/webhook-endpoints?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`);
      assert.deepEqual(
        page2.body.data.map((e: any) => e.id),
        [b.id],
      );
      const all = await h.call('GET', '/v1/webhook-endpoints');
      assert.deepEqual(
        all.body.data.map((e: any) => e.id),
        [a.id, b.id],
      );
      assert.equal(all.body.nextCursor, null);

      const patched = await h.call('PATCH', `/v1/webhook-endpoints/${b.id}`, { events: null, clientId: null, format: 'native', enabled: true, url: 'https://93.184.215.14/new' });
      assert.equal(patched.status, 200, patched.raw);
      assert.equal(patched.body.events, null);
      assert.equal(patched.body.clientId, null);
      assert.equal(patched.body.format, 'native');
      assert.equal(patched.body.enabled, true);
      assert.equal(patched.body.url, 'https://93.184.215.14/new');
      assert.ok(patched.body.updatedAt >= b.updatedAt);
      const noop = await h.call('PATCH', `/v1/webhook-endpoints/${b.id}`, {});
      assert.equal(noop.status, 200);
      assert.deepEqual(noop.body, patched.body);

      const del = await h.call('DELETE', `/v1/webhook-endpoints/${b.id}`);
      assert.equal(del.status, 204);
      assert.equal((await h.call('GET', `/v1/webhook-endpoints/${b.id}`)).status, 404);
      assert.equal((await h.call('DELETE', `/v1/webhook-endpoints/${b.id}`)).status, 404);
      assert.equal((await h.call('PATCH', `/v1/webhook-endpoints/${b.id}`, { enabled: false })).status, 404);
      assert.equal((await h.call('GET', `/v1/webhook-endpoints/${b.id}/deliveries`)).status, 404);
      assert.equal((await h.call('POST', `/v1/webhook-endpoints/${b.id}/test`)).status, 404);

      // Each change is in the audit log, without secrets.
      const types = (await h.call('GET', '/v1/events?limit=100')).body.data.map((e: any) => e.type);
      for (const t of ['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.deleted']) assert.ok(types.includes(t), t);
    });

    it('rejects invalid input with a 400 naming the field', async () => {
      const e = await createEndpoint(h, { url: URL_A });
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', '/v1/webhook-endpoints', {}, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: '' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: 5 }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: 'not a url' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: '/relative/path' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: 'ftp://93.184.215.14/x' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: 'javascript:alert(1)' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: 'https://user:pw@93.184.215.14/x' }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: `https://93.184.215.14/${'x'.repeat(2100)}` }, 'body.url'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, events: 'client.*' }, 'body.events'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, events: ['Client.Created'] }, 'body.events.0'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, events: ['client.created', 'client*'] }, 'body.events.1'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, events: ['client.created', 'client.created'] }, 'body.events'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, format: 'xml' }, 'body.format'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, enabled: 'yes' }, 'body.enabled'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, clientId: 'abc' }, 'body.clientId'],
        ['POST', '/v1/webhook-endpoints', { url: URL_A, secret: 'whsec_x' }, 'body.secret'],
        ['PATCH', `/v1/webhook-endpoints/${e.id}`, { url: 'nope' }, 'body.url'],
        ['PATCH', `/v1/webhook-endpoints/${e.id}`, { events: ['a b'] }, 'body.events.0'],
        ['PATCH', `/v1/webhook-endpoints/${e.id}`, { format: 'FACTPULSE' }, 'body.format'],
        ['PATCH', `/v1/webhook-endpoints/${e.id}`, { enabled: null }, 'body.enabled'],
        ['PATCH', `/v1/webhook-endpoints/${e.id}`, { bogus: 1 }, 'body.bogus'],
        ['POST', '/v1/webhook-secret/generate', { gracePeriodSeconds: -1 }, 'body.gracePeriodSeconds'],
        ['POST', '/v1/webhook-secret/generate', { gracePeriodSeconds: 604801 }, 'body.gracePeriodSeconds'],
        ['POST', '/v1/webhook-secret/generate', { gracePeriodSeconds: '60' }, 'body.gracePeriodSeconds'],
        ['POST', '/v1/webhook-secret/generate', { gracePeriodSeconds: 1.5 }, 'body.gracePeriodSeconds'],
      ];
      for (const [method, url, body, field] of cases) assertInvalid(await h.call(method, url, body), field, `${method} ${url} ${JSON.stringify(body).slice(0, 80)}`);

      assertInvalid(await h.call('GET', '/v1/webhook-endpoints/not-a-uuid'), 'params.id');
      assertInvalid(await h.call('POST', '/v1/deliveries/not-a-uuid/redeliver'), 'params.id');
      assertInvalid(await h.call('GET', '/v1/webhook-endpoints?limit=0'), 'query.limit');
      assertInvalid(await h.call('GET', `/v1/webhook-endpoints/${e.id}/deliveries?limit=101`), 'query.limit');
      // Nothing was changed by the rejected PATCHes.
      const still = await h.call('GET', `/v1/webhook-endpoints/${e.id}`);
      assert.deepEqual(still.body, e);
      // A client that does not exist (or of another account) cannot be targeted.
      const missingClient = await h.call('POST', '/v1/webhook-endpoints', { url: URL_A, clientId: '0190a0a0-0000-7000-8000-000000000000' });
      assert.equal(missingClient.status, 404, missingClient.raw);
    });

    it('accepts every event type the server records as a filter, digits included (user.2fa_enabled), and lists events by it', async () => {
      const e = await createEndpoint(h, { url: URL_A, events: [...EVENT_TYPES] });
      assert.deepEqual(e.events, [...EVENT_TYPES]);
      const patched = await h.call('PATCH', `/v1/webhook-endpoints/${e.id}`, { events: ['user.2fa_enabled', 'user.2fa_disabled'] });
      assert.equal(patched.status, 200, patched.raw);
      assert.deepEqual(patched.body.events, ['user.2fa_enabled', 'user.2fa_disabled']);
      const listed = await h.call('GET', '/v1/events?type=user.2fa_enabled');
      assert.equal(listed.status, 200, listed.raw);
      assert.equal((await h.call('DELETE', `/v1/webhook-endpoints/${e.id}`)).status, 204);
    });

    it('isolates tenants: another account can neither see nor touch the endpoint or its deliveries', async () => {
      const mine = await createEndpoint(h, { url: URL_A });
      const other = await h.t.newAccount('Other Co');
      const as = (m: string, u: string, p?: unknown) => h.call(m, u, p, other.headers);
      assert.equal((await as('GET', `/v1/webhook-endpoints/${mine.id}`)).status, 404);
      assert.equal((await as('PATCH', `/v1/webhook-endpoints/${mine.id}`, { enabled: false })).status, 404);
      assert.equal((await as('DELETE', `/v1/webhook-endpoints/${mine.id}`)).status, 404);
      assert.equal((await as('GET', `/v1/webhook-endpoints/${mine.id}/deliveries`)).status, 404);
      assert.equal((await as('POST', `/v1/webhook-endpoints/${mine.id}/test`)).status, 404);
      assert.deepEqual((await as('GET', '/v1/webhook-endpoints')).body.data, []);
      const test = await h.call('POST', `/v1/webhook-endpoints/${mine.id}/test`);
      assert.equal(test.status, 202);
      assert.equal((await as('POST', `/v1/deliveries/${test.body.id}/redeliver`)).status, 404);
      // Another account's client cannot be an endpoint's filter.
      const otherClient = await as('POST', '/v1/clients', { name: 'Theirs' });
      const cross = await h.call('POST', '/v1/webhook-endpoints', { url: URL_A, clientId: otherClient.body.id });
      assert.equal(cross.status, 404, cross.raw);
      assert.equal((await h.call('GET', `/v1/webhook-endpoints/${mine.id}`)).body.enabled, true);
      // Unauthenticated: 401.
      assert.equal((await h.call('GET', '/v1/webhook-endpoints', undefined, {})).status, 401);
      assert.equal((await h.call('POST', '/v1/webhook-secret/generate', {}, {})).status, 401);
    });

    it('account default secret: generate shows it once, status tells whether one exists, delete removes it', async () => {
      const before = await h.call('GET', '/v1/webhook-secret/status');
      assert.equal(before.status, 200);
      assert.deepEqual(before.body, { hasSecret: false, createdAt: null });
      const gen = await h.call('POST', '/v1/webhook-secret/generate');
      assert.equal(gen.status, 200, gen.raw);
      assert.deepEqual(Object.keys(gen.body).sort(), ['createdAt', 'webhookSecret']);
      assert.match(gen.body.webhookSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(gen.body.webhookSecret.slice(6), 'base64').length, 32);
      const status = await h.call('GET', '/v1/webhook-secret/status');
      assert.deepEqual(status.body, { hasSecret: true, createdAt: gen.body.createdAt });
      assert.ok(!status.raw.includes(gen.body.webhookSecret));
      const second = await accountSecret(h, 60);
      assert.notEqual(second, gen.body.webhookSecret, 'generate replaces the secret');
      // The secret never shows up anywhere else: events, endpoints.
      const events = await h.call('GET', '/v1/events?limit=100');
      assert.ok(events.body.data.some((e: any) => e.type === 'webhook_secret.generated'));
      assert.ok(!events.raw.includes(gen.body.webhookSecret) && !events.raw.includes(second));
      assert.ok(!events.raw.includes(gen.body.webhookSecret.slice(6)) && !events.raw.includes(second.slice(6)));
      assert.equal((await h.call('DELETE', '/v1/webhook-secret')).status, 204);
      assert.deepEqual((await h.call('GET', '/v1/webhook-secret/status')).body, { hasSecret: false, createdAt: null });
      assert.equal((await h.call('DELETE', '/v1/webhook-secret')).status, 204, 'deleting twice is fine');
      for (const s of [gen.body.webhookSecret, second, second.slice(6)]) assert.ok(!h.t.logs.join('\n').includes(s), 'secret in logs');
    });
  });
}
