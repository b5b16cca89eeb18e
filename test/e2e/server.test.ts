/**
 * End to end: the real `clientele` process over a socket, on both databases — first-start
 * bootstrap, the API over HTTP, graceful shutdown that flushes key usage, restart, and (embedded)
 * the RSS at ready, new and existing data directory, under a loose bound. The
 * process runs the bundle `npm start` runs (scripts/build.mjs, built here into a temporary
 * directory), so the build and its copied migrations are tested too.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { freePort } from '../support/net.js';

const ROOT = new URL('../..', import.meta.url).pathname;
// Inside the project (a git-ignored .tmp/), so the bundle finds node_modules like dist/ does.
await mkdir(join(ROOT, '.tmp'), { recursive: true });
const BUILD_DIR = await mkdtemp(join(ROOT, '.tmp', 'build-'));
const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), BUILD_DIR], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`scripts/build.mjs failed: ${built.stdout}${built.stderr}`);
const MAIN = join(BUILD_DIR, 'main.js');

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Proc {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, exited };
}

async function waitReady(url: string, proc: Proc): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${url}/readyz`).catch(() => null);
    if (r?.ok) return;
    if (proc.child.exitCode !== null) throw new Error(`server exited: ${proc.stdout()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`server not ready: ${proc.stdout()}`);
}

/**
 * Resident set size in MB (Linux /proc; undefined elsewhere). The embedded server's RSS at
 * ready is bounded loosely here: bench/embedded-memory.ts measures the tight figure.
 */
function rssMb(pid: number): number | undefined {
  const m = /VmRSS:\s+(\d+) kB/.exec(existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '');
  return m ? Number(m[1]) / 1024 : undefined;
}
const READY_RSS_LIMIT_MB = 300;

function assertReadyRss(proc: Proc, what: string): void {
  const rss = rssMb(proc.child.pid!);
  if (rss !== undefined) assert.ok(rss < READY_RSS_LIMIT_MB, `RSS at ready, ${what}: ${rss.toFixed(0)} MB (limit ${READY_RSS_LIMIT_MB} MB)`);
}

function credentialsFrom(text: string) {
  const start = text.indexOf('{\n');
  assert.ok(start >= 0, `no credentials printed: ${text}`);
  const end = text.indexOf('\n}', start);
  return JSON.parse(text.slice(start, end + 2)) as { accountId: string; apiKey: { keyId: string; secret: string; token: string }; user: { email: string; password: string } };
}

after(() => rm(BUILD_DIR, { recursive: true, force: true }));

for (const backend of testBackends()) {
  describe(`clientele serve [${backend}]`, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    let url: string;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'clientele-e2e-'));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      env = { PORT: String(port), CLIENTELE_DATA_DIR: dataDir };
      if (backend === 'postgres') {
        const db = await createEmptyPostgresDatabase();
        drop = db.drop;
        env.DATABASE_URL = db.url;
        env.CLIENTELE_MASTER_KEY = randomBytes(32).toString('base64');
      }
    });
    after(async () => {
      await rm(dataDir, { recursive: true, force: true });
      await drop?.();
    });

    it('bootstraps once, serves the API, flushes usage on SIGTERM, and restarts without re-bootstrapping', { timeout: 90_000 }, async () => {
      const first = run(['serve'], env);
      await waitReady(url, first);
      if (backend === 'embedded') assertReadyRss(first, 'new data directory');
      const creds = credentialsFrom(first.stdout());
      assert.deepEqual(Object.keys(creds).sort(), ['accountId', 'apiKey', 'user']);
      if (backend === 'embedded') {
        const mode = (await stat(join(dataDir, 'master.key'))).mode & 0o777;
        assert.equal(mode, 0o600);
      }

      const headers = { 'x-api-key': creds.apiKey.token, 'content-type': 'application/json' };
      const created = await fetch(`${url}/v1/clients`, { method: 'POST', headers, body: JSON.stringify({ name: 'E2E Co', username: 'e2e' }) });
      assert.equal(created.status, 201);
      const client = (await created.json()) as { id: string; name: string };
      assert.equal(client.name, 'E2E Co');

      // Twice: the second answers come from the cache, through the fast lane.
      for (let i = 0; i < 2; i++) {
        const read = await fetch(`${url}/v1/clients/${client.id}`, { headers });
        assert.equal(read.status, 200);
        assert.equal(((await read.json()) as { id: string }).id, client.id);
        const verified = await fetch(`${url}/v1/keys/verify`, { method: 'POST', headers, body: JSON.stringify({ token: creds.apiKey.token }) });
        assert.deepEqual(await verified.json(), { valid: true, code: 'VALID', keyId: creds.apiKey.keyId, accountId: creds.accountId, clientId: null, expiresAt: null, scopes: [], ratelimits: [] });
      }

      const basic = Buffer.from(`${creds.apiKey.keyId}:${creds.apiKey.secret}`).toString('base64');
      const viaBasic = await fetch(`${url}/v1/clients/${client.id}`, { headers: { authorization: `Basic ${basic}` } });
      assert.equal(viaBasic.status, 200);

      const grant = await fetch(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.apiKey.keyId, client_secret: creds.apiKey.secret }),
      });
      assert.equal(grant.status, 200);
      const { access_token } = (await grant.json()) as { access_token: string };
      const viaJwt = await fetch(`${url}/v1/clients?limit=5`, { headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(viaJwt.status, 200);

      // Prometheus metrics (on by default): the cache answered the repeated reads above.
      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      const hits = /^clientele_cache_hits_total (\d+)$/m.exec(await metrics.text());
      assert.ok(hits && Number(hits[1]) > 0, 'cache hits are counted');

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, first.stdout());

      const second = run(['serve'], env);
      try {
        await waitReady(url, second);
        if (backend === 'embedded') assertReadyRss(second, 'existing data directory');
        assert.ok(!second.stdout().includes('shown ONCE'), 'bootstrap must run only on an empty database');
        assert.ok(!second.stdout().includes(creds.apiKey.secret), 'the secret is never printed again');
        const key = await fetch(`${url}/v1/keys/${creds.apiKey.keyId}`, { headers });
        const body = (await key.json()) as { lastUsedAt: string | null };
        assert.ok(body.lastUsedAt, 'key usage was flushed before the first process exited');
        const again = await fetch(`${url}/v1/clients/${client.id}`, { headers });
        assert.equal(again.status, 200);
        // A token issued by the first process verifies on the second (keys live in the database).
        const stillValid = await fetch(`${url}/v1/clients?limit=1`, { headers: { authorization: `Bearer ${access_token}` } });
        assert.equal(stillValid.status, 200);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    });

    it('`init --json` prints exactly the credentials object, and `migrate` is idempotent', { timeout: 60_000 }, async () => {
      const migrate = run(['migrate'], env);
      assert.equal(await migrate.exited, 0, migrate.stdout());
      const init = run(['init', '--account', 'CLI Co', '--email', `cli-${randomBytes(3).toString('hex')}@e2e.test`, '--password', 'correct horse battery', '--json'], env);
      assert.equal(await init.exited, 0, init.stdout());
      const lines = init
        .stdout()
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const out = JSON.parse(lines[lines.length - 1]!) as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(out), ['accountId', 'apiKey', 'user']);
      assert.deepEqual(Object.keys(out.apiKey!), ['keyId', 'secret', 'token']);
      assert.deepEqual(Object.keys(out.user!), ['email', 'password']);
      assert.equal(out.user!.password, 'correct horse battery');
      assert.match(String(out.apiKey!.token), /^clt_[0-9A-Za-z]{22}_[0-9A-Za-z]{49}$/);
    });
  });
}
