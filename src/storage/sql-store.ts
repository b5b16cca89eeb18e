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
}

/** Builds a store over a Kysely instance (the pool). */
export function createSqlStore(db: Kysely<DB>, options: SqlStoreOptions = {}): Store {
  return buildStore(db, options.pool && hotReads(db, options.pool, options.preparedStatements ?? true), createPageAnchors(), false);
}

/** A store over the pool, or (inTransaction) over an open transaction, whose reads stay on its connection. */
function buildStore(db: Kysely<DB>, hot: HotReads | undefined, anchors: PageAnchors, inTransaction: boolean): Store {
  let savepoints = 0;
  const clients = clientsRepo(db, hot, anchors);
  const store: Store = {
    async transaction(fn) {
      if (!inTransaction) return db.transaction().execute((trx: Transaction<DB>) => fn(buildStore(trx, undefined, anchors, true)));
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
    webhooks: webhooksRepo(db),
    accountWebhookSecrets: accountWebhookSecretsRepo(db),

    apiKeys: apiKeysRepo(db, hot, clients),

    events: eventsRepo(db),

    idempotency: idempotencyRepo(db, inTransaction),

    serverSecrets: serverSecretsRepo(db),

    signingKeys: signingKeysRepo(db),
  };
  return store;
}
