/**
 * Webhook dispatch benchmark: deliveries per second to a local receiver, and event-to-delivery
 * latency (p50/p99), on the embedded database (PGlite) and on PostgreSQL, against a baseline
 * measured in the same run — a raw node:http POST loop to the same receiver with the same
 * concurrency (8, the dispatcher's per-instance default), body size and keep-alive agent.
 *
 *   node --import tsx bench/webhooks.ts          (npm run bench:webhooks)
 *
 * Loopback only. PostgreSQL: $CLIENTELE_TEST_POSTGRES_URL, $DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres (a throw-away database is created and dropped);
 * skipped with a message when unreachable. Environment knobs: BENCH_EVENTS (default 2000),
 * BENCH_LATENCY_EVENTS (default 200). Exits by itself; a watchdog aborts after 170 s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config.js';
import type { EventType } from '../src/core/event-types.js';
import { recordEvent } from '../src/core/events.js';
import { signatureHeaders } from '../src/crypto/webhook-signature.js';
import { createDispatcher } from '../src/webhooks/dispatcher.js';
import { createTestApp, type TestApp } from '../test/support/app.js';
import type { BackendName } from '../test/support/databases.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 200);
const CONCURRENCY = 8; // the dispatcher's default deliveries in flight per instance
const LATENCY_EVERY_MS = 10; // events paced at ~100/s for the latency runs
/** A synthetic type outside the server's catalogue: only the bench's own endpoint listens to it. */
const PING = 'bench.ping' as EventType;

const watchdog = setTimeout(() => {
  process.stderr.write('bench/webhooks: watchdog fired after 170 s, aborting\n');
  process.exit(2);
}, 170_000);
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

async function baseline(sink: Sink, n: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
  const body = JSON.stringify({ id: '01900000-0000-7000-8000-000000000000', type: 'bench.ping', createdAt: new Date().toISOString(), data: { seq: 0, pad: 'x'.repeat(40) } });
  const headersFor = (i: number) => ({ 'content-type': 'application/json', 'user-agent': 'bench', ...signatureHeaders([secret], `base-${i}`, Math.floor(Date.now() / 1000), body) });
  // Throughput with CONCURRENCY in flight: one warm-up pass (JIT), then the median of 3 passes.
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
    return n / ((performance.now() - t0) / 1000);
  };
  await pass();
  const passes = [await pass(), await pass(), await pass()].sort((a, b) => a - b);
  const perSecond = passes[1]!;
  sink.reset();
  // One request at a time: round-trip latency.
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const t = performance.now();
    await post(sink.url, body, headersFor(n + i));
    lat.push(performance.now() - t);
  }
  return { perSecond, p50: pct(lat, 50), p99: pct(lat, 99) };
}

// ---------------------------------------------------------------------------------------------
// The dispatcher on one backend.

interface BackendResult {
  backend: BackendName;
  perSecond: number;
  drainMs: number;
  latency: Array<{ pollMs: number; p50: number; p99: number; max: number }>;
  duplicates: number;
  verified: number;
}

async function dispatcherRun(backend: BackendName, sink: Sink): Promise<BackendResult> {
  const defaults = loadConfig({});
  let t: TestApp | undefined;
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
    const emit = (seq: number) =>
      ctx.store.transaction((tx) => recordEvent(tx, { accountId: acc.accountId, clientId: null, type: PING, actor: { type: 'system', id: 'bench' }, data: { seq, pad: 'x'.repeat(40) } }, ctx.now()));

    // Throughput: EVENTS already in the outbox, then the dispatcher drains it.
    for (let i = 0; i < EVENTS; i += 100) {
      await ctx.store.transaction(async (tx) => {
        for (let j = i; j < Math.min(EVENTS, i + 100); j++)
          await recordEvent(tx, { accountId: acc.accountId, clientId: null, type: PING, actor: { type: 'system', id: 'bench' }, data: { seq: j, pad: 'x'.repeat(40) } }, ctx.now());
      });
    }
    sink.reset();
    const options = {
      retryBaseMs: defaults.webhookRetryBaseMs,
      timeoutMs: defaults.webhookTimeoutMs,
      concurrency: CONCURRENCY,
      onError: (e: unknown) => process.stderr.write(`dispatcher error: ${String(e)}\n`),
    };
    const d = createDispatcher(ctx, { ...options, pollIntervalMs: defaults.webhookPollMs });
    const t0 = performance.now();
    d.start();
    await waitUntil(`${EVENTS} deliveries`, () => sink.arrivals.size >= EVENTS, 120_000);
    const drainMs = performance.now() - t0;
    const duplicates = sink.requests - sink.arrivals.size;
    let verified = 0;
    for (const s of sink.samples) {
      new Webhook(secret).verify(s.raw, s.headers as Record<string, string>); // throws if not
      verified += 1;
    }

    // Latency: events trickle in (~100/s) while the dispatcher runs; commit → arrival.
    const latency: BackendResult['latency'] = [];
    for (const pollMs of [defaults.webhookPollMs, 20]) {
      let run = d;
      if (pollMs !== defaults.webhookPollMs) {
        await d.stop();
        run = createDispatcher(ctx, { ...options, pollIntervalMs: pollMs });
        run.start();
      }
      sink.reset();
      const committed = new Map<string, number>();
      for (let i = 0; i < LATENCY_EVENTS; i++) {
        const e = await emit(EVENTS + i);
        committed.set(e.id, performance.now());
        await new Promise((r) => setTimeout(r, LATENCY_EVERY_MS));
      }
      await waitUntil('latency deliveries', () => [...committed.keys()].every((id) => sink.arrivals.has(id)), 30_000);
      const lat = [...committed].map(([id, at]) => sink.arrivals.get(id)! - at);
      latency.push({ pollMs, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) });
      await run.stop();
    }
    return { backend, perSecond: EVENTS / (drainMs / 1000), drainMs, latency, duplicates, verified };
  } finally {
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
    process.stdout.write(`baseline  raw node:http POST loop: ${fmt(base.perSecond, 0)} req/s; one request round trip p50 ${fmt(base.p50, 2)} ms, p99 ${fmt(base.p99, 2)} ms\n`);
    const results: BackendResult[] = [];
    for (const backend of ['embedded', 'postgres'] as const) {
      try {
        const r = await dispatcherRun(backend, sink);
        results.push(r);
        process.stdout.write(
          `${backend.padEnd(9)} dispatcher: ${fmt(r.perSecond, 0)} deliveries/s (${EVENTS} in ${fmt(r.drainMs / 1000, 2)} s) = ${fmt((r.perSecond / base.perSecond) * 100)}% of baseline; ` +
            `${r.duplicates} duplicates; ${r.verified} sampled signatures verified\n` +
            r.latency.map((l) => `          event→delivery, poll ${l.pollMs} ms: p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms\n`).join(''),
        );
      } catch (err) {
        if (backend === 'postgres' && /ECONNREFUSED|connect|password|does not exist/i.test(String((err as Error).message ?? err))) {
          process.stdout.write(`postgres  skipped: ${(err as Error).message}\n`);
          continue;
        }
        throw err;
      }
    }
    process.stdout.write('\n| backend | deliveries/s | baseline req/s | ratio | latency p50 / p99 (poll 200 ms) | latency p50 / p99 (poll 20 ms) |\n|---|---|---|---|---|---|\n');
    for (const r of results) {
      const [a, b] = r.latency;
      process.stdout.write(
        `| ${r.backend} | ${fmt(r.perSecond, 0)} | ${fmt(base.perSecond, 0)} | ${fmt(r.perSecond / base.perSecond, 3)} | ${fmt(a!.p50)} / ${fmt(a!.p99)} ms | ${fmt(b!.p50)} / ${fmt(b!.p99)} ms |\n`,
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
