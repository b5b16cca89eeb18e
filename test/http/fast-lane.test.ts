/**
 * The fast lane (src/http/fast-lane.ts) over a real socket: it answers cached verifications
 * and client reads byte for byte like the routes, counts uses once, stands aside for
 * everything else (which Fastify then answers as usual, body included), stops at once when a
 * key is revoked, and is off while requests are logged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../src/http/app.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { createClient, issueKey, type IssuedKeyBody } from '../support/http.js';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** The headers a route's answer carries (Date and connection management aside). */
const COMPARED = ['content-type', 'content-length', 'x-content-type-options', 'cache-control', 'www-authenticate'];

for (const backend of testBackends()) {
  describe(`fast lane [${backend}]`, () => {
    let t: TestApp;
    let app: App;
    let base: string;
    let acc: TestAccount;
    let clientId: string;
    let clientKey: IssuedKeyBody;
    /** Requests that reached Fastify (the lane answers the others itself). */
    let routed = 0;

    async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
      const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const h: Record<string, string> = {};
      for (const name of COMPARED) {
        const v = res.headers.get(name);
        if (v !== null) h[name] = v;
      }
      return { status: res.status, body: text, headers: h };
    }

    /** Sends the request through the lane and through Fastify (request logging on): same answer. */
    async function both(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ lane: Answer; fastify: Answer; laneRouted: boolean }> {
      const before = routed;
      const lane = await send(method, path, headers, body);
      const laneRouted = routed > before;
      app.log.level = 'info';
      try {
        const fastify = await send(method, path, headers, body);
        return { lane, fastify, laneRouted };
      } finally {
        app.log.level = 'warn';
      }
    }

    const json = (h: Record<string, string>) => ({ ...h, 'content-type': 'application/json' });

    before(async () => {
      // Limits counted in memory (as one instance may count them on either database): the lane then
      // answers every limited verify itself. With shared counting it answers only while this
      // instance holds leased units (the limiter conformance suite covers that tryCheck).
      t = await createTestApp(backend, { rateLimitStore: 'memory' });
      acc = await t.newAccount();
      const client = await createClient(t, acc.headers, { name: 'Fast lane client', username: 'fast-lane', metadata: { plan: 'pro' } });
      clientId = client.id;
      clientKey = await issueKey(t, acc.headers, { clientId, name: 'client key', scopes: ['invoices:read'] });
      // `all`: switching the level to info sends a request through Fastify (the comparisons below).
      app = await buildApp({ ctx: t.services.ctx, ready: async () => true, logLevel: 'warn', accessLog: 'all', logStream: { write: () => true } as never });
      app.addHook('onRequest', async () => {
        routed++;
      });
      base = await app.listen({ port: 0, host: '127.0.0.1' });
    });

    after(async () => {
      await app?.close();
      await t?.close();
    });

    it('answers a cached GET /v1/clients/{id} itself, exactly as the route does', async () => {
      const path = `/v1/clients/${clientId}`;
      await send('GET', path, acc.headers); // loads the caller's key and the client into the cache
      const { lane, fastify, laneRouted } = await both('GET', path, acc.headers);
      assert.equal(laneRouted, false, 'the cached read reached the router');
      assert.equal(lane.status, 200);
      assert.deepEqual(lane, fastify);
      assert.equal(JSON.parse(lane.body).metadata.plan, 'pro');
    });

    it('answers a cached verification itself, exactly as the route does (token, key id + secret, dimension)', async () => {
      const secret = clientKey.token.slice(27, 70);
      for (const body of [{ token: clientKey.token }, { keyId: clientKey.key.keyId, secret }, { token: clientKey.token, dimension: 'example.com' }]) {
        await send('POST', '/v1/keys/verify', json(acc.headers), JSON.stringify(body));
        const { lane, fastify, laneRouted } = await both('POST', '/v1/keys/verify', json(acc.headers), JSON.stringify(body));
        assert.equal(laneRouted, false, `reached the router: ${JSON.stringify(body)}`);
        assert.deepEqual(lane, fastify);
        assert.deepEqual(JSON.parse(lane.body), {
          valid: true,
          code: 'VALID',
          keyId: clientKey.key.keyId,
          accountId: acc.accountId,
          clientId,
          expiresAt: null,
          scopes: ['invoices:read'],
          ratelimits: [],
        });
      }
      // A wrong secret for a cached key: the same NOT_FOUND answer as the route's.
      const wrong = { keyId: clientKey.key.keyId, secret: 'x'.repeat(43) };
      const { lane, fastify } = await both('POST', '/v1/keys/verify', json(acc.headers), JSON.stringify(wrong));
      assert.deepEqual(lane, fastify);
      assert.deepEqual(JSON.parse(lane.body), { valid: false, code: 'NOT_FOUND', ratelimits: [] });
    });

    it('answers a rate-limited verification itself, spending the limit exactly once per call, as the route does', async () => {
      const limited = await issueKey(t, acc.headers, { clientId, name: 'limited', ratelimits: [{ name: 'calls', limit: 4, duration: 3_600_000, autoApply: true }] });
      const body = JSON.stringify({ token: limited.token });
      await send('POST', '/v1/keys/verify', json(acc.headers), body); // caches the key and the account (1 spent)
      const first = await both('POST', '/v1/keys/verify', json(acc.headers), body); // 2 more spent
      assert.equal(first.laneRouted, false, 'a limit counted in memory is answered by the lane');
      const lane = JSON.parse(first.lane.body);
      const route = JSON.parse(first.fastify.body);
      assert.deepEqual([lane.code, lane.ratelimits[0].remaining], ['VALID', 2]);
      assert.deepEqual([route.code, route.ratelimits[0].remaining], ['VALID', 1]);
      assert.deepEqual({ ...lane, ratelimits: undefined }, { ...route, ratelimits: undefined });
      const last = await both('POST', '/v1/keys/verify', json(acc.headers), body);
      assert.deepEqual([JSON.parse(last.lane.body).code, JSON.parse(last.fastify.body).code], ['VALID', 'RATE_LIMITED']);
      assert.deepEqual(JSON.parse(last.fastify.body).ratelimits[0], { name: 'calls', limit: 4, remaining: 0, reset: lane.ratelimits[0].reset, exceeded: true });
    });

    it('refuses, like the route, a cached caller that lacks the permission (the lane never serves it)', async () => {
      const reader = await issueKey(t, acc.headers, { name: 'reads clients only', permissions: ['clients:read'] });
      const verifier = await issueKey(t, acc.headers, { name: 'verifies only', permissions: ['keys:verify'] });
      const asReader = { 'x-api-key': reader.token };
      const asVerifier = { 'x-api-key': verifier.token };
      await send('GET', `/v1/clients/${clientId}`, asReader); // both callers and the client in the cache
      await send('POST', '/v1/keys/verify', json(asVerifier), JSON.stringify({ token: clientKey.token }));
      for (const [method, path, headers, body] of [
        ['POST', '/v1/keys/verify', json(asReader), JSON.stringify({ token: clientKey.token })],
        ['GET', `/v1/clients/${clientId}`, asVerifier, undefined],
      ] as const) {
        const { lane, fastify, laneRouted } = await both(method, path, headers, body);
        assert.equal(laneRouted, true, `${method} ${path} was answered by the lane`);
        assert.deepEqual(lane, fastify);
        assert.equal(lane.status, 403);
        assert.equal(JSON.parse(lane.body).code, 'PERMISSION_DENIED');
      }
    });

    it('counts each use once, whichever path answers', async () => {
      const { keyUsage } = t.services;
      const { store } = t.services.ctx;
      await keyUsage.flush();
      const callerBefore = (await store.apiKeys.get(acc.keyId))!.useCount;
      const verifiedBefore = (await store.apiKeys.get(clientKey.key.keyId))!.useCount;
      const body = JSON.stringify({ token: clientKey.token });
      for (let i = 0; i < 3; i++) await both('POST', '/v1/keys/verify', json(acc.headers), body); // 3 through the lane, 3 routed
      await keyUsage.flush();
      assert.equal((await store.apiKeys.get(acc.keyId))!.useCount, callerBefore + 6);
      assert.equal((await store.apiKeys.get(clientKey.key.keyId))!.useCount, verifiedBefore + 6);
    });

    it('stands aside for what it does not serve; Fastify answers, with the body it already read', async () => {
      const cases: Array<{ name: string; method: string; path: string; headers: Record<string, string>; body?: string; status: number }> = [
        { name: 'malformed JSON', method: 'POST', path: '/v1/keys/verify', headers: json(acc.headers), body: '{"token": ', status: 400 },
        { name: 'unknown field', method: 'POST', path: '/v1/keys/verify', headers: json(acc.headers), body: JSON.stringify({ token: clientKey.token, extra: 1 }), status: 400 },
        { name: 'uncached key', method: 'POST', path: '/v1/keys/verify', headers: json(acc.headers), body: JSON.stringify({ token: `clt_${'A'.repeat(22)}_${'b'.repeat(49)}` }), status: 200 },
        {
          name: 'wrong caller secret',
          method: 'POST',
          path: '/v1/keys/verify',
          headers: json({ 'x-api-key': acc.token.slice(0, -8) + 'AAAAAAAA' }),
          body: JSON.stringify({ token: clientKey.token }),
          status: 401,
        },
        { name: 'no credential', method: 'GET', path: `/v1/clients/${clientId}`, headers: {}, status: 401 },
        { name: 'Basic credential', method: 'GET', path: `/v1/clients/${clientId}`, headers: { authorization: 'Basic ' + Buffer.from(`${acc.keyId}:${acc.secret}`).toString('base64') }, status: 200 },
        { name: 'query string', method: 'GET', path: `/v1/clients/${clientId}?x=1`, headers: acc.headers, status: 200 },
        { name: 'unknown client', method: 'GET', path: '/v1/clients/00000000-0000-4000-8000-000000000000', headers: acc.headers, status: 404 },
        { name: 'another client, as a client', method: 'GET', path: `/v1/clients/${clientId}`, headers: {}, status: 403 },
      ];
      // A client principal reading another client of its account: 403 from the route.
      const other = await createClient(t, acc.headers, { name: 'Other client' });
      const otherKey = await issueKey(t, acc.headers, { clientId: other.id });
      cases.at(-1)!.headers = { 'x-api-key': otherKey.token };
      for (const c of cases) {
        const before = routed;
        const { lane, fastify } = await both(c.method, c.path, c.headers, c.body);
        assert.ok(routed > before + 1, `${c.name}: the lane answered instead of the router`);
        assert.equal(lane.status, c.status, `${c.name}: ${lane.body}`);
        assert.deepEqual(lane, fastify, c.name);
      }
    });

    it('refuses a disabled key at once (the cache is invalidated by the change)', async () => {
      const key = await issueKey(t, acc.headers, { name: 'to disable' });
      const h = { 'x-api-key': key.token };
      const path = `/v1/clients/${clientId}`;
      assert.equal((await send('GET', path, h)).status, 200);
      const before = routed;
      assert.equal((await send('GET', path, h)).status, 200);
      assert.equal(routed, before, 'second read not served by the lane');
      const res = await send('PATCH', `/v1/keys/${key.key.keyId}`, json(acc.headers), JSON.stringify({ enabled: false }));
      assert.equal(res.status, 200, res.body);
      assert.equal((await send('GET', path, h)).status, 401);
      // And a deactivated client's key stops verifying through the lane too.
      const body = JSON.stringify({ token: clientKey.token });
      assert.equal(JSON.parse((await send('POST', '/v1/keys/verify', json(acc.headers), body)).body).code, 'VALID');
      assert.equal((await send('PATCH', `/v1/clients/${clientId}`, json(acc.headers), JSON.stringify({ isActive: false }))).status, 200);
      assert.equal(JSON.parse((await send('POST', '/v1/keys/verify', json(acc.headers), body)).body).code, 'CLIENT_INACTIVE');
    });

    it('is off while requests are logged', async () => {
      const path = `/v1/clients/${clientId}`;
      await send('GET', path, acc.headers);
      app.log.level = 'info';
      try {
        const before = routed;
        await send('GET', path, acc.headers);
        assert.equal(routed, before + 1);
      } finally {
        app.log.level = 'warn';
      }
    });
  });

  describe(`fast lane at the default access log [${backend}]`, () => {
    it('serves at info and counts what it answered in one summary line; other requests and errors are logged as ever', async () => {
      const t = await createTestApp(backend);
      const lines: string[] = [];
      const app = await buildApp({
        ctx: t.services.ctx,
        ready: async () => true,
        logLevel: 'info',
        accessSummaryMs: 60_000,
        logStream: { write: (l: string) => lines.push(l) } as never,
      });
      try {
        const acc = await t.newAccount();
        const base = await app.listen({ port: 0, host: '127.0.0.1' });
        const verify = (token: string) =>
          fetch(`${base}/v1/keys/verify`, { method: 'POST', headers: { ...acc.headers, 'content-type': 'application/json' }, body: JSON.stringify({ token }) }).then((r) => r.text());
        await verify(acc.token); // routed: loads the cache, logged as a request
        const routed = lines.length;
        for (let i = 0; i < 5; i++) await verify(acc.token);
        assert.equal(lines.length, routed, 'cached verifications write no line each');
        const refused = await fetch(`${base}/v1/clients`, { headers: { 'x-api-key': 'clt_0000000000000000000000_0000000000000000000000000000000000000000000' } });
        assert.equal(refused.status, 401);
        assert.ok(lines.length > routed, 'a refused request is logged');
      } finally {
        await app.close();
        await t.close();
      }
      const summary = lines.map((l) => JSON.parse(l)).find((l) => l.fastLane);
      assert.deepEqual(summary?.fastLane, { verifications: 5, clientReads: 0, seconds: 60 });
      assert.equal(summary.level, 30);
    });
  });
}
