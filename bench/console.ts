/**
 * `npm run bench:console`: the admin console's clients page on an account of 1,000,000 clients
 * (PostgreSQL, `npm run bench:seed`'s database), against the same page on an account of
 * 10,000 (the baseline, measured in the same run). Debian's Chromium through playwright-core,
 * Clientele as `npm start` runs it.
 *
 * Measured, medians of BENCH_ROUNDS page loads (signed in; the browser cache cleared for each):
 *   - interactive: from navigation start to the first page of 50 clients shown with the
 *     search box usable (the budget: < 1 s on this machine);
 *   - next page: a click on "Next page" until the next 50 rows are shown;
 *   - key-id lookup: a key id typed in the search box until its client's page is shown;
 *   - text search: a seeded username typed in until the matching row is shown;
 *   - first load transfer: bytes on the wire for the page, its scripts and style sheet
 *     (the budget: < 200 KB).
 *
 *   BENCH_ROUNDS  page loads per account (default 7)
 */
import { Clientele } from '../sdk/src/index.js';
import { chromiumPath, launchChromium } from '../test/support/browser.js';
import { BENCH_CLIENTS, BENCH_DB, BENCH_MASTER_KEY, dbUrl, SMALL_CLIENTS, SMALL_DB } from './lib/database.js';
import { machine } from './lib/load.js';
import { startClientele } from './lib/processes.js';
import { dropRunKey, fixture } from './fixtures.js';
import { ensureSeeded } from './seed.js';
import { median } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ms = (n: number) => `${Math.round(n)} ms`;

interface Figures {
  interactive: number;
  nextPage: number;
  keyLookup: number;
  textSearch: number;
  firstLoadBytes: number;
}

async function measure(name: string, clients: number, executablePath: string): Promise<Figures> {
  await ensureSeeded(name, clients);
  const f = await fixture(name, clients, 50);
  const proc = await startClientele({ DATABASE_URL: dbUrl(name), CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY });
  const browser = await launchChromium(executablePath);
  try {
    const sdk = new Clientele({ baseUrl: proc.url, apiKey: f.accountToken });
    const email = `console-bench-${Date.now()}@clientele.local`;
    const { user, setupPassword } = await sdk.users.create({ email, role: 'owner' });
    const keyId = (await sdk.keys.listPage({ clientId: f.clientIds[0]!, limit: 1 })).data[0]?.keyId;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${proc.url}/console/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(setupPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    const rows = page.locator('tbody tr');
    const figures: Record<keyof Figures, number[]> = { interactive: [], nextPage: [], keyLookup: [], textSearch: [], firstLoadBytes: [] };
    const cdp = await context.newCDPSession(page);
    for (let round = 0; round < ROUNDS; round++) {
      await cdp.send('Network.clearBrowserCache');
      let bytes = 0;
      const counted: Promise<void>[] = [];
      const onFinished = (request: import('playwright-core').Request) => {
        if (request.url().includes('/console/'))
          counted.push(
            request.sizes().then((s) => {
              bytes += s.responseBodySize + s.responseHeadersSize;
            }),
          );
      };
      page.on('requestfinished', onFinished);
      const start = performance.now();
      await page.goto(`${proc.url}/console/clients`);
      await rows.nth(49).waitFor();
      await page.getByRole('searchbox', { name: 'Search' }).isEditable();
      figures.interactive.push(performance.now() - start);
      await Promise.all(counted);
      page.off('requestfinished', onFinished);
      figures.firstLoadBytes.push(bytes);

      const first = await rows.first().textContent();
      const next = performance.now();
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Page 2').waitFor();
      await rows.first().filter({ hasNotText: first! }).waitFor();
      await rows.nth(49).waitFor();
      figures.nextPage.push(performance.now() - next);

      if (keyId) {
        const lookup = performance.now();
        await page.getByRole('searchbox', { name: 'Search' }).fill(keyId);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByRole('heading', { name: 'API keys' }).waitFor();
        figures.keyLookup.push(performance.now() - lookup);
        await page.goto(`${proc.url}/console/clients`);
        await rows.first().waitFor();
      }

      const username = f.usernames[round % f.usernames.length]!;
      const search = performance.now();
      await page.getByRole('searchbox', { name: 'Search' }).fill(username);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('cell', { name: username, exact: true }).first().waitFor({ timeout: 120_000 });
      figures.textSearch.push(performance.now() - search);
    }
    await sdk.users.delete(user.id);
    return {
      interactive: median(figures.interactive),
      nextPage: median(figures.nextPage),
      keyLookup: figures.keyLookup.length ? median(figures.keyLookup) : Number.NaN,
      textSearch: median(figures.textSearch),
      firstLoadBytes: median(figures.firstLoadBytes),
    };
  } finally {
    await browser.close();
    await proc.stop();
    await dropRunKey(f);
  }
}

const found = chromiumPath();
if ('skip' in found) throw new Error(`Chromium is needed: ${found.skip}`);
const m = machine();
process.stdout.write(`machine: ${m.nproc} cores, ${m.memory}, ${m.cpu}; node ${m.node}; ${m.postgres}\n`);
const small = await measure(SMALL_DB, SMALL_CLIENTS, found.path);
const large = await measure(BENCH_DB, BENCH_CLIENTS, found.path);
process.stdout.write(`\nclients page, medians of ${ROUNDS} loads (npm run bench:console)\n`);
process.stdout.write(`| figure | ${SMALL_CLIENTS.toLocaleString('en-US')} clients | ${BENCH_CLIENTS.toLocaleString('en-US')} clients | ratio |\n|---|---|---|---|\n`);
for (const key of ['interactive', 'nextPage', 'keyLookup', 'textSearch'] as const)
  process.stdout.write(`| ${key} | ${ms(small[key])} | ${ms(large[key])} | ${(large[key] / small[key]).toFixed(2)} |\n`);
process.stdout.write(`| first load transfer | ${(small.firstLoadBytes / 1024).toFixed(1)} KB | ${(large.firstLoadBytes / 1024).toFixed(1)} KB | |\n`);
process.stdout.write(
  `budgets: interactive < 1 s with ${BENCH_CLIENTS.toLocaleString('en-US')} clients: ${large.interactive < 1000 ? 'met' : 'MISSED'}; first load < 200 KB: ${large.firstLoadBytes < 200 * 1024 ? 'met' : 'MISSED'}\n`,
);
