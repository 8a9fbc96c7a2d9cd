import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './procs.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Override with OUTPOST_CHROMIUM. */
export const CHROMIUM = process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * A real headless Chromium on a fresh profile folder (removed on close). The flags keep it from reaching the
 * network on its own (updates, sync, QUIC): the page under test talks to loopback only. Playwright takes the
 * profile folder as the persistent context's argument rather than as --user-data-dir.
 */
export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; each test's agent has its own port, so its own origin and storage. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'outpost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    page: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Full-page screenshot under test-artifacts/<folder>/<name>.png (gitignored), for people reviewing a run. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(ARTIFACTS, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Errors the page itself hit (uncaught exceptions, console errors, CSP violations): a test asserts there were none,
 * so a broken module or a blocked request fails the test instead of hiding behind a working-looking screen.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // An HTTP error answer is how the page learns "not enrolled" or "agent restarting": the page handles those.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return errors;
}
