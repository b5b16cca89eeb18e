/**
 * Maintenance for the embedded engine, which has no autovacuum: PGlite runs PostgreSQL as one
 * process, without the background workers that vacuum, analyze and freeze. Without them the
 * planner has no statistics (every estimate is a default), dead row versions and their index
 * entries are never reclaimed, and, after about two billion transactions, PostgreSQL stops
 * accepting writes to protect itself from transaction-ID wraparound.
 *
 * A pass looks at every table and runs, like autovacuum's defaults would:
 * - `VACUUM (ANALYZE)` on a table of ours never analyzed, or grown by a fifth (and 8 pages)
 *   since its last vacuum or analyze (an approximation of autovacuum's thresholds: the
 *   embedded engine does not count changes per table);
 * - `VACUUM (FREEZE, ANALYZE)` on any table, the system catalogs included, whose oldest
 *   unfrozen transaction is older than `freezeAge` (half of autovacuum_freeze_max_age).
 * The engine has one connection: a pass holds it while it runs (milliseconds on a small table,
 * seconds on one of millions of rows), so passes are spaced (CLIENTELE_EMBEDDED_MAINTENANCE_MS).
 * PostgreSQL runs its own autovacuum and needs none of this.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface MaintenanceAction {
  table: string;
  action: 'analyze' | 'freeze';
  ms: number;
}

export interface MaintenanceOptions {
  /** Transactions after which a table is frozen (default 100,000,000). */
  freezeAge?: number;
}

const FREEZE_AGE = 100_000_000;
/** Growth since the last vacuum or analyze that makes a table due, as a fraction and in pages. */
const GROWTH = 0.2;
const GROWTH_PAGES = 8;

interface TableRow {
  schema: string;
  name: string;
  ours: boolean;
  /** Pages and rows as of the last vacuum or analyze (rows -1: never). */
  relpages: number;
  reltuples: number;
  pages: number;
  xid_age: number;
}

/** One maintenance pass: what it did, in order. */
export async function maintainEmbedded(db: Kysely<DB>, options: MaintenanceOptions = {}): Promise<MaintenanceAction[]> {
  const freezeAge = options.freezeAge ?? FREEZE_AGE;
  const tables = await sql<TableRow>`
    SELECT n.nspname AS schema, c.relname AS name, n.nspname = current_schema() AS ours,
           c.relpages, c.reltuples, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
           age(c.relfrozenxid) AS xid_age
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('information_schema')
     ORDER BY age(c.relfrozenxid) DESC, c.relname`.execute(db);
  const done: MaintenanceAction[] = [];
  for (const t of tables.rows) {
    const freeze = t.xid_age > freezeAge;
    const analyze = t.ours && t.pages > 0 && (t.reltuples < 0 || t.pages > t.relpages * (1 + GROWTH) + GROWTH_PAGES);
    if (!freeze && !analyze) continue;
    const started = performance.now();
    const target = sql.id(t.schema, t.name);
    // VACUUM cannot run in a transaction block: each is a statement of its own.
    await (freeze ? sql`VACUUM (FREEZE, ANALYZE) ${target}` : sql`VACUUM (ANALYZE) ${target}`).execute(db);
    done.push({ table: t.ours ? t.name : `${t.schema}.${t.name}`, action: freeze ? 'freeze' : 'analyze', ms: Math.round(performance.now() - started) });
  }
  return done;
}

export interface EmbeddedMaintenance {
  /** Stops the schedule and waits for a pass under way. */
  stop(): Promise<void>;
}

/** Runs a pass every `intervalMs` (the first one after `firstMs`), one at a time. */
export function scheduleEmbeddedMaintenance(
  db: Kysely<DB>,
  options: MaintenanceOptions & {
    intervalMs: number;
    firstMs?: number;
    onDone?: (actions: MaintenanceAction[]) => void;
    onError?: (err: unknown) => void;
  },
): EmbeddedMaintenance {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const pass = () => {
    running = maintainEmbedded(db, options)
      .then((actions) => {
        if (actions.length > 0) options.onDone?.(actions);
      })
      .catch((err) => options.onError?.(err))
      .finally(() => {
        running = undefined;
        if (!stopped) schedule(options.intervalMs);
      });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(pass, ms);
    timer.unref();
  };
  schedule(options.firstMs ?? Math.min(options.intervalMs, 60_000));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
