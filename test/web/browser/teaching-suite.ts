/**
 * Browser tests of the sequence chart on a projector and for a federation: teach-federation at
 * 1280x720 with Large type has lanes per domain, domain-qualified labels at 16 px or more, no lane
 * cut off, stepping to the next message of one operation, and a filter; the sticky lane header
 * covers only rows already scrolled past (at 1280x720 with Large type, where lane names wrap). Called from
 * browser.test.ts (one chromium for the file).
 */
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { screenshot, type Dashboard } from './harness.js';

/** A fresh page at a viewport size with a built-in scenario picked (and Large type when asked). */
async function pageWith(browser: Browser, url: string, viewport: { width: number; height: number }, scenario: string, large: boolean) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  if (large) await page.check('#large-type');
  await page.selectOption('#scenario-select', scenario);
  await page.waitForFunction((n) => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes(`name: ${n}`), scenario);
  return { context, page, errors };
}

export function teachingSuite(browser: () => Browser, dash: () => Dashboard): void {
  describe('teaching a federation', () => {
    it('teach-federation at 1280x720 with Large type: lanes per domain, qualified names, readable labels, step to a kind, filter', async () => {
      const { context, page, errors } = await pageWith(browser(), dash().url, { width: 1280, height: 720 }, 'teach-federation', true);
      await page.click('#toggle-side');
      await page.click('#tab-teaching');
      // step to the next notify: the newest arrow is a notify
      await page.selectOption('#teach-step-op', 'notify');
      await page.click('#teach-step');
      await page.waitForSelector('[data-testid=msc-arrow][data-op=notify]', { timeout: 15_000 });
      const ops = await page.locator('[data-testid=msc-arrow]').evaluateAll((as) => as.map((a) => a.getAttribute('data-op')));
      expect(ops.at(-1)).toBe('notify');
      await page.selectOption('#teach-step-op', '');
      for (let i = 0; i < 30 && (await page.locator('[data-testid=msc-arrow]').count()) < 40; i++) await page.click('#teach-step');
      // 3 domains x (users, service, gateway)
      expect(await page.locator('[data-testid=msc-lane]').count()).toBe(9);
      const heads = await page.locator('[data-testid=msc-lane] text').allTextContents();
      expect(heads).toEqual(expect.arrayContaining(['alphausers', 'betagateway']));
      const labels = await page.locator('[data-testid=msc-arrow] text.label').allTextContents();
      expect(labels.some((l) => /^(subscribe|notify|fetch|message) u\d@(alpha|beta|gamma) → u\d@(alpha|beta|gamma)/.test(l) && !/@(\w+) → u\d@\1/.test(l))).toBe(true);
      // readable on a projector: arrow labels at least 16 px on screen
      const px = await page.locator('[data-testid=msc-arrow] text.label').first().evaluate((t) => (t as SVGTextElement).getBoundingClientRect().height);
      expect(px).toBeGreaterThanOrEqual(16);
      // no lane cut off: every lane head inside the scroll box
      const clipped = await page.evaluate(() => {
        const box = document.getElementById('msc-scroll')!.getBoundingClientRect();
        return [...document.querySelectorAll('[data-testid=msc-lane] rect.lane-head')].filter((r) => r.getBoundingClientRect().right > box.right + 1).length;
      });
      expect(clipped).toBe(0);
      await screenshot(page, 'teaching-federation');
      // run to a time: the clock reads 4 minutes, the run is paused there
      await page.fill('#teach-until', '4min');
      await page.click('#teach-run-to');
      await page.waitForFunction(() => document.getElementById('clock')?.textContent?.startsWith('0:04:00 of 0:10:00'), null, { timeout: 15_000 });
      expect(await page.textContent('[data-testid=run-status]')).toBe('paused');
      // time-scaled: the gap between two arrows grows with the simulated time between them
      const gaps = async () =>
        page.locator('[data-testid=msc-arrow]').evaluateAll((as) =>
          as.slice(-12).map((a) => Number(/translate\(0,([\d.]+)\)/.exec(a.getAttribute('transform') ?? '')?.[1] ?? NaN)),
        );
      const flat = await gaps();
      await page.check('#teach-timescale');
      await page.waitForFunction((f) => {
        const as = [...document.querySelectorAll('[data-testid=msc-arrow]')].slice(-12);
        const y = as.map((a) => Number(/translate\(0,([\d.]+)\)/.exec(a.getAttribute('transform') ?? '')?.[1] ?? NaN));
        return y[y.length - 1] - y[0] > f[f.length - 1] - f[0] + 1;
      }, flat);
      const scaled = await gaps();
      const d = (ys: number[]) => ys.slice(1).map((y, i) => y - ys[i]);
      expect(Math.max(...d(scaled))).toBeGreaterThan(Math.max(...d(flat)));
      await page.uncheck('#teach-timescale');
      // the filter keeps the arrows whose operation, principals or domains match
      await page.fill('#teach-filter', 'message');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=msc-arrow]')].every((a) => a.getAttribute('data-op')?.startsWith('message')));
      expect(await page.textContent('#teach-count')).toMatch(/match the filter/);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('the sticky lane header at 1280x720 with Large type covers only rows already scrolled past', async () => {
      const { context, page } = await pageWith(browser(), dash().url, { width: 1280, height: 720 }, 'teach-basic', true);
      await page.click('#tab-teaching');
      for (let i = 0; i < 40 && (await page.locator('[data-testid=msc-arrow]').count()) < 30; i++) await page.click('#teach-step');
      await page.uncheck('#teach-follow');
      let stuck = 0;
      for (const top of [90, 150, 200, 333, 420, 500]) {
        const r = await page.evaluate(async (st) => {
          const box = document.getElementById('msc-scroll')!;
          box.scrollTop = st;
          box.dispatchEvent(new Event('scroll'));
          await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
          const s = box.scrollTop;
          const svg = box.querySelector('svg.chart')!.getBoundingClientRect();
          const heads = [...document.querySelectorAll('#msc-head .lane-head')].map((h) => h.getBoundingClientRect());
          const bottom = heads.length ? Math.max(...heads.map((h) => h.bottom)) : -Infinity;
          // rows not yet scrolled past: their place in the chart is at or below the scroll offset
          const hidden = [...document.querySelectorAll('[data-testid=msc-arrow] text.label')]
            .map((t) => t.getBoundingClientRect())
            .filter((a) => a.top - svg.top >= s && a.top < bottom);
          return { stuck: heads.length > 0, hidden: hidden.length, wraps: heads.some((h) => h.height > 40) };
        }, top);
        expect(r.hidden, `scrollTop ${top}`).toBe(0);
        if (r.stuck) stuck++;
        if (r.stuck) expect(r.wraps).toBe(true);
      }
      expect(stuck).toBeGreaterThan(2);
      await context.close();
    });

    it('inspecting a user shows its devices, subscriptions, watchers and inbox from the model at the current step', async () => {
      const { context, page, errors } = await pageWith(browser(), dash().url, { width: 1366, height: 768 }, 'teach-basic', false);
      await page.click('#tab-teaching');
      for (let i = 0; i < 8; i++) await page.click('#teach-step');
      await page.fill('#entity-user', 'u0@example.com');
      await page.click('#entity-go');
      await page.locator('[data-testid=entity-model]').waitFor({ state: 'visible', timeout: 10_000 });
      const api = async () => {
        const id = decodeURIComponent(/[?&]run=([^&]+)/.exec(new URL(page.url()).hash)![1]);
        return (await (await page.request.get(`${dash().url}api/runs/${id}/state/u0@example.com`)).json()) as { at: number; online: boolean; presence: { devices: { tuple: string; basic: string; activity: string }[] } };
      };
      const check = async () => {
        const m = await api();
        await page.waitForFunction((at) => document.getElementById('entity-model-at')?.dataset.at === String(at), m.at, { timeout: 10_000 });
        const devices = await page.locator('#entity-devices li').allTextContents();
        expect(devices).toHaveLength(m.presence.devices.length);
        m.presence.devices.forEach((d, i) => expect(devices[i]).toMatch(new RegExp(`^${d.tuple} im:u0@example\\.com \\(priority [\\d.]+\\): ${d.basic}, ${d.activity}`)));
        const kv = await page.locator('#entity-model-kv dd').allTextContents();
        expect(kv[0]).toBe(m.online ? 'yes' : 'no');
        expect(await page.locator('#entity-model-watching li').count()).toBeGreaterThan(0);
        expect(await page.locator('#entity-model-watchers li').count()).toBeGreaterThan(0);
        expect(await page.textContent('#entity-model-inbox')).toMatch(/open|closed|none/);
        return m.at;
      };
      const first = await check();
      // the panel follows the run: after more steps it shows the model at the new step
      for (let i = 0; i < 6; i++) await page.click('#teach-step');
      const later = await check();
      expect(later).toBeGreaterThan(first);
      await page.locator('#entity-model').scrollIntoViewIfNeeded();
      await screenshot(page, 'teaching-entity');
      expect(errors).toEqual([]);
      await context.close();
    });
  });
}
