/** The scalability view's sweep progress (web/public/js/sweep-progress.js), tested without a browser. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { localRunsDone, paceEta, sweepProgress, workersSeen } from '../../../web/public/js/sweep-progress.js';

const point = (status: string, runs: number, workers?: string[]) => ({ value: 1, status, runs: Array.from({ length: runs }, (_, i) => `r${i}`), ...(workers ? { workers } : {}) });

describe('sweep progress', () => {
  it('a running local sweep counts every listed run but the one each running point is on', () => {
    const sw = { status: 'running', replications: 2, points: [point('finished', 2), point('running', 2), point('pending', 0)] };
    expect(localRunsDone(sw)).toBe(3);
    // once the sweep has ended every listed run has ended (a failed point's last run failed)
    expect(localRunsDone({ ...sw, status: 'stopped', points: [point('finished', 2), point('failed', 1), point('stopped', 0)] })).toBe(3);
  });

  it('the time left is the pace so far over the runs left: unknown before the first, 0 after the last', () => {
    expect(paceEta(10_000, 0, 8)).toBeNull();
    expect(paceEta(10_000, 2, 8)).toBe(30_000);
    expect(paceEta(10_000, 8, 8)).toBe(0);
    expect(paceEta(null, 2, 8)).toBeNull();
  });

  it("a local sweep's times come from the page's clock, from when the page asked for it, and stop when it saw the end", () => {
    const sw = { status: 'running', replications: 1, points: [point('finished', 1), point('running', 1), point('pending', 0), point('pending', 0)] };
    const p = sweepProgress(sw, { since: 1000, endedAt: null }, 5000);
    expect(p).toEqual({ done: 1, total: 4, executor: 'local', where: null, elapsedMs: 4000, etaMs: 12_000, clock: 'page', workers: [] });
    const ended = sweepProgress({ ...sw, status: 'finished', points: sw.points.map(() => point('finished', 1)) }, { since: 1000, endedAt: 9000 }, 20_000);
    expect(ended).toMatchObject({ done: 4, total: 4, elapsedMs: 8000, etaMs: null });
    // a sweep the page did not start: no times
    expect(sweepProgress(sw, null, 5000)).toMatchObject({ elapsedMs: null, etaMs: null, clock: null });
  });

  it("a queued sweep shows the API's progress, its address and the runs of each worker seen", () => {
    const sw = {
      status: 'running',
      replications: 2,
      executor: 'queue',
      where: 'redis://:***@127.0.0.1:6379',
      progress: { done: 3, total: 4, workers: ['wb', 'wa', 'wc'], elapsedMs: 1500, etaMs: 500 },
      points: [point('finished', 2, ['wb', 'wa']), point('running', 1, ['wb'])],
    };
    expect(sweepProgress(sw, { since: 0, endedAt: null }, 99_999)).toEqual({
      done: 3,
      total: 4,
      executor: 'queue',
      where: 'redis://:***@127.0.0.1:6379',
      elapsedMs: 1500,
      etaMs: 500,
      clock: 'server',
      workers: [
        { name: 'wa', runs: 1 },
        { name: 'wb', runs: 2 },
        { name: 'wc', runs: 0 },
      ],
    });
    expect(workersSeen({ points: [point('pending', 0)] })).toEqual([]);
  });
});
