// Baseline 2: a minimal Fastify + pg server running the same SQL as Clientele's uncached
// routes, with nothing else (no validation, authentication logic, mapping or hooks).
//   BASELINE_QUERIES=1  GET /v1/clients/:id → SELECT the client (one query)
//   BASELINE_QUERIES=2  GET /v1/clients/:id → the key named by X-API-Key (with its client, as
//                       Clientele reads a credential), then the client (what Clientele issues
//                       for this request with its cache off)
//   POST /v1/keys/verify → the caller's key, then the verified key with its client (two queries)
//   BASELINE_PREPARED=1 runs the queries as named prepared statements, as Clientele does (a
//                       reference: how much of a comparison is PostgreSQL's parse and plan)
// Env: PORT, DATABASE_URL, ACCOUNT_ID, BASELINE_QUERIES, BASELINE_PREPARED, POOL_SIZE (default 10, as Clientele).
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const accountId = process.env.ACCOUNT_ID;
const queries = Number(process.env.BASELINE_QUERIES ?? 2);
const keyIdOf = (token) => (typeof token === 'string' && token.startsWith('clt_') ? 'ck_' + token.slice(4, 26) : '');
// The columns Clientele reads (src/storage/rows.ts), key first, then its client.
const KEY_COLUMNS = [
  'key_id',
  'account_id',
  'client_id',
  'name',
  'is_primary',
  'enabled',
  'scopes',
  'secret_hash',
  'secret_hint',
  'previous_secret_hash',
  'previous_secret_expires_at',
  'expires_at',
  'last_used_at',
  'use_count',
  'created_at',
  'updated_at',
];
const CLIENT_COLUMNS = [
  'id',
  'account_id',
  'name',
  'description',
  'siret',
  'username',
  'email_address',
  'first_name',
  'last_name',
  'company',
  'password_hash',
  'is_active',
  'features',
  'limits',
  'metadata',
  'data_key',
  'created_at',
  'updated_at',
];
const KEY_WITH_CLIENT = `SELECT ${[...KEY_COLUMNS.map((c) => `k.${c}`), ...CLIENT_COLUMNS.map((c) => `c.${c}`)].join(', ')}
  FROM api_keys k LEFT JOIN clients c ON c.account_id = k.account_id AND c.id = k.client_id WHERE k.key_id = $1`;
const CLIENT = `SELECT ${CLIENT_COLUMNS.join(', ')} FROM clients WHERE account_id = $1 AND id = $2`;
const prepared = process.env.BASELINE_PREPARED === '1';
const one = async (name, text, values, rowMode) =>
  (await (prepared ? pool.query({ name, text, values, rowMode }) : rowMode ? pool.query({ text, values, rowMode }) : pool.query(text, values))).rows[0];
/** [key_id, account_id, client_id, …, client id (or null), …] */
const keyWithClient = (keyId) => one('key', KEY_WITH_CLIENT, [keyId], 'array');
const shape = (c) => c && { id: c.id, name: c.name, username: c.username, emailAddress: c.email_address, isActive: c.is_active, createdAt: c.created_at };

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ ok: true }));
app.get('/v1/clients/:id', async (req, reply) => {
  if (queries >= 2) {
    const key = await keyWithClient(keyIdOf(req.headers['x-api-key']));
    if (!key) return reply.code(401).send({ error: 'unauthenticated' });
  }
  const c = await one('client', CLIENT, [accountId, req.params.id]);
  return c ? shape(c) : reply.code(404).send({ error: 'not found' });
});
app.post('/v1/keys/verify', async (req, reply) => {
  const caller = await keyWithClient(keyIdOf(req.headers['x-api-key']));
  if (!caller) return reply.code(401).send({ error: 'unauthenticated' });
  const key = await keyWithClient(keyIdOf(req.body?.token));
  if (!key) return { valid: false, code: 'NOT_FOUND' };
  const clientId = key[KEY_COLUMNS.length];
  return { valid: true, code: 'VALID', keyId: key[0], accountId: key[1], clientId: clientId ?? null };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
// A clean exit on SIGTERM, so `node --cpu-prof` (bench/profile.ts --baseline) writes its profile.
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0)),
);
