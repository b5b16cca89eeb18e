/**
 * Client credentials: the SDK fetches a token at POST /oauth2/token, reuses it, fetches a new
 * one shortly before expiry, and once more on a 401; concurrent calls share one token request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clientele, ClienteleError } from '../src/index.js';
import { fakeFetch, json, problem, type Recorded } from './fake-fetch.js';

const page = { data: [], nextCursor: null };

function tokenServer(opts: { expiresIn?: number; reject?: (req: Recorded, issued: number) => boolean } = {}) {
  let issued = 0;
  const f = fakeFetch((req) => {
    if (req.url.endsWith('/oauth2/token')) {
      issued += 1;
      return json(200, { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: opts.expiresIn ?? 1800 });
    }
    if (opts.reject?.(req, issued)) return problem(401, 'UNAUTHENTICATED');
    return json(200, page);
  });
  return { ...f, issued: () => issued, apiCalls: () => f.requests.filter((r) => !r.url.endsWith('/oauth2/token')) };
}

describe('SDK client-credentials tokens', () => {
  it('fetches one token (form body, client_credentials) and reuses it', async () => {
    const s = tokenServer();
    const sdk = new Clientele({ baseUrl: 'http://api.test/', clientCredentials: { clientId: 'ck_id', clientSecret: 's3cret' }, fetch: s.fetch });
    await Promise.all([sdk.clients.listPage(), sdk.keys.listPage(), sdk.events.listPage()]);
    await sdk.clients.listPage();
    assert.equal(s.issued(), 1, 'concurrent first calls share one token request');
    const tokenReq = s.requests.find((r) => r.url === 'http://api.test/oauth2/token')!;
    assert.equal(tokenReq.method, 'POST');
    assert.equal(tokenReq.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tokenReq.body)), { grant_type: 'client_credentials', client_id: 'ck_id', client_secret: 's3cret' });
    assert.equal(tokenReq.headers.authorization, undefined);
    assert.ok(s.apiCalls().every((r) => r.headers.authorization === 'Bearer tok-1'));
  });

  it('refreshes shortly before expiry (10% of the lifetime, at most a minute)', async () => {
    let now = 1_000_000;
    const s = tokenServer({ expiresIn: 600 });
    const sdk = new Clientele({ baseUrl: 'http://api.test', clientCredentials: { clientId: 'a', clientSecret: 'b' }, fetch: s.fetch, now: () => now });
    await sdk.clients.listPage();
    now += 539_000; // 61 s before expiry: still fine
    await sdk.clients.listPage();
    assert.equal(s.issued(), 1);
    now += 2_000; // 59 s before expiry: inside the margin
    await sdk.clients.listPage();
    assert.equal(s.issued(), 2);
    assert.equal(s.apiCalls().at(-1)!.headers.authorization, 'Bearer tok-2');
  });

  it('on a 401 fetches a new token and repeats the request once — even a plain POST', async () => {
    const s = tokenServer({ reject: (req, issued) => req.headers.authorization === 'Bearer tok-1' && issued >= 1 });
    const sdk = new Clientele({ baseUrl: 'http://api.test', clientCredentials: { clientId: 'a', clientSecret: 'b' }, fetch: s.fetch, retries: 0 });
    await sdk.clients.create({ name: 'x' });
    assert.equal(s.issued(), 2);
    assert.deepEqual(
      s.apiCalls().map((r) => r.headers.authorization),
      ['Bearer tok-1', 'Bearer tok-2'],
    );
  });

  it('a second 401 is reported, not looped on', async () => {
    const s = tokenServer({ reject: () => true });
    const sdk = new Clientele({ baseUrl: 'http://api.test', clientCredentials: { clientId: 'a', clientSecret: 'b' }, fetch: s.fetch });
    await assert.rejects(sdk.clients.listPage(), (e: ClienteleError) => e.status === 401 && e.code === 'UNAUTHENTICATED');
    assert.equal(s.issued(), 2);
    assert.equal(s.apiCalls().length, 2);
  });

  it('bad client credentials: a typed 401 from the token endpoint (OAuth error body)', async () => {
    const f = fakeFetch(() => json(401, { error: 'invalid_client', error_description: 'Client authentication failed' }));
    const sdk = new Clientele({ baseUrl: 'http://api.test', clientCredentials: { clientId: 'a', clientSecret: 'b' }, fetch: f.fetch });
    await assert.rejects(sdk.clients.listPage(), (e: ClienteleError) => e.status === 401 && e.code === 'INVALID_CLIENT' && /Client authentication failed/.test(e.message));
    assert.equal(f.requests.length, 1, 'no retry of a refused grant');
  });

  it('the token request itself is retried on 503', async () => {
    let n = 0;
    const f = fakeFetch((req) => {
      if (req.url.endsWith('/oauth2/token')) return ++n === 1 ? problem(503, 'UNAVAILABLE') : json(200, { access_token: 't', expires_in: 60 });
      return json(200, page);
    });
    const sdk = new Clientele({ baseUrl: 'http://api.test', clientCredentials: { clientId: 'a', clientSecret: 'b' }, fetch: f.fetch, retries: { minDelayMs: 1, maxDelayMs: 2 } });
    await sdk.clients.listPage();
    assert.equal(n, 2);
  });

  it('API keys and static access tokens are never refreshed: a 401 is reported as is', async () => {
    const f = fakeFetch(() => problem(401, 'UNAUTHENTICATED'));
    await assert.rejects(new Clientele({ baseUrl: 'http://api.test', apiKey: 'clt_x', fetch: f.fetch }).clients.listPage(), ClienteleError);
    await assert.rejects(new Clientele({ baseUrl: 'http://api.test', accessToken: 'jwt', fetch: f.fetch }).clients.listPage(), ClienteleError);
    assert.deepEqual(
      f.requests.map((r) => [r.headers['x-api-key'], r.headers.authorization]),
      [
        ['clt_x', undefined],
        [undefined, 'Bearer jwt'],
      ],
    );
  });
});
