/**
 * Helpers for the FactPulse wire-contract tests (docs/factpulse.md):
 * an `inject` wrapper that records every response, exact-key-set assertions, a small
 * JSON-Schema-like checker for the contract's types, the FactPulse error shapes, a
 * loopback OAuth token server for the integration test action, and database dumps for
 * "nothing changed" / "no secret anywhere" checks.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { Store } from '../../src/core/ports.js';
import { randomBytes } from '../../src/crypto/random.js';
import type { TestAccount, TestApp } from './app.js';
import { bearerHeader as bearer, toRes, type Res } from './http.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 3339 date-time: a `T` separator and a zone (Z or ±hh:mm), optional fraction. */
export const RFC3339_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const JSON_CT = /^application\/json(\s*;|$)/;
export const MISSING_UID = '00000000-0000-4000-8000-000000000000';

// ---------------------------------------------------------------------------------------
// Requests

export type { Res };

export interface CallOptions {
  /** A JSON-serialisable body (sent as application/json). */
  json?: unknown;
  /** A raw body, sent as is (with whatever content-type the headers say, or none). */
  raw?: string;
}

/** Every response body any test got, in order (for the "never leaks" scans). */
export function createRecorder() {
  const responses: Array<{ what: string; raw: string; headers: string }> = [];
  return {
    responses,
    async call(t: TestApp, method: string, url: string, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<Res> {
      const res = await call(t, method, url, headers, options);
      responses.push({ what: `${method} ${url} → ${res.status}`, raw: res.raw, headers: JSON.stringify(res.headers) });
      return res;
    },
  };
}

export async function call(t: TestApp, method: string, url: string, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<Res> {
  const h = { ...headers };
  let payload: string | undefined;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    payload = options.raw;
  }
  return toRes(await t.app.inject({ method: method as 'GET', url, headers: h, ...(payload !== undefined ? { payload } : {}) }));
}

// ---------------------------------------------------------------------------------------
// Credentials

export type AuthForm = 'apiKey' | 'bearer';

/** `POST /api/token/` (optionally scoped to one client) → the access token. */
export async function factPulseLogin(t: TestApp, acc: TestAccount, clientUid?: string): Promise<string> {
  const res = await call(t, 'POST', '/api/token/', {}, { json: { username: acc.email, password: acc.password, ...(clientUid ? { client_uid: clientUid } : {}) } });
  assert.equal(res.status, 200, res.raw);
  assertExactKeys(res.body, ['access', 'refresh']);
  assert.equal(typeof res.body.access, 'string');
  return res.body.access as string;
}

export { bearer };

/** Headers for the account in one of the two FactPulse auth forms. */
export async function authHeaders(t: TestApp, acc: TestAccount, form: AuthForm): Promise<Record<string, string>> {
  return form === 'apiKey' ? { 'x-api-key': acc.token } : bearer(await factPulseLogin(t, acc));
}

// ---------------------------------------------------------------------------------------
// Shapes

export function assertExactKeys(value: unknown, keys: string[], what = 'body'): void {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${what} is not an object: ${JSON.stringify(value)}`);
  assert.deepEqual(Object.keys(value as object).sort(), [...keys].sort(), `${what} keys`);
}

/** A tiny JSON-Schema-like description of the contract's types. */
export type Shape =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'uuid'
  | 'date-time'
  | { nullable: Shape }
  | { array: Shape }
  | { object: Record<string, Shape>; required: string[] }
  | { enum: readonly unknown[] };

const nullable = (s: Shape): Shape => ({ nullable: s });

/**
 * Checks `value` against `shape`: object key sets are closed (no key outside the shape),
 * required keys are present and non-null, and every leaf has the right type.
 */
function checkShape(value: unknown, shape: Shape, path = '$'): void {
  if (typeof shape === 'object' && 'nullable' in shape) {
    if (value === null) return;
    checkShape(value, shape.nullable, path);
    return;
  }
  assert.notEqual(value, null, `${path} must not be null`);
  assert.notEqual(value, undefined, `${path} must be present`);
  if (shape === 'string') {
    assert.equal(typeof value, 'string', `${path} must be a string`);
    return;
  }
  if (shape === 'boolean') {
    assert.equal(typeof value, 'boolean', `${path} must be a boolean`);
    return;
  }
  if (shape === 'integer') {
    assert.ok(Number.isSafeInteger(value), `${path} must be an integer, got ${JSON.stringify(value)}`);
    return;
  }
  if (shape === 'uuid') {
    assert.equal(typeof value, 'string', `${path} must be a string`);
    assert.match(value as string, UUID_RE, `${path} must be a UUID`);
    return;
  }
  if (shape === 'date-time') {
    assert.equal(typeof value, 'string', `${path} must be a string`);
    assert.match(value as string, RFC3339_RE, `${path} must be RFC 3339 with T and a zone`);
    assert.ok(!Number.isNaN(Date.parse(value as string)), `${path} must be a real date`);
    return;
  }
  if ('enum' in shape) {
    assert.ok(shape.enum.includes(value), `${path} must be one of ${JSON.stringify(shape.enum)}`);
    return;
  }
  if ('array' in shape) {
    assert.ok(Array.isArray(value), `${path} must be an array`);
    for (const [i, v] of (value as unknown[]).entries()) checkShape(v, shape.array, `${path}[${i}]`);
    return;
  }
  assert.ok(typeof value === 'object' && !Array.isArray(value), `${path} must be an object`);
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) assert.ok(k in shape.object, `${path}.${k} is not a documented key`);
  for (const k of shape.required) {
    assert.ok(k in obj, `${path}.${k} is required`);
    assert.notEqual(obj[k], null, `${path}.${k} is required and must not be null`);
  }
  for (const [k, s] of Object.entries(shape.object)) if (k in obj) checkShape(obj[k], s, `${path}.${k}`);
}

const clientFields: Record<string, Shape> = {
  uid: 'uuid',
  name: 'string',
  siret: nullable('string'),
  description: nullable('string'),
  isActive: 'boolean',
  hasConfigPdp: 'boolean',
  pdpIsActive: nullable('boolean'),
  pdpIsMock: nullable('boolean'),
  hasConfigChorus: 'boolean',
  createdAt: 'date-time',
  updatedAt: 'date-time',
};
const clientRequired = ['uid', 'name', 'isActive', 'hasConfigPdp', 'hasConfigChorus', 'createdAt', 'updatedAt'];

/** The contract's response schemas (§2). */
export const SHAPES = {
  ClientDetail: { object: clientFields, required: clientRequired },
  ClientSummary: { object: clientFields, required: clientRequired },
  ClientListResponse: {
    object: { results: { array: { object: clientFields, required: clientRequired } }, total: 'integer', page: 'integer', pageSize: 'integer' },
    required: ['results', 'total', 'page', 'pageSize'],
  },
  ClientActivateResponse: { object: { uid: 'uuid', isActive: 'boolean', message: 'string' }, required: ['uid', 'isActive', 'message'] },
  SecretStatus: {
    object: { status: 'string', message: 'string', encryptionMode: nullable('string'), requiresClientKey: nullable('boolean') },
    required: ['status', 'message'],
  },
  PDPConfigResponse: {
    object: {
      isConfigured: 'boolean',
      id: nullable('integer'),
      isActive: nullable('boolean'),
      modeSandbox: nullable('boolean'),
      flowServiceUrl: nullable('string'),
      tokenUrl: nullable('string'),
      oauthClientId: nullable('string'),
      encryptionMode: nullable('string'),
      secretStatus: nullable({
        object: { status: 'string', message: 'string', encryptionMode: nullable('string'), requiresClientKey: nullable('boolean') },
        required: ['status', 'message'],
      }),
      lastTestAt: nullable('date-time'),
      lastTestSuccess: nullable('boolean'),
      lastTestError: nullable('string'),
      createdAt: nullable('date-time'),
      updatedAt: nullable('date-time'),
      message: nullable('string'),
    },
    required: ['isConfigured'],
  },
  KeyRotationResponse: {
    object: { success: 'boolean', message: 'string', rotatedCount: 'integer', partialErrors: nullable({ array: 'string' }) },
    required: ['success', 'message', 'rotatedCount'],
  },
  WebhookSecretGenerateResponse: {
    object: { success: 'boolean', webhookSecret: 'string', message: 'string', createdAt: 'date-time' },
    required: ['success', 'webhookSecret', 'message', 'createdAt'],
  },
  WebhookSecretStatusResponse: { object: { hasSecret: 'boolean', createdAt: nullable('date-time') }, required: ['hasSecret'] },
  WebhookSecretDeleteResponse: { object: { success: 'boolean', message: 'string' }, required: ['success', 'message'] },
  APIError: { object: { errorCode: 'string', errorMessage: 'string' }, required: ['errorCode', 'errorMessage'] },
} satisfies Record<string, Shape>;

/** The keys ClientDetail/ClientSummary always carry (optional ones as null). */
export const CLIENT_KEYS = Object.keys(clientFields);
/** PDPConfigResponse once configured: every documented key but `message`. */
export const PDP_CONFIGURED_KEYS = Object.keys(SHAPES.PDPConfigResponse.object).filter((k) => k !== 'message');
export const SECRET_STATUS_KEYS = ['status', 'message', 'encryptionMode', 'requiresClientKey'];

function assertJson(res: Res): void {
  assert.match(String(res.headers['content-type']), JSON_CT, `content-type of ${res.status}: ${String(res.headers['content-type'])}`);
}

/** A 2xx with JSON content type whose body matches `shape`. */
export function assertOk(res: Res, status: number, shape: Shape): void {
  assert.equal(res.status, status, res.raw);
  assertJson(res);
  checkShape(res.body, shape);
}

/** `{errorCode, errorMessage}` (exactly those keys) with that status and code. */
export function assertApiError(res: Res, status: number, errorCode: string): void {
  assert.equal(res.status, status, res.raw);
  assertJson(res);
  assertExactKeys(res.body, ['errorCode', 'errorMessage']);
  assert.equal(res.body.errorCode, errorCode, res.raw);
  assert.equal(typeof res.body.errorMessage, 'string');
  assert.ok(res.body.errorMessage.length > 0);
}

/**
 * FastAPI's 422 `{"detail":[{"loc","msg","type"}]}`: exactly these keys (top level and in
 * every item), and the given locations (in order) are the items' locations.
 */
export function assertValidation(res: Res, locs: Array<Array<string | number>>, types?: string[]): void {
  assert.equal(res.status, 422, res.raw);
  assertJson(res);
  assertExactKeys(res.body, ['detail']);
  assert.ok(Array.isArray(res.body.detail), 'detail is an array');
  for (const [i, item] of (res.body.detail as unknown[]).entries()) {
    assertExactKeys(item, ['loc', 'msg', 'type'], `detail[${i}]`);
    const it = item as { loc: unknown[]; msg: unknown; type: unknown };
    assert.ok(Array.isArray(it.loc) && it.loc.length > 0, 'loc is a non-empty array');
    for (const part of it.loc) assert.ok(typeof part === 'string' || Number.isInteger(part), `loc part ${JSON.stringify(part)}`);
    assert.equal(typeof it.msg, 'string');
    assert.ok((it.msg as string).length > 0);
    assert.equal(typeof it.type, 'string');
    assert.ok((it.type as string).length > 0);
  }
  assert.deepEqual(
    (res.body.detail as Array<{ loc: unknown[] }>).map((d) => d.loc),
    locs,
    `422 locations: ${res.raw}`,
  );
  if (types)
    assert.deepEqual(
      (res.body.detail as Array<{ type: string }>).map((d) => d.type),
      types,
      `422 types: ${res.raw}`,
    );
}

// ---------------------------------------------------------------------------------------
// The operations

export interface FactPulseOp {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Account level (list, create) or client level (`{uid}` routes). */
  level: 'account' | 'client';
  path(uid: string): string;
  /** A valid body, when the operation takes one. */
  json?(): unknown;
}

export const validPdpConfig = () => ({
  flowServiceUrl: 'https://pdp.example.test/flow',
  tokenUrl: 'https://pdp.example.test/token',
  oauthClientId: 'pdp-client',
  clientSecret: uniqueSecret('pdp-secret'),
});

/** The 12 operations of the contract plus `DELETE …/pdp-config` (docs/factpulse.md). */
export const FACTPULSE_OPS: FactPulseOp[] = [
  { name: 'list clients', method: 'GET', level: 'account', path: () => '/api/v1/clients' },
  { name: 'create client', method: 'POST', level: 'account', path: () => '/api/v1/clients', json: () => ({ name: 'Created by an op' }) },
  { name: 'get client', method: 'GET', level: 'client', path: (u) => `/api/v1/clients/${u}` },
  { name: 'update client', method: 'PATCH', level: 'client', path: (u) => `/api/v1/clients/${u}`, json: () => ({ description: 'patched' }) },
  { name: 'activate client', method: 'POST', level: 'client', path: (u) => `/api/v1/clients/${u}/activer` },
  { name: 'deactivate client', method: 'POST', level: 'client', path: (u) => `/api/v1/clients/${u}/desactiver` },
  { name: 'get pdp-config', method: 'GET', level: 'client', path: (u) => `/api/v1/clients/${u}/pdp-config` },
  { name: 'put pdp-config', method: 'PUT', level: 'client', path: (u) => `/api/v1/clients/${u}/pdp-config`, json: validPdpConfig },
  { name: 'delete pdp-config', method: 'DELETE', level: 'client', path: (u) => `/api/v1/clients/${u}/pdp-config` },
  {
    name: 'rotate encryption key',
    method: 'POST',
    level: 'client',
    path: (u) => `/api/v1/clients/${u}/rotate-encryption-key`,
    json: () => ({ oldKey: newClientKey().b64, newKey: newClientKey().b64 }),
  },
  { name: 'generate webhook secret', method: 'POST', level: 'client', path: (u) => `/api/v1/clients/${u}/webhook-secret/generate` },
  { name: 'webhook secret status', method: 'GET', level: 'client', path: (u) => `/api/v1/clients/${u}/webhook-secret/status` },
  { name: 'delete webhook secret', method: 'DELETE', level: 'client', path: (u) => `/api/v1/clients/${u}/webhook-secret` },
];

/** Runs one operation with its valid body (if any). */
export function runOp(t: TestApp, op: FactPulseOp, uid: string, headers: Record<string, string>, record?: ReturnType<typeof createRecorder>): Promise<Res> {
  const options: CallOptions = op.json ? { json: op.json() } : {};
  return (record ? record.call : call)(t, op.method, op.path(uid), headers, options);
}

// ---------------------------------------------------------------------------------------
// Keys and secrets

/** A fresh AES-256 key: raw bytes and the base64 the wire carries. */
export function newClientKey(): { raw: Buffer; b64: string } {
  const raw = randomBytes(32);
  return { raw, b64: raw.toString('base64') };
}

export const uniqueSecret = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;

// ---------------------------------------------------------------------------------------
// A loopback OAuth token server (client-credentials grant)

export interface TokenServer {
  url: string;
  port: number;
  /** Every request it received, decoded. */
  hits: Array<{ path: string; contentType: string | undefined; form: Record<string, string> }>;
  /** client_id → client_secret it accepts. */
  accept(clientId: string, clientSecret: string): void;
  close(): Promise<void>;
}

export async function startTokenServer(): Promise<TokenServer> {
  const accepted = new Map<string, string>();
  const hits: TokenServer['hits'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      hits.push({ path: req.url ?? '', contentType: req.headers['content-type'], form });
      const ok =
        req.method === 'POST' &&
        req.url === '/token' &&
        form.grant_type === 'client_credentials' &&
        typeof form.client_id === 'string' &&
        accepted.has(form.client_id) &&
        accepted.get(form.client_id) === form.client_secret;
      res.setHeader('content-type', 'application/json');
      if (ok) {
        res.end(JSON.stringify({ access_token: `at-${randomBytes(8).toString('hex')}`, token_type: 'Bearer', expires_in: 3600 }));
      } else {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'invalid_client' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    port,
    hits,
    accept: (id, secret) => void accepted.set(id, secret),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Database

/** Rows of the tables a FactPulse call may change (as JSON text), for "nothing changed" checks. */
export async function snapshot(t: TestApp): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ['accounts', 'clients', 'integration_credentials', 'client_webhook_secrets', 'events']) {
    const r = await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.table(table)} x order by 1`.execute(t.database.db);
    out[table] = r.rows.map((row) => row.j);
  }
  return out;
}

/** Every table of the public schema, each row as `row_to_json` text (bytea as `\x…` hex). */
export async function dumpDatabase(t: TestApp): Promise<{ text: string; bytea: Buffer[] }> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(t.database.db);
  assert.ok(tables.rows.length >= 8, `expected the schema's tables, got ${tables.rows.map((r) => r.table_name).join(',')}`);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const r = await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.table(table_name)} x`.execute(t.database.db);
    for (const row of r.rows) parts.push(`${table_name}: ${row.j}`);
  }
  const cols = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and data_type = 'bytea' order by 1, 2`.execute(t.database.db);
  assert.ok(cols.rows.length > 0, 'the schema has bytea columns');
  const bytea: Buffer[] = [];
  for (const { table_name, column_name } of cols.rows) {
    const r = await sql<{ v: Uint8Array | null }>`select ${sql.ref(column_name)} as v from ${sql.table(table_name)}`.execute(t.database.db);
    for (const row of r.rows) if (row.v) bytea.push(Buffer.from(row.v));
  }
  return { text: parts.join('\n'), bytea };
}

/** The textual forms a secret could leak in: itself, utf8 hex, base64 of its utf8. */
export function leakForms(secret: string): string[] {
  const utf8 = Buffer.from(secret, 'utf8');
  return [secret, utf8.toString('hex'), utf8.toString('base64'), JSON.stringify(secret).slice(1, -1)];
}

/** Forms of an AES key given as base64: the base64 itself, base64url, and the raw bytes' hex. */
export function keyLeakForms(b64: string): string[] {
  const raw = Buffer.from(b64, 'base64');
  return [b64, raw.toString('base64url'), raw.toString('hex'), JSON.stringify(b64).slice(1, -1)];
}

// ---------------------------------------------------------------------------------------
// Fault injection

/**
 * Wraps a store so that the `failOn`-th call of `integrations.updateSecrets` (counted across
 * the outer store and every transaction store it hands out) throws. Install it with
 * `services.ctx.store = failingStore(original, state)` — routes read `ctx.store` per call.
 */
export function failingStore(inner: Store, state: { calls: number; failOn: number }): Store {
  return {
    ...inner,
    transaction: (fn) => inner.transaction((tx) => fn(failingStore(tx, state))),
    integrations: {
      ...inner.integrations,
      async updateSecrets(id, secrets, at) {
        state.calls += 1;
        if (state.calls === state.failOn) throw new Error('injected storage failure');
        return inner.integrations.updateSecrets(id, secrets, at);
      },
    },
  };
}

/** The sealed secrets column of a client's integrations, by kind. */
export async function storedSecrets(t: TestApp, clientId: string): Promise<Record<string, string>> {
  const rows = await t.database.db.selectFrom('integration_credentials').select(['kind', 'secrets']).where('client_id', '=', clientId).execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Buffer.from(r.secrets).toString('hex')]));
}

export const chorusConfig = (tokenUrl: string, clientSecret = uniqueSecret('chorus-secret'), technicalPassword = uniqueSecret('chorus-tp')) => ({
  apiUrl: 'https://chorus.example.test/api',
  tokenUrl,
  oauthClientId: 'chorus-client',
  technicalLogin: 'tech-login',
  clientSecret,
  technicalPassword,
});
