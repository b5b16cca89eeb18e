/**
 * In-process verification cache: bounded (oldest entry evicted first — entries live for a
 * short TTL anyway, so re-ordering on every hit would cost more than it saves), one load at
 * a time per entry. A load that raced with an invalidation is not kept. When the
 * invalidation feed is down the cache switches itself off (every read goes to the store)
 * so it can never serve entries another instance has revoked.
 */
import type { Change, VerificationCache } from '../core/cache.js';
import type { KeyWithClient } from '../core/ports.js';
import type { Account, ApiKey, Client } from '../core/types.js';

export interface MemoryCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

export interface MemoryCache extends VerificationCache {
  /** Turns caching on or off; turning it off (or on) drops everything. */
  setEnabled(enabled: boolean): void;
  clear(): void;
  readonly size: number;
  /** False while switched off (the invalidation feed is down). */
  readonly enabled: boolean;
  readonly stats: { hits: number; misses: number };
}

interface Entry {
  value: { accountId: string };
  expires: number;
}

interface Wrapped<T> {
  accountId: string;
  value: T;
}

function wrap<T>(accountId: string, value: T | null): Wrapped<T> | null {
  return value === null ? null : { accountId, value };
}

export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  const maxEntries = options.maxEntries ?? 50_000;
  const ttlMs = options.ttlMs ?? 15_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<unknown>>();
  let generation = 0;
  let enabled = true;
  const stats = { hits: 0, misses: 0 };

  /** The live (enabled, unexpired) cached value, if any. */
  function fresh(id: string): { accountId: string } | undefined {
    const hit = enabled ? entries.get(id) : undefined;
    return hit && hit.expires > now() ? hit.value : undefined;
  }

  function put(id: string, value: { accountId: string }): void {
    entries.delete(id);
    entries.set(id, { value, expires: now() + ttlMs });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  }

  /**
   * One load per id at a time; what it returns is kept (by `keep`) only if no change was
   * announced while it ran — the generation counts every invalidation.
   */
  function load<T>(id: string, loader: () => Promise<T>, keep: (v: T) => void): Promise<T> {
    let pending = inflight.get(id) as Promise<T> | undefined;
    if (!pending) {
      const startedAt = generation;
      pending = loader().then((v) => {
        if (enabled && startedAt === generation) keep(v);
        return v;
      });
      inflight.set(id, pending);
      void pending.finally(() => inflight.delete(id)).catch(() => undefined);
    }
    return pending;
  }

  async function read<T extends { accountId: string }>(id: string, accountId: string | undefined, loader: () => Promise<T | null>): Promise<T | null> {
    if (!enabled) return loader();
    const cached = fresh(id) as T | undefined;
    if (cached) {
      stats.hits++;
      return accountId === undefined || cached.accountId === accountId ? cached : null;
    }
    stats.misses++;
    const v = await load(id, loader, (found) => found && put(id, found));
    return v && (accountId === undefined || v.accountId === accountId) ? v : null;
  }

  async function keyWithClient(keyId: string, loader: () => Promise<KeyWithClient | null>): Promise<KeyWithClient | null> {
    if (!enabled) return loader();
    const key = fresh(`k:${keyId}`) as ApiKey | undefined;
    const client = key?.clientId ? (fresh(`c:${key.clientId}`) as Client | undefined) : null;
    if (key && client !== undefined && (client === null || client.accountId === key.accountId)) {
      stats.hits++;
      return { key, client };
    }
    stats.misses++;
    return load(`kc:${keyId}`, loader, (found) => {
      if (!found) return;
      put(`k:${keyId}`, found.key);
      if (found.client) put(`c:${found.client.id}`, found.client);
    });
  }

  function peek<T extends { accountId: string }>(id: string, accountId: string | undefined): T | undefined {
    const v = fresh(id) as T | undefined;
    if (!v || (accountId !== undefined && v.accountId !== accountId)) return undefined;
    stats.hits++;
    return v;
  }

  return {
    key: (keyId, loader) => read(`k:${keyId}`, undefined, loader),
    keyWithClient,
    peekKey: (keyId) => peek(`k:${keyId}`, undefined),
    peekClient: (accountId, clientId) => peek(`c:${clientId}`, accountId),
    client: (accountId, clientId, loader) => read(`c:${clientId}`, accountId, loader),
    user: (accountId, userId, loader) => read(`u:${userId}`, accountId, loader),
    // Accounts and override maps are held in an envelope that names their account.
    account: async (accountId, loader) => (await read(`a:${accountId}`, accountId, async () => wrap(accountId, await loader())))?.value ?? null,
    peekAccount: (accountId) => peek<Wrapped<Account>>(`a:${accountId}`, accountId)?.value,
    override: async (accountId, namespace, identifier, loadAll) =>
      (await read(`o:${accountId}`, accountId, async () => wrap(accountId, await loadAll())))!.value.get(namespace)?.get(identifier) ?? null,
    invalidate(change: Change) {
      generation++;
      if (change.keyId) entries.delete(`k:${change.keyId}`);
      if (change.clientId) entries.delete(`c:${change.clientId}`);
      if (change.userId) entries.delete(`u:${change.userId}`);
      if (change.accountId) entries.delete(`a:${change.accountId}`);
      if (change.overrides) entries.delete(`o:${change.overrides}`);
    },
    setEnabled(on) {
      generation++;
      entries.clear();
      enabled = on;
    },
    clear() {
      generation++;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
    get enabled() {
      return enabled;
    },
    stats,
  };
}
