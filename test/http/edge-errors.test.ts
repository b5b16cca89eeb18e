/**
 * Errors raised at the edge — by the router before a route matched, by the HTTP parser, by
 * the request deadlines — are written like every other error: in the surface's own format,
 * with the security headers, and without echoing the request's URL, query or body. Log lines
 * never hold a token, however the request encoded it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../src/http/app.js';
import { lenientDecode, redactUrl, scrubLogLine } from '../../src/http/logging.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { PROBLEM_TYPE } from '../support/http.js';

/** Sends raw bytes, optionally dripping more every `dripMs`; resolves with all that came back when the server closes. */
function rawExchange(port: number, head: string, drip?: { text: string; everyMs: number }, giveUpMs = 10_000): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    const timer = drip ? setInterval(() => socket.writable && socket.write(drip.text), drip.everyMs) : undefined;
    const done = () => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ text, ms: Date.now() - started });
    };
    const limit = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => {});
  });
}

function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function assertSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['cache-control'], 'no-store', what);
}

for (const backend of testBackends()) {
  describe(`edge errors [${backend}]`, () => {
    let t: TestApp;
    let account: TestAccount;
    const secretOf = (token: string) => token.slice(27);

    before(async () => {
      t = await createTestApp(backend);
      account = await t.newAccount();
    });
    after(async () => t?.close());

    it('a URL that does not decode is a 400 in each surface format, quoting nothing of it', async () => {
      const cases = [
        { url: `/hosting/api/client/%E9?apiKey=${account.token}`, surface: 'ccm19' },
        { url: `/v1/clients/%E9?token=${account.token}`, surface: 'native' },
        { url: `/api/v1/clients/%E9?x=${account.token}`, surface: 'factpulse' },
        { url: `/oauth2/tok%E9n?client_secret=${account.token}`, surface: 'oauth' },
      ];
      for (const c of cases) {
        const res = await t.app.inject({ method: 'GET', url: c.url });
        assert.equal(res.statusCode, 400, c.url);
        assertSecurityHeaders(res.headers, c.url);
        assert.ok(!res.body.includes(secretOf(account.token)) && !res.body.includes('%E9') && !res.body.includes('apiKey'), `${c.url}: ${res.body}`);
        const body = res.json();
        if (c.surface === 'native' || c.surface === 'ccm19') {
          assert.equal(res.headers['content-type'], PROBLEM_TYPE);
          assert.equal(body.code, 'MALFORMED_URL');
          assert.equal(body.instance, undefined);
        } else if (c.surface === 'factpulse') {
          assert.deepEqual(Object.keys(body).sort(), ['errorCode', 'errorMessage']);
        } else {
          assert.deepEqual(body, { error: 'invalid_request', error_description: 'The URL could not be decoded' });
        }
      }
    });

    it('a path parameter over 100 characters is a 414 in the surface format, not echoed', async () => {
      const long = 'a'.repeat(120);
      const native = await t.app.inject({ method: 'GET', url: `/v1/clients/${long}`, headers: account.headers });
      assert.equal(native.statusCode, 414);
      assertSecurityHeaders(native.headers, 'native 414');
      assert.equal(native.json().code, 'URI_TOO_LONG');
      assert.ok(!native.body.includes(long));
      const factpulse = await t.app.inject({ method: 'GET', url: `/api/v1/clients/${long}`, headers: account.headers });
      assert.equal(factpulse.statusCode, 414);
      assert.deepEqual(Object.keys(factpulse.json()).sort(), ['errorCode', 'errorMessage']);
    });

    it('/oauth2/token answers a body it cannot parse, or a wrong media type, in RFC 6749 form', async () => {
      const bad = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/json' }, payload: `{"client_secret":"${account.secret}"` });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(Object.keys(bad.json()).sort(), ['error', 'error_description']);
      assert.equal(bad.json().error, 'invalid_request');
      assert.ok(!bad.body.includes(account.secret));
      assertSecurityHeaders(bad.headers, 'oauth 400');
      const xml = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      assert.equal(xml.statusCode, 415);
      assert.equal(xml.json().error, 'invalid_request');
    });

    it('unknown paths under a vendor prefix answer 404 in that vendor format', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: account.headers });
      assert.equal(res.statusCode, 404);
      assert.deepEqual(Object.keys(res.json()).sort(), ['errorCode', 'errorMessage']);
    });

    it('a percent-encoded apiKey authenticates, and its log line holds the token masked', async () => {
      t.logs.length = 0;
      const encoded = account.token.replace(/_/g, '%5F').replace(/^c/, '%63');
      const res = await t.app.inject({ method: 'GET', url: `/hosting/api/client?%61piKey=${encoded}` });
      assert.equal(res.statusCode, 200, res.body);
      const lines = t.logs.join('\n');
      assert.ok(lines.includes('/hosting/api/client?'), 'the request was logged');
      assert.ok(!lines.includes(secretOf(account.token)), lines);
      assert.ok(!lenientDecode(lines).includes(secretOf(account.token)), lines);
    });

    it('a token anywhere in the path, plain or encoded, is masked in the logs', async () => {
      t.logs.length = 0;
      const encoded = account.token.replace(/_/g, '%5F');
      await t.app.inject({ method: 'GET', url: `/hosting/api/client/by-apiKey/${encoded}`, headers: account.headers });
      await t.app.inject({ method: 'GET', url: `/v1/nothing/${account.token}` });
      const lines = t.logs.join('\n');
      assert.ok(!lines.includes(secretOf(account.token)) && !lenientDecode(lines).includes(secretOf(account.token)), lines);
    });
  });
}

describe('log redaction', () => {
  const token = `clt_${'A'.repeat(22)}_${'b'.repeat(49)}`;
  const keyPart = token.slice(0, 27);

  it('masks secret query parameters after decoding their names, and tokens however encoded', () => {
    assert.equal(redactUrl(`/x?%61piKey=whatever&b=1`), '/x?%61piKey=[REDACTED]&b=1');
    assert.equal(redactUrl(`/x?API_KEY=1&Password=2&client%5Fsecret=3`), '/x?API_KEY=[REDACTED]&Password=[REDACTED]&client%5Fsecret=[REDACTED]');
    assert.equal(redactUrl(`/x?q=${token.replace('_', '%5F')}`), `/x?q=${keyPart}[REDACTED]`);
    assert.equal(redactUrl(`/by/${token}`), `/by/${keyPart}[REDACTED]`);
    assert.equal(redactUrl('/plain?page=2&q=%E9'), '/plain?page=2&q=%E9');
  });

  it('scrubs tokens from whole log lines, wherever they sit', () => {
    const line = JSON.stringify({ msg: `failed for ${token}`, err: { message: `'/a?k=${token.replace(/_/g, '%5F')}' is bad` } });
    const scrubbed = scrubLogLine(line);
    assert.ok(!scrubbed.includes('b'.repeat(49)), scrubbed);
    assert.ok(scrubbed.includes(keyPart), 'the key id part stays, to tell keys apart');
    assert.doesNotThrow(() => JSON.parse(scrubbed));
    const untouched = JSON.stringify({ msg: 'nothing secret %E9 here', id: 'x'.repeat(100) });
    assert.equal(scrubLogLine(untouched), untouched);
  });
});

describe('request deadlines', () => {
  let t: TestApp;
  let app: App;
  let port: number;
  let account: TestAccount;

  before(async () => {
    t = await createTestApp('embedded', { logLevel: 'warn' });
    account = await t.newAccount();
    app = await buildApp({ ctx: t.services.ctx, ready: async () => true, logLevel: 'silent', requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
    port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  });
  after(async () => {
    await app?.close();
    await t?.close();
  });

  it('a body sent one byte at a time is cut with a 408 in the surface format', async () => {
    const head = `POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nX-API-Key: ${account.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const { text, ms } = await rawExchange(port, head, { text: ' ', everyMs: 200 });
    const res = parseRaw(text);
    assert.equal(res.status, 408, text);
    assert.ok(ms < 4000, `cut after ${ms} ms`);
    assertSecurityHeaders(res.headers, '408');
    assert.deepEqual(Object.keys(JSON.parse(res.body)).sort(), ['errorCode', 'errorMessage']);
  });

  it('headers sent one byte at a time are cut with a 408 problem', async () => {
    const { text, ms } = await rawExchange(port, 'GET /v1/clients HTTP/1.1\r\nHost: x\r\n', { text: 'X', everyMs: 200 });
    const res = parseRaw(text);
    assert.equal(res.status, 408, text);
    assert.ok(ms < 4000, `cut after ${ms} ms`);
    assert.equal(JSON.parse(res.body).code, 'REQUEST_TIMEOUT');
  });

  it('an HTTP request that does not parse is a 400 problem with the security headers, quoting nothing', async () => {
    const { text } = await rawExchange(port, `GET /v1/clients?apiKey=${account.token} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`);
    const res = parseRaw(text);
    assert.equal(res.status, 400, text);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assertSecurityHeaders(res.headers, 'parse error');
    assert.equal(JSON.parse(res.body).code, 'MALFORMED_REQUEST');
    assert.ok(!text.includes(account.token.slice(27)));
  });

  it('a FactPulse request that does not parse gets the FactPulse format', async () => {
    const { text } = await rawExchange(port, `POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`);
    const res = parseRaw(text);
    // FactPulse (FastAPI) answers an unparseable request as a 422 JSON decode error.
    assert.equal(res.status, 422, text);
    assert.deepEqual(JSON.parse(res.body), { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
    assertSecurityHeaders(res.headers, 'FactPulse parse error');
  });

  it('a request that arrives in time is served as usual', async () => {
    const { text } = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(parseRaw(text).status, 200, text);
  });
});
