/**
 * Debian's chromium driven by playwright-core (the browser is never downloaded): headless, no
 * sandbox (root in CI), no network beyond loopback, a fresh profile per launch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { executablePeer } from '@fathom/testkit';
import type { PeerCheck } from '@fathom/testkit';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumPeer(): PeerCheck {
  return executablePeer('chromium', 'chromium');
}

export interface Browser {
  readonly context: BrowserContext;
  readonly close: () => Promise<void>;
}

export async function launchBrowser(viewport = { width: 1440, height: 1000 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'fathom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where tests save screenshots (artifacts, not golden files): $FATHOM_ARTIFACTS or e2e/artifacts. */
export function artifactsDir(): string {
  return process.env['FATHOM_ARTIFACTS'] ?? new URL('../../artifacts', import.meta.url).pathname;
}

/** An attribute of every element matching the selector, in document order (evaluated in the page). */
export function attrs(page: Page, selector: string, attr: string): Promise<(string | null)[]> {
  return page.evaluate<(string | null)[]>(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.getAttribute(${JSON.stringify(attr)}))`);
}

/** The text of every element matching the selector. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.evaluate<string[]>(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.textContent ?? '')`);
}

/** Waits until the first element matching the selector has text matching the pattern. */
export async function waitForText(page: Page, selector: string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(`new RegExp(${JSON.stringify(pattern.source)}).test(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '')`, undefined, { timeout: timeoutMs, polling: 'raf' });
}

/**
 * Scrolls down the page so every dashboard panel loads (panels load when scrolled to), back to
 * the top, and waits until each has drawn: for full-page screenshots.
 */
export async function showAllPanels(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.evaluate(`(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
      scrollTo(0, y);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    scrollTo(0, 0);
  })()`);
  await page.waitForFunction(`document.querySelector('[data-testid="panel"][data-seen="false"], [data-testid="panel"] .spinner, [data-testid="panel-waiting"]') === null`, undefined, { timeout: timeoutMs });
}
