/**
 * Idempotency-Key guarantees, on both databases: the claim, the work and the recorded
 * response commit together (a failure anywhere leaves neither a claim nor a change, and the
 * retry runs once), a same-key request waits for the one in flight and replays it (or runs,
 * when that one failed), the wait is bounded (PostgreSQL), keyed creates of primary keys race
 * safely inside the transaction (nested transactions are savepoints), the 24 h TTL, and a
 * committed in-progress record left by an earlier version. The crash itself, with a real
 * process and SIGKILL: test/e2e/crash.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { createClient } from '../../src/core/clients.js';
import type { CoreContext } from '../../src/core/context.js';
import { AppError } from '../../src/core/errors.js';
import type { IdempotencyRecord } from '../../src/core/ports.js';
import type { Principal } from '../../src/core/types.js';
import { authenticateKey } from '../../src/core/verification.js';
import { randomBytes } from '../../src/crypto/random.js';
import { CLAIM_WAIT_MS, startIdempotencySweeper, sweepIdempotencyRecords, withIdempotency, type HttpResult } from '../../src/http/idempotency.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, call } from '../support/http.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const HOUR = 3600 * 1000;

/** What withIdempotency reads of a request: a POST /v1/clients with this key and body. */
function keyedRequest(key: string, body: unknown): FastifyRequest {
  return { headers: { 'idempotency-key': key }, method: 'POST', url: '/v1/clients', body } as unknown as FastifyRequest;
}

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Whether `p` is still pending after `ms`. */
async function pendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    p.then(
      () => false,
      () => false,
    ),
    sleep(ms).then(() => true),
  ]);
}

for (const backend of testBackends()) {
  describe(`Idempotency-Key: one transaction for claim, work and response [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let principal: Principal;
    let ctx: CoreContext;
    let shift = 0;

    before(async () => {
      t = await createTestApp(backend, { now: () => new Date(Date.now() + shift), logLevel: 'warn' });
      acc = await t.newAccount();
      ctx = t.services.ctx;
      principal = (await authenticateKey(ctx, acc.keyId, acc.secret))!;
      assert.ok(principal);
    });
    after(() => t?.close());

    const clientsNamed = async (name: string) => (await t.database.db.selectFrom('clients').select('id').where('account_id', '=', acc.accountId).where('name', '=', name).execute()).map((r) => r.id);
    const recordOf = (key: string) =>
      t.database.db.selectFrom('idempotency_records').select(['status_code']).where('account_id', '=', acc.accountId).where('idempotency_key', '=', key).executeTakeFirst();
    /** A keyed create of a client named `name`, through withIdempotency, with `between` run after the insert. */
    const keyedCreate = (key: string, name: string, between: () => Promise<void> = async () => {}): Promise<HttpResult> =>
      withIdempotency(ctx, principal, keyedRequest(key, { name }), async (c) => {
        const client = await createClient(c, principal, { name });
        await between();
        return { status: 201, body: { id: client.id } };
      });

    it('a failure after the work, before its response is recorded, leaves no claim and no change; the retry runs once', async () => {
      const key = `fail-after-work-${randomBytes(4).toString('hex')}`;
      const name = `after-work ${key}`;
      await assert.rejects(
        keyedCreate(key, name, async () => {
          // (The embedded engine's one connection is the transaction's until it ends.)
          if (backend === 'postgres') assert.equal((await clientsNamed(name)).length, 0, 'nothing is visible before the commit');
          throw new Error('simulated crash before the response is recorded');
        }),
        /simulated crash/,
      );
      assert.deepEqual(await clientsNamed(name), [], 'the change rolled back with the claim');
      assert.equal(await recordOf(key), undefined, 'no orphaned claim');

      const retry = await keyedCreate(key, name);
      assert.equal(retry.status, 201);
      assert.equal(retry.replayed, undefined, 'the retry ran the work');
      const again = await keyedCreate(key, name);
      assert.equal(again.replayed, true);
      assert.deepEqual(again.body, retry.body);
      assert.deepEqual(await clientsNamed(name), [(retry.body as { id: string }).id], 'exactly one client');
      assert.equal((await recordOf(key))?.status_code, 201);
    });

    it('a same-key request waits for the one in flight, then replays it: one client', async () => {
      const key = `wait-replay-${randomBytes(4).toString('hex')}`;
      const name = `waits ${key}`;
      const inside = gate();
      const release = gate();
      const first = keyedCreate(key, name, async () => {
        inside.open();
        await release.opened;
      });
      await inside.opened;
      const second = keyedCreate(key, name);
      assert.ok(await pendingAfter(second, 300), 'the second request waits while the first is uncommitted');
      release.open();
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a.status, 201);
      assert.equal(a.replayed, undefined);
      assert.equal(b.status, 201);
      assert.equal(b.replayed, true, 'the second replays the first');
      assert.deepEqual(b.body, a.body);
      assert.deepEqual(await clientsNamed(name), [(a.body as { id: string }).id]);
    });

    it('when the one in flight fails, the waiting same-key request runs the work', async () => {
      const key = `wait-run-${randomBytes(4).toString('hex')}`;
      const name = `runs ${key}`;
      const inside = gate();
      const release = gate();
      const first = keyedCreate(key, name, async () => {
        inside.open();
        await release.opened;
        throw new AppError('CONFLICT', 'the first attempt fails after its insert');
      });
      await inside.opened;
      const second = keyedCreate(key, name);
      assert.ok(await pendingAfter(second, 300));
      release.open();
      await assert.rejects(first, (err: unknown) => err instanceof AppError && err.code === 'CONFLICT');
      const b = await second;
      assert.equal(b.status, 201);
      assert.equal(b.replayed, undefined, 'the second ran the work itself');
      assert.deepEqual(await clientsNamed(name), [(b.body as { id: string }).id], 'only the second one’s client exists');
    });

    it('an error answer is not recorded: the key stays free for a corrected request', async () => {
      const headers = { ...acc.headers, 'idempotency-key': `error-${randomBytes(4).toString('hex')}` };
      assertProblem(await call(t, 'POST', '/v1/keys', headers, { clientId: '00000000-0000-7000-8000-000000000000' }), 404, 'CLIENT_NOT_FOUND');
      assert.equal(await recordOf(headers['idempotency-key']), undefined);
      const fixed = await call(t, 'POST', '/v1/keys', headers, { name: 'fixed' });
      assert.equal(fixed.status, 201, fixed.raw);
      assert.equal(fixed.headers['idempotent-replayed'], undefined);
    });

    it('every keyed create route runs its work in the transaction (a webhook endpoint of a client: its reads too)', { timeout: 20_000 }, async () => {
      // On the embedded engine's single connection, a read escaping to the pool would wait forever.
      const owner = await call(t, 'POST', '/v1/clients', acc.headers, { name: `hooked ${randomBytes(4).toString('hex')}` });
      const headers = { ...acc.headers, 'idempotency-key': `endpoint-${owner.body.id}` };
      const body = { url: 'https://93.184.216.34/hook', clientId: owner.body.id, events: ['client.*'] };
      const first = await call(t, 'POST', '/v1/webhook-endpoints', headers, body);
      assert.equal(first.status, 201, first.raw);
      const again = await call(t, 'POST', '/v1/webhook-endpoints', headers, body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.body, first.body);
      const rows = await t.database.db.selectFrom('webhook_endpoints').select('id').where('client_id', '=', owner.body.id).execute();
      assert.deepEqual(
        rows.map((r) => r.id),
        [first.body.id],
      );
      assertProblem(
        await call(t, 'POST', '/v1/webhook-endpoints', { ...acc.headers, 'idempotency-key': `endpoint-missing-${owner.body.id}` }, { ...body, clientId: '00000000-0000-7000-8000-000000000000' }),
        404,
        'CLIENT_NOT_FOUND',
      );
    });

    it('concurrent keyed creates of primary keys for one owner: the lost race retries inside the transaction, never a 500', async () => {
      // Without a key the same race answers 201 or, after 5 lost rounds, 409 CONFLICT ("retry");
      // with one, the retry must run inside the idempotency transaction (a savepoint) — without
      // it the aborted transaction turned most of these into 500s.
      let created = 0;
      for (let round = 0; round < 3; round++) {
        const owner = await call(t, 'POST', '/v1/clients', acc.headers, { name: `owner ${randomBytes(4).toString('hex')}` });
        assert.equal(owner.status, 201);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            call(t, 'POST', '/v1/keys', { ...acc.headers, 'idempotency-key': `primary-${owner.body.id}-${i}` }, { clientId: owner.body.id, name: `p${i}`, isPrimary: true }),
          ),
        );
        for (const r of results) if (r.status !== 201) assertProblem(r, 409, 'CONFLICT');
        const ok = results.filter((r) => r.status === 201);
        created += ok.length;
        const keys = await t.database.db.selectFrom('api_keys').select(['key_id', 'is_primary']).where('client_id', '=', owner.body.id).execute();
        assert.deepEqual(keys.map((k) => k.key_id).sort(), ok.map((r) => r.body.key.keyId).sort(), 'exactly the acknowledged keys exist');
        assert.equal(keys.filter((k) => k.is_primary).length, 1, 'one primary');
        for (const [i, r] of results.entries()) {
          const record = await recordOf(`primary-${owner.body.id}-${i}`);
          assert.equal(record?.status_code, r.status === 201 ? 201 : undefined, 'a refused create leaves its key free');
        }
      }
      assert.ok(created >= 9, `most creates succeed (${created}/18)`);
    });

    it('a nested transaction that fails undoes only its own writes (a savepoint), even after a unique violation', async () => {
      const taken = `taken-${randomBytes(4).toString('hex')}`;
      assert.equal((await call(t, 'POST', '/v1/clients', acc.headers, { username: taken })).status, 201);
      const rec = (key: string): IdempotencyRecord => ({
        accountId: acc.accountId,
        principal: 'user:nested',
        key,
        requestHash: randomBytes(32),
        statusCode: 0,
        response: Buffer.alloc(0),
        createdAt: new Date(),
      });
      const tag = randomBytes(4).toString('hex');
      await t.services.ctx.store.transaction(async (tx) => {
        assert.equal(await tx.idempotency.claim(rec(`outer-${tag}`)), true);
        await assert.rejects(
          tx.transaction(async (inner) => {
            assert.equal(await inner.idempotency.claim(rec(`inner-${tag}`)), true);
            await createClient({ ...ctx, store: inner }, principal, { username: taken.toUpperCase() });
          }),
          (err: unknown) => err instanceof AppError && err.code === 'USERNAME_TAKEN',
        );
        assert.equal(await tx.idempotency.get(acc.accountId, 'user:nested', `inner-${tag}`), null, 'the inner write is undone');
        assert.equal(await tx.idempotency.claim(rec(`after-${tag}`)), true, 'the outer transaction goes on');
      });
      assert.ok(await t.services.ctx.store.idempotency.get(acc.accountId, 'user:nested', `outer-${tag}`));
      assert.ok(await t.services.ctx.store.idempotency.get(acc.accountId, 'user:nested', `after-${tag}`));
      assert.equal(await t.services.ctx.store.idempotency.get(acc.accountId, 'user:nested', `inner-${tag}`), null);
    });

    it('records live 24 hours: a different request is refused within them, runs after them', async () => {
      const headers = { ...acc.headers, 'idempotency-key': `ttl-${randomBytes(4).toString('hex')}` };
      const first = await call(t, 'POST', '/v1/clients', headers, { name: 'ttl one' });
      assert.equal(first.status, 201);
      try {
        shift = 23 * HOUR;
        assertProblem(await call(t, 'POST', '/v1/clients', headers, { name: 'ttl two' }), 422, 'IDEMPOTENCY_KEY_REUSED');
        const replay = await call(t, 'POST', '/v1/clients', headers, { name: 'ttl one' });
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        shift = 25 * HOUR;
        const second = await call(t, 'POST', '/v1/clients', headers, { name: 'ttl two' });
        assert.equal(second.status, 201, second.raw);
        assert.equal(second.headers['idempotent-replayed'], undefined);
        assert.notEqual(second.body.id, first.body.id);
        const again = await call(t, 'POST', '/v1/clients', headers, { name: 'ttl two' });
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.equal(again.body.id, second.body.id);
      } finally {
        shift = 0;
      }
    });

    it('the sweeper deletes the records past their 24 hours, and only those', async () => {
      const tag = randomBytes(4).toString('hex');
      const headers = (k: string) => ({ ...acc.headers, 'idempotency-key': `${k}-${tag}` });
      assert.equal((await call(t, 'POST', '/v1/clients', headers('old'), { name: 'old' })).status, 201);
      try {
        shift = 20 * HOUR;
        assert.equal((await call(t, 'POST', '/v1/clients', headers('young'), { name: 'young' })).status, 201);
        shift = 24 * HOUR + 60_000;
        const stop = startIdempotencySweeper(ctx, (err) => assert.fail(String(err)), 60_000);
        await stop();
        assert.equal(await ctx.store.idempotency.get(acc.accountId, `${principal.actor.type}:${principal.actor.id}`, `old-${tag}`), null);
        assert.ok(await ctx.store.idempotency.get(acc.accountId, `${principal.actor.type}:${principal.actor.id}`, `young-${tag}`));
        assert.ok((await sweepIdempotencyRecords(ctx)) >= 0);
      } finally {
        shift = 0;
      }
    });

    it('a committed in-progress record (left by an earlier version) answers 409, never runs twice', async () => {
      const key = `legacy-${randomBytes(4).toString('hex')}`;
      const body = { name: 'legacy' };
      const requestHash = createHash('sha256')
        .update(`POST /v1/clients\n${JSON.stringify(body)}`)
        .digest();
      await t.services.ctx.store.idempotency.claim({ accountId: acc.accountId, principal: `key:${acc.keyId}`, key, requestHash, statusCode: 0, response: Buffer.alloc(0), createdAt: new Date() });
      assertProblem(await call(t, 'POST', '/v1/clients', { ...acc.headers, 'idempotency-key': key }, body), 409, 'IDEMPOTENCY_IN_PROGRESS');
      assert.deepEqual(await clientsNamed('legacy'), []);
    });

    if (backend === 'postgres') {
      it(`a same-key request waits at most ${CLAIM_WAIT_MS} ms for the one in flight, then answers 409 IN_PROGRESS`, { timeout: 30_000 }, async () => {
        const key = `wait-bound-${randomBytes(4).toString('hex')}`;
        const name = `bounded ${key}`;
        const inside = gate();
        const release = gate();
        const first = keyedCreate(key, name, async () => {
          inside.open();
          await release.opened;
        });
        await inside.opened;
        const startedAt = performance.now();
        await assert.rejects(keyedCreate(key, name), (err: unknown) => err instanceof AppError && err.code === 'IDEMPOTENCY_IN_PROGRESS');
        const waited = performance.now() - startedAt;
        assert.ok(waited >= CLAIM_WAIT_MS - 50 && waited < CLAIM_WAIT_MS + 3_000, `waited ${waited.toFixed(0)} ms`);
        release.open();
        const a = await first;
        const b = await keyedCreate(key, name);
        assert.equal(b.replayed, true);
        assert.deepEqual(b.body, a.body);
        assert.deepEqual(await clientsNamed(name), [(a.body as { id: string }).id]);
      });

      it('the claim’s wait bound applies to the claim only, not to the work after it', { timeout: 30_000 }, async () => {
        const store = t.services.ctx.store;
        const rec = (key: string): IdempotencyRecord => ({
          accountId: acc.accountId,
          principal: 'user:bound',
          key,
          requestHash: randomBytes(32),
          statusCode: 0,
          response: Buffer.alloc(0),
          createdAt: new Date(),
        });
        const tag = randomBytes(4).toString('hex');
        const holding = gate();
        const release = gate();
        const holder = store.transaction(async (tx) => {
          await tx.idempotency.claim(rec(`held-${tag}`));
          holding.open();
          await release.opened;
        });
        await holding.opened;
        setTimeout(release.open, 800);
        const startedAt = performance.now();
        const claimed = await store.transaction(async (tx) => {
          assert.equal(await tx.idempotency.claim(rec(`own-${tag}`), { waitMs: 200 }), true);
          // A lock wait after the bounded claim (here: on the held key) is not cut at 200 ms.
          return tx.idempotency.claim(rec(`held-${tag}`));
        });
        await holder;
        assert.equal(claimed, false, 'waited for the holder to commit, then found its record');
        assert.ok(performance.now() - startedAt >= 700);
      });
    }
  });
}
