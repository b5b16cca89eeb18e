/**
 * How the dispatcher schedules, in process on each backend: woken by the commit that queued a
 * delivery (no polling needed), each endpoint limited to its share of the slots (a slow
 * receiver does not hold back a fast one), and what it claimed but had not sent handed back on
 * stop. Every request is verified by the receiver (receiver.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/databases.js';
import { accountSecret, createClient, createEndpoint, createHarness, deliveries, type Harness } from './harness.js';
import { sleep, startReceiver, waitFor, type Receiver } from './receiver.js';

for (const backend of testBackends()) {
  describe(`webhook dispatch scheduling [${backend}]`, () => {
    let h: Harness;
    let r: Receiver;
    /** Requests being answered right now, and the most at once, per path. */
    const open = new Map<string, number>();
    const most = new Map<string, number>();
    /** Answer delay per path prefix. */
    const delays: Record<string, number> = { '/slow': 250, '/held': 400 };

    before(async () => {
      h = await createHarness(backend, { outboundAllowHosts: '127.0.0.1' });
      r = await startReceiver({
        respond: async (req) => {
          const path = req.path;
          open.set(path, (open.get(path) ?? 0) + 1);
          most.set(path, Math.max(most.get(path) ?? 0, open.get(path)!));
          const delay = Object.entries(delays).find(([p]) => path.startsWith(p))?.[1] ?? 0;
          if (delay) await sleep(delay);
          open.set(path, open.get(path)! - 1);
          return { status: 204 };
        },
      });
      r.secrets.push(await accountSecret(h));
    });
    after(async () => {
      await h?.close();
      await r?.close();
    });

    /** Deletes every endpoint, so each test sees only its own. */
    const clearEndpoints = async () => {
      const list = await h.call('GET', '/v1/webhook-endpoints?limit=100');
      for (const e of list.body.data) assert.equal((await h.call('DELETE', `/v1/webhook-endpoints/${e.id}`)).status, 204);
    };

    it('a started dispatcher is woken by the commit that queued a delivery: it arrives with polling all but off', async () => {
      await clearEndpoints();
      const ep = await createEndpoint(h, { url: `${r.url}/woken`, events: ['client.created'] });
      const d = h.dispatcher({ pollIntervalMs: 600_000, wake: h.t.services.deliveriesDue });
      d.start();
      await sleep(50); // its first look (at start) is over: only a wake-up can find what follows
      for (let i = 0; i < 5; i++) {
        await createClient(h, `Woken ${i}`);
        await sleep(20);
      }
      await waitFor('5 deliveries without polling', () => r.at('/woken').length >= 5, 10_000);
      await d.stop();
      assert.equal(r.ids('/woken').size, 5);
      assert.ok((await deliveries(h, ep.id)).every((x) => x.status === 'succeeded'));
      assert.deepEqual(r.failures, []);
    });

    it('a slow endpoint holds at most its share of the slots; a fast one is served meanwhile', async () => {
      await clearEndpoints();
      await createEndpoint(h, { url: `${r.url}/slow`, events: ['client.created'] });
      await createEndpoint(h, { url: `${r.url}/fast`, events: ['client.created'] });
      for (let i = 0; i < 12; i++) await createClient(h, `Fan ${i}`);
      const d = h.dispatcher({ concurrency: 4, perEndpoint: 2, wake: h.t.services.deliveriesDue });
      d.start();
      // 12 slow deliveries two at a time take 6 × 250 ms; the fast ones must not wait for them.
      await waitFor('the fast endpoint served', () => r.at('/fast').length >= 12, 10_000);
      const slowSoFar = r.at('/slow').length;
      await waitFor('the slow endpoint served', () => r.at('/slow').length >= 12, 20_000);
      await d.stop();
      assert.ok(slowSoFar < 12, `the fast endpoint was served before the slow one (slow had ${slowSoFar} of 12)`);
      assert.equal(most.get('/slow'), 2, 'two requests at once to the slow endpoint, never more');
      assert.ok((most.get('/fast') ?? 0) <= 2);
      assert.equal(r.ids('/slow').size, 12);
      assert.equal(r.at('/slow').length, 12, 'no duplicates');
      assert.deepEqual(r.failures, []);
    });

    it('stop hands back, due at once and unattempted, what it claimed but had not sent; the next dispatcher sends each once', async () => {
      await clearEndpoints();
      const ep = await createEndpoint(h, { url: `${r.url}/held`, events: ['client.created'] });
      for (let i = 0; i < 4; i++) await createClient(h, `Held ${i}`);
      // One at a time to this endpoint, but up to four held (claimed) by the dispatcher.
      const first = h.dispatcher({ concurrency: 1, perEndpoint: 1 });
      first.start();
      await waitFor('the first request', () => r.at('/held').length >= 1, 10_000);
      await first.stop(); // waits for the one in flight
      const rows = await deliveries(h, ep.id);
      assert.equal(rows.length, 4);
      const sent = rows.filter((x) => x.status === 'succeeded');
      const back = rows.filter((x) => x.status === 'pending');
      assert.equal(sent.length, r.at('/held').length);
      assert.equal(sent.length + back.length, 4, JSON.stringify(rows.map((x) => x.status)));
      assert.ok(back.length >= 1, 'some were held, not sent');
      for (const x of back) assert.equal(x.attempts, 0);
      const second = h.dispatcher();
      await h.drain(second, 'every held delivery sent', async () => (await deliveries(h, ep.id)).every((x) => x.status === 'succeeded'));
      assert.equal(r.ids('/held').size, 4);
      assert.equal(r.at('/held').length, 4, 'each sent once');
      assert.deepEqual(r.failures, []);
    });
  });
}
