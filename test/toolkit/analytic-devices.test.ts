/**
 * The analytic cross-check with several devices per principal: each device publishes its tuples at
 * log-in and, unless it crashes, at log-out, so publishes = presentities x (online time x change
 * rate + devices x (log-ins + clean log-outs)).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { runSweep } from '../../sim/toolkit/sweep.js';
import { analyticModel, simulatedChecks } from '../../sim/toolkit/analytic.js';
import { runScenario } from '../../sim/run.js';

const FIXTURE = new URL('./fixtures/mm1.yaml', import.meta.url).pathname;

describe('analytic cross-check with devices', () => {
  it('publishes per second: the difference between 1 and 3 devices is the device term, within the replications\' 95% CI', async () => {
    const sc = loadScenario(FIXTURE, ['duration=30min', 'behaviour.sessionLength=4min', 'behaviour.offlineLength=4min', 'behaviour.crashFraction=0.3', 'behaviour.presenceChangeRate=60/h', 'population.tuples=3']);
    const r = await runSweep(sc, { params: [{ path: 'population.devices', values: [1, 3] }], replications: 6, parallel: 2, analytic: true });
    const rowOf = (i: number) => r.points[i].crossCheck!.find((x) => x.figure === 'publishesPerSec')!;
    expect(rowOf(0).exact && rowOf(1).exact).toBe(true);
    // the device term: two more devices, two more publishes per log-in and per clean log-out; the
    // simulated difference falls within the two replications' intervals of it
    const analytic = rowOf(1).analytic - rowOf(0).analytic;
    const simulated = rowOf(1).simulated - rowOf(0).simulated;
    const ci = Math.hypot(rowOf(0).ci95, rowOf(1).ci95);
    expect(Math.abs(simulated - analytic), `simulated ${simulated} ± ${ci}, analytic ${analytic}`).toBeLessThan(ci);
    const logins = r.points[0].crossCheck!.find((x) => x.figure === 'sessions.logins')!.analytic / (30 * 60);
    expect(analytic).toBeGreaterThan(2 * logins);
    expect(analytic).toBeLessThan(2 * 2 * logins);
  });

  it('notifications per second count the log-in burst at the start, once per device: office with 1 and 2 devices within 10 %', async () => {
    for (const devices of [1, 2]) {
      const sc = loadScenario('office', ['duration=10min', `population.devices=${devices}`]);
      const r = await runScenario(sc, { workers: 1 });
      const analytic = analyticModel(sc).rows.find((x) => x.figure === 'notificationsPerSec')!.analytic;
      const simulated = simulatedChecks(r).notificationsPerSec;
      expect(Math.abs(simulated / analytic - 1), `devices ${devices}: simulated ${simulated}, analytic ${analytic}`).toBeLessThan(0.1);
    }
  });
});

