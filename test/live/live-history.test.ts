/**
 * Live runs in the run history (web/server/live-history.ts): with Prosody installed, a live run
 * started from the API streams its progress over SSE, is listed by GET /api/runs with mode live and
 * measured: true, and its report (measured, no TLS) and report page open like a simulated run's;
 * the Prosody it started is gone afterwards.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { makeApp } from '../web/server-helpers.js';
import { holdLiveServerLock } from './server-lock.js';

const prosodyPids = () => spawnSync('pgrep', ['-f', 'impp-sim-prosody-'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

if (!prosodyInstalled()) console.warn('live-history.test.ts: prosody is not installed (apt-get install prosody); the live history test is skipped');

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();

describe('live runs in the history', () => {
  it.skipIf(!prosodyInstalled())('lists a live run as measured, streams its progress, and opens its report', async () => {
    const others = new Set(prosodyPids());
    const app = await makeApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const r = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '3s', rateScale: 50 } });
    expect(r.statusCode).toBe(202);
    const { id } = r.json();
    // while it runs, it is in the history as a running measured run
    const running = (await app.inject({ method: 'GET', url: '/api/runs' })).json().runs.find((x: { id: string }) => x.id === id);
    expect(running).toMatchObject({ mode: 'live', measured: true, status: 'running' });
    // its progress over SSE until the end
    const res = await fetch(`${base}/api/live-runs/${id}/events`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) }));
    expect(events[0].event).toBe('status');
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p, i) => i === 0 || p.data.elapsedMs > progress[i - 1].data.elapsedMs)).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { state: 'done', status: 'finished' } });
    // the ended run: listed as measured with its measured figures, its report opens
    const listed = (await app.inject({ method: 'GET', url: '/api/runs' })).json().runs.find((x: { id: string }) => x.id === id);
    expect(listed).toMatchObject({ scenario: 'teach-basic', mode: 'live', measured: true, status: 'finished' });
    const report = (await app.inject({ method: 'GET', url: `/api/runs/${id}/report` })).json();
    expect(report).toMatchObject({ measured: true, tls: false, scenario: 'teach-basic' });
    expect(listed.figures.notificationsDelivered).toBe(report.presence.notifications.delivered);
    expect(listed.figures.imDelivered).toBe(report.im.delivered);
    // the counts streamed are the driver's, never past what the report measured
    expect(progress.at(-1)!.data.publishes).toBeGreaterThan(0);
    expect(progress.at(-1)!.data.publishes).toBeLessThanOrEqual(report.presence.publishes);
    const page = await app.inject({ method: 'GET', url: `/api/runs/${id}/report.html` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/live run \(measured\)/);
    // a simulated run is not marked
    const sim = await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '10s' } });
    expect((await app.inject({ method: 'GET', url: `/api/runs/${sim.json().id}` })).json().measured).toBeUndefined();
    await app.close();
    expect(prosodyPids().filter((p) => !others.has(p))).toEqual([]);
  });
});
