/**
 * Native `POST /v1/clients/batch`: many clients in one transaction, each item answered on its
 * own exactly as a single `POST /v1/clients` of it would be (same checks, same problem, its
 * field named), with the same side effects per created client (one `client.created` event,
 * its webhook deliveries, the account's client count); idempotent by the Idempotency-Key
 * header (the whole answer) and by per-item keys (shared with single creates); all or nothing
 * when the transaction fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { useTestApp, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertFullProblem, assertProblem, call, countRows, issueKey, JSON_TYPE, type Headers, type Res } from '../support/http.js';

const BCRYPT = `$2b$10$${'N9qo8uLOickgx2ZMRZoMye'.padEnd(53, 'a')}`;

for (const backend of testBackends()) {
  describe(`native batch create [${backend}]`, () => {
    let t: TestApp;

    useTestApp(backend, (s) => ({ t } = s));

    const batch = (body: unknown, headers: Headers) => call(t, 'POST', '/v1/clients/batch', headers, body);
    const fresh = async () => {
      const a = await t.newAccount();
      return { a, headers: a.headers };
    };
    const clientCount = async (accountId: string) => Number((await t.database.db.selectFrom('client_counts').select('clients').where('account_id', '=', accountId).executeTakeFirst())?.clients ?? 0);
    const createdEvents = (accountId: string) =>
      t.database.db.selectFrom('events').select(['client_id', 'actor', 'data']).where('account_id', '=', accountId).where('type', '=', 'client.created').orderBy('id').execute();
    /** The answer of a single create, minus what only a request line has. */
    const single = async (headers: Headers, body: unknown) => {
      const res = await call(t, 'POST', '/v1/clients', { ...headers, 'content-type': 'application/json' }, JSON.stringify(body));
      const { instance: _instance, ...problem } = res.body;
      return { status: res.status, problem };
    };

    it('mixed valid and invalid items: each answered on its own, in order, as a single create would; the valid ones created', async () => {
      const { a, headers } = await fresh();
      const existing = await call(t, 'POST', '/v1/clients', headers, { name: 'Existing', username: 'Taken' });
      assert.equal(existing.status, 201);
      const items = [
        { name: 'Alpha', username: 'alpha', emailAddress: 'alpha@x.test', limits: { calls: 10 } }, // 0 ok
        { name: 'Bad siret', siret: '123' }, // 1 schema
        { name: 'Bad e-mail', emailAddress: 'not-an-email' }, // 2 schema
        {}, // 3 core: no name
        { name: 'Taken', username: 'TAKEN' }, // 4 username of another client
        { company: 'Beta SA', bogus: 1 }, // 5 unknown field
        { firstName: 'Ada', lastName: 'Lovelace', password: 'correct horse battery' }, // 6 ok, derived name, hashed password
        'not an object', // 7
        { name: 'Limits', limits: { calls: 1.5 } }, // 8 schema: integer
        { name: 'Nul \u0000 byte' }, // 9 not storable
        { username: 'gamma', passwordHash: BCRYPT, isActive: false, metadata: { tier: 'gold' } }, // 10 ok
        {
          name: 'Dup rate limits',
          ratelimits: [
            { name: 'r', limit: 1, duration: 1000 },
            { name: 'r', limit: 2, duration: 1000 },
          ],
        }, // 11 core: ratelimits
      ];
      const res = await batch({ items }, headers);
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['idempotent-replayed'], undefined);
      const results = res.body.results as any[];
      assert.deepEqual(
        results.map((r) => [r.index, r.status]),
        [
          [0, 201],
          [1, 400],
          [2, 400],
          [3, 400],
          [4, 409],
          [5, 400],
          [6, 201],
          [7, 400],
          [8, 400],
          [9, 400],
          [10, 201],
          [11, 400],
        ],
      );
      // The created clients are what a GET answers, with every field given.
      for (const i of [0, 6, 10]) {
        assert.equal(results[i].error, undefined);
        assert.deepEqual((await call(t, 'GET', `/v1/clients/${results[i].client.id}`, headers)).body, results[i].client);
      }
      assert.deepEqual([results[0].client.username, results[0].client.limits], ['alpha', { calls: 10 }]);
      assert.deepEqual([results[6].client.name, results[6].client.hasPassword], ['Ada Lovelace', true]);
      assert.deepEqual([results[10].client.name, results[10].client.isActive, results[10].client.hasPassword, results[10].client.metadata], ['gamma', false, true, { tier: 'gold' }]);
      const stored = await t.database.db.selectFrom('clients').select(['username', 'password_hash']).where('account_id', '=', a.accountId).execute();
      assert.match(stored.find((c) => c.username === null && c.password_hash)!.password_hash!, /^\$argon2id\$/, 'a password is hashed with argon2id');
      assert.equal(stored.find((c) => c.username === 'gamma')!.password_hash, BCRYPT, 'a bcrypt hash is imported as it is');
      assert.doesNotMatch(res.raw, /correct horse|\$2b\$|\$argon2|passwordHash|"password"/, 'no password or hash in the answer');

      // Each error is the problem a single create of that item answers (its field named, too).
      for (const i of [1, 2, 3, 4, 5, 7, 8, 9, 11]) {
        const alone = await single(headers, items[i]);
        assert.equal(results[i].status, alone.status, `item ${i}`);
        assert.equal(results[i].client, undefined);
        const { errors, ...rest } = results[i].error;
        const { errors: aloneErrors, ...aloneRest } = alone.problem;
        assert.deepEqual(rest, aloneRest, `item ${i}: the problem of a single create`);
        if (aloneErrors) assert.deepEqual(errors, aloneErrors, `item ${i}: the same field errors`);
        assert.ok(errors?.length > 0 && errors.every((e: any) => typeof e.field === 'string' && e.field.startsWith('body')), `item ${i} names its field: ${JSON.stringify(errors)}`);
      }
      assert.equal(results[1].error.errors[0].field, 'body.siret');
      assert.equal(results[2].error.errors[0].field, 'body.emailAddress');
      assert.equal(results[3].error.errors[0].field, 'body.name');
      assert.deepEqual(results[4].error.errors, [{ field: 'body.username', message: 'is already used by another client', rule: 'unique' }]);
      assert.equal(results[5].error.errors[0].field, 'body.bogus');
      assert.equal(results[9].error.errors[0].field, 'body.name');
      assert.equal(results[11].error.errors[0].field.startsWith('body.ratelimits'), true);
      assert.equal(await countRows(t, 'clients', a.accountId), 4, 'the existing client and the three valid items');
    });

    it('duplicate usernames inside one batch (any case): the first is created, each later one answered USERNAME_TAKEN naming the first', async () => {
      const { a, headers } = await fresh();
      const res = await batch(
        { items: [{ username: 'dup' }, { username: 'other' }, { username: 'DUP' }, { username: 'Dup', name: 'third' }, { username: null, name: 'x' }, { username: null, name: 'y' }] },
        headers,
      );
      assert.equal(res.status, 200, res.raw);
      const results = res.body.results as any[];
      assert.deepEqual(
        results.map((r) => r.status),
        [201, 201, 409, 409, 201, 201],
      );
      for (const i of [2, 3]) {
        assert.equal(results[i].error.code, 'USERNAME_TAKEN');
        assert.equal(results[i].error.detail, 'The username is already used by item 0 of this batch');
        assert.deepEqual(results[i].error.errors, [{ field: 'body.username', message: 'is already used by item 0 of this batch', rule: 'unique' }]);
      }
      assert.equal(results[0].client.username, 'dup');
      assert.equal(await countRows(t, 'clients', a.accountId), 4);
      assert.equal(await clientCount(a.accountId), 4);
    });

    it('the same side effects per created client as a single create: one client.created event each (same data, same actor), its webhook deliveries, the client count', async () => {
      const { a, headers } = await fresh();
      // An endpoint for every event, one for client.* and one for another type (stored directly: no dispatcher runs here).
      const endpoint = (events: string[] | null) => ({
        id: uuidv7(),
        accountId: a.accountId,
        url: 'https://hooks.example.com/batch',
        events,
        clientId: null,
        format: 'native' as const,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      for (const e of [endpoint(null), endpoint(['client.*']), endpoint(['key.created'])]) await t.services.ctx.store.webhooks.insertEndpoint(e);
      const one = await call(t, 'POST', '/v1/clients', headers, { name: 'Single', username: 'single', metadata: { n: 1 } });
      assert.equal(one.status, 201);
      const before = { events: (await createdEvents(a.accountId)).length, count: await clientCount(a.accountId) };
      assert.deepEqual(before, { events: 1, count: 1 });

      const items = Array.from({ length: 30 }, (_, i) => ({ name: `Batch ${i}`, username: i === 7 ? 'SINGLE' : `b-${i}`, metadata: { n: i } }));
      const res = await batch({ items }, headers);
      assert.equal(res.status, 200, res.raw);
      const created = (res.body.results as any[]).filter((r) => r.status === 201).map((r) => r.client);
      assert.equal(created.length, 29, 'one item had a taken username');

      const events = await createdEvents(a.accountId);
      assert.equal(events.length, 1 + 29, 'one event per created client, none for the refused one');
      const singleEvent = events[0]!;
      const batchEvents = events.slice(1);
      assert.deepEqual(
        batchEvents.map((e) => e.client_id),
        created.map((c) => c.id),
        'in the order of the items',
      );
      assert.deepEqual(
        batchEvents.map((e) => e.actor),
        batchEvents.map(() => singleEvent.actor),
        'the same actor as a single create',
      );
      for (const [i, e] of batchEvents.entries()) {
        const { hasPassword: _h, ratelimits: _r, createdAt: _c, updatedAt: _u, ...snapshot } = created[i];
        assert.deepEqual(e.data, { client: snapshot }, 'the same event data as a single create');
      }
      assert.deepEqual(Object.keys(batchEvents[0]!.data.client as object).sort(), Object.keys(singleEvent.data.client as object).sort());

      const deliveries = await t.database.db.selectFrom('webhook_deliveries').select(['event_type', 'client_id']).where('account_id', '=', a.accountId).execute();
      assert.equal(deliveries.length, 2 * 30, 'two matching endpoints per event (the key.created one matches none)');
      for (const c of created) assert.equal(deliveries.filter((d) => d.client_id === c.id).length, 2);
      assert.equal(await clientCount(a.accountId), 30);
      assert.equal((await t.services.ctx.store.clients.listPage(a.accountId, 0, 1)).total, 30, 'the total numbered pages show');
    });

    it('the Idempotency-Key header: a retry replays the whole answer (no second client, event or delivery); another body with the key is refused', async () => {
      const { a, headers } = await fresh();
      const keyed = { ...headers, 'idempotency-key': `batch-${randomBytes(6).toString('hex')}` };
      const body = { items: [{ name: 'One', username: 'one' }, { name: 'Two', password: 'a long password' }, { name: 'One again', username: 'ONE' }, { siret: 'x' }] };
      const first = await batch(body, keyed);
      assert.equal(first.status, 200, first.raw);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const again = await batch(body, keyed);
      assert.equal(again.status, 200);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.body, first.body, 'the same answer, item errors included');
      assert.equal(await countRows(t, 'clients', a.accountId), 2);
      assert.equal((await createdEvents(a.accountId)).length, 2);
      assert.equal(await clientCount(a.accountId), 2);
      assertFullProblem(await batch({ items: [{ name: 'Other' }] }, keyed), 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await countRows(t, 'clients', a.accountId), 2);
      // The stored answer is sealed: no client field in clear in the database.
      const stored = await t.database.db.selectFrom('idempotency_records').select('response').where('account_id', '=', a.accountId).execute();
      assert.equal(stored.length, 1);
      assert.ok(!stored[0]!.response.toString('latin1').includes('One again'));
    });

    it('per-item Idempotency-Keys: created once per key, replayed after (by a batch or a single create alike), refused with another body; a refused item keeps no claim', async () => {
      const { a, headers } = await fresh();
      const items = [{ name: 'K1', username: 'k1' }, { name: 'Free' }, { name: 'K3' }, { name: 'Bad', siret: '1' }, { name: 'Taken', username: 'K1' }];
      const keys = ['item-1', null, 'item-3', 'item-4', 'item-5'];
      const first = await batch({ items, idempotencyKeys: keys }, headers);
      assert.equal(first.status, 200, first.raw);
      assert.deepEqual(
        first.body.results.map((r: any) => [r.status, r.replayed ?? false]),
        [
          [201, false],
          [201, false],
          [201, false],
          [400, false],
          [409, false],
        ],
      );
      // Again, fixed items included: keyed items that were created replay; the rest run.
      const fixed = [items[0], items[1], items[2], { name: 'Bad', siret: '12345678901234' }, { name: 'Taken', username: 'k5' }];
      const second = await batch({ items: fixed, idempotencyKeys: keys }, headers);
      assert.deepEqual(
        second.body.results.map((r: any) => [r.status, r.replayed ?? false]),
        [
          [201, true],
          [201, false],
          [201, true],
          [201, false],
          [201, false],
        ],
      );
      assert.deepEqual(second.body.results[0].client, first.body.results[0].client);
      assert.deepEqual(second.body.results[2].client, first.body.results[2].client);
      assert.notEqual(second.body.results[1].client.id, first.body.results[1].client.id, 'an item without a key is created again');
      assert.equal(await countRows(t, 'clients', a.accountId), 6);
      assert.equal((await createdEvents(a.accountId)).length, 6);

      // A single create with an item's key replays it; a batch item replays a single create's.
      const alone = await call(t, 'POST', '/v1/clients', { ...headers, 'idempotency-key': 'item-3' }, { name: 'K3' });
      assert.equal(alone.status, 201);
      assert.equal(alone.headers['idempotent-replayed'], 'true');
      assert.deepEqual(alone.body, first.body.results[2].client);
      const made = await call(t, 'POST', '/v1/clients', { ...headers, 'idempotency-key': 'single-1' }, { name: 'Made alone' });
      const viaBatch = await batch({ items: [{ name: 'Made alone' }], idempotencyKeys: ['single-1'] }, headers);
      assert.deepEqual(viaBatch.body.results, [{ index: 0, status: 201, replayed: true, client: made.body }]);

      // Another body under a used key, or one key twice in a batch: that item is refused, the others run.
      const reused = await batch({ items: [{ name: 'K1 changed' }, { name: 'New' }, { name: 'Twin' }, { name: 'Twin' }], idempotencyKeys: ['item-1', 'item-new', 'twin', 'twin'] }, headers);
      assert.deepEqual(
        reused.body.results.map((r: any) => [r.status, r.error?.code]),
        [
          [422, 'IDEMPOTENCY_KEY_REUSED'],
          [201, undefined],
          [201, undefined],
          [422, 'IDEMPOTENCY_KEY_REUSED'],
        ],
      );
      assert.equal(await countRows(t, 'clients', a.accountId), 9);
      // Records: one per created keyed item, none for a refused one.
      const records = await t.database.db.selectFrom('idempotency_records').select(['idempotency_key', 'status_code']).where('account_id', '=', a.accountId).execute();
      assert.deepEqual(records.map((r) => `${r.idempotency_key} ${r.status_code}`).sort(), ['item-1 201', 'item-3 201', 'item-4 201', 'item-5 201', 'item-new 201', 'single-1 201', 'twin 201']);

      assertProblem(await batch({ items: [{ name: 'x' }, { name: 'y' }], idempotencyKeys: ['only-one'] }, headers), 400, 'VALIDATION_FAILED', 'body.idempotencyKeys');
      assertProblem(await batch({ items: [{ name: 'x' }], idempotencyKeys: ['has space'] }, headers), 400, 'VALIDATION_FAILED', 'body.idempotencyKeys.0');
    });

    it('two concurrent batches with the same per-item keys: each item created once, answered created by one and replayed by the other', { timeout: 60_000 }, async () => {
      const { a, headers } = await fresh();
      for (let round = 0; round < 4; round++) {
        // Every item with a username (the later batch finds them taken, then the earlier one's records), or
        // half of them (the others are held by their keys alone: the later batch runs again).
        const items = Array.from({ length: 60 }, (_, i) => ({ name: `Race ${round} ${i}`, ...(round % 2 || i % 2 ? { username: `race-${round}-${i}` } : {}) }));
        const keys = items.map((_, i) => `race-${round}-${i}`);
        const [x, y] = await Promise.all([batch({ items, idempotencyKeys: keys }, headers), batch({ items: [...items].reverse(), idempotencyKeys: [...keys].reverse() }, headers)]);
        assert.equal(x.status, 200, x.raw);
        assert.equal(y.status, 200, y.raw);
        const ys = [...(y.body.results as any[])].reverse();
        for (const [i, r] of (x.body.results as any[]).entries()) {
          assert.deepEqual([r.status, ys[i].status], [201, 201], `round ${round} item ${i}: ${JSON.stringify([r, ys[i]])}`);
          assert.equal(r.client.id, ys[i].client.id, `round ${round} item ${i}: one client`);
          assert.equal(Boolean(r.replayed) !== Boolean(ys[i].replayed), true, `round ${round} item ${i}: created by one batch, replayed by the other`);
        }
      }
      assert.equal(await countRows(t, 'clients', a.accountId), 4 * 60);
      assert.equal((await createdEvents(a.accountId)).length, 4 * 60);
    });

    it('a database failure mid-transaction (after the clients are written) rolls the whole batch back: no client, event, delivery, count or record', async () => {
      const { a, headers } = await fresh();
      await call(t, 'POST', '/v1/clients', headers, { name: 'Before', username: 'before' });
      const snapshot = async () => ({
        clients: await countRows(t, 'clients', a.accountId),
        events: await countRows(t, 'events', a.accountId),
        records: await countRows(t, 'idempotency_records', a.accountId),
        count: await clientCount(a.accountId),
      });
      const before = await snapshot();
      // A real PostgreSQL error in the events insert, which runs after the clients insert.
      const check = `batch_test_boom_${randomBytes(4).toString('hex')}`;
      await sql`ALTER TABLE events ADD CONSTRAINT ${sql.id(check)} CHECK (data->'client'->>'name' IS DISTINCT FROM 'boom') NOT VALID`.execute(t.database.db);
      const items = [{ name: 'ok 1', username: 'ok1' }, { name: 'boom' }, { name: 'ok 2' }];
      let res: Res;
      let keyed: Res;
      try {
        res = await batch({ items }, headers);
        keyed = await batch({ items, idempotencyKeys: ['r1', 'r2', 'r3'] }, { ...headers, 'idempotency-key': 'whole-batch' });
      } finally {
        await sql`ALTER TABLE events DROP CONSTRAINT ${sql.id(check)}`.execute(t.database.db);
      }
      for (const r of [res, keyed]) {
        assertFullProblem(r, 500, 'INTERNAL');
        assert.ok(!r.raw.includes(check), 'no internal detail in the answer');
      }
      assert.deepEqual(await snapshot(), before, 'nothing of the batch remains');
      assert.equal((await call(t, 'GET', '/v1/clients?username=ok1', headers)).body.data.length, 0);
      assert.ok(
        t.logs.some((l) => l.includes(check)),
        'the failure was logged',
      );
      // The same batch, the failure gone: everything is created, the keys are free.
      const retry = await batch({ items, idempotencyKeys: ['r1', 'r2', 'r3'] }, { ...headers, 'idempotency-key': 'whole-batch' });
      assert.equal(retry.status, 200, retry.raw);
      assert.deepEqual(
        retry.body.results.map((r: any) => [r.status, r.replayed ?? false]),
        [
          [201, false],
          [201, false],
          [201, false],
        ],
      );
      assert.deepEqual(await snapshot(), { clients: before.clients + 3, events: before.events + 3, records: 4, count: before.count + 3 });
    });

    it('the batch as a whole: 1 to 1,000 items; refused for a client credential and without clients:write; secrets never in logs or events', async () => {
      const { a, headers } = await fresh();
      assertProblem(await batch({ items: [] }, headers), 400, 'VALIDATION_FAILED', 'body.items');
      assertProblem(await batch({ items: Array.from({ length: 1001 }, (_, i) => ({ name: `n${i}` })) }, headers), 400, 'VALIDATION_FAILED', 'body.items');
      assertProblem(await batch({ items: { name: 'x' } }, headers), 400, 'VALIDATION_FAILED', 'body.items');
      assertProblem(await batch({ clients: [{ name: 'x' }] }, headers), 400, 'VALIDATION_FAILED', 'body.items');
      assertProblem(await batch([{ name: 'x' }], headers), 400, 'VALIDATION_FAILED', 'body');

      const thousand = await batch({ items: Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}`, username: `user-${i}` })) }, headers);
      assert.equal(thousand.status, 200);
      assert.ok(thousand.body.results.every((r: any, i: number) => r.index === i && r.status === 201));
      assert.equal(await clientCount(a.accountId), 1000);

      const client = thousand.body.results[0].client.id as string;
      const clientKey = await issueKey(t, headers, { clientId: client });
      assertProblem(await batch({ items: [{ name: 'x' }] }, { 'x-api-key': clientKey.token }), 403, 'FORBIDDEN');
      const reader = await issueKey(t, headers, { permissions: ['clients:read'] });
      const refused = await batch({ items: [{ name: 'x' }, { siret: 'bad' }] }, { 'x-api-key': reader.token });
      assertProblem(refused, 403, 'PERMISSION_DENIED');
      assert.match(refused.body.detail, /clients:write/);
      assert.equal(await clientCount(a.accountId), 1000);

      const secret = `batch-secret-${randomBytes(8).toString('hex')}`;
      const withPassword = await batch(
        {
          items: [
            { name: 'P', password: secret },
            { name: 'Q', password: 'short' },
          ],
        },
        headers,
      );
      assert.deepEqual(
        withPassword.body.results.map((r: any) => r.status),
        [201, 400],
      );
      assert.ok(!withPassword.raw.includes(secret));
      assert.ok(!t.logs.some((l) => l.includes(secret)), 'no password in the logs');
      const events = await t.database.db.selectFrom('events').select('data').where('account_id', '=', a.accountId).execute();
      assert.ok(!JSON.stringify(events).includes(secret) && !JSON.stringify(events).includes('argon2'), 'no password or hash in the events');
    });
  });
}
