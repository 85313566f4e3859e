/**
 * What a batch run says while it builds its population (web/server/build-eta.ts), with a runner
 * whose first event comes after a set wall time. Guards: the first build has no ETA and says why;
 * once it has run, the next run's summary carries the rate that build measured and the time it
 * expects; the build info goes once the run has events.
 */
import { describe, expect, it } from 'vitest';
import { get, makeApp, post, slowBuild, type Json } from './server-helpers.js';

async function until(f: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the population build and its ETA', () => {
  it('the first build is timed; the next run expects its own work at that rate', async () => {
    const app = await makeApp({ runner: slowBuild(1300), maxRuns: 4 });
    const a = await post(app, '/api/runs', { scenario: 'office' });
    expect(a.status).toBe(201);
    const first = a.body.build as Json;
    expect(first).toMatchObject({ rate: null, expectedMs: null });
    expect(first.basis).toMatch(/no build on this server/);
    expect(first.users).toBe(5000);
    expect(first.edges).toBeGreaterThan(first.users);
    expect(first.work).toBe(first.users + first.edges);
    // while it builds the summary says so, with the time so far
    const during = (await get(app, `/api/runs/${a.body.id}`)).body!;
    expect(during.build.elapsedMs).toBeGreaterThanOrEqual(0);
    await until(async () => (await get(app, `/api/runs/${a.body.id}`)).body!.build === undefined, 'the first build to end');
    await post(app, `/api/runs/${a.body.id}/control`, { action: 'stop' });

    const b = await post(app, '/api/runs', { scenario: 'federation' });
    const next = b.body.build as Json;
    expect(next.basis).toMatch(/timed by this server's last build \(office: 5,000 users and [\d,]+ edges in \d+\.\d s\)/);
    const secs = Number(/in (\d+\.\d) s/.exec(next.basis)![1]);
    // the rate is the first build's work over its time (from creation to its first event)
    expect(next.rate).toBeGreaterThan(first.work / (secs + 0.1));
    expect(next.rate).toBeLessThan(first.work / (secs - 0.1));
    expect(next.expectedMs).toBeCloseTo((1000 * next.work) / next.rate, 6);
    expect(secs).toBeGreaterThanOrEqual(1.3);
    await post(app, `/api/runs/${b.body.id}/control`, { action: 'stop' });
  });

  it('a build shorter than a second times nothing', async () => {
    const app = await makeApp({ runner: slowBuild(0), maxRuns: 4 });
    const a = await post(app, '/api/runs', { scenario: 'office' });
    await until(async () => (await get(app, `/api/runs/${a.body.id}`)).body!.build === undefined, 'the build to end');
    await post(app, `/api/runs/${a.body.id}/control`, { action: 'stop' });
    const b = await post(app, '/api/runs', { scenario: 'office' });
    expect(b.body.build).toMatchObject({ rate: null, expectedMs: null });
    await post(app, `/api/runs/${b.body.id}/control`, { action: 'stop' });
  });
});
