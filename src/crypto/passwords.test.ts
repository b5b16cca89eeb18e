import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { DUMMY_PASSWORD_HASH, hashPassword, isBcryptHash, needsRehash, PASSWORD_CONCURRENCY, PASSWORD_MAX_WAITING, PasswordWorkBusyError, verifyDummy, verifyPassword } from './passwords.js';

test('hashPassword produces argon2id with the configured parameters', async () => {
  const h = await hashPassword('correct horse');
  assert.ok(h.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), h);
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('correct horsf', h), false);
  assert.notEqual(await hashPassword('correct horse'), h, 'random salt');
  assert.equal(needsRehash(h), false);
});

test('bcrypt $2b$ and $2y$ hashes verify', async () => {
  const b = bcrypt.hashSync('legacy pw', 4);
  assert.ok(b.startsWith('$2b$04$'));
  assert.ok(isBcryptHash(b));
  assert.equal(await verifyPassword('legacy pw', b), true);
  assert.equal(await verifyPassword('legacy px', b), false);

  const y = '$2y$' + b.slice(4);
  assert.ok(isBcryptHash(y));
  assert.equal(await verifyPassword('legacy pw', y), true);
  assert.equal(await verifyPassword('wrong', y), false);
  assert.equal(await verifyPassword('legacy pw', '$2a$' + b.slice(4)), true);
  assert.equal(needsRehash(y), true);
});

test('isBcryptHash is strict', () => {
  const b = bcrypt.hashSync('x', 4);
  assert.ok(!isBcryptHash(b.slice(0, -1)));
  assert.ok(!isBcryptHash(b + 'a'));
  assert.ok(!isBcryptHash('$2x$' + b.slice(4)));
  assert.ok(!isBcryptHash('$2b$4$' + b.slice(7)));
  assert.ok(!isBcryptHash(b.slice(0, -1) + '!'));
  assert.ok(!isBcryptHash(' ' + b));
});

test('malformed or unsupported hashes return false instead of throwing', async () => {
  const argon = await hashPassword('pw');
  for (const bad of [
    '',
    'plaintext',
    '$argon2id$',
    '$argon2id$v=19$m=19456,t=2,p=1$garbage',
    argon.slice(0, -10),
    argon.replace('$argon2id$', '$argon2i$'),
    '$2b$04$short',
    '$2y$99$' + 'a'.repeat(53),
    '$1$md5crypt$abcdefghijklmnopqrstuv',
    null as unknown as string,
  ]) {
    assert.equal(await verifyPassword('pw', bad), false, String(bad));
  }
});

test('verifyDummy always resolves false and costs a real argon2id verification', async () => {
  const o = parseOptions(DUMMY_PASSWORD_HASH);
  assert.deepEqual([o.memoryCost, o.timeCost, o.parallelism], [19456, 2, 1]);
  assert.equal(await verifyDummy('anything'), false);
  assert.equal(await verifyDummy(''), false);
  assert.equal(needsRehash(DUMMY_PASSWORD_HASH), false);
});

test('needsRehash flags other argon2 parameters and junk', () => {
  assert.equal(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'), true);
  assert.equal(needsRehash('junk'), true);
});

test('password work is bounded: beyond the waiting room a check fails at once with PasswordWorkBusyError', async () => {
  const hash = await hashPassword('correct horse');
  const burst = PASSWORD_CONCURRENCY + PASSWORD_MAX_WAITING + 20;
  const started = Date.now();
  const results = await Promise.allSettled(Array.from({ length: burst }, (_v, i) => verifyPassword(i % 2 ? 'correct horse' : 'wrong', hash)));
  const refused = results.filter((r) => r.status === 'rejected');
  const done = results.filter((r): r is PromiseFulfilledResult<boolean> => r.status === 'fulfilled');
  assert.ok(refused.length >= 20, `${refused.length} refused`);
  assert.ok(done.length <= PASSWORD_CONCURRENCY + PASSWORD_MAX_WAITING);
  for (const r of refused) assert.ok(r.reason instanceof PasswordWorkBusyError && r.reason.code === 'CLIENTELE_PASSWORD_BUSY');
  // The checks that ran answered right, and the bound lets work through again afterwards.
  assert.ok(done.some((r) => r.value === true) && done.some((r) => r.value === false));
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.ok(Date.now() - started < 60_000);
});
