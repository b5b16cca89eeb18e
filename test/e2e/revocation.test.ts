/**
 * Instant revocation across instances (PostgreSQL): two real server processes share one
 * database; a key verified (and cached) on B is refused by B within 100 ms of being
 * deleted or disabled on A, or of its client being deactivated on A. And an instance whose
 * invalidation connection is cut serves no stale entry.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { freePort } from '../support/net.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

interface Instance {
  url: string;
  child: ChildProcess;
  out: () => string;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn', CLIENTELE_WEBHOOK_DISPATCH: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${url}/readyz`).catch(() => null))?.ok) return { url, child, out: () => out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance did not start: ${out}`);
}

const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

async function verify(url: string, headers: Record<string, string>, token: string): Promise<string> {
  const r = await fetch(`${url}/v1/keys/verify`, { method: 'POST', headers: json(headers), body: JSON.stringify({ token }) });
  return ((await r.json()) as { code: string }).code;
}

/** Polls until `check` is true; returns the elapsed milliseconds. */
async function msUntil(check: () => Promise<boolean>, limitMs = 5000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await check()) return performance.now() - started;
  }
  throw new Error('condition not reached');
}

const backends = testBackends().filter((b) => b === 'postgres');
for (const backend of backends) {
  describe(`revocation across instances [${backend}]`, () => {
    let a: Instance;
    let b: Instance;
    let drop: () => Promise<void>;
    let dbUrl: string;
    let headers: Record<string, string>;

    before(async () => {
      const db = await createEmptyPostgresDatabase();
      drop = db.drop;
      dbUrl = db.url;
      const env = { DATABASE_URL: db.url, CLIENTELE_MASTER_KEY: randomBytes(32).toString('base64') };
      a = await startInstance(env);
      const creds = JSON.parse(a.out().slice(a.out().indexOf('{\n'), a.out().indexOf('\n}') + 2)) as { apiKey: { token: string } };
      headers = { 'x-api-key': creds.apiKey.token };
      b = await startInstance({ ...env, CLIENTELE_BOOTSTRAP: 'false' });
    });

    after(async () => {
      for (const i of [a, b]) {
        i?.child.kill('SIGTERM');
        await new Promise((r) => i?.child.once('exit', r));
      }
      await drop?.();
    });

    async function newClientKey(): Promise<{ clientId: string; keyId: string; token: string }> {
      const c = (await (await fetch(`${a.url}/v1/clients`, { method: 'POST', headers: json(headers), body: JSON.stringify({ name: `c-${randomBytes(3).toString('hex')}` }) })).json()) as {
        id: string;
      };
      const k = (await (await fetch(`${a.url}/v1/keys`, { method: 'POST', headers: json(headers), body: JSON.stringify({ clientId: c.id }) })).json()) as { key: { keyId: string }; token: string };
      return { clientId: c.id, keyId: k.key.keyId, token: k.token };
    }

    for (const [what, revoke] of [
      [
        'deleting the key',
        async (k: { keyId: string; clientId: string }) => {
          // A client's first key is primary; add a second so the first may be deleted.
          await fetch(`${a.url}/v1/keys`, { method: 'POST', headers: json(headers), body: JSON.stringify({ clientId: k.clientId, isPrimary: true }) });
          const r = await fetch(`${a.url}/v1/keys/${k.keyId}`, { method: 'DELETE', headers });
          assert.equal(r.status, 204);
        },
      ],
      [
        'disabling the key',
        async (k: { keyId: string }) => {
          const r = await fetch(`${a.url}/v1/keys/${k.keyId}`, { method: 'PATCH', headers: json(headers), body: JSON.stringify({ enabled: false }) });
          assert.equal(r.status, 200);
        },
      ],
      [
        'deactivating its client',
        async (k: { clientId: string }) => {
          const r = await fetch(`${a.url}/v1/clients/${k.clientId}/deactivate`, { method: 'POST', headers });
          assert.equal(r.status, 200);
        },
      ],
    ] as const) {
      it(`${what} on A is seen by B within 100 ms`, async () => {
        const k = await newClientKey();
        // Warm B's cache: the client key authenticates there and verifies VALID.
        assert.equal(await verify(b.url, headers, k.token), 'VALID');
        const viaKey = await fetch(`${b.url}/v1/clients/${k.clientId}`, { headers: { 'x-api-key': k.token } });
        assert.equal(viaKey.status, 200);
        await revoke(k);
        const elapsed = await msUntil(async () => (await fetch(`${b.url}/v1/clients/${k.clientId}`, { headers: { 'x-api-key': k.token } })).status === 401);
        process.stdout.write(`# ${what}: refused by the other instance after ${elapsed.toFixed(1)} ms\n`);
        assert.ok(elapsed < 100, `took ${elapsed} ms`);
        assert.notEqual(await verify(b.url, headers, k.token), 'VALID');
      });
    }

    it('after its invalidation connection is cut, an instance serves no stale entry and recovers', async () => {
      const k = await newClientKey();
      assert.equal(await verify(b.url, headers, k.token), 'VALID');
      // Cut every LISTEN connection on the database, then revoke while B may be reconnecting.
      const admin = new pg.Client({ connectionString: dbUrl });
      await admin.connect();
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
      await admin.end();
      const r = await fetch(`${a.url}/v1/keys/${k.keyId}`, { method: 'PATCH', headers: json(headers), body: JSON.stringify({ enabled: false }) });
      assert.equal(r.status, 200);
      assert.equal(await verify(b.url, headers, k.token), 'DISABLED');
      // B reconnects and caches again: a later revocation still reaches it quickly.
      await new Promise((res) => setTimeout(res, 500));
      const k2 = await newClientKey();
      assert.equal(await verify(b.url, headers, k2.token), 'VALID');
      await fetch(`${a.url}/v1/keys/${k2.keyId}`, { method: 'PATCH', headers: json(headers), body: JSON.stringify({ enabled: false }) });
      const elapsed = await msUntil(async () => (await verify(b.url, headers, k2.token)) === 'DISABLED');
      assert.ok(elapsed < 100, `took ${elapsed} ms after reconnecting`);
    });
  });
}
