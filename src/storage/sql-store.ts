/**
 * The SQL implementation of the storage port, shared by PostgreSQL and the embedded
 * engine. Every query is scoped by account and served by an index (see the migrations).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Store } from '../core/ports.js';
import type { DB } from './schema.js';
import { createPageAnchors, type PageAnchors } from './page-anchors.js';
import { accountsRepo, serverSecretsRepo, signingKeysRepo, usersRepo } from './sql-accounts.js';
import { sessionsRepo } from './sql-sessions.js';
import { loginThrottlesRepo, rateLimitOverridesRepo } from './sql-rate-limits.js';
import { clientsRepo } from './sql-clients.js';
import { eventsRepo } from './sql-events.js';
import { hotReads, type HotReads } from './sql-hot-reads.js';
import { idempotencyRepo } from './sql-idempotency.js';
import { integrationsRepo, webhookSecretsRepo } from './sql-integrations.js';
import { apiKeysRepo } from './sql-keys.js';
import { usageRepo } from './sql-usage.js';
import { accountWebhookSecretsRepo, webhooksRepo } from './sql-webhooks.js';

export interface SqlStoreOptions {
  /**
   * The pool `db` runs on: when given, the hot reads run on it directly (see hotReads).
   * Leave it out when `db` is not the pool's own Kysely instance (a logging wrapper, say).
   */
  pool?: pg.Pool;
  /** Run the hot reads as named prepared statements (default true; false behind a PgBouncer older than 1.21 in transaction mode). */
  preparedStatements?: boolean;
  /**
   * Called after webhook deliveries became due in this process: after the commit of the
   * transaction that queued them (never for one rolled back), or at once outside a transaction.
   */
  onDeliveriesDue?: () => void;
  /**
   * Also NOTIFY the other instances (WEBHOOKS_DUE_CHANNEL, delivered on commit) when deliveries
   * become due: for PostgreSQL shared by several instances; the embedded engine has one.
   */
  notifyDeliveries?: boolean;
}

/** What every store over one database shares; `due` says deliveries were queued by the open transaction. */
interface Shared {
  hot: HotReads | undefined;
  anchors: PageAnchors;
  onDeliveriesDue: (() => void) | undefined;
  notifyDeliveries: boolean;
}

/** Builds a store over a Kysely instance (the pool). */
export function createSqlStore(db: Kysely<DB>, options: SqlStoreOptions = {}): Store {
  return buildStore(db, {
    hot: options.pool && hotReads(db, options.pool, options.preparedStatements ?? true),
    anchors: createPageAnchors(),
    onDeliveriesDue: options.onDeliveriesDue,
    notifyDeliveries: options.notifyDeliveries ?? false,
  });
}

/**
 * A store over the pool, or (with `tx`) over an open transaction, whose reads stay on its
 * connection; `tx.due` is set when the transaction queued deliveries.
 */
function buildStore(db: Kysely<DB>, shared: Shared, tx?: { due: boolean }): Store {
  let savepoints = 0;
  const inTransaction = tx !== undefined;
  const hot = inTransaction ? undefined : shared.hot;
  const anchors = shared.anchors;
  const clients = clientsRepo(db, hot, anchors);
  const deliveriesDue = tx ? () => (tx.due = true) : () => shared.onDeliveriesDue?.();
  const store: Store = {
    async transaction(fn) {
      if (!inTransaction) {
        const state = { due: false };
        const result = await db.transaction().execute((trx: Transaction<DB>) => fn(buildStore(trx, shared, state)));
        if (state.due) shared.onDeliveriesDue?.();
        return result;
      }
      // Nested (a keyed create runs its core function inside the idempotency transaction): a
      // savepoint, so a failing fn undoes only its own writes and the enclosing transaction
      // stays usable — createKey retries a lost primary race after a unique violation.
      const name = sql.id(`clientele_sp_${++savepoints}`);
      await sql`savepoint ${name}`.execute(db);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(store);
      } catch (err) {
        await sql`rollback to savepoint ${name}`.execute(db).catch(() => undefined);
        throw err;
      }
      await sql`release savepoint ${name}`.execute(db);
      return result;
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },

    accounts: accountsRepo(db),

    users: usersRepo(db),
    sessions: sessionsRepo(db),
    rateLimitOverrides: rateLimitOverridesRepo(db),
    loginThrottles: loginThrottlesRepo(db),

    clients,

    integrations: integrationsRepo(db),
    webhookSecrets: webhookSecretsRepo(db),
    usage: usageRepo(db),
    webhooks: webhooksRepo(db, { due: deliveriesDue, notify: shared.notifyDeliveries }, hot),
    accountWebhookSecrets: accountWebhookSecretsRepo(db),

    apiKeys: apiKeysRepo(db, hot, clients),

    events: eventsRepo(db),

    idempotency: idempotencyRepo(db, inTransaction),

    serverSecrets: serverSecretsRepo(db),

    signingKeys: signingKeysRepo(db),
  };
  return store;
}
