/** Cursor pagination: a list is an async iterable over every item of every page. */
import type { Page } from './types.js';

export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

/**
 * Iterates all items, fetching the next page (by `nextCursor`) only when the previous one
 * is consumed. `for await (const c of clientele.clients.list()) …`
 */
export class Paginated<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly firstCursor?: string,
  ) {}

  /** Page by page (each with its `nextCursor`). */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = this.firstCursor;
    do {
      const page = await this.fetchPage(cursor);
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Collects the items (at most `max`). */
  async toArray(max = Infinity): Promise<T[]> {
    const out: T[] = [];
    if (max <= 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= max) break;
    }
    return out;
  }
}
