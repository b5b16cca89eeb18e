/**
 * Least privilege, route by route: every authenticated route of every surface, called with
 * an account key holding exactly one permission — each permission of the one table in
 * turn, `*`, and none — is refused exactly when the table says so (src/http/route-permissions.ts,
 * a `:write` including its `:read`; `self` routes by none), in the surface's own format: native and CCM19
 * problem+json `PERMISSION_DENIED`, FactPulse `ACCESS_DENIED`, Inteliquent's flat body.
 * The core does the refusing: the table only says what it should be, and this proves they agree.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grants, PERMISSION_NAMES, type Permission } from '../../src/core/permissions.js';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { routesOf, type RouteSummary } from '../../src/http/app.js';
import { createTestApp, NO_ADDRESS_LIMITS, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';

interface Fixture {
  account: TestAccount;
  /** An account key with no permission at all: any caller holding keys:write may manage it. */
  spareKeyId: string;
}

interface Request {
  url: string;
  payload?: Record<string, unknown>;
}

const uid = () => uuidv7();
const callerKey = () => randomBytes(32).toString('base64');
const PDP = { flowServiceUrl: 'https://pdp.example.com/flow', tokenUrl: 'https://pdp.example.com/token', oauthClientId: 'matrix', clientSecret: 'matrix-secret' };

/** A request that passes the route's schema and the handler's own checks, so it reaches the core. */
const REQUESTS: Record<string, (f: Fixture) => Request> = {
  'POST /v1/clients': () => ({ url: '/v1/clients', payload: { name: 'matrix' } }),
  'POST /v1/clients/batch': () => ({ url: '/v1/clients/batch', payload: { items: [{ name: 'matrix' }] } }),
  'PATCH /v1/clients/:id': () => ({ url: `/v1/clients/${uid()}`, payload: { description: 'matrix' } }),
  'POST /v1/keys': () => ({ url: '/v1/keys', payload: { name: 'matrix' } }),
  'POST /v1/keys/verify': () => ({ url: '/v1/keys/verify', payload: { token: 'clt_not_a_token' } }),
  'PATCH /v1/keys/:keyId': (f) => ({ url: `/v1/keys/${f.spareKeyId}`, payload: { name: 'matrix' } }),
  'POST /v1/keys/:keyId/reset': (f) => ({ url: `/v1/keys/${f.spareKeyId}/reset`, payload: {} }),
  'PUT /v1/clients/:id/integrations/:kind': () => ({ url: `/v1/clients/${uid()}/integrations/pdp`, payload: PDP }),
  'POST /v1/clients/:id/rotate-encryption-key': () => ({ url: `/v1/clients/${uid()}/rotate-encryption-key`, payload: { oldKey: callerKey(), newKey: callerKey() } }),
  'POST /v1/clients/:id/usage': () => ({ url: `/v1/clients/${uid()}/usage`, payload: { metric: 'calls', amount: 1 } }),
  'POST /v1/webhook-endpoints': () => ({ url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/matrix' } }),
  'PATCH /v1/webhook-endpoints/:id': () => ({ url: `/v1/webhook-endpoints/${uid()}`, payload: { enabled: false } }),
  'POST /api/v1/clients': () => ({ url: '/api/v1/clients', payload: { name: 'matrix' } }),
  'PATCH /api/v1/clients/:uid': () => ({ url: `/api/v1/clients/${uid()}`, payload: { description: 'matrix' } }),
  'PUT /api/v1/clients/:uid/pdp-config': () => ({ url: `/api/v1/clients/${uid()}/pdp-config`, payload: PDP }),
  'POST /api/v1/clients/:uid/rotate-encryption-key': () => ({ url: `/api/v1/clients/${uid()}/rotate-encryption-key`, payload: { oldKey: callerKey(), newKey: callerKey() } }),
  'POST /hosting/api/client': () => ({
    url: '/hosting/api/client',
    payload: { username: `matrix-${randomBytes(6).toString('hex')}`, password: 'matrix-password', emailAddress: 'matrix@example.com' },
  }),
  'PUT /hosting/api/client/:clientId': () => ({ url: `/hosting/api/client/${uid()}`, payload: { company: 'matrix' } }),
  'GET /hosting/api/client/by-apiKey/:apiKey': () => ({ url: '/hosting/api/client/by-apiKey/clt_not_a_token' }),
  'PATCH /v1/account': () => ({ url: '/v1/account', payload: { requireTwoFactor: false } }),
  'POST /v1/ratelimit': () => ({ url: '/v1/ratelimit', payload: { namespace: 'matrix', identifier: 'x', limit: 1_000_000, duration: 60_000 } }),
  'PUT /v1/ratelimit/namespaces/:namespace/overrides/:identifier': () => ({ url: '/v1/ratelimit/namespaces/matrix/overrides/x', payload: { limit: 5, duration: 60_000 } }),
  'POST /v1/users': () => ({ url: '/v1/users', payload: { email: `matrix-${randomBytes(6).toString('hex')}@example.com`, role: 'viewer' } }),
  'PATCH /v1/users/:id': () => ({ url: `/v1/users/${uid()}`, payload: { role: 'viewer' } }),
  'POST /v1/users/me/2fa/confirm': () => ({ url: '/v1/users/me/2fa/confirm', payload: { code: '000000' } }),
  'POST /v1/users/me/2fa/disable': () => ({ url: '/v1/users/me/2fa/disable', payload: { code: '000000' } }),
  'POST /v1/users/me/password': () => ({ url: '/v1/users/me/password', payload: { currentPassword: 'x', newPassword: 'a new long password' } }),
};

const INTELIQUENT_OP = /^\/(?:Services\/2\.0\.0|ClientMgmt\/1\.0\.0)\/(\w+)$/;

function requestFor(route: RouteSummary, f: Fixture): Request {
  const own = REQUESTS[`${route.method} ${route.url}`];
  if (own) return own(f);
  const op = INTELIQUENT_OP.exec(route.url)?.[1];
  if (op) {
    const body: Record<string, unknown> = op === 'getClientList' ? { privateKey: f.spareKeyId } : { primaryPrivateKey: f.account.keyId };
    if (op === 'resetClient' || op === 'deleteClient' || op === 'updateClient') body.privateKey = f.spareKeyId;
    if (op === 'updateClient') body.keyName = 'matrix';
    return { url: route.url, payload: body };
  }
  // Reads and bodiless actions: path parameters become ids that do not exist (an allowed call then answers 404).
  const url = route.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'keyId' ? 'ck_0000000000000000000000' : name === 'kind' ? 'pdp' : /username|searchTerm/.test(name) ? 'matrix' : uid()));
  return { url };
}

/**
 * Whether an answer is the surface's refusal for the missing permission (not another 403: an
 * allowed caller may still be refused handing over power it lacks — creating a user, say).
 */
function isRefusal(route: RouteSummary, status: number, body: any): boolean {
  if (status !== 403) return false;
  const lacks = `lacks the ${route.permission} permission`;
  switch (route.surface) {
    case 'factpulse':
      return body?.errorCode === 'ACCESS_DENIED' && String(body.errorMessage).includes(lacks);
    case 'inteliquent':
      return body?.statusCode === '403' && body?.status === 'Permission denied';
    default:
      return body?.code === 'PERMISSION_DENIED' && String(body.detail).includes(lacks);
  }
}

for (const backend of testBackends()) {
  describe(`permissions, every route × every permission [${backend}]`, () => {
    let t: TestApp;
    let f: Fixture;
    const tokens = new Map<string, string>();

    before(async () => {
      t = await createTestApp(backend, { throttle: NO_ADDRESS_LIMITS });
      const account = await t.newAccount();
      const issue = async (permissions: string[]) => {
        const res = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: account.headers, payload: { name: `holds ${permissions.join(',') || 'nothing'}`, permissions } });
        assert.equal(res.statusCode, 201, res.body);
        return res.json() as { key: { keyId: string; permissions: string[] }; token: string };
      };
      f = { account, spareKeyId: (await issue([])).key.keyId };
      for (const p of [...PERMISSION_NAMES, 'none']) tokens.set(p, (await issue(p === 'none' ? [] : [p])).token);
    });
    after(async () => {
      await t?.close();
    });

    it('names a permission for every authenticated route, and a request for it here', () => {
      const routes = routesOf(t.app).filter((r) => r.auth !== false && r.method !== 'HEAD' && !r.url.startsWith('/docs'));
      assert.ok(routes.length >= 60, `only ${routes.length} routes`);
      for (const r of routes) assert.ok(r.permission, `${r.method} ${r.url} names no permission`);
    });

    it('refuses exactly what the table says, in each surface format', async () => {
      const routes = routesOf(t.app).filter((r) => r.auth !== false && r.method !== 'HEAD' && !r.url.startsWith('/docs'));
      const wrong: string[] = [];
      let calls = 0;
      for (const route of routes) {
        for (const [held, token] of tokens) {
          // `self` routes act on the caller's own user: no permission refuses them (a key is refused as no user).
          const allowed = route.permission === 'self' || (held !== 'none' && grants([held], route.permission as Permission));
          const req = requestFor(route, f);
          const res = await t.app.inject({ method: route.method as 'GET', url: req.url, headers: { 'x-api-key': token }, ...(req.payload ? { payload: req.payload } : {}) });
          calls++;
          const body = res.body ? JSON.parse(res.body) : undefined;
          const refused = isRefusal(route, res.statusCode, body);
          if (res.statusCode >= 500 || refused === allowed)
            wrong.push(`${route.method} ${route.url} with ${held}: ${allowed ? 'should be allowed' : 'should be refused'}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
      assert.deepEqual(wrong, [], `${wrong.length} of ${calls} calls disagree with the table`);
      assert.ok(calls >= 60 * tokens.size);
    });
  });
}
