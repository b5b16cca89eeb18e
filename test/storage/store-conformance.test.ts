/**
 * Store conformance, part 1: accounts, users, clients. The same suite body runs on every
 * backend (embedded PGlite and PostgreSQL) against `createSqlStore`, holding it to the
 * guarantees documented on the `Store` port (src/core/ports.ts).
 *
 * Other parts: store-conformance-keys.test.ts (API keys, events, idempotency, server
 * secrets, signing keys) and store-conformance-transactions.test.ts (transactions and
 * PostgreSQL concurrency).
 *
 * Every test creates its own account(s), so tests sharing the per-backend database never
 * see each other's rows.
 */
import assert from 'node:assert/strict';
import { NO_SECOND_FACTOR } from '../../src/core/types.js';
import { before, describe, it } from 'node:test';
import type { ClientFilter, Store } from '../../src/core/ports.js';
import type { Account, Client, User } from '../../src/core/types.js';
import { uuidv7 } from '../../src/crypto/random.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { describeEachBackend } from '../support/databases.js';
import { allPages, byCodeUnits, makeClient, makeKey, newAccount, rejectsWithCode, T0, T1, T2 } from '../support/store-fixtures.js';

// ---------------------------------------------------------------------------------------
// Suite
// ---------------------------------------------------------------------------------------

describeEachBackend('store conformance: accounts, users, clients', ({ db }) => {
  let store: Store;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });

  it('ping resolves', async () => {
    await store.ping();
  });

  describe('accounts', () => {
    it('insert/get round-trips; unknown id → null; count follows inserts', async () => {
      const before = await store.accounts.count();
      const a: Account = { id: uuidv7(), name: 'Acme', requireTwoFactor: false, ratelimits: [], createdAt: T0, updatedAt: T1 };
      const b: Account = { id: uuidv7(), name: 'Globex ✓', requireTwoFactor: false, ratelimits: [], createdAt: T1, updatedAt: T2 };
      await store.accounts.insert(a);
      await store.accounts.insert(b);
      assert.deepEqual(await store.accounts.get(a.id), a);
      assert.deepEqual(await store.accounts.get(b.id), b);
      assert.equal(await store.accounts.get(uuidv7()), null);
      const count = await store.accounts.count();
      assert.equal(typeof count, 'number');
      assert.equal(count, before + 2);
    });
  });

  describe('users', () => {
    it('insert, findByEmail (case-insensitive), get scoped to the account', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const email = `Alice.${uuidv7()}@Example.COM`;
      const user: User = {
        id: uuidv7(),
        accountId: accountA,
        email,
        passwordHash: '$argon2id$v=19$x',
        role: 'owner',
        permissions: [],
        ...NO_SECOND_FACTOR,
        recoveryCodes: [],
        createdAt: T0,
        updatedAt: T1,
      };
      await store.users.insert(user);

      assert.deepEqual(await store.users.findByEmail(email), user);
      assert.deepEqual(await store.users.findByEmail(email.toLowerCase()), user);
      assert.deepEqual(await store.users.findByEmail(email.toUpperCase()), user);
      assert.equal(await store.users.findByEmail(`nobody.${uuidv7()}@example.com`), null);

      assert.deepEqual(await store.users.get(accountA, user.id), user);
      assert.equal(await store.users.get(accountB, user.id), null, 'a user of A must not be returned for B');
      assert.equal(await store.users.get(accountA, uuidv7()), null);
    });

    it('duplicate e-mail in another case → EMAIL_TAKEN (e-mails are global, even across accounts)', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const email = `bob.${uuidv7()}@example.com`;
      const first: User = { id: uuidv7(), accountId: accountA, email, passwordHash: 'h', role: 'owner', permissions: [], ...NO_SECOND_FACTOR, createdAt: T0, updatedAt: T0 };
      await store.users.insert(first);
      await rejectsWithCode(store.users.insert({ ...first, id: uuidv7(), email: email.toUpperCase() }), 'EMAIL_TAKEN');
      await rejectsWithCode(store.users.insert({ ...first, id: uuidv7(), accountId: accountB, email: `BOB.${email.slice(4)}` }), 'EMAIL_TAKEN');
      assert.deepEqual(await store.users.findByEmail(email), first);
    });

    it('findByEmail finds a non-ASCII e-mail by its exact spelling', async () => {
      const accountId = await newAccount(store);
      for (const local of ['ΟΔΟΣ', 'İSTANBUL']) {
        const email = `${local}.${uuidv7()}@example.com`;
        const user: User = { id: uuidv7(), accountId, email, passwordHash: 'h', role: 'owner', permissions: [], ...NO_SECOND_FACTOR, createdAt: T0, updatedAt: T0 };
        await store.users.insert(user);
        assert.deepEqual(await store.users.findByEmail(email), user, `exact spelling of ${local}`);
      }
    });
  });

  describe('clients', () => {
    it('insert/get round-trips every field (jsonb, nulls, Buffer data key, Dates)', async () => {
      const accountId = await newAccount(store);
      const full = makeClient(accountId, {
        name: 'Ünïcode Ltd ✓',
        description: 'A "quoted" description\nwith a newline',
        siret: '73282932000074',
        username: 'FullUser',
        emailAddress: 'Full@Example.com',
        firstName: 'Jeanne',
        lastName: "d'Arc",
        company: 'Orléans SA',
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
        isActive: false,
        features: { beta: true, legacy: false },
        limits: { requests: 1000, ratio: 2.5, zero: 0 },
        metadata: { nested: { list: [1, 'two', null, { three: 3 }], flag: true }, empty: {}, text: 'é✓' },
        dataKey: Buffer.from([0, 1, 2, 0xfe, 0xff, 0, 0x80]),
        createdAt: T0,
        updatedAt: T1,
      });
      const sparse = makeClient(accountId, { name: 'Sparse' });
      await store.clients.insert(full);
      await store.clients.insert(sparse);

      const gotFull = await store.clients.get(accountId, full.id);
      assert.deepEqual(gotFull, full);
      assert.ok(Buffer.isBuffer(gotFull?.dataKey), 'dataKey must come back as a Buffer');
      assert.ok(gotFull?.createdAt instanceof Date);
      assert.deepEqual(await store.clients.get(accountId, sparse.id), sparse);
      assert.equal(await store.clients.get(accountId, uuidv7()), null);
    });

    it("get/getForUpdate/findByUsername with another account's id → null", async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c = makeClient(accountA, { username: 'scoped' });
      await store.clients.insert(c);
      assert.equal(await store.clients.get(accountB, c.id), null);
      assert.equal(await store.clients.findByUsername(accountB, 'scoped'), null);
      await store.transaction(async (tx) => {
        assert.equal(await tx.clients.getForUpdate(accountB, c.id), null);
        assert.deepEqual(await tx.clients.getForUpdate(accountA, c.id), c);
      });
    });

    it('findByUsername is case-insensitive and never matches a null username', async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId, { username: 'MixedCase.User' });
      await store.clients.insert(c);
      await store.clients.insert(makeClient(accountId, { username: null }));
      assert.deepEqual(await store.clients.findByUsername(accountId, 'mixedcase.user'), c);
      assert.deepEqual(await store.clients.findByUsername(accountId, 'MIXEDCASE.USER'), c);
      assert.equal(await store.clients.findByUsername(accountId, 'mixedcase'), null);
      assert.equal(await store.clients.findByUsername(accountId, ''), null);
    });

    it('non-ASCII usernames: case-insensitive uniqueness and lookup (Latin)', async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId, { username: 'Élodie', emailAddress: 'Élodie@Example.com' });
      await store.clients.insert(c);
      assert.deepEqual(await store.clients.findByUsername(accountId, 'ÉLODIE'), c);
      assert.deepEqual(await store.clients.findByUsername(accountId, 'élodie'), c);
      assert.deepEqual(await store.clients.list(accountId, { limit: 10, emailAddress: 'élodie@example.com' }), [c]);
      await rejectsWithCode(store.clients.insert(makeClient(accountId, { username: 'éLODIE' })), 'USERNAME_TAKEN');
    });

    it('non-ASCII usernames/e-mails are found by their exact spelling (final sigma, dotted İ)', async () => {
      const accountId = await newAccount(store);
      for (const name of ['ΟΔΟΣ', 'İSTANBUL']) {
        const c = makeClient(accountId, { username: name, emailAddress: `${name}@example.com` });
        await store.clients.insert(c);
        assert.deepEqual(await store.clients.findByUsername(accountId, name), c, `findByUsername(${name})`);
        assert.deepEqual(await store.clients.list(accountId, { limit: 10, username: name }), [c], `list username ${name}`);
        assert.deepEqual(await store.clients.list(accountId, { limit: 10, emailAddress: `${name}@example.com` }), [c], `list emailAddress ${name}`);
      }
    });

    it('usernames are unique per account, case-insensitively (insert and update) → USERNAME_TAKEN', async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const first = makeClient(accountA, { username: 'Dup' });
      await store.clients.insert(first);
      const dup = makeClient(accountA, { username: 'dUP' });
      await rejectsWithCode(store.clients.insert(dup), 'USERNAME_TAKEN');
      assert.equal(await store.clients.get(accountA, dup.id), null, 'the rejected client must not exist');

      // Another account may use the same username.
      const other = makeClient(accountB, { username: 'dup' });
      await store.clients.insert(other);
      assert.deepEqual(await store.clients.findByUsername(accountB, 'DUP'), other);

      // Null usernames never conflict.
      await store.clients.insert(makeClient(accountA, { username: null }));
      await store.clients.insert(makeClient(accountA, { username: null }));

      // Update onto a taken username (other case) → USERNAME_TAKEN, row unchanged.
      const second = makeClient(accountA, { username: 'second' });
      await store.clients.insert(second);
      await rejectsWithCode(store.clients.update(accountA, second.id, { username: 'DUP' }, T1), 'USERNAME_TAKEN');
      assert.deepEqual(await store.clients.get(accountA, second.id), second);

      // Re-casing one's own username is not a conflict.
      const recased = await store.clients.update(accountA, first.id, { username: 'DUP' }, T1);
      assert.equal(recased?.username, 'DUP');

      // Releasing a username (null) frees it for another client.
      await store.clients.update(accountA, first.id, { username: null }, T2);
      const reused = await store.clients.update(accountA, second.id, { username: 'dup' }, T2);
      assert.equal(reused?.username, 'dup');
    });

    it('update returns the updated row, bumps updatedAt, touches only given keys; null clears', async () => {
      const accountId = await newAccount(store);
      const c = makeClient(accountId, {
        name: 'Before',
        description: 'desc',
        company: 'Co',
        emailAddress: 'before@example.com',
        features: { a: true },
        limits: { n: 1 },
        metadata: { keep: 'me' },
        createdAt: T0,
        updatedAt: T0,
      });
      await store.clients.insert(c);

      const updated = await store.clients.update(accountId, c.id, { name: 'After', description: null, features: { a: false, b: true }, metadata: {}, isActive: false, company: undefined }, T2);
      const expected: Client = {
        ...c,
        name: 'After',
        description: null,
        features: { a: false, b: true },
        metadata: {},
        isActive: false,
        updatedAt: T2,
      };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await store.clients.get(accountId, c.id), expected, 'the update must be persisted');

      // An empty patch only bumps updatedAt.
      const bumped = await store.clients.update(accountId, c.id, {}, T1);
      assert.deepEqual(bumped, { ...expected, updatedAt: T1 });

      // Every patchable field can be set and cleared.
      const all = {
        siret: '1',
        username: 'u',
        emailAddress: 'e@x',
        firstName: 'f',
        lastName: 'l',
        company: 'c',
        passwordHash: 'p',
        limits: { x: 9 },
      };
      const set = await store.clients.update(accountId, c.id, all, T2);
      assert.deepEqual(set, { ...expected, ...all, updatedAt: T2 });
      const nulls = { siret: null, username: null, emailAddress: null, firstName: null, lastName: null, company: null, passwordHash: null };
      const cleared = await store.clients.update(accountId, c.id, nulls, T2);
      assert.deepEqual(cleared, { ...expected, ...all, ...nulls, updatedAt: T2 });
    });

    it("update of a missing client or another account's client → null, nothing changed", async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c = makeClient(accountA);
      await store.clients.insert(c);
      assert.equal(await store.clients.update(accountB, c.id, { name: 'hijack' }, T1), null);
      assert.equal(await store.clients.update(accountA, uuidv7(), { name: 'ghost' }, T1), null);
      assert.deepEqual(await store.clients.get(accountA, c.id), c);
    });

    it("delete returns true/false, is scoped to the account and cascades to the client's API keys", async () => {
      const accountA = await newAccount(store);
      const accountB = await newAccount(store);
      const c = makeClient(accountA);
      const keep = makeClient(accountA);
      await store.clients.insert(c);
      await store.clients.insert(keep);
      const k1 = makeKey(accountA, c.id, { isPrimary: true });
      const k2 = makeKey(accountA, c.id);
      const kKeep = makeKey(accountA, keep.id);
      const kAccount = makeKey(accountA, null);
      for (const k of [k1, k2, kKeep, kAccount]) await store.apiKeys.insert(k);

      assert.equal(await store.clients.delete(accountB, c.id), false, "another account's id must not delete");
      assert.ok(await store.clients.get(accountA, c.id));

      assert.equal(await store.clients.delete(accountA, c.id), true);
      assert.equal(await store.clients.get(accountA, c.id), null);
      assert.equal(await store.apiKeys.get(k1.keyId), null);
      assert.equal(await store.apiKeys.get(k2.keyId), null);
      assert.equal(await store.apiKeys.countForOwner(accountA, c.id), 0);
      assert.ok(await store.apiKeys.get(kKeep.keyId), "another client's key must survive");
      assert.ok(await store.apiKeys.get(kAccount.keyId), 'account-level keys must survive');
      assert.ok(await store.clients.get(accountA, keep.id));

      assert.equal(await store.clients.delete(accountA, c.id), false, 'second delete finds nothing');
    });

    describe('list', () => {
      let accountA: string;
      let accountB: string;
      let clientsA: Client[];

      before(async () => {
        accountA = await newAccount(store);
        accountB = await newAccount(store);
        const specs: Partial<Client>[] = [
          { name: '100% Pure', username: 'pure', emailAddress: 'Pure@Example.com', company: null },
          { name: 'a_b', username: null, company: 'Underscore Inc' },
          { name: 'axb', username: 'AXB', company: null, isActive: false },
          { name: 'Plain', username: 'JDoe', emailAddress: 'john.doe@Example.org', company: 'ACME Corp' },
          { name: 'back\\slash', username: 'bs', company: null, isActive: false },
          { name: 'Other', username: 'other', emailAddress: 'x@percent.example', company: 'Percentage Ltd' },
          { name: 'Seventh', username: 'seventh', emailAddress: 'PURE@example.com', company: 'Acme Subsidiary' },
        ];
        clientsA = specs.map((s) => makeClient(accountA, s));
        // Insert in reverse id order so that insertion order cannot pass for id order.
        for (const c of [...clientsA].reverse()) await store.clients.insert(c);
        // Account B has rows matching every filter used below; none may leak into A's lists.
        for (const s of specs) await store.clients.insert(makeClient(accountB, s));
      });

      const idsOf = (rows: Client[]): string[] => rows.map((r) => r.id);
      const sortedIds = (rows: Client[]): string[] => rows.map((r) => r.id).sort(byCodeUnits);
      const named = (...names: string[]): string[] => sortedIds(clientsA.filter((c) => names.includes(c.name)));

      it('returns whole rows in id order, only for the account', async () => {
        const rows = await store.clients.list(accountA, { limit: 100 });
        assert.deepEqual(idsOf(rows), sortedIds(clientsA));
        for (const r of rows) assert.equal(r.accountId, accountA);
        const first = clientsA.find((c) => c.id === rows[0]!.id);
        assert.deepEqual(rows[0], first);
      });

      it('keyset pagination (afterId) yields every row exactly once, in id order, for every page size', async () => {
        for (const limit of [1, 2, 3, 7, 8]) {
          const { rows, pages } = await allPages(
            limit,
            (afterId) => store.clients.list(accountA, { limit, ...(afterId ? { afterId } : {}) }),
            (c) => c.id,
          );
          assert.deepEqual(idsOf(rows), sortedIds(clientsA), `limit ${limit}`);
          assert.equal(new Set(idsOf(rows)).size, rows.length, `duplicates with limit ${limit}`);
          assert.equal(pages, Math.floor(clientsA.length / limit) + 1, `page count with limit ${limit}`);
        }
        const last = sortedIds(clientsA).at(-1)!;
        assert.deepEqual(await store.clients.list(accountA, { limit: 10, afterId: last }), []);
      });

      it('q matches a case-insensitive substring of name, username, emailAddress or company', async () => {
        const q = async (text: string): Promise<string[]> => idsOf(await store.clients.list(accountA, { limit: 100, q: text }));
        assert.deepEqual(await q('PLAIN'), named('Plain'), 'name');
        assert.deepEqual(await q('jdo'), named('Plain'), 'username');
        assert.deepEqual(await q('EXAMPLE.ORG'), named('Plain'), 'emailAddress');
        assert.deepEqual(await q('acme'), named('Plain', 'Seventh'), 'company');
        assert.deepEqual(await q('pure'), named('100% Pure', 'Seventh'), 'name, username or e-mail');
        assert.deepEqual(await q('no-such-text'), []);
      });

      it('q treats %, _ and \\ literally', async () => {
        const q = async (text: string): Promise<string[]> => idsOf(await store.clients.list(accountA, { limit: 100, q: text }));
        // '%' appears only in the name '100% Pure' ('percent'/'Percentage' must not match).
        assert.deepEqual(await q('%'), named('100% Pure'));
        assert.deepEqual(await q('0% p'), named('100% Pure'));
        // '_' appears only in 'a_b'; as a wildcard it would also match 'axb'.
        assert.deepEqual(await q('a_b'), named('a_b'));
        assert.deepEqual(await q('_'), named('a_b'));
        assert.deepEqual(await q('\\'), named('back\\slash'));
        assert.deepEqual(await q('%%'), []);
      });

      it('filters by username and emailAddress (exact, case-insensitive) and isActive', async () => {
        const list = async (f: Omit<ClientFilter, 'limit'>): Promise<string[]> => idsOf(await store.clients.list(accountA, { limit: 100, ...f }));
        assert.deepEqual(await list({ username: 'jdoe' }), named('Plain'));
        assert.deepEqual(await list({ username: 'JDO' }), [], 'username is an exact match');
        assert.deepEqual(await list({ emailAddress: 'pure@example.COM' }), named('100% Pure', 'Seventh'));
        assert.deepEqual(await list({ emailAddress: 'pure@example' }), []);
        assert.deepEqual(await list({ isActive: false }), named('axb', 'back\\slash'));
        assert.deepEqual(await list({ isActive: true }), sortedIds(clientsA.filter((c) => c.isActive)));
        assert.deepEqual(await list({ isActive: false, q: 'AX' }), named('axb'), 'filters combine');
        assert.deepEqual(await list({ isActive: true, q: 'axb' }), []);
      });

      it('filters combine with keyset pagination', async () => {
        const expected = sortedIds(clientsA.filter((c) => c.isActive));
        const { rows } = await allPages(
          2,
          (afterId) => store.clients.list(accountA, { limit: 2, isActive: true, ...(afterId ? { afterId } : {}) }),
          (c) => c.id,
        );
        assert.deepEqual(idsOf(rows), expected);
      });

      it("never returns another account's rows", async () => {
        const rowsB = await store.clients.list(accountB, { limit: 100 });
        assert.equal(rowsB.length, clientsA.length);
        const idsA = new Set(idsOf(clientsA));
        for (const r of rowsB) {
          assert.equal(r.accountId, accountB);
          assert.ok(!idsA.has(r.id));
        }
        const fresh = await newAccount(store);
        assert.deepEqual(await store.clients.list(fresh, { limit: 100 }), []);
        assert.deepEqual(await store.clients.list(fresh, { limit: 100, q: 'pure' }), []);
      });
    });

    describe('listPage (numbered pages with the exact total)', () => {
      it('pages through the account in id order; total counts only its clients, however they were written', async () => {
        const accountA = await newAccount(store);
        const accountB = await newAccount(store);
        assert.deepEqual(await store.clients.listPage(accountA, 0, 20), { rows: [], total: 0 });
        const made = Array.from({ length: 7 }, (_, i) => makeClient(accountA, { name: `c${i}` }));
        for (const c of [...made].reverse()) await store.clients.insert(c);
        // Several rows in one statement (as the seed generator writes them), in both accounts.
        const more = [makeClient(accountA, { name: 'bulk1' }), makeClient(accountA, { name: 'bulk2' }), makeClient(accountB, { name: 'b' })];
        await db().pool.query(
          `INSERT INTO clients (id, account_id, name, data_key, created_at, updated_at)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::timestamptz[], $5::timestamptz[])`,
          [more.map((c) => c.id), more.map((c) => c.accountId), more.map((c) => c.name), more.map((c) => c.dataKey), more.map(() => T0)],
        );
        const ids = [...made, ...more.slice(0, 2)].map((c) => c.id).sort(byCodeUnits);
        const pages = [];
        for (let offset = 0; offset < 12; offset += 4) pages.push(await store.clients.listPage(accountA, offset, 4));
        assert.deepEqual(
          pages.map((p) => p.total),
          [9, 9, 9],
        );
        assert.deepEqual(
          pages.flatMap((p) => p.rows.map((r) => r.id)),
          ids,
        );
        assert.equal(pages[0]!.rows[0]!.accountId, accountA);
        assert.deepEqual(await store.clients.listPage(accountA, 100, 4), { rows: [], total: 9 }, 'past the end: no rows, same total');
        assert.equal((await store.clients.listPage(accountB, 0, 4)).total, 1);

        assert.equal(await store.clients.delete(accountA, ids[0]!), true);
        await db().pool.query('DELETE FROM clients WHERE id = ANY($1::uuid[])', [[ids[1], ids[2]]]);
        const after = await store.clients.listPage(accountA, 0, 100);
        assert.equal(after.total, 6);
        assert.deepEqual(
          after.rows.map((r) => r.id),
          ids.slice(3),
        );
        assert.equal((await store.clients.listPage(accountB, 0, 4)).total, 1, "another account's count is untouched");
      });

      it('deep pages (page anchors) match a plain OFFSET through inserts, deletes and another instance', async () => {
        const accountId = await newAccount(store);
        const other = createSqlStore(db().db, { pool: db().pool }); // a second instance: its own anchors
        const insert = (ids: string[]) =>
          db().pool.query(
            `INSERT INTO clients (id, account_id, name, data_key, created_at, updated_at)
             SELECT id, $2::uuid, 'bulk', '\\x00'::bytea, now(), now() FROM unnest($1::uuid[]) AS t(id)`,
            [ids, accountId],
          );
        const reference = async (offset: number, limit: number) =>
          (await db().pool.query<{ id: string }>('SELECT id FROM clients WHERE account_id = $1 ORDER BY id OFFSET $2 LIMIT $3', [accountId, offset, limit])).rows.map((r) => r.id);
        const check = async (label: string, offsets: number[]) => {
          const total = (await reference(0, 1_000_000)).length;
          for (const s of [store, other]) {
            for (const offset of offsets) {
              const page = await s.clients.listPage(accountId, offset, 7);
              assert.equal(page.total, total, `${label}: total`);
              assert.deepEqual(
                page.rows.map((r) => r.id),
                await reference(offset, 7),
                `${label}: offset ${offset}`,
              );
            }
          }
        };
        await insert(Array.from({ length: 3500 }, () => uuidv7()));
        const offsets = [0, 993, 999, 1000, 1001, 1999, 2000, 2500, 2999, 3000, 3493, 3499, 3500, 4000];
        await check('after the first load', offsets);

        // Deletes shift every later position (both instances must notice).
        const ordered = await reference(0, 10_000);
        assert.equal(await store.clients.delete(accountId, ordered[10]!), true);
        await db().pool.query('DELETE FROM clients WHERE id = ANY($1::uuid[])', [[ordered[1500], ordered[2600]]]);
        await check('after deletes', offsets);

        // New clients sort last (UUIDv7): the anchors stay, the tail is anchored on demand.
        await insert(Array.from({ length: 1200 }, () => uuidv7()));
        await check('after appending', [...offsets, 4500, 4690, 4696, 4697, 5000]);

        // A client that sorts first shifts everything.
        await insert(['00000000-0000-7000-8000-000000000001']);
        await check('after an insert that sorts first', [...offsets, 4698, 4699]);
      });

      it('a failed insert does not count; deleting the account with its clients works', async () => {
        const accountA = await newAccount(store);
        const c = makeClient(accountA, { username: 'taken' });
        await store.clients.insert(c);
        await rejectsWithCode(store.clients.insert(makeClient(accountA, { username: 'TAKEN' })), 'USERNAME_TAKEN');
        assert.equal((await store.clients.listPage(accountA, 0, 10)).total, 1);
        await db().pool.query('DELETE FROM accounts WHERE id = $1', [accountA]);
        assert.deepEqual(await store.clients.listPage(accountA, 0, 10), { rows: [], total: 0 });
      });
    });
  });
});
