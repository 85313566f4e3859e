/**
 * The scalability view follows a local sweep (a server without a queue) in chromium: through its
 * event stream, or by polling when the stream fails; the progress bar moves from 0 to every run
 * done, the times are the page's with the time left labelled as an estimate, the executor reads
 * local. (A queued sweep in the page, with its workers and address: test/queue/dashboard-queue.test.ts.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot, startDashboard, type Dashboard } from './browser/harness.js';

let dash: Dashboard;
let browser: Browser;

beforeAll(async () => {
  dash = await startDashboard();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

interface Seen {
  bar: string[];
  eta: string[];
}

/** Records every value the progress bar and the time line take, from before the sweep starts. */
async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { seen: Seen };
    w.seen = { bar: [], eta: [] };
    const bar = document.getElementById('sweep-progress-bar')!;
    const eta = document.getElementById('sweep-eta')!;
    new MutationObserver(() => w.seen.bar.push(`${bar.getAttribute('aria-valuenow')}/${bar.getAttribute('aria-valuemax')}`)).observe(bar, { attributes: true });
    new MutationObserver(() => w.seen.eta.push(eta.textContent ?? '')).observe(eta, { childList: true, characterData: true, subtree: true });
  });
}

/** Runs a four-point sweep from the form and waits for its end; returns the GET /api/sweeps/ requests. */
async function runSweep(page: Page): Promise<string[]> {
  const reads: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === 'GET' && path.startsWith('/api/sweeps/')) reads.push(path);
  });
  await page.click('#tab-scalability');
  await page.fill('#sweep-param', 'domains[0].users');
  await page.fill('#sweep-values', '200, 400, 800, 1600');
  await page.fill('#sweep-duration', '1m');
  await watchProgress(page);
  await page.click('#sweep-start');
  await page.waitForFunction(() => document.getElementById('sweep-status')?.textContent?.startsWith('finished'), null, { timeout: 60_000 });
  return reads;
}

const seenOf = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen }).seen);

describe('the scalability view follows a local sweep', { timeout: 120_000 }, () => {
  it('through its event stream: the bar moves to every run done, the time left is an estimate, the executor is local', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    const reads = await runSweep(page);
    const box = page.locator('[data-testid=sweep-progress]');
    expect(await box.isVisible()).toBe(true);
    expect(await box.getAttribute('data-follow')).toBe('stream');
    expect(await box.getAttribute('data-executor')).toBe('local');
    expect(await page.getAttribute('#sweep-progress-bar', 'aria-valuenow')).toBe('4');
    expect(await page.getAttribute('#sweep-progress-bar', 'aria-valuemax')).toBe('4');
    expect(await page.textContent('#sweep-progress-text')).toBe('4 of 4 runs done');
    expect(await page.evaluate(() => document.getElementById('sweep-progress-fill')!.style.width)).toBe('100%');
    expect(await page.textContent('#sweep-executor')).toMatch(/^executor: local /);
    expect(await page.locator('#sweep-workers-line').isVisible()).toBe(false);
    expect(await page.textContent('#sweep-eta')).toMatch(/^took [\d.]+ (ms|s|min) \(this page's clock\)$/);
    await screenshot(page, 'sweep-progress');

    const seen = await seenOf(page);
    const done = seen.bar.map((b) => Number(b.split('/')[0]));
    expect(seen.bar.every((b) => b.endsWith('/4'))).toBe(true);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
    expect(done.some((d) => d > 0 && d < 4)).toBe(true); // it moved as runs ended, not only at the end
    expect(seen.eta.some((t) => /about [\d.]+ (ms|s|min) left \(estimate at the pace so far\)$/.test(t))).toBe(true);

    // the state came over /api/sweeps/:id/events; the sweep itself was read once, at its end
    const id = reads.find((p) => p.endsWith('/events'))?.split('/')[3];
    expect(id).toMatch(/^s-/);
    expect(reads.filter((p) => p === `/api/sweeps/${id}`)).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('by polling when the event stream fails, to the same end', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await page.route(/\/api\/sweeps\/[^/]+\/events$/, (route) => route.abort());
    const reads = await runSweep(page);
    expect(await page.getAttribute('[data-testid=sweep-progress]', 'data-follow')).toBe('poll');
    expect(await page.getAttribute('#sweep-progress-bar', 'aria-valuenow')).toBe('4');
    expect(await page.textContent('#sweep-progress-text')).toBe('4 of 4 runs done');
    expect(await page.textContent('#sweep-executor')).toMatch(/^executor: local /);
    expect(reads.filter((p) => !p.endsWith('/events')).length).toBeGreaterThan(1);
    const rows = await page.locator('[data-testid=sweep-point]').allTextContents();
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/^\d+finished/);
    // the only console errors are the browser's notes on the aborted stream
    expect(errors.filter((e) => !/ERR_FAILED|EventSource/.test(e))).toEqual([]);
    await page.close();
  });
});
