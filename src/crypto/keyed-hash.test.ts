import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual, hashSecret, verifySecret } from './keyed-hash.js';

const pepper = randomBytes(32);

test('hashSecret is HMAC-SHA-256 of the utf8 secret', () => {
  const h = hashSecret(pepper, 'sécret');
  assert.equal(h.length, 32);
  assert.deepEqual(h, createHmac('sha256', pepper).update(Buffer.from('sécret', 'utf8')).digest());
  // RFC 4231 test case 2.
  assert.equal(hashSecret(Buffer.from('Jefe'), 'what do ya want for nothing?').toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('verifySecret accepts the right secret only', () => {
  const stored = hashSecret(pepper, 'right');
  assert.equal(verifySecret(pepper, 'right', stored), true);
  assert.equal(verifySecret(pepper, 'wrong', stored), false);
  assert.equal(verifySecret(randomBytes(32), 'right', stored), false, 'other pepper');
  assert.equal(verifySecret(pepper, 'right', stored.subarray(0, 31)), false, 'short hash, no throw');
  assert.equal(verifySecret(pepper, 'right', Buffer.alloc(0)), false);
});

test('constantTimeEqual compares strings and buffers of any length', () => {
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual(Buffer.from('abc'), 'abc'), true);
  assert.equal(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2, 3])), false);
});
