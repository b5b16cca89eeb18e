/**
 * `GET /metrics` in the Prometheus text format (prom-client): the process (CPU, memory,
 * event-loop delay, GC), the verification cache, the key-usage flush and the database pool.
 * Every figure is read when scraped, so no request pays for them. No label carries a tenant,
 * a key or a client: the output is the same whoever asks. When `CLIENTELE_METRICS_TOKEN` is
 * set, the route wants `Authorization: Bearer <token>`.
 */
import type pg from 'pg';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { MemoryCache } from '../cache/memory-cache.js';
import { AppError } from '../core/errors.js';
import type { BatchingKeyUsage } from '../core/key-usage.js';
import { constantTimeEqual } from '../crypto/keyed-hash.js';
import type { App } from './types.js';

export interface MetricsSources {
  /** The verification cache, when enabled. */
  cache?: MemoryCache;
  keyUsage: BatchingKeyUsage;
  pool: pg.Pool;
}

export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { cache, keyUsage, pool } = sources;

  /** A counter whose value is read from `value()` at each scrape. */
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });

  gauge('clientele_cache_enabled', '1 while the verification cache serves entries (0: disabled, or off while the invalidation feed is down)', () => (cache?.enabled ? 1 : 0));
  gauge('clientele_cache_entries', 'Keys, clients and users held by the verification cache', () => cache?.size ?? 0);
  counter('clientele_cache_hits_total', 'Verification cache lookups answered from memory', () => cache?.stats.hits ?? 0);
  counter('clientele_cache_misses_total', 'Verification cache lookups that read the database', () => cache?.stats.misses ?? 0);

  gauge('clientele_key_usage_pending_keys', 'Keys whose uses await the next flush', () => keyUsage.stats.pendingKeys());
  gauge('clientele_key_usage_pending_clients', 'Clients whose metered calls await the next flush', () => keyUsage.stats.pendingClients());
  counter('clientele_key_usage_flushes_total', 'Key-usage flushes written', () => keyUsage.stats.flushes);
  counter('clientele_key_usage_flush_failures_total', 'Key-usage flushes that failed (their counts are kept for the next one)', () => keyUsage.stats.failures);
  gauge('clientele_key_usage_last_flush_seconds', 'Duration of the last key-usage flush', () => keyUsage.stats.lastFlushSeconds);

  gauge('clientele_db_pool_connections', 'Database connections open in this instance', () => pool.totalCount);
  gauge('clientele_db_pool_idle_connections', 'Open database connections not in use', () => pool.idleCount);
  gauge('clientele_db_pool_waiting_requests', 'Queries waiting for a database connection', () => pool.waitingCount);

  return { contentType: registry.contentType, render: () => registry.metrics() };
}

/** Registers `GET /metrics` (hidden from the OpenAPI document, like the health routes). */
export function registerMetricsRoute(app: App, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', { config: { auth: false }, schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined) {
      const header = request.headers.authorization ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!constantTimeEqual(presented, token)) throw new AppError('UNAUTHENTICATED', 'GET /metrics wants the metrics token as a Bearer token');
    }
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}
