/**
 * `npm run bench`: Clientele's performance suite. Every figure is a ratio to a baseline run
 * in the same session, on the same machine, with the same load generator in a separate
 * process (wrk when installed, else autocannon). See bench/README.md; results are written
 * to bench/RESULTS.md (its "Core performance" section only) and bench/results-core.json.
 *
 *   BENCH_SECONDS   seconds per throughput run (default 8; warm-up 2 s more, discarded)
 *   BENCH_ROUNDS    rounds of each throughput comparison (default 2; the median is kept)
 *   BENCH_LOADGEN   autocannon: force the autocannon fallback
 *   BENCH_WEBHOOKS  0: do not run bench/webhooks.ts after this suite
 *   BENCH_PG_URL, BENCH_DB, BENCH_CLIENTS: see bench/seed.ts
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_CLIENTS, BENCH_DB, BENCH_MASTER_KEY, dbUrl, SMALL_CLIENTS, SMALL_DB, withPg } from './lib/database.js';
import { loadTool, machine, runLoad, type LoadResult, type LoadSpec, type Req } from './lib/load.js';
import { waitForQuiet, withSteal } from './lib/noise.js';
import { ROOT, startBaseline, startClientele, startFlags, type Proc } from './lib/processes.js';
import { ccm19Reqs, cursorPageReqs, dropRunKey, factPulsePageReqs, fixture, getClientReqs, grantReqs, verifyReqs, type Fixture } from './fixtures.js';
import { ensureSeeded } from './seed.js';
import { median } from './lib/stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP = 2;
const CONNECTIONS = 50;
const LATENCY_CONNECTIONS = 4;
const LATENCY_SECONDS = Math.max(4, Math.round(SECONDS * 0.75));

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

// ---------------------------------------------------------------------------------------------
// Measuring.

/** Warm-up (discarded), then the measured run; samples the server's RSS meanwhile. */
async function measure(target: Proc, requests: Req[], connections = CONNECTIONS, seconds = SECONDS, warmup = WARMUP): Promise<LoadResult> {
  const spec = (s: number): LoadSpec => ({ url: target.url, requests, connections, seconds: s });
  const quiet = await waitForQuiet();
  if (warmup > 0) await runLoad(spec(warmup));
  const timer = setInterval(() => target.sampleRss(), 250);
  try {
    const { value: r, stealPct } = await withSteal(() => runLoad(spec(seconds)));
    if (stealPct >= 5) log(`  note: the hypervisor took ${fmt(stealPct)} % of the CPU during this run (steal)`);
    if (r.errors > 0) log(`  warning: ${r.errors} errors/non-2xx answers`);
    if (quiet >= 15) log(`  note: other processes used ${fmt(quiet)} % of the CPU before this run`);
    return { ...r, backgroundCpu: quiet, stealPct };
  } finally {
    clearInterval(timer);
    target.sampleRss();
  }
}

interface Comparison {
  name: string;
  baseline: string;
  subject: LoadResult[];
  base: LoadResult[];
  rps: number;
  baseRps: number;
  ratio: number;
  target?: string;
  met?: boolean;
}

function compare(name: string, baselineName: string, subject: LoadResult[], base: LoadResult[], target?: number): Comparison {
  const rps = median(subject.map((r) => r.rps));
  const baseRps = median(base.map((r) => r.rps));
  const ratio = rps / baseRps;
  return { name, baseline: baselineName, subject, base, rps, baseRps, ratio, ...(target !== undefined ? { target: `≥ ${target}`, met: ratio >= target } : {}) };
}

// ---------------------------------------------------------------------------------------------

const startHello = () => startBaseline('hello.mjs');
const startFastifyPg = (f: Fixture, queries: number, prepared = false) =>
  startBaseline('fastify-pg.mjs', { DATABASE_URL: f.url, ACCOUNT_ID: f.accountId, BASELINE_QUERIES: String(queries), ...(prepared ? { BASELINE_PREPARED: '1' } : {}) }, '/readyz');

const pgEnv = (f: Fixture, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ DATABASE_URL: f.url, CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY, ...extra });

async function startupSeries(label: string, n: number, start: () => Promise<Proc>): Promise<{ label: string; readyMs: number[]; rssMb: number[] }> {
  const readyMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = await start();
    readyMs.push(p.readyMs);
    rss.push(p.sampleRss());
    await p.stop();
  }
  log(`  ${label}: ready ${readyMs.map((x) => fmt(x)).join(' / ')} ms, RSS ${rss.map((x) => fmt(x)).join(' / ')} MB`);
  return { label, readyMs, rssMb: rss };
}

async function main(): Promise<void> {
  const began = new Date();
  const t0 = performance.now();
  const m = machine();
  m.postgres = await withPg(dbUrl('postgres'), async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  log(`load generator: ${m.loadgen}; ${m.nproc} cores; node ${m.node}; PostgreSQL ${m.postgres}`);

  // Databases: the 1M one (seeded once, reused), and a 10,000-client one for scaling ratios.
  const seededNow = await ensureSeeded(BENCH_DB, BENCH_CLIENTS, log);
  await ensureSeeded(SMALL_DB, SMALL_CLIENTS, log);
  const big = await fixture(BENCH_DB, BENCH_CLIENTS, 40_000);
  const small = await fixture(SMALL_DB, SMALL_CLIENTS, 5_000);
  log(`fixtures: ${big.tokens.length} tokens, ${big.clientIds.length} clients sampled at ${fmt(BENCH_CLIENTS)}; ${small.tokens.length} at ${fmt(SMALL_CLIENTS)}`);

  const results: Record<string, unknown> = { date: began.toISOString(), machine: m, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS };
  const comparisons: Comparison[] = [];
  const procs: Proc[] = [];
  const stopAll = async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
  };
  const rssAfterLoad = { cacheOn: NaN, cacheOnPeak: NaN, cacheOff: NaN, cacheOffPeak: NaN };
  const latency: Array<{ name: string; big: LoadResult; small: LoadResult }> = [];
  const startup: Array<{ label: string; readyMs: number[]; rssMb: number[] }> = [];

  try {
    // 1 + 3. Cached paths and grants against a bare node:http hello-world.
    log(`1. cached verify / cached GET client / grants vs node:http hello-world (${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections)`);
    const hello = await startHello();
    const cached = await startClientele(pgEnv(big));
    // References, not targets: the framework's own ceiling, and node:http doing only the
    // unavoidable work of these requests (bench/baselines/*.mjs).
    const fastifyHello = await startBaseline('fastify-hello.mjs');
    const essential = await startBaseline('essential-work.mjs');
    procs.push(hello, cached, fastifyHello, essential);
    const verify = verifyReqs(big, 1000);
    const getC = getClientReqs(big, 1000);
    const grants = grantReqs(big, 1000);
    const r = { helloV: [] as LoadResult[], verify: [] as LoadResult[], helloG: [] as LoadResult[], get: [] as LoadResult[], helloT: [] as LoadResult[], grant: [] as LoadResult[] };
    const ref = { fastifyV: [] as LoadResult[], essentialV: [] as LoadResult[], fastifyG: [] as LoadResult[], essentialG: [] as LoadResult[] };
    for (let round = 0; round < ROUNDS; round++) {
      r.helloV.push(await measure(hello, verify));
      r.verify.push(await measure(cached, verify));
      ref.fastifyV.push(await measure(fastifyHello, verify));
      ref.essentialV.push(await measure(essential, verify));
      r.helloG.push(await measure(hello, getC));
      r.get.push(await measure(cached, getC));
      ref.fastifyG.push(await measure(fastifyHello, getC));
      ref.essentialG.push(await measure(essential, getC));
      r.helloT.push(await measure(hello, grants));
      r.grant.push(await measure(cached, grants));
      log(
        `  round ${round + 1}: hello ${fmt(r.helloV.at(-1)!.rps)} | verify ${fmt(r.verify.at(-1)!.rps)} (essential work ${fmt(ref.essentialV.at(-1)!.rps)}) | GET client ${fmt(r.get.at(-1)!.rps)} (essential work ${fmt(ref.essentialG.at(-1)!.rps)}) | grants ${fmt(r.grant.at(-1)!.rps)} req/s`,
      );
    }
    comparisons.push(compare('cached POST /v1/keys/verify', 'node:http hello-world', r.verify, r.helloV, 0.7));
    comparisons.push(compare('  reference: bare Fastify hello-world, same requests', 'node:http hello-world', ref.fastifyV, r.helloV));
    comparisons.push(compare('  reference: node:http doing only the essential work of a verification', 'node:http hello-world', ref.essentialV, r.helloV));
    comparisons.push(compare('X-API-Key GET /v1/clients/{id} (cache on)', 'node:http hello-world', r.get, r.helloG, 0.7));
    comparisons.push(compare('  reference: bare Fastify hello-world, same requests', 'node:http hello-world', ref.fastifyG, r.helloG));
    comparisons.push(compare('  reference: node:http doing only the essential work of a client read', 'node:http hello-world', ref.essentialG, r.helloG));
    const grantCmp = compare('client-credentials grant POST /oauth2/token', 'node:http hello-world', r.grant, r.helloT);
    comparisons.push(grantCmp);
    results.grants = { rps: grantCmp.rps, target: '≥ 3,000/s', met: grantCmp.rps >= 3000, p50ms: median(r.grant.map((x) => x.p50ms)), p99ms: median(r.grant.map((x) => x.p99ms)) };
    await Promise.all([fastifyHello.stop(), essential.stop()]);

    // 4 (1M, cache on): page and lookup latency at low concurrency.
    log(`4. latency at ${fmt(BENCH_CLIENTS)} clients (${LATENCY_CONNECTIONS} connections × ${LATENCY_SECONDS} s)`);
    const lat = async (p: Proc, reqs: Req[]) => measure(p, reqs, LATENCY_CONNECTIONS, LATENCY_SECONDS, 1);
    const bigLat: Record<string, LoadResult> = {};
    bigLat.cursor = await lat(cached, cursorPageReqs(big, 2000));
    bigLat.factpulse = await lat(cached, factPulsePageReqs(big, 2000));
    bigLat.ccm19 = await lat(cached, ccm19Reqs(big, 2000));
    rssAfterLoad.cacheOn = cached.sampleRss();
    rssAfterLoad.cacheOnPeak = cached.peakRssMb;

    // Same server, request logging on (LOG_LEVEL=info, the default): what logging costs.
    await stopAll();
    const infoServer = await startClientele(pgEnv(big, { LOG_LEVEL: 'info' }));
    procs.push(infoServer);
    const infoVerify = await measure(infoServer, verify);
    results.verifyWithInfoLogs = { rps: infoVerify.rps, ratioToQuietServer: infoVerify.rps / median(r.verify.map((x) => x.rps)) };
    log(`  verify with LOG_LEVEL=info: ${fmt(infoVerify.rps)} req/s`);
    await stopAll();

    // 2. Uncached reads vs a minimal Fastify + pg doing the same queries.
    log(`2. uncached reads (CLIENTELE_CACHE=false) vs Fastify + pg`);
    const uncached = await startClientele(pgEnv(big, { CLIENTELE_CACHE: 'false' }));
    const fp2 = await startFastifyPg(big, 2);
    const fp1 = await startFastifyPg(big, 1);
    // Reference: the same baseline with named prepared statements, as Clientele runs these reads.
    const fpP = await startFastifyPg(big, 2, true);
    procs.push(uncached, fp2, fp1, fpP);
    const u = { fp2: [] as LoadResult[], get: [] as LoadResult[], fp1: [] as LoadResult[], fpV: [] as LoadResult[], verify: [] as LoadResult[], fpP: [] as LoadResult[], fpPV: [] as LoadResult[] };
    const uVerify = verifyReqs(big, 20_000);
    for (let round = 0; round < ROUNDS; round++) {
      u.fp2.push(await measure(fp2, getC));
      u.get.push(await measure(uncached, getC));
      u.fp1.push(await measure(fp1, getC));
      u.fpV.push(await measure(fp2, uVerify));
      u.verify.push(await measure(uncached, uVerify));
      u.fpP.push(await measure(fpP, getC));
      u.fpPV.push(await measure(fpP, uVerify));
      log(
        `  round ${round + 1}: fastify+pg 2q ${fmt(u.fp2.at(-1)!.rps)} | clientele GET ${fmt(u.get.at(-1)!.rps)} | fastify+pg 1q ${fmt(u.fp1.at(-1)!.rps)} | fastify+pg verify ${fmt(u.fpV.at(-1)!.rps)} | clientele verify ${fmt(u.verify.at(-1)!.rps)} | prepared fastify+pg 2q ${fmt(u.fpP.at(-1)!.rps)}, verify ${fmt(u.fpPV.at(-1)!.rps)}`,
      );
    }
    comparisons.push(compare('uncached GET /v1/clients/{id} (2 queries: key, client)', 'Fastify + pg, same 2 queries', u.get, u.fp2, 0.8));
    comparisons.push(compare('uncached GET /v1/clients/{id}', 'Fastify + pg, the client query alone', u.get, u.fp1));
    comparisons.push(compare("uncached POST /v1/keys/verify (2 queries: the caller's key; the key with its client)", 'Fastify + pg, same 2 queries', u.verify, u.fpV, 0.8));
    comparisons.push(compare('uncached GET /v1/clients/{id}', 'reference: Fastify + pg, same 2 queries as prepared statements', u.get, u.fpP));
    comparisons.push(compare('uncached POST /v1/keys/verify', 'reference: Fastify + pg, same 2 queries as prepared statements', u.verify, u.fpPV));

    // 4 (1M, cache off): verification cache miss.
    const bigMiss = await lat(uncached, verifyReqs(big, 20_000));
    rssAfterLoad.cacheOff = uncached.sampleRss();
    rssAfterLoad.cacheOffPeak = uncached.peakRssMb;
    await stopAll();

    // What the start command's choices are worth: the same uncached load on the same server
    // run the old way — src/ through tsx, default V8 young generation.
    const plain = await startClientele(pgEnv(big, { CLIENTELE_CACHE: 'false' }), { tsx: true, flags: [] });
    procs.push(plain);
    const plainGet = await measure(plain, getC);
    results.rssThroughTsx = { rssAtReadyMb: plain.readyRssMb, peakMb: plain.peakRssMb, rps: plainGet.rps, startRps: median(u.get.map((x) => x.rps)) };
    log(`  uncached GET through tsx, default V8 flags: ${fmt(plainGet.rps)} req/s, RSS at ready ${fmt(plain.readyRssMb)} MB, peak ${fmt(plain.peakRssMb)} MB`);
    await stopAll();

    // 4 (10,000 clients): the same requests on a small database, for the scaling ratios.
    log(`4. the same latency runs at ${fmt(SMALL_CLIENTS)} clients`);
    const smallOn = await startClientele(pgEnv(small));
    procs.push(smallOn);
    const smallLat: Record<string, LoadResult> = {};
    smallLat.cursor = await lat(smallOn, cursorPageReqs(small, 2000));
    smallLat.factpulse = await lat(smallOn, factPulsePageReqs(small, 2000));
    smallLat.ccm19 = await lat(smallOn, ccm19Reqs(small, 2000));
    await stopAll();
    const smallOff = await startClientele(pgEnv(small, { CLIENTELE_CACHE: 'false' }));
    procs.push(smallOff);
    const smallMiss = await lat(smallOff, verifyReqs(small, 5000));
    await stopAll();
    latency.push({ name: 'native cursor page GET /v1/clients?limit=20&cursor= (random depth)', big: bigLat.cursor, small: smallLat.cursor });
    latency.push({ name: 'FactPulse GET /api/v1/clients?page=random&pageSize=20', big: bigLat.factpulse, small: smallLat.factpulse });
    latency.push({ name: 'CCM19 GET /hosting/api/client/by-username/{u}', big: bigLat.ccm19, small: smallLat.ccm19 });
    latency.push({ name: 'POST /v1/keys/verify, cache miss (CLIENTELE_CACHE=false)', big: bigMiss, small: smallMiss });

    // 5. Start-up to ready, and RSS.
    log('5. start-up to ready and RSS');
    startup.push(await startupSeries('node:http hello-world', 3, startHello));
    startup.push(await startupSeries(`Clientele, PostgreSQL (${fmt(BENCH_CLIENTS)} clients)`, 3, () => startClientele(pgEnv(big))));
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clientele-bench-embedded-'));
    try {
      const embedded = () => startClientele({ CLIENTELE_DATA_DIR: dataDir, CLIENTELE_BOOTSTRAP: 'true' });
      startup.push(await startupSeries('Clientele, embedded, new data directory (initdb + migrations + bootstrap)', 1, embedded));
      startup.push(await startupSeries('Clientele, embedded, existing data directory', 3, embedded));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  } finally {
    await stopAll();
    await dropRunKey(big);
    await dropRunKey(small);
  }

  results.comparisons = comparisons.map(({ subject, base, ...c }) => ({ ...c, subjectRuns: subject, baselineRuns: base }));
  results.latency = latency;
  results.rssAfterLoadMb = rssAfterLoad;
  results.startup = startup;
  results.seededNow = seededNow;
  results.totalSeconds = (performance.now() - t0) / 1000;
  await writeFile(path.join(ROOT, 'bench', 'results-core.json'), JSON.stringify(results, null, 2) + '\n');
  await writeResults(results, comparisons, latency, rssAfterLoad, startup);
  log(`done in ${fmt((performance.now() - t0) / 1000)} s; bench/RESULTS.md updated`);

  if (process.env.BENCH_WEBHOOKS !== '0' && existsSync(path.join(ROOT, 'bench', 'webhooks.ts'))) {
    log('running bench/webhooks.ts (BENCH_WEBHOOKS=0 to skip)');
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts'], { cwd: ROOT, stdio: 'inherit' });
      const timer = setTimeout(() => child.kill('SIGTERM'), 10 * 60_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) log(`bench/webhooks.ts exited ${code}`);
        resolve();
      });
    });
  }
}

/** How much CPU the hypervisor took from this machine during the throughput runs. */
function stealLine(comparisons: Comparison[]): string {
  const steal = comparisons
    .flatMap((c) => [...c.subject, ...c.base])
    .map((r) => r.stealPct)
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (steal.length === 0) return 'CPU steal (time the hypervisor gave to other machines) was not measured.';
  return `CPU steal during these runs (time the hypervisor gave to other machines; every figure of a run drops with it): median ${fmt(median(steal), 1)} %, highest ${fmt(Math.max(...steal), 1)} %.`;
}

// ---------------------------------------------------------------------------------------------
// RESULTS.md: only the section between our markers is rewritten; other sections are kept.

const START = '<!-- bench:core:start (written by bench/run.ts) -->';
const END = '<!-- bench:core:end -->';

async function writeResults(
  results: Record<string, unknown>,
  comparisons: Comparison[],
  latency: Array<{ name: string; big: LoadResult; small: LoadResult }>,
  rss: { cacheOn: number; cacheOnPeak: number; cacheOff: number; cacheOffPeak: number },
  startup: Array<{ label: string; readyMs: number[]; rssMb: number[] }>,
): Promise<void> {
  const m = results.machine as ReturnType<typeof machine>;
  const grants = results.grants as { rps: number; met: boolean; p50ms: number; p99ms: number };
  const info = results.verifyWithInfoLogs as { rps: number; ratioToQuietServer: number };
  const verdict = (c: { met?: boolean; target?: string }) => (c.target ? `${c.target}: **${c.met ? 'met' : 'missed'}**` : '—');
  const hello = startup[0]!;
  const tsxRun = results.rssThroughTsx as { rssAtReadyMb: number; peakMb: number; rps: number; startRps: number };
  const lines: string[] = [
    START,
    '## Core performance',
    '',
    `Run ${String(results.date).slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${fmt(results.totalSeconds as number)} s). Machine: ${m.nproc} cores (${m.cpu}), memory ${m.memory}, Node ${m.node}, PostgreSQL ${m.postgres} on 127.0.0.1, load generator ${m.loadgen} in its own process (${loadTool() === 'wrk' ? '`wrk -t1`' : 'autocannon'}). Server, load generator and PostgreSQL share the same ${m.nproc} cores.`,
    '',
    `Commands: \`npm run bench:seed\` (once: ${fmt(BENCH_CLIENTS)} clients + keys into \`${BENCH_DB}\`), then \`npm run bench\`. Throughput runs: ${CONNECTIONS} connections, ${SECONDS} s after a ${WARMUP} s warm-up, median of ${ROUNDS} rounds alternating subject and baseline. Clientele runs as \`npm start\` runs it (the dist/ bundle, \`node ${startFlags().join(' ')} dist/main.js serve\`) with \`LOG_LEVEL=warn\` (no per-request log lines; see the logging row).`,
    '',
    '### Throughput against a baseline',
    '',
    '| what | req/s | baseline | baseline req/s | ratio | target | p50 / p99 ms |',
    '|---|---:|---|---:|---:|---|---:|',
    ...comparisons.map(
      (c) =>
        `| ${c.name} | ${fmt(c.rps)} | ${c.baseline} | ${fmt(c.baseRps)} | ${fmt(c.ratio, 2)} | ${verdict(c)} | ${fmt(median(c.subject.map((x) => x.p50ms)), 1)} / ${fmt(median(c.subject.map((x) => x.p99ms)), 1)} |`,
    ),
    `| cached verify with \`LOG_LEVEL=info\` (two log lines per request) | ${fmt(info.rps)} | the same server at \`warn\` | ${fmt(info.rps / info.ratioToQuietServer)} | ${fmt(info.ratioToQuietServer, 2)} | — | |`,
    '',
    stealLine(comparisons),
    '',
    `Client-credentials grants: **${fmt(grants.rps)}/s** (target ≥ 3,000/s: **${grants.met ? 'met' : 'missed'}**), p50 ${fmt(grants.p50ms, 1)} ms, p99 ${fmt(grants.p99ms, 1)} ms at ${CONNECTIONS} connections.`,
    '',
    `### Latency at ${fmt(BENCH_CLIENTS)} clients (ratio to the same requests at ${fmt(SMALL_CLIENTS)} clients)`,
    '',
    `${LATENCY_CONNECTIONS} connections, ${LATENCY_SECONDS} s each, requests spread over random clients / keys / pages.`,
    '',
    `| request | p50 ms | p99 ms | req/s | p50 at ${fmt(SMALL_CLIENTS)} | p99 at ${fmt(SMALL_CLIENTS)} | p50 ratio | p99 ratio |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...latency.map(
      (l) =>
        `| ${l.name} | ${fmt(l.big.p50ms, 2)} | ${fmt(l.big.p99ms, 2)} | ${fmt(l.big.rps)} | ${fmt(l.small.p50ms, 2)} | ${fmt(l.small.p99ms, 2)} | ${fmt(l.big.p50ms / l.small.p50ms, 2)} | ${fmt(l.big.p99ms / l.small.p99ms, 2)} |`,
    ),
    '',
    '### Start-up to ready (`/readyz` answers 200) and RSS',
    '',
    '| process | ready ms (median) | ratio to hello-world | RSS at ready MB | ratio to hello-world |',
    '|---|---:|---:|---:|---:|',
    ...startup.map(
      (s) => `| ${s.label} | ${fmt(median(s.readyMs))} | ${fmt(median(s.readyMs) / median(hello.readyMs), 1)} | ${fmt(median(s.rssMb))} | ${fmt(median(s.rssMb) / median(hello.rssMb), 1)} |`,
    ),
    '',
    `Clientele runs as \`npm start\` runs it: the bundle in dist/ with \`${startFlags().join(' ') || '(no V8 flags)'}\`. The same server run from src/ through tsx with default V8 settings, under the same uncached GET load: RSS at ready ${fmt(tsxRun.rssAtReadyMb)} MB, peak ${fmt(tsxRun.peakMb)} MB, ${fmt(tsxRun.rps)} req/s (as started by npm start: ${fmt(tsxRun.startRps)} req/s).`,
    '',
    `RSS over the ${fmt(BENCH_CLIENTS)}-client database after the load above (target < 200 MB): cache on ${fmt(rss.cacheOn)} MB (peak ${fmt(rss.cacheOnPeak)}), cache off ${fmt(rss.cacheOff)} MB (peak ${fmt(rss.cacheOffPeak)}): **${Math.max(rss.cacheOnPeak, rss.cacheOffPeak) < 200 ? 'met' : 'missed'}**. Ratio of the peak to the hello-world's RSS: ${fmt(Math.max(rss.cacheOnPeak, rss.cacheOffPeak) / median(hello.rssMb), 1)}.`,
    '',
    'Raw figures of every run: `bench/results-core.json`. What limits each figure: bench/README.md.',
    END,
  ];
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  let text = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmark results\n\nWritten by the benchmark scripts; see bench/README.md for what each figure means.\n';
  const section = lines.join('\n');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + END.length);
  else text = text.replace(/\s*$/, '\n\n') + section + '\n';
  await writeFile(file, text);
}

await main().catch((err: unknown) => {
  process.stderr.write(`[bench] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
