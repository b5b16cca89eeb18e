/**
 * The admin console in a real browser: Debian's Chromium driven by playwright-core, against a
 * real `clientele serve` process running the bundle `npm start` runs (built here into a
 * temporary directory, the console with it), on the embedded database as `npm start` uses.
 *
 * Sign-in with and without two-factor authentication, the key lifecycle (a secret shown once,
 * never again after closing, reloading or navigating), client search by text, key id and
 * pasted token (the token never sent), what a viewer sees and what its forged requests get,
 * CSRF refusals, the CSP, the first load's size, a phone-width layout, and axe-core's
 * serious and critical findings on every page.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { Clientele, ClienteleError } from '../../sdk/src/index.js';
import { chromiumPath, type ConsoleUnderTest, useConsole } from '../support/browser.js';
import { freePort } from '../support/net.js';

const browserFound = chromiumPath();

describe('admin console in Chromium', { skip: 'skip' in browserFound ? browserFound.skip : false }, () => {
  let c: ConsoleUnderTest;
  useConsole((browserFound as { path: string }).path, (started) => (c = started));
  const withPage: ConsoleUnderTest['withPage'] = (...args) => c.withPage(...args);
  const signIn: ConsoleUnderTest['signIn'] = (...args) => c.signIn(...args);
  const expectAccessible: ConsoleUnderTest['expectAccessible'] = (...args) => c.expectAccessible(...args);

  /** Everything a page keeps where a script could read it later. */
  const stored = (page: Page) => page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));

  it('answers / with the console, under a strict CSP, with hashed immutable assets and a first load under 200 KB', async () => {
    assert.match(c.server.output(), new RegExp(`Admin console: ${c.server.url}/console/`), 'the start-up banner names the console');
    const root = await fetch(`${c.server.url}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/console/');

    await withPage('first-load', async (page) => {
      const transfers: Array<{ url: string; bytes: number }> = [];
      page.on('requestfinished', async (request) => {
        const sizes = await request.sizes();
        transfers.push({ url: request.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
      });
      const response = await page.goto(`${c.server.url}/`);
      await page.getByRole('heading', { name: 'Sign in to Clientele' }).waitFor();
      const headers = response!.headers();
      assert.match(headers['content-security-policy']!, /script-src 'self'/);
      assert.match(headers['content-security-policy']!, /frame-ancestors 'none'/);
      assert.doesNotMatch(headers['content-security-policy']!, /unsafe-inline|unsafe-eval/);
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.equal(headers['cache-control'], 'no-cache');

      const script = await page.evaluate(() => (document.querySelector('script[type=module]') as HTMLScriptElement).src);
      assert.match(script, /\/console\/assets\/console-[A-Z0-9]+\.js$/);
      const asset = await fetch(script, { headers: { 'accept-encoding': 'br' } });
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(asset.headers.get('content-encoding'), 'br');
      assert.equal((await fetch(`${c.server.url}/console/assets/console-NOPE.js`)).status, 404);

      await page.waitForLoadState('networkidle');
      const total = transfers.reduce((sum, t) => sum + t.bytes, 0);
      assert.ok(total < 200 * 1024, `first load transferred ${total} bytes: ${JSON.stringify(transfers)}`);
      await expectAccessible(page, 'sign-in page');
    });
  });

  it('signs in (a wrong password is refused without saying which part was wrong), and signs out', async () => {
    await withPage('sign-in', async (page, context) => {
      await signIn(page, c.admin.email, 'not the password');
      await page.getByRole('alert').filter({ hasText: 'The e-mail, password or two-factor code is not right.' }).waitFor();
      await page.getByLabel('Password').fill(c.admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/console/clients');
      // The session cookie is HttpOnly and nothing is kept in storage.
      const kept = await stored(page);
      assert.equal(kept, JSON.stringify({ local: {}, session: {}, cookie: '' }));
      const cookies = await context.cookies();
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0]!.httpOnly, true);
      assert.equal(cookies[0]!.sameSite, 'Strict');
      await expectAccessible(page, 'clients page (empty)');

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Clientele' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to Clientele' }).waitFor();
    });
  });

  it('runs the key lifecycle: the secret is shown once, and never again after closing, reloading or navigating', async () => {
    await withPage('key-lifecycle', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByRole('textbox', { name: /^Name/ }).fill('Lifecycle Ltd');
      await page.getByRole('textbox', { name: /^Username/ }).fill('lifecycle');
      await page.getByRole('button', { name: 'Create client' }).click();
      await page.getByRole('heading', { name: 'Lifecycle Ltd' }).waitFor();
      const clientPath = new URL(page.url()).pathname;
      const clientId = clientPath.split('/').pop()!;

      // Every field is editable; bad input is refused with the reason, and what was typed stays.
      await c.sdk.clients.create({ name: 'Other', username: 'taken' });
      await page.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog');
      assert.equal(await edit.getByRole('textbox', { name: /^Username/ }).inputValue(), 'lifecycle');
      await edit.getByRole('textbox', { name: /^Company/ }).fill('Lifecycle Holdings');
      await edit.getByRole('textbox', { name: /^Limits/ }).fill('{"documents": ');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByRole('alert').filter({ hasText: 'Limits: this is not valid JSON.' }).waitFor();
      await edit.getByRole('textbox', { name: /^Limits/ }).fill('{"documents": 100}');
      await edit.getByRole('textbox', { name: /^Username/ }).fill('taken');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit
        .getByRole('alert')
        .filter({ hasText: /username/i })
        .waitFor();
      assert.equal((await c.sdk.clients.get(clientId)).username, 'lifecycle', 'a refused change changed nothing');
      await edit.getByRole('textbox', { name: /^Username/ }).fill('');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'detached' });
      const saved = await c.sdk.clients.get(clientId);
      assert.deepEqual([saved.company, saved.username, saved.limits], ['Lifecycle Holdings', null, { documents: 100 }]);
      await page.getByText('{"documents":100}').waitFor();

      await page.getByRole('button', { name: 'New key' }).click();
      await page.getByRole('dialog').getByRole('textbox', { name: /^Name/ }).fill('production');
      await page.getByRole('button', { name: 'Create key' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('you will not see this again').waitFor();
      const token = await dialog.getByLabel('Token (X-API-Key)').inputValue();
      const secret = await dialog.getByLabel('Secret').inputValue();
      assert.match(token, /^clt_[0-9A-Za-z]{22}_[0-9A-Za-z]{49}$/);
      assert.ok(token.includes(secret));
      await expectAccessible(page, 'secret dialog');
      // The token works.
      const verified = await c.sdk.keys.verify({ token: token });
      assert.equal(verified.valid, true);

      // Every answer from here on is watched for the secret.
      const leaks: string[] = [];
      page.on('response', async (r) => {
        const body = await r.text().catch(() => '');
        if (body.includes(secret)) leaks.push(r.url());
      });
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(secret), 'the secret stays in the page after its dialog closed');
      const row = page.getByRole('row', { name: /production/ });
      await row.waitFor();
      assert.match((await row.textContent())!, /Enabled/);
      await expectAccessible(page, 'client page');

      await page.reload();
      await page.getByRole('heading', { name: 'Lifecycle Ltd' }).waitFor();
      await page.getByRole('row', { name: /production/ }).waitFor();
      assert.ok(!(await page.content()).includes(secret), 'the secret is back after a reload');
      await page.getByRole('link', { name: '← Clients' }).click();
      await page.getByRole('link', { name: 'Lifecycle Ltd' }).click();
      await page.getByRole('row', { name: /production/ }).waitFor();
      assert.ok(!(await page.content()).includes(secret), 'the secret is back after navigating');
      assert.ok(!(await stored(page)).includes(secret));

      // Disable, then enable.
      await row.getByRole('button', { name: /^Disable key/ }).click();
      await page.getByRole('row', { name: /production.*Disabled/ }).waitFor();
      assert.equal((await c.sdk.keys.verify({ token: token })).valid, false);
      await page
        .getByRole('row', { name: /production/ })
        .getByRole('button', { name: /^Enable key/ })
        .click();
      await page.getByRole('row', { name: /production.*Enabled/ }).waitFor();

      // Reset with a grace period: a new secret, shown once; the old one keeps working meanwhile.
      await page
        .getByRole('row', { name: /production/ })
        .getByRole('button', { name: /^Reset key/ })
        .click();
      await page.getByRole('dialog').getByLabel('Keep the current secret working for').selectOption({ label: '1 hour' });
      await page.getByRole('dialog').getByRole('button', { name: 'Reset key' }).click();
      await page.getByRole('dialog').getByText('you will not see this again').waitFor();
      const newToken = await page.getByRole('dialog').getByLabel('Token (X-API-Key)').inputValue();
      assert.notEqual(newToken, token);
      await page.getByRole('button', { name: 'I have copied it' }).click();
      assert.equal((await c.sdk.keys.verify({ token: newToken })).valid, true);
      assert.equal((await c.sdk.keys.verify({ token: token })).valid, true, 'the old secret works during the grace period');
      assert.ok(!(await page.content()).includes(newToken.slice(-49)));

      // The first key is the client's primary: it cannot be deleted until another one is primary.
      assert.match((await page.getByRole('row', { name: /production/ }).textContent())!, /Primary/);
      assert.equal(
        await page
          .getByRole('row', { name: /production/ })
          .getByRole('button', { name: /^Delete key/ })
          .count(),
        0,
      );
      await page.getByRole('button', { name: 'New key' }).click();
      await page.getByRole('dialog').getByRole('textbox', { name: /^Name/ }).fill('successor');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page
        .getByRole('row', { name: /successor/ })
        .getByRole('button', { name: /^Make primary/ })
        .click();
      await page.getByRole('row', { name: /successor.*Primary/ }).waitFor();

      // Delete, confirmed by typing.
      await page
        .getByRole('row', { name: /production/ })
        .getByRole('button', { name: /^Delete key/ })
        .click();
      const confirm = page.getByRole('dialog');
      await confirm.getByRole('button', { name: 'Delete key' }).click();
      assert.equal(await confirm.isVisible(), true, 'deleting needs the typed confirmation');
      await confirm.getByLabel(/Type delete to confirm/).fill('delete');
      await confirm.getByRole('button', { name: 'Delete key' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page.getByRole('row', { name: /production/ }).waitFor({ state: 'detached' });
      assert.equal((await c.sdk.keys.verify({ token: newToken })).valid, false);
      assert.deepEqual(leaks, [], `answers carrying the secret after its creation: ${leaks.join(', ')}`);
      assert.equal(new URL(page.url()).pathname, clientPath);
    });
  });

  it('finds a client by free text, by key id and by a pasted token, without sending the token', async () => {
    const target = await c.sdk.clients.create({ name: 'Needle GmbH', emailAddress: 'needle@example.com' });
    for (let i = 0; i < 60; i++) await c.sdk.clients.create({ name: `Haystack ${String(i).padStart(2, '0')}` });
    const issued = await c.sdk.keys.create({ clientId: target.id, name: 'searchable' });
    await withPage('search', async (page) => {
      const sent: string[] = [];
      page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      // More than a page: the pager moves on and back.
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Page 2').waitFor();
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByText('Page 1').waitFor();

      const search = async (text: string) => {
        await page.getByRole('searchbox', { name: 'Search' }).fill(text);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
      };
      await search('needle@');
      await page
        .getByRole('link', { name: /Haystack/ })
        .first()
        .waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'Needle GmbH' }).waitFor();
      assert.match(page.url(), /\?q=needle%40$/);

      await search('no such client anywhere');
      await page.getByText('No client matches this search.').waitFor();

      await search(issued.key.keyId);
      await page.getByRole('heading', { name: 'Needle GmbH' }).waitFor();

      await page.getByRole('link', { name: '← Clients' }).click();
      await search(issued.token);
      await page.getByRole('heading', { name: 'Needle GmbH' }).waitFor();
      assert.ok(!sent.some((s) => s.includes(issued.secret)), 'the pasted token went to the server');
    });
  });

  it('a viewer sees no write action, and a change forged from its session is refused', async () => {
    const { setupPassword } = await c.sdk.users.create({ email: 'viewer@example.com', role: 'viewer' });
    const client = await c.sdk.clients.create({ name: 'Viewed SA' });
    await c.sdk.keys.create({ clientId: client.id, name: 'viewed-key' });
    await withPage('viewer', async (page) => {
      await signIn(page, 'viewer@example.com', setupPassword);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New client' }).count(), 0);
      await page.getByRole('searchbox', { name: 'Search' }).fill('Viewed');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('link', { name: 'Viewed SA' }).click();
      await page.getByRole('row', { name: /viewed-key/ }).waitFor();
      for (const name of ['Edit', 'Deactivate', 'Delete', 'New key', 'Generate', /^Reset key/, /^Delete key/, /^Disable key/])
        assert.equal(await page.getByRole('button', { name }).count(), 0, `a viewer sees ${name}`);
      await expectAccessible(page, 'client page (viewer)');

      // The viewer's own session, its own CSRF token, a well-formed request: the server refuses.
      const forged = await page.evaluate(async (id) => {
        const current = await (await fetch('/v1/sessions/current')).json();
        const r = await fetch(`/v1/clients/${id}`, { method: 'DELETE', headers: { 'x-csrf-token': current.csrfToken } });
        return { status: r.status, body: await r.json() };
      }, client.id);
      assert.equal(forged.status, 403);
      assert.equal(forged.body.code, 'PERMISSION_DENIED');
      assert.equal((await c.sdk.clients.get(client.id)).name, 'Viewed SA');
    });
  });

  it('refuses a change without the CSRF token, and one sent from another origin', async () => {
    await withPage('csrf', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      const before = (await c.sdk.clients.listPage({ limit: 100 })).data.length;
      const missing = await page.evaluate(async () => {
        const r = await fetch('/v1/clients', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'CSRF' }) });
        return { status: r.status, body: await r.json() };
      });
      assert.equal(missing.status, 403);
      assert.equal(missing.body.code, 'CSRF_REJECTED');

      // A page of another origin (same host, another port: the same site, so SameSite does not
      // help) posts with the victim's cookie: a form is not JSON, a JSON fetch needs CORS.
      let evil: Server | undefined;
      const evilPort = await freePort();
      const target = `${c.server.url}/v1/clients`;
      evil = createServer((_req, res) => {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><title>evil</title><form method="post" action="${target}" enctype="text/plain"><input name='{"name":"Forged","x":"' value='"}'></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"name":"Forged"}' })
            .finally(() => document.forms[0].submit());
        </script>`);
      });
      await new Promise<void>((resolve) => evil!.listen(evilPort, '127.0.0.1', resolve));
      try {
        await page.goto(`http://127.0.0.1:${evilPort}/`);
        await page.waitForURL(/\/v1\/clients$/);
      } finally {
        evil.close();
      }
      const after = (await c.sdk.clients.listPage({ limit: 100 })).data;
      assert.equal(after.length, before);
      assert.ok(!after.some((c) => c.name === 'Forged'));
    });
  });

  it('sets up two-factor authentication from the QR page; signing in then needs the code', async () => {
    const { setupPassword } = await c.sdk.users.create({ email: 'twofactor@example.com', role: 'admin' });
    await withPage('two-factor', async (page) => {
      await signIn(page, 'twofactor@example.com', setupPassword);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.getByRole('link', { name: /twofactor@example.com/ }).click();
      await page.getByRole('heading', { name: 'Your profile' }).waitFor();
      await page.getByRole('row', { name: /This browser/ }).waitFor();
      await expectAccessible(page, 'profile page');
      await page.getByRole('button', { name: 'Set up' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('img', { name: 'QR code of the two-factor secret' }).waitFor();
      await expectAccessible(page, 'two-factor set-up dialog');
      const base32 = (await dialog.locator('.secret').textContent())!.trim();
      const totp = new TOTP({ secret: Secret.fromBase32(base32), digits: 6, period: 30, algorithm: 'SHA1' });
      await dialog.getByLabel(/Code from the app/).fill(totp.generate());
      await dialog.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('dialog').getByLabel('Recovery codes').waitFor();
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByText('On: signing in asks for a code').waitFor();
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Clientele' }).waitFor();

      // Without the code: refused alike. With the next step's code (the current one was used): in.
      await page.getByLabel('E-mail').fill('twofactor@example.com');
      await page.getByLabel('Password').fill(setupPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
      await page.getByLabel(/Two-factor code/).fill(totp.generate({ timestamp: Date.now() + 30_000 }));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
    });
  });

  it("sets a client's integrations write-only (double encryption with a key made in the page) and tests the connection", async () => {
    const client = await c.sdk.clients.create({ name: 'Integrated SARL' });
    await withPage('integrations', async (page) => {
      const sent: string[] = [];
      page.on('request', (r) => sent.push(r.postData() ?? ''));
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.goto(`${c.server.url}/console/clients/${client.id}`);
      const pdp = page.getByRole('article', { name: 'FactPulse PDP' });
      await pdp.getByText('Not set up.').waitFor();

      // Server-side encryption; the connection test reaches nothing here and says why.
      await pdp.getByRole('button', { name: 'Set up' }).click();
      const form = page.getByRole('dialog');
      await form.getByLabel(/^flowServiceUrl/).fill('https://flow.example.test');
      await form.getByLabel(/^tokenUrl/).fill('http://127.0.0.1:1/token');
      await form.getByLabel(/^oauthClientId/).fill('pdp-client');
      await form.getByLabel(/^clientSecret/).fill('pdp-secret-value-1234');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.waitFor({ state: 'detached' });
      await pdp.getByText('pdp-client').waitFor();
      assert.ok(!(await page.content()).includes('pdp-secret-value-1234'), 'a secret written is never shown');
      await pdp.getByRole('button', { name: 'Test the connection' }).click();
      await pdp.getByText(/failed: /).waitFor();
      await c.expectAccessible(page, 'client page with integrations');

      // Double encryption with a key made in the page: shown once after saving, needed to test.
      const chorus = page.getByRole('article', { name: 'Chorus Pro' });
      await chorus.getByRole('button', { name: 'Set up' }).click();
      await form.getByLabel(/^apiUrl/).fill('https://api.example.test');
      await form.getByLabel(/^tokenUrl/).fill('http://127.0.0.1:1/token');
      await form.getByLabel(/^oauthClientId/).fill('chorus-client');
      await form.getByLabel(/^technicalLogin/).fill('tech');
      await form.getByLabel(/^clientSecret/).fill('chorus-secret-5678');
      await form.getByLabel(/^technicalPassword/).fill('chorus-password-9012');
      await form.getByLabel('Also by the client’s own key (double encryption)').check();
      await form.getByRole('button', { name: 'Make a new key' }).click();
      await form.getByRole('button', { name: 'Save' }).click();
      const shown = page.getByRole('dialog', { name: /encryption key/ });
      const key = await shown.getByLabel('Client key (base64, AES-256)').inputValue();
      assert.equal(Buffer.from(key, 'base64').length, 32);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      await chorus.getByText(/also under the client’s own key/).waitFor();
      assert.ok(!(await page.content()).includes(key), 'the client key left the page');
      await chorus.getByRole('button', { name: 'Test the connection' }).click();
      await page
        .getByRole('dialog')
        .getByLabel(/The client's key/)
        .fill(key);
      await page.getByRole('dialog').getByRole('button', { name: 'Test the connection' }).click();
      await chorus.getByText(/failed: /).waitFor();
      const stored = await c.sdk.integrations.get(client.id, 'chorus-pro');
      assert.equal(stored.encryptionMode, 'double');
      assert.ok(!JSON.stringify(stored).includes('chorus-secret-5678'));
      // The key went only in its header, never in a body.
      assert.ok(!sent.some((body) => body.includes(key)));
    });
  });

  it('account keys with their permissions, and users with their roles (owners only)', async () => {
    await withPage('account-keys-users', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.getByRole('link', { name: 'Account keys' }).click();
      await page.getByRole('heading', { name: 'Account keys' }).waitFor();
      await page.getByRole('button', { name: 'New key' }).click();
      const form = page.getByRole('dialog');
      await form.getByRole('textbox', { name: /^Name/ }).fill('gateway');
      await form.getByRole('checkbox', { name: /^keys:verify/ }).check();
      await form.getByRole('button', { name: 'Create key' }).click();
      const token = await page.getByRole('dialog').getByLabel('Token (X-API-Key)').inputValue();
      await page.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByRole('row', { name: /gateway.*keys:verify/ }).waitFor();
      await c.expectAccessible(page, 'account keys');
      // The key holds what the page gave it, and nothing more.
      const gateway = new Clientele({ baseUrl: c.server.url, apiKey: token });
      assert.equal((await gateway.keys.verify({ token })).valid, true);
      await assert.rejects(gateway.clients.listPage(), (err: unknown) => err instanceof ClienteleError && err.code === 'PERMISSION_DENIED');
      await page
        .getByRole('row', { name: /gateway/ })
        .getByRole('button', { name: /^Change the permissions/ })
        .click();
      await page
        .getByRole('dialog')
        .getByRole('checkbox', { name: /^clients:read/ })
        .check();
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await page.getByRole('row', { name: /gateway.*clients:read/ }).waitFor();
      assert.ok((await gateway.clients.listPage()).data.length > 0);

      // Users: a new admin gets a setup password shown once, a new role, then is removed.
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByRole('button', { name: 'New user' }).click();
      await page
        .getByRole('dialog')
        .getByLabel(/^E-mail/)
        .fill('new-comer@example.com');
      await page
        .getByRole('dialog')
        .getByRole('radio', { name: /^admin/ })
        .check();
      await page.getByRole('dialog').getByRole('button', { name: 'Create user' }).click();
      const setupPassword = await page.getByRole('dialog').getByLabel('Setup password').inputValue();
      await page.getByRole('button', { name: 'I have copied it' }).click();
      assert.ok(!(await page.content()).includes(setupPassword));
      const row = page.getByRole('row', { name: /new-comer@example.com/ });
      await row.getByText('admin').waitFor();
      await c.expectAccessible(page, 'users');
      await row.getByRole('button', { name: /^Change the role/ }).click();
      await page
        .getByRole('dialog')
        .getByRole('radio', { name: /^viewer/ })
        .check();
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await row.getByText('viewer').waitFor();
      const users = (await c.sdk.users.listPage({ limit: 100 })).data;
      assert.equal(users.find((u) => u.email === 'new-comer@example.com')?.role, 'viewer');
      await row.getByRole('button', { name: /^Remove/ }).click();
      // A word with a hyphen: anything else typed is refused (the pattern attribute alone once let it through).
      await page
        .getByRole('dialog')
        .getByLabel(/to confirm/)
        .fill('something else');
      await page.getByRole('dialog').getByRole('button', { name: 'Remove user' }).click();
      assert.equal(await page.getByRole('dialog').isVisible(), true, 'a wrong confirmation removed the user');
      assert.ok((await c.sdk.users.listPage({ limit: 100 })).data.some((u) => u.email === 'new-comer@example.com'));
      await page
        .getByRole('dialog')
        .getByLabel(/to confirm/)
        .fill('new-comer@example.com');
      await page.getByRole('dialog').getByRole('button', { name: 'Remove user' }).click();
      await row.waitFor({ state: 'detached' });
    });
    // An admin manages everything but users: no Users section for it.
    const { setupPassword } = await c.sdk.users.create({ email: 'no-users@example.com', role: 'admin' });
    await withPage('admin-no-users', async (page) => {
      await signIn(page, 'no-users@example.com', setupPassword);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Users', exact: true }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Account keys' }).count(), 1);
    });
  });

  it("draws a client's usage per metric over the last twelve months, with its monthly limit", async () => {
    const client = await c.sdk.clients.create({ name: 'Metered BV', limits: { widgetDisplaysPerMonth: 1000 } });
    const now = new Date();
    const month = (back: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
      return { at: new Date(d.getTime() + 3600_000).toISOString(), label: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}` };
    };
    await c.sdk.usage.record(client.id, { metric: 'widgetDisplays', amount: 250, at: month(2).at });
    await c.sdk.usage.record(client.id, { metric: 'widgetDisplays', amount: 400 });
    await c.sdk.usage.record(client.id, { metric: 'domains', amount: 3 });
    await withPage('usage', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.goto(`${c.server.url}/console/clients/${client.id}`);
      const figure = page.getByRole('figure', { name: /widgetDisplays/ });
      await figure.waitFor();
      assert.match((await figure.locator('figcaption').textContent())!, /widgetDisplays: 650 in all · dashed: the monthly limit/);
      assert.equal(await figure.locator('canvas').count(), 1, 'a chart is drawn');
      await figure.getByText('As a table').click();
      const row = (label: string) => figure.getByRole('row', { name: new RegExp(`^${label}`) });
      assert.equal(
        await row(month(0).label)
          .locator('td')
          .allTextContents()
          .then((t) => t.join('|')),
        '400|1,000',
      );
      assert.equal(
        await row(month(2).label)
          .locator('td')
          .allTextContents()
          .then((t) => t.join('|')),
        '250|1,000',
      );
      assert.equal(
        await row(month(1).label)
          .locator('td')
          .allTextContents()
          .then((t) => t.join('|')),
        '0|1,000',
      );
      assert.equal(await figure.getByRole('row').count(), 13, 'twelve months and the header');
      await page.getByRole('figure', { name: /domains/ }).waitFor();
      await c.expectAccessible(page, 'client page with usage charts');
    });
  });

  it('the audit log: newest first, filtered by type, client, actor and time, and followed live', async () => {
    const audited = await c.sdk.clients.create({ name: 'Audited AG' });
    await c.sdk.clients.update(audited.id, { company: 'Audited Holdings' });
    await withPage('audit', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const firstType = page.locator('tbody tr').first().locator('th');
      assert.equal(await firstType.textContent(), 'client.updated', 'newest first');
      await c.expectAccessible(page, 'audit log');

      await page.getByLabel('Type').fill('client.created');
      await page.getByLabel('Client id').fill(audited.id);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
      assert.equal(await firstType.textContent(), 'client.created');
      assert.match(page.url(), new RegExp(`type=client.created&clientId=${audited.id}`));
      // A time range that ends before anything happened: nothing.
      await page.getByLabel('Before').fill('2001-01-01T00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No event matches these filters.').waitFor();

      // Follow live, by actor: the admin key's next change appears at the top.
      await page.getByLabel('Type').fill('');
      await page.getByLabel('Client id').fill('');
      await page.getByLabel('Before').fill('');
      const admin = await c.sdk.keys.listPage({ owner: 'account' });
      const actor = admin.data.find((k) => k.isPrimary)!.keyId;
      await page.getByLabel('Actor id').fill(actor);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText(actor).first().waitFor();
      await page.getByLabel('Follow live').check();
      await page.getByRole('status').filter({ hasText: 'Following' }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const followed = await c.sdk.clients.create({ name: 'Followed Oy' });
      // The newest row is the followed event (its data names the client's full id).
      await page.locator('tbody tr').first().filter({ hasText: followed.id }).waitFor();
      assert.equal(await firstType.textContent(), 'client.created');
    });
  });

  it('fits a phone: no sideways scrolling on the clients and client pages', async () => {
    await withPage(
      'phone',
      async (page) => {
        await signIn(page, c.admin.email, c.admin.password);
        await page.getByRole('heading', { name: 'Clients' }).waitFor();
        await page.getByRole('searchbox', { name: 'Search' }).fill('Needle');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByRole('link', { name: 'Needle GmbH' }).waitFor();
        const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok((await overflow()) <= 0, `the clients page scrolls sideways by ${await overflow()} px`);
        await page.getByRole('link', { name: 'Needle GmbH' }).click();
        await page.getByRole('heading', { name: 'Needle GmbH' }).waitFor();
        assert.ok((await overflow()) <= 0, `the client page scrolls sideways by ${await overflow()} px`);
        await expectAccessible(page, 'client page at phone width');
      },
      { width: 390, height: 844 },
    );
  });

  it('saw no Content-Security-Policy violation on any page', () => {
    assert.deepEqual(c.cspViolations, []);
  });
});
