/** SQL repositories for webhook endpoints, deliveries (the outbox) and account secrets. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Store } from '../core/ports.js';
import type { DeliveryStatus, DomainEvent, WebhookDelivery, WebhookEndpoint } from '../core/types.js';
import { uuidv7 } from '../crypto/random.js';
import type { DB, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.js';

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

export function webhooksRepo(db: Kysely<DB>): Store['webhooks'] {
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
    await sql`
      INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, event_type, client_id, status, next_attempt_at, created_at, updated_at)
      SELECT id, account_id, endpoint_id, event_id, event_type, client_id, 'pending', at, at, at
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.event.accountId)}::uuid[], ${rows.map((r) => r.endpointId)}::uuid[],
                    ${rows.map((r) => r.event.id)}::uuid[], ${rows.map((r) => r.event.type)}::text[], ${rows.map((r) => r.event.clientId)}::uuid[],
                    ${at}::timestamptz[]) AS t(id, account_id, endpoint_id, event_id, event_type, client_id, at)`.execute(db);
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
      await db
        .insertInto('webhook_deliveries')
        .values({
          id: d.id,
          account_id: d.accountId,
          endpoint_id: d.endpointId,
          event_id: d.eventId,
          event_type: d.eventType,
          client_id: d.clientId,
          status: d.status,
          attempts: d.attempts,
          next_attempt_at: d.nextAttemptAt,
          created_at: d.createdAt,
          updated_at: d.updatedAt,
        })
        .execute();
    },
    async claimDue(now, limit, leaseUntil) {
      const r = await sql<Selectable<WebhookDeliveriesTable>>`
        UPDATE webhook_deliveries AS d
           SET status = 'sending', lease_until = ${leaseUntil}, updated_at = ${now}
         WHERE d.id IN (
           SELECT id FROM webhook_deliveries
            WHERE (status IN ('pending', 'waiting_secret') AND next_attempt_at <= ${now})
               OR (status = 'sending' AND lease_until < ${now})
            ORDER BY next_attempt_at
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
        RETURNING d.*`.execute(db);
      return r.rows.map(toDelivery);
    },
    async updateDelivery(id, patch, at) {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ ...columns(patch, DELIVERY_COLUMNS), updated_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
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
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: at, updated_at: at })
        .where('account_id', '=', accountId)
        .where('status', '=', 'waiting_secret')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
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
