/**
 * The audit log. Every change appends its event through `recordEvent` inside the same
 * transaction as the change, so the log and the data never disagree (and the outbox of
 * outgoing webhooks can be built on the same rows).
 */
import { isUuid, uuidv7 } from '../crypto/random.js';
import type { EventType } from './event-types.js';
import type { EventFilter, Store } from './ports.js';
import type { Actor, DomainEvent, Page, Principal } from './types.js';
import { decodeCursor, pageOf } from './pagination.js';
import { loadClientFor } from './access.js';
import { requirePermission } from './permissions.js';

export interface NewEvent {
  accountId: string;
  clientId: string | null;
  type: EventType;
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
  /** Who acted: a user's id, a key's id or a client's id. */
  actorId?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  /** Default `asc` (oldest first); `desc` pages from the newest. */
  order?: 'asc' | 'desc';
}

/** The smallest UUID of a millisecond: event ids are UUIDv7, whose first 48 bits are their time. */
function firstIdAt(at: Date): string {
  const hex = Math.max(0, Math.min(at.getTime(), 0xffffffffffff)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** Lists the caller's events; a client principal sees only its own client's. */
export async function listEvents(store: Store, principal: Principal, query: EventQuery): Promise<Page<DomainEvent>> {
  requirePermission(principal, 'events:read');
  const order = query.order ?? 'asc';
  const filter: EventFilter = { limit: query.limit + 1, order };
  const cursor = decodeCursor(query.cursor, isUuid);
  if (cursor && order === 'asc') filter.afterId = cursor;
  if (cursor && order === 'desc') filter.beforeId = cursor;
  if (query.type) filter.type = query.type;
  if (query.actorId) filter.actorId = query.actorId;
  if (query.since) filter.fromId = firstIdAt(query.since);
  if (query.until) filter.untilId = firstIdAt(query.until);
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
