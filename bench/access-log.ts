/**
 * `npm run bench:access-log`: cached `POST /v1/keys/verify` as `npm start` runs it by default
 * (LOG_LEVEL=info), with the default access log (`summary`: the fast lane serves and counts)
 * and with `CLIENTELE_ACCESS_LOG=all` (a line per request: the router answers), against the
 * essential-work reference (bench/baselines/essential-work.mjs: node:http doing only the
 * unavoidable work of the request). Embedded database, a new data directory; rounds alternate
 * the order; medians. Target (issue "performance, second pass"): ≥ 0.8 of the reference.
 *
 *   BENCH_SECONDS  seconds per run (default 6)   BENCH_ROUNDS  rounds (default 3)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { machine, runLoad, type Req } from './lib/load.js';
import { bootstrapToken, startBaseline, startClientele, type Proc } from './lib/processes.js';
import { median } from './lib/stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const fmt = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** A server on the data directory; the first start prints the credentials (`token`). */
async function server(accessLog: 'summary' | 'all', dir: string): Promise<{ proc: Proc; token: string | undefined }> {
  const proc = await startClientele({ LOG_LEVEL: 'info', CLIENTELE_ACCESS_LOG: accessLog, CLIENTELE_DATA_DIR: dir, CLIENTELE_BOOTSTRAP: 'true' });
  return { proc, token: await bootstrapToken(proc) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clientele-bench-log-'));
  const first = await server('summary', dir);
  const { token } = first;
  await first.proc.stop();
  if (!token) throw new Error(`no bootstrap token in:\n${first.proc.output()}`);
  const reqs: Req[] = Array.from({ length: 64 }, () => ({
    method: 'POST',
    path: '/v1/keys/verify',
    headers: { 'x-api-key': token, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  }));
  const reference = await startBaseline('essential-work.mjs');
  const rps: Record<string, number[]> = { summary: [], all: [], reference: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? (['all', 'summary'] as const) : (['summary', 'all'] as const);
      for (const mode of order) {
        const s = await server(mode, dir); // the same data directory: the same key
        try {
          await runLoad({ url: s.proc.url, requests: reqs, connections: 50, seconds: 2 });
          rps[mode]!.push((await runLoad({ url: s.proc.url, requests: reqs, connections: 50, seconds: SECONDS })).rps);
        } finally {
          await s.proc.stop();
        }
      }
      await runLoad({ url: reference.url, requests: reqs, connections: 50, seconds: 2 });
      rps.reference!.push((await runLoad({ url: reference.url, requests: reqs, connections: 50, seconds: SECONDS })).rps);
      process.stderr.write(`[bench:access-log] round ${round + 1}: summary ${fmt(rps.summary!.at(-1)!, 0)}/s, all ${fmt(rps.all!.at(-1)!, 0)}/s, reference ${fmt(rps.reference!.at(-1)!, 0)}/s\n`);
    }
  } finally {
    await reference.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const m = machine();
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
  process.stdout.write(
    [
      `Cached verify at LOG_LEVEL=info (npm run bench:access-log, ${new Date().toISOString().slice(0, 16)} UTC; ${m.nproc} cores, ${m.loadgen}, ${ROUNDS} rounds of ${SECONDS} s)`,
      '',
      '| figure | result | target |',
      '|---|---|---|',
      `| default access log (summary) ÷ essential-work reference | ${fmt(ratio(rps.summary!, rps.reference!))} | ≥ 0.8 |`,
      `| CLIENTELE_ACCESS_LOG=all ÷ essential-work reference | ${fmt(ratio(rps.all!, rps.reference!))} | — |`,
      `| summary ÷ all | ${fmt(ratio(rps.summary!, rps.all!))} | — |`,
      `| req/s (medians): summary, all, reference | ${fmt(median(rps.summary!), 0)}, ${fmt(median(rps.all!), 0)}, ${fmt(median(rps.reference!), 0)} | — |`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
