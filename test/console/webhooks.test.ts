/**
 * The console's webhook pages in Chromium, against a real `clientele serve` process that may
 * reach a receiver on 127.0.0.1 (CLIENTELE_WEBHOOK_ALLOW_HOSTS) and retries only after ten
 * minutes, so that every attempt the log shows is one the test asked for.
 *
 * An endpoint created in the page (a refused address and an empty filter explained first), a
 * test event that waits for a signing secret, the account secret generated in the page (shown
 * once, absent after closing) releasing it — signed with that very secret —, an event the
 * filter lets through, a failing receiver and a redelivery that succeeds as a second attempt,
 * disable and enable, edit, delete; replacing and deleting the secret; what a viewer sees; a
 * phone-width page; axe-core on every page; no CSP violation.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { chromiumPath, type ConsoleUnderTest, useConsole } from '../support/browser.js';
import { freePort } from '../support/net.js';
import { type Receiver, startReceiver, waitFor } from '../webhooks/receiver.js';

const browserFound = chromiumPath();
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * Whether a received delivery carries both signatures of `secret`, checked as a receiver would
 * (the public standardwebhooks package, and the FactPulse HMAC). Checked once the test knows the
 * secret: the delivery may arrive before the test has read it from the page.
 */
function signedWith(secret: string, received: Receiver['received'][number]): boolean {
  const header = (name: string) => String(received.headers[name] ?? '');
  try {
    new Webhook(secret).verify(received.raw, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') });
  } catch {
    return false;
  }
  return header('x-webhook-signature') === `sha256=${createHmac('sha256', secret).update(received.raw).digest('hex')}`;
}

describe('console webhook pages in Chromium', { skip: 'skip' in browserFound ? browserFound.skip : false }, () => {
  let c: ConsoleUnderTest;
  useConsole((browserFound as { path: string }).path, (started) => (c = started), {
    env: { CLIENTELE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CLIENTELE_WEBHOOK_RETRY_BASE_MS: '600000' },
  });
  const withPage: ConsoleUnderTest['withPage'] = (...args) => c.withPage(...args);
  const signIn: ConsoleUnderTest['signIn'] = (...args) => c.signIn(...args);
  const expectAccessible: ConsoleUnderTest['expectAccessible'] = (...args) => c.expectAccessible(...args);

  /** A receiver on a free port of 127.0.0.1, answering 200 or, while `failing`, 500. */
  let receiver: Receiver | undefined;
  let failing = false;
  const startOurReceiver = async () => {
    receiver ??= await startReceiver({ port: await freePort(), respond: () => (failing ? { status: 500, body: 'receiver down for maintenance' } : { status: 200, body: 'thanks' }) });
    return receiver;
  };
  after(() => receiver?.close());

  const openWebhooks = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  };
  /** The delivery log's row of one event. */
  const deliveryRow = (page: Page, eventId: string) => page.getByRole('row', { name: new RegExp(eventId) });
  /** A row's cell under a column: Status, HTTP status, Latency, Response, Attempts, Time (the event is the row header). */
  const cell = (row: ReturnType<Page['getByRole']>, column: 'Status' | 'HTTP status' | 'Latency' | 'Response' | 'Attempts') =>
    row.getByRole('cell').nth(['Status', 'HTTP status', 'Latency', 'Response', 'Attempts'].indexOf(column));

  it('creates an endpoint, sends a test event that waits for the secret generated here (shown once), sees it delivered, redelivers a failure, disables, edits and deletes', async () => {
    const r = await startOurReceiver();
    const url = `${r.url}/hooks/console`;
    await withPage('endpoint-lifecycle', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await openWebhooks(page);
      await page.getByText('No webhook endpoints yet. Add one with “New endpoint”').waitFor();
      await page.getByText(/^None\. Deliveries about a client without its own secret/).waitFor();
      await expectAccessible(page, 'webhooks page (empty)');

      // A refused address and an empty filter are explained; the dialog keeps what was typed.
      await page.getByRole('button', { name: 'New endpoint' }).click();
      const form = page.getByRole('dialog', { name: 'New webhook endpoint' });
      await form.getByRole('textbox', { name: /^URL/ }).fill('http://10.1.2.3/hooks');
      await form.getByRole('button', { name: 'Create endpoint' }).click();
      await form
        .getByRole('alert')
        .filter({ hasText: /url: resolves to a private, loopback or link-local address/ })
        .waitFor();
      await form.getByRole('textbox', { name: /^URL/ }).fill(url);
      // The filter with the keyboard: from "Every event" to "Only the events ticked below".
      await form.getByRole('radio', { name: 'Every event' }).focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await form.getByRole('radio', { name: 'Only the events ticked below' }).isChecked(), true);
      await form.getByRole('button', { name: 'Create endpoint' }).click();
      await form.getByRole('alert').filter({ hasText: 'tick at least one event type' }).waitFor();
      const clients = form.getByRole('group', { name: 'Clients' });
      await clients.getByRole('checkbox', { name: /^All, and any added later/ }).focus();
      await page.keyboard.press('Space');
      assert.equal(await clients.getByRole('checkbox', { name: 'client.created' }).isDisabled(), true, 'client.* covers client.created');
      await form.getByRole('group', { name: 'Keys' }).getByRole('checkbox', { name: 'key.created' }).check();
      await form.getByRole('group', { name: 'Users' }).getByRole('checkbox', { name: 'user.2fa_enabled' }).check();
      await expectAccessible(page, 'new endpoint dialog');
      await form.getByRole('button', { name: 'Create endpoint' }).click();
      await page.getByRole('heading', { name: url, level: 1 }).waitFor();
      const endpointId = new URL(page.url()).pathname.split('/').pop()!;
      const created = await c.sdk.webhookEndpoints.get(endpointId);
      assert.deepEqual([created.url, created.events, created.format, created.enabled], [url, ['client.*', 'key.created', 'user.2fa_enabled'], 'native', true]);
      await page.getByText('client.*, key.created, user.2fa_enabled').waitFor();
      await page.getByText('Nothing has been sent to this endpoint yet. Send a test event').waitFor();
      await expectAccessible(page, 'endpoint page (empty log)');

      // No secret yet: the test event waits, and the page says what to do.
      await page.getByRole('button', { name: `Send test event to ${url}` }).click();
      await page.getByRole('status').filter({ hasText: 'A test event was queued' }).waitFor();
      await page.getByRole('row', { name: /webhook\.test.*Waiting for a secret/ }).waitFor();
      const firstEventId = UUID.exec((await page.getByRole('row', { name: /webhook\.test/ }).textContent())!)![0];
      assert.equal(r.received.length, 0, 'nothing leaves unsigned');
      await page.getByText('Deliveries waiting for a secret go out once a webhook signing secret exists').waitFor();

      // The account secret, generated here: shown once, gone from the page once closed.
      await page.getByRole('link', { name: 'Webhooks page' }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      const shown = page.getByRole('dialog', { name: 'Webhook signing secret', exact: true });
      await shown.getByText('you will not see this again').waitFor();
      await shown.getByText('Clientele keeps it encrypted, only to sign deliveries with.').waitFor();
      const secret = await shown.getByLabel('Secret').inputValue();
      assert.match(secret, /^whsec_/);
      await expectAccessible(page, 'secret dialog');
      const leaks: string[] = [];
      page.on('response', async (res) => {
        if ((await res.text().catch(() => '')).includes(secret)) leaks.push(res.url());
      });
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      await shown.waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(secret), 'the secret stays in the page after its dialog closed');
      await page.getByText(/^Set .*Deliveries are signed with it/).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Generate', exact: true }).count(), 0);
      // The endpoint is listed.
      const listed = page.getByRole('row', { name: new RegExp(url) });
      assert.match((await listed.textContent())!, /client\.\*, key\.created, user\.2fa_enabled.*Native.*Enabled/);
      await expectAccessible(page, 'webhooks page');

      // Released by the secret: delivered, and signed with the secret the page showed.
      await listed.getByRole('link', { name: url }).click();
      const first = deliveryRow(page, firstEventId);
      await page.getByRole('row', { name: new RegExp(`${firstEventId}.*Succeeded`) }).waitFor();
      assert.equal(await cell(first, 'HTTP status').textContent(), '200');
      assert.match((await cell(first, 'Latency').textContent())!, /^\d+ ms$/);
      assert.equal(await cell(first, 'Response').textContent(), 'thanks');
      assert.equal(await cell(first, 'Attempts').textContent(), '1');
      await waitFor('the test event at the receiver', () => r.received.length === 1);
      assert.equal(r.received[0]!.body.type, 'webhook.test');
      assert.equal(r.received[0]!.id, firstEventId);
      assert.ok(signedWith(secret, r.received[0]!), 'the delivery is signed with the secret the page showed');
      assert.ok(!signedWith(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, r.received[0]!), 'and with no other');

      // The filter lets client.* through (and not the other changes made meanwhile).
      const client = await c.sdk.clients.create({ name: 'Hooked SARL' });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('row', { name: /client\.created.*Succeeded/ }).waitFor();
      await waitFor('client.created at the receiver', () => r.received.some((x) => x.body.type === 'client.created' && x.body.data.client.id === client.id));
      assert.deepEqual(
        r.received.map((x) => x.body.type),
        ['webhook.test', 'client.created'],
      );

      // The receiver fails: the attempt is logged with its status and answer; a redelivery succeeds as a second attempt.
      failing = true;
      await page.getByRole('button', { name: `Send test event to ${url}` }).click();
      await page.getByRole('row', { name: /webhook\.test.*Retrying/ }).waitFor();
      const failedEventId = UUID.exec((await page.getByRole('row', { name: /webhook\.test.*Retrying/ }).textContent())!)![0];
      const failed = deliveryRow(page, failedEventId);
      assert.equal(await cell(failed, 'HTTP status').textContent(), '500');
      assert.match((await cell(failed, 'Response').textContent())!, /receiver down for maintenance.*HTTP 500/);
      assert.equal(await cell(failed, 'Attempts').textContent(), '1');
      assert.match((await cell(failed, 'Status').textContent())!, /next try/);
      await expectAccessible(page, 'endpoint page (a failed delivery)');
      failing = false;
      await failed.getByRole('button', { name: /^Redeliver webhook\.test/ }).click();
      await page.getByRole('row', { name: new RegExp(`${failedEventId}.*Succeeded`) }).waitFor();
      assert.equal(await cell(failed, 'Attempts').textContent(), '2');
      assert.equal(await cell(failed, 'HTTP status').textContent(), '200');
      assert.deepEqual(
        r.received.filter((x) => x.id === failedEventId).map((x) => x.body.type),
        ['webhook.test', 'webhook.test'],
        'the redelivery is the same event again',
      );

      // Disable, then enable.
      await page.getByRole('button', { name: `Disable ${url}` }).click();
      await page.getByText('Disabled: no event is sent to this endpoint.').waitFor();
      assert.equal((await c.sdk.webhookEndpoints.get(endpointId)).enabled, false);
      assert.equal(await page.getByRole('button', { name: `Send test event to ${url}` }).count(), 0, 'no test event to a disabled endpoint');
      await page.getByRole('button', { name: `Enable ${url}` }).click();
      await page.getByRole('button', { name: `Disable ${url}` }).waitFor();
      assert.equal((await c.sdk.webhookEndpoints.get(endpointId)).enabled, true);

      // Edit: every event, the FactPulse format.
      await page.getByRole('button', { name: `Edit ${url}` }).click();
      const edit = page.getByRole('dialog', { name: 'Edit webhook endpoint' });
      assert.equal(await edit.getByRole('checkbox', { name: 'key.created' }).isChecked(), true);
      await edit.getByRole('radio', { name: 'Every event' }).check();
      await edit.getByLabel('Payload format').selectOption('factpulse');
      const patch = page.waitForRequest((req) => req.method() === 'PATCH');
      await edit.getByRole('button', { name: 'Save' }).click();
      assert.deepEqual((await patch).postDataJSON(), { events: null, format: 'factpulse' }, 'only what changed is sent');
      await edit.waitFor({ state: 'detached' });
      await page.getByText('Every event', { exact: true }).waitFor();
      const edited = await c.sdk.webhookEndpoints.get(endpointId);
      assert.deepEqual([edited.events, edited.format, edited.url], [null, 'factpulse', url]);

      // Delete, confirmed by typing; back to the (empty) list.
      await page.getByRole('button', { name: `Delete ${url}` }).click();
      const confirm = page.getByRole('dialog');
      await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
      assert.equal(await confirm.isVisible(), true, 'deleting needs the typed confirmation');
      await confirm.getByLabel(/Type delete to confirm/).fill('delete');
      await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByText('No webhook endpoints yet.').waitFor();
      assert.deepEqual((await c.sdk.webhookEndpoints.listPage()).data, []);
      assert.deepEqual(leaks, [], `answers carrying the secret after its creation: ${leaks.join(', ')}`);
      assert.ok(!(await page.content()).includes(secret));
    });
  });

  it('replaces the account secret with a grace period (the new one shown once) and deletes it', async () => {
    if (!(await c.sdk.webhookSecret.account.status()).hasSecret) await c.sdk.webhookSecret.account.generate();
    const before = await c.sdk.webhookSecret.account.status();
    await withPage('account-secret', async (page) => {
      await signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await openWebhooks(page);
      await page.getByRole('button', { name: 'Replace', exact: true }).click();
      const replace = page.getByRole('dialog', { name: 'Replace the webhook signing secret' });
      await replace.getByLabel(/Keep signing with the current secret too for/).selectOption({ label: '1 hour' });
      await expectAccessible(page, 'replace secret dialog');
      await replace.getByRole('button', { name: 'Replace secret' }).click();
      const shown = page.getByRole('dialog', { name: 'Webhook signing secret', exact: true });
      const secret = await shown.getByLabel('Secret').inputValue();
      assert.match(secret, /^whsec_/);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      await shown.waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(secret), 'the new secret stays in the page after its dialog closed');
      const after = await c.sdk.webhookSecret.account.status();
      assert.notEqual(after.createdAt, before.createdAt);

      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete the webhook signing secret?' });
      await confirm.getByLabel(/Type delete to confirm/).fill('delete');
      await confirm.getByRole('button', { name: 'Delete secret' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page.getByText(/^None\. Deliveries about a client without its own secret/).waitFor();
      await page.getByRole('button', { name: 'Generate', exact: true }).waitFor();
      assert.equal((await c.sdk.webhookSecret.account.status()).hasSecret, false);
    });
  });

  it('a viewer sees endpoints, the secret status and the delivery log, and no write action', async () => {
    const r = await startOurReceiver();
    await c.sdk.webhookSecret.account.generate();
    const endpoint = await c.sdk.webhookEndpoints.create({ url: `${r.url}/hooks/viewed`, events: ['key.*'] });
    const test = await c.sdk.webhookEndpoints.test(endpoint.id);
    await waitFor('the test delivery', async () => (await c.sdk.webhookEndpoints.deliveriesPage(endpoint.id)).data.some((d) => d.id === test.id && d.status === 'succeeded'));
    const { setupPassword } = await c.sdk.users.create({ email: 'hooks-viewer@example.com', role: 'viewer' });
    await withPage('viewer', async (page) => {
      await signIn(page, 'hooks-viewer@example.com', setupPassword);
      await page.getByRole('heading', { name: 'Clients' }).waitFor();
      await openWebhooks(page);
      const row = page.getByRole('row', { name: new RegExp(endpoint.url) });
      await row.waitFor();
      await page.getByText(/^Set .*Deliveries are signed with it/).waitFor();
      for (const name of ['New endpoint', 'Generate', 'Replace', 'Delete', /^Send test event/, /^Disable/, /^Edit/, /^Delete/])
        assert.equal(await page.getByRole('button', { name }).count(), 0, `a viewer sees ${name} on the webhooks page`);
      await expectAccessible(page, 'webhooks page (viewer)');

      await row.getByRole('link', { name: endpoint.url }).click();
      await page.getByRole('heading', { name: endpoint.url, level: 1 }).waitFor();
      await deliveryRow(page, test.eventId).waitFor();
      for (const name of [/^Redeliver/, /^Send test event/, /^Disable/, /^Edit/, /^Delete/])
        assert.equal(await page.getByRole('button', { name }).count(), 0, `a viewer sees ${name} on the endpoint page`);
      await expectAccessible(page, 'endpoint page (viewer)');

      // The viewer's own session forging a redelivery: refused by the server.
      const forged = await page.evaluate(async (id) => {
        const current = await (await fetch('/v1/sessions/current')).json();
        const res = await fetch(`/v1/deliveries/${id}/redeliver`, { method: 'POST', headers: { 'x-csrf-token': current.csrfToken } });
        return { status: res.status, body: await res.json() };
      }, test.id);
      assert.equal(forged.status, 403);
      assert.equal(forged.body.code, 'PERMISSION_DENIED');
    });
  });

  it('fits a phone: no sideways scrolling on the webhooks and endpoint pages', async () => {
    const r = await startOurReceiver();
    const endpoint = await c.sdk.webhookEndpoints.create({ url: `${r.url}/hooks/phone/${'a-rather-long-path-segment/'.repeat(4)}`, events: ['client.*', 'key.*', 'user.*'] });
    await c.sdk.webhookEndpoints.test(endpoint.id);
    await withPage(
      'phone',
      async (page) => {
        await signIn(page, c.admin.email, c.admin.password);
        await page.getByRole('heading', { name: 'Clients' }).waitFor();
        await openWebhooks(page);
        await page.getByRole('link', { name: endpoint.url }).waitFor();
        const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok((await overflow()) <= 0, `the webhooks page scrolls sideways by ${await overflow()} px`);
        await page.getByRole('link', { name: endpoint.url }).click();
        await page.getByRole('heading', { name: endpoint.url, level: 1 }).waitFor();
        await page.getByRole('row', { name: /webhook\.test/ }).waitFor();
        assert.ok((await overflow()) <= 0, `the endpoint page scrolls sideways by ${await overflow()} px`);
        await expectAccessible(page, 'endpoint page at phone width');
      },
      { width: 390, height: 844 },
    );
  });

  it('saw no Content-Security-Policy violation on any page', () => {
    assert.deepEqual(c.cspViolations, []);
  });
});
