/**
 * Batches key uses in memory and writes them in one statement per flush, so verification
 * costs no database write. `stop()` flushes what is pending (graceful shutdown loses nothing).
 */
import type { KeyUsageSink } from './context.js';
import type { KeyUse, Store } from './ports.js';

export interface BatchingKeyUsage extends KeyUsageSink {
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function createBatchingKeyUsage(store: Store, options: { flushIntervalMs?: number; onError?: (err: unknown) => void } = {}): BatchingKeyUsage {
  let pending = new Map<string, KeyUse>();
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void sink.flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  const sink: BatchingKeyUsage = {
    record(keyId, at) {
      const use = pending.get(keyId);
      if (use) {
        use.count += 1;
        if (at > use.lastUsedAt) use.lastUsedAt = at;
      } else {
        pending.set(keyId, { keyId, count: 1, lastUsedAt: at });
      }
    },
    flush() {
      flushing = flushing.then(async () => {
        if (pending.size === 0) return;
        const batch = [...pending.values()];
        pending = new Map();
        try {
          await store.apiKeys.recordUses(batch);
        } catch (err) {
          // Put the batch back so the next flush retries it.
          for (const u of batch) {
            const cur = pending.get(u.keyId);
            if (cur) {
              cur.count += u.count;
              if (u.lastUsedAt > cur.lastUsedAt) cur.lastUsedAt = u.lastUsedAt;
            } else pending.set(u.keyId, u);
          }
          options.onError?.(err);
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
