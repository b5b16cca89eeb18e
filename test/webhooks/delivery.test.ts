/**
 * Webhook delivery end to end, in process: the real app and dispatcher send to a real HTTP
 * receiver on 127.0.0.1 that verifies EVERY request with the public `standardwebhooks` package
 * and with the FactPulse `X-Webhook-Signature` rule (see receiver.ts).
 *
 * Covers: native and FactPulse payloads, event filters (prefix, exact, all) and the client
 * filter; which secret signs (client over account default, fallback after deletion, both during
 * a grace period); waiting_secret until a secret exists; redeliver; the test event; the delivery
 * log; disabled endpoints; and that no secret leaks into payloads, delivery rows or logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testBackends } from '../support/databases.js';
import { accountSecret, allEvents, createClient, createEndpoint, createHarness, deliveries, type Harness } from './harness.js';
import { sleep, startReceiver, waitFor, type Receiver } from './receiver.js';

const HEX64 = /^sha256=[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Independent statement of the filter rules: null = all, `*`, `prefix.*`, exact. */
function matches(events: string[] | null, type: string): boolean {
  if (events === null) return true;
  return events.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

for (const backend of testBackends()) {
  describe(`webhook delivery [${backend}]`, () => {
    let h: Harness;
    let r: Receiver;
    let d: ReturnType<Harness['dispatcher']>;
    /** Added to the real clock (grace-period expiry). */
    let offsetMs = 0;
    /** Every secret handed out in this scenario (for the leak scan). */
    const handedOut: string[] = [];
    let current = '';
    let clientA = '';
    let clientB = '';

    /** Ticks until nothing is due (two empty rounds in a row). */
    const settle = async () => {
      let empty = 0;
      const deadline = performance.now() + 20_000;
      while (empty < 2) {
        if (performance.now() > deadline) throw new Error('dispatcher never went quiet');
        empty = (await d.tick()) === 0 ? empty + 1 : 0;
        await sleep(5);
      }
    };
    const patchClient = async (id: string, name: string) => {
      const res = await h.call('PATCH', `/v1/clients/${id}`, { name });
      assert.equal(res.status, 200, res.raw);
    };

    before(async () => {
      h = await createHarness(backend, { outboundAllowHosts: '127.0.0.1', now: () => new Date(Date.now() + offsetMs) });
      handedOut.push(h.acc.token, h.acc.secret, h.acc.password);
      r = await startReceiver({
        respond: (req) => {
          if (req.path === '/echo') return { status: 200, body: JSON.stringify({ headers: req.headers, body: req.raw }) };
          if (req.path.startsWith('/log/500')) return { status: 500, body: 'x'.repeat(5000) };
          if (req.path.startsWith('/log/big')) return { status: 200, body: 'é'.repeat(3000) };
          if (req.path.startsWith('/log/slow')) return { status: 201, body: 'slow', delayMs: 80 };
          if (req.path.startsWith('/log/nul')) return { status: 200, body: 'ok\u0000after-nul' };
          return { status: 200, body: 'ok' };
        },
      });
      d = h.dispatcher();
      current = await accountSecret(h);
      handedOut.push(current);
      r.secrets.push(current);
      clientA = await createClient(h, 'Client A');
      clientB = await createClient(h, 'Client B');
    });
    after(async () => {
      await h?.close();
      await r?.close();
    });

    it('native and FactPulse payloads; filters: null = all, *, prefix.*, exact, and by client', async () => {
      const specs: Array<[path: string, body: Record<string, unknown>]> = [
        ['/all', {}],
        ['/star', { events: ['*'] }],
        ['/prefix', { events: ['client.*'] }],
        ['/exact', { events: ['client.updated'] }],
        ['/client-a', { clientId: clientA }],
        ['/fp', { format: 'factpulse', events: ['client.*', 'key.*'] }],
      ];
      const endpoints = new Map<string, any>();
      for (const [path, body] of specs) endpoints.set(path, await createEndpoint(h, { url: r.url + path, ...body }));
      await settle(); // setup events (endpoint creations) go out first
      const marker = (await allEvents(h)).at(-1)!.id as string;
      const before = r.received.length;

      await patchClient(clientA, 'Client A v2');
      await patchClient(clientB, 'Client B v2');
      await createClient(h, 'Client C');
      assert.equal((await h.call('POST', `/v1/clients/${clientA}/deactivate`)).status, 200);
      const accountKey = await h.call('POST', '/v1/keys', { name: 'ops' });
      assert.equal(accountKey.status, 201, accountKey.raw);
      const clientKey = await h.call('POST', '/v1/keys', { clientId: clientA, name: 'a-key' });
      assert.equal(clientKey.status, 201, clientKey.raw);
      handedOut.push(accountKey.body.secret, accountKey.body.token, clientKey.body.secret, clientKey.body.token);

      const events = (await allEvents(h)).filter((e) => e.id > marker);
      const types = new Set(events.map((e) => e.type));
      for (const t of ['client.updated', 'client.created', 'client.deactivated', 'key.created']) assert.ok(types.has(t), `scenario produced ${t}`);
      const expected = new Map<string, Set<string>>();
      for (const [path, body] of specs) {
        const filter = (body.events as string[] | undefined) ?? null;
        const byClient = (body.clientId as string | undefined) ?? null;
        expected.set(path, new Set(events.filter((e) => matches(filter, e.type) && (byClient === null || e.clientId === byClient)).map((e) => e.id)));
      }
      // Sanity of the scenario itself: the filters select different, non-empty sets.
      assert.equal(expected.get('/all')!.size, events.length);
      assert.ok(expected.get('/exact')!.size === 2 && expected.get('/client-a')!.size >= 3 && expected.get('/prefix')!.size === 4);

      await settle();
      const got = r.received.slice(before).filter((x) => x.id > marker);
      for (const [path] of specs) {
        const ids = got.filter((x) => x.path === path).map((x) => x.id);
        assert.deepEqual(new Set(ids), expected.get(path), `${path} received exactly the matching events`);
        assert.equal(ids.length, new Set(ids).size, `${path}: each event once`);
      }

      const byId = new Map(events.map((e) => [e.id, e]));
      const nowSec = Date.now() / 1000;
      for (const x of got) {
        const e = byId.get(x.id)!;
        assert.equal(x.method, 'POST');
        assert.equal(x.headers['content-type'], 'application/json');
        assert.match(String(x.headers['x-webhook-signature']), HEX64);
        assert.ok(Math.abs(Number(x.headers['webhook-timestamp']) - nowSec) < 60, 'webhook-timestamp is now (unix seconds)');
        assert.match(String(x.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/, 'one signature: no grace period');
        assert.deepEqual(x.standardOk, [current], 'standardwebhooks verifies with the account secret');
        assert.deepEqual(x.factPulseOk, [current], 'FactPulse rule verifies with the account secret');
        if (x.path === '/fp') {
          assert.deepEqual(Object.keys(x.body).sort(), ['data', 'event_type']);
          assert.equal(x.body.event_type, e.type);
          const { event_id, client_uid, ...rest } = x.body.data;
          assert.equal(event_id, e.id, 'FactPulse data.event_id is the stable event id');
          assert.equal(client_uid, e.clientId);
          assert.deepEqual(rest, e.data);
        } else {
          assert.deepEqual(Object.keys(x.body).sort(), ['createdAt', 'data', 'id', 'type']);
          assert.equal(x.body.id, x.id, 'webhook-id is the event id');
          assert.equal(x.body.type, e.type);
          assert.equal(x.body.createdAt, e.createdAt);
          assert.match(x.body.createdAt, ISO);
          assert.deepEqual(x.body.data, e.data);
        }
      }
      assert.deepEqual(r.failures, []);

      const log = await deliveries(h, endpoints.get('/exact').id);
      assert.ok(log.length >= 2);
      for (const row of log) {
        assert.deepEqual(Object.keys(row).sort(), [
          'attempts',
          'createdAt',
          'endpointId',
          'eventId',
          'eventType',
          'id',
          'lastAttemptAt',
          'lastError',
          'latencyMs',
          'nextAttemptAt',
          'responseBody',
          'responseStatus',
          'status',
        ]);
        assert.equal(row.status, 'succeeded');
        assert.equal(row.attempts, 1);
        assert.equal(row.responseStatus, 200);
        assert.equal(row.responseBody, 'ok');
        assert.equal(row.lastError, null);
        assert.equal(row.nextAttemptAt, null);
        assert.ok(Number.isInteger(row.latencyMs) && row.latencyMs >= 0);
        assert.match(row.lastAttemptAt, ISO);
        assert.equal(row.eventType, 'client.updated');
      }
    });

    it("a client's own secret takes precedence; after deleting it the account default signs", async () => {
      const ep = await createEndpoint(h, { url: r.url + '/prec', events: ['client.updated'] });
      const own = await h.call('POST', `/v1/clients/${clientB}/webhook-secret/generate`);
      assert.equal(own.status, 200, own.raw);
      const clientSecret = own.body.webhookSecret as string;
      handedOut.push(clientSecret);
      r.secrets.push(clientSecret);
      assert.deepEqual((await h.call('GET', `/v1/clients/${clientB}/webhook-secret/status`)).body, { hasSecret: true, createdAt: own.body.createdAt });

      await patchClient(clientB, 'B signed by its own secret');
      await patchClient(clientA, 'A signed by the account default');
      await settle();
      const prec = r.at('/prec');
      assert.equal(prec.length, 2);
      const [b, a] = [prec.find((x) => x.body.data.client.id === clientB)!, prec.find((x) => x.body.data.client.id === clientA)!];
      assert.deepEqual(b.standardOk, [clientSecret]);
      assert.deepEqual(b.factPulseOk, [clientSecret]);
      assert.deepEqual(a.standardOk, [current]);
      assert.deepEqual(a.factPulseOk, [current]);

      assert.equal((await h.call('DELETE', `/v1/clients/${clientB}/webhook-secret`)).status, 204);
      assert.equal((await h.call('GET', `/v1/clients/${clientB}/webhook-secret/status`)).body.hasSecret, false);
      await patchClient(clientB, 'B back on the account default');
      await settle();
      const last = r.at('/prec').at(-1)!;
      assert.equal(last.body.data.client.name, 'B back on the account default');
      assert.deepEqual(last.standardOk, [current]);
      assert.deepEqual(last.factPulseOk, [current]);
      assert.deepEqual(r.failures, []);
      assert.equal((await h.call('DELETE', `/v1/webhook-endpoints/${ep.id}`)).status, 204);
    });

    it('grace period: old and new signatures both present and each verifies; only the new one after expiry', async () => {
      await createEndpoint(h, { url: r.url + '/grace', events: ['client.updated'] });
      const old = current;
      const next = await accountSecret(h, 60);
      handedOut.push(next);
      r.secrets.push(next);
      current = next;
      const status = await h.call('GET', '/v1/webhook-secret/status');
      assert.equal(status.body.hasSecret, true);

      await patchClient(clientA, 'during grace');
      await settle();
      const during = r.at('/grace').at(-1)!;
      assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2, 'two v1 signatures');
      assert.ok(during.standardOk.includes(old), 'the old secret still verifies (standardwebhooks)');
      assert.ok(during.standardOk.includes(next), 'the new secret verifies (standardwebhooks)');
      assert.deepEqual(during.factPulseOk, [next], 'X-Webhook-Signature is by the new secret');

      offsetMs = 90_000; // the 60 s grace period is over (still within the receivers' 5-minute tolerance)
      try {
        await patchClient(clientA, 'after grace');
        await settle();
        const afterGrace = r.at('/grace').at(-1)!;
        assert.equal(afterGrace.body.data.client.name, 'after grace');
        assert.equal(String(afterGrace.headers['webhook-signature']).split(' ').length, 1);
        assert.deepEqual(afterGrace.standardOk, [next], 'the old secret no longer verifies');
        assert.deepEqual(afterGrace.factPulseOk, [next]);
      } finally {
        offsetMs = 0;
      }

      // Replacing without a grace period: only the newest signs at once.
      const third = await accountSecret(h);
      handedOut.push(third);
      r.secrets.push(third);
      current = third;
      await patchClient(clientA, 'no grace');
      await settle();
      const noGrace = r.at('/grace').at(-1)!;
      assert.equal(noGrace.body.data.client.name, 'no grace');
      assert.deepEqual(noGrace.standardOk, [third]);
      assert.deepEqual(noGrace.factPulseOk, [third]);
      assert.deepEqual(r.failures, []);
    });

    it('no secret at all: the delivery waits (waiting_secret, visible), is never sent unsigned, and goes out once a secret exists', async () => {
      const ep = await createEndpoint(h, { url: r.url + '/wait', events: ['client.updated'] });
      await settle();
      assert.equal((await h.call('DELETE', '/v1/webhook-secret')).status, 204);
      const clientE = await createClient(h, 'Client E');
      const before = r.received.length;
      await patchClient(clientE, 'E waits');
      for (let i = 0; i < 5; i++) {
        await d.tick();
        await sleep(5);
      }
      assert.equal(r.received.length, before, 'nothing is sent without a secret');
      const waiting = (await deliveries(h, ep.id))[0];
      assert.equal(waiting.status, 'waiting_secret');
      assert.equal(waiting.attempts, 0);
      assert.equal(waiting.responseStatus, null);
      assert.match(waiting.lastError, /no webhook secret/);
      assert.match(waiting.nextAttemptAt, ISO);

      // Another client's secret does not release it (E has none and there is no account default).
      const other = await h.call('POST', `/v1/clients/${clientA}/webhook-secret/generate`);
      assert.equal(other.status, 200);
      handedOut.push(other.body.webhookSecret);
      r.secrets.push(other.body.webhookSecret);
      for (let i = 0; i < 5; i++) {
        await d.tick();
        await sleep(5);
      }
      assert.ok(!r.at('/wait').length, 'still waiting');
      assert.equal((await deliveries(h, ep.id))[0].status, 'waiting_secret');

      const fresh = await accountSecret(h);
      handedOut.push(fresh);
      r.secrets.push(fresh);
      current = fresh;
      await waitFor('the waiting delivery', async () => {
        await d.tick();
        return r.at('/wait').length > 0;
      });
      const sent = r.at('/wait')[0]!;
      assert.equal(sent.body.data.client.name, 'E waits');
      assert.deepEqual(sent.standardOk, [fresh]);
      assert.deepEqual(sent.factPulseOk, [fresh]);
      await settle();
      const row = (await deliveries(h, ep.id))[0];
      assert.equal(row.status, 'succeeded');
      assert.equal(row.attempts, 1);
      assert.equal(row.lastError, null);
      assert.deepEqual(r.failures, []);
      // Client A's own secret stays out of this test's way.
      assert.equal((await h.call('DELETE', `/v1/clients/${clientA}/webhook-secret`)).status, 204);
    });

    it('the test event goes to that endpoint only; redeliver sends the same event again', async () => {
      const target = await createEndpoint(h, { url: r.url + '/target', events: ['client.updated'] });
      await settle();
      const test = await h.call('POST', `/v1/webhook-endpoints/${target.id}/test`);
      assert.equal(test.status, 202, test.raw);
      assert.equal(test.body.eventType, 'webhook.test');
      assert.equal(test.body.endpointId, target.id);
      assert.equal(test.body.status, 'pending');
      assert.equal(test.body.attempts, 0);
      await settle();
      const arrived = r.received.filter((x) => x.id === test.body.eventId);
      assert.equal(arrived.length, 1, 'only the tested endpoint gets the test event, even though others take every event');
      assert.equal(arrived[0]!.path, '/target');
      assert.equal(arrived[0]!.body.type, 'webhook.test');
      assert.deepEqual(arrived[0]!.standardOk, [current]);
      const audited = await h.call('GET', '/v1/events?type=webhook.test');
      assert.deepEqual(
        audited.body.data.map((e: any) => e.id),
        [test.body.eventId],
      );

      const row = (await deliveries(h, target.id)).find((x) => x.id === test.body.id);
      assert.equal(row.status, 'succeeded');
      assert.equal(row.attempts, 1);

      const again = await h.call('POST', `/v1/deliveries/${row.id}/redeliver`);
      assert.equal(again.status, 202, again.raw);
      assert.equal(again.body.id, row.id);
      assert.equal(again.body.status, 'pending');
      assert.equal(again.body.attempts, 1);
      await settle();
      const both = r.received.filter((x) => x.id === test.body.eventId);
      assert.equal(both.length, 2);
      assert.equal(both[1]!.raw, both[0]!.raw, 'same payload');
      assert.equal(both[1]!.headers['webhook-id'], both[0]!.headers['webhook-id'], 'same webhook-id');
      const redone = (await deliveries(h, target.id)).find((x) => x.id === row.id);
      assert.equal(redone.status, 'succeeded');
      assert.equal(redone.attempts, 2);
      assert.equal((await h.call('POST', '/v1/deliveries/0190a0a0-0000-7000-8000-000000000000/redeliver')).status, 404);
      assert.deepEqual(r.failures, []);
    });

    it('delivery log: failed attempts, response status, latency, response body truncated to at most 1 KiB', async () => {
      const eps = new Map<string, any>();
      for (const p of ['/log/500', '/log/big', '/log/slow', '/log/nul']) eps.set(p, await createEndpoint(h, { url: r.url + p, events: ['client.updated'] }));
      await patchClient(clientA, 'for the log');
      await waitFor('one attempt at every /log endpoint', async () => {
        await d.tick();
        return [...eps.keys()].every((p) => r.at(p).length > 0);
      });
      const rowOf = async (p: string) => (await deliveries(h, eps.get(p).id))[0];
      await waitFor('rows recorded', async () => {
        await d.tick();
        for (const p of eps.keys()) if ((await rowOf(p))?.attempts < 1) return false;
        return true;
      });

      const failed = await rowOf('/log/500');
      assert.equal(failed.responseStatus, 500);
      assert.equal(failed.lastError, 'HTTP 500');
      assert.ok(['pending', 'sending'].includes(failed.status), 'a failed attempt is retried');
      assert.ok(failed.attempts >= 1);
      assert.ok(Buffer.byteLength(failed.responseBody, 'utf8') <= 1024);
      assert.ok(failed.responseBody.length > 0 && 'x'.repeat(5000).startsWith(failed.responseBody));
      assert.equal((await h.call('PATCH', `/v1/webhook-endpoints/${eps.get('/log/500').id}`, { enabled: false })).status, 200);

      const big = await rowOf('/log/big');
      assert.equal(big.status, 'succeeded');
      assert.equal(big.responseStatus, 200);
      assert.ok(Buffer.byteLength(big.responseBody, 'utf8') <= 1024, `stored ${Buffer.byteLength(big.responseBody, 'utf8')} bytes`);
      assert.ok(big.responseBody.length > 0 && 'é'.repeat(3000).startsWith(big.responseBody), 'a prefix, cut on a character boundary');

      const slow = await rowOf('/log/slow');
      assert.equal(slow.status, 'succeeded', '2xx other than 200 is success');
      assert.equal(slow.responseStatus, 201);
      assert.equal(slow.responseBody, 'slow');
      assert.ok(slow.latencyMs >= 75, `latencyMs ${slow.latencyMs} covers the receiver's 80 ms`);

      // A body PostgreSQL text cannot hold (NUL) must still be recorded — and not re-sent.
      await settle();
      const nul = await rowOf('/log/nul');
      assert.equal(nul.status, 'succeeded', JSON.stringify(nul));
      assert.equal(nul.attempts, 1);
      assert.equal(nul.responseStatus, 200);
      assert.ok(nul.responseBody.startsWith('ok'));
      assert.equal(r.at('/log/nul').length, 1, 'delivered once');
      assert.deepEqual(r.failures, []);
    });

    it('a disabled endpoint gets no more deliveries; a pending one is dropped, not sent', async () => {
      const ep = await createEndpoint(h, { url: r.url + '/off', events: ['client.updated'] });
      await settle();
      // Pending when the endpoint gets disabled: dropped as failed, never sent.
      await patchClient(clientA, 'pending at disable');
      assert.equal((await h.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: false })).body.enabled, false);
      await settle();
      const dropped = (await deliveries(h, ep.id))[0];
      assert.equal(dropped.status, 'failed');
      assert.match(dropped.lastError, /disabled/);
      assert.equal(dropped.attempts, 0);
      // New events: no delivery rows at all.
      const rows = (await deliveries(h, ep.id)).length;
      await patchClient(clientA, 'while disabled');
      await settle();
      assert.equal((await deliveries(h, ep.id)).length, rows);
      assert.equal(r.at('/off').length, 0);
      // Enabled again: new events flow (the dropped one stays dropped).
      assert.equal((await h.call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { enabled: true })).body.enabled, true);
      await patchClient(clientA, 'enabled again');
      await settle();
      assert.deepEqual(
        r.at('/off').map((x) => x.body.data.client.name),
        ['enabled again'],
      );
    });

    it('no secret appears in any payload, delivery row (response_body, last_error) or log line', async () => {
      // An echoing receiver: whatever was sent ends up in response_body too.
      await createEndpoint(h, { url: r.url + '/echo' });
      await patchClient(clientA, 'echo');
      const own = await h.call('POST', `/v1/clients/${clientB}/webhook-secret/generate`);
      handedOut.push(own.body.webhookSecret);
      r.secrets.push(own.body.webhookSecret);
      await patchClient(clientB, 'echo with a client secret');
      await settle();
      assert.ok(r.at('/echo').length >= 3);
      const db = h.t.database.db;
      const rows = (await sql<Record<string, unknown>>`SELECT * FROM webhook_deliveries`.execute(db)).rows;
      assert.ok(
        rows.some((x) => typeof x.response_body === 'string' && (x.response_body as string).includes('webhook-signature')),
        'the echo was recorded',
      );
      assert.ok(
        rows.some((x) => x.last_error !== null),
        'some rows carry errors',
      );
      const events = (await sql<Record<string, unknown>>`SELECT * FROM events`.execute(db)).rows;
      const haystacks: Array<[string, string]> = [
        ['payloads', r.received.map((x) => x.raw).join('\n')],
        ['request headers', r.received.map((x) => JSON.stringify(x.headers)).join('\n')],
        ['delivery rows', JSON.stringify(rows)],
        ['events', JSON.stringify(events)],
        ['logs', h.t.logs.join('\n')],
      ];
      const secrets = handedOut.filter((s) => s && s.length >= 16);
      const needles = [...secrets, ...secrets.filter((s) => s.startsWith('whsec_')).map((s) => s.slice(6))];
      assert.ok(needles.length >= 10);
      for (const [where, text] of haystacks) {
        assert.ok(text.length > 0, where);
        for (const s of needles) assert.ok(!text.includes(s), `a secret appears in ${where}`);
      }
    });
  });
}
