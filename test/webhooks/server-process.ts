/**
 * Real `clientele serve` processes for webhook tests (as test/e2e/server.test.ts does): spawn
 * with an environment, wait for /readyz, read the first-start credentials, talk HTTP.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../support/net.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export interface ServerProc {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `clientele serve` with `env` (PORT required) from the sources through tsx, or from a
 * built bundle when `bundle` names its main.js (ready 3–4 times sooner).
 */
export function spawnServer(env: Record<string, string>, bundle?: string): ServerProc {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  const port = env.PORT;
  assert.ok(port, 'PORT is required');
  const argv = bundle ? [bundle, 'serve'] : ['--import', 'tsx', MAIN, 'serve'];
  const child = spawn(process.execPath, argv, { env: { ...base, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitReady(proc: ServerProc, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const r = await fetch(`${proc.url}/readyz`).catch(() => null);
    if (r?.ok) return;
    if (proc.child.exitCode !== null) throw new Error(`server exited: ${proc.output()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`server not ready: ${proc.output()}`);
}

/**
 * Instances of one deployment, started one after the other (the first bootstraps the shared
 * database), each on a free port; each is pushed to `procs` as soon as it is spawned, so the
 * caller's cleanup stops it even when it never became ready.
 */
export async function startInstances(env: Record<string, string>, n: number, procs: ServerProc[]): Promise<ServerProc[]> {
  const started: ServerProc[] = [];
  for (let i = 0; i < n; i++) {
    const proc = spawnServer({ ...env, PORT: String(await freePort()) });
    procs.push(proc);
    await waitReady(proc);
    started.push(proc);
  }
  return started;
}

export function credentialsFrom(text: string): { accountId: string; apiKey: { keyId: string; secret: string; token: string }; user: { email: string; password: string } } {
  const start = text.indexOf('{\n');
  assert.ok(start >= 0, `no credentials printed: ${text}`);
  const end = text.indexOf('\n}', start);
  return JSON.parse(text.slice(start, end + 2));
}

export async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { 'x-api-key': token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Every page of a cursor-paginated list. */
export async function listAll(url: string, token: string, path: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const r: { status: number; body: any } = await api(url, token, 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...r.body.data);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
