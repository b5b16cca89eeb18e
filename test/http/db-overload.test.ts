/**
 * Overload (defect 3 of the production-hardening issue): a request that cannot get a database
 * connection in time fails fast with 503 SERVICE_UNAVAILABLE + Retry-After instead of hanging
 * in the pool's queue; the number of waiting queries is bounded; and `/readyz` answers from a
 * probe of its own — 200 within a second while the request pool is saturated, 503 when the
 * database is really unreachable (cut behind a TCP proxy, or accepting but never answering).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import { createKeyring } from '../../src/crypto/envelope.js';
import { randomBytes } from '../../src/crypto/random.js';
import { buildApp, type App } from '../../src/http/app.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createServices, type Services } from '../../src/services.js';
import { createPGlite, openDatabase, type Database, type OpenDatabaseOptions } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { createReadinessProbe } from '../../src/storage/readiness.js';
import { createEmptyPostgresDatabase, testBackends, type BackendName } from '../support/databases.js';

const ACQUIRE_MS = 300;

/** A fresh migrated database of `backend`, opened with the given pool bounds. */
async function openBounded(backend: BackendName, bounds: OpenDatabaseOptions): Promise<{ database: Database; release(): Promise<void> }> {
  if (backend === 'postgres') {
    const created = await createEmptyPostgresDatabase();
    const database = await openDatabase({ databaseUrl: created.url, ...bounds });
    await migrateToLatest(database);
    return { database, release: () => created.drop() };
  }
  const template = process.env.CLIENTELE_TEST_PGLITE_TEMPLATE;
  const engine = template ? await createPGlite({ loadDataDir: new Blob([await readFile(template)]) }) : await createPGlite();
  await engine.waitReady;
  const database = await openDatabase({ pglite: engine, ...bounds });
  await migrateToLatest(database);
  return { database, release: () => engine.close() };
}

for (const backend of testBackends()) {
  describe(`a saturated database pool [${backend}]`, () => {
    let database: Database;
    let release: () => Promise<void>;
    let services: Services;
    let app: App;
    let headers: Record<string, string>;

    before(async () => {
      // PGlite has one connection anyway; PostgreSQL gets a pool of one too.
      ({ database, release } = await openBounded(backend, { poolSize: 1, acquireTimeoutMs: ACQUIRE_MS }));
      services = await createServices({ database, keyring: createKeyring(randomBytes(32)), issuer: 'http://clientele.test' });
      app = await buildApp({ ctx: services.ctx, ready: async () => true, logLevel: 'silent' });
      await app.ready();
      const created = await createAccount(services.ctx, { name: 'Overload', email: `admin-${randomBytes(4).toString('hex')}@overload.test` });
      headers = { 'x-api-key': created.apiKey.token, 'content-type': 'application/json' };
    });
    after(async () => {
      await app?.close();
      await services?.stop();
      await database?.close();
      await release?.();
    });

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After, in problem+json, within the acquire timeout; then recovers', async () => {
      // The caller's key is now cached: what waits below is the route's own work.
      assert.equal((await app.inject({ method: 'POST', url: '/v1/clients', headers, payload: { name: 'warm' } })).statusCode, 201);
      const held = await database.pool.connect();
      try {
        for (const [method, url, payload] of [
          ['POST', '/v1/clients', { name: 'while busy' }],
          ['GET', '/v1/clients', undefined],
        ] as const) {
          const started = performance.now();
          const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
          const ms = performance.now() - started;
          assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
          assert.equal(res.headers['retry-after'], '1');
          assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
          const body = res.json();
          assert.equal(body.code, 'SERVICE_UNAVAILABLE');
          assert.equal(body.status, 503);
          assert.ok(ms >= ACQUIRE_MS * 0.8 && ms < ACQUIRE_MS + 1500, `${method} ${url} answered after ${Math.round(ms)} ms`);
        }
      } finally {
        held.release();
      }
      const after = await app.inject({ method: 'POST', url: '/v1/clients', headers, payload: { name: 'after' } });
      assert.equal(after.statusCode, 201, after.body);
      assert.equal(after.headers['retry-after'], undefined);
      // Nothing was written by the refused create.
      const names = (await app.inject({ method: 'GET', url: '/v1/clients?limit=100', headers })).json().data.map((c: { name: string }) => c.name);
      assert.deepEqual(names.sort(), ['after', 'warm']);
    });

    it('a connection that does not open in time is the same 503 (connectionTimeoutMillis covers establishment)', { skip: backend === 'embedded' && 'PGlite connects in-process' }, async () => {
      // A server that accepts TCP and never speaks: the pool's new connection cannot open.
      const silent = await listen(silentServer());
      const busy = await openDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${portOf(silent)}/none`, acquireTimeoutMs: ACQUIRE_MS });
      try {
        const err = await busy.pool.query('select 1').then(
          () => assert.fail('answered'),
          (e: Error & { code?: string }) => e,
        );
        assert.equal(err.code, 'CLIENTELE_DB_BUSY');
      } finally {
        await busy.close();
        await close(silent);
      }
    });
  });

  describe(`bounded waiting [${backend}]`, () => {
    it('beyond maxWaiting queued queries, the next one fails at once (not after the acquire timeout)', async () => {
      const { database, release } = await openBounded(backend, { poolSize: 1, acquireTimeoutMs: 10_000, maxWaiting: 1 });
      const held = await database.pool.connect();
      let released = false;
      try {
        const queued = database.pool.query('select 1 AS one');
        const started = performance.now();
        for (const attempt of [() => database.pool.query('select 1'), () => database.db.selectFrom('accounts').select('id').execute()]) {
          await assert.rejects(attempt(), (e: Error & { code?: string }) => e.code === 'CLIENTELE_DB_BUSY' && e.name === 'DatabaseBusyError');
        }
        assert.ok(performance.now() - started < 1000, 'refused at once');
        held.release();
        released = true;
        assert.equal((await queued).rows[0].one, 1, 'the one waiting query still runs');
      } finally {
        if (!released) held.release();
        await database.close();
        await release();
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Readiness.

/** A server that accepts TCP connections and never says a word (a hung database). */
function silentServer(): Server {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Unread sockets never see their end: close() must destroy them or it waits forever.
  (server as Server & { destroySockets?: () => void }).destroySockets = () => {
    for (const s of sockets) s.destroy();
  };
  return server;
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as { port: number }).port;
function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  (server as Server & { destroySockets?: () => void }).destroySockets?.();
  return closed;
}

/** A TCP proxy to PostgreSQL that can be cut (every connection destroyed, new ones refused) and restored. */
async function pgProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server = createServer();
  let port = 0;
  const start = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = portOf(server);
  };
  await start();
  return {
    url(database: string) {
      const u = new URL(target.toString());
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.pathname = `/${database}`;
      return u.toString();
    },
    async cut() {
      const closed = close(server);
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: start,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

if (testBackends().includes('postgres')) {
  describe('/readyz of a running server [postgres]', () => {
    let created: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
    let proxy: Awaited<ReturnType<typeof pgProxy>>;
    let server: RunningServer;

    before(async () => {
      created = await createEmptyPostgresDatabase();
      proxy = await pgProxy(new URL(created.url));
      const config = loadConfig({
        DATABASE_URL: proxy.url(created.name),
        CLIENTELE_MASTER_KEY: randomBytes(32).toString('base64'),
        PORT: '0',
        LOG_LEVEL: 'silent',
        CLIENTELE_BOOTSTRAP: 'false',
        CLIENTELE_WEBHOOK_DISPATCH: 'false',
        CLIENTELE_METRICS: 'false',
        CLIENTELE_DB_POOL_SIZE: '2',
      });
      server = await startServer(config, () => undefined);
    });
    after(async () => {
      await server?.stop();
      await proxy?.cut(); // its listening server would keep the test process alive
      await created?.drop();
    });

    const readyz = () => timed(async () => (await fetch(`${server.url}/readyz`)).status);

    it('200 within a second while every pool connection is busy (the probe does not queue behind requests)', async () => {
      assert.equal((await readyz()).value, 200);
      const pool = server.runtime.database.pool;
      const held = [await pool.connect(), await pool.connect()];
      // Requests queue behind the held connections meanwhile.
      const queued = Array.from({ length: 20 }, () => pool.query('select 1').catch(() => undefined));
      try {
        for (let i = 0; i < 3; i++) {
          const { value, ms } = await readyz();
          assert.equal(value, 200);
          assert.ok(ms < 1000, `/readyz took ${Math.round(ms)} ms`);
        }
      } finally {
        for (const c of held) c.release();
      }
      await Promise.all(queued);
    });

    it('503 when the database is unreachable, within about the probe timeout; 200 again once it is back', async () => {
      await proxy.cut();
      try {
        for (let i = 0; i < 2; i++) {
          const { value, ms } = await readyz();
          assert.equal(value, 503);
          assert.ok(ms < 1500, `/readyz took ${Math.round(ms)} ms`);
        }
      } finally {
        await proxy.restore();
      }
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await readyz()).value;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200);
    });
  });

  describe('readiness probe [postgres]', () => {
    it('a database that accepts connections but never answers is not ready, in about the timeout', async () => {
      const silent = await listen(silentServer());
      const probe = createReadinessProbe({ databaseUrl: `postgres://postgres@127.0.0.1:${portOf(silent)}/none`, timeoutMs: 300 });
      try {
        const { value, ms } = await timed(() => probe.check());
        assert.equal(value, false);
        assert.ok(ms >= 250 && ms < 1200, `${Math.round(ms)} ms`);
      } finally {
        await probe.close();
        await close(silent);
      }
    });
  });
}

describe('readiness probe [embedded]', () => {
  it('pings through the pool; false once the engine is closed', async () => {
    const engine = await createPGlite();
    const database = await openDatabase({ pglite: engine });
    const probe = createReadinessProbe({ pool: database.pool, timeoutMs: 500 });
    try {
      assert.equal(await probe.check(), true);
      await engine.close();
      assert.equal((await timed(() => probe.check())).value, false);
    } finally {
      await probe.close();
      await database.close().catch(() => undefined);
    }
  });
});
