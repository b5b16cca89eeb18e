/**
 * Tenant isolation, as a property: two accounts run random interleaved operation sequences
 * through the native API. Invariants, checked after every request:
 *   - no response to one tenant carries any value generated for another tenant (ids, key
 *     ids, names, usernames, e-mails, passwords, secrets, tokens, event ids, its tag);
 *   - the other tenant's ids answer 404 (NOT_FOUND from verification), exactly as if absent;
 *   - each tenant's own listings match a model of what it did (so a refused cross-tenant
 *     change that happened anyway is caught).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { randomBytes } from '../../src/crypto/random.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { apiKeyHeader, assertProblem, call, expectStatus, type Headers, type Res, toRes } from '../support/http.js';
import type { Method } from '../support/security-suite.js';

interface KeyModel {
  keyId: string;
  clientId: string | null;
  isPrimary: boolean;
  enabled: boolean;
  name: string;
  token: string;
}

interface ClientModel {
  id: string;
  name: string;
  isActive: boolean;
}

interface Tenant {
  label: 'A' | 'B';
  /** Distinctive prefix of every name this tenant generates, e.g. `tenantB-3fa2c1`. */
  tag: string;
  headers: Headers;
  authKeyId: string;
  clients: Map<string, ClientModel>;
  keys: Map<string, KeyModel>;
  /** Every client id / key id / token ever issued to this tenant (deleted and replaced ones too). */
  everClients: string[];
  everKeys: string[];
  everTokens: string[];
  /** Every value that belongs to this tenant and must never reach another one. */
  values: Set<string>;
  n: number;
}

const OPS = [
  'createClient',
  'updateClient',
  'deleteClient',
  'activateClient',
  'deactivateClient',
  'createKey',
  'resetKey',
  'deleteKey',
  'updateKey',
  'listClients',
  'listKeys',
  'listEvents',
  'getOwnClient',
  'getOwnKey',
  'verifyOwn',
  'crossClient',
  'crossKey',
  'crossCreateKey',
  'crossListKeys',
  'crossListEvents',
  'crossVerify',
] as const;

type Command = { op: (typeof OPS)[number]; actorIsA: boolean; i: number; j: number; flag: boolean };

const commandArb: fc.Arbitrary<Command> = fc.record({
  op: fc.constantFrom(...OPS),
  actorIsA: fc.boolean(),
  i: fc.nat({ max: 10_000 }),
  j: fc.nat({ max: 10_000 }),
  flag: fc.boolean(),
});

const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);

/** Every tenant created in this process: a response to one must carry nothing of any other. */
const registry: Tenant[] = [];

/**
 * Fails when the response carries a value of another tenant. `sent` is what the request
 * itself carried: echoing the caller's own input (a problem's `instance` path) reveals nothing.
 */
function checkNoLeak(me: Tenant, res: Res, what: string, sent = ''): void {
  const text = `${res.raw}\n${JSON.stringify(res.headers)}`;
  for (const other of registry) {
    if (other === me) continue;
    for (const v of other.values) {
      if (text.includes(v) && !sent.includes(v)) assert.fail(`${what}: the response to ${me.tag} carries ${other.tag}'s value ${v}: ${res.raw}`);
    }
  }
}

async function callAs(t: TestApp, me: Tenant, method: Method, url: string, payload?: unknown): Promise<Res> {
  const res = await call(t, method, url, me.headers, payload);
  checkNoLeak(me, res, `${me.label} ${method} ${url}`, `${url} ${JSON.stringify(payload ?? null)}`);
  return res;
}

function remember(me: Tenant, ...values: Array<string | null | undefined>): void {
  for (const v of values) if (v) me.values.add(v);
}

async function newTenant(t: TestApp, label: 'A' | 'B'): Promise<Tenant> {
  const tag = `tenant${label}-${randomBytes(3).toString('hex')}`;
  const account = await t.newAccount(`${tag}-account`);
  const me: Tenant = {
    label,
    tag,
    headers: { ...account.headers },
    authKeyId: account.keyId,
    clients: new Map(),
    keys: new Map([[account.keyId, { keyId: account.keyId, clientId: null, isPrimary: true, enabled: true, name: 'Primary account key', token: account.token }]]),
    everClients: [],
    everKeys: [account.keyId],
    everTokens: [account.token],
    values: new Set([tag]),
    n: 0,
  };
  remember(me, account.accountId, account.keyId, account.secret, account.token, account.email, account.password);
  registry.push(me);
  // A seed client with a key, so the other tenant always has ids to try.
  const id = await createClient(t, me, true);
  await createKey(t, me, id);
  return me;
}

async function createClient(t: TestApp, me: Tenant, withPassword: boolean): Promise<string> {
  const n = ++me.n;
  const body = {
    name: `${me.tag}-c${n}`,
    username: `${me.tag}-u${n}`,
    emailAddress: `${me.tag}-u${n}@example.test`,
    description: `${me.tag} description ${n}`,
    ...(withPassword ? { password: `pw-${randomBytes(9).toString('hex')}` } : {}),
  };
  const res = await callAs(t, me, 'POST', '/v1/clients', body);
  expectStatus(res, 201, `${me.label} create client`);
  const c = res.body;
  assert.equal(c.name, body.name);
  remember(me, c.id, body.name, body.username, body.emailAddress, body.description, body.password);
  me.clients.set(c.id, { id: c.id, name: body.name, isActive: true });
  me.everClients.push(c.id);
  return c.id;
}

async function createKey(t: TestApp, me: Tenant, clientId: string | null): Promise<void> {
  const name = `${me.tag}-k${++me.n}`;
  const res = await callAs(t, me, 'POST', '/v1/keys', { ...(clientId ? { clientId } : {}), name });
  expectStatus(res, 201, `${me.label} create key`);
  const b = res.body;
  const isPrimary = ![...me.keys.values()].some((k) => k.clientId === clientId);
  assert.equal(b.key.isPrimary, isPrimary, "an owner's first key is its primary key");
  assert.equal(b.key.clientId, clientId);
  remember(me, b.key.keyId, b.secret, b.token, name);
  me.keys.set(b.key.keyId, { keyId: b.key.keyId, clientId, isPrimary, enabled: true, name, token: b.token });
  me.everKeys.push(b.key.keyId);
  me.everTokens.push(b.token);
}

/** The tenant's own listings equal its model. */
async function checkListings(t: TestApp, me: Tenant, clientId?: string): Promise<void> {
  const clients = await callAs(t, me, 'GET', '/v1/clients?limit=100');
  expectStatus(clients, 200, `${me.label} list clients`);
  const got = clients.body.data as Array<{ id: string; name: string; isActive: boolean }>;
  assert.deepEqual(got.map((c) => [c.id, c.name, c.isActive]).sort(), [...me.clients.values()].map((c) => [c.id, c.name, c.isActive]).sort(), `${me.label}: listed clients match the model`);
  const url = clientId ? `/v1/keys?clientId=${clientId}&limit=100` : '/v1/keys?limit=100';
  const keys = await callAs(t, me, 'GET', url);
  expectStatus(keys, 200, `${me.label} list keys`);
  const wanted = [...me.keys.values()].filter((k) => !clientId || k.clientId === clientId);
  assert.deepEqual(
    (keys.body.data as Array<{ keyId: string; name: string; isPrimary: boolean; enabled: boolean; clientId: string | null }>).map((k) => [k.keyId, k.name, k.isPrimary, k.enabled, k.clientId]).sort(),
    wanted.map((k) => [k.keyId, k.name, k.isPrimary, k.enabled, k.clientId]).sort(),
    `${me.label}: listed keys match the model`,
  );
}

async function execute(t: TestApp, cmd: Command, me: Tenant, other: Tenant): Promise<void> {
  const live = [...me.clients.values()];
  const liveKeys = [...me.keys.values()];
  const client = pick(live, cmd.i);
  const key = pick(liveKeys, cmd.i);
  const what = `${me.label} ${cmd.op}`;
  switch (cmd.op) {
    case 'createClient':
      await createClient(t, me, cmd.flag && cmd.j % 3 === 0);
      return;
    case 'updateClient': {
      if (!client) return createClient(t, me, false).then(() => undefined);
      const name = `${me.tag}-c${++me.n}`;
      const description = `${me.tag} description ${me.n}`;
      const res = await callAs(t, me, 'PATCH', `/v1/clients/${client.id}`, { name, description });
      expectStatus(res, 200, what);
      assert.equal(res.body.name, name);
      remember(me, name, description);
      client.name = name;
      return;
    }
    case 'deleteClient': {
      if (!client) return;
      expectStatus(await callAs(t, me, 'DELETE', `/v1/clients/${client.id}`), 204, what);
      me.clients.delete(client.id);
      for (const k of liveKeys) if (k.clientId === client.id) me.keys.delete(k.keyId);
      return;
    }
    case 'activateClient':
    case 'deactivateClient': {
      if (!client) return;
      const active = cmd.op === 'activateClient';
      const res = await callAs(t, me, 'POST', `/v1/clients/${client.id}/${active ? 'activate' : 'deactivate'}`);
      expectStatus(res, 200, what);
      assert.equal(res.body.isActive, active);
      client.isActive = active;
      return;
    }
    case 'createKey':
      await createKey(t, me, cmd.flag ? (pick(live, cmd.j)?.id ?? null) : null);
      return;
    case 'resetKey': {
      if (!key) return;
      const res = await callAs(t, me, 'POST', `/v1/keys/${key.keyId}/reset`, { gracePeriodSeconds: cmd.flag ? 60 : 0 });
      expectStatus(res, 200, what);
      const b = res.body;
      assert.equal(b.key.keyId, key.keyId);
      remember(me, b.secret, b.token);
      me.everTokens.push(b.token);
      key.token = b.token;
      if (key.keyId === me.authKeyId) me.headers = apiKeyHeader(b.token);
      return;
    }
    case 'deleteKey': {
      if (!key) return;
      const res = await callAs(t, me, 'DELETE', `/v1/keys/${key.keyId}`);
      if (key.isPrimary) {
        assertProblem(res, 409, 'PRIMARY_KEY_PROTECTED', undefined, what);
      } else {
        expectStatus(res, 204, what);
        me.keys.delete(key.keyId);
      }
      return;
    }
    case 'updateKey': {
      if (!key) return;
      const name = `${me.tag}-k${++me.n}`;
      const toggle = cmd.flag && key.keyId !== me.authKeyId;
      const res = await callAs(t, me, 'PATCH', `/v1/keys/${key.keyId}`, { name, ...(toggle ? { enabled: !key.enabled } : {}) });
      expectStatus(res, 200, what);
      remember(me, name);
      key.name = name;
      if (toggle) key.enabled = !key.enabled;
      assert.equal(res.body.enabled, key.enabled);
      return;
    }
    case 'listClients':
    case 'listKeys':
      await checkListings(t, me, cmd.op === 'listKeys' && cmd.flag ? client?.id : undefined);
      return;
    case 'listEvents': {
      const filter = cmd.flag ? pick(me.everClients, cmd.j) : undefined;
      const res = await callAs(t, me, 'GET', `/v1/events?limit=100${filter ? `&clientId=${filter}` : ''}`);
      expectStatus(res, 200, what);
      const events = res.body.data as Array<{ id: string; clientId: string | null }>;
      assert.ok(events.length > 0, `${what}: the tenant has events`);
      for (const e of events) {
        assert.ok(e.clientId === null || me.everClients.includes(e.clientId), `${what}: event ${e.id} names a client of another tenant`);
        if (filter) assert.equal(e.clientId, filter);
        remember(me, e.id);
      }
      return;
    }
    case 'getOwnClient': {
      const id = pick(me.everClients, cmd.i);
      if (!id) return;
      const res = await callAs(t, me, 'GET', `/v1/clients/${id}`);
      const model = me.clients.get(id);
      if (model) {
        expectStatus(res, 200, what);
        assert.deepEqual([res.body.name, res.body.isActive], [model.name, model.isActive]);
      } else assertProblem(res, 404, 'CLIENT_NOT_FOUND', undefined, `${what} (deleted)`);
      return;
    }
    case 'getOwnKey': {
      const id = pick(me.everKeys, cmd.i)!;
      const res = await callAs(t, me, 'GET', `/v1/keys/${id}`);
      const model = me.keys.get(id);
      if (model) {
        expectStatus(res, 200, what);
        assert.deepEqual([res.body.name, res.body.enabled, res.body.isPrimary], [model.name, model.enabled, model.isPrimary]);
      } else assertProblem(res, 404, 'KEY_NOT_FOUND', undefined, `${what} (deleted)`);
      return;
    }
    case 'verifyOwn': {
      if (!key) return;
      const res = await callAs(t, me, 'POST', '/v1/keys/verify', { token: key.token });
      expectStatus(res, 200, what);
      const owner = key.clientId ? me.clients.get(key.clientId) : undefined;
      const code = !key.enabled ? 'DISABLED' : owner && !owner.isActive ? 'CLIENT_INACTIVE' : 'VALID';
      assert.deepEqual([res.body.valid, res.body.code, res.body.keyId], [code === 'VALID', code, key.keyId], what);
      return;
    }
    case 'crossClient': {
      const id = pick(other.everClients, cmd.i)!;
      const variants: Array<[Method, string, unknown?]> = [
        ['GET', `/v1/clients/${id}`],
        ['PATCH', `/v1/clients/${id}`, { name: `${me.tag}-stolen`, description: `${me.tag} was here` }],
        ['DELETE', `/v1/clients/${id}`],
        ['POST', `/v1/clients/${id}/activate`],
        ['POST', `/v1/clients/${id}/deactivate`],
      ];
      const [method, url, payload] = variants[cmd.j % variants.length]!;
      assertProblem(await callAs(t, me, method, url, payload), 404, 'CLIENT_NOT_FOUND', undefined, `${what}: ${method} ${url}`);
      return;
    }
    case 'crossKey': {
      const id = pick(other.everKeys, cmd.i)!;
      const variants: Array<[Method, string, unknown?]> = [
        ['GET', `/v1/keys/${id}`],
        ['PATCH', `/v1/keys/${id}`, { name: `${me.tag}-stolen`, enabled: false }],
        ['DELETE', `/v1/keys/${id}`],
        ['POST', `/v1/keys/${id}/reset`, { gracePeriodSeconds: 0 }],
      ];
      const [method, url, payload] = variants[cmd.j % variants.length]!;
      assertProblem(await callAs(t, me, method, url, payload), 404, 'KEY_NOT_FOUND', undefined, `${what}: ${method} ${url}`);
      return;
    }
    case 'crossCreateKey': {
      const id = pick(other.everClients, cmd.i)!;
      assertProblem(await callAs(t, me, 'POST', '/v1/keys', { clientId: id, name: `${me.tag}-planted` }), 404, 'CLIENT_NOT_FOUND', undefined, what);
      return;
    }
    case 'crossListKeys': {
      const id = pick(other.everClients, cmd.i)!;
      assertProblem(await callAs(t, me, 'GET', `/v1/keys?clientId=${id}`), 404, 'CLIENT_NOT_FOUND', undefined, what);
      return;
    }
    case 'crossListEvents': {
      const id = pick(other.everClients, cmd.i)!;
      const res = await callAs(t, me, 'GET', `/v1/events?clientId=${id}`);
      expectStatus(res, 200, what);
      assert.deepEqual(res.body, { data: [], nextCursor: null }, what);
      return;
    }
    case 'crossVerify': {
      const token = pick(other.everTokens, cmd.i)!;
      const m = /^clt_([0-9A-Za-z]{22})_([0-9A-Za-z]{43})/.exec(token)!;
      const body = cmd.flag ? { token } : { keyId: `ck_${m[1]}`, secret: m[2] };
      const res = await callAs(t, me, 'POST', '/v1/keys/verify', body);
      expectStatus(res, 200, what);
      assert.deepEqual(res.body, { valid: false, code: 'NOT_FOUND', ratelimits: [] }, what);
      return;
    }
  }
}

for (const backend of testBackends()) {
  describe(`tenant isolation property [${backend}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(backend);
    });
    after(async () => {
      await t?.close();
    });

    it("random interleaved operations of two tenants: nothing of one reaches the other; the other's ids are 404", async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 25 }), async (commands) => {
          runs += 1;
          const A = await newTenant(t, 'A');
          const B = await newTenant(t, 'B');
          for (const cmd of commands) {
            const [me, other] = cmd.actorIsA ? [A, B] : [B, A];
            await execute(t, cmd, me, other);
          }
          // Whatever the other tenant tried, each one's data is exactly what it did itself.
          await checkListings(t, A);
          await checkListings(t, B);
        }),
        { numRuns: 15, includeErrorInReport: true },
      );
      assert.ok(runs >= 15, 'the property ran');
    });

    it("the leak check fires when a response carries another tenant's value (control)", async () => {
      const A = await newTenant(t, 'A');
      const B = await newTenant(t, 'B');
      const bClient = B.everClients[0]!;
      const leaky = toRes({ statusCode: 200, body: JSON.stringify({ id: bClient }), headers: {} });
      assert.throws(() => checkNoLeak(A, leaky, 'control'), /carries/);
      // B's own read of the same id is fine, and so is echoing the id A itself sent.
      checkNoLeak(B, leaky, 'control');
      checkNoLeak(A, leaky, 'control', `/v1/clients/${bClient}`);
      // But an echo does not excuse another value of B.
      const leaky2 = toRes({ statusCode: 200, body: JSON.stringify({ id: bClient, name: B.everClients.length ? [...B.clients.values()][0]!.name : '' }), headers: {} });
      assert.throws(() => checkNoLeak(A, leaky2, 'control', `/v1/clients/${bClient}`), /carries/);
    });
  });
}
