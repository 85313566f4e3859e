/**
 * The analytic cross-check with several devices per principal. Each device is an on/off chain of
 * its own (Exp(sessionLength) online, Exp(offlineLength) offline) and publishes its tuples at its
 * log-in and, unless it crashes, at its log-out; the principal is online while any device is
 * (probability 1 - (1 - p)^devices), and its changes come at presenceChangeRate while it is
 * online. So publishes = presentities x (the principal's online time x change rate + devices x
 * (device log-ins + clean device log-outs)), and the principal's log-ins are its own sessions.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { runSweep } from '../../sim/toolkit/sweep.js';
import { analyticModel, principalExpectations, sessionExpectations, simulatedChecks } from '../../sim/toolkit/analytic.js';
import { runScenario } from '../../sim/run.js';

const FIXTURE = new URL('./fixtures/mm1.yaml', import.meta.url).pathname;

describe('analytic cross-check with devices', () => {
  it('the principal\'s sessions of one device are the device\'s (the numeric integral against the closed form), for a start online, offline or in a log-in window', () => {
    for (const extra of [[], ['population.online=0.3'], ['population.online=0', 'behaviour.loginStart=2min', 'behaviour.loginWindow=5min']]) {
      const sc = loadScenario(FIXTURE, ['population.devices=1', 'behaviour.sessionLength=4min', 'behaviour.offlineLength=6min', ...extra]);
      const T = 30 * 60_000;
      const a = sessionExpectations(sc, T);
      const b = principalExpectations(sc, 0, T);
      expect(b.on / a.on, `${extra} online time`).toBeCloseTo(1, 3);
      expect(b.li / a.li, `${extra} log-ins`).toBeCloseTo(1, 3);
      expect(b.lo / a.lo, `${extra} log-outs`).toBeCloseTo(1, 3);
    }
  });

  it('device log-ins, principal log-ins and publishes per second within the replications\' 95% CI, for 1 and 3 devices with sessions of their own', async () => {
    const sc = loadScenario(FIXTURE, ['duration=30min', 'behaviour.sessionLength=4min', 'behaviour.offlineLength=4min', 'behaviour.crashFraction=0.3', 'behaviour.presenceChangeRate=60/h', 'population.tuples=3']);
    // (six replications put the one-device publishes 2.2 CI off; twenty narrow the interval)
    const r = await runSweep(sc, { params: [{ path: 'population.devices', values: [1, 3] }], replications: 20, parallel: 2, analytic: true });
    const rowOf = (i: number, f: string) => r.points[i].crossCheck!.find((x) => x.figure === f)!;
    for (const [i, figures] of [[0, ['publishesPerSec', 'sessions.logins']], [1, ['publishesPerSec', 'sessions.logins', 'sessions.deviceLogins']]] as const) {
      for (const f of figures) {
        const row = rowOf(i, f);
        expect(row.exact, f).toBe(true);
        expect(row.withinCi, `${i === 0 ? 1 : 3} devices, ${f}: simulated ${row.simulated} ± ${row.ci95}, analytic ${row.analytic}`).toBe(true);
      }
    }
    expect(r.points[0].crossCheck!.some((x) => x.figure === 'sessions.deviceLogins')).toBe(false);
    // three devices: each logs in as often as the one device does; the principal, online while any
    // is, comes online less often than its devices together do
    expect(rowOf(1, 'sessions.deviceLogins').analytic / rowOf(0, 'sessions.logins').analytic).toBeCloseTo(3, 6);
    expect(rowOf(1, 'sessions.logins').analytic).toBeLessThan(rowOf(1, 'sessions.deviceLogins').analytic);
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
