/**
 * Profiling helper (not part of `npm run bench`): runs one Clientele server under
 * `node --cpu-prof`, loads it with one request kind for a few seconds, stops it and prints
 * the functions with the most self time. Needs the benchmark database (npm run bench:seed).
 *
 *   node --import tsx bench/profile.ts <verify|get|grant|uncached-get|uncached-verify> [seconds] [--baseline]
 *
 * With `--baseline`, the uncached kinds profile the minimal Fastify + pg baseline instead (the
 * same requests), so the two profiles can be set side by side.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropRunKey, fixture, getClientReqs, grantReqs, verifyReqs } from './fixtures.js';
import { BENCH_CLIENTS, BENCH_DB, BENCH_MASTER_KEY } from './lib/database.js';
import { runLoad, type Req } from './lib/load.js';
import { buildServer, freePort, startNode } from './lib/processes.js';

const kind = process.argv[2] ?? 'verify';
const seconds = Number(process.argv.slice(3).find((a) => !a.startsWith('--')) ?? 8);
const baseline = process.argv.includes('--baseline');
if (baseline && !kind.startsWith('uncached')) throw new Error('--baseline profiles the Fastify + pg baseline: uncached kinds only');
const fx = await fixture(BENCH_DB, BENCH_CLIENTS, 1000);
const reqs: Req[] = kind.endsWith('verify') ? verifyReqs(fx, 1000) : kind === 'grant' ? grantReqs(fx, 1000) : getClientReqs(fx, 1000);
await buildServer();

const dir = await mkdtemp(path.join(tmpdir(), 'clientele-prof-'));
const port = await freePort();
const server = baseline
  ? await startNode(
      ['--cpu-prof', '--cpu-prof-dir', dir, 'bench/baselines/fastify-pg.mjs'],
      {
        DATABASE_URL: fx.url,
        PORT: String(port),
        ACCOUNT_ID: fx.accountId,
        BASELINE_QUERIES: '2',
      },
      port,
      '/readyz',
    )
  : await startNode(
      ['--cpu-prof', '--cpu-prof-dir', dir, 'dist/main.js', 'serve'],
      {
        DATABASE_URL: fx.url,
        CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        CLIENTELE_BOOTSTRAP: 'false',
        ...(kind.startsWith('uncached') ? { CLIENTELE_CACHE: 'false' } : {}),
      },
      port,
      '/readyz',
    );
await runLoad({ url: server.url, requests: reqs, connections: 50, seconds: 2 });
const r = await runLoad({ url: server.url, requests: reqs, connections: 50, seconds });
await server.stop();
await dropRunKey(fx);
console.log(`${baseline ? 'fastify+pg ' : ''}${kind}: ${Math.round(r.rps)} req/s, p99 ${r.p99ms} ms, errors ${r.errors}; profile in ${dir}`);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))!;
const prof = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
prof.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  const f = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '') || '(native)';
  const key = `${n.callFrame.functionName || '(anon)'} ${f}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  const pkg = f.startsWith('src/')
    ? f
    : f
        .split('/')
        .slice(0, f.startsWith('@') ? 2 : 1)
        .join('/');
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + t);
}
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`\nself time by function:\n${top(byFn, 35)}\n\nby package / file:\n${top(byFile, 25)}`);
