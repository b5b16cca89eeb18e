import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EnvelopeError, createKeyring, openWithKey, rewrap, seal, sealWithKey } from './envelope.js';
import { createDataKey, unwrapDataKey } from './data-keys.js';

const AAD = 'client-dek:acct1:client1';

test('data keys round trip through the keyring', () => {
  const ring = createKeyring(randomBytes(32));
  const { key, wrapped } = createDataKey(ring, AAD);
  assert.equal(key.length, 32);
  assert.deepEqual(unwrapDataKey(ring, wrapped, AAD), key);
  assert.notDeepEqual(createDataKey(ring, AAD).key, key);
});

test('a data key encrypts records and survives master rotation', () => {
  const oldMaster = randomBytes(32);
  const { key, wrapped } = createDataKey(createKeyring(oldMaster), AAD);
  const record = sealWithKey(key, Buffer.from('client secret'), 'client-secret:client1');

  const newRing = createKeyring(randomBytes(32), [oldMaster]);
  const rewrapped = rewrap(newRing, wrapped, AAD);
  const newOnly = createKeyring(newRing.keys.get(newRing.primaryId)!);
  const dek = unwrapDataKey(newOnly, rewrapped, AAD);
  assert.deepEqual(openWithKey(dek, record, 'client-secret:client1'), Buffer.from('client secret'));
});

test('unwrap fails for wrong aad, wrong keyring and non-32-byte payloads', () => {
  const ring = createKeyring(randomBytes(32));
  const { wrapped } = createDataKey(ring, AAD);
  assert.throws(() => unwrapDataKey(ring, wrapped, 'client-dek:acct1:client2'), EnvelopeError);
  assert.throws(() => unwrapDataKey(createKeyring(randomBytes(32)), wrapped, AAD), EnvelopeError);
  assert.throws(() => unwrapDataKey(ring, seal(ring, randomBytes(16), AAD), AAD), /wrong length/);
});
