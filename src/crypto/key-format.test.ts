import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_ID_PATTERN, TOKEN_PATTERN, crc32, formatToken, generateKeyId, generateSecret, parseToken, secretHint } from './key-format.js';

test('key ids are fixed length, match the pattern and sort by creation', () => {
  const ids = Array.from({ length: 1000 }, () => generateKeyId());
  for (const id of ids) assert.match(id, KEY_ID_PATTERN);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('secrets are 43 base62 chars and unique', () => {
  const a = generateSecret();
  assert.match(a, /^[0-9A-Za-z]{43}$/);
  assert.notEqual(a, generateSecret());
});

test('formatToken/parseToken round trip and TOKEN_PATTERN matches', () => {
  const keyId = generateKeyId();
  const secret = generateSecret();
  const token = formatToken(keyId, secret);
  assert.equal(token.length, 4 + 22 + 1 + 43 + 6);
  assert.ok(token.startsWith('clt_' + keyId.slice(3) + '_' + secret));
  assert.match(token, TOKEN_PATTERN);
  assert.match(`export API_TOKEN="${token}"`, TOKEN_PATTERN);
  assert.deepEqual(parseToken(token), { keyId, secret });
});

test('TOKEN_PATTERN does not match inside a longer word', () => {
  const token = formatToken(generateKeyId(), generateSecret());
  assert.doesNotMatch(token + 'x', TOKEN_PATTERN);
  assert.doesNotMatch('x' + token, TOKEN_PATTERN);
});

test('parseToken rejects any single-character change (checksum)', () => {
  const token = formatToken(generateKeyId(), generateSecret());
  let rejected = 0;
  for (let i = 4; i < token.length; i++) {
    if (token[i] === '_') continue;
    const c = token[i] === 'a' ? 'b' : 'a';
    const mutated = token.slice(0, i) + c + token.slice(i + 1);
    assert.equal(parseToken(mutated), null, `mutation at ${i}`);
    rejected++;
  }
  assert.equal(rejected, token.length - 5);
});

test('parseToken accepts exactly the checksum formatToken writes (compared as a number)', () => {
  for (let i = 0; i < 2000; i++) {
    const keyId = generateKeyId();
    const secret = generateSecret();
    const token = formatToken(keyId, secret);
    assert.deepEqual(parseToken(token), { keyId, secret });
    // Six base62 digits reach past 2^32: a checksum no CRC32 can have is refused too.
    assert.equal(parseToken(token.slice(0, -6) + 'zzzzzz'), null);
  }
});

test('parseToken returns null for junk without throwing', () => {
  const token = formatToken(generateKeyId(), generateSecret());
  for (const junk of [
    '',
    'clt_',
    token.slice(0, -1),
    token + 'a',
    ' ' + token,
    token.replace('clt_', 'clx_'),
    token.replace('clt_', 'CLT_'),
    'clt_' + '0'.repeat(22) + '_' + '0'.repeat(49),
    'x'.repeat(10_000),
    null as unknown as string,
    42 as unknown as string,
  ]) {
    assert.equal(parseToken(junk), null);
  }
});

test('formatToken rejects malformed inputs', () => {
  assert.throws(() => formatToken('ck_short', generateSecret()), TypeError);
  assert.throws(() => formatToken(generateKeyId(), 'short'), TypeError);
  assert.throws(() => formatToken(generateKeyId(), generateSecret() + '!'), TypeError);
});

test('crc32 matches the IEEE check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('secretHint returns the last four characters', () => {
  assert.equal(secretHint('abcdefgh'), 'efgh');
  const s = generateSecret();
  assert.equal(secretHint(s), s.slice(39));
});
