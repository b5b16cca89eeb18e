/**
 * The shared security suite (after Unkey's `testutil/common-tests.ts`): one table of every
 * protected native route, and one set of checks applied to each of them — no credential,
 * wrong / garbage / expired / disabled / deleted / deactivated credentials, a client
 * principal outside its own client, and another tenant's ids.
 *
 * Rules checked (docs/design.md §3): every failed authentication answers exactly like an unknown
 * key; a client principal naming another client of its account gets 403, and account-level
 * routes 403; another account's resources answer exactly like resources that do not exist.
 *
 * A new `/v1` route fails the suite until it is added to `NATIVE_ROUTES`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatToken, generateKeyId, generateSecret } from '../../src/crypto/key-format.js';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { routesOf } from '../../src/http/app.js';
import { createTestApp, NO_ADDRESS_LIMITS, type TestAccount, type TestApp } from './app.js';
import type { BackendName } from './databases.js';
import { apiKeyHeader, assertProblem, basicHeader, bearerHeader, call, createClient, expectStatus, issueKey, type Headers, type Res, toRes } from './http.js';

// ---------------------------------------------------------------------------------------------
// Fixtures through the API (the HTTP helpers are ./http.js's).

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

interface IssuedKey {
  keyId: string;
  secret: string;
  token: string;
}

/** Creates a key through the API (an account key without clientId): its id, secret and token. */
async function createKeyVia(t: TestApp, headers: Headers, body: Record<string, unknown>): Promise<IssuedKey> {
  const b = await issueKey(t, headers, body);
  return { keyId: b.key.keyId, secret: b.secret, token: b.token };
}

/** Creates a client through the API: its id. */
async function createClientVia(t: TestApp, headers: Headers, body: Record<string, unknown>): Promise<string> {
  return (await createClient(t, headers, body)).id as string;
}

/** RFC 6749 client-credentials grant with a form body. */
async function oauthToken(t: TestApp, keyId: string, secret: string): Promise<string> {
  const res = toRes(
    await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: keyId, client_secret: secret }).toString(),
    }),
  );
  assert.equal(res.status, 200, `oauth2/token: ${res.raw}`);
  return res.body.access_token as string;
}

/** FactPulse-style password login. */
async function passwordLogin(t: TestApp, username: string, password: string, clientUid?: string): Promise<{ access: string; refresh: string }> {
  const res = await call(t, 'POST', '/api/token/', {}, { username, password, ...(clientUid ? { client_uid: clientUid } : {}) });
  expectStatus(res, 200, 'api/token');
  return res.body as { access: string; refresh: string };
}

/** The secret with one character changed (same alphabet, same length). */
export function mutateSecret(secret: string, at = 7): string {
  const c = secret[at];
  return secret.slice(0, at) + (c === 'a' ? 'b' : 'a') + secret.slice(at + 1);
}

/** A JWT with one character of one part changed. */
function tamperJwt(jwt: string, part: 1 | 2): string {
  const parts = jwt.split('.');
  const p = parts[part]!;
  const i = Math.floor(p.length / 2);
  parts[part] = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
  return parts.join('.');
}

// ---------------------------------------------------------------------------------------------
// Route enumeration.

interface RouteId {
  method: string;
  path: string;
}

/** Every registered route (HEAD included), from the app's own route table. */
function registeredRoutes(t: TestApp): RouteId[] {
  return routesOf(t.app).map((r) => ({ method: r.method, path: r.url }));
}

/** Routes that may be called without a credential. Everything else must answer 401 without one. */
const PUBLIC_ROUTES: Array<string | RegExp> = [
  '/healthz',
  '/readyz',
  '/.well-known/jwks.json',
  '/openapi.json',
  '/oauth2/token',
  '/api/token/',
  '/api/token/refresh/',
  '/v1/sessions',
  /^\/docs(\/.*)?$/,
];

const isPublicRoute = (path: string) => PUBLIC_ROUTES.some((p) => (typeof p === 'string' ? p === path : p.test(path)));

// ---------------------------------------------------------------------------------------------
// The table.

/** What a request names: a client, one of its keys and that key's token. */
interface Target {
  clientId: string;
  keyId: string;
  token: string;
  /** An account-level webhook endpoint and one of its deliveries (routes whose prepare sets them). */
  endpointId?: string;
  deliveryId?: string;
  /** A user of the account (routes whose prepare sets it). */
  userId?: string;
}

interface RouteCase {
  method: Exclude<Method, 'HEAD'>;
  /** The route pattern exactly as registered. */
  path: string;
  /**
   * `account`: only account principals (client principals get 403, even on their own client).
   * `client`: a client principal may act on its own client, gets 403 on another client.
   * `verify`: keys outside the caller's reach verify as NOT_FOUND (200), like unknown keys.
   */
  access: 'account' | 'client' | 'verify';
  /**
   * How another tenant's ids answer, always exactly like ids that do not exist:
   * `client-not-found` / `key-not-found` (404), `empty-list` (audit log filter: 200 with no rows for
   * an account, which may still list a deleted client's events; 404 for a client principal),
   * `not-found` (404 NOT_FOUND: webhook endpoints and deliveries), `verify-not-found`,
   * `lists-own` (a list without ids: only the caller's rows), `created-in-own-account` (a create
   * without ids: the other tenant cannot see the result), `own-account` (acts on the caller's
   * account itself: the other tenant's state is checked untouched at the end).
   */
  foreign: 'client-not-found' | 'key-not-found' | 'user-not-found' | 'not-found' | 'empty-list' | 'verify-not-found' | 'lists-own' | 'created-in-own-account' | 'own-account';
  success: number;
  request(t: Target): { url: string; payload?: unknown; headers?: Headers };
  /** Brings an own target into the state the success control needs (run with account A's credentials). */
  // biome-ignore lint/suspicious/noConfusingVoidType: most preparations return nothing, some a replacement target
  prepare?(t: TestApp, headers: Headers, target: Target): Promise<Target | void>;
}

/** Webhook receivers: loopback is allowed for the suite's app; port 9 refuses, and no dispatcher runs. */
const HOOK_URL_A = 'http://127.0.0.1:9/security-suite-a';
const HOOK_URL_B = 'http://127.0.0.1:9/security-suite-b';
/**
 * The suite's endpoints subscribe to an event type that never occurs, so the many events
 * it causes fan out to none of them (test deliveries go to one endpoint regardless).
 */
const HOOK_EVENTS = ['security_suite.never'];

/** Creates an account-level webhook endpoint and a (pending) test delivery of it. */
async function createEndpointWithDelivery(t: TestApp, headers: Headers, url: string): Promise<{ endpointId: string; deliveryId: string; nextAttemptAt: string }> {
  const created = await call(t, 'POST', '/v1/webhook-endpoints', headers, { url, events: HOOK_EVENTS });
  expectStatus(created, 201, 'create webhook endpoint');
  const endpointId = created.body.id as string;
  const delivery = await call(t, 'POST', `/v1/webhook-endpoints/${endpointId}/test`, headers);
  expectStatus(delivery, 202, 'send a test event');
  return { endpointId, deliveryId: delivery.body.id as string, nextAttemptAt: delivery.body.nextAttemptAt as string };
}

const withEndpoint: RouteCase['prepare'] = async (t, headers, target) => ({ ...target, ...(await createEndpointWithDelivery(t, headers, HOOK_URL_A)) });

/** The caller-held AES-256 keys of the double-encryption routes (base64 of 32 bytes). */
const CALLER_KEY_OLD = randomBytes(32).toString('base64');
const CALLER_KEY_NEW = randomBytes(32).toString('base64');

/** A PDP integration; the token URL is refused by the outbound policy, so a test fails fast and offline. */
const PDP_CONFIG = {
  flowServiceUrl: 'https://127.0.0.1:9/flow',
  tokenUrl: 'https://127.0.0.1:9/token',
  oauthClientId: 'security-suite',
  clientSecret: 'pdp-client-secret-of-the-security-suite',
};

async function putPdp(t: TestApp, headers: Headers, clientId: string, mode: 'fernet' | 'double' = 'fernet'): Promise<void> {
  const extra: Headers = mode === 'double' ? { 'x-encryption-key': CALLER_KEY_OLD } : {};
  const res = await call(t, 'PUT', `/v1/clients/${clientId}/integrations/pdp`, { ...headers, ...extra }, { ...PDP_CONFIG, encryptionMode: mode });
  expectStatus(res, 200, `configure PDP (${mode})`);
}

const withPdp: RouteCase['prepare'] = (t, headers, target) => putPdp(t, headers, target.clientId);

/** A viewer user of account A. */
const withUser: RouteCase['prepare'] = async (t, headers, target) => {
  const res = await call(t, 'POST', '/v1/users', headers, { email: `suite-${randomBytes(5).toString('hex')}@example.com`, role: 'viewer' });
  expectStatus(res, 201, 'create a user');
  return { ...target, userId: res.body.user.id as string };
};

/** The identifier of a target's override: any text of the caller's; the target's client id makes it distinct per target. */
const overrideOf = (t: Target) => t.clientId;

/** An override of the suite's rate-limit namespace for the target. */
const withOverride: RouteCase['prepare'] = async (t, headers, target) => {
  expectStatus(await call(t, 'PUT', `/v1/ratelimit/namespaces/suite/overrides/${overrideOf(target)}`, headers, { limit: 5, duration: 60_000 }), 200, 'set an override');
};

/** Routes that act on the calling user itself (a key is refused as no user), and sign-in: test/http/users, two-factor and sessions tests cover them. */
const SELF_ROUTES = [
  'GET /v1/users/me',
  'POST /v1/users/me/password',
  'POST /v1/users/me/2fa',
  'POST /v1/users/me/2fa/confirm',
  'POST /v1/users/me/2fa/disable',
  'GET /v1/sessions',
  'GET /v1/sessions/current',
  'DELETE /v1/sessions/:id',
  'POST /v1/sessions',
];

const NATIVE_ROUTES: RouteCase[] = [
  { method: 'GET', path: '/v1/clients', access: 'account', foreign: 'lists-own', success: 200, request: () => ({ url: '/v1/clients?limit=100' }) },
  {
    method: 'POST',
    path: '/v1/clients',
    access: 'account',
    foreign: 'created-in-own-account',
    success: 201,
    request: () => ({ url: '/v1/clients', payload: { name: `security-suite ${randomBytes(4).toString('hex')}` } }),
  },
  {
    method: 'POST',
    path: '/v1/clients/batch',
    access: 'account',
    foreign: 'created-in-own-account',
    success: 200,
    request: () => ({ url: '/v1/clients/batch', payload: { items: [{ name: `security-suite batch ${randomBytes(4).toString('hex')}` }] } }),
  },
  { method: 'GET', path: '/v1/clients/:id', access: 'client', foreign: 'client-not-found', success: 200, request: (t) => ({ url: `/v1/clients/${t.clientId}` }) },
  {
    method: 'PATCH',
    path: '/v1/clients/:id',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/clients/${t.clientId}`, payload: { description: 'patched by the security suite' } }),
  },
  { method: 'DELETE', path: '/v1/clients/:id', access: 'account', foreign: 'client-not-found', success: 204, request: (t) => ({ url: `/v1/clients/${t.clientId}` }) },
  { method: 'POST', path: '/v1/clients/:id/activate', access: 'account', foreign: 'client-not-found', success: 200, request: (t) => ({ url: `/v1/clients/${t.clientId}/activate` }) },
  { method: 'POST', path: '/v1/clients/:id/deactivate', access: 'account', foreign: 'client-not-found', success: 200, request: (t) => ({ url: `/v1/clients/${t.clientId}/deactivate` }) },
  { method: 'GET', path: '/v1/keys', access: 'client', foreign: 'client-not-found', success: 200, request: (t) => ({ url: `/v1/keys?clientId=${t.clientId}` }) },
  {
    method: 'POST',
    path: '/v1/keys',
    access: 'client',
    foreign: 'client-not-found',
    success: 201,
    request: (t) => ({ url: '/v1/keys', payload: { clientId: t.clientId, name: 'security-suite key' } }),
  },
  { method: 'POST', path: '/v1/keys/verify', access: 'verify', foreign: 'verify-not-found', success: 200, request: (t) => ({ url: '/v1/keys/verify', payload: { token: t.token } }) },
  { method: 'GET', path: '/v1/keys/:keyId', access: 'client', foreign: 'key-not-found', success: 200, request: (t) => ({ url: `/v1/keys/${t.keyId}` }) },
  {
    method: 'PATCH',
    path: '/v1/keys/:keyId',
    access: 'client',
    foreign: 'key-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/keys/${t.keyId}`, payload: { name: 'renamed by the security suite' } }),
  },
  { method: 'DELETE', path: '/v1/keys/:keyId', access: 'client', foreign: 'key-not-found', success: 204, request: (t) => ({ url: `/v1/keys/${t.keyId}` }) },
  {
    method: 'POST',
    path: '/v1/keys/:keyId/reset',
    access: 'client',
    foreign: 'key-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/keys/${t.keyId}/reset`, payload: { gracePeriodSeconds: 0 } }),
  },
  { method: 'GET', path: '/v1/events', access: 'client', foreign: 'empty-list', success: 200, request: (t) => ({ url: `/v1/events?clientId=${t.clientId}&limit=100` }) },
  {
    method: 'GET',
    path: '/v1/clients/:id/integrations/:kind',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    prepare: withPdp,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/integrations/pdp` }),
  },
  {
    method: 'PUT',
    path: '/v1/clients/:id/integrations/:kind',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/integrations/pdp`, payload: { ...PDP_CONFIG, oauthClientId: 'replaced-by-the-security-suite' } }),
  },
  {
    method: 'DELETE',
    path: '/v1/clients/:id/integrations/:kind',
    access: 'client',
    foreign: 'client-not-found',
    success: 204,
    prepare: withPdp,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/integrations/pdp` }),
  },
  {
    method: 'POST',
    path: '/v1/clients/:id/integrations/:kind/test',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    prepare: withPdp,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/integrations/pdp/test` }),
  },
  {
    method: 'POST',
    path: '/v1/clients/:id/rotate-encryption-key',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    async prepare(t, headers, target) {
      await call(t, 'DELETE', `/v1/clients/${target.clientId}/integrations/pdp`, headers);
      await putPdp(t, headers, target.clientId, 'double');
    },
    request: (t) => ({ url: `/v1/clients/${t.clientId}/rotate-encryption-key`, payload: { oldKey: CALLER_KEY_OLD, newKey: CALLER_KEY_NEW } }),
  },
  {
    method: 'POST',
    path: '/v1/clients/:id/webhook-secret/generate',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/webhook-secret/generate` }),
  },
  {
    method: 'GET',
    path: '/v1/clients/:id/webhook-secret/status',
    access: 'client',
    foreign: 'client-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/webhook-secret/status` }),
  },
  {
    method: 'DELETE',
    path: '/v1/clients/:id/webhook-secret',
    access: 'client',
    foreign: 'client-not-found',
    success: 204,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/webhook-secret` }),
  },
  {
    method: 'POST',
    path: '/v1/clients/:id/usage',
    access: 'account',
    foreign: 'client-not-found',
    success: 200,
    request: (t) => ({ url: `/v1/clients/${t.clientId}/usage`, payload: { metric: 'calls', amount: 1 } }),
  },
  { method: 'GET', path: '/v1/clients/:id/usage', access: 'client', foreign: 'client-not-found', success: 200, request: (t) => ({ url: `/v1/clients/${t.clientId}/usage` }) },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints',
    access: 'account',
    foreign: 'client-not-found',
    success: 201,
    request: (t) => ({ url: '/v1/webhook-endpoints', payload: { url: HOOK_URL_A, clientId: t.clientId, events: HOOK_EVENTS } }),
  },
  { method: 'GET', path: '/v1/webhook-endpoints', access: 'account', foreign: 'lists-own', success: 200, request: () => ({ url: '/v1/webhook-endpoints?limit=100' }) },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/:id',
    access: 'account',
    foreign: 'not-found',
    success: 200,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/webhook-endpoints/${t.endpointId}` }),
  },
  {
    method: 'PATCH',
    path: '/v1/webhook-endpoints/:id',
    access: 'account',
    foreign: 'not-found',
    success: 200,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/webhook-endpoints/${t.endpointId}`, payload: { events: ['security_suite.patched'] } }),
  },
  {
    method: 'DELETE',
    path: '/v1/webhook-endpoints/:id',
    access: 'account',
    foreign: 'not-found',
    success: 204,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/webhook-endpoints/${t.endpointId}` }),
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/:id/deliveries',
    access: 'account',
    foreign: 'not-found',
    success: 200,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/webhook-endpoints/${t.endpointId}/deliveries` }),
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/:id/test',
    access: 'account',
    foreign: 'not-found',
    success: 202,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/webhook-endpoints/${t.endpointId}/test` }),
  },
  {
    method: 'POST',
    path: '/v1/deliveries/:id/redeliver',
    access: 'account',
    foreign: 'not-found',
    success: 202,
    prepare: withEndpoint,
    request: (t) => ({ url: `/v1/deliveries/${t.deliveryId}/redeliver` }),
  },
  { method: 'POST', path: '/v1/webhook-secret/generate', access: 'account', foreign: 'own-account', success: 200, request: () => ({ url: '/v1/webhook-secret/generate', payload: {} }) },
  { method: 'GET', path: '/v1/webhook-secret/status', access: 'account', foreign: 'own-account', success: 200, request: () => ({ url: '/v1/webhook-secret/status' }) },
  { method: 'DELETE', path: '/v1/webhook-secret', access: 'account', foreign: 'own-account', success: 204, request: () => ({ url: '/v1/webhook-secret' }) },
  { method: 'GET', path: '/v1/users', access: 'account', foreign: 'lists-own', success: 200, request: () => ({ url: '/v1/users?limit=100' }) },
  { method: 'PATCH', path: '/v1/account', access: 'account', foreign: 'own-account', success: 200, request: () => ({ url: '/v1/account', payload: { requireTwoFactor: false } }) },
  {
    method: 'POST',
    path: '/v1/users',
    access: 'account',
    foreign: 'lists-own',
    success: 201,
    request: () => ({ url: '/v1/users', payload: { email: `suite-${randomBytes(5).toString('hex')}@example.com`, role: 'viewer' } }),
  },
  { method: 'GET', path: '/v1/users/:id', access: 'account', foreign: 'user-not-found', success: 200, prepare: withUser, request: (t) => ({ url: `/v1/users/${t.userId ?? uuidv7()}` }) },
  {
    method: 'PATCH',
    path: '/v1/users/:id',
    access: 'account',
    foreign: 'user-not-found',
    success: 200,
    prepare: withUser,
    request: (t) => ({ url: `/v1/users/${t.userId ?? uuidv7()}`, payload: { role: 'admin' } }),
  },
  { method: 'DELETE', path: '/v1/users/:id', access: 'account', foreign: 'user-not-found', success: 204, prepare: withUser, request: (t) => ({ url: `/v1/users/${t.userId ?? uuidv7()}` }) },
  {
    method: 'GET',
    path: '/v1/users/:id/sign-in-lock',
    access: 'account',
    foreign: 'user-not-found',
    success: 200,
    prepare: withUser,
    request: (t) => ({ url: `/v1/users/${t.userId ?? uuidv7()}/sign-in-lock` }),
  },
  {
    method: 'DELETE',
    path: '/v1/users/:id/sign-in-lock',
    access: 'account',
    foreign: 'user-not-found',
    success: 204,
    prepare: withUser,
    request: (t) => ({ url: `/v1/users/${t.userId ?? uuidv7()}/sign-in-lock` }),
  },
  {
    method: 'POST',
    path: '/v1/ratelimit',
    access: 'account',
    foreign: 'own-account',
    success: 200,
    request: () => ({ url: '/v1/ratelimit', payload: { namespace: 'suite', identifier: 'suite-check', limit: 1000, duration: 60_000 } }),
  },
  {
    method: 'GET',
    path: '/v1/ratelimit/namespaces/:namespace/overrides',
    access: 'account',
    foreign: 'own-account',
    success: 200,
    request: () => ({ url: '/v1/ratelimit/namespaces/suite/overrides' }),
  },
  {
    method: 'PUT',
    path: '/v1/ratelimit/namespaces/:namespace/overrides/:identifier',
    access: 'account',
    foreign: 'own-account',
    success: 200,
    request: () => ({ url: '/v1/ratelimit/namespaces/suite/overrides/suite-put', payload: { limit: 5, duration: 60_000 } }),
  },
  {
    method: 'DELETE',
    path: '/v1/ratelimit/namespaces/:namespace/overrides/:identifier',
    access: 'account',
    foreign: 'not-found',
    success: 204,
    prepare: withOverride,
    request: (t) => ({ url: `/v1/ratelimit/namespaces/suite/overrides/${overrideOf(t)}` }),
  },
];

// ---------------------------------------------------------------------------------------------
// The fixture.

interface Credential {
  label: string;
  headers: Headers;
}

interface SecurityFixture {
  t: TestApp;
  A: TestAccount;
  B: TestAccount;
  c1: string;
  c2: string;
  cb: string;
  k1: IssuedKey;
  k2: IssuedKey;
  kb: IssuedKey;
  /** Webhook endpoints (with a pending test delivery) of A and of B, and B's account webhook secret. */
  hooksA: { endpointId: string; deliveryId: string; nextAttemptAt: string };
  hooksB: { endpointId: string; deliveryId: string; nextAttemptAt: string };
  bWebhookSecretCreatedAt: string;
  /** Account B's owner user. */
  bUserId: string;
  /** Every way account A can authenticate. */
  accountCredentials: Credential[];
  /** Every way client C1 (key K1, its JWT, its own password login) can authenticate. */
  clientCredentials: Credential[];
  /** Credentials that must fail: each answers exactly like an unknown key. */
  badCredentials: Credential[];
  /** A disposable target of account A: a new client and a second (non-primary) key of it. */
  freshAccountTarget(): Promise<Target>;
  /** A disposable target inside C1: C1 itself and a new non-primary key of C1. */
  freshClientTarget(): Promise<Target>;
  /** A client id and a key that exist nowhere. */
  nonexistentTarget(): Target;
}

/** Builds the fixture: accounts A and B, clients C1, C2 (A) and CB (B), and the spoiled credentials. */
async function createSecurityFixture(backend: BackendName): Promise<SecurityFixture> {
  let offsetMs = 0;
  // Every route case creates its own webhook endpoint: far more than the default cap per account.
  // The suite sends hundreds of wrong credentials from one address: the address limits (test/http/door-limits.test.ts) are off here.
  const t = await createTestApp(backend, { now: () => new Date(Date.now() + offsetMs), outboundAllowHosts: '127.0.0.1', webhookMaxEndpoints: 1000, throttle: NO_ADDRESS_LIMITS });
  try {
    const A = await t.newAccount('Security tenant A');
    const B = await t.newAccount('Security tenant B');
    const a = A.headers;

    const c1Username = `c1-${randomBytes(4).toString('hex')}`;
    const c1Password = `c1-pass-${randomBytes(8).toString('hex')}`;
    const c1 = await createClientVia(t, a, { name: 'C1', username: c1Username, password: c1Password });
    const c2 = await createClientVia(t, a, { name: 'C2' });
    const cb = await createClientVia(t, B.headers, { name: 'CB' });
    const k1 = await createKeyVia(t, a, { clientId: c1, name: 'K1' });
    const k2 = await createKeyVia(t, a, { clientId: c2, name: 'K2' });
    const kb = await createKeyVia(t, B.headers, { clientId: cb, name: 'KB' });
    // The sibling's and the other tenant's clients hold an integration and a webhook secret too.
    for (const [headers, clientId] of [
      [a, c2],
      [B.headers, cb],
    ] as const) {
      await putPdp(t, headers, clientId);
      expectStatus(await call(t, 'POST', `/v1/clients/${clientId}/webhook-secret/generate`, headers), 200, 'generate webhook secret');
    }
    const hooksA = await createEndpointWithDelivery(t, a, HOOK_URL_A);
    const hooksB = await createEndpointWithDelivery(t, B.headers, HOOK_URL_B);
    const bSecret = await call(t, 'POST', '/v1/webhook-secret/generate', B.headers, {});
    expectStatus(bSecret, 200, "generate B's account webhook secret");

    const accountUser = await passwordLogin(t, A.email, A.password);
    const accountCredentials: Credential[] = [
      { label: 'account X-API-Key', headers: apiKeyHeader(A.token) },
      { label: 'account Basic', headers: basicHeader(A.keyId, A.secret) },
      { label: 'account OAuth JWT', headers: bearerHeader(await oauthToken(t, A.keyId, A.secret)) },
      { label: 'account user JWT', headers: bearerHeader(accountUser.access) },
    ];
    const clientCredentials: Credential[] = [
      { label: 'K1 X-API-Key', headers: apiKeyHeader(k1.token) },
      { label: 'K1 Basic', headers: basicHeader(k1.keyId, k1.secret) },
      { label: 'K1 OAuth JWT', headers: bearerHeader(await oauthToken(t, k1.keyId, k1.secret)) },
      { label: 'C1 password-login JWT', headers: bearerHeader((await passwordLogin(t, c1Username, c1Password, c1)).access) },
      { label: 'account user JWT scoped to C1', headers: bearerHeader((await passwordLogin(t, A.email, A.password, c1)).access) },
    ];

    // Credentials that work now and are then spoiled: each is checked working first.
    const probe = async (label: string, headers: Headers, expected: number) => {
      const res = await call(t, 'GET', '/v1/events?limit=1', headers);
      assert.equal(res.status, expected, `fixture: ${label} → ${res.status} ${res.raw}`);
    };
    const spoiled: Credential[] = [];
    const keyForms = async (label: string, k: IssuedKey) => {
      const jwt = await oauthToken(t, k.keyId, k.secret);
      const forms: Credential[] = [
        { label: `${label} X-API-Key`, headers: apiKeyHeader(k.token) },
        { label: `${label} Basic`, headers: basicHeader(k.keyId, k.secret) },
        { label: `${label} JWT`, headers: bearerHeader(jwt) },
      ];
      for (const f of forms) await probe(f.label, f.headers, 200);
      spoiled.push(...forms);
    };

    const at = (ms: number) => new Date(Date.now() + offsetMs + ms).toISOString();
    const expiring = await createKeyVia(t, a, { name: 'expiring', expiresAt: at(60_000) });
    const disabled = await createKeyVia(t, a, { name: 'disabled' });
    const deleted = await createKeyVia(t, a, { name: 'deleted' });
    const c3 = await createClientVia(t, a, { name: 'C3 (deactivated)' });
    const k3 = await createKeyVia(t, a, { clientId: c3, name: 'K3' });
    const resetOld = await createKeyVia(t, a, { name: 'reset without grace' });
    await keyForms('expired key', expiring);
    await keyForms('disabled key', disabled);
    await keyForms('deleted key', deleted);
    await keyForms('deactivated client key', k3);
    await probe('old secret of a reset key', apiKeyHeader(resetOld.token), 200);
    const refreshAsBearer = bearerHeader(accountUser.refresh);

    offsetMs += 120_000; // `expiring` is now past its expiry
    expectStatus(await call(t, 'PATCH', `/v1/keys/${disabled.keyId}`, a, { enabled: false }), 200, 'disable key');
    expectStatus(await call(t, 'DELETE', `/v1/keys/${deleted.keyId}`, a), 204, 'delete key');
    expectStatus(await call(t, 'POST', `/v1/clients/${c3}/deactivate`, a), 200, 'deactivate C3');
    const reset = await call(t, 'POST', `/v1/keys/${resetOld.keyId}/reset`, a, { gracePeriodSeconds: 0 });
    expectStatus(reset, 200, 'reset key');
    await probe('new secret of a reset key', apiKeyHeader(reset.body.token), 200);

    const unknownKeyId = generateKeyId();
    const badCredentials: Credential[] = [
      ...spoiled,
      { label: 'old secret after reset', headers: apiKeyHeader(resetOld.token) },
      { label: 'unknown key, X-API-Key', headers: apiKeyHeader(formatToken(unknownKeyId, generateSecret())) },
      { label: 'unknown key, Basic', headers: basicHeader(unknownKeyId, generateSecret()) },
      { label: 'K1 with one secret char changed (valid checksum)', headers: apiKeyHeader(formatToken(k1.keyId, mutateSecret(k1.secret))) },
      { label: 'K1 token with one secret char changed (bad checksum)', headers: apiKeyHeader(k1.token.replace(k1.secret, mutateSecret(k1.secret))) },
      { label: 'account token with one secret char changed', headers: apiKeyHeader(formatToken(A.keyId, mutateSecret(A.secret))) },
      { label: 'K1 Basic with a wrong secret', headers: basicHeader(k1.keyId, mutateSecret(k1.secret)) },
      { label: 'account Basic with a wrong secret', headers: basicHeader(A.keyId, mutateSecret(A.secret)) },
      { label: 'account Basic with the token as password', headers: basicHeader(A.keyId, A.token) },
      { label: 'garbage Bearer', headers: bearerHeader('garbage') },
      { label: 'API token as Bearer', headers: bearerHeader(A.token) },
      { label: 'JWT with a tampered signature', headers: bearerHeader(tamperJwt(accountUser.access, 2)) },
      { label: 'JWT with a tampered payload', headers: bearerHeader(tamperJwt(accountUser.access, 1)) },
      { label: 'refresh token as Bearer', headers: refreshAsBearer },
      { label: 'garbage X-API-Key', headers: apiKeyHeader('not-a-key') },
      { label: 'unknown Authorization scheme', headers: { authorization: `Token ${A.token}` } },
      { label: 'valid X-API-Key with a wrong Basic', headers: { ...apiKeyHeader(A.token), ...basicHeader(A.keyId, mutateSecret(A.secret)) } },
      { label: 'valid Bearer with a wrong X-API-Key', headers: { ...accountCredentials[2]!.headers, ...apiKeyHeader(formatToken(A.keyId, mutateSecret(A.secret))) } },
    ];
    for (const c of badCredentials) await probe(c.label, c.headers, 401);

    return {
      t,
      A,
      B,
      c1,
      c2,
      cb,
      k1,
      k2,
      kb,
      hooksA,
      hooksB,
      bWebhookSecretCreatedAt: bSecret.body.createdAt as string,
      bUserId: (await call(t, 'GET', '/v1/users', B.headers)).body.data[0].id as string,
      accountCredentials,
      clientCredentials,
      badCredentials,
      async freshAccountTarget() {
        const clientId = await createClientVia(t, a, { name: `fresh ${randomBytes(3).toString('hex')}` });
        await createKeyVia(t, a, { clientId, name: 'fresh primary' });
        const k = await createKeyVia(t, a, { clientId, name: 'fresh second' });
        return { clientId, keyId: k.keyId, token: k.token };
      },
      async freshClientTarget() {
        const k = await createKeyVia(t, a, { clientId: c1, name: 'fresh C1 key' });
        return { clientId: c1, keyId: k.keyId, token: k.token };
      },
      nonexistentTarget() {
        const keyId = generateKeyId();
        return { clientId: uuidv7(), keyId, token: formatToken(keyId, generateSecret()), endpointId: uuidv7(), deliveryId: uuidv7(), userId: uuidv7() };
      },
    };
  } catch (err) {
    await t.close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The checks.

async function callRoute(f: SecurityFixture, route: RouteCase, target: Target, headers: Headers): Promise<Res> {
  const { url, payload, headers: extra } = route.request(target);
  return call(f.t, route.method, url, { ...extra, ...headers }, payload);
}

/** A disposable target of account A, or C1's, prepared for the route's success control. */
async function preparedTarget(f: SecurityFixture, route: RouteCase, owner: 'account' | 'client'): Promise<Target> {
  const target = owner === 'account' ? await f.freshAccountTarget() : await f.freshClientTarget();
  return (await route.prepare?.(f.t, f.A.headers, target)) ?? target;
}

/** The body with the ids a request named replaced, so answers for different ids compare. */
function normalise(body: string, target: Target): string {
  let out = body.split(target.clientId).join('<client>').split(target.keyId).join('<key>');
  if (target.endpointId) out = out.split(target.endpointId).join('<endpoint>');
  if (target.deliveryId) out = out.split(target.deliveryId).join('<delivery>');
  if (target.userId) out = out.split(target.userId).join('<user>');
  return out;
}

function expectUnauthenticated(res: Res, what: string): void {
  assertProblem(res, 401, 'UNAUTHENTICATED', undefined, what);
  const challenge = res.headers['www-authenticate'];
  assert.ok(typeof challenge === 'string' && /Bearer/.test(challenge) && /Basic/.test(challenge), `${what}: WWW-Authenticate is ${String(challenge)}`);
}

async function checkNoCredentials(f: SecurityFixture, route: RouteCase): Promise<void> {
  const target = await preparedTarget(f, route, 'account');
  const res = await callRoute(f, route, target, {});
  expectUnauthenticated(res, 'no credentials');
  // The CCM19-only ?apiKey= is no credential on the native surface.
  const { url, payload, headers: extra } = route.request(target);
  const withQuery = await call(f.t, route.method, `${url}${url.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(f.A.token)}`, extra, payload);
  expectUnauthenticated(withQuery, '?apiKey= on a native route');
  assert.equal(normalise(withQuery.raw, target), normalise(res.raw, target), '?apiKey= answers like no credential');
  // Nothing happened: the target is intact.
  expectStatus(await call(f.t, 'GET', `/v1/keys/${target.keyId}`, f.A.headers), 200, 'target still exists');
}

async function checkBadCredentials(f: SecurityFixture, route: RouteCase): Promise<void> {
  const target = await preparedTarget(f, route, 'account');
  const unknown = await callRoute(f, route, target, apiKeyHeader(formatToken(generateKeyId(), generateSecret())));
  expectUnauthenticated(unknown, 'unknown key');
  for (const c of f.badCredentials) {
    const res = await callRoute(f, route, target, c.headers);
    expectUnauthenticated(res, c.label);
    assert.equal(res.raw, unknown.raw, `${c.label}: body must be byte-identical to the unknown-key body`);
    assert.equal(res.headers['www-authenticate'], unknown.headers['www-authenticate'], `${c.label}: same challenge`);
  }
  expectStatus(await call(f.t, 'GET', `/v1/keys/${target.keyId}`, f.A.headers), 200, 'target still exists');
}

async function checkAccountControl(f: SecurityFixture, route: RouteCase): Promise<void> {
  for (const c of f.accountCredentials) {
    const res = await callRoute(f, route, await preparedTarget(f, route, 'account'), c.headers);
    expectStatus(res, route.success, `${c.label} on its own resources`);
    if (route.access === 'verify') assert.equal(res.body.valid, true, `${c.label}: own key verifies`);
  }
}

async function checkClientPrincipal(f: SecurityFixture, route: RouteCase): Promise<void> {
  const sibling: Target = { clientId: f.c2, keyId: f.k2.keyId, token: f.k2.token, endpointId: f.hooksA.endpointId, deliveryId: f.hooksA.deliveryId };
  const accountKey: Target = { clientId: f.c2, keyId: f.A.keyId, token: f.A.token };
  const unknownVerify = route.access === 'verify' ? (await callRoute(f, route, f.nonexistentTarget(), f.clientCredentials[0]!.headers)).raw : '';
  for (const c of f.clientCredentials) {
    const own = await callRoute(f, route, await preparedTarget(f, route, 'client'), c.headers);
    if (route.access === 'account') assertProblem(own, 403, 'FORBIDDEN', undefined, `${c.label} on an account-level route`);
    else expectStatus(own, route.success, `${c.label} on its own client`);
    if (route.access === 'verify') assert.equal(own.body.valid, true, `${c.label}: own key verifies`);

    for (const [what, target] of [
      ['another client of the account', sibling],
      ["the account's own key", accountKey],
    ] as const) {
      if (what === "the account's own key" && !route.path.includes(':keyId') && route.access !== 'verify') continue;
      const res = await callRoute(f, route, target, c.headers);
      if (route.access === 'verify') {
        expectStatus(res, 200, `${c.label} verifying ${what}`);
        assert.deepEqual(res.body, { valid: false, code: 'NOT_FOUND', ratelimits: [] }, `${c.label} verifying ${what}`);
        assert.equal(res.raw, unknownVerify, `${c.label} verifying ${what}: answers like an unknown key`);
      } else {
        assertProblem(res, 403, 'FORBIDDEN', undefined, `${c.label} on ${what}`);
      }
    }
  }
}

async function checkForeign(f: SecurityFixture, route: RouteCase): Promise<void> {
  const foreign: Target = { clientId: f.cb, keyId: f.kb.keyId, token: f.kb.token, endpointId: f.hooksB.endpointId, deliveryId: f.hooksB.deliveryId, userId: f.bUserId };
  const bValues = [f.B.accountId, f.B.keyId, f.cb, f.kb.keyId, f.kb.secret, 'Security tenant B', 'CB', 'KB', f.hooksB.endpointId, f.hooksB.deliveryId, HOOK_URL_B, f.bUserId, f.B.email];
  const principals = [...f.accountCredentials, ...f.clientCredentials];
  for (const c of principals) {
    const isClient = f.clientCredentials.includes(c);
    if (route.foreign === 'lists-own' || route.foreign === 'created-in-own-account' || route.foreign === 'own-account') {
      const res = await callRoute(f, route, foreign, c.headers);
      if (isClient) {
        assertProblem(res, 403, 'FORBIDDEN', undefined, `${c.label} on an account-level route`);
        continue;
      }
      expectStatus(res, route.success, c.label);
      for (const v of bValues) assert.ok(!res.raw.includes(`"${v}"`), `${c.label}: the answer carries B's value ${v}`);
      if (route.foreign === 'created-in-own-account') {
        // A single create answers the client; a batch create, each item's.
        const id = (res.body.id ?? res.body.results?.[0]?.client?.id) as string;
        assertProblem(await call(f.t, 'GET', `/v1/clients/${id}`, f.B.headers), 404, 'CLIENT_NOT_FOUND', undefined, "B reading A's new client");
        expectStatus(await call(f.t, 'GET', `/v1/clients/${id}`, f.A.headers), 200, 'A reading its new client');
      }
      continue;
    }
    const nowhere = f.nonexistentTarget();
    const res = await callRoute(f, route, foreign, c.headers);
    const none = await callRoute(f, route, nowhere, c.headers);
    const answer = normalise(res.raw, foreign); // the ids the caller sent may be echoed (instance)
    assert.equal(res.status, none.status, `${c.label}: B's ids answer ${res.status} ${res.raw}, ids that do not exist ${none.status}`);
    assert.equal(answer, normalise(none.raw, nowhere), `${c.label}: B's ids answer exactly like ids that do not exist`);
    for (const v of bValues) assert.ok(!answer.includes(v), `${c.label}: the answer carries B's value ${v}`);
    if (isClient && route.access === 'account') {
      // Refused before any lookup, whatever the id (checked equal above): reveals nothing.
      assertProblem(res, 403, 'FORBIDDEN', undefined, `${c.label} on an account-level route`);
      continue;
    }
    assert.notEqual(res.status, 403, `${c.label}: never 403 for another tenant's id (${res.raw})`);
    switch (route.foreign) {
      case 'client-not-found':
        assertProblem(res, 404, 'CLIENT_NOT_FOUND', undefined, `${c.label} on B's client`);
        break;
      case 'key-not-found':
        assertProblem(res, 404, 'KEY_NOT_FOUND', undefined, `${c.label} on B's key`);
        break;
      case 'user-not-found':
        assertProblem(res, 404, 'USER_NOT_FOUND', undefined, `${c.label} on B's user`);
        break;
      case 'not-found':
        assertProblem(res, 404, 'NOT_FOUND', undefined, `${c.label} on B's webhook endpoint or delivery`);
        break;
      case 'empty-list':
        // A client principal naming any client but its own is refused (403 inside the account, 404 outside).
        if (isClient) {
          assertProblem(res, 404, 'CLIENT_NOT_FOUND', undefined, `${c.label} filtering by B's client`);
          break;
        }
        // The audit log keeps deleted clients' events, so an account filter needs no existing client.
        expectStatus(res, 200, `${c.label} filtering by B's client`);
        assert.deepEqual(res.body, { data: [], nextCursor: null }, `${c.label} filtering by B's client`);
        break;
      case 'verify-not-found':
        expectStatus(res, 200, `${c.label} verifying B's key`);
        assert.deepEqual(res.body, { valid: false, code: 'NOT_FOUND', ratelimits: [] }, `${c.label} verifying B's key`);
        break;
    }
  }
}

/** After every check: nothing of C2, K2, CB or KB was changed by the refused requests. */
async function checkUntouched(f: SecurityFixture): Promise<void> {
  for (const [who, headers, clientId, key, name, keyName] of [
    ['B', f.B.headers, f.cb, f.kb, 'CB', 'KB'],
    ['A', f.A.headers, f.c2, f.k2, 'C2', 'K2'],
  ] as const) {
    const client = await call(f.t, 'GET', `/v1/clients/${clientId}`, headers);
    expectStatus(client, 200, `${who}: ${name} still exists`);
    assert.equal(client.body.name, name);
    assert.equal(client.body.description, null, `${name} was never patched`);
    assert.equal(client.body.isActive, true, `${name} is still active`);
    const k = await call(f.t, 'GET', `/v1/keys/${key.keyId}`, headers);
    expectStatus(k, 200, `${who}: ${keyName} still exists`);
    assert.equal(k.body.name, keyName, `${keyName} was never renamed`);
    assert.equal(k.body.enabled, true);
    const pdp = await call(f.t, 'GET', `/v1/clients/${clientId}/integrations/pdp`, headers);
    expectStatus(pdp, 200, `${who}: ${name}'s PDP integration still exists`);
    assert.equal(pdp.body.settings.oauthClientId, PDP_CONFIG.oauthClientId, `${name}'s PDP integration was never replaced`);
    assert.equal(pdp.body.encryptionMode, 'fernet', `${name}'s PDP integration was never re-encrypted`);
    assert.equal(pdp.body.lastTestAt, null, `${name}'s PDP integration was never tested`);
    const webhook = await call(f.t, 'GET', `/v1/clients/${clientId}/webhook-secret/status`, headers);
    expectStatus(webhook, 200, `${who}: ${name}'s webhook secret status`);
    assert.equal(webhook.body.hasSecret, true, `${name}'s webhook secret still exists`);
    const usage = await call(f.t, 'GET', `/v1/clients/${clientId}/usage`, headers);
    expectStatus(usage, 200, `${who}: ${name}'s usage`);
    assert.ok(!(usage.body.metrics as Array<{ metric: string }>).some((m) => m.metric === 'calls'), `no usage was recorded for ${name}`);
    // Still the same secret (never reset) and still working.
    expectStatus(await call(f.t, 'GET', `/v1/clients/${clientId}`, apiKeyHeader(key.token)), 200, `${keyName} still authenticates`);
  }
  for (const [who, headers, hooks, url] of [
    ['A', f.A.headers, f.hooksA, HOOK_URL_A],
    ['B', f.B.headers, f.hooksB, HOOK_URL_B],
  ] as const) {
    const endpoint = await call(f.t, 'GET', `/v1/webhook-endpoints/${hooks.endpointId}`, headers);
    expectStatus(endpoint, 200, `${who}'s webhook endpoint still exists`);
    assert.deepEqual([endpoint.body.url, endpoint.body.events, endpoint.body.enabled], [url, HOOK_EVENTS, true], `${who}'s webhook endpoint was never changed`);
    const deliveries = await call(f.t, 'GET', `/v1/webhook-endpoints/${hooks.endpointId}/deliveries?limit=100`, headers);
    expectStatus(deliveries, 200, `${who}'s deliveries`);
    const list = deliveries.body.data as Array<{ id: string; nextAttemptAt: string | null }>;
    assert.deepEqual(
      list.map((d) => [d.id, d.nextAttemptAt]),
      [[hooks.deliveryId, hooks.nextAttemptAt]],
      `${who}: only its test delivery, never re-delivered`,
    );
  }
  const bSecret = await call(f.t, 'GET', '/v1/webhook-secret/status', f.B.headers);
  expectStatus(bSecret, 200, "B's account webhook secret status");
  assert.deepEqual([bSecret.body.hasSecret, bSecret.body.createdAt], [true, f.bWebhookSecretCreatedAt], "B's account webhook secret was never replaced or deleted");
  expectStatus(await call(f.t, 'GET', '/v1/clients', f.A.headers), 200, "A's primary key still authenticates");
  expectStatus(await call(f.t, 'GET', '/v1/clients', f.B.headers), 200, "B's primary key still authenticates");
}

/** Registers the suite for one backend. */
export function runSecuritySuite(backend: BackendName): void {
  describe(`security suite [${backend}]`, () => {
    let f: SecurityFixture;
    before(async () => {
      f = await createSecurityFixture(backend);
    });
    after(async () => {
      await f?.t.close();
    });

    it('the table lists every /v1 route, and every listed route exists', () => {
      const routes = registeredRoutes(f.t);
      assert.ok(routes.length > 10, 'the route table is filled');
      const key = (r: RouteId) => `${r.method} ${r.path}`;
      const listed = new Set(NATIVE_ROUTES.map(key));
      const v1 = routes
        .filter((r) => r.method !== 'HEAD' && /^\/v1(\/|$)/.test(r.path))
        .map(key)
        .filter((r) => !SELF_ROUTES.includes(r));
      assert.deepEqual(
        v1.filter((r) => !listed.has(r)),
        [],
        '/v1 routes missing from NATIVE_ROUTES',
      );
      assert.deepEqual(
        [...listed].filter((r) => !v1.includes(r)),
        [],
        'NATIVE_ROUTES lists routes that do not exist',
      );
    });

    it('every route outside the public allow-list (HEAD included) refuses a request without credentials', async () => {
      for (const r of registeredRoutes(f.t)) {
        if (isPublicRoute(r.path)) continue;
        const url = r.path.replace(/:[A-Za-z]+/g, (p) => (/key/i.test(p) ? generateKeyId() : uuidv7())).replace(/\*$/, 'x');
        const res = await call(f.t, r.method as Method, url);
        assert.equal(res.status, 401, `${r.method} ${r.path} without credentials answered ${res.status} ${res.raw}`);
        assert.ok(res.headers['www-authenticate'], `${r.method} ${r.path}: WWW-Authenticate`);
      }
    });

    for (const route of NATIVE_ROUTES) {
      describe(`${route.method} ${route.path}`, () => {
        it('no credentials → 401 problem+json UNAUTHENTICATED with WWW-Authenticate', () => checkNoCredentials(f, route));
        it('wrong, garbage, expired, disabled, deleted and deactivated credentials → 401, byte-identical to an unknown key', () => checkBadCredentials(f, route));
        it('account principal on its own resources → success (control)', () => checkAccountControl(f, route));
        it(
          route.access === 'account'
            ? 'client principal → 403 FORBIDDEN, even on its own client'
            : route.access === 'verify'
              ? "client principal verifies its own keys; another client's or the account's key → NOT_FOUND"
              : 'client principal: own client allowed, another client of the account → 403 FORBIDDEN',
          () => checkClientPrincipal(f, route),
        );
        it("another account's ids → answered exactly like ids that do not exist (404, never 403)", () => checkForeign(f, route));
      });
    }

    it("refused requests changed nothing: C2, K2, CB, KB, their integrations and webhook secrets, both webhook endpoints and B's account secret are intact", () => checkUntouched(f));
  });
}
