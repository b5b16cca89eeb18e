/**
 * Least privilege, behaviour: permissions shown on keys and inherited by default; no
 * escalation through key creation, update, reset or deletion (of an account key or a
 * client's key), nor through Inteliquent's registerClient; permissions removed take effect at
 * once, for the key and for the tokens minted from it; users act with their role's
 * permissions, also when narrowed to one client; changes are recorded as events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../../src/crypto/random.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call, type Res } from '../support/http.js';

for (const backend of testBackends()) {
  describe(`permissions [${backend}]`, () => {
    let t: TestApp;
    let owner: TestAccount;

    const send = (method: string, url: string, headers: Record<string, string>, payload?: unknown) => call(t, method, url, headers, payload);
    const as = (token: string) => ({ 'x-api-key': token });
    const denied = (res: Res, what: string) => {
      assert.equal(res.status, 403, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'PERMISSION_DENIED', what);
    };
    const issue = async (permissions: string[] | undefined, headers = owner.headers) => {
      const res = await send('POST', '/v1/keys', headers, { name: 'p', ...(permissions ? { permissions } : {}) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { key: { keyId: string; permissions: string[] }; token: string; secret: string };
    };
    const keyCount = async () => (await send('GET', '/v1/keys?owner=account&limit=100', owner.headers)).body.data.length as number;

    before(async () => {
      t = await createTestApp(backend);
      owner = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    it('the bootstrap key holds everything; a new key holds its creator’s permissions unless told', async () => {
      const primary = await send('GET', `/v1/keys/${owner.keyId}`, owner.headers);
      assert.deepEqual(primary.body.permissions, ['*']);
      const limited = await issue(['keys:write', 'clients:read']);
      assert.deepEqual(limited.key.permissions, ['keys:write', 'clients:read']);
      const child = await issue(undefined, as(limited.token));
      assert.deepEqual(child.key.permissions.sort(), ['clients:read', 'keys:write']);
      assert.deepEqual((await send('GET', `/v1/keys/${child.key.keyId}`, owner.headers)).body.permissions.sort(), ['clients:read', 'keys:write']);
    });

    it('refuses to create, widen, reset or delete a key with more power than the caller, changing nothing', async () => {
      const writer = await issue(['keys:write']);
      const before = await keyCount();
      denied(await send('POST', '/v1/keys', as(writer.token), { permissions: ['clients:write'] }), 'create a wider key');
      denied(await send('POST', '/v1/keys', as(writer.token), { permissions: ['*'] }), 'create a * key');
      assert.equal(await keyCount(), before, 'nothing created');
      const own = await issue(['keys:write'], as(writer.token));
      denied(await send('PATCH', `/v1/keys/${own.key.keyId}`, as(writer.token), { permissions: ['keys:write', 'events:read'] }), 'widen a key');
      assert.deepEqual((await send('GET', `/v1/keys/${own.key.keyId}`, owner.headers)).body.permissions, ['keys:write']);
      // The primary key holds *: the writer may not change it, reset it (and so learn its secret) or delete it.
      denied(await send('PATCH', `/v1/keys/${owner.keyId}`, as(writer.token), { name: 'mine now' }), 'rename a stronger key');
      denied(await send('POST', `/v1/keys/${owner.keyId}/reset`, as(writer.token), {}), 'reset a stronger key');
      const stronger = await issue(['keys:write', 'events:read']);
      denied(await send('DELETE', `/v1/keys/${stronger.key.keyId}`, as(writer.token)), 'delete a stronger key');
      assert.equal((await send('GET', '/v1/clients', as(owner.token))).status, 200, 'the primary key still works with its old secret');
      // Narrowing is allowed, and so is managing a key of equal or lesser power.
      const narrowed = await send('PATCH', `/v1/keys/${own.key.keyId}`, as(writer.token), { permissions: [] });
      assert.equal(narrowed.status, 200);
      assert.deepEqual(narrowed.body.permissions, []);
      assert.equal((await send('POST', `/v1/keys/${own.key.keyId}/reset`, as(writer.token), {})).status, 200);
      assert.equal((await send('DELETE', `/v1/keys/${own.key.keyId}`, as(writer.token))).status, 204);
    });

    it("a client's key carries a client credential's power: only a caller holding all of it may make one", async () => {
      const client = (await send('POST', '/v1/clients', owner.headers, { name: 'perm client' })).body;
      const writer = await issue(['keys:write', 'clients:read']);
      denied(await send('POST', '/v1/keys', as(writer.token), { clientId: client.id }), 'create a client key');
      const made = await send('POST', '/v1/keys', owner.headers, { clientId: client.id });
      assert.equal(made.status, 201);
      assert.deepEqual(made.body.key.permissions, []);
      denied(await send('POST', `/v1/keys/${made.body.key.keyId}/reset`, as(writer.token), {}), "reset a client's key");
      const bad = await send('POST', '/v1/keys', owner.headers, { clientId: client.id, permissions: ['clients:read'] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'body.permissions');
      // The client's own key may still make keys for its client (the own-client rule bounds it).
      assert.equal((await send('POST', '/v1/keys', as(made.body.token), { name: 'sibling' })).status, 201);
    });

    it('refuses a permission that does not exist, naming it', async () => {
      const res = await send('POST', '/v1/keys', owner.headers, { permissions: ['clients:read', 'clients:delete'] });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(res.body.errors), /body\.permissions\/1|body\.permissions\.1/);
    });

    it('a permission removed takes effect at once, for the key and the tokens minted from it', async () => {
      const reader = await issue(['clients:read']);
      const grant = await t.app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: reader.key.keyId, client_secret: reader.secret }).toString(),
      });
      const bearer = { authorization: `Bearer ${grant.json().access_token}` };
      assert.equal((await send('GET', '/v1/clients', as(reader.token))).status, 200);
      assert.equal((await send('GET', '/v1/clients', bearer)).status, 200);
      assert.equal((await send('PATCH', `/v1/keys/${reader.key.keyId}`, owner.headers, { permissions: ['keys:verify'] })).status, 200);
      denied(await send('GET', '/v1/clients', as(reader.token)), 'the key after the change');
      denied(await send('GET', '/v1/clients', bearer), 'its token after the change');
      const events = (await send('GET', '/v1/events?limit=100', owner.headers)).body.data as any[];
      const changed = events.find((e) => e.type === 'key.updated' && e.data.key.keyId === reader.key.keyId);
      assert.ok(changed, 'a key.updated event');
      assert.deepEqual(changed.data.changes, ['permissions']);
      assert.deepEqual(changed.data.key.permissions, ['keys:verify']);
      assert.deepEqual(changed.actor, { type: 'key', id: owner.keyId });
    });

    it('Inteliquent registerClient makes keys with the caller’s permissions', async () => {
      const writer = await issue(['keys:write']);
      const res = await send('POST', '/Services/2.0.0/registerClient', as(writer.token), { primaryPrivateKey: owner.keyId, keyName: 'from inteliquent' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const made = await send('GET', `/v1/keys/${res.body.companyDetails.privateKey}`, owner.headers);
      assert.deepEqual(made.body.permissions, ['keys:write']);
      const reader = await issue(['keys:read']);
      const refused = await send('POST', '/Services/2.0.0/registerClient', as(reader.token), { primaryPrivateKey: owner.keyId });
      assert.deepEqual([refused.status, refused.body], [403, { statusCode: '403', status: 'Permission denied' }]);
    });

    it('users act with their role’s permissions, also narrowed to one client', async () => {
      const client = (await send('POST', '/v1/clients', owner.headers, { name: 'role client' })).body;
      const login = async (role: 'admin' | 'viewer', permissions: string[] = [], clientUid?: string) => {
        const made = await send('POST', '/v1/users', owner.headers, { email: `${role}-${uuidv7()}@example.com`, role, permissions });
        assert.equal(made.status, 201, made.raw);
        const { email } = made.body.user;
        const res = await send('POST', '/api/token/', {}, { username: email, password: made.body.setupPassword, ...(clientUid ? { client_uid: clientUid } : {}) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return { authorization: `Bearer ${res.body.access}` };
      };
      const viewer = await login('viewer');
      assert.equal((await send('GET', '/v1/clients', viewer)).status, 200);
      assert.equal((await send('GET', '/v1/events?limit=1', viewer)).status, 200);
      denied(await send('POST', '/v1/clients', viewer, { name: 'nope' }), 'viewer creates a client');
      denied(await send('POST', '/v1/keys', viewer, {}), 'viewer creates a key');
      const narrowed = await login('viewer', [], client.id);
      assert.equal((await send('GET', `/v1/clients/${client.id}`, narrowed)).status, 200);
      denied(await send('PATCH', `/v1/clients/${client.id}`, narrowed, { description: 'x' }), 'viewer narrowed to a client writes');
      const fp = await send('PATCH', `/api/v1/clients/${client.id}`, narrowed, { description: 'x' });
      assert.deepEqual([fp.status, fp.body.errorCode], [403, 'ACCESS_DENIED']);
      const admin = await login('admin');
      assert.equal((await send('POST', '/v1/clients', admin, { name: 'by admin' })).status, 201);
      const given = await login('viewer', ['usage:write']);
      assert.equal((await send('POST', `/v1/clients/${client.id}/usage`, given, { metric: 'calls', amount: 1 })).status, 200);
    });
  });
}
