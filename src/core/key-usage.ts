/**
 * Batches key uses (lastUsedAt, use counts) and metered `calls` in memory and writes them
 * in one transaction per flush, so verification costs no database write. `stop()` flushes
 * what is pending (graceful shutdown loses nothing); a failed flush is retried.
 *
 * `record` runs on every verified request, so it does one map lookup per key and one per
 * client, allocates only for a key or bucket not seen since the last flush, and derives the
 * month of a call from the previous one's when it falls in the same month.
 */
import type { KeyUsageSink, MeteredCall } from './context.js';
import type { KeyUse, Store, UsageDelta } from './ports.js';
import { deltasFor, monthOf } from './usage.js';

/** The calls of one client, dimension and month since the last flush. */
interface Bucket {
  dimension: string;
  month: string;
  count: number;
  at: Date;
}

/** One client's pending calls: their total (for limit checks) and their buckets. */
interface ClientCalls {
  accountId: string;
  pending: number;
  buckets: Bucket[];
}

export interface BatchingKeyUsage extends KeyUsageSink {
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** For the metrics endpoint. */
  readonly stats: {
    flushes: number;
    failures: number;
    lastFlushSeconds: number;
    pendingKeys(): number;
    pendingClients(): number;
  };
}

export function createBatchingKeyUsage(store: Store, options: { flushIntervalMs?: number; onError?: (err: unknown) => void } = {}): BatchingKeyUsage {
  let keys = new Map<string, KeyUse>();
  let calls = new Map<string, ClientCalls>();
  // Calls of the flush being written: still "pending" until committed, or a limit check
  // in between would see them neither here nor in the table.
  let inflight = new Map<string, ClientCalls>();
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void sink.flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  // The UTC month [start, end) of the last call recorded, and its name.
  let monthStart = 0;
  let monthEnd = 0;
  let month = '';
  function monthAt(at: Date): string {
    const t = at.getTime();
    if (t < monthStart || t >= monthEnd) {
      monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
      monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
      month = monthOf(at);
    }
    return month;
  }

  function addKey(keyId: string, count: number, at: Date) {
    const cur = keys.get(keyId);
    if (!cur) keys.set(keyId, { keyId, count, lastUsedAt: at });
    else {
      cur.count += count;
      if (at.getTime() > cur.lastUsedAt.getTime()) cur.lastUsedAt = at;
    }
  }

  function addCall(accountId: string, clientId: string, dimension: string, month: string, count: number, at: Date) {
    let client = calls.get(clientId);
    if (!client) {
      client = { accountId, pending: 0, buckets: [] };
      calls.set(clientId, client);
    }
    client.pending += count;
    for (const b of client.buckets) {
      if (b.dimension === dimension && b.month === month) {
        b.count += count;
        if (at.getTime() > b.at.getTime()) b.at = at;
        return;
      }
    }
    client.buckets.push({ dimension, month, count, at });
  }

  const sink: BatchingKeyUsage = {
    stats: {
      flushes: 0,
      failures: 0,
      lastFlushSeconds: 0,
      pendingKeys: () => keys.size,
      pendingClients: () => calls.size,
    },
    record(keyId: string, at: Date, call?: MeteredCall) {
      addKey(keyId, 1, at);
      if (call) addCall(call.accountId, call.clientId, call.dimension ?? '', monthAt(at), 1, at);
    },
    pendingCalls: (clientId) => (calls.get(clientId)?.pending ?? 0) + (inflight.get(clientId)?.pending ?? 0),
    flush() {
      flushing = flushing.then(async () => {
        if (keys.size === 0 && calls.size === 0) return;
        const keyBatch = [...keys.values()];
        const callBatch = calls;
        keys = new Map();
        calls = new Map();
        inflight = callBatch;
        const deltas: UsageDelta[] = [];
        for (const [clientId, c] of callBatch) {
          for (const b of c.buckets) {
            deltas.push(...deltasFor({ accountId: c.accountId, id: clientId }, { metric: 'calls', amount: b.count, at: b.at, ...(b.dimension ? { dimension: b.dimension } : {}) }, b.at));
          }
        }
        const started = performance.now();
        try {
          await store.transaction(async (tx) => {
            await tx.apiKeys.recordUses(keyBatch);
            await tx.usage.add(deltas, new Date());
          });
          sink.stats.flushes++;
        } catch (err) {
          sink.stats.failures++;
          // Keep everything for the next flush.
          for (const u of keyBatch) addKey(u.keyId, u.count, u.lastUsedAt);
          for (const [clientId, c] of callBatch) {
            for (const b of c.buckets) addCall(c.accountId, clientId, b.dimension, b.month, b.count, b.at);
          }
          options.onError?.(err);
        } finally {
          inflight = new Map();
          sink.stats.lastFlushSeconds = (performance.now() - started) / 1000;
        }
      });
      return flushing;
    },
    async stop() {
      clearInterval(timer);
      await sink.flush();
    },
  };
  return sink;
}
