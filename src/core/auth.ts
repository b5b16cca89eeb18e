/**
 * Clientele-issued tokens: the OAuth 2.0 client-credentials grant, the FactPulse-style
 * password login with refresh, and turning a verified access token back into a principal.
 * Every token is re-checked against current state, so deleting a key or deactivating a
 * client stops its tokens at once. A token minted from an API key also carries the binding
 * of the very secret it was minted from (`key_fp`), and lives only as long as that secret is
 * accepted: a reset without grace stops it at once, a reset with grace when the grace ends.
 */
import { KEY_ID_PATTERN } from '../crypto/key-format.js';
import { verifySecret } from '../crypto/keyed-hash.js';
import { verifyDummy, verifyPassword } from '../crypto/passwords.js';
import { keySecretBinding, type VerifiedClaims } from '../crypto/jwt.js';
import { isUuid } from '../crypto/random.js';
import type { CoreContext } from './context.js';
import { effectivePermissions } from './users.js';
import { checkSecondFactor } from './two-factor.js';
import type { TokenService } from './signing-keys.js';
import type { Actor, ApiKey, Principal, User } from './types.js';
import { checkCredential } from './verification.js';
import { loginSubject, throttledSignIn } from './throttle.js';

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
  /** An account credential's permissions (permissions.ts); absent for a client's own credential. */
  permissions?: readonly string[];
  /** For a key: the binding of the secret the credential was (or the token was minted) from. */
  keyFp?: string;
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

/** The binding of the key secret a valid credential presented: the current one or, in its grace period, the previous one. */
function bindingOf(ctx: CoreContext, key: ApiKey, secret: string): string {
  const hash = verifySecret(ctx.pepper, secret, key.secretHash) || key.previousSecretHash === null ? key.secretHash : key.previousSecretHash;
  return keySecretBinding(ctx.pepper, hash);
}

/**
 * Whether the key secret a token was minted from is still accepted. A token without a
 * binding (minted by a version before bindings, e.g. during a rolling upgrade) is trusted
 * only if it provably comes from the current secret: minted after the key last changed
 * (`iat` has whole seconds, so one minted in the second of a reset is refused) and no
 * previous secret kept by a grace reset could have minted it. Failing safe costs the caller
 * one new token.
 */
function secretStillAccepted(ctx: CoreContext, key: ApiKey, claims: VerifiedClaims): boolean {
  if (claims.key_fp === undefined) return key.previousSecretHash === null && claims.iat * 1000 >= key.updatedAt.getTime();
  if (claims.key_fp === keySecretBinding(ctx.pepper, key.secretHash)) return true;
  return (
    key.previousSecretHash !== null &&
    key.previousSecretExpiresAt !== null &&
    key.previousSecretExpiresAt.getTime() > ctx.now().getTime() &&
    claims.key_fp === keySecretBinding(ctx.pepper, key.previousSecretHash)
  );
}

/** Re-validates the subject a token names against the store. */
async function loadSubject(ctx: CoreContext, claims: VerifiedClaims, accountId: string, actor: Actor): Promise<Subject | null> {
  if (actor.type === 'user') {
    if (!isUuid(actor.id)) return null;
    const user = await ctx.cache.user(accountId, actor.id, () => ctx.store.users.get(accountId, actor.id));
    return user ? { accountId, actor, permissions: await effectivePermissions(ctx, user) } : null;
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
  if (!secretStillAccepted(ctx, key, claims)) return null;
  return { ...keySubject(key), ...(claims.key_fp !== undefined ? { keyFp: claims.key_fp } : {}) };
}

/** The subject an API key authenticates: its account, its client if it has one, its scopes and (an account key's) permissions. */
function keySubject(key: ApiKey): Subject {
  return {
    accountId: key.accountId,
    actor: { type: 'key', id: key.keyId },
    scopes: key.scopes,
    ...(key.clientId ? { clientId: key.clientId } : { permissions: key.permissions }),
  };
}

/** Narrows a subject to a principal, optionally scoped to `clientUid`; null when not allowed. */
async function scope(ctx: CoreContext, subject: Subject, clientUid: string | undefined): Promise<Principal | null> {
  const clientId = subject.clientId ?? clientUid;
  if (subject.clientId && clientUid && clientUid !== subject.clientId) return null;
  const base = { accountId: subject.accountId, actor: subject.actor, ...(subject.scopes ? { scopes: subject.scopes } : {}), ...(subject.permissions ? { permissions: subject.permissions } : {}) };
  if (!clientId) return { kind: 'account', ...base };
  if (!isUuid(clientId)) return null;
  const client = await ctx.cache.client(subject.accountId, clientId, () => ctx.store.clients.get(subject.accountId, clientId));
  if (!client?.isActive) return null;
  return { kind: 'client', ...base, clientId };
}

/** The principal of a Clientele access token, or null. */
export async function authenticateAccessToken(ctx: AuthContext, token: string): Promise<Principal | null> {
  const claims = await ctx.tokens.verify(token);
  if (claims?.typ !== 'access') return null;
  return (await principalFromClaims(ctx, claims))?.principal ?? null;
}

async function principalFromClaims(ctx: CoreContext, claims: VerifiedClaims): Promise<{ principal: Principal; keyFp: string | undefined } | null> {
  const actor = parseSubject(claims.sub);
  if (!actor || !isUuid(claims.acc)) return null;
  const subject = await loadSubject(ctx, claims, claims.acc, actor);
  if (!subject) return null;
  const principal = await scope(ctx, subject, claims.client_uid);
  return principal && { principal, keyFp: subject.keyFp };
}

/** The claims of a token for `p`; `keyFp` binds it to the key secret it comes from. */
function claimsFor(p: Principal, typ: 'access' | 'refresh', keyFp: string | undefined) {
  return { sub: subjectClaim(p.actor), acc: p.accountId, typ, ...(p.kind === 'client' ? { client_uid: p.clientId } : {}), ...(keyFp !== undefined ? { key_fp: keyFp } : {}) };
}

async function issueAccess(ctx: AuthContext, p: Principal, keyFp: string | undefined) {
  return ctx.tokens.sign(claimsFor(p, 'access', keyFp), ctx.tokenSettings.accessTtlSeconds);
}

/** RFC 6749 §4.4: key id + secret → access token. Null when the credential is not valid. */
export async function grantClientCredentials(ctx: AuthContext, keyId: string, secret: string) {
  const check = await checkCredential(ctx, keyId, secret);
  if (check.code !== 'VALID') return null;
  ctx.keyUsage.record(keyId, ctx.now());
  const key = check.key;
  const principal = await scope(ctx, keySubject(key), undefined);
  if (!principal) return null;
  const access = await issueAccess(ctx, principal, bindingOf(ctx, key, secret));
  return { accessToken: access.token, expiresIn: ctx.tokenSettings.accessTtlSeconds, scope: key.scopes.join(' ') };
}

export interface PasswordLogin {
  username: string;
  password: string;
  clientUid?: string;
  /** The second factor (a TOTP code or a recovery code) of a user with two-factor authentication. */
  otp?: string;
  /** The caller's address, for the sign-in throttle (throttle.ts). */
  address?: string;
}

/**
 * `POST /api/token/`: an account user's e-mail and password (optionally scoped to one of
 * its clients), a client's own username and password (with `clientUid`), or a key id and
 * its secret. Returns null for every failure alike.
 */
export async function loginWithPassword(ctx: AuthContext, login: PasswordLogin): Promise<{ access: string; refresh: string } | null> {
  // A key id's secret is not guessable: only the address limit covers it.
  const attempt = { ...(login.address !== undefined ? { address: login.address } : {}), ...(KEY_ID_PATTERN.test(login.username) ? {} : { subject: loginSubject(login.username) }) };
  return throttledSignIn(
    ctx,
    attempt,
    () => signIn(ctx, login),
    (r) => r === null,
  );
}

async function signIn(ctx: AuthContext, login: PasswordLogin): Promise<{ access: string; refresh: string } | null> {
  const subject = await resolveLogin(ctx, login);
  if (!subject) return null;
  const principal = await scope(ctx, subject, login.clientUid);
  if (!principal) return null;
  const access = await issueAccess(ctx, principal, subject.keyFp);
  const refresh = await ctx.tokens.sign(claimsFor(principal, 'refresh', subject.keyFp), ctx.tokenSettings.refreshTtlSeconds);
  return { access: access.token, refresh: refresh.token };
}

/**
 * An account user's sign-in: its e-mail and password, and the second factor when it has
 * two-factor authentication (a password alone then never signs in). The user; null when
 * refused; undefined when no user has that e-mail (the caller spends the same time).
 */
export async function checkUserLogin(ctx: CoreContext, email: string, password: string, otp: string | undefined): Promise<User | null | undefined> {
  const user = await ctx.store.users.findByEmail(email);
  if (!user) return undefined;
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  if (user.totpEnabled && !(await checkSecondFactor(ctx, user, otp))) return null;
  return user;
}

async function resolveLogin(ctx: CoreContext, login: PasswordLogin): Promise<Subject | null> {
  if (KEY_ID_PATTERN.test(login.username)) {
    const check = await checkCredential(ctx, login.username, login.password);
    if (check.code !== 'VALID') return null;
    const k = check.key;
    return { ...keySubject(k), keyFp: bindingOf(ctx, k, login.password) };
  }
  const user = await checkUserLogin(ctx, login.username, login.password, login.otp);
  if (user !== undefined) return user && { accountId: user.accountId, actor: { type: 'user', id: user.id }, permissions: await effectivePermissions(ctx, user) };
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
  if (claims?.typ !== 'refresh') return null;
  const found = await principalFromClaims(ctx, claims);
  if (!found) return null;
  // The new access token keeps the refresh token's binding: it ends when that secret does.
  return { access: (await issueAccess(ctx, found.principal, found.keyFp)).token };
}
