/**
 * `/v1/users`: create (a one-time setup password, shown once), list, get, change role and
 * permissions, remove; `/v1/users/me` and changing one's own password. No escalation through
 * users; the last owner stays; a change takes effect at once for the user's tokens; every
 * change is an event with its actor. On PostgreSQL, two owners demoting each other at once
 * leave one owner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from '../../src/crypto/random.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { call } from '../support/http.js';

for (const backend of testBackends()) {
  describe(`users [${backend}]`, () => {
    let t: TestApp;
    let owner: TestAccount;

    const send = (method: string, url: string, headers: Record<string, string>, payload?: unknown) => call(t, method, url, headers, payload);
    const email = (role: string) => `${role}-${randomBytes(5).toString('hex')}@example.com`;
    const create = async (body: Record<string, unknown>, headers = owner.headers) => {
      const res = await send('POST', '/v1/users', headers, body);
      assert.equal(res.status, 201, res.raw);
      return res.body as { user: { id: string; email: string; role: string; permissions: string[] }; setupPassword: string };
    };
    const login = async (username: string, password: string) => {
      const res = await send('POST', '/api/token/', {}, { username, password });
      return res.status === 200 ? { authorization: `Bearer ${res.body.access}` } : undefined;
    };
    const userToken = async (role: string, permissions: string[] = []) => {
      const made = await create({ email: email(role), role, permissions });
      return { ...made, headers: (await login(made.user.email, made.setupPassword))! };
    };

    before(async () => {
      t = await createTestApp(backend);
      owner = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    it('creates a user with a one-time setup password that signs in, and never shows it again', async () => {
      const made = await create({ email: email('viewer'), role: 'viewer' });
      assert.deepEqual(Object.keys(made.user).sort(), ['createdAt', 'email', 'id', 'permissions', 'role', 'twoFactorEnabled', 'updatedAt']);
      assert.ok(made.setupPassword.length >= 20);
      const got = await send('GET', `/v1/users/${made.user.id}`, owner.headers);
      assert.equal(got.status, 200);
      assert.ok(!got.raw.includes(made.setupPassword));
      const list = await send('GET', '/v1/users?limit=100', owner.headers);
      assert.ok(list.body.data.some((u: any) => u.id === made.user.id));
      assert.ok(!list.raw.includes(made.setupPassword) && !list.raw.includes('passwordHash') && !list.raw.includes('$argon2'));
      const headers = await login(made.user.email, made.setupPassword);
      assert.ok(headers, 'the setup password signs in');
      const me = await send('GET', '/v1/users/me', headers!);
      assert.deepEqual([me.status, me.body.id, me.body.role], [200, made.user.id, 'viewer']);
      const events = (await send('GET', '/v1/events?type=user.created&limit=100', owner.headers)).body.data as any[];
      const event = events.find((e) => e.data.user.id === made.user.id);
      assert.deepEqual(event.actor, { type: 'key', id: owner.keyId });
      assert.ok(!JSON.stringify(events).includes(made.setupPassword));
    });

    it('changes one’s own password: the current one is required, short ones are refused, the old one stops', async () => {
      const made = await create({ email: email('admin'), role: 'admin' });
      const headers = (await login(made.user.email, made.setupPassword))!;
      const wrong = await send('POST', '/v1/users/me/password', headers, { currentPassword: 'not it at all', newPassword: 'a brand new password' });
      assert.deepEqual([wrong.status, wrong.body.errors[0].field], [400, 'body.currentPassword']);
      const short = await send('POST', '/v1/users/me/password', headers, { currentPassword: made.setupPassword, newPassword: 'short' });
      assert.deepEqual([short.status, short.body.errors[0].field], [400, 'body.newPassword']);
      assert.equal((await send('POST', '/v1/users/me/password', headers, { currentPassword: made.setupPassword, newPassword: 'a brand new password' })).status, 204);
      assert.equal(await login(made.user.email, made.setupPassword), undefined, 'the setup password no longer signs in');
      assert.ok(await login(made.user.email, 'a brand new password'));
      // A key is no user.
      const asKey = await send('GET', '/v1/users/me', owner.headers);
      assert.deepEqual([asKey.status, asKey.body.code], [403, 'FORBIDDEN']);
    });

    it('admins and viewers may not manage users; nobody gives more power than they hold', async () => {
      const admin = await userToken('admin');
      const denied = await send('GET', '/v1/users', admin.headers);
      assert.deepEqual([denied.status, denied.body.code], [403, 'PERMISSION_DENIED']);
      // A viewer given users:write may add viewers, but not an admin, an owner, or extra permissions it lacks.
      const manager = await userToken('viewer', ['users:write']);
      assert.equal((await send('POST', '/v1/users', manager.headers, { email: email('viewer'), role: 'viewer' })).status, 201);
      for (const body of [
        { email: email('admin'), role: 'admin' },
        { email: email('owner'), role: 'owner' },
        { email: email('viewer'), role: 'viewer', permissions: ['clients:write'] },
      ]) {
        const res = await send('POST', '/v1/users', manager.headers, body);
        assert.deepEqual([res.status, res.body.code], [403, 'PERMISSION_DENIED'], JSON.stringify(body));
      }
      // …nor change or remove a stronger user.
      const res = await send('PATCH', `/v1/users/${admin.user.id}`, manager.headers, { role: 'viewer' });
      assert.deepEqual([res.status, res.body.code], [403, 'PERMISSION_DENIED']);
      assert.equal((await send('DELETE', `/v1/users/${admin.user.id}`, manager.headers)).status, 403);
      const bad = await send('POST', '/v1/users', owner.headers, { email: email('x'), role: 'superuser' });
      assert.equal(bad.status, 400);
    });

    it('a role change takes effect at once for the user’s tokens, and is an event', async () => {
      const viewer = await userToken('viewer');
      assert.equal((await send('POST', '/v1/clients', viewer.headers, { name: 'by viewer' })).status, 403);
      const changed = await send('PATCH', `/v1/users/${viewer.user.id}`, owner.headers, { role: 'admin' });
      assert.deepEqual([changed.status, changed.body.role], [200, 'admin']);
      assert.equal((await send('POST', '/v1/clients', viewer.headers, { name: 'by admin' })).status, 201);
      const events = (await send('GET', '/v1/events?type=user.updated&limit=100', owner.headers)).body.data as any[];
      const event = events.find((e) => e.data.user.id === viewer.user.id);
      assert.deepEqual(event.data.changes, ['role']);
      assert.equal(event.data.user.role, 'admin');
      // Removed: its token stops at once.
      assert.equal((await send('DELETE', `/v1/users/${viewer.user.id}`, owner.headers)).status, 204);
      assert.equal((await send('GET', '/v1/clients', viewer.headers)).status, 401);
      assert.equal((await send('GET', `/v1/users/${viewer.user.id}`, owner.headers)).status, 404);
    });

    it('keeps the last owner: it can be neither demoted nor removed', async () => {
      const account = await t.newAccount('last owner');
      const users = (await send('GET', '/v1/users', account.headers)).body.data as any[];
      assert.equal(users.length, 1);
      const only = users[0];
      for (const res of [await send('PATCH', `/v1/users/${only.id}`, account.headers, { role: 'admin' }), await send('DELETE', `/v1/users/${only.id}`, account.headers)]) {
        assert.deepEqual([res.status, res.body.code], [409, 'LAST_OWNER']);
      }
      const second = await create({ email: email('owner'), role: 'owner' }, account.headers);
      assert.equal((await send('PATCH', `/v1/users/${only.id}`, account.headers, { role: 'admin' })).status, 200);
      const res = await send('DELETE', `/v1/users/${second.user.id}`, account.headers);
      assert.deepEqual([res.status, res.body.code], [409, 'LAST_OWNER']);
    });

    if (backend === 'postgres') {
      it('two owners demoting each other at once leave exactly one owner', async () => {
        const account = await t.newAccount('race');
        const first = (await send('GET', '/v1/users', account.headers)).body.data[0];
        const second = await create({ email: email('owner'), role: 'owner' }, account.headers);
        const results = await Promise.all([
          send('PATCH', `/v1/users/${first.id}`, account.headers, { role: 'viewer' }),
          send('PATCH', `/v1/users/${second.user.id}`, account.headers, { role: 'viewer' }),
        ]);
        assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
        const owners = ((await send('GET', '/v1/users', account.headers)).body.data as any[]).filter((u) => u.role === 'owner');
        assert.equal(owners.length, 1);
      });
    }
  });
}
