/**
 * In-process webhook test harness: the real app (app.inject) on a fresh database, an account,
 * a dispatcher driven by `tick()`, and small HTTP helpers.
 */
import assert from 'node:assert/strict';
import { createTestApp, type TestAccount, type TestApp, type TestAppOptions } from '../support/app.js';
import type { BackendName } from '../support/databases.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../src/webhooks/dispatcher.js';

export interface Res {
  status: number;
  body: any;
  raw: string;
}

export interface Harness {
  t: TestApp;
  acc: TestAccount;
  call(method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res>;
  dispatcher(options?: DispatcherOptions): Dispatcher;
  /** Ticks `d` until `done()` holds (between ticks: `everyMs`). */
  drain(d: Dispatcher, what: string, done: () => boolean | Promise<boolean>, timeoutMs?: number, everyMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(backend: BackendName, options: TestAppOptions = {}): Promise<Harness> {
  const t = await createTestApp(backend, options);
  const acc = await t.newAccount('Webhooks Co');
  const dispatchers: Dispatcher[] = [];
  const call = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = acc.headers): Promise<Res> => {
    const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    let body: any;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body, raw: res.body };
  };
  return {
    t,
    acc,
    call,
    dispatcher(o = {}) {
      const d = createDispatcher(t.services.ctx, {
        retryBaseMs: 20,
        timeoutMs: 1000,
        pollIntervalMs: 10,
        // As src/server.ts does: dispatcher errors go to the (captured) log.
        onError: (err) => t.app.log.error({ err }, 'webhook dispatcher error'),
        ...o,
      });
      dispatchers.push(d);
      return d;
    },
    async drain(d, what, done, timeoutMs = 15_000, everyMs = 5) {
      const deadline = performance.now() + timeoutMs;
      while (!(await done())) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await d.tick();
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    async close() {
      for (const d of dispatchers) await d.stop();
      await t.close();
    },
  };
}

/**
 * Asserts a 400 problem naming `field`: first field error and the detail name it, and any other
 * field error is about an enclosing field only (a nullable array also reports its `null` branch).
 */
export function assertInvalid(res: Res, field: string, where = ''): void {
  assert.equal(res.status, 400, `${where} ${res.raw}`);
  assert.equal(res.body?.code, 'VALIDATION_FAILED', `${where} ${res.raw}`);
  const fields: string[] = [...new Set<string>((res.body?.errors ?? []).map((e: { field: string }) => e.field))];
  assert.equal(fields[0], field, `${where} ${res.raw}`);
  assert.ok(String(res.body.detail).startsWith(`${field}: `), `${where} ${res.raw}`);
  for (const f of fields.slice(1)) assert.ok(field.startsWith(`${f}.`), `${where}: unrelated field error ${f}: ${res.raw}`);
}

export async function createClient(h: Harness, name: string): Promise<string> {
  const r = await h.call('POST', '/v1/clients', { name });
  assert.equal(r.status, 201, r.raw);
  return r.body.id as string;
}

export async function createEndpoint(h: Harness, body: Record<string, unknown>): Promise<any> {
  const r = await h.call('POST', '/v1/webhook-endpoints', body);
  assert.equal(r.status, 201, r.raw);
  return r.body;
}

export async function accountSecret(h: Harness, gracePeriodSeconds?: number): Promise<string> {
  const r = await h.call('POST', '/v1/webhook-secret/generate', gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds });
  assert.equal(r.status, 200, r.raw);
  assert.match(r.body.webhookSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  return r.body.webhookSecret as string;
}

export async function deliveries(h: Harness, endpointId: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const r: Res = await h.call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.raw);
    out.push(...r.body.data);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

/** Every event of the account, oldest first. */
export async function allEvents(h: Harness): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const r: Res = await h.call('GET', `/v1/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.raw);
    out.push(...r.body.data);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}
