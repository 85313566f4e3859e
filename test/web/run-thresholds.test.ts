/**
 * Thresholds declared on a run through the API (web/server/run-thresholds.ts). Guards: a bad one
 * is a 400 naming it; the series stream judges them live on the run so far, with units; the
 * report's verdicts are in the summary at the end; figures the live view lacks wait for the end;
 * the HTML report of a run carries them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';

let app: FastifyInstance | null = null;
let dir = '';
afterEach(async () => {
  await app?.close();
  app = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('run thresholds', () => {
  it('are checked, judged live per bucket and on the report, and printed in the HTML report', async () => {
    dir = mkdtempSync(join(tmpdir(), 'impp-thr-'));
    app = await buildApp({ dataDir: dir });
    const bad = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'office', thresholds: ['latency.notification.p99 < 5 parsecs'] } })).json();
    expect(bad.error.code).toBe('BAD_REQUEST');
    expect(bad.error.message).toMatch(/^body\.thresholds\[0\]: threshold 'latency\.notification\.p99 < 5 parsecs': unknown unit 'parsecs'/);

    const thresholds = ['latency.notification.p99 < 1ms', 'maxUtilisation < 0.9', 'links.*.utilisation < 0.5'];
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'office', duration: '5min', thresholds } })).json();
    expect(r.thresholds).toEqual(thresholds);
    const live: { threshold: string; passed: boolean | null; value: string }[][] = [];
    app.sim.runs.subscribe(r.id, (ev) => {
      if (ev.type === 'series' && ev.data.thresholds?.length) live.push(ev.data.thresholds);
    });
    await app.sim.runs.waitEnd(r.id);
    expect(live.length).toBeGreaterThan(50);
    const last = live.at(-1)!;
    expect(last[0]).toMatchObject({ passed: false, source: 'live' });
    expect(last[0].value).toMatch(/^[\d.]+ ms vs 1 ms$/);
    expect(last[1]).toMatchObject({ passed: true });
    expect(last[2]).toMatchObject({ passed: null, value: expect.stringContaining('judged at the end') });
    const final = (await app.inject({ method: 'GET', url: `/api/runs/${r.id}` })).json().figures.thresholds;
    expect(final.map((v: { passed: boolean }) => v.passed)).toEqual([false, true, true]);
    expect(final[0].source).toBe('final');
    const html = await app.inject({ method: 'GET', url: `/api/runs/${r.id}/report.html` });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('latency.notification.p99 &lt; 1ms');
  });
});
