/**
 * `npm run bench:memory`: the embedded (PGlite) server's RSS when `/readyz` first answers 200,
 * as `npm start` runs it (the dist/ bundle, built first, with the V8 flags of package.json),
 * on a new data directory (created, migrated and bootstrapped by that start) and on an
 * existing one, against a node:http hello-world (bench/baselines/hello.mjs) measured in the
 * same run. The rounds alternate hello-world, new, existing.
 *
 *   BENCH_ROUNDS   starts of each process (default 5); median, min and max are printed
 *
 * Target (bench/RESULTS.md): < 250 MB at ready in both cases.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBaseline, startClientele, startFlags, type Proc } from './lib/processes.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (s: string) => process.stderr.write(`[bench:memory] ${s}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Series {
  label: string;
  rssMb: number[];
  readyMs: number[];
}

async function once(series: Series, start: () => Promise<Proc>): Promise<void> {
  const proc = await start();
  try {
    series.rssMb.push(proc.readyRssMb);
    series.readyMs.push(proc.readyMs);
    log(`  ${series.label}: ${fmt(proc.readyRssMb)} MB at ready, ${fmt(proc.readyMs)} ms`);
  } finally {
    await proc.stop();
  }
}

const root = await mkdtemp(path.join(tmpdir(), 'clientele-bench-memory-'));
const hello: Series = { label: 'node:http hello-world', rssMb: [], readyMs: [] };
const fresh: Series = { label: 'Clientele, embedded, new data directory', rssMb: [], readyMs: [] };
const existing: Series = { label: 'Clientele, embedded, existing data directory', rssMb: [], readyMs: [] };
const embedded = (dataDir: string) => () => startClientele({ CLIENTELE_DATA_DIR: dataDir, CLIENTELE_BOOTSTRAP: 'true' });
try {
  log(`node ${startFlags().join(' ')} dist/main.js serve, ${ROUNDS} round(s)`);
  const existingDir = path.join(root, 'existing');
  // The existing directory: made by one start (not measured), then reopened each round.
  await (await embedded(existingDir)()).stop();
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}`);
    await once(hello, () => startBaseline('hello.mjs'));
    const dir = path.join(root, `new-${round}`);
    await once(fresh, embedded(dir));
    await rm(dir, { recursive: true, force: true });
    await once(existing, embedded(existingDir));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const base = median(hello.rssMb);
const lines = [
  '| process | RSS at ready MB (median) | min | max | ratio to hello-world | ready ms (median) |',
  '|---|---:|---:|---:|---:|---:|',
  ...[hello, fresh, existing].map(
    (s) => `| ${s.label} | ${fmt(median(s.rssMb))} | ${fmt(Math.min(...s.rssMb))} | ${fmt(Math.max(...s.rssMb))} | ${fmt(median(s.rssMb) / base, 1)} | ${fmt(median(s.readyMs))} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
