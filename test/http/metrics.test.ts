/**
 * `GET /metrics`: the Prometheus text format, figures that follow what the server does (cache
 * hits and misses, key-usage flushes, the pool), the optional bearer token, no secret in the
 * output, and no route at all when metrics are off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';

const TOKEN = 'metrics-token-for-the-test-0123456789';

/** The value of an unlabelled sample in Prometheus text output. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no sample ${name}`);
  return Number(line.slice(name.length + 1));
}

for (const backend of testBackends()) {
  describe(`GET /metrics [${backend}]`, () => {
    let t: TestApp;
    let open: App;
    let guarded: App;
    let acc: TestAccount;

    before(async () => {
      t = await createTestApp(backend, { logLevel: 'warn' });
      acc = await t.newAccount();
      const metrics = createMetrics({ ...(t.services.cache ? { cache: t.services.cache } : {}), keyUsage: t.services.keyUsage, pool: t.database.pool });
      open = await buildApp({ ctx: t.services.ctx, ready: async () => true, logLevel: 'warn', metrics: { metrics } });
      guarded = await buildApp({ ctx: t.services.ctx, ready: async () => true, logLevel: 'warn', metrics: { metrics, token: TOKEN } });
    });
    after(async () => {
      await open?.close();
      await guarded?.close();
      await t?.close();
    });

    const scrape = async (app: App = open) => {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      return res.body;
    };

    it('serves the process, cache, key-usage and pool figures in the Prometheus text format', async () => {
      const text = await scrape();
      for (const name of [
        'process_cpu_user_seconds_total',
        'nodejs_eventloop_lag_seconds',
        'clientele_cache_enabled',
        'clientele_cache_entries',
        'clientele_cache_hits_total',
        'clientele_cache_misses_total',
        'clientele_key_usage_pending_keys',
        'clientele_key_usage_flushes_total',
        'clientele_key_usage_flush_failures_total',
        'clientele_key_usage_last_flush_seconds',
        'clientele_db_pool_connections',
        'clientele_db_pool_idle_connections',
        'clientele_db_pool_waiting_requests',
      ]) {
        assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
      }
      assert.equal(sample(text, 'clientele_cache_enabled'), 1);
      assert.ok(sample(text, 'clientele_db_pool_connections') >= 1);
    });

    it('cache hits and misses and key-usage flushes move with the requests', async () => {
      const before = await scrape();
      for (let i = 0; i < 3; i++) {
        const res = await open.inject({ method: 'GET', url: '/v1/clients?limit=1', headers: acc.headers });
        assert.equal(res.statusCode, 200);
      }
      const during = await scrape();
      assert.ok(sample(during, 'clientele_cache_hits_total') >= sample(before, 'clientele_cache_hits_total') + 2, 'the key was cached after the first request');
      assert.ok(sample(during, 'clientele_key_usage_pending_keys') >= 1, 'the uses await a flush');
      await t.services.keyUsage.flush();
      const after = await scrape();
      assert.ok(sample(after, 'clientele_key_usage_flushes_total') > sample(during, 'clientele_key_usage_flushes_total'));
      assert.equal(sample(after, 'clientele_key_usage_pending_keys'), 0);
      assert.equal(sample(after, 'clientele_key_usage_flush_failures_total'), 0);
    });

    it('with a token: refused without it or with another, served with it; no secret in the output', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { 'x-api-key': acc.token }]) {
        const res = await guarded.inject({ method: 'GET', url: '/metrics', headers });
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.match(String(res.headers['content-type']), /problem\+json/);
        assert.ok(!res.body.includes(TOKEN));
      }
      const res = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.statusCode, 200);
      for (const secret of [TOKEN, acc.token, acc.secret, acc.keyId, acc.accountId]) assert.ok(!res.body.includes(secret));
      assert.ok(!t.logs.join('').includes(TOKEN), 'the token is not logged');
    });

    it('is not served when metrics are off', async () => {
      // (Unknown paths answer 401 to anonymous callers, 404 once authenticated.)
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: acc.headers });
      assert.equal(res.statusCode, 404);
    });
  });
}
