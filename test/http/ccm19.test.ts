/**
 * CCM19 Hosting API, Client resource (docs/ccm19.md): all eight operations
 * with the exact Client model, create defaults (active false, *MaxCount 0, features all
 * true), write-only password/passwordHash, 400 naming the property, 404 for unknown and
 * non-UUID ids, 204 without a body, `?apiKey=` (and header) authentication, by-username,
 * by-apiKey (client key tokens only), clientgetid (username or e-mail), CCM19 ↔ /v1 round
 * trips both ways, and the streamed list staying a valid JSON array past 1,000 clients.
 * Usage counters on this surface are covered by test/http/usage.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { clientDataKeyAad } from '../../src/core/clients.js';
import type { Client } from '../../src/core/types.js';
import { createDataKey } from '../../src/crypto/data-keys.js';
import { uuidv7 } from '../../src/crypto/random.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, call, JSON_TYPE, PROBLEM_TYPE, UUID } from '../support/http.js';

/** The streamed list: JSON, with or without the (redundant, RFC 8259) charset parameter. */
const STREAM_JSON_TYPE = /^application\/json(; charset=utf-8)?$/;
const FEATURES = [
  'canUseABTests',
  'canUseAnalytics',
  'canUseConsentSharing',
  'canUseDomAPI',
  'canUseIAB',
  'canUseIframeCSS',
  'canUseIframes',
  'canUseIndCSS',
  'canUseMultiDom',
  'canUseOwnLogo',
  'canUseScripts',
  'canUseUserGroupRights',
  'moreThan2Lang',
].sort();
const CLIENT_KEYS = [
  'active',
  'autoCreateDomains',
  'company',
  'domainCount',
  'domainMaxCount',
  'emailAddress',
  'features',
  'firstName',
  'id',
  'lastName',
  'username',
  'whitelabelCount',
  'whitelabelMaxCount',
  'widgetDisplayCount',
  'widgetDisplayMaxCount',
].sort();
const LIST_KEYS = [...CLIENT_KEYS, 'actualCallCount', 'domainCountData'].sort();
const UNKNOWN_ID = '00000000-0000-7000-8000-000000000000';

/** Exact Client model: keys, types, feature set; never a password. */
function assertClient(c: any, keys = CLIENT_KEYS): void {
  assert.deepEqual(Object.keys(c).sort(), keys);
  assert.match(c.id, UUID);
  for (const f of ['username', 'firstName', 'lastName', 'emailAddress', 'company']) assert.ok(c[f] === null || typeof c[f] === 'string', `${f} is ${typeof c[f]}`);
  assert.equal(typeof c.active, 'boolean');
  assert.equal(typeof c.autoCreateDomains, 'boolean');
  for (const f of ['domainCount', 'domainMaxCount', 'whitelabelCount', 'whitelabelMaxCount', 'widgetDisplayCount', 'widgetDisplayMaxCount'])
    assert.ok(Number.isInteger(c[f]), `${f} is not an integer`);
  assert.deepEqual(Object.keys(c.features).sort(), FEATURES);
  for (const f of FEATURES) assert.equal(typeof c.features[f], 'boolean');
}

const allFeatures = (value: boolean) => Object.fromEntries(FEATURES.map((f) => [f, value]));

/** A `$2y$` (PHP) bcrypt hash of `password`. */
const phpHash = (password: string) => bcrypt.hashSync(password, 4).replace(/^\$2[ab]\$/, '$2y$');

for (const backend of testBackends()) {
  describe(`CCM19 hosting client API [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let other: TestAccount;
    let n = 0;
    const q = () => `apiKey=${acc.token}`;
    const url = (path: string, token = acc.token) => `/hosting/api${path}${path.includes('?') ? '&' : '?'}apiKey=${token}`;
    const ccm = (method: string, path: string, payload?: unknown, token = acc.token) => call(t, method, url(path, token), {}, payload);
    const unique = (base: string) => `${base}${++n}`;
    const create = async (body: Record<string, unknown> = {}, token = acc.token) => {
      const username = unique('user');
      const res = await ccm('POST', '/client', { username, password: 'client password', emailAddress: `${username}@example.com`, ...body }, token);
      assert.equal(res.status, 201, res.raw);
      return res.body;
    };
    const login = (clientUid: string, username: string, password: string) => call(t, 'POST', '/api/token/', {}, { username, password, client_uid: clientUid });
    const native = async (id: string, who: TestAccount = acc) => {
      const res = await call(t, 'GET', `/v1/clients/${id}`, who.headers);
      assert.equal(res.status, 200, res.raw);
      return res.body;
    };

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      other = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    describe('authentication', () => {
      it('accepts the account key token as ?apiKey= and as X-API-Key', async () => {
        const viaQuery = await call(t, 'GET', `/hosting/api/client?${q()}`);
        assert.equal(viaQuery.status, 200, viaQuery.raw);
        const viaHeader = await call(t, 'GET', '/hosting/api/client', acc.headers);
        assert.equal(viaHeader.status, 200, viaHeader.raw);
        assert.deepEqual(viaHeader.body, viaQuery.body);
      });

      it('401 problem+json without a key, with a wrong key or a garbage key, on every operation', async () => {
        const c = await create();
        const wrong = acc.token.slice(0, 30) + (acc.token[30] === 'A' ? 'B' : 'A') + acc.token.slice(31);
        const routes: Array<[string, string, unknown?]> = [
          ['POST', '/hosting/api/client', { username: 'x', password: 'x', emailAddress: 'x@example.com' }],
          ['GET', '/hosting/api/client'],
          ['GET', `/hosting/api/client/${c.id}`],
          ['PUT', `/hosting/api/client/${c.id}`, { company: 'Hacked' }],
          ['DELETE', `/hosting/api/client/${c.id}`],
          ['GET', `/hosting/api/client/by-username/${c.username}`],
          ['GET', `/hosting/api/client/by-apiKey/${acc.token}`],
          ['GET', `/hosting/api/clientgetid/${c.username}`],
        ];
        for (const [method, path, payload] of routes) {
          for (const suffix of ['', `?apiKey=${wrong}`, '?apiKey=garbage']) {
            const res = await call(t, method, path + suffix, {}, payload);
            assertProblem(res, 401, 'UNAUTHENTICATED');
          }
        }
        const still = await ccm('GET', `/client/${c.id}`);
        assert.equal(still.status, 200);
        assert.equal(still.body.company, null);
      });

      it('a client-level key token is not an account credential here (403; 401 while its client is inactive)', async () => {
        const inactive = await create();
        const inactiveKey = await call(t, 'POST', '/v1/keys', acc.headers, { clientId: inactive.id });
        assert.equal(inactiveKey.status, 201, inactiveKey.raw);
        assertProblem(await ccm('GET', '/client', undefined, inactiveKey.body.token), 401, 'UNAUTHENTICATED');
        const c = await create({ active: true });
        const key = await call(t, 'POST', '/v1/keys', acc.headers, { clientId: c.id });
        assert.equal(key.status, 201, key.raw);
        assertProblem(await ccm('GET', '/client', undefined, key.body.token), 403, 'FORBIDDEN');
        assertProblem(await ccm('GET', `/client/${c.id}`, undefined, key.body.token), 403, 'FORBIDDEN');
      });
    });

    describe('POST /hosting/api/client', () => {
      it('201 with the exact Client model and the vendor defaults', async () => {
        const res = await ccm('POST', '/client', { username: 'defaults', password: 'pw', emailAddress: 'defaults@example.com' });
        assert.equal(res.status, 201, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assertClient(res.body);
        assert.deepEqual(
          { ...res.body, id: 'x' },
          {
            id: 'x',
            username: 'defaults',
            active: false,
            firstName: null,
            lastName: null,
            emailAddress: 'defaults@example.com',
            company: null,
            domainCount: 0,
            domainMaxCount: 0,
            whitelabelCount: 0,
            whitelabelMaxCount: 0,
            widgetDisplayCount: 0,
            widgetDisplayMaxCount: 0,
            autoCreateDomains: false,
            features: allFeatures(true),
          },
        );
        assert.doesNotMatch(res.raw, /password/i);
        const again = await ccm('GET', `/client/${res.body.id}`);
        assert.deepEqual(again.body, res.body);
      });

      it('stores every writable property as sent', async () => {
        const body = {
          username: 'full',
          password: 'pw',
          active: true,
          firstName: 'Ada',
          lastName: 'Lovelace',
          emailAddress: 'ada@example.com',
          company: 'Engines Ltd',
          domainMaxCount: 5,
          whitelabelMaxCount: -1,
          widgetDisplayMaxCount: 10000,
          autoCreateDomains: true,
          features: { canUseIAB: false, moreThan2Lang: false },
        };
        const res = await ccm('POST', '/client', body);
        assert.equal(res.status, 201, res.raw);
        assertClient(res.body);
        const { password: _pw, features, ...rest } = body;
        for (const [k, v] of Object.entries(rest)) assert.deepEqual(res.body[k], v, k);
        assert.deepEqual(res.body.features, { ...allFeatures(true), ...features });
      });

      it('password is write-only and usable; passwordHash ($2y$) is accepted and never echoed; password wins over passwordHash', async () => {
        const a = await create({ active: true, password: 'plain secret 1' });
        assert.equal((await login(a.id, a.username, 'plain secret 1')).status, 200);
        assert.equal((await login(a.id, a.username, 'wrong')).status, 401);

        const hash = phpHash('hashed secret 2');
        assert.match(hash, /^\$2y\$04\$/);
        const b = await ccm('POST', '/client', { username: 'hashed', passwordHash: hash, emailAddress: 'hashed@example.com', active: true });
        assert.equal(b.status, 201, b.raw);
        assert.ok(!b.raw.includes(hash) && !/passwordHash/.test(b.raw), 'passwordHash echoed');
        assert.equal((await login(b.body.id, 'hashed', 'hashed secret 2')).status, 200);
        for (const r of [await ccm('GET', `/client/${b.body.id}`), await ccm('GET', '/client'), await ccm('GET', '/client/by-username/hashed')])
          assert.ok(!r.raw.includes(hash) && !/password/i.test(r.raw), 'a password field leaked');

        const both = await ccm('POST', '/client', { username: 'both', password: 'the plain one', passwordHash: phpHash('the hashed one'), emailAddress: 'both@example.com', active: true });
        assert.equal(both.status, 201, both.raw);
        assert.equal((await login(both.body.id, 'both', 'the plain one')).status, 200);
        assert.equal((await login(both.body.id, 'both', 'the hashed one')).status, 401);
      });

      it('400 naming the missing property: username, password (or passwordHash), emailAddress', async () => {
        const ok = { username: 'missing', password: 'pw', emailAddress: 'missing@example.com' };
        for (const [drop, field] of [
          ['username', 'body.username'],
          ['password', 'body.password'],
          ['emailAddress', 'body.emailAddress'],
        ] as const) {
          const { [drop]: _, ...body } = ok;
          assertProblem(await ccm('POST', '/client', body), 400, 'VALIDATION_FAILED', field);
        }
        assertProblem(await ccm('POST', '/client', { ...ok, username: '' }), 400, 'VALIDATION_FAILED', 'body.username');
        assertProblem(await ccm('POST', '/client', { ...ok, password: '' }), 400, 'VALIDATION_FAILED', 'body.password');
        assertProblem(await ccm('POST', '/client'), 400, 'VALIDATION_FAILED');
        assert.equal((await ccm('GET', '/client/by-username/missing')).status, 404, 'nothing was created');
      });

      it('400 naming the invalid property', async () => {
        const ok = { username: 'invalid', password: 'pw', emailAddress: 'invalid@example.com' };
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ emailAddress: 'not an e-mail' }, 'body.emailAddress'],
          [{ active: 'yes' }, 'body.active'],
          [{ domainMaxCount: -2 }, 'body.domainMaxCount'],
          [{ whitelabelMaxCount: 1.5 }, 'body.whitelabelMaxCount'],
          [{ widgetDisplayMaxCount: '10' }, 'body.widgetDisplayMaxCount'],
          [{ autoCreateDomains: 1 }, 'body.autoCreateDomains'],
          [{ features: { canUseIAB: 'no' } }, 'body.features.canUseIAB'],
          [{ features: { canFly: true } }, 'body.features'],
          [{ passwordHash: '$1$notbcrypt', password: undefined }, 'body.passwordHash'],
          [{ email: 'x@example.com' }, 'body'],
        ];
        for (const [patch, field] of cases) {
          const res = await ccm('POST', '/client', { ...ok, ...patch });
          assert.equal(res.status, 400, `${JSON.stringify(patch)}: ${res.raw}`);
          assert.equal(res.headers['content-type'], PROBLEM_TYPE);
          assert.equal(res.body.code, 'VALIDATION_FAILED');
          assert.ok(
            res.body.errors.some((e: any) => e.field === field || e.field.startsWith(`${field}.`) || (field === 'body' && e.field.startsWith('body'))),
            `${field} not named: ${res.raw}`,
          );
        }
        assert.equal((await ccm('GET', '/client/by-username/invalid')).status, 404, 'nothing was created');
      });

      it('400 "username already in use", case-insensitively and across surfaces, but only within one account', async () => {
        await create({ username: 'Taken' });
        const dup = await ccm('POST', '/client', { username: 'tAKEN', password: 'pw', emailAddress: 'dup@example.com' });
        assertProblem(dup, 400, 'VALIDATION_FAILED', 'body.username');
        assert.match(dup.body.detail, /already in use/);
        const nat = await call(t, 'POST', '/v1/clients', acc.headers, { name: 'Native', username: 'NativeUser' });
        assert.equal(nat.status, 201, nat.raw);
        assertProblem(await ccm('POST', '/client', { username: 'nativeuser', password: 'pw', emailAddress: 'n@example.com' }), 400, 'VALIDATION_FAILED', 'body.username');
        const elsewhere = await ccm('POST', '/client', { username: 'taken', password: 'pw', emailAddress: 'taken@example.com' }, other.token);
        assert.equal(elsewhere.status, 201, elsewhere.raw);
      });
    });

    describe('GET, PUT, DELETE /hosting/api/client/{clientId}', () => {
      it("GET returns the client; 404 for an unknown id, a non-UUID id and another account's client", async () => {
        const c = await create({ company: 'Reader' });
        const res = await ccm('GET', `/client/${c.id}`);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assertClient(res.body);
        assert.deepEqual(res.body, c);
        const theirs = await create({}, other.token);
        for (const id of [UNKNOWN_ID, 'not-a-uuid', '12345', theirs.id]) assertProblem(await ccm('GET', `/client/${id}`), 404, 'CLIENT_NOT_FOUND');
      });

      it('PUT is partial: given properties change, absent ones (password included) stay', async () => {
        const c = await create({ active: true, firstName: 'Old', company: 'Old Co', password: 'keep me', features: { canUseIAB: false } });
        const res = await ccm('PUT', `/client/${c.id}`, {
          firstName: 'New',
          lastName: 'Name',
          company: null,
          emailAddress: 'new@example.com',
          domainMaxCount: 3,
          widgetDisplayMaxCount: -1,
          autoCreateDomains: true,
          features: { canUseScripts: false },
        });
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assertClient(res.body);
        assert.deepEqual(res.body, {
          ...c,
          firstName: 'New',
          lastName: 'Name',
          company: null,
          emailAddress: 'new@example.com',
          domainMaxCount: 3,
          widgetDisplayMaxCount: -1,
          autoCreateDomains: true,
          features: { ...allFeatures(true), canUseIAB: false, canUseScripts: false },
        });
        assert.deepEqual((await ccm('GET', `/client/${c.id}`)).body, res.body);
        assert.equal((await login(c.id, c.username, 'keep me')).status, 200, 'the password was kept');

        const pw = await ccm('PUT', `/client/${c.id}`, { password: 'changed' });
        assert.equal(pw.status, 200, pw.raw);
        assert.doesNotMatch(pw.raw, /password/i);
        assert.equal((await login(c.id, c.username, 'changed')).status, 200);
        assert.equal((await login(c.id, c.username, 'keep me')).status, 401);
      });

      it('PUT accepts a GET body sent back unchanged (read-only properties are ignored)', async () => {
        const c = await create({ company: 'Echo' });
        const listed = (await ccm('GET', '/client')).body.find((x: any) => x.id === c.id);
        const res = await ccm('PUT', `/client/${c.id}`, { ...listed, id: UNKNOWN_ID, domainCount: 99, active: true });
        assert.equal(res.status, 200, res.raw);
        assert.deepEqual(res.body, { ...c, active: true });
      });

      it('PUT: 400 naming the property (invalid e-mail, taken username), 404 unknown / non-UUID / other account', async () => {
        const c = await create();
        const taken = await create();
        assertProblem(await ccm('PUT', `/client/${c.id}`, { emailAddress: 'broken' }), 400, 'VALIDATION_FAILED', 'body.emailAddress');
        assertProblem(await ccm('PUT', `/client/${c.id}`, { username: taken.username.toUpperCase() }), 400, 'VALIDATION_FAILED', 'body.username');
        assertProblem(await ccm('PUT', `/client/${c.id}`, { domainMaxCount: -5 }), 400, 'VALIDATION_FAILED', 'body.domainMaxCount');
        assertProblem(await ccm('PUT', `/client/${c.id}`, { nickname: 'x' }), 400, 'VALIDATION_FAILED');
        assert.deepEqual((await ccm('GET', `/client/${c.id}`)).body, c, 'nothing changed');
        const theirs = await create({}, other.token);
        for (const id of [UNKNOWN_ID, 'nope', theirs.id]) assertProblem(await ccm('PUT', `/client/${id}`, { company: 'X' }), 404, 'CLIENT_NOT_FOUND');
        assert.equal((await ccm('GET', `/client/${theirs.id}`, undefined, other.token)).body.company, null);
      });

      it('DELETE answers 204 with no body; then 404; 404 for unknown / non-UUID / other account', async () => {
        const c = await create();
        const res = await ccm('DELETE', `/client/${c.id}`);
        assert.equal(res.status, 204, res.raw);
        assert.equal(res.raw, '');
        assert.equal(res.headers['content-length'] ?? '0', '0');
        assert.equal(res.headers['content-type'], undefined);
        assertProblem(await ccm('GET', `/client/${c.id}`), 404, 'CLIENT_NOT_FOUND');
        assertProblem(await ccm('DELETE', `/client/${c.id}`), 404, 'CLIENT_NOT_FOUND');
        assert.equal((await call(t, 'GET', `/v1/clients/${c.id}`, acc.headers)).status, 404);
        const theirs = await create({}, other.token);
        for (const id of [UNKNOWN_ID, 'nope', theirs.id]) assertProblem(await ccm('DELETE', `/client/${id}`), 404, 'CLIENT_NOT_FOUND');
        assert.equal((await ccm('GET', `/client/${theirs.id}`, undefined, other.token)).status, 200);
      });
    });

    describe('searches', () => {
      it('by-username finds the client case-insensitively; 404 otherwise', async () => {
        const c = await create({ username: 'MixedCase' });
        for (const u of ['MixedCase', 'mixedcase', 'MIXEDCASE']) {
          const res = await ccm('GET', `/client/by-username/${u}`);
          assert.equal(res.status, 200, res.raw);
          assertClient(res.body);
          assert.deepEqual(res.body, c);
        }
        const theirs = await create({}, other.token);
        for (const u of ['nobody', theirs.username, 'Mixed']) assertProblem(await ccm('GET', `/client/by-username/${u}`), 404, 'CLIENT_NOT_FOUND');
      });

      it("by-apiKey finds the client owning a client key token; 404 for an account key, a wrong secret, another account's key", async () => {
        const c = await create({ company: 'Key owner' });
        const key = await call(t, 'POST', '/v1/keys', acc.headers, { clientId: c.id });
        assert.equal(key.status, 201, key.raw);
        const token: string = key.body.token;
        const res = await ccm('GET', `/client/by-apiKey/${encodeURIComponent(token)}`);
        assert.equal(res.status, 200, res.raw);
        assertClient(res.body);
        assert.deepEqual(res.body, c);

        const theirs = await create({}, other.token);
        const theirKey = await call(t, 'POST', '/v1/keys', other.headers, { clientId: theirs.id });
        assert.equal(theirKey.status, 201);
        const reset = await call(t, 'POST', `/v1/keys/${key.body.key.keyId}/reset`, acc.headers);
        assert.equal(reset.status, 200, reset.raw);
        const otherAccountLevel = await call(t, 'POST', '/v1/keys', acc.headers, { name: 'account level' });
        for (const [label, probe] of [
          ['account key token', acc.token],
          ['another account-level key', otherAccountLevel.body.token],
          ['old (reset) secret', token],
          ["another account's client key", theirKey.body.token],
          ['garbage', 'not-a-token'],
        ] as const) {
          const r = await ccm('GET', `/client/by-apiKey/${encodeURIComponent(probe)}`);
          assert.equal(r.status, 404, `${label}: ${r.raw}`);
          assertProblem(r, 404, 'CLIENT_NOT_FOUND');
        }
        const fresh = await ccm('GET', `/client/by-apiKey/${encodeURIComponent(reset.body.token)}`);
        assert.equal(fresh.status, 200, fresh.raw);
        assert.equal(fresh.body.id, c.id);
      });

      it('clientgetid/{searchTerm} finds by username or e-mail address; 404 otherwise', async () => {
        const c = await create({ username: 'searchme', emailAddress: 'found.me@example.com' });
        for (const term of ['searchme', 'SearchMe', 'found.me@example.com']) {
          const res = await ccm('GET', `/clientgetid/${encodeURIComponent(term)}`);
          assert.equal(res.status, 200, `${term}: ${res.raw}`);
          assertClient(res.body);
          assert.deepEqual(res.body, c);
        }
        const theirs = await create({}, other.token);
        for (const term of ['nobody', 'nobody@example.com', theirs.username, theirs.emailAddress]) assertProblem(await ccm('GET', `/clientgetid/${encodeURIComponent(term)}`), 404, 'CLIENT_NOT_FOUND');
      });
    });

    describe('GET /hosting/api/client (list)', () => {
      it("a plain JSON array of list items (Client + actualCallCount + domainCountData), only this account's", async () => {
        const c = await create({ company: 'Listed' });
        const theirs = await create({}, other.token);
        const res = await ccm('GET', '/client');
        assert.equal(res.status, 200, res.raw);
        assert.match(String(res.headers['content-type']), STREAM_JSON_TYPE);
        assert.ok(Array.isArray(res.body));
        assert.ok(res.body.length >= 2);
        for (const item of res.body) {
          assertClient(item, LIST_KEYS);
          assert.ok(Number.isInteger(item.actualCallCount));
          assert.ok(Array.isArray(item.domainCountData));
        }
        const mine = res.body.find((x: any) => x.id === c.id);
        assert.deepEqual(mine, { ...c, actualCallCount: 0, domainCountData: [] });
        assert.ok(!res.body.some((x: any) => x.id === theirs.id));
        assert.doesNotMatch(res.raw, /password/i);
      });

      it('an account without clients gets []', async () => {
        const empty = await t.newAccount();
        const res = await ccm('GET', '/client', undefined, empty.token);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.raw, '[]');
      });

      it('streams a valid JSON array of 1,200 clients (several batches)', async () => {
        const big = await t.newAccount();
        const ids: string[] = [];
        const ctx = t.services.ctx;
        const now = new Date();
        await ctx.store.transaction(async (tx) => {
          for (let i = 0; i < 1200; i++) {
            const id = uuidv7();
            ids.push(id);
            const client: Client = {
              id,
              accountId: big.accountId,
              name: `Bulk ${i}`,
              description: null,
              siret: null,
              username: `bulk${i}`,
              emailAddress: `bulk${i}@example.com`,
              firstName: null,
              lastName: null,
              company: `Bulk ${i}`,
              passwordHash: null,
              isActive: i % 2 === 0,
              features: {},
              limits: { domains: i },
              metadata: {},
              ratelimits: [],
              dataKey: createDataKey(ctx.keyring, clientDataKeyAad(big.accountId, id)).wrapped,
              createdAt: now,
              updatedAt: now,
            };
            await tx.clients.insert(client);
          }
        });
        const res = await ccm('GET', '/client', undefined, big.token);
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-type']), STREAM_JSON_TYPE);
        const items = JSON.parse(res.raw); // throws if the stream is not one valid JSON document
        assert.ok(Array.isArray(items));
        assert.equal(items.length, 1200);
        assert.deepEqual(new Set(items.map((x: any) => x.id)), new Set(ids));
        const byId = new Map(items.map((x: any) => [x.id, x]));
        for (const i of [0, 499, 500, 999, 1000, 1199]) {
          const item: any = byId.get(ids[i]!);
          assertClient(item, LIST_KEYS);
          assert.equal(item.username, `bulk${i}`);
          assert.equal(item.active, i % 2 === 0);
          assert.equal(item.domainMaxCount, i);
          assert.equal(item.whitelabelMaxCount, -1, 'no limit stored = unlimited');
        }
      });
    });

    describe('round trips with /v1', () => {
      it('a client created on CCM19 reads back consistently on /v1 (name from company, then first+last, then username)', async () => {
        const a = await create({ company: 'Acme GmbH', firstName: 'Jo', lastName: 'Doe', domainMaxCount: 7, features: { canUseIAB: false } });
        const na = await native(a.id);
        assert.equal(na.name, 'Acme GmbH');
        assert.equal(na.username, a.username);
        assert.equal(na.emailAddress, a.emailAddress);
        assert.equal(na.firstName, 'Jo');
        assert.equal(na.lastName, 'Doe');
        assert.equal(na.company, 'Acme GmbH');
        assert.equal(na.isActive, false);
        assert.equal(na.hasPassword, true);
        assert.deepEqual(na.limits, { domains: 7, whitelabels: 0, widgetDisplaysPerMonth: 0 });
        assert.deepEqual(na.features, { ...allFeatures(true), canUseIAB: false, autoCreateDomains: false });
        assert.doesNotMatch(JSON.stringify(na), /client password/);

        assert.equal((await native((await create({ firstName: 'Jo', lastName: 'Doe' })).id)).name, 'Jo Doe');
        const u = await create({ firstName: null, lastName: null });
        assert.equal((await native(u.id)).name, u.username);

        // Changes on /v1 show on CCM19.
        const patched = await call(t, 'PATCH', `/v1/clients/${a.id}`, acc.headers, {
          isActive: true,
          emailAddress: 'moved@example.com',
          limits: { domains: 9, whitelabels: 2, widgetDisplaysPerMonth: -1 },
          features: { ...na.features, canUseIAB: true, autoCreateDomains: true },
        });
        assert.equal(patched.status, 200, patched.raw);
        assert.deepEqual((await ccm('GET', `/client/${a.id}`)).body, {
          ...a,
          active: true,
          emailAddress: 'moved@example.com',
          domainMaxCount: 9,
          whitelabelMaxCount: 2,
          widgetDisplayMaxCount: -1,
          autoCreateDomains: true,
          features: allFeatures(true),
        });
      });

      it('a client created on /v1 without username shows username null on CCM19, and CCM19 edits show on /v1', async () => {
        const created = await call(t, 'POST', '/v1/clients', acc.headers, { name: 'Native only', limits: { domains: 4 }, features: { canUseABTests: false, custom: true } });
        assert.equal(created.status, 201, created.raw);
        const id = created.body.id;
        const res = await ccm('GET', `/client/${id}`);
        assert.equal(res.status, 200, res.raw);
        assertClient(res.body);
        assert.deepEqual(res.body, {
          id,
          username: null,
          active: true,
          firstName: null,
          lastName: null,
          emailAddress: null,
          company: null,
          domainCount: 0,
          domainMaxCount: 4,
          whitelabelCount: 0,
          whitelabelMaxCount: -1,
          widgetDisplayCount: 0,
          widgetDisplayMaxCount: -1,
          autoCreateDomains: false,
          features: { ...allFeatures(true), canUseABTests: false },
        });
        const listed = (await ccm('GET', '/client')).body.find((x: any) => x.id === id);
        assert.equal(listed.username, null);

        const put = await ccm('PUT', `/client/${id}`, { username: 'Adopted', emailAddress: 'adopted@example.com', whitelabelMaxCount: 1, features: { canUseIAB: false } });
        assert.equal(put.status, 200, put.raw);
        assert.equal(put.body.username, 'Adopted');
        const n2 = await native(id);
        assert.equal(n2.name, 'Native only');
        assert.equal(n2.username, 'Adopted');
        assert.equal(n2.emailAddress, 'adopted@example.com');
        assert.deepEqual(n2.limits, { domains: 4, whitelabels: 1 });
        assert.deepEqual(n2.features, { canUseABTests: false, custom: true, canUseIAB: false });
        assert.equal((await ccm('GET', '/client/by-username/adopted')).body.id, id);
      });
    });
  });
}
