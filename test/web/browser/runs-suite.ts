/**
 * Browser tests of runs that outlive a page: an abandoned interactive run expires and frees its
 * slot, and the 429 shows at the top of the page even with the controls hidden. Called from
 * browser.test.ts, which owns the one chromium of the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { openPage, startDashboard, type Dashboard } from './harness.js';

export function runsSuite(browser: () => Browser): void {
  describe('runs that outlive a page', () => {
    let dash: Dashboard;
    beforeAll(async () => {
      // two slots, and paused runs left alone expire after 1.5 s (5 min by default)
      dash = await startDashboard({ maxRuns: 2, idleTimeoutMs: 1500 });
    });
    afterAll(async () => {
      await dash?.close();
    });

    it('two tabs paused after Step hold both slots; a third tab shows the 429 at the top, with the controls hidden; once the two are closed their runs expire and Step works', async () => {
      const first = [];
      for (let i = 0; i < 2; i++) {
        const { page } = await openPage(browser(), dash.url);
        await page.click('#tab-teaching');
        await page.click('#teach-step');
        await page.waitForSelector('[data-testid=run-status].paused', { timeout: 10_000 });
        first.push(page);
      }
      // (a page watching its paused run keeps it: the idle clock starts when the last one leaves)
      const { page, errors } = await openPage(browser(), dash.url);
      await page.click('#toggle-side');
      await page.click('#tab-teaching');
      await page.click('#teach-step');
      const banner = page.locator('[data-testid=page-error]');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await banner.textContent()).toContain('TOO_MANY_RUNS');
      // the banner is on screen, above the views, with the side panel hidden
      const box = await banner.boundingBox();
      expect(box!.y).toBeLessThan(200);
      expect(await page.locator('#side').isVisible()).toBe(false);
      for (const p of first) await p.close();
      // both abandoned runs stop by themselves; then Step starts a run
      await expect
        .poll(
          async () => page.evaluate(async () => ((await (await fetch('/api/runs')).json()).runs as { status: string }[]).filter((r) => r.status === 'stopped').length),
          { timeout: 15_000, interval: 300 },
        )
        .toBe(2);
      const reasons = await page.evaluate(async () => ((await (await fetch('/api/runs')).json()).runs as { error: string | null }[]).map((r) => r.error));
      expect(reasons.every((r) => /idle timeout/.test(r ?? ''))).toBe(true);
      await page.click('#teach-step');
      await page.waitForSelector('[data-testid=run-status].paused', { timeout: 10_000 });
      expect(await banner.isVisible()).toBe(false);
      expect(errors.filter((e) => !/status of 429/.test(e))).toEqual([]);
      await page.close();
    });
  });
}
