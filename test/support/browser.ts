/**
 * A real browser for the console tests: Debian's Chromium (installed by .ci/run), driven by
 * playwright-core. Never a browser download. Without Chromium the tests are skipped, except
 * under CI, where they must run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Clientele } from '../../sdk/src/index.js';
import { credentialsFrom, spawnServer, waitReady, type ServerProc } from '../webhooks/server-process.js';
import { freePort } from './net.js';

const CANDIDATES = [process.env.CLIENTELE_TEST_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** The Chromium executable, or the reason the browser tests are skipped. */
export function chromiumPath(): { path: string } | { skip: string } {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { path: found };
  if (isCI) throw new Error(`Chromium is required under CI (looked for ${CANDIDATES.join(', ')}); .ci/run installs Debian's chromium`);
  return { skip: `no Chromium (${CANDIDATES.join(', ')}): apt-get install chromium` };
}

/** Headless Chromium with the flags this machine needs (no background network, no sandbox as root). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/**
 * axe-core's violations of the page as it is now, at `serious` or `critical` impact. The engine
 * is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axe.source}\n;void 0`);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`).join('\n');
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** A console under test: the server, its first-start admin, an SDK on its API key, and page helpers. */
export interface ConsoleUnderTest {
  server: ServerProc;
  admin: { email: string; password: string; token: string };
  sdk: Clientele;
  /** Messages of every page opened so far that speak of a Content-Security-Policy violation. */
  cspViolations: string[];
  /**
   * Runs `use` with a page of a fresh browser context (no cookies), closed afterwards. On a
   * failure the error carries the page's address and text, and a screenshot is kept in
   * .tmp/console-failures/NAME.png.
   */
  withPage(name: string, use: (page: Page, context: BrowserContext) => Promise<void>, options?: { width?: number; height?: number }): Promise<void>;
  /** Opens the console and signs in (it does not wait for what comes next). */
  signIn(page: Page, email: string, password: string, otp?: string): Promise<void>;
  /** Fails on any serious or critical axe-core finding. */
  expectAccessible(page: Page, where: string): Promise<void>;
}

/**
 * Builds the bundle `npm start` runs (into .tmp/), starts a `clientele serve` process from it
 * on a new embedded database (with `env` added), and launches Chromium. `stop` ends it all.
 */
export async function startConsole(executablePath: string, env: Record<string, string> = {}): Promise<ConsoleUnderTest & { stop(): Promise<void> }> {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const buildDir = await mkdtemp(join(ROOT, '.tmp', 'console-build-'));
  const dataDir = await mkdtemp(join(ROOT, '.tmp', 'console-data-'));
  let server: ServerProc | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
    await rm(buildDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), buildDir], { encoding: 'utf8' });
    assert.equal(built.status, 0, `scripts/build.mjs failed: ${built.stdout}${built.stderr}`);
    server = spawnServer({ PORT: String(await freePort()), CLIENTELE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, join(buildDir, 'main.js'));
    await waitReady(server);
    browser = await launchChromium(executablePath);
  } catch (err) {
    await stop();
    throw err;
  }
  const credentials = credentialsFrom(server.output());
  const launched = browser;
  const running = server;
  const cspViolations: string[] = [];
  return {
    stop,
    server: running,
    admin: { ...credentials.user, token: credentials.apiKey.token },
    sdk: new Clientele({ baseUrl: running.url, apiKey: credentials.apiKey.token }),
    cspViolations,
    async withPage(name, body, options = {}) {
      const context = await launched.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 } });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      try {
        await body(page, context);
      } catch (err) {
        const shots = join(ROOT, '.tmp', 'console-failures');
        await mkdir(shots, { recursive: true });
        await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }).catch(() => undefined);
        const text = await page.evaluate(() => document.body.textContent).catch(() => '(no page)');
        throw new Error(`${(err as Error).message}\n--- at ${page.url()}, the page read:\n${text}`, { cause: err });
      } finally {
        await context.close();
      }
    },
    async signIn(page, email, password, otp) {
      await page.goto(`${running.url}/`);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(password);
      if (otp) await page.getByLabel(/Two-factor code/).fill(otp);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    async expectAccessible(page, where) {
      const violations = await seriousAccessibilityViolations(page);
      assert.deepEqual(violations, [], `${where}: ${describeViolations(violations)}`);
    },
  };
}

/**
 * Registers before/after hooks around startConsole: `use` receives the console under test
 * once it is up. Call inside a describe whose `skip` is taken from chromiumPath().
 * `options.env` adds to (or overrides) the server's environment.
 */
export function useConsole(executablePath: string, use: (c: ConsoleUnderTest) => void, options: { env?: Record<string, string> } = {}): void {
  let started: Awaited<ReturnType<typeof startConsole>> | undefined;
  before(async () => {
    started = await startConsole(executablePath, options.env);
    use(started);
  });
  after(async () => {
    await started?.stop();
  });
}
