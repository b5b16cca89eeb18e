/**
 * Per-record data encryption keys (DEKs), wrapped by the master keyring.
 *
 * Each record gets its own random key so master-key rotation only rewraps
 * 32-byte DEKs (see envelope.rewrap) instead of re-encrypting all data, and
 * the AAD binds each wrapped DEK to the record that owns it.
 */
import { randomBytes } from 'node:crypto';
import { EnvelopeError, open, seal } from './envelope.js';
import type { Keyring } from './envelope.js';

const DEK_LEN = 32;

/**
 * Creates a fresh 32-byte data key and its wrapped (sealed) form.
 * Store only `wrapped`; use `key` with sealWithKey/openWithKey and drop it.
 * @param aad record binding, e.g. `client-dek:<accountId>:<clientId>`
 */
export function createDataKey(keyring: Keyring, aad: string): { key: Buffer; wrapped: Buffer } {
  const key = randomBytes(DEK_LEN);
  return { key, wrapped: seal(keyring, key, aad) };
}

/**
 * Unwraps a stored data key. @throws EnvelopeError if the envelope fails to
 * open with the same `aad` or does not contain a 32-byte key.
 */
export function unwrapDataKey(keyring: Keyring, wrapped: Buffer, aad: string): Buffer {
  const key = open(keyring, wrapped, aad);
  if (key.length !== DEK_LEN) {
    key.fill(0);
    throw new EnvelopeError('wrapped data key has wrong length');
  }
  return key;
}
