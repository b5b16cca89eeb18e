import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyWithClient } from '../core/ports.js';
import type { ApiKey, Client } from '../core/types.js';
import { createMemoryCache } from './memory-cache.js';

const ACCOUNT = '01a2057f-4180-74a9-8d3b-6d27d04e65a3';
const CLIENT = '01a2057f-4180-74a9-8d3b-6d27d04e65a4';
const key = (keyId: string, clientId: string | null) => ({ keyId, accountId: ACCOUNT, clientId }) as ApiKey;
const client = { id: CLIENT, accountId: ACCOUNT, isActive: true } as Client;

/** A loader that counts its calls and can be held open until released. */
function loader(value: KeyWithClient | null) {
  const calls = { n: 0 };
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  return {
    calls,
    hold() {
      held = new Promise((r) => (release = r));
    },
    release: () => release?.(),
    load: async () => {
      calls.n++;
      await held;
      return value;
    },
  };
}

describe('memory cache: keyWithClient', () => {
  it('a miss loads the key and its client once and caches both', async () => {
    const cache = createMemoryCache();
    const l = loader({ key: key('ck_a', CLIENT), client });
    assert.deepEqual(await cache.keyWithClient('ck_a', l.load), { key: key('ck_a', CLIENT), client });
    assert.deepEqual(await cache.keyWithClient('ck_a', l.load), { key: key('ck_a', CLIENT), client });
    assert.equal(l.calls.n, 1);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
    assert.equal(cache.peekKey('ck_a')?.keyId, 'ck_a');
    assert.equal(cache.peekClient(ACCOUNT, CLIENT)?.id, CLIENT);
    assert.equal(cache.peekClient('01a2057f-0000-7000-8000-000000000000', CLIENT), undefined, 'another account never sees it');
  });

  it("an account's own key (no client) is served from memory too", async () => {
    const cache = createMemoryCache();
    const l = loader({ key: key('ck_b', null), client: null });
    await cache.keyWithClient('ck_b', l.load);
    assert.deepEqual(await cache.keyWithClient('ck_b', l.load), { key: key('ck_b', null), client: null });
    assert.equal(l.calls.n, 1);
  });

  it('concurrent misses share one load; a change announced during it keeps nothing', async () => {
    const cache = createMemoryCache();
    const l = loader({ key: key('ck_c', CLIENT), client });
    l.hold();
    const a = cache.keyWithClient('ck_c', l.load);
    const b = cache.keyWithClient('ck_c', l.load);
    cache.invalidate({ clientId: CLIENT }); // e.g. the client was deactivated meanwhile
    l.release();
    assert.deepEqual(await a, await b);
    assert.equal(l.calls.n, 1);
    assert.equal(cache.peekKey('ck_c'), undefined, 'the key read before the change is not kept');
    assert.equal(cache.peekClient(ACCOUNT, CLIENT), undefined, 'nor its client');
    await cache.keyWithClient('ck_c', l.load);
    assert.equal(l.calls.n, 2, 'the next check reads the database again');
  });

  it('a cached key whose client was forgotten is loaded again with its client', async () => {
    const cache = createMemoryCache();
    const l = loader({ key: key('ck_d', CLIENT), client });
    await cache.keyWithClient('ck_d', l.load);
    cache.invalidate({ clientId: CLIENT });
    assert.ok(cache.peekKey('ck_d'), 'only the client was forgotten');
    await cache.keyWithClient('ck_d', l.load);
    assert.equal(l.calls.n, 2);
  });

  it('unknown keys are not cached, and a disabled cache always loads', async () => {
    const cache = createMemoryCache();
    const missing = loader(null);
    assert.equal(await cache.keyWithClient('ck_e', missing.load), null);
    assert.equal(await cache.keyWithClient('ck_e', missing.load), null);
    assert.equal(missing.calls.n, 2);
    cache.setEnabled(false);
    const l = loader({ key: key('ck_f', null), client: null });
    await cache.keyWithClient('ck_f', l.load);
    await cache.keyWithClient('ck_f', l.load);
    assert.equal(l.calls.n, 2);
    assert.equal(cache.enabled, false);
  });
});
