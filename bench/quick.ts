/**
 * One comparison at a time, for iterating on a change (not part of `npm run bench`; the
 * figures of record come from bench/run.ts). Subject and baseline alternate for `rounds`
 * rounds and the medians are printed.
 *
 *   node --import tsx bench/quick.ts <verify|get|grant|uncached-get|uncached-verify> [rounds] [seconds]
 *
 * Cached kinds compare with the node:http hello-world, and show two references: a bare
 * Fastify hello-world (the framework's own ceiling) and bench/baselines/essential-work.mjs
 * (node:http doing only the unavoidable work of the request); uncached ones compare with the
 * minimal Fastify + pg baseline (and show it with prepared statements as a reference).
 * Server CPU per request (from /proc, Linux) is printed too: it is much steadier than req/s;
 * so is the CPU all PostgreSQL processes used per request during the run.
 * Extra environment for the Clientele server: QUICK_ENV='{"NODE_OPTIONS":"..."}'.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { BENCH_CLIENTS, BENCH_DB, BENCH_MASTER_KEY } from './lib/database.js';
import { runLoad, type Req } from './lib/load.js';
import { waitForQuiet } from './lib/noise.js';
import { startBaseline, startClientele, type Proc } from './lib/processes.js';
import { dropRunKey, fixture, getClientReqs, grantReqs, verifyReqs } from './fixtures.js';
import { median } from './lib/stats.js';

const kind = process.argv[2] ?? 'verify';
const rounds = Number(process.argv[3] ?? 3);
const seconds = Number(process.argv[4] ?? 6);
const uncached = kind.startsWith('uncached');
/** CPU time (user + system, ms) a process has used so far: steadier than req/s on a busy machine. */
const cpuMs = (pid: number, part: 'user' | 'system' | 'both' = 'both') => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const user = Number(f[11]);
  const system = Number(f[12]);
  return ((part === 'user' ? user : part === 'system' ? system : user + system) * 1000) / 100;
};

/** CPU time (ms) used so far by every PostgreSQL process on this machine (the database's share of a run). */
const postgresCpuMs = () => {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += cpuMs(Number(pid));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
};

const f = await fixture(BENCH_DB, BENCH_CLIENTS, uncached ? 20_000 : 1000);
const reqs: Req[] = kind.endsWith('verify') ? verifyReqs(f, uncached ? 20_000 : 1000) : kind === 'grant' ? grantReqs(f, 1000) : getClientReqs(f, uncached ? 20_000 : 1000);
const procs: Record<string, Proc> = {};
try {
  procs.clientele = await startClientele({
    DATABASE_URL: f.url,
    CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY,
    ...(uncached ? { CLIENTELE_CACHE: 'false' } : {}),
    ...JSON.parse(process.env.QUICK_ENV ?? '{}'),
  });
  if (uncached) {
    const env = { DATABASE_URL: f.url, ACCOUNT_ID: f.accountId, BASELINE_QUERIES: '2' };
    procs['fastify+pg'] = await startBaseline('fastify-pg.mjs', env, '/readyz');
    procs['prepared f+pg'] = await startBaseline('fastify-pg.mjs', { ...env, BASELINE_PREPARED: '1' }, '/readyz');
  } else {
    procs.hello = await startBaseline('hello.mjs');
    procs['fastify hello'] = await startBaseline('fastify-hello.mjs');
    if (kind !== 'grant') procs['essential work'] = await startBaseline('essential-work.mjs');
  }
  const rps: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const sys: Record<string, number[]> = {};
  const db: Record<string, number[]> = {};
  const add = (series: Record<string, number[]>, name: string, value: number) => {
    series[name] = [...(series[name] ?? []), value];
  };
  for (let r = 0; r < rounds; r++) {
    for (const [name, p] of Object.entries(procs)) {
      await waitForQuiet();
      const spec = { url: p.url, requests: reqs, connections: 50 };
      await runLoad({ ...spec, seconds: 2 });
      const cpu0 = cpuMs(p.pid);
      const sys0 = cpuMs(p.pid, 'system');
      const db0 = postgresCpuMs();
      const res = await runLoad({ ...spec, seconds });
      add(rps, name, res.rps);
      add(cpu, name, ((cpuMs(p.pid) - cpu0) * 1000) / res.requests);
      add(sys, name, ((cpuMs(p.pid, 'system') - sys0) * 1000) / res.requests);
      add(db, name, ((postgresCpuMs() - db0) * 1000) / res.requests);
      if (res.errors) console.log(`  ${name}: ${res.errors} errors`);
    }
    console.log(
      `round ${r + 1}: ${Object.entries(rps)
        .map(([n, xs]) => `${n} ${Math.round(xs.at(-1)!)}`)
        .join(' | ')}`,
    );
  }
  const base = median(rps[uncached ? 'fastify+pg' : 'hello']!);
  for (const [n, xs] of Object.entries(rps))
    console.log(
      `${n.padEnd(14)} median ${Math.round(median(xs))} req/s, ratio ${(median(xs) / base).toFixed(2)}; server CPU ${median(cpu[n]!).toFixed(1)} µs/request (${median(sys[n]!).toFixed(1)} in the kernel), PostgreSQL CPU ${median(db[n]!).toFixed(1)} µs/request`,
    );
  procs.clientele.sampleRss();
  console.log(`clientele RSS now ${procs.clientele.sampleRss()} MB, peak ${procs.clientele.peakRssMb} MB`);
} finally {
  await Promise.all(Object.values(procs).map((p) => p.stop()));
  await dropRunKey(f);
}
