/**
 * `clientele clients import` throughput: a CSV of BENCH_ROWS rows (default 10,000; name,
 * username, e-mail, company, limits; with BENCH_PASSWORDS=1 a password too) imported by the
 * command as it ships — batches of `POST /v1/clients/batch`, its default batch size and
 * concurrency (BENCH_IMPORT_ARGS adds options) — into a fresh account, against the baseline
 * measured in the same run on the same server: the per-row path the command took before,
 * one keyed `POST /v1/clients` per row, 8 in flight, sent from this process (no CSV
 * parsing, no child process: the baseline is, if anything, flattered). It runs on the first
 * BENCH_BASELINE_ROWS rows (default: all, at most 10,000): a rate, which the size of the
 * file hardly moves.
 *
 *   node --import tsx bench/import.ts          (npm run bench:import)
 *   BENCH_ROWS=100000 BENCH_ROUNDS=1 npm run bench:import
 *
 * Embedded database (PGlite) always; PostgreSQL too when $CLIENTELE_TEST_POSTGRES_URL,
 * $DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres answers (a throw-away
 * database is created and dropped). Rounds: BENCH_ROUNDS (default 2, medians reported; the
 * order of the two passes alternates). Every pass checks that every row was created exactly once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Clientele } from '../sdk/src/index.js';
import { runCli, startCliServer, type CliServer } from '../test/support/cli.js';
import type { BackendName } from '../test/support/databases.js';
import { median } from './lib/stats.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const BASELINE_ROWS = Math.min(ROWS, Number(process.env.BENCH_BASELINE_ROWS ?? 10_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PASSWORDS = process.env.BENCH_PASSWORDS === '1';
const IMPORT_ARGS = (process.env.BENCH_IMPORT_ARGS ?? '').split(/\s+/).filter(Boolean);
/** Requests in flight of the per-row baseline (what `clients import --concurrency` defaulted to). */
const CONCURRENCY = 8;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  name: string;
  username: string;
  emailAddress: string;
  company: string;
  limits: Record<string, number>;
  password?: string;
}

function rows(tag: string, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `Client ${i}`,
    username: `${tag}-${i}`,
    emailAddress: `${tag}-${i}@bulk.test`,
    company: `Company ${i % 97}`,
    limits: { calls: i },
    ...(PASSWORDS ? { password: `password-${tag}-${i}` } : {}),
  }));
}

function csv(data: Row[]): string {
  const lines = [`name,username,emailAddress,company,limits${PASSWORDS ? ',password' : ''}`];
  for (const r of data) lines.push(`${r.name},${r.username},${r.emailAddress},${r.company},"${JSON.stringify(r.limits).replaceAll('"', '""')}"${PASSWORDS ? `,${r.password}` : ''}`);
  return `${lines.join('\n')}\n`;
}

async function count(url: string, token: string): Promise<number> {
  let n = 0;
  for await (const page of new Clientele({ baseUrl: url, apiKey: token }).clients.list({ limit: 100 }).pages()) n += page.data.length;
  return n;
}

/** The baseline: the per-row path — the same rows as keyed single creates, CONCURRENCY in flight. Rows per second. */
async function viaApi(s: CliServer, token: string, data: Row[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < data.length) {
      const row = data[next++]!;
      const res = await fetch(`${s.url}/v1/clients`, {
        method: 'POST',
        headers: { 'x-api-key': token, 'content-type': 'application/json', 'idempotency-key': `bench-${row.username}` },
        body: JSON.stringify(row),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return data.length / ((performance.now() - started) / 1000);
}

/** The command: rows per second as it reports them. */
async function viaCli(s: CliServer, token: string, data: Row[], dir: string): Promise<number> {
  const file = join(dir, `${data[0]!.username}.csv`);
  await writeFile(file, csv(data));
  const r = await runCli(['clients', 'import', file, '--json', '--no-progress', ...IMPORT_ARGS], { CLIENTELE_URL: s.url, CLIENTELE_TOKEN: token });
  if (r.code !== 0) throw new Error(`import exited ${r.code}: ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { rows: number; created: number; rowsPerSecond: number };
  if (summary.created !== data.length) throw new Error(`import created ${summary.created} of ${data.length}`);
  return summary.rowsPerSecond;
}

async function postgresAvailable(): Promise<boolean> {
  const url = process.env.CLIENTELE_TEST_POSTGRES_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    process.env.CLIENTELE_TEST_POSTGRES_URL = url;
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function bench(backend: BackendName, dir: string): Promise<void> {
  const s = await startCliServer(backend);
  try {
    const api: number[] = [];
    const cli: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, each into an account of its own.
      for (const which of round % 2 === 0 ? (['api', 'cli'] as const) : (['cli', 'api'] as const)) {
        const acc = await s.t.newAccount(`Bulk ${which} ${round}`);
        const data = rows(`${which}${round}`, which === 'api' ? BASELINE_ROWS : ROWS);
        const rate = which === 'api' ? await viaApi(s, acc.token, data) : await viaCli(s, acc.token, data, dir);
        const n = await count(s.url, acc.token);
        if (n !== data.length) throw new Error(`${which}: ${n} clients listed, ${data.length} expected`);
        (which === 'api' ? api : cli).push(rate);
        process.stderr.write(`[${backend}] round ${round + 1} ${which === 'api' ? 'per-row baseline' : 'import'}: ${fmt(rate)} rows/s\n`);
      }
    }
    const a = median(api);
    const c = median(cli);
    process.stdout.write(`| ${backend} | ${fmt(c)} | ${fmt(a)} | ${(c / a).toFixed(1)}× | ${cli.map(fmt).join(' / ')} | ${api.map(fmt).join(' / ')} |\n`);
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'clientele-bench-import-'));
  try {
    const backends: BackendName[] = ['embedded'];
    if (await postgresAvailable()) backends.push('postgres');
    else process.stderr.write('PostgreSQL not reachable: embedded only\n');
    const env = [
      `BENCH_ROWS=${ROWS}`,
      `BENCH_ROUNDS=${ROUNDS}`,
      ...(BASELINE_ROWS !== Math.min(ROWS, 10_000) ? [`BENCH_BASELINE_ROWS=${BASELINE_ROWS}`] : []),
      ...(PASSWORDS ? ['BENCH_PASSWORDS=1'] : []),
      ...(IMPORT_ARGS.length ? [`BENCH_IMPORT_ARGS='${IMPORT_ARGS.join(' ')}'`] : []),
    ];
    process.stdout.write(
      `\nclients import of ${fmt(ROWS)} CSV rows${PASSWORDS ? ' with passwords' : ''} (batches${IMPORT_ARGS.length ? `, ${IMPORT_ARGS.join(' ')}` : ', default options'}), ${ROUNDS} round(s), medians; ` +
        `baseline in the same run: the per-row path, ${fmt(BASELINE_ROWS)} rows as keyed POST /v1/clients, ${CONCURRENCY} in flight\n` +
        `reproduce: ${env.join(' ')} npm run bench:import\n\n`,
    );
    process.stdout.write('| database | import rows/s | per-row rows/s | ratio | import per round | per-row per round |\n|---|---:|---:|---:|---|---|\n');
    for (const backend of backends) await bench(backend, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
