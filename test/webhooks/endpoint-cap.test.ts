/**
 * The per-account cap on webhook endpoints (CLIENTELE_WEBHOOK_MAX_ENDPOINTS): the N+1th is
 * refused with 409 WEBHOOK_ENDPOINT_LIMIT_REACHED and changes nothing, disabled endpoints
 * count, a deletion frees a slot, other accounts are not affected, concurrent creations never
 * exceed it, and the setting reaches the core from the environment through the composition root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_WEBHOOK_MAX_ENDPOINTS } from '../../src/core/webhook-endpoints.js';
import { randomBytes } from '../../src/crypto/random.js';
import { openRuntime } from '../../src/server.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { createHarness, createEndpoint, type Harness, type Res } from './harness.js';

const URL = 'https://93.184.215.14/hooks/cap';
const CAP = 3;

function assertLimit(res: Res, max: number): void {
  assert.equal(res.status, 409, res.raw);
  assert.equal(res.body.code, 'WEBHOOK_ENDPOINT_LIMIT_REACHED', res.raw);
  assert.equal(res.body.type, 'urn:clientele:problem:webhook-endpoint-limit-reached', res.raw);
  assert.equal(res.body.status, 409);
  assert.match(res.body.detail, new RegExp(`at most ${max}\\b`), res.raw);
}

for (const backend of testBackends()) {
  describe(`webhook endpoint cap [${backend}]`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(backend, { webhookMaxEndpoints: CAP, logLevel: 'warn' });
    });
    after(async () => {
      await h?.close();
    });

    const count = async (table: 'webhook_endpoints' | 'events' | 'webhook_deliveries', accountId = h.acc.accountId) =>
      Number(
        (
          await h.t.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('account_id', '=', accountId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('refuses the N+1th with a problem, changing nothing; a deletion frees a slot', async () => {
      const made = [await createEndpoint(h, { url: URL }), await createEndpoint(h, { url: URL, enabled: false }), await createEndpoint(h, { url: URL, events: ['client.*'] })];
      const before = { endpoints: await count('webhook_endpoints'), events: await count('events'), deliveries: await count('webhook_deliveries') };
      assert.equal(before.endpoints, CAP);

      const refused = await h.call('POST', '/v1/webhook-endpoints', { url: URL });
      assertLimit(refused, CAP);
      assert.match(refused.body.detail, /has 3 webhook endpoints/);
      const res = await h.t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: h.acc.headers, payload: { url: URL } });
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.deepEqual(
        { endpoints: await count('webhook_endpoints'), events: await count('events'), deliveries: await count('webhook_deliveries') },
        before,
        'a refused creation writes no endpoint, event or delivery',
      );

      // The disabled one counts too: deleting it frees the slot.
      assert.equal((await h.call('DELETE', `/v1/webhook-endpoints/${made[1].id}`)).status, 204);
      await createEndpoint(h, { url: URL });
      assertLimit(await h.call('POST', '/v1/webhook-endpoints', { url: URL }), CAP);

      // Per account: another tenant has its own slots.
      const other = await h.t.newAccount('Other Co');
      for (let i = 0; i < CAP; i++) assert.equal((await h.call('POST', '/v1/webhook-endpoints', { url: URL }, other.headers)).status, 201);
      assertLimit(await h.call('POST', '/v1/webhook-endpoints', { url: URL }, other.headers), CAP);
      assert.equal(await count('webhook_endpoints'), CAP);
    });

    it('never lets concurrent creations exceed it', async () => {
      const acc = await h.t.newAccount('Concurrent Co');
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(Array.from({ length: 12 }, () => h.call('POST', '/v1/webhook-endpoints', { url: URL }, acc.headers)));
        const created = results.filter((r) => r.status === 201);
        for (const r of results) if (r.status !== 201) assertLimit(r, CAP);
        assert.equal(created.length, CAP, `round ${round}: ${results.map((r) => r.status).join(',')}`);
        assert.equal(await count('webhook_endpoints', acc.accountId), CAP);
        // Free every slot for the next round, concurrently too.
        const deleted = await Promise.all(created.map((r) => h.call('DELETE', `/v1/webhook-endpoints/${r.body.id}`, undefined, acc.headers)));
        assert.deepEqual(
          deleted.map((r) => r.status),
          created.map(() => 204),
        );
        assert.equal(await count('webhook_endpoints', acc.accountId), 0);
      }
    });
  });
}

describe('CLIENTELE_WEBHOOK_MAX_ENDPOINTS', () => {
  it('defaults to 20 and accepts 0 or more', () => {
    assert.equal(DEFAULT_WEBHOOK_MAX_ENDPOINTS, 20);
    assert.equal(loadConfig({}).webhookMaxEndpoints, DEFAULT_WEBHOOK_MAX_ENDPOINTS);
    assert.equal(loadConfig({ CLIENTELE_WEBHOOK_MAX_ENDPOINTS: '0' }).webhookMaxEndpoints, 0);
    assert.equal(loadConfig({ CLIENTELE_WEBHOOK_MAX_ENDPOINTS: '500' }).webhookMaxEndpoints, 500);
    assert.throws(() => loadConfig({ CLIENTELE_WEBHOOK_MAX_ENDPOINTS: '-1' }), /CLIENTELE_WEBHOOK_MAX_ENDPOINTS/);
    assert.throws(() => loadConfig({ CLIENTELE_WEBHOOK_MAX_ENDPOINTS: 'many' }), /CLIENTELE_WEBHOOK_MAX_ENDPOINTS/);
  });

  if (testBackends().includes('postgres')) {
    it('reaches the core through the composition root', async () => {
      const created = await createEmptyPostgresDatabase();
      const masterKey = randomBytes(32).toString('base64');
      try {
        for (const [env, expected] of [
          [{}, 20],
          [{ CLIENTELE_WEBHOOK_MAX_ENDPOINTS: '7' }, 7],
        ] as const) {
          const config = loadConfig({ ...env, DATABASE_URL: created.url, CLIENTELE_MASTER_KEY: masterKey });
          const runtime = await openRuntime(config, () => {});
          try {
            assert.equal(runtime.services.ctx.webhookMaxEndpoints, expected);
          } finally {
            await runtime.close();
          }
        }
      } finally {
        await created.drop();
      }
    });
  }
});
