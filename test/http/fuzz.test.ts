/**
 * Seeded, bounded fuzzing of every route: the operations of the app's own OpenAPI document
 * and the vendor routes it hides, with malformed and hostile input — path parameters that do
 * not decode or are too long, unknown and repeated query parameters, bodies of the wrong
 * shape, type and size, prototype-poisoning keys, wrong media types, garbage credentials,
 * and canary secrets in the query, the body and the headers.
 *
 * Every answer must be below 500, carry the security headers, and, when it is an error, be
 * written in the route's surface format without echoing any canary. The captured log lines
 * must hold no token (the canary's, plain or percent-encoded, or the account's) either.
 *
 * FUZZ_SEED and FUZZ_RUNS (cases per route and backend) reproduce or widen a run; a failure
 * prints the seed and the case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';
import { routesOf, type RouteSummary } from '../../src/http/app.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { createClient, issueKey } from '../support/http.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** A well-formed API token that no key has: it must never come back in an answer or a log line. */
const CANARY_TOKEN = `clt_${'C'.repeat(22)}_${'a1B2c3D4e5'.repeat(4)}canary999`;
/** A secret-looking string placed in query strings, bodies and headers. */
const CANARY = 'Zq9canaryS3cret';

/** Routes that reach outside the machine (the integration connection test): fuzzed unauthenticated only. */
const OUTBOUND = /\/integrations\/:kind\/test$/;
/** The documentation UI and its assets are not API routes. */
const SKIP = /^\/docs/;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '%E9',
  '%00',
  '%',
  '..%2F..%2Fetc%2Fpasswd',
  'a'.repeat(101),
  'é😀\u202e',
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile input, sent literally
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '00000000-0000-0000-0000-000000000000',
  'ck_0000000000000000000000',
  CANARY,
  CANARY_TOKEN,
  '-1',
  '1e309',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '{}',
];

const HOSTILE_NUMBERS = [0, -1, 1, -0, 0.5, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE];

const surfaceFormats: Record<string, (status: number, body: any, contentType: string) => void> = {
  native: problem,
  ccm19: problem,
  factpulse(status, body) {
    const keys = Object.keys(body ?? {})
      .sort()
      .join(',');
    if (status === 422 && keys === 'detail') {
      assert.ok(Array.isArray(body.detail) && body.detail.length > 0, 'detail is a non-empty list');
      for (const d of body.detail) assert.deepEqual(Object.keys(d).sort(), ['loc', 'msg', 'type']);
      return;
    }
    assert.equal(keys, 'errorCode,errorMessage');
    assert.match(body.errorCode, /^[A-Z_]+$/);
  },
  inteliquent(status, body) {
    const keys = Object.keys(body ?? {})
      .sort()
      .join(',');
    if (status === 401) assert.equal(keys, 'message,status,statusCode,timestamp');
    else assert.equal(keys, 'status,statusCode');
    assert.equal(typeof body.status, 'string');
  },
  oauth(_status, body) {
    assert.deepEqual(Object.keys(body ?? {}).sort(), ['error', 'error_description']);
    assert.match(body.error, /^[a-z_]+$/);
  },
};

function problem(status: number, body: any, contentType: string): void {
  assert.equal(contentType, 'application/problem+json; charset=utf-8');
  assert.equal(body.status, status);
  assert.ok(body.code in ERROR_CATALOGUE, `unknown code ${body.code}`);
  for (const key of Object.keys(body)) assert.ok(['type', 'title', 'status', 'detail', 'code', 'instance', 'errors'].includes(key), `unexpected member ${key}`);
}

// ---------------------------------------------------------------------------------------------
// Generators

interface Fixture {
  account: TestAccount;
  clientId: string;
  clientToken: string;
  /** An account key that is not the one the requests authenticate with (it may be reset or deleted). */
  spareKeyId: string;
}

type Schema = Record<string, any>;

/** A value that satisfies a JSON Schema (as far as its keywords go), so requests reach the handlers. */
function validFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])] as Schema[];
  if (alternatives.length) return fc.oneof(...alternatives.map((alt) => validFor(alt, depth + 1)));
  switch (schema.type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = Math.max(min, Math.min(schema.maxLength ?? 24, 24));
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 320));
      if (schema.format === 'uri') return fc.constantFrom('https://hooks.example.com/clientele', 'https://pdp.example.com/flow');
      if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((v) => v.length >= min && v.length <= (schema.maxLength ?? 1e6));
      return fc.string({ minLength: min, maxLength: max });
    }
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(schema.minimum ?? 0, -1e6), max: Math.min(schema.maximum ?? 1000, 1e9) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validFor(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) });
    case 'object': {
      const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      return fc.record(Object.fromEntries(props.map(([k, s]) => [k, valueFor(s, depth + 1)])), { requiredKeys: (schema.required ?? []).filter((k: string) => props.some(([p]) => p === k)) });
    }
    default:
      return fc.constant(null);
  }
}

/** A value for a JSON Schema: mostly valid (so handlers run), now and then broken at some place. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(null, true, false, [], {}, { __proto__: { polluted: 1 } }, { constructor: { prototype: { polluted: 1 } } }),
    fc.string({ maxLength: 40 }),
  );
  if (!schema || depth > 4) return hostile;
  const broken: Array<fc.Arbitrary<unknown>> = [hostile];
  switch (schema.type) {
    case 'string':
      broken.push(fc.constant('x'.repeat((schema.maxLength ?? 1000) + 1)), fc.constant(CANARY));
      break;
    case 'integer':
    case 'number':
      broken.push(fc.constantFrom(...HOSTILE_NUMBERS), fc.constant((schema.maximum ?? 2 ** 53) + 1), fc.constant((schema.minimum ?? -(2 ** 53)) - 1));
      break;
    case 'array':
      broken.push(fc.constant(Array.from({ length: 1001 }, () => 1)));
      break;
    case 'object':
      broken.push(
        validFor(schema, depth).map((o) => ({ ...(o as object), unexpectedField: CANARY })),
        validFor(schema, depth).map((o) => JSON.parse(`{"__proto__":{"isAdmin":true},"x":${JSON.stringify(o)}}`)),
      );
      break;
  }
  return fc.oneof({ arbitrary: validFor(schema, depth), weight: 6 }, { arbitrary: fc.oneof(...broken), weight: 1 });
}

/** Path parameter values: real ids of the fixture, random UUIDs and hostile strings (percent-encoded or raw). */
function paramFor(name: string, fixture: Fixture): fc.Arbitrary<string> {
  const real = /key/i.test(name) ? [fixture.spareKeyId] : name === 'kind' ? ['pdp', 'chorus-pro'] : [fixture.clientId];
  return fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: 6 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((s) => (s.includes('%') ? s : encodeURIComponent(s))), weight: 2 },
    { arbitrary: fc.constantFrom('%E9', '%C3%28', 'a'.repeat(150), '%2e%2e'), weight: 1 },
  );
}

interface Case {
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

function caseFor(route: RouteSummary, fixture: Fixture): fc.Arbitrary<Case> {
  const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const schema = route.schema ?? {};
  const auth = OUTBOUND.test(route.url)
    ? fc.constantFrom<Record<string, string>>({}, { 'x-api-key': CANARY_TOKEN })
    : fc.constantFrom<Record<string, string>>(
        { 'x-api-key': fixture.account.token },
        { 'x-api-key': fixture.account.token },
        { 'x-api-key': fixture.account.token },
        { 'x-api-key': fixture.account.token },
        { 'x-api-key': fixture.clientToken },
        {},
        { 'x-api-key': CANARY_TOKEN },
        { authorization: `Bearer ${CANARY}.${CANARY}.${CANARY}` },
        { authorization: `Basic ${Buffer.from(`${fixture.spareKeyId}:${CANARY}`).toString('base64')}` },
      );
  const queryProps = Object.entries(((schema.querystring as Schema)?.properties ?? {}) as Record<string, Schema>);
  const validQuery = fc.record(Object.fromEntries(queryProps.map(([k, s]) => [k, validFor(s).map(String)])), { requiredKeys: [] }).map((o) => Object.entries(o) as Array<[string, string]>);
  const hostileQuery = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...Object.keys((schema.querystring as Schema)?.properties ?? {}), 'apiKey', '%61piKey', 'token', 'x'), fc.string({ maxLength: 8 })),
      fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 12 }), fc.constant(CANARY_TOKEN.replace('_', '%5F'))),
    ),
    { maxLength: 4 },
  );
  const query = fc.oneof({ arbitrary: validQuery, weight: 3 }, { arbitrary: hostileQuery, weight: 1 });
  const body = fc.oneof(
    { arbitrary: valueFor(schema.body as Schema).map((v) => JSON.stringify(v)), weight: 8 },
    { arbitrary: fc.constantFrom('{bad json', '{"a":', '['.repeat(5000), `{"password":"${CANARY}"`, 'null', '"string"', '\u0000'), weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 8 },
    { arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', '%%%', undefined), weight: 1 },
  );
  const extra = fc.record(
    {
      'idempotency-key': fc.oneof(fc.string({ maxLength: 300 }), fc.constant(CANARY)),
      'x-encryption-key': fc.oneof(fc.base64String({ maxLength: 48 }), fc.constant(CANARY)),
      'x-canary': fc.constant(CANARY),
    },
    { requiredKeys: [] },
  );
  return fc.record({ values: fc.tuple(...params.map((p) => paramFor(p, fixture))), auth, query, body, contentType, extra }).map(({ values, auth, query, body, contentType, extra }) => {
    let path = route.url;
    params.forEach((p, i) => {
      path = path.replace(`:${p}`, values[i]!);
    });
    const qs = query.map(([k, v]) => `${encodeURIComponent(k).replace('%2561', '%61')}=${/%[0-9A-F]{2}/.test(v) ? v : encodeURIComponent(v)}`).join('&');
    const headers: Record<string, string> = { ...auth };
    for (const [k, v] of Object.entries(extra)) if (/^[\x20-\x7e]*$/.test(v)) headers[k] = v;
    if (contentType && body !== undefined) headers['content-type'] = contentType;
    return { url: qs ? `${path}?${qs}` : path, headers, payload: route.method === 'GET' || route.method === 'HEAD' ? undefined : body };
  });
}

// ---------------------------------------------------------------------------------------------

for (const backend of testBackends()) {
  describe(`fuzzing every route [${backend}]`, () => {
    let t: TestApp;
    let fixture: Fixture;
    let requests = 0;
    const statuses = new Map<number, number>();

    before(async () => {
      t = await createTestApp(backend);
      const account = await t.newAccount();
      fixture = { account, clientId: '', clientToken: '', spareKeyId: '' };
    });
    after(async () => t?.close());

    /** A fresh client, client key and spare account key per route, so a delete by one route does not starve the next. */
    async function refreshFixture(): Promise<void> {
      const headers = fixture.account.headers;
      const client = await createClient(t, headers, { name: `Fuzz ${requests}`, username: `fuzz-${requests}-${Math.random().toString(36).slice(2, 8)}` });
      const clientKey = await issueKey(t, headers, { clientId: client.id, name: 'fuzz' });
      const spare = await issueKey(t, headers, { name: 'spare' });
      fixture = { ...fixture, clientId: client.id, clientToken: clientKey.token, spareKeyId: spare.key.keyId };
    }

    it('covers every operation of the OpenAPI document', async () => {
      const document = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
      const fuzzed = new Set(routesOf(t.app).map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`));
      for (const [path, operations] of Object.entries(document.paths))
        for (const method of Object.keys(operations)) assert.ok(fuzzed.has(`${method.toUpperCase()} ${path}`), `${method} ${path} is not fuzzed`);
    });

    it('answers hostile input on every route below 500, in the surface format, echoing nothing', async () => {
      const routes = routesOf(t.app).filter((r) => !SKIP.test(r.url) && r.method !== 'HEAD' && r.method !== 'OPTIONS');
      assert.ok(routes.length >= 50, `only ${routes.length} routes found`);
      for (const [index, route] of routes.entries()) {
        await refreshFixture();
        const cases = fc.sample(caseFor(route, fixture), { seed: SEED + index, numRuns: RUNS });
        for (const c of cases) {
          requests += 1;
          const res = await t.app.inject({ method: route.method as 'GET', url: c.url, headers: c.headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
          const what = `${route.method} ${route.url} (FUZZ_SEED=${SEED}, route #${index}): ${JSON.stringify(c).slice(0, 600)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          assert.ok(res.statusCode < 500, what);
          assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
          assert.ok(res.headers['cache-control'], what);
          if (res.statusCode < 400) continue;
          // `instance` is the request's own path (tokens masked): a canary put in the path may be there, nowhere else.
          const echoed = res.body.replace(/"instance":"[^"]*"/, '');
          assert.ok(!echoed.includes(CANARY), `canary echoed: ${what}`);
          assert.ok(!res.body.includes(CANARY_TOKEN.slice(27)), `canary token echoed: ${what}`);
          if (route.url === '/metrics') continue; // a plain-text Prometheus endpoint
          let body: unknown;
          try {
            body = JSON.parse(res.body);
          } catch {
            assert.fail(`not JSON: ${what}`);
          }
          const check = surfaceFormats[route.surface];
          assert.ok(check, `no format for surface ${route.surface}`);
          try {
            check(res.statusCode, body, String(res.headers['content-type']));
          } catch (err) {
            assert.fail(`${(err as Error).message}: ${what}`);
          }
        }
      }
      const histogram = [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
      process.stdout.write(`# ${requests} fuzzed requests over ${routes.length} routes [${backend}]: ${histogram}\n`);
    });

    it('logged no token and no secret', () => {
      const secrets = [CANARY_TOKEN.slice(27), fixture.account.secret, fixture.account.token.slice(27)];
      for (const line of t.logs) for (const secret of secrets) assert.ok(!line.includes(secret), `a log line holds a secret: ${line.slice(0, 400)}`);
    });
  });
}
