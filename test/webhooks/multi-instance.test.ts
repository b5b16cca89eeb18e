/**
 * Several instances share the outbox (PostgreSQL only): two `clientele serve` processes on one
 * database, a burst of 1,000 events created through both, one endpoint. Every event id must
 * arrive, verified by signature; the duplicate rate (SKIP LOCKED should make it zero in normal
 * operation) is printed and must stay under 1%; the time taken is printed. And a delivery queued
 * by one instance wakes the dispatcher of another at once (LISTEN/NOTIFY), without polling.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';
import { api, credentialsFrom, listAll, pool, startInstances, type ServerProc } from './server-process.js';

const EVENTS = 1000;
const run = promisify(execFile);

/** PIDs with an established connection to `port` on 127.0.0.1 (Linux `ss`); null when unavailable. */
async function pidsConnectedTo(port: number): Promise<Set<number> | null> {
  try {
    const { stdout } = await run('ss', ['-tnpH', 'state', 'established', `dst 127.0.0.1:${port}`]);
    return new Set([...stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
  } catch {
    return null;
  }
}

describe('webhooks: two instances on one PostgreSQL database', { skip: !testBackends().includes('postgres') && 'PostgreSQL not available' }, () => {
  let dataDir: string;
  const drops: Array<() => Promise<void>> = [];
  const procs: ServerProc[] = [];
  let receiver: Receiver | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'clientele-wh-multi-'));
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await receiver?.close();
    await rm(dataDir, { recursive: true, force: true });
    for (const drop of drops) await drop();
  });

  /** A fresh database (dropped after the suite) and the environment of every instance serving it. */
  async function sharedEnv(): Promise<Record<string, string>> {
    const db = await createEmptyPostgresDatabase();
    drops.push(db.drop);
    return { DATABASE_URL: db.url, CLIENTELE_MASTER_KEY: randomBytes(32).toString('base64'), CLIENTELE_DATA_DIR: dataDir, CLIENTELE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'warn' };
  }

  it(`delivers a burst of ${EVENTS} events exactly once each (duplicates < 1%)`, { timeout: 150_000 }, async () => {
    const common = {
      ...(await sharedEnv()),
      CLIENTELE_WEBHOOK_RETRY_BASE_MS: '500',
      // Generous: on a busy CI machine a receiver in the test process can stall for seconds, and an
      // attempt timed out after it arrived is resent (a duplicate this test is not about).
      CLIENTELE_WEBHOOK_TIMEOUT_MS: '20000',
      CLIENTELE_WEBHOOK_POLL_MS: '50',
    };
    const [a, b] = (await startInstances(common, 2, procs)) as [ServerProc, ServerProc];
    const { apiKey } = credentialsFrom(a.output());
    assert.ok(!b.output().includes('shown ONCE'), 'one bootstrap for the shared database');

    const gen = await api(a.url, apiKey.token, 'POST', '/v1/webhook-secret/generate');
    assert.equal(gen.status, 200);
    receiver = await startReceiver({ secrets: [gen.body.webhookSecret] });
    const ep = await api(b.url, apiKey.token, 'POST', '/v1/webhook-endpoints', { url: `${receiver.url}/burst`, events: ['client.created'] });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));

    const senders = new Set<number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pids = await pidsConnectedTo(receiver!.port);
        if (pids === null) return false;
        for (const p of pids) senders.add(p);
        await new Promise((r) => setTimeout(r, 50));
      }
      return true;
    })();

    const t0 = performance.now();
    await pool(
      Array.from({ length: EVENTS }, (_, i) => i),
      16,
      async (i) => {
        const r = await api(i % 2 ? a.url : b.url, apiKey.token, 'POST', '/v1/clients', { name: `Burst ${i}` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      },
    );
    const createdMs = performance.now() - t0;
    const events = await listAll(a.url, apiKey.token, '/v1/events?type=client.created');
    assert.equal(events.length, EVENTS);
    const want = new Set(events.map((e) => e.id as string));
    await waitFor(`${EVENTS} event ids at the receiver`, () => receiver!.ids().size >= EVENTS, 90_000, 20);
    const deliveredMs = performance.now() - t0;
    sampling = false;
    const sampled = await sampler;

    const got = receiver.ids();
    for (const id of want) assert.ok(got.has(id), `event ${id} delivered`);
    assert.equal(got.size, EVENTS, 'only the burst events');
    assert.deepEqual(receiver.failures, [], 'every delivery verified');
    await new Promise((r) => setTimeout(r, 500)); // late duplicates would show up here
    const total = receiver.received.length;
    const duplicates = total - got.size;
    const rate = duplicates / EVENTS;
    process.stdout.write(
      `two instances: ${EVENTS} events created in ${(createdMs / 1000).toFixed(1)} s, all delivered ${(deliveredMs / 1000).toFixed(1)} s after the first; ` +
        `${total} requests, ${duplicates} duplicates (${(rate * 100).toFixed(2)}%); ` +
        `sending processes seen: ${sampled ? [...senders].filter((p) => p === a.child.pid || p === b.child.pid).length : 'n/a'} of 2\n`,
    );
    assert.ok(rate < 0.01, `duplicate rate ${(rate * 100).toFixed(2)}%`);
    if (sampled) {
      assert.ok(senders.has(a.child.pid!), 'instance A sent deliveries');
      assert.ok(senders.has(b.child.pid!), 'instance B sent deliveries');
    }

    const rows = await listAll(a.url, apiKey.token, `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
    assert.equal(rows.length, EVENTS, 'one delivery row per event');
    assert.ok(rows.every((d) => d.status === 'succeeded'));
    const multi = rows.filter((d) => d.attempts > 1).length;
    assert.ok(multi / EVENTS < 0.01, `${multi} rows attempted more than once`);
    for (const p of [a, b]) assert.equal(await p.kill('SIGTERM'), 0, p.output());
  });

  it("an instance that only serves the API wakes another's dispatcher through NOTIFY: deliveries arrive with polling all but off", { timeout: 120_000 }, async () => {
    const common = await sharedEnv();
    const [api1] = (await startInstances({ ...common, CLIENTELE_WEBHOOK_DISPATCH: 'false' }, 1, procs)) as [ServerProc];
    const [sender] = (await startInstances({ ...common, CLIENTELE_WEBHOOK_POLL_MS: '600000' }, 1, procs)) as [ServerProc];
    const { apiKey } = credentialsFrom(api1.output());
    const gen = await api(api1.url, apiKey.token, 'POST', '/v1/webhook-secret/generate');
    const hooks = await startReceiver({ secrets: [gen.body.webhookSecret] });
    try {
      const ep = await api(api1.url, apiKey.token, 'POST', '/v1/webhook-endpoints', { url: `${hooks.url}/notify`, events: ['client.created'] });
      assert.equal(ep.status, 201, JSON.stringify(ep.body));
      await new Promise((r) => setTimeout(r, 300)); // the sender's first look (at start) is long over
      for (let i = 0; i < 10; i++) assert.equal((await api(api1.url, apiKey.token, 'POST', '/v1/clients', { name: `Notified ${i}` })).status, 201);
      await waitFor('10 deliveries sent by the other instance', () => hooks.ids().size >= 10, 20_000, 20);
      assert.deepEqual(hooks.failures, []);
      const rows = await listAll(sender.url, apiKey.token, `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
      assert.equal(rows.length, 10);
      assert.ok(rows.every((d) => d.status === 'succeeded'));
    } finally {
      await hooks.close();
    }
    for (const p of [api1, sender]) assert.equal(await p.kill('SIGTERM'), 0, p.output());
  });
});
