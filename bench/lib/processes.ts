/**
 * Child processes of the benchmarks (servers and baselines, always separate processes):
 * free ports, start and readiness, RSS, the server bundle.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from '../../test/support/net.js';

export { freePort };

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resident set size of a process, in MiB (Linux /proc). */
function rssMb(pid: number): number {
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

/**
 * The account key token a server printed at its first start (CLIENTELE_BOOTSTRAP on a new
 * database); undefined when it printed none (the database was not new).
 */
export async function bootstrapToken(proc: Proc): Promise<string | undefined> {
  await sleep(200); // the credentials are printed right after readiness
  return /"token": "(clt_[^"]+)"/.exec(proc.output())?.[1];
}
