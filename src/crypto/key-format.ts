/**
 * API key identifiers, secrets and the wire format of API tokens.
 *
 * Token layout: `clt_<22-char key body>_<43-char secret><6-char checksum>`
 *   - the key body is the public key id without its `ck_` prefix;
 *   - the secret carries 256 bits from the CSPRNG;
 *   - the checksum (CRC32, base62) lets us reject typos and truncated
 *     pastes without a database lookup, and lets secret scanners cut false
 *     positives. It is NOT a security control: anyone can compute it.
 */
import * as zlib from 'node:zlib';
import { encodeBase62, randomBytes, uuidToBytes, uuidv7 } from './random.js';

const KEY_ID_PREFIX = 'ck_';
const TOKEN_PREFIX = 'clt_';
const KEY_BODY_LEN = 22; // 16 bytes (128 bits) fits in 22 base62 digits
const SECRET_LEN = 43; // 32 bytes (256 bits) fits in 43 base62 digits
const CHECKSUM_LEN = 6; // 32-bit CRC fits in 6 base62 digits

/**
 * Matches a Clientele API token anywhere in text. Published for secret
 * scanners (GitHub push protection, gitleaks, trufflehog …); the 49-char tail
 * is the secret plus its checksum. Not anchored and not global on purpose.
 */
export const TOKEN_PATTERN: RegExp = /\bclt_[0-9A-Za-z]{22}_[0-9A-Za-z]{49}\b/;

/** Matches exactly one public key id, e.g. `ck_0ujtsYcgvSTl8PAuAdqWYS`. */
export const KEY_ID_PATTERN: RegExp = /^ck_[0-9A-Za-z]{22}$/;

const SECRET_RE = /^[0-9A-Za-z]{43}$/;
const TOKEN_RE = /^clt_[0-9A-Za-z]{22}_[0-9A-Za-z]{49}$/;
/** Where the secret and the checksum start in a token, and its length. */
const SECRET_AT = TOKEN_PREFIX.length + KEY_BODY_LEN + 1;
const SUM_AT = SECRET_AT + SECRET_LEN;
const TOKEN_LEN = SUM_AT + CHECKSUM_LEN;

/** Table-driven CRC32 (IEEE) fallback for runtimes without zlib.crc32 (< 20.15). */
let crcTable: Uint32Array | undefined;
function crc32Fallback(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (d: Buffer | string) => number }).crc32;

/** Exported for tests: CRC32 via zlib when available, otherwise the fallback. */
export function crc32(data: Buffer): number {
  return typeof nativeCrc32 === 'function' ? nativeCrc32(data) >>> 0 : crc32Fallback(data);
}

/** CRC32 of an ASCII string (zlib.crc32 takes the string itself, without a Buffer copy). */
function crc32Ascii(text: string): number {
  return typeof nativeCrc32 === 'function' ? nativeCrc32(text) >>> 0 : crc32Fallback(Buffer.from(text, 'latin1'));
}

function checksum(prefixBodySecret: string): string {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Ascii(prefixBodySecret));
  return encodeBase62(crc, CHECKSUM_LEN);
}

/**
 * The number a run of base62 digits (BASE62 order: 0-9, A-Z, a-z) stands for; the caller has
 * checked every character is one. Six digits stay far below 2^53, so the value is exact.
 */
function decodeBase62(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    value = value * 62 + (c <= 57 ? c - 48 : c <= 90 ? c - 55 : c - 61);
  }
  return value;
}

/**
 * New public key id: `ck_` + base62 of a fresh UUIDv7. Time-ordered so ids
 * sort by creation and index well; safe to show, log and put in URLs.
 */
export function generateKeyId(): string {
  return KEY_ID_PREFIX + encodeBase62(uuidToBytes(uuidv7()), KEY_BODY_LEN);
}

/** New 256-bit secret, base62, always 43 characters. Only ever shown once. */
export function generateSecret(): string {
  return encodeBase62(randomBytes(32), SECRET_LEN);
}

/**
 * Builds the token handed to the user. @throws TypeError on a malformed key id
 * or secret (a bug in the caller, never user input).
 */
export function formatToken(keyId: string, secret: string): string {
  if (!KEY_ID_PATTERN.test(keyId)) throw new TypeError('malformed key id');
  if (!SECRET_RE.test(secret)) throw new TypeError('malformed secret');
  const unsummed = TOKEN_PREFIX + keyId.slice(KEY_ID_PREFIX.length) + '_' + secret;
  return unsummed + checksum(unsummed);
}

/**
 * Splits a presented token into key id and secret. Returns null (never
 * throws) for anything malformed or with a wrong checksum, so callers can
 * answer 401 uniformly without a database round trip.
 */
export function parseToken(token: string): { keyId: string; secret: string } | null {
  if (typeof token !== 'string' || token.length !== TOKEN_LEN || !TOKEN_RE.test(token)) return null;
  // The checksum is compared as a number: decoding its six digits is the same test as
  // encoding the CRC (a fixed-width base62 numeral stands for one number only), without
  // the BigInt arithmetic and Buffers of `checksum`. Parsed on every authenticated request.
  if (decodeBase62(token, SUM_AT, TOKEN_LEN) !== crc32Ascii(token.slice(0, SUM_AT))) return null;
  return { keyId: KEY_ID_PREFIX + token.slice(TOKEN_PREFIX.length, SECRET_AT - 1), secret: token.slice(SECRET_AT, SUM_AT) };
}

/** Last 4 characters of a secret: a display hint ("…a1B2") that reveals ~24 bits at most. */
export function secretHint(secret: string): string {
  return secret.slice(-4);
}
