/**
 * Keeps an instance's verification cache honest across instances: a dedicated PostgreSQL
 * connection LISTENs for committed changes and invalidates the entries they name. If the
 * connection drops, the cache is switched off (no stale entry can be served) until the
 * connection is back and listening again.
 */
import pg from 'pg';
import { INVALIDATION_CHANNEL, type Change } from '../core/cache.js';
import type { MemoryCache } from './memory-cache.js';

export interface InvalidationListener {
  /** Resolves once the first LISTEN is active. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startInvalidationListener(options: { connectionString: string; cache: MemoryCache; onError?: (err: unknown) => void; maxBackoffMs?: number }): InvalidationListener {
  const { cache } = options;
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = 100;
  let timer: NodeJS.Timeout | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const lost = (err?: unknown) => {
    cache.setEnabled(false);
    if (err) options.onError?.(err);
    const c = client;
    client = undefined;
    c?.removeAllListeners();
    c?.end().catch(() => undefined);
    if (!stopped && !timer) {
      timer = setTimeout(() => {
        timer = undefined;
        void connect();
      }, backoff);
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5_000);
    }
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({ connectionString: options.connectionString, keepAlive: true });
    client = c;
    c.on('error', (err) => lost(err));
    c.on('end', () => {
      if (client === c) lost();
    });
    c.on('notification', (msg) => {
      if (msg.channel !== INVALIDATION_CHANNEL || !msg.payload) return;
      try {
        cache.invalidate(JSON.parse(msg.payload) as Change);
      } catch {
        cache.clear();
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${INVALIDATION_CHANNEL}`);
      backoff = 100;
      cache.setEnabled(true);
      markReady();
    } catch (err) {
      if (client === c) lost(err);
    }
  }

  cache.setEnabled(false);
  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      c?.removeAllListeners();
      await c?.end().catch(() => undefined);
    },
  };
}
