/**
 * Rate limits: the port every backend implements, and the rules the core applies with it.
 *
 * Windows are fixed and aligned to the epoch: a limit of `limit` per `durationMs` admits at
 * most `limit` units of cost in each interval [k·durationMs, (k+1)·durationMs). A check of
 * several limits is all-or-nothing: when any of them would be exceeded, none is spent, so a
 * refused request costs nothing.
 *
 * Backends (src/ratelimit/): in memory (one instance, exact), PostgreSQL (many instances,
 * never over the limit; budgets are leased in batches so the hot path does not write per
 * request) and Redis/Valkey (many instances, exact). docs/rate-limits.md compares them.
 */
import { requireAccountPrincipal } from './access.js';
import { announceChange, type OverrideIndex } from './cache.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import { requirePermission } from './permissions.js';
import type { Account, ApiKey, Client, Principal, RateLimitOverride, RateLimitSpec } from './types.js';

export interface RateLimitCheck {
  /** What is counted, e.g. `k:<keyId>:requests`; backends keep one counter per key and window. */
  key: string;
  limit: number;
  durationMs: number;
  /** Units spent when the check passes; 0 only reads the state. */
  cost: number;
  /** Whose counter it is (an account id; `door` for Clientele's own): bounds each one's share of memory. */
  owner: string;
}

export interface RateLimitState {
  limit: number;
  /** Units still available in the current window after this check. */
  remaining: number;
  /** When the current window ends, epoch milliseconds. */
  reset: number;
  /** This limit alone would have been exceeded by the check's cost. */
  exceeded: boolean;
}

export interface RateLimitOutcome {
  /** Every limit had room: each spent its cost. */
  success: boolean;
  /** One state per check, in order. */
  states: RateLimitState[];
}

export interface RateLimiter {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /** Checks every limit and, only when none would be exceeded, spends each one's cost. */
  check(checks: readonly RateLimitCheck[]): Promise<RateLimitOutcome>;
  /**
   * `check` answered without waiting: undefined when the answer needs I/O (the caller then
   * awaits `check`). Lets the fast lane serve a rate-limited verify from memory.
   */
  tryCheck(checks: readonly RateLimitCheck[]): RateLimitOutcome | undefined;
  /**
   * Gives back what a successful check made at `at` (epoch ms) spent, when its window has not
   * ended: a sign-in that turned out right is not counted against its address.
   */
  refund(checks: readonly RateLimitCheck[], at: number): Promise<void>;
  /** Flushes and releases what the backend holds (timers, connections). */
  stop(): Promise<void>;
}

/** The window a moment falls in: its start and end, epoch milliseconds. */
export function windowOf(nowMs: number, durationMs: number): { start: number; end: number } {
  const start = Math.floor(nowMs / durationMs) * durationMs;
  return { start, end: start + durationMs };
}

/** A backend's answer could not be had (the shared store is down): answered 503, never as a pass. */
export class RateLimitUnavailableError extends Error {
  override readonly name = 'RateLimitUnavailableError';
  /** Matched by the HTTP layer's error mapping. */
  readonly code = 'CLIENTELE_RATE_LIMIT_UNAVAILABLE';
}

// ---------------------------------------------------------------------------------------------
// Limits on keys, clients and account defaults, checked by key verification.

export const MAX_RATELIMITS = 16;
export const RATELIMIT_NAME_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';
const RATELIMIT_NAME = new RegExp(RATELIMIT_NAME_PATTERN);
export const MIN_RATELIMIT_DURATION = 1_000;
export const MAX_RATELIMIT_DURATION = 30 * 86_400_000;
export const MAX_RATELIMIT = 1_000_000_000;

/** A spec as a request gives it (`autoApply` defaults to false). */
export type RateLimitSpecInput = Omit<RateLimitSpec, 'autoApply'> & { autoApply?: boolean };

/** Checks and completes a list of limits; `field` names it in errors (`body.ratelimits`). */
export function checkRateLimitSpecs(specs: readonly RateLimitSpecInput[], field: string): RateLimitSpec[] {
  if (specs.length > MAX_RATELIMITS) throw invalidField(field, `at most ${MAX_RATELIMITS} limits`);
  const names = new Set<string>();
  return specs.map((s, i) => {
    if (!RATELIMIT_NAME.test(s.name)) throw invalidField(`${field}.${i}.name`, 'must be 1 to 64 letters, digits, or _ . : -');
    if (names.has(s.name)) throw invalidField(`${field}.${i}.name`, `names must be unique ("${s.name}" is given twice)`);
    names.add(s.name);
    if (!Number.isInteger(s.limit) || s.limit < 1 || s.limit > MAX_RATELIMIT) throw invalidField(`${field}.${i}.limit`, `must be an integer from 1 to ${MAX_RATELIMIT}`);
    if (!Number.isInteger(s.duration) || s.duration < MIN_RATELIMIT_DURATION || s.duration > MAX_RATELIMIT_DURATION)
      throw invalidField(`${field}.${i}.duration`, `must be a whole number of milliseconds from ${MIN_RATELIMIT_DURATION} to ${MAX_RATELIMIT_DURATION} (30 days)`);
    return { name: s.name, limit: s.limit, duration: s.duration, autoApply: s.autoApply ?? false };
  });
}

/** A limit a verify names (besides the auto-applied ones), with what one call costs. */
export interface NamedLimit {
  name: string;
  cost?: number;
}

/** What verify reports of each limit it checked. */
export interface CheckedLimit extends RateLimitState {
  name: string;
}

/**
 * The limits a verify checks: every `autoApply` limit, and those it names. A name is looked
 * up on the key, then its client (one counter shared by all the client's keys), then the
 * account's defaults (each key counted on its own): the most specific wins. A name found
 * nowhere is refused, so a misspelled limit is never silently unchecked.
 */
export function verifyChecks(key: ApiKey, client: Client | null | undefined, account: Account | null | undefined, named: readonly NamedLimit[] = []): VerifyChecks {
  // The common case (only the auto-applied limits) is resolved once per cached key, client and
  // account: the records are replaced, never changed, when they change.
  if (named.length === 0) {
    const cached = AUTO_APPLIED.get(key);
    if (cached && cached.client === client && cached.account === account) return cached.checks;
    const checks = resolveChecks(key, client, account, named);
    AUTO_APPLIED.set(key, { client, account, checks });
    return checks;
  }
  return resolveChecks(key, client, account, named);
}

interface VerifyChecks {
  readonly names: string[];
  readonly checks: RateLimitCheck[];
}

const AUTO_APPLIED = new WeakMap<ApiKey, { client: Client | null | undefined; account: Account | null | undefined; checks: VerifyChecks }>();

function resolveChecks(key: ApiKey, client: Client | null | undefined, account: Account | null | undefined, named: readonly NamedLimit[]): VerifyChecks {
  const byName = new Map<string, { spec: RateLimitSpec; counter: string }>();
  for (const spec of account?.ratelimits ?? []) byName.set(spec.name, { spec, counter: `a:${key.keyId}:${spec.name}` });
  if (client) for (const spec of client.ratelimits) byName.set(spec.name, { spec, counter: `c:${client.id}:${spec.name}` });
  for (const spec of key.ratelimits) byName.set(spec.name, { spec, counter: `k:${key.keyId}:${spec.name}` });
  const costs = new Map<string, number>();
  named.forEach((n, i) => {
    if (!byName.has(n.name)) throw invalidField(`body.ratelimits.${i}.name`, `the key, its client and the account have no limit named "${n.name}"`);
    if (costs.has(n.name)) throw invalidField(`body.ratelimits.${i}.name`, `"${n.name}" is named twice`);
    costs.set(n.name, n.cost ?? 1);
  });
  const names: string[] = [];
  const checks: RateLimitCheck[] = [];
  for (const [name, { spec, counter }] of byName) {
    if (!spec.autoApply && !costs.has(name)) continue;
    names.push(name);
    checks.push({ key: counter, limit: spec.limit, durationMs: spec.duration, cost: costs.get(name) ?? 1, owner: key.accountId });
  }
  return { names, checks };
}

export const checkedLimits = (names: readonly string[], states: readonly RateLimitState[]): CheckedLimit[] =>
  states.map((s, i) => ({ name: names[i]!, limit: s.limit, remaining: s.remaining, reset: s.reset, exceeded: s.exceeded }));

// ---------------------------------------------------------------------------------------------
// POST /v1/ratelimit: a limit on anything the platform meters, with per-identifier overrides.

export interface StandaloneCheck {
  namespace: string;
  identifier: string;
  limit: number;
  duration: number;
  cost?: number;
}

/**
 * Spends `cost` (default 1) of the identifier's limit in the namespace: the override set for
 * the identifier when there is one, else the limit the request names.
 */
export async function checkRateLimit(
  ctx: CoreContext,
  principal: Principal,
  input: StandaloneCheck,
): Promise<{ success: boolean; limit: number; remaining: number; reset: number; overridden: boolean }> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'ratelimit:check');
  const { accountId } = principal;
  const override = await ctx.cache.override(
    accountId,
    input.namespace,
    input.identifier,
    async () => indexOverrides(await ctx.store.rateLimitOverrides.listAccount(accountId)),
    () => ctx.store.rateLimitOverrides.get(accountId, input.namespace, input.identifier),
  );
  const limit = override?.limit ?? input.limit;
  const durationMs = override?.duration ?? input.duration;
  // The namespace's length keeps (`a`, `b:c`) and (`a:b`, `c`) apart.
  const key = `n:${accountId}:${input.namespace.length}:${input.namespace}:${input.identifier}`;
  const outcome = await ctx.rateLimiter.check([{ key, limit, durationMs, cost: input.cost ?? 1, owner: accountId }]);
  const state = outcome.states[0]!;
  return { success: outcome.success, limit, remaining: state.remaining, reset: state.reset, overridden: override !== null };
}

function indexOverrides(all: readonly RateLimitOverride[]): OverrideIndex {
  const index = new Map<string, Map<string, RateLimitOverride>>();
  for (const o of all) {
    let ns = index.get(o.namespace);
    if (!ns) {
      ns = new Map();
      index.set(o.namespace, ns);
    }
    ns.set(o.identifier, o);
  }
  return index;
}

export async function listOverrides(ctx: CoreContext, principal: Principal, namespace: string): Promise<RateLimitOverride[]> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'ratelimit:read');
  return ctx.store.rateLimitOverrides.listNamespace(principal.accountId, namespace);
}

export async function setOverride(ctx: CoreContext, principal: Principal, input: Pick<RateLimitOverride, 'namespace' | 'identifier' | 'limit' | 'duration'>): Promise<RateLimitOverride> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'ratelimit:write');
  const { accountId } = principal;
  const now = ctx.now();
  const saved = await ctx.store.transaction(async (tx) => {
    const exists = (await tx.rateLimitOverrides.get(accountId, input.namespace, input.identifier)) !== null;
    if (!exists && (await tx.rateLimitOverrides.countAccount(accountId)) >= MAX_OVERRIDES)
      throw invalidField('params.identifier', `an account holds at most ${MAX_OVERRIDES} overrides: delete one first`);
    const o = await tx.rateLimitOverrides.upsert({ accountId, ...input, createdAt: now, updatedAt: now });
    await announceChange(tx, { overrides: accountId });
    await recordEvent(
      tx,
      { accountId, clientId: null, type: 'ratelimit.override_set', actor: principal.actor, data: { namespace: o.namespace, identifier: o.identifier, limit: o.limit, duration: o.duration } },
      now,
    );
    return o;
  });
  ctx.cache.invalidate({ overrides: accountId });
  return saved;
}

export async function deleteOverride(ctx: CoreContext, principal: Principal, namespace: string, identifier: string): Promise<void> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'ratelimit:write');
  const { accountId } = principal;
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    if (!(await tx.rateLimitOverrides.delete(accountId, namespace, identifier))) throw new AppError('NOT_FOUND', 'The namespace has no override for this identifier');
    await announceChange(tx, { overrides: accountId });
    await recordEvent(tx, { accountId, clientId: null, type: 'ratelimit.override_deleted', actor: principal.actor, data: { namespace, identifier } }, now);
  });
  ctx.cache.invalidate({ overrides: accountId });
}

/** Most overrides an account holds: every instance keeps them all in memory, one entry per account. */
const MAX_OVERRIDES = 10_000;
