/**
 * The composition root: reads configuration, opens the database, builds the services and
 * the HTTP app, listens, and shuts down gracefully.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccount, type CreatedAccount } from './core/accounts.js';
import type { CoreContext } from './core/context.js';
import { loadMasterKeyring } from './crypto/master-key.js';
import { randomBytes } from './crypto/random.js';
import type { Keyring } from './crypto/envelope.js';
import type { Config } from './config.js';
import { buildApp, type App } from './http/app.js';
import { loadConsoleAssets } from './http/console.js';
import { createMetrics } from './http/metrics.js';
import { createServices, type Services } from './services.js';
import { restrictDataDir } from './storage/data-dir.js';
import { configuredDatabase, openDatabase, type Database } from './storage/database.js';
import { createReadinessProbe } from './storage/readiness.js';
import { createDispatcher } from './webhooks/dispatcher.js';
import { startIdempotencySweeper } from './http/idempotency.js';
import { migrateToLatest } from './storage/migrate.js';
import { scheduleEmbeddedMaintenance } from './storage/embedded-maintenance.js';

export interface Runtime {
  database: Database;
  keyring: Keyring;
  services: Services;
  close(): Promise<void>;
}

/** How long a request may wait for a database connection, and how many may wait (then 503). */
function poolBounds(config: Config): { acquireTimeoutMs?: number; maxWaiting: number } {
  return { ...(config.dbAcquireTimeoutMs > 0 ? { acquireTimeoutMs: config.dbAcquireTimeoutMs } : {}), maxWaiting: config.dbMaxWaiting };
}

/** Opens the configured database (migrated) and builds the services. */
export async function openRuntime(config: Config, warn: (msg: string) => void): Promise<Runtime> {
  let database: Database;
  if (config.databaseUrl) {
    if (!config.masterKey) throw new Error('CLIENTELE_MASTER_KEY is required with DATABASE_URL (base64 of 32 random bytes)');
    database = await openDatabase({ ...configuredDatabase(config), poolSize: config.dbPoolSize, ...poolBounds(config) });
  } else {
    // 0700/0600 even for a directory that existed with looser modes (master.key included);
    // openDatabase keeps pgdata so across the engine's own writes.
    await restrictDataDir(config.dataDir);
    database = await openDatabase({ ...configuredDatabase(config), ...poolBounds(config) });
  }
  try {
    await migrateToLatest(database);
    const keyring = await loadMasterKeyring({
      ...(config.masterKey ? { masterKey: config.masterKey } : {}),
      ...(config.masterKeyPrevious ? { previousKeys: config.masterKeyPrevious } : {}),
      ...(config.databaseUrl ? {} : { dataDir: config.dataDir }),
      warn,
    });
    const services = await createServices({
      database,
      keyring,
      issuer: config.issuer,
      tokenSettings: { accessTtlSeconds: config.accessTokenTtl, refreshTtlSeconds: config.refreshTokenTtl },
      outboundAllowHosts: config.outboundAllowHosts,
      webhookMaxEndpoints: config.webhookMaxEndpoints,
      sessionSettings: { idleSeconds: config.sessionIdleMinutes * 60, maxSeconds: config.sessionMaxHours * 3600 },
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      ...(config.rateLimitStore ? { rateLimitStore: config.rateLimitStore } : {}),
      throttle: {
        signInFailuresPerAddress: config.signInFailuresPerAddress,
        tokenRequestsPerAddress: config.tokenRequestsPerAddress,
        authFailuresPerAddress: config.authFailuresPerAddress,
        freeFailures: config.signInFreeFailures,
        lockFailures: config.signInLockFailures,
        lockSeconds: config.signInLockMinutes * 60,
        refusalDelayMs: config.rateLimitRefusalDelayMs,
      },
      preparedStatements: config.dbPreparedStatements,
      cache: config.cache ? { maxEntries: config.cacheEntries } : false,
      ...(config.databaseUrl ? { listenUrl: config.databaseUrl } : {}),
      onError: (err) => warn(`background error: ${(err as Error).message}`),
    });
    return {
      database,
      keyring,
      services,
      async close() {
        await services.stop();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

const BOOTSTRAP_EMAIL = 'admin@clientele.local';

/**
 * First start on an empty database: creates an account, its admin user and primary key.
 * A marker row makes it happen once even when several instances start together.
 */
async function bootstrapIfEmpty(ctx: CoreContext): Promise<CreatedAccount | null> {
  const mine = randomBytes(16);
  return ctx.store.transaction(async (tx) => {
    if ((await tx.accounts.count()) > 0) return null;
    const marker = await tx.serverSecrets.getOrInsert('bootstrap-marker', mine, ctx.now());
    if (!marker.equals(mine)) return null;
    return createAccount({ ...ctx, store: tx }, { name: 'Default account', email: BOOTSTRAP_EMAIL });
  });
}

/** The JSON printed by `clientele init --json` and by the first start. */
export function credentialsJson(created: CreatedAccount) {
  return {
    accountId: created.account.id,
    apiKey: { keyId: created.apiKey.key.keyId, secret: created.apiKey.secret, token: created.apiKey.token },
    user: { email: created.user.email, password: created.password },
  };
}

/**
 * Where the built admin console is: in dist/console beside the running bundle (this code is in
 * dist/main.js or one of dist/chunks/), or — running from the sources — in the checkout's dist/.
 */
function consoleDir(): string {
  const candidates = ['./console/', '../console/', '../dist/console/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export interface RunningServer {
  app: App;
  runtime: Runtime;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, print: (text: string) => void = (t) => process.stdout.write(t)): Promise<RunningServer> {
  // Until the app (and its logger) exists, warnings are kept and logged right after.
  const warnings: string[] = [];
  let warn = (m: string) => void warnings.push(m);
  const runtime = await openRuntime(config, (m) => warn(m));
  const readiness = createReadinessProbe(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { pool: runtime.database.pool });
  const consoleAssets = config.console ? await loadConsoleAssets(consoleDir()) : null;
  const app = await buildApp({
    ctx: runtime.services.ctx,
    // Off the request pool (storage/readiness.ts): a saturated pool must not fail the probe.
    ready: () => readiness.check(),
    logLevel: config.logLevel,
    accessLog: config.accessLog,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    ...(config.console ? { console: consoleAssets } : {}),
    ...(config.metrics
      ? {
          metrics: {
            metrics: createMetrics({
              ...(runtime.services.cache ? { cache: runtime.services.cache } : {}),
              keyUsage: runtime.services.keyUsage,
              pool: runtime.database.pool,
            }),
            ...(config.metricsToken ? { token: config.metricsToken } : {}),
          },
        }
      : {}),
  });
  warn = (m) => {
    app.log.warn(m);
  };
  for (const w of warnings) warn(w);
  if (config.bootstrap) {
    const created = await bootstrapIfEmpty(runtime.services.ctx);
    if (created) {
      print(
        '\nClientele created an account on this empty database. These credentials are shown ONCE:\n' +
          JSON.stringify(credentialsJson(created), null, 2) +
          '\nTry: curl -H "X-API-Key: <apiKey.token>" http://' +
          `${config.host}:${config.port}/v1/clients\n\n`,
      );
    }
  }
  const url = await app.listen({ port: config.port, host: config.host });
  if (config.console) print(consoleAssets ? `Admin console: ${url}/console/\n` : 'Admin console: not built (npm run build builds it)\n');
  const dispatcher = config.webhookDispatch
    ? createDispatcher(runtime.services.ctx, {
        retryBaseMs: config.webhookRetryBaseMs,
        timeoutMs: config.webhookTimeoutMs,
        pollIntervalMs: config.webhookPollMs,
        concurrency: config.webhookConcurrency,
        perEndpoint: config.webhookEndpointConcurrency,
        wake: runtime.services.deliveriesDue,
        onError: (err) => app.log.error({ err }, 'webhook dispatcher error'),
      })
    : undefined;
  dispatcher?.start();
  const stopSweeper = startIdempotencySweeper(runtime.services.ctx, (err) => app.log.error({ err }, 'idempotency sweep failed'));
  // The embedded engine has no autovacuum (storage/embedded-maintenance.ts); PostgreSQL has its own.
  const maintenance =
    runtime.database.kind === 'embedded' && config.embeddedMaintenanceMs > 0
      ? scheduleEmbeddedMaintenance(runtime.database.db, {
          intervalMs: config.embeddedMaintenanceMs,
          onDone: (actions) => app.log.info({ actions }, 'embedded database maintenance'),
          onError: (err) => app.log.error({ err }, 'embedded database maintenance failed'),
        })
      : undefined;
  let stopping: Promise<void> | undefined;
  return {
    app,
    runtime,
    url,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await dispatcher?.stop();
        await stopSweeper();
        await maintenance?.stop();
        await readiness.close();
        await runtime.close();
      })();
      return stopping;
    },
  };
}
