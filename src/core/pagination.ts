/**
 * Opaque keyset cursors. A cursor encodes the sort key of the last item of a page; it is
 * base64url so callers treat it as a token, and malformed cursors are validation errors.
 */
import { invalidField } from './errors.js';
import type { Page } from './types.js';

const PREFIX = 'c1:';

export function encodeCursor(lastKey: string): string {
  return Buffer.from(PREFIX + lastKey, 'utf8').toString('base64url');
}

/**
 * Returns the key encoded in the cursor, undefined when absent; throws on junk, including a
 * well-formed cursor whose key is not of the list's kind (`isKey`), so a forged cursor never
 * reaches the database.
 */
export function decodeCursor(cursor: string | undefined, isKey: (key: string) => boolean): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length || !isKey(text.slice(PREFIX.length))) {
    throw invalidField('query.cursor', 'is not a cursor returned by this API');
  }
  return text.slice(PREFIX.length);
}

/** Turns `limit + 1` fetched rows into a page and its next cursor. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
