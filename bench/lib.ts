/**
 * Shared pieces of the benchmark suite: the dedicated databases, child processes (servers
 * and load generators, always separate processes), readiness, RSS, and the load generator
 * (Debian `wrk` when installed, else `autocannon` from devDependencies).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Admin URL of the PostgreSQL the benchmarks use (CREATE DATABASE rights). */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_DB = process.env.BENCH_DB ?? 'clientele_bench';
export const SMALL_DB = `${BENCH_DB}_small`;
export const BENCH_CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1_000_000);
export const SMALL_CLIENTS = 10_000;
export const BENCH_EMAIL = 'bench@clientele.local';
/** Seeded keys' secrets derive from this (clientele seed --secret-seed): benchmark data only. */
export const SECRET_SEED = 'clientele-bench';
/** Fixed master key of the benchmark databases (they hold nothing but generated data). */
export const BENCH_MASTER_KEY = createHash('sha256').update('clientele-bench-master-key').digest('base64');

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Creates the database when missing; true when it was created. */
export async function ensureDatabase(name: string): Promise<boolean> {
  return withPg(PG_ADMIN_URL, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount) return false;
    await c.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withPg(PG_ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Clients already in the benchmark account (0 when the database or account is missing). */
export async function seededClients(name: string): Promise<number> {
  try {
    return await withPg(dbUrl(name), async (c) => {
      const r = await c.query(
        `SELECT count(*)::int AS n FROM clients WHERE account_id = (SELECT account_id FROM users WHERE lower(email) = lower($1))`,
        [BENCH_EMAIL],
      );
      return (r.rows[0]?.n as number | undefined) ?? 0;
    });
  } catch {
    return 0;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resident set size of a process, in MiB (Linux /proc). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  url: string;
  /** ms from spawn to the first successful readiness answer. */
  readyMs: number;
  output(): string;
  /** RSS when it became ready. */
  readyRssMb: number;
  /** Highest RSS seen by `sampleRss` (and at ready). */
  peakRssMb: number;
  sampleRss(): number;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` and polls `readyPath` until it answers 2xx (at most `timeoutMs`).
 * Output is kept (last 64 KiB) for error messages.
 */
export async function startNode(args: string[], env: NodeJS.ProcessEnv, port: number, readyPath: string, timeoutMs = 60_000): Promise<Proc> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-65536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = started + timeoutMs;
  let readyMs = NaN;
  while (performance.now() < deadline && !exited) {
    try {
      const r = await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.ok) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(10);
  }
  if (Number.isNaN(readyMs)) {
    child.kill('SIGKILL');
    throw new Error(`${args.join(' ')} did not become ready in ${timeoutMs} ms:\n${out}`);
  }
  const proc: Proc = {
    child,
    pid: child.pid!,
    url,
    readyMs,
    output: () => out,
    readyRssMb: rssMb(child.pid!),
    peakRssMb: 0,
    sampleRss() {
      const v = rssMb(child.pid!);
      if (v > proc.peakRssMb) proc.peakRssMb = v;
      return v;
    },
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
  proc.peakRssMb = proc.readyRssMb;
  return proc;
}

/** A baseline or reference server from bench/baselines/ (PORT and `env` in its environment). */
export async function startBaseline(file: string, env: NodeJS.ProcessEnv = {}, readyPath = '/'): Promise<Proc> {
  const port = await freePort();
  return startNode([`bench/baselines/${file}`], { PORT: String(port), ...env }, port, readyPath);
}

/**
 * The V8 flags `npm start` gives the server (read from package.json, so the benchmarks run
 * exactly what `npm start` runs).
 */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const m = /\bnode((?: --\S+)*) dist\/main\.js serve$/.exec(start);
  if (!m) throw new Error(`package.json "start" is not "… node [flags] dist/main.js serve": ${start}`);
  return m[1]!.split(' ').filter(Boolean);
}

let built = false;
/** `npm run build` once per benchmark process: dist/ then holds the current sources. */
export function buildServer(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
  built = true;
}

/**
 * The Clientele server as `npm start` runs it (the bundle in dist/, with its V8 flags), on
 * PostgreSQL or embedded. BENCH_TSX=1 runs src/ through tsx instead; BENCH_NODE_FLAGS
 * replaces the V8 flags.
 */
export async function startClientele(env: NodeJS.ProcessEnv, how: { tsx?: boolean; flags?: string[] } = {}): Promise<Proc> {
  const port = await freePort();
  const flags = how.flags ?? (process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : startFlags());
  const tsx = how.tsx ?? Boolean(process.env.BENCH_TSX);
  if (!tsx) buildServer();
  return startNode(
    [...flags, ...(tsx ? ['--import', 'tsx', 'src/cli/main.ts'] : ['dist/main.js']), 'serve'],
    { LOG_LEVEL: 'warn', CLIENTELE_BOOTSTRAP: 'false', HOST: '127.0.0.1', ...env, PORT: String(port) },
    port,
    '/readyz',
  );
}

// ---------------------------------------------------------------------------------------------
// Load generation.

export interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  url: string;
  /** Sent in turn (request i uses requests[i mod n]), so a list longer than the run never repeats. */
  requests: Req[];
  connections: number;
  seconds: number;
}

export interface LoadResult {
  tool: string;
  rps: number;
  requests: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  /** Of `errors`: requests without an answer within 10 s (autocannon only). */
  timeouts?: number;
  /** Answers with a 2xx status (autocannon only). */
  ok?: number;
  /** Of `errors`: answers with a non-2xx status (autocannon only). */
  non2xx?: number;
  /** CPU used by other processes just before the run (%, see waitForQuiet). */
  backgroundCpu?: number;
  /** CPU time taken by the hypervisor for other machines during the run (%, see withSteal). */
  stealPct?: number;
}

export function loadTool(): 'wrk' | 'autocannon' {
  if (process.env.BENCH_LOADGEN === 'autocannon') return 'autocannon';
  return spawnSync('which', ['wrk']).status === 0 ? 'wrk' : 'autocannon';
}

/**
 * The wrk script: requests are read from a data file in init() (wrk.host, the Host header,
 * is not known while the script loads; and tens of thousands of literals would overflow a
 * Lua function's constant table). One request per line: method, path, body ("-" = none),
 * then header name/value pairs, tab-separated.
 */
function wrkScript(dataFile: string): string {
  return `local reqs = {}
init = function(args)
  for line in io.lines(${JSON.stringify(dataFile)}) do
    local f = {}
    for field in string.gmatch(line, "[^\t]+") do f[#f + 1] = field end
    local headers = {}
    for k = 4, #f, 2 do headers[f[k]] = f[k + 1] end
    local body = nil
    if f[3] ~= "-" then body = f[3] end
    reqs[#reqs + 1] = wrk.format(f[1], f[2], headers, body)
  end
end
local i = 0
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("\\nBENCH_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"errors\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

function wrkData(requests: Req[]): string {
  const clean = (s: string) => {
    if (/[\t\n]/.test(s) || s === '') throw new Error(`request field not representable for wrk: ${JSON.stringify(s)}`);
    return s;
  };
  return requests
    .map((r) => [r.method, clean(r.path), r.body === undefined ? '-' : clean(r.body), ...Object.entries(r.headers ?? {}).flatMap(([k, v]) => [clean(k), clean(v)])].join('\t'))
    .join('\n') + '\n';
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** Runs the load generator in its own process against `spec.url`. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clientele-bench-'));
  try {
    if (loadTool() === 'wrk') {
      const script = path.join(dir, 'requests.lua');
      const data = path.join(dir, 'requests.tsv');
      await writeFile(data, wrkData(spec.requests));
      await writeFile(script, wrkScript(data));
      const out = await run('wrk', ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '10s', '-s', script, spec.url], (spec.seconds + 30) * 1000);
      const m = /BENCH_JSON (\{.*\})/.exec(out);
      if (!m) throw new Error(`wrk printed no result:\n${out}`);
      const j = JSON.parse(m[1]!) as Record<string, number>;
      return {
        tool: 'wrk',
        rps: j.requests! / (j.duration_us! / 1e6),
        requests: j.requests!,
        p50ms: j.p50! / 1000,
        p90ms: j.p90! / 1000,
        p99ms: j.p99! / 1000,
        maxms: j.max! / 1000,
        errors: j.errors!,
      };
    }
    const config = path.join(dir, 'requests.json');
    await writeFile(config, JSON.stringify(spec));
    const out = await run(process.execPath, [path.join(ROOT, 'bench', 'autocannon-runner.mjs'), config], (spec.seconds + 30) * 1000);
    const m = /BENCH_JSON (\{.*\})/.exec(out);
    if (!m) throw new Error(`autocannon printed no result:\n${out}`);
    return { tool: 'autocannon', ...(JSON.parse(m[1]!) as Omit<LoadResult, 'tool'>) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function machine(): { nproc: string; memory: string; cpu: string; node: string; postgres: string; loadgen: string } {
  const sh = (c: string) => spawnSync('sh', ['-c', c], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: sh('nproc'),
    memory: sh('free -h | sed -n 2p | awk \'{print $2 " total, " $7 " available"}\''),
    cpu: sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trim(),
    node: process.version,
    postgres: '',
    loadgen: loadTool() === 'wrk' ? sh('wrk -v 2>&1 | head -1') : `autocannon ${JSON.parse(readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version as string}`,
  };
}

export function haveWrk(): boolean {
  return existsSync('/usr/bin/wrk') || spawnSync('which', ['wrk']).status === 0;
}

// ---------------------------------------------------------------------------------------------
// Noise: other processes on the machine (tests, builds) take CPU from a run.

function cpuTimes(): { busy: number; total: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total, steal: f[7] ?? 0 };
}

/**
 * Measures the share of CPU time the hypervisor gave to other machines ("steal", 0–100 %)
 * while `fn` runs: on a shared virtual machine it lowers every figure of that run.
 */
export async function withSteal<T>(fn: () => Promise<T>): Promise<{ value: T; stealPct: number }> {
  let a: ReturnType<typeof cpuTimes> | undefined;
  try {
    a = cpuTimes();
  } catch {
    a = undefined;
  }
  const value = await fn();
  if (!a) return { value, stealPct: NaN };
  const b = cpuTimes();
  return { value, stealPct: b.total > a.total ? ((b.steal - a.steal) / (b.total - a.total)) * 100 : 0 };
}

/** Share of the machine's CPU (0–100 %) busy over `ms` (while our own processes are idle). */
export async function backgroundCpu(ms = 500): Promise<number> {
  try {
    const a = cpuTimes();
    await sleep(ms);
    const b = cpuTimes();
    return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0;
  } catch {
    return NaN;
  }
}

/**
 * Waits (at most `maxWaitMs`, and at most BENCH_QUIET_BUDGET_MS — default 90 s — over the
 * whole suite) until other processes use less than `thresholdPct` of the CPU, and returns
 * the last reading, so each result can say how quiet the machine was.
 */
let quietBudgetMs = Number(process.env.BENCH_QUIET_BUDGET_MS ?? 90_000);

export async function waitForQuiet(maxWaitMs = 20_000, thresholdPct = 15): Promise<number> {
  const start = performance.now();
  const deadline = start + Math.min(maxWaitMs, quietBudgetMs);
  let pct = await backgroundCpu();
  while (pct >= thresholdPct && performance.now() < deadline) pct = await backgroundCpu(1000);
  quietBudgetMs = Math.max(0, quietBudgetMs - (performance.now() - start));
  return pct;
}
