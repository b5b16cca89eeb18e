import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { createEmptyPostgresDatabase, describeEachBackend, testBackends, type BackendName } from '../support/databases.js';

const MIGRATIONS = readdirSync(fileURLToPath(new URL('../../src/storage/migrations/', import.meta.url)))
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''));

const EXPECTED_TABLES = ['accounts', 'users', 'clients', 'api_keys', 'events', 'idempotency_records', 'server_secrets', 'signing_keys'];

async function publicTables(database: Database): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
  `.execute(database.db);
  return rows.map((r) => r.table_name).sort();
}

async function recordedMigrations(database: Database): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from clientele_migrations order by name`.execute(database.db);
  return rows.map((r) => r.name);
}

/** An empty (unmigrated) database on `backend`, with a disposer. */
async function openEmpty(backend: BackendName): Promise<{ database: Database; dispose(): Promise<void> }> {
  if (backend === 'embedded') {
    const engine = await PGlite.create();
    const database = await openDatabase({ pglite: engine });
    return {
      database,
      async dispose() {
        await database.close();
        await engine.close();
      },
    };
  }
  const created = await createEmptyPostgresDatabase();
  const database = await openDatabase({ databaseUrl: created.url });
  return {
    database,
    async dispose() {
      await database.close();
      await created.drop();
    },
  };
}

it('has at least one migration', () => {
  assert.ok(MIGRATIONS.length > 0);
});

for (const backend of testBackends()) {
  describe(`migrations from scratch [${backend}]`, () => {
    it('apply every migration once, then nothing on a second run', async () => {
      const { database, dispose } = await openEmpty(backend);
      try {
        assert.deepEqual(await migrateToLatest(database), MIGRATIONS);
        assert.deepEqual(await migrateToLatest(database), []);
        assert.deepEqual(await recordedMigrations(database), MIGRATIONS);
        const tables = await publicTables(database);
        for (const table of EXPECTED_TABLES) assert.ok(tables.includes(table), `missing table ${table}`);
      } finally {
        await dispose();
      }
    });
  });
}

describeEachBackend('test database', ({ backend, db }) => {
  it('is of the requested kind', () => {
    assert.equal(db().kind, backend);
  });

  it('is already fully migrated', async () => {
    assert.deepEqual(await recordedMigrations(db()), MIGRATIONS);
    assert.deepEqual(await migrateToLatest(db()), []);
  });

  it('has the expected tables', async () => {
    const tables = await publicTables(db());
    for (const table of EXPECTED_TABLES) assert.ok(tables.includes(table), `missing table ${table}; have ${tables.join(', ')}`);
  });
});

if (testBackends().includes('postgres')) {
  describe('concurrent migration [postgres]', () => {
    it('two pools migrating one fresh database at once both succeed; each migration is recorded once', async () => {
      const created = await createEmptyPostgresDatabase();
      const a = await openDatabase({ databaseUrl: created.url });
      const b = await openDatabase({ databaseUrl: created.url });
      try {
        const [appliedA, appliedB] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
        // Between them, every migration was applied exactly once.
        assert.deepEqual([...appliedA, ...appliedB].sort(), MIGRATIONS);
        const { rows } = await sql<{ name: string; n: number }>`
          select name, count(*)::int as n from clientele_migrations group by name order by name
        `.execute(a.db);
        assert.deepEqual(
          rows.map((r) => [r.name, r.n]),
          MIGRATIONS.map((m) => [m, 1]),
        );
        const tables = await publicTables(b);
        for (const table of EXPECTED_TABLES) assert.ok(tables.includes(table), `missing table ${table}`);
      } finally {
        await a.close();
        await b.close();
        await created.drop();
      }
    });
  });
}
