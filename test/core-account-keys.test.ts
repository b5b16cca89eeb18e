/**
 * The core rules behind Inteliquent's key operations (the surface only translates them):
 * proving the account's primary key id, an account's own key by id (never a client's, never
 * another account's), and every account key for a surface without pagination.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKey, getAccountKey, listAllAccountKeys, requirePrimaryKeyId } from '../src/core/api-keys.js';
import { createClient } from '../src/core/clients.js';
import { AppError } from '../src/core/errors.js';
import type { Principal } from '../src/core/types.js';
import { authenticateKey } from '../src/core/verification.js';
import { createTestApp, type TestAccount, type TestApp } from './support/app.js';
import { testBackends } from './support/databases.js';

const fails = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

for (const backend of testBackends()) {
  describe(`account keys for key-management surfaces [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let other: TestAccount;
    let principal: Principal;
    let otherPrincipal: Principal;

    before(async () => {
      t = await createTestApp(backend, { logLevel: 'warn' });
      acc = await t.newAccount('Keys A');
      other = await t.newAccount('Keys B');
      principal = (await authenticateKey(t.services.ctx, acc.keyId, acc.secret))!;
      otherPrincipal = (await authenticateKey(t.services.ctx, other.keyId, other.secret))!;
      assert.ok(principal && otherPrincipal);
    });
    after(() => t.close());

    it('requirePrimaryKeyId: only the caller account’s own primary key id passes', async () => {
      const ctx = t.services.ctx;
      await requirePrimaryKeyId(ctx, principal, acc.keyId);
      const second = await createKey(ctx, principal, { clientId: null, name: 'second' });
      await assert.rejects(requirePrimaryKeyId(ctx, principal, second.key.keyId), fails('NOT_PRIMARY_KEY'));
      await assert.rejects(requirePrimaryKeyId(ctx, principal, other.keyId), fails('NOT_PRIMARY_KEY'), "another account's primary");
      await assert.rejects(requirePrimaryKeyId(ctx, principal, 'ck_0000000000000000000000'), fails('NOT_PRIMARY_KEY'));
      const client = await createClient(ctx, principal, { name: 'Client with a primary key' });
      const clientPrimary = await createKey(ctx, principal, { clientId: client.id, isPrimary: true });
      await assert.rejects(requirePrimaryKeyId(ctx, principal, clientPrimary.key.keyId), fails('NOT_PRIMARY_KEY'), "a client's primary key");
    });

    it('getAccountKey: the account’s own keys only; a client’s key or another account’s is KEY_NOT_FOUND', async () => {
      const ctx = t.services.ctx;
      assert.equal((await getAccountKey(ctx, principal, acc.keyId)).keyId, acc.keyId);
      const client = await createClient(ctx, principal, { name: 'Client key owner' });
      const clientKey = await createKey(ctx, principal, { clientId: client.id });
      await assert.rejects(getAccountKey(ctx, principal, clientKey.key.keyId), fails('KEY_NOT_FOUND'));
      await assert.rejects(getAccountKey(ctx, principal, other.keyId), fails('KEY_NOT_FOUND'));
    });

    it('listAllAccountKeys: every account key past one page, none of a client', async () => {
      const ctx = t.services.ctx;
      const created = [];
      for (let i = 0; i < 105; i++) created.push((await createKey(ctx, otherPrincipal, { clientId: null, name: `k${i}` })).key.keyId);
      const client = await createClient(ctx, otherPrincipal, { name: 'Not listed' });
      await createKey(ctx, otherPrincipal, { clientId: client.id });
      const all = await listAllAccountKeys(ctx, otherPrincipal);
      assert.equal(all.length, 106);
      assert.ok(all.every((k) => k.clientId === null));
      assert.deepEqual(new Set(all.map((k) => k.keyId)), new Set([other.keyId, ...created]));
    });
  });
}
