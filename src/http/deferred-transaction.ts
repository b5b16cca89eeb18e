/**
 * One store transaction, opened on first use and ended on demand: what lets a keyed create
 * (src/http/idempotency.ts) commit its claim, its work and its recorded response together
 * while the work's preparation (argon2id hashing, a webhook URL's DNS lookup, input checks)
 * runs before the transaction opens — holding no connection, and on the embedded engine's
 * single connection, not holding up every other request.
 */
import type { Store } from '../core/ports.js';

export interface DeferredTransaction {
  /**
   * A store of the base store's shape: its first call (of any method) opens the transaction
   * and runs `begin` in it; that call and every later one then run in the transaction.
   */
  readonly store: Store;
  /** The transaction's store, opening the transaction if no call has yet. */
  open(): Promise<Store>;
  /** Commits the transaction (nothing to do if it never opened); rejects if the commit fails. */
  commit(): Promise<void>;
  /** Rolls the transaction back (nothing to do if it never opened); never rejects. */
  rollback(): Promise<void>;
}

class RolledBack extends Error {}

/** A transaction over `base` that opens on the first call on `store`, starting with `begin`. */
export function deferTransaction(base: Store, begin: (tx: Store) => Promise<void>): DeferredTransaction {
  let opened: Promise<Store> | undefined;
  let ended: Promise<void> | undefined;
  let decide: (commit: boolean) => void = () => undefined;

  const open = (): Promise<Store> =>
    (opened ??= new Promise<Store>((resolve, reject) => {
      const decided = new Promise<boolean>((r) => (decide = r));
      // The transaction's callback holds it open until commit() or rollback() decides.
      ended = base.transaction(async (tx) => {
        await begin(tx);
        resolve(tx);
        if (!(await decided)) throw new RolledBack();
      });
      // BEGIN or `begin` failed: the call that opened (and every later one) sees that error.
      ended.catch(reject);
    }));

  return {
    store: deferredStore(base, open),
    open,
    async commit() {
      if (!opened) return;
      await opened;
      decide(true);
      await ended;
    },
    async rollback() {
      if (!opened) return;
      decide(false);
      await ended?.catch(() => undefined);
    },
  };
}

/** `base`'s methods (top level and one level of repositories), each running on `open()`'s store. */
function deferredStore(base: Store, open: () => Promise<Store>): Store {
  type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(base)) {
    if (typeof member === 'function') {
      out[name] = async (...args: unknown[]) => ((await open()) as unknown as Methods)[name]!(...args);
    } else if (member && typeof member === 'object') {
      const repo: Methods = {};
      for (const [method, fn] of Object.entries(member)) {
        if (typeof fn === 'function') repo[method] = async (...args: unknown[]) => ((await open()) as unknown as Record<string, Methods>)[name]![method]!(...args);
      }
      out[name] = repo;
    }
  }
  return out as unknown as Store;
}
