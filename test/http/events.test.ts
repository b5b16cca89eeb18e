/**
 * Native `/v1/events`: every change leaves its event, filters and cursor pagination work,
 * no event ever carries a secret, and a client principal sees only its own client's events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblemCode, call, ISO_Z, JSON_TYPE, UUID, type Res } from '../support/http.js';

const EVENT_KEYS = ['actor', 'clientId', 'createdAt', 'data', 'id', 'type'];

interface Event {
  id: string;
  type: string;
  clientId: string | null;
  actor: { type: string; id: string };
  data: Record<string, any>;
  createdAt: string;
}

for (const backend of testBackends()) {
  describe(`native events [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;
    /** Every secret value handed out during the scenario. */
    const secrets: string[] = [];
    let clientId = '';
    let otherClientId = '';
    let keyA = '';
    let keyB = '';
    let clientToken = '';
    let otherClientToken = '';

    const must = async (status: number, method: string, url: string, payload?: unknown, headers = h) => {
      const res = await call(t, method, url, headers, payload);
      assert.equal(res.status, status, `${method} ${url}: ${res.raw}`);
      return res.body;
    };
    const events = async (query = '', headers = h): Promise<Event[]> => {
      const res = await call(t, 'GET', `/v1/events?limit=100${query}`, headers);
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.nextCursor, null);
      return res.body.data;
    };

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      h = acc.headers;
      secrets.push(acc.secret, acc.token, acc.password);

      // The scenario: one of each change, in a known order.
      const c = await must(201, 'POST', '/v1/clients', { name: 'Audited', username: 'audited', password: 'client password 1' });
      clientId = c.id;
      secrets.push('client password 1');
      await must(200, 'PATCH', `/v1/clients/${clientId}`, { description: 'changed', password: 'client password 2' });
      secrets.push('client password 2');
      await must(200, 'POST', `/v1/clients/${clientId}/deactivate`);
      await must(200, 'POST', `/v1/clients/${clientId}/activate`);
      const a = await must(201, 'POST', '/v1/keys', { clientId, name: 'A' });
      keyA = a.key.keyId;
      clientToken = a.token;
      secrets.push(a.secret, a.token);
      const b = await must(201, 'POST', '/v1/keys', { clientId, name: 'B' });
      keyB = b.key.keyId;
      secrets.push(b.secret, b.token);
      await must(200, 'PATCH', `/v1/keys/${keyB}`, { name: 'B2', enabled: false });
      const reset = await must(200, 'POST', `/v1/keys/${keyA}/reset`, { gracePeriodSeconds: 30 });
      secrets.push(reset.secret, reset.token);
      clientToken = reset.token;
      await must(204, 'DELETE', `/v1/keys/${keyB}`);

      const other = await must(201, 'POST', '/v1/clients', { name: 'Other' });
      otherClientId = other.id;
      const ok = await must(201, 'POST', '/v1/keys', { clientId: otherClientId });
      otherClientToken = ok.token;
      secrets.push(ok.secret, ok.token);
      const doomed = await must(201, 'POST', '/v1/clients', { name: 'Doomed' });
      await must(201, 'POST', '/v1/keys', { clientId: doomed.id }).then((k) => secrets.push(k.secret, k.token));
      await must(204, 'DELETE', `/v1/clients/${doomed.id}`);
    });
    after(async () => {
      await t?.close();
    });

    it('every change produced its event, oldest first, with the acting key', async () => {
      const res = await call(t, 'GET', '/v1/events?limit=100', h);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.deepEqual(Object.keys(res.body).sort(), ['data', 'nextCursor']);
      const all: Event[] = res.body.data;
      assert.deepEqual(
        all.map((e) => e.type),
        [
          'account.created',
          'key.created', // the account's primary key
          'client.created',
          'client.updated',
          'client.deactivated',
          'client.activated',
          'key.created',
          'key.created',
          'key.updated',
          'key.reset',
          'key.deleted',
          'client.created',
          'key.created',
          'client.created',
          'key.created',
          'client.deleted',
        ],
      );
      for (const e of all) {
        assert.deepEqual(Object.keys(e).sort(), EVENT_KEYS);
        assert.match(e.id, UUID);
        assert.match(e.createdAt, ISO_Z);
      }
      assert.deepEqual(
        [...all.map((e) => e.id)].sort(),
        all.map((e) => e.id),
      );
      for (const e of all.slice(2)) assert.deepEqual(e.actor, { type: 'key', id: acc.keyId });
      assert.equal(all[0]!.clientId, null);
      assert.equal(all[1]!.clientId, null);
      assert.deepEqual(
        all.slice(2, 11).map((e) => e.clientId),
        Array(9).fill(clientId),
      );
    });

    it('event data describes the change', async () => {
      const byType = async (type: string) => events(`&type=${type}&clientId=${clientId}`);
      const [created] = await byType('client.created');
      assert.equal(created!.data.client.id, clientId);
      assert.equal(created!.data.client.name, 'Audited');
      assert.equal(created!.data.client.username, 'audited');
      const [updated] = await byType('client.updated');
      assert.deepEqual([...updated!.data.changes].sort(), ['description', 'password']);
      assert.equal(updated!.data.client.description, 'changed');
      assert.deepEqual(
        (await byType('client.deactivated')).map((e) => e.data),
        [{ clientId }],
      );
      assert.deepEqual(
        (await byType('client.activated')).map((e) => e.data),
        [{ clientId }],
      );
      const keyCreated = await byType('key.created');
      assert.deepEqual(
        keyCreated.map((e) => e.data.key.keyId),
        [keyA, keyB],
      );
      assert.deepEqual(
        keyCreated.map((e) => e.data.key.isPrimary),
        [true, false],
      );
      const [keyUpdated] = await byType('key.updated');
      assert.deepEqual([...keyUpdated!.data.changes].sort(), ['enabled', 'name']);
      assert.equal(keyUpdated!.data.key.enabled, false);
      const [reset] = await byType('key.reset');
      assert.equal(reset!.data.key.keyId, keyA);
      assert.equal(reset!.data.gracePeriodSeconds, 30);
      const [deleted] = await byType('key.deleted');
      assert.equal(deleted!.data.key.keyId, keyB);
      const [clientDeleted] = await events('&type=client.deleted');
      assert.equal(clientDeleted!.data.client.name, 'Doomed');
      assert.equal(clientDeleted!.data.deletedKeys, 1);
    });

    it('no event carries a secret, a token, a hash or a password', async () => {
      const res = await call(t, 'GET', '/v1/events?limit=100', h);
      assert.equal(res.body.data.length, 16);
      for (const s of secrets) assert.ok(!res.raw.includes(s), `an event carries a secret (${s.slice(0, 6)}…)`);
      assert.doesNotMatch(res.raw, /"(secret|token|secretHash|previousSecretHash|password|passwordHash|dataKey|apiSecret)"\s*:/);
      assert.doesNotMatch(res.raw, /\$2[aby]\$|\$argon2/);
      assert.doesNotMatch(res.raw, /clt_[0-9A-Za-z]{22}_/);
      // Nor does the stored row itself.
      const rows = await t.database.db.selectFrom('events').select(['data']).where('account_id', '=', acc.accountId).execute();
      const stored = JSON.stringify(rows);
      for (const s of secrets) assert.ok(!stored.includes(s));
      assert.doesNotMatch(stored, /\$2[aby]\$|\$argon2/);
    });

    it('filters by type and by clientId, and both', async () => {
      const keyEvents = await events('&type=key.created');
      assert.equal(keyEvents.length, 5);
      assert.ok(keyEvents.every((e) => e.type === 'key.created'));
      const forClient = await events(`&clientId=${clientId}`);
      assert.deepEqual(
        forClient.map((e) => e.type),
        ['client.created', 'client.updated', 'client.deactivated', 'client.activated', 'key.created', 'key.created', 'key.updated', 'key.reset', 'key.deleted'],
      );
      assert.deepEqual((await events(`&clientId=${otherClientId}&type=key.created`)).length, 1);
      assert.deepEqual(await events('&type=client.nothing_like_this'), []);
      assert.deepEqual(await events('&clientId=00000000-0000-4000-8000-000000000000'), []);
    });

    it('pages with a cursor: each event exactly once, in order', async () => {
      const all = await events();
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await call(t, 'GET', `/v1/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`, h);
        assert.equal(res.status, 200, res.raw);
        sizes.push(res.body.data.length);
        seen.push(...res.body.data.map((e: Event) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null && sizes.length < 10);
      assert.deepEqual(sizes, [3, 3, 3, 3, 3, 1]);
      assert.deepEqual(
        seen,
        all.map((e) => e.id),
      );

      // Filtered pages too.
      const first = await call(t, 'GET', `/v1/events?type=key.created&limit=2`, h);
      const second = await call(t, 'GET', `/v1/events?type=key.created&limit=2&cursor=${first.body.nextCursor}`, h);
      const third = await call(t, 'GET', `/v1/events?type=key.created&limit=2&cursor=${second.body.nextCursor}`, h);
      assert.deepEqual(
        [first, second, third].map((r) => r.body.data.length),
        [2, 2, 1],
      );
      assert.equal(third.body.nextCursor, null);
      assert.ok([first, second, third].every((r) => r.body.data.every((e: Event) => e.type === 'key.created')));
    });

    it('filters by actor and by time, and pages newest first', async () => {
      const all = await events();
      const byKey = all.filter((e) => e.actor.id === all[0]!.actor.id);
      assert.ok(byKey.length > 0);
      assert.deepEqual(
        (await events(`&actorId=${all[0]!.actor.id}`)).map((e) => e.id),
        byKey.map((e) => e.id),
      );
      assert.deepEqual(await events('&actorId=ck_nobodyActedWithThisKey00'), []);
      const boundary = all[Math.floor(all.length / 2)]!.createdAt;
      const since = await events(`&since=${encodeURIComponent(boundary)}`);
      const until = await events(`&until=${encodeURIComponent(boundary)}`);
      assert.ok(since.every((e) => e.createdAt >= boundary));
      assert.ok(until.every((e) => e.createdAt < boundary));
      assert.equal(since.length + until.length, all.length, 'since and until split the log at the boundary');

      // Newest first, in pages: the same events, reversed, each once.
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res: Res = await call(t, 'GET', `/v1/events?order=desc&limit=4${cursor ? `&cursor=${cursor}` : ''}`, h);
        assert.equal(res.status, 200, res.raw);
        seen.push(...res.body.data.map((e: Event) => e.id));
        cursor = res.body.nextCursor;
        if (cursor === null) break;
      }
      assert.deepEqual(seen, all.map((e) => e.id).reverse());
      const bad = await call(t, 'GET', '/v1/events?since=yesterday', h);
      assertProblemCode(bad, 400, 'VALIDATION_FAILED');
    });

    it("a client principal sees only its own client's events", async () => {
      const asClient = { 'x-api-key': clientToken };
      const own = await events('', asClient);
      assert.equal(own.length, 9);
      assert.ok(own.every((e) => e.clientId === clientId));
      assert.deepEqual(await events(`&clientId=${clientId}&type=key.reset`, asClient).then((l) => l.length), 1);
      // Naming a sibling client is forbidden; another account's sees nothing of these.
      assertProblemCode(await call(t, 'GET', `/v1/events?clientId=${otherClientId}`, asClient), 403, 'FORBIDDEN');
      const sibling = await events('', { 'x-api-key': otherClientToken });
      assert.deepEqual(
        sibling.map((e) => e.type),
        ['client.created', 'key.created'],
      );
      assert.ok(sibling.every((e) => e.clientId === otherClientId));
      const stranger = await t.newAccount();
      const strangers = await events('', stranger.headers);
      assert.deepEqual(
        strangers.map((e) => e.type),
        ['account.created', 'key.created'],
      );
      assert.deepEqual(await events(`&clientId=${clientId}`, stranger.headers), []);
    });

    it('a failed change records no event', async () => {
      const before = (await events()).length;
      assertProblemCode(await call(t, 'DELETE', `/v1/keys/${keyA}`, h), 409, 'PRIMARY_KEY_PROTECTED');
      assertProblemCode(await call(t, 'PATCH', `/v1/keys/${keyA}`, h, { isPrimary: false }), 409, 'PRIMARY_KEY_PROTECTED');
      assertProblemCode(await call(t, 'POST', '/v1/clients', h, { username: 'AUDITED' }), 409, 'USERNAME_TAKEN');
      assertProblemCode(await call(t, 'PATCH', `/v1/clients/${otherClientId}`, h, { username: 'Audited' }), 409, 'USERNAME_TAKEN');
      assertProblemCode(await call(t, 'POST', '/v1/clients', h, {}), 400, 'VALIDATION_FAILED');
      // A no-op records nothing either.
      assert.equal((await call(t, 'POST', `/v1/clients/${clientId}/activate`, h)).status, 200);
      assert.equal((await call(t, 'PATCH', `/v1/clients/${clientId}`, h, {})).status, 200);
      assert.equal((await events()).length, before);
    });
  });
}
