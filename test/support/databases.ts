/**
 * Real databases for tests: embedded PGlite and PostgreSQL, each fresh, migrated and isolated.
 *
 * Under `npm test` (scripts/run-tests.ts) the environment provides:
 *   CLIENTELE_TEST_PGLITE_TEMPLATE  a migrated PGlite data-dir dump (fast embedded databases)
 *   CLIENTELE_TEST_POSTGRES_URL     a PostgreSQL admin URL (CREATE/DROP DATABASE rights)
 *   CLIENTELE_TEST_SKIP_POSTGRES=1  no PostgreSQL available (never under CI)
 * Run directly (`node --import tsx --test file.test.ts`) it falls back to migrating a fresh
 * PGlite and to $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createPGlite, openDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

export type BackendName = 'embedded' | 'postgres';

export interface TestDatabase extends Database {
  /** Connection URL of the per-test PostgreSQL database (undefined for embedded). */
  readonly url?: string;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function isCI(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/** The PostgreSQL admin URL (CREATE/DROP DATABASE), or undefined when none was configured. */
function configuredAdminUrl(): string | undefined {
  return process.env.CLIENTELE_TEST_POSTGRES_URL || process.env.DATABASE_URL || undefined;
}

function adminUrl(): string {
  const url = configuredAdminUrl();
  if (!url && isCI()) throw new Error('CI=true but no CLIENTELE_TEST_POSTGRES_URL/DATABASE_URL: PostgreSQL tests must run');
  return url ?? DEFAULT_ADMIN_URL;
}

/** The backends to run against in this process: embedded always; postgres unless skipped. */
export function testBackends(): BackendName[] {
  // `npm run test:unit`: the embedded tier, chosen on purpose (the full run is CI's).
  if (process.env.CLIENTELE_TEST_EMBEDDED_ONLY === '1') return ['embedded'];
  const skip = process.env.CLIENTELE_TEST_SKIP_POSTGRES === '1';
  if (isCI()) {
    if (skip) throw new Error('CI=true but CLIENTELE_TEST_SKIP_POSTGRES=1: PostgreSQL tests must not be skipped in CI');
    adminUrl(); // throws when no URL is configured
  }
  return skip ? ['embedded'] : ['embedded', 'postgres'];
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates an empty (unmigrated) PostgreSQL database; `drop()` removes it, forcibly
 * disconnecting anything still attached.
 */
export async function createEmptyPostgresDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `clientele_t_${randomBytes(8).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * `database` as a TestDatabase whose `close()` (effective once) closes it and then, even if
 * that failed, releases what backs it (the PGlite engine, or the per-test PostgreSQL database).
 */
function closingTestDatabase(database: Database, release: () => Promise<void>, url?: string): TestDatabase {
  let closed = false;
  return {
    kind: database.kind,
    db: database.db,
    pool: database.pool,
    ...(url !== undefined ? { url } : {}),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await database.close();
      } finally {
        await release();
      }
    },
  };
}

async function openEmbedded(): Promise<TestDatabase> {
  const templatePath = process.env.CLIENTELE_TEST_PGLITE_TEMPLATE;
  let engine: PGlite;
  if (templatePath) {
    engine = await createPGlite({ loadDataDir: new Blob([await readFile(templatePath)]) });
  } else {
    engine = await createPGlite();
  }
  let database: Database;
  try {
    database = await openDatabase({ pglite: engine });
    if (!templatePath) await migrateToLatest(database);
  } catch (err) {
    await engine.close().catch(() => {});
    throw err;
  }
  return closingTestDatabase(database, () => engine.close());
}

async function openPostgres(): Promise<TestDatabase> {
  const created = await createEmptyPostgresDatabase();
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: created.url });
  } catch (err) {
    await created.drop().catch(() => {});
    throw err;
  }
  try {
    await migrateToLatest(database);
  } catch (err) {
    await database.close().catch(() => {});
    await created.drop().catch(() => {});
    throw err;
  }
  return closingTestDatabase(database, () => created.drop(), created.url);
}

/** A fresh, migrated, isolated database on that backend. */
export async function openTestDatabase(backend: BackendName): Promise<TestDatabase> {
  return backend === 'embedded' ? openEmbedded() : openPostgres();
}

/**
 * Registers `describe(`${title} [${backend}]`)` for every backend, with a fresh database
 * opened in `before` and closed in `after`; `db()` returns the open one.
 */
export function describeEachBackend(title: string, fn: (ctx: { backend: BackendName; db: () => TestDatabase }) => void): void {
  for (const backend of testBackends()) {
    describe(`${title} [${backend}]`, () => {
      let current: TestDatabase | undefined;
      before(async () => {
        current = await openTestDatabase(backend);
      });
      after(async () => {
        const open = current;
        current = undefined;
        await open?.close();
      });
      fn({
        backend,
        db: () => {
          if (!current) throw new Error(`no open ${backend} test database (use db() inside tests/hooks, not at describe time)`);
          return current;
        },
      });
    });
  }
}
