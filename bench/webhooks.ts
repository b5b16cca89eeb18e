/**
 * Webhook dispatch benchmark: deliveries per second to a local receiver, and event-to-delivery
 * latency (p50/p99), on the embedded database (PGlite) and on PostgreSQL, against a baseline
 * measured in the same run — a raw node:http POST loop to the same receiver with the same
 * concurrency (8: the dispatcher's default per endpoint, and the bench has one endpoint), body
 * size and keep-alive agent. The baseline makes a pass after every dispatcher round too, and the
 * ratio is taken round by round (median): on a shared machine the load moves both.
 *
 *   node --import tsx bench/webhooks.ts          (npm run bench:webhooks)
 *
 * The dispatcher runs with the server's defaults (src/config.ts), woken by the commits as in
 * `clientele serve`. Latency: events committed one at a time at ~100/s while it runs. On
 * PostgreSQL also across instances: the events are committed through another store (another
 * "instance"), so only the NOTIFY on commit, heard by a LISTEN connection, wakes the dispatcher.
 *
 * Loopback only. PostgreSQL: $CLIENTELE_TEST_POSTGRES_URL, $DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres (a throw-away database is created and dropped);
 * skipped with a message when unreachable. Environment knobs: BENCH_EVENTS (default 2000),
 * BENCH_LATENCY_EVENTS (default 200), BENCH_ROUNDS (throughput passes per backend, median; default 3),
 * BENCH_BACKENDS (default embedded,postgres).
 * Exits by itself; a watchdog aborts after 290 s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config.js';
import type { EventType } from '../src/core/event-types.js';
import { recordEvent } from '../src/core/events.js';
import { signatureHeaders } from '../src/crypto/webhook-signature.js';
import type { Store } from '../src/core/ports.js';
import { startNotificationListener } from '../src/storage/notification-listener.js';
import { createSqlStore } from '../src/storage/sql-store.js';
import { WEBHOOKS_DUE_CHANNEL } from '../src/storage/sql-webhooks.js';
import { createDispatcher } from '../src/webhooks/dispatcher.js';
import { createWakeSignal } from '../src/webhooks/wake.js';
import { createTestApp, type TestApp } from '../test/support/app.js';
import type { BackendName } from '../test/support/databases.js';
import { median } from './lib/stats.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = loadConfig({}).webhookEndpointConcurrency; // in flight to one endpoint: the baseline's concurrency
const LATENCY_EVERY_MS = 10; // events paced at ~100/s for the latency runs
/** A synthetic type outside the server's catalogue: only the bench's own endpoint listens to it. */
const PING = 'bench.ping' as EventType;

const watchdog = setTimeout(() => {
  process.stderr.write('bench/webhooks: watchdog fired after 290 s, aborting\n');
  process.exit(2);
}, 290_000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// The receiver: answers 204 at once, records the first arrival time per webhook-id.

interface Sink {
  url: string;
  arrivals: Map<string, number>;
  requests: number;
  samples: Array<{ headers: http.IncomingHttpHeaders; raw: string }>;
  reset(): void;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink: Sink = {
    url: '',
    arrivals: new Map(),
    requests: 0,
    samples: [],
    reset() {
      sink.arrivals = new Map();
      sink.requests = 0;
      sink.samples = [];
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      sink.requests += 1;
      const id = String(req.headers['webhook-id'] ?? '');
      if (!sink.arrivals.has(id)) sink.arrivals.set(id, at);
      if (sink.samples.length < 20) sink.samples.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return sink;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Baseline: the same receiver, raw node:http POSTs, same concurrency and body size.

function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Baseline {
  /** One pass of `n` POSTs with CONCURRENCY in flight: requests per second. */
  pass(): Promise<number>;
  /** Median of the passes made so far (a warm-up pass and three at the start, one after each dispatcher round). */
  perSecond(): number;
  p50: number;
  p99: number;
}

async function baseline(sink: Sink, n: number): Promise<Baseline> {
  const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
  const body = JSON.stringify({ id: '01900000-0000-7000-8000-000000000000', type: 'bench.ping', createdAt: new Date().toISOString(), data: { seq: 0, pad: 'x'.repeat(40) } });
  const headersFor = (i: number) => ({ 'content-type': 'application/json', 'user-agent': 'bench', ...signatureHeaders([secret], `base-${i}`, Math.floor(Date.now() / 1000), body) });
  const passes: number[] = [];
  const pass = async () => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = next++;
          await post(sink.url, body, headersFor(i));
        }
      }),
    );
    const perSecond = n / ((performance.now() - t0) / 1000);
    passes.push(perSecond);
    sink.reset();
    return perSecond;
  };
  await pass(); // warm-up (JIT)
  passes.length = 0;
  for (let i = 0; i < 3; i++) await pass();
  // One request at a time: round-trip latency.
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const t = performance.now();
    await post(sink.url, body, headersFor(n + i));
    lat.push(performance.now() - t);
  }
  sink.reset();
  return { pass, perSecond: () => median(passes), p50: pct(lat, 50), p99: pct(lat, 99) };
}

// ---------------------------------------------------------------------------------------------
// The dispatcher on one backend.

interface BackendResult {
  backend: BackendName;
  /** Median of the rounds. */
  perSecond: number;
  rounds: number[];
  /** Each round's deliveries/s over the baseline pass made right after it; and their median. */
  ratios: number[];
  ratio: number;
  latency: Array<{ label: string; p50: number; p99: number; max: number }>;
  duplicates: number;
  verified: number;
}

async function dispatcherRun(backend: BackendName, sink: Sink, base: Baseline): Promise<BackendResult> {
  const defaults = loadConfig({});
  let t: TestApp | undefined;
  const closers: Array<() => Promise<void>> = [];
  try {
    t = await createTestApp(backend, { outboundAllowHosts: '127.0.0.1' });
    const acc = await t.newAccount('Bench Co');
    const inject = async (url: string, payload: object) => {
      const r = await t!.app.inject({ method: 'POST', url, headers: acc.headers, payload });
      if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      return JSON.parse(r.body) as Record<string, string>;
    };
    const secret = (await inject('/v1/webhook-secret/generate', {})).webhookSecret!;
    await inject('/v1/webhook-endpoints', { url: `${sink.url}/hook`, events: ['bench.*'] });
    const ctx = t.services.ctx;
    const emitThrough = (store: Store, seq: number) =>
      store.transaction((tx) => recordEvent(tx, { accountId: acc.accountId, clientId: null, type: PING, actor: { type: 'system', id: 'bench' }, data: { seq, pad: 'x'.repeat(40) } }, ctx.now()));
    const options = {
      retryBaseMs: defaults.webhookRetryBaseMs,
      timeoutMs: defaults.webhookTimeoutMs,
      pollIntervalMs: defaults.webhookPollMs,
      concurrency: defaults.webhookConcurrency,
      perEndpoint: defaults.webhookEndpointConcurrency,
      onError: (e: unknown) => process.stderr.write(`dispatcher error: ${String(e)}\n`),
    };

    // Throughput: EVENTS already in the outbox, then a started dispatcher drains it; median of
    // ROUNDS after a warm-up round (as the baseline has a warm-up pass). Each round is followed
    // by a baseline pass, and the ratio is taken round by round: the machine's load moves both.
    const rounds: number[] = [];
    const ratios: number[] = [];
    let duplicates = 0;
    let verified = 0;
    let seq = 0;
    for (let round = -1; round < ROUNDS; round++) {
      for (let i = 0; i < EVENTS; i += 100) {
        await ctx.store.transaction(async (tx) => {
          for (let j = i; j < Math.min(EVENTS, i + 100); j++)
            await recordEvent(tx, { accountId: acc.accountId, clientId: null, type: PING, actor: { type: 'system', id: 'bench' }, data: { seq: seq++, pad: 'x'.repeat(40) } }, ctx.now());
        });
      }
      sink.reset();
      const d = createDispatcher(ctx, options);
      const t0 = performance.now();
      d.start();
      await waitUntil(`${EVENTS} deliveries`, () => sink.arrivals.size >= EVENTS, 120_000);
      if (round >= 0) rounds.push(EVENTS / ((performance.now() - t0) / 1000));
      await d.stop();
      duplicates += sink.requests - sink.arrivals.size;
      for (const s of sink.samples) {
        new Webhook(secret).verify(s.raw, s.headers as Record<string, string>); // throws if not
        verified += 1;
      }
      if (round >= 0) ratios.push(rounds.at(-1)! / (await base.pass()));
    }

    // Latency: events trickle in (~100/s) while the dispatcher runs; commit → arrival.
    const latency: BackendResult['latency'] = [];
    const measure = async (label: string, emit: (seq: number) => Promise<{ id: string }>, wake: Pick<ReturnType<typeof createWakeSignal>, 'subscribe'>) => {
      const d = createDispatcher(ctx, { ...options, wake });
      d.start();
      await new Promise((r) => setTimeout(r, 50));
      sink.reset();
      const committed = new Map<string, number>();
      for (let i = 0; i < LATENCY_EVENTS; i++) {
        const e = await emit(seq++);
        committed.set(e.id, performance.now());
        await new Promise((r) => setTimeout(r, LATENCY_EVERY_MS));
      }
      await waitUntil('latency deliveries', () => [...committed.keys()].every((id) => sink.arrivals.has(id)), 30_000);
      const lat = [...committed].map(([id, at]) => sink.arrivals.get(id)! - at);
      latency.push({ label, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) });
      await d.stop();
    };
    await measure('same instance (woken on commit)', (n) => emitThrough(ctx.store, n), t.services.deliveriesDue);
    const url = (t.database as { url?: string }).url;
    if (backend === 'postgres' && url) {
      // Another instance commits the events; this one hears of them through LISTEN only.
      const wake = createWakeSignal();
      const listener = startNotificationListener({ connectionString: url, channels: { [WEBHOOKS_DUE_CHANNEL]: () => wake.fire() } });
      closers.push(() => listener.stop());
      await listener.ready;
      const other = createSqlStore(t.database.db, { notifyDeliveries: true });
      await measure('another instance (NOTIFY → LISTEN)', (n) => emitThrough(other, n), wake);
    }
    return { backend, perSecond: median(rounds), rounds, ratios, ratio: median(ratios), latency, duplicates, verified };
  } finally {
    for (const c of closers) await c();
    await t?.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  process.stdout.write(
    `bench/webhooks — node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}\n` + `events ${EVENTS} (throughput), ${LATENCY_EVENTS} at ~${1000 / LATENCY_EVERY_MS}/s (latency); concurrency ${CONCURRENCY}; loopback receiver answering 204\n\n`,
  );
  const sink = await startSink();
  try {
    const base = await baseline(sink, EVENTS);
    process.stdout.write(`baseline  raw node:http POST loop: ${fmt(base.perSecond(), 0)} req/s; one request round trip p50 ${fmt(base.p50, 2)} ms, p99 ${fmt(base.p99, 2)} ms\n`);
    const results: BackendResult[] = [];
    for (const backend of (process.env.BENCH_BACKENDS ?? 'embedded,postgres').split(',') as BackendName[]) {
      try {
        const r = await dispatcherRun(backend, sink, base);
        results.push(r);
        process.stdout.write(
          `${backend.padEnd(9)} dispatcher: ${fmt(r.perSecond, 0)} deliveries/s (median of ${r.rounds.map((x) => fmt(x, 0)).join(', ')}); ` +
            `÷ the baseline pass after each round: ${r.ratios.map((x) => fmt(x, 3)).join(', ')} (median ${fmt(r.ratio, 3)}); ` +
            `${r.duplicates} duplicates; ${r.verified} sampled signatures verified\n` +
            r.latency.map((l) => `          event→delivery, ${l.label}: p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms\n`).join(''),
        );
      } catch (err) {
        if (backend === 'postgres' && /ECONNREFUSED|connect|password|does not exist/i.test(String((err as Error).message ?? err))) {
          process.stdout.write(`postgres  skipped: ${(err as Error).message}\n`);
          continue;
        }
        throw err;
      }
    }
    process.stdout.write("\n| backend | deliveries/s (median) | baseline req/s (median of all passes) | ratio (median of the rounds' ratios) | event→delivery p50 / p99 |\n|---|---:|---:|---:|---|\n");
    for (const r of results) {
      process.stdout.write(
        `| ${r.backend} | ${fmt(r.perSecond, 0)} | ${fmt(base.perSecond(), 0)} | ${fmt(r.ratio, 3)} | ${r.latency.map((l) => `${l.label}: ${fmt(l.p50)} / ${fmt(l.p99)} ms`).join('; ')} |\n`,
      );
    }
    process.stdout.write(
      `\ntotal ${fmt((performance.now() - started) / 1000)} s; load average at the end ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}\n`,
    );
  } finally {
    await sink.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench/webhooks failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
