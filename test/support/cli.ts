/**
 * Running the real `clientele` command line (src/cli/main.ts through tsx, as bin/clientele.mjs
 * does) as a child process against a server, and an in-process server listening on
 * 127.0.0.1:0 for it to talk to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestAccount, type TestApp, type TestAppOptions } from './app.js';
import type { BackendName } from './databases.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
}

/** Starts `clientele ARGS`; `env` adds to (and `undefined` removes from) the environment. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): RunningCli {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: base, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  if (stdin !== undefined) child.stdin!.end(stdin);
  else child.stdin!.end();
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<CliResult> {
  return startCli(args, env, stdin).exited;
}

export interface CliServer {
  t: TestApp;
  acc: TestAccount;
  url: string;
  /** CLIENTELE_URL and CLIENTELE_TOKEN for the account's primary key. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A real Clientele (fresh database) listening on a free loopback port. */
export async function startCliServer(backend: BackendName, options: TestAppOptions = {}): Promise<CliServer> {
  // Request logs at debug level (captured in memory) would dominate a 10,000-row import.
  const t = await createTestApp(backend, { logLevel: 'warn', ...options });
  const acc = await t.newAccount('CLI Co');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  return { t, acc, url, env: { CLIENTELE_URL: url, CLIENTELE_TOKEN: acc.token }, close: () => t.close() };
}

/** Polls until `check` holds. */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
