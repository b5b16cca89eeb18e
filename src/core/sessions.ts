/**
 * Browser sessions of users, for the admin console. Signing in (e-mail, password, and the
 * second factor when the user has one) makes a new session — a new id and token every time,
 * so a token planted before sign-in is worth nothing. The token travels in an HttpOnly cookie;
 * only its keyed hash is stored. A session ends when idle longer than `idleSeconds`, at
 * `maxSeconds` after sign-in whatever happens, at sign-out, when revoked, or with its user.
 *
 * A session acts with its user's current permissions. Changes made through it must carry its
 * CSRF token (`csrfTokenFor`, derived from the session: nothing more to store).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyDummy } from '../crypto/passwords.js';
import { hashSecret } from '../crypto/keyed-hash.js';
import { encodeBase62, randomBytes, uuidv7 } from '../crypto/random.js';
import { checkUserLogin } from './auth.js';
import type { CoreContext } from './context.js';
import { AppError } from './errors.js';
import type { Principal, Session, User } from './types.js';
import { effectivePermissions } from './users.js';
import { loginSubject, throttledSignIn } from './throttle.js';

interface SessionSettings {
  /** A session unused this long ends. */
  idleSeconds: number;
  /** A session ends this long after sign-in, however used. */
  maxSeconds: number;
}

const DEFAULT_SESSION_SETTINGS: SessionSettings = { idleSeconds: 30 * 60, maxSeconds: 12 * 3600 };

/** lastSeenAt is written at most this often (idle expiry needs no finer grain). */
const TOUCH_EVERY_MS = 60_000;

const tokenHash = (ctx: CoreContext, token: string) => hashSecret(ctx.pepper, `session:${token}`);

/** The CSRF token of a session: a keyed hash of its id (the console sends it back on every change). */
export function csrfTokenFor(ctx: CoreContext, sessionId: string): string {
  return createHmac('sha256', ctx.pepper).update(`csrf:${sessionId}`).digest('base64url');
}

/** Whether `presented` is the session's CSRF token (constant time). */
export function isCsrfToken(ctx: CoreContext, sessionId: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(ctx, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function settingsOf(ctx: CoreContext): SessionSettings {
  return ctx.sessionSettings ?? DEFAULT_SESSION_SETTINGS;
}

/** When a session ends if not used again (the earlier of idle and absolute expiry). */
export function sessionEnd(ctx: CoreContext, s: Session): Date {
  return new Date(Math.min(s.expiresAt.getTime(), s.lastSeenAt.getTime() + settingsOf(ctx).idleSeconds * 1000));
}

export interface SignIn {
  email: string;
  password: string;
  otp?: string;
  userAgent?: string;
  /** The caller's address, for the sign-in throttle (throttle.ts). */
  address?: string;
}

/** Signs a user in: a new session and its token (for the cookie), or UNAUTHENTICATED for every failure alike. */
export async function createSession(ctx: CoreContext, input: SignIn): Promise<{ session: Session; token: string; user: User }> {
  const attempt = { ...(input.address !== undefined ? { address: input.address } : {}), subject: loginSubject(input.email) };
  const user = await throttledSignIn(
    ctx,
    attempt,
    async () => {
      const found = await checkUserLogin(ctx, input.email, input.password, input.otp);
      if (found === undefined) await verifyDummy(input.password); // the same work as a wrong password
      return found ?? null;
    },
    (found) => found === null,
  );
  if (!user) throw new AppError('UNAUTHENTICATED', 'The e-mail, password or code is not right');
  const token = encodeBase62(randomBytes(32), 43);
  const now = ctx.now();
  const session: Session = {
    id: uuidv7(),
    tokenHash: tokenHash(ctx, token),
    accountId: user.accountId,
    userId: user.id,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + settingsOf(ctx).maxSeconds * 1000),
  };
  await ctx.store.sessions.insert(session);
  return { session, token, user };
}

/** The principal of a session token (its user, with the user's current permissions), or null when it has ended. */
export async function authenticateSession(ctx: CoreContext, token: string): Promise<Principal | null> {
  if (!/^[0-9A-Za-z]{43}$/.test(token)) return null;
  const session = await ctx.store.sessions.findByTokenHash(tokenHash(ctx, token));
  const now = ctx.now();
  if (!session || sessionEnd(ctx, session).getTime() <= now.getTime()) return null;
  const user = await ctx.cache.user(session.accountId, session.userId, () => ctx.store.users.get(session.accountId, session.userId));
  if (!user) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await ctx.store.sessions.touch(session.id, now);
  return { kind: 'account', accountId: user.accountId, actor: { type: 'user', id: user.id }, permissions: await effectivePermissions(ctx, user), sessionId: session.id };
}

function requireUser(principal: Principal): string {
  if (principal.actor.type !== 'user') throw new AppError('FORBIDDEN', 'This credential is not a user');
  return principal.actor.id;
}

/** The calling user's sessions still open. */
export async function listOwnSessions(ctx: CoreContext, principal: Principal): Promise<Session[]> {
  const userId = requireUser(principal);
  const now = ctx.now().getTime();
  return (await ctx.store.sessions.listForUser(principal.accountId, userId, ctx.now())).filter((s) => sessionEnd(ctx, s).getTime() > now);
}

/** The calling session (GET /v1/sessions/current): SESSION_NOT_FOUND for credentials that are no session. */
export async function currentSession(ctx: CoreContext, principal: Principal): Promise<Session> {
  const userId = requireUser(principal);
  const id = principal.kind === 'account' ? principal.sessionId : undefined;
  const found = id && (await ctx.store.sessions.listForUser(principal.accountId, userId, ctx.now())).find((s) => s.id === id);
  if (!found) throw new AppError('SESSION_NOT_FOUND');
  return found;
}

/** Ends one of the calling user's sessions (`current`: the calling one — signing out). */
export async function revokeSession(ctx: CoreContext, principal: Principal, id: string): Promise<void> {
  const userId = requireUser(principal);
  const target = id === 'current' ? (principal.kind === 'account' ? principal.sessionId : undefined) : id;
  if (!target || !(await ctx.store.sessions.delete(principal.accountId, userId, target))) throw new AppError('SESSION_NOT_FOUND');
}
