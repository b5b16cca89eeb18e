/**
 * Loading the master keyring that wraps every per-record data key.
 *
 * Production sets CLIENTELE_MASTER_KEY (base64 of 32 bytes) and, while
 * rotating, CLIENTELE_MASTER_KEY_PREVIOUS (comma-separated old keys, used
 * for decryption/rewrap only). For development the server can instead keep a
 * generated key in `<dataDir>/master.key`, which we warn loudly about because
 * it then sits on the same disk as the data it protects.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKeyring } from './envelope.js';
import type { Keyring } from './envelope.js';

/** Options for {@link loadMasterKeyring}; usually filled from the environment. */
export interface MasterKeyOptions {
  /** CLIENTELE_MASTER_KEY: base64 of exactly 32 bytes. Empty string counts as unset. */
  masterKey?: string;
  /** CLIENTELE_MASTER_KEY_PREVIOUS: comma-separated base64 keys, decrypt-only. */
  previousKeys?: string;
  /** Directory for the development key file, used only without masterKey. */
  dataDir?: string;
  /** Sink for operator warnings (defaults to silence). */
  warn?: (msg: string) => void;
}

const B64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decodes a base64 (or base64url) 32-byte key. Errors name the source, never the value. */
function decodeKey(text: string, source: string): Buffer {
  const s = text.trim();
  const key = B64_RE.test(s) ? Buffer.from(s, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new Error(`${source} must be base64 of exactly 32 bytes (generate one with: openssl rand -base64 32)`);
  }
  return key;
}

/** Reads the key file, retrying briefly: a concurrent creator may not have written it yet. */
async function readKeyFile(path: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const text = await readFile(path, 'utf8');
    if (text.trim() !== '' || attempt >= 20) return text;
    await sleep(50);
  }
}

async function loadOrCreateKeyFile(dataDir: string, warn: (msg: string) => void): Promise<Buffer> {
  const path = join(dataDir, 'master.key');
  const source = `master key file ${path}`;
  try {
    const key = decodeKey(await readKeyFile(path), source);
    const { mode } = await stat(path);
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      // Fixed rather than only reported: the key opens every stored secret.
      const fixed = await chmod(path, 0o600).then(
        () => true,
        () => false,
      );
      warn(`${path} was readable by group/others (mode ${(mode & 0o777).toString(8)}); ${fixed ? 'its mode is now 600' : `run: chmod 600 ${path}`}`);
    }
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // 'wx' = O_CREAT|O_EXCL: if two processes start together only one creates the file.
    await writeFile(path, key.toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return decodeKey(await readKeyFile(path), source); // the other process won; use its key
  }
  warn(`Created a new master key at ${path}. Anyone who can read it can decrypt stored secrets, ` + 'and losing it makes them unrecoverable. In production set CLIENTELE_MASTER_KEY instead.');
  return key;
}

/**
 * Builds the master keyring: primary from `masterKey` (or the dev key file
 * in `dataDir`), plus any `previousKeys` for opening older envelopes.
 * @throws Error when no key source is configured or a key is malformed.
 */
export async function loadMasterKeyring(opts: MasterKeyOptions): Promise<Keyring> {
  const warn = opts.warn ?? (() => {});
  const previous = (opts.previousKeys ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i) => decodeKey(s, `CLIENTELE_MASTER_KEY_PREVIOUS entry #${i + 1}`));
  let primary: Buffer;
  if (opts.masterKey !== undefined && opts.masterKey.trim() !== '') {
    primary = decodeKey(opts.masterKey, 'CLIENTELE_MASTER_KEY');
  } else if (opts.dataDir) {
    primary = await loadOrCreateKeyFile(opts.dataDir, warn);
    // A key-file rotation that did not finish: values are under either key until it does.
    const next = await readNextKeyFile(opts.dataDir);
    if (next) {
      warn(`A master-key rotation of ${opts.dataDir} did not finish: run clientele rotate-master-key to complete it`);
      return createKeyring(next, [primary, ...previous]);
    }
  } else {
    throw new Error('No master key configured: set CLIENTELE_MASTER_KEY (base64 of 32 bytes) or a data directory');
  }
  return createKeyring(primary, previous);
}

const NEXT_KEY_FILE = 'master.key.next';

async function readNextKeyFile(dataDir: string): Promise<Buffer | undefined> {
  try {
    return decodeKey(await readFile(join(dataDir, NEXT_KEY_FILE), 'utf8'), `master key file ${join(dataDir, NEXT_KEY_FILE)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Starts (or resumes) re-keying the embedded data directory: the new key is written to
 * `master.key.next` (0600) before anything is sealed under it, and the keyring returned seals
 * with it while still opening the current key's values. `finishKeyFileRotation` makes it the
 * key file once nothing is sealed under the old key.
 */
export async function beginKeyFileRotation(dataDir: string, warn: (msg: string) => void = () => {}): Promise<Keyring> {
  const current = await loadOrCreateKeyFile(dataDir, warn);
  let next = await readNextKeyFile(dataDir);
  if (!next) {
    next = randomBytes(32);
    await writeFile(join(dataDir, NEXT_KEY_FILE), next.toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  }
  return createKeyring(next, [current]);
}

/** Replaces the key file by the new key (an atomic rename): the old key is gone. */
export async function finishKeyFileRotation(dataDir: string): Promise<void> {
  await rename(join(dataDir, NEXT_KEY_FILE), join(dataDir, 'master.key'));
}
