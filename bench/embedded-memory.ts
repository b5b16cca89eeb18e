/**
 * `npm run bench:memory`: the embedded (PGlite) server's RSS when `/readyz` first answers 200,
 * as `npm start` runs it (the dist/ bundle, built first, with the V8 flags of package.json),
 * on a new data directory (created, migrated and bootstrapped by that start) and on an
 * existing one, against a node:http hello-world (bench/baselines/hello.mjs) measured in the
 * same run. The rounds alternate hello-world, new, existing.
 *
 *   BENCH_ROUNDS   starts of each process (default 5); median, min and max are printed
 *   BENCH_WRITE    0: only print; otherwise the table is also written to bench/RESULTS.md
 *                  (its "bench:memory" section, under "Start-up to ready … and RSS")
 *
 * Target: < 250 MB at ready in both cases.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startBaseline, startClientele, startFlags, type Proc } from './lib/processes.js';
import { median } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (s: string) => process.stderr.write(`[bench:memory] ${s}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

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

if (process.env.BENCH_WRITE !== '0') {
  const START = '<!-- bench:memory:start (written by bench/embedded-memory.ts) -->';
  const END = '<!-- bench:memory:end -->';
  const worst = Math.max(median(fresh.rssMb), median(existing.rssMb));
  const section = [
    START,
    '',
    `#### The embedded server's RSS at ready, ${ROUNDS} starts of each (\`npm run bench:memory\`, ${new Date().toISOString().slice(0, 10)})`,
    '',
    ...lines,
    '',
    `As \`npm start\` runs it: \`node ${startFlags().join(' ')} dist/main.js serve\`. New: a new data directory each start (created and migrated by a \`clientele migrate\` child process, then the bootstrap account); existing: one directory reopened. Target < 250 MB at ready in both cases: **${worst < 250 ? 'met' : 'missed'}** (medians). What is measured: bench/README.md, "Embedded memory at start".`,
    '',
    END,
  ].join('\n');
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  let text = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const core = '<!-- bench:core:end -->';
  if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + END.length);
  else if (text.includes(core)) text = text.replace(core, `${core}\n\n${section}`);
  else text = `${text.replace(/\s*$/, '\n\n')}${section}\n`;
  await writeFile(file, text);
  log('written to bench/RESULTS.md');
}
