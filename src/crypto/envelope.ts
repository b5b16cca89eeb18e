/**
 * Versioned AES-256-GCM envelopes that name the key that sealed them.
 *
 * Layout: [0x01][L][kid: L ascii bytes][iv: 12][ciphertext][tag: 16]
 *
 * The kid lets a keyring hold several master keys during rotation: each
 * envelope says which key opens it. The header (version + kid) is fed to GCM
 * as AAD together with the caller's context string, so swapping either is
 * detected, and the context binds a ciphertext to the row it belongs to
 * (moving an envelope to another record makes it fail to open).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A set of 32-byte keys by public id; new envelopes are sealed with `primaryId`. */
export interface Keyring {
  primaryId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Failure to open an envelope. Messages never include key bytes or plaintext. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

const VERSION = 0x01;
const IV_LEN = 12;
const TAG_LEN = 16;
const KEY_LEN = 32;
const KID_RE = /^[\x21-\x7e]{1,255}$/; // printable ascii, so errors/logs stay clean

/** Public, stable name of a key: first 8 bytes of SHA-256(key), hex. Reveals nothing usable. */
export function keyIdFor(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_LEN) throw new TypeError('encryption keys must be 32 bytes');
}

/**
 * Builds a keyring whose primary seals new data and whose `previous` keys
 * remain available for opening (and rewrapping) older envelopes.
 */
export function createKeyring(primary: Buffer, previous: Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const k of [primary, ...previous]) {
    assertKey(k);
    const id = keyIdFor(k);
    if (!keys.has(id)) keys.set(id, Buffer.from(k)); // copy: callers may zero theirs
  }
  return { primaryId: keyIdFor(primary), keys };
}

function sealRaw(kid: string, key: Buffer, plaintext: Buffer, aad: string): Buffer {
  if (!KID_RE.test(kid)) throw new TypeError('key id must be 1-255 printable ascii chars');
  const header = Buffer.concat([Buffer.from([VERSION, kid.length]), Buffer.from(kid, 'ascii')]);
  const iv = randomBytes(IV_LEN); // random 96-bit IV: safe well below 2^32 seals per key
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LEN });
  cipher.setAAD(Buffer.concat([header, Buffer.from(aad, 'utf8')]));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, ct, cipher.getAuthTag()]);
}

/** Parses the header; throws EnvelopeError on unknown version or truncation. */
function parseHeader(envelope: Buffer): { kid: string; headerLen: number } {
  if (!Buffer.isBuffer(envelope) || envelope.length < 2) throw new EnvelopeError('envelope truncated');
  if (envelope[0] !== VERSION) throw new EnvelopeError('unsupported envelope version');
  const headerLen = 2 + envelope[1]!;
  if (envelope.length < headerLen + IV_LEN + TAG_LEN) throw new EnvelopeError('envelope truncated');
  const kid = envelope.subarray(2, headerLen).toString('latin1');
  if (!KID_RE.test(kid)) throw new EnvelopeError('malformed envelope key id');
  return { kid, headerLen };
}

function openRaw(key: Buffer, envelope: Buffer, headerLen: number, aad: string): Buffer {
  const iv = envelope.subarray(headerLen, headerLen + IV_LEN);
  const ct = envelope.subarray(headerLen + IV_LEN, envelope.length - TAG_LEN);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LEN });
    decipher.setAAD(Buffer.concat([envelope.subarray(0, headerLen), Buffer.from(aad, 'utf8')]));
    decipher.setAuthTag(envelope.subarray(envelope.length - TAG_LEN));
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    // One message for tamper / wrong AAD / wrong key: don't help an oracle.
    throw new EnvelopeError('envelope authentication failed');
  }
}

/** The key id an envelope names (without opening it). @throws EnvelopeError if malformed. */
export function envelopeKeyId(envelope: Buffer): string {
  return parseHeader(envelope).kid;
}

/** Encrypts with the keyring's primary key, binding `aad` (e.g. "client-dek:<acct>:<client>"). */
export function seal(keyring: Keyring, plaintext: Buffer, aad: string): Buffer {
  const key = keyring.keys.get(keyring.primaryId);
  if (!key) throw new EnvelopeError('keyring primary key missing');
  return sealRaw(keyring.primaryId, key, plaintext, aad);
}

/** Decrypts with whichever keyring key the envelope names. @throws EnvelopeError */
export function open(keyring: Keyring, envelope: Buffer, aad: string): Buffer {
  const { kid, headerLen } = parseHeader(envelope);
  const key = keyring.keys.get(kid);
  if (!key) throw new EnvelopeError(`unknown envelope key id ${kid}`); // kid is public
  return openRaw(key, envelope, headerLen, aad);
}

/** Re-encrypts under the current primary key (master-key rotation); plaintext is wiped after. */
export function rewrap(keyring: Keyring, envelope: Buffer, aad: string): Buffer {
  const plaintext = open(keyring, envelope, aad);
  try {
    return seal(keyring, plaintext, aad);
  } finally {
    plaintext.fill(0);
  }
}

/** Seals under a caller-supplied 32-byte key (e.g. a per-record data key); kid = keyIdFor(key). */
export function sealWithKey(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  assertKey(key);
  return sealRaw(keyIdFor(key), key, plaintext, aad);
}

/** Opens a sealWithKey envelope. A kid mismatch throws EnvelopeError("wrong key") before decrypting. */
export function openWithKey(key: Buffer, envelope: Buffer, aad: string): Buffer {
  assertKey(key);
  const { kid, headerLen } = parseHeader(envelope);
  if (kid !== keyIdFor(key)) throw new EnvelopeError('envelope was sealed with a different key');
  return openRaw(key, envelope, headerLen, aad);
}
