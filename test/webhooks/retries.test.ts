/**
 * Retries: a receiver failing N times (HTTP 500; timeouts — silent and trickling) then
 * recovering gets the event with attempts = N+1 and growing back-off; an endpoint failing for
 * longer than the horizon (8,640 × the base delay: three days at the default 30 s, driven here by
 * a controllable clock) is disabled and a `webhook_endpoint.disabled` event says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/databases.js';
import { HORIZON_FACTOR } from '../../src/webhooks/dispatcher.js';
import { accountSecret, allEvents, createClient, createEndpoint, createHarness, deliveries, type Harness } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

for (const backend of testBackends()) {
  describe(`webhook retries [${backend}]`, () => {
    let h: Harness;
    let r: Receiver;
    let clientId: string;
    /** Failures still to serve, per path. */
    const failLeft = new Map<string, number>();
    const touch = async (name: string) => assert.equal((await h.call('PATCH', `/v1/clients/${clientId}`, { name })).status, 200);

    before(async () => {
      h = await createHarness(backend, { outboundAllowHosts: '127.0.0.1' });
      r = await startReceiver({
        respond: (req) => {
          const left = failLeft.get(req.path) ?? 0;
          if (left > 0) {
            failLeft.set(req.path, left - 1);
            if (req.path.startsWith('/slow')) return { status: 200, body: 'too late', delayMs: 600 };
            if (req.path.startsWith('/drip')) return { status: 200, drip: { everyMs: 25, count: 200 } };
            return { status: 500, body: 'boom' };
          }
          return { status: 200, body: 'ok' };
        },
      });
      r.secrets.push(await accountSecret(h));
      clientId = await createClient(h, 'Retry Co');
    });
    after(async () => {
      await h?.close();
      await r?.close();
    });

    /**
     * Drives one delivery attempt by attempt, recording after each failure the delay the
     * dispatcher scheduled (nextAttemptAt − lastAttemptAt in the delivery log).
     */
    async function attemptByAttempt(d: ReturnType<Harness['dispatcher']>, endpointId: string, attempts: number): Promise<number[]> {
      const scheduled: number[] = [];
      for (let n = 1; n <= attempts; n++) {
        await h.drain(d, `attempt ${n}`, async () => (await deliveries(h, endpointId))[0]?.attempts === n, 15_000, 2);
        const [row] = await deliveries(h, endpointId);
        if (n < attempts) {
          assert.equal(row.status, 'pending', `after attempt ${n}`);
          assert.equal(row.responseStatus, 500);
          assert.equal(row.lastError, 'HTTP 500');
          scheduled.push(Date.parse(row.nextAttemptAt) - Date.parse(row.lastAttemptAt));
        }
      }
      return scheduled;
    }

    it('fails 4 times with 500, then delivers: attempts = 5, back-off delays grow (base 40 ms)', async () => {
      const base = 40;
      const ep = await createEndpoint(h, { url: r.url + '/five', events: ['client.updated'] });
      failLeft.set('/five', 4);
      // Mid-range jitter, so the delays are exact: 0.75 × base × 2^(n-1).
      const d = h.dispatcher({ retryBaseMs: base, random: () => 0.5 });
      await touch('five');
      const scheduled = await attemptByAttempt(d, ep.id, 5);
      assert.deepEqual(scheduled, [30, 60, 120, 240], 'exponential back-off: each delay doubles');
      const got = r.at('/five');
      assert.equal(got.length, 5, 'no extra attempt after the success');
      assert.equal(new Set(got.map((x) => x.id)).size, 1, 'one event, one webhook-id');
      assert.ok(
        got.every((x) => x.raw === got[0]!.raw),
        'the same payload every time',
      );
      // Never earlier than scheduled (the receiver's clock).
      for (const [i, x] of got.slice(1).entries())
        assert.ok(x.at - got[i]!.at >= scheduled[i]! - 2, `attempt ${i + 2} came ${(x.at - got[i]!.at).toFixed(1)} ms after the previous one, scheduled ${scheduled[i]}`);
      const [row] = await deliveries(h, ep.id);
      assert.equal(row.status, 'succeeded');
      assert.equal(row.attempts, 5);
      assert.equal(row.responseStatus, 200);
      assert.equal(row.lastError, null);
      assert.equal(row.nextAttemptAt, null);
      assert.deepEqual(r.failures, []);
    });

    it('with full jitter (real random source), each delay lies within [½, 1] × base × 2^(n-1)', async () => {
      const base = 40;
      const ep = await createEndpoint(h, { url: r.url + '/jitter', events: ['client.updated'] });
      failLeft.set('/jitter', 5);
      const d = h.dispatcher({ retryBaseMs: base });
      await touch('jitter');
      const scheduled = await attemptByAttempt(d, ep.id, 6);
      scheduled.forEach((g, i) => {
        const exp = base * 2 ** i;
        assert.ok(g >= exp / 2 && g <= exp, `delay ${i + 1} = ${g} ms outside [${exp / 2}, ${exp}]`);
      });
      assert.ok(new Set(scheduled.map((g, i) => g / (base * 2 ** i))).size > 1, 'jittered, not a fixed fraction');
      const [row] = await deliveries(h, ep.id);
      assert.equal(row.attempts, 6);
      assert.equal(row.status, 'succeeded');
    });

    it('times out a silent receiver (2 ×), then delivers: attempts = 3', async () => {
      const ep = await createEndpoint(h, { url: r.url + '/slow', events: ['client.updated'] });
      failLeft.set('/slow', 2);
      const d = h.dispatcher({ retryBaseMs: 20, timeoutMs: 150 });
      await touch('slow');
      const t0 = performance.now();
      await d.tick();
      const took = performance.now() - t0;
      assert.ok(took >= 140 && took < 2000, `the attempt was cut at the 150 ms timeout (took ${took.toFixed(0)} ms)`);
      const [first] = await deliveries(h, ep.id);
      assert.equal(first.status, 'pending');
      assert.equal(first.attempts, 1);
      assert.equal(first.lastError, 'timed out');
      assert.equal(first.responseStatus, null);
      await h.drain(d, 'delivery', async () => (await deliveries(h, ep.id))[0].status === 'succeeded');
      const [row] = await deliveries(h, ep.id);
      assert.equal(row.attempts, 3);
      assert.equal(row.responseStatus, 200);
      assert.equal(r.at('/slow').length, 3);
    });

    it('the timeout bounds the whole attempt: a receiver trickling its body is cut off too', async () => {
      const ep = await createEndpoint(h, { url: r.url + '/drip', events: ['client.updated'] });
      failLeft.set('/drip', 1);
      const d = h.dispatcher({ retryBaseMs: 20, timeoutMs: 200 });
      await touch('drip');
      const t0 = performance.now();
      await d.tick();
      const took = performance.now() - t0;
      // The receiver would take 200 × 25 ms = 5 s, never idle for 200 ms.
      assert.ok(took < 3000, `attempt took ${took.toFixed(0)} ms with a 200 ms timeout`);
      const [first] = await deliveries(h, ep.id);
      assert.equal(first.attempts, 1);
      assert.equal(first.status, 'pending');
      assert.equal(first.lastError, 'timed out', 'cut off, although the receiver never paused for 200 ms and would answer 200');
      assert.equal(first.responseStatus, null);
      await h.drain(d, 'delivery', async () => (await deliveries(h, ep.id))[0].status === 'succeeded');
      assert.equal((await deliveries(h, ep.id))[0].attempts, 2);
    });
  });

  describe(`webhook horizon [${backend}]`, () => {
    let h: Harness;
    let r: Receiver;
    let fake = Date.now();

    before(async () => {
      h = await createHarness(backend, { outboundAllowHosts: '127.0.0.1', now: () => new Date(fake) });
      // The fake clock runs days ahead: verify signatures for the received timestamp.
      r = await startReceiver({
        checkTimestamp: false,
        respond: (req) => {
          if (req.path === '/down') return { status: 503, body: 'down' };
          if (req.path === '/picky' && req.body?.data?.client?.name === 'poison') return { status: 400, body: 'no thanks' };
          return { status: 200, body: 'ok' };
        },
      });
      r.secrets.push(await accountSecret(h));
    });
    after(async () => {
      await h?.close();
      await r?.close();
    });

    it('an endpoint failing beyond the horizon (default base 30 s → 3 days) is disabled, and a webhook_endpoint.disabled event says so', async () => {
      const base = 30_000;
      const horizon = base * HORIZON_FACTOR;
      assert.equal(horizon, 3 * 24 * 3600 * 1000);
      const down = await createEndpoint(h, { url: r.url + '/down', events: ['client.*'] });
      await createEndpoint(h, { url: r.url + '/ops', events: ['webhook_endpoint.disabled'] });
      const d = h.dispatcher({ retryBaseMs: base, timeoutMs: 2000 });
      const start = fake;
      const clientId = await createClient(h, 'Doomed delivery');
      const attemptsAt: number[] = [];
      for (let i = 0; i < 40; i++) {
        const claimed = await d.tick();
        if (claimed > 0) attemptsAt.push(fake);
        const [row] = await deliveries(h, down.id);
        if (row.status === 'failed') break;
        assert.equal(row.status, 'pending', JSON.stringify(row));
        fake = Math.max(fake + 1, Date.parse(row.nextAttemptAt)); // jump to the next retry
      }
      const [row] = await deliveries(h, down.id);
      assert.equal(row.status, 'failed', 'gave up at the horizon');
      assert.equal(row.responseStatus, 503);
      assert.equal(row.lastError, 'HTTP 503');
      assert.equal(row.attempts, r.at('/down').length);
      assert.equal(row.attempts, attemptsAt.length);
      assert.ok(row.attempts >= 10 && row.attempts <= 20, `${row.attempts} attempts over three days`);
      const span = attemptsAt.at(-1)! - attemptsAt[0]!;
      assert.ok(span <= horizon && span >= horizon / 3, `retried over ${(span / 3600_000).toFixed(1)} h`);
      const gaps = attemptsAt.slice(1).map((t, i) => t - attemptsAt[i]!);
      gaps.forEach((g, i) => {
        const exp = Math.min(base * 2 ** i, base * 2 ** 12);
        assert.ok(g >= exp / 2 && g <= exp + 1, `gap ${i + 1}: ${g} ms, back-off range [${exp / 2}, ${exp}]`);
      });

      const ep = (await h.call('GET', `/v1/webhook-endpoints/${down.id}`)).body;
      assert.equal(ep.enabled, false, 'the endpoint is disabled after failing for the whole horizon');
      assert.match(String(ep.disabledReason), /failed/);
      const disabled = (await allEvents(h)).filter((e) => e.type === 'webhook_endpoint.disabled');
      assert.equal(disabled.length, 1);
      assert.equal(disabled[0].data.endpointId, down.id);
      assert.equal(disabled[0].actor.type, 'system');
      assert.ok(Date.parse(disabled[0].createdAt) - start <= horizon + base * 2 ** 12);

      // The event reaches the account's other endpoints, signed.
      await h.drain(d, 'the disabled event at /ops', () => r.at('/ops').some((x) => x.body.type === 'webhook_endpoint.disabled'));
      const note = r.at('/ops').find((x) => x.body.type === 'webhook_endpoint.disabled')!;
      assert.equal(note.body.data.endpointId, down.id);
      assert.deepEqual(r.failures, []);

      // No more deliveries to the disabled endpoint.
      const rows = (await deliveries(h, down.id)).length;
      const sent = r.at('/down').length;
      assert.equal((await h.call('PATCH', `/v1/clients/${clientId}`, { name: 'after disable' })).status, 200);
      for (let i = 0; i < 3; i++) await d.tick();
      assert.equal((await deliveries(h, down.id)).length, rows);
      assert.equal(r.at('/down').length, sent);

      // Enabling it again clears the failure state.
      const again = await h.call('PATCH', `/v1/webhook-endpoints/${down.id}`, { enabled: true });
      assert.equal(again.body.enabled, true);
      assert.equal(again.body.disabledReason, null);
    });

    it('one event that always fails gives up at the horizon without disabling an endpoint that keeps accepting others', async () => {
      const picky = await createEndpoint(h, { url: r.url + '/picky', events: ['client.created'] });
      const d = h.dispatcher({ retryBaseMs: 30_000, timeoutMs: 2000 });
      await createClient(h, 'poison');
      let poison: any;
      for (let i = 0; i < 40; i++) {
        await d.tick();
        poison = (await deliveries(h, picky.id)).find((x) => x.eventType === 'client.created' && x.responseStatus === 400) ?? poison;
        if (poison && (await deliveries(h, picky.id)).find((x) => x.id === poison.id).status === 'failed') break;
        // Meanwhile other events go through fine.
        await createClient(h, `fine ${i}`);
        await d.tick();
        const next = (await deliveries(h, picky.id)).find((x) => x.id === poison?.id)?.nextAttemptAt;
        fake = Math.max(fake + 1, next ? Date.parse(next) : fake + 1);
      }
      const rows = await deliveries(h, picky.id);
      const gaveUp = rows.find((x) => x.id === poison.id);
      assert.equal(gaveUp.status, 'failed');
      assert.ok(gaveUp.attempts >= 10, `${gaveUp.attempts} attempts`);
      assert.ok(rows.filter((x) => x.status === 'succeeded').length >= 10);
      const ep = (await h.call('GET', `/v1/webhook-endpoints/${picky.id}`)).body;
      assert.equal(ep.enabled, true, 'not disabled: it accepts other events');
      assert.equal((await allEvents(h)).filter((e) => e.type === 'webhook_endpoint.disabled' && e.data.endpointId === picky.id).length, 0);
    });
  });
}
