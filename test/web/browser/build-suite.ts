/**
 * Browser test of a long population build: the clock line says what is being built and, once the
 * server has timed a build, about how long is left. The dashboard's runner builds for 1.5 s of
 * wall time before its first event (slowBuild). Called from browser.test.ts (one chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { slowBuild } from '../server-helpers.js';
import { openPage, startDashboard, type Dashboard } from './harness.js';

export function buildSuite(browser: () => Browser): void {
  describe('a long population build', () => {
    let dash: Dashboard;
    beforeAll(async () => {
      dash = await startDashboard({ runner: slowBuild(1500) });
    });
    afterAll(async () => {
      await dash?.close();
    });

    it('the clock line names the build, then gives the time left from the last timed build', async () => {
      const { page, errors } = await openPage(browser(), dash.url);
      await page.selectOption('#scenario-select', 'office');
      await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: office'));
      await page.click('#start-btn');
      await page.waitForFunction(() => document.getElementById('clock')?.textContent?.startsWith('preparing: building the population of 5,000 users and'));
      expect(await page.textContent('#clock')).toMatch(/expected subscription edges: \d+ s so far, time left unknown: no build on this server has taken long enough to time one/);
      // the build ends: the clock moves
      await page.waitForFunction(() => !document.getElementById('clock')?.textContent?.startsWith('preparing'), null, { timeout: 15_000 });
      await page.click('#stop-btn');
      await page.waitForSelector('[data-testid=run-status].stopped', { timeout: 10_000 });
      await page.click('#start-btn');
      await page.waitForFunction(() => document.getElementById('clock')?.textContent?.includes('left (timed by'));
      expect(await page.textContent('#clock')).toMatch(/\d+ s so far, about \d+ s left \(timed by this server's last build \(office: 5,000 users and [\d,]+ edges in \d+\.\d s\)\)/);
      await page.click('#stop-btn');
      await page.waitForSelector('[data-testid=run-status].stopped', { timeout: 10_000 });
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
