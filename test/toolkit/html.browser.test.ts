import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { runDocument, sweepDocument, toHtml, toMarkdown } from '../../sim/toolkit/document.js';
import { runSweep } from '../../sim/toolkit/sweep.js';
import { evaluateThresholds, parseThreshold } from '../../sim/toolkit/thresholds.js';

describe('HTML report in chromium, offline', () => {
  it('renders the charts of a run and of a sweep with no network request', async () => {
    const sc = loadScenario('federation', ['duration=3min']);
    const sweep = await runSweep(sc, { params: [{ path: 'users', values: [400, 800, 1600] }], replications: 2, keepReports: true, thresholds: ['latency.notification.p99 < 500ms'] });
    const report = sweep.points[0].report!;
    const outcomes = evaluateThresholds([parseThreshold('domains.*.utilisation < 0.7')], report);
    const dir = mkdtempSync(join(tmpdir(), 'impp-html-'));
    const runFile = join(dir, 'run.html');
    const sweepFile = join(dir, 'sweep.html');
    writeFileSync(runFile, toHtml(runDocument(report, { thresholds: outcomes })));
    writeFileSync(sweepFile, toHtml(sweepDocument(sweep)));
    expect(toMarkdown(sweepDocument(sweep))).toMatch(/\| users \|/);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext();
      const outside: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      for (const [file, minCharts] of [[runFile, 4], [sweepFile, 7]] as const) {
        await page.goto(pathToFileURL(file).href);
        const charts = await page.$$eval('svg.chart', (svgs) =>
          svgs.map((s) => {
            const r = s.getBoundingClientRect();
            const marks = [...s.querySelectorAll('path.series, rect.bar')].map((m) => (m as SVGGraphicsElement).getBBox());
            return { title: s.getAttribute('aria-label'), w: r.width, h: r.height, marks: marks.filter((b) => b.width > 0 || b.height > 0).length };
          }),
        );
        expect(charts.length).toBeGreaterThanOrEqual(minCharts);
        for (const c of charts) {
          expect(c.w).toBeGreaterThan(100);
          expect(c.h).toBeGreaterThan(50);
          expect(c.marks).toBeGreaterThan(0);
        }
        expect(await page.title()).toMatch(/impp-sim/);
        if (file === runFile) expect(charts.map((c) => c.title)).toEqual(expect.arrayContaining(['throughput over time', 'notification latency CDF']));
      }
      expect(await page.locator('td.PASS, td.FAIL').count()).toBeGreaterThan(0);
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
