/**
 * The verification cache port. Hot-path reads (key by id, client by id, user by id) may be
 * served from memory; every committed change to a key, client or user invalidates them here and,
 * through the database's notification channel, on every other instance.
 */
import type { KeyWithClient, Store } from './ports.js';
import type { Account, ApiKey, Client, RateLimitOverride, User } from './types.js';

/** What changed: a key, a client (and so every key it owns), a user, an account's settings, or an account's rate-limit overrides (its id). */
export interface Change {
  keyId?: string;
  clientId?: string;
  userId?: string;
  accountId?: string;
  overrides?: string;
}

/** An account's rate-limit overrides by namespace, then identifier. */
export type OverrideIndex = ReadonlyMap<string, ReadonlyMap<string, RateLimitOverride>>;

export const INVALIDATION_CHANNEL = 'clientele_invalidate';

export interface VerificationCache {
  key(keyId: string, load: () => Promise<ApiKey | null>): Promise<ApiKey | null>;
  /**
   * A key and its client: from memory when both are cached, else `load` reads both at once
   * and both are cached (unless a change was announced meanwhile).
   */
  keyWithClient(keyId: string, load: () => Promise<KeyWithClient | null>): Promise<KeyWithClient | null>;
  client(accountId: string, clientId: string, load: () => Promise<Client | null>): Promise<Client | null>;
  user(accountId: string, userId: string, load: () => Promise<User | null>): Promise<User | null>;
  account(accountId: string, load: () => Promise<Account | null>): Promise<Account | null>;
  /**
   * The override of one identifier of a namespace: from the account's cached index (`loadAll`
   * fills it), or, without a cache, `loadOne`.
   */
  override(accountId: string, namespace: string, identifier: string, loadAll: () => Promise<OverrideIndex>, loadOne: () => Promise<RateLimitOverride | null>): Promise<RateLimitOverride | null>;
  /** The cached account, without loading. */
  peekAccount(accountId: string): Account | undefined;
  /** The cached key, without loading: undefined when it is not in the cache (or expired). */
  peekKey(keyId: string): ApiKey | undefined;
  /** The cached client of this account, without loading: undefined when not cached or of another account. */
  peekClient(accountId: string, clientId: string): Client | undefined;
  /** Forgets what a committed change touched (this instance). */
  invalidate(change: Change): void;
}

/** No caching: every read goes to the store. */
export const noCache: VerificationCache = {
  key: (_id, load) => load(),
  keyWithClient: (_id, load) => load(),
  client: (_a, _c, load) => load(),
  user: (_a, _u, load) => load(),
  account: (_a, load) => load(),
  override: (_a, _n, _i, _all, loadOne) => loadOne(),
  peekAccount: () => undefined,
  peekKey: () => undefined,
  peekClient: () => undefined,
  invalidate: () => undefined,
};

/**
 * Announces a change inside its transaction: the notification is delivered to the other
 * instances when (and only if) the transaction commits. Call `cache.invalidate` after the
 * commit for this instance.
 */
export async function announceChange(tx: Store, change: Change): Promise<void> {
  await tx.notify(INVALIDATION_CHANNEL, JSON.stringify(change));
}
