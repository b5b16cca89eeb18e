import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { EnvelopeError, createKeyring, envelopeKeyId, keyIdFor, open, openWithKey, rewrap, seal, sealWithKey } from './envelope.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring = createKeyring(k1);
const AAD = 'client-dek:acct1:client1';
const msg = Buffer.from('top secret payload');

function flip(buf: Buffer, i: number): Buffer {
  const copy = Buffer.from(buf);
  copy[i] = copy[i]! ^ 0x01;
  return copy;
}

test('keyIdFor is 16 hex chars of SHA-256', () => {
  assert.equal(keyIdFor(k1), createHash('sha256').update(k1).digest('hex').slice(0, 16));
  assert.notEqual(keyIdFor(k1), keyIdFor(k2));
});

test('createKeyring validates key lengths', () => {
  assert.throws(() => createKeyring(randomBytes(16)), TypeError);
  assert.throws(() => createKeyring(k1, [randomBytes(31)]), TypeError);
  const r = createKeyring(k2, [k1]);
  assert.equal(r.primaryId, keyIdFor(k2));
  assert.equal(r.keys.size, 2);
});

test('seal/open round trip with the documented layout', () => {
  const env = seal(ring, msg, AAD);
  const kid = keyIdFor(k1);
  assert.equal(env[0], 0x01);
  assert.equal(env[1], kid.length);
  assert.equal(env.subarray(2, 2 + kid.length).toString('ascii'), kid);
  assert.equal(env.length, 2 + kid.length + 12 + msg.length + 16);
  assert.equal(envelopeKeyId(env), kid);
  assert.deepEqual(open(ring, env, AAD), msg);
  assert.notDeepEqual(seal(ring, msg, AAD), env, 'fresh IV each time');
  assert.deepEqual(open(ring, seal(ring, Buffer.alloc(0), AAD), AAD), Buffer.alloc(0));
});

test('tampering anywhere is detected', () => {
  const env = seal(ring, msg, AAD);
  const headerLen = 2 + env[1]!;
  const cases: Array<[string, number]> = [
    ['version byte', 0],
    ['kid length byte', 1],
    ['kid byte', 2],
    ['iv byte', headerLen],
    ['ciphertext byte', headerLen + 12],
    ['tag byte', env.length - 1],
  ];
  for (const [what, i] of cases) {
    assert.throws(() => open(ring, flip(env, i), AAD), EnvelopeError, what);
  }
});

test('header is authenticated: relabelling the kid fails even if it maps to the same key', () => {
  const twoNames = {
    primaryId: 'kidA',
    keys: new Map([
      ['kidA', k1],
      ['kidB', k1],
    ]),
  };
  const env = seal(twoNames, msg, AAD);
  assert.deepEqual(open(twoNames, env, AAD), msg);
  const relabelled = Buffer.from(env);
  relabelled[5] = 'B'.charCodeAt(0); // "kidA" -> "kidB"
  assert.equal(envelopeKeyId(relabelled), 'kidB');
  assert.throws(() => open(twoNames, relabelled, AAD), /authentication failed/);
});

test('wrong aad, wrong key, unknown kid and truncation are rejected', () => {
  const env = seal(ring, msg, AAD);
  assert.throws(() => open(ring, env, 'client-dek:acct1:client2'), EnvelopeError);
  assert.throws(() => open(createKeyring(k2), env, AAD), /unknown envelope key id/);
  // Same kid but different key bytes: authentication must fail.
  const forged = { primaryId: keyIdFor(k1), keys: new Map([[keyIdFor(k1), k2]]) };
  assert.throws(() => open(forged, env, AAD), /authentication failed/);
  for (const len of [0, 1, 2, 10, 2 + 16 + 12 + 15]) {
    assert.throws(() => open(ring, env.subarray(0, len), AAD), EnvelopeError, `len ${len}`);
  }
  assert.throws(() => open(ring, env.subarray(0, env.length - 1), AAD), EnvelopeError);
});

test('error messages do not contain key material or plaintext', () => {
  const env = seal(ring, msg, AAD);
  for (const bad of [flip(env, env.length - 1), env.subarray(0, 5)]) {
    try {
      open(ring, bad, AAD);
      assert.fail('should throw');
    } catch (err) {
      const text = String((err as Error).message) + String((err as Error).stack);
      assert.ok(!text.includes(k1.toString('hex')) && !text.includes(k1.toString('base64')));
      assert.ok(!text.includes(msg.toString()));
    }
  }
});

test('rotation: seal with old primary, rewrap with new keyring, open', () => {
  const oldEnv = seal(createKeyring(k1), msg, AAD);
  const rotated = createKeyring(k2, [k1]);
  assert.deepEqual(open(rotated, oldEnv, AAD), msg);
  const newEnv = rewrap(rotated, oldEnv, AAD);
  assert.equal(envelopeKeyId(newEnv), keyIdFor(k2));
  assert.deepEqual(open(createKeyring(k2), newEnv, AAD), msg);
  assert.throws(() => open(createKeyring(k1), newEnv, AAD), EnvelopeError);
  assert.throws(() => rewrap(rotated, oldEnv, 'other'), EnvelopeError);
});

test('sealWithKey/openWithKey round trip and give a clean wrong-key signal', () => {
  const env = sealWithKey(k2, msg, AAD);
  assert.equal(envelopeKeyId(env), keyIdFor(k2));
  assert.deepEqual(openWithKey(k2, env, AAD), msg);
  assert.throws(() => openWithKey(k1, env, AAD), /different key/);
  assert.throws(() => openWithKey(k2, env, 'x'), EnvelopeError);
  assert.throws(() => openWithKey(k2, flip(env, env.length - 20), AAD), EnvelopeError);
  assert.throws(() => sealWithKey(randomBytes(8), msg, AAD), TypeError);
});
