/**
 * Helpers of the dashboard's browser tests: the real server (buildApp, listening on a free port
 * with a temporary data folder) and Debian's chromium driven by playwright-core.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, type BuildAppOptions } from '../../../web/server/app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOTS = join(REPO, 'docs', 'screenshots');
/** Screenshots are written only on request, so that CI never dirties the tree. */
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** Starts the dashboard server on 127.0.0.1 and a free port (4 runs at once unless `opts` say otherwise). */
export async function startDashboard(opts: BuildAppOptions = {}): Promise<Dashboard> {
  const dataDir = mkdtempSync(join(tmpdir(), 'impp-browser-'));
  const app = await buildApp({ dataDir, maxRuns: 4, ...opts });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address.endsWith('/') ? address : `${address}/`,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export interface WatchedPage {
  page: Page;
  /** console errors and uncaught exceptions seen so far */
  errors: string[];
}

/** A new page at a projector-friendly size that records console errors and page errors. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1366, height: 768 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  return { page, errors };
}

/** Saves a screenshot of the main area (counters, tabs and the view) when UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('main.main').screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'allow' });
}
