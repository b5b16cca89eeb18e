/**
 * The embedded engine's maintenance (it has no autovacuum): tables that grew are vacuumed and
 * analyzed, tables with old unfrozen transactions (the system catalogs too) are frozen, and a
 * table that did not change is left alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { maintainEmbedded, scheduleEmbeddedMaintenance, type MaintenanceAction } from '../../src/storage/embedded-maintenance.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';

describe('embedded database maintenance', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openTestDatabase('embedded');
  });
  after(async () => {
    await database?.close();
  });

  const stats = async (table: string) =>
    (await sql<{ reltuples: number; relpages: number; xid_age: number }>`SELECT reltuples, relpages, age(relfrozenxid) AS xid_age FROM pg_class WHERE relname = ${table}`.execute(database.db))
      .rows[0]!;
  const fill = (rows: number, from = 0) =>
    sql`INSERT INTO server_secrets (name, value, created_at) SELECT 'test-' || g, '\\x00'::bytea, now() FROM generate_series(${from}::int, ${from + rows - 1}::int) AS g`.execute(database.db);

  it('analyzes a table never analyzed, then leaves it alone until it grows by a fifth', async () => {
    await fill(5000);
    assert.ok((await stats('server_secrets')).reltuples < 0, 'never analyzed before the pass');
    const first = await maintainEmbedded(database.db);
    assert.ok(
      first.some((a) => a.table === 'server_secrets' && a.action === 'analyze'),
      JSON.stringify(first),
    );
    const analyzed = await stats('server_secrets');
    assert.ok(analyzed.reltuples >= 4500, `statistics now count the rows (${analyzed.reltuples})`);

    const second = await maintainEmbedded(database.db);
    assert.deepEqual(
      second.filter((a) => a.table === 'server_secrets'),
      [],
      'unchanged since: nothing to do',
    );

    await fill(200, 5000); // under a fifth more
    assert.deepEqual(
      (await maintainEmbedded(database.db)).filter((a) => a.table === 'server_secrets'),
      [],
    );
    await fill(3000, 5200);
    const grown = await maintainEmbedded(database.db);
    assert.deepEqual(
      grown.filter((a) => a.table === 'server_secrets').map((a) => a.action),
      ['analyze'],
    );
    assert.ok((await stats('server_secrets')).reltuples >= 7500);
  });

  it('freezes every table past the age, the system catalogs included, so the database stays clear of wraparound', async () => {
    const actions = await maintainEmbedded(database.db, { freezeAge: 0 });
    const frozen = new Set(actions.filter((a) => a.action === 'freeze').map((a) => a.table));
    assert.ok(frozen.has('server_secrets') && frozen.has('pg_catalog.pg_class'), [...frozen].join(', '));
    const db = await sql<{ age: number }>`SELECT age(datfrozenxid) AS age FROM pg_database WHERE datname = current_database()`.execute(database.db);
    assert.ok(db.rows[0]!.age < 100, `the database's oldest unfrozen transaction is recent (${db.rows[0]!.age})`);
  });

  it('runs on a schedule, one pass at a time, and stop waits for the pass under way', async () => {
    await fill(4000, 100_000);
    const passes: MaintenanceAction[][] = [];
    const schedule = scheduleEmbeddedMaintenance(database.db, { intervalMs: 60_000, firstMs: 5, onDone: (a) => passes.push(a), onError: (err) => assert.fail(String(err)) });
    const deadline = Date.now() + 5000;
    while (passes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await schedule.stop();
    assert.equal(passes.length, 1);
    assert.ok(passes[0]!.some((a) => a.table === 'server_secrets'));
  });

  it('is on by default, every 10 minutes; 0 turns it off', () => {
    assert.equal(loadConfig({}).embeddedMaintenanceMs, 600_000);
    assert.equal(loadConfig({ CLIENTELE_EMBEDDED_MAINTENANCE_MS: '0' }).embeddedMaintenanceMs, 0);
  });
});
