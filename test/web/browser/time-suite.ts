/**
 * Browser tests of time on the simulated clock: the throughput chart of an `outage` run has one
 * point per 10 s bucket and shows the gateway outage as a dip, unpaced and paced alike. Called
 * from browser.test.ts (one chromium for the file).
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, screenshot, type Dashboard } from './harness.js';

/** The y pixels of a drawn line series, in order (d3.line with curveLinear: "Mx,yLx,y..."). */
async function drawnY(page: Page, sel: string): Promise<number[]> {
  const d = (await page.locator(sel).first().getAttribute('d')) ?? '';
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => Number(m[2]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function timeSuite(browser: () => Browser, dash: () => Dashboard): void {
  describe('time on the simulated clock', () => {
    for (const speed of ['', '1200']) {
      it(`outage${speed ? ` at speed ${speed}` : ' unpaced'}: throughput over time has 180 buckets of 10 s and the outage dip`, async () => {
        const { page, errors } = await openPage(browser(), dash().url);
        await page.selectOption('#scenario-select', 'outage');
        await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: outage'));
        await page.fill('#speed', speed);
        await page.click('#tab-throughput');
        await page.click('#start-btn');
        if (speed) {
          // paced: buckets arrive while the run goes on
          await page.waitForFunction(() => Number(document.querySelector('[data-testid=throughput-rates-series][data-key=m]')?.getAttribute('data-points')) >= 3, null, { timeout: 20_000 });
          expect(await page.textContent('[data-testid=run-status]')).toBe('running');
        }
        await page.waitForSelector('[data-testid=run-status].finished', { timeout: 30_000 });
        await page.waitForFunction(() => Number(document.querySelector('[data-testid=throughput-rates-series][data-key=m]')?.getAttribute('data-points')) === 180, null, { timeout: 10_000 });
        expect(await page.textContent('[data-testid=throughput-buckets]')).toContain('One point per 10 s of simulated time (180 buckets');
        expect(await page.getAttribute('[data-testid=throughput-online-series]', 'data-points')).toBe('180');
        // bucket i ends at 10 (i + 1) s; a larger y pixel is a lower rate
        const y = await drawnY(page, '[data-testid=throughput-rates-series][data-key=m] path.line');
        expect(y.length).toBe(180);
        const before = median(y.slice(30, 60));
        const during = median(y.slice(61, 72));
        const after = median(y.slice(73, 90));
        expect(during).toBeGreaterThan(before);
        expect(during).toBeGreaterThan(after);
        if (!speed) await screenshot(page, 'throughput');
        expect(errors).toEqual([]);
        await page.close();
      });
    }

    it('office: percentiles per bucket, a note that the log-in burst dominates p99 with a warm-up to use, and the peak bucket', async () => {
      const { page, errors } = await openPage(browser(), dash().url);
      await page.selectOption('#scenario-select', 'office');
      await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: office'));
      await page.fill('#duration', '30min');
      // a seed whose log-in burst is more than twice the steady p99 in the live buckets (the rule
      // is met by some seeds only: of seeds 1, 2, 3, 5 and 7, seed 3 alone, at 47.0 vs 19.9 ms)
      await page.fill('#seed', '3');
      await page.click('#start-btn');
      await page.waitForSelector('[data-testid=run-status].finished', { timeout: 30_000 });
      await page.click('#tab-latency');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=latency-over-time-series][data-key=p99]')?.getAttribute('data-points')) > 100, null, { timeout: 10_000 });
      const note = page.locator('[data-testid=latency-burst]');
      await note.waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot(page, 'latency');
      expect(await note.textContent()).toMatch(/log-in burst\) dominates p99: .* without its first tenth .*warmup=3min/);
      await page.click('#tab-throughput');
      // (the tab draws after the click: wait for its peak note)
      await page.waitForFunction(() => (document.querySelector('[data-testid=throughput-peak]')?.textContent ?? '') !== '', null, { timeout: 10_000 });
      const peakText = await page.textContent('[data-testid=throughput-peak]');
      expect(peakText).toMatch(/^Peak bucket: office\.example at [\d.]+ % from 0\.000 s to 10\.0 s simulated \(whole run: [\d.]+ %\)\.$/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('an overloaded run warns while it goes on (the queue keeps growing), says it is saturated, and breaks IM failures down by reason', async () => {
      const { page, errors } = await openPage(browser(), dash().url);
      await page.selectOption('#scenario-select', 'office');
      await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: office'));
      await page.fill('#duration', '10min');
      await page.fill('#overrides', 'domains[0].users=20000\ndomains[0].servers.count=1\ndomains[0].servers.cores=1');
      await page.fill('#speed', '60');
      await page.click('#start-btn');
      const over = page.locator('[data-testid=overload]');
      await over.waitFor({ state: 'visible', timeout: 20_000 });
      expect(await over.textContent()).toMatch(/^Overload: the queue of office\.example grew over the last 4 buckets to [\d]+ jobs \(1 core\)/);
      await page.click('#speed-btn');
      await page.fill('#speed', '0');
      await page.click('#speed-btn');
      await page.waitForSelector('[data-testid=run-status].finished', { timeout: 30_000 });
      await page.click('#tab-throughput');
      const sat = page.locator('[data-testid=throughput-saturation]');
      await sat.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await sat.textContent()).toMatch(/^Saturated: latency\.notification\.p99 < 5s failed \([\d.]+ s vs 5 s\)/);
      const id = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('run'));
      const rep = await page.evaluate(async (i) => (await fetch(`/api/runs/${i}/report`)).json(), id);
      const fails = page.locator('[data-testid=im-failures]');
      expect(rep.im.failed).toBeGreaterThan(0);
      const [top] = Object.entries(rep.im.failedBy as Record<string, number>).sort((a, b) => b[1] - a[1]);
      expect(await fails.textContent()).toContain(`by reason: ${top[0]} ${top[1].toLocaleString('en-US')}`);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('thresholds declared on the form pass or fail live, then on the report; the HTML report opens with them', async () => {
      const { page, errors } = await openPage(browser(), dash().url);
      await page.selectOption('#scenario-select', 'office');
      await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: office'));
      await page.fill('#duration', '10min');
      await page.fill('#speed', '120');
      await page.fill('#thresholds', 'latency.notification.p99 < 1ms\nmaxUtilisation < 0.9');
      await page.click('#start-btn');
      // live: while the run goes on, from the series stream
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=threshold]').length === 2, null, { timeout: 20_000 });
      expect(await page.textContent('[data-testid=run-status]')).toBe('running');
      const live = await page.locator('[data-testid=threshold]').allTextContents();
      expect(live[0]).toMatch(/^FAILlatency\.notification\.p99 < 1ms [\d.]+ ms vs 1 ms \(live, the run so far\)$/);
      expect(live[1]).toMatch(/^PASSmaxUtilisation < 0\.9 /);
      await page.click('#speed-btn');
      await page.fill('#speed', '0');
      await page.click('#speed-btn');
      await page.waitForSelector('[data-testid=run-status].finished', { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('[data-testid=threshold] .value')?.textContent?.includes('on the report'), null, { timeout: 10_000 });
      const href = await page.getAttribute('#export-html', 'href');
      const html = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
      expect(html).toContain('latency.notification.p99 &lt; 1ms');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('finds the capacity from the Scalability tab: probes, the answer in total cores, the sizing report', async () => {
      const { page, errors } = await openPage(browser(), dash().url);
      await page.selectOption('#scenario-select', 'teach-basic');
      await page.waitForFunction(() => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes('name: teach-basic'));
      await page.click('#tab-scalability');
      await page.selectOption('#size-vary', 'servers.cores');
      await page.fill('#size-duration', '2min');
      await page.click('#size-start');
      await page.locator('[data-testid=size-answer]').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.textContent('[data-testid=size-answer]')).toContain('that is 1 core in total (example.com 1 server x 1 core)');
      expect(await page.locator('[data-testid=size-probe]').count()).toBeGreaterThan(0);
      const href = await page.getAttribute('#size-report', 'href');
      expect(await page.evaluate(async (h) => (await fetch(h!)).status, href)).toBe(200);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
