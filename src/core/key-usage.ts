/**
 * Batches key uses (lastUsedAt, use counts) and metered `calls` in memory and writes them
 * in one transaction per flush, so verification costs no database write. `stop()` flushes
 * what is pending (graceful shutdown loses nothing); a failed flush is retried.
 */
import type { KeyUsageSink, MeteredCall } from './context.js';
import type { KeyUse, Store, UsageDelta } from './ports.js';
import { deltasFor } from './usage.js';

export interface BatchingKeyUsage extends KeyUsageSink {
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface PendingCall extends MeteredCall {
  at: Date;
  count: number;
}

export function createBatchingKeyUsage(store: Store, options: { flushIntervalMs?: number; onError?: (err: unknown) => void } = {}): BatchingKeyUsage {
  let keys = new Map<string, KeyUse>();
  let calls = new Map<string, PendingCall>();
  let callsByClient = new Map<string, number>();
  // Calls of the flush being written: still "pending" until committed, or a limit check
  // in between would see them neither here nor in the table.
  let inflightByClient = new Map<string, number>();
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void sink.flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  function addKey(u: KeyUse) {
    const cur = keys.get(u.keyId);
    if (!cur) keys.set(u.keyId, { ...u });
    else {
      cur.count += u.count;
      if (u.lastUsedAt > cur.lastUsedAt) cur.lastUsedAt = u.lastUsedAt;
    }
  }

  function addCall(c: PendingCall) {
    // One bucket per client, dimension and month.
    const k = `${c.clientId}\u0000${c.dimension ?? ''}\u0000${c.at.toISOString().slice(0, 7)}`;
    const cur = calls.get(k);
    if (cur) cur.count += c.count;
    else calls.set(k, { ...c });
    callsByClient.set(c.clientId, (callsByClient.get(c.clientId) ?? 0) + c.count);
  }

  const sink: BatchingKeyUsage = {
    record(keyId, at, call) {
      addKey({ keyId, count: 1, lastUsedAt: at });
      if (call) addCall({ ...call, at, count: 1 });
    },
    pendingCalls: (clientId) => (callsByClient.get(clientId) ?? 0) + (inflightByClient.get(clientId) ?? 0),
    flush() {
      flushing = flushing.then(async () => {
        if (keys.size === 0 && calls.size === 0) return;
        const keyBatch = [...keys.values()];
        const callBatch = [...calls.values()];
        keys = new Map();
        calls = new Map();
        const pendingByClient = callsByClient;
        callsByClient = new Map();
        inflightByClient = pendingByClient;
        const deltas: UsageDelta[] = callBatch.flatMap((c) =>
          deltasFor({ accountId: c.accountId, id: c.clientId }, { metric: 'calls', amount: c.count, at: c.at, ...(c.dimension ? { dimension: c.dimension } : {}) }, c.at),
        );
        try {
          await store.transaction(async (tx) => {
            await tx.apiKeys.recordUses(keyBatch);
            await tx.usage.add(deltas, new Date());
          });
        } catch (err) {
          // Keep everything for the next flush.
          for (const u of keyBatch) addKey(u);
          for (const [k, v] of pendingByClient) callsByClient.set(k, (callsByClient.get(k) ?? 0) + v);
          for (const c of callBatch) {
            const k = `${c.clientId}\u0000${c.dimension ?? ''}\u0000${c.at.toISOString().slice(0, 7)}`;
            const cur = calls.get(k);
            if (cur) cur.count += c.count;
            else calls.set(k, c);
          }
          options.onError?.(err);
        } finally {
          inflightByClient = new Map();
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
