/**
 * Usage metering (`/v1/clients/{id}/usage`) and its effects elsewhere: single and batched
 * reports (all or nothing), limits (`domains`, `whitelabels`, `widgetDisplaysPerMonth`,
 * `calls`; -1 unlimited) refused with USAGE_LIMIT_EXCEEDED, gauges going down but never
 * below zero, per-month limits, the `usage.limit_reached` event, key verifications counted
 * as `calls` (by dimension) and shown by GET usage and the CCM19 counters, USAGE_EXCEEDED
 * on verify over the `calls` limit, and the batching: no database write per verification,
 * everything written on flush and on `services.stop()`.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../src/core/accounts.js';
import { createKeyring } from '../../src/crypto/envelope.js';
import { randomBytes } from '../../src/crypto/random.js';
import { buildApp, type App } from '../../src/http/app.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestApp, toTestAccount, type TestAccount, type TestApp } from '../support/app.js';
import { openTestDatabase, testBackends, type BackendName, type TestDatabase } from '../support/databases.js';
import { assertProblem, call, createClient, issueKey, JSON_TYPE } from '../support/http.js';

const METRIC_KEYS = ['byDimension', 'limit', 'metric', 'month', 'monthlyLimit', 'total'];
const UNKNOWN_ID = '00000000-0000-7000-8000-000000000000';

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** A Clientele whose key-usage batch never flushes on its own (only flush() and stop() write). */
async function createQuietApp(backend: BackendName): Promise<{ app: App; services: Services; database: TestDatabase; acc: TestAccount; close(): Promise<void> }> {
  const database = await openTestDatabase(backend);
  const services = await createServices({ database, keyring: createKeyring(randomBytes(32)), issuer: 'http://clientele.test', keyUsageFlushMs: 3_600_000 });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const app = await buildApp({ ctx: services.ctx, ready: async () => true, logLevel: 'warn', logStream: sink });
  await app.ready();
  const acc = toTestAccount(await createAccount(services.ctx, { name: 'Quiet', email: `quiet-${randomBytes(4).toString('hex')}@tenant.test`, password: `pw-${randomBytes(8).toString('hex')}` }));
  let closed = false;
  return {
    app,
    services,
    database,
    acc,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await services.stop();
      await database.close();
    },
  };
}

for (const backend of testBackends()) {
  describe(`usage metering [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let other: TestAccount;
    let h: Record<string, string>;
    let clock = Date.parse('2025-01-20T12:00:00.000Z');
    const month = () => monthOf(clock);

    const req = (method: string, url: string, payload?: unknown, headers = h) => call(t, method, url, headers, payload);
    const newClient = (body: Record<string, unknown> = {}, headers = h): Promise<{ id: string }> => createClient(t, headers, { name: 'Metered', ...body });
    const report = (id: string, body: unknown) => req('POST', `/v1/clients/${id}/usage`, body);
    const recorded = async (id: string, body: unknown, n = 1) => {
      const res = await report(id, body);
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body, { recorded: n });
    };
    const usage = async (id: string, query = '') => {
      const res = await req('GET', `/v1/clients/${id}/usage${query}`);
      assert.equal(res.status, 200, res.raw);
      return res.body as { clientId: string; month: string; metrics: any[] };
    };
    const metric = async (id: string, name: string, query = '') => (await usage(id, query)).metrics.find((m) => m.metric === name);
    const newKey = (clientId: string) => issueKey(t, h, { clientId });
    const verify = (body: Record<string, unknown>) => req('POST', '/v1/keys/verify', body);
    const limitEvents = async (clientId: string) => {
      const res = await req('GET', `/v1/events?type=usage.limit_reached&clientId=${clientId}&limit=100`);
      assert.equal(res.status, 200, res.raw);
      return res.body.data as any[];
    };
    const ccmList = async (id: string) => {
      const res = await call(t, 'GET', `/hosting/api/client?apiKey=${acc.token}`, {});
      assert.equal(res.status, 200, res.raw);
      return JSON.parse(res.raw).find((c: any) => c.id === id);
    };
    const ccmOne = async (id: string) => {
      const res = await call(t, 'GET', `/hosting/api/client/${id}?apiKey=${acc.token}`, {});
      assert.equal(res.status, 200, res.raw);
      return res.body;
    };

    before(async () => {
      t = await createTestApp(backend, { now: () => new Date(clock) });
      acc = await t.newAccount();
      other = await t.newAccount();
      h = acc.headers;
    });
    after(async () => {
      await t?.close();
    });

    describe('reporting and reading', () => {
      it('one event: {recorded: 1}; GET gives total, month, limits and byDimension per metric', async () => {
        const c = await newClient({ limits: { domains: 10, widgetDisplaysPerMonth: 100 } });
        const res = await report(c.id, { metric: 'domains', amount: 2, dimension: 'a.example' });
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assert.deepEqual(res.body, { recorded: 1 });

        const u = await usage(c.id);
        assert.deepEqual(Object.keys(u).sort(), ['clientId', 'metrics', 'month']);
        assert.equal(u.clientId, c.id);
        assert.equal(u.month, month());
        assert.equal(u.metrics.length, 1);
        assert.deepEqual(Object.keys(u.metrics[0]).sort(), METRIC_KEYS);
        assert.deepEqual(u.metrics[0], { metric: 'domains', total: 2, month: 2, limit: 10, monthlyLimit: null, byDimension: [{ dimension: 'a.example', total: 2, month: 2 }] });
      });

      it('a batch {events: […]} records every event', async () => {
        const c = await newClient({ limits: { widgetDisplaysPerMonth: 100 } });
        await recorded(
          c.id,
          {
            events: [
              { metric: 'widgetDisplays', amount: 5 },
              { metric: 'domains', amount: 1, dimension: 'x.example' },
              { metric: 'widgetDisplays', amount: 2 },
            ],
          },
          3,
        );
        assert.deepEqual(await metric(c.id, 'widgetDisplays'), { metric: 'widgetDisplays', total: 7, month: 7, limit: null, monthlyLimit: 100, byDimension: [] });
        assert.deepEqual(await metric(c.id, 'domains'), { metric: 'domains', total: 1, month: 1, limit: null, monthlyLimit: null, byDimension: [{ dimension: 'x.example', total: 1, month: 1 }] });
      });

      it('a batch is all or nothing: one event over a limit, below zero or invalid refuses the whole batch', async () => {
        const c = await newClient({ limits: { domains: 3 } });
        const over = await report(c.id, {
          events: [
            { metric: 'widgetDisplays', amount: 4 },
            { metric: 'domains', amount: 2 },
            { metric: 'domains', amount: 2 },
          ],
        });
        assertProblem(over, 409, 'USAGE_LIMIT_EXCEEDED');
        assert.deepEqual((await usage(c.id)).metrics, []);
        assertProblem(
          await report(c.id, {
            events: [
              { metric: 'whitelabels', amount: 1 },
              { metric: 'domains', amount: -1 },
            ],
          }),
          400,
          'VALIDATION_FAILED',
        );
        assertProblem(
          await report(c.id, {
            events: [
              { metric: 'whitelabels', amount: 1 },
              { metric: '1bad', amount: 1 },
            ],
          }),
          400,
          'VALIDATION_FAILED',
        );
        assertProblem(
          await report(c.id, {
            events: [
              { metric: 'whitelabels', amount: 1 },
              { metric: 'domains', amount: 0 },
            ],
          }),
          400,
          'VALIDATION_FAILED',
        );
        assertProblem(
          await report(c.id, {
            events: [
              { metric: 'whitelabels', amount: 1 },
              { metric: 'domains', amount: 1.5 },
            ],
          }),
          400,
          'VALIDATION_FAILED',
        );
        assertProblem(await report(c.id, { events: [] }), 400, 'VALIDATION_FAILED');
        assertProblem(
          await report(c.id, {
            events: [
              { metric: 'whitelabels', amount: 1 },
              { metric: 'domains', amount: 1, at: new Date(clock + 3_600_000).toISOString() },
            ],
          }),
          400,
          'VALIDATION_FAILED',
        );
        assert.deepEqual((await usage(c.id)).metrics, [], 'a refused batch left something behind');
        await recorded(
          c.id,
          {
            events: [
              { metric: 'domains', amount: 3 },
              { metric: 'whitelabels', amount: 1 },
            ],
          },
          2,
        );
        assert.equal((await metric(c.id, 'domains')).total, 3);
      });

      it("only the owning account reports and reads: 404 for another account's or an unknown client, 403 for a client key", async () => {
        const c = await newClient();
        const theirs = await newClient({}, other.headers);
        assertProblem(await report(theirs.id, { metric: 'domains', amount: 1 }), 404, 'CLIENT_NOT_FOUND');
        assertProblem(await req('GET', `/v1/clients/${theirs.id}/usage`), 404, 'CLIENT_NOT_FOUND');
        assertProblem(await report(UNKNOWN_ID, { metric: 'domains', amount: 1 }), 404, 'CLIENT_NOT_FOUND');
        const key = await newKey(c.id);
        assertProblem(await req('POST', `/v1/clients/${c.id}/usage`, { metric: 'domains', amount: 1 }, { 'x-api-key': key.token }), 403, 'FORBIDDEN');
        assert.deepEqual((await usage(c.id)).metrics, []);
        const theirUsage = await call(t, 'GET', `/v1/clients/${theirs.id}/usage`, other.headers);
        assert.deepEqual(theirUsage.body.metrics, []);
      });
    });

    describe('limits', () => {
      it('refuses with 409 USAGE_LIMIT_EXCEEDED and records nothing; -1 and no entry mean unlimited', async () => {
        const c = await newClient({ limits: { domains: 2, whitelabels: -1 } });
        await recorded(c.id, { metric: 'domains', amount: 2 });
        const refused = await report(c.id, { metric: 'domains', amount: 1, dimension: 'third.example' });
        assertProblem(refused, 409, 'USAGE_LIMIT_EXCEEDED');
        assert.match(refused.body.detail, /domains/);
        assert.deepEqual(await metric(c.id, 'domains'), { metric: 'domains', total: 2, month: 2, limit: 2, monthlyLimit: null, byDimension: [] });
        await recorded(c.id, { metric: 'whitelabels', amount: 100_000 });
        await recorded(c.id, { metric: 'somethingElse', amount: 1_000_000 });
        assert.equal((await metric(c.id, 'whitelabels')).limit, null);
        // Lowering makes room again; raising the limit too.
        await recorded(c.id, { metric: 'domains', amount: -1 });
        await recorded(c.id, { metric: 'domains', amount: 1 });
        assertProblem(await report(c.id, { metric: 'domains', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');
        assert.equal((await req('PATCH', `/v1/clients/${c.id}`, { limits: { domains: 3 } })).status, 200);
        await recorded(c.id, { metric: 'domains', amount: 1 });
        assert.equal((await metric(c.id, 'domains')).total, 3);
      });

      it('a limit of 0 allows nothing', async () => {
        const c = await newClient({ limits: { whitelabels: 0 } });
        assertProblem(await report(c.id, { metric: 'whitelabels', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');
        assert.deepEqual((await usage(c.id)).metrics, []);
      });

      it('negative amounts lower a gauge; going below zero is refused and changes nothing', async () => {
        const c = await newClient();
        await recorded(c.id, { metric: 'domains', amount: 3 });
        await recorded(c.id, { metric: 'domains', amount: -2 });
        assert.equal((await metric(c.id, 'domains')).total, 1);
        const below = await report(c.id, { metric: 'domains', amount: -2 });
        assertProblem(below, 400, 'VALIDATION_FAILED');
        assert.match(below.body.detail, /below zero/);
        assert.equal((await metric(c.id, 'domains')).total, 1);
        await recorded(c.id, { metric: 'domains', amount: -1 });
        assert.equal((await metric(c.id, 'domains')).total, 0);
      });

      // biome-ignore lint/suspicious/noTemplateCurlyInString: the test's name quotes the limit naming rule
      it('`${metric}PerMonth` caps each UTC month; events may be dated to an earlier month', async () => {
        const c = await newClient({ limits: { widgetDisplaysPerMonth: 10 } });
        await recorded(c.id, { metric: 'widgetDisplays', amount: 10 });
        assertProblem(await report(c.id, { metric: 'widgetDisplays', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');
        await recorded(c.id, { metric: 'widgetDisplays', amount: 7, at: '2024-12-15T08:00:00.000Z' });
        const december = await metric(c.id, 'widgetDisplays', '?month=2024-12');
        assert.deepEqual(december, { metric: 'widgetDisplays', total: 17, month: 7, limit: null, monthlyLimit: 10, byDimension: [] });
        assertProblem(await report(c.id, { metric: 'widgetDisplays', amount: 4, at: '2024-12-16T08:00:00.000Z' }), 409, 'USAGE_LIMIT_EXCEEDED');
        assert.equal((await metric(c.id, 'widgetDisplays')).month, 10);

        clock = Date.parse('2025-02-01T00:00:05.000Z'); // a new month
        assert.equal((await metric(c.id, 'widgetDisplays')).month, 0);
        await recorded(c.id, { metric: 'widgetDisplays', amount: 10 });
        assertProblem(await report(c.id, { metric: 'widgetDisplays', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');
        const feb = await usage(c.id);
        assert.equal(feb.month, '2025-02');
        assert.deepEqual(feb.metrics, [{ metric: 'widgetDisplays', total: 27, month: 10, limit: null, monthlyLimit: 10, byDimension: [] }]);
        assert.equal((await metric(c.id, 'widgetDisplays', '?month=2025-01')).month, 10);
      });

      it('records usage.limit_reached once, when a counter reaches its limit', async () => {
        const c = await newClient({ limits: { domains: 2, widgetDisplaysPerMonth: 3 } });
        await recorded(c.id, { metric: 'domains', amount: 1 });
        assert.deepEqual(await limitEvents(c.id), []);
        await recorded(c.id, { metric: 'domains', amount: 1 });
        assertProblem(await report(c.id, { metric: 'domains', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');
        await recorded(c.id, { metric: 'widgetDisplays', amount: 3 });
        const events = await limitEvents(c.id);
        assert.equal(events.length, 2, JSON.stringify(events));
        for (const e of events) {
          assert.deepEqual(Object.keys(e).sort(), ['actor', 'clientId', 'createdAt', 'data', 'id', 'type']);
          assert.equal(e.type, 'usage.limit_reached');
          assert.equal(e.clientId, c.id);
        }
        assert.deepEqual(
          events.map((e) => e.data),
          [
            { metric: 'domains', period: 'all', limit: 2 },
            { metric: 'widgetDisplays', period: month(), limit: 3 },
          ],
        );
      });
    });

    describe('calls from key verification', () => {
      it('successful verifications count as calls, by dimension, in GET usage and the CCM19 list once flushed', async () => {
        const c = await newClient({ username: 'caller' });
        const k = await newKey(c.id);
        for (const dimension of ['example.com', 'example.com', 'shop.example.org', 'example.com', undefined, undefined]) {
          const v = await verify({ token: k.token, ...(dimension ? { dimension } : {}) });
          assert.equal(v.status, 200, v.raw);
          assert.equal(v.body.valid, true);
          assert.equal(v.body.code, 'VALID');
        }
        const wrong = await verify({ keyId: k.key.keyId, secret: 'x'.repeat(43), dimension: 'example.com' });
        assert.equal(wrong.body.valid, false);
        assert.equal((await verify({ token: acc.token, dimension: 'example.com' })).body.valid, true); // account key: no client
        await t.services.keyUsage.flush();

        assert.deepEqual(await metric(c.id, 'calls'), {
          metric: 'calls',
          total: 6,
          month: 6,
          limit: null,
          monthlyLimit: null,
          byDimension: [
            { dimension: 'example.com', total: 3, month: 3 },
            { dimension: 'shop.example.org', total: 1, month: 1 },
          ],
        });
        const item = await ccmList(c.id);
        assert.equal(item.actualCallCount, 6);
        assert.deepEqual(item.domainCountData, [
          { domName: 'example.com', count: 3 },
          { domName: 'shop.example.org', count: 1 },
        ]);
        const keyRes = await req('GET', `/v1/keys/${k.key.keyId}`);
        assert.notEqual(keyRes.body.lastUsedAt, null);
      });

      it("CCM19 counters come from usage: domains, whitelabels, this month's widgetDisplays; *MaxCount are the limits", async () => {
        const c = await newClient({ limits: { domains: 5, whitelabels: 2, widgetDisplaysPerMonth: 100 } });
        const lastMonth = new Date(Date.UTC(new Date(clock).getUTCFullYear(), new Date(clock).getUTCMonth() - 1, 10)).toISOString();
        await recorded(
          c.id,
          {
            events: [
              { metric: 'domains', amount: 2 },
              { metric: 'whitelabels', amount: 1 },
              { metric: 'widgetDisplays', amount: 4 },
              { metric: 'widgetDisplays', amount: 9, at: lastMonth },
            ],
          },
          4,
        );
        const counters = (x: any) => ({
          domainCount: x.domainCount,
          domainMaxCount: x.domainMaxCount,
          whitelabelCount: x.whitelabelCount,
          whitelabelMaxCount: x.whitelabelMaxCount,
          widgetDisplayCount: x.widgetDisplayCount,
          widgetDisplayMaxCount: x.widgetDisplayMaxCount,
        });
        const expected = { domainCount: 2, domainMaxCount: 5, whitelabelCount: 1, whitelabelMaxCount: 2, widgetDisplayCount: 4, widgetDisplayMaxCount: 100 };
        assert.deepEqual(counters(await ccmOne(c.id)), expected);
        const listed = await ccmList(c.id);
        assert.deepEqual(counters(listed), expected);
        assert.equal(listed.actualCallCount, 0);
        assert.deepEqual(listed.domainCountData, []);

        clock = Date.parse('2025-03-01T00:00:01.000Z'); // next month: widget displays start again
        assert.deepEqual(counters(await ccmOne(c.id)), { ...expected, widgetDisplayCount: 0 });
      });

      it('verify answers USAGE_EXCEEDED once the calls limit is reached (unflushed calls included); those are not counted', async () => {
        const c = await newClient({ limits: { calls: 3 } });
        const k = await newKey(c.id);
        for (let i = 0; i < 3; i++) assert.equal((await verify({ token: k.token, dimension: 'a.example' })).body.code, 'VALID');
        const over = await verify({ token: k.token, dimension: 'a.example' });
        assert.equal(over.status, 200, over.raw);
        assert.equal(over.body.valid, false);
        assert.equal(over.body.code, 'USAGE_EXCEEDED');
        assert.equal(over.body.keyId, k.key.keyId);
        assert.equal(over.body.clientId, c.id);
        await t.services.keyUsage.flush();
        assert.equal((await verify({ token: k.token })).body.code, 'USAGE_EXCEEDED');
        await t.services.keyUsage.flush();
        const calls = await metric(c.id, 'calls');
        assert.equal(calls.total, 3);
        assert.equal(calls.limit, 3);
        assert.deepEqual(calls.byDimension, [{ dimension: 'a.example', total: 3, month: 3 }]);
        assertProblem(await report(c.id, { metric: 'calls', amount: 1 }), 409, 'USAGE_LIMIT_EXCEEDED');

        assert.equal((await req('PATCH', `/v1/clients/${c.id}`, { limits: { calls: 4 } })).status, 200);
        assert.equal((await verify({ token: k.token })).body.code, 'VALID');
        assert.equal((await verify({ token: k.token })).body.code, 'USAGE_EXCEEDED');
        assert.equal((await req('PATCH', `/v1/clients/${c.id}`, { limits: { calls: -1 } })).status, 200);
        assert.equal((await verify({ token: k.token })).body.code, 'VALID');
        await t.services.keyUsage.flush();
        assert.equal((await metric(c.id, 'calls')).total, 5);
      });
    });
  });

  describe(`usage batching [${backend}]`, () => {
    let q: Awaited<ReturnType<typeof createQuietApp>>;

    before(async () => {
      q = await createQuietApp(backend);
    });
    after(async () => {
      await q?.close();
    });

    const keyRow = async (keyId: string) => {
      const r = await q.database.db.selectFrom('api_keys').select(['use_count', 'last_used_at']).where('key_id', '=', keyId).executeTakeFirstOrThrow();
      return { useCount: Number(r.use_count), lastUsedAt: r.last_used_at };
    };
    const usageRows = async (clientId: string) =>
      (await q.database.db.selectFrom('usage_counters').select(['metric', 'period', 'dimension', 'value']).where('client_id', '=', clientId).orderBy('period').orderBy('dimension').execute()).map(
        (r) => ({ ...r, value: Number(r.value) }),
      );
    const setup = async () => {
      const c = await createClient(q, q.acc.headers, { name: 'Batched' });
      const k = await issueKey(q, q.acc.headers, { clientId: c.id });
      return { clientId: c.id as string, keyId: k.key.keyId, token: k.token };
    };
    const verifyN = async (token: string, n: number, dimension?: string) => {
      for (let i = 0; i < n; i++) {
        const v = await call(q, 'POST', '/v1/keys/verify', q.acc.headers, { token, ...(dimension ? { dimension } : {}) });
        assert.equal(v.body.code, 'VALID', v.raw);
      }
    };

    it('a verification costs no database write: use counts, lastUsedAt and usage rows change only on flush', async () => {
      const { clientId, keyId, token } = await setup();
      await q.services.keyUsage.flush(); // start clean
      const accountBefore = await keyRow(q.acc.keyId);
      await verifyN(token, 5, 'example.com');
      assert.deepEqual(await keyRow(keyId), { useCount: 0, lastUsedAt: null });
      assert.deepEqual(await usageRows(clientId), []);
      assert.deepEqual(await keyRow(q.acc.keyId), accountBefore, 'authenticating the caller wrote to the database');
      // The calls limit check still sees the pending calls.
      assert.equal(q.services.ctx.keyUsage.pendingCalls(clientId), 5);

      await q.services.keyUsage.flush();
      const after = await keyRow(keyId);
      assert.equal(after.useCount, 5);
      assert.ok(after.lastUsedAt instanceof Date);
      assert.equal((await keyRow(q.acc.keyId)).useCount, accountBefore.useCount + 5, "the caller's own uses (5 verify requests)");
      const m = new Date().toISOString().slice(0, 7);
      assert.deepEqual(
        await usageRows(clientId),
        [
          { metric: 'calls', period: m, dimension: '', value: 5 },
          { metric: 'calls', period: m, dimension: 'example.com', value: 5 },
          { metric: 'calls', period: 'all', dimension: '', value: 5 },
          { metric: 'calls', period: 'all', dimension: 'example.com', value: 5 },
        ].sort((a, b) => a.period.localeCompare(b.period) || a.dimension.localeCompare(b.dimension)),
      );
      assert.equal(q.services.ctx.keyUsage.pendingCalls(clientId), 0);
      await q.services.keyUsage.flush(); // nothing pending: nothing doubles
      assert.equal((await keyRow(keyId)).useCount, 5);
    });

    it('a flush in progress opens no window past the calls limit', async () => {
      const { clientId, token } = await setup();
      assert.equal((await call(q, 'PATCH', `/v1/clients/${clientId}`, q.acc.headers, { limits: { calls: 3 } })).status, 200);
      await verifyN(token, 3);
      // Hold the flush's write open: its calls are neither pending any more nor yet in the table.
      const store = q.services.ctx.store;
      const original = store.transaction;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      store.transaction = (async (fn: Parameters<typeof original>[0]) => {
        await gate;
        return original.call(store, fn);
      }) as typeof original;
      try {
        const flushed = q.services.keyUsage.flush();
        await new Promise((r) => setImmediate(r));
        const pending = call(q, 'POST', '/v1/keys/verify', q.acc.headers, { token });
        await new Promise((r) => setTimeout(r, 50));
        release();
        await flushed;
        const v = await pending;
        assert.equal(v.body.code, 'USAGE_EXCEEDED', v.raw);
      } finally {
        release();
        store.transaction = original;
      }
      await q.services.keyUsage.flush();
      const all = (await usageRows(clientId)).find((r) => r.period === 'all' && r.dimension === '');
      assert.equal(all?.value, 3);
    });

    it('services.stop() flushes the pending counts (graceful shutdown loses nothing)', async () => {
      const { clientId, keyId, token } = await setup();
      await q.services.keyUsage.flush();
      await verifyN(token, 4);
      assert.equal((await keyRow(keyId)).useCount, 0);
      assert.deepEqual(await usageRows(clientId), []);
      await q.services.stop();
      assert.equal((await keyRow(keyId)).useCount, 4);
      const all = (await usageRows(clientId)).find((r) => r.period === 'all' && r.dimension === '');
      assert.deepEqual(all, { metric: 'calls', period: 'all', dimension: '', value: 4 });
    });
  });
}
