/**
 * Clientele-issued tokens: the OAuth 2.0 client-credentials grant, the FactPulse-style
 * password login with refresh, and turning a verified access token back into a principal.
 * Every token is re-checked against current state, so deleting a key or deactivating a
 * client stops its tokens at once.
 */
import { KEY_ID_PATTERN } from '../crypto/key-format.js';
import { verifyDummy, verifyPassword } from '../crypto/passwords.js';
import type { VerifiedClaims } from '../crypto/jwt.js';
import { isUuid } from '../crypto/random.js';
import type { CoreContext } from './context.js';
import type { TokenService } from './signing-keys.js';
import type { Actor, Principal } from './types.js';
import { checkCredential } from './verification.js';

export interface TokenSettings {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface AuthContext extends CoreContext {
  tokens: TokenService;
  tokenSettings: TokenSettings;
}

/** A resolved identity before it is narrowed to one client. */
interface Subject {
  accountId: string;
  actor: Actor;
  /** Set when the credential itself belongs to one client. */
  clientId?: string;
  scopes?: string[];
}

function subjectClaim(actor: Actor): string {
  return `${actor.type}:${actor.id}`;
}

function parseSubject(sub: string): Actor | null {
  const i = sub.indexOf(':');
  const type = sub.slice(0, i);
  const id = sub.slice(i + 1);
  if ((type === 'user' || type === 'key' || type === 'client') && id) return { type, id };
  return null;
}

/** Re-validates the subject a token names against the store. */
async function loadSubject(ctx: CoreContext, accountId: string, actor: Actor): Promise<Subject | null> {
  if (actor.type === 'user') {
    if (!isUuid(actor.id)) return null;
    return (await ctx.cache.user(accountId, actor.id, () => ctx.store.users.get(accountId, actor.id))) ? { accountId, actor } : null;
  }
  if (actor.type === 'client') {
    if (!isUuid(actor.id)) return null;
    const client = await ctx.cache.client(accountId, actor.id, () => ctx.store.clients.get(accountId, actor.id));
    return client?.isActive ? { accountId, actor, clientId: client.id } : null;
  }
  if (actor.type !== 'key') return null;
  const key = KEY_ID_PATTERN.test(actor.id) ? await ctx.cache.key(actor.id, () => ctx.store.apiKeys.get(actor.id)) : null;
  if (!key || key.accountId !== accountId || !key.enabled) return null;
  if (key.expiresAt && key.expiresAt.getTime() <= ctx.now().getTime()) return null;
  return { accountId, actor, scopes: key.scopes, ...(key.clientId ? { clientId: key.clientId } : {}) };
}

/** Narrows a subject to a principal, optionally scoped to `clientUid`; null when not allowed. */
async function scope(ctx: CoreContext, subject: Subject, clientUid: string | undefined): Promise<Principal | null> {
  const clientId = subject.clientId ?? clientUid;
  if (subject.clientId && clientUid && clientUid !== subject.clientId) return null;
  const base = { accountId: subject.accountId, actor: subject.actor, ...(subject.scopes ? { scopes: subject.scopes } : {}) };
  if (!clientId) return { kind: 'account', ...base };
  if (!isUuid(clientId)) return null;
  const client = await ctx.cache.client(subject.accountId, clientId, () => ctx.store.clients.get(subject.accountId, clientId));
  if (!client || !client.isActive) return null;
  return { kind: 'client', ...base, clientId };
}

/** The principal of a Clientele access token, or null. */
export async function authenticateAccessToken(ctx: AuthContext, token: string): Promise<Principal | null> {
  const claims = await ctx.tokens.verify(token);
  if (!claims || claims.typ !== 'access') return null;
  return principalFromClaims(ctx, claims);
}

async function principalFromClaims(ctx: CoreContext, claims: VerifiedClaims): Promise<Principal | null> {
  const actor = parseSubject(claims.sub);
  if (!actor || !isUuid(claims.acc)) return null;
  const subject = await loadSubject(ctx, claims.acc, actor);
  return subject ? scope(ctx, subject, claims.client_uid) : null;
}

async function issueAccess(ctx: AuthContext, p: Principal) {
  return ctx.tokens.sign(
    { sub: subjectClaim(p.actor), acc: p.accountId, typ: 'access', ...(p.kind === 'client' ? { client_uid: p.clientId } : {}) },
    ctx.tokenSettings.accessTtlSeconds,
  );
}

/** RFC 6749 §4.4: key id + secret → access token. Null when the credential is not valid. */
export async function grantClientCredentials(ctx: AuthContext, keyId: string, secret: string) {
  const check = await checkCredential(ctx, keyId, secret);
  if (check.code !== 'VALID') return null;
  ctx.keyUsage.record(keyId, ctx.now());
  const key = check.key;
  const principal = await scope(ctx, { accountId: key.accountId, actor: { type: 'key', id: key.keyId }, scopes: key.scopes, ...(key.clientId ? { clientId: key.clientId } : {}) }, undefined);
  if (!principal) return null;
  const access = await issueAccess(ctx, principal);
  return { accessToken: access.token, expiresIn: ctx.tokenSettings.accessTtlSeconds, scope: key.scopes.join(' ') };
}

export interface PasswordLogin {
  username: string;
  password: string;
  clientUid?: string;
}

/**
 * `POST /api/token/`: an account user's e-mail and password (optionally scoped to one of
 * its clients), a client's own username and password (with `clientUid`), or a key id and
 * its secret. Returns null for every failure alike.
 */
export async function loginWithPassword(ctx: AuthContext, login: PasswordLogin): Promise<{ access: string; refresh: string } | null> {
  const subject = await resolveLogin(ctx, login);
  if (!subject) return null;
  const principal = await scope(ctx, subject, login.clientUid);
  if (!principal) return null;
  const access = await issueAccess(ctx, principal);
  const refresh = await ctx.tokens.sign(
    { sub: subjectClaim(principal.actor), acc: principal.accountId, typ: 'refresh', ...(principal.kind === 'client' ? { client_uid: principal.clientId } : {}) },
    ctx.tokenSettings.refreshTtlSeconds,
  );
  return { access: access.token, refresh: refresh.token };
}

async function resolveLogin(ctx: CoreContext, login: PasswordLogin): Promise<Subject | null> {
  if (KEY_ID_PATTERN.test(login.username)) {
    const check = await checkCredential(ctx, login.username, login.password);
    if (check.code !== 'VALID') return null;
    const k = check.key;
    return { accountId: k.accountId, actor: { type: 'key', id: k.keyId }, scopes: k.scopes, ...(k.clientId ? { clientId: k.clientId } : {}) };
  }
  const user = await ctx.store.users.findByEmail(login.username);
  if (user) {
    return (await verifyPassword(login.password, user.passwordHash)) ? { accountId: user.accountId, actor: { type: 'user', id: user.id } } : null;
  }
  if (login.clientUid && isUuid(login.clientUid)) {
    const client = await ctx.store.clients.getById(login.clientUid);
    if (client?.passwordHash && client.username?.toLowerCase() === login.username.toLowerCase()) {
      if (!(await verifyPassword(login.password, client.passwordHash))) return null;
      return { accountId: client.accountId, actor: { type: 'client', id: client.id }, clientId: client.id };
    }
  }
  await verifyDummy(login.password); // same cost as a wrong password: no user enumeration by timing
  return null;
}

/** `POST /api/token/refresh/`: a new access token for a still-valid subject. */
export async function refreshAccess(ctx: AuthContext, refreshToken: string): Promise<{ access: string } | null> {
  const claims = await ctx.tokens.verify(refreshToken);
  if (!claims || claims.typ !== 'refresh') return null;
  const principal = await principalFromClaims(ctx, claims);
  if (!principal) return null;
  return { access: (await issueAccess(ctx, principal)).token };
}
