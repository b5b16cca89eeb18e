import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createPGlite, openDatabase, type Database } from '../../src/storage/database.js';
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
    const engine = await createPGlite();
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
  describe(`migration 0009, permissions [${backend}]`, () => {
    it('gives every existing account key full power, client keys none, and makes every existing user an owner', async () => {
      const { database, dispose } = await openEmpty(backend);
      try {
        await migrateToLatest(database, '0008_client_counts_at_commit');
        const account = '0190f0a0-0000-7000-8000-000000000001';
        const client = '0190f0a0-0000-7000-8000-000000000002';
        const now = new Date('2026-01-01T00:00:00Z');
        await sql`insert into accounts (id, name, created_at, updated_at) values (${account}, 'before', ${now}, ${now})`.execute(database.db);
        await sql`insert into users (id, account_id, email, password_hash, created_at, updated_at) values (${client.replace(/2$/, '3')}, ${account}, 'owner@example.com', 'h', ${now}, ${now})`.execute(
          database.db,
        );
        await sql`insert into clients (id, account_id, name, data_key, created_at, updated_at) values (${client}, ${account}, 'c', ${Buffer.from('k')}, ${now}, ${now})`.execute(database.db);
        for (const [keyId, clientId] of [
          ['ck_account000000000000000', null],
          ['ck_client0000000000000000', client],
        ] as const) {
          await sql`insert into api_keys (key_id, account_id, client_id, secret_hash, secret_hint, created_at, updated_at) values (${keyId}, ${account}, ${clientId}, ${Buffer.from('h')}, 'hint', ${now}, ${now})`.execute(
            database.db,
          );
        }
        assert.deepEqual(await migrateToLatest(database), MIGRATIONS.slice(MIGRATIONS.indexOf('0009_permissions')));
        const keys = await sql<{ key_id: string; permissions: string[] }>`select key_id, permissions from api_keys order by key_id`.execute(database.db);
        assert.deepEqual(keys.rows, [
          { key_id: 'ck_account000000000000000', permissions: ['*'] },
          { key_id: 'ck_client0000000000000000', permissions: [] },
        ]);
        const users = await sql<{ role: string; permissions: string[] }>`select role, permissions from users`.execute(database.db);
        assert.deepEqual(users.rows, [{ role: 'owner', permissions: [] }]);
        // New rows must say what they hold: no default grants power silently.
        await assert.rejects(
          sql`insert into api_keys (key_id, account_id, secret_hash, secret_hint, created_at, updated_at) values ('ck_new00000000000000000000', ${account}, ${Buffer.from('h')}, 'h', ${now}, ${now})`.execute(
            database.db,
          ),
        );
        await assert.rejects(sql`update users set role = 'superuser'`.execute(database.db));
      } finally {
        await dispose();
      }
    });
  });
}

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
