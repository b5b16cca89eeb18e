/**
 * Clientele's own doors: sign-ins throttled per login name and per source address, token
 * endpoints and failed credentials limited per source address (docs/rate-limits.md).
 *
 * - Per login name (an account user's e-mail, a client's username; names nobody uses alike,
 *   so a refusal reveals nothing): after `freeFailures` failed sign-ins in a row each further
 *   one makes the next attempt wait, 1 s, 2 s, 4 s… (at most a minute); after
 *   `lockFailures` the name is locked for `lockSeconds`, until a sign-in after the lock
 *   succeeds or an administrator lifts it (DELETE /v1/users/{id}/sign-in-lock). Kept in the
 *   database, so every instance sees the same state.
 * - Per source address: failed sign-ins, requests to the token endpoints, and failed
 *   credentials on any route, each a fixed-window limit on the rate limiter.
 *
 * A refused attempt runs no password check: the throttle is in front of the expensive work.
 */
import { isIPv6 } from 'node:net';
import type { CoreContext } from './context.js';
import { AppError, RateLimitedError, type LimitPolicy } from './errors.js';
import { recordEvent } from './events.js';
import type { RateLimitCheck } from './rate-limits.js';
import { requirePasswordCapacity } from '../crypto/passwords.js';

export interface AddressLimit {
  limit: number;
  durationMs: number;
}

export interface ThrottlePolicy {
  /** Failed sign-ins per source address; null = not limited. */
  signInFailuresPerAddress: AddressLimit | null;
  /** Requests to the token and sign-in endpoints per source address. */
  tokenRequestsPerAddress: AddressLimit | null;
  /** Requests refused for a wrong credential (401) per source address. */
  authFailuresPerAddress: AddressLimit | null;
  /** Failed sign-ins of one login name before each further one delays the next attempt; 0 = no delays. */
  freeFailures: number;
  /** Failed sign-ins of one login name that lock it; 0 = never locked. */
  lockFailures: number;
  lockSeconds: number;
  /**
   * A refusal (429) is answered after this long (at most until the caller may retry): a
   * caller that ignores Retry-After then makes at most one attempt a second per connection,
   * and a flood costs timers instead of CPU. 0 = answer at once.
   */
  refusalDelayMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  signInFailuresPerAddress: { limit: 30, durationMs: 15 * 60_000 },
  tokenRequestsPerAddress: { limit: 600, durationMs: 60_000 },
  authFailuresPerAddress: { limit: 300, durationMs: 60_000 },
  freeFailures: 3,
  lockFailures: 10,
  lockSeconds: 15 * 60,
  refusalDelayMs: 1_000,
};

/** Longest delay between two attempts of one login name before it is locked. */
const MAX_DELAY_SECONDS = 60;

const policyOf = (ctx: CoreContext) => ctx.throttle ?? DEFAULT_THROTTLE_POLICY;

/** The throttle key of a login name. */
export const loginSubject = (name: string) => name.trim().toLowerCase();

export interface SignInAttempt {
  /** The source address (the client's, behind a trusted proxy). */
  address?: string;
  /** The login name; absent for credentials with a high-entropy secret (a key id), which only the address limit covers. */
  subject?: string;
}

/**
 * Spends one unit of `address`'s budget of this kind (none when `limit` is off); RATE_LIMITED,
 * named `<kind>-address`, when it has no room. The check, for a refund.
 */
async function spendAddress(ctx: CoreContext, kind: string, limit: AddressLimit | null, address: string, message: string): Promise<RateLimitCheck[] | null> {
  if (!limit) return null;
  const checks = [{ key: `door:${kind}:${addressKey(address)}`, limit: limit.limit, durationMs: limit.durationMs, cost: 1, owner: 'door' }];
  const { success, states } = await ctx.rateLimiter.check(checks);
  if (!success) await refuse(ctx, message, states[0]!.reset, ctx.now().getTime(), { name: `${kind}-address`, quota: limit.limit, windowSeconds: limit.durationMs / 1000, remaining: 0 });
  return checks;
}

/**
 * What one source counts as: an IPv4 address (an IPv4-mapped IPv6 one too), or an IPv6 /64 —
 * the block one host is usually given, so rotating through it gains nothing.
 */
export function addressKey(address: string): string {
  const ip = address.split('%')[0]!;
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Throws RATE_LIMITED, after the policy's refusal delay (never past the moment the caller may retry). */
async function refuse(ctx: CoreContext, message: string, resetMs: number, now: number, policy: LimitPolicy): Promise<never> {
  const delay = Math.min(policyOf(ctx).refusalDelayMs, resetMs - now);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  throw new RateLimitedError(message, (resetMs - ctx.now().getTime()) / 1000, policy);
}

/**
 * Runs a sign-in behind the throttle. The attempt is counted before any password is checked —
 * one unit of its address's failure budget, and one failure of its login name (which brings
 * that failure's delay and lock) — so parallel attempts cannot slip past the delays; a success
 * gives both back. Refused (RATE_LIMITED) while the address's budget is spent or the name must
 * wait. A failure is `failed(result)`, or an UNAUTHENTICATED error.
 */
export async function throttledSignIn<T>(ctx: CoreContext, attempt: SignInAttempt, run: () => Promise<T>, failed: (result: T) => boolean): Promise<T> {
  const policy = policyOf(ctx);
  const at = ctx.now();
  const now = at.getTime();
  // A password sign-in with no room left for its password check fails before any other work.
  if (attempt.subject !== undefined) requirePasswordCapacity();
  const perAddress =
    attempt.address === undefined ? null : await spendAddress(ctx, 'sign-in', policy.signInFailuresPerAddress, attempt.address, 'Too many failed sign-ins from this address: wait before trying again');
  const throttled = attempt.subject !== undefined && (policy.freeFailures > 0 || policy.lockFailures > 0);
  let failures = 0;
  if (throttled) {
    const { admitted, throttle } = await ctx.store.loginThrottles.admit(attempt.subject!, at, {
      forgetBefore: new Date(now - policy.lockSeconds * 1000),
      freeFailures: policy.freeFailures,
      maxDelaySeconds: MAX_DELAY_SECONDS,
      lockFailures: policy.lockFailures,
      lockedUntil: new Date(now + policy.lockSeconds * 1000),
    });
    if (!admitted) {
      if (perAddress) await ctx.rateLimiter.refund(perAddress, now);
      const locked = (throttle.lockedUntil?.getTime() ?? 0) > now;
      await refuse(
        ctx,
        locked ? 'This login is locked after too many failed sign-ins: wait, or ask an administrator to unlock it' : 'Too many failed sign-ins for this login: wait before trying again',
        Math.max(throttle.blockedUntil.getTime(), throttle.lockedUntil?.getTime() ?? 0),
        now,
        { name: 'sign-in-name', quota: policy.lockFailures || policy.freeFailures, windowSeconds: policy.lockSeconds, remaining: 0 },
      );
    }
    failures = throttle.failures;
  }
  let outcome: 'success' | 'failure' | 'error' = 'error';
  try {
    const result = await run();
    outcome = failed(result) ? 'failure' : 'success';
    return result;
  } catch (err) {
    if (err instanceof AppError && err.code === 'UNAUTHENTICATED') outcome = 'failure';
    throw err;
  } finally {
    // An error that says nothing of the password (an overload) gives the address its unit back;
    // the name keeps the failure counted in advance (clearing it would erase the ones before).
    if (outcome !== 'failure' && perAddress) await ctx.rateLimiter.refund(perAddress, now);
    if (outcome === 'success' && throttled) await ctx.store.loginThrottles.delete(attempt.subject!);
    if (outcome === 'failure' && throttled && failures === policy.lockFailures) await recordLock(ctx, attempt.subject!, failures, at);
  }
}

/** The `user.locked` event, when the locked name is a user's e-mail. */
async function recordLock(ctx: CoreContext, subject: string, failures: number, at: Date): Promise<void> {
  const user = await ctx.store.users.findByEmail(subject);
  if (user)
    await recordEvent(ctx.store, { accountId: user.accountId, clientId: null, type: 'user.locked', actor: { type: 'system', id: 'sign-in-throttle' }, data: { userId: user.id, failures } }, at);
}

/** Counts a request to a token or sign-in endpoint from `address`; RATE_LIMITED beyond the address's limit. */
export async function admitTokenRequest(ctx: CoreContext, address: string): Promise<void> {
  await spendAddress(ctx, 'token', policyOf(ctx).tokenRequestsPerAddress, address, 'Too many token requests from this address: wait before trying again');
}

/**
 * Counts a credential refused from `address`; throws RATE_LIMITED (instead of the 401 the
 * caller would answer) once the address has had too many.
 */
export async function countAuthFailure(ctx: CoreContext, address: string): Promise<void> {
  await spendAddress(ctx, 'auth-failure', policyOf(ctx).authFailuresPerAddress, address, 'Too many requests with a wrong credential from this address: wait before trying again');
}
