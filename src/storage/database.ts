/**
 * Opens the database. The embedded (PGlite) and production (PostgreSQL) back ends differ
 * only in how the `pg` pool is built; everything above it — Kysely, migrations, the store —
 * is one code path.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
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
  /** Embedded data directory (created if missing). Ignored when `pglite` is given. */
  dataDir?: string;
  /** An already-open PGlite instance (tests); the caller keeps ownership. */
  pglite?: PGlite;
  /** Pool size for PostgreSQL (PGlite always has exactly one connection). */
  poolSize?: number;
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

/** Opens PostgreSQL when `databaseUrl` is set, otherwise the embedded engine. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types,
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next checkout.
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  let owned: PGlite | undefined;
  let engine = options.pglite;
  if (!engine) {
    if (!options.dataDir) throw new Error('openDatabase needs databaseUrl, dataDir or pglite');
    owned = await PGlite.create(options.dataDir);
    engine = owned;
  }
  const config = createPgConfig(engine);
  const pool = new pg.Pool({ ...(config as unknown as pg.PoolConfig), max: 1, types });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'embedded',
    db,
    pool,
    async close() {
      await db.destroy();
      if (owned) await owned.close();
    },
  };
}
