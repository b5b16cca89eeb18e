import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBase62, isUuid, randomBytes, uuidToBytes, uuidv7 } from './random.js';

test('randomBytes returns n fresh bytes', () => {
  assert.equal(randomBytes(32).length, 32);
  assert.equal(randomBytes(0).length, 0);
  assert.notDeepEqual(randomBytes(16), randomBytes(16));
});

test('encodeBase62 known values and padding', () => {
  assert.equal(encodeBase62(Buffer.from([0]), 3), '000');
  assert.equal(encodeBase62(Buffer.alloc(0), 2), '00');
  assert.equal(encodeBase62(Buffer.from([61]), 1), 'z');
  assert.equal(encodeBase62(Buffer.from([62]), 2), '10');
  assert.equal(encodeBase62(Buffer.from([0xff]), 2), '47'); // 255 = 4*62 + 7
  assert.equal(encodeBase62(Buffer.alloc(32, 0xff), 43).length, 43);
  assert.equal(encodeBase62(Buffer.alloc(16, 0xff), 22).length, 22);
});

test('encodeBase62 throws when the value does not fit', () => {
  assert.throws(() => encodeBase62(Buffer.from([62]), 1), RangeError);
  assert.throws(() => encodeBase62(Buffer.alloc(32, 0xff), 42), RangeError);
  assert.throws(() => encodeBase62(Buffer.from([1]), -1), RangeError);
});

test('encodeBase62 preserves numeric order under byte-wise string comparison', () => {
  const bufs = Array.from({ length: 2000 }, () => randomBytes(8));
  bufs.push(Buffer.alloc(8, 0), Buffer.alloc(8, 0xff));
  const byBytes = [...bufs].sort(Buffer.compare).map((b) => encodeBase62(b, 11));
  // Default JS sort compares UTF-16 code units = ASCII order = C collation.
  const byString = bufs.map((b) => encodeBase62(b, 11)).sort();
  assert.deepEqual(byString, byBytes);
});

test('uuidv7 sets version 7 and RFC variant bits, and embeds the time', () => {
  const before = Date.now();
  const id = uuidv7();
  const after = Date.now();
  assert.ok(isUuid(id));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(ms >= before && ms <= after + 1, 'timestamp within call window');
});

test('uuidv7 is strictly increasing over 10,000 ids', () => {
  const ids = Array.from({ length: 10_000 }, () => uuidv7());
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i - 1]! < ids[i]!, `ids[${i - 1}] < ids[${i}]`);
    assert.equal(ids[i]![14], '7');
    assert.ok('89ab'.includes(ids[i]![19]!));
  }
  assert.equal(new Set(ids).size, ids.length);
});

test('isUuid accepts any hex UUID form and rejects others', () => {
  assert.ok(isUuid('00000000-0000-0000-0000-000000000000'));
  assert.ok(isUuid('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'));
  assert.ok(isUuid('550e8400-e29b-41d4-a716-446655440000'));
  assert.ok(isUuid(crypto.randomUUID()));
  assert.ok(!isUuid('550e8400e29b41d4a716446655440000'));
  assert.ok(!isUuid('550e8400-e29b-41d4-a716-44665544000g'));
  assert.ok(!isUuid('{550e8400-e29b-41d4-a716-446655440000}'));
  assert.ok(!isUuid(' 550e8400-e29b-41d4-a716-446655440000'));
  assert.ok(!isUuid(''));
});

test('uuidToBytes round-trips and rejects junk', () => {
  const id = uuidv7();
  assert.equal(uuidToBytes(id).length, 16);
  assert.equal(uuidToBytes(id).toString('hex'), id.replace(/-/g, ''));
  assert.throws(() => uuidToBytes('nope'), TypeError);
});
