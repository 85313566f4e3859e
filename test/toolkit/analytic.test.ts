import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { erlangC, formatDiff, mg1Wait, mmcWait } from '../../sim/toolkit/analytic.js';
import { runSweep } from '../../sim/toolkit/sweep.js';
import { applyPoint } from '../../sim/toolkit/params.js';

const FIXTURE = new URL('./fixtures/mm1.yaml', import.meta.url).pathname;

describe('cross-check table', () => {
  it('formatDiff shows a relative difference, or the absolute one when the expectation is tiny next to the simulated figure', () => {
    expect(formatDiff({ simulated: 110, analytic: 100, relDiff: 0.1 })).toBe('10.0%');
    expect(formatDiff({ simulated: 90, analytic: 100, relDiff: -0.1 })).toBe('-10.0%');
    expect(formatDiff({ simulated: 1.03, analytic: 3.256e-10, relDiff: (1.03 - 3.256e-10) / 3.256e-10 })).toBe('+1.03 abs');
    expect(formatDiff({ simulated: 2, analytic: 0, relDiff: Infinity })).toBe('+2 abs');
    expect(formatDiff({ simulated: NaN, analytic: 1, relDiff: NaN })).toBe('n/a');
  });
});

describe('closed forms', () => {
  it('Erlang C, M/M/c and M/G/1 agree with textbook values', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12); // M/M/1: P(wait) = rho
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(mmcWait(1, 0.05, 10)).toBeCloseTo(10, 9); // rho / (mu - lambda)
    expect(mg1Wait(0.05, 10, 100)).toBeCloseTo(5, 9); // M/D/1 at rho 0.5: half of M/M/1
    expect(mmcWait(2, 0.25, 4)).toBeCloseTo(4 / 3, 9); // c = 2, a = 1: C = 1/3, W = C m / (c - a)
    expect(mmcWait(1, 0.2, 10)).toBe(Infinity);
  });
});

describe('analytic cross-check on scenarios where the closed form is exact', () => {
  it('M/M/1, M/D/1 and M/M/4: rates, utilisation and mean wait fall within the replications\' 95% CI', async () => {
    const sc = loadScenario(FIXTURE);
    const r = await runSweep(sc, {
      params: [
        { path: 'domains[0].serviceTimes.publish', values: ['{dist: exponential, mean: 10ms}', '{dist: fixed, value: 10ms}', '{dist: exponential, mean: 50ms}'] },
        { path: 'domains[0].servers.cores', values: [1, 1, 4] },
      ],
      mode: 'zip',
      replications: 6,
      parallel: 2,
      analytic: true,
    });
    for (const p of r.points) {
      const rows = new Map(p.crossCheck!.map((x) => [x.figure, x]));
      for (const f of ['publishesPerSec', 'sessions.logins', 'domains.queue.example.utilisation', 'domains.queue.example.meanWait']) {
        const row = rows.get(f)!;
        expect(row.exact, `${f} exact`).toBe(true);
        expect(row.withinCi, `${f} at ${JSON.stringify(p.point)}: simulated ${row.simulated} ± ${row.ci95}, analytic ${row.analytic}`).toBe(true);
      }
    }
    const wait = (i: number) => r.points[i].crossCheck!.find((x) => x.figure === 'domains.queue.example.meanWait')!;
    expect(wait(0).note).toMatch(/M\/M\/1/);
    expect(wait(1).note).toMatch(/M\/D\/1/);
    expect(wait(2).note).toMatch(/M\/M\/4/);
    expect(wait(1).analytic).toBeCloseTo(wait(0).analytic / 2, 6);
  });

  it('labels estimates that lean on approximations', async () => {
    const sc = applyPoint(loadScenario('federation', ['duration=10min']), { users: 1500 });
    const r = await runSweep(sc, { params: [], replications: 2, analytic: true });
    const rows = r.points[0].crossCheck!;
    expect(rows.find((x) => x.figure === 'notificationsPerSec')!.exact).toBe(false);
    expect(rows.find((x) => x.figure === 'imPerSec')!.exact).toBe(true);
    expect(rows.some((x) => x.figure === 'pairs[alpha.example->beta.example].messages.message/s')).toBe(true);
    const im = rows.find((x) => x.figure === 'imPerSec')!;
    expect(Math.abs(im.relDiff)).toBeLessThan(0.15);
  });
});
