/**
 * Webhook endpoints of an account, their delivery log, re-delivery and test events.
 * URLs are checked against the outgoing address policy when they are saved (and again at
 * every connection, where it really counts).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isUuid, uuidv7 } from '../crypto/random.js';
import { requireAccountPrincipal, loadClientFor } from './access.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import { decodeCursor, pageOf } from './pagination.js';
import type { EndpointPatch } from './ports.js';
import type { DomainEvent, Page, Principal, WebhookDelivery, WebhookEndpoint, WebhookFormat } from './types.js';
import { requirePermission } from './permissions.js';

export interface EndpointInput {
  url?: string;
  events?: string[] | null;
  clientId?: string | null;
  format?: WebhookFormat;
  enabled?: boolean;
}

const PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;

/**
 * Endpoints an account may have unless configured otherwise (CLIENTELE_WEBHOOK_MAX_ENDPOINTS).
 * Every change writes one delivery row per matching endpoint in its own transaction, so this
 * bounds the work a single client write can cost; 20 is what large providers allow (GitHub:
 * 20 per event and repository or organisation; Stripe: 16 per account).
 */
export const DEFAULT_WEBHOOK_MAX_ENDPOINTS = 20;

async function checkUrl(ctx: CoreContext, raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('body.url', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidField('body.url', 'must use http or https');
  if (url.username || url.password) throw invalidField('body.url', 'must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true }).then(
        (r) => r.map((a) => a.address),
        () => [] as string[],
      );
  if (addresses.length > 0 && !addresses.some((a) => ctx.addressPolicy.allows(host, a)))
    throw invalidField('body.url', 'resolves to a private, loopback or link-local address (see CLIENTELE_WEBHOOK_ALLOW_HOSTS)');
  return url.toString();
}

function checkEvents(events: string[] | null | undefined): void {
  events?.forEach((p, i) => {
    if (!PATTERN.test(p)) throw invalidField(`body.events.${i}`, 'must be an event type, a prefix with .* (client.*), or *');
  });
}

async function loadEndpoint(ctx: CoreContext, principal: Principal, id: string): Promise<WebhookEndpoint> {
  requireAccountPrincipal(principal);
  const e = await ctx.store.webhooks.getEndpoint(principal.accountId, id);
  if (!e) throw new AppError('NOT_FOUND', 'No such webhook endpoint');
  return e;
}

/**
 * Creates an endpoint, unless the account already has `ctx.webhookMaxEndpoints`
 * (WEBHOOK_ENDPOINT_LIMIT_REACHED). The count is taken under the account's endpoint lock,
 * so concurrent creations cannot both pass it.
 */
export async function createEndpoint(ctx: CoreContext, principal: Principal, input: EndpointInput & { url: string }): Promise<WebhookEndpoint> {
  requirePermission(principal, 'webhooks:write');
  requireAccountPrincipal(principal);
  checkEvents(input.events);
  const url = await checkUrl(ctx, input.url);
  const now = ctx.now();
  const endpoint: WebhookEndpoint = {
    id: uuidv7(),
    accountId: principal.accountId,
    url,
    events: input.events ?? null,
    clientId: input.clientId ?? null,
    format: input.format ?? 'native',
    enabled: input.enabled ?? true,
    disabledReason: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.transaction(async (tx) => {
    const count = await tx.webhooks.lockEndpointsOf(endpoint.accountId);
    if (count >= ctx.webhookMaxEndpoints)
      throw new AppError('WEBHOOK_ENDPOINT_LIMIT_REACHED', `The account has ${count} webhook endpoints and may have at most ${ctx.webhookMaxEndpoints}; delete one to add another`);
    // Read under a lock in this transaction: a client deleted concurrently is a 404, never a foreign-key 500.
    if (input.clientId) await loadClientFor(tx, principal, input.clientId, true);
    await tx.webhooks.insertEndpoint(endpoint);
    await recordEvent(
      tx,
      {
        accountId: endpoint.accountId,
        clientId: null,
        type: 'webhook_endpoint.created',
        actor: principal.actor,
        data: { endpointId: endpoint.id, url, events: endpoint.events, format: endpoint.format },
      },
      now,
    );
  });
  return endpoint;
}

export async function getEndpoint(ctx: CoreContext, principal: Principal, id: string): Promise<WebhookEndpoint> {
  requirePermission(principal, 'webhooks:read');
  return loadEndpoint(ctx, principal, id);
}

export async function listEndpoints(ctx: CoreContext, principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<WebhookEndpoint>> {
  requirePermission(principal, 'webhooks:read');
  requireAccountPrincipal(principal);
  const afterId = decodeCursor(query.cursor, isUuid);
  const rows = await ctx.store.webhooks.listEndpoints(principal.accountId, { limit: query.limit + 1, ...(afterId ? { afterId } : {}) });
  return pageOf(rows, query.limit, (e) => e.id);
}

export async function updateEndpoint(ctx: CoreContext, principal: Principal, id: string, input: EndpointInput): Promise<WebhookEndpoint> {
  requirePermission(principal, 'webhooks:write');
  const current = await loadEndpoint(ctx, principal, id);
  checkEvents(input.events);
  const patch: EndpointPatch = {};
  if (input.url !== undefined) patch.url = await checkUrl(ctx, input.url);
  if (input.events !== undefined) patch.events = input.events;
  if (input.clientId !== undefined) {
    if (input.clientId) await loadClientFor(ctx.store, principal, input.clientId);
    patch.clientId = input.clientId;
  }
  if (input.format !== undefined) patch.format = input.format;
  if (input.enabled !== undefined) {
    patch.enabled = input.enabled;
    if (input.enabled) Object.assign(patch, { disabledReason: null, failingSince: null });
  }
  if (Object.keys(patch).length === 0) return current;
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    if (patch.clientId) await loadClientFor(tx, principal, patch.clientId, true); // see createEndpoint
    const updated = await tx.webhooks.updateEndpoint(principal.accountId, id, patch, now);
    if (!updated) throw new AppError('NOT_FOUND', 'No such webhook endpoint');
    await recordEvent(tx, { accountId: updated.accountId, clientId: null, type: 'webhook_endpoint.updated', actor: principal.actor, data: { endpointId: id, changes: Object.keys(patch) } }, now);
    return updated;
  });
}

export async function deleteEndpoint(ctx: CoreContext, principal: Principal, id: string): Promise<void> {
  requirePermission(principal, 'webhooks:write');
  await loadEndpoint(ctx, principal, id);
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    // Deletions of one account take turns: two of them fanning their events out to each
    // other's endpoint (FOR KEY SHARE) while holding their own (deleted) row would deadlock.
    await tx.webhooks.lockEndpointsOf(principal.accountId);
    // Deleted concurrently since loadEndpoint: 404, and no second event.
    if (!(await tx.webhooks.deleteEndpoint(principal.accountId, id))) throw new AppError('NOT_FOUND', 'No such webhook endpoint');
    await recordEvent(tx, { accountId: principal.accountId, clientId: null, type: 'webhook_endpoint.deleted', actor: principal.actor, data: { endpointId: id } }, now);
  });
}

export async function listDeliveries(ctx: CoreContext, principal: Principal, endpointId: string, query: { limit: number; cursor?: string }): Promise<Page<WebhookDelivery>> {
  requirePermission(principal, 'webhooks:read');
  await loadEndpoint(ctx, principal, endpointId);
  const afterId = decodeCursor(query.cursor, isUuid);
  const rows = await ctx.store.webhooks.listDeliveries(principal.accountId, endpointId, { limit: query.limit + 1, ...(afterId ? { afterId } : {}) });
  return pageOf(rows, query.limit, (d) => d.id);
}

/** Sends a delivery again now (whatever its status), keeping its history. */
export async function redeliver(ctx: CoreContext, principal: Principal, deliveryId: string): Promise<WebhookDelivery> {
  requirePermission(principal, 'webhooks:write');
  requireAccountPrincipal(principal);
  const d = await ctx.store.webhooks.getDelivery(principal.accountId, deliveryId);
  if (!d) throw new AppError('NOT_FOUND', 'No such delivery');
  if (d.status === 'sending' && d.leaseUntil && d.leaseUntil.getTime() > ctx.now().getTime())
    throw new AppError('CONFLICT', 'The delivery is being sent right now; try again when this attempt is over');
  const updated = await ctx.store.webhooks.updateDelivery(d.id, { status: 'pending', nextAttemptAt: ctx.now(), leaseUntil: null }, ctx.now());
  // Its endpoint (and so the delivery) was deleted meanwhile.
  if (!updated) throw new AppError('NOT_FOUND', 'No such delivery');
  return updated;
}

/**
 * Sends a `webhook.test` event to one endpoint only. The event is recorded in the audit log
 * but not fanned out to the account's other endpoints.
 */
export async function sendTestEvent(ctx: CoreContext, principal: Principal, endpointId: string): Promise<WebhookDelivery> {
  requirePermission(principal, 'webhooks:write');
  const endpoint = await loadEndpoint(ctx, principal, endpointId);
  const now = ctx.now();
  const event: DomainEvent = {
    id: uuidv7(),
    accountId: endpoint.accountId,
    clientId: null,
    type: 'webhook.test',
    actor: principal.actor,
    data: { endpointId, message: 'This is a test event from Clientele' },
    createdAt: now,
  };
  const delivery: WebhookDelivery = {
    id: uuidv7(),
    accountId: endpoint.accountId,
    endpointId,
    eventId: event.id,
    eventType: event.type,
    clientId: null,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    lastAttemptAt: null,
    responseStatus: null,
    responseBody: null,
    latencyMs: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.transaction(async (tx) => {
    // Locked so that a concurrent deletion cannot break the delivery's foreign key: 404 instead of a 500.
    if (!(await tx.webhooks.getEndpoint(endpoint.accountId, endpointId, true))) throw new AppError('NOT_FOUND', 'No such webhook endpoint');
    await tx.events.append(event);
    await tx.webhooks.insertDelivery(delivery);
  });
  return delivery;
}
