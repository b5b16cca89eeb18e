/**
 * The embedded data directory is owner-only whatever existed before: opening the embedded
 * runtime (`openRuntime`, what `serve`, `init` and `seed` use) over a directory left 0777 with
 * 0666 files — what PGlite itself writes when it unpacks a cluster — leaves every directory
 * 0700 and every file 0600 or stricter, master.key included; files the engine writes while it
 * runs, on close and on the next start stay so. Embedded only: PostgreSQL's files are not ours to manage.
 */
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/server.js';
import { restrictDataDir } from '../../src/storage/data-dir.js';

const posix = process.platform !== 'win32';

/** Every entry under `root` (the root included) whose mode lets group or others in, with the entry counts. */
async function looseEntries(root: string): Promise<{ loose: string[]; files: number; dirs: number }> {
  const loose: string[] = [];
  let files = 0;
  let dirs = 0;
  const walk = async (path: string) => {
    const st = await lstat(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      dirs++;
      if ((st.mode & 0o777) !== 0o700) loose.push(`${(st.mode & 0o777).toString(8)} ${path}/`);
      for (const name of await readdir(path)) await walk(join(path, name));
    } else {
      files++;
      if ((st.mode & 0o077) !== 0) loose.push(`${(st.mode & 0o777).toString(8)} ${path}`);
    }
  };
  await walk(root);
  return { loose, files, dirs };
}

/** Opens the runtime as the server does, on the embedded engine in `dataDir`. */
const open = (dataDir: string) => openRuntime(loadConfig({ CLIENTELE_DATA_DIR: dataDir }), () => {});

describe('embedded data directory permissions', { skip: !posix }, () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'clientele-perm-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  // One data directory throughout: PGlite's first start in a directory is the slow part.
  let dataDir: string;

  it('a fresh directory is created owner-only, master.key included', async () => {
    dataDir = join(base, 'fresh', 'data');
    const runtime = await open(dataDir);
    try {
      const { loose, files } = await looseEntries(dataDir);
      assert.deepEqual(loose, []);
      assert.ok(files > 900, `only ${files} files checked`);
      assert.equal((await lstat(join(dataDir, 'master.key'))).mode & 0o777, 0o600);
      assert.equal(process.umask() & 0o077, 0o077, 'the embedded server process runs with an owner-only umask');
    } finally {
      await runtime.close();
    }
    assert.deepEqual((await looseEntries(dataDir)).loose, []);
  });

  it('an existing 0777 directory with 0666 files (as PGlite writes them) becomes 0700/0600 on open, while running and after close', async () => {
    // The directory as an earlier version left it: PGlite's own 0666 files in 0777 directories, a loose key file.
    const loosen = async (path: string): Promise<void> => {
      const st = await lstat(path);
      if (st.isSymbolicLink()) return;
      await chmod(path, st.isDirectory() ? 0o777 : 0o666);
      if (st.isDirectory()) for (const name of await readdir(path)) await loosen(join(path, name));
    };
    await writeFile(join(dataDir, 'notes.txt'), 'left by an operator');
    const outside = join(base, 'outside.txt');
    await writeFile(outside, 'not ours');
    await chmod(outside, 0o666);
    await symlink(outside, join(dataDir, 'link-out'));
    await loosen(dataDir);
    const before = await looseEntries(dataDir);
    assert.ok(before.loose.length > 900, `expected a loose tree to start from, got ${before.loose.length} loose of ${before.files} files`);

    const runtime = await open(dataDir);
    try {
      const opened = await looseEntries(dataDir);
      assert.deepEqual(opened.loose, [], 'loose entries after open');

      // The engine writes new relation files, WAL and more while it runs.
      const db = runtime.database.db;
      await sql`create table perm_probe (id int primary key, body text)`.execute(db);
      await sql`insert into perm_probe select g, repeat('x', 500) from generate_series(1, 5000) g`.execute(db);
      await sql`create index perm_probe_body on perm_probe (body)`.execute(db);
      await sql`vacuum full perm_probe`.execute(db);
      await sql`select pg_switch_wal()`.execute(db);
      await sql`checkpoint`.execute(db);
      const running = await looseEntries(dataDir);
      assert.deepEqual(running.loose, [], 'loose entries after writing and a checkpoint');
      assert.ok(running.files > opened.files, 'the engine wrote new files');
    } finally {
      await runtime.close();
    }
    assert.deepEqual((await looseEntries(dataDir)).loose, [], 'loose entries after close');
    assert.equal((await lstat(outside)).mode & 0o777, 0o666, 'a symbolic link inside is not followed');

    // And again on the next start, over the tree it left (PGlite rewrites some files on start).
    const again = await open(dataDir);
    try {
      assert.deepEqual((await looseEntries(dataDir)).loose, [], 'loose entries after a restart');
    } finally {
      await again.close();
    }
  });

  it('restrictDataDir reports what it changed and leaves a tidy tree alone', async () => {
    const dir = join(base, 'small');
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'a', 'b', 'f'), 'x');
    await writeFile(join(dir, 'ro'), 'x');
    await chmod(join(dir, 'ro'), 0o444);
    for (const d of [dir, join(dir, 'a'), join(dir, 'a', 'b')]) await chmod(d, 0o755);
    await chmod(join(dir, 'a', 'b', 'f'), 0o640);
    assert.equal(await restrictDataDir(dir), 5);
    assert.equal((await lstat(join(dir, 'ro'))).mode & 0o777, 0o400, 'stricter modes stay stricter');
    assert.equal((await lstat(join(dir, 'a', 'b', 'f'))).mode & 0o777, 0o600);
    assert.equal(await restrictDataDir(dir), 0);
  });
});
