/**
 * Entry point of `npm test`.
 *
 * 1. Obtains a PostgreSQL admin URL: $DATABASE_URL, else a server on 127.0.0.1:5432, else a
 *    private throw-away cluster started here (initdb + pg_ctl on a free port).
 * 2. Builds a migrated PGlite template once, so each embedded test database is a cheap load.
 * 3. Runs `node --test` on an explicit list of `*.test.ts` files (never an empty list).
 * 4. Always tears down what it started (cluster, temp dirs), including on SIGINT/SIGTERM.
 *
 * 0. A full run (no filter) first runs the static checks, each its own step: the type check
 *    (tsc --noEmit; tsx strips types, so nothing else would notice), format and lint (Biome),
 *    unused code (knip). Any finding stops the run.
 *
 * Usage: npm test [-- <path filter>...]     e.g. npm test -- src/crypto test/http
 *        npm run test:unit                  (= --unit: core, crypto, storage, SDK on PGlite only;
 *                                            no PostgreSQL, no checks, under a minute)
 *
 * Environment:
 *   DATABASE_URL                      PostgreSQL admin URL to use (skips probe and private cluster)
 *   CI=true                           PostgreSQL is mandatory: failing to obtain it exits 1
 *   CLIENTELE_TEST_FORCE_PRIVATE_PG=1 skip the 127.0.0.1:5432 probe, always start a private cluster
 *   CLIENTELE_TEST_CHROMIUM           Chromium for the console tests (default /usr/bin/chromium;
 *                                     without one they are skipped, except under CI)
 * Exported to the tests:
 *   CLIENTELE_TEST_POSTGRES_URL       admin URL (CREATE/DROP DATABASE rights)
 *   CLIENTELE_TEST_REDIS_URL          a private redis-server started here (every full or filtered run)
 *   CLIENTELE_TEST_SKIP_REDIS=1       no redis-server binary (never under CI)
 *   CLIENTELE_TEST_SKIP_POSTGRES=1    no PostgreSQL available (never under CI)
 *   CLIENTELE_TEST_EMBEDDED_ONLY=1    the unit tier (--unit): embedded database only
 *   CLIENTELE_TEST_PGLITE_TEMPLATE    path of a migrated PGlite data-dir dump (tar)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../test/support/net.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIRS = ['src', 'test', 'sdk'];
const DEFAULT_PROBE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const isCI = process.env.CI === 'true' || process.env.CI === '1';
/** The unit tier: files under these prefixes, run on the embedded database only. */
const UNIT_PREFIXES = ['src/', 'sdk/', 'test/storage/', 'test/core-'];

function log(message: string): void {
  process.stderr.write(`[run-tests] ${message}\n`);
}

function elapsed(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)}s`;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: synchronous, so it can also run from an 'exit' handler as a last resort.

const cleanups: Array<{ name: string; run: () => void }> = [];
let cleanedUp = false;

function onCleanup(name: string, run: () => void): void {
  cleanups.push({ name, run });
}

function cleanupAll(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const { name, run } of cleanups.reverse()) {
    try {
      run();
    } catch (err) {
      log(`cleanup "${name}" failed: ${(err as Error).message}`);
    }
  }
}

process.on('exit', cleanupAll);

let child: ChildProcess | undefined;
let stopping = false;

function handleSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  const code = 128 + (signal === 'SIGINT' ? 2 : 15);
  log(`received ${signal}, cleaning up`);
  const finish = () => {
    cleanupAll();
    process.exit(code);
  };
  const running = child;
  if (running && running.exitCode === null && running.signalCode === null) {
    const timer = setTimeout(() => {
      running.kill('SIGKILL');
      finish();
    }, 5000);
    running.once('exit', () => {
      clearTimeout(timer);
      finish();
    });
    running.kill(signal);
  } else {
    finish();
  }
}

process.on('SIGINT', handleSignal);
process.on('SIGTERM', handleSignal);

// ---------------------------------------------------------------------------------------------
// Test file collection.

function collectTestFiles(filters: string[]): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(childRel);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(childRel);
    }
  };
  for (const dir of TEST_DIRS) walk(dir);
  files.sort();
  if (filters.length === 0) return files;
  const wanted = filters.map((f) => {
    const rel = path.isAbsolute(f) ? path.relative(ROOT, f) : path.normalize(f);
    return rel.split(path.sep).join('/').replace(/^\.\//, '').replace(/\/+$/, '');
  });
  return files.filter((file) => wanted.some((w) => w !== '' && (file.startsWith(w) || file.includes(w))));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

function findPgBin(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', name)))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a) || b.localeCompare(a));
  return versions[0] === undefined ? undefined : path.join(base, versions[0], 'bin', name);
}

/** Starts a private cluster; returns its admin URL. Registers its own cleanup. */
async function startPrivateCluster(): Promise<string> {
  const initdb = findPgBin('initdb');
  const pgCtl = findPgBin('pg_ctl');
  if (!initdb || !pgCtl) throw new Error('initdb/pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin');

  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'clientele-pg-'));
  onCleanup('remove cluster directory', () => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');

  if (asRoot) {
    // PostgreSQL refuses to run as root: hand the directory to the `postgres` user.
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root but there is no "postgres" user to run the cluster as');
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }

  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    const result = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw result.error;
    return result;
  };
  const must = (what: string, result: ReturnType<typeof run>) => {
    if (result.status !== 0) {
      let serverLog = '';
      try {
        serverLog = existsSync(logFile) ? spawnSync('tail', ['-n', '40', logFile], { encoding: 'utf8' }).stdout : '';
      } catch {
        /* ignore */
      }
      throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}${serverLog}`);
    }
  };

  must('initdb', run(initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']));

  const port = await freePort();
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  // Registered before starting so a half-started server is stopped as well.
  onCleanup('stop private PostgreSQL', () => {
    if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return;
    const stop = run(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    if (stop.status !== 0) log(`pg_ctl stop failed: ${stop.stderr || stop.stdout}`);
    else log('private PostgreSQL stopped');
  });
  must('pg_ctl start', run(pgCtl, ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', options]));
  const version = spawnSync(realpathSync(pgCtl), ['--version'], { encoding: 'utf8' }).stdout?.trim() || pgCtl;
  log(`private cluster (${version}${asRoot ? ', as user postgres' : ''}) started on 127.0.0.1:${port} in ${dir}`);
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function obtainPostgres(): Promise<string | undefined> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    log('using DATABASE_URL');
    return fromEnv;
  }
  if (process.env.CLIENTELE_TEST_FORCE_PRIVATE_PG === '1') {
    log('CLIENTELE_TEST_FORCE_PRIVATE_PG=1: skipping probe');
  } else {
    const problem = await probe(DEFAULT_PROBE_URL);
    if (problem === undefined) {
      log(`using PostgreSQL at ${DEFAULT_PROBE_URL}`);
      return DEFAULT_PROBE_URL;
    }
    log(`no usable PostgreSQL at 127.0.0.1:5432 (${problem}); starting a private cluster`);
  }
  return startPrivateCluster();
}

// ---------------------------------------------------------------------------------------------
// Redis: a private throw-away server (never the machine's own), for the rate-limit tests.

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Starts redis-server on a free port, keeping nothing on disk; returns its URL. Registers its own cleanup. */
async function startPrivateRedis(): Promise<string> {
  const bin = findOnPath('redis-server');
  if (!bin) throw new Error('redis-server not found on PATH (Debian package redis-server)');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'clientele-redis-'));
  onCleanup('remove Redis directory', () => rmSync(dir, { recursive: true, force: true }));
  const server = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  onCleanup('stop private Redis', () => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with code ${server.exitCode}`);
    if (await answersPing(port)) break;
    if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`private Redis started on 127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// PGlite template.

async function buildPgliteTemplate(): Promise<string> {
  const { createPGlite, openDatabase } = await import('../src/storage/database.js');
  const { migrateToLatest } = await import('../src/storage/migrate.js');
  const base = await createPGlite();
  try {
    const database = await openDatabase({ pglite: base });
    try {
      await migrateToLatest(database);
    } finally {
      await database.close();
    }
    const dump = await base.dumpDataDir('none');
    const dir = mkdtempSync(path.join(tmpdir(), 'clientele-pglite-'));
    onCleanup('remove PGlite template', () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'template.tar');
    await writeFile(file, new Uint8Array(await dump.arrayBuffer()));
    return file;
  } finally {
    await base.close();
  }
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Static checks (a full run only): each a step of its own, stopping the run when it fails.

interface Check {
  name: string;
  argv: string[];
}

const bin = (pkg: string, file: string) => path.join(ROOT, 'node_modules', pkg, file);
const CHECKS: Check[] = [
  { name: 'type check (tsc --noEmit)', argv: [bin('typescript', 'bin/tsc'), '--noEmit', '-p', ROOT] },
  // The admin console (web/) is browser code: its own settings (DOM types, JSX).
  { name: 'type check of the console (tsc --noEmit -p web)', argv: [bin('typescript', 'bin/tsc'), '--noEmit', '-p', path.join(ROOT, 'web')] },
  // Formatting and lint rules: biome.json. `npm run format` fixes what it can.
  { name: 'format and lint (biome ci)', argv: [bin('@biomejs/biome', 'bin/biome'), 'ci', '--error-on-warnings', '--reporter=summary', ROOT] },
  // Unused files, exports and dependencies: knip.json.
  { name: 'unused code (knip)', argv: [bin('knip', 'bin/knip.js'), '--no-progress'] },
];

function runChecks(): boolean {
  for (const check of CHECKS) {
    const t = performance.now();
    const r = spawnSync(process.execPath, check.argv, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) {
      log(`${check.name} FAILED (exit ${r.status ?? r.signal}) after ${elapsed(t)}`);
      return false;
    }
    log(`${check.name}: clean in ${elapsed(t)}`);
  }
  return true;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const unit = args.includes('--unit');
  const filters = args.filter((a) => a !== '--unit');
  const files = collectTestFiles(filters).filter((f) => !unit || UNIT_PREFIXES.some((p) => f.startsWith(p)));
  if (files.length === 0) {
    log(filters.length ? `no *.test.ts files under ${TEST_DIRS.join('/, ')}/ match ${filters.map((f) => JSON.stringify(f)).join(', ')}` : `no *.test.ts files found under ${TEST_DIRS.join('/, ')}/`);
    return 1;
  }

  if (!unit && filters.length === 0 && !runChecks()) return 1;

  const setupStart = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CLIENTELE_TEST_SKIP_POSTGRES;
  delete env.CLIENTELE_TEST_EMBEDDED_ONLY;

  let t = performance.now();
  let postgresUrl: string | undefined;
  let postgresError: string | undefined;
  if (!unit) {
    try {
      postgresUrl = await obtainPostgres();
    } catch (err) {
      postgresError = (err as Error).message;
    }
  }
  if (unit) {
    // A tier chosen on purpose, not a skip: allowed under CI (the full run is what CI runs).
    log('unit tier: embedded database only');
    env.CLIENTELE_TEST_EMBEDDED_ONLY = '1';
    delete env.CLIENTELE_TEST_POSTGRES_URL;
  } else if (postgresUrl) {
    env.CLIENTELE_TEST_POSTGRES_URL = postgresUrl;
    log(`PostgreSQL ready in ${elapsed(t)}`);
  } else if (isCI) {
    log(`FATAL: could not obtain PostgreSQL under CI=true; PostgreSQL tests must run.\n${postgresError ?? ''}`);
    return 1;
  } else {
    const bar = '!'.repeat(78);
    log(
      `\n${bar}\n!! WARNING: no PostgreSQL available — PostgreSQL-backed tests will be SKIPPED.\n` +
        `!! ${postgresError ?? ''}\n!! Set DATABASE_URL or install PostgreSQL (initdb/pg_ctl) to run them.\n${bar}`,
    );
    env.CLIENTELE_TEST_SKIP_POSTGRES = '1';
    delete env.CLIENTELE_TEST_POSTGRES_URL;
  }

  delete env.CLIENTELE_TEST_REDIS_URL;
  delete env.CLIENTELE_TEST_SKIP_REDIS;
  if (!unit) {
    try {
      env.CLIENTELE_TEST_REDIS_URL = await startPrivateRedis();
    } catch (err) {
      if (isCI) {
        log(`FATAL: could not start Redis under CI=true; the Redis tests must run.\n${(err as Error).message}`);
        return 1;
      }
      log(`WARNING: no Redis (${(err as Error).message}): the Redis rate-limit tests will be SKIPPED`);
      env.CLIENTELE_TEST_SKIP_REDIS = '1';
    }
  }

  t = performance.now();
  env.CLIENTELE_TEST_PGLITE_TEMPLATE = await buildPgliteTemplate();
  log(`PGlite template built in ${elapsed(t)}`);
  log(`setup took ${elapsed(setupStart)}; running ${files.length} test file(s)`);

  if (stopping) return 1;
  const testStart = performance.now();
  const code = await new Promise<number>((resolve) => {
    child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    child.on('error', (err) => {
      log(`could not start node --test: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  log(`tests finished in ${elapsed(testStart)} (exit ${code})`);
  return code;
}

main()
  .then((code) => {
    cleanupAll();
    process.exit(code);
  })
  .catch((err: unknown) => {
    log(`FATAL: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    cleanupAll();
    process.exit(1);
  });
