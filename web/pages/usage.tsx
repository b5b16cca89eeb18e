/**
 * A client's usage over the last twelve months: one chart per metric (uPlot: bars per month,
 * the monthly limit as a line over them), with the same figures as a table for keyboards and
 * screen readers.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Usage } from '../../sdk/src/index.js';
import { api } from '../api.js';
import { Empty, ErrorNote, Loading, useLoad } from '../ui.js';

const MONTHS = 12;

/** The last `n` months, oldest first, as `YYYY-MM` (UTC, as the API counts them). */
function lastMonths(n: number, now = new Date()): string[] {
  const months: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

interface MetricSeries {
  metric: string;
  values: number[];
  /** The monthly limit of each month (null: none). */
  limits: Array<number | null>;
  total: number;
  limit: number | null;
}

function seriesOf(reports: Usage[]): MetricSeries[] {
  const names = [...new Set(reports.flatMap((r) => r.metrics.map((m) => m.metric)))].sort();
  return names.map((metric) => {
    const rows = reports.map((r) => r.metrics.find((m) => m.metric === metric));
    const last = rows.findLast((r) => r !== undefined);
    return {
      metric,
      values: rows.map((r) => r?.month ?? 0),
      limits: rows.map((r) => r?.monthlyLimit ?? null),
      total: last?.total ?? 0,
      limit: last?.limit ?? null,
    };
  });
}

const MONTH_LABEL = new Intl.DateTimeFormat(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });
const NUMBER = new Intl.NumberFormat();
const COMPACT = new Intl.NumberFormat(undefined, { notation: 'compact' });
/** Half a month, in seconds: room on either side of the first and last bars. */
const HALF_MONTH = 15 * 86400;

export function UsageSection(props: { clientId: string }) {
  const months = lastMonths(MONTHS);
  const usage = useLoad((signal) => Promise.all(months.map((month) => api.usage.get(props.clientId, { month }, { signal }))), [props.clientId]);
  const series = usage.data ? seriesOf(usage.data) : [];
  return (
    <section aria-labelledby="usage-title" class="section">
      <header class="section-head">
        <h2 id="usage-title">Usage, last {MONTHS} months</h2>
      </header>
      <ErrorNote error={usage.error} />
      {usage.loading && !usage.data ? <Loading /> : null}
      {usage.data && series.length === 0 ? <Empty>No usage recorded for this client yet (POST /v1/clients/…/usage records it).</Empty> : null}
      <div class="charts">
        {series.map((s) => (
          <MetricChart key={s.metric} months={months} series={s} />
        ))}
      </div>
    </section>
  );
}

function MetricChart(props: { months: string[]; series: MetricSeries }) {
  const { months, series } = props;
  const box = useRef<HTMLDivElement>(null);
  const id = `usage-${series.metric.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  useEffect(() => {
    const el = box.current!;
    const xs = months.map((m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000);
    const hasLimit = series.limits.some((l) => l !== null);
    const width = () => Math.max(280, Math.floor(el.getBoundingClientRect().width));
    const chart = new uPlot(
      {
        width: width(),
        height: 200,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true, range: () => [xs[0]! - HALF_MONTH, xs[xs.length - 1]! + HALF_MONTH] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{ values: (_u, ticks) => ticks.map((t) => MONTH_LABEL.format(new Date(t * 1000))) }, { size: 56, values: (_u, ticks) => ticks.map((t) => COMPACT.format(t)) }],
        series: [
          {},
          { label: series.metric, stroke: '#0a58ca', fill: 'rgba(10, 88, 202, 0.35)', paths: uPlot.paths.bars!({ size: [0.6, 48] }), points: { show: false } },
          ...(hasLimit ? [{ label: 'monthly limit', stroke: '#b42318', width: 2, dash: [6, 4], points: { show: false } }] : []),
        ],
      },
      [xs, series.values, ...(hasLimit ? [series.limits] : [])],
      el,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [months.join(), JSON.stringify(series)]);
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        <strong>{series.metric}</strong>: {NUMBER.format(series.total)} in all{series.limit !== null ? ` (limit ${NUMBER.format(series.limit)})` : ''}
        {series.limits.some((l) => l !== null) ? <span class="muted"> · dashed: the monthly limit</span> : null}
      </figcaption>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
      <details>
        <summary>As a table</summary>
        <table>
          <caption class="sr-only">{series.metric} per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">{series.metric}</th>
              <th scope="col">Monthly limit</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m, i) => (
              <tr key={m}>
                <th scope="row">{m}</th>
                <td>{NUMBER.format(series.values[i]!)}</td>
                <td>{series.limits[i] === null || series.limits[i] === undefined ? '—' : NUMBER.format(series.limits[i]!)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
