/**
 * client_counts (the exact totals of FactPulse's numbered pages) is folded at COMMIT
 * (migration 0008): a transaction that created a client in an account and has not committed
 * yet no longer blocks another transaction creating a client in the same account — before,
 * the second waited on the account's client_counts row until the first committed, holding its
 * pool connection all along (bench/mixed-load.ts). The totals stay exact: through concurrent
 * creates, a rollback, a savepoint rolled back, deletes, and a TRUNCATE in the same transaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { uuidv7 } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, describeEachBackend, testBackends } from '../support/databases.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

const insertClient = (c: pg.ClientBase | pg.Pool, accountId: string, id = uuidv7()) =>
  c.query(`INSERT INTO clients (id, account_id, name, data_key, created_at, updated_at) VALUES ($1, $2, 'c', '\\x00'::bytea, now(), now())`, [id, accountId]);

async function newAccount(c: pg.ClientBase | pg.Pool): Promise<string> {
  const id = uuidv7();
  await c.query(`INSERT INTO accounts (id, name, created_at, updated_at) VALUES ($1, 'a', now(), now())`, [id]);
  return id;
}

const counted = async (c: pg.ClientBase | pg.Pool, accountId: string) => Number((await c.query('SELECT clients FROM client_counts WHERE account_id = $1', [accountId])).rows[0]?.clients ?? NaN);
const actual = async (c: pg.ClientBase | pg.Pool, accountId: string) => Number((await c.query('SELECT count(*) AS n FROM clients WHERE account_id = $1', [accountId])).rows[0].n);

if (testBackends().includes('postgres')) {
  describe('client_counts is updated at commit [postgres]', () => {
    let drop: () => Promise<void>;
    let database: Database;

    before(async () => {
      const created = await createEmptyPostgresDatabase();
      drop = created.drop;
      database = await openDatabase({ databaseUrl: created.url, poolSize: 4 });
      await migrateToLatest(database);
    });
    after(async () => {
      await database?.close();
      await drop?.();
    });

    it('an open transaction that created a client does not block another create in the account', async () => {
      const accountId = await newAccount(database.pool);
      const first = await database.pool.connect();
      const second = await database.pool.connect();
      try {
        await first.query('BEGIN');
        await insertClient(first, accountId);
        // Before the fold moved to COMMIT this waited for `first` (lock_timeout turns the wait into an error).
        await second.query('BEGIN');
        await second.query(`SET LOCAL lock_timeout = '2s'`);
        await insertClient(second, accountId);
        await second.query('COMMIT');
        assert.equal(await counted(database.pool, accountId), 1, 'the committed create is counted; the open one not yet');
        await first.query('COMMIT');
        assert.equal(await counted(database.pool, accountId), 2);
      } finally {
        await first.query('ROLLBACK').catch(() => undefined);
        await second.query('ROLLBACK').catch(() => undefined);
        first.release();
        second.release();
      }
    });

    it('stays exact under concurrent creates, a rollback, a savepoint rolled back and deletes', async () => {
      const accountId = await newAccount(database.pool);
      await Promise.all(Array.from({ length: 40 }, () => insertClient(database.pool, accountId)));
      const c = await database.pool.connect();
      try {
        await c.query('BEGIN');
        await insertClient(c, accountId);
        await c.query('ROLLBACK');
        await c.query('BEGIN');
        await insertClient(c, accountId);
        await c.query('SAVEPOINT s');
        await insertClient(c, accountId);
        await c.query('ROLLBACK TO SAVEPOINT s');
        await c.query(`DELETE FROM clients WHERE id IN (SELECT id FROM clients WHERE account_id = $1 ORDER BY id LIMIT 3)`, [accountId]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
      assert.equal(await actual(database.pool, accountId), 38);
      assert.equal(await counted(database.pool, accountId), 38);
      assert.equal(Number((await database.pool.query('SELECT count(*) AS n FROM client_count_deltas')).rows[0].n), 0, 'no delta outlives its transaction');
    });
  });
}

describeEachBackend('client_counts after a TRUNCATE in the same transaction', ({ db }) => {
  it('the inserts before the truncate are not folded back in', async () => {
    const c = await db().pool.connect();
    try {
      const accountId = await newAccount(c);
      await c.query('BEGIN');
      await insertClient(c, accountId);
      await c.query('TRUNCATE clients CASCADE');
      await insertClient(c, accountId);
      await c.query('COMMIT');
      assert.equal(await counted(c, accountId), 1);
      assert.equal(await actual(c, accountId), 1);
    } finally {
      c.release();
    }
  });
});
