/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real
 * server (buildApp on a free port). Guards: the page loads with no console errors; the teaching
 * view steps an interactive teach-basic run and its sequence chart shows the RFC 2778 exchange
 * (subscribe before notify) with payloads that open in the inspector; a short office run fills
 * the fan-out graph, the latency charts and the throughput charts; a sweep plots its points;
 * two runs compare; charts export as SVG and PNG; validation problems point at their line.
 * With UPDATE_SCREENSHOTS=1 the tests also write docs/screenshots/*.png.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, startDashboard, type Dashboard } from './browser/harness.js';
import { runsSuite } from './browser/runs-suite.js';
import { timeSuite } from './browser/time-suite.js';
import { teachingSuite } from './browser/teaching-suite.js';
import { buildSuite } from './browser/build-suite.js';

let dash: Dashboard;
let browser: Browser;

beforeAll(async () => {
  dash = await startDashboard();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await dash?.close();
});

const count = (page: Page, sel: string) => page.locator(sel).count();
const num = async (page: Page, sel: string, attr: string) => Number(await page.locator(sel).first().getAttribute(attr));

async function pickScenario(page: Page, name: string): Promise<void> {
  await page.selectOption('#scenario-select', name);
  await page.waitForFunction((n) => (document.getElementById('yaml-editor') as HTMLTextAreaElement).value.includes(`name: ${n}`), name);
}

async function waitFinished(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForSelector('[data-testid=run-status].finished', { timeout });
  // the report is loaded once the latency view says so
  await page.waitForFunction(() => document.getElementById('export-report')?.getAttribute('aria-disabled') === 'false', null, { timeout });
}

describe('dashboard in chromium', () => {
  it('loads every view with no console errors', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    const names = await page.locator('#scenario-select option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(expect.arrayContaining(['teach-basic', 'office', 'federation']));
    // the server's default scenario is preselected
    expect(await page.inputValue('#yaml-editor')).toContain('name: office');
    expect(await count(page, '#yaml-gutter div')).toBeGreaterThan(10);
    for (const v of ['fanout', 'latency', 'throughput', 'teaching', 'scalability', 'compare']) {
      await page.click(`#tab-${v}`);
      await expect.poll(() => page.locator(`#view-${v}`).isVisible()).toBe(true);
      expect(await page.getAttribute(`#tab-${v}`, 'aria-selected')).toBe('true');
    }
    // the inputs offer what the API takes
    expect(await page.getAttribute('#workers', 'max')).toBe('16');
    expect(await page.getAttribute('#duration', 'placeholder')).toContain('10min');
    // large type for projection
    await page.check('#large-type');
    expect(await page.evaluate(() => document.body.classList.contains('large'))).toBe(true);
    await page.uncheck('#large-type');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('teaching view: stepping teach-basic draws subscribe then notify, and an arrow opens its PIDF body', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await pickScenario(page, 'teach-basic');
    await page.click('#tab-teaching');
    // the first step starts an interactive run, every step advances to the next traced message
    // (until a notification and a publish have both been drawn: with the access link's delay a
    // subscription may be answered before the presentity's first publish reaches its service)
    for (let i = 0; i < 30; i++) {
      await page.click('#teach-step');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=msc-arrow]').length >= n, Math.min(i + 1, 6), { timeout: 10_000 });
      if ((await count(page, '[data-testid=msc-arrow][data-op=notify]')) > 0 && (await count(page, '[data-testid=msc-arrow][data-op=publish]')) > 0) break;
    }
    expect(await page.textContent('[data-testid=run-status]')).toBe('paused');
    const ops = await page.locator('[data-testid=msc-arrow]').evaluateAll((as) => as.map((a) => a.getAttribute('data-op')));
    expect(ops.indexOf('subscribe')).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf('notify')).toBeGreaterThan(ops.indexOf('subscribe'));
    const labels = await page.locator('[data-testid=msc-arrow] text.label').allTextContents();
    expect(labels.some((l) => /^subscribe u\d → u\d/.test(l))).toBe(true);
    expect(labels.some((l) => /^notify u\d → u\d/.test(l))).toBe(true);
    // the presence user agent's update that the first notifications report
    expect(ops).toContain('publish');
    expect(labels.some((l) => /^publish u\d → example\.com · (all tuples|tuple \d+) (available|away|busy|on-the-phone|closed)$/.test(l))).toBe(true);
    expect(await count(page, '[data-testid=msc-lane]')).toBe(8);

    await page.locator('[data-testid=msc-arrow][data-op=notify]').first().click();
    await page.waitForFunction(() => document.getElementById('insp-body')?.textContent?.includes('<presence'), null, { timeout: 10_000 });
    expect(await page.textContent('#insp-type')).toContain('application/pidf+xml');
    expect(await page.textContent('#insp-decoded')).toContain('pres:');
    expect((await page.textContent('#insp-rule'))?.trim()).not.toBe('');
    // a request carries no body
    await page.locator('[data-testid=msc-arrow][data-op=subscribe]').first().click();
    await page.waitForFunction(() => document.getElementById('insp-body')?.textContent?.includes('no body'), null, { timeout: 10_000 });
    await page.locator('[data-testid=msc-arrow][data-op=notify]').first().click();
    await page.waitForFunction(() => document.getElementById('insp-body')?.textContent?.includes('<presence'), null, { timeout: 10_000 });
    // the publisher of the notified state, as the trace shows it at this step
    await page.locator('[data-testid=entity-open]').first().click();
    await page.locator('[data-testid=entity]').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.textContent('#entity-title')).toMatch(/^u\d@example\.com at message \d+$/);
    expect((await page.locator('#entity-watching li, #entity-watchers li').allTextContents()).some((t) => /: (active|pending|polite block|refused|asked|answered)/.test(t))).toBe(true);
    await screenshot(page, 'teaching');

    await page.click('#stop-btn');
    await page.waitForSelector('[data-testid=run-status].stopped', { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a short office run fills the fan-out graph, the latency charts and the throughput charts', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await pickScenario(page, 'office');
    await page.fill('#duration', '2m');
    await page.fill('#overrides', 'domains[0].users=600');
    await page.click('#start-btn');
    await page.waitForSelector('[data-testid=run-status]', { timeout: 10_000 });
    expect(await count(page, '[data-testid=fanout-node][data-kind=server]')).toBe(2);
    expect(await count(page, '[data-testid=fanout-node]')).toBe(4);
    await waitFinished(page);
    // intra-domain edges carry the domain's utilisation once a snapshot has arrived
    await page.click('#tab-fanout');
    expect(await num(page, '[data-testid=fanout-edge]', 'data-rate')).toBeGreaterThan(0);
    expect(await page.locator('#domain-table tbody tr td').first().textContent()).toBe('office.example');
    expect(Number((await page.textContent('#counter-notifyDelivered'))?.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await page.textContent('#counter-leaks')).toBe('0');
    // the busiest domain is the table's, by name and whole-run utilisation; the rate is the report's over its period
    const wholeRun = await page.locator('#domain-table tbody tr').first().locator('td').nth(3).textContent();
    expect(await page.textContent('#counter-maxUtil')).toBe(`${wholeRun} office.example`);
    const rep0 = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}/report`)).json(), (await page.getAttribute('#history li.current', 'data-id'))!);
    const perSec = rep0.presence.notifications.delivered / (rep0.parameters.duration / 1000);
    expect(Number((await page.textContent('#counter-notifRate'))!.replace(/,/g, ''))).toBeCloseTo(perSec, perSec >= 100 ? -1 : 1);
    expect(await page.locator('#counter-notifRateNow').isVisible()).toBe(false);

    await page.click('#tab-latency');
    await page.waitForSelector('[data-testid=latency-hist-notification-bar]');
    expect(await count(page, '[data-testid=latency-hist-notification-bar]')).toBeGreaterThan(2);
    expect(await count(page, '[data-testid=latency-hist-im-bar]')).toBeGreaterThan(0);
    expect(await num(page, '[data-testid=latency-cdf-series][data-key=n]', 'data-points')).toBeGreaterThan(3);
    expect(await page.textContent('#latency-source')).toContain('final report');
    const p99 = await page.locator('#latency-table tbody tr').first().locator('td').nth(3).textContent();
    expect(p99).toMatch(/ms|s$/);

    await page.click('#tab-throughput');
    await page.waitForSelector('[data-testid=throughput-rates-series]');
    expect(await num(page, '[data-testid=throughput-rates-series][data-key=n]', 'data-points')).toBeGreaterThan(0);

    // exports: a chart as SVG and PNG, the report as JSON
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('figure[data-name=throughput] [data-export=svg]')]);
    expect(svg.suggestedFilename()).toMatch(/^impp-sim-throughput-.*\.svg$/);
    const svgText = readFileSync((await svg.path())!, 'utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toContain('<style>');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('figure[data-name=throughput] [data-export=png]')]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    expect(readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
    const [rep] = await Promise.all([page.waitForEvent('download'), page.click('#export-report')]);
    const report = JSON.parse(readFileSync((await rep.path())!, 'utf8'));
    expect(report.scenario).toBe('office');
    expect(report.parameters.users).toBe(600);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a paced federation run animates the fan-out across gateways and plots throughput over time', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await pickScenario(page, 'federation');
    await page.fill('#duration', '3m');
    // a real-time factor of 60 spreads the three simulated minutes over about three seconds
    await page.fill('#speed', '60');
    await page.click('#start-btn');
    await page.waitForSelector('[data-testid=run-status].running', { timeout: 10_000 });
    expect(await count(page, '[data-testid=fanout-node][data-kind=gateway]')).toBe(4);
    expect(await count(page, '[data-testid=fanout-edge][data-kind=inter]')).toBe(12);
    // particles fly and the gateway links get widths while the run goes on
    await page.waitForSelector('#fanout circle.particle', { timeout: 30_000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=fanout-edge][data-kind=inter]')].some((e) => Number(e.getAttribute('data-rate')) > 0),
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(400);
    await screenshot(page, 'fanout');
    await waitFinished(page);
    await page.click('#tab-throughput');
    await page.waitForSelector('[data-testid=throughput-rates-series]');
    expect(await num(page, '[data-testid=throughput-rates-series][data-key=n]', 'data-points')).toBeGreaterThan(2);
    expect(await count(page, '[data-testid=throughput-utilisation-series]')).toBe(4);
    expect(await num(page, '[data-testid=throughput-utilisation-series]', 'data-points')).toBeGreaterThan(2);
    expect(await num(page, '[data-testid=throughput-queue-series]', 'data-points')).toBeGreaterThan(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('compares two runs side by side and runs a sweep with its saturation curve', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await pickScenario(page, 'office');
    await page.fill('#duration', '2m');
    await page.fill('#overrides', 'domains[0].users=600\ndomains[0].servers.cores=1');
    await page.fill('#seed', '7');
    await page.click('#start-btn');
    await waitFinished(page);
    await page.click('#tab-compare');
    // A: the first office run (seed 1); B: this one (the newest)
    const first = await page.evaluate(async () => {
      const { runs } = await (await fetch('/api/runs')).json();
      return runs.filter((r: { scenario: string; seed: number }) => r.scenario === 'office' && r.seed === 1)[0].id as string;
    });
    await page.selectOption('#compare-a', first);
    await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length > 10, null, { timeout: 10_000 });
    expect(await count(page, '[data-testid=compare-cdf-series]')).toBe(4);
    const seeds = await page.locator('#compare-table tbody tr').nth(1).locator('td').allTextContents();
    expect(seeds.slice(0, 2).sort()).toEqual(['1', '7']);
    // the parameter diff: seed, and the override of cores (600 users in both: no row)
    // (until the diff is of the two office runs: the comparison shown before the selection, of
    // another scenario's run, may still be on the page)
    await page.waitForFunction(
      () => {
        const names = [...document.querySelectorAll('[data-testid=param-diff]')].map((tr) => tr.children[0]?.textContent);
        return names.includes('seed') && !names.includes('scenario');
      },
      null,
      { timeout: 10_000 },
    );
    const diff = await page.locator('[data-testid=param-diff]').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(diff).toContainEqual(['seed', '1', '7']);
    expect(diff).toContainEqual(['office.example cores per server', '4', '1']);
    expect(diff).toContainEqual(['overrides', '–', 'domains[0].servers.cores=1']);
    expect(diff.some((r) => r[0] === 'office.example users')).toBe(false);
    // the CDF does not cover the table's B − A column
    const tableBox = (await page.locator('#compare-table').boundingBox())!;
    const cdfBox = (await page.locator('figure[data-name=compare-cdf]').boundingBox())!;
    const apart = cdfBox.y >= tableBox.y + tableBox.height - 1 || cdfBox.x >= tableBox.x + tableBox.width - 1;
    expect(apart).toBe(true);
    // a tag and a note tell the run apart in the selects and the diff
    await page.fill('#run-tags', 'one core');
    await page.fill('#run-note', 'cores cut to 1');
    await page.click('#run-notes-save');
    await page.waitForFunction(() => [...document.querySelectorAll('#compare-b option')].some((o) => o.textContent?.startsWith('[one core] office')), null, { timeout: 10_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=param-diff] th')].some((th) => th.textContent === 'tags'), null, { timeout: 10_000 });
    await screenshot(page, 'compare');

    await page.click('#tab-scalability');
    await page.fill('#sweep-param', 'domains[0].users');
    await page.fill('#sweep-values', '200, 400, 800, 1600');
    await page.fill('#sweep-duration', '1m');
    await page.click('#sweep-start');
    await page.waitForFunction(() => document.getElementById('sweep-status')?.textContent?.startsWith('finished'), null, { timeout: 40_000 });
    expect(await count(page, '[data-testid=sweep-point]')).toBe(4);
    expect(await count(page, '[data-testid=sweep-notifications-series] circle.pt')).toBe(4);
    expect(await count(page, '[data-testid=sweep-utilisation-series] circle.pt')).toBe(4);
    // the utilisation chart marks the threshold
    expect(await page.locator('#sw-util g.rules text').first().textContent()).toContain('threshold');
    await screenshot(page, 'scalability');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists validation problems with their path and jumps to the line', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await pickScenario(page, 'teach-basic');
    const text = await page.inputValue('#yaml-editor');
    await page.fill('#yaml-editor', text.replace('users: 3', 'users: -3'));
    await page.click('#validate-btn');
    const problem = page.locator('[data-testid=validation-problem]').first();
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.textContent()).toContain('domains[0].users');
    const line = text.split('\n').findIndex((l) => l.includes('users: 3')) + 1;
    await problem.locator('button').click();
    const caretLine = await page.evaluate(() => {
      const ta = document.getElementById('yaml-editor') as HTMLTextAreaElement;
      return ta.value.slice(0, ta.selectionStart).split('\n').length;
    });
    expect(caretLine).toBe(line);
    expect(await page.locator('#yaml-gutter div.bad').textContent()).toBe(String(line));
    // the only console errors are the browser's notes on the 400 answer of the validation request
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });
});

// more suites on the same chromium (one browser for the whole file keeps the suite fast)
runsSuite(
  () => browser,
  () => dash,
);
timeSuite(
  () => browser,
  () => dash,
);
teachingSuite(
  () => browser,
  () => dash,
);
buildSuite(() => browser);
