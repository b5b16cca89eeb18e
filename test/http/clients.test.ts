/**
 * Native `/v1/clients`: create (every field, derived names, idempotency), get, list
 * (cursor pagination, search and filters), partial update, delete, activate/deactivate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertFullProblem, call, countRows, createClient, issueKey, ISO_Z, JSON_TYPE, PROBLEM_KEYS, UUID } from '../support/http.js';

const CLIENT_KEYS = [
  'company',
  'createdAt',
  'description',
  'emailAddress',
  'features',
  'firstName',
  'hasPassword',
  'id',
  'isActive',
  'lastName',
  'limits',
  'metadata',
  'name',
  'ratelimits',
  'siret',
  'updatedAt',
  'username',
];
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** Never a password or its hash, anywhere in a response. */
function assertNoPassword(raw: string): void {
  assert.doesNotMatch(raw, /"password"/);
  assert.doesNotMatch(raw, /"passwordHash"/);
  assert.doesNotMatch(raw, /\$2[aby]\$/);
}

for (const backend of testBackends()) {
  describe(`native clients [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;

    useTestApp(backend, (s) => ({ t, acc, h } = s));

    const create = (body: Record<string, unknown>, headers: Record<string, string> = h) => createClient(t, headers, body);
    const newKey = (clientId: string) => issueKey(t, h, { clientId });

    it('creates a client with every field; the password is write-only', async () => {
      const body = {
        name: 'Acme SARL',
        description: 'Our first customer',
        siret: '12345678901234',
        username: 'acme',
        emailAddress: 'ops@acme.test',
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: 'Acme',
        password: 'correct horse battery staple',
        isActive: true,
        features: { invoices: true, export: false },
        limits: { invoicesPerMonth: 100, users: -1 },
        metadata: { plan: 'gold', tags: ['a', 'b'], nested: { n: 1 } },
      };
      const res = await call(t, 'POST', '/v1/clients', h, body);
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['idempotent-replayed'], undefined);
      assertNoPassword(res.raw);
      const c = res.body;
      assert.deepEqual(Object.keys(c).sort(), CLIENT_KEYS);
      assert.match(c.id, UUID);
      assert.deepEqual(
        { ...c, id: undefined, createdAt: undefined, updatedAt: undefined },
        {
          id: undefined,
          name: 'Acme SARL',
          description: 'Our first customer',
          siret: '12345678901234',
          username: 'acme',
          emailAddress: 'ops@acme.test',
          firstName: 'Ada',
          lastName: 'Lovelace',
          company: 'Acme',
          hasPassword: true,
          isActive: true,
          features: { invoices: true, export: false },
          limits: { invoicesPerMonth: 100, users: -1 },
          metadata: { plan: 'gold', tags: ['a', 'b'], nested: { n: 1 } },
          ratelimits: [],
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
      assert.match(c.createdAt, ISO_Z);
      assert.match(c.updatedAt, ISO_Z);
      assert.equal(c.createdAt, c.updatedAt);

      const got = await call(t, 'GET', `/v1/clients/${c.id}`, h);
      assert.equal(got.status, 200);
      assert.equal(got.headers['content-type'], JSON_TYPE);
      assertNoPassword(got.raw);
      assert.deepEqual(got.body, c);
    });

    it('defaults: active, empty maps, null optional fields, no password', async () => {
      const c = await create({ name: 'Bare' });
      assert.deepEqual(Object.keys(c).sort(), CLIENT_KEYS);
      assert.equal(c.name, 'Bare');
      for (const f of ['description', 'siret', 'username', 'emailAddress', 'firstName', 'lastName', 'company']) assert.equal(c[f], null, f);
      assert.equal(c.hasPassword, false);
      assert.equal(c.isActive, true);
      assert.deepEqual(c.features, {});
      assert.deepEqual(c.limits, {});
      assert.deepEqual(c.metadata, {});
    });

    it('imports a bcrypt password hash without ever echoing it', async () => {
      const hash = '$2b$10$' + 'N9qo8uLOickgx2ZMRZoMye'.padEnd(53, 'a');
      const res = await call(t, 'POST', '/v1/clients', h, { name: 'Imported', passwordHash: hash });
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.body.hasPassword, true);
      assertNoPassword(res.raw);
    });

    it('derives the name from company, then first and last name, then username', async () => {
      assert.equal((await create({ company: '  Initech  ', firstName: 'Peter', username: 'peter1' })).name, 'Initech');
      assert.equal((await create({ firstName: 'Peter', lastName: 'Gibbons', username: 'peter2' })).name, 'Peter Gibbons');
      assert.equal((await create({ lastName: 'Bolton' })).name, 'Bolton');
      assert.equal((await create({ username: 'milton' })).name, 'milton');
      assert.equal((await create({ name: 'Explicit', company: 'Ignored Co' })).name, 'Explicit');
    });

    it('refuses a client with no derivable name (400) and creates nothing', async () => {
      const before = await countRows(t, 'clients', acc.accountId);
      for (const body of [{}, { description: 'no name' }, { name: '   ' }, { firstName: ' ', lastName: '' }]) {
        const res = await call(t, 'POST', '/v1/clients', h, body);
        assertFullProblem(res, 400, 'VALIDATION_FAILED');
        assert.deepEqual(
          res.body.errors.map((e: { field: string }) => e.field),
          ['body.name'],
        );
      }
      assert.equal(await countRows(t, 'clients', acc.accountId), before);
    });

    it('GET of an unknown or malformed id', async () => {
      const res = await call(t, 'GET', `/v1/clients/${MISSING_ID}`, h);
      assertFullProblem(res, 404, 'CLIENT_NOT_FOUND');
      assert.equal(res.body.instance, `/v1/clients/${MISSING_ID}`);
      for (const method of ['PATCH', 'DELETE', 'POST']) {
        const url = method === 'POST' ? `/v1/clients/${MISSING_ID}/activate` : `/v1/clients/${MISSING_ID}`;
        const r = await call(t, method, url, h, method === 'PATCH' ? { description: 'x' } : undefined);
        assertFullProblem(r, 404, 'CLIENT_NOT_FOUND');
      }
    });

    it('another account cannot see, change or delete the client (404, not 403)', async () => {
      const other = await t.newAccount();
      const c = await create({ name: 'Private' });
      assertFullProblem(await call(t, 'GET', `/v1/clients/${c.id}`, other.headers), 404, 'CLIENT_NOT_FOUND');
      assertFullProblem(await call(t, 'PATCH', `/v1/clients/${c.id}`, other.headers, { name: 'Stolen' }), 404, 'CLIENT_NOT_FOUND');
      assertFullProblem(await call(t, 'DELETE', `/v1/clients/${c.id}`, other.headers), 404, 'CLIENT_NOT_FOUND');
      assertFullProblem(await call(t, 'POST', `/v1/clients/${c.id}/deactivate`, other.headers), 404, 'CLIENT_NOT_FOUND');
      const list = await call(t, 'GET', '/v1/clients', other.headers);
      assert.deepEqual(list.body, { data: [], nextCursor: null });
      assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, h)).body.name, 'Private');
    });

    it('walks 25 clients in pages of 10, each exactly once, in id order', async () => {
      const own = await t.newAccount();
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await create({ name: `Page client ${i}` }, own.headers)).id);
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/clients?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await call(t, 'GET', url, own.headers);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assert.deepEqual(Object.keys(res.body).sort(), ['data', 'nextCursor']);
        for (const c of res.body.data) assert.deepEqual(Object.keys(c).sort(), CLIENT_KEYS);
        sizes.push(res.body.data.length);
        seen.push(...res.body.data.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
        pages += 1;
        assert.ok(pages <= 3, 'too many pages');
      } while (cursor !== null);
      assert.deepEqual(sizes, [10, 10, 5]);
      assert.equal(new Set(seen).size, 25);
      assert.deepEqual(seen, [...ids].sort());

      // The default page size is 20; exactly 25 with limit=25 has no next page.
      const dflt = await call(t, 'GET', '/v1/clients', own.headers);
      assert.equal(dflt.body.data.length, 20);
      assert.equal(typeof dflt.body.nextCursor, 'string');
      const all = await call(t, 'GET', '/v1/clients?limit=25', own.headers);
      assert.equal(all.body.data.length, 25);
      assert.equal(all.body.nextCursor, null);
    });

    it('filters by q, username, emailAddress and isActive', async () => {
      const own = await t.newAccount();
      const oh = own.headers;
      const zeta = await create({ name: 'Zeta Corp', username: 'ZetaUser', emailAddress: 'Boss@Zeta.test' }, oh);
      const omega = await create({ name: 'Omega', company: 'Zebra Holdings', username: 'omega', emailAddress: 'om@omega.test' }, oh);
      const inactive = await create({ name: 'Sleeping', username: 'sleepy', isActive: false }, oh);
      const percent = await create({ name: '100% Literal_Name' }, oh);
      const names = async (query: string) => {
        const res = await call(t, 'GET', `/v1/clients?${query}`, oh);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.body.nextCursor, null);
        return res.body.data.map((c: { id: string }) => c.id).sort();
      };
      assert.deepEqual(await names('q=ze'), [zeta.id, omega.id].sort()); // name and company, case-insensitive
      assert.deepEqual(await names('q=zeta.test'), [zeta.id]); // e-mail
      assert.deepEqual(await names('q=sleepy'), [inactive.id]); // username
      assert.deepEqual(await names('q=%25'), [percent.id]); // LIKE wildcards are literal
      assert.deepEqual(await names('q=t_r'), []); // would match "Literal" if _ were a wildcard
      assert.deepEqual(await names('q=l_n'), [percent.id]);
      assert.deepEqual(await names('q=nothing-matches'), []);
      assert.deepEqual(await names('username=zetauser'), [zeta.id]); // exact, case-insensitive
      assert.deepEqual(await names('username=zeta'), []);
      assert.deepEqual(await names('emailAddress=boss%40zeta.TEST'), [zeta.id]);
      assert.deepEqual(await names('isActive=false'), [inactive.id]);
      assert.deepEqual(await names('isActive=true'), [zeta.id, omega.id, percent.id].sort());
      assert.deepEqual(await names('isActive=true&q=zebra'), [omega.id]);
      assert.deepEqual(await names('isActive=false&q=zeta'), []);
    });

    it('PATCH is partial: absent unchanged, null clears description and siret', async () => {
      const c = await create({
        name: 'Patchable',
        description: 'desc',
        siret: '11111111111111',
        company: 'Co',
        features: { a: true },
        limits: { l: 3 },
        metadata: { m: 1 },
      });
      await new Promise((r) => setTimeout(r, 5));
      const res = await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { description: null, siret: null, firstName: 'Grace' });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      const u = res.body;
      assert.deepEqual(Object.keys(u).sort(), CLIENT_KEYS);
      assert.equal(u.description, null);
      assert.equal(u.siret, null);
      assert.equal(u.firstName, 'Grace');
      assert.equal(u.name, 'Patchable');
      assert.equal(u.company, 'Co');
      assert.deepEqual(u.features, { a: true });
      assert.deepEqual(u.limits, { l: 3 });
      assert.deepEqual(u.metadata, { m: 1 });
      assert.equal(u.createdAt, c.createdAt);
      assert.match(u.updatedAt, ISO_Z);
      assert.ok(u.updatedAt > c.updatedAt, `${u.updatedAt} > ${c.updatedAt}`);
      assert.deepEqual((await call(t, 'GET', `/v1/clients/${c.id}`, h)).body, u);

      const replaced = await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { features: { b: false }, limits: { l: -1 }, metadata: {} });
      assert.equal(replaced.status, 200);
      assert.deepEqual(replaced.body.features, { b: false });
      assert.deepEqual(replaced.body.limits, { l: -1 });
      assert.deepEqual(replaced.body.metadata, {});

      const pw = await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { password: 'a new password' });
      assert.equal(pw.status, 200);
      assert.equal(pw.body.hasPassword, true);
      assertNoPassword(pw.raw);
    });

    it('PATCH with name null or empty is a 400 and changes nothing', async () => {
      const c = await create({ name: 'Keep me' });
      for (const body of [{ name: null }, { name: '' }, { name: '   ' }]) {
        const res = await call(t, 'PATCH', `/v1/clients/${c.id}`, h, body);
        assertFullProblem(res, 400, 'VALIDATION_FAILED');
        assert.equal(res.body.errors[0].field, 'body.name');
      }
      assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, h)).body.name, 'Keep me');
    });

    it('usernames are unique per account, case-insensitively (409 USERNAME_TAKEN)', async () => {
      const a = await create({ name: 'Unique A', username: 'Jane.Doe' });
      const dup = await call(t, 'POST', '/v1/clients', h, { name: 'Unique B', username: 'jane.doe' });
      assertFullProblem(dup, 409, 'USERNAME_TAKEN');
      const b = await create({ name: 'Unique B', username: 'john.doe' });
      assertFullProblem(await call(t, 'PATCH', `/v1/clients/${b.id}`, h, { username: 'JANE.DOE' }), 409, 'USERNAME_TAKEN');
      assert.equal((await call(t, 'GET', `/v1/clients/${b.id}`, h)).body.username, 'john.doe');
      // Changing the case of one's own username is fine.
      const own = await call(t, 'PATCH', `/v1/clients/${a.id}`, h, { username: 'JANE.DOE' });
      assert.equal(own.status, 200, own.raw);
      assert.equal(own.body.username, 'JANE.DOE');
      // Another account may use the same username.
      const other = await t.newAccount();
      assert.equal((await create({ name: 'Elsewhere', username: 'jane.doe' }, other.headers)).username, 'jane.doe');
    });

    it('DELETE answers 204, then the client and its keys are gone', async () => {
      const c = await create({ name: 'Doomed' });
      const k1 = await newKey(c.id);
      const k2 = await newKey(c.id);
      const del = await call(t, 'DELETE', `/v1/clients/${c.id}`, h);
      assert.equal(del.status, 204);
      assert.equal(del.raw, '');
      assertFullProblem(await call(t, 'GET', `/v1/clients/${c.id}`, h), 404, 'CLIENT_NOT_FOUND');
      assertFullProblem(await call(t, 'DELETE', `/v1/clients/${c.id}`, h), 404, 'CLIENT_NOT_FOUND');
      for (const k of [k1, k2]) {
        assertFullProblem(await call(t, 'GET', `/v1/keys/${k.key.keyId}`, h), 404, 'KEY_NOT_FOUND');
        assertFullProblem(await call(t, 'GET', '/v1/clients', { 'x-api-key': k.token }), 401, 'UNAUTHENTICATED');
      }
      const list = await call(t, 'GET', '/v1/keys?limit=100', h);
      assert.ok(!list.body.data.some((k: { clientId: string }) => k.clientId === c.id));
    });

    it('deactivate and activate toggle isActive; a deactivated client key stops at once', async () => {
      const c = await create({ name: 'Toggled' });
      const k = await newKey(c.id);
      const asClient = { 'x-api-key': k.token };
      assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, asClient)).status, 200);

      const off = await call(t, 'POST', `/v1/clients/${c.id}/deactivate`, h);
      assert.equal(off.status, 200, off.raw);
      assert.equal(off.headers['content-type'], JSON_TYPE);
      assert.deepEqual(Object.keys(off.body).sort(), CLIENT_KEYS);
      assert.equal(off.body.isActive, false);
      const denied = await call(t, 'GET', `/v1/clients/${c.id}`, asClient);
      assertFullProblem(denied, 401, 'UNAUTHENTICATED');
      assert.match(String(denied.headers['www-authenticate']), /Bearer/);
      // Deactivating again is a no-op; the account still manages the client.
      assert.equal((await call(t, 'POST', `/v1/clients/${c.id}/deactivate`, h)).body.isActive, false);
      assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, h)).body.isActive, false);

      const on = await call(t, 'POST', `/v1/clients/${c.id}/activate`, h);
      assert.equal(on.status, 200);
      assert.equal(on.body.isActive, true);
      const back = await call(t, 'GET', `/v1/clients/${c.id}`, asClient);
      assert.equal(back.status, 200);
      assert.equal(back.body.id, c.id);

      // PATCH isActive does the same.
      assert.equal((await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { isActive: false })).body.isActive, false);
      assertFullProblem(await call(t, 'GET', `/v1/clients/${c.id}`, asClient), 401, 'UNAUTHENTICATED');
      assert.equal((await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { isActive: true })).body.isActive, true);
      assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, asClient)).status, 200);
    });

    it('a client principal sees only itself and may not manage status, limits or other clients', async () => {
      const mine = await create({ name: 'Mine', limits: { x: 1 } });
      const theirs = await create({ name: 'Theirs' });
      const k = await newKey(mine.id);
      const asClient = { 'x-api-key': k.token };
      assert.equal((await call(t, 'GET', `/v1/clients/${mine.id}`, asClient)).body.name, 'Mine');
      assertFullProblem(await call(t, 'GET', `/v1/clients/${theirs.id}`, asClient), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'GET', '/v1/clients', asClient), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'POST', '/v1/clients', asClient, { name: 'Nope' }), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'DELETE', `/v1/clients/${mine.id}`, asClient), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'PATCH', `/v1/clients/${mine.id}`, asClient, { limits: { x: 99 } }), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'PATCH', `/v1/clients/${mine.id}`, asClient, { isActive: false }), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'POST', `/v1/clients/${mine.id}/deactivate`, asClient), 403, 'FORBIDDEN');
      assertFullProblem(await call(t, 'POST', `/v1/clients/${theirs.id}/deactivate`, asClient), 403, 'FORBIDDEN');
      const self = await call(t, 'GET', `/v1/clients/${mine.id}`, h);
      assert.equal(self.body.isActive, true);
      assert.deepEqual(self.body.limits, { x: 1 });
      // It may edit its own descriptive fields.
      const ok = await call(t, 'PATCH', `/v1/clients/${mine.id}`, asClient, { description: 'self-service' });
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(ok.body.description, 'self-service');
    });

    it('no credential, or a wrong one, is a 401', async () => {
      assertFullProblem(await call(t, 'GET', '/v1/clients', {}), 401, 'UNAUTHENTICATED');
      assertFullProblem(await call(t, 'GET', '/v1/clients', { 'x-api-key': acc.token.slice(0, -1) + (acc.token.endsWith('A') ? 'B' : 'A') }), 401, 'UNAUTHENTICATED');
      assertFullProblem(await call(t, 'POST', '/v1/clients', {}, { name: 'Anon' }), 401, 'UNAUTHENTICATED');
    });

    it('Idempotency-Key: same key and body replays; a different body is 422', async () => {
      const own = await t.newAccount();
      const headers = { ...own.headers, 'idempotency-key': 'create-client-0001' };
      const body = { name: 'Once only', username: 'once', password: 'a secret password' };
      const first = await call(t, 'POST', '/v1/clients', headers, body);
      assert.equal(first.status, 201, first.raw);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const second = await call(t, 'POST', '/v1/clients', headers, body);
      assert.equal(second.status, 201, second.raw);
      assert.equal(second.headers['content-type'], JSON_TYPE);
      assert.equal(second.headers['idempotent-replayed'], 'true');
      assert.deepEqual(second.body, first.body);
      assertNoPassword(second.raw);
      assert.equal(await countRows(t, 'clients', own.accountId), 1);
      const created = await t.database.db.selectFrom('events').select('type').where('account_id', '=', own.accountId).where('type', '=', 'client.created').execute();
      assert.equal(created.length, 1);

      const reused = await call(t, 'POST', '/v1/clients', headers, { ...body, name: 'Different' });
      assertFullProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await countRows(t, 'clients', own.accountId), 1);

      // Another key creates another client; a failed create frees its key for a fixed retry.
      const other = await call(t, 'POST', '/v1/clients', { ...own.headers, 'idempotency-key': 'create-client-0002' }, { name: 'Twice' });
      assert.equal(other.status, 201);
      assert.notEqual(other.body.id, first.body.id);
      const failing = { ...own.headers, 'idempotency-key': 'create-client-0003' };
      assertFullProblem(await call(t, 'POST', '/v1/clients', failing, { username: 'ONCE' }), 409, 'USERNAME_TAKEN');
      const fixed = await call(t, 'POST', '/v1/clients', failing, { username: 'once-fixed' });
      assert.equal(fixed.status, 201, fixed.raw);
      assert.equal(fixed.headers['idempotent-replayed'], undefined);
      assert.equal(fixed.body.name, 'once-fixed');
      assert.equal(await countRows(t, 'clients', own.accountId), 3);

      const bad = await call(t, 'POST', '/v1/clients', { ...own.headers, 'idempotency-key': 'has space' }, { name: 'x' });
      assertFullProblem(bad, 400, 'VALIDATION_FAILED');
      assert.equal(bad.body.errors[0].field, 'header.idempotency-key');
    });

    it('problem bodies carry exactly the RFC 9457 members', async () => {
      const res = await call(t, 'GET', `/v1/clients/${MISSING_ID}`, h);
      assert.deepEqual(Object.keys(res.body).sort(), PROBLEM_KEYS);
    });
  });
}
