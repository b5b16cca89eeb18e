/**
 * Secret hygiene (docs/design.md §4): a realistic flow issues every kind of secret —
 * account and client key secrets and tokens, reset secrets (with grace), passwords, access
 * and refresh JWTs, webhook secrets, integration secrets, caller-held encryption keys — and
 * sends them in every way a caller does (X-API-Key, Bearer, Basic, form and JSON bodies,
 * `?apiKey=` and other query parameters, wrong attempts). Then none of them may appear
 *   (a) in any response other than the one that issued it,
 *   (b) in any event row,
 *   (c) in any log line (captured at debug level),
 *   (d) anywhere in the database — every column of every table, as text, and every bytea
 *       column as hex and base64 — in plain, URL-encoded, hex or base64 form.
 * Canaries planted through the same channels prove each scan can see what it looks for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { sql } from 'kysely';
import { formatToken } from '../src/crypto/key-format.js';
import { hashSecret } from '../src/crypto/keyed-hash.js';
import { verifyPassword } from '../src/crypto/passwords.js';
import { randomBytes } from '../src/crypto/random.js';
import { createTestApp, type TestApp } from './support/app.js';
import { testBackends } from './support/databases.js';
import { apiKeyHeader, basicHeader, bearerHeader, expectStatus, type Headers, type Res, toRes } from './support/http.js';
import { mutateSecret, type Method } from './support/security-suite.js';

/** A value that must never be seen again, in every textual form it could take. */
interface Secret {
  label: string;
  /** Raw bytes (the UTF-8 of a string secret, or a binary key). */
  bytes: Buffer;
  forms: string[];
}

function textSecret(label: string, value: string): Secret {
  assert.ok(value.length >= 7, `${label} is long enough to search for`);
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set([value, encodeURIComponent(value), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]);
  return { label, bytes, forms: [...forms] };
}

function binarySecret(label: string, bytes: Buffer): Secret {
  return { label, bytes, forms: [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')] };
}

/** Which secrets (or canaries) occur in a text. */
function foundIn(text: string, secrets: Secret[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((s) => s.forms.some((f) => text.includes(f) || (f.length >= 16 && lower.includes(f.toLowerCase())))).map((s) => s.label);
}

interface IssuedKey {
  keyId: string;
  secret: string;
  token: string;
  /** The secret a grace-period reset replaced (still stored as previous_secret_hash). */
  previous?: string;
}

interface Flow {
  secrets: Secret[];
  /** Every response that is not the one issuing a secret: none may carry one. */
  checked: Array<{ what: string; text: string }>;
  keys: IssuedKey[];
  accountPassword: { email: string; password: string };
  clientPasswords: Map<string, string>;
  canaries: { text: Secret; url: Secret; bytes: Secret };
}

async function runFlow(t: TestApp): Promise<Flow> {
  const secrets: Secret[] = [];
  const checked: Flow['checked'] = [];
  const keys: IssuedKey[] = [];
  const track = (label: string, value: string) => secrets.push(textSecret(label, value));

  /** `issue`: the response hands out a secret (create, reset, token endpoints); all others are checked. */
  const request = async (mode: 'issue' | 'check', method: Method, url: string, headers: Headers = {}, payload?: unknown, raw?: string): Promise<Res> => {
    const res = toRes(
      await t.app.inject({
        method,
        url,
        headers,
        ...(raw !== undefined ? { payload: raw } : payload !== undefined ? { payload: payload as object } : {}),
      }),
    );
    if (mode === 'check') checked.push({ what: `${method} ${url.split('?')[0]} → ${res.status}`, text: `${res.raw}\n${JSON.stringify(res.headers)}` });
    return res;
  };
  const trackBasic = (label: string, h: Headers) => {
    track(`${label} (Basic header value)`, h.authorization!.slice('Basic '.length));
    return h;
  };

  // --- Accounts and user logins -----------------------------------------------------------
  const A = await t.newAccount('Hygiene A');
  const B = await t.newAccount('Hygiene B');
  for (const [n, acc] of [
    ['A', A],
    ['B', B],
  ] as const) {
    track(`account ${n} key secret`, acc.secret);
    track(`account ${n} key token`, acc.token);
    track(`account ${n} user password`, acc.password);
    keys.push({ keyId: acc.keyId, secret: acc.secret, token: acc.token });
  }
  const a = A.headers;
  const login = await request('issue', 'POST', '/api/token/', {}, { username: A.email, password: A.password });
  expectStatus(login, 200, 'user login');
  track('user access JWT', login.body.access);
  track('user refresh JWT', login.body.refresh);
  const refreshed = await request('issue', 'POST', '/api/token/refresh/', {}, { refresh: login.body.refresh });
  expectStatus(refreshed, 200, 'refresh');
  track('refreshed access JWT', refreshed.body.access);

  // --- Clients with passwords -------------------------------------------------------------
  const clientPasswords = new Map<string, string>();
  const pw = (label: string) => {
    const value = `pw-${randomBytes(12).toString('hex')}`;
    track(label, value);
    return value;
  };
  const createClient = async (body: Record<string, unknown>) => {
    const res = await request('check', 'POST', '/v1/clients', a, body);
    expectStatus(res, 201, 'create client');
    return res.body as { id: string; username: string; hasPassword: boolean };
  };
  const p1 = pw('client C1 password');
  const c1 = await createClient({ name: 'Alpha', username: `alpha-${randomBytes(3).toString('hex')}`, password: p1 });
  const p2 = pw('client C2 password');
  const c2 = await createClient({ name: 'Beta', username: `beta-${randomBytes(3).toString('hex')}`, emailAddress: 'beta@example.test', password: p2 });
  clientPasswords.set(c2.id, p2);
  const p3 = pw('client C3 password (imported as bcrypt)');
  const c3 = await createClient({ name: 'Gamma', username: `gamma-${randomBytes(3).toString('hex')}`, passwordHash: bcrypt.hashSync(p3, 4) });
  clientPasswords.set(c3.id, p3);
  assert.ok(c1.hasPassword && c2.hasPassword && c3.hasPassword);
  const p1b = pw('client C1 new password');
  expectStatus(await request('check', 'PATCH', `/v1/clients/${c1.id}`, a, { password: p1b }), 200, 'change password');
  clientPasswords.set(c1.id, p1b);
  const tooShort = randomBytes(6).toString('base64').slice(0, 7);
  track('refused too-short password', tooShort);
  expectStatus(await request('check', 'POST', '/v1/clients', a, { name: 'Delta', password: tooShort }), 400, 'short password refused');

  // --- Keys: account and client keys, idempotent replay, resets -------------------------------
  const issueKey = async (label: string, body: Record<string, unknown>, headers: Headers = a): Promise<IssuedKey> => {
    const res = await request('issue', 'POST', '/v1/keys', headers, body);
    expectStatus(res, 201, `create ${label}`);
    const k = { keyId: res.body.key.keyId as string, secret: res.body.secret as string, token: res.body.token as string };
    track(`${label} secret`, k.secret);
    track(`${label} token`, k.token);
    keys.push(k);
    return k;
  };
  const idem = { ...a, 'idempotency-key': `hygiene-${randomBytes(4).toString('hex')}` };
  const kAcc = await issueKey('account key', { name: 'Hygiene account key' }, idem);
  const replay = await request('issue', 'POST', '/v1/keys', idem, { name: 'Hygiene account key' });
  expectStatus(replay, 201, 'idempotent replay');
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.body.secret, kAcc.secret, 'the replay returns the same secret (stored sealed)');
  const kC1 = await issueKey('C1 key', { clientId: c1.id, name: 'C1 key' });
  const kC1b = await issueKey('C1 second key', { clientId: c1.id, name: 'C1 second key' });
  const kC2 = await issueKey('C2 key', { clientId: c2.id, name: 'C2 key' });

  const reset = async (k: IssuedKey, label: string, grace: number) => {
    const res = await request('issue', 'POST', `/v1/keys/${k.keyId}/reset`, a, { gracePeriodSeconds: grace });
    expectStatus(res, 200, `reset ${label}`);
    const old = k.secret;
    k.secret = res.body.secret;
    k.token = res.body.token;
    if (grace > 0) k.previous = old;
    track(`${label} reset secret`, k.secret);
    track(`${label} reset token`, k.token);
    return old;
  };
  const oldC1b = formatToken(kC1b.keyId, await reset(kC1b, 'C1 second key (grace)', 3600));
  const oldC2 = formatToken(kC2.keyId, await reset(kC2, 'C2 key (no grace)', 0));
  const verify = async (body: Record<string, string>) => {
    const res = await request('check', 'POST', '/v1/keys/verify', a, body);
    expectStatus(res, 200, 'verify');
    return res.body as { valid: boolean };
  };
  assert.equal((await verify({ token: oldC1b })).valid, true, 'the old secret works during the grace period');
  assert.equal((await verify({ token: kC1b.token })).valid, true, 'the new secret works');
  assert.equal((await verify({ token: oldC2 })).valid, false, 'without grace the old secret stops at once');
  assert.equal((await verify({ keyId: kC1.keyId, secret: kC1.secret })).valid, true, 'verify by key id and secret');

  // --- Token endpoints ----------------------------------------------------------------------
  const oauth = async (label: string, opts: { headers?: Headers; url?: string; raw?: string; payload?: unknown }) => {
    const res = await request('issue', 'POST', opts.url ?? '/oauth2/token', opts.headers ?? {}, opts.payload, opts.raw);
    expectStatus(res, 200, `oauth2/token (${label})`);
    track(`access JWT (${label})`, res.body.access_token);
    return res.body.access_token as string;
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  await oauth('form body', { headers: form, raw: new URLSearchParams({ grant_type: 'client_credentials', client_id: kAcc.keyId, client_secret: kAcc.secret }).toString() });
  const c1Jwt = await oauth('Basic', { headers: { ...form, ...trackBasic('C1 key', basicHeader(kC1.keyId, kC1.secret)) }, raw: 'grant_type=client_credentials' });
  await oauth('JSON body', { payload: { grant_type: 'client_credentials', client_id: kC2.keyId, client_secret: kC2.secret } });
  await oauth('query string', { url: `/oauth2/token?grant_type=client_credentials&client_id=${kC1b.keyId}&client_secret=${kC1b.secret}`, headers: form, raw: '' });
  for (const [label, body] of [
    ['client password login', { username: c1.username, password: p1b, client_uid: c1.id }],
    ['bcrypt password login', { username: c3.username, password: p3, client_uid: c3.id }],
    ['key id login', { username: kAcc.keyId, password: kAcc.secret }],
  ] as const) {
    const res = await request('issue', 'POST', '/api/token/', {}, body);
    expectStatus(res, 200, label);
    track(`${label} access JWT`, res.body.access);
    track(`${label} refresh JWT`, res.body.refresh);
  }

  // --- Webhook secret, integrations and caller-held encryption keys -------------------------------
  const webhook = await request('issue', 'POST', `/v1/clients/${c1.id}/webhook-secret/generate`, a);
  expectStatus(webhook, 200, 'generate webhook secret');
  track('webhook secret', webhook.body.webhookSecret);
  for (const grace of [0, 3600]) {
    const res = await request('issue', 'POST', '/v1/webhook-secret/generate', a, { gracePeriodSeconds: grace });
    expectStatus(res, 200, 'generate the account webhook secret');
    track(`account webhook secret (grace ${grace})`, res.body.webhookSecret);
  }
  expectStatus(await request('check', 'GET', '/v1/webhook-secret/status', a), 200, 'account webhook secret status');
  const pdpSecret = `pdp-${randomBytes(16).toString('hex')}`;
  const chorusSecret = `chorus-${randomBytes(16).toString('hex')}`;
  const chorusPassword = `tech-${randomBytes(16).toString('hex')}`;
  track('PDP client secret', pdpSecret);
  track('Chorus Pro client secret', chorusSecret);
  track('Chorus Pro technical password', chorusPassword);
  const callerKey1 = randomBytes(32);
  const callerKey2 = randomBytes(32);
  for (const [n, k] of [
    ['1', callerKey1],
    ['2', callerKey2],
  ] as const) {
    secrets.push(binarySecret(`caller encryption key ${n} (bytes)`, k));
    track(`caller encryption key ${n} (base64)`, k.toString('base64'));
  }
  const pdp = { flowServiceUrl: 'https://127.0.0.1:9/flow', tokenUrl: 'https://127.0.0.1:9/token', oauthClientId: 'hygiene-pdp', clientSecret: pdpSecret };
  expectStatus(await request('check', 'PUT', `/v1/clients/${c1.id}/integrations/pdp`, a, pdp), 200, 'configure PDP');
  const chorus = {
    apiUrl: 'https://127.0.0.1:9/api',
    tokenUrl: 'https://127.0.0.1:9/token',
    oauthClientId: 'hygiene-chorus',
    technicalLogin: 'tech',
    clientSecret: chorusSecret,
    technicalPassword: chorusPassword,
    encryptionMode: 'double',
  };
  const withKey1 = { ...a, 'x-encryption-key': callerKey1.toString('base64') };
  expectStatus(await request('check', 'PUT', `/v1/clients/${c2.id}/integrations/chorus-pro`, withKey1, chorus), 200, 'configure Chorus Pro (double)');
  expectStatus(await request('check', 'POST', `/v1/clients/${c1.id}/integrations/pdp/test`, a), 200, 'test PDP (token URL refused)');
  expectStatus(await request('check', 'POST', `/v1/clients/${c2.id}/integrations/chorus-pro/test`, withKey1), 200, 'test Chorus Pro');
  const rotate = { oldKey: callerKey1.toString('base64'), newKey: callerKey2.toString('base64') };
  expectStatus(await request('check', 'POST', `/v1/clients/${c2.id}/rotate-encryption-key`, a, rotate), 200, 'rotate the caller key');
  expectStatus(await request('check', 'POST', `/v1/clients/${c2.id}/rotate-encryption-key`, a, rotate), 400, 'the old caller key no longer opens');

  // --- Failed authentications (the attempted values are secret-bearing too) ----------------
  const wrongPassword = mutateSecret(p1b, 5);
  track('wrong client password attempt', wrongPassword);
  expectStatus(await request('check', 'POST', '/api/token/', {}, { username: c1.username, password: wrongPassword, client_uid: c1.id }), 401, 'wrong password');
  const wrongUserPassword = mutateSecret(A.password, 5);
  track('wrong user password attempt', wrongUserPassword);
  expectStatus(await request('check', 'POST', '/api/token/', {}, { username: A.email, password: wrongUserPassword }), 401, 'wrong user password');
  const wrongToken = formatToken(kC1.keyId, mutateSecret(kC1.secret));
  track('wrong token attempt', wrongToken);
  expectStatus(await request('check', 'GET', '/v1/clients', apiKeyHeader(wrongToken)), 401, 'wrong X-API-Key');
  const wrongSecret = mutateSecret(kAcc.secret);
  track('wrong client_secret attempt', wrongSecret);
  expectStatus(
    await request('check', 'POST', '/oauth2/token', form, undefined, new URLSearchParams({ grant_type: 'client_credentials', client_id: kAcc.keyId, client_secret: wrongSecret }).toString()),
    401,
    'wrong client_secret',
  );
  expectStatus(await request('check', 'GET', '/v1/keys', trackBasic('wrong Basic', basicHeader(kAcc.keyId, mutateSecret(kAcc.secret, 9)))), 401, 'wrong Basic');
  expectStatus(await request('check', 'GET', '/v1/keys', bearerHeader(`${refreshed.body.access}x`)), 401, 'tampered Bearer');
  expectStatus(await request('check', 'GET', '/v1/keys', bearerHeader(login.body.refresh)), 401, 'refresh token as Bearer');

  // --- Credentials in URLs and headers -----------------------------------------------------------
  expectStatus(await request('check', 'GET', `/v1/clients?apiKey=${A.token}`), 401, '?apiKey= is no native credential');
  expectStatus(await request('check', 'GET', `/v1/clients?apiKey=${A.token}`, a), 400, '?apiKey= is an unknown query parameter');
  expectStatus(await request('check', 'GET', `/v1/events?access_token=${refreshed.body.access}&limit=5`, a), 400, '?access_token=');
  expectStatus(await request('check', 'GET', `/v1/keys?token=${kC1.token}&password=${p1b}`, a), 400, '?token= and ?password=');
  expectStatus(await request('check', 'GET', `/no/such/route?apiKey=${kC1.token}&client_secret=${kC1.secret}`), 401, 'unknown route with secrets in the query');
  expectStatus(await request('check', 'GET', `/v1/keys/${kC1.token}`, a), 400, 'a token pasted where the key id goes');
  expectStatus(await request('check', 'GET', `/v1/no-such-route/${kC2.token}`, a), 404, 'a token in an unknown path');
  expectStatus(await request('check', 'GET', `/v1/clients/${c1.id}`, apiKeyHeader(kC1.token)), 200, 'X-API-Key');
  expectStatus(await request('check', 'GET', `/v1/clients/${c1.id}`, bearerHeader(c1Jwt)), 200, 'client Bearer');
  expectStatus(await request('check', 'GET', '/v1/clients', bearerHeader(refreshed.body.access)), 200, 'user Bearer');
  expectStatus(await request('check', 'GET', '/v1/clients', trackBasic('account Basic', basicHeader(A.keyId, A.secret))), 200, 'Basic');
  expectStatus(await request('check', 'GET', '/v1/clients', { ...a, authorization: `Bearer ${refreshed.body.access}` }), 200, 'two credentials');

  // --- Canaries: the same channels, carrying values the scans must find --------------------------
  const canaries = {
    text: textSecret('canary in a client description', `canary-${randomBytes(10).toString('hex')}`),
    url: textSecret('canary in a URL', `canary-${randomBytes(10).toString('hex')}`),
    bytes: textSecret('canary in a bytea column', `canary-${randomBytes(10).toString('hex')}`),
  };
  expectStatus(await request('check', 'PATCH', `/v1/clients/${c3.id}`, a, { description: canaries.text.forms[0] }), 200, 'plant the text canary');
  expectStatus(await request('check', 'GET', `/v1/not-a-route-${canaries.url.forms[0]}`, a), 404, 'plant the URL canary');

  // --- Later reads: everything a caller can list or get ------------------------------------------
  const walk = async (path: string, headers: Headers) => {
    let cursor: string | null = null;
    const items: Array<Record<string, any>> = [];
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await request('check', 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${cursor}` : ''}`, headers);
      expectStatus(res, 200, `list ${path}`);
      items.push(...(res.body.data as Array<Record<string, any>>));
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  for (const k of await walk('/v1/keys', a)) expectStatus(await request('check', 'GET', `/v1/keys/${k.keyId}`, a), 200, 'get key');
  for (const c of await walk('/v1/clients', a)) {
    expectStatus(await request('check', 'GET', `/v1/clients/${c.id}`, a), 200, 'get client');
    await request('check', 'GET', `/v1/clients/${c.id}/integrations/pdp`, a);
    await request('check', 'GET', `/v1/clients/${c.id}/integrations/chorus-pro`, a);
    await request('check', 'GET', `/v1/clients/${c.id}/webhook-secret/status`, a);
    await request('check', 'GET', `/v1/clients/${c.id}/usage`, a);
  }
  const events = await walk('/v1/events', a);
  assert.ok(events.length >= 15, 'the flow recorded its events');
  await walk('/v1/keys', apiKeyHeader(kC1.token));
  await walk('/v1/events', bearerHeader(c1Jwt));
  await walk('/v1/keys', B.headers);
  await walk('/v1/events', B.headers);

  await t.services.keyUsage.flush();
  return { secrets, checked, keys, accountPassword: { email: A.email, password: A.password }, clientPasswords, canaries };
}

interface Dump {
  /** `row_to_json(t)::text` of every row of every table. */
  rows: Array<{ table: string; text: string }>;
  /** Every bytea value, as hex and as base64 (and decoded). */
  bytea: Array<{ where: string; hex: string; base64: string; bytes: Buffer }>;
  tables: string[];
}

async function dumpDatabase(t: TestApp): Promise<Dump> {
  const db = t.database.db;
  const tables = (
    await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db)
  ).rows.map((r) => r.table_name);
  const dump: Dump = { rows: [], bytea: [], tables };
  for (const table of tables) {
    const rows = await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.table(table)} x`.execute(db);
    for (const r of rows.rows) dump.rows.push({ table, text: r.j });
    const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table} and data_type = 'bytea'`.execute(db);
    for (const { column_name: col } of cols.rows) {
      const values = await sql<{ h: string | null; b: string | null }>`select encode(${sql.ref(col)}, 'hex') as h, encode(${sql.ref(col)}, 'base64') as b from ${sql.table(table)}`.execute(db);
      for (const v of values.rows) {
        if (v.h === null || v.b === null) continue;
        const base64 = v.b.replace(/\s+/g, ''); // PostgreSQL wraps base64 every 76 characters
        dump.bytea.push({ where: `${table}.${col}`, hex: v.h, base64, bytes: Buffer.from(v.h, 'hex') });
      }
    }
  }
  return dump;
}

/** Where in the dump each of these secrets occurs. */
function scanDump(dump: Dump, secrets: Secret[]): string[] {
  const hits: string[] = [];
  for (const r of dump.rows) for (const label of foundIn(r.text, secrets)) hits.push(`${label} in ${r.table} (row text)`);
  for (const b of dump.bytea) {
    for (const label of foundIn(`${b.hex}\n${b.base64}`, secrets)) hits.push(`${label} in ${b.where} (hex/base64)`);
    for (const s of secrets) if (b.bytes.includes(s.bytes)) hits.push(`${s.label} in ${b.where} (bytes)`);
  }
  return hits;
}

for (const backend of testBackends()) {
  describe(`secret hygiene [${backend}]`, () => {
    let t: TestApp;
    let flow: Flow;
    before(async () => {
      t = await createTestApp(backend);
      flow = await runFlow(t);
    });
    after(async () => {
      await t?.close();
    });

    it('the flow issued and used every kind of secret (control)', () => {
      const labels = flow.secrets.map((s) => s.label).join('\n');
      for (const kind of ['key secret', 'key token', 'reset secret', 'password', 'access JWT', 'refresh JWT', 'webhook secret', 'client secret', 'encryption key', 'attempt', 'Basic header'])
        assert.match(labels, new RegExp(kind), `the flow tracks a ${kind}`);
      assert.ok(flow.secrets.length >= 50, `tracked ${flow.secrets.length} secrets`);
      assert.ok(flow.checked.length >= 60, `checked ${flow.checked.length} responses`);
    });

    it('(a) no response except the issuing one carries a secret', () => {
      const hits = flow.checked.flatMap((r) => foundIn(r.text, flow.secrets).map((label) => `${label} in ${r.what}`));
      assert.deepEqual(hits, []);
      // The scan sees what is there: the description canary is in a later response.
      assert.ok(
        flow.checked.some((r) => foundIn(r.text, [flow.canaries.text]).length),
        'the text canary is found in responses',
      );
    });

    it('(b) no event row carries a secret', async () => {
      const rows = await sql<{ j: string }>`select row_to_json(e)::text as j from events e`.execute(t.database.db);
      assert.ok(rows.rows.length >= 15, 'events were recorded');
      const types = new Set(rows.rows.map((r) => JSON.parse(r.j).type as string));
      for (const type of ['client.created', 'client.updated', 'key.created', 'key.reset', 'webhook_secret.generated', 'integration.updated', 'encryption_key.rotated'])
        assert.ok(types.has(type), `an event of type ${type} was recorded`);
      const hits = rows.rows.flatMap((r) => foundIn(r.j, flow.secrets));
      assert.deepEqual(hits, []);
      assert.ok(
        rows.rows.some((r) => foundIn(r.j, [flow.canaries.text]).length),
        'the text canary is found in events',
      );
    });

    it('(c) no log line carries a secret', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(t.logs.length >= 100, `captured ${t.logs.length} log lines`);
      const hits = t.logs.flatMap((line, i) => foundIn(line, flow.secrets).map((label) => `${label} in log line ${i}: ${line.slice(0, 300)}`));
      assert.deepEqual(hits, []);
      // Request URLs are logged — the canary path is there — and secret query parameters are masked.
      assert.ok(
        t.logs.some((l) => foundIn(l, [flow.canaries.url]).length),
        'the URL canary is found in the logs',
      );
      assert.ok(
        t.logs.some((l) => l.includes('apiKey=[REDACTED]')),
        'a masked ?apiKey= is logged',
      );
    });

    it('(d) no table or column holds a secret, in plain, URL-encoded, hex or base64 form', async () => {
      // Plant a canary in a bytea column: the scan must find it through every encoding.
      const canary = flow.canaries.bytes;
      await sql`insert into server_secrets (name, value, created_at) values ('secret-hygiene-canary', ${canary.bytes}, now())`.execute(t.database.db);
      let dump: Dump;
      try {
        dump = await dumpDatabase(t);
      } finally {
        await sql`delete from server_secrets where name = 'secret-hygiene-canary'`.execute(t.database.db);
      }
      for (const table of ['accounts', 'users', 'clients', 'api_keys', 'events', 'idempotency_records', 'server_secrets', 'signing_keys'])
        assert.ok(dump.tables.includes(table), `the dump covers ${table}`);
      for (const table of ['api_keys', 'events', 'idempotency_records', 'clients', 'users'])
        assert.ok(
          dump.rows.some((r) => r.table === table),
          `the dump has rows of ${table}`,
        );
      assert.ok(
        dump.bytea.some((b) => b.where === 'idempotency_records.response'),
        'the sealed idempotent response was dumped',
      );

      const canaryHits = scanDump(dump, [canary, flow.canaries.text]);
      for (const how of ['(row text)', '(hex/base64)', '(bytes)'])
        assert.ok(
          canaryHits.some((h) => h.startsWith(canary.label) && h.endsWith(how)),
          `the bytea canary is found ${how}: ${canaryHits.join('; ')}`,
        );
      assert.ok(
        canaryHits.some((h) => h.startsWith(flow.canaries.text.label)),
        'the text canary is found',
      );

      const server = [binarySecret('key-hash pepper', t.services.ctx.pepper)];
      assert.deepEqual(scanDump(dump, [...flow.secrets, ...server]), []);
      assert.ok(!dump.rows.some((r) => r.text.includes('PRIVATE KEY')), 'no PEM private key is stored in plain');
    });

    it('password hashes are argon2id or bcrypt and verify; no plain password is stored', async () => {
      const users = await sql<{ email: string; password_hash: string }>`select email, password_hash from users`.execute(t.database.db);
      assert.ok(users.rows.length >= 2);
      for (const u of users.rows) assert.match(u.password_hash, /^\$argon2id\$/, `user ${u.email}`);
      const mine = users.rows.find((u) => u.email === flow.accountPassword.email)!;
      assert.equal(await verifyPassword(flow.accountPassword.password, mine.password_hash), true, 'the user hash is of the password');

      const clients = await sql<{ id: string; password_hash: string | null }>`select id, password_hash from clients`.execute(t.database.db);
      for (const c of clients.rows) if (c.password_hash !== null) assert.match(c.password_hash, /^(\$argon2id\$|\$2[aby]\$)/, `client ${c.id}`);
      assert.equal(flow.clientPasswords.size, 3);
      for (const [id, password] of flow.clientPasswords) {
        const row = clients.rows.find((c) => c.id === id);
        assert.ok(row?.password_hash, `client ${id} has a hash`);
        assert.notEqual(row.password_hash, password);
        assert.equal(await verifyPassword(password, row.password_hash), true, `client ${id}: the hash is of the password`);
      }
      const imported = [...flow.clientPasswords.keys()][1]!;
      assert.match(clients.rows.find((c) => c.id === imported)!.password_hash!, /^\$2b\$04\$/, 'the imported bcrypt hash is kept as given');
    });

    it('key secrets are stored only as 32-byte keyed hashes (HMAC-SHA-256 with the pepper)', async () => {
      const rows = await sql<{ key_id: string; secret_hash: Buffer; previous_secret_hash: Buffer | null }>`select key_id, secret_hash, previous_secret_hash from api_keys`.execute(t.database.db);
      assert.ok(rows.rows.length >= flow.keys.length);
      for (const r of rows.rows) assert.equal(r.secret_hash.length, 32, `${r.key_id}: secret_hash is 32 bytes`);
      const pepper = t.services.ctx.pepper;
      for (const k of flow.keys) {
        const row = rows.rows.find((r) => r.key_id === k.keyId);
        assert.ok(row, `${k.keyId} is stored`);
        assert.ok(!row.secret_hash.equals(Buffer.from(k.secret, 'utf8').subarray(0, 32)), `${k.keyId}: the hash is not the secret`);
        assert.ok(row.secret_hash.equals(hashSecret(pepper, k.secret)), `${k.keyId}: secret_hash = HMAC-SHA-256(pepper, secret)`);
        if (k.previous) assert.ok(row.previous_secret_hash?.equals(hashSecret(pepper, k.previous)), `${k.keyId}: previous_secret_hash is the old secret's HMAC`);
      }
      assert.ok(
        flow.keys.some((k) => k.previous),
        'a grace-period reset was checked',
      );
    });
  });
}
