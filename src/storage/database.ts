/**
 * Opens the database. The embedded (PGlite) and production (PostgreSQL) back ends differ
 * only in how the `pg` pool is built; everything above it — Kysely, migrations, the store —
 * is one code path.
 */
import { join } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.js';
import { restrictDataDir, restrictDataDirRoot, restrictUmask } from './data-dir.js';
import type { DB } from './schema.js';

export interface Database {
  readonly kind: 'postgres' | 'embedded';
  readonly db: Kysely<DB>;
  readonly pool: pg.Pool;
  /** Closes the pool (and the embedded engine when this module opened it). */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when set, the embedded engine is not used. */
  databaseUrl?: string;
  /** Embedded data directory (created if missing; kept owner-only: 0700 directories, 0600 files). Ignored when `pglite` is given. */
  dataDir?: string;
  /** shared_buffers of the embedded engine opened in `dataDir` (default EMBEDDED_SHARED_BUFFERS). */
  sharedBuffers?: string;
  /** An already-open PGlite instance (tests); the caller keeps ownership. */
  pglite?: PGlite;
  /** Pool size for PostgreSQL (PGlite always has exactly one connection). */
  poolSize?: number;
  /**
   * Longest wait for a connection (from the pool, or a new one being opened) before the
   * query fails with DatabaseBusyError; unset = wait as long as it takes.
   */
  acquireTimeoutMs?: number;
  /** Most queries waiting for a connection at once; one more fails at once with DatabaseBusyError. Unset or 0 = no bound. */
  maxWaiting?: number;
}

/**
 * No database connection could be had in time (the pool is saturated, or opening a
 * connection took too long), or too many queries were already waiting for one. The request
 * is answered 503 SERVICE_UNAVAILABLE with Retry-After (src/http/errors.ts) instead of
 * hanging in the queue.
 */
class DatabaseBusyError extends Error {
  /** Matched by the HTTP layer's error mapping (it does not import the storage layer). */
  readonly code = 'CLIENTELE_DB_BUSY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseBusyError';
  }
}

// pg-pool's own errors for the two ways connectionTimeoutMillis expires (pg-pool 3.x): the
// wait in its queue, and a new connection that took too long to open.
const ACQUIRE_TIMEOUT_MESSAGES = new Set(['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout']);

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * pg.Pool whose checkouts fail fast: beyond `maxWaiting` queued checkouts, and when
 * connectionTimeoutMillis expires, with DatabaseBusyError. pool.query and Kysely both check
 * out through connect(), so every query is covered.
 */
class BoundedPool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    private readonly maxWaiting: number,
  ) {
    super(config);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  // biome-ignore lint/suspicious/noConfusingVoidType: the implementation of pg.Pool's two overloads (promise, or void with a callback)
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const busy =
      this.maxWaiting > 0 && this.waitingCount >= this.maxWaiting && this.idleCount === 0 ? new DatabaseBusyError(`${this.waitingCount} queries already wait for a database connection`) : undefined;
    if (callback) {
      if (busy) return void process.nextTick(() => callback(busy, undefined, () => undefined));
      return super.connect((err, client, done) => callback(err && translate(err), client, done));
    }
    if (busy) return Promise.reject(busy);
    return super.connect().catch((err: Error) => Promise.reject(translate(err)));
  }
}

function translate(err: Error): Error {
  return ACQUIRE_TIMEOUT_MESSAGES.has(err.message) ? new DatabaseBusyError('No database connection became free in time', { cause: err }) : err;
}

function boundedPool(config: pg.PoolConfig, options: OpenDatabaseOptions): pg.Pool {
  return new BoundedPool({ ...config, ...(options.acquireTimeoutMs ? { connectionTimeoutMillis: options.acquireTimeoutMs } : {}) }, options.maxWaiting ?? 0);
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Per-pool type parsers: counters (int8) fit comfortably in a JS number. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * The embedded engine's shared_buffers unless configured (CLIENTELE_EMBEDDED_SHARED_BUFFERS).
 * PGlite's own default, 128MB, is touched page by page as the cache fills and then stays in
 * the process's RSS; one connection and a database of thousands of clients need far less.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/**
 * A PGlite engine with the extensions the migrations use (pg_trgm: the clients' text search
 * index) and Clientele's settings (PGlite's start parameters plus shared_buffers). Every
 * embedded engine is made here: in a data directory, from a dump, or in memory.
 */
export async function createPGlite(from: { dataDir?: string; loadDataDir?: Blob; sharedBuffers?: string } = {}): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { sharedBuffers = EMBEDDED_SHARED_BUFFERS, ...where } = from;
  return PGlite.create({ ...where, extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] });
}

/** The embedded engine's cluster inside the data directory (which also holds master.key). */
export const clusterDir = (dataDir: string): string => join(dataDir, 'pgdata');

/** The configured database: PostgreSQL at DATABASE_URL, else the embedded engine in the data directory, with its settings. */
export function configuredDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedSharedBuffers'>): OpenDatabaseOptions {
  return config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: clusterDir(config.dataDir), sharedBuffers: config.embeddedSharedBuffers };
}

/** Opens PostgreSQL when `databaseUrl` is set, otherwise the embedded engine. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = boundedPool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, types }, options);
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next checkout.
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  let owned: PGlite | undefined;
  let engine = options.pglite;
  if (!engine) {
    if (!options.dataDir) throw new Error('openDatabase needs databaseUrl, dataDir or pglite');
    // Owner-only whatever the directory held before: its root now (nothing inside is
    // reachable by others from here on), the whole tree once PGlite has unpacked and started
    // (it writes files 0666/0644 itself), and again on close. See data-dir.ts.
    restrictUmask();
    await restrictDataDirRoot(options.dataDir);
    owned = await createPGlite({ dataDir: options.dataDir, ...(options.sharedBuffers ? { sharedBuffers: options.sharedBuffers } : {}) });
    engine = owned;
    try {
      await restrictDataDir(options.dataDir);
    } catch (err) {
      await owned.close().catch(() => {});
      throw err;
    }
  }
  const dataDir = owned ? options.dataDir : undefined;
  const config = createPgConfig(engine);
  const pool = boundedPool({ ...(config as unknown as pg.PoolConfig), max: 1, types }, options);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'embedded',
    db,
    pool,
    async close() {
      await db.destroy();
      if (owned) await owned.close();
      if (dataDir) await restrictDataDir(dataDir);
    },
  };
}
