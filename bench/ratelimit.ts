/**
 * `npm run bench:ratelimit`: what rate limits cost and how well they hold (docs/rate-limits.md).
 * Every figure is a ratio to a baseline measured in the same run, or a count.
 *
 * 1. Cached verify with one auto-applied limit, against the same verify of a key without
 *    limits (embedded, in-memory counting; both through the fast lane). Target ≥ 0.9.
 * 2. POST /v1/ratelimit throughput and latency, counted in memory and in Redis.
 * 3. Over-admission across two instances on one PostgreSQL database under load, counted in
 *    PostgreSQL (leases) and in Redis: admitted per window against the limit.
 * 4. Verify latency during a flood of failed sign-ins, against the same without the flood
 *    (the per-address sign-in limits off, so every attempt reaches the password check: the
 *    worst case; and with the defaults). Target: p50 within 2×.
 *
 *   BENCH_SECONDS  seconds per throughput run (default 6)   BENCH_ROUNDS  rounds (default 3)
 *   BENCH_PG_URL   PostgreSQL admin URL for part 3 (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_PARTS    which parts to run, e.g. 1,4 (default all)
 *
 * Needs redis-server on PATH for the Redis figures (skipped, and said so, without it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { machine, runLoad, type LoadResult, type Req } from './lib/load.js';
import { bootstrapToken, freePort, sleep, startClientele, type Proc } from './lib/processes.js';
import { median } from './lib/stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (s: string) => process.stderr.write(`[bench:ratelimit] ${s}\n`);
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3,4').split(',').map((p) => p.trim()));
const lines: string[] = [];
const report = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

interface Server {
  proc: Proc;
  token: string;
  dir: string;
}

/** A server on a new embedded data directory (or `env`'s database), with the credentials it printed at first start. */
async function startServer(env: NodeJS.ProcessEnv = {}, dir?: string): Promise<Server> {
  const dataDir = dir ?? (await mkdtemp(path.join(tmpdir(), 'clientele-bench-rl-')));
  const proc = await startClientele({ CLIENTELE_DATA_DIR: dataDir, CLIENTELE_BOOTSTRAP: 'true', CLIENTELE_MASTER_KEY: MASTER_KEY, ...env });
  return { proc, token: (await bootstrapToken(proc)) ?? '', dir: dataDir };
}

const MASTER_KEY = randomBytes(32).toString('base64');

async function api(s: { proc: Proc; token: string }, method: string, p: string, body?: unknown): Promise<any> {
  const r = await fetch(s.proc.url + p, {
    method,
    headers: { 'x-api-key': s.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const verifyReq = (callerToken: string, token: string): Req => ({
  method: 'POST',
  path: '/v1/keys/verify',
  headers: { 'x-api-key': callerToken, 'content-type': 'application/json' },
  body: JSON.stringify({ token }),
});

async function load(s: Server, requests: Req[], connections = 50, seconds = SECONDS): Promise<LoadResult> {
  await runLoad({ url: s.proc.url, requests, connections, seconds: 1 }); // warm-up
  return runLoad({ url: s.proc.url, requests, connections, seconds });
}

async function startRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const bin = (process.env.PATH ?? '')
    .split(':')
    .map((d) => path.join(d, 'redis-server'))
    .find((p) => existsSync(p));
  if (!bin) return undefined;
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await sleep(300);
  return { url: `redis://127.0.0.1:${port}`, child };
}

// ---------------------------------------------------------------------------------------------

async function verifyWithLimit(): Promise<void> {
  const s = await startServer();
  try {
    const plain = await api(s, 'POST', '/v1/keys', { name: 'plain' });
    const limited = await api(s, 'POST', '/v1/keys', { name: 'limited', ratelimits: [{ name: 'requests', limit: 1_000_000_000, duration: 3_600_000, autoApply: true }] });
    const a = Array.from({ length: 64 }, () => verifyReq(s.token, plain.token));
    const b = Array.from({ length: 64 }, () => verifyReq(s.token, limited.token));
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // The order alternates between rounds: the second run of a round tends to be the warmer one.
      let without: LoadResult;
      let withLimit: LoadResult;
      if (i % 2) {
        without = await load(s, a);
        withLimit = await load(s, b);
      } else {
        withLimit = await load(s, b);
        without = await load(s, a);
      }
      ratios.push(withLimit.rps / without.rps);
      log(`round ${i + 1}: without ${fmt(without.rps)}/s, with one limit ${fmt(withLimit.rps)}/s (p99 ${fmt(without.p99ms, 1)} / ${fmt(withLimit.p99ms, 1)} ms)`);
    }
    report(`| cached verify with one auto-applied limit ÷ without (embedded, in memory) | ${fmt(median(ratios), 2)} (rounds: ${ratios.map((r) => fmt(r, 2)).join(', ')}) | ≥ 0.9 |`);
  } finally {
    await s.proc.stop();
    await rm(s.dir, { recursive: true, force: true });
  }
}

async function standalone(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const s = await startServer(env);
  try {
    const reqs: Req[] = Array.from({ length: 1000 }, (_, i) => ({
      method: 'POST',
      path: '/v1/ratelimit',
      headers: { 'x-api-key': s.token, 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'bench', identifier: `user-${i}`, limit: 1_000_000_000, duration: 60_000 }),
    }));
    const verifies = Array.from({ length: 64 }, () => verifyReq(s.token, s.token));
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push({ rl: await load(s, reqs), verify: await load(s, verifies) });
    const rps = median(rounds.map((r) => r.rl.rps));
    const p99 = median(rounds.map((r) => r.rl.p99ms));
    const ratio = median(rounds.map((r) => r.rl.rps / r.verify.rps));
    report(`| POST /v1/ratelimit, ${label} | ${fmt(rps)}/s, p99 ${fmt(p99, 1)} ms; ÷ cached verify on the same server ${fmt(ratio, 2)} | — |`);
  } finally {
    await s.proc.stop();
    await rm(s.dir, { recursive: true, force: true });
  }
}

/** Two instances on one new PostgreSQL database, hammered by 64 concurrent callers for 12 s with a limit of 500 per 2 s. */
async function overAdmission(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const name = `clientele_bench_rl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const common = { DATABASE_URL: u.toString(), ...env };
  const a = await startServer(common);
  const b = await startServer(common);
  b.token = a.token;
  try {
    const limit = 500;
    const duration = 2_000;
    const identifier = randomBytes(4).toString('hex');
    const admitted = new Map<number, number>();
    const deadline = Date.now() + 12_000;
    let calls = 0;
    await Promise.all(
      Array.from({ length: 64 }, async (_, w) => {
        const s = w % 2 ? a : b;
        while (Date.now() < deadline) {
          const r = await api(s, 'POST', '/v1/ratelimit', { namespace: 'over', identifier, limit, duration });
          calls++;
          if (r.success) admitted.set(r.reset, (admitted.get(r.reset) ?? 0) + 1);
        }
      }),
    );
    // Whole windows only (the first and last are cut by the run's start and end).
    const windows = [...admitted.entries()].sort((x, y) => x[0] - y[0]).slice(1, -1);
    const counts = windows.map(([, n]) => n);
    report(
      `| two instances, ${label}: admitted per ${duration / 1000} s window, limit ${limit} (${fmt(calls)} calls, ${windows.length} whole windows) | max ${Math.max(...counts)} (over-admission ${Math.max(0, Math.max(...counts) - limit)}), min ${Math.min(...counts)} | over 0 |`,
    );
  } finally {
    await a.proc.stop();
    await b.proc.stop();
    await rm(a.dir, { recursive: true, force: true });
    await rm(b.dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * Verify latency as one caller sees it: `concurrency` loops of back-to-back verifies for
 * `seconds`, each timed with performance.now() (the load generators round to whole ms).
 */
async function probeLatency(s: Server, seconds: number, concurrency = 4): Promise<{ p50: number; p99: number; n: number }> {
  const times: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const body = JSON.stringify({ token: s.token });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const r = await fetch(`${s.proc.url}/v1/keys/verify`, { method: 'POST', headers: { 'x-api-key': s.token, 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        times.push(performance.now() - t0);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]!, n: times.length };
}

async function loginFlood(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const s = await startServer(env);
  try {
    const logins: Req[] = Array.from({ length: 256 }, (_, i) => ({
      method: 'POST',
      path: '/api/token/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `nobody-${i}@example.com`, password: 'a wrong password' }),
    }));
    await probeLatency(s, 1); // warm-up
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const quiet = await probeLatency(s, SECONDS);
      const floodRun = runLoad({ url: s.proc.url, requests: logins, connections: 40, seconds: SECONDS + 2 });
      await sleep(1_000);
      const during = await probeLatency(s, SECONDS);
      const flood = await floodRun;
      ratios.push(during.p50 / quiet.p50);
      log(`round ${i + 1}: verify p50 ${fmt(quiet.p50, 2)} → ${fmt(during.p50, 2)} ms, p99 ${fmt(quiet.p99, 1)} → ${fmt(during.p99, 1)} ms; flood ${fmt(flood.rps)} answers/s`);
    }
    report(`| verify p50 during a flood of failed sign-ins ÷ without, ${label} | ${fmt(median(ratios), 2)} (rounds: ${ratios.map((r) => fmt(r, 2)).join(', ')}) | ≤ 2 |`);
  } finally {
    await s.proc.stop();
    await rm(s.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const m = machine();
  report(`Rate limits (npm run bench:ratelimit, ${new Date().toISOString().slice(0, 16)} UTC; ${m.nproc} cores, ${m.loadgen}, ${ROUNDS} rounds of ${SECONDS} s)\n`);
  report('| figure | result | target |');
  report('|---|---|---|');
  if (PARTS.has('1')) await verifyWithLimit();
  if (PARTS.has('2')) await standalone('counted in memory (embedded)', {});
  const redis = PARTS.has('2') || PARTS.has('3') ? await startRedis() : undefined;
  try {
    if (PARTS.has('2')) {
      if (redis) await standalone('counted in Redis (embedded database)', { CLIENTELE_REDIS_URL: redis.url });
      else report('| POST /v1/ratelimit, Redis | skipped: no redis-server | — |');
    }
    if (PARTS.has('3')) {
      await overAdmission('counted in PostgreSQL', { CLIENTELE_RATE_LIMIT_STORE: 'postgres' });
      if (redis) await overAdmission('counted in Redis', { CLIENTELE_REDIS_URL: redis.url });
      else report('| two instances, Redis | skipped: no redis-server | — |');
    }
  } finally {
    redis?.child.kill('SIGKILL');
  }
  if (PARTS.has('4')) {
    await loginFlood('per-address sign-in limits off (every attempt checks a password)', {
      CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS: 'off',
      CLIENTELE_TOKEN_REQUESTS_PER_ADDRESS: 'off',
      CLIENTELE_SIGN_IN_FREE_FAILURES: '0',
      CLIENTELE_SIGN_IN_LOCK_FAILURES: '0',
    });
    await loginFlood('default limits', {});
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
