/**
 * Builds the service graph from an open database and a master keyring. Used by the
 * composition root (src/server.ts), the command line and the tests, so all three run
 * exactly the same wiring.
 */
import { createMemoryCache, type MemoryCache } from './cache/memory-cache.js';
import type { AuthContext, TokenSettings } from './core/auth.js';
import { INVALIDATION_CHANNEL, noCache, type Change, type VerificationCache } from './core/cache.js';
import { createBatchingKeyUsage, type BatchingKeyUsage } from './core/key-usage.js';
import { createTokenService } from './core/signing-keys.js';
import { DEFAULT_WEBHOOK_MAX_ENDPOINTS } from './core/webhook-endpoints.js';
import { open, seal, type Keyring } from './crypto/envelope.js';
import { randomBytes } from './crypto/random.js';
import { createAddressPolicy } from './outbound/address-policy.js';
import { createOutboundClient, type OutboundClient } from './outbound/http-client.js';
import type { Database } from './storage/database.js';
import { startNotificationListener, type NotificationListener } from './storage/notification-listener.js';
import { createSqlStore } from './storage/sql-store.js';
import { WEBHOOKS_DUE_CHANNEL } from './storage/sql-webhooks.js';
import { createWakeSignal, type WakeSignal } from './webhooks/wake.js';
import type { RateLimiter } from './core/rate-limits.js';
import type { ThrottlePolicy } from './core/throttle.js';
import { createMemoryRateLimiter } from './ratelimit/memory.js';
import { createPostgresRateLimiter } from './ratelimit/postgres.js';

export interface Services {
  ctx: AuthContext;
  keyUsage: BatchingKeyUsage;
  /** The in-process verification cache, when enabled. */
  cache?: MemoryCache;
  /** Resolves when the cross-instance notification feed (cache invalidations, deliveries due) is listening. */
  listenerReady?: Promise<void>;
  /** Fires when webhook deliveries became due: committed here, or NOTIFYed by another instance. */
  deliveriesDue: WakeSignal;
  /** Flushes pending work (key usage); call before closing the database. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  database: Database;
  keyring: Keyring;
  issuer: string;
  tokenSettings?: TokenSettings;
  now?: () => Date;
  keyUsageFlushMs?: number;
  /** Verification cache settings; false disables it. */
  cache?: false | { maxEntries?: number; ttlMs?: number };
  /**
   * PostgreSQL URL for the notification listener (LISTEN/NOTIFY: cache invalidations and
   * webhook deliveries due). Needed when several instances share one database; the embedded
   * engine has one instance and needs none.
   */
  listenUrl?: string;
  /** Run the verification reads as named prepared statements (CLIENTELE_DB_PREPARED_STATEMENTS; default true). */
  preparedStatements?: boolean;
  /** Hosts/CIDRs outgoing requests may reach despite being private (CLIENTELE_WEBHOOK_ALLOW_HOSTS). */
  outboundAllowHosts?: string;
  /** Most webhook endpoints per account (CLIENTELE_WEBHOOK_MAX_ENDPOINTS; default DEFAULT_WEBHOOK_MAX_ENDPOINTS). */
  webhookMaxEndpoints?: number;
  /** Browser session lifetimes, in seconds. */
  sessionSettings?: { idleSeconds: number; maxSeconds: number };
  /**
   * Where rate limits are counted: `memory` (one instance, exact), `postgres` (shared by the
   * instances on one database), `redis` (shared, exact; needs `redisUrl`). Default: redis when
   * `redisUrl` is given, else memory on the embedded engine and postgres on PostgreSQL.
   */
  rateLimitStore?: 'memory' | 'postgres' | 'redis';
  redisUrl?: string;
  /** Sign-in and source-address limits (throttle.ts defaults when absent). */
  throttle?: ThrottlePolicy;
  /** Replaces the outgoing HTTP client (tests). */
  outbound?: OutboundClient;
  onError?: (err: unknown) => void;
}

export const PEPPER_NAME = 'key-hash-pepper';
/** What the sealed pepper is bound to (its server_secrets row). */
export const PEPPER_AAD = `server-secret:${PEPPER_NAME}`;

/** The server-wide pepper: generated once, stored sealed, shared by every instance. */
async function loadPepper(store: ReturnType<typeof createSqlStore>, keyring: Keyring, now: Date): Promise<Buffer> {
  const aad = PEPPER_AAD;
  const stored = await store.serverSecrets.getOrInsert(PEPPER_NAME, seal(keyring, randomBytes(32), aad), now);
  return open(keyring, stored, aad);
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const now = options.now ?? (() => new Date());
  const deliveriesDue = createWakeSignal();
  const store = createSqlStore(options.database.db, {
    pool: options.database.pool,
    ...(options.preparedStatements !== undefined ? { preparedStatements: options.preparedStatements } : {}),
    onDeliveriesDue: deliveriesDue.fire,
    notifyDeliveries: options.database.kind === 'postgres',
  });
  const pepper = await loadPepper(store, options.keyring, now());
  const tokens = await createTokenService({ store, keyring: options.keyring, issuer: options.issuer, now });
  const keyUsage = createBatchingKeyUsage(store, {
    ...(options.keyUsageFlushMs !== undefined ? { flushIntervalMs: options.keyUsageFlushMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const addressPolicy = createAddressPolicy(options.outboundAllowHosts ?? '');
  const memory: MemoryCache | undefined = options.cache === false ? undefined : createMemoryCache(options.cache ?? {});
  const cache: VerificationCache = memory ?? noCache;
  const listener: NotificationListener | undefined = options.listenUrl
    ? startNotificationListener({
        connectionString: options.listenUrl,
        channels: {
          [WEBHOOKS_DUE_CHANNEL]: () => deliveriesDue.fire(),
          ...(memory
            ? {
                [INVALIDATION_CHANNEL]: (payload: string) => {
                  if (!payload) return;
                  try {
                    memory.invalidate(JSON.parse(payload) as Change);
                  } catch {
                    memory.clear();
                  }
                },
              }
            : {}),
        },
        // While the feed is down the cache could serve what another instance changed: it is off
        // until the feed listens again. Deliveries queued meanwhile are looked for at once.
        onLost: () => memory?.setEnabled(false),
        onListening: () => {
          memory?.setEnabled(true);
          deliveriesDue.fire();
        },
        ...(options.onError ? { onError: options.onError } : {}),
      })
    : undefined;
  const rateLimiter = await createRateLimiter(options, now);
  // Sign-in throttles untouched for a day are worth nothing (failures are forgotten after the lock time).
  const pruneThrottles = setInterval(() => {
    const horizon = Math.max(86_400, options.throttle?.lockSeconds ?? 0) * 1000;
    store.loginThrottles.prune(new Date(now().getTime() - horizon)).catch((err) => options.onError?.(err));
  }, 600_000);
  pruneThrottles.unref();
  const ctx: AuthContext = {
    rateLimiter,
    ...(options.throttle ? { throttle: options.throttle } : {}),
    store,
    keyring: options.keyring,
    pepper,
    now,
    keyUsage,
    tokens,
    outbound: options.outbound ?? createOutboundClient(addressPolicy),
    addressPolicy,
    tokenSettings: options.tokenSettings ?? { accessTtlSeconds: 1800, refreshTtlSeconds: 604800 },
    cache,
    webhookMaxEndpoints: options.webhookMaxEndpoints ?? DEFAULT_WEBHOOK_MAX_ENDPOINTS,
    ...(options.sessionSettings ? { sessionSettings: options.sessionSettings } : {}),
  };
  return {
    ctx,
    keyUsage,
    deliveriesDue,
    ...(memory ? { cache: memory } : {}),
    ...(listener ? { listenerReady: listener.ready } : {}),
    async stop() {
      clearInterval(pruneThrottles);
      await listener?.stop();
      await keyUsage.stop();
      await rateLimiter.stop();
    },
  };
}

async function createRateLimiter(options: ServiceOptions, now: () => Date): Promise<RateLimiter> {
  const store = options.rateLimitStore ?? (options.redisUrl ? 'redis' : options.database.kind === 'embedded' ? 'memory' : 'postgres');
  const nowMs = () => now().getTime();
  if (store === 'redis') {
    if (!options.redisUrl) throw new Error('Rate limits in Redis need CLIENTELE_REDIS_URL');
    // Loaded only here: ioredis is not needed (nor its memory taken) without Redis.
    const { createRedisRateLimiter } = await import('./ratelimit/redis.js');
    return createRedisRateLimiter({ url: options.redisUrl, now: nowMs, ...(options.onError ? { onError: options.onError } : {}) });
  }
  if (store === 'postgres') return createPostgresRateLimiter({ db: options.database.db, now: nowMs, ...(options.onError ? { onError: options.onError } : {}) });
  return createMemoryRateLimiter({ now: nowMs });
}
