/** `/v1/events`: the audit log, oldest first. */
import type { RequestOptions, Transport } from '../http.js';
import { Paginated } from '../pagination.js';
import { sleep } from '../retry.js';
import type { Event, EventListParams, Page } from '../types.js';

export interface FollowOptions {
  /** Start with events created at or after this instant; `'beginning'` replays the whole log. Default: now (only new events). */
  since?: Date | 'beginning';
  type?: string;
  clientId?: string;
  /** Who acted: a user's, a key's or a client's id. */
  actorId?: string;
  /** Pause between polls once caught up (default 1000 ms). */
  intervalMs?: number;
  /** Stops following (the iterator then ends normally). */
  signal?: AbortSignal;
}

export class EventsResource {
  constructor(private readonly http: Transport) {}

  /** Every event matching the filters, oldest first, across all pages. */
  list(params: EventListParams = {}, options?: RequestOptions): Paginated<Event> {
    const { cursor, ...filters } = params;
    return new Paginated((c) => this.listPage({ ...filters, ...(c !== undefined ? { cursor: c } : {}) }, options), cursor);
  }

  listPage(params: EventListParams = {}, options?: RequestOptions): Promise<Page<Event>> {
    return this.http.request({ method: 'GET', path: '/v1/events', query: params, options });
  }

  /**
   * Follows the log: yields the matching events from `since`, then new ones as they are
   * recorded, until `signal` aborts.
   */
  async *follow(options: FollowOptions = {}): AsyncGenerator<Event, void, undefined> {
    const { signal } = options;
    const filters = {
      ...(options.type ? { type: options.type } : {}),
      ...(options.clientId ? { clientId: options.clientId } : {}),
      ...(options.actorId ? { actorId: options.actorId } : {}),
    };
    let cursor = options.since === 'beginning' ? undefined : eventCursorAt(options.since ?? new Date());
    try {
      while (!signal?.aborted) {
        const page = await this.listPage({ ...filters, limit: 100, ...(cursor ? { cursor } : {}) }, signal ? { signal } : undefined);
        for (const event of page.data) yield event;
        const last = page.data[page.data.length - 1];
        if (page.nextCursor) {
          cursor = page.nextCursor;
          continue;
        }
        if (last) cursor = eventCursorAfter(last.id);
        await sleep(options.intervalMs ?? 1000, signal);
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  }
}

/**
 * Event ids are UUIDv7 (time-ordered) and the list is keyset-paginated on them, so "after
 * this id" is a cursor. This is the only place the SDK relies on the cursor's encoding
 * (`c1:<key>`, base64url — src/core/pagination.ts); the follow tests pin it.
 */
function eventCursorAfter(id: string): string {
  return base64url(`c1:${id}`);
}

/** A cursor positioned just before the first event created at `at` (a UUIDv7 with zero random bits). */
function eventCursorAt(at: Date): string {
  const ms = Math.max(0, at.getTime() - 1)
    .toString(16)
    .padStart(12, '0')
    .slice(-12);
  return eventCursorAfter(`${ms.slice(0, 8)}-${ms.slice(8, 12)}-7fff-bfff-ffffffffffff`);
}

function base64url(ascii: string): string {
  return btoa(ascii).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
