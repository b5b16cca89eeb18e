/**
 * Key verification: the hot path. Expected outcomes are values, not exceptions; a wrong
 * secret and an unknown key give the same answer, after the same work.
 */
import { KEY_ID_PATTERN, parseToken } from '../crypto/key-format.js';
import { hashSecret, verifySecret } from '../crypto/keyed-hash.js';
import type { CoreContext } from './context.js';
import type { ApiKey, Client, Principal } from './types.js';
import { ALL_TIME, limitFor } from './usage.js';

export type VerifyCode = 'VALID' | 'NOT_FOUND' | 'EXPIRED' | 'DISABLED' | 'CLIENT_INACTIVE' | 'USAGE_EXCEEDED';

export type CredentialCheck =
  | { code: 'VALID'; key: ApiKey; client?: Client }
  | { code: Exclude<VerifyCode, 'VALID' | 'USAGE_EXCEEDED'>; key?: ApiKey };

const DUMMY_HASH = Buffer.alloc(32);

/** Checks a key id and secret against the store; does not record usage. A malformed key id is an unknown key. */
export async function checkCredential(ctx: CoreContext, keyId: string, secret: string): Promise<CredentialCheck> {
  const key = KEY_ID_PATTERN.test(keyId) ? await ctx.cache.key(keyId, () => ctx.store.apiKeys.get(keyId)) : null;
  if (!key) {
    verifySecret(ctx.pepper, secret, DUMMY_HASH); // same work as a wrong secret
    return { code: 'NOT_FOUND' };
  }
  const now = ctx.now();
  const current = verifySecret(ctx.pepper, secret, key.secretHash);
  const previous =
    key.previousSecretHash !== null &&
    key.previousSecretExpiresAt !== null &&
    key.previousSecretExpiresAt.getTime() > now.getTime() &&
    verifySecret(ctx.pepper, secret, key.previousSecretHash);
  if (!current && !previous) return { code: 'NOT_FOUND' };
  if (!key.enabled) return { code: 'DISABLED', key };
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return { code: 'EXPIRED', key };
  if (key.clientId) {
    const clientId = key.clientId;
    const client = await ctx.cache.client(key.accountId, clientId, () => ctx.store.clients.get(key.accountId, clientId));
    if (!client) return { code: 'NOT_FOUND' };
    if (!client.isActive) return { code: 'CLIENT_INACTIVE', key };
    return { code: 'VALID', key, client };
  }
  return { code: 'VALID', key };
}

/** The principal a valid key stands for. */
export function principalForKey(key: ApiKey): Principal {
  const actor = { type: 'key' as const, id: key.keyId };
  return key.clientId
    ? { kind: 'client', accountId: key.accountId, clientId: key.clientId, actor, scopes: key.scopes }
    : { kind: 'account', accountId: key.accountId, actor, scopes: key.scopes };
}

/** Authenticates a request credential: a principal for a valid key, otherwise null. */
export async function authenticateKey(ctx: CoreContext, keyId: string, secret: string): Promise<Principal | null> {
  const check = await checkCredential(ctx, keyId, secret);
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
}

export interface VerifyOutcome {
  valid: boolean;
  code: VerifyCode;
  key?: ApiKey;
}

/**
 * `POST /v1/keys/verify`: an account verifies only its own keys (a client only its own
 * client's); anyone else's key is NOT_FOUND, exactly like a wrong secret.
 */
export async function verifyKey(ctx: CoreContext, principal: Principal, input: VerifyInput): Promise<VerifyOutcome> {
  const parts = input.token !== undefined ? parseToken(input.token) : input.keyId && input.secret !== undefined ? { keyId: input.keyId, secret: input.secret } : null;
  if (!parts) {
    hashSecret(ctx.pepper, input.token ?? '');
    return { valid: false, code: 'NOT_FOUND' };
  }
  const check = await checkCredential(ctx, parts.keyId, parts.secret);
  const key = check.key;
  if (key && (key.accountId !== principal.accountId || (principal.kind === 'client' && key.clientId !== principal.clientId)))
    return { valid: false, code: 'NOT_FOUND' };
  if (check.code !== 'VALID') return { valid: false, code: check.code, ...(key ? { key } : {}) };
  const client = check.client;
  if (client && (await overCallLimit(ctx, client))) return { valid: false, code: 'USAGE_EXCEEDED', key: check.key };
  ctx.keyUsage.record(check.key.keyId, ctx.now(), client ? { accountId: client.accountId, clientId: client.id, ...(input.dimension ? { dimension: input.dimension } : {}) } : undefined);
  return { valid: true, code: 'VALID', key: check.key };
}

/** Whether the client has used up its `calls` limit (counted calls plus those not yet flushed). */
async function overCallLimit(ctx: CoreContext, client: Client): Promise<boolean> {
  const limit = limitFor(client, 'calls', ALL_TIME);
  if (limit === undefined) return false;
  const rows = await ctx.store.usage.list(client.accountId, [client.id], [ALL_TIME], 'calls');
  const counted = rows.find((r) => r.dimension === '')?.value ?? 0;
  return counted + ctx.keyUsage.pendingCalls(client.id) >= limit;
}
