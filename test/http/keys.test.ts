/**
 * Native `/v1/keys`: issue, primary-key rules, list and filters, reset with and without a
 * grace period, disable, expiry (with a controllable clock), verify, Basic auth, usage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, useTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, basicHeader as basic, call, countRows, createClient, issueKey, ISO_Z, JSON_TYPE, KEY_ID, MISSING_KEY, type IssuedKeyBody as Issued, type Res } from '../support/http.js';

const KEY_KEYS = ['clientId', 'createdAt', 'enabled', 'expiresAt', 'hint', 'isPrimary', 'keyId', 'lastUsedAt', 'name', 'permissions', 'ratelimits', 'scopes', 'updatedAt'];
const VERIFY_KEYS = ['accountId', 'clientId', 'code', 'expiresAt', 'keyId', 'ratelimits', 'scopes', 'valid'];
const TOKEN = /^clt_[0-9A-Za-z]{22}_[0-9A-Za-z]{49}$/;

/** A response that may describe a key but must never carry its secret material. */
function assertNoSecrets(res: Res, ...secrets: string[]): void {
  assert.doesNotMatch(res.raw, /"secret"|"token"|"secretHash"|"previousSecretHash"/);
  for (const s of secrets) assert.ok(!res.raw.includes(s), 'a secret leaked into a response');
}

for (const backend of testBackends()) {
  describe(`native keys [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Record<string, string>;

    useTestApp(backend, (s) => ({ t, acc, h } = s));

    const newClient = (name: string, headers: Record<string, string> = h): Promise<{ id: string }> => createClient(t, headers, { name });
    const newKey = (body: Record<string, unknown>, headers: Record<string, string> = h) => issueKey(t, headers, body);
    const getKey = async (keyId: string) => (await call(t, 'GET', `/v1/keys/${keyId}`, h)).body;
    const works = async (token: string) => (await call(t, 'GET', '/v1/keys?limit=1', { 'x-api-key': token })).status;
    const verify = (body: Record<string, unknown>, headers: Record<string, string> = h) => call(t, 'POST', '/v1/keys/verify', headers, body);

    it('POST /v1/keys issues {key, secret, token}; the first key of a client is primary', async () => {
      const c = await newClient('Key owner');
      const res = await call(t, 'POST', '/v1/keys', h, { clientId: c.id, name: 'CI', scopes: ['read', 'write'] });
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(res.body).sort(), ['key', 'secret', 'token']);
      const { key, secret, token } = res.body as Issued;
      assert.deepEqual(Object.keys(key).sort(), KEY_KEYS);
      assert.match(key.keyId, KEY_ID);
      assert.match(secret, /^[0-9A-Za-z]{43}$/);
      assert.match(token, TOKEN);
      assert.equal(token.slice(4, 26), key.keyId.slice(3));
      assert.equal(key.hint, secret.slice(-4));
      assert.equal(key.clientId, c.id);
      assert.equal(key.name, 'CI');
      assert.equal(key.isPrimary, true);
      assert.equal(key.enabled, true);
      assert.deepEqual(key.scopes, ['read', 'write']);
      assert.equal(key.expiresAt, null);
      assert.equal(key.lastUsedAt, null);
      assert.match(key.createdAt, ISO_Z);
      assert.match(key.updatedAt, ISO_Z);

      const second = await newKey({ clientId: c.id });
      assert.equal(second.key.isPrimary, false);
      assert.equal(second.key.name, null);
      assert.deepEqual(second.key.scopes, []);
      assert.notEqual(second.secret, secret);
      assert.equal((await getKey(key.keyId)).isPrimary, true);
    });

    it('an account-level key has clientId null and is not primary next to the account primary', async () => {
      const k = await newKey({ name: 'ops' });
      assert.equal(k.key.clientId, null);
      assert.equal(k.key.isPrimary, false);
      assert.equal(await works(k.token), 200);
      assert.equal((await getKey(acc.keyId)).isPrimary, true);
    });

    it('making another key primary demotes the old one (on create and on PATCH)', async () => {
      const c = await newClient('Primary rules');
      const a = await newKey({ clientId: c.id });
      const b = await newKey({ clientId: c.id, isPrimary: true });
      assert.equal(b.key.isPrimary, true);
      assert.equal((await getKey(a.key.keyId)).isPrimary, false);

      const res = await call(t, 'PATCH', `/v1/keys/${a.key.keyId}`, h, { isPrimary: true });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.isPrimary, true);
      assert.equal((await getKey(b.key.keyId)).isPrimary, false);
      const primaries = (await call(t, 'GET', `/v1/keys?clientId=${c.id}`, h)).body.data.filter((k: { isPrimary: boolean }) => k.isPrimary);
      assert.deepEqual(
        primaries.map((k: { keyId: string }) => k.keyId),
        [a.key.keyId],
      );
      // The account's own primary is untouched by a client's primary changes.
      assert.equal((await getKey(acc.keyId)).isPrimary, true);
    });

    it('the primary key can be neither demoted nor deleted (409); another key can be deleted (204)', async () => {
      const c = await newClient('Protected');
      const primary = await newKey({ clientId: c.id });
      const other = await newKey({ clientId: c.id });
      assertProblem(await call(t, 'PATCH', `/v1/keys/${primary.key.keyId}`, h, { isPrimary: false }), 409, 'PRIMARY_KEY_PROTECTED');
      assertProblem(await call(t, 'DELETE', `/v1/keys/${primary.key.keyId}`, h), 409, 'PRIMARY_KEY_PROTECTED');
      assertProblem(await call(t, 'DELETE', `/v1/keys/${acc.keyId}`, h), 409, 'PRIMARY_KEY_PROTECTED');
      assert.equal((await getKey(primary.key.keyId)).isPrimary, true);

      const del = await call(t, 'DELETE', `/v1/keys/${other.key.keyId}`, h);
      assert.equal(del.status, 204);
      assert.equal(del.raw, '');
      assertProblem(await call(t, 'GET', `/v1/keys/${other.key.keyId}`, h), 404, 'KEY_NOT_FOUND');
      assertProblem(await call(t, 'DELETE', `/v1/keys/${other.key.keyId}`, h), 404, 'KEY_NOT_FOUND');
      assert.equal(await works(other.token), 401);
      assert.equal(await works(primary.token), 200);
    });

    it('GET and list never return a secret, a token or a hash', async () => {
      const c = await newClient('Secretive');
      const k = await newKey({ clientId: c.id, name: 'hidden' });
      const got = await call(t, 'GET', `/v1/keys/${k.key.keyId}`, h);
      assert.equal(got.status, 200);
      assert.equal(got.headers['content-type'], JSON_TYPE);
      assert.deepEqual(Object.keys(got.body).sort(), KEY_KEYS);
      assert.deepEqual({ ...got.body, lastUsedAt: null }, { ...k.key, lastUsedAt: null });
      assertNoSecrets(got, k.secret, k.token);
      const list = await call(t, 'GET', '/v1/keys?limit=100', h);
      assert.equal(list.status, 200);
      assertNoSecrets(list, k.secret, k.token, acc.secret);
      for (const item of list.body.data) assert.deepEqual(Object.keys(item).sort(), KEY_KEYS);
      const patched = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { name: 'renamed' });
      assert.equal(patched.body.name, 'renamed');
      assertNoSecrets(patched, k.secret, k.token);
    });

    it('lists filter by clientId and owner, and page with a cursor', async () => {
      const own = await t.newAccount();
      const oh = own.headers;
      const c1 = await newClient('Lister one', oh);
      const c2 = await newClient('Lister two', oh);
      const c1Keys: string[] = [];
      for (let i = 0; i < 7; i++) c1Keys.push((await newKey({ clientId: c1.id, name: `k${i}` }, oh)).key.keyId);
      const c2Key = (await newKey({ clientId: c2.id }, oh)).key.keyId;
      const accountKey = (await newKey({ name: 'second account key' }, oh)).key.keyId;
      const ids = async (query: string) => {
        const res = await call(t, 'GET', `/v1/keys?${query}`, oh);
        assert.equal(res.status, 200, res.raw);
        assert.deepEqual(Object.keys(res.body).sort(), ['data', 'nextCursor']);
        return res.body.data.map((k: { keyId: string }) => k.keyId);
      };
      assert.deepEqual(await ids(`clientId=${c1.id}`), [...c1Keys].sort());
      assert.deepEqual(await ids(`clientId=${c2.id}`), [c2Key]);
      assert.deepEqual(await ids(`clientId=${c2.id}&owner=client`), [c2Key]);
      assert.deepEqual(await ids('owner=account'), [own.keyId, accountKey].sort());
      assert.deepEqual(await ids('owner=client'), [...c1Keys, c2Key].sort());
      assert.deepEqual(await ids('limit=100'), [...c1Keys, c2Key, own.keyId, accountKey].sort());

      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await call(t, 'GET', `/v1/keys?clientId=${c1.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, oh);
        assert.equal(res.status, 200, res.raw);
        sizes.push(res.body.data.length);
        seen.push(...res.body.data.map((k: { keyId: string }) => k.keyId));
        cursor = res.body.nextCursor;
      } while (cursor !== null && sizes.length < 5);
      assert.deepEqual(sizes, [3, 3, 1]);
      assert.deepEqual(seen, [...c1Keys].sort());

      // Another account's client is not found; the other account sees none of these keys.
      assertProblem(await call(t, 'GET', `/v1/keys?clientId=${c1.id}`, h), 404, 'CLIENT_NOT_FOUND');
      assertProblem(await call(t, 'GET', `/v1/keys/${c1Keys[0]}`, h), 404, 'KEY_NOT_FOUND');
      assertProblem(await call(t, 'POST', '/v1/keys', h, { clientId: c1.id }), 404, 'CLIENT_NOT_FOUND');
    });

    it('reset: the new secret works and the old one stops at once', async () => {
      const c = await newClient('Reset me');
      const k = await newKey({ clientId: c.id });
      const res = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, h);
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.deepEqual(Object.keys(res.body).sort(), ['key', 'secret', 'token']);
      const r = res.body as Issued;
      assert.equal(r.key.keyId, k.key.keyId);
      assert.notEqual(r.secret, k.secret);
      assert.notEqual(r.token, k.token);
      assert.equal(r.key.hint, r.secret.slice(-4));
      assert.equal(r.key.isPrimary, true);
      assert.equal(await works(r.token), 200);
      assert.equal(await works(k.token), 401);
      assert.equal((await call(t, 'GET', '/v1/keys?limit=1', basic(k.key.keyId, k.secret))).status, 401);
      assert.equal((await call(t, 'GET', '/v1/keys?limit=1', basic(k.key.keyId, r.secret))).status, 200);
      assert.deepEqual((await verify({ token: k.token })).body, { valid: false, code: 'NOT_FOUND', ratelimits: [] });

      // An explicit zero grace period is the same.
      const again = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, h, { gracePeriodSeconds: 0 });
      assert.equal(again.status, 200);
      assert.equal(await works(r.token), 401);
      assert.equal(await works(again.body.token), 200);
    });

    it('reset with gracePeriodSeconds: 60 keeps both secrets working', async () => {
      const c = await newClient('Graceful');
      const k = await newKey({ clientId: c.id });
      const res = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, h, { gracePeriodSeconds: 60 });
      assert.equal(res.status, 200, res.raw);
      assert.equal(await works(res.body.token), 200);
      assert.equal(await works(k.token), 200);
      assert.equal((await verify({ keyId: k.key.keyId, secret: k.secret })).body.code, 'VALID');
      // A second reset without grace drops both older secrets.
      const next = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, h, {});
      assert.equal(next.status, 200);
      assert.equal(await works(k.token), 401);
      assert.equal(await works(res.body.token), 401);
      assert.equal(await works(next.body.token), 200);
      for (const g of [-1, 604801, 1.5]) {
        const bad = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, h, { gracePeriodSeconds: g });
        assertProblem(bad, 400, 'VALIDATION_FAILED');
        assert.equal(bad.body.errors[0].field, 'body.gracePeriodSeconds');
      }
      assert.equal(await works(next.body.token), 200);
    });

    it('a disabled key cannot authenticate and verifies DISABLED; re-enabling restores it', async () => {
      const c = await newClient('Switch');
      const k = await newKey({ clientId: c.id });
      const off = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { enabled: false });
      assert.equal(off.status, 200, off.raw);
      assert.equal(off.body.enabled, false);
      assert.equal(await works(k.token), 401);
      assert.equal((await call(t, 'GET', '/v1/keys?limit=1', basic(k.key.keyId, k.secret))).status, 401);
      const v = await verify({ token: k.token });
      assert.equal(v.status, 200);
      assert.deepEqual(Object.keys(v.body).sort(), VERIFY_KEYS);
      assert.equal(v.body.valid, false);
      assert.equal(v.body.code, 'DISABLED');
      // A wrong secret for a disabled key says nothing about the key.
      assert.deepEqual((await verify({ keyId: k.key.keyId, secret: 'x'.repeat(43) })).body, { valid: false, code: 'NOT_FOUND', ratelimits: [] });
      const on = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { enabled: true });
      assert.equal(on.body.enabled, true);
      assert.equal(await works(k.token), 200);
    });

    it('expiresAt in the past is refused on create and update (400, nothing created)', async () => {
      const before = await countRows(t, 'api_keys', acc.accountId);
      for (const expiresAt of [new Date(Date.now() - 60_000).toISOString(), '2001-01-01T00:00:00Z']) {
        const res = await call(t, 'POST', '/v1/keys', h, { expiresAt });
        assertProblem(res, 400, 'VALIDATION_FAILED');
        assert.equal(res.body.errors[0].field, 'body.expiresAt');
      }
      assert.equal(await countRows(t, 'api_keys', acc.accountId), before);
      const k = await newKey({ expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      assert.match(k.key.expiresAt, ISO_Z);
      const upd = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { expiresAt: '2001-01-01T00:00:00Z' });
      assertProblem(upd, 400, 'VALIDATION_FAILED');
      assert.equal(upd.body.errors[0].field, 'body.expiresAt');
      const cleared = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { expiresAt: null });
      assert.equal(cleared.body.expiresAt, null);
    });

    it('verify: a token and a key id + secret are VALID with their owner', async () => {
      const c = await newClient('Verified');
      const k = await newKey({ clientId: c.id, scopes: ['invoices:read'] });
      for (const body of [{ token: k.token }, { keyId: k.key.keyId, secret: k.secret }]) {
        const res = await verify(body);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assert.deepEqual(res.body, {
          valid: true,
          code: 'VALID',
          keyId: k.key.keyId,
          accountId: acc.accountId,
          clientId: c.id,
          expiresAt: null,
          scopes: ['invoices:read'],
          ratelimits: [],
        });
      }
      const accountKey = await verify({ token: acc.token });
      assert.equal(accountKey.body.code, 'VALID');
      assert.equal(accountKey.body.clientId, null);
      assert.equal(accountKey.body.accountId, acc.accountId);
      // A client principal verifies its own client's key.
      assert.equal((await verify({ token: k.token }, { 'x-api-key': k.token })).body.code, 'VALID');
    });

    it('verify: a wrong secret, an unknown key, a junk token and another account key all answer NOT_FOUND alike', async () => {
      const c = await newClient('Hidden');
      const k = await newKey({ clientId: c.id });
      const other = await t.newAccount();
      const wrongSecret = k.secret.slice(0, -1) + (k.secret.endsWith('a') ? 'b' : 'a');
      const answers = [
        await verify({ keyId: k.key.keyId, secret: wrongSecret }),
        await verify({ keyId: MISSING_KEY, secret: k.secret }),
        await verify({ keyId: 'not-a-key-id', secret: k.secret }),
        await verify({ token: 'clt_garbage' }),
        await verify({ token: k.token.slice(0, -1) + (k.token.endsWith('a') ? 'b' : 'a') }),
        await verify({ token: other.token }),
        await verify({ token: k.token }, other.headers),
      ];
      for (const res of answers) {
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assert.equal(res.raw, '{"valid":false,"code":"NOT_FOUND","ratelimits":[]}');
      }
      // A client principal may not verify its sibling's key.
      const sibling = await newKey({ clientId: (await newClient('Sibling')).id });
      assert.deepEqual((await verify({ token: sibling.token }, { 'x-api-key': k.token })).body, { valid: false, code: 'NOT_FOUND', ratelimits: [] });
    });

    it('verify: a deactivated client gives CLIENT_INACTIVE', async () => {
      const c = await newClient('Dormant');
      const k = await newKey({ clientId: c.id });
      assert.equal((await call(t, 'POST', `/v1/clients/${c.id}/deactivate`, h)).status, 200);
      const res = await verify({ token: k.token });
      assert.equal(res.body.valid, false);
      assert.equal(res.body.code, 'CLIENT_INACTIVE');
      assert.equal(res.body.keyId, k.key.keyId);
      assert.equal(res.body.clientId, c.id);
      assert.equal(await works(k.token), 401);
      await call(t, 'POST', `/v1/clients/${c.id}/activate`, h);
      assert.equal((await verify({ token: k.token })).body.code, 'VALID');
    });

    it('Basic base64(keyId:secret) authenticates; a wrong or malformed one is 401', async () => {
      const ok = await call(t, 'GET', `/v1/keys/${acc.keyId}`, basic(acc.keyId, acc.secret));
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(ok.body.keyId, acc.keyId);
      assertProblem(await call(t, 'GET', '/v1/keys', basic(acc.keyId, acc.secret + 'x')), 401, 'UNAUTHENTICATED');
      assertProblem(await call(t, 'GET', '/v1/keys', basic(MISSING_KEY, acc.secret)), 401, 'UNAUTHENTICATED');
      assertProblem(await call(t, 'GET', '/v1/keys', basic('ck_\u0000', acc.secret)), 401, 'UNAUTHENTICATED');
      assertProblem(await call(t, 'GET', '/v1/keys', { authorization: 'Basic !!!' }), 401, 'UNAUTHENTICATED');
      // A valid credential next to an invalid one is refused.
      assertProblem(await call(t, 'GET', '/v1/keys', { ...basic(acc.keyId, acc.secret), 'x-api-key': 'clt_nope' }), 401, 'UNAUTHENTICATED');
    });

    it('lastUsedAt is set after a use (once the usage batch is flushed)', async () => {
      const k = await newKey({ name: 'usage' });
      assert.equal((await getKey(k.key.keyId)).lastUsedAt, null);
      const before = Date.now();
      assert.equal(await works(k.token), 200);
      await t.services.keyUsage.flush();
      const used = await getKey(k.key.keyId);
      assert.match(used.lastUsedAt, ISO_Z);
      assert.ok(Date.parse(used.lastUsedAt) >= before - 1000, used.lastUsedAt);
      assert.ok(Date.parse(used.lastUsedAt) <= Date.now() + 1000, used.lastUsedAt);
      const row = await t.database.db.selectFrom('api_keys').select('use_count').where('key_id', '=', k.key.keyId).executeTakeFirstOrThrow();
      assert.equal(Number(row.use_count), 1);
    });

    it('a client principal manages only its own client keys', async () => {
      const c = await newClient('Self-service');
      const k = await newKey({ clientId: c.id });
      const asClient = { 'x-api-key': k.token };
      const mine = await newKey({ name: 'made by the client' }, asClient);
      assert.equal(mine.key.clientId, c.id);
      assert.equal(mine.key.isPrimary, false);
      const list = await call(t, 'GET', '/v1/keys?limit=100', asClient);
      assert.deepEqual(
        list.body.data.map((x: { keyId: string }) => x.keyId),
        [k.key.keyId, mine.key.keyId].sort(),
      );
      // docs/design.md §3: inside its account, a client naming another owner's key is forbidden.
      assertProblem(await call(t, 'GET', `/v1/keys/${acc.keyId}`, asClient), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'POST', '/v1/keys', asClient, { clientId: (await newClient('Neighbour')).id }), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'POST', `/v1/keys/${acc.keyId}/reset`, asClient), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'DELETE', `/v1/keys/${acc.keyId}`, asClient), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'GET', `/v1/keys/${MISSING_KEY}`, asClient), 404, 'KEY_NOT_FOUND');
      assert.equal(await works(acc.token), 200);
    });

    it('Idempotency-Key on POST /v1/keys replays the same key and secret', async () => {
      const own = await t.newAccount();
      const headers = { ...own.headers, 'idempotency-key': 'key-create-1' };
      const first = await call(t, 'POST', '/v1/keys', headers, { name: 'idem' });
      assert.equal(first.status, 201, first.raw);
      const second = await call(t, 'POST', '/v1/keys', headers, { name: 'idem' });
      assert.equal(second.status, 201);
      assert.equal(second.headers['idempotent-replayed'], 'true');
      assert.deepEqual(second.body, first.body);
      assert.equal(await countRows(t, 'api_keys', own.accountId), 2);
      assertProblem(await call(t, 'POST', '/v1/keys', headers, { name: 'other' }), 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await countRows(t, 'api_keys', own.accountId), 2);
    });

    it('unknown key ids are 404 KEY_NOT_FOUND on every key route', async () => {
      assertProblem(await call(t, 'GET', `/v1/keys/${MISSING_KEY}`, h), 404, 'KEY_NOT_FOUND');
      assertProblem(await call(t, 'PATCH', `/v1/keys/${MISSING_KEY}`, h, { name: 'x' }), 404, 'KEY_NOT_FOUND');
      assertProblem(await call(t, 'DELETE', `/v1/keys/${MISSING_KEY}`, h), 404, 'KEY_NOT_FOUND');
      assertProblem(await call(t, 'POST', `/v1/keys/${MISSING_KEY}/reset`, h), 404, 'KEY_NOT_FOUND');
    });
  });

  describe(`native keys with a controllable clock [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let clock = Date.now();
    const advance = (ms: number) => {
      clock += ms;
    };

    before(async () => {
      t = await createTestApp(backend, { now: () => new Date(clock) });
      acc = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    const works = async (token: string) => (await call(t, 'GET', '/v1/keys?limit=1', { 'x-api-key': token })).status;

    it('a key past its expiresAt verifies EXPIRED and cannot authenticate', async () => {
      const expiresAt = new Date(clock + 60_000).toISOString();
      const res = await call(t, 'POST', '/v1/keys', acc.headers, { name: 'short-lived', expiresAt });
      assert.equal(res.status, 201, res.raw);
      const k = res.body as Issued;
      assert.equal(k.key.expiresAt, expiresAt);
      assert.equal(await works(k.token), 200);
      assert.equal((await call(t, 'POST', '/v1/keys/verify', acc.headers, { token: k.token })).body.code, 'VALID');

      advance(59_000);
      assert.equal(await works(k.token), 200);
      advance(1_000); // exactly at expiresAt: expired
      assert.equal(await works(k.token), 401);
      const v = await call(t, 'POST', '/v1/keys/verify', acc.headers, { keyId: k.key.keyId, secret: k.secret });
      assert.deepEqual(v.body, {
        valid: false,
        code: 'EXPIRED',
        keyId: k.key.keyId,
        accountId: acc.accountId,
        clientId: null,
        expiresAt,
        scopes: [],
        ratelimits: [],
      });
      // Extending the expiry revives it.
      const upd = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, acc.headers, { expiresAt: new Date(clock + 60_000).toISOString() });
      assert.equal(upd.status, 200, upd.raw);
      assert.equal(await works(k.token), 200);
    });

    it('an expiresAt before the server clock is refused even if it is after the wall clock', async () => {
      advance(3_600_000);
      const res = await call(t, 'POST', '/v1/keys', acc.headers, { expiresAt: new Date(clock - 1000).toISOString() });
      assertProblem(res, 400, 'VALIDATION_FAILED');
      assert.ok(clock - 1000 > Date.now());
    });

    it('the old secret of a grace-period reset stops when the grace period ends', async () => {
      const k = (await call(t, 'POST', '/v1/keys', acc.headers, { name: 'rotating' })).body as Issued;
      const r = await call(t, 'POST', `/v1/keys/${k.key.keyId}/reset`, acc.headers, { gracePeriodSeconds: 60 });
      assert.equal(r.status, 200);
      advance(59_000);
      assert.equal(await works(k.token), 200);
      assert.equal(await works(r.body.token), 200);
      advance(2_000);
      assert.equal(await works(k.token), 401);
      assert.equal(await works(r.body.token), 200);
    });

    it('lastUsedAt records the server clock of the use', async () => {
      advance(1234);
      const at = new Date(clock).toISOString();
      assert.equal(await works(acc.token), 200);
      await t.services.keyUsage.flush();
      const got = await call(t, 'GET', `/v1/keys/${acc.keyId}`, acc.headers);
      assert.equal(got.body.lastUsedAt, at);
    });
  });
}
