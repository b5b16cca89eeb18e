/**
 * FactPulse 422s (docs/factpulse.md, Errors): every documented constraint is
 * enforced by the server and answered with FastAPI's exact
 * `{"detail":[{"loc":[…],"msg":"…","type":"…"}]}` (no other key, top level or per item),
 * naming the right location — and the database is unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertValidation, call, FACTPULSE_OPS, newClientKey, runOp, snapshot, validPdpConfig, type Res } from '../support/factpulse.js';

/** 44 base64 characters with no padding decode to 33 bytes. */
const KEY_33_BYTES = Buffer.alloc(33, 7).toString('base64');
const SHORT_KEY = newClientKey().b64.slice(0, 39);

interface Case {
  name: string;
  send: (uid: string) => Promise<Res>;
  locs: Array<Array<string | number>>;
  types?: string[];
}

for (const backend of testBackends()) {
  describe(`FactPulse validation (422) [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let uid: string;
    let key: { raw: Buffer; b64: string };

    before(async () => {
      t = await createTestApp(backend);
      acc = await t.newAccount();
      const res = await call(t, 'POST', '/api/v1/clients', acc.headers, { json: { name: 'Valid', description: 'unchanged', siret: '12345678901234' } });
      assert.equal(res.status, 201, res.raw);
      uid = res.body.uid;
      // A double-encrypted secret, so rotation requests would have something to change.
      key = newClientKey();
      const put = await call(t, 'PUT', `/api/v1/clients/${uid}/pdp-config`, { ...acc.headers, 'x-encryption-key': key.b64 }, { json: { ...validPdpConfig(), encryptionMode: 'double' } });
      assert.equal(put.status, 200, put.raw);
    });
    after(async () => {
      await t?.close();
    });

    const post = (body: unknown) => call(t, 'POST', '/api/v1/clients', acc.headers, { json: body });
    const patch = (u: string, body: unknown) => call(t, 'PATCH', `/api/v1/clients/${u}`, acc.headers, { json: body });
    const put = (u: string, body: unknown, headers: Record<string, string> = {}) => call(t, 'PUT', `/api/v1/clients/${u}/pdp-config`, { ...acc.headers, ...headers }, { json: body });
    const rotate = (u: string, body: unknown) => call(t, 'POST', `/api/v1/clients/${u}/rotate-encryption-key`, acc.headers, { json: body });
    const list = (qs: string) => call(t, 'GET', `/api/v1/clients${qs}`, acc.headers);

    const cases: Case[] = [
      // ClientCreateRequest
      { name: 'create: name empty', send: () => post({ name: '' }), locs: [['body', 'name']], types: ['string_too_short'] },
      { name: 'create: name 256 characters', send: () => post({ name: 'n'.repeat(256) }), locs: [['body', 'name']], types: ['string_too_long'] },
      { name: 'create: name missing', send: () => post({ description: 'no name' }), locs: [['body', 'name']], types: ['missing'] },
      { name: 'create: name a number', send: () => post({ name: 42 }), locs: [['body', 'name']], types: ['string_type'] },
      { name: 'create: name null', send: () => post({ name: null }), locs: [['body', 'name']] },
      { name: 'create: description 1001 characters', send: () => post({ name: 'ok', description: 'd'.repeat(1001) }), locs: [['body', 'description']] },
      { name: 'create: siret 13 digits', send: () => post({ name: 'ok', siret: '1234567890123' }), locs: [['body', 'siret']] },
      { name: 'create: siret 15 digits', send: () => post({ name: 'ok', siret: '123456789012345' }), locs: [['body', 'siret']] },
      { name: 'create: siret with letters', send: () => post({ name: 'ok', siret: '1234567890123A' }), locs: [['body', 'siret']] },
      { name: 'create: siret a number', send: () => post({ name: 'ok', siret: 12345678901234 }), locs: [['body', 'siret']] },
      { name: 'create: body not an object', send: () => post(['name']), locs: [['body']] },
      // ClientUpdateRequest
      { name: 'update: name empty', send: (u) => patch(u, { name: '' }), locs: [['body', 'name']], types: ['string_too_short'] },
      { name: 'update: name 256 characters', send: (u) => patch(u, { name: 'n'.repeat(256) }), locs: [['body', 'name']], types: ['string_too_long'] },
      { name: 'update: name a number', send: (u) => patch(u, { name: 7 }), locs: [['body', 'name']] },
      { name: 'update: name null', send: (u) => patch(u, { name: null }), locs: [['body', 'name']] },
      { name: 'update: description 1001 characters', send: (u) => patch(u, { description: 'd'.repeat(1001) }), locs: [['body', 'description']], types: ['string_too_long'] },
      { name: 'update: siret 13 digits', send: (u) => patch(u, { siret: '1234567890123' }), locs: [['body', 'siret']], types: ['string_pattern_mismatch'] },
      { name: 'update: siret with letters', send: (u) => patch(u, { siret: 'ABCDEFGHIJKLMN' }), locs: [['body', 'siret']], types: ['string_pattern_mismatch'] },
      {
        name: 'update: two bad fields',
        send: (u) => patch(u, { name: '', siret: '1' }),
        locs: [
          ['body', 'name'],
          ['body', 'siret'],
        ],
      },
      // Query
      { name: 'list: page 0', send: () => list('?page=0'), locs: [['query', 'page']], types: ['greater_than_equal'] },
      { name: 'list: page -1', send: () => list('?page=-1'), locs: [['query', 'page']] },
      { name: 'list: page not a number', send: () => list('?page=abc'), locs: [['query', 'page']], types: ['int_type'] },
      { name: 'list: pageSize 0', send: () => list('?pageSize=0'), locs: [['query', 'pageSize']], types: ['greater_than_equal'] },
      { name: 'list: pageSize 101', send: () => list('?pageSize=101'), locs: [['query', 'pageSize']], types: ['less_than_equal'] },
      {
        name: 'list: page 0 and pageSize 101',
        send: () => list('?page=0&pageSize=101'),
        locs: [
          ['query', 'page'],
          ['query', 'pageSize'],
        ],
      },
      // PDPConfigUpdateRequest and X-Encryption-Key
      { name: "pdp-config: encryptionMode 'aes'", send: (u) => put(u, { ...validPdpConfig(), encryptionMode: 'aes' }), locs: [['body', 'encryptionMode']] },
      {
        name: "pdp-config: encryptionMode 'aes' with a valid key",
        send: (u) => put(u, { ...validPdpConfig(), encryptionMode: 'aes' }, { 'x-encryption-key': key.b64 }),
        locs: [['body', 'encryptionMode']],
      },
      {
        name: 'pdp-config: clientSecret missing',
        send: (u) => put(u, (({ clientSecret: _, ...rest }) => rest)(validPdpConfig())),
        locs: [['body', 'clientSecret']],
        types: ['missing'],
      },
      { name: 'pdp-config: isActive a string', send: (u) => put(u, { ...validPdpConfig(), isActive: 'true' }), locs: [['body', 'isActive']], types: ['bool_type'] },
      {
        name: 'pdp-config: X-Encryption-Key too short',
        send: (u) => put(u, { ...validPdpConfig(), encryptionMode: 'double' }, { 'x-encryption-key': SHORT_KEY }),
        locs: [['header', 'x-encryption-key']],
      },
      {
        name: 'pdp-config: X-Encryption-Key not base64',
        send: (u) => put(u, { ...validPdpConfig(), encryptionMode: 'double' }, { 'x-encryption-key': '!'.repeat(44) }),
        locs: [['header', 'x-encryption-key']],
      },
      {
        name: 'pdp-config: X-Encryption-Key decodes to 33 bytes',
        send: (u) => put(u, { ...validPdpConfig(), encryptionMode: 'double' }, { 'x-encryption-key': KEY_33_BYTES }),
        locs: [['header', 'x-encryption-key']],
      },
      {
        name: 'pdp-config: X-Encryption-Key malformed in fernet mode too',
        send: (u) => put(u, validPdpConfig(), { 'x-encryption-key': 'not a key' }),
        locs: [['header', 'x-encryption-key']],
      },
      // KeyRotationRequest
      { name: 'rotate: oldKey shorter than 40', send: (u) => rotate(u, { oldKey: SHORT_KEY, newKey: newClientKey().b64 }), locs: [['body', 'oldKey']], types: ['string_too_short'] },
      { name: 'rotate: newKey shorter than 40', send: (u) => rotate(u, { oldKey: key.b64, newKey: SHORT_KEY }), locs: [['body', 'newKey']], types: ['string_too_short'] },
      {
        name: 'rotate: both keys shorter than 40',
        send: (u) => rotate(u, { oldKey: 'a', newKey: 'b' }),
        locs: [
          ['body', 'oldKey'],
          ['body', 'newKey'],
        ],
      },
      { name: 'rotate: oldKey 44 chars of base64 decoding to 33 bytes', send: (u) => rotate(u, { oldKey: KEY_33_BYTES, newKey: newClientKey().b64 }), locs: [['body', 'oldKey']] },
      { name: 'rotate: newKey 44 chars of base64 decoding to 33 bytes', send: (u) => rotate(u, { oldKey: key.b64, newKey: KEY_33_BYTES }), locs: [['body', 'newKey']] },
      { name: 'rotate: newKey missing', send: (u) => rotate(u, { oldKey: key.b64 }), locs: [['body', 'newKey']], types: ['missing'] },
      {
        name: 'rotate: malformed JSON',
        send: (u) => call(t, 'POST', `/api/v1/clients/${u}/rotate-encryption-key`, { ...acc.headers, 'content-type': 'application/json' }, { raw: '{"oldKey":' }),
        locs: [['body']],
      },
    ];

    it('the 33-byte test key really is 44 characters that decode to 33 bytes', () => {
      assert.equal(KEY_33_BYTES.length, 44);
      assert.equal(Buffer.from(KEY_33_BYTES, 'base64').length, 33);
      assert.equal(SHORT_KEY.length, 39);
    });

    for (const c of cases) {
      it(`${c.name} → 422 ${c.locs.map((l) => JSON.stringify(l)).join(' ')}; database unchanged`, async () => {
        const before = await snapshot(t);
        const res = await c.send(uid);
        assertValidation(res, c.locs, c.types);
        assert.deepEqual(await snapshot(t), before);
      });
    }

    for (const op of FACTPULSE_OPS.filter((o) => o.level === 'client')) {
      it(`${op.method} ${op.path('{uid}')}: non-UUID uid → 422 ["path","uid"]; database unchanged`, async () => {
        const before = await snapshot(t);
        for (const bad of ['abc', '1', 'g0000000-0000-4000-8000-000000000000', `${uid.slice(0, -1)}`]) {
          assertValidation(await runOp(t, op, bad, acc.headers), [['path', 'uid']]);
        }
        assert.deepEqual(await snapshot(t), before);
      });
    }

    it('boundaries are accepted: name of 1 and 255, description of 1000, pageSize 1 and 100, page 1', async () => {
      for (const name of ['x', 'n'.repeat(255)]) assert.equal((await post({ name, description: 'd'.repeat(1000) })).status, 201);
      for (const qs of ['?pageSize=1', '?pageSize=100', '?page=1']) assert.equal((await list(qs)).status, 200);
      // The rejected client above really was unchanged.
      const got = await call(t, 'GET', `/api/v1/clients/${uid}`, acc.headers);
      assert.equal(got.body.name, 'Valid');
      assert.equal(got.body.description, 'unchanged');
      assert.equal(got.body.siret, '12345678901234');
    });
  });
}
