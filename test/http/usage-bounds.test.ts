/**
 * Usage bounds (`POST /v1/clients/{id}/usage`): an event's amount is at most 10^12 either way
 * (VALIDATION_FAILED naming `body.amount` / `body.events.N.amount`), and no counter may pass
 * 2^53 - 1 (409 USAGE_COUNTER_OVERFLOW naming the metric). Either way the whole batch is
 * refused and nothing is recorded — never a 500 `bigint out of range`. The store itself
 * leaves a counter that would overflow unchanged (even one already past bigint's half-way),
 * so a key-usage flush cannot fail on it either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MAX_COUNTER_VALUE, MAX_USAGE_AMOUNT } from '../../src/core/usage.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, call, createClient } from '../support/http.js';

const MAX = Number.MAX_SAFE_INTEGER;

for (const backend of testBackends()) {
  describe(`usage bounds [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;

    const report = (id: string, body: unknown) => call(t, 'POST', `/v1/clients/${id}/usage`, acc.headers, body);
    const newClient = async (): Promise<string> => (await createClient(t, acc.headers, { name: 'Bounded' })).id;
    /** Every counter row of the client, straight from the table. */
    const rows = async (clientId: string) => {
      const { rows: r } = await sql<{ metric: string; period: string; dimension: string; value: string }>`
        select metric, period, dimension, value::text as value from usage_counters where client_id = ${clientId} order by metric, period, dimension`.execute(t.database.db);
      return r;
    };
    const total = async (clientId: string, metric: string) => {
      const res = await call(t, 'GET', `/v1/clients/${clientId}/usage`, acc.headers);
      assert.equal(res.status, 200, res.raw);
      return (res.body.metrics as Array<{ metric: string; total: number }>).find((m) => m.metric === metric)?.total;
    };
    const batchOf = (n: number, event: Record<string, unknown>) => ({ events: Array.from({ length: n }, () => event) });

    before(async () => {
      t = await createTestApp(backend, { logLevel: 'warn' });
      acc = await t.newAccount();
    });
    after(async () => {
      await t?.close();
    });

    it('the reported overflow: two batches of 1,000 × 2^53-1 are refused with the field named, nothing recorded', async () => {
      const id = await newClient();
      for (let i = 0; i < 2; i++) {
        const res = await report(id, batchOf(1000, { metric: 'widgetDisplays', amount: MAX }));
        assertProblem(res, 400, 'VALIDATION_FAILED', 'body.events.0.amount');
        assert.match(res.body.detail, /between -1000000000000 and 1000000000000/);
      }
      assert.deepEqual(await rows(id), []);
    });

    it('names the offending event of a batch, a single event and a one-event batch alike; ±10^12 is allowed', async () => {
      const id = await newClient();
      const events = [
        { metric: 'a', amount: 1 },
        { metric: 'b', amount: 2 },
        { metric: 'c', amount: 3 },
        { metric: 'd', amount: MAX_USAGE_AMOUNT + 1 },
      ];
      assertProblem(await report(id, { events }), 400, 'VALIDATION_FAILED', 'body.events.3.amount');
      assertProblem(await report(id, { events: [{ metric: 'd', amount: -MAX_USAGE_AMOUNT - 1 }] }), 400, 'VALIDATION_FAILED', 'body.events.0.amount');
      assertProblem(await report(id, { metric: 'd', amount: 1e20 }), 400, 'VALIDATION_FAILED', 'body.amount');
      assert.deepEqual(await rows(id), [], 'a refused batch recorded something');

      const ok = await report(id, {
        events: [
          { metric: 'd', amount: MAX_USAGE_AMOUNT },
          { metric: 'd', amount: -MAX_USAGE_AMOUNT },
          { metric: 'e', amount: MAX_USAGE_AMOUNT },
        ],
      });
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(await total(id, 'd'), 0);
      assert.equal(await total(id, 'e'), MAX_USAGE_AMOUNT);
    });

    it('a total may reach 2^53-1 but not pass it: 409 USAGE_COUNTER_OVERFLOW naming the metric, the whole batch refused', async () => {
      const id = await newClient();
      // 9 full batches of 1,000 × 10^12, then the rest up to 2^53 - 2: the largest batches the API takes.
      for (let i = 0; i < 9; i++) assert.equal((await report(id, batchOf(1000, { metric: 'views', amount: MAX_USAGE_AMOUNT }))).status, 200);
      const rest = MAX - 1 - 9 * 1000 * MAX_USAGE_AMOUNT;
      const restEvents = [...Array.from({ length: Math.floor(rest / MAX_USAGE_AMOUNT) }, () => ({ metric: 'views', amount: MAX_USAGE_AMOUNT })), { metric: 'views', amount: rest % MAX_USAGE_AMOUNT }];
      assert.equal((await report(id, { events: restEvents })).status, 200);
      assert.equal(await total(id, 'views'), MAX - 1);

      const before = await rows(id);
      const over = await report(id, {
        events: [
          { metric: 'other', amount: 5 },
          { metric: 'views', amount: 2, dimension: 'example.com' },
        ],
      });
      assertProblem(over, 409, 'USAGE_COUNTER_OVERFLOW');
      assert.match(over.body.detail, /^views \(all-time\) would leave the range of a usage counter, ±9007199254740991$/);
      assert.deepEqual(await rows(id), before, 'counters changed by a refused batch');
      assert.equal(await total(id, 'other'), undefined);

      // Exactly the largest value is fine; one more is not; going back down is.
      assert.equal((await report(id, { metric: 'views', amount: 1 })).status, 200);
      assert.equal(await total(id, 'views'), MAX_COUNTER_VALUE);
      assertProblem(await report(id, { metric: 'views', amount: 1 }), 409, 'USAGE_COUNTER_OVERFLOW');
      assert.equal((await report(id, { metric: 'views', amount: -1 })).status, 200);
      assert.equal(await total(id, 'views'), MAX - 1);
      // A normal batch on other metrics still goes through.
      assert.equal(
        (
          await report(id, {
            events: [
              { metric: 'other', amount: 5 },
              { metric: 'domains', amount: 1, dimension: 'a.example' },
            ],
          })
        ).status,
        200,
      );
      assert.equal(await total(id, 'other'), 5);
    });

    it('a counter already past the range (left by an older version) is refused with 409, not a bigint overflow', async () => {
      const id = await newClient();
      assert.equal((await report(id, { metric: 'legacy', amount: 1 })).status, 200);
      await sql`update usage_counters set value = 9007199254740991000 where client_id = ${id} and metric = 'legacy'`.execute(t.database.db);
      assertProblem(await report(id, { metric: 'legacy', amount: MAX_USAGE_AMOUNT }), 409, 'USAGE_COUNTER_OVERFLOW');
      assert.deepEqual(
        (await rows(id)).map((r) => r.value),
        ['9007199254740991000', '9007199254740991000'],
      );
    });

    it('the store leaves an overflowing row unchanged and reports it as ±Infinity, updating the rest', async () => {
      const id = await newClient();
      const store = t.services.ctx.store;
      const at = new Date();
      const row = { accountId: acc.accountId, clientId: id, period: 'all', dimension: '' };
      assert.deepEqual(
        await store.usage.add(
          [
            { ...row, metric: 'calls', amount: MAX - 3 },
            { ...row, metric: 'x', amount: 1 },
          ],
          at,
        ),
        [MAX - 3, 1],
      );
      assert.deepEqual(
        await store.usage.add(
          [
            { ...row, metric: 'calls', amount: 2 },
            { ...row, metric: 'calls', amount: 2 },
            { ...row, metric: 'x', amount: 1 },
          ],
          at,
        ),
        [Infinity, Infinity, 2],
      );
      await sql`update usage_counters set value = -9223372036854775807 where client_id = ${id} and metric = 'x'`.execute(t.database.db);
      assert.deepEqual(
        await store.usage.add(
          [
            { ...row, metric: 'x', amount: -5 },
            { ...row, metric: 'calls', amount: 3 },
          ],
          at,
        ),
        [-Infinity, MAX],
      );
      const values = Object.fromEntries((await rows(id)).map((r) => [r.metric, r.value]));
      assert.deepEqual(values, { calls: String(MAX), x: '-9223372036854775807' });
    });
  });
}
