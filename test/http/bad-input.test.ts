/**
 * Bad input on the native API: malformed and poisoned JSON, wrong media types, oversized
 * bodies, wrong types (no coercion), unknown fields, bad path ids, bad list parameters and a
 * few odd values. Every failure is a precise 4xx that leaves the database unchanged, and
 * nothing ever answers 500.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createTestApp, useTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call, countRows, createClient, issueKey, JSON_TYPE, PROBLEM_KEYS, PROBLEM_TYPE, type Res } from '../support/http.js';

const MIB = 1024 * 1024;

type Route = { method: 'POST' | 'PATCH'; url: string; valid: Record<string, unknown> };

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

for (const backend of testBackends()) {
  describe(`native bad input [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;
    let clientId = '';
    let keyId = '';
    let keyToken = '';
    let snapshot = '';

    /** Any request; a 5xx fails the test whatever it was expected to be. */
    const send = async (method: string, url: string, options: { headers?: Record<string, string>; payload?: string | object } = {}): Promise<Res> => {
      const res = await call(t, method, url, { ...h, ...options.headers }, options.payload);
      assert.ok(res.status < 500, `${method} ${url} answered ${res.status}: ${res.raw}`);
      return res;
    };
    const raw = (method: string, url: string, text: string, contentType = 'application/json') => send(method, url, { headers: { 'content-type': contentType }, payload: text });

    const problem = (res: Res, status: number, code: string, where: string) => {
      assert.equal(res.status, status, `${where}: ${res.raw}`);
      assert.equal(res.headers['content-type'], PROBLEM_TYPE, where);
      assert.equal(res.body.status, status, where);
      assert.equal(res.body.code, code, where);
      assert.equal(res.body.type, `urn:clientele:problem:${code.toLowerCase().replace(/_/g, '-')}`, where);
    };
    /**
     * A 400 whose every field error names exactly `field` — except on the verify route, whose
     * body is a union (token, or keyId + secret): there the first error names it.
     */
    const invalid = (res: Res, field: string, where: string) => {
      problem(res, 400, 'VALIDATION_FAILED', where);
      assert.deepEqual(Object.keys(res.body).sort(), [...PROBLEM_KEYS, 'errors'].sort(), where);
      assert.ok(res.body.errors.length >= 1, where);
      const fields = [...new Set(res.body.errors.map((e: { field: string }) => e.field))];
      if (res.body.instance === '/v1/keys/verify') assert.equal(fields[0], field, `${where}: ${res.raw}`);
      else assert.deepEqual(fields, [field], `${where}: ${res.raw}`);
      for (const e of res.body.errors) assert.equal(typeof e.message, 'string');
      assert.ok(res.body.detail.startsWith(`${field}: `), `${where}: ${res.body.detail}`);
    };

    /** Everything a failed request must not have changed. */
    const state = async () => {
      const counts = await Promise.all((['clients', 'api_keys', 'events', 'idempotency_records'] as const).map(async (table) => `${table}=${await countRows(t, table, acc.accountId)}`));
      const client = await t.app.inject({ method: 'GET', url: `/v1/clients/${clientId}`, headers: h });
      const key = await t.app.inject({ method: 'GET', url: `/v1/keys/${keyId}`, headers: h });
      const k = JSON.parse(key.body);
      delete k.lastUsedAt; // authenticating with the key itself moves it
      return JSON.stringify({ counts, client: JSON.parse(client.body), key: k });
    };

    const bodyRoutes = (): Route[] => [
      { method: 'POST', url: '/v1/clients', valid: { name: 'Valid' } },
      { method: 'PATCH', url: `/v1/clients/${clientId}`, valid: { description: 'valid' } },
      { method: 'POST', url: '/v1/keys', valid: { name: 'valid' } },
      { method: 'PATCH', url: `/v1/keys/${keyId}`, valid: { name: 'valid' } },
      { method: 'POST', url: `/v1/keys/${keyId}/reset`, valid: { gracePeriodSeconds: 0 } },
      { method: 'POST', url: '/v1/keys/verify', valid: { token: keyToken } },
    ];

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      h = acc.headers;
      clientId = (await createClient(t, h, { name: 'Fixture', username: 'taken', siret: '12345678901234', description: 'd' })).id;
      await issueKey(t, h, { clientId });
      const k = await issueKey(t, h, { clientId, name: 'fixture key' });
      keyId = k.key.keyId;
      keyToken = k.token;
    });
    beforeEach(async () => {
      snapshot = await state();
    });
    afterEach(async () => {
      assert.equal(await state(), snapshot, 'a failed request changed the database');
    });
    after(async () => {
      // Nothing was logged as an unexpected error along the way.
      const errors = t?.logs.filter((l) => l.includes('"level":50')) ?? [];
      await t?.close();
      assert.deepEqual(errors, []);
    });

    it('malformed JSON is a 400 MALFORMED_REQUEST on every route with a body', async () => {
      for (const route of bodyRoutes()) {
        for (const text of ['{"name":', "{name: 'x'}", '{"a":1} trailing', '[1,2', '{"a":1,}', 'nul', '\u00ff\u00fe']) {
          const res = await raw(route.method, route.url, text);
          problem(res, 400, 'MALFORMED_REQUEST', `${route.method} ${route.url} ${text}`);
          assert.deepEqual(Object.keys(res.body).sort(), PROBLEM_KEYS);
          assert.equal(res.body.instance, route.url);
        }
      }
    });

    it('prototype poisoning is refused (400) and pollutes nothing', async () => {
      for (const route of bodyRoutes()) {
        for (const text of ['{"__proto__": {"polluted": true}, "name": "p"}', '{"name": "p", "metadata": {"__proto__": {"polluted": true}}}', '{"constructor": {"prototype": {"polluted": true}}}']) {
          problem(await raw(route.method, route.url, text), 400, 'MALFORMED_REQUEST', `${route.url} ${text}`);
        }
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    });

    it('a body that is not JSON is a 415, whatever the route', async () => {
      for (const route of bodyRoutes()) {
        const json = JSON.stringify(route.valid);
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/merge-patch+json']) {
          const res = await raw(route.method, route.url, type.includes('form-urlencoded') ? 'name=valid' : json, type);
          problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `${route.url} ${type}`);
        }
      }
      // The same JSON under application/json is fine (and the charset parameter is allowed).
      const ok = await raw('PATCH', `/v1/clients/${clientId}`, '{}', 'application/json; charset=utf-8');
      assert.equal(ok.status, 200, ok.raw);
    });

    it('a body over 1 MiB is a 413', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(MIB) });
      assert.ok(Buffer.byteLength(big) > MIB);
      for (const route of bodyRoutes()) problem(await raw(route.method, route.url, big), 413, 'PAYLOAD_TOO_LARGE', route.url);
      // Just under the limit is parsed (and then refused for its content, not its size).
      const near = JSON.stringify({ name: 'x'.repeat(MIB - 20) });
      assert.ok(Buffer.byteLength(near) <= MIB);
      invalid(await raw('POST', '/v1/clients', near), 'body.name', 'near the limit');
    });

    it('wrong types are 400 naming the field: nothing is coerced', async () => {
      const cases: Array<[method: 'POST' | 'PATCH', url: () => string, body: unknown, field: string]> = [
        ['POST', () => '/v1/clients', { name: 5 }, 'body.name'],
        ['POST', () => '/v1/clients', { name: ['x'] }, 'body.name'],
        ['POST', () => '/v1/clients', { name: 'x', isActive: 'true' }, 'body.isActive'],
        ['POST', () => '/v1/clients', { name: 'x', isActive: 1 }, 'body.isActive'],
        ['POST', () => '/v1/clients', { name: 'x', limits: { x: '5' } }, 'body.limits.x'],
        ['POST', () => '/v1/clients', { name: 'x', limits: { x: 1.5 } }, 'body.limits.x'],
        ['POST', () => '/v1/clients', { name: 'x', limits: { x: -2 } }, 'body.limits.x'],
        ['POST', () => '/v1/clients', { name: 'x', limits: [1] }, 'body.limits'],
        ['POST', () => '/v1/clients', { name: 'x', features: { a: 'true' } }, 'body.features.a'],
        ['POST', () => '/v1/clients', { name: 'x', features: { a: 1 } }, 'body.features.a'],
        ['POST', () => '/v1/clients', { name: 'x', metadata: [] }, 'body.metadata'],
        ['POST', () => '/v1/clients', { name: 'x', metadata: 'm' }, 'body.metadata'],
        ['POST', () => '/v1/clients', { name: 'x', metadata: { big: 'x'.repeat(9000) } }, 'body.metadata'],
        ['POST', () => '/v1/clients', { name: 'x', siret: '1234' }, 'body.siret'],
        ['POST', () => '/v1/clients', { name: 'x', siret: 12345678901234 }, 'body.siret'],
        ['POST', () => '/v1/clients', { name: 'x', siret: '1234567890123a' }, 'body.siret'],
        ['POST', () => '/v1/clients', { name: 'x', emailAddress: 'not-an-email' }, 'body.emailAddress'],
        ['POST', () => '/v1/clients', { name: 'x', username: '' }, 'body.username'],
        ['POST', () => '/v1/clients', { name: 'x', password: 'short' }, 'body.password'],
        ['POST', () => '/v1/clients', { name: 'x', password: 12345678 }, 'body.password'],
        ['POST', () => '/v1/clients', { name: 'x', passwordHash: 'plain text' }, 'body.passwordHash'],
        ['POST', () => '/v1/clients', { name: 'x', description: 'd'.repeat(1001) }, 'body.description'],
        ['PATCH', () => `/v1/clients/${clientId}`, { name: 5 }, 'body.name'],
        ['PATCH', () => `/v1/clients/${clientId}`, { name: null }, 'body.name'],
        ['PATCH', () => `/v1/clients/${clientId}`, { isActive: 'false' }, 'body.isActive'],
        ['PATCH', () => `/v1/clients/${clientId}`, { isActive: null }, 'body.isActive'],
        ['PATCH', () => `/v1/clients/${clientId}`, { limits: { x: '5' } }, 'body.limits.x'],
        ['PATCH', () => `/v1/clients/${clientId}`, { features: null }, 'body.features'],
        ['PATCH', () => `/v1/clients/${clientId}`, { siret: 'abc' }, 'body.siret'],
        ['PATCH', () => `/v1/clients/${clientId}`, { description: 5 }, 'body.description'],
        ['POST', () => '/v1/keys', { clientId: 'abc' }, 'body.clientId'],
        ['POST', () => '/v1/keys', { isPrimary: 'true' }, 'body.isPrimary'],
        ['POST', () => '/v1/keys', { name: 5 }, 'body.name'],
        ['POST', () => '/v1/keys', { expiresAt: 'tomorrow' }, 'body.expiresAt'],
        ['POST', () => '/v1/keys', { expiresAt: 1900000000 }, 'body.expiresAt'],
        ['POST', () => '/v1/keys', { scopes: 'read' }, 'body.scopes'],
        ['POST', () => '/v1/keys', { scopes: ['has space'] }, 'body.scopes.0'],
        ['POST', () => '/v1/keys', { scopes: ['a', 'a'] }, 'body.scopes'],
        ['PATCH', () => `/v1/keys/${keyId}`, { enabled: 'false' }, 'body.enabled'],
        ['PATCH', () => `/v1/keys/${keyId}`, { isPrimary: 1 }, 'body.isPrimary'],
        ['PATCH', () => `/v1/keys/${keyId}`, { scopes: [1] }, 'body.scopes.0'],
        ['POST', () => `/v1/keys/${keyId}/reset`, { gracePeriodSeconds: '60' }, 'body.gracePeriodSeconds'],
        ['POST', () => `/v1/keys/${keyId}/reset`, { gracePeriodSeconds: 604801 }, 'body.gracePeriodSeconds'],
        ['POST', () => '/v1/keys/verify', { token: 5 }, 'body.token'],
      ];
      for (const [method, url, body, field] of cases) {
        invalid(await send(method, url(), { payload: body as object }), field, `${method} ${url()} ${JSON.stringify(body).slice(0, 60)}`);
      }
    });

    it('an unknown body field is a 400 naming it', async () => {
      for (const route of bodyRoutes()) {
        const res = await send(route.method, route.url, { payload: { ...route.valid, bogus: 1 } });
        invalid(res, 'body.bogus', `${route.method} ${route.url}`);
        assert.equal(res.body.errors[0].message, 'is not a known field');
      }
      invalid(await send('POST', '/v1/clients', { payload: { name: 'x', metadata: {}, hasPassword: true } }), 'body.hasPassword', 'read-only field');
      invalid(await send('PATCH', `/v1/clients/${clientId}`, { payload: { id: clientId } }), 'body.id', 'id');
      invalid(await send('PATCH', `/v1/keys/${keyId}`, { payload: { secret: 'x' } }), 'body.secret', 'secret');
    });

    it('a body that is not an object is a 400 naming the body', async () => {
      for (const route of bodyRoutes().filter((r) => !r.url.endsWith('/reset'))) {
        for (const text of ['null', '[]', '"x"', '5', 'true', '']) invalid(await raw(route.method, route.url, text), 'body', `${route.url} ${text || '(empty)'}`);
        invalid(await send(route.method, route.url), 'body', `${route.url} (no body)`);
      }
      const verify = await send('POST', '/v1/keys/verify', { payload: {} });
      problem(verify, 400, 'VALIDATION_FAILED', 'verify {}');
      assert.ok(verify.body.errors.every((e: { field: string }) => e.field.startsWith('body')));
      problem(await send('POST', '/v1/keys/verify', { payload: { token: keyToken, keyId, secret: 'x' } }), 400, 'VALIDATION_FAILED', 'verify both');
    });

    it('a non-UUID client id in the path is a 400 naming params.id', async () => {
      for (const id of ['abc', '123', `${clientId}0`, clientId.replace(/-/g, ''), '%00', 'null', `${clientId.slice(0, -1)}g`]) {
        for (const [method, url, payload] of [
          ['GET', `/v1/clients/${id}`, undefined],
          ['PATCH', `/v1/clients/${id}`, { description: 'x' }],
          ['DELETE', `/v1/clients/${id}`, undefined],
          ['POST', `/v1/clients/${id}/activate`, undefined],
          ['POST', `/v1/clients/${id}/deactivate`, undefined],
        ] as const) {
          invalid(await send(method, url, payload ? { payload } : {}), 'params.id', `${method} ${url}`);
        }
      }
    });

    it('a malformed key id in the path is a 400 naming params.keyId', async () => {
      for (const id of ['abc', 'ck_short', `${keyId}x`, keyId.toUpperCase(), keyId.replace('ck_', 'ck-'), keyToken.slice(0, 40), '%00']) {
        for (const [method, url, payload] of [
          ['GET', `/v1/keys/${id}`, undefined],
          ['PATCH', `/v1/keys/${id}`, { name: 'x' }],
          ['DELETE', `/v1/keys/${id}`, undefined],
          ['POST', `/v1/keys/${id}/reset`, undefined],
        ] as const) {
          invalid(await send(method, url, payload ? { payload } : {}), 'params.keyId', `${method} ${url}`);
        }
      }
    });

    it('bad limit and cursor values are 400s naming the parameter, on every list', async () => {
      const badCursors: Record<string, string[]> = {
        '/v1/clients': [b64url('c1:not-a-uuid'), b64url(`c1:${keyId}`), b64url('c1:\u0000')],
        '/v1/events': [b64url('c1:not-a-uuid'), b64url('c1:\u0000')],
        '/v1/keys': [b64url('c1:not-a-key'), b64url(`c1:${clientId}`), b64url('c1:\u0000')],
      };
      for (const list of ['/v1/clients', '/v1/keys', '/v1/events']) {
        for (const limit of ['0', '101', 'abc', '-1', '1.5', '', '10&limit=20']) invalid(await send('GET', `${list}?limit=${limit}`), 'query.limit', `${list} limit=${limit}`);
        for (const cursor of ['abc', '!!!', 'x'.repeat(401), b64url('c2:whatever'), b64url('c1:'), ...badCursors[list]!]) {
          invalid(await send('GET', `${list}?cursor=${encodeURIComponent(cursor)}`), 'query.cursor', `${list} cursor=${cursor.slice(0, 20)}`);
        }
        invalid(await send('GET', `${list}?bogus=1`), 'query.bogus', `${list} bogus`);
        const fine = await send('GET', `${list}?limit=100`);
        assert.equal(fine.status, 200, fine.raw);
        assert.equal(fine.headers['content-type'], JSON_TYPE);
        assert.equal((await send('GET', `${list}?limit=1`)).body.data.length, 1);
      }
    });

    it('bad filters are 400s naming the parameter', async () => {
      const cases: Array<[string, string]> = [
        ['/v1/clients?isActive=yes', 'query.isActive'],
        ['/v1/clients?isActive=', 'query.isActive'],
        ['/v1/clients?q=', 'query.q'],
        [`/v1/clients?q=${'q'.repeat(201)}`, 'query.q'],
        [`/v1/clients?username=${'u'.repeat(129)}`, 'query.username'],
        ['/v1/clients?q=a&q=b', 'query.q'],
        ['/v1/clients?q=%00', 'query.q'],
        ['/v1/clients?username=a%00b', 'query.username'],
        ['/v1/keys?clientId=abc', 'query.clientId'],
        ['/v1/keys?owner=everyone', 'query.owner'],
        ['/v1/events?clientId=abc', 'query.clientId'],
        ['/v1/events?type=Client.Created', 'query.type'],
        ['/v1/events?type=client', 'query.type'],
        [`/v1/events?type=a.${'b'.repeat(100)}`, 'query.type'],
      ];
      for (const [url, field] of cases) invalid(await send('GET', url), field, url);
    });

    it('values PostgreSQL cannot store are 400s, not database errors', async () => {
      const cases: Array<[method: 'POST' | 'PATCH', url: () => string, text: string, field: string]> = [
        ['POST', () => '/v1/clients', '{"name":"a\\u0000b"}', 'body.name'],
        ['POST', () => '/v1/clients', '{"name":"lone \\ud800 surrogate"}', 'body.name'],
        ['POST', () => '/v1/clients', '{"name":"x","metadata":{"k":"v\\u0000"}}', 'body.metadata.k'],
        ['POST', () => '/v1/clients', '{"name":"x","metadata":{"k\\u0000":1}}', 'body.metadata.k\u0000'],
        ['POST', () => '/v1/clients', '{"name":"x","metadata":{"k":["\\udc00"]}}', 'body.metadata.k.0'],
        ['PATCH', () => `/v1/clients/${clientId}`, '{"description":"\\u0000"}', 'body.description'],
        ['POST', () => '/v1/keys', '{"name":"\\u0000"}', 'body.name'],
        ['POST', () => '/v1/keys/verify', `{"keyId":"${keyId}\\u0000","secret":"x"}`, 'body.keyId'],
      ];
      for (const [method, url, text, field] of cases) invalid(await raw(method, url(), text), field, text);
    });

    it('absurdly deep JSON is a 400, not a stack overflow', async () => {
      let deep = '1';
      for (let i = 0; i < 50_000; i++) deep = `[${deep}]`;
      const res = await raw('POST', '/v1/clients', `{"name":"deep","metadata":{"d":${deep}}}`);
      problem(res, 400, 'VALIDATION_FAILED', 'deep');
      assert.match(res.body.errors[0].field, /^body\.metadata\.d(\.0)+$/);
      let objects = '1';
      for (let i = 0; i < 40; i++) objects = `{"a":${objects}}`;
      problem(await raw('PATCH', `/v1/clients/${clientId}`, `{"metadata":${objects}}`), 400, 'VALIDATION_FAILED', 'deep objects');
    });

    it('very long strings are refused with the field named', async () => {
      invalid(await send('POST', '/v1/clients', { payload: { name: 'n'.repeat(256) } }), 'body.name', 'name 256');
      invalid(await send('POST', '/v1/clients', { payload: { name: 'n'.repeat(100_000) } }), 'body.name', 'name 100k');
      invalid(await send('POST', '/v1/clients', { payload: { name: 'x', username: 'u'.repeat(129) } }), 'body.username', 'username');
      invalid(await send('POST', '/v1/clients', { payload: { name: 'x', metadata: { ['k'.repeat(65)]: 1 } } }), 'body.metadata', 'metadata key');
      invalid(await send('POST', '/v1/clients', { payload: { name: 'x', features: { ['f'.repeat(65)]: true } } }), 'body.features', 'feature key');
      invalid(await send('PATCH', `/v1/clients/${clientId}`, { payload: { limits: { ['l'.repeat(65)]: 1 } } }), 'body.limits', 'limit key');
      invalid(await send('POST', '/v1/keys', { payload: { name: 'k'.repeat(256) } }), 'body.name', 'key name');
      invalid(await send('POST', '/v1/keys/verify', { payload: { token: 't'.repeat(513) } }), 'body.token', 'token');
      invalid(await send('GET', `/v1/clients?q=${'q'.repeat(10_000)}`), 'query.q', 'q 10k');
      invalid(await send('POST', '/v1/clients', { headers: { 'idempotency-key': 'i'.repeat(256) }, payload: { name: 'x' } }), 'header.idempotency-key', 'idempotency key');
      invalid(await send('POST', '/v1/clients', { headers: { 'idempotency-key': 'é' }, payload: { name: 'x' } }), 'header.idempotency-key', 'idempotency key');
    });

    it('garbage credentials are 401s, never errors', async () => {
      for (const headers of [
        { 'x-api-key': 'x'.repeat(8000) },
        { 'x-api-key': keyToken.replace('clt_', 'clx_') },
        { authorization: `Bearer ${'a'.repeat(10_000)}` },
        { authorization: 'Bearer a.b.c' },
        { authorization: `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}` },
        { authorization: `Basic ${Buffer.from(`${keyId}:${'s'.repeat(5000)}`).toString('base64')}` },
        { authorization: 'Digest username="x"' },
      ]) {
        problem(
          await t.app.inject({ method: 'GET', url: '/v1/clients', headers }).then((r) => ({ status: r.statusCode, headers: r.headers, body: r.json(), raw: r.body })),
          401,
          'UNAUTHENTICATED',
          JSON.stringify(headers).slice(0, 40),
        );
      }
    });

    it('unknown routes and methods are a 404 problem', async () => {
      for (const [method, url] of [
        ['GET', '/v1/nothing'],
        ['PUT', '/v1/clients'],
        ['PUT', `/v1/clients/${clientId}`],
        ['DELETE', '/v1/clients'],
      ] as const) {
        const res = await send(method, url);
        problem(res, 404, 'NOT_FOUND', `${method} ${url}`);
        assert.equal(res.body.instance, url);
      }
    });
  });

  describe(`native odd but valid input [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;

    useTestApp(backend, (s) => ({ t, acc, h } = s), { noErrorsLogged: true });

    const send = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
      const res = await t.app.inject({ method: method as 'GET', url, headers: { ...h, ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
      assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), raw: res.body };
    };

    it('unicode round-trips exactly and is searchable', async () => {
      const name = '名前 🚀 Ünïcödé — עברית ‮rtl‬ e\u0301';
      const created = await send('POST', '/v1/clients', { name, description: '💾'.repeat(500), metadata: { '🔑': '値', nested: { ключ: ['ä', 'ß'] } } });
      assert.equal(created.status, 201, created.raw);
      assert.equal(created.body.name, name);
      assert.equal(created.body.description, '💾'.repeat(500));
      assert.deepEqual(created.body.metadata, { '🔑': '値', nested: { ключ: ['ä', 'ß'] } });
      const got = await send('GET', `/v1/clients/${created.body.id}`);
      assert.deepEqual(got.body, created.body);
      const found = await send('GET', `/v1/clients?q=${encodeURIComponent('🚀')}`);
      assert.deepEqual(
        found.body.data.map((c: { id: string }) => c.id),
        [created.body.id],
      );
      const emoji = await send('POST', '/v1/clients', { name: '👍', username: 'Ünï' });
      assert.equal(emoji.status, 201, emoji.raw);
      const dup = await send('POST', '/v1/clients', { name: 'dup', username: 'ünÏ' });
      assert.equal(dup.status, 409, dup.raw);
      assert.equal(dup.body.code, 'USERNAME_TAKEN');
    });

    it('an empty PATCH is a 200 that changes nothing', async () => {
      const c = await send('POST', '/v1/clients', { name: 'Unchanged', description: 'same' });
      const before = await send('GET', `/v1/events?clientId=${c.body.id}`);
      await new Promise((r) => setTimeout(r, 5));
      const res = await send('PATCH', `/v1/clients/${c.body.id}`, {});
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body, c.body);
      const k = await send('POST', '/v1/keys', { clientId: c.body.id });
      const keyRes = await send('PATCH', `/v1/keys/${k.body.key.keyId}`, {});
      assert.equal(keyRes.status, 200);
      assert.equal(keyRes.body.updatedAt, k.body.key.updatedAt);
      const afterEvents = await send('GET', `/v1/events?clientId=${c.body.id}`);
      assert.deepEqual(
        afterEvents.body.data.map((e: { type: string }) => e.type),
        [...before.body.data.map((e: { type: string }) => e.type), 'key.created'],
      );
    });

    it('edge values that are valid are accepted as they are', async () => {
      const res = await send('POST', '/v1/clients', {
        name: 'n'.repeat(255),
        limits: { zero: 0, unlimited: -1, large: 2147483648 },
        features: {},
        metadata: { null: null, n: 1.5, s: '', list: [], deep: { a: { b: { c: 1 } } } },
        description: '',
        siret: '00000000000000',
      });
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.body.name.length, 255);
      assert.deepEqual(res.body.limits, { zero: 0, unlimited: -1, large: 2147483648 });
      assert.deepEqual(res.body.metadata, { null: null, n: 1.5, s: '', list: [], deep: { a: { b: { c: 1 } } } });
      assert.equal(res.body.description, '');
      // Duplicate JSON keys: the last one wins, like JSON.parse.
      const dup = await send('POST', '/v1/clients', '{"name":"first","name":"second"}', { 'content-type': 'application/json' });
      assert.equal(dup.status, 201);
      assert.equal(dup.body.name, 'second');
      // Whitespace around JSON is fine; so is an empty body on a bodyless action.
      const spaced = await send('POST', '/v1/clients', '  \n {"name":"spaced"} \n', { 'content-type': 'application/json' });
      assert.equal(spaced.status, 201);
      const bodyless = await send('POST', `/v1/clients/${spaced.body.id}/deactivate`, '', { 'content-type': 'application/json' });
      assert.equal(bodyless.status, 200, bodyless.raw);
      assert.equal((await send('POST', `/v1/clients/${spaced.body.id}/activate`, '', { 'content-type': 'text/plain' })).status, 200);
      assert.equal((await send('POST', `/v1/clients/${spaced.body.id}/deactivate`, '', { 'content-type': 'application/x-www-form-urlencoded' })).status, 200);
    });
  });
}
