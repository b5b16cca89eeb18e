/** SQL repositories for webhook endpoints, deliveries (the outbox) and account secrets. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ClaimedDelivery, DeliveryResult, SealedSigningSecrets, Store } from '../core/ports.js';
import type { DeliveryStatus, DomainEvent, WebhookDelivery, WebhookEndpoint } from '../core/types.js';
import { uuidv7 } from '../crypto/random.js';
import type { DB, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.js';
import type { HotReads } from './sql-hot-reads.js';

const toEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: r.id,
  accountId: r.account_id,
  url: r.url,
  events: r.events,
  clientId: r.client_id,
  format: r.format,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  id: r.id,
  accountId: r.account_id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  clientId: r.client_id,
  status: r.status as DeliveryStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseUntil: r.lease_until,
  lastAttemptAt: r.last_attempt_at,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  latencyMs: r.latency_ms,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** `client.*` matches `client.created`; `*` matches everything; otherwise exact. */
export function matchesEventFilter(patterns: string[] | null, type: string): boolean {
  if (patterns === null) return true;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

const ENDPOINT_COLUMNS: Record<string, string> = {
  url: 'url',
  events: 'events',
  clientId: 'client_id',
  format: 'format',
  enabled: 'enabled',
  disabledReason: 'disabled_reason',
  failingSince: 'failing_since',
};
const DELIVERY_COLUMNS: Record<string, string> = {
  status: 'status',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  leaseUntil: 'lease_until',
  lastAttemptAt: 'last_attempt_at',
  responseStatus: 'response_status',
  responseBody: 'response_body',
  latencyMs: 'latency_ms',
  lastError: 'last_error',
};

function columns(patch: object, map: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const col = map[k];
    if (col && v !== undefined) out[col] = col === 'events' ? (v === null ? null : JSON.stringify(v)) : v;
  }
  return out;
}

/** The NOTIFY channel that tells the dispatchers of every instance that deliveries are due (no payload). */
export const WEBHOOKS_DUE_CHANNEL = 'clientele_webhooks_due';

/**
 * Wraps a statement that makes deliveries due so that, when it touched any row, the same
 * statement NOTIFYs the other instances (delivered on commit; PostgreSQL folds repeats
 * within a transaction into one) — no extra round trip.
 */
function notifyingIfAny(statement: ReturnType<typeof sql>, notify: boolean) {
  if (!notify) return sql<{ n: number }>`WITH touched AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM touched`;
  return sql<{ n: number }>`
    WITH touched AS (${statement} RETURNING 1), n AS (SELECT count(*)::int AS n FROM touched)
    SELECT n.n FROM n LEFT JOIN LATERAL (SELECT pg_notify(${WEBHOOKS_DUE_CHANNEL}, '') WHERE n.n > 0) AS notified ON true`;
}

/** The UPDATE of recordResults (also run inside a claim). */
function writeResults(results: DeliveryResult[], at: Date) {
  const col = <K extends keyof DeliveryResult>(k: K) => results.map((r) => r[k]);
  return sql`
    UPDATE webhook_deliveries AS d
       SET status = t.status, attempts = t.attempts, next_attempt_at = t.next_attempt_at, lease_until = NULL,
           last_attempt_at = t.last_attempt_at, response_status = t.response_status, response_body = t.response_body,
           latency_ms = t.latency_ms, last_error = t.last_error, updated_at = ${at}
      FROM unnest(${col('id')}::uuid[], ${col('claimedLease')}::timestamptz[], ${col('status')}::text[], ${col('attempts')}::int[],
                  ${col('nextAttemptAt')}::timestamptz[], ${col('lastAttemptAt')}::timestamptz[], ${col('responseStatus')}::int[],
                  ${col('responseBody')}::text[], ${col('latencyMs')}::int[], ${col('lastError')}::text[])
           AS t(id, lease, status, attempts, next_attempt_at, last_attempt_at, response_status, response_body, latency_ms, last_error)
     WHERE d.id = t.id AND d.status = 'sending' AND d.lease_until = t.lease`;
}

interface DeliveryHooks {
  /** Deliveries became due (in a transaction: when it commits). */
  due(): void;
  /** Also NOTIFY WEBHOOKS_DUE_CHANNEL for the other instances. */
  notify: boolean;
}

type ClaimRow = Selectable<WebhookDeliveriesTable> & {
  e_id: string | null;
  e_url: string;
  e_events: string[] | null;
  e_client_id: string | null;
  e_format: WebhookEndpoint['format'];
  e_enabled: boolean;
  e_disabled_reason: string | null;
  e_failing_since: Date | null;
  e_created_at: Date;
  e_updated_at: Date;
  ev_id: string | null;
  ev_client_id: string | null;
  ev_type: string;
  ev_actor: DomainEvent['actor'];
  ev_data: Record<string, unknown>;
  ev_created_at: Date;
  cl_data_key: Buffer | null;
  cs_secret: Buffer | null;
  s_secret: Buffer | null;
  s_previous_secret: Buffer | null;
  s_previous_expires_at: Date | null;
  s_created_at: Date;
  /** The first row of its endpoint, of its (account, client): only those carry the endpoint's and the secrets' columns. */
  e_first: boolean;
  s_first: boolean;
};

/**
 * The claimed rows as deliveries. The endpoint's and the signing secrets' columns come once per
 * endpoint and per (account, client) in a claim (a backlog is mostly many deliveries to few
 * endpoints); the later rows share the objects read from the first.
 */
function toClaimed(rows: ClaimRow[]): ClaimedDelivery[] {
  const endpoints = new Map<string, WebhookEndpoint | null>();
  const signers = new Map<string, SealedSigningSecrets>();
  const signerOf = (r: ClaimRow) => `${r.account_id}/${r.client_id ?? ''}`;
  for (const r of rows) {
    if (r.e_first) {
      endpoints.set(
        r.endpoint_id,
        r.e_id === null
          ? null
          : {
              id: r.e_id,
              accountId: r.account_id,
              url: r.e_url,
              events: r.e_events,
              clientId: r.e_client_id,
              format: r.e_format,
              enabled: r.e_enabled,
              disabledReason: r.e_disabled_reason,
              failingSince: r.e_failing_since,
              createdAt: r.e_created_at,
              updatedAt: r.e_updated_at,
            },
      );
    }
    if (r.s_first) {
      signers.set(signerOf(r), {
        clientDataKey: r.cs_secret === null ? null : r.cl_data_key,
        clientSecret: r.cl_data_key === null ? null : r.cs_secret,
        account:
          r.s_secret === null ? null : { accountId: r.account_id, secret: r.s_secret, previousSecret: r.s_previous_secret, previousExpiresAt: r.s_previous_expires_at, createdAt: r.s_created_at },
      });
    }
  }
  return rows.map((r) => ({
    delivery: toDelivery(r),
    endpoint: endpoints.get(r.endpoint_id) ?? null,
    event: r.ev_id === null ? null : { id: r.ev_id, accountId: r.account_id, clientId: r.ev_client_id, type: r.ev_type, actor: r.ev_actor, data: r.ev_data, createdAt: r.ev_created_at },
    signing: signers.get(signerOf(r)) ?? { clientDataKey: null, clientSecret: null, account: null },
  }));
}

export function webhooksRepo(db: Kysely<DB>, hooks: DeliveryHooks = { due: () => undefined, notify: false }, hot?: HotReads): Store['webhooks'] {
  /**
   * The outbox for any number of events (one, for most changes; a batch create's many): one
   * read of the endpoints that may match, one insert of the deliveries.
   */
  const enqueueForEvents: Store['webhooks']['enqueueForEvents'] = async (events) => {
    if (events.length === 0) return 0;
    const accounts = [...new Set(events.map((e) => e.accountId))];
    const clients = [...new Set(events.flatMap((e) => (e.clientId ? [e.clientId] : [])))];
    // FOR KEY SHARE is the lock the foreign key check of the insert below takes anyway, taken
    // here at read time: an endpoint whose deletion is in progress is waited for, then skipped
    // if the deletion commits; one locked first cannot be deleted before this transaction
    // ends (and its deletion then cascades to these deliveries). Updates of endpoints (FOR
    // NO KEY UPDATE) do not conflict with it, and readers do not block each other.
    const endpoints = await db
      .selectFrom('webhook_endpoints')
      .select(['id', 'account_id', 'client_id', 'events'])
      .where(sql<boolean>`account_id = any(${accounts}::uuid[])`)
      .where('enabled', '=', true)
      .where((eb) => eb.or([eb('client_id', 'is', null), sql<boolean>`client_id = any(${clients}::uuid[])`]))
      .forKeyShare()
      .execute();
    if (endpoints.length === 0) return 0;
    const rows: Array<{ id: string; event: DomainEvent; endpointId: string }> = [];
    for (const event of events) {
      for (const e of endpoints) {
        if (e.account_id !== event.accountId || (e.client_id !== null && e.client_id !== event.clientId) || !matchesEventFilter(e.events, event.type)) continue;
        rows.push({ id: uuidv7(), event, endpointId: e.id });
      }
    }
    if (rows.length === 0) return 0;
    const at = rows.map((r) => r.event.createdAt);
    await notifyingIfAny(
      sql`
      INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, event_type, client_id, status, next_attempt_at, created_at, updated_at)
      SELECT id, account_id, endpoint_id, event_id, event_type, client_id, 'pending', at, at, at
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.event.accountId)}::uuid[], ${rows.map((r) => r.endpointId)}::uuid[],
                    ${rows.map((r) => r.event.id)}::uuid[], ${rows.map((r) => r.event.type)}::text[], ${rows.map((r) => r.event.clientId)}::uuid[],
                    ${at}::timestamptz[]) AS t(id, account_id, endpoint_id, event_id, event_type, client_id, at)`,
      hooks.notify,
    ).execute(db);
    hooks.due();
    return rows.length;
  };
  return {
    async insertEndpoint(e) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: e.id,
          account_id: e.accountId,
          url: e.url,
          events: e.events === null ? null : JSON.stringify(e.events),
          client_id: e.clientId,
          format: e.format,
          enabled: e.enabled,
          disabled_reason: e.disabledReason,
          failing_since: e.failingSince,
          created_at: e.createdAt,
          updated_at: e.updatedAt,
        })
        .execute();
    },
    async getEndpoint(accountId, id, lock = false) {
      const q = db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).where('id', '=', id);
      const r = await (lock ? q.forKeyShare() : q).executeTakeFirst();
      return r ? toEndpoint(r) : null;
    },
    async listEndpoints(accountId, f) {
      let q = db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId);
      if (f.afterId) q = q.where('id', '>', f.afterId);
      return (await q.orderBy('id').limit(f.limit).execute()).map(toEndpoint);
    },
    async updateEndpoint(accountId, id, patch, at) {
      const r = await db
        .updateTable('webhook_endpoints')
        .set({ ...columns(patch, ENDPOINT_COLUMNS), updated_at: at })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? toEndpoint(r) : null;
    },
    async deleteEndpoint(accountId, id) {
      const r = await db.deleteFrom('webhook_endpoints').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async lockEndpointsOf(accountId) {
      // Two statements on purpose: under READ COMMITTED a statement that waited for the lock
      // still reads with the snapshot it started with, and would miss the endpoint inserted by
      // the transaction it waited for. The count, started after the wait, sees it.
      await db.selectFrom('accounts').select('id').where('id', '=', accountId).forNoKeyUpdate().execute();
      const r = await db
        .selectFrom('webhook_endpoints')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    enqueueForEvent: (event) => enqueueForEvents([event]),
    enqueueForEvents,
    async insertDelivery(d) {
      await notifyingIfAny(
        sql`INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, event_type, client_id, status, attempts, next_attempt_at, created_at, updated_at)
            VALUES (${d.id}, ${d.accountId}, ${d.endpointId}, ${d.eventId}, ${d.eventType}, ${d.clientId}, ${d.status}, ${d.attempts}, ${d.nextAttemptAt}, ${d.createdAt}, ${d.updatedAt})`,
        hooks.notify && d.status === 'pending',
      ).execute(db);
      if (d.status === 'pending') hooks.due();
    },
    async claimDue(now, claim) {
      const cap = claim.perEndpoint ?? null;
      const held = [...(claim.held ?? new Map<string, number>())].filter(([, n]) => n > 0);
      const saturated = cap === null ? [] : held.filter(([, n]) => n >= cap).map(([id]) => id);
      // With a cap, more rows than the limit are looked at (without locks), so that one endpoint's
      // backlog at the head of the queue leaves room for the others; only those picked are locked,
      // and one another instance locked meanwhile is skipped (SKIP LOCKED), one it claimed and
      // committed meanwhile no longer passes the due test (re-checked on the row's latest version).
      // The queue is read in index order whatever the statistics (webhook_due_queue, migration
      // 0017); the ids go on as arrays and the re-check is opaque to the planner (IS TRUE), so each
      // later step is a primary-key lookup instead of another read of the due index.
      const scan = cap === null ? claim.limit : claim.limit * 4;
      // The same test as webhook_due_queue's.
      const due = sql`(status IN ('pending', 'sending', 'waiting_secret') AND next_attempt_at <= ${now}
                       AND (status <> 'sending' OR lease_until < ${now}))`;
      // The outcomes written first, in the same statement: they are of rows this caller holds
      // (leased, so not due for this claim either way).
      const written = claim.results?.length ? sql`written AS (${writeResults(claim.results, now)}),` : sql``;
      const statement = sql<ClaimRow>`
        WITH ${written}
        candidates AS (
          SELECT id, endpoint_id, next_attempt_at FROM webhook_due_queue(${now}, ${saturated}::uuid[], ${scan})),
        picked AS (
          SELECT c.id FROM (SELECT id, endpoint_id, next_attempt_at, row_number() OVER (PARTITION BY endpoint_id ORDER BY next_attempt_at, id) AS rn FROM candidates) AS c
            LEFT JOIN unnest(${held.map(([id]) => id)}::uuid[], ${held.map(([, n]) => n)}::int[]) AS h(endpoint_id, n) ON h.endpoint_id = c.endpoint_id
           WHERE ${cap}::int IS NULL OR c.rn <= ${cap}::int - COALESCE(h.n, 0)
           ORDER BY c.next_attempt_at, c.id
           LIMIT ${claim.limit}),
        locked AS (
          SELECT id FROM webhook_deliveries
           WHERE id = ANY(ARRAY(SELECT id FROM picked)) AND (${due}) IS TRUE
           FOR UPDATE SKIP LOCKED),
        claimed AS (
          UPDATE webhook_deliveries AS d
             SET status = 'sending', lease_until = ${claim.leaseUntil}, updated_at = ${now}
           WHERE d.id = ANY(ARRAY(SELECT id FROM locked))
          RETURNING d.*)
        SELECT c.*,
               e.id AS e_id, e.url AS e_url, e.events AS e_events, e.client_id AS e_client_id, e.format AS e_format, e.enabled AS e_enabled,
               e.disabled_reason AS e_disabled_reason, e.failing_since AS e_failing_since, e.created_at AS e_created_at, e.updated_at AS e_updated_at,
               ev.id AS ev_id, ev.client_id AS ev_client_id, ev.type AS ev_type, ev.actor AS ev_actor, ev.data AS ev_data, ev.created_at AS ev_created_at,
               cl.data_key AS cl_data_key, cs.secret AS cs_secret,
               s.secret AS s_secret, s.previous_secret AS s_previous_secret, s.previous_expires_at AS s_previous_expires_at, s.created_at AS s_created_at
          FROM (SELECT *, row_number() OVER (PARTITION BY endpoint_id) = 1 AS e_first,
                       row_number() OVER (PARTITION BY account_id, client_id) = 1 AS s_first
                  FROM claimed) AS c
          LEFT JOIN webhook_endpoints AS e ON c.e_first AND e.id = c.endpoint_id
          LEFT JOIN events AS ev ON ev.account_id = c.account_id AND ev.id = c.event_id
          LEFT JOIN client_webhook_secrets AS cs ON c.s_first AND cs.client_id = c.client_id AND cs.account_id = c.account_id
          LEFT JOIN clients AS cl ON cl.account_id = cs.account_id AND cl.id = cs.client_id
          LEFT JOIN account_webhook_secrets AS s ON c.s_first AND s.account_id = c.account_id
         ORDER BY c.next_attempt_at, c.id`;
      const rows = hot ? await hot.rows<ClaimRow>(claim.results?.length ? 'clientele_claim_due_writing' : 'clientele_claim_due', statement.compile(db)) : (await statement.execute(db)).rows;
      return toClaimed(rows);
    },
    async recordResults(results, at) {
      if (results.length === 0) return 0;
      const r = await writeResults(results, at).execute(db);
      return Number(r.numAffectedRows ?? 0);
    },
    async updateDelivery(id, patch, at) {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ ...columns(patch, DELIVERY_COLUMNS), updated_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (r && patch.status === 'pending') {
        if (hooks.notify) await sql`SELECT pg_notify(${WEBHOOKS_DUE_CHANNEL}, '')`.execute(db);
        hooks.due();
      }
      return r ? toDelivery(r) : null;
    },
    async getDelivery(accountId, id) {
      const r = await db.selectFrom('webhook_deliveries').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return r ? toDelivery(r) : null;
    },
    async listDeliveries(accountId, endpointId, f) {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('account_id', '=', accountId).where('endpoint_id', '=', endpointId);
      if (f.afterId) q = q.where('id', '<', f.afterId);
      return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toDelivery);
    },
    async wakeWaiting(accountId, at) {
      const r = await notifyingIfAny(
        sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${at}, updated_at = ${at} WHERE account_id = ${accountId} AND status = 'waiting_secret'`,
        hooks.notify,
      ).execute(db);
      const n = r.rows[0]?.n ?? 0;
      if (n > 0) hooks.due();
      return n;
    },
  };
}

export function accountWebhookSecretsRepo(db: Kysely<DB>): Store['accountWebhookSecrets'] {
  return {
    async get(accountId) {
      const r = await db.selectFrom('account_webhook_secrets').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      return r ? { accountId: r.account_id, secret: r.secret, previousSecret: r.previous_secret, previousExpiresAt: r.previous_expires_at, createdAt: r.created_at } : null;
    },
    async put(s) {
      const values = {
        account_id: s.accountId,
        secret: s.secret,
        previous_secret: s.previousSecret,
        previous_expires_at: s.previousExpiresAt,
        created_at: s.createdAt,
      };
      await db
        .insertInto('account_webhook_secrets')
        .values(values)
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ secret: s.secret, previous_secret: s.previousSecret, previous_expires_at: s.previousExpiresAt, created_at: s.createdAt }))
        .execute();
    },
    async delete(accountId) {
      const r = await db.deleteFrom('account_webhook_secrets').where('account_id', '=', accountId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
