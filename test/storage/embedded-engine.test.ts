/**
 * The embedded engine's settings: shared_buffers is 16MB unless CLIENTELE_EMBEDDED_SHARED_BUFFERS
 * says otherwise (PGlite's own 128MB would end up in the server's RSS), and a bad value is a
 * configuration error naming the variable.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/server.js';
import { createPGlite, EMBEDDED_SHARED_BUFFERS } from '../../src/storage/database.js';

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
