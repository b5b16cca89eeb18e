/**
 * `npm run bench:seed`: the 1,000,000-client benchmark database, through the real CLI
 * (`clientele init`, then `clientele seed`). Idempotent: an already seeded database is kept,
 * a partly seeded one is topped up.
 *
 *   BENCH_PG_URL   admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_DB       database name (default clientele_bench)
 *   BENCH_CLIENTS  clients to have (default 1,000,000), one key each
 */
import { spawnSync } from 'node:child_process';
import { BENCH_CLIENTS, BENCH_DB, BENCH_EMAIL, BENCH_MASTER_KEY, dbUrl, ensureDatabase, SECRET_SEED, seededClients } from './lib/database.js';
import { ROOT } from './lib/processes.js';

function cli(args: string[], name: string): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DATABASE_URL: dbUrl(name), CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY, LOG_LEVEL: 'warn' },
    timeout: 30 * 60_000,
  });
  if (r.status !== 0) throw new Error(`clientele ${args[0]} failed (exit ${r.status})`);
}

/** Makes sure `name` holds `clients` seeded clients in the benchmark account; returns how many it added. */
export async function ensureSeeded(name: string, clients: number, log: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  await ensureDatabase(name);
  let have = await seededClients(name);
  const hasAccount = await (async () => {
    const { withPg } = await import('./lib/database.js');
    return withPg(dbUrl(name), async (c) => {
      const t = await c.query(`SELECT to_regclass('users') IS NOT NULL AS ok`);
      if (!t.rows[0].ok) return false;
      return ((await c.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [BENCH_EMAIL])).rowCount ?? 0) > 0;
    });
  })();
  if (!hasAccount) {
    log(`[bench:seed] ${name}: creating the benchmark account (${BENCH_EMAIL})`);
    cli(['init', '--account', 'Benchmark', '--email', BENCH_EMAIL, '--json'], name);
    have = 0;
  }
  if (have >= clients) {
    log(`[bench:seed] ${name}: ${have.toLocaleString('en-US')} clients already seeded, kept`);
    return 0;
  }
  const missing = clients - have;
  log(`[bench:seed] ${name}: seeding ${missing.toLocaleString('en-US')} clients (have ${have.toLocaleString('en-US')})`);
  const t = performance.now();
  cli(['seed', '--clients', String(missing), '--account-email', BENCH_EMAIL, '--secret-seed', SECRET_SEED, '--batch-size', '5000'], name);
  log(`[bench:seed] ${name}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureSeeded(BENCH_DB, BENCH_CLIENTS);
}
