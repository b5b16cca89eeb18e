/**
 * A real browser for the console tests: Debian's Chromium (installed by .ci/run), driven by
 * playwright-core. Never a browser download. Without Chromium the tests are skipped, except
 * under CI, where they must run.
 */
import { existsSync } from 'node:fs';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

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

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/**
 * axe-core's violations of the page as it is now, at `serious` or `critical` impact. The engine
 * is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axe.source}\n;void 0`);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`).join('\n');
}
