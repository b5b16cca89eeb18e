import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdFor, open, seal } from './envelope.js';
import { beginKeyFileRotation, finishKeyFileRotation, loadMasterKeyring } from './master-key.js';

const posix = process.platform !== 'win32';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'clientele-mk-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('uses CLIENTELE_MASTER_KEY and previous keys', async () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const ring = await loadMasterKeyring({ masterKey: k2.toString('base64'), previousKeys: ` ${k1.toString('base64')} ,` });
  assert.equal(ring.primaryId, keyIdFor(k2));
  assert.ok(ring.keys.has(keyIdFor(k1)));
  const old = seal({ primaryId: keyIdFor(k1), keys: new Map([[keyIdFor(k1), k1]]) }, Buffer.from('x'), 'a');
  assert.deepEqual(open(ring, old, 'a'), Buffer.from('x'));
});

test('rejects bad base64 and wrong lengths without echoing the value', async () => {
  const bad = ['not base64!!', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'AAAA'];
  for (const masterKey of bad) {
    await assert.rejects(loadMasterKeyring({ masterKey }), (err: Error) => {
      assert.match(err.message, /CLIENTELE_MASTER_KEY/);
      assert.ok(!err.message.includes(masterKey));
      return true;
    });
  }
  const good = randomBytes(32).toString('base64');
  await assert.rejects(loadMasterKeyring({ masterKey: good, previousKeys: 'zzz' }), /CLIENTELE_MASTER_KEY_PREVIOUS entry #1/);
});

test('throws when neither a key nor a data dir is configured', async () => {
  await assert.rejects(loadMasterKeyring({}), /CLIENTELE_MASTER_KEY/);
  await assert.rejects(loadMasterKeyring({ masterKey: '' }), /CLIENTELE_MASTER_KEY/);
});

test('creates master.key with mode 0600, warns, and reuses it on the next load', async () => {
  await withTempDir(async (base) => {
    const dataDir = join(base, 'nested', 'data'); // mkdir -p
    const warnings: string[] = [];
    const first = await loadMasterKeyring({ dataDir, warn: (m) => warnings.push(m) });
    const file = join(dataDir, 'master.key');
    if (posix) assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(Buffer.from(await readFile(file, 'utf8'), 'base64').length, 32);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /created/i);
    assert.match(warnings[0]!, /CLIENTELE_MASTER_KEY/);

    const again: string[] = [];
    const second = await loadMasterKeyring({ dataDir, warn: (m) => again.push(m) });
    assert.equal(second.primaryId, first.primaryId);
    assert.deepEqual(again, []);
  });
});

test('concurrent first loads agree on one key', async () => {
  await withTempDir(async (dataDir) => {
    const rings = await Promise.all(Array.from({ length: 5 }, () => loadMasterKeyring({ dataDir })));
    assert.equal(new Set(rings.map((r) => r.primaryId)).size, 1);
  });
});

test('waits for a key file another process created but has not written yet', async () => {
  await withTempDir(async (dataDir) => {
    const file = join(dataDir, 'master.key');
    const key = randomBytes(32);
    await writeFile(file, '', { mode: 0o600 });
    const late = setTimeout(() => void writeFile(file, key.toString('base64')), 120);
    try {
      const ring = await loadMasterKeyring({ dataDir });
      assert.equal(ring.primaryId, keyIdFor(key));
    } finally {
      clearTimeout(late);
    }
  });
});

test('narrows a group/world readable key file to 0600 (with a warning) and rejects a corrupt one', { skip: !posix }, async () => {
  await withTempDir(async (dataDir) => {
    const file = join(dataDir, 'master.key');
    const key = randomBytes(32);
    await writeFile(file, key.toString('base64') + '\n');
    await chmod(file, 0o644);
    const warnings: string[] = [];
    const ring = await loadMasterKeyring({ dataDir, warn: (m) => warnings.push(m) });
    assert.equal(ring.primaryId, keyIdFor(key));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /readable/);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'the key file was narrowed to 0600');

    await writeFile(file, 'garbage');
    await assert.rejects(loadMasterKeyring({ dataDir }), /master key file/);
  });
});

test('masterKey takes precedence over the data dir file', async () => {
  await withTempDir(async (dataDir) => {
    const key = randomBytes(32);
    const ring = await loadMasterKeyring({ masterKey: key.toString('base64'), dataDir });
    assert.equal(ring.primaryId, keyIdFor(key));
    await assert.rejects(stat(join(dataDir, 'master.key')), { code: 'ENOENT' });
  });
});

test('key-file rotation: the next key is written (0600) before use, resumed if interrupted, and becomes the key file', () =>
  withTempDir(async (dir) => {
    const warnings: string[] = [];
    const before = await loadMasterKeyring({ dataDir: dir });
    const sealedOld = seal(before, Buffer.from('old'), 'a');
    const ring = await beginKeyFileRotation(dir);
    assert.notEqual(ring.primaryId, before.primaryId);
    assert.equal((await stat(join(dir, 'master.key.next'))).mode & 0o777, 0o600);
    // Interrupted here: a restart reads both keys and seals with the new one, and says so.
    const restarted = await loadMasterKeyring({ dataDir: dir, warn: (m) => warnings.push(m) });
    assert.equal(restarted.primaryId, ring.primaryId);
    assert.equal(open(restarted, sealedOld, 'a').toString(), 'old');
    assert.match(warnings.join('\n'), /did not finish: run clientele rotate-master-key/);
    // Resumed: the same next key, not another one.
    assert.equal((await beginKeyFileRotation(dir)).primaryId, ring.primaryId);
    await finishKeyFileRotation(dir);
    const after = await loadMasterKeyring({ dataDir: dir });
    assert.equal(after.primaryId, ring.primaryId);
    assert.equal(after.keys.size, 1, 'the old key is gone');
    await assert.rejects(stat(join(dir, 'master.key.next')));
  }));
