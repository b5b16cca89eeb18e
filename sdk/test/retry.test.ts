/**
 * Retries: 429/503/network errors are retried with back-off for idempotent calls only
 * (GET, PUT, DELETE, POST with an Idempotency-Key); a plain POST is sent exactly once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clientele, ClienteleConnectionError, ClienteleError } from '../src/index.js';
import { backoffDelay, retryAfterMs, retryPolicy } from '../src/retry.js';
import { fakeFetch, json, problem } from './fake-fetch.js';

const client = { id: '01900000-0000-7000-8000-000000000001', name: 'Acme' };
const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
const sdkWith = (f: ReturnType<typeof fakeFetch>, retries: object | number | false = fast) => new Clientele({ baseUrl: 'http://api.test', apiKey: 'clt_x', fetch: f.fetch, retries });

describe('SDK retries', () => {
  for (const status of [429, 503]) {
    it(`retries a GET on ${status}, then succeeds`, async () => {
      const f = fakeFetch([problem(status, 'BUSY'), problem(status, 'BUSY'), json(200, client)]);
      assert.deepEqual(await sdkWith(f).clients.get(client.id), client);
      assert.equal(f.requests.length, 3);
      assert.ok(f.requests.every((r) => r.method === 'GET' && r.headers['x-api-key'] === 'clt_x'));
    });

    it(`never retries a plain POST on ${status}`, async () => {
      const f = fakeFetch([problem(status, 'BUSY'), json(201, client)]);
      await assert.rejects(sdkWith(f).clients.create({ name: 'Acme' }), (e: ClienteleError) => e.status === status && e.code === 'BUSY');
      assert.equal(f.requests.length, 1);
    });

    it(`retries a POST that carries an Idempotency-Key on ${status}, with the same key`, async () => {
      const f = fakeFetch([problem(status, 'BUSY'), json(201, client)]);
      assert.deepEqual(await sdkWith(f).clients.create({ name: 'Acme' }, { idempotencyKey: 'row-1' }), client);
      assert.equal(f.requests.length, 2);
      assert.deepEqual(
        f.requests.map((r) => r.headers['idempotency-key']),
        ['row-1', 'row-1'],
      );
      assert.equal(f.requests[0]!.body, f.requests[1]!.body);
    });
  }

  it('retries a batch create only when every item carries its own Idempotency-Key (or the batch one)', async () => {
    const answer = { results: [{ index: 0, status: 201, client }] };
    const keyed = fakeFetch([problem(503, 'BUSY'), json(200, answer)]);
    assert.deepEqual(await sdkWith(keyed).clients.createBatch([{ name: 'Acme' }], { idempotencyKeys: ['row-1'] }), answer.results);
    assert.equal(keyed.requests.length, 2);
    assert.deepEqual(JSON.parse(keyed.requests[1]!.body!), { items: [{ name: 'Acme' }], idempotencyKeys: ['row-1'] });
    const whole = fakeFetch([problem(429, 'SLOW'), json(200, answer)]);
    await sdkWith(whole).clients.createBatch([{ name: 'Acme' }], { idempotencyKey: 'batch-1' });
    assert.equal(whole.requests.length, 2);
    for (const keys of [undefined, ['row-1', null]]) {
      const once = fakeFetch([problem(503, 'BUSY')]);
      await assert.rejects(sdkWith(once).clients.createBatch([{ name: 'Acme' }, { name: 'Beta' }], keys ? { idempotencyKeys: keys } : {}), ClienteleError);
      assert.equal(once.requests.length, 1, `keys ${JSON.stringify(keys)}: sent once`);
    }
  });

  it('retries PUT and DELETE (idempotent) but not PATCH or bodyless action POSTs', async () => {
    const put = fakeFetch([problem(503, 'BUSY'), json(200, { kind: 'pdp' })]);
    await sdkWith(put).integrations.put(client.id, 'pdp', { tokenUrl: 'https://t' });
    assert.equal(put.requests.length, 2);
    const del = fakeFetch([problem(429, 'SLOW'), new Response(null, { status: 204 })]);
    assert.equal(await sdkWith(del).clients.delete(client.id), undefined);
    assert.equal(del.requests.length, 2);
    const patch = fakeFetch([problem(503, 'BUSY')]);
    await assert.rejects(sdkWith(patch).clients.update(client.id, { name: 'x' }), ClienteleError);
    assert.equal(patch.requests.length, 1);
    for (const call of [
      (s: Clientele) => s.clients.deactivate(client.id),
      (s: Clientele) => s.keys.reset('ck_x'),
      (s: Clientele) => s.usage.record(client.id, { metric: 'calls', amount: 1 }),
      (s: Clientele) => s.webhookEndpoints.create({ url: 'https://h' }),
    ]) {
      const once = fakeFetch([problem(503, 'BUSY')]);
      await assert.rejects(call(sdkWith(once)), ClienteleError);
      assert.equal(once.requests.length, 1);
    }
  });

  it('retries network errors for a GET and gives up with ClienteleConnectionError', async () => {
    const ok = fakeFetch([new TypeError('fetch failed'), json(200, client)]);
    assert.deepEqual(await sdkWith(ok).clients.get(client.id), client);
    const down = fakeFetch(() => new TypeError('fetch failed'));
    await assert.rejects(sdkWith(down).clients.get(client.id), (e: ClienteleConnectionError) => e instanceof ClienteleConnectionError && e.status === 0 && e.code === 'CONNECTION_FAILED');
    assert.equal(down.requests.length, 4, 'one attempt + 3 retries');
    const post = fakeFetch(() => new TypeError('fetch failed'));
    await assert.rejects(sdkWith(post).clients.create({ name: 'x' }), ClienteleConnectionError);
    assert.equal(post.requests.length, 1, 'a plain POST is not repeated after a network error');
  });

  it('stops after the retry budget and reports the last answer; retries: 0/false disable', async () => {
    const f = fakeFetch(() => problem(503, 'UNAVAILABLE'));
    await assert.rejects(sdkWith(f, { ...fast, retries: 2 }).clients.get(client.id), (e: ClienteleError) => e.status === 503);
    assert.equal(f.requests.length, 3);
    for (const off of [0, false] as const) {
      const g = fakeFetch(() => problem(503, 'UNAVAILABLE'));
      await assert.rejects(sdkWith(g, off).clients.get(client.id), ClienteleError);
      assert.equal(g.requests.length, 1);
    }
  });

  it('honours Retry-After (capped) and retries IDEMPOTENCY_IN_PROGRESS for keyed POSTs', async () => {
    const f = fakeFetch([problem(429, 'SLOW', { 'retry-after': '0' }), json(200, client)]);
    const t0 = performance.now();
    await sdkWith(f, { retries: 1, minDelayMs: 5000, maxDelayMs: 5000 }).clients.get(client.id);
    assert.ok(performance.now() - t0 < 1000, 'Retry-After: 0 replaces the 5 s back-off');
    const g = fakeFetch([problem(409, 'IDEMPOTENCY_IN_PROGRESS'), json(201, client)]);
    assert.deepEqual(await sdkWith(g).clients.create({ name: 'Acme' }, { idempotencyKey: 'k' }), client);
    const h = fakeFetch([problem(409, 'CONFLICT')]);
    await assert.rejects(sdkWith(h).clients.create({ name: 'Acme' }, { idempotencyKey: 'k' }), (e: ClienteleError) => e.code === 'CONFLICT');
    assert.equal(h.requests.length, 1);
  });

  it('back-off is exponential with full jitter, capped', () => {
    const p = retryPolicy({ minDelayMs: 100, maxDelayMs: 1000 });
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => backoffDelay(p, a, () => 1)),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(
      backoffDelay(p, 3, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(p, 3, () => 0.5),
      400,
    );
    assert.equal(retryAfterMs('2', p, 0), 1000, 'capped at maxDelayMs');
    assert.equal(retryAfterMs(new Date(10_500).toUTCString(), retryPolicy({ maxDelayMs: 60_000 }), 10_000), 0);
    assert.equal(retryAfterMs('soon', p, 0), undefined);
    assert.deepEqual(retryPolicy(undefined), { retries: 3, minDelayMs: 200, maxDelayMs: 10_000 });
  });

  it('an abort signal stops the call at once, without retrying', async () => {
    const controller = new AbortController();
    const f = fakeFetch(() => {
      controller.abort(new Error('stop'));
      return new TypeError('aborted');
    });
    await assert.rejects(sdkWith(f).clients.get(client.id, { signal: controller.signal }), /stop/);
    assert.equal(f.requests.length, 1);
  });

  it('timeoutMs bounds each attempt; a timed-out GET is retried like a network error', async () => {
    // AbortSignal.timeout() timers do not keep the process alive (a real fetch's socket does).
    const keepAlive = setInterval(() => {}, 1000);
    let calls = 0;
    const hanging = async (_url: string, init: RequestInit) => {
      calls++;
      if (calls === 2) return json(200, client);
      return new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    };
    const sdk = new Clientele({ baseUrl: 'http://api.test', apiKey: 'k', fetch: hanging, timeoutMs: 30, retries: fast });
    assert.deepEqual(await sdk.clients.get(client.id), client);
    assert.equal(calls, 2);
    const once = new Clientele({ baseUrl: 'http://api.test', apiKey: 'k', fetch: hanging, timeoutMs: 30, retries: fast });
    calls = 2; // every later call hangs
    await assert.rejects(once.clients.create({ name: 'x' }), ClienteleConnectionError);
    assert.equal(calls, 3, 'a plain POST that timed out is not repeated');
    clearInterval(keepAlive);
  });

  it('sends JSON, query strings without undefined values, and per-call headers', async () => {
    const f = fakeFetch([json(200, { data: [], nextCursor: null }), json(201, client)]);
    const sdk = sdkWith(f);
    await sdk.clients.listPage({ limit: 5, q: 'a b', isActive: false, username: undefined });
    assert.equal(f.requests[0]!.url, 'http://api.test/v1/clients?limit=5&q=a+b&isActive=false');
    await sdk.clients.create({ name: 'Acme' }, { headers: { 'X-Trace': '1' } });
    assert.equal(f.requests[1]!.headers['content-type'], 'application/json');
    assert.equal(f.requests[1]!.headers['x-trace'], '1');
    assert.equal(f.requests[1]!.body, '{"name":"Acme"}');
  });
});
