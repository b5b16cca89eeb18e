/** SQL repository for usage counters. */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import type { DB } from './schema.js';

/** ±this is the range a counter may hold (Number.MAX_SAFE_INTEGER; see core/usage.ts). */
const MAX_VALUE = Number.MAX_SAFE_INTEGER;

export function usageRepo(db: Kysely<DB>): Store['usage'] {
  return {
    async add(deltas, at) {
      if (deltas.length === 0) return [];
      // One statement for the whole batch; duplicates of one row are summed first so a
      // single INSERT … ON CONFLICT never touches the same row twice.
      const keyOf = (d: (typeof deltas)[number]) => `${d.clientId}\u0000${d.metric}\u0000${d.period}\u0000${d.dimension}`;
      const merged = new Map<string, (typeof deltas)[number]>();
      for (const d of deltas) {
        const k = keyOf(d);
        const m = merged.get(k);
        if (m) m.amount += d.amount;
        else merged.set(k, { ...d });
      }
      // Past this the sum itself would be inexact (or past bigint); the core's bounds keep a
      // batch far below it, so this is a programming error, not a request to refuse.
      for (const m of merged.values()) if (!Number.isSafeInteger(m.amount)) throw new RangeError('usage delta out of range');
      // Rows travel as seven arrays (unnest), so the statement and its parameters stay the
      // same size whatever the batch: a key-usage flush can carry thousands of rows.
      // A row whose new value would leave ±MAX_VALUE is left as it is (the sum is taken in
      // numeric, so even a row already past the range raises no bigint overflow) and is
      // missing from RETURNING: it is reported as ±Infinity for the caller to refuse.
      const batch = [...merged.values()];
      const { rows } = await sql<{ client_id: string; metric: string; period: string; dimension: string; value: string }>`
        INSERT INTO usage_counters AS u (account_id, client_id, metric, period, dimension, value, updated_at)
        SELECT a, c, m, p, d, v, ${at}::timestamptz
          FROM unnest(${batch.map((d) => d.accountId)}::uuid[], ${batch.map((d) => d.clientId)}::uuid[], ${batch.map((d) => d.metric)}::text[],
                      ${batch.map((d) => d.period)}::text[], ${batch.map((d) => d.dimension)}::text[], ${batch.map((d) => String(d.amount))}::bigint[]) AS x(a, c, m, p, d, v)
        ON CONFLICT (client_id, metric, period, dimension)
        DO UPDATE SET value = u.value + excluded.value, updated_at = excluded.updated_at
          WHERE u.value::numeric + excluded.value BETWEEN ${-MAX_VALUE} AND ${MAX_VALUE}
        RETURNING client_id, metric, period, dimension, value`.execute(db);
      const values = new Map(rows.map((r) => [`${r.client_id}\u0000${r.metric}\u0000${r.period}\u0000${r.dimension}`, Number(r.value)]));
      return deltas.map((d) => values.get(keyOf(d)) ?? (merged.get(keyOf(d))!.amount < 0 ? -Infinity : Infinity));
    },
    async list(accountId, clientIds, periods, metric) {
      if (clientIds.length === 0 || periods.length === 0) return [];
      let q = db
        .selectFrom('usage_counters')
        .select(['client_id', 'metric', 'period', 'dimension', 'value'])
        .where('account_id', '=', accountId)
        .where('client_id', 'in', clientIds)
        .where('period', 'in', periods);
      if (metric) q = q.where('metric', '=', metric);
      const rows = await q.orderBy('metric').orderBy('dimension').execute();
      return rows.map((r) => ({ clientId: r.client_id, metric: r.metric, period: r.period, dimension: r.dimension, value: Number(r.value) }));
    },
  };
}
