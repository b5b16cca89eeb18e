/**
 * The benchmark databases: their names and sizes, the fixed master key and seed of their
 * generated data, and the few admin operations the benchmarks need (create, drop, count).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** Admin URL of the PostgreSQL the benchmarks use (CREATE DATABASE rights). */
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_DB = process.env.BENCH_DB ?? 'clientele_bench';
export const SMALL_DB = `${BENCH_DB}_small`;
export const BENCH_CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1_000_000);
export const SMALL_CLIENTS = 10_000;
export const BENCH_EMAIL = 'bench@clientele.local';
/** Seeded keys' secrets derive from this (clientele seed --secret-seed): benchmark data only. */
export const SECRET_SEED = 'clientele-bench';
/** Fixed master key of the benchmark databases (they hold nothing but generated data). */
export const BENCH_MASTER_KEY = createHash('sha256').update('clientele-bench-master-key').digest('base64');

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Creates the database when missing; true when it was created. */
export async function ensureDatabase(name: string): Promise<boolean> {
  return withPg(PG_ADMIN_URL, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount) return false;
    await c.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

/** Clients already in the benchmark account (0 when the database or account is missing). */
export async function seededClients(name: string): Promise<number> {
  try {
    return await withPg(dbUrl(name), async (c) => {
      const r = await c.query(`SELECT count(*)::int AS n FROM clients WHERE account_id = (SELECT account_id FROM users WHERE lower(email) = lower($1))`, [BENCH_EMAIL]);
      return (r.rows[0]?.n as number | undefined) ?? 0;
    });
  } catch {
    return 0;
  }
}
