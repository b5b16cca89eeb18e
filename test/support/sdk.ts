/**
 * Wiring the SDK to a real in-process Clientele: a `fetch` that goes through `app.inject()`
 * (no socket), or a real listener on 127.0.0.1:0.
 */
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../../sdk/src/http.js';
import type { App } from '../../src/http/app.js';

export const INJECT_ORIGIN = 'http://clientele.inject';

/** A `fetch` answering from `app.inject()`; the URL's origin is ignored. */
export function injectFetch(app: App): FetchLike {
  return async (url, init) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    if (init.signal?.aborted) throw init.signal.reason;
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: u.pathname + u.search,
      headers,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) out.append(k, String(one));
    }
    const empty = res.statusCode === 204 || res.statusCode === 304;
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, statusText: res.statusMessage, headers: out });
  };
}

export type TransportName = 'inject' | 'socket';
export const TRANSPORTS: TransportName[] = ['inject', 'socket'];

/** The base URL and fetch to give the SDK for this transport (listening when asked). */
export async function connect(app: App, transport: TransportName): Promise<{ baseUrl: string; fetch?: FetchLike }> {
  if (transport === 'inject') return { baseUrl: INJECT_ORIGIN, fetch: injectFetch(app) };
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}` };
}
