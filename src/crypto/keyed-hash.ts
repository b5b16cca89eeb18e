/**
 * Keyed hashing of high-entropy API secrets.
 *
 * API secrets carry 256 bits of CSPRNG entropy, so a slow password hash buys
 * nothing; HMAC-SHA-256 under a server-side pepper is fast enough for every
 * request and makes a stolen database useless without the pepper.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA-256(pepper, utf8(secret)).
 * @param pepper server-side key, never stored next to the hashes
 * @returns 32-byte digest
 */
export function hashSecret(pepper: Buffer, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest();
}

/**
 * Recomputes the HMAC and compares it to `expectedHash` in constant time.
 * The length check comes first because timingSafeEqual throws on unequal
 * lengths; the length of a stored hash is not secret.
 */
export function verifySecret(pepper: Buffer, secret: string, expectedHash: Buffer): boolean {
  const actual = hashSecret(pepper, secret);
  if (actual.length !== expectedHash.length) return false;
  return timingSafeEqual(actual, expectedHash);
}

/**
 * Constant-time equality for arbitrary strings or buffers. Both sides are
 * first hashed with SHA-256 so the comparison always runs over 32 bytes and
 * neither the length nor the position of the first difference leaks.
 * Strings are compared as their UTF-8 bytes.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
