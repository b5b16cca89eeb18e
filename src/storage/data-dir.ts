/**
 * Owner-only permissions for the embedded data directory (PGlite's files and master.key).
 *
 * PGlite unpacks its initial cluster with mode 0666 (an explicit chmod, which the umask does
 * not narrow) and rewrites its relcache files 0644 on every start, and a directory that
 * already existed keeps whatever mode it had. So the tree is narrowed, not trusted: before the
 * engine opens (the root first, so nothing inside is reachable meanwhile), once it has
 * started, and after it closes.
 */
import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const GROUP_OTHER = 0o077;

function failure(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new Error(`cannot restrict ${path} to its owner (${code}): the embedded data directory must belong to the user running Clientele`);
}

/** Removes group and other permission bits from `path` when it has any; returns whether it changed. */
async function restrict(path: string, mode: number): Promise<boolean> {
  if ((mode & GROUP_OTHER) === 0) return false;
  try {
    await chmod(path, mode & 0o7777 & ~GROUP_OTHER);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // removed meanwhile
    throw failure(path, err);
  }
}

/** Creates `root` if needed and removes its own group/other bits (not its contents'). */
export async function restrictDataDirRoot(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  await restrict(root, (await stat(root)).mode);
}

/**
 * Creates `root` if needed and removes every group/other permission bit under it, the root
 * first: directories end up 0700, files 0600 (or stricter). Symbolic links inside are neither
 * followed nor changed (the root itself may be one). Returns how many entries it changed.
 * @throws Error naming the path when a mode cannot be changed (e.g. another owner).
 */
export async function restrictDataDir(root: string): Promise<number> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  let changed = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const st = await (dir === root ? stat(dir) : lstat(dir)).catch(() => null);
    if (!st?.isDirectory()) continue;
    if (await restrict(dir, st.mode)) changed++;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw failure(dir, err);
    }
    // A directory's files in parallel: ~1,000 of them in a fresh cluster.
    const files = entries.filter((e) => e.isFile()).map((e) => join(dir, e.name));
    for (const e of entries) if (e.isDirectory()) pending.push(join(dir, e.name));
    const results = await Promise.all(
      files.map(async (path) => {
        const f = await lstat(path).catch(() => null);
        return f?.isFile() === true && (await restrict(path, f.mode));
      }),
    );
    changed += results.filter(Boolean).length;
  }
  return changed;
}

/**
 * Narrows the process umask to owner-only (never widens it), so anything the embedded engine
 * or the server creates from now on starts private. Process-wide and kept: a Clientele process
 * holds credentials and writes no file meant for others. Worker threads cannot change it.
 */
export function restrictUmask(): void {
  try {
    // Setting returns the previous mask (reading it alone is deprecated): set, then add it back.
    const previous = process.umask(GROUP_OTHER);
    process.umask(previous | GROUP_OTHER);
  } catch {
    // In a worker thread: the chmod passes still apply.
  }
}
