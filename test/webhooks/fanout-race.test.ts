/**
 * The outbox fan-out under concurrent endpoint churn: workers create and delete webhook
 * endpoints while others PATCH a client. No request may fail with a 5xx (a delivery row for an
 * endpoint deleted under the change used to break its foreign key and roll the change back),
 * and every committed event has a delivery for every surviving matching endpoint whose creation
 * had been answered before the event was made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchesEventFilter } from '../../src/storage/sql-webhooks.js';
import { testBackends } from '../support/databases.js';
import { createClient, createEndpoint, createHarness, type Harness, type Res } from './harness.js';

const URL = 'https://93.184.215.14/hooks/race';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of testBackends()) {
  describe(`webhook fan-out under endpoint churn [${backend}]`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(backend, { logLevel: 'warn' });
    });
    after(async () => {
      await h?.close();
    });

    it('answers no 5xx and fans every committed event out to every surviving matching endpoint', async () => {
      const clientId = await createClient(h, 'Race Co');
      // Endpoints that live through the whole run; `key.*` must never receive a client event.
      const stable = [await createEndpoint(h, { url: URL }), await createEndpoint(h, { url: URL, events: ['client.*'] }), await createEndpoint(h, { url: URL, events: ['key.*'] })];
      /** Wall time (ms) by which each endpoint's creation had committed (its 201 was received). */
      const committedBy = new Map<string, number>(stable.map((e) => [e.id as string, Date.now()]));
      const statuses: Array<{ what: string; res: Res }> = [];
      // For a few seconds, and at least a few rounds each however loaded the machine is.
      const runMs = backend === 'postgres' ? 3000 : 1200;
      const deadline = Date.now() + runMs;
      const going = (i: number, min: number) => i < min || Date.now() < deadline;

      const churned: string[] = [];
      const churn = async (worker: number) => {
        const alive: string[] = [];
        for (let i = 0; going(i, 8); i++) {
          const created = await h.call('POST', '/v1/webhook-endpoints', { url: URL, ...(i % 2 ? { events: ['client.updated', 'webhook_endpoint.*'] } : {}) });
          statuses.push({ what: 'create', res: created });
          if (created.status === 201) {
            committedBy.set(created.body.id, Date.now());
            alive.push(created.body.id);
            churned.push(created.body.id);
          }
          // Keep a few alive so that some churned endpoints survive the run.
          if (alive.length > 2 + worker) {
            const id = alive.splice((i * 7) % alive.length, 1)[0]!;
            statuses.push({ what: 'delete', res: await h.call('DELETE', `/v1/webhook-endpoints/${id}`) });
          }
        }
      };
      const patcher = async (worker: number) => {
        for (let i = 0; going(i, 8); i++) statuses.push({ what: 'patch', res: await h.call('PATCH', `/v1/clients/${clientId}`, { description: `w${worker} #${i}` }) });
      };
      // Test events aimed at the newest endpoints, which the churn is about to delete: 202 or 404.
      const tester = async () => {
        for (let i = 0; going(i, 8); i++) {
          const id = churned[Math.max(0, churned.length - 1 - (i % 4))];
          if (id) statuses.push({ what: 'test', res: await h.call('POST', `/v1/webhook-endpoints/${id}/test`) });
          else await sleep(1);
        }
      };
      await Promise.all([churn(0), churn(1), patcher(0), patcher(1), tester()]);
      await sleep(5); // the last creations' committedBy are strictly before anything read below

      const failed = statuses.filter((s) => s.res.status >= 500);
      // The cause is in the server log (e.g. the foreign key, or a deadlock).
      const causes = [...new Set(h.t.logs.flatMap((l) => (/"level":50/.test(l) ? (l.match(/"message":"((?:[^"\\]|\\.)*)"/)?.slice(1) ?? []) : [])))];
      assert.deepEqual(
        failed.map((s) => `${s.what} ${s.res.status}`),
        [],
        `${failed.length} of ${statuses.length} requests failed: ${causes.join('; ')}`,
      );
      const expected: Record<string, number[]> = { create: [201], delete: [204], patch: [200], test: [202, 404] };
      const unexpected = statuses.filter((s) => !expected[s.what]!.includes(s.res.status));
      assert.deepEqual(
        unexpected.map((s) => `${s.what} ${s.res.status} ${s.res.raw}`),
        [],
      );
      const patches = statuses.filter((s) => s.what === 'patch').length;
      assert.ok(patches >= 16, `only ${patches} PATCHes ran`);
      assert.ok(statuses.filter((s) => s.what === 'delete').length >= 5, 'too few endpoint deletions to race with');

      const db = h.t.database.db;
      const accountId = h.acc.accountId;
      const endpoints = await db.selectFrom('webhook_endpoints').select(['id', 'events', 'client_id', 'enabled']).where('account_id', '=', accountId).execute();
      const events = await db.selectFrom('events').select(['id', 'type', 'client_id', 'created_at']).where('account_id', '=', accountId).execute();
      const deliveries = await db.selectFrom('webhook_deliveries').select(['endpoint_id', 'event_id']).where('account_id', '=', accountId).execute();
      assert.equal(events.filter((e) => e.type === 'client.updated').length, patches, 'one client.updated event per PATCH');

      const delivered = new Set<string>();
      for (const d of deliveries) {
        const pair = `${d.endpoint_id}/${d.event_id}`;
        assert.ok(!delivered.has(pair), `two deliveries of one event to one endpoint: ${pair}`);
        delivered.add(pair);
      }
      const eventIds = new Set(events.map((e) => e.id));
      assert.ok(
        deliveries.every((d) => eventIds.has(d.event_id)),
        'a delivery whose event did not commit',
      );

      let checked = 0;
      const missing: string[] = [];
      for (const ep of endpoints) {
        const since = committedBy.get(ep.id);
        assert.ok(since !== undefined, `unknown endpoint ${ep.id}`);
        for (const ev of events) {
          if (ev.type === 'webhook.test') continue; // sent to one endpoint only, checked below
          const matches = ep.enabled && (ep.client_id === null || ep.client_id === ev.client_id) && matchesEventFilter(ep.events, ev.type);
          if (!matches) {
            assert.ok(!delivered.has(`${ep.id}/${ev.id}`), `delivery of ${ev.type} to a non-matching endpoint`);
            continue;
          }
          // Made (ctx.now() before its transaction) strictly after the endpoint's 201: the fan-out must have seen it.
          if (ev.created_at.getTime() <= since) continue;
          checked++;
          if (!delivered.has(`${ep.id}/${ev.id}`)) missing.push(`${ev.type} ${ev.id} → ${ep.id}`);
        }
      }
      assert.deepEqual(missing, [], `${missing.length} of ${checked} expected deliveries are missing`);
      const tests = events.filter((e) => e.type === 'webhook.test');
      assert.equal(tests.length, statuses.filter((s) => s.what === 'test' && s.res.status === 202).length, 'one webhook.test event per 202');
      const survivors = new Set(endpoints.map((e) => e.id));
      for (const ev of tests) {
        const to = deliveries.filter((d) => d.event_id === ev.id).map((d) => d.endpoint_id);
        assert.ok(to.length <= 1 && to.every((id) => survivors.has(id)), `webhook.test ${ev.id} delivered to ${to.join(', ')}`);
      }
      assert.ok(checked >= patches, `only ${checked} (event, endpoint) pairs checked`);
      const tested = statuses.filter((s) => s.what === 'test');
      process.stderr.write(
        `# [${backend}] ${statuses.length} requests (${patches} PATCHes, ${tested.length} test events of which ${tested.filter((s) => s.res.status === 404).length} 404), ${endpoints.length} endpoints left, ${checked} deliveries checked\n`,
      );
    });

    it('an endpoint created for a client that is being deleted is a 404, never a 5xx', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 16; round++) {
        const clientId = await createClient(h, `Doomed ${round}`);
        const [created, deleted] = await Promise.all([
          h.call('POST', '/v1/webhook-endpoints', { url: URL, clientId }),
          // Staggered so that some deletions start while the creation is under way.
          sleep(round % 4).then(() => h.call('DELETE', `/v1/clients/${clientId}`)),
        ]);
        outcomes.push(`${created.status}/${deleted.status}`);
        assert.equal(deleted.status, 204, deleted.raw);
        assert.ok([201, 404].includes(created.status), `create answered ${created.status} ${created.raw}`);
        // Created first: the cascade removed it with its client; either way none is left.
        const left = await h.t.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', clientId).execute();
        assert.deepEqual(left, []);
      }
      process.stderr.write(`# [${backend}] create/delete outcomes: ${outcomes.join(' ')}\n`);
    });
  });
}
