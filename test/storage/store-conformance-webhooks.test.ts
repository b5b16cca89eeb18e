/**
 * Store conformance, webhooks: the dispatcher's claim (one round trip with the endpoint, the
 * event and the sealed signing secrets; per-endpoint limits; leases), its batched results,
 * and the wake-ups that tell dispatchers deliveries are due (in-process after commit; NOTIFY
 * to the other instances on PostgreSQL).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import pg from 'pg';
import type { DeliveryResult, Store } from '../../src/core/ports.js';
import type { DomainEvent, WebhookDelivery, WebhookEndpoint } from '../../src/core/types.js';
import { randomBytes, uuidv7 } from '../../src/crypto/random.js';
import { createSqlStore } from '../../src/storage/sql-store.js';
import { WEBHOOKS_DUE_CHANNEL } from '../../src/storage/sql-webhooks.js';
import { describeEachBackend } from '../support/databases.js';
import { makeClient, makeEndpoint, newAccount, T0, T1, T2 } from '../support/store-fixtures.js';

const LEASE = new Date(T2.getTime() + 60_000);

function makeEvent(accountId: string, clientId: string | null, i = 0): DomainEvent {
  return { id: uuidv7(), accountId, clientId, type: 'client.updated', actor: { type: 'key', id: 'ak_x' }, data: { i, text: 'é "quoted"' }, createdAt: T0 };
}

function makeDelivery(endpoint: WebhookEndpoint, event: DomainEvent, over: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: uuidv7(),
    accountId: endpoint.accountId,
    endpointId: endpoint.id,
    eventId: event.id,
    eventType: event.type,
    clientId: event.clientId,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T1,
    leaseUntil: null,
    lastAttemptAt: null,
    responseStatus: null,
    responseBody: null,
    latencyMs: null,
    lastError: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

describeEachBackend('store conformance: webhook dispatch', ({ backend, db }) => {
  let store: Store;
  let due = 0;
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool, onDeliveriesDue: () => (due += 1), notifyDeliveries: backend === 'postgres' });
  });

  /** A fresh account with one endpoint and `n` due deliveries of events on it; nothing else in the queue is due at T2. */
  async function queue(n: number, offsetMs = 0) {
    const accountId = await newAccount(store);
    const endpoint = makeEndpoint(accountId);
    await store.webhooks.insertEndpoint(endpoint);
    const rows: Array<{ event: DomainEvent; delivery: WebhookDelivery }> = [];
    for (let i = 0; i < n; i++) {
      const event = makeEvent(accountId, null, i);
      await store.events.append(event);
      const delivery = makeDelivery(endpoint, event, { nextAttemptAt: new Date(T1.getTime() + offsetMs + i) });
      await store.webhooks.insertDelivery(delivery);
      rows.push({ event, delivery });
    }
    return { accountId, endpoint, rows };
  }

  /** Claims everything due at T2 and writes it back as succeeded, so one test's rows never leak into the next. */
  async function drainQueue() {
    for (;;) {
      const claimed = await store.webhooks.claimDue(T2, { limit: 500, leaseUntil: LEASE });
      if (claimed.length === 0) return;
      await store.webhooks.recordResults(
        claimed.map((c) => ({ ...result(c.delivery.id), claimedLease: LEASE })),
        T2,
      );
    }
  }

  function result(id: string, over: Partial<DeliveryResult> = {}): DeliveryResult {
    return {
      id,
      claimedLease: LEASE,
      status: 'succeeded',
      attempts: 1,
      nextAttemptAt: T1,
      lastAttemptAt: T2,
      responseStatus: 204,
      responseBody: 'ok "quoted" \\ {x}',
      latencyMs: 12,
      lastError: null,
      ...over,
    };
  }

  describe('claimDue', () => {
    it('claims in due order, marks them sending under the lease, and brings the endpoint, the event and the account secret along', async () => {
      await drainQueue();
      const { accountId, endpoint, rows } = await queue(3);
      const sealed = { accountId, secret: randomBytes(40), previousSecret: randomBytes(40), previousExpiresAt: T2, createdAt: T1 };
      await store.accountWebhookSecrets.put(sealed);
      const claimed = await store.webhooks.claimDue(T2, { limit: 2, leaseUntil: LEASE });
      assert.deepEqual(
        claimed.map((c) => c.delivery.id),
        rows.slice(0, 2).map((r) => r.delivery.id),
      );
      const first = claimed[0]!;
      assert.deepEqual(first.delivery, { ...rows[0]!.delivery, status: 'sending', leaseUntil: LEASE, updatedAt: T2 });
      assert.deepEqual(first.endpoint, endpoint);
      assert.deepEqual(first.event, rows[0]!.event);
      assert.deepEqual(first.signing, { clientDataKey: null, clientSecret: null, account: sealed });
      // Claimed rows are not claimed again while leased; the third still is due.
      const rest = await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: LEASE });
      assert.deepEqual(
        rest.map((c) => c.delivery.id),
        [rows[2]!.delivery.id],
      );
      // Not yet due: nothing.
      const early = await queue(1);
      assert.deepEqual(await store.webhooks.claimDue(T0, { limit: 10, leaseUntil: LEASE }), []);
      assert.equal((await store.webhooks.getDelivery(early.accountId, early.rows[0]!.delivery.id))?.status, 'pending');
      await drainQueue();
    });

    it("brings a client's own sealed secret with the client's wrapped data key; none when the event has no client or the secret is gone", async () => {
      await drainQueue();
      const accountId = await newAccount(store);
      const client = makeClient(accountId);
      await store.clients.insert(client);
      const endpoint = makeEndpoint(accountId);
      await store.webhooks.insertEndpoint(endpoint);
      const secret = randomBytes(60);
      await store.webhookSecrets.put({ clientId: client.id, accountId, secret, createdAt: T1 });
      const ofClient = makeEvent(accountId, client.id);
      const ofAccount = makeEvent(accountId, null);
      for (const e of [ofClient, ofAccount]) {
        await store.events.append(e);
        await store.webhooks.insertDelivery(makeDelivery(endpoint, e));
      }
      const claimed = await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: LEASE });
      const byEvent = new Map(claimed.map((c) => [c.event?.id, c.signing]));
      assert.deepEqual(byEvent.get(ofClient.id), { clientDataKey: client.dataKey, clientSecret: secret, account: null });
      assert.deepEqual(byEvent.get(ofAccount.id), { clientDataKey: null, clientSecret: null, account: null });
      await drainQueue();
    });

    it('returns null for an event that no longer exists', async () => {
      await drainQueue();
      const accountId = await newAccount(store);
      const endpoint = makeEndpoint(accountId);
      await store.webhooks.insertEndpoint(endpoint);
      const gone = makeEvent(accountId, null); // never appended
      await store.webhooks.insertDelivery(makeDelivery(endpoint, gone));
      const [c] = await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: LEASE });
      assert.equal(c?.event, null);
      assert.deepEqual(c?.endpoint, endpoint);
      await drainQueue();
    });

    it('gives no endpoint more than perEndpoint minus what the caller holds, and skips an endpoint at its limit even when its backlog is first in line', async () => {
      await drainQueue();
      const slow = await queue(60); // due first
      const other = await queue(3, 1000);
      const claimed = await store.webhooks.claimDue(T2, { limit: 20, leaseUntil: LEASE, perEndpoint: 4, held: new Map([[slow.endpoint.id, 1]]) });
      const count = (list: typeof claimed, id: string) => list.filter((c) => c.delivery.endpointId === id).length;
      assert.equal(count(claimed, slow.endpoint.id), 3);
      assert.equal(count(claimed, other.endpoint.id), 3);
      const more = await queue(3, 2000);
      // At its limit: none of its 57 due deliveries (the 20 rows a claim of 5 looks at would all be
      // its own), but the other endpoint's behind them.
      const next = await store.webhooks.claimDue(T2, { limit: 5, leaseUntil: LEASE, perEndpoint: 4, held: new Map([[slow.endpoint.id, 4]]) });
      assert.deepEqual(
        next.map((c) => c.delivery.id),
        more.rows.map((r) => r.delivery.id),
      );
      // The total limit bounds the claim.
      const two = await store.webhooks.claimDue(T2, { limit: 2, leaseUntil: LEASE, perEndpoint: 4 });
      assert.equal(two.length, 2);
      await drainQueue();
    });

    it('claims again a delivery whose lease expired', async () => {
      await drainQueue();
      const { rows } = await queue(1);
      const shortLease = new Date(T2.getTime() - 1);
      assert.equal((await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: shortLease })).length, 1);
      const again = await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: LEASE });
      assert.deepEqual(
        again.map((c) => [c.delivery.id, c.delivery.leaseUntil?.getTime()]),
        [[rows[0]!.delivery.id, LEASE.getTime()]],
      );
      await drainQueue();
    });

    if (backend === 'postgres') {
      it('concurrent claims on separate connections never return the same delivery', async () => {
        await drainQueue();
        await queue(60);
        const claims = await Promise.all(Array.from({ length: 6 }, () => store.webhooks.claimDue(T2, { limit: 15, leaseUntil: LEASE, perEndpoint: 64 })));
        // A claim skips rows another one has locked, even those that one will not take: some may
        // come back short, and what is left is claimed by the next look.
        const ids = claims.flat().map((c) => c.delivery.id);
        assert.equal(new Set(ids).size, ids.length);
        const rest = await store.webhooks.claimDue(T2, { limit: 100, leaseUntil: LEASE, perEndpoint: 64 });
        const all = [...ids, ...rest.map((c) => c.delivery.id)];
        assert.equal(new Set(all).size, 60);
        assert.equal(all.length, 60);
        await drainQueue();
      });
    }
  });

  describe('recordResults', () => {
    it('writes every column of each result and clears the lease, in one call; an empty list writes nothing', async () => {
      await drainQueue();
      const { accountId, rows } = await queue(2);
      await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: LEASE });
      const retry = result(rows[1]!.delivery.id, { status: 'pending', attempts: 3, nextAttemptAt: LEASE, responseStatus: null, responseBody: null, latencyMs: null, lastError: 'timed out' });
      assert.equal(await store.webhooks.recordResults([result(rows[0]!.delivery.id), retry], T2), 2);
      assert.equal(await store.webhooks.recordResults([], T2), 0);
      const [a, b] = await Promise.all(rows.map((r) => store.webhooks.getDelivery(accountId, r.delivery.id)));
      assert.deepEqual(a, {
        ...rows[0]!.delivery,
        status: 'succeeded',
        attempts: 1,
        nextAttemptAt: T1,
        leaseUntil: null,
        lastAttemptAt: T2,
        responseStatus: 204,
        responseBody: 'ok "quoted" \\ {x}',
        latencyMs: 12,
        lastError: null,
        updatedAt: T2,
      });
      assert.deepEqual(b, { ...rows[1]!.delivery, status: 'pending', attempts: 3, nextAttemptAt: LEASE, leaseUntil: null, lastAttemptAt: T2, lastError: 'timed out', updatedAt: T2 });
    });

    it('leaves alone a delivery claimed again (another lease) or no longer sending', async () => {
      await drainQueue();
      const { accountId, rows } = await queue(2);
      const expired = new Date(T2.getTime() - 1);
      await store.webhooks.claimDue(T2, { limit: 10, leaseUntil: expired });
      await store.webhooks.claimDue(T2, { limit: 1, leaseUntil: LEASE }); // the first, claimed again by "another instance"
      await store.webhooks.updateDelivery(rows[1]!.delivery.id, { status: 'pending', leaseUntil: null }, T2); // the second, redelivered
      const written = await store.webhooks.recordResults(
        rows.map((r) => result(r.delivery.id, { claimedLease: expired })),
        T2,
      );
      assert.equal(written, 0);
      const [a, b] = await Promise.all(rows.map((r) => store.webhooks.getDelivery(accountId, r.delivery.id)));
      assert.equal(a?.status, 'sending');
      assert.deepEqual(a?.leaseUntil, LEASE);
      assert.equal(b?.status, 'pending');
      await drainQueue();
    });
  });

  describe('wake-ups', () => {
    it('onDeliveriesDue fires after the commit of a transaction that queued deliveries, never for one rolled back or one that queued none', async () => {
      const accountId = await newAccount(store);
      await store.webhooks.insertEndpoint(makeEndpoint(accountId));
      due = 0;
      await store.transaction(async (tx) => {
        await tx.webhooks.enqueueForEvent(makeEvent(accountId, null));
        assert.equal(due, 0, 'not before the commit');
      });
      assert.equal(due, 1);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.webhooks.enqueueForEvent(makeEvent(accountId, null));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(due, 1, 'not for a rollback');
      const quiet = await newAccount(store); // no endpoint: nothing queued
      await store.transaction((tx) => tx.webhooks.enqueueForEvent(makeEvent(quiet, null)));
      assert.equal(due, 1);
      await store.webhooks.enqueueForEvents([makeEvent(accountId, null)]); // outside a transaction: at once
      assert.equal(due, 2);
      await drainQueue();
    });

    it('a delivery made due again (insert pending, redeliver, a secret releasing waiting ones) wakes too; wakeWaiting says how many', async () => {
      await drainQueue();
      const { accountId, endpoint, rows } = await queue(1);
      due = 0;
      const e = makeEvent(accountId, null);
      await store.events.append(e);
      await store.webhooks.insertDelivery(makeDelivery(endpoint, e, { status: 'waiting_secret', nextAttemptAt: LEASE }));
      assert.equal(due, 0, 'a delivery waiting for a secret is not due');
      assert.equal(await store.webhooks.wakeWaiting(accountId, T2), 1);
      assert.equal(due, 1);
      assert.equal(await store.webhooks.wakeWaiting(accountId, T2), 0);
      assert.equal(due, 1);
      await store.webhooks.updateDelivery(rows[0]!.delivery.id, { status: 'pending', nextAttemptAt: T2 }, T2);
      assert.equal(due, 2);
      await drainQueue();
    });

    if (backend === 'postgres') {
      it('NOTIFYs the other instances on commit only', async () => {
        const listener = new pg.Client({ connectionString: db().url });
        await listener.connect();
        try {
          const heard: string[] = [];
          listener.on('notification', (m) => heard.push(m.channel));
          await listener.query(`LISTEN ${WEBHOOKS_DUE_CHANNEL}`);
          const accountId = await newAccount(store);
          await store.webhooks.insertEndpoint(makeEndpoint(accountId));
          await assert.rejects(
            store.transaction(async (tx) => {
              await tx.webhooks.enqueueForEvent(makeEvent(accountId, null));
              throw new Error('roll back');
            }),
          );
          await store.transaction(async (tx) => {
            for (let i = 0; i < 3; i++) await tx.webhooks.enqueueForEvent(makeEvent(accountId, null, i));
          });
          const deadline = Date.now() + 5_000;
          while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          await listener.query('SELECT 1'); // any notification sent before this answer has arrived
          assert.deepEqual(heard, [WEBHOOKS_DUE_CHANNEL], 'one notification for the committed transaction (repeats folded), none for the rollback');
        } finally {
          await listener.end();
          await drainQueue();
        }
      });
    }
  });
});
