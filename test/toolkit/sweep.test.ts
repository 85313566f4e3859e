import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { replicationSeed, runSweep } from '../../sim/toolkit/sweep.js';

describe('runSweep', () => {
  const sc = loadScenario('office', ['domains[0].users=300', 'duration=5min']);
  const params = [{ path: 'users', values: [200, 400] }];
  const strip = (r: Awaited<ReturnType<typeof runSweep>>) =>
    r.points.map((p) => ({ point: p.point, runs: p.runs.map((x) => ({ seed: x.seed, f: { ...x.figures, eventsPerSec: 0 } })) }));

  it('gives the same result for any --parallel, with mean and 95% CI per point', async () => {
    const progress: number[] = [];
    const a = await runSweep(sc, { params, replications: 3, parallel: 1, onProgress: (d) => progress.push(d), thresholds: ['latency.notification.p99 < 500ms'] });
    const b = await runSweep(sc, { params, replications: 3, parallel: 2 });
    expect(strip(a)).toEqual(strip(b));
    expect(progress.at(-1)).toBe(6);
    expect(a.points).toHaveLength(2);
    const p = a.points[1];
    expect(p.runs.map((r) => r.seed)).toEqual([1, replicationSeed(1, 1), replicationSeed(1, 2)]);
    expect(new Set(p.runs.map((r) => r.figures.notificationsPerSec)).size).toBe(3);
    for (const f of ['notificationsPerSec', 'imPerSec', 'latency.notification.p99', 'latency.im.p99', 'maxUtilisation', 'crossDomainMessagesPerSec', 'crossDomainBytesPerSec']) {
      expect(a.figures).toContain(f);
      expect(Number.isFinite(p.mean[f])).toBe(true);
      expect(p.ci95[f]).toBeGreaterThanOrEqual(0);
    }
    expect(p.mean.users).toBe(400);
    expect(a.points[1].mean.notificationsPerSec).toBeGreaterThan(a.points[0].mean.notificationsPerSec);
    expect(a.passed).toBe(true);
  });

  it('refuses a bad parameter before running anything, and can be aborted', async () => {
    await expect(runSweep(sc, { params: [{ path: 'servers.cont', values: [1] }] })).rejects.toThrow(/servers.cont/);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(runSweep(sc, { params, signal: ac.signal })).rejects.toThrow(/stop/);
  });
});
