// Baseline 2: a minimal Fastify + pg server running the same SQL as Clientele's uncached
// routes, with nothing else (no validation, authentication logic, mapping or hooks).
//   BASELINE_QUERIES=1  GET /v1/clients/:id → SELECT the client (one query)
//   BASELINE_QUERIES=2  GET /v1/clients/:id → the key named by X-API-Key, then the client
//                       (what Clientele issues for this request with its cache off)
//   POST /v1/keys/verify → the caller's key, the verified key, its client (three queries)
//   BASELINE_PREPARED=1 runs the queries as named prepared statements, as Clientele does (a
//                       reference: how much of a comparison is PostgreSQL's parse and plan)
// Env: PORT, DATABASE_URL, ACCOUNT_ID, BASELINE_QUERIES, BASELINE_PREPARED, POOL_SIZE (default 10, as Clientele).
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const accountId = process.env.ACCOUNT_ID;
const queries = Number(process.env.BASELINE_QUERIES ?? 2);
const keyIdOf = (token) => (typeof token === 'string' && token.startsWith('clt_') ? 'ck_' + token.slice(4, 26) : '');
const KEY = 'SELECT * FROM api_keys WHERE key_id = $1';
const CLIENT = 'SELECT * FROM clients WHERE account_id = $1 AND id = $2';
const prepared = process.env.BASELINE_PREPARED === '1';
const one = async (name, text, values) => (await (prepared ? pool.query({ name, text, values }) : pool.query(text, values))).rows[0];
const shape = (c) => c && { id: c.id, name: c.name, username: c.username, emailAddress: c.email_address, isActive: c.is_active, createdAt: c.created_at };

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ ok: true }));
app.get('/v1/clients/:id', async (req, reply) => {
  if (queries >= 2) {
    const key = await one('key', KEY, [keyIdOf(req.headers['x-api-key'])]);
    if (!key) return reply.code(401).send({ error: 'unauthenticated' });
  }
  const c = await one('client', CLIENT, [accountId, req.params.id]);
  return c ? shape(c) : reply.code(404).send({ error: 'not found' });
});
app.post('/v1/keys/verify', async (req, reply) => {
  const caller = await one('key', KEY, [keyIdOf(req.headers['x-api-key'])]);
  if (!caller) return reply.code(401).send({ error: 'unauthenticated' });
  const key = await one('key', KEY, [keyIdOf(req.body?.token)]);
  if (!key) return { valid: false, code: 'NOT_FOUND' };
  const c = key.client_id ? await one('client', CLIENT, [key.account_id, key.client_id]) : null;
  return { valid: true, code: 'VALID', keyId: key.key_id, accountId: key.account_id, clientId: c?.id ?? null };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
// A clean exit on SIGTERM, so `node --cpu-prof` (bench/profile.ts --baseline) writes its profile.
process.on('SIGTERM', () => app.close().then(() => pool.end()).finally(() => process.exit(0)));
