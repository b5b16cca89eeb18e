import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenService } from '../src/core/signing-keys.js';
import { createKeyring } from '../src/crypto/envelope.js';
import { randomBytes } from '../src/crypto/random.js';
import { createSqlStore } from '../src/storage/sql-store.js';
import { openTestDatabase, testBackends, type TestDatabase } from './support/databases.js';

for (const backend of testBackends()) {
  describe(`JWT signing keys [${backend}]`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await openTestDatabase(backend);
    });
    after(() => database.close());

    it('instances share keys; a rotated key verifies until it is unpublished', async () => {
      let clock = new Date('2026-01-01T00:00:00Z');
      const now = () => clock;
      const store = createSqlStore(database.db);
      const keyring = createKeyring(randomBytes(32));
      const a = await createTokenService({ store, keyring, issuer: 'iss', now });
      const b = await createTokenService({ store, keyring, issuer: 'iss', now });
      assert.deepEqual(a.publicKeys(), b.publicKeys(), 'a second instance reuses the stored key');
      const claims = { sub: 'user:x', acc: '01a20499-9066-7257-922a-ca2152b9d916', typ: 'access' as const };
      const before = await a.sign(claims, 3600);
      assert.ok(await b.verify(before.token));

      await a.rotate(7 * 24 * 3600);
      assert.equal(a.publicKeys().length, 2, 'the retired key stays published');
      const afterRotation = await a.sign(claims, 3600);
      assert.notEqual(JSON.parse(Buffer.from(afterRotation.token.split('.')[0]!, 'base64url').toString()).kid, JSON.parse(Buffer.from(before.token.split('.')[0]!, 'base64url').toString()).kid);
      assert.ok(await a.verify(before.token), 'tokens signed before the rotation still verify');
      // Instance b has never seen the new kid: it reloads from the database.
      await new Promise((r) => setTimeout(r, 2100));
      assert.ok(await b.verify(afterRotation.token), 'another instance picks up the new key');

      clock = new Date(clock.getTime() + 8 * 24 * 3600 * 1000);
      const c = await createTokenService({ store, keyring, issuer: 'iss', now });
      assert.equal(c.publicKeys().length, 1, 'the old key is unpublished after its window');
    });

    it('the private key is stored sealed, never as PEM', async () => {
      const rows = await database.db.selectFrom('signing_keys').select(['private_key']).execute();
      assert.ok(rows.length > 0);
      for (const r of rows) assert.ok(!r.private_key.toString('latin1').includes('PRIVATE KEY'));
    });

    it('a wrong master key cannot load the signing keys', async () => {
      const store = createSqlStore(database.db);
      await assert.rejects(createTokenService({ store, keyring: createKeyring(randomBytes(32)), issuer: 'iss', now: () => new Date() }));
    });
  });
}
