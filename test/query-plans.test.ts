/**
 * Every list, search and lookup the code issues stays indexed at scale (docs/design.md §5).
 *
 * Seeds a PostgreSQL database with 50,000 clients and keys across two accounts (through the
 * `clientele seed` core, 45,000 / 5,000 so one account holds most of the table), plus events,
 * usage counters, integration credentials and webhook deliveries; VACUUM ANALYZE (what
 * autovacuum does in production). Then it calls the real store methods, captures the SQL
 * they send (Kysely's query log), and runs `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` on it
 * (plain EXPLAIN for writes) with the same parameters. Asserted:
 *   - no `Seq Scan` on a big table, in any plan;
 *   - bounded queries (everything but the inherently linear ones, marked `linear`) examine
 *     a bounded number of rows: rows read by scans ≤ 4 × LIMIT + a small constant,
 *     whatever the table size.
 * PostgreSQL only (PGlite runs the same SQL and planner, but a WASM engine is not where
 * scale matters); about 10 s.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { analyzeSeeded, seedClients, seededSecret } from '../src/cli/seed.js';
import { clientDataKeyAad } from '../src/core/clients.js';
import { noCache } from '../src/core/cache.js';
import type { CoreContext } from '../src/core/context.js';
import type { Store } from '../src/core/ports.js';
import { checkCredential } from '../src/core/verification.js';
import { unwrapDataKey } from '../src/crypto/data-keys.js';
import { createKeyring } from '../src/crypto/envelope.js';
import { generateKeyId } from '../src/crypto/key-format.js';
import { uuidv7 } from '../src/crypto/random.js';
import { STEP } from '../src/storage/page-anchors.js';
import type { DB } from '../src/storage/schema.js';
import { keyWithClientById } from '../src/storage/sql-hot-reads.js';
import { createSqlStore } from '../src/storage/sql-store.js';
import { openTestDatabase, testBackends, type TestDatabase } from './support/databases.js';

const BIG_TABLES = new Set(['clients', 'api_keys', 'events', 'usage_counters', 'webhook_deliveries', 'integration_credentials']);
const A_CLIENTS = 45_000;
const B_CLIENTS = 5_000;
const SECRET_SEED = 'query-plans';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

interface Explained {
  sql: string;
  scans: Array<{ node: string; relation?: string; index?: string; rows?: number }>;
  /** Rows produced or filtered away by scan nodes: the work, whatever the limit. */
  rowsRead?: number;
  ms?: number;
}

function walk(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
  return out;
}

const postgres = testBackends().includes('postgres');

describe('query plans at scale [postgres]', { skip: postgres ? false : 'PostgreSQL not available' }, () => {
  let database: TestDatabase;
  let store: Store;
  let captured: CompiledQuery[] = [];
  const keyring = createKeyring(randomBytes(32));
  const pepper = randomBytes(32);
  const A = uuidv7();
  const B = uuidv7();
  let midClient = '';
  let lastClientOfA = '';
  let someKey = '';
  let endpointId = '';
  let midEvent = '';
  const report: string[] = [];

  before(async () => {
    database = await openTestDatabase('postgres');
    const logged = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: database.pool }),
      log: (e) => {
        if (e.level === 'query') captured.push(e.query);
      },
    });
    store = createSqlStore(logged);
    const now = new Date();
    for (const id of [A, B]) await store.accounts.insert({ id, name: id === A ? 'big' : 'small', requireTwoFactor: false, ratelimits: [], createdAt: now, updatedAt: now });
    const seed = { keyring, pepper, secretSeed: SECRET_SEED, batchSize: 5000 };
    await seedClients(database.db, { ...seed, accountId: A, clients: A_CLIENTS, prefix: 'a-' });
    await seedClients(database.db, { ...seed, accountId: B, clients: B_CLIENTS, prefix: 'b-' });
    // A few account-level keys among the 50,000 client keys.
    for (let i = 0; i < 3; i++) {
      await store.apiKeys.insert({
        keyId: generateKeyId(),
        accountId: A,
        clientId: null,
        name: 'account',
        isPrimary: i === 0,
        enabled: true,
        scopes: [],
        permissions: ['*'],
        ratelimits: [],
        secretHash: randomBytes(32),
        secretHint: 'xxxx',
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        expiresAt: null,
        lastUsedAt: null,
        useCount: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
    const db = database.db;
    // Two events per client (audit log), usage counters, integration credentials for one
    // client in ten, one webhook endpoint per account with ~60,000 deliveries (nearly all done).
    await sql`
      INSERT INTO events (id, account_id, client_id, type, actor, data, created_at)
      SELECT gen_random_uuid(), c.account_id, c.id, t.type, '{"type":"key","id":"x"}', '{}', c.created_at
        FROM clients c CROSS JOIN (VALUES ('client.created'), ('key.created')) AS t(type)`.execute(db);
    await sql`
      INSERT INTO events (id, account_id, client_id, type, actor, data, created_at)
      SELECT gen_random_uuid(), ${A}::uuid, NULL, 'account.updated', '{}', '{}', now() FROM generate_series(1, 2000)`.execute(db);
    await sql`
      INSERT INTO usage_counters (account_id, client_id, metric, period, dimension, value, updated_at)
      SELECT c.account_id, c.id, 'calls', p.period, '', 1, now()
        FROM clients c CROSS JOIN (VALUES ('all'), (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM'))) AS p(period)`.execute(db);
    await sql`
      INSERT INTO integration_credentials (id, account_id, client_id, kind, settings, encryption_mode, secrets, created_at, updated_at)
      SELECT gen_random_uuid(), c.account_id, c.id, 'pdp', '{}', 'fernet', '\\x00'::bytea, now(), now()
        FROM clients c WHERE c.username LIKE '%0'`.execute(db);
    endpointId = uuidv7();
    await sql`
      INSERT INTO webhook_endpoints (id, account_id, url, events, client_id, format, enabled, created_at, updated_at)
      VALUES (${endpointId}::uuid, ${A}::uuid, 'https://hooks.example.test/', NULL, NULL, 'native', true, now(), now()),
             (gen_random_uuid(), ${B}::uuid, 'https://hooks.example.test/', NULL, NULL, 'native', true, now(), now())`.execute(db);
    await sql`
      INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, event_type, client_id, status, attempts,
                                      next_attempt_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${A}::uuid, ${endpointId}::uuid, e.id, e.type, e.client_id,
             CASE WHEN random() < 0.002 THEN 'pending' ELSE 'succeeded' END, 1,
             now() - interval '1 hour' * random(), now(), now()
        FROM events e WHERE e.account_id = ${A}::uuid AND e.type = 'client.created'`.execute(db);
    await analyzeSeeded(db);
    await sql`VACUUM (ANALYZE) events, usage_counters, integration_credentials, webhook_deliveries, webhook_endpoints`.execute(db);

    const pick = async (q: string) => (await database.pool.query(q, [A])).rows[0] as Record<string, string>;
    midClient = (await pick(`SELECT id FROM clients WHERE account_id = $1 ORDER BY id OFFSET ${A_CLIENTS / 2} LIMIT 1`)).id!;
    lastClientOfA = (await pick(`SELECT id FROM clients WHERE account_id = $1 ORDER BY id DESC LIMIT 1`)).id!;
    someKey = (await pick(`SELECT key_id FROM api_keys WHERE account_id = $1 AND client_id IS NOT NULL ORDER BY key_id OFFSET 1234 LIMIT 1`)).key_id!;
    midEvent = (await pick(`SELECT id FROM events WHERE account_id = $1 ORDER BY id OFFSET 20000 LIMIT 1`)).id!;
  });

  after(async () => {
    if (report.length) process.stdout.write(`\n# query plans (${A_CLIENTS + B_CLIENTS} clients)\n${report.join('\n')}\n`);
    await database?.close();
  });

  async function explain(q: CompiledQuery): Promise<Explained> {
    // A write, or a statement whose CTE writes (EXPLAIN ANALYZE would run it).
    const write = /(^|\(|\bAS\s*\()\s*(update|insert|delete)\b/i.test(q.sql);
    const prefix = write ? 'EXPLAIN (FORMAT JSON) ' : 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ';
    const r = await database.pool.query(prefix + q.sql, q.parameters as unknown[]);
    const root = (r.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode; 'Execution Time'?: number }>)[0]!;
    const nodes = walk(root.Plan);
    const scans = nodes.filter((n) => /Scan/.test(n['Node Type']));
    const rowsRead = write
      ? undefined
      : scans.reduce((s, n) => s + ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * (n['Actual Loops'] ?? 1), 0);
    return {
      sql: q.sql.replace(/\s+/g, ' ').slice(0, 160),
      scans: scans.map((n) => ({
        node: n['Node Type'],
        ...(n['Relation Name'] ? { relation: n['Relation Name'] } : {}),
        ...(n['Index Name'] ? { index: n['Index Name'] } : {}),
        ...(n['Actual Rows'] !== undefined ? { rows: n['Actual Rows'] } : {}),
      })),
      ...(rowsRead !== undefined ? { rowsRead } : {}),
      ...(root['Execution Time'] !== undefined ? { ms: root['Execution Time'] } : {}),
    };
  }

  /**
   * Runs `call` against the store, explains every statement it sent, and checks them.
   * `maxRows`: bound on rows read per statement (undefined = linear by nature, only no seq scan).
   */
  async function check(name: string, call: (() => Promise<unknown>) | CompiledQuery, maxRows: number | undefined, allowSeqScan = false): Promise<Explained[]> {
    captured = [];
    if (typeof call === 'function') await call();
    const queries = typeof call === 'function' ? captured : [call];
    captured = [];
    assert.ok(queries.length > 0, `${name}: no SQL captured`);
    const out: Explained[] = [];
    for (const q of queries) {
      const e = await explain(q);
      out.push(e);
      const scans = e.scans.map((s) => `${s.node}${s.index ? ` ${s.index}` : s.relation ? ` on ${s.relation}` : ''}`).join(', ');
      report.push(`- ${name}: ${scans}${e.rowsRead !== undefined ? `; rows read ${e.rowsRead}` : ''}${e.ms !== undefined ? `; ${e.ms.toFixed(2)} ms` : ''}`);
      const seq = e.scans.filter((s) => s.node === 'Seq Scan' && s.relation && BIG_TABLES.has(s.relation));
      if (!allowSeqScan) assert.deepEqual(seq, [], `${name}: sequential scan on a big table in\n${e.sql}\n${JSON.stringify(e.scans)}`);
      if (maxRows !== undefined && e.rowsRead !== undefined) assert.ok(e.rowsRead <= maxRows, `${name}: read ${e.rowsRead} rows (bound ${maxRows}) in\n${e.sql}\n${JSON.stringify(e.scans)}`);
    }
    return out;
  }

  test('seeded rows are valid: the data key unwraps, a derived token verifies', async () => {
    const c = await store.clients.get(A, midClient);
    assert.ok(c);
    assert.equal(unwrapDataKey(keyring, c.dataKey, clientDataKeyAad(A, c.id)).length, 32);
    const ctx = { store, pepper, keyring, now: () => new Date(), cache: noCache } as unknown as CoreContext;
    const check = await checkCredential(ctx, someKey, seededSecret(SECRET_SEED, someKey));
    assert.equal(check.code, 'VALID');
    assert.equal(check.key?.isPrimary, true);
    assert.equal((await checkCredential(ctx, someKey, 'x'.repeat(43))).code, 'NOT_FOUND');
  });

  test('clients: native cursor pages, filters, lookups', async () => {
    const L = 21; // listClients asks for limit + 1
    const bound = 4 * L + 10;
    await check('clients.list first page', () => store.clients.list(A, { limit: L }), bound);
    await check('clients.list deep cursor', () => store.clients.list(A, { limit: L, afterId: midClient }), bound);
    await check('clients.list isActive=false', () => store.clients.list(A, { limit: L, isActive: false }), bound);
    await check('clients.list isActive=true + cursor', () => store.clients.list(A, { limit: L, isActive: true, afterId: midClient }), bound);
    await check('clients.list username=', () => store.clients.list(A, { limit: L, username: 'A-777' }), bound);
    await check('clients.list emailAddress=', () => store.clients.list(A, { limit: L, emailAddress: 'a-778@seed.clientele.test' }), bound);
    await check('clients.list username= + cursor', () => store.clients.list(A, { limit: L, username: 'a-30000', afterId: midClient }), bound);
    // The small account: its rows are 10 % of the table, all after the big account's ids.
    await check('clients.list first page (small account)', () => store.clients.list(B, { limit: L }), bound);
    await check('clients.list isActive=true (small account)', () => store.clients.list(B, { limit: L, isActive: true }), bound);
    await check('clients.list emailAddress= (small account)', () => store.clients.list(B, { limit: L, emailAddress: 'b-12@seed.clientele.test' }), bound);
    await check('clients.findByUsername (small account)', () => store.clients.findByUsername(B, 'b-4321'), 10);
    // CCM19 lookups: by-username, clientgetid (username, then e-mail).
    await check('clients.findByUsername (CCM19)', () => store.clients.findByUsername(A, 'a-12345'), 10);
    await check(
      'clients.get / getById / getForUpdate',
      async () => {
        await store.clients.get(A, midClient);
        await store.clients.getById(midClient);
        await store.clients.getForUpdate(A, midClient);
      },
      10,
    );
    // CCM19's unpaginated list streams keyset batches of 500.
    await check('clients.list CCM19 stream batch', () => store.clients.list(A, { limit: 501, afterId: midClient }), 4 * 501 + 10);
  });

  test('clients: substring search (q) is bounded: an id-order walk for a frequent term, the trigram index for a rare one', async () => {
    // A frequent term: walking the clients in id order stops at LIMIT matches. A rare one:
    // the trigram index of migration 0016 finds the few candidates, whatever the account's size.
    await check('clients.list q= (frequent term)', () => store.clients.list(A, { limit: 21, q: 'seed client' }), 4 * 21 + 10);
    await check('clients.list q= (rare term)', () => store.clients.list(A, { limit: 21, q: 'a-44999' }), 200);
    await check('clients.list q= (rare term, small account)', () => store.clients.list(B, { limit: 21, q: 'b-4999' }), 200);
  });

  test('FactPulse numbered pages: the total, page anchors, deep pages', async () => {
    // The first deep page builds the account's page anchors: one index-only scan of the
    // account, linear by nature, once per version of its id order.
    const build = await check('clients.listPage first deep page (builds the page anchors)', () => store.clients.listPage(A, 40_000, 20), undefined);
    for (const e of build)
      assert.ok(
        e.scans.every((s) => !s.relation || s.index),
        `a table read without an index: ${JSON.stringify(e.scans)}`,
      );
    // Then any page, at any depth: the total by primary key, and fewer than STEP ids skipped.
    const bound = STEP + 2 * 20 + 10;
    const page = await store.clients.listPage(A, 40_000, 20);
    assert.equal(page.rows.length, 20);
    assert.equal(page.total, A_CLIENTS);
    await check('clients.listPage offset 40,000 (FactPulse)', () => store.clients.listPage(A, 40_000, 20), bound);
    await check('clients.listPage offset 22,999 (FactPulse)', () => store.clients.listPage(A, 22_999, 20), bound);
    await check('clients.listPage last page (FactPulse)', () => store.clients.listPage(A, A_CLIENTS - 20, 20), bound);
    assert.equal((await store.clients.listPage(A, A_CLIENTS - 1, 20)).rows.at(-1)?.id, lastClientOfA);

    // After the version moves, concurrent deep pages share one rebuild of the anchors.
    await sql`UPDATE client_counts SET version = version + 1 WHERE account_id = ${A}`.execute(database.db);
    captured = [];
    const pages = await Promise.all([10_000, 20_000, 30_000, 40_000].map((offset) => store.clients.listPage(A, offset, 20)));
    assert.ok(pages.every((p) => p.rows.length === 20));
    assert.equal(captured.filter((q) => q.sql.includes('row_number()')).length, 1, 'one anchor scan');
    captured = [];
  });

  test('keys: by id, of a client, of the account, primary, counts, usage flush', async () => {
    const client = await store.clients.get(A, midClient);
    assert.ok(client);
    await check('apiKeys.get (verification)', () => store.apiKeys.get(someKey), 10);
    // What a verification cache miss runs on the pool (src/storage/sql-hot-reads.ts).
    await check('apiKeys.getWithClient (verification miss: key + client, one read)', keyWithClientById(database.db, someKey).compile(), 10);
    await check('apiKeys.getForUpdate', () => store.apiKeys.getForUpdate(A, someKey), 10);
    await check('apiKeys.list of a client', () => store.apiKeys.list(A, { limit: 21, clientId: midClient }), 4 * 21 + 10);
    await check('apiKeys.list account page', () => store.apiKeys.list(A, { limit: 21 }), 4 * 21 + 10);
    await check('apiKeys.list account page (small account)', () => store.apiKeys.list(B, { limit: 21 }), 4 * 21 + 10);
    await check('apiKeys.list client-owned + cursor', () => store.apiKeys.list(A, { limit: 21, clientOwned: true, afterKeyId: someKey }), 4 * 21 + 10);
    await check('apiKeys.list account-level keys', () => store.apiKeys.list(A, { limit: 21, clientId: null }), 4 * 21 + 10);
    await check('apiKeys.findPrimaryForUpdate (client)', () => store.apiKeys.findPrimaryForUpdate(A, midClient), 10);
    await check('apiKeys.findPrimaryForUpdate (account)', () => store.apiKeys.findPrimaryForUpdate(A, null), 10);
    await check('apiKeys.countForOwner (client)', () => store.apiKeys.countForOwner(A, midClient), 10);
    await check('apiKeys.countForOwner (account)', () => store.apiKeys.countForOwner(A, null), 10);
    await check('apiKeys.recordUses (usage flush)', () => store.apiKeys.recordUses([{ keyId: someKey, count: 3, lastUsedAt: new Date() }]), undefined);
  });

  test('events, usage rows, integrations, webhook deliveries', async () => {
    const ids = (await store.clients.list(A, { limit: 20, afterId: midClient })).map((c) => c.id);
    const month = new Date().toISOString().slice(0, 7);
    await check('events.list by account', () => store.events.list(A, { limit: 21 }), 4 * 21 + 10);
    await check('events.list by account (small account)', () => store.events.list(B, { limit: 21 }), 4 * 21 + 10);
    await check('events.list by account + cursor', () => store.events.list(A, { limit: 21, afterId: midEvent }), 4 * 21 + 10);
    await check('events.list by type', () => store.events.list(A, { limit: 21, type: 'key.created', afterId: midEvent }), 4 * 21 + 10);
    await check('events.list by client', () => store.events.list(A, { limit: 21, clientId: midClient }), 4 * 21 + 10);
    await check('usage.list (20 clients, CCM19 page)', () => store.usage.list(A, ids, ['all', month]), 200);
    await check('usage.list calls limit (verification)', () => store.usage.list(A, [midClient], ['all'], 'calls'), 10);
    await check('integrations.listForClients (FactPulse page)', () => store.integrations.listForClients(A, ids), 100);
    await check('webhooks.listDeliveries', () => store.webhooks.listDeliveries(A, endpointId, { limit: 21 }), 4 * 21 + 10);
    await check(
      'webhooks.claimDue (dispatcher)',
      () => store.webhooks.claimDue(new Date(), { limit: 50, leaseUntil: new Date(Date.now() + 60_000), perEndpoint: 8, held: new Map([[endpointId, 3]]) }),
      undefined,
    );
    await check(
      'webhooks.recordResults (dispatcher)',
      () =>
        store.webhooks.recordResults(
          [uuidv7(), uuidv7()].map((id) => ({
            id,
            claimedLease: new Date(),
            status: 'succeeded' as const,
            attempts: 1,
            nextAttemptAt: new Date(),
            lastAttemptAt: new Date(),
            responseStatus: 204,
            responseBody: '',
            latencyMs: 1,
            lastError: null,
          })),
          new Date(),
        ),
      10,
    );
    await check(
      'webhooks.enqueueForEvent (outbox fan-out)',
      () => store.webhooks.enqueueForEvent({ id: uuidv7(), accountId: B, clientId: null, type: 'x.none', actor: { type: 'system', id: 't' }, data: {}, createdAt: new Date() }),
      undefined,
    );
    // A batch create (POST /v1/clients/batch): its clients, events and their fan-out, its idempotency records.
    const batch = Array.from({ length: 3 }, (_, i) => {
      const id = uuidv7();
      const at = new Date();
      return {
        id,
        accountId: B,
        name: `batch ${i}`,
        description: null,
        siret: null,
        username: i === 0 ? 'b-42' : `batch-${i}`,
        emailAddress: null,
        firstName: null,
        lastName: null,
        company: null,
        passwordHash: null,
        isActive: true,
        features: {},
        limits: {},
        metadata: {},
        ratelimits: [],
        dataKey: randomBytes(8),
        createdAt: at,
        updatedAt: at,
      };
    });
    await check('clients.insertMany (batch create; a taken username skipped)', () => store.clients.insertMany(batch), undefined);
    await check(
      'webhooks.enqueueForEvents (batch create fan-out)',
      () => store.webhooks.enqueueForEvents(batch.map((c) => ({ id: uuidv7(), accountId: B, clientId: c.id, type: 'x.none', actor: { type: 'system', id: 't' }, data: {}, createdAt: new Date() }))),
      undefined,
    );
    await check('idempotency.getMany (batch create)', () => store.idempotency.getMany(B, 'key:x', ['a', 'b', 'c']), 10);
  });
});
