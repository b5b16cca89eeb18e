/**
 * Inteliquent Client Key Management (docs/inteliquent.md): the five POST
 * operations under both `/Services/2.0.0/` and `/ClientMgmt/1.0.0/` — exact envelopes and
 * key sets, every documented 409/410 message per operation, the primary-key rules, reset
 * invalidating the old secret, the keys being the account's own keys (as /v1/keys shows
 * them), and authentication: Basic, Bearer from POST /oauth2/token (form body and query
 * parameters), and the flat 401 body for every bad credential.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { basicHeader as basic, bearerHeader as bearer, call, createClient, FORM, ISO_Z, issueKey, JSON_TYPE, KEY_ID, MISSING_KEY, type Res } from '../support/http.js';

const PREFIXES = ['/Services/2.0.0', '/ClientMgmt/1.0.0'] as const;
const OPERATIONS = ['registerClient', 'resetClient', 'deleteClient', 'updateClient', 'getClientList'] as const;
const TIMESTAMP_401 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{4})$/;
const SECRET = /^[0-9A-Za-z]{43}$/;
const ENVELOPE_KEYS = ['companyDetails', 'status', 'statusCode'];
const WITH_SECRET = ['apiSecret', 'createdDate', 'isPrimary', 'keyName', 'privateKey', 'updatedDate'];
const WITHOUT_SECRET = ['createdDate', 'isPrimary', 'keyName', 'privateKey', 'updatedDate'];
const without = (keys: string[], drop: string) => keys.filter((k) => k !== drop);

const MSG = {
  primaryRequired: 'Primary private key is required',
  requiredFields: 'Required fields not sent',
  privateRequired: 'Private key is required',
  invalidPrimary: 'Invalid Primary private key',
  invalidKeys: 'Invalid private keys sent',
  invalidKey: 'Invalid private key',
  cannotDeletePrimary: 'Can not delete primary key. Make another key as primary first',
  makeAnotherPrimary: 'Make another key as primary first',
} as const;

/** A documented Inteliquent refusal: flat `{statusCode, status}`, HTTP code = statusCode. */
function assertRefusal(res: Res, code: 409 | 410, message: string): void {
  assert.equal(res.status, code, res.raw);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(res.body, { statusCode: String(code), status: message });
}

/** The Basic-auth failure body of the contract, with HTTP 401. */
function assert401(res: Res): void {
  assert.equal(res.status, 401, res.raw);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(Object.keys(res.body).sort(), ['message', 'status', 'statusCode', 'timestamp']);
  assert.equal(res.body.message, 'Invalid authentication information provided');
  assert.equal(res.body.status, 'Invalid credentials');
  assert.equal(res.body.statusCode, '401001');
  assert.match(res.body.timestamp, TIMESTAMP_401);
  const at = Date.parse(res.body.timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  assert.ok(Math.abs(at - Date.now()) < 60_000, `timestamp ${res.body.timestamp} is not the current time`);
}

/** A success envelope; returns companyDetails. */
function assertSuccess(res: Res): any {
  assert.equal(res.status, 200, res.raw);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(Object.keys(res.body).sort(), ENVELOPE_KEYS);
  assert.equal(res.body.status, 'Success');
  assert.equal(res.body.statusCode, '200');
  assert.equal(typeof res.body.statusCode, 'string');
  assert.equal(typeof res.body.companyDetails, 'object');
  return res.body.companyDetails;
}

for (const backend of testBackends()) {
  describe(`Inteliquent client key management [${backend}]`, () => {
    let t: TestApp;
    let clock = Math.floor(Date.now() / 1000) * 1000;
    const advance = (ms: number) => {
      clock += ms;
    };
    const nowIso = () => new Date(clock).toISOString();

    before(async () => {
      t = await createTestApp(backend, { now: () => new Date(clock) });
    });
    after(async () => {
      await t?.close();
    });

    for (const prefix of PREFIXES) {
      describe(`under ${prefix}`, () => {
        let acc: TestAccount;
        let other: TestAccount;
        let auth: Record<string, string>;
        let clientKey: { keyId: string; secret: string };

        const op = (name: (typeof OPERATIONS)[number], body?: unknown, headers: Record<string, string> = auth) => call(t, 'POST', `${prefix}/${name}`, headers, body);
        const list = async (who: TestAccount = acc, headers: Record<string, string> = basic(who.keyId, who.secret), privateKey = who.keyId) =>
          assertSuccess(await op('getClientList', { privateKey }, headers)).clientKeys as any[];
        const v1Keys = async (who: TestAccount = acc) => {
          const res = await call(t, 'GET', '/v1/keys?owner=account&limit=100', who.headers);
          assert.equal(res.status, 200, res.raw);
          return res.body.data as any[];
        };
        const register = async (body: Record<string, unknown> = {}, who: TestAccount = acc) => {
          const res = await op('registerClient', { primaryPrivateKey: who.keyId, ...body }, basic(who.keyId, who.secret));
          return assertSuccess(res) as { privateKey: string; apiSecret: string; keyName?: string; isPrimary: boolean; createdDate: string; updatedDate: string };
        };
        const keyCount = async (who: TestAccount = acc) => (await v1Keys(who)).length;

        before(async () => {
          acc = await t.newAccount();
          other = await t.newAccount();
          auth = basic(acc.keyId, acc.secret);
          const c = await createClient(t, acc.headers, { name: 'Key-holding client' });
          const k = await issueKey(t, acc.headers, { clientId: c.id, name: 'client key' });
          clientKey = { keyId: k.key.keyId, secret: k.secret };
        });

        describe('getClientList', () => {
          it('lists exactly the account-level keys /v1/keys shows, first key primary, with no apiSecret', async () => {
            const extra = await call(t, 'POST', '/v1/keys', acc.headers, {}); // unnamed, account-level
            assert.equal(extra.status, 201, extra.raw);
            const res = await op('getClientList', { privateKey: acc.keyId });
            const details = assertSuccess(res);
            assert.deepEqual(Object.keys(details), ['clientKeys']);
            assert.ok(Array.isArray(details.clientKeys));
            assert.doesNotMatch(res.raw, /apiSecret/);
            assert.ok(!res.raw.includes(extra.body.secret) && !res.raw.includes(acc.secret), 'a secret leaked');

            const native = await v1Keys();
            assert.deepEqual(details.clientKeys.map((k: any) => k.privateKey).sort(), native.map((k) => k.keyId).sort());
            assert.ok(!details.clientKeys.some((k: any) => k.privateKey === clientKey.keyId), 'a client-owned key is listed');
            for (const k of details.clientKeys) {
              const n = native.find((x) => x.keyId === k.privateKey)!;
              assert.deepEqual(Object.keys(k).sort(), n.name === null ? without(WITHOUT_SECRET, 'keyName') : WITHOUT_SECRET);
              assert.match(k.privateKey, KEY_ID);
              assert.equal(typeof k.isPrimary, 'boolean');
              assert.equal(k.isPrimary, n.isPrimary);
              if (n.name !== null) assert.equal(k.keyName, n.name);
              assert.match(k.createdDate, ISO_Z);
              assert.match(k.updatedDate, ISO_Z);
              assert.equal(k.createdDate, n.createdAt);
              assert.equal(k.updatedDate, n.updatedAt);
            }
            const primaries = details.clientKeys.filter((k: any) => k.isPrimary);
            assert.equal(primaries.length, 1);
            assert.equal(primaries[0].privateKey, acc.keyId, "the account's first key is its primary");
            assert.equal(primaries[0].keyName, 'Primary account key');
            const unnamed = details.clientKeys.find((k: any) => k.privateKey === extra.body.key.keyId);
            assert.equal(unnamed.isPrimary, false);
            assert.ok(!('keyName' in unnamed));
          });

          it('any key of the company may be named in privateKey', async () => {
            const k = await register({ keyName: 'lister' });
            const keys = await list(acc, basic(k.privateKey, k.apiSecret));
            const viaOther = assertSuccess(await op('getClientList', { privateKey: k.privateKey })).clientKeys;
            assert.deepEqual(viaOther.map((x: any) => x.privateKey).sort(), keys.map((x: any) => x.privateKey).sort());
            assert.ok(keys.some((x: any) => x.privateKey === k.privateKey));
          });

          it('410 "Private key is required" when privateKey is missing or empty', async () => {
            assertRefusal(await op('getClientList', {}), 410, MSG.privateRequired);
            assertRefusal(await op('getClientList', { privateKey: '' }), 410, MSG.privateRequired);
            assertRefusal(await op('getClientList'), 410, MSG.privateRequired);
          });

          it('409 "Invalid private key" for an unknown key, another account\'s key or a client-owned key', async () => {
            assertRefusal(await op('getClientList', { privateKey: MISSING_KEY }), 409, MSG.invalidKey);
            assertRefusal(await op('getClientList', { privateKey: other.keyId }), 409, MSG.invalidKey);
            assertRefusal(await op('getClientList', { privateKey: clientKey.keyId }), 409, MSG.invalidKey);
            assertRefusal(await op('getClientList', { privateKey: 'not a key id' }), 409, MSG.invalidKey);
          });
        });

        describe('registerClient', () => {
          it('creates a non-primary account key: exact companyDetails, apiSecret once, dates like 2019-12-16T17:00:12.352Z', async () => {
            advance(1000);
            const before = await keyCount();
            const res = await op('registerClient', { primaryPrivateKey: acc.keyId, keyName: 'key334', isPrimary: false });
            const d = assertSuccess(res);
            assert.deepEqual(Object.keys(d).sort(), WITH_SECRET);
            assert.match(d.privateKey, KEY_ID);
            assert.match(d.apiSecret, SECRET);
            assert.equal(d.keyName, 'key334');
            assert.equal(d.isPrimary, false);
            assert.equal(d.createdDate, nowIso());
            assert.equal(d.updatedDate, nowIso());
            assert.equal(await keyCount(), before + 1);

            // The new key is an account key on /v1 too, and its secret authenticates.
            const native = (await v1Keys()).find((k) => k.keyId === d.privateKey);
            assert.ok(native, 'registered key missing from /v1/keys');
            assert.equal(native.clientId, null);
            assert.equal(native.name, 'key334');
            assert.equal(native.isPrimary, false);
            assert.equal(native.hint, d.apiSecret.slice(-4));
            const listed = await list(acc, basic(d.privateKey, d.apiSecret));
            const item = listed.find((k: any) => k.privateKey === d.privateKey);
            assert.deepEqual(item, { privateKey: d.privateKey, keyName: 'key334', isPrimary: false, createdDate: d.createdDate, updatedDate: d.updatedDate });
            assert.equal(listed.filter((k: any) => k.isPrimary).length, 1);
            assert.equal(listed.find((k: any) => k.isPrimary).privateKey, acc.keyId, 'registering a non-primary key kept the primary');
          });

          it('keyName is omitted from companyDetails when not sent; isPrimary defaults to false', async () => {
            const d = await register();
            assert.deepEqual(Object.keys(d).sort(), without(WITH_SECRET, 'keyName'));
            assert.equal(d.isPrimary, false);
            const native = (await v1Keys()).find((k) => k.keyId === d.privateKey);
            assert.equal(native.name, null);
          });

          it('isPrimary true makes the new key primary and demotes the old primary', async () => {
            const fresh = await t.newAccount();
            const d = await register({ keyName: 'new primary', isPrimary: true }, fresh);
            assert.equal(d.isPrimary, true);
            const keys = await list(fresh, basic(d.privateKey, d.apiSecret));
            assert.deepEqual(
              keys.filter((k: any) => k.isPrimary).map((k: any) => k.privateKey),
              [d.privateKey],
            );
            assert.equal(keys.find((k: any) => k.privateKey === fresh.keyId).isPrimary, false);
            const native = await v1Keys(fresh);
            assert.deepEqual(
              native.filter((k) => k.isPrimary).map((k) => k.keyId),
              [d.privateKey],
            );
            // The old primary still authenticates, but is no longer a valid primaryPrivateKey.
            assertRefusal(await op('registerClient', { primaryPrivateKey: fresh.keyId }, basic(fresh.keyId, fresh.secret)), 409, MSG.invalidPrimary);
            const next = await op('registerClient', { primaryPrivateKey: d.privateKey }, basic(fresh.keyId, fresh.secret));
            assert.equal(assertSuccess(next).isPrimary, false);
          });

          it('410 "Primary private key is required" when primaryPrivateKey is missing or empty; nothing is created', async () => {
            const before = await keyCount();
            assertRefusal(await op('registerClient', { keyName: 'x' }), 410, MSG.primaryRequired);
            assertRefusal(await op('registerClient', { primaryPrivateKey: '', keyName: 'x' }), 410, MSG.primaryRequired);
            assertRefusal(await op('registerClient', {}), 410, MSG.primaryRequired);
            assertRefusal(await op('registerClient'), 410, MSG.primaryRequired);
            assert.equal(await keyCount(), before);
          });

          it('409 "Invalid Primary private key" unless it is the caller\'s primary key id; nothing is created', async () => {
            const nonPrimary = await register({ keyName: 'np' });
            const before = await keyCount();
            for (const primaryPrivateKey of [nonPrimary.privateKey, MISSING_KEY, other.keyId, clientKey.keyId, 'garbage'])
              assertRefusal(await op('registerClient', { primaryPrivateKey, keyName: 'x' }), 409, MSG.invalidPrimary);
            assert.equal(await keyCount(), before);
            assert.equal(await keyCount(other), 1, 'nothing was created in the other account');
          });

          it('410 "Required fields not sent" for fields of the wrong type, and for a body that is not JSON', async () => {
            const before = await keyCount();
            assertRefusal(await op('registerClient', { primaryPrivateKey: acc.keyId, isPrimary: 'yes' }), 410, MSG.requiredFields);
            assertRefusal(await op('registerClient', { primaryPrivateKey: acc.keyId, keyName: 42 }), 410, MSG.requiredFields);
            const malformed = await t.app.inject({ method: 'POST', url: `${prefix}/registerClient`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"primaryPrivateKey":' });
            assertRefusal({ status: malformed.statusCode, headers: malformed.headers, body: JSON.parse(malformed.body), raw: malformed.body }, 410, MSG.requiredFields);
            assert.equal(await keyCount(), before);
          });
        });

        describe('resetClient', () => {
          it('issues a new apiSecret: the old one stops working at once, createdDate stays, updatedDate moves', async () => {
            const k = await register({ keyName: 'to reset' });
            advance(5000);
            const res = await op('resetClient', { primaryPrivateKey: acc.keyId, privateKey: k.privateKey });
            const d = assertSuccess(res);
            assert.deepEqual(Object.keys(d).sort(), WITH_SECRET);
            assert.equal(d.privateKey, k.privateKey);
            assert.match(d.apiSecret, SECRET);
            assert.notEqual(d.apiSecret, k.apiSecret);
            assert.equal(d.keyName, 'to reset');
            assert.equal(d.isPrimary, false);
            assert.equal(d.createdDate, k.createdDate);
            assert.equal(d.updatedDate, nowIso());
            assert.notEqual(d.updatedDate, k.updatedDate);

            assert401(await op('getClientList', { privateKey: acc.keyId }, basic(k.privateKey, k.apiSecret)));
            const keys = await list(acc, basic(k.privateKey, d.apiSecret));
            assert.ok(!JSON.stringify(keys).includes(d.apiSecret));
            assert.equal(keys.find((x: any) => x.privateKey === k.privateKey).updatedDate, d.updatedDate);
          });

          it('410 "Required fields not sent" / "Primary private key is required" / "Private key is required"', async () => {
            const k = await register();
            assertRefusal(await op('resetClient', {}), 410, MSG.requiredFields);
            assertRefusal(await op('resetClient'), 410, MSG.requiredFields);
            assertRefusal(await op('resetClient', { primaryPrivateKey: '', privateKey: '' }), 410, MSG.requiredFields);
            assertRefusal(await op('resetClient', { privateKey: k.privateKey }), 410, MSG.primaryRequired);
            assertRefusal(await op('resetClient', { primaryPrivateKey: acc.keyId }), 410, MSG.privateRequired);
            // Nothing was reset.
            assert.equal((await list(acc, basic(k.privateKey, k.apiSecret))).length > 0, true);
          });

          it('409 "Invalid Primary private key" / "Invalid private keys sent"; nothing is reset', async () => {
            const k = await register();
            assertRefusal(await op('resetClient', { primaryPrivateKey: k.privateKey, privateKey: k.privateKey }), 409, MSG.invalidPrimary);
            assertRefusal(await op('resetClient', { primaryPrivateKey: other.keyId, privateKey: k.privateKey }), 409, MSG.invalidPrimary);
            assertRefusal(await op('resetClient', { primaryPrivateKey: MISSING_KEY, privateKey: k.privateKey }), 409, MSG.invalidPrimary);
            assertRefusal(await op('resetClient', { primaryPrivateKey: acc.keyId, privateKey: MISSING_KEY }), 409, MSG.invalidKeys);
            assertRefusal(await op('resetClient', { primaryPrivateKey: acc.keyId, privateKey: other.keyId }), 409, MSG.invalidKeys);
            assertRefusal(await op('resetClient', { primaryPrivateKey: acc.keyId, privateKey: clientKey.keyId }), 409, MSG.invalidKeys);
            // Every secret involved still works.
            assertSuccess(await op('getClientList', { privateKey: k.privateKey }, basic(k.privateKey, k.apiSecret)));
            assertSuccess(await op('getClientList', { privateKey: other.keyId }, basic(other.keyId, other.secret)));
            const check = await call(t, 'POST', '/v1/keys/verify', acc.headers, { keyId: clientKey.keyId, secret: clientKey.secret });
            assert.equal(check.body.valid, true, check.raw);
          });
        });

        describe('deleteClient', () => {
          it('answers exactly {statusCode:"200", status:"Success"} and the key is gone everywhere', async () => {
            const k = await register({ keyName: 'doomed' });
            const before = await keyCount();
            const res = await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: k.privateKey });
            assert.equal(res.status, 200, res.raw);
            assert.equal(res.headers['content-type'], JSON_TYPE);
            assert.deepEqual(res.body, { statusCode: '200', status: 'Success' });
            assert.equal(await keyCount(), before - 1);
            assert.ok(!(await list()).some((x: any) => x.privateKey === k.privateKey));
            assert.equal((await call(t, 'GET', `/v1/keys/${k.privateKey}`, acc.headers)).status, 404);
            assert401(await op('getClientList', { privateKey: acc.keyId }, basic(k.privateKey, k.apiSecret)));
            // Deleting it again: it is no longer one of the company's keys.
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: k.privateKey }), 409, MSG.invalidKeys);
          });

          it('410 "Can not delete primary key. Make another key as primary first" for the primary key', async () => {
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: acc.keyId }), 410, MSG.cannotDeletePrimary);
            const keys = await list();
            assert.equal(keys.find((x: any) => x.privateKey === acc.keyId).isPrimary, true);
          });

          it('410 "Required fields not sent" / "Primary private key is required" / "Private key is required"', async () => {
            const k = await register();
            const before = await keyCount();
            assertRefusal(await op('deleteClient', {}), 410, MSG.requiredFields);
            assertRefusal(await op('deleteClient'), 410, MSG.requiredFields);
            assertRefusal(await op('deleteClient', { privateKey: k.privateKey }), 410, MSG.primaryRequired);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId }), 410, MSG.privateRequired);
            assert.equal(await keyCount(), before);
          });

          it('409 "Invalid Primary private key" / "Invalid private keys sent"; nothing is deleted', async () => {
            const k = await register();
            const before = await keyCount();
            assertRefusal(await op('deleteClient', { primaryPrivateKey: k.privateKey, privateKey: k.privateKey }), 409, MSG.invalidPrimary);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: other.keyId, privateKey: k.privateKey }), 409, MSG.invalidPrimary);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: MISSING_KEY }), 409, MSG.invalidKeys);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: other.keyId }), 409, MSG.invalidKeys);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: clientKey.keyId }), 409, MSG.invalidKeys);
            assert.equal(await keyCount(), before);
            assert.equal(await keyCount(other), 1);
            const v = await call(t, 'GET', `/v1/keys/${clientKey.keyId}`, acc.headers);
            assert.equal(v.status, 200, 'the client-owned key survived');
          });
        });

        describe('updateClient', () => {
          it('renames a key: companyDetails without apiSecret, createdDate kept, updatedDate moved', async () => {
            const k = await register({ keyName: 'before' });
            advance(3000);
            const res = await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: k.privateKey, keyName: 'after' });
            const d = assertSuccess(res);
            assert.deepEqual(Object.keys(d).sort(), WITHOUT_SECRET);
            assert.doesNotMatch(res.raw, /apiSecret/);
            assert.ok(!res.raw.includes(k.apiSecret));
            assert.deepEqual(d, { privateKey: k.privateKey, keyName: 'after', isPrimary: false, createdDate: k.createdDate, updatedDate: nowIso() });
            const native = (await v1Keys()).find((x) => x.keyId === k.privateKey);
            assert.equal(native.name, 'after');
            // The secret is unchanged.
            assertSuccess(await op('getClientList', { privateKey: acc.keyId }, basic(k.privateKey, k.apiSecret)));
          });

          it('isPrimary true promotes a key and demotes the old primary; the new primary can be neither demoted nor deleted', async () => {
            const fresh = await t.newAccount();
            const freshAuth = basic(fresh.keyId, fresh.secret);
            const k = await register({ keyName: 'promote me' }, fresh);
            const res = await op('updateClient', { primaryPrivateKey: fresh.keyId, privateKey: k.privateKey, isPrimary: true }, freshAuth);
            const d = assertSuccess(res);
            assert.deepEqual(Object.keys(d).sort(), WITHOUT_SECRET);
            assert.equal(d.isPrimary, true);
            assert.equal(d.privateKey, k.privateKey);
            const keys = await list(fresh);
            assert.deepEqual(
              keys.filter((x: any) => x.isPrimary).map((x: any) => x.privateKey),
              [k.privateKey],
            );
            assert.deepEqual(
              (await v1Keys(fresh)).filter((x) => x.isPrimary).map((x) => x.keyId),
              [k.privateKey],
            );

            // The old primary id is no longer accepted as primaryPrivateKey …
            assertRefusal(await op('updateClient', { primaryPrivateKey: fresh.keyId, privateKey: fresh.keyId, keyName: 'x' }, freshAuth), 409, MSG.invalidPrimary);
            // … the new primary can't be made non-primary nor deleted …
            assertRefusal(await op('updateClient', { primaryPrivateKey: k.privateKey, privateKey: k.privateKey, isPrimary: false }, freshAuth), 410, MSG.makeAnotherPrimary);
            assertRefusal(await op('deleteClient', { primaryPrivateKey: k.privateKey, privateKey: k.privateKey }, freshAuth), 410, MSG.cannotDeletePrimary);
            // … and the old one, now non-primary, can be deleted.
            const del = await op('deleteClient', { primaryPrivateKey: k.privateKey, privateKey: fresh.keyId }, basic(k.privateKey, k.apiSecret));
            assert.deepEqual(del.body, { statusCode: '200', status: 'Success' });
            assert.deepEqual(
              (await list(fresh, basic(k.privateKey, k.apiSecret), k.privateKey)).map((x: any) => x.privateKey),
              [k.privateKey],
            );
          });

          it('410 "Make another key as primary first" when the primary key is set to isPrimary false; it stays primary', async () => {
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: acc.keyId, isPrimary: false }), 410, MSG.makeAnotherPrimary);
            assert.equal((await list()).find((x: any) => x.privateKey === acc.keyId).isPrimary, true);
            // isPrimary true on the primary is a no-op success.
            const d = assertSuccess(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: acc.keyId, isPrimary: true }));
            assert.equal(d.isPrimary, true);
            assert.equal(d.privateKey, acc.keyId);
          });

          it('410 "Required fields not sent" / "Primary private key is required" / "Private key is required"', async () => {
            const k = await register({ keyName: 'unchanged' });
            assertRefusal(await op('updateClient', {}), 410, MSG.requiredFields);
            assertRefusal(await op('updateClient', { keyName: 'x' }), 410, MSG.requiredFields);
            assertRefusal(await op('updateClient', { privateKey: k.privateKey, keyName: 'x' }), 410, MSG.primaryRequired);
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, keyName: 'x' }), 410, MSG.privateRequired);
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: k.privateKey, isPrimary: 'true' }), 410, MSG.requiredFields);
            assert.equal((await v1Keys()).find((x) => x.keyId === k.privateKey).name, 'unchanged');
          });

          it('409 "Invalid Primary private key" / "Invalid private keys sent"; nothing is changed', async () => {
            const k = await register({ keyName: 'unchanged' });
            assertRefusal(await op('updateClient', { primaryPrivateKey: k.privateKey, privateKey: k.privateKey, keyName: 'x' }), 409, MSG.invalidPrimary);
            assertRefusal(await op('updateClient', { primaryPrivateKey: other.keyId, privateKey: k.privateKey, keyName: 'x' }), 409, MSG.invalidPrimary);
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: MISSING_KEY, keyName: 'x' }), 409, MSG.invalidKeys);
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: other.keyId, isPrimary: true }), 409, MSG.invalidKeys);
            assertRefusal(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: clientKey.keyId, keyName: 'x' }), 409, MSG.invalidKeys);
            assert.equal((await v1Keys()).find((x) => x.keyId === k.privateKey).name, 'unchanged');
            assert.equal((await v1Keys(other))[0].isPrimary, true);
            assert.equal((await v1Keys(other))[0].name, 'Primary account key');
          });
        });

        describe('keys are the account keys of /v1', () => {
          it('a key created, renamed and deleted on /v1 shows the same on Inteliquent', async () => {
            const created = await call(t, 'POST', '/v1/keys', acc.headers, { name: 'native' });
            assert.equal(created.status, 201, created.raw);
            const id = created.body.key.keyId;
            let item = (await list()).find((x: any) => x.privateKey === id);
            assert.deepEqual(item, { privateKey: id, keyName: 'native', isPrimary: false, createdDate: created.body.key.createdAt, updatedDate: created.body.key.updatedAt });
            // Its secret works as Basic credentials on this surface.
            assertSuccess(await op('getClientList', { privateKey: id }, basic(id, created.body.secret)));
            assert.equal((await call(t, 'PATCH', `/v1/keys/${id}`, acc.headers, { name: 'renamed' })).status, 200);
            item = (await list()).find((x: any) => x.privateKey === id);
            assert.equal(item.keyName, 'renamed');
            assert.equal((await call(t, 'DELETE', `/v1/keys/${id}`, acc.headers)).status, 204);
            assert.ok(!(await list()).some((x: any) => x.privateKey === id));
          });
        });

        describe('authentication', () => {
          it('every operation answers 401 with the Inteliquent body without credentials, with a wrong Basic secret, an unknown key or a garbage Bearer', async () => {
            const bodies: Record<string, unknown> = {
              registerClient: { primaryPrivateKey: acc.keyId },
              resetClient: { primaryPrivateKey: acc.keyId, privateKey: acc.keyId },
              deleteClient: { primaryPrivateKey: acc.keyId, privateKey: acc.keyId },
              updateClient: { primaryPrivateKey: acc.keyId, privateKey: acc.keyId, keyName: 'x' },
              getClientList: { privateKey: acc.keyId },
            };
            const wrongSecret = acc.secret.slice(0, -1) + (acc.secret.endsWith('A') ? 'B' : 'A');
            const credentials: Array<[string, Record<string, string>]> = [
              ['none', {}],
              ['wrong Basic secret', basic(acc.keyId, wrongSecret)],
              ['unknown Basic key', basic(MISSING_KEY, acc.secret)],
              ['malformed Basic', { authorization: 'Basic !!!not-base64' }],
              ['garbage Bearer', bearer('garbage.token.value')],
              ['opaque Bearer', bearer('a12b34567c89012def34g56789hi0j12')],
            ];
            const before = await keyCount();
            for (const name of OPERATIONS) {
              for (const [label, headers] of credentials) {
                const res = await op(name, bodies[name], headers);
                assert.equal(res.status, 401, `${name} with ${label}: ${res.raw}`);
                assert401(res);
              }
            }
            assert.equal(await keyCount(), before);
            assert.equal((await list()).find((x: any) => x.privateKey === acc.keyId).keyName, 'Primary account key');
          });

          it('a client-level key is not a company credential on this surface (401)', async () => {
            assert401(await op('getClientList', { privateKey: acc.keyId }, basic(clientKey.keyId, clientKey.secret)));
            assert401(await op('registerClient', { primaryPrivateKey: acc.keyId }, basic(clientKey.keyId, clientKey.secret)));
          });

          it('Bearer from POST /oauth2/token with a form body works on all five operations', async () => {
            const tok = await call(t, 'POST', '/oauth2/token', FORM, new URLSearchParams({ client_id: acc.keyId, client_secret: acc.secret, grant_type: 'client_credentials' }).toString());
            assert.equal(tok.status, 200, tok.raw);
            assert.equal(tok.body.token_type, 'Bearer');
            assert.equal(typeof tok.body.access_token, 'string');
            assert.equal(typeof tok.body.expires_in, 'number');
            const h = bearer(tok.body.access_token);
            assertSuccess(await op('getClientList', { privateKey: acc.keyId }, h));
            const reg = assertSuccess(await op('registerClient', { primaryPrivateKey: acc.keyId, keyName: 'via bearer' }, h));
            const upd = assertSuccess(await op('updateClient', { primaryPrivateKey: acc.keyId, privateKey: reg.privateKey, keyName: 'renamed via bearer' }, h));
            assert.equal(upd.keyName, 'renamed via bearer');
            const reset = assertSuccess(await op('resetClient', { primaryPrivateKey: acc.keyId, privateKey: reg.privateKey }, h));
            assert.notEqual(reset.apiSecret, reg.apiSecret);
            const del = await op('deleteClient', { primaryPrivateKey: acc.keyId, privateKey: reg.privateKey }, h);
            assert.deepEqual(del.body, { statusCode: '200', status: 'Success' });
          });

          it('Bearer from POST /oauth2/token with query parameters works; the primaryPrivateKey rule still applies', async () => {
            const k = await register({ keyName: 'token holder' });
            const qs = new URLSearchParams({ client_id: k.privateKey, client_secret: k.apiSecret, grant_type: 'client_credentials' }).toString();
            const tok = await call(t, 'POST', `/oauth2/token?${qs}`, {});
            assert.equal(tok.status, 200, tok.raw);
            const h = bearer(tok.body.access_token);
            const keys = assertSuccess(await op('getClientList', { privateKey: k.privateKey }, h)).clientKeys;
            assert.ok(keys.some((x: any) => x.privateKey === k.privateKey));
            // Authenticated by a non-primary key, the caller must still name the company's primary.
            assertRefusal(await op('registerClient', { primaryPrivateKey: k.privateKey }, h), 409, MSG.invalidPrimary);
            assert.equal(assertSuccess(await op('registerClient', { primaryPrivateKey: acc.keyId }, h)).isPrimary, false);
          });

          it('a token for a wrong secret is refused by /oauth2/token and no Bearer works without one', async () => {
            const tok = await call(t, 'POST', '/oauth2/token', FORM, new URLSearchParams({ client_id: acc.keyId, client_secret: 'wrong', grant_type: 'client_credentials' }).toString());
            assert.equal(tok.status, 401, tok.raw);
            assert.equal(tok.body.access_token, undefined);
          });
        });
      });
    }
  });
}
