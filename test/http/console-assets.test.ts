/**
 * How the server answers the admin console's paths (the browser tests, test/console/, use it
 * for real): `/` sends a browser to /console/, every console path answers the page under its
 * CSP, assets are compressed as the request accepts and cached for good, a changed page is
 * revalidated, and a server without a built console says how to build one. No credential is
 * needed for any of it, and the console's paths never shadow the API's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { loadConsoleAssets, type ConsoleAssets } from '../../src/http/console.js';
import { createTestApp, type TestApp } from '../support/app.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('admin console assets [embedded]', () => {
  let dir: string;
  let built: ConsoleAssets;
  let t: TestApp;
  let bare: TestApp;
  let script: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clientele-console-'));
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs'), dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    built = (await loadConsoleAssets(dir))!;
    assert.ok(built);
    script = [...built.assets.keys()].find((name) => name.startsWith('console-') && name.endsWith('.js'))!;
    t = await createTestApp('embedded', { logLevel: 'warn', console: built });
    bare = await createTestApp('embedded', { logLevel: 'warn', console: null });
  });

  after(async () => {
    await t?.close();
    await bare?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends / and /console to /console/', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/console/');
    const bareConsole = await t.app.inject({ method: 'GET', url: '/console' });
    assert.equal(bareConsole.statusCode, 301);
    assert.equal(bareConsole.headers.location, '/console/');
  });

  it('answers every console path with the page, under a CSP that allows nothing inline and no framing', async () => {
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    for (const url of ['/console/', '/console/clients', '/console/clients/0191e0c2-0000-7000-8000-000000000000']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.body, page);
      assert.equal(res.headers['cache-control'], 'no-cache');
      const csp = String(res.headers['content-security-policy']);
      for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self'"])
        assert.ok(csp.includes(directive), `${directive} in ${csp}`);
      assert.doesNotMatch(csp, /unsafe/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
    // The page names its assets by content hash and carries no inline script or style.
    assert.match(page, new RegExp(`<script type="module" src="/console/assets/${script.replace('.', '\\.')}"></script>`));
    assert.doesNotMatch(page, /<script>|<style|style=/);
  });

  it('serves assets compressed as the request accepts, cached for a year, revalidated by ETag', async () => {
    const identity = await readFile(join(dir, 'assets', script));
    const plain = await t.app.inject({ method: 'GET', url: `/console/assets/${script}` });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.rawPayload, identity);

    const br = await t.app.inject({ method: 'GET', url: `/console/assets/${script}`, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.deepEqual(brotliDecompressSync(br.rawPayload), identity);
    assert.ok(br.rawPayload.length < identity.length / 2);

    const gzip = await t.app.inject({ method: 'GET', url: `/console/assets/${script}`, headers: { 'accept-encoding': 'br;q=0, gzip' } });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gzip.rawPayload), identity);

    const again = await t.app.inject({ method: 'GET', url: `/console/assets/${script}`, headers: { 'if-none-match': String(plain.headers.etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);

    const missing = await t.app.inject({ method: 'GET', url: '/console/assets/console-OLD.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'NOT_FOUND');
  });

  it('leaves the API where it was: /v1 still needs a credential, in its own format', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/clients' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'UNAUTHENTICATED');
  });

  it('without a built console, says how to build it', async () => {
    assert.equal((await bare.app.inject({ method: 'GET', url: '/' })).headers.location, '/console/');
    const res = await bare.app.inject({ method: 'GET', url: '/console/' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().detail, /npm run build/);
    assert.equal(await loadConsoleAssets(join(dir, 'nowhere')), null);
  });
});
