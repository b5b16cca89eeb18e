/**
 * Store conformance, part 3: users (roles, permissions, second factor, the owners' lock) and
 * browser sessions — on every backend (see store-conformance.test.ts for part 1).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/core/ports.js';
import { NO_SECOND_FACTOR, type Session, type User } from '../../src/core/types.js';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { newAccount, T0, T1, T2, T3 } from '../support/store-fixtures.js';

function makeUser(accountId: string, over: Partial<User> = {}): User {
  return {
    id: uuidv7(),
    accountId,
    email: `u-${randomBytes(6).toString('hex')}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
    role: 'viewer',
    permissions: [],
    ...NO_SECOND_FACTOR,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function makeSession(user: User, over: Partial<Session> = {}): Session {
  return { id: uuidv7(), tokenHash: randomBytes(32), accountId: user.accountId, userId: user.id, userAgent: 'agent ✓', createdAt: T0, lastSeenAt: T0, expiresAt: T3, ...over };
}

describeEachBackend('store conformance: users and sessions', ({ db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  describe('users', () => {
    it('round-trips role, permissions and the second factor; lists in id order with keyset pages, per account', async () => {
      const a = await newAccount(store);
      const b = await newAccount(store);
      const users = [
        makeUser(a, { role: 'owner' }),
        makeUser(a, { role: 'admin', permissions: ['usage:write'] }),
        makeUser(a, { totpSecret: Buffer.from([0, 1, 0xff]), totpEnabled: true, totpLastStep: 123, recoveryCodes: ['aa', 'bb'] }),
      ];
      for (const u of users) await store.users.insert(u);
      await store.users.insert(makeUser(b));
      assert.deepEqual(await store.users.get(a, users[2]!.id), users[2]);
      assert.equal(await store.users.get(b, users[0]!.id), null, 'another account');
      const first = await store.users.list(a, { limit: 2 });
      const rest = await store.users.list(a, { limit: 2, afterId: first[1]!.id });
      assert.deepEqual(
        [...first, ...rest].map((u) => u.id),
        users.map((u) => u.id).sort(),
      );
      assert.deepEqual(
        (await store.users.listOwnersForUpdate(a)).map((u) => u.id),
        [users[0]!.id],
      );
    });

    it('updates only what the patch names, stamps updatedAt, deletes; another account’s user is untouched', async () => {
      const a = await newAccount(store);
      const b = await newAccount(store);
      const u = makeUser(a);
      await store.users.insert(u);
      const changed = await store.users.update(a, u.id, { role: 'admin', permissions: ['events:read'] }, T1);
      assert.deepEqual(changed, { ...u, role: 'admin', permissions: ['events:read'], updatedAt: T1 });
      const cleared = await store.users.update(a, u.id, { totpSecret: null, totpEnabled: false, recoveryCodes: [] }, T2);
      assert.equal(cleared?.role, 'admin');
      assert.equal(await store.users.update(b, u.id, { role: 'owner' }, T2), null);
      assert.equal(await store.users.delete(b, u.id), false);
      assert.equal(await store.users.delete(a, u.id), true);
      assert.equal(await store.users.get(a, u.id), null);
    });

    it('uses each TOTP step once, and never an older one', async () => {
      const a = await newAccount(store);
      const u = makeUser(a, { totpEnabled: true, totpSecret: Buffer.from('s') });
      await store.users.insert(u);
      assert.equal(await store.users.useTotpStep(a, u.id, 100), true);
      assert.equal(await store.users.useTotpStep(a, u.id, 100), false);
      assert.equal(await store.users.useTotpStep(a, u.id, 99), false);
      assert.equal(await store.users.useTotpStep(a, u.id, 101), true);
      const results = await Promise.all([store.users.useTotpStep(a, u.id, 200), store.users.useTotpStep(a, u.id, 200)]);
      assert.deepEqual(results.sort(), [false, true], 'two uses of one step at once: one wins');
    });
  });

  describe('sessions', () => {
    it('finds by token hash, touches forward only, lists a user’s unexpired sessions newest first, deletes per user', async () => {
      const a = await newAccount(store);
      const u = makeUser(a);
      const v = makeUser(a);
      await store.users.insert(u);
      await store.users.insert(v);
      const older = makeSession(u);
      const newer = makeSession(u, { createdAt: T1, lastSeenAt: T1 });
      const expired = makeSession(u, { expiresAt: T1 });
      const theirs = makeSession(v);
      for (const s of [older, newer, expired, theirs]) await store.sessions.insert(s);
      assert.deepEqual(await store.sessions.findByTokenHash(newer.tokenHash), newer);
      assert.equal(await store.sessions.findByTokenHash(randomBytes(32)), null);
      await store.sessions.touch(older.id, T2);
      await store.sessions.touch(older.id, T1); // never backwards
      assert.deepEqual((await store.sessions.findByTokenHash(older.tokenHash))?.lastSeenAt, T2);
      assert.deepEqual(
        (await store.sessions.listForUser(a, u.id, T2)).map((s) => s.id),
        [newer.id, older.id],
      );
      assert.equal(await store.sessions.delete(a, u.id, theirs.id), false, "another user's session");
      assert.equal(await store.sessions.delete(a, u.id, newer.id), true);
      assert.equal(await store.sessions.findByTokenHash(newer.tokenHash), null);
      // A user's sessions go with the user.
      await store.users.delete(a, v.id);
      assert.equal(await store.sessions.findByTokenHash(theirs.tokenHash), null);
    });
  });
});
