/** SQL repository for usage counters. */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import type { DB } from './schema.js';

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
      // Rows travel as seven arrays (unnest), so the statement and its parameters stay the
      // same size whatever the batch: a key-usage flush can carry thousands of rows.
      const batch = [...merged.values()];
      const { rows } = await sql<{ client_id: string; metric: string; period: string; dimension: string; value: string }>`
        INSERT INTO usage_counters AS u (account_id, client_id, metric, period, dimension, value, updated_at)
        SELECT a, c, m, p, d, v, ${at}::timestamptz
          FROM unnest(${batch.map((d) => d.accountId)}::uuid[], ${batch.map((d) => d.clientId)}::uuid[], ${batch.map((d) => d.metric)}::text[],
                      ${batch.map((d) => d.period)}::text[], ${batch.map((d) => d.dimension)}::text[], ${batch.map((d) => String(d.amount))}::bigint[]) AS x(a, c, m, p, d, v)
        ON CONFLICT (client_id, metric, period, dimension)
        DO UPDATE SET value = u.value + excluded.value, updated_at = excluded.updated_at
        RETURNING client_id, metric, period, dimension, value`.execute(db);
      const values = new Map(rows.map((r) => [`${r.client_id}\u0000${r.metric}\u0000${r.period}\u0000${r.dimension}`, Number(r.value)]));
      return deltas.map((d) => values.get(keyOf(d)) ?? 0);
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
