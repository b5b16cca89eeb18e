/**
 * Key verification: the hot path. Expected outcomes are values, not exceptions; a wrong
 * secret and an unknown key give the same answer, after the same work.
 */
import { KEY_ID_PATTERN, parseToken } from '../crypto/key-format.js';
import { hashSecret, verifySecret } from '../crypto/keyed-hash.js';
import type { CoreContext } from './context.js';
import type { ApiKey, Client, Principal } from './types.js';
import { ALL_TIME, limitFor } from './usage.js';
import { grants, requirePermission } from './permissions.js';
import { checkedLimits, verifyChecks, type CheckedLimit, type NamedLimit, type RateLimitOutcome } from './rate-limits.js';

type VerifyCode = 'VALID' | 'NOT_FOUND' | 'EXPIRED' | 'DISABLED' | 'CLIENT_INACTIVE' | 'USAGE_EXCEEDED' | 'RATE_LIMITED';

export type CredentialCheck = { code: 'VALID'; key: ApiKey; client?: Client } | { code: Exclude<VerifyCode, 'VALID' | 'USAGE_EXCEEDED' | 'RATE_LIMITED'>; key?: ApiKey };

const DUMMY_HASH = Buffer.alloc(32);

/** Checks a key id and secret against the store; does not record usage. A malformed key id is an unknown key. */
export async function checkCredential(ctx: CoreContext, keyId: string, secret: string): Promise<CredentialCheck> {
  const found = KEY_ID_PATTERN.test(keyId) ? await ctx.cache.keyWithClient(keyId, () => ctx.store.apiKeys.getWithClient(keyId)) : null;
  const key = found?.key ?? null;
  const outcome = judgeKey(ctx, key, secret);
  if (outcome || !key?.clientId) return outcome ?? { code: 'VALID', key: key! };
  return judgeClient(key, found!.client);
}

/**
 * checkCredential answered from the cache alone, without waiting: undefined when the key
 * (or its client) is not cached, and the caller must take the checkCredential path.
 */
function checkCachedCredential(ctx: CoreContext, keyId: string, secret: string): CredentialCheck | undefined {
  const key = ctx.cache.peekKey(keyId);
  if (!key) return undefined;
  const outcome = judgeKey(ctx, key, secret);
  if (outcome || !key.clientId) return outcome ?? { code: 'VALID', key };
  const client = ctx.cache.peekClient(key.accountId, key.clientId);
  return client ? judgeClient(key, client) : undefined;
}

/** The secret, enabled and expiry checks; undefined when they pass. */
function judgeKey(ctx: CoreContext, key: ApiKey | null, secret: string): CredentialCheck | undefined {
  if (!key) {
    verifySecret(ctx.pepper, secret, DUMMY_HASH); // same work as a wrong secret
    return { code: 'NOT_FOUND' };
  }
  const now = ctx.now();
  const current = verifySecret(ctx.pepper, secret, key.secretHash);
  const previous =
    key.previousSecretHash !== null && key.previousSecretExpiresAt !== null && key.previousSecretExpiresAt.getTime() > now.getTime() && verifySecret(ctx.pepper, secret, key.previousSecretHash);
  if (!current && !previous) return { code: 'NOT_FOUND' };
  if (!key.enabled) return { code: 'DISABLED', key };
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return { code: 'EXPIRED', key };
  return undefined;
}

/** The owning client's part of the check. */
function judgeClient(key: ApiKey, client: Client | null): CredentialCheck {
  if (!client) return { code: 'NOT_FOUND' };
  if (!client.isActive) return { code: 'CLIENT_INACTIVE', key };
  return { code: 'VALID', key, client };
}

/** The principal a valid key stands for. */
function principalForKey(key: ApiKey): Principal {
  const actor = { type: 'key' as const, id: key.keyId };
  return key.clientId
    ? { kind: 'client', accountId: key.accountId, clientId: key.clientId, actor, scopes: key.scopes }
    : { kind: 'account', accountId: key.accountId, actor, scopes: key.scopes, permissions: key.permissions };
}

/** Authenticates a request credential: a principal for a valid key, otherwise null. */
export async function authenticateKey(ctx: CoreContext, keyId: string, secret: string): Promise<Principal | null> {
  return principalOf(ctx, keyId, await checkCredential(ctx, keyId, secret));
}

/**
 * authenticateKey from the cache alone: the principal of a valid cached key; undefined when
 * the cache cannot tell or the credential is not valid (the caller then takes the full path,
 * which gives the refusal its usual form). The use is counted by `recordUse`, once the
 * request has been answered on this path.
 */
export function authenticateCachedKey(ctx: CoreContext, keyId: string, secret: string): { principal: Principal; recordUse: () => void } | undefined {
  const check = checkCachedCredential(ctx, keyId, secret);
  if (check?.code !== 'VALID') return undefined;
  return { principal: principalForKey(check.key), recordUse: () => ctx.keyUsage.record(keyId, ctx.now()) };
}

function principalOf(ctx: CoreContext, keyId: string, check: CredentialCheck): Principal | null {
  if (check.code !== 'VALID') return null;
  ctx.keyUsage.record(keyId, ctx.now());
  return principalForKey(check.key);
}

export interface VerifyInput {
  token?: string;
  keyId?: string;
  secret?: string;
  /** Dimension of the metered call (e.g. the domain being served). */
  dimension?: string;
  /** Limits to check besides the auto-applied ones, with their cost (default 1). */
  ratelimits?: NamedLimit[];
}

export interface VerifyOutcome {
  valid: boolean;
  code: VerifyCode;
  key?: ApiKey;
  /** Every limit checked (none unless the key is otherwise valid). */
  ratelimits: CheckedLimit[];
}

/**
 * `POST /v1/keys/verify`: an account verifies only its own keys (a client only its own
 * client's); anyone else's key is NOT_FOUND, exactly like a wrong secret.
 */
export async function verifyKey(ctx: CoreContext, principal: Principal, input: VerifyInput): Promise<VerifyOutcome> {
  requirePermission(principal, 'keys:verify');
  const parts = verifiedParts(input);
  if (!parts) {
    hashSecret(ctx.pepper, input.token ?? '');
    return { valid: false, code: 'NOT_FOUND', ratelimits: [] };
  }
  const check = await checkCredential(ctx, parts.keyId, parts.secret);
  if (check.code !== 'VALID' || !inScope(principal, check)) return verifyOutcome(ctx, principal, input, check, false);
  const client = check.client;
  if (client !== undefined && (await overCallLimit(ctx, client))) return verifyOutcome(ctx, principal, input, check, true);
  const account = await ctx.cache.account(check.key.accountId, () => ctx.store.accounts.get(check.key.accountId));
  const { names, checks } = verifyChecks(check.key, client, account, input.ratelimits);
  const limits = checks.length > 0 ? await ctx.rateLimiter.check(checks) : undefined;
  return verifyOutcome(ctx, principal, input, check, false, limits && { names, outcome: limits });
}

/**
 * verifyKey from the cache alone, without waiting: undefined when the cache cannot tell,
 * or when the answer needs the database (a client with a `calls` limit).
 */
export function verifyCachedKey(ctx: CoreContext, principal: Principal, input: VerifyInput): VerifyOutcome | undefined {
  if (principal.permissions && !grants(principal.permissions, 'keys:verify')) return undefined; // the route refuses it
  const parts = verifiedParts(input);
  const check = parts && checkCachedCredential(ctx, parts.keyId, parts.secret);
  if (!check) return undefined;
  if (check.code !== 'VALID' || !inScope(principal, check)) return verifyOutcome(ctx, principal, input, check, false);
  if (check.client && limitFor(check.client, 'calls', ALL_TIME) !== undefined) return undefined;
  const account = ctx.cache.peekAccount(check.key.accountId);
  if (!account) return undefined;
  const { names, checks } = verifyChecks(check.key, check.client, account, input.ratelimits);
  if (checks.length === 0) return verifyOutcome(ctx, principal, input, check, false);
  const outcome = ctx.rateLimiter.tryCheck(checks);
  return outcome && verifyOutcome(ctx, principal, input, check, false, { names, outcome });
}

function verifiedParts(input: VerifyInput): { keyId: string; secret: string } | null {
  if (input.token !== undefined) return parseToken(input.token);
  return input.keyId && input.secret !== undefined ? { keyId: input.keyId, secret: input.secret } : null;
}

/** Whether the checked key is one the principal may verify. */
function inScope(principal: Principal, check: CredentialCheck): boolean {
  const key = check.key;
  return !key || (key.accountId === principal.accountId && (principal.kind !== 'client' || key.clientId === principal.clientId));
}

/** The answer; `limits`: the rate limits checked and their outcome (a refusal is RATE_LIMITED and is not counted as a use). */
function verifyOutcome(ctx: CoreContext, principal: Principal, input: VerifyInput, check: CredentialCheck, overLimit: boolean, limits?: { names: string[]; outcome: RateLimitOutcome }): VerifyOutcome {
  const key = check.key;
  if (!inScope(principal, check)) return { valid: false, code: 'NOT_FOUND', ratelimits: [] };
  if (check.code !== 'VALID') return { valid: false, code: check.code, ...(key ? { key } : {}), ratelimits: [] };
  if (overLimit) return { valid: false, code: 'USAGE_EXCEEDED', key: check.key, ratelimits: [] };
  const ratelimits = limits ? checkedLimits(limits.names, limits.outcome.states) : [];
  if (limits && !limits.outcome.success) return { valid: false, code: 'RATE_LIMITED', key: check.key, ratelimits };
  const client = check.client;
  ctx.keyUsage.record(check.key.keyId, ctx.now(), client ? { accountId: client.accountId, clientId: client.id, ...(input.dimension ? { dimension: input.dimension } : {}) } : undefined);
  return { valid: true, code: 'VALID', key: check.key, ratelimits };
}

/** Whether the client has used up its `calls` limit (counted calls plus those not yet flushed). */
async function overCallLimit(ctx: CoreContext, client: Client): Promise<boolean> {
  const limit = limitFor(client, 'calls', ALL_TIME);
  if (limit === undefined) return false;
  const rows = await ctx.store.usage.list(client.accountId, [client.id], [ALL_TIME], 'calls');
  const counted = rows.find((r) => r.dimension === '')?.value ?? 0;
  return counted + ctx.keyUsage.pendingCalls(client.id) >= limit;
}
