/**
 * Configuration, from environment variables only. One table says, for each variable, the
 * field it sets, how it is parsed, its default and its meaning; parsing reads it and so does
 * README's configuration table (`npm run docs` writes it; a test keeps them in sync).
 */
import { resolve } from 'node:path';
import type { AddressLimit } from './core/throttle.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL's shared_buffers of the embedded engine, e.g. 16MB. */
  embeddedSharedBuffers: string;
  masterKey: string | undefined;
  masterKeyPrevious: string | undefined;
  /** Default: http://HOST:PORT. */
  issuer: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  bootstrap: boolean;
  logLevel: string;
  accessLog: 'summary' | 'all';
  dbPoolSize: number;
  dbPreparedStatements: boolean;
  dbAcquireTimeoutMs: number;
  dbMaxWaiting: number;
  cache: boolean;
  cacheEntries: number;
  embeddedMaintenanceMs: number;
  /** Fastify's trustProxy: false, true, a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  redisUrl: string | undefined;
  rateLimitStore: 'memory' | 'postgres' | 'redis' | undefined;
  signInFailuresPerAddress: AddressLimit | null;
  tokenRequestsPerAddress: AddressLimit | null;
  authFailuresPerAddress: AddressLimit | null;
  signInFreeFailures: number;
  signInLockFailures: number;
  signInLockMinutes: number;
  rateLimitRefusalDelayMs: number;
  bodyLimit: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  outboundAllowHosts: string;
  webhookDispatch: boolean;
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  webhookPollMs: number;
  webhookConcurrency: number;
  webhookEndpointConcurrency: number;
  webhookMaxEndpoints: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  metrics: boolean;
  metricsToken: string | undefined;
  console: boolean;
}

/**
 * How one variable is read. Its default is written as the variable would be (`default`), and
 * read by the same parser; `shown` is how README shows a default that is not a value.
 */
interface Parser {
  default?: string;
  shown?: string;
  read(raw: string, name: string): unknown;
}

const int = (fallback: number, min: number): Parser => ({
  default: String(fallback),
  read(raw, name) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
    return n;
  },
});

const bool = (fallback: boolean): Parser => ({
  default: String(fallback),
  read(raw, name) {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error(`${name} must be true or false`);
  },
});

const text = (fallback: string, shown?: string): Parser => ({ default: fallback, ...(shown ? { shown } : {}), read: (raw) => raw });
/** Unset stays undefined; `shown` says what that means (e.g. a value derived from others). */
const optional = (shown: string): Parser => ({ shown, read: (raw) => raw });

/** `count/window` (window: a number with s, m or h), or `off`. */
function rate(fallback: string): Parser {
  return {
    default: fallback,
    read(raw, name) {
      if (raw === 'off' || raw === '0') return null;
      const m = /^(\d+)\/(\d+)(s|m|h)$/.exec(raw.trim());
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`${name} must be count/window (e.g. 30/15m; s, m or h) or off`);
      return { limit: Number(m[1]), durationMs: Number(m[2]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[3] as 's' | 'm' | 'h'] } satisfies AddressLimit;
    },
  };
}

function oneOf(values: readonly string[], shown: string, fallback?: string): Parser {
  return {
    shown,
    ...(fallback !== undefined ? { default: fallback } : {}),
    read(raw, name) {
      if (!values.includes(raw)) throw new Error(`${name} must be one of ${values.join(', ')}`);
      return raw;
    },
  };
}

/** CLIENTELE_TRUST_PROXY: true/false, a hop count, or addresses and CIDRs. */
const trustProxy: Parser = {
  default: 'false',
  read(raw, name) {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (/^\d+$/.test(raw)) return Number(raw);
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0 || list.some((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s))) throw new Error(`${name} must be true, false, a hop count, or addresses/CIDRs, comma-separated`);
    return list;
  },
};

/** A PostgreSQL memory size with its unit (kB, MB or GB), from `min` to `max` kB. */
const memorySize = (fallback: string, minKb: number, maxKb: number): Parser => ({
  default: fallback,
  read(raw, name) {
    const m = /^(\d+)(kB|MB|GB)$/.exec(raw.trim());
    const kb = m ? Number(m[1]) * { kB: 1, MB: 1024, GB: 1024 * 1024 }[m[2] as 'kB' | 'MB' | 'GB'] : Number.NaN;
    if (!(kb >= minKb && kb <= maxKb)) throw new Error(`${name} must be a size with its unit, kB, MB or GB (e.g. 16MB), from ${minKb}kB to ${maxKb / 1024}MB`);
    return `${m![1]}${m![2]}`;
  },
});

/** Resolved against the working directory when the configuration is loaded. */
const path = (fallback: string): Parser => ({ default: fallback, read: (raw) => resolve(raw) });

interface Variable {
  name: string;
  key: keyof Config;
  parse: Parser;
  description: string;
}

/** Every variable: the field it sets, its parser and default, and its meaning — the source of README's table. */
const VARIABLES: readonly Variable[] = [
  { name: 'PORT', key: 'port', parse: int(8080, 0), description: 'TCP port to listen on' },
  { name: 'HOST', key: 'host', parse: text('127.0.0.1'), description: 'Interface to bind (0.0.0.0 for all)' },
  { name: 'DATABASE_URL', key: 'databaseUrl', parse: optional('(unset)'), description: 'PostgreSQL connection string; unset = embedded database' },
  { name: 'CLIENTELE_DATA_DIR', key: 'dataDir', parse: path('./data'), description: 'Embedded database directory (and its master key file)' },
  {
    name: 'CLIENTELE_EMBEDDED_SHARED_BUFFERS',
    key: 'embeddedSharedBuffers',
    parse: memorySize('16MB', 128, 1024 * 1024),
    description:
      'The embedded database’s page cache (PostgreSQL shared_buffers; kB, MB or GB), held in the server’s memory: more keeps more of a large database cached, at that much more RSS. Ignored with DATABASE_URL',
  },
  {
    name: 'CLIENTELE_MASTER_KEY',
    key: 'masterKey',
    parse: optional('(key file)'),
    description: 'Base64 of 32 bytes; required with DATABASE_URL. Embedded: a 0600 key file in the data directory is created when unset',
  },
  { name: 'CLIENTELE_MASTER_KEY_PREVIOUS', key: 'masterKeyPrevious', parse: optional('(unset)'), description: 'Comma-separated older master keys, still accepted for decryption during a rotation' },
  { name: 'CLIENTELE_ISSUER', key: 'issuer', parse: optional('http://HOST:PORT'), description: 'JWT `iss` of issued access tokens' },
  { name: 'CLIENTELE_ACCESS_TOKEN_TTL', key: 'accessTokenTtl', parse: int(1800, 1), description: 'Access token lifetime in seconds' },
  { name: 'CLIENTELE_REFRESH_TOKEN_TTL', key: 'refreshTokenTtl', parse: int(604800, 1), description: 'Refresh token lifetime in seconds' },
  { name: 'CLIENTELE_BOOTSTRAP', key: 'bootstrap', parse: bool(true), description: 'On first start with an empty database, create an account and print its credentials once' },
  { name: 'LOG_LEVEL', key: 'logLevel', parse: text('info'), description: 'fatal, error, warn, info, debug, trace or silent' },
  {
    name: 'CLIENTELE_ACCESS_LOG',
    key: 'accessLog',
    parse: oneOf(['summary', 'all'], 'summary', 'summary'),
    description:
      'summary: successful cached key verifications and client reads (answered before the router) are counted in one info line every 10 s, every other request logged as ever, errors always; all: one line per request (those fast answers then go through the router at info, about twice the CPU each)',
  },
  { name: 'CLIENTELE_DB_POOL_SIZE', key: 'dbPoolSize', parse: int(10, 1), description: 'PostgreSQL connections per instance' },
  {
    name: 'CLIENTELE_DB_PREPARED_STATEMENTS',
    key: 'dbPreparedStatements',
    parse: bool(true),
    description:
      "Run the reads behind key verification and the webhook dispatcher's claims as named prepared statements; set false behind a connection pooler that cannot keep them (PgBouncer older than 1.21 in transaction mode)",
  },
  {
    name: 'CLIENTELE_DB_ACQUIRE_TIMEOUT_MS',
    key: 'dbAcquireTimeoutMs',
    parse: int(2000, 0),
    description: 'Longest a request waits for a database connection (or for a new one to open); then it is answered 503 SERVICE_UNAVAILABLE with Retry-After. 0 = wait without limit',
  },
  {
    name: 'CLIENTELE_DB_MAX_WAITING',
    key: 'dbMaxWaiting',
    parse: int(1000, 0),
    description: 'Most requests waiting for a database connection at once; one more is answered 503 at once. 0 = no bound',
  },
  {
    name: 'CLIENTELE_CACHE',
    key: 'cache',
    parse: bool(true),
    description: 'In-process cache of keys, clients and users for verification (invalidated across instances by LISTEN/NOTIFY); false = every check reads the database',
  },
  { name: 'CLIENTELE_CACHE_ENTRIES', key: 'cacheEntries', parse: int(50_000, 100), description: 'Most keys + clients + users the cache holds (about 0.9 KB each; oldest dropped first)' },
  {
    name: 'CLIENTELE_TRUST_PROXY',
    key: 'trustProxy',
    parse: trustProxy,
    description:
      'Behind a reverse proxy: which X-Forwarded-For hops to trust for the source address (the address rate limits count by): true (all), a hop count, or the proxies’ addresses/CIDRs, comma-separated; false = the connection’s address',
  },
  {
    name: 'CLIENTELE_REDIS_URL',
    key: 'redisUrl',
    parse: optional('(unset)'),
    description: 'Redis or Valkey (redis://…) to count rate limits in, exactly across any number of instances; unset = no Redis',
  },
  {
    name: 'CLIENTELE_RATE_LIMIT_STORE',
    key: 'rateLimitStore',
    parse: oneOf(['memory', 'postgres', 'redis'], '(automatic)'),
    description:
      'Where rate limits are counted: memory (one instance, exact), postgres (shared by the instances of one database, never over a limit), redis. Default: redis with CLIENTELE_REDIS_URL, else memory on the embedded database and postgres on PostgreSQL',
  },
  {
    name: 'CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS',
    key: 'signInFailuresPerAddress',
    parse: rate('30/15m'),
    description: 'Failed sign-ins (POST /api/token/, POST /v1/sessions) one source address may make per window, as count/window (s, m, h); further attempts are answered 429. off = no limit',
  },
  {
    name: 'CLIENTELE_TOKEN_REQUESTS_PER_ADDRESS',
    key: 'tokenRequestsPerAddress',
    parse: rate('600/1m'),
    description: 'Requests to the token and sign-in endpoints (/oauth2/token, /api/token/, /api/token/refresh/, POST /v1/sessions) per source address and window; off = no limit',
  },
  {
    name: 'CLIENTELE_AUTH_FAILURES_PER_ADDRESS',
    key: 'authFailuresPerAddress',
    parse: rate('300/1m'),
    description: 'Requests refused for a wrong credential (401) per source address and window; beyond it such requests are answered 429. off = no limit',
  },
  {
    name: 'CLIENTELE_SIGN_IN_FREE_FAILURES',
    key: 'signInFreeFailures',
    parse: int(3, 0),
    description: 'Failed sign-ins in a row of one login name before each further one delays its next attempt (1 s, 2 s, 4 s… up to a minute); 0 = no delays',
  },
  {
    name: 'CLIENTELE_SIGN_IN_LOCK_FAILURES',
    key: 'signInLockFailures',
    parse: int(10, 0),
    description: 'Failed sign-ins in a row that lock a login name (an administrator can lift it: DELETE /v1/users/{id}/sign-in-lock); 0 = never',
  },
  {
    name: 'CLIENTELE_RATE_LIMIT_REFUSAL_DELAY_MS',
    key: 'rateLimitRefusalDelayMs',
    parse: int(1000, 0),
    description:
      'A 429 of the sign-in, token and wrong-credential limits is answered after this long (at most until Retry-After): a caller that ignores Retry-After makes at most one attempt a second per connection. 0 = at once',
  },
  { name: 'CLIENTELE_SIGN_IN_LOCK_MINUTES', key: 'signInLockMinutes', parse: int(15, 1), description: 'How long a sign-in lock lasts (failures older than this are forgotten)' },
  { name: 'CLIENTELE_BODY_LIMIT', key: 'bodyLimit', parse: int(1048576, 1024), description: 'Largest accepted request body, in bytes' },
  {
    name: 'CLIENTELE_REQUEST_TIMEOUT_MS',
    key: 'requestTimeoutMs',
    parse: int(30000, 100),
    description: 'A request, headers and body, must arrive within this time; a slower one is answered 408 and its connection closed (checked every second)',
  },
  { name: 'CLIENTELE_HEADERS_TIMEOUT_MS', key: 'headersTimeoutMs', parse: int(10000, 100), description: 'The request headers must arrive within this time (at most CLIENTELE_REQUEST_TIMEOUT_MS)' },
  {
    name: 'CLIENTELE_WEBHOOK_ALLOW_HOSTS',
    key: 'outboundAllowHosts',
    parse: text('', '(unset)'),
    description: 'Hosts or CIDRs that outgoing requests (webhooks, integration tests) may reach although private or loopback, comma-separated, e.g. 127.0.0.1,localhost',
  },
  { name: 'CLIENTELE_WEBHOOK_DISPATCH', key: 'webhookDispatch', parse: bool(true), description: 'Whether this instance sends webhooks (any number of instances may; they share the queue)' },
  {
    name: 'CLIENTELE_WEBHOOK_RETRY_BASE_MS',
    key: 'webhookRetryBaseMs',
    parse: int(30000, 1),
    description: 'First retry delay; each retry doubles it (with jitter); retries stop after 8640 × this (3 days)',
  },
  { name: 'CLIENTELE_WEBHOOK_TIMEOUT_MS', key: 'webhookTimeoutMs', parse: int(10000, 100), description: 'Timeout of one delivery attempt' },
  {
    name: 'CLIENTELE_CONSOLE',
    key: 'console',
    parse: bool(true),
    description: 'Serve the admin console at /console/ (and send / there); the console is built by npm run build, which npm start runs',
  },
  {
    name: 'CLIENTELE_METRICS',
    key: 'metrics',
    parse: bool(true),
    description: 'Serve Prometheus metrics at GET /metrics (process, verification cache, key-usage flushes, database pool; no tenant data)',
  },
  {
    name: 'CLIENTELE_METRICS_TOKEN',
    key: 'metricsToken',
    parse: optional('(unset)'),
    description: 'When set, GET /metrics requires `Authorization: Bearer <this value>`; unset = open (restrict it at your proxy)',
  },
  {
    name: 'CLIENTELE_EMBEDDED_MAINTENANCE_MS',
    key: 'embeddedMaintenanceMs',
    parse: int(600_000, 0),
    description:
      'Embedded database only (it has no autovacuum): how often it vacuums and analyzes the tables that grew by a fifth and freezes old ones, the first time a minute after start; 0 = never',
  },
  {
    name: 'CLIENTELE_WEBHOOK_POLL_MS',
    key: 'webhookPollMs',
    parse: int(1000, 10),
    description:
      'How often an instance looks for due deliveries without being woken (retries falling due; a wake-up missed while the notification connection was down). New deliveries wake the dispatcher at once',
  },
  {
    name: 'CLIENTELE_WEBHOOK_CONCURRENCY',
    key: 'webhookConcurrency',
    parse: int(64, 1),
    description: 'Webhook deliveries in flight per instance, all endpoints together',
  },
  {
    name: 'CLIENTELE_WEBHOOK_ENDPOINT_CONCURRENCY',
    key: 'webhookEndpointConcurrency',
    parse: int(8, 1),
    description: 'Webhook deliveries in flight per endpoint and instance (a slow endpoint holds no more than this)',
  },
  {
    name: 'CLIENTELE_WEBHOOK_MAX_ENDPOINTS',
    key: 'webhookMaxEndpoints',
    parse: int(20, 0),
    description:
      'Most webhook endpoints an account may have (every change writes one delivery per matching endpoint in its transaction); 0 = none. Existing endpoints above a lowered limit keep working',
  },
  { name: 'CLIENTELE_SESSION_IDLE_MINUTES', key: 'sessionIdleMinutes', parse: int(30, 1), description: 'A browser session (the admin console) unused this long ends' },
  { name: 'CLIENTELE_SESSION_MAX_HOURS', key: 'sessionMaxHours', parse: int(12, 1), description: 'A browser session ends this long after sign-in, however it is used' },
];

/** README's configuration table: every variable, its default as shown, and its meaning. */
export const CONFIG_VARIABLES = VARIABLES.map((v) => ({ name: v.name, default: v.parse.shown ?? v.parse.default ?? '', description: v.description }));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const v of VARIABLES) {
    const raw = env[v.name];
    const value = raw === undefined || raw === '' ? v.parse.default : raw;
    config[v.key] = value === undefined ? undefined : v.parse.read(value, v.name);
  }
  const loaded = config as unknown as Config;
  loaded.issuer ??= `http://${loaded.host}:${loaded.port}`;
  return loaded;
}
