/**
 * Store conformance, part 2: API keys, events, idempotency records, server secrets and
 * signing keys — on every backend (see store-conformance.test.ts for part 1).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PrimaryConflict, type IdempotencyRecord, type SigningKeyRecord, type Store } from '../../src/core/ports.js';
import type { ApiKey, DomainEvent } from '../../src/core/types.js';
import { encodeBase62, randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { allPages, byCodeUnits, makeKey, newAccount, newClient, T0, T1, T2, T3 } from '../support/store-fixtures.js';

// ---------------------------------------------------------------------------------------
// Suite
// ---------------------------------------------------------------------------------------

describeEachBackend('store conformance: keys, events, idempotency, secrets, signing keys', ({ db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  describe('apiKeys', () => {
    it('insert/get round-trips a client key (Buffer hashes, scopes, dates) with useCount 0', async () => {
      const accountId = await newAccount(store);
      const clientId = await newClient(store, accountId);
      const key = makeKey(accountId, clientId, {
        name: 'Deploy key ✓',
        isPrimary: true,
        enabled: false,
        scopes: ['clients:read', 'keys:write', 'events:read'],
        secretHash: Buffer.from([0, 0xff, 1, 0x80, 0]),
        secretHint: 'x9Zq',
        previousSecretHash: randomBytes(32),
        previousSecretExpiresAt: T2,
        expiresAt: T3,
        lastUsedAt: T1,
        createdAt: T0,
        updatedAt: T1,
      });
      await store.apiKeys.insert(key);
      const got = await store.apiKeys.get(key.keyId);
      assert.deepEqual(got, key);
      assert.ok(Buffer.isBuffer(got?.secretHash) && Buffer.isBuffer(got.previousSecretHash));
      assert.equal(got?.useCount, 0);
      assert.equal(await store.apiKeys.get(`${key.keyId}x`), null);
      assert.equal(await store.apiKeys.get(key.keyId.toLowerCase() === key.keyId ? key.keyId.toUpperCase() : key.keyId.toLowerCase()), null, 'key ids are case-sensitive');
    });

    it('insert/get round-trips an account-level key with null fields and empty scopes', async () => {
      const accountId = await newAccount(store);
      const key = makeKey(accountId, null);
      await store.apiKeys.insert(key);
      assert.deepEqual(await store.apiKeys.get(key.keyId), key);
      await store.transaction(async (tx) => {
        assert.deepEqual(await tx.apiKeys.getForUpdate(accountId, key.keyId), key);
        assert.equal(await tx.apiKeys.getForUpdate(await newAccount(tx), key.keyId), null, 'getForUpdate is scoped');
      });
    });

    it('one primary per owner: a second primary → PrimaryConflict; other owners are independent', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c1 = await newClient(store, accountA);
      const c2 = await newClient(store, accountA);
      const accountPrimary = makeKey(accountA, null, { isPrimary: true });
      const c1Primary = makeKey(accountA, c1, { isPrimary: true });
      const c2Primary = makeKey(accountA, c2, { isPrimary: true });
      const bPrimary = makeKey(accountB, null, { isPrimary: true });
      for (const k of [accountPrimary, c1Primary, c2Primary, bPrimary]) await store.apiKeys.insert(k);

      const secondAccountPrimary = makeKey(accountA, null, { isPrimary: true });
      await assert.rejects(store.apiKeys.insert(secondAccountPrimary), PrimaryConflict);
      const secondC1Primary = makeKey(accountA, c1, { isPrimary: true });
      await assert.rejects(store.apiKeys.insert(secondC1Primary), PrimaryConflict);
      assert.equal(await store.apiKeys.get(secondAccountPrimary.keyId), null);
      assert.equal(await store.apiKeys.get(secondC1Primary.keyId), null);

      // Non-primary keys are unlimited.
      const extra = [makeKey(accountA, null), makeKey(accountA, null), makeKey(accountA, c1), makeKey(accountA, c1)];
      for (const k of extra) await store.apiKeys.insert(k);

      // update onto a second primary → PrimaryConflict, key unchanged.
      await assert.rejects(store.apiKeys.update(accountA, extra[0]!.keyId, { isPrimary: true }, T1), PrimaryConflict);
      await assert.rejects(store.apiKeys.update(accountA, extra[2]!.keyId, { isPrimary: true }, T1), PrimaryConflict);
      assert.deepEqual(await store.apiKeys.get(extra[0]!.keyId), extra[0]);

      // Demote, then promote another: allowed.
      await store.apiKeys.update(accountA, accountPrimary.keyId, { isPrimary: false }, T1);
      const promoted = await store.apiKeys.update(accountA, extra[0]!.keyId, { isPrimary: true }, T1);
      assert.equal(promoted?.isPrimary, true);
    });

    it('findPrimaryForUpdate finds the owner’s primary only', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c1 = await newClient(store, accountA);
      const c2 = await newClient(store, accountA);
      const accountPrimary = makeKey(accountA, null, { isPrimary: true, scopes: ['a'] });
      const c1Primary = makeKey(accountA, c1, { isPrimary: true });
      await store.apiKeys.insert(makeKey(accountA, null));
      await store.apiKeys.insert(accountPrimary);
      await store.apiKeys.insert(makeKey(accountA, c1));
      await store.apiKeys.insert(c1Primary);
      await store.apiKeys.insert(makeKey(accountA, c2));

      await store.transaction(async (tx) => {
        assert.deepEqual(await tx.apiKeys.findPrimaryForUpdate(accountA, null), accountPrimary);
        assert.deepEqual(await tx.apiKeys.findPrimaryForUpdate(accountA, c1), c1Primary);
        assert.equal(await tx.apiKeys.findPrimaryForUpdate(accountA, c2), null, 'c2 has only a non-primary key');
        assert.equal(await tx.apiKeys.findPrimaryForUpdate(accountB, null), null);
        assert.equal(await tx.apiKeys.findPrimaryForUpdate(accountB, c1), null);
      });
    });

    it('countForOwner: null counts account-level keys only; a client id counts that client’s', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c1 = await newClient(store, accountA);
      const c2 = await newClient(store, accountA);
      for (let i = 0; i < 3; i++) await store.apiKeys.insert(makeKey(accountA, null, { isPrimary: i === 0 }));
      for (let i = 0; i < 2; i++) await store.apiKeys.insert(makeKey(accountA, c1));
      await store.apiKeys.insert(makeKey(accountB, null));
      assert.equal(await store.apiKeys.countForOwner(accountA, null), 3);
      assert.equal(await store.apiKeys.countForOwner(accountA, c1), 2);
      assert.equal(await store.apiKeys.countForOwner(accountA, c2), 0);
      assert.equal(await store.apiKeys.countForOwner(accountB, null), 1);
      assert.equal(await store.apiKeys.countForOwner(accountB, c1), 0);
    });

    it('update returns the updated key, only touches given keys, null clears; scoped to the account', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const key = makeKey(accountA, null, { name: 'n', scopes: ['x'], expiresAt: T3, secretHint: 'old1' });
      await store.apiKeys.insert(key);

      assert.equal(await store.apiKeys.update(accountB, key.keyId, { name: 'hijack' }, T1), null);
      assert.equal(await store.apiKeys.update(accountA, 'ak_missing', { name: 'ghost' }, T1), null);
      assert.deepEqual(await store.apiKeys.get(key.keyId), key);

      const newHash = randomBytes(32);
      const prevHash = key.secretHash;
      const patch = {
        name: null,
        enabled: false,
        scopes: ['clients:read', 'clients:write'],
        expiresAt: null,
        secretHash: newHash,
        secretHint: 'new2',
        previousSecretHash: prevHash,
        previousSecretExpiresAt: T2,
      };
      const updated = await store.apiKeys.update(accountA, key.keyId, patch, T2);
      const expected: ApiKey = { ...key, ...patch, updatedAt: T2 };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await store.apiKeys.get(key.keyId), expected);

      const cleared = await store.apiKeys.update(accountA, key.keyId, { previousSecretHash: null, previousSecretExpiresAt: null, scopes: [] }, T3);
      assert.deepEqual(cleared, { ...expected, previousSecretHash: null, previousSecretExpiresAt: null, scopes: [], updatedAt: T3 });
    });

    it('delete is scoped to the account and returns true/false', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const key = makeKey(accountA, null);
      await store.apiKeys.insert(key);
      assert.equal(await store.apiKeys.delete(accountB, key.keyId), false);
      assert.ok(await store.apiKeys.get(key.keyId));
      assert.equal(await store.apiKeys.delete(accountA, key.keyId), true);
      assert.equal(await store.apiKeys.get(key.keyId), null);
      assert.equal(await store.apiKeys.delete(accountA, key.keyId), false);
    });

    it('list by owner (undefined/null/client id) with keyset pagination in key id order', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c1 = await newClient(store, accountA);
      const c2 = await newClient(store, accountA);
      const accountKeys = Array.from({ length: 4 }, () => makeKey(accountA, null));
      const c1Keys = Array.from({ length: 5 }, () => makeKey(accountA, c1));
      const c2Keys = [makeKey(accountA, c2)];
      // Two ids differing only in case: byte-wise order puts upper case first.
      const base = encodeBase62(randomBytes(8), 11);
      accountKeys.push(makeKey(accountA, null, { keyId: `ak_q${base}` }), makeKey(accountA, null, { keyId: `ak_Q${base}` }));
      for (const k of [...accountKeys, ...c1Keys, ...c2Keys].reverse()) await store.apiKeys.insert(k);
      await store.apiKeys.insert(makeKey(accountB, null));
      await store.apiKeys.insert(makeKey(accountB, null));

      const ids = (keys: ApiKey[]): string[] => keys.map((k) => k.keyId);
      const sorted = (keys: ApiKey[]): string[] => ids(keys).sort(byCodeUnits);
      const list = async (clientId: string | null | undefined, limit: number): Promise<string[]> =>
        ids(
          (
            await allPages(
              limit,
              (afterKeyId) =>
                store.apiKeys.list(accountA, {
                  limit,
                  ...(clientId !== undefined ? { clientId } : {}),
                  ...(afterKeyId ? { afterKeyId } : {}),
                }),
              (k) => k.keyId,
            )
          ).rows,
        );

      for (const limit of [1, 2, 3, 50]) {
        assert.deepEqual(await list(undefined, limit), sorted([...accountKeys, ...c1Keys, ...c2Keys]), `all, limit ${limit}`);
        assert.deepEqual(await list(null, limit), sorted(accountKeys), `account-level, limit ${limit}`);
        assert.deepEqual(await list(c1, limit), sorted(c1Keys), `c1, limit ${limit}`);
      }
      assert.deepEqual(await list(c2, 10), sorted(c2Keys));
      const page = await store.apiKeys.list(accountA, { limit: 100, clientId: c1 });
      assert.deepEqual(
        page,
        [...c1Keys].sort((a, b) => byCodeUnits(a.keyId, b.keyId)),
        'whole rows',
      );
      assert.deepEqual(await store.apiKeys.list(accountB, { limit: 100, clientId: c1 }), []);
    });

    it('recordUses adds counts and never moves lastUsedAt backwards', async () => {
      const accountId = await newAccount(store);
      const k1 = makeKey(accountId, null);
      const k2 = makeKey(accountId, null, { lastUsedAt: T2 });
      const untouched = makeKey(accountId, null);
      for (const k of [k1, k2, untouched]) await store.apiKeys.insert(k);

      await store.apiKeys.recordUses([]);
      await store.apiKeys.recordUses([
        { keyId: k1.keyId, count: 3, lastUsedAt: T1 },
        { keyId: k2.keyId, count: 1, lastUsedAt: T1 }, // older than k2's T2
        { keyId: 'ak_does_not_exist', count: 7, lastUsedAt: T3 },
      ]);
      let g1 = await store.apiKeys.get(k1.keyId);
      let g2 = await store.apiKeys.get(k2.keyId);
      assert.equal(g1?.useCount, 3);
      assert.deepEqual(g1?.lastUsedAt, T1);
      assert.equal(g2?.useCount, 1);
      assert.deepEqual(g2?.lastUsedAt, T2, 'an older use must not move lastUsedAt back');

      await store.apiKeys.recordUses([{ keyId: k1.keyId, count: 2, lastUsedAt: T0 }]);
      g1 = await store.apiKeys.get(k1.keyId);
      assert.equal(g1?.useCount, 5);
      assert.deepEqual(g1?.lastUsedAt, T1);

      await store.apiKeys.recordUses([
        { keyId: k1.keyId, count: 1_000_000, lastUsedAt: T3 },
        { keyId: k2.keyId, count: 4, lastUsedAt: T3 },
      ]);
      g1 = await store.apiKeys.get(k1.keyId);
      g2 = await store.apiKeys.get(k2.keyId);
      assert.equal(g1?.useCount, 1_000_005);
      assert.equal(typeof g1?.useCount, 'number');
      assert.deepEqual(g1?.lastUsedAt, T3);
      assert.equal(g2?.useCount, 5);
      assert.deepEqual(g2?.lastUsedAt, T3);
      assert.deepEqual(await store.apiKeys.get(untouched.keyId), untouched);
    });
    it('recordUses with the same key twice in one batch adds both counts', async () => {
      const accountId = await newAccount(store);
      const k = makeKey(accountId, null);
      await store.apiKeys.insert(k);
      await store.apiKeys.recordUses([
        { keyId: k.keyId, count: 2, lastUsedAt: T2 },
        { keyId: k.keyId, count: 3, lastUsedAt: T1 },
      ]);
      const got = await store.apiKeys.get(k.keyId);
      assert.equal(got?.useCount, 5);
      assert.deepEqual(got?.lastUsedAt, T2);
    });
  });

  describe('hot reads (a key, a client by id) on the pool', () => {
    it('give the same records prepared, unprepared and through the query builder', async () => {
      const accountId = await newAccount(store);
      const clientId = await newClient(store, accountId);
      const key = makeKey(accountId, clientId, { scopes: ['clients:read'], previousSecretHash: randomBytes(32), previousSecretExpiresAt: T2, expiresAt: T3, lastUsedAt: T1 });
      await store.apiKeys.insert(key);
      const unprepared = createSqlStore(db().db, { pool: db().pool, preparedStatements: false });
      const builder = createSqlStore(db().db);
      const viaBuilder = { key: await builder.apiKeys.get(key.keyId), client: await builder.clients.get(accountId, clientId) };
      assert.deepEqual(viaBuilder.key, { ...key, useCount: 0 });
      assert.equal(viaBuilder.client?.id, clientId);
      for (const [name, s] of [
        ['prepared', store],
        ['unprepared', unprepared],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          // Repeated, so a prepared statement is reused on its connection.
          assert.deepEqual(await s.apiKeys.get(key.keyId), viaBuilder.key, name);
          assert.deepEqual(await s.clients.get(accountId, clientId), viaBuilder.client, name);
        }
        assert.equal(await s.apiKeys.get('ck_' + encodeBase62(randomBytes(16), 22)), null, name);
        assert.equal(await s.clients.get(accountId, uuidv7()), null, name);
        assert.equal(await s.clients.get(uuidv7(), clientId), null, `${name}: scoped by account`);
      }
    });

    it('getWithClient: the key and its client in one read (prepared, unprepared, builder alike)', async () => {
      const accountId = await newAccount(store);
      const clientId = await newClient(store, accountId);
      const clientKey = makeKey(accountId, clientId, { scopes: ['clients:read'], previousSecretHash: randomBytes(32), previousSecretExpiresAt: T2, lastUsedAt: T1 });
      const accountKey = makeKey(accountId, null);
      await store.apiKeys.insert(clientKey);
      await store.apiKeys.insert(accountKey);
      const client = await store.clients.get(accountId, clientId);
      assert.ok(client);
      const stores = { prepared: store, unprepared: createSqlStore(db().db, { pool: db().pool, preparedStatements: false }), builder: createSqlStore(db().db) };
      for (const [name, s] of Object.entries(stores)) {
        for (let i = 0; i < 2; i++) {
          assert.deepEqual(await s.apiKeys.getWithClient(clientKey.keyId), { key: { ...clientKey, useCount: 0 }, client }, name);
          assert.deepEqual(await s.apiKeys.getWithClient(accountKey.keyId), { key: { ...accountKey, useCount: 0 }, client: null }, `${name}: an account's key has no client`);
        }
        assert.equal(await s.apiKeys.getWithClient('ck_' + encodeBase62(randomBytes(16), 22)), null, name);
      }
    });

    it('keep working when a migration adds and drops a column under the prepared statements', async () => {
      const accountId = await newAccount(store);
      const clientId = await newClient(store, accountId);
      const key = makeKey(accountId, clientId);
      await store.apiKeys.insert(key);
      assert.ok(await store.apiKeys.get(key.keyId));
      assert.ok(await store.clients.get(accountId, clientId));
      await db().pool.query('ALTER TABLE api_keys ADD COLUMN conformance_extra int');
      await db().pool.query('ALTER TABLE clients ADD COLUMN conformance_extra int');
      try {
        assert.equal((await store.apiKeys.get(key.keyId))?.keyId, key.keyId);
        assert.equal((await store.clients.get(accountId, clientId))?.id, clientId);
      } finally {
        await db().pool.query('ALTER TABLE api_keys DROP COLUMN conformance_extra');
        await db().pool.query('ALTER TABLE clients DROP COLUMN conformance_extra');
      }
      assert.equal((await store.apiKeys.get(key.keyId))?.keyId, key.keyId);
      assert.equal((await store.clients.get(accountId, clientId))?.id, clientId);
    });
  });

  describe('events', () => {
    it('append/list round-trips, filters by type and clientId, paginates, scoped to the account', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c1 = uuidv7();
      const c2 = uuidv7();
      const make = (accountId: string, type: string, clientId: string | null, i: number): DomainEvent => ({
        id: uuidv7(),
        accountId,
        clientId,
        type,
        actor: { type: 'user', id: uuidv7() },
        data: { i, nested: { list: [i, 'x', null] } },
        createdAt: new Date(T0.getTime() + i * 1000),
      });
      const events = [
        make(accountA, 'client.created', c1, 0),
        make(accountA, 'client.updated', c1, 1),
        make(accountA, 'key.created', c2, 2),
        make(accountA, 'client.updated', c2, 3),
        make(accountA, 'account.updated', null, 4),
        make(accountA, 'client.updated', c1, 5),
      ];
      for (const e of [...events].reverse()) await store.events.append(e);
      for (const e of events) await store.events.append({ ...e, id: uuidv7(), accountId: accountB });

      const byId = (es: DomainEvent[]): DomainEvent[] => [...es].sort((a, b) => byCodeUnits(a.id, b.id));
      const list = async (filter: { type?: string; clientId?: string }, limit: number): Promise<DomainEvent[]> =>
        (
          await allPages(
            limit,
            (afterId) => store.events.list(accountA, { limit, ...filter, ...(afterId ? { afterId } : {}) }),
            (e) => e.id,
          )
        ).rows;

      for (const limit of [1, 2, 4, 100]) {
        assert.deepEqual(await list({}, limit), byId(events), `all, limit ${limit}`);
        assert.deepEqual(await list({ type: 'client.updated' }, limit), byId(events.filter((e) => e.type === 'client.updated')));
        assert.deepEqual(await list({ clientId: c1 }, limit), byId(events.filter((e) => e.clientId === c1)));
      }
      assert.deepEqual(
        await list({ type: 'client.updated', clientId: c2 }, 10),
        events.filter((e) => e.type === 'client.updated' && e.clientId === c2),
      );
      assert.deepEqual(await list({ type: 'client' }, 10), [], 'type is an exact match');
      const rowsB = await store.events.list(accountB, { limit: 100 });
      assert.equal(rowsB.length, events.length);
      for (const e of rowsB) assert.equal(e.accountId, accountB);
    });
  });

  describe('idempotency', () => {
    const rec = (accountId: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      accountId,
      principal: 'user:1',
      key: `idem-${uuidv7()}`,
      requestHash: randomBytes(32),
      statusCode: 0,
      response: Buffer.alloc(0),
      createdAt: T1,
      ...over,
    });

    it('claim inserts once (second claim → false, first record kept); get; complete; release', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const r = rec(accountA);
      assert.equal(await store.idempotency.get(accountA, r.principal, r.key), null);
      assert.equal(await store.idempotency.claim(r), true);
      assert.deepEqual(await store.idempotency.get(accountA, r.principal, r.key), r);
      assert.equal(await store.idempotency.claim({ ...r, requestHash: randomBytes(32), createdAt: T2 }), false);
      assert.deepEqual(await store.idempotency.get(accountA, r.principal, r.key), r, 'the first claim wins');

      // The same key under another principal or account is independent.
      assert.equal(await store.idempotency.claim({ ...r, principal: 'key:ak_x' }), true);
      assert.equal(await store.idempotency.claim({ ...r, accountId: accountB }), true);
      assert.equal(await store.idempotency.get(accountA, 'user:2', r.key), null);

      const response = Buffer.from([1, 2, 3, 0, 255]);
      await store.idempotency.complete(accountA, r.principal, r.key, 201, response);
      assert.deepEqual(await store.idempotency.get(accountA, r.principal, r.key), { ...r, statusCode: 201, response });
      assert.deepEqual((await store.idempotency.get(accountB, r.principal, r.key))?.statusCode, 0, 'complete is scoped');

      await store.idempotency.release(accountA, r.principal, r.key);
      assert.equal(await store.idempotency.get(accountA, r.principal, r.key), null);
      assert.ok(await store.idempotency.get(accountA, 'key:ak_x', r.key), 'release is scoped to the principal');
      assert.ok(await store.idempotency.get(accountB, r.principal, r.key), 'release is scoped to the account');
      assert.equal(await store.idempotency.claim(r), true, 'a released key can be claimed again');
    });

    it('deleteOlderThan removes strictly older records and returns how many', async () => {
      const accountId = await newAccount(store);
      const old1 = rec(accountId, { createdAt: new Date('2001-01-01T00:00:00.000Z') });
      const old2 = rec(accountId, { createdAt: new Date('2001-06-01T00:00:00.000Z') });
      const edge = rec(accountId, { createdAt: new Date('2002-01-01T00:00:00.000Z') });
      const fresh = rec(accountId, { createdAt: T3 });
      for (const r of [old1, old2, edge, fresh]) assert.equal(await store.idempotency.claim(r), true);
      assert.equal(await store.idempotency.deleteOlderThan(new Date('2002-01-01T00:00:00.000Z')), 2);
      assert.equal(await store.idempotency.get(accountId, old1.principal, old1.key), null);
      assert.equal(await store.idempotency.get(accountId, old2.principal, old2.key), null);
      assert.ok(await store.idempotency.get(accountId, edge.principal, edge.key));
      assert.ok(await store.idempotency.get(accountId, fresh.principal, fresh.key));
      assert.equal(await store.idempotency.deleteOlderThan(new Date('2002-01-01T00:00:00.000Z')), 0);
    });
  });

  describe('serverSecrets', () => {
    it('getOrInsert: the first value wins; later calls return it', async () => {
      const name = `pepper-${uuidv7()}`;
      const first = randomBytes(32);
      const second = randomBytes(32);
      assert.deepEqual(await store.serverSecrets.getOrInsert(name, first, T0), first);
      assert.deepEqual(await store.serverSecrets.getOrInsert(name, second, T1), first);
      const other = `other-${uuidv7()}`;
      assert.deepEqual(await store.serverSecrets.getOrInsert(other, second, T1), second);
      assert.deepEqual(await store.serverSecrets.getOrInsert(name, second, T2), first);
    });
  });

  describe('signingKeys', () => {
    it('insert, listPublished (drops expired publication, newest first), retire', async () => {
      const now = new Date('2024-06-01T00:00:00.000Z');
      const past = new Date(now.getTime() - 1000);
      const future = new Date(now.getTime() + 3600_000);
      const mk = (kid: string, createdAt: Date, over: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
        kid: `${kid}-${uuidv7()}`,
        algorithm: 'EdDSA',
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: encodeBase62(randomBytes(16), 22) },
        privateKey: randomBytes(48),
        createdAt,
        retiredAt: null,
        publishUntil: null,
        ...over,
      });
      const oldest = mk('oldest', new Date('2024-01-01T00:00:00.000Z'));
      const expired = mk('expired', new Date('2024-02-01T00:00:00.000Z'), { retiredAt: T0, publishUntil: past });
      const retiring = mk('retiring', new Date('2024-03-01T00:00:00.000Z'), { retiredAt: T1, publishUntil: future });
      const newest = mk('newest', new Date('2024-05-01T00:00:00.000Z'));
      for (const k of [retiring, oldest, newest, expired]) await store.signingKeys.insert(k);

      const ours = new Set([oldest, expired, retiring, newest].map((k) => k.kid));
      const published = async (at: Date): Promise<SigningKeyRecord[]> => (await store.signingKeys.listPublished(at)).filter((k) => ours.has(k.kid));

      assert.deepEqual(await published(now), [newest, retiring, oldest]);
      assert.deepEqual(await published(new Date(now.getTime() - 60_000)), [newest, retiring, expired, oldest]);
      assert.deepEqual(await published(new Date(future.getTime() + 1)), [newest, oldest]);

      const retireAt = new Date('2024-05-31T00:00:00.000Z');
      await store.signingKeys.retire(newest.kid, retireAt, future);
      await store.signingKeys.retire(oldest.kid, retireAt, past);
      assert.deepEqual(await published(now), [{ ...newest, retiredAt: retireAt, publishUntil: future }, retiring]);
      assert.deepEqual(await published(new Date(future.getTime() + 1)), []);
    });
  });
});
