/**
 * The dashboard's measured runs and the command line's sweeps, in chromium against the real
 * server: the Live run form starts a live teach-basic against the embedded Prosody, its progress
 * is followed, its measured report fills the counters, the measured panel (server CPU per stanza,
 * RSS, the driver's CPU share, counts per operation) and the latency charts with the report's
 * own figures; an API error (a bound, a second live run) shows in the form; the run carries a
 * "measured" badge in the header, the history and the compare view, a simulated run a
 * "simulated" one. A real `sweep` of the CLI, run into the server's data folder before the server
 * starts, is listed in the scalability view and opens with its points, replications and the
 * worker of each replication as GET /api/cli-sweeps/:id gives them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ejabberdInstalled } from '../../sim/live/ejabberd-server.js';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { launchChromium, openPage, REPO, screenshot, startDashboard, type Dashboard } from './browser/harness.js';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { fmtCount } from '../../web/public/js/shape.js';
import { holdLiveServerLock } from '../live/server-lock.js';

let dash: Dashboard;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'impp-browser-live-'));
  // a real command-line sweep recorded in the data folder the server will use (dist/ is built by `npm run build`)
  const sweep = spawnSync(process.execPath, [join(REPO, 'dist/sim/cli.js'), 'sweep', 'teach-basic', '--param', 'behaviour.imRate=10/h,40/h', '--replications', '2', '--duration', '2min', '--parallel', '1', '--data', dataDir], { encoding: 'utf8', timeout: 120_000 });
  if (sweep.status !== 0) throw new Error(`the CLI sweep failed (${sweep.status}): ${sweep.stderr}`);
  dash = await startDashboard({ dataDir });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const api = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p)).json(), path);
const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? '').trim();
const pct = (f: number) => `${(f * 100).toFixed(f < 0.1 ? 2 : 1)} %`;

/** The value cell of a row of the measured server table, by its label. */
async function serverCell(page: Page, label: string): Promise<string> {
  const rows = await page.locator('#measured-server tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const row = rows.find((r) => r[0] === label);
  if (!row) throw new Error(`no row '${label}' in the measured server table: ${JSON.stringify(rows)}`);
  return row[1];
}

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();

describe('measured runs and command-line sweeps in chromium', () => {
  it.skipIf(!prosodyInstalled())('starts a live run from the form, follows it and shows its measured report with a "measured" badge everywhere', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    // a bound the API refuses is named in the form, not a blank page
    await page.selectOption('#live-scenario', 'teach-basic');
    await page.fill('#live-users', '6000');
    await page.click('#live-start');
    await expect.poll(() => text(page, '#live-error')).toMatch(/^BAD_OPTION: .*--users must be an integer from 1 to 5000/);
    expect(await text(page, '[data-testid=run-badge]')).toBe('no run');
    // the form offers the targets the API lists (the embedded servers installed here), Prosody first
    const listed = (await api(page, '/api/live-runs')).targets.map((t: { name: string }) => t.name);
    expect(listed[0]).toBe('prosody');
    expect(await page.locator('#live-target option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(listed);

    await page.fill('#live-users', '');
    await page.fill('#live-duration', '4s');
    await page.fill('#live-rate-scale', '60');
    await page.click('#live-start');
    await page.waitForSelector('#run-badge [data-testid=kind-badge][data-kind=measured]', { timeout: 15_000 });
    expect(await text(page, '#live-error')).toBe('');
    const id = new URL(page.url()).hash.match(/run=([^&]+)/)![1];
    // a second live run while this one runs: the API's 429, in the form
    await page.click('#live-start');
    await expect.poll(() => text(page, '#live-error')).toMatch(/^TOO_MANY_RUNS: a live run is already running/);
    // listed in the history from its start, measured
    await page.waitForSelector(`[data-testid=history-item][data-id="${id}"] [data-testid=kind-badge][data-kind=measured]`);
    // its progress frames move the measured clock while it runs
    await page.waitForFunction(() => /^[1-4]\.\d{3} s of 4\.000 s measured \(wall-clock time\)$/.test(document.getElementById('clock')?.textContent ?? ''), null, { timeout: 30_000 });
    expect(await text(page, '[data-testid=run-status]')).toBe('running');
    // a live run can be stopped, not paused or stepped
    expect(await page.isDisabled('#stop-btn')).toBe(false);
    expect(await page.isDisabled('#pause-btn')).toBe(true);
    await page.waitForSelector('[data-testid=run-status].finished', { timeout: 60_000 });
    await page.waitForSelector('#measured-server tbody tr', { timeout: 15_000 });

    const report = await api(page, `/api/runs/${id}/report`);
    expect(report.measured).toBe(true);
    expect(report.setup.logins).toBe(3);
    // the counters are the report's
    expect(await text(page, '[data-testid=counter-loggedIn]')).toBe('3');
    expect(await text(page, '[data-testid=counter-logins]')).toBe(String(report.sessions.logins));
    expect(await text(page, '[data-testid=counter-publishes]')).toBe(String(report.presence.publishes));
    expect(await text(page, '[data-testid=counter-notifyDelivered]')).toBe(String(report.presence.notifications.delivered));
    expect(await text(page, '[data-testid=counter-imSent]')).toBe(String(report.im.sent));
    expect(await text(page, '[data-testid=counter-imReports]')).toBe(String(report.im.reports));
    expect(await text(page, '[data-testid=counter-driverShare]')).toBe(pct(report.driver.cpuShare));
    // the panel: server CPU per stanza (or why there is none), RSS, the driver's share
    const perStanza = report.server.cpuPerStanzaUs;
    expect(await serverCell(page, 'server CPU per stanza')).toBe(perStanza === null ? (report.server.cpuSeconds === 0 ? 'under one 10 ms clock tick in all' : '–') : `${fmtCount(perStanza)} µs`);
    expect(report.server.rssBytes).toBeGreaterThan(0);
    expect(await serverCell(page, 'server RSS (peak)')).toBe(`${(report.server.rssBytes / 1e6).toFixed(1)} MB (${(report.server.rssPeakBytes / 1e6).toFixed(1)} MB)`);
    expect(await serverCell(page, "driver's CPU share (of one core)")).toMatch(new RegExp(`^${pct(report.driver.cpuShare).replace('.', '\\.')}`));
    expect(await serverCell(page, 'stanzas in / out')).toBe(`${report.server.stanzasIn} / ${report.server.stanzasOut}`);
    expect(await text(page, '#measured-note')).toContain(`at 127.0.0.1:${report.target.port}`);
    const ops = await page.locator('#measured-ops tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const expected = Object.entries(report.domains as Record<string, { operations: Record<string, { count: number }> }>).flatMap(([d, v]) => Object.entries(v.operations).map(([op, o]) => [d, op, String(o.count)]));
    expect(ops).toEqual(expected);
    expect(expected.find((r) => r[1] === 'imSend')?.[2]).toBe(String(report.im.sent));
    await screenshot(page, 'live-run');

    // the latency view: the report's percentiles, histograms that add up to the report's counts
    await page.click('#tab-latency');
    await expect.poll(() => text(page, '#latency-source')).toMatch(/measured report \(HdrHistogram/);
    const imRow = await page.locator('#latency-table tbody tr').nth(1).locator('td').allTextContents();
    expect(imRow[0]).toBe(String(report.latency.im.count));
    if (report.latency.im.count > 0) {
      const bars = await page.locator('[data-testid=latency-hist-im-bar] title').allTextContents();
      const sum = bars.reduce((a, t) => a + Number(t.split(': ')[1].replace(/,/g, '')), 0);
      expect(sum).toBe(report.latency.im.count);
    }

    // a simulated run beside it: the history badges each from its stored kind
    const sim = await page.evaluate(async () => (await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'teach-basic', duration: '1min' }) })).json());
    await expect.poll(async () => (await api(page, `/api/runs/${sim.id}`)).status, { timeout: 30_000 }).toBe('finished');
    await page.click('#history-refresh');
    await page.waitForSelector(`[data-testid=history-item][data-id="${sim.id}"] [data-kind=simulated]`);
    expect(await page.locator(`[data-testid=history-item][data-id="${id}"] [data-testid=kind-badge]`).textContent()).toBe('measured');
    expect(await page.locator(`[data-testid=history-item][data-id="${sim.id}"] [data-testid=kind-badge]`).textContent()).toBe('simulated');

    // compare: A the live run, B the simulated one (the two newest), each with its badge
    await page.click('#tab-compare');
    await page.selectOption('#compare-a', id);
    await page.selectOption('#compare-b', sim.id);
    await page.waitForSelector('#compare-a-kind [data-kind=measured]');
    await page.waitForSelector('#compare-b-kind [data-kind=simulated]');
    const diff = await page.locator('[data-testid=param-diff]').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(diff).toContainEqual(['kind', 'measured', 'simulated']);
    const fig = await page.locator('#compare-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(fig.find((r) => r[0] === "driver's CPU share (measured)")?.slice(1, 3)).toEqual([pct(report.driver.cpuShare), '–']);
    expect(fig.find((r) => r[0] === 'IMs delivered')?.[1]).toBe(String(report.im.delivered));
    expect(await page.locator('#compare-a option:checked').textContent()).toMatch(/^teach-basic \(measured\) · seed 1 · /);

    // reopening the run from the history: the same header badge, no simulated one
    await page.locator(`[data-testid=history-item][data-id="${id}"] button.open`).click();
    await page.waitForSelector('#run-badge [data-kind=measured]');
    expect(await page.locator('#run-badge [data-kind=simulated]').count()).toBe(0);
    // the browser logs the two refusals provoked above (400, 429); nothing else went wrong
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)', 'Failed to load resource: the server responded with a status of 429 (Too Many Requests)']);
    await page.close();
  }, 180_000);

  it.skipIf(!prosodyInstalled())('stops a running live run from the page: it ends stopped, with what it measured', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await page.selectOption('#live-scenario', 'teach-basic');
    await page.fill('#live-duration', '2min');
    await page.fill('#live-rate-scale', '60');
    await page.click('#live-start');
    // a progress frame has come: the measured clock has moved
    await page.waitForFunction(() => /^[1-9]\d*\.\d{3} s of 0:02:00 measured/.test(document.getElementById('clock')?.textContent ?? ''), null, { timeout: 30_000 }).catch(async (e) => {
      throw new Error(`${e.message}; the clock reads '${await text(page, '#clock')}'`);
    });
    expect(await page.isDisabled('#stop-btn')).toBe(false);
    expect(await page.isDisabled('#pause-btn')).toBe(true);
    const id = new URL(page.url()).hash.match(/run=([^&]+)/)![1];
    await page.click('#stop-btn');
    await page.waitForSelector('[data-testid=run-status].stopped', { timeout: 30_000 });
    const report = await api(page, `/api/runs/${id}/report`);
    expect(report.stopped.reason).toBe('stopped on request');
    expect(report.stopped.planned).toBe(120_000);
    await expect.poll(() => text(page, '#measured-note')).toContain(`stopped at ${fmtCount(report.stopped.at)} ms: stopped on request`);
    expect(await page.locator(`[data-testid=history-item][data-id="${id}"] [data-testid=kind-badge]`).textContent()).toBe('measured');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it.skipIf(!ejabberdInstalled() && process.env.CI !== 'true' && process.env.CI !== '1')('starts a live run on the embedded ejabberd picked in the form; its measured note names that server', async () => {
    const { page, errors } = await openPage(browser, dash.url);
    await page.selectOption('#live-scenario', 'teach-basic');
    await expect.poll(() => page.locator('#live-target option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain('ejabberd');
    await page.selectOption('#live-target', 'ejabberd');
    await page.fill('#live-duration', '2s');
    await page.fill('#live-rate-scale', '60');
    await page.click('#live-start');
    await page.waitForSelector('#run-badge [data-testid=kind-badge][data-kind=measured]', { timeout: 30_000 });
    const id = new URL(page.url()).hash.match(/run=([^&]+)/)![1];
    await page.waitForSelector('[data-testid=run-status].finished', { timeout: 90_000 });
    const entry = await api(page, `/api/live-runs/${id}`);
    expect(entry.target).toBe('ejabberd');
    expect(entry.report.target.kind).toBe('embedded-ejabberd');
    await expect.poll(() => text(page, '#measured-note')).toContain(`Measured against ${entry.report.target.server} at 127.0.0.1:${entry.report.target.port}`);
    expect(entry.report.target.server).toMatch(/^ejabberd 23\.01/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("lists the command line's sweeps and opens one with the worker of each replication", async () => {
    const { page, errors } = await openPage(browser, dash.url);
    const listed = await api(page, '/api/cli-sweeps');
    expect(listed.sweeps.length).toBe(1);
    const sw = listed.sweeps[0];
    const one = await api(page, `/api/cli-sweeps/${sw.id}`);
    expect(one.status).toBe('finished');
    await page.click('#tab-scalability');
    const row = page.locator(`[data-testid=cli-sweep-row][data-id="${sw.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td').allTextContents()).toEqual([sw.id, 'finished', expect.any(String), 'local', 'teach-basic', 'behaviour.imRate', '4', 'Open']);
    await row.locator('[data-testid=cli-sweep-open]').click();
    await page.waitForSelector('[data-testid=cli-sweep-point]');
    expect(await text(page, '#cli-sweep-title')).toBe(`Sweep ${sw.id}: teach-basic, finished, executor local, 2 replications per point, 2 point(s)`);
    const heads = await page.locator('#cli-sweep-points thead th').allTextContents();
    expect(heads[0]).toBe('behaviour.imRate');
    expect(heads[1]).toBe('replications');
    expect(heads[heads.length - 1]).toBe('worker of each replication');
    const rows = await page.locator('[data-testid=cli-sweep-point]').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.length).toBe(one.result.points.length);
    rows.forEach((r, i) => {
      const p = one.result.points[i];
      expect(r[0]).toBe(String(p.point['behaviour.imRate']));
      expect(r[1]).toBe('2');
      expect(r[r.length - 1]).toBe(p.runs.map((run: { seed: number; worker: string }, k: number) => `#${k + 1} seed ${run.seed}: ${run.worker}`).join(' · '));
    });
    expect(one.result.points.flatMap((p: { runs: { worker: string }[] }) => p.runs.map((r) => r.worker))).toEqual(['local', 'local', 'local', 'local']);
    // and drawn in the sweep charts with its means
    expect(await text(page, '#sweep-status')).toBe(`command-line sweep ${sw.id} finished: 2 of 2 point(s)`);
    expect(await page.locator('#sweep-table [data-testid=sweep-point]').count()).toBe(2);
    await page.locator('.cli-sweeps').scrollIntoViewIfNeeded();
    await screenshot(page, 'cli-sweeps');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
