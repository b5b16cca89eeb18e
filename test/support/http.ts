/**
 * Small helpers shared by the HTTP tests (test/http): an `app.inject` wrapper that parses the
 * body, the problem+json assertions of the native API, header builders, content types, common
 * formats and row counts.
 *
 * The FactPulse tests call through `call` in ./factpulse.ts (explicit `json` / `raw` bodies).
 */
import assert from 'node:assert/strict';
import type { TestApp } from './app.js';

// ---------------------------------------------------------------------------------------
// Content types, formats and ids

export const JSON_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** The members of every native problem body (without `errors`). */
export const PROBLEM_KEYS = ['code', 'detail', 'instance', 'status', 'title', 'type'];

/** `Date.toISOString()`: milliseconds and `Z`. */
export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A lower-case UUID (any version). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const KEY_ID = /^ck_[0-9A-Za-z]{22}$/;
/** A well-formed key id that no key has. */
export const MISSING_KEY = 'ck_0000000000000000000000';

// ---------------------------------------------------------------------------------------
// Requests

export type Headers = Record<string, string>;

/** A response with its body parsed as JSON (`undefined` when empty or not JSON). */
export interface Res {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  raw: string;
}

/** The part of an `app.inject` reply `toRes` reads. */
interface InjectReply {
  statusCode: number;
  headers: Res['headers'];
  body: string;
}

export function toRes(res: InjectReply): Res {
  let body: any;
  try {
    body = res.body === '' ? undefined : JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body, raw: res.body };
}

/**
 * `app.inject` with these headers; an object payload is sent as JSON, a string as is (with
 * whatever content type the headers say).
 */
export async function call(t: Pick<TestApp, 'app'>, method: string, url: string, headers: Headers = {}, payload?: unknown): Promise<Res> {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return toRes(res);
}

export const apiKeyHeader = (token: string): Headers => ({ 'x-api-key': token });
export const bearerHeader = (jwt: string): Headers => ({ authorization: `Bearer ${jwt}` });
export const basicHeader = (user: string, pass: string): Headers => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`,
});

// ---------------------------------------------------------------------------------------
// Native problems (RFC 9457)

/** Status, exact problem content type and `code` — nothing about the other members. */
export function assertProblemCode(res: Res, status: number, code: string): void {
  assert.equal(res.status, status, res.raw);
  assert.equal(res.headers['content-type'], PROBLEM_TYPE);
  assert.equal(res.body.code, code);
}

/** Asserts the status, showing `what` and the body when it differs. */
export function expectStatus(res: Res, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.raw}`);
}

/**
 * Status, exact problem content type, the `status` member and `code`; with `field`, a
 * validation problem whose `errors` and `detail` name that field. `what` labels a failure.
 */
export function assertProblem(res: Res, status: number, code: string, field?: string, what = ''): void {
  const label = what ? `${what}: ` : '';
  assert.equal(res.status, status, `${label}expected ${status}, got ${res.status} ${res.raw}`);
  assert.equal(res.headers['content-type'], PROBLEM_TYPE, `${label}content-type`);
  assert.equal(res.body.status, status, `${label}status member`);
  assert.equal(res.body.code, code, `${label}code in ${res.raw}`);
  if (field) {
    assert.ok(Array.isArray(res.body.errors), `no errors[] in ${res.raw}`);
    assert.ok(
      res.body.errors.some((e: any) => e.field === field),
      `${field} not named in ${res.raw}`,
    );
    assert.ok(res.body.detail.includes(field.replace(/^body\./, '')), `detail does not name ${field}: ${res.body.detail}`);
  }
}

/** `assertProblem`, and the `type` URN derived from the code, a string `title` and `detail`. */
export function assertFullProblem(res: Res, status: number, code: string): void {
  assertProblem(res, status, code);
  assert.equal(res.body.type, `urn:clientele:problem:${code.toLowerCase().replace(/_/g, '-')}`);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.detail, 'string');
}

// ---------------------------------------------------------------------------------------
// Fixtures through the API

/** `POST /v1/clients` that must answer 201; the created client. */
export async function createClient(t: Pick<TestApp, 'app'>, headers: Headers, body: Record<string, unknown>): Promise<any> {
  const res = await call(t, 'POST', '/v1/clients', headers, body);
  assert.equal(res.status, 201, res.raw);
  return res.body;
}

/** What `POST /v1/keys` answers. */
export interface IssuedKeyBody {
  key: Record<string, any> & { keyId: string; clientId: string | null; isPrimary: boolean };
  secret: string;
  token: string;
}

/** `POST /v1/keys` that must answer 201; the issued key. */
export async function issueKey(t: Pick<TestApp, 'app'>, headers: Headers, body: Record<string, unknown>): Promise<IssuedKeyBody> {
  const res = await call(t, 'POST', '/v1/keys', headers, body);
  assert.equal(res.status, 201, res.raw);
  return res.body;
}

// ---------------------------------------------------------------------------------------
// Database

/** Rows of an account in one of its tables. */
export async function countRows(t: TestApp, table: 'clients' | 'api_keys' | 'events' | 'idempotency_records', accountId: string): Promise<number> {
  const r = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
