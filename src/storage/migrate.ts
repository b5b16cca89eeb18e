/**
 * Applies the ordered SQL migrations in ./migrations. Kysely's migrator holds a
 * PostgreSQL advisory lock while it runs, so several instances starting at once apply
 * each migration exactly once.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(MIGRATIONS_DIR + file, 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

/**
 * Brings the schema to the latest version (or, with `upTo`, to that migration: tests of a
 * migration's data run the ones before it first); returns the names of migrations applied now.
 */
export async function migrateToLatest(database: Database, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new SqlFileMigrationProvider(),
    migrationTableName: 'clientele_migrations',
    migrationLockTableName: 'clientele_migrations_lock',
  });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
