/**
 * Human password hashing.
 *
 * New hashes are argon2id with the OWASP minimum profile (19 MiB, t=2, p=1).
 * bcrypt hashes are verified (never created) so users imported from other
 * systems can log in and be rehashed with argon2id on success.
 *
 * Password work never runs unbounded in parallel: at most PASSWORD_CONCURRENCY hashes or
 * checks at once (half the cores, at least one), at most PASSWORD_MAX_WAITING waiting; one
 * more fails at once with PasswordWorkBusyError (answered 503 with Retry-After). A flood of
 * sign-ins then costs a bounded share of the CPU and cannot starve key verification.
 */
import { availableParallelism } from 'node:os';
import { hash as argonHash, verify as argonVerify, parseOptions } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import pLimit from 'p-limit';

export const PASSWORD_CONCURRENCY = Math.max(1, Math.floor(availableParallelism() / 2));
export const PASSWORD_MAX_WAITING = 32;

/** Too much password work is already waiting: answered 503 (matched by its code, like the database's). */
export class PasswordWorkBusyError extends Error {
  override readonly name = 'PasswordWorkBusyError';
  readonly code = 'CLIENTELE_PASSWORD_BUSY';
  constructor() {
    super('Too many password checks are waiting');
  }
}

const limit = pLimit(PASSWORD_CONCURRENCY);

/**
 * Fails at once (PasswordWorkBusyError) when password work could not even wait its turn now:
 * a sign-in checks this before it reads the database.
 */
export function requirePasswordCapacity(): void {
  if (limit.pendingCount >= PASSWORD_MAX_WAITING) throw new PasswordWorkBusyError();
}

/** Runs password work within the bound, or fails at once when too much is waiting. */
function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (limit.pendingCount >= PASSWORD_MAX_WAITING) return Promise.reject(new PasswordWorkBusyError());
  return limit(work);
}

const ARGON2_OPTIONS = {
  memoryCost: 19456, // KiB
  timeCost: 2,
  parallelism: 1,
  // Algorithm is an ambient const enum, which isolatedModules can't inline; 2 = Argon2id.
  algorithm: 2 as Algorithm,
};

/** A bcrypt hash ($2a$/$2b$/$2y$, cost, 53 characters of salt and hash): the one definition, used by the request schemas too. */
export const BCRYPT_HASH_PATTERN = '^\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}$';
const BCRYPT_RE = new RegExp(BCRYPT_HASH_PATTERN);

/**
 * argon2id hash of a random password with the same parameters as
 * {@link hashPassword}. Verifying against it costs the same as a real check,
 * so "no such user" and "wrong password" take equal time.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$J6fOXTgM5bVpwbRgALjgxQ$FkOJrqpuOuAmB6GtNKoJo5iE83L0ImhfzD5azTfqhLc';

/** True for a well-formed bcrypt hash (`$2a$`, `$2b$` or `$2y$`). */
export function isBcryptHash(s: string): boolean {
  return typeof s === 'string' && BCRYPT_RE.test(s);
}

/** Hashes a password with argon2id; the result is a self-describing PHC string. */
export async function hashPassword(password: string): Promise<string> {
  return bounded(() => argonHash(password, ARGON2_OPTIONS));
}

/**
 * Checks a password against an argon2id or bcrypt hash. Returns false for a wrong password
 * or an unusable/malformed hash; throws only PasswordWorkBusyError.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof hash !== 'string') return false;
  return bounded(() => checkPassword(password, hash));
}

async function checkPassword(password: string, hash: string): Promise<boolean> {
  try {
    if (hash.startsWith('$argon2id$')) return await argonVerify(hash, password);
    if (isBcryptHash(hash)) {
      // $2y$ (PHP) is the same algorithm as $2b$; bcryptjs only knows $2a$/$2b$.
      // Note bcrypt ignores bytes past 72: acceptable for legacy import only.
      const normalized = hash.startsWith('$2y$') ? '$2b$' + hash.slice(4) : hash;
      return await bcrypt.compare(password, normalized);
    }
  } catch {
    // Corrupt hash material: treat as a failed login rather than a 500.
  }
  return false;
}

/**
 * Spends the same time as a real argon2id verification and always resolves
 * false. Call it when the user does not exist to avoid enumeration by timing.
 */
export async function verifyDummy(password: string): Promise<false> {
  await verifyPassword(typeof password === 'string' ? password : '', DUMMY_PASSWORD_HASH);
  return false;
}

/**
 * True when a stored hash should be replaced with a fresh {@link hashPassword}
 * result after a successful login (bcrypt, or argon2 with other parameters).
 */
export function needsRehash(hash: string): boolean {
  if (!hash.startsWith('$argon2id$')) return true;
  try {
    const o = parseOptions(hash);
    return o.memoryCost !== ARGON2_OPTIONS.memoryCost || o.timeCost !== ARGON2_OPTIONS.timeCost || o.parallelism !== ARGON2_OPTIONS.parallelism;
  } catch {
    return true;
  }
}
