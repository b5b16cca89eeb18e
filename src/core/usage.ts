/**
 * Usage metering: per-client counters (all-time and per UTC month, optionally split by a
 * dimension such as a domain), reported by the platform or counted from key verifications
 * (metric `calls`), and checked against the client's `limits`:
 *   limits[metric]            caps the all-time value (e.g. `domains`, `calls`);
 *   limits[`${metric}PerMonth`] caps this month's value (e.g. `widgetDisplaysPerMonth`);
 *   -1 (or no entry) means unlimited.
 *
 * Bounds: one event's amount is at most MAX_USAGE_AMOUNT either way, and no counter may
 * leave ±MAX_COUNTER_VALUE (Number.MAX_SAFE_INTEGER): every value stays an exact JSON
 * number for any client, and far inside PostgreSQL's bigint, so a report can never fail
 * with an arithmetic overflow. A batch (at most 1,000 events) therefore moves one counter
 * by at most 10^15, which JavaScript still adds exactly.
 */
import { loadClientFor, requireAccountPrincipal } from './access.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import type { UsageDelta } from './ports.js';
import type { Client, Principal } from './types.js';
import { requirePermission } from './permissions.js';

export interface UsageEvent {
  metric: string;
  amount: number;
  dimension?: string;
  at?: Date;
}

export const ALL_TIME = 'all';
export const monthOf = (d: Date) => d.toISOString().slice(0, 7);
const METRIC = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Largest absolute amount of one usage event (10^12). */
export const MAX_USAGE_AMOUNT = 1_000_000_000_000;
/** Largest absolute value of a usage counter: 2^53 - 1, the largest exact JSON/JavaScript integer. */
export const MAX_COUNTER_VALUE = Number.MAX_SAFE_INTEGER;

/** The counter rows one event increments. */
export function deltasFor(client: Pick<Client, 'accountId' | 'id'>, e: UsageEvent, at: Date): UsageDelta[] {
  const base = { accountId: client.accountId, clientId: client.id, metric: e.metric, amount: e.amount };
  const month = monthOf(e.at ?? at);
  const out: UsageDelta[] = [
    { ...base, period: ALL_TIME, dimension: '' },
    { ...base, period: month, dimension: '' },
  ];
  if (e.dimension) out.push({ ...base, period: ALL_TIME, dimension: e.dimension }, { ...base, period: month, dimension: e.dimension });
  return out;
}

/** The limit that applies to a counter row, or undefined when unlimited. */
export function limitFor(client: Client, metric: string, period: string): number | undefined {
  const limit = period === ALL_TIME ? client.limits[metric] : client.limits[`${metric}PerMonth`];
  return limit === undefined || limit < 0 ? undefined : limit;
}

/** Validates every event; fields are named as the caller sent them (`body.amount`, or `body.events.3.amount` in a batch). */
function checkEvents(events: UsageEvent[], batch: boolean, now: Date): void {
  if (events.length === 0) throw invalidField('body.events', 'must contain at least one event');
  events.forEach((e, i) => {
    const at = batch ? `body.events.${i}.` : 'body.';
    if (!METRIC.test(e.metric)) throw invalidField(`${at}metric`, 'must be 1–64 letters, digits, _ . - (starting with a letter)');
    if (!Number.isSafeInteger(e.amount) || e.amount === 0) throw invalidField(`${at}amount`, 'must be a non-zero integer');
    if (Math.abs(e.amount) > MAX_USAGE_AMOUNT) throw invalidField(`${at}amount`, `must be between -${MAX_USAGE_AMOUNT} and ${MAX_USAGE_AMOUNT}`);
    if (e.dimension !== undefined && (e.dimension.length === 0 || e.dimension.length > 255)) throw invalidField(`${at}dimension`, 'must be 1–255 characters');
    if (e.at && e.at.getTime() > now.getTime() + 5 * 60_000) throw invalidField(`${at}at`, 'must not be in the future');
  });
}

/** A counter row as the caller knows it, for error messages. */
function counterName(d: UsageDelta): string {
  return `${d.metric} (${d.period === ALL_TIME ? 'all-time' : d.period}${d.dimension === '' ? '' : `, dimension ${JSON.stringify(d.dimension)}`})`;
}

/**
 * Records usage for one client, all or nothing: a batch (an array; one event otherwise)
 * that would take any counter below zero, beyond its limit or beyond ±MAX_COUNTER_VALUE is
 * refused and changes nothing.
 */
export async function recordUsage(ctx: CoreContext, principal: Principal, clientId: string, report: UsageEvent | UsageEvent[]): Promise<number> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'usage:write');
  const now = ctx.now();
  const batch = Array.isArray(report);
  const events = batch ? report : [report];
  checkEvents(events, batch, now);
  return ctx.store.transaction(async (tx) => {
    // The row lock serialises limit checks for one client across instances.
    const client = await loadClientFor(tx, principal, clientId, true);
    const deltas = events.flatMap((e) => deltasFor(client, e, now));
    const values = await tx.usage.add(deltas, now);
    const reached = new Set<string>();
    deltas.forEach((d, i) => {
      const value = values[i]!;
      // The store left such a row unchanged; the transaction rolls the others back.
      if (!Number.isSafeInteger(value)) throw new AppError('USAGE_COUNTER_OVERFLOW', `${counterName(d)} would leave the range of a usage counter, ±${MAX_COUNTER_VALUE}`);
      if (d.dimension !== '') return;
      if (value < 0) throw invalidField('body.amount', `would take ${d.metric} below zero`);
      const limit = limitFor(client, d.metric, d.period);
      if (limit === undefined) return;
      if (value > limit) throw new AppError('USAGE_LIMIT_EXCEEDED', `${d.metric} would reach ${value}, over its ${d.period === ALL_TIME ? '' : 'monthly '}limit of ${limit}`);
      if (value === limit && value - d.amount < limit) reached.add(`${d.metric}:${d.period}:${limit}`);
    });
    for (const r of reached) {
      const [metric, period, limit] = r.split(':');
      await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'usage.limit_reached', actor: principal.actor, data: { metric, period, limit: Number(limit) } }, now);
    }
    return events.length;
  });
}

export interface MetricUsage {
  metric: string;
  total: number;
  month: number;
  limit: number | null;
  monthlyLimit: number | null;
  byDimension: Array<{ dimension: string; total: number; month: number }>;
}

/** Usage of one client: every metric's all-time and monthly values, by dimension. */
export async function getUsage(ctx: CoreContext, principal: Principal, clientId: string, month = monthOf(ctx.now())): Promise<MetricUsage[]> {
  requirePermission(principal, 'usage:read');
  const client = await loadClientFor(ctx.store, principal, clientId);
  const rows = await ctx.store.usage.list(client.accountId, [client.id], [ALL_TIME, month]);
  const metrics = new Map<string, MetricUsage>();
  const dims = new Map<string, { dimension: string; total: number; month: number }>();
  for (const r of rows) {
    let m = metrics.get(r.metric);
    if (!m) {
      m = { metric: r.metric, total: 0, month: 0, limit: limitFor(client, r.metric, ALL_TIME) ?? null, monthlyLimit: limitFor(client, r.metric, month) ?? null, byDimension: [] };
      metrics.set(r.metric, m);
    }
    const field = r.period === ALL_TIME ? 'total' : 'month';
    if (r.dimension === '') m[field] = r.value;
    else {
      const key = `${r.metric}\u0000${r.dimension}`;
      let d = dims.get(key);
      if (!d) {
        d = { dimension: r.dimension, total: 0, month: 0 };
        dims.set(key, d);
        m.byDimension.push(d);
      }
      d[field] = r.value;
    }
  }
  return [...metrics.values()];
}

/**
 * The raw counters of several clients of the principal's account for these periods (ALL_TIME,
 * months), for surfaces that show usage beside each client of a list (account principals only).
 */
export async function usageRowsOf(ctx: CoreContext, principal: Principal, clientIds: string[], periods: string[]) {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  return ctx.store.usage.list(principal.accountId, clientIds, periods);
}
