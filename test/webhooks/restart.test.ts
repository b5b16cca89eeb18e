/**
 * Crash safety of the outbox with real processes, on each backend: events are created while
 * the receiver is down (connection refused) and then hanging (deliveries failing and in
 * flight), the server is killed with
 * SIGKILL mid-flight, started again with the receiver up, and every event is delivered —
 * none lost — each verified by signature. The processes' output never shows the secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';
import { freePort } from '../support/net.js';
import { api, credentialsFrom, listAll, pool, spawnServer, waitReady, type ServerProc } from './server-process.js';

const EVENTS = 40;

for (const backend of testBackends()) {
  describe(`webhooks survive SIGKILL [${backend}]`, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    const procs: ServerProc[] = [];
    const receivers: Receiver[] = [];

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'clientele-wh-restart-'));
      env = {
        PORT: String(await freePort()),
        CLIENTELE_DATA_DIR: dataDir,
        CLIENTELE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        CLIENTELE_WEBHOOK_RETRY_BASE_MS: '200',
        CLIENTELE_WEBHOOK_TIMEOUT_MS: '1000',
        CLIENTELE_WEBHOOK_POLL_MS: '50',
      };
      if (backend === 'postgres') {
        const db = await createEmptyPostgresDatabase();
        drop = db.drop;
        env.DATABASE_URL = db.url;
        env.CLIENTELE_MASTER_KEY = randomBytes(32).toString('base64');
      }
    });
    after(async () => {
      for (const p of procs) await p.kill('SIGKILL');
      for (const r of receivers) await r.close();
      await rm(dataDir, { recursive: true, force: true });
      await drop?.();
    });

    it(`delivers all ${EVENTS} events after a SIGKILL mid-flight and a restart`, { timeout: 120_000 }, async () => {
      const first = spawnServer(env);
      procs.push(first);
      await waitReady(first);
      const { apiKey } = credentialsFrom(first.output());
      const call = (method: string, path: string, body?: unknown) => api(first.url, apiKey.token, method, path, body);

      const gen = await call('POST', '/v1/webhook-secret/generate');
      assert.equal(gen.status, 200);
      const secret = gen.body.webhookSecret as string;
      const receiverPort = await freePort();
      const ep = await call('POST', '/v1/webhook-endpoints', { url: `http://127.0.0.1:${receiverPort}/hook`, events: ['client.*'] });
      assert.equal(ep.status, 201, JSON.stringify(ep.body));

      const createClients = (from: number, to: number) =>
        pool(
          Array.from({ length: to - from }, (_, i) => from + i),
          6,
          async (i) => {
            const r = await call('POST', '/v1/clients', { name: `Crash Co ${i}` });
            assert.equal(r.status, 201);
            return r.body.id as string;
          },
        );

      // Phase 0: nothing listens on the receiver's port: attempts fail (connection refused).
      const created = await createClients(0, EVENTS / 2);
      await waitFor(
        'refused attempts recorded',
        async () => {
          const rows = await listAll(first.url, apiKey.token, `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
          return rows.filter((d) => d.attempts >= 1 && d.status === 'pending' && /ECONNREFUSED/.test(d.lastError ?? '')).length >= 4;
        },
        20_000,
        100,
      );

      // Phase 1: the receiver accepts connections and never answers; attempts hang until the
      // 1 s timeout, fail, and are retried.
      const hanging = await startReceiver({ port: receiverPort, secrets: [secret], respond: () => ({ hang: true }) });
      receivers.push(hanging);
      created.push(...(await createClients(EVENTS / 2, EVENTS)));
      assert.equal(new Set(created).size, EVENTS);
      await waitFor('attempts in flight', () => hanging.received.length >= 12, 30_000);
      const seen = hanging.received.length;
      await waitFor('a fresh attempt', () => hanging.received.length > seen, 10_000, 2);
      const killedAt = performance.now();
      assert.equal(await first.kill('SIGKILL'), -1, 'killed by the signal');
      const inFlight = hanging.received.filter((x) => killedAt - x.at < 900).length;
      assert.ok(inFlight >= 1, 'deliveries were in flight when the process died');
      assert.deepEqual(hanging.failures, [], 'even failing attempts were signed');
      const attemptedBeforeKill = new Set(hanging.received.map((x) => x.id));
      await hanging.close();

      // Phase 2: the receiver is up and answers 200; a new process picks the work up.
      const receiver = await startReceiver({ port: receiverPort, secrets: [secret] });
      receivers.push(receiver);
      const second = spawnServer(env);
      procs.push(second);
      await waitReady(second);
      const events = await listAll(second.url, apiKey.token, '/v1/events?type=client.created');
      assert.equal(events.length, EVENTS, 'the events committed before the crash');
      const want = new Set(events.map((e) => e.id as string));
      // Leases of the killed process (9 × timeout + 5 s: 14 s) expire, then those deliveries go out too.
      await waitFor('every event delivered', () => [...want].every((id) => receiver.ids().has(id)), 60_000, 50);
      assert.deepEqual(receiver.failures, [], 'every delivery verified (standardwebhooks and FactPulse rule)');
      for (const x of receiver.received) {
        assert.deepEqual(x.standardOk, [secret]);
        assert.deepEqual(x.factPulseOk, [secret]);
        assert.equal(x.body.type, 'client.created');
        assert.ok(want.has(x.body.id));
      }
      const rows = await waitFor(
        'all rows succeeded',
        async () => {
          const all = await listAll(second.url, apiKey.token, `/v1/webhook-endpoints/${ep.body.id}/deliveries`);
          return all.length === EVENTS && all.every((d) => d.status === 'succeeded') ? all : null;
        },
        20_000,
        100,
      );
      const duplicates = receiver.received.length - receiver.ids().size;
      process.stdout.write(
        `[${backend}] restart: ${EVENTS} events, refused attempts, then ${attemptedBeforeKill.size} reached the hanging receiver before SIGKILL (${inFlight} in flight), ` +
          `${receiver.received.length} deliveries after restart, ${duplicates} duplicates, max attempts ${Math.max(...rows.map((d) => d.attempts))}\n`,
      );

      assert.equal(await second.kill('SIGTERM'), 0, second.output());
      for (const text of [first.output(), second.output()]) {
        assert.ok(text.length > 0);
        assert.ok(!text.includes(secret) && !text.includes(secret.slice(6)), 'the webhook secret never appears in the logs');
      }
    });
  });
}
