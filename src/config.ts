/**
 * Configuration, from environment variables only. README's configuration table lists
 * the same variables (a test keeps them in sync).
 */
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  masterKey: string | undefined;
  masterKeyPrevious: string | undefined;
  issuer: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  bootstrap: boolean;
  logLevel: string;
  dbPoolSize: number;
  dbPreparedStatements: boolean;
  dbAcquireTimeoutMs: number;
  dbMaxWaiting: number;
  cache: boolean;
  cacheEntries: number;
  trustProxy: boolean;
  bodyLimit: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  outboundAllowHosts: string;
  webhookDispatch: boolean;
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  webhookPollMs: number;
  webhookMaxEndpoints: number;
  metrics: boolean;
  metricsToken: string | undefined;
}

/** Every variable, its default and meaning — the source of README's table. */
export const CONFIG_VARIABLES: Array<{ name: string; default: string; description: string }> = [
  { name: 'PORT', default: '8080', description: 'TCP port to listen on' },
  { name: 'HOST', default: '127.0.0.1', description: 'Interface to bind (0.0.0.0 for all)' },
  { name: 'DATABASE_URL', default: '(unset)', description: 'PostgreSQL connection string; unset = embedded database' },
  { name: 'CLIENTELE_DATA_DIR', default: './data', description: 'Embedded database directory (and its master key file)' },
  { name: 'CLIENTELE_MASTER_KEY', default: '(key file)', description: 'Base64 of 32 bytes; required with DATABASE_URL. Embedded: a 0600 key file in the data directory is created when unset' },
  { name: 'CLIENTELE_MASTER_KEY_PREVIOUS', default: '(unset)', description: 'Comma-separated older master keys, still accepted for decryption during a rotation' },
  { name: 'CLIENTELE_ISSUER', default: 'http://HOST:PORT', description: 'JWT `iss` of issued access tokens' },
  { name: 'CLIENTELE_ACCESS_TOKEN_TTL', default: '1800', description: 'Access token lifetime in seconds' },
  { name: 'CLIENTELE_REFRESH_TOKEN_TTL', default: '604800', description: 'Refresh token lifetime in seconds' },
  { name: 'CLIENTELE_BOOTSTRAP', default: 'true', description: 'On first start with an empty database, create an account and print its credentials once' },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'CLIENTELE_DB_POOL_SIZE', default: '10', description: 'PostgreSQL connections per instance' },
  {
    name: 'CLIENTELE_DB_PREPARED_STATEMENTS',
    default: 'true',
    description: 'Run the reads behind key verification as named prepared statements; set false behind a connection pooler that cannot keep them (PgBouncer older than 1.21 in transaction mode)',
  },
  {
    name: 'CLIENTELE_DB_ACQUIRE_TIMEOUT_MS',
    default: '2000',
    description: 'Longest a request waits for a database connection (or for a new one to open); then it is answered 503 SERVICE_UNAVAILABLE with Retry-After. 0 = wait without limit',
  },
  { name: 'CLIENTELE_DB_MAX_WAITING', default: '1000', description: 'Most requests waiting for a database connection at once; one more is answered 503 at once. 0 = no bound' },
  {
    name: 'CLIENTELE_CACHE',
    default: 'true',
    description: 'In-process cache of keys, clients and users for verification (invalidated across instances by LISTEN/NOTIFY); false = every check reads the database',
  },
  { name: 'CLIENTELE_CACHE_ENTRIES', default: '50000', description: 'Most keys + clients + users the cache holds (about 0.9 KB each; oldest dropped first)' },
  { name: 'CLIENTELE_TRUST_PROXY', default: 'false', description: 'Trust X-Forwarded-* headers (behind a reverse proxy)' },
  { name: 'CLIENTELE_BODY_LIMIT', default: '1048576', description: 'Largest accepted request body, in bytes' },
  {
    name: 'CLIENTELE_REQUEST_TIMEOUT_MS',
    default: '30000',
    description: 'A request, headers and body, must arrive within this time; a slower one is answered 408 and its connection closed (checked every second)',
  },
  { name: 'CLIENTELE_HEADERS_TIMEOUT_MS', default: '10000', description: 'The request headers must arrive within this time (at most CLIENTELE_REQUEST_TIMEOUT_MS)' },
  {
    name: 'CLIENTELE_WEBHOOK_ALLOW_HOSTS',
    default: '(unset)',
    description: 'Hosts or CIDRs that outgoing requests (webhooks, integration tests) may reach although private or loopback, comma-separated, e.g. 127.0.0.1,localhost',
  },
  { name: 'CLIENTELE_WEBHOOK_DISPATCH', default: 'true', description: 'Whether this instance sends webhooks (any number of instances may; they share the queue)' },
  { name: 'CLIENTELE_WEBHOOK_RETRY_BASE_MS', default: '30000', description: 'First retry delay; each retry doubles it (with jitter); retries stop after 8640 × this (3 days)' },
  { name: 'CLIENTELE_WEBHOOK_TIMEOUT_MS', default: '10000', description: 'Timeout of one delivery attempt' },
  { name: 'CLIENTELE_METRICS', default: 'true', description: 'Serve Prometheus metrics at GET /metrics (process, verification cache, key-usage flushes, database pool; no tenant data)' },
  { name: 'CLIENTELE_METRICS_TOKEN', default: '(unset)', description: 'When set, GET /metrics requires `Authorization: Bearer <this value>`; unset = open (restrict it at your proxy)' },
  { name: 'CLIENTELE_WEBHOOK_POLL_MS', default: '200', description: 'How often an instance looks for due deliveries' },
  {
    name: 'CLIENTELE_WEBHOOK_MAX_ENDPOINTS',
    default: '20',
    description:
      'Most webhook endpoints an account may have (every change writes one delivery per matching endpoint in its transaction); 0 = none. Existing endpoints above a lowered limit keep working',
  },
];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const host = env.HOST || '127.0.0.1';
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.CLIENTELE_DATA_DIR || './data'),
    masterKey: env.CLIENTELE_MASTER_KEY || undefined,
    masterKeyPrevious: env.CLIENTELE_MASTER_KEY_PREVIOUS || undefined,
    issuer: env.CLIENTELE_ISSUER || `http://${host}:${port}`,
    accessTokenTtl: int(env, 'CLIENTELE_ACCESS_TOKEN_TTL', 1800, 1),
    refreshTokenTtl: int(env, 'CLIENTELE_REFRESH_TOKEN_TTL', 604800, 1),
    bootstrap: bool(env, 'CLIENTELE_BOOTSTRAP', true),
    logLevel: env.LOG_LEVEL || 'info',
    dbPoolSize: int(env, 'CLIENTELE_DB_POOL_SIZE', 10, 1),
    dbPreparedStatements: bool(env, 'CLIENTELE_DB_PREPARED_STATEMENTS', true),
    dbAcquireTimeoutMs: int(env, 'CLIENTELE_DB_ACQUIRE_TIMEOUT_MS', 2000, 0),
    dbMaxWaiting: int(env, 'CLIENTELE_DB_MAX_WAITING', 1000, 0),
    cache: bool(env, 'CLIENTELE_CACHE', true),
    cacheEntries: int(env, 'CLIENTELE_CACHE_ENTRIES', 50_000, 100),
    trustProxy: bool(env, 'CLIENTELE_TRUST_PROXY', false),
    bodyLimit: int(env, 'CLIENTELE_BODY_LIMIT', 1048576, 1024),
    requestTimeoutMs: int(env, 'CLIENTELE_REQUEST_TIMEOUT_MS', 30000, 100),
    headersTimeoutMs: int(env, 'CLIENTELE_HEADERS_TIMEOUT_MS', 10000, 100),
    outboundAllowHosts: env.CLIENTELE_WEBHOOK_ALLOW_HOSTS ?? '',
    webhookDispatch: bool(env, 'CLIENTELE_WEBHOOK_DISPATCH', true),
    webhookRetryBaseMs: int(env, 'CLIENTELE_WEBHOOK_RETRY_BASE_MS', 30000, 1),
    webhookTimeoutMs: int(env, 'CLIENTELE_WEBHOOK_TIMEOUT_MS', 10000, 100),
    webhookPollMs: int(env, 'CLIENTELE_WEBHOOK_POLL_MS', 200, 10),
    webhookMaxEndpoints: int(env, 'CLIENTELE_WEBHOOK_MAX_ENDPOINTS', 20, 0),
    metrics: bool(env, 'CLIENTELE_METRICS', true),
    metricsToken: env.CLIENTELE_METRICS_TOKEN || undefined,
  };
}
