/**
 * The audit log. Every change appends its event through `recordEvent` inside the same
 * transaction as the change, so the log and the data never disagree (and the outbox of
 * outgoing webhooks can be built on the same rows).
 */
import { isUuid, uuidv7 } from '../crypto/random.js';
import type { EventFilter, Store } from './ports.js';
import type { Actor, DomainEvent, Page, Principal } from './types.js';
import { decodeCursor, pageOf } from './pagination.js';
import { loadClientFor } from './access.js';
import { requirePermission } from './permissions.js';

export interface NewEvent {
  accountId: string;
  clientId: string | null;
  type: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** Appends an event; call it with the transaction's store. */
export async function recordEvent(tx: Store, event: NewEvent, at: Date): Promise<DomainEvent> {
  const full: DomainEvent = { id: uuidv7(), createdAt: at, ...event };
  await tx.events.append(full);
  // The outbox: deliveries to matching webhook endpoints commit (or not) with the event.
  await tx.webhooks.enqueueForEvent(full);
  return full;
}

/** recordEvent for many events (a batch's), in one statement each for the events and their deliveries. */
export async function recordEvents(tx: Store, events: NewEvent[], at: Date): Promise<DomainEvent[]> {
  const full = events.map((event): DomainEvent => ({ id: uuidv7(), createdAt: at, ...event }));
  await tx.events.appendMany(full);
  await tx.webhooks.enqueueForEvents(full);
  return full;
}

export interface EventQuery {
  limit: number;
  cursor?: string;
  type?: string;
  clientId?: string;
}

/** Lists the caller's events; a client principal sees only its own client's. */
export async function listEvents(store: Store, principal: Principal, query: EventQuery): Promise<Page<DomainEvent>> {
  requirePermission(principal, 'events:read');
  const filter: EventFilter = { limit: query.limit + 1 };
  const after = decodeCursor(query.cursor, isUuid);
  if (after) filter.afterId = after;
  if (query.type) filter.type = query.type;
  if (principal.kind === 'client') {
    // Another client of the account: 403; a client outside it: 404 (docs/design.md §3).
    if (query.clientId && query.clientId !== principal.clientId) await loadClientFor(store, principal, query.clientId);
    filter.clientId = principal.clientId;
  } else if (query.clientId) {
    filter.clientId = query.clientId;
  }
  const rows = await store.events.list(principal.accountId, filter);
  return pageOf(rows, query.limit, (e) => e.id);
}
