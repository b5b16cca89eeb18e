/**
 * The batching key-usage recorder over the real store: what a flush writes (use counts,
 * lastUsedAt, `calls` counters per client, dimension and month), what counts as pending
 * for limit checks, and that a failed flush loses nothing.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createBatchingKeyUsage, type BatchingKeyUsage } from '../src/core/key-usage.js';
import type { Store } from '../src/core/ports.js';
import { createSqlStore } from '../src/storage/sql-store.js';
import { describeEachBackend } from './support/databases.js';
import { makeKey, newAccount, newClient } from './support/store-fixtures.js';

const NOV = new Date('2026-11-30T23:59:59.000Z');
const NOV_LATER = new Date('2026-11-30T23:59:59.900Z');
const DEC = new Date('2026-12-01T00:00:00.000Z');
const DEC_LATER = new Date('2026-12-02T10:00:00.000Z');

describeEachBackend('batching key usage', ({ db }) => {
  let store: Store;
  const recorders: BatchingKeyUsage[] = [];
  const recorder = (s: Store) => {
    const r = createBatchingKeyUsage(s, { flushIntervalMs: 3_600_000 });
    recorders.push(r);
    return r;
  };
  before(() => {
    store = createSqlStore(db().db, { pool: db().pool });
  });
  after(async () => {
    for (const r of recorders) await r.stop();
  });

  async function fixture() {
    const accountId = await newAccount(store);
    const [a, b] = [await newClient(store, accountId), await newClient(store, accountId)];
    const [keyA, keyB] = [makeKey(accountId, a), makeKey(accountId, b)];
    await store.apiKeys.insert(keyA);
    await store.apiKeys.insert(keyB);
    return { accountId, a, b, keyA, keyB };
  }

  const counters = async (accountId: string, clientIds: string[]) =>
    Object.fromEntries(
      (await store.usage.list(accountId, clientIds, ['all', '2026-11', '2026-12'], 'calls')).map((r) => [`${r.clientId === clientIds[0] ? 'a' : 'b'} ${r.period} ${r.dimension || '-'}`, r.value]),
    );

  it('a flush writes use counts, the latest use, and calls per client, dimension and month', async () => {
    const { accountId, a, b, keyA, keyB } = await fixture();
    const usage = recorder(store);
    usage.record(keyA.keyId, NOV_LATER, { accountId, clientId: a });
    usage.record(keyA.keyId, NOV, { accountId, clientId: a, dimension: 'example.com' });
    usage.record(keyA.keyId, DEC, { accountId, clientId: a });
    usage.record(keyA.keyId, DEC_LATER, { accountId, clientId: a, dimension: 'example.com' });
    usage.record(keyB.keyId, DEC, { accountId, clientId: b });
    usage.record(keyB.keyId, DEC); // a use with no metered call (an account's own request)
    assert.equal(usage.pendingCalls(a), 4);
    assert.equal(usage.pendingCalls(b), 1);

    await usage.flush();
    assert.equal(usage.pendingCalls(a), 0, 'written calls are no longer pending');
    const [storedA, storedB] = [await store.apiKeys.get(keyA.keyId), await store.apiKeys.get(keyB.keyId)];
    assert.equal(storedA?.useCount, 4);
    assert.deepEqual(storedA?.lastUsedAt, DEC_LATER);
    assert.equal(storedB?.useCount, 2);
    assert.deepEqual(storedB?.lastUsedAt, DEC);
    assert.deepEqual(await counters(accountId, [a, b]), {
      'a all -': 4,
      'a all example.com': 2,
      'a 2026-11 -': 2,
      'a 2026-11 example.com': 1,
      'a 2026-12 -': 2,
      'a 2026-12 example.com': 1,
      'b all -': 1,
      'b 2026-12 -': 1,
    });

    usage.record(keyA.keyId, DEC_LATER, { accountId, clientId: a });
    await usage.flush();
    assert.equal((await store.apiKeys.get(keyA.keyId))?.useCount, 5, 'later flushes add to the counts');
    assert.equal((await counters(accountId, [a, b]))['a all -'], 5);
  });

  it('a failed flush keeps everything pending and writes it with the next one', async () => {
    const { accountId, a, keyA } = await fixture();
    let failures = 1;
    const flaky: Store = {
      ...store,
      transaction: (fn) => (failures-- > 0 ? Promise.reject(new Error('connection lost')) : store.transaction(fn)),
    };
    const errors: unknown[] = [];
    const usage = createBatchingKeyUsage(flaky, { flushIntervalMs: 3_600_000, onError: (e) => errors.push(e) });
    recorders.push(usage);
    usage.record(keyA.keyId, NOV, { accountId, clientId: a, dimension: 'x' });
    usage.record(keyA.keyId, DEC, { accountId, clientId: a });
    usage.record(keyA.keyId, DEC, { accountId, clientId: a });
    await usage.flush();
    assert.equal(errors.length, 1);
    assert.equal(usage.pendingCalls(a), 3, 'nothing was lost');
    assert.equal((await store.apiKeys.get(keyA.keyId))?.useCount, 0);

    usage.record(keyA.keyId, DEC_LATER, { accountId, clientId: a });
    await usage.flush();
    assert.equal(usage.pendingCalls(a), 0);
    const stored = await store.apiKeys.get(keyA.keyId);
    assert.equal(stored?.useCount, 4);
    assert.deepEqual(stored?.lastUsedAt, DEC_LATER);
    assert.deepEqual(await counters(accountId, [a]), { 'a all -': 4, 'a all x': 1, 'a 2026-11 -': 1, 'a 2026-11 x': 1, 'a 2026-12 -': 3 });
  });

  it('calls being written still count as pending until the flush commits', async () => {
    const { accountId, a, keyA } = await fixture();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: Store = {
      ...store,
      transaction: async (fn) => {
        await held;
        return store.transaction(fn);
      },
    };
    const usage = recorder(slow);
    usage.record(keyA.keyId, DEC, { accountId, clientId: a });
    const flushed = usage.flush();
    await new Promise((r) => setImmediate(r));
    usage.record(keyA.keyId, DEC, { accountId, clientId: a });
    assert.equal(usage.pendingCalls(a), 2, 'one being written, one new');
    release();
    await flushed;
    assert.equal(usage.pendingCalls(a), 1);
    await usage.flush();
    assert.equal((await counters(accountId, [a]))['a all -'], 2);
  });
});
