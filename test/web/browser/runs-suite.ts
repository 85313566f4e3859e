/**
 * Browser tests of runs that outlive a page: an abandoned interactive run expires and frees its
 * slot, and the 429 shows at the top of the page even with the controls hidden. Called from
 * browser.test.ts, which owns the one chromium of the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, startDashboard, type Dashboard } from './harness.js';

async function pickTeachBasic(page: Page): Promise<void> {
  await page.selectOption('#scenario-select', 'teach-basic');
  await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: teach-basic'));
}

const arrows = (page: Page) => page.locator('[data-testid=msc-arrow]').count();

export function runsSuite(browser: () => Browser, mainDash: () => Dashboard): void {
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
        await pickTeachBasic(page);
        await page.click('#tab-teaching');
        await page.click('#teach-step');
        await page.waitForSelector('[data-testid=run-status].paused', { timeout: 10_000 });
        first.push(page);
      }
      // (a page watching its paused run keeps it: the idle clock starts when the last one leaves)
      const { page, errors } = await openPage(browser(), dash.url);
      await pickTeachBasic(page);
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

  describe('runs in the address', () => {
    it('the address names the view and the run: a reload and a second tab reattach to the paused run, and YAML edits survive the reload', async () => {
      const context = await browser().newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(mainDash().url);
      await page.waitForSelector('body[data-ready="1"]');
      await pickTeachBasic(page);
      // an edit of the scenario (a longer description) and of the run form
      const yaml = (await page.inputValue('#yaml-editor')).replace('description: >-', 'description: >-\n  Edited for the lecture.');
      await page.fill('#yaml-editor', yaml);
      await page.fill('#seed', '5');
      await page.click('#tab-teaching');
      for (let i = 0; i < 6; i++) await page.click('#teach-step');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=msc-arrow]').length >= 6, null, { timeout: 10_000 });
      await page.waitForSelector('[data-testid=run-status].paused');
      // the six steps may still be landing: wait until the drawn trace stops growing
      for (let last = -1, i = 0; i < 40; i++) {
        const n = await arrows(page);
        if (n === last) break;
        last = n;
        await page.waitForTimeout(250);
      }
      const id = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('run'));
      expect(id).toMatch(/^[a-z0-9]+-[0-9a-f]{8}$/);
      expect(page.url()).toContain(`#/teaching?run=${id}`);
      const shown = await arrows(page);

      await page.reload();
      await page.waitForSelector('body[data-ready="1"]');
      await page.waitForSelector('[data-testid=run-status].paused', { timeout: 10_000 });
      expect(await page.getAttribute('#tab-teaching', 'aria-selected')).toBe('true');
      expect(await page.textContent('#run-badge')).toContain(id!);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=msc-arrow]').length === n, shown, { timeout: 10_000 });
      expect(await page.inputValue('#yaml-editor')).toContain('Edited for the lecture.');
      expect(await page.inputValue('#seed')).toBe('5');
      // and the reattached page still drives the run
      await page.click('#teach-step');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=msc-arrow]').length > n, shown, { timeout: 10_000 });

      const second = await context.newPage();
      await second.goto(page.url());
      await second.waitForSelector('body[data-ready="1"]');
      await second.waitForSelector('[data-testid=run-status].paused', { timeout: 10_000 });
      await second.waitForFunction((n) => document.querySelectorAll('[data-testid=msc-arrow]').length > n, shown, { timeout: 10_000 });
      expect(await second.textContent('#run-badge')).toContain(id!);
      await second.close();
      expect(errors).toEqual([]);
      await context.close();
    });
  });
}
