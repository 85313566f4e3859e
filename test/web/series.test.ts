/**
 * Time series on the simulated clock (web/server/buckets.ts, run-drivers.ts). Guards: the bucket
 * width rule; a batch run that finishes in about a second has one point per regular bucket of
 * simulated time, and the gateway outage of `outage` shows as a dip of the messages between
 * domains; an interactive run's points are on the same grid; the stream replays the series.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';
import { BucketClock, bucketWidth } from '../../web/server/buckets.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

async function makeApp(): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'impp-series-'));
  dirs.push(dataDir);
  const app = await buildApp({ dataDir, maxRuns: 4 });
  apps.push(app);
  return app;
}

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function csvRows(app: FastifyInstance, id: string): Promise<Record<string, number>[]> {
  const lines = (await app.inject({ method: 'GET', url: `/api/runs/${id}/timeseries.csv` })).body.trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], Number(v)])));
}

describe('simulated-time buckets', () => {
  it('bucketWidth(duration) is the smallest nice step at least duration / 200', () => {
    expect(bucketWidth(30 * 60_000)).toBe(10_000);
    expect(bucketWidth(60 * 60_000)).toBe(30_000);
    expect(bucketWidth(5 * 60_000)).toBe(2000);
    expect(bucketWidth(2 * 60_000)).toBe(1000);
    expect(bucketWidth(8 * 3600_000)).toBe(5 * 60_000);
    expect(bucketWidth(100)).toBe(1);
    expect(bucketWidth(400 * 86_400_000)).toBe(2 * 86_400_000);
    for (const d of [1, 999, 61_000, 7 * 60_000, 86_400_000]) expect(Math.ceil(d / bucketWidth(d))).toBeLessThanOrEqual(200);
  });

  it('BucketClock walks the boundaries up to the end of the run (the last bucket may be shorter)', () => {
    const b = new BucketClock(2500);
    const ends: number[] = [];
    while (!b.finished) {
      ends.push(b.next);
      b.advance();
    }
    expect(b.width).toBe(20);
    expect(ends.length).toBe(125);
    expect(ends.at(-1)).toBe(2500);
    expect(new Set(ends.slice(1).map((t, i) => t - ends[i]))).toEqual(new Set([20]));
  });

  it('an unpaced outage run has 180 buckets of 10 s, and the gateway outage (10-12 min) is a dip of the messages between domains', async () => {
    const app = await makeApp();
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'outage' } })).json();
    await app.sim.runs.waitEnd(r.id);
    const rows = await csvRows(app, r.id);
    expect(rows.length).toBe(180);
    rows.forEach((row, i) => expect(row.time_s).toBe(10 * (i + 1)));
    const m = (from: number, to: number) => median(rows.filter((x) => x.time_s > from && x.time_s <= to).map((x) => x.messages_per_s));
    const before = m(300, 600);
    const during = m(610, 720);
    const after = m(730, 900);
    expect(during).toBeLessThan(0.7 * before);
    expect(after).toBeGreaterThan(during);
    // users online at the end of each bucket: logins - logouts, between 0 and the 3,900 users
    expect(rows.every((x) => x.users_online > 0 && x.users_online <= 3900)).toBe(true);
    const json = (await app.inject({ method: 'GET', url: `/api/runs/${r.id}/timeseries` })).json();
    expect(json.bucketMs).toBe(10_000);
    expect(json.latencyEdgesMs.length + 1).toBe(json.points[0].latency.length);
    expect(json.points.map((p: { online: number }) => p.online)).toEqual(rows.map((x) => x.users_online));
  });

  it('an interactive run closes its buckets on the same grid as it steps', async () => {
    const app = await makeApp();
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', mode: 'interactive', speed: 1, duration: '2min' } })).json();
    for (let i = 0; i < 30; i++) await app.inject({ method: 'POST', url: `/api/runs/${r.id}/control`, payload: { action: 'step', to: 'message' } });
    await app.inject({ method: 'POST', url: `/api/runs/${r.id}/control`, payload: { action: 'speed', speed: 0 } });
    await app.inject({ method: 'POST', url: `/api/runs/${r.id}/control`, payload: { action: 'resume' } });
    await app.sim.runs.waitEnd(r.id);
    const rows = await csvRows(app, r.id);
    // 2 min: 1 s buckets
    expect(rows.length).toBe(120);
    rows.forEach((row, i) => expect(row.time_s).toBe(i + 1));
    expect(rows.reduce((n, x) => n + x.notifications_per_s, 0)).toBeGreaterThan(0);
  });

  it('step with until runs an interactive run to that simulated time, paused, its buckets closed on the way', async () => {
    const app = await makeApp();
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', mode: 'interactive', speed: 1, duration: '10min' } })).json();
    const s = (await app.inject({ method: 'POST', url: `/api/runs/${r.id}/control`, payload: { action: 'step', until: 240_000 } })).json();
    expect(s.status).toBe('paused');
    expect(s.clock).toBe(240_000);
    // 10 min: 5 s buckets, 48 closed by 4 min
    expect(app.sim.runs.timeseries(r.id).points.length).toBe(48);
  });
});
