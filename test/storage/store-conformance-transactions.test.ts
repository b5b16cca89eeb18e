/**
 * Store conformance, part 3: transactions on every backend, and (PostgreSQL only)
 * concurrent writers and row locks across two independent pools.
 */
import assert from 'node:assert/strict';
import { NO_SECOND_FACTOR } from '../../src/core/types.js';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../../src/core/errors.js';
import { PrimaryConflict, type Store } from '../../src/core/ports.js';
import type { ApiKey, Client, DomainEvent } from '../../src/core/types.js';
import { uuidv7 } from '../../src/crypto/random.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { makeClient as baseClient, makeKey as baseKey, newAccount, rejectsWithCode, T0, T1 } from '../support/store-fixtures.js';

// ---------------------------------------------------------------------------------------
// Fixtures: the shared ones (test/support/store-fixtures.ts), here with non-empty
// features, limits, metadata and scopes by default.
// ---------------------------------------------------------------------------------------

const makeClient = (accountId: string, over: Partial<Client> = {}): Client => baseClient(accountId, { features: { f: true }, limits: { l: 1 }, metadata: { m: 'x' }, ...over });

const makeKey = (accountId: string, clientId: string | null, over: Partial<ApiKey> = {}): ApiKey => baseKey(accountId, clientId, { scopes: ['clients:read'], ...over });

function makeEvent(accountId: string, clientId: string | null, type = 'client.created'): DomainEvent {
  return { id: uuidv7(), accountId, clientId, type, actor: { type: 'system', id: 'test' }, data: { ok: true }, createdAt: T0 };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until `n` sessions of this database are blocked on a lock (PostgreSQL only). */
async function waitForLockWaiters(database: Database, n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
    if ((rows[0]?.n ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} lock waiter(s)`);
    await delay(5);
  }
}

/** Everything an account holds that the transaction tests write. */
async function snapshot(store: Store, accountId: string): Promise<{ clients: number; keys: number; events: number }> {
  return {
    clients: (await store.clients.list(accountId, { limit: 1000 })).length,
    keys: (await store.apiKeys.list(accountId, { limit: 1000 })).length,
    events: (await store.events.list(accountId, { limit: 1000 })).length,
  };
}

// ---------------------------------------------------------------------------------------
// Suite
// ---------------------------------------------------------------------------------------

describeEachBackend('store conformance: transactions and concurrency', ({ backend, db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  describe('transaction', () => {
    it('commits every write together and returns the callback value', async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId, { username: 'committed' });
      const k = makeKey(accountId, c.id, { isPrimary: true });
      const e = makeEvent(accountId, c.id);
      const result = await store.transaction(async (tx) => {
        await tx.clients.insert(c);
        await tx.apiKeys.insert(k);
        await tx.events.append(e);
        return 42;
      });
      assert.equal(result, 42);
      assert.deepEqual(await store.clients.get(accountId, c.id), c);
      assert.deepEqual(await store.apiKeys.get(k.keyId), k);
      assert.deepEqual(await store.events.list(accountId, { limit: 10 }), [e]);
    });

    it('a throw rolls back every write made in it and rethrows the same error', async () => {
      const accountId = await newAccount(store);
      const accountsBefore = await store.accounts.count();
      const c = makeClient(accountId, { username: 'rolled-back' });
      const k = makeKey(accountId, c.id, { isPrimary: true });
      const accountKey = makeKey(accountId, null);
      const innerAccount = uuidv7();
      const email = `rollback.${uuidv7()}@example.com`;
      const boom = new Error('boom');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.clients.insert(c);
          await tx.apiKeys.insert(k);
          await tx.apiKeys.insert(accountKey);
          await tx.events.append(makeEvent(accountId, c.id));
          await tx.accounts.insert({ id: innerAccount, name: 'inner', requireTwoFactor: false, ratelimits: [], createdAt: T0, updatedAt: T0 });
          await tx.users.insert({ id: uuidv7(), accountId, email, passwordHash: 'h', role: 'owner', permissions: [], ...NO_SECOND_FACTOR, createdAt: T0, updatedAt: T0 });
          await tx.serverSecrets.getOrInsert(`tx-${innerAccount}`, Buffer.from('first'), T0);
          throw boom;
        }),
        (err: unknown) => err === boom,
      );
      assert.equal(await store.clients.get(accountId, c.id), null);
      assert.equal(await store.clients.findByUsername(accountId, 'rolled-back'), null);
      assert.equal(await store.apiKeys.get(k.keyId), null);
      assert.equal(await store.apiKeys.get(accountKey.keyId), null);
      assert.deepEqual(await snapshot(store, accountId), { clients: 0, keys: 0, events: 0 });
      assert.equal(await store.accounts.get(innerAccount), null);
      assert.equal(await store.accounts.count(), accountsBefore);
      assert.equal(await store.users.findByEmail(email), null);
      assert.deepEqual(await store.serverSecrets.getOrInsert(`tx-${innerAccount}`, Buffer.from('second'), T1), Buffer.from('second'), 'the rolled-back secret must not exist');
      // The username is free again.
      await store.clients.insert(makeClient(accountId, { username: 'rolled-back' }));
    });

    it('a store error inside the transaction propagates as-is and rolls back earlier writes', async () => {
      const accountId = await newAccount(store);
      await store.clients.insert(makeClient(accountId, { username: 'taken' }));
      const c = makeClient(accountId, { username: 'fresh' });
      await rejectsWithCode(
        store.transaction(async (tx) => {
          await tx.clients.insert(c);
          await tx.events.append(makeEvent(accountId, c.id));
          await tx.clients.insert(makeClient(accountId, { username: 'TAKEN' }));
        }),
        'USERNAME_TAKEN',
      );
      assert.equal(await store.clients.get(accountId, c.id), null);
      assert.deepEqual(await snapshot(store, accountId), { clients: 1, keys: 0, events: 0 });

      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.apiKeys.insert(makeKey(accountId, null, { isPrimary: true }));
          await tx.apiKeys.insert(makeKey(accountId, null, { isPrimary: true }));
        }),
        PrimaryConflict,
      );
      assert.equal(await store.apiKeys.countForOwner(accountId, null), 0);
      // The connection was released: the store still works, in and out of transactions.
      assert.equal(await store.transaction(async (tx) => (await tx.clients.list(accountId, { limit: 10 })).length), 1);
    });

    it('reads inside the transaction see its own uncommitted writes', async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId, { username: 'Own.Writes' });
      const k = makeKey(accountId, c.id, { isPrimary: true });
      const e = makeEvent(accountId, c.id);
      await store.transaction(async (tx) => {
        const accounts = await tx.accounts.count();
        await tx.clients.insert(c);
        await tx.apiKeys.insert(k);
        await tx.events.append(e);
        await tx.accounts.insert({ id: uuidv7(), name: 'in tx', requireTwoFactor: false, ratelimits: [], createdAt: T0, updatedAt: T0 });
        assert.deepEqual(await tx.clients.get(accountId, c.id), c);
        assert.deepEqual(await tx.clients.getForUpdate(accountId, c.id), c);
        assert.deepEqual(await tx.clients.findByUsername(accountId, 'own.writes'), c);
        assert.deepEqual(await tx.clients.list(accountId, { limit: 10, q: 'OWN' }), [c]);
        assert.deepEqual(await tx.apiKeys.get(k.keyId), k);
        assert.deepEqual(await tx.apiKeys.findPrimaryForUpdate(accountId, c.id), k);
        assert.equal(await tx.apiKeys.countForOwner(accountId, c.id), 1);
        assert.deepEqual(await tx.events.list(accountId, { limit: 10, clientId: c.id }), [e]);
        assert.equal(await tx.accounts.count(), accounts + 1);
        const renamed = await tx.clients.update(accountId, c.id, { name: 'renamed' }, T1);
        assert.equal((await tx.clients.get(accountId, c.id))?.name, 'renamed');
        assert.deepEqual(renamed, { ...c, name: 'renamed', updatedAt: T1 });

        if (backend === 'postgres') {
          // Other connections do not see uncommitted writes. (Not on the embedded engine:
          // its single connection is held by this transaction.)
          assert.equal(await store.clients.get(accountId, c.id), null);
          assert.equal(await store.apiKeys.get(k.keyId), null);
        }
      });
      assert.equal((await store.clients.get(accountId, c.id))?.name, 'renamed');
    });

    it('a nested tx.transaction runs in the same transaction (and commits with it)', { timeout: 10_000 }, async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId);
      const k = makeKey(accountId, c.id);
      const result = await store.transaction(async (tx) => {
        await tx.clients.insert(c);
        const inner = await tx.transaction(async (inner) => {
          assert.deepEqual(await inner.clients.get(accountId, c.id), c, 'the nested transaction sees the outer writes');
          await inner.apiKeys.insert(k);
          const deeper = await inner.transaction(async (deepest) => (await deepest.apiKeys.get(k.keyId))?.keyId);
          return `inner:${deeper}`;
        });
        assert.deepEqual(await tx.apiKeys.get(k.keyId), k, 'the outer transaction sees the nested writes');
        return inner;
      });
      assert.equal(result, `inner:${k.keyId}`);
      assert.deepEqual(await store.clients.get(accountId, c.id), c);
      assert.deepEqual(await store.apiKeys.get(k.keyId), k);
    });

    it('writes of a nested transaction roll back with the outer one', { timeout: 10_000 }, async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId);
      const k = makeKey(accountId, c.id);
      const boom = new Error('outer fails after the nested transaction returned');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.clients.insert(c);
            await inner.apiKeys.insert(k);
            await inner.events.append(makeEvent(accountId, c.id));
          });
          throw boom;
        }),
        (err: unknown) => err === boom,
      );
      assert.deepEqual(await snapshot(store, accountId), { clients: 0, keys: 0, events: 0 });

      const innerBoom = new Error('nested throws');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.clients.insert(c);
          await tx.transaction(async () => {
            throw innerBoom;
          });
        }),
        (err: unknown) => err === innerBoom,
      );
      assert.deepEqual(await snapshot(store, accountId), { clients: 0, keys: 0, events: 0 });
    });
  });

  if (backend === 'postgres') {
    describe('concurrency (two independent pools)', () => {
      let second: Database;
      let storeA: Store;
      let storeB: Store;
      before(async () => {
        const url = db().url;
        assert.ok(url, 'the postgres test database exposes its url');
        second = await openDatabase({ databaseUrl: url });
        storeA = store;
        storeB = createSqlStore(second.db, { pool: second.pool });
      });
      after(async () => {
        await second?.close();
      });

      it('two concurrent inserts of one username (any case): exactly one wins, the other gets USERNAME_TAKEN', { timeout: 20_000 }, async () => {
        for (let round = 0; round < 10; round++) {
          const accountId = await newAccount(storeA);
          const a = makeClient(accountId, { username: `race${round}` });
          const b = makeClient(accountId, { username: `RACE${round}` });
          const results = await Promise.allSettled([storeA.clients.insert(a), storeB.clients.insert(b)]);
          const ok = results.filter((r) => r.status === 'fulfilled');
          const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          assert.equal(ok.length, 1, `round ${round}: exactly one insert succeeds`);
          assert.ok(failed[0]?.reason instanceof AppError, `round ${round}: ${String(failed[0]?.reason)}`);
          assert.equal(failed[0].reason.code, 'USERNAME_TAKEN');
          assert.equal((await storeA.clients.list(accountId, { limit: 10 })).length, 1);
        }
      });

      it('an insert blocked behind an uncommitted one fails when it commits and succeeds when it rolls back', { timeout: 20_000 }, async () => {
        const accountId = await newAccount(storeA);
        for (const outcome of ['commit', 'rollback'] as const) {
          const a = makeClient(accountId, { username: `blocked-${outcome}` });
          const b = makeClient(accountId, { username: `BLOCKED-${outcome}` });
          let insertB: Promise<void> | undefined;
          const rollback = new Error('rollback');
          const txA = storeA.transaction(async (tx) => {
            await tx.clients.insert(a);
            insertB = storeB.clients.insert(b);
            insertB.catch(() => {}); // observed below
            await waitForLockWaiters(second, 1);
            if (outcome === 'rollback') throw rollback;
          });
          if (outcome === 'commit') {
            await txA;
            await rejectsWithCode(insertB!, 'USERNAME_TAKEN');
            assert.deepEqual(await storeA.clients.findByUsername(accountId, b.username!), a);
          } else {
            await assert.rejects(txA, (err: unknown) => err === rollback);
            await insertB!;
            assert.deepEqual(await storeA.clients.findByUsername(accountId, a.username!), b);
          }
        }
      });

      it('10 concurrent primary-key inserts for one owner: exactly one succeeds, the rest get PrimaryConflict', { timeout: 20_000 }, async () => {
        const accountId = await newAccount(storeA);
        const client = makeClient(accountId);
        await storeA.clients.insert(client);
        for (const owner of [null, client.id]) {
          const keys = Array.from({ length: 10 }, () => makeKey(accountId, owner, { isPrimary: true }));
          const results = await Promise.allSettled(keys.map((k, i) => (i % 2 ? storeB : storeA).apiKeys.insert(k)));
          const winners = keys.filter((_, i) => results[i]!.status === 'fulfilled');
          assert.equal(winners.length, 1, `owner ${owner}: exactly one primary`);
          for (const r of results) {
            if (r.status === 'rejected') assert.ok(r.reason instanceof PrimaryConflict, `owner ${owner}: ${String(r.reason)}`);
          }
          assert.equal(await storeA.apiKeys.countForOwner(accountId, owner), 1);
          const primary = await storeA.transaction((tx) => tx.apiKeys.findPrimaryForUpdate(accountId, owner));
          assert.equal(primary?.keyId, winners[0]!.keyId);
        }
      });

      it('locking reads in two transactions serialise: the second waits for the first to commit', { timeout: 20_000 }, async () => {
        const accountId = await newAccount(storeA);
        const c = makeClient(accountId, { name: 'original' });
        await storeA.clients.insert(c);
        const k = makeKey(accountId, c.id, { isPrimary: true, name: 'original' });
        await storeA.apiKeys.insert(k);

        const lockers: { name: string; lock: (tx: Store) => Promise<string | null | undefined>; write: (tx: Store) => Promise<unknown> }[] = [
          {
            name: 'clients.getForUpdate',
            lock: async (tx) => (await tx.clients.getForUpdate(accountId, c.id))?.name,
            write: (tx) => tx.clients.update(accountId, c.id, { name: 'by first' }, T1),
          },
          {
            name: 'apiKeys.getForUpdate',
            lock: async (tx) => (await tx.apiKeys.getForUpdate(accountId, k.keyId))?.name,
            write: (tx) => tx.apiKeys.update(accountId, k.keyId, { name: 'by first (get)' }, T1),
          },
          {
            name: 'apiKeys.findPrimaryForUpdate',
            lock: async (tx) => (await tx.apiKeys.findPrimaryForUpdate(accountId, c.id))?.name,
            write: (tx) => tx.apiKeys.update(accountId, k.keyId, { name: 'by first (primary)' }, T1),
          },
        ];
        for (const locker of lockers) {
          const order: string[] = [];
          const locked = deferred();
          const release = deferred();
          const first = storeA.transaction(async (tx) => {
            await locker.lock(tx);
            order.push('first locked');
            locked.resolve();
            await release.promise;
            await locker.write(tx);
            order.push('first commits');
          });
          let secondTx: Promise<string | null | undefined> | undefined;
          try {
            await Promise.race([locked.promise, first]);
            secondTx = storeB.transaction(async (tx) => {
              const seen = await locker.lock(tx);
              order.push('second locked');
              return seen;
            });
            secondTx.catch(() => {}); // awaited below
            await waitForLockWaiters(second, 1);
            order.push('second is waiting');
          } finally {
            // Even when the assertion above fails, end the first transaction so no
            // connection stays checked out (the database could not be dropped).
            release.resolve();
            await first.catch(() => {});
            await secondTx?.catch(() => {});
          }
          await first;
          const seen = await secondTx;
          assert.deepEqual(order, ['first locked', 'second is waiting', 'first commits', 'second locked'], locker.name);
          assert.match(String(seen), /^by first/, `${locker.name}: the second reads the committed row`);
        }
      });
    });
  }
});
