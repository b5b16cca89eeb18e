/**
 * `npm run bench:mixed`: writes and readiness under a mixed load on PostgreSQL.
 *
 * 1. creates alone: `POST /v1/clients` from BENCH_MIXED_CREATE_CONNECTIONS connections;
 * 2. the mix (after 2 s of verifies that put the keys back in the cache): the same creates, plus `POST /v1/keys/verify` of seeded keys from
 *    BENCH_MIXED_VERIFY_CONNECTIONS connections, both for BENCH_MIXED_SECONDS, while `/readyz`
 *    is sampled BENCH_MIXED_READYZ_SAMPLES times and PostgreSQL's sessions of the server are
 *    sampled (pg_stat_activity) to show what the pool's connections are busy with.
 *
 * Targets: under the mix, creates keep ≥ 25 % of their rate alone, no request goes
 * unanswered for 10 s, and every `/readyz` sample answers in < 1 s.
 *
 *   BENCH_MIXED_DB         database (default clientele_bench_mixed; seeded once, reused)
 *   BENCH_MIXED_CLIENTS    seeded clients, one key each (default 20,000)
 *   BENCH_MIXED_KEYS       distinct keys verified (default 10,000)
 *   BENCH_MIXED_SECONDS    seconds of each run (default 20), after a 2 s warm-up of the verifies
 *   BENCH_MIXED_ENV        extra server environment, JSON (e.g. '{"CLIENTELE_DB_POOL_SIZE":"20"}')
 *   BENCH_MIXED_WRITE=0    do not append the figures to bench/RESULTS.md
 *   BENCH_PG_URL           admin URL (see bench/lib/database.ts)
 */
import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { BENCH_MASTER_KEY, withPg } from './lib/database.js';
import { machine, runLoad, type LoadResult, type Req } from './lib/load.js';
import { waitForQuiet, withSteal } from './lib/noise.js';
import { ROOT, sleep, startClientele, type Proc } from './lib/processes.js';
import { dropRunKey, fixture, verifyReqs, type Fixture } from './fixtures.js';
import { ensureSeeded } from './seed.js';
import { median } from './lib/stats.js';

// The split of timeouts from other errors is read from autocannon's result.
process.env.BENCH_LOADGEN = 'autocannon';

const DB = process.env.BENCH_MIXED_DB ?? 'clientele_bench_mixed';
const CLIENTS = Number(process.env.BENCH_MIXED_CLIENTS ?? 20_000);
const KEYS = Number(process.env.BENCH_MIXED_KEYS ?? 10_000);
const SECONDS = Number(process.env.BENCH_MIXED_SECONDS ?? 20);
const VERIFY_CONNECTIONS = Number(process.env.BENCH_MIXED_VERIFY_CONNECTIONS ?? 100);
const CREATE_CONNECTIONS = Number(process.env.BENCH_MIXED_CREATE_CONNECTIONS ?? 100);
const READYZ_SAMPLES = Number(process.env.BENCH_MIXED_READYZ_SAMPLES ?? 10);
const EXTRA_ENV = JSON.parse(process.env.BENCH_MIXED_ENV ?? '{}') as Record<string, string>;
const TARGET_RATIO = 0.25;
const READYZ_TARGET_MS = 1000;

const log = (s: string) => process.stderr.write(`[bench:mixed] ${s}\n`);
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

/** Client bodies, all different (names only: no uniqueness rule to trip). */
function createReqs(f: Fixture, n: number): Req[] {
  const run = Date.now().toString(36);
  return Array.from({ length: n }, (_, i) => ({
    method: 'POST' as const,
    path: '/v1/clients',
    headers: { 'content-type': 'application/json', 'x-api-key': f.accountToken },
    body: JSON.stringify({ name: `mixed ${run} ${i}`, metadata: { bench: 'mixed-load' } }),
  }));
}

interface ReadySample {
  atMs: number;
  ms: number;
  status: number | string;
}

/** `/readyz` every `every` ms, `n` times, starting after `delay` ms; each waits at most 10 s. */
async function sampleReadyz(url: string, n: number, delay: number, every: number): Promise<ReadySample[]> {
  await sleep(delay);
  const started = performance.now();
  const pending: Promise<ReadySample>[] = [];
  for (let i = 0; i < n; i++) {
    const at = performance.now();
    pending.push(
      fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })
        .then(async (r) => {
          await r.arrayBuffer();
          return { atMs: at - started, ms: performance.now() - at, status: r.status };
        })
        .catch((err: Error) => ({ atMs: at - started, ms: performance.now() - at, status: err.name })),
    );
    await sleep(every);
  }
  return Promise.all(pending);
}

/**
 * What the server's database sessions are doing, sampled every 100 ms: the profile of what
 * holds the pool (query text, state, wait event), counted over the samples.
 */
function sampleSessions(url: string, applicationPid: number): { stop(): Promise<Array<{ what: string; share: number }>> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const done = withPg(url, async (c) => {
    while (!stopped) {
      // The server's pool connections: every backend of this database except ours and the
      // LISTEN connection (idle, not in a transaction) — idle ones are counted too.
      const r = await c.query(
        `SELECT state, coalesce(wait_event_type || ':' || wait_event, '') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND query NOT LIKE 'LISTEN%'`,
      );
      samples++;
      for (const row of r.rows as Array<{ state: string; wait: string; query: string }>) {
        const what = row.state === 'idle' ? 'idle' : `${row.state}${row.wait ? ` [${row.wait}]` : ''}: ${row.query}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
      await sleep(100);
    }
  });
  void applicationPid;
  return {
    async stop() {
      stopped = true;
      await done;
      return [...counts.entries()].map(([what, n]) => ({ what, share: n / Math.max(1, samples) })).sort((a, b) => b.share - a.share);
    },
  };
}

interface Round {
  alone: LoadResult;
  mixCreate: LoadResult;
  mixVerify: LoadResult;
  readyz: ReadySample[];
  sessions: Array<{ what: string; share: number }>;
  stealPct: number;
  backgroundCpu: number;
  /** CPU the server process used during the mix, % of one core. */
  serverCpuPct: number;
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const createsPerSecond = (r: LoadResult) => (r.ok ?? 0) / SECONDS;

async function round(server: Proc, f: Fixture, verify: Req[], n: number): Promise<Round> {
  const backgroundCpu = await waitForQuiet();
  log(`round ${n}: creates alone, ${CREATE_CONNECTIONS} connections, ${SECONDS} s`);
  const alone = await runLoad({ url: server.url, requests: createReqs(f, 50_000), connections: CREATE_CONNECTIONS, seconds: SECONDS });
  log(`  ${fmt(createsPerSecond(alone))} creates/s, p50 ${fmt(alone.p50ms)} ms, ${alone.timeouts ?? 0} timeouts, ${alone.non2xx ?? 0} non-2xx`);
  // The verified keys back in the cache (its entries live 15 s: the run above outlived them).
  await runLoad({ url: server.url, requests: verify, connections: VERIFY_CONNECTIONS, seconds: 2 });
  log(`round ${n}: the mix, ${VERIFY_CONNECTIONS} verify + ${CREATE_CONNECTIONS} create connections, ${SECONDS} s`);
  const cpu0 = cpuMs(server.pid);
  const { value, stealPct } = await withSteal(async () => {
    const sessions = sampleSessions(f.url, server.pid);
    const spread = (SECONDS * 1000 - 2000) / READYZ_SAMPLES;
    const [mixVerify, mixCreate, readyz] = await Promise.all([
      runLoad({ url: server.url, requests: verify, connections: VERIFY_CONNECTIONS, seconds: SECONDS }),
      runLoad({ url: server.url, requests: createReqs(f, 50_000), connections: CREATE_CONNECTIONS, seconds: SECONDS }),
      sampleReadyz(server.url, READYZ_SAMPLES, 1500, spread),
    ]);
    return { mixVerify, mixCreate, readyz, sessions: await sessions.stop() };
  });
  const serverCpuPct = (cpuMs(server.pid) - cpu0) / (SECONDS * 10);
  const r: Round = { alone, ...value, stealPct, backgroundCpu, serverCpuPct };
  log(
    `  creates ${fmt(createsPerSecond(r.mixCreate))}/s (p50 ${fmt(r.mixCreate.p50ms)} ms, ${r.mixCreate.timeouts ?? 0} timeouts, ${r.mixCreate.non2xx ?? 0} non-2xx), ` +
      `verifies ${fmt((r.mixVerify.ok ?? 0) / SECONDS)}/s (p50 ${fmt(r.mixVerify.p50ms)} ms, ${r.mixVerify.timeouts ?? 0} timeouts, ${r.mixVerify.non2xx ?? 0} non-2xx); ` +
      `/readyz ms ${r.readyz.map((s) => `${fmt(s.ms)}${s.status === 200 ? '' : `(${s.status})`}`).join(' ')}`,
  );
  return r;
}

const started = performance.now();
await ensureSeeded(DB, CLIENTS, log);
const f = await fixture(DB, CLIENTS, KEYS);
const verify = verifyReqs(f, KEYS);
log(`${f.tokens.length} distinct keys verified; server env ${JSON.stringify(EXTRA_ENV)}`);
const server = await startClientele({ DATABASE_URL: f.url, CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY, CLIENTELE_WEBHOOK_DISPATCH: 'false', ...EXTRA_ENV });
const rounds: Round[] = [];
try {
  // Warm-up: the server's code paths compiled.
  await runLoad({ url: server.url, requests: verify, connections: VERIFY_CONNECTIONS, seconds: 2 });
  for (let i = 1; i <= 2; i++) rounds.push(await round(server, f, verify, i));
} finally {
  await server.stop();
  await dropRunKey(f);
  // The created clients would grow the database run after run.
  await withPg(f.url, async (c) => {
    await c.query(`DELETE FROM events WHERE account_id = $1 AND type = 'client.created' AND data->'client'->>'name' LIKE 'mixed %'`, [f.accountId]);
    await c.query(`DELETE FROM clients WHERE account_id = $1 AND metadata->>'bench' = 'mixed-load'`, [f.accountId]);
  }).catch((err: Error) => log(`cleanup failed: ${err.message}`));
}

// ---------------------------------------------------------------------------------------------
// Report.

const alone = median(rounds.map((r) => createsPerSecond(r.alone)));
const mixed = median(rounds.map((r) => createsPerSecond(r.mixCreate)));
const ratios = rounds.map((r) => createsPerSecond(r.mixCreate) / createsPerSecond(r.alone));
const ratio = median(ratios);
const timeouts = rounds.reduce((n, r) => n + (r.mixCreate.timeouts ?? 0) + (r.mixVerify.timeouts ?? 0), 0);
const unavailable = rounds.reduce((n, r) => n + (r.mixCreate.non2xx ?? 0) + (r.mixVerify.non2xx ?? 0), 0);
const ready = rounds.flatMap((r) => r.readyz);
const readyOk = ready.every((s) => s.status === 200 && s.ms < READYZ_TARGET_MS);
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const command = `npm run bench:mixed${Object.keys(EXTRA_ENV).length ? ` (BENCH_MIXED_ENV='${JSON.stringify(EXTRA_ENV)}')` : ''}`;
const m = machine();
const lines = [
  `### Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${fmt((performance.now() - started) / 1000)} s)`,
  '',
  `\`${command}\` — ${CLIENTS.toLocaleString('en-US')} seeded clients, ${f.tokens.length.toLocaleString('en-US')} distinct keys verified, ${VERIFY_CONNECTIONS} verify + ${CREATE_CONNECTIONS} create connections, ${SECONDS} s per run, 2 rounds (medians). ${m.nproc} cores, Node ${m.node}, ${m.loadgen}.`,
  '',
  '| figure | round 1 | round 2 | median | target |',
  '|---|---:|---:|---:|---|',
  `| creates/s alone | ${rounds.map((r) => fmt(createsPerSecond(r.alone))).join(' | ')} | ${fmt(alone)} | |`,
  `| creates/s in the mix | ${rounds.map((r) => fmt(createsPerSecond(r.mixCreate))).join(' | ')} | ${fmt(mixed)} | |`,
  `| ratio mix / alone | ${ratios.map((x) => fmt(x, 2)).join(' | ')} | ${fmt(ratio, 2)} | ≥ ${TARGET_RATIO}: ${verdict(ratio >= TARGET_RATIO)} |`,
  `| create p50 / p99 ms in the mix | ${rounds.map((r) => `${fmt(r.mixCreate.p50ms)} / ${fmt(r.mixCreate.p99ms)}`).join(' | ')} | | |`,
  `| verifies/s in the mix (p50 ms) | ${rounds.map((r) => `${fmt((r.mixVerify.ok ?? 0) / SECONDS)} (${fmt(r.mixVerify.p50ms)})`).join(' | ')} | | |`,
  `| requests unanswered at 10 s | ${rounds.map((r) => fmt((r.mixCreate.timeouts ?? 0) + (r.mixVerify.timeouts ?? 0))).join(' | ')} | | 0: ${verdict(timeouts === 0)} |`,
  `| non-2xx answers (e.g. 503 when the pool is saturated) | ${rounds.map((r) => fmt((r.mixCreate.non2xx ?? 0) + (r.mixVerify.non2xx ?? 0))).join(' | ')} | | |`,
  `| /readyz ms (${READYZ_SAMPLES} samples; slowest) | ${rounds.map((r) => fmt(Math.max(...r.readyz.map((s) => s.ms)))).join(' | ')} | ${fmt(median(ready.map((s) => s.ms)))} | all < ${READYZ_TARGET_MS} ms and 200: ${verdict(readyOk)} |`,
  `| server CPU in the mix, % of one core | ${rounds.map((r) => fmt(r.serverCpuPct)).join(' | ')} | | |`,
  `| CPU steal / other processes' CPU before the run, % | ${rounds.map((r) => `${fmt(r.stealPct, 1)} / ${fmt(r.backgroundCpu)}`).join(' | ')} | | |`,
  '',
  "What the server's database sessions were doing during the last mix (share of 100 ms samples, in connections):",
  '',
  ...rounds
    .at(-1)!
    .sessions.slice(0, 6)
    .map((s) => `- ${fmt(s.share, 2)} × ${s.what.replace(/\|/g, '\\|')}`),
  '',
];
process.stdout.write('\n' + lines.join('\n') + '\n');
process.stdout.write(
  `creates/s alone ${fmt(alone)}, in the mix ${fmt(mixed)}, ratio ${fmt(ratio, 2)}; ${timeouts} timeouts; ${unavailable} non-2xx; /readyz max ${fmt(Math.max(...ready.map((s) => s.ms)))} ms\nReproduce: ${command}\n`,
);
if (process.env.BENCH_MIXED_WRITE !== '0') await appendFile(path.join(ROOT, 'bench', 'RESULTS.md'), '\n' + lines.join('\n'));
