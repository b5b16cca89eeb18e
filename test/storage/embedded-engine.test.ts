/**
 * The embedded engine's settings: shared_buffers is 16MB unless CLIENTELE_EMBEDDED_SHARED_BUFFERS
 * says otherwise (PGlite's own 128MB would end up in the server's RSS), and a bad value is a
 * configuration error naming the variable. A new data directory is created and migrated by a
 * `clientele migrate` child process (what `clientele serve` does, so the server never carries
 * that memory peak), and the server's engine then opens it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { isNewDataDir, migrateInChild } from '../../src/cli/migrate.js';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/server.js';
import { configuredDatabase, createPGlite, EMBEDDED_SHARED_BUFFERS, openDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

async function showSharedBuffers(run: (query: string) => Promise<{ rows: unknown[] }>): Promise<string> {
  const { rows } = await run('SHOW shared_buffers');
  return (rows[0] as { shared_buffers: string }).shared_buffers;
}

describe('embedded engine settings', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'clientele-engine-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('runs with shared_buffers = 16MB by default, and the configured value otherwise', async () => {
    assert.equal(EMBEDDED_SHARED_BUFFERS, '16MB');
    assert.equal(loadConfig({}).embeddedSharedBuffers, '16MB');
    const engine = await createPGlite();
    try {
      assert.equal(await showSharedBuffers((q) => engine.query(q)), '16MB');
      // PGlite's other start parameters are kept.
      assert.equal(((await engine.query('SHOW search_path')).rows[0] as { search_path: string }).search_path, 'public');
    } finally {
      await engine.close();
    }
    const other = await createPGlite({ sharedBuffers: '8MB' });
    try {
      assert.equal(await showSharedBuffers((q) => other.query(q)), '8MB');
    } finally {
      await other.close();
    }
  });

  it('takes CLIENTELE_EMBEDDED_SHARED_BUFFERS from the environment into the server’s engine', async () => {
    const config = loadConfig({ CLIENTELE_DATA_DIR: join(root, 'override'), CLIENTELE_EMBEDDED_SHARED_BUFFERS: '24MB' });
    assert.equal(config.embeddedSharedBuffers, '24MB');
    const runtime = await openRuntime(config, () => {});
    try {
      const { rows } = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(runtime.database.db);
      assert.equal(rows[0]!.shared_buffers, '24MB');
    } finally {
      await runtime.close();
    }
  });

  it('rejects a value that is not a size in kB, MB or GB, or out of range, naming the variable', () => {
    for (const bad of ['16', '16 MB', '16mb', 'lots', '-1MB', '64kB', '2GB']) {
      assert.throws(
        () => loadConfig({ CLIENTELE_EMBEDDED_SHARED_BUFFERS: bad }),
        (err: Error) => err.message.startsWith('CLIENTELE_EMBEDDED_SHARED_BUFFERS must be a size with its unit, kB, MB or GB'),
        bad,
      );
    }
    assert.equal(loadConfig({ CLIENTELE_EMBEDDED_SHARED_BUFFERS: '128kB' }).embeddedSharedBuffers, '128kB');
    assert.equal(loadConfig({ CLIENTELE_EMBEDDED_SHARED_BUFFERS: '1GB' }).embeddedSharedBuffers, '1GB');
  });
});

describe('a new embedded data directory, created and migrated by a `clientele migrate` child process', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'clientele-migrate-child-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('is migrated and owner-only when the child exits, then opens with nothing left to apply', { timeout: 120_000 }, async () => {
    const dataDir = join(root, 'data');
    assert.equal(isNewDataDir(dataDir), true);
    const entry = fileURLToPath(new URL('../../bin/clientele.mjs', import.meta.url));
    await migrateInChild(entry, { execArgv: [], env: { ...process.env, DATABASE_URL: '', CLIENTELE_DATA_DIR: dataDir } });
    assert.equal(isNewDataDir(dataDir), false);
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dataDir, 'pgdata', 'PG_VERSION'))).mode & 0o077, 0);

    const config = loadConfig({ CLIENTELE_DATA_DIR: dataDir });
    const database = await openDatabase(configuredDatabase(config));
    try {
      assert.deepEqual(await migrateToLatest(database), [], 'the child applied every migration');
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from accounts`.execute(database.db);
      assert.equal(rows[0]!.n, 0);
    } finally {
      await database.close();
    }
  });

  it('fails with the child’s output when `clientele migrate` fails', async () => {
    const entry = fileURLToPath(new URL('../../bin/clientele.mjs', import.meta.url));
    await assert.rejects(
      migrateInChild(entry, { execArgv: [], env: { ...process.env, DATABASE_URL: '', CLIENTELE_DATA_DIR: join(root, 'bad'), CLIENTELE_EMBEDDED_SHARED_BUFFERS: 'lots' } }),
      /clientele migrate \(child process\) failed \(exit 1\): .*CLIENTELE_EMBEDDED_SHARED_BUFFERS must be a size/,
    );
  });
});
