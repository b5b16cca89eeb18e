/**
 * API keys, owned by an account (clientId null) or by one client. Rules: at most one
 * primary key per owner; an owner's first key becomes primary; making another key primary
 * demotes the old one; a primary key can be neither deleted nor demoted directly.
 * The secret is returned once, by create and reset; only its keyed hash is stored.
 *
 * Least privilege (permissions.ts): an account key carries permissions — by default its
 * creator's — and a caller manages (creates, changes, resets, deletes) only keys with no
 * more power than its own; a client's key carries the power of a client credential.
 */
import { formatToken, generateKeyId, generateSecret, KEY_ID_PATTERN, secretHint } from '../crypto/key-format.js';
import { hashSecret } from '../crypto/keyed-hash.js';
import { loadClientFor, requireAccountPrincipal } from './access.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { CLIENT_CREDENTIAL_POWER, parsePermissions, requireHolds, requirePermission } from './permissions.js';
import { announceChange } from './cache.js';
import { recordEvent } from './events.js';
import { decodeCursor, pageOf } from './pagination.js';
import { checkRateLimitSpecs, type RateLimitSpecInput } from './rate-limits.js';
import { PrimaryConflict, type KeyPatch, type Store } from './ports.js';
import type { ApiKey, Page, Principal } from './types.js';

export interface KeyInput {
  clientId?: string | null;
  name?: string | null;
  isPrimary?: boolean;
  expiresAt?: Date | null;
  scopes?: string[];
  /** Account keys only; default: the creator's own permissions. */
  permissions?: string[];
  ratelimits?: RateLimitSpecInput[];
}

export interface KeyUpdate {
  name?: string | null;
  isPrimary?: boolean;
  enabled?: boolean;
  expiresAt?: Date | null;
  scopes?: string[];
  /** Account keys only. */
  permissions?: string[];
  ratelimits?: RateLimitSpecInput[];
}

/** The only shape that ever carries a secret: create and reset results. */
export interface IssuedKey {
  key: ApiKey;
  secret: string;
  token: string;
}

export interface KeyQuery {
  limit: number;
  cursor?: string;
  clientId?: string;
  /** `account`: account-level keys only; `client`: client-owned keys (with clientId, that client's). */
  owner?: 'account' | 'client';
}

/** `account`: the key must be one of the account's own (a client's key is then not found), for surfaces that manage only those. */
export type KeyOwner = 'account';

/** Longest grace period a reset may leave the old secret working. */
const MAX_GRACE_SECONDS = 7 * 24 * 3600;

/** Key fields safe for events (never the hash). */
export function keySnapshot(k: ApiKey) {
  return {
    keyId: k.keyId,
    name: k.name,
    clientId: k.clientId,
    isPrimary: k.isPrimary,
    enabled: k.enabled,
    scopes: k.scopes,
    permissions: k.permissions,
    expiresAt: k.expiresAt?.toISOString() ?? null,
  };
}

/** Rate limits are the account's to set: a key's own would win over its client's, so a client may not set them. */
function refuseClientRateLimits(principal: Principal, ratelimits: unknown): void {
  if (principal.kind === 'client' && ratelimits !== undefined) throw new AppError('FORBIDDEN', 'A client credential may not set rate limits');
}

/** The power a key hands to whoever holds it: its permissions, or a client credential's. */
function powerOf(key: Pick<ApiKey, 'clientId' | 'permissions'>): readonly string[] {
  return key.clientId === null ? key.permissions : CLIENT_CREDENTIAL_POWER;
}

/** The permissions a new or changed key gets; refused on a client's key, and beyond the caller's. */
function keyPermissions(principal: Principal, clientId: string | null, requested: string[] | undefined): string[] {
  if (clientId !== null) {
    if (requested !== undefined && requested.length > 0) throw invalidField('body.permissions', "is for account keys: a client's key acts on its own client only");
    return [];
  }
  if (requested === undefined) return [...(principal.permissions ?? [])];
  return parsePermissions(requested, 'body.permissions');
}

/** Resolves which owner a principal addresses; client principals own only their client. */
async function resolveOwner(store: Store, principal: Principal, clientId: string | null | undefined): Promise<string | null> {
  if (principal.kind === 'client') {
    if (clientId != null && clientId !== principal.clientId) {
      await loadClientFor(store, principal, clientId); // 404 outside the account, else 403
    }
    return principal.clientId;
  }
  if (clientId == null) return null;
  await loadClientFor(store, principal, clientId);
  return clientId;
}

/**
 * Loads a key the principal may manage: another account's key is not found, another
 * owner's forbidden, one with more power than the caller's refused (changing or resetting
 * it — and so obtaining its secret — would hand that power over).
 */
async function loadKeyFor(tx: Store, principal: Principal, keyId: string, owner?: KeyOwner): Promise<ApiKey> {
  const key = await tx.apiKeys.getForUpdate(principal.accountId, keyId);
  if (!key || (owner === 'account' && key.clientId !== null)) throw new AppError('KEY_NOT_FOUND');
  forbidOtherOwner(principal, key);
  requireHolds(principal, powerOf(key));
  return key;
}

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

/** docs/design.md §3: inside its account, a client principal naming another owner's key gets 403. */
function forbidOtherOwner(principal: Principal, key: ApiKey): void {
  if (principal.kind === 'client' && key.clientId !== principal.clientId) throw new AppError('FORBIDDEN', "A client credential may act only on its own client's keys");
}

function checkExpiry(expiresAt: Date | null | undefined, now: Date): void {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw invalidField('body.expiresAt', 'must be in the future');
}

export async function createKey(ctx: CoreContext, principal: Principal, input: KeyInput): Promise<IssuedKey> {
  requirePermission(principal, 'keys:write');
  refuseClientRateLimits(principal, input.ratelimits);
  const now = ctx.now();
  checkExpiry(input.expiresAt, now);
  const secret = generateSecret();
  const keyId = generateKeyId();
  return retryOnPrimaryRace(() =>
    ctx.store.transaction(async (tx) => {
      const clientId = await resolveOwner(tx, principal, input.clientId);
      const permissions = keyPermissions(principal, clientId, input.permissions);
      requireHolds(principal, powerOf({ clientId, permissions }));
      const current = await tx.apiKeys.findPrimaryForUpdate(principal.accountId, clientId);
      const isPrimary = !current || input.isPrimary === true;
      if (current && isPrimary) await tx.apiKeys.update(principal.accountId, current.keyId, { isPrimary: false }, now);
      const key: ApiKey = {
        keyId,
        accountId: principal.accountId,
        clientId,
        name: input.name ?? null,
        isPrimary,
        enabled: true,
        scopes: input.scopes ?? [],
        permissions,
        ratelimits: checkRateLimitSpecs(input.ratelimits ?? [], 'body.ratelimits'),
        secretHash: hashSecret(ctx.pepper, secret),
        secretHint: secretHint(secret),
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        expiresAt: input.expiresAt ?? null,
        lastUsedAt: null,
        useCount: 0,
        createdAt: now,
        updatedAt: now,
      };
      await tx.apiKeys.insert(key);
      await recordEvent(tx, { accountId: key.accountId, clientId, type: 'key.created', actor: principal.actor, data: { key: keySnapshot(key) } }, now);
      return { key, secret, token: formatToken(keyId, secret) };
    }),
  );
}

/**
 * Two concurrent changes for one owner can both find "no primary yet"; the unique index
 * lets one win and the loser's transaction rolls back. Running it again sees the winner.
 */
async function retryOnPrimaryRace<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof PrimaryConflict)) throw err;
      if (attempt >= 5) throw new AppError('CONFLICT', 'Concurrent key changes for this owner; retry');
    }
  }
}

export async function getKey(ctx: CoreContext, principal: Principal, keyId: string): Promise<ApiKey> {
  requirePermission(principal, 'keys:read');
  const key = await ctx.store.apiKeys.get(keyId);
  if (!key || key.accountId !== principal.accountId) throw new AppError('KEY_NOT_FOUND');
  forbidOtherOwner(principal, key);
  return key;
}

/** One of the account's own keys (not a client's) by id, for account principals; KEY_NOT_FOUND otherwise. */
export async function getAccountKey(ctx: CoreContext, principal: Principal, keyId: string): Promise<ApiKey> {
  requireAccountPrincipal(principal);
  const key = await getKey(ctx, principal, keyId);
  if (key.clientId !== null) throw new AppError('KEY_NOT_FOUND');
  return key;
}

/**
 * The caller proves it may administer the account's keys by naming the account's primary key
 * (Inteliquent's `primaryPrivateKey`): NOT_PRIMARY_KEY unless `keyId` is that key. A key id
 * is not a secret; the caller is already authenticated.
 */
export async function requirePrimaryKeyId(ctx: CoreContext, principal: Principal, keyId: string): Promise<void> {
  requireAccountPrincipal(principal);
  const key = await ctx.store.apiKeys.get(keyId);
  if (!key || key.accountId !== principal.accountId || key.clientId !== null || !key.isPrimary) throw new AppError('NOT_PRIMARY_KEY');
}

/** Every key of the account's own (not its clients'), oldest first: for surfaces without pagination. */
export async function listAllAccountKeys(ctx: CoreContext, principal: Principal): Promise<ApiKey[]> {
  requireAccountPrincipal(principal);
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await listKeys(ctx, principal, { limit: 100, owner: 'account', ...(cursor ? { cursor } : {}) });
    keys.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}

export async function listKeys(ctx: CoreContext, principal: Principal, query: KeyQuery): Promise<Page<ApiKey>> {
  requirePermission(principal, 'keys:read');
  const after = decodeCursor(query.cursor, (k) => KEY_ID_PATTERN.test(k));
  let clientId: string | null | undefined;
  if (principal.kind === 'client') clientId = await resolveOwner(ctx.store, principal, query.clientId);
  else if (query.clientId) clientId = await resolveOwner(ctx.store, principal, query.clientId);
  else if (query.owner === 'account') clientId = null;
  const rows = await ctx.store.apiKeys.list(principal.accountId, {
    limit: query.limit + 1,
    ...(after ? { afterKeyId: after } : {}),
    ...(clientId !== undefined ? { clientId } : query.owner === 'client' ? { clientOwned: true } : {}),
  });
  return pageOf(rows, query.limit, (k) => k.keyId);
}

export async function updateKey(ctx: CoreContext, principal: Principal, keyId: string, input: KeyUpdate, owner?: KeyOwner): Promise<ApiKey> {
  requirePermission(principal, 'keys:write');
  refuseClientRateLimits(principal, input.ratelimits);
  const now = ctx.now();
  checkExpiry(input.expiresAt, now);
  let changed = false;
  const updated = await retryOnPrimaryRace(() =>
    ctx.store.transaction(async (tx) => {
      const key = await loadKeyFor(tx, principal, keyId, owner);
      const permissions = input.permissions === undefined ? undefined : keyPermissions(principal, key.clientId, input.permissions);
      if (permissions !== undefined) requireHolds(principal, powerOf({ clientId: key.clientId, permissions }));
      if (key.isPrimary && input.isPrimary === false) throw new AppError('PRIMARY_KEY_PROTECTED', 'Make another key primary instead of demoting the primary key');
      const patch: KeyPatch = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.enabled !== undefined) patch.enabled = input.enabled;
      if (input.expiresAt !== undefined) patch.expiresAt = input.expiresAt;
      if (input.scopes !== undefined) patch.scopes = input.scopes;
      if (input.ratelimits !== undefined) patch.ratelimits = checkRateLimitSpecs(input.ratelimits, 'body.ratelimits');
      if (permissions !== undefined && !samePermissions(permissions, key.permissions)) patch.permissions = permissions;
      if (input.isPrimary === true && !key.isPrimary) {
        const current = await tx.apiKeys.findPrimaryForUpdate(principal.accountId, key.clientId);
        if (current) await tx.apiKeys.update(principal.accountId, current.keyId, { isPrimary: false }, now);
        patch.isPrimary = true;
      }
      const changes = Object.keys(patch);
      if (changes.length === 0) return key;
      const after = await tx.apiKeys.update(principal.accountId, keyId, patch, now);
      if (!after) throw new AppError('KEY_NOT_FOUND');
      changed = true;
      await announceChange(tx, { keyId });
      await recordEvent(tx, { accountId: after.accountId, clientId: after.clientId, type: 'key.updated', actor: principal.actor, data: { changes, key: keySnapshot(after) } }, now);
      return after;
    }),
  );
  if (changed) ctx.cache.invalidate({ keyId });
  return updated;
}

/** Issues a new secret; the old one keeps working for `gracePeriodSeconds` (default 0). */
export async function resetKey(ctx: CoreContext, principal: Principal, keyId: string, gracePeriodSeconds = 0, owner?: KeyOwner): Promise<IssuedKey> {
  requirePermission(principal, 'keys:write');
  if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 0 || gracePeriodSeconds > MAX_GRACE_SECONDS)
    throw invalidField('body.gracePeriodSeconds', `must be an integer from 0 to ${MAX_GRACE_SECONDS}`);
  const now = ctx.now();
  const secret = generateSecret();
  const issued = await ctx.store.transaction(async (tx) => {
    const key = await loadKeyFor(tx, principal, keyId, owner);
    const grace = gracePeriodSeconds > 0;
    const after = await tx.apiKeys.update(
      principal.accountId,
      keyId,
      {
        secretHash: hashSecret(ctx.pepper, secret),
        secretHint: secretHint(secret),
        previousSecretHash: grace ? key.secretHash : null,
        previousSecretExpiresAt: grace ? new Date(now.getTime() + gracePeriodSeconds * 1000) : null,
      },
      now,
    );
    if (!after) throw new AppError('KEY_NOT_FOUND');
    await announceChange(tx, { keyId });
    await recordEvent(tx, { accountId: after.accountId, clientId: after.clientId, type: 'key.reset', actor: principal.actor, data: { key: keySnapshot(after), gracePeriodSeconds } }, now);
    return { key: after, secret, token: formatToken(keyId, secret) };
  });
  ctx.cache.invalidate({ keyId });
  return issued;
}

export async function deleteKey(ctx: CoreContext, principal: Principal, keyId: string, owner?: KeyOwner): Promise<void> {
  requirePermission(principal, 'keys:write');
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    const key = await loadKeyFor(tx, principal, keyId, owner);
    if (key.isPrimary) throw new AppError('PRIMARY_KEY_PROTECTED', 'Make another key primary before deleting this one');
    await tx.apiKeys.delete(principal.accountId, keyId);
    await announceChange(tx, { keyId });
    await recordEvent(tx, { accountId: key.accountId, clientId: key.clientId, type: 'key.deleted', actor: principal.actor, data: { key: keySnapshot(key) } }, now);
  });
  ctx.cache.invalidate({ keyId });
}
