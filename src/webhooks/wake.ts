/** A wake-up call without payload: deliveries are due (see src/storage/sql-store.ts onDeliveriesDue). */
export interface WakeSignal {
  fire(): void;
  /** Calls `listener` on every fire until the returned function is called. */
  subscribe(listener: () => void): () => void;
}

export function createWakeSignal(): WakeSignal {
  const listeners = new Set<() => void>();
  return {
    fire() {
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
