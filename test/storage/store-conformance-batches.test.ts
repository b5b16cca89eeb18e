/**
 * Store conformance, part 5: the batch writes of a batch create — many clients, many events
 * and their webhook deliveries, many idempotency records — on every backend, and (PostgreSQL
 * only) concurrent batches sharing usernames and keys. Each batch method must write exactly
 * what the one-row method writes, row by row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IdempotencyRecord, Store } from '../../src/core/ports.js';
import type { Client, DomainEvent } from '../../src/core/types.js';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { makeClient, makeEndpoint, newAccount, rejectsWithCode, T0, T1, T2 } from '../support/store-fixtures.js';

function makeEvent(accountId: string, clientId: string | null, type: string, i = 0): DomainEvent {
  return { id: uuidv7(), accountId, clientId, type, actor: { type: 'key', id: `ck_${i}` }, data: { i, text: 'é "quoted" \\ {braces}', list: [1, null] }, createdAt: new Date(T0.getTime() + i) };
}

/** The deliveries of an account as (endpoint, event) pairs, sorted. */
async function deliveries(database: Database, accountId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('webhook_deliveries')
    .select(['endpoint_id', 'event_id', 'event_type', 'client_id', 'status', 'next_attempt_at'])
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((r) => `${r.endpoint_id} ${r.event_id} ${r.event_type} ${r.client_id} ${r.status} ${r.next_attempt_at.toISOString()}`).sort();
}

describeEachBackend('store conformance: batch writes', ({ backend, db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  describe('clients.insertMany', () => {
    it('round-trips every field of every client, like insert; returns the ids in input order; nothing for an empty list', async () => {
      const accountId = await newAccount(store);
      const full = makeClient(accountId, {
        name: 'Ünïcode Ltd ✓',
        description: 'A "quoted" description\nwith a newline, a \\ and {braces}',
        siret: '73282932000074',
        username: 'FullUser',
        emailAddress: 'Full@Example.com',
        firstName: 'Jeanne',
        lastName: "d'Arc",
        company: 'Orléans SA',
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
        isActive: false,
        features: { beta: true, legacy: false },
        limits: { requests: 1000, zero: 0, unlimited: -1 },
        metadata: { nested: { list: [1, 'two', null, { three: 3 }], flag: true }, empty: {}, text: 'é✓' },
        ratelimits: [{ name: 'calls', limit: 10, duration: 60_000, autoApply: true }],
        dataKey: Buffer.from([0, 1, 2, 0xfe, 0xff, 0, 0x80]),
        createdAt: T1,
        updatedAt: T2,
      });
      const sparse = makeClient(accountId, { name: 'Sparse' });
      const named = makeClient(accountId, { name: 'Named', username: 'aaa' });
      assert.deepEqual(await store.clients.insertMany([]), []);
      assert.deepEqual(await store.clients.insertMany([full, sparse, named]), [full.id, sparse.id, named.id]);
      for (const c of [full, sparse, named]) assert.deepEqual(await store.clients.get(accountId, c.id), c);
      const got = await store.clients.get(accountId, full.id);
      assert.ok(Buffer.isBuffer(got?.dataKey) && got.createdAt instanceof Date);
    });

    it('skips (does not fail on) usernames taken in the account, any case, or by an earlier client of the call; null usernames never conflict', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const existing = makeClient(accountA, { username: 'Taken' });
      await store.clients.insert(existing);
      const batch = [
        makeClient(accountA, { username: 'zed' }),
        makeClient(accountA, { username: 'TAKEN' }), // taken by an existing client
        makeClient(accountA, { username: null }),
        makeClient(accountA, { username: 'Twice' }),
        makeClient(accountA, { username: null }),
        makeClient(accountA, { username: 'twICE' }), // an earlier client of the call has it
        makeClient(accountB, { username: 'taken' }), // another account: free
        makeClient(accountA, { username: 'Élodie' }),
        makeClient(accountA, { username: 'éLODIE' }),
      ];
      const ids = await store.clients.insertMany(batch);
      assert.deepEqual(
        ids,
        [0, 2, 3, 4, 6, 7].map((i) => batch[i]!.id),
      );
      for (const i of [1, 5, 8]) assert.equal(await store.clients.get(accountA, batch[i]!.id), null, `client ${i} was not written`);
      assert.deepEqual(await store.clients.findByUsername(accountA, 'taken'), existing);
      assert.equal((await store.clients.findByUsername(accountA, 'TWICE'))?.id, batch[3]!.id, 'the first of two equal usernames wins');
      assert.equal((await store.clients.findByUsername(accountB, 'TAKEN'))?.id, batch[6]!.id);
      // insert still refuses what insertMany skips.
      await rejectsWithCode(store.clients.insert(makeClient(accountA, { username: 'ZED' })), 'USERNAME_TAKEN');
    });

    it('counts every row it writes (one statement) and none it skips; a rolled-back call counts nothing', async () => {
      const accountId = await newAccount(store);
      await store.clients.insert(makeClient(accountId, { username: 'one' }));
      await store.clients.insertMany([makeClient(accountId), makeClient(accountId, { username: 'ONE' }), makeClient(accountId, { username: 'two' })]);
      assert.equal((await store.clients.listPage(accountId, 0, 10)).total, 3);
      const boom = new Error('rolled back');
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal((await tx.clients.insertMany([makeClient(accountId), makeClient(accountId)])).length, 2);
          throw boom;
        }),
        (err: unknown) => err === boom,
      );
      assert.equal((await store.clients.listPage(accountId, 0, 10)).total, 3);
      assert.equal((await store.clients.list(accountId, { limit: 10 })).length, 3);
    });

    it('writes a thousand clients in one call', async () => {
      const accountId = await newAccount(store);
      const many = Array.from({ length: 1000 }, (_, i) => makeClient(accountId, { name: `n${i}`, username: `user-${i}`, metadata: { i } }));
      assert.equal((await store.clients.insertMany(many)).length, 1000);
      assert.equal((await store.clients.listPage(accountId, 0, 1)).total, 1000);
      assert.deepEqual(await store.clients.findByUsername(accountId, 'USER-999'), many[999]);
    });
  });

  describe('events.appendMany and webhooks.enqueueForEvents', () => {
    it('appendMany round-trips every event like append', async () => {
      const accountId = await newAccount(store);
      const clientId = uuidv7();
      const events = [makeEvent(accountId, clientId, 'client.created', 1), makeEvent(accountId, null, 'account.updated', 2), makeEvent(accountId, clientId, 'client.updated', 3)];
      await store.events.appendMany([]);
      await store.events.appendMany(events);
      for (const e of events) assert.deepEqual(await store.events.get(accountId, e.id), e);
      assert.deepEqual(await store.events.list(accountId, { limit: 10 }), events);
    });

    it('enqueueForEvents adds exactly the deliveries enqueueForEvent adds event by event', async () => {
      const accounts = [await newAccount(store), await newAccount(store)];
      const setUp = async (accountId: string) => {
        const c1 = makeClient(accountId);
        const c2 = makeClient(accountId);
        await store.clients.insertMany([c1, c2]);
        const endpoints = [
          makeEndpoint(accountId), // everything
          makeEndpoint(accountId, { events: ['client.*'] }),
          makeEndpoint(accountId, { events: ['client.updated'] }),
          makeEndpoint(accountId, { clientId: c1.id }), // only c1's events
          makeEndpoint(accountId, { enabled: false }), // disabled: nothing
        ];
        for (const e of endpoints) await store.webhooks.insertEndpoint(e);
        return [c1, c2] as const;
      };
      const [one, many] = accounts as [string, string];
      const [a1, a2] = await setUp(one);
      const [b1, b2] = await setUp(many);
      const eventsOf = (accountId: string, c1: Client, c2: Client) => [
        makeEvent(accountId, c1.id, 'client.created', 1),
        makeEvent(accountId, c2.id, 'client.created', 2),
        makeEvent(accountId, c2.id, 'client.updated', 3),
        makeEvent(accountId, null, 'account.updated', 4),
        makeEvent(accountId, c1.id, 'key.created', 5),
      ];
      const single = eventsOf(one, a1, a2);
      const batch = eventsOf(many, b1, b2);
      let added = 0;
      for (const e of single) added += await store.webhooks.enqueueForEvent(e);
      assert.equal(await store.webhooks.enqueueForEvents([]), 0);
      assert.equal(await store.webhooks.enqueueForEvents(batch), added);
      // c1 created: every event, client.*, c1 only; c2 created: every event, client.*; c2 updated: those and client.updated;
      // the account's: every event; c1's key: every event, c1 only. Never the disabled one.
      assert.equal(added, 3 + 2 + 3 + 1 + 2);
      const normalise = (rows: string[], events: DomainEvent[], c1: Client, c2: Client, endpointsOf: string[]) =>
        rows
          .map((r) => {
            let out = r.replace(c1.id, 'c1').replace(c2.id, 'c2');
            for (const [i, e] of events.entries()) out = out.replace(e.id, `event${i}`);
            for (const [i, id] of endpointsOf.entries()) out = out.replace(id, `endpoint${i}`);
            return out;
          })
          .sort();
      const endpointIds = async (accountId: string) => (await store.webhooks.listEndpoints(accountId, { limit: 10 })).map((e) => e.id);
      assert.deepEqual(normalise(await deliveries(db(), many), batch, b1, b2, await endpointIds(many)), normalise(await deliveries(db(), one), single, a1, a2, await endpointIds(one)));
    });
  });

  describe('idempotency: getMany, claimMany, releaseMany', () => {
    const rec = (accountId: string, key: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      accountId,
      principal: 'key:ck_1',
      key,
      requestHash: randomBytes(32),
      statusCode: 0,
      response: Buffer.alloc(0),
      createdAt: T1,
      ...over,
    });

    it('claims each key once with its record as given (existing ones are left as they are and not returned), reads and releases them, scoped to the caller', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const existing = rec(accountA, 'k-2', { statusCode: 201, response: Buffer.from('first') });
      assert.equal(await store.idempotency.claim(existing), true);
      // Complete records (a batch records each created item's response at once) and running ones alike.
      const batch = ['k-3', 'k-1', 'k-2', 'k-0'].map((k, i) => rec(accountA, k, i % 2 ? {} : { statusCode: 201, response: Buffer.from([0, i, 255]) }));
      assert.deepEqual(await store.idempotency.claimMany([]), []);
      assert.deepEqual((await store.idempotency.claimMany(batch)).sort(), ['k-0', 'k-1', 'k-3']);
      assert.deepEqual(await store.idempotency.get(accountA, existing.principal, 'k-2'), existing, 'an existing record is kept');
      assert.deepEqual(await store.idempotency.get(accountA, existing.principal, 'k-3'), batch[0]);
      // Another caller or account: independent keys.
      assert.deepEqual(await store.idempotency.claimMany([rec(accountA, 'k-1', { principal: 'user:2' }), rec(accountB, 'k-1')]), ['k-1', 'k-1']);

      const byKey = (rs: IdempotencyRecord[]) => [...rs].sort((a, b) => (a.key < b.key ? -1 : 1));
      assert.deepEqual(await store.idempotency.getMany(accountA, existing.principal, []), []);
      assert.deepEqual(byKey(await store.idempotency.getMany(accountA, existing.principal, ['k-0', 'k-2', 'k-9'])), [batch[3], existing]);

      await store.idempotency.releaseMany(accountA, existing.principal, []);
      await store.idempotency.releaseMany(accountA, existing.principal, ['k-0', 'k-3']);
      assert.deepEqual(
        byKey(await store.idempotency.getMany(accountA, existing.principal, ['k-0', 'k-1', 'k-2', 'k-3'])).map((r) => r.key),
        ['k-1', 'k-2'],
      );
      assert.ok(await store.idempotency.get(accountB, existing.principal, 'k-1'), 'releaseMany is scoped to the account');
      assert.deepEqual(await store.idempotency.claimMany([rec(accountA, 'k-0')]), ['k-0'], 'a released key can be claimed again');
    });
  });

  if (backend === 'postgres') {
    describe('concurrent batches (two independent pools)', () => {
      let second: Database;
      let storeB: Store;
      before(async () => {
        second = await openDatabase({ databaseUrl: db().url! });
        storeB = createSqlStore(second.db, { pool: second.pool });
      });
      after(async () => {
        await second?.close();
      });

      it('sharing usernames in opposite orders: no deadlock, each username written once', { timeout: 30_000 }, async () => {
        for (let round = 0; round < 5; round++) {
          const accountId = await newAccount(store);
          const names = Array.from({ length: 200 }, (_, i) => `u${round}-${i}`);
          const forward = names.map((username) => makeClient(accountId, { username }));
          const backward = [...names].reverse().map((username) => makeClient(accountId, { username: username.toUpperCase() }));
          const [a, b] = await Promise.all([store.transaction((tx) => tx.clients.insertMany(forward)), storeB.transaction((tx) => tx.clients.insertMany(backward))]);
          assert.equal(a.length + b.length, names.length, `round ${round}: each username once`);
          assert.equal((await store.clients.listPage(accountId, 0, 1)).total, names.length);
        }
      });

      it('sharing idempotency keys in opposite orders: no deadlock, each key claimed once', { timeout: 30_000 }, async () => {
        for (let round = 0; round < 5; round++) {
          const accountId = await newAccount(store);
          const keys = Array.from({ length: 200 }, (_, i) => `r${round}-${i}`);
          const r = (key: string): IdempotencyRecord => ({ accountId, principal: 'key:ck_1', key, requestHash: randomBytes(32), statusCode: 0, response: Buffer.alloc(0), createdAt: T0 });
          const [a, b] = await Promise.all([
            store.transaction((tx) => tx.idempotency.claimMany(keys.map(r), { waitMs: 10_000 })),
            storeB.transaction((tx) => tx.idempotency.claimMany([...keys].reverse().map(r), { waitMs: 10_000 })),
          ]);
          assert.equal(a.length + b.length, keys.length, `round ${round}: each key once`);
          assert.deepEqual([...a, ...b].sort(), [...keys].sort());
        }
      });
    });
  }
});
