/**
 * `npm run screenshots`: the admin console's main pages as PNG files in docs/screenshots/
 * (shown in README and docs/console.md). Builds and starts the server as the browser tests
 * do, fills a new account with example data through the SDK, and photographs each page in
 * Debian's Chromium at 1280×800 (and the clients page at a phone's width).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumPath, startConsole } from '../test/support/browser.js';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;

const found = chromiumPath();
if ('skip' in found) throw new Error(`Chromium is needed: ${found.skip}`);
const c = await startConsole(found.path);
try {
  await mkdir(OUT, { recursive: true });
  // Example data: clients, keys, usage over months, integrations, events.
  const names = ['Acme Retail SAS', 'Boulangerie Martin', 'Cobalt Analytics GmbH', 'Delta Logistics BV', 'Eiffel Conseil', 'Fjord Software AS', 'Garnier & Fils', 'Helios Energy SA'];
  const clients = [];
  for (const [i, name] of names.entries())
    clients.push(
      await c.sdk.clients.create({
        name,
        username: name.toLowerCase().split(' ')[0]!,
        emailAddress: `billing@${name
          .toLowerCase()
          .split(' ')[0]!
          .replace(/[^a-z]/g, '')}.example`,
        company: name,
        isActive: i !== 3,
        limits: { widgetDisplaysPerMonth: 50000, domains: 10 },
      }),
    );
  const acme = clients[0]!;
  await c.sdk.keys.create({ clientId: acme.id, name: 'production' });
  await c.sdk.keys.create({ clientId: acme.id, name: 'staging' });
  const now = new Date();
  for (let back = 11; back >= 0; back--) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 2, 12)).toISOString();
    await c.sdk.usage.record(acme.id, { events: [{ metric: 'widgetDisplays', amount: 18000 + ((back * 7919) % 25000), ...(back > 0 ? { at } : {}) }] });
  }
  await c.sdk.usage.record(acme.id, { metric: 'domains', amount: 4 });
  await c.sdk.integrations.put(acme.id, 'pdp', {
    flowServiceUrl: 'https://flow.factpulse.example',
    tokenUrl: 'https://auth.factpulse.example/token',
    oauthClientId: 'acme-pdp',
    clientSecret: 'example-secret',
  });
  await c.sdk.keys.create({ name: 'api-gateway', permissions: ['keys:verify'] });

  const shoot = async (page: Page, file: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(OUT, file), fullPage: file !== 'secret-once.png' });
    process.stdout.write(`docs/screenshots/${file}\n`);
  };
  await c.withPage('screenshots', async (page) => {
    await page.goto(`${c.server.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Clientele' }).waitFor();
    await shoot(page, 'sign-in.png');
    await c.signIn(page, c.admin.email, c.admin.password);
    await page.getByRole('link', { name: names[0]! }).waitFor();
    await shoot(page, 'clients.png');
    await page.getByRole('link', { name: names[0]! }).click();
    await page
      .getByRole('figure', { name: /widgetDisplays/ })
      .locator('canvas')
      .waitFor();
    await shoot(page, 'client.png');
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: /^Name/ }).fill('billing-worker');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog').getByText('you will not see this again').waitFor();
    await shoot(page, 'secret-once.png');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('link', { name: 'Account keys' }).click();
    await page.getByRole('row', { name: /api-gateway/ }).waitFor();
    await shoot(page, 'account-keys.png');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('tbody tr').first().waitFor();
    await shoot(page, 'audit-log.png');
  });
  await c.withPage(
    'screenshots-phone',
    async (page) => {
      await c.signIn(page, c.admin.email, c.admin.password);
      await page.getByRole('link', { name: names[0]! }).waitFor();
      await shoot(page, 'clients-phone.png');
    },
    { width: 390, height: 844 },
  );
} finally {
  await c.stop();
}
