/**
 * The calibration without a server: the least-squares fit recovers known costs, a term no step
 * exercises is left out, the overrides load into a scenario, and a scenario's `calibration:`
 * field applies them (before --set) and names the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrationOverrides, fitSteps, leastSquares, type StepFigures } from '../../sim/live/calibration-fit.js';
import { saturated } from '../../sim/live/calibrate-command.js';
import { expandOverrides } from '../../sim/scenario/calibration.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';
import { runScenario } from '../../sim/run.js';
import { holdLiveServerLock } from './server-lock.js';

const step = (mix: 'presence' | 'im', fanout: number, changes: number, ims: number, seconds = 5): StepFigures => {
  const deliveries = changes * fanout;
  // the "server": 2 ms idle per second, 150 us per change, 60 us per delivery, 400 us per IM
  const cpuSeconds = seconds * 0.002 + changes * 150e-6 + deliveries * 60e-6 + ims * 400e-6;
  return { mix, fanout, rate: (changes + ims) / seconds, seconds, changes, deliveries, ims, cpuSeconds, p50: 1, p99: 2, utilisation: cpuSeconds / seconds, achieved: (changes + ims) / seconds, lost: 0, driverShare: 0.1 };
};

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();

describe('calibration fit', () => {
  it('recovers the per-change, per-delivery and per-IM costs of the steps', () => {
    const fit = fitSteps([step('presence', 2, 100, 0), step('presence', 8, 200, 0), step('presence', 24, 150, 0, 4), step('im', 8, 0, 300), step('im', 8, 0, 100, 3)]);
    expect(fit.publishUs).toBeCloseTo(150, 3);
    expect(fit.notifyUs).toBeCloseTo(60, 3);
    expect(fit.imUs).toBeCloseTo(400, 3);
    expect(fit.idleUsPerSecond).toBeCloseTo(2000, 2);
    expect(fit.rmsResidualMs).toBeCloseTo(0, 6);
  });

  it('leaves out a term no step exercises, and refuses steps that cannot separate the presence terms', () => {
    const fit = fitSteps([step('presence', 2, 100, 0), step('presence', 8, 200, 0), step('presence', 24, 150, 0, 4)]);
    expect(fit.imUs).toBe(0);
    expect(fit.notifyUs).toBeCloseTo(60, 3);
    // one fan-out only: changes and deliveries are proportional, so a and b are not determined
    expect(() => leastSquares([[1, 10, 20], [2, 20, 40], [3, 5, 10]], [1, 2, 3])).toThrow(/do not determine term 2/);
  });

  it('a step past saturation: busy server, load not carried, or losses', () => {
    const ok = step('presence', 8, 100, 0);
    expect(saturated([ok])).toBe(false);
    expect(saturated([{ ...ok, utilisation: 0.95 }])).toBe(true);
    expect(saturated([{ ...ok, achieved: ok.rate * 0.7 }])).toBe(true);
    expect(saturated([{ ...ok, lost: 3 }])).toBe(true);
    expect(saturated([{ ...ok, p50: 80 }])).toBe(true);
  });
});

describe('the calibration: field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'impp-cal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const overrides = calibrationOverrides({ idleUsPerSecond: 0, publishUs: 150, notifyUs: 60, imUs: 480, rmsResidualMs: 0, steps: 5 }, 0.3);
  writeFileSync(join(dir, 'cal.json'), JSON.stringify({ kind: 'impp-sim-calibration', version: 1, overrides }));
  writeFileSync(join(dir, 'not-cal.json'), JSON.stringify({ hello: 1 }));

  it('the overrides put the fit into every domain of a scenario', () => {
    const sc = loadScenario('federation', expandOverrides(overrides, 4));
    for (const d of sc.domains) {
      expect(d.servers).toEqual({ count: 1, cores: 1, queueLimit: 0, clusterLatency: 0.5 });
      expect(d.serviceTimes.publish).toEqual({ dist: 'fixed', value: 0.15 });
      expect(d.serviceTimes.notify).toEqual({ dist: 'fixed', value: 0.06 });
      expect(d.serviceTimes.imSend).toEqual({ dist: 'fixed', value: 0.2 });
      // the XMPP binding's kinds: a per stanza in, b per stanza out, 0 where an operation carries it
      const kind = (k: string) => d.serviceTimes.wire.kinds.find((x) => x.kind === k);
      expect(kind('presence.probe')).toEqual({ kind: 'presence.probe', inbound: { dist: 'fixed', value: 0.15 }, outbound: { dist: 'fixed', value: 0.06 } });
      expect(kind('presence.broadcast')).toEqual({ kind: 'presence.broadcast', inbound: { dist: 'fixed', value: 0.15 }, outbound: { dist: 'fixed', value: 0 } });
      expect(kind('presence.client')!.inbound).toEqual({ dist: 'fixed', value: 0 });
      expect(kind('PUBLISH')).toBeUndefined();
    }
    expect(sc.access.lan.latency).toEqual({ dist: 'fixed', value: 0.3 });
  });

  it('a scenario file naming a calibration uses it, says so, and --set still wins', () => {
    const file = join(dir, 'calibrated.yaml');
    writeFileSync(file, 'name: calibrated\nduration: 1min\ncalibration: cal.json\ndomains:\n  - name: a.example\n    users: 10\n');
    const sc = loadScenario(file, []);
    expect(sc.calibration).toBe(join(dir, 'cal.json'));
    expect(sc.domains[0].serviceTimes.notify).toEqual({ dist: 'fixed', value: 0.06 });
    const over = loadScenario(file, ['domains[0].serviceTimes.notify={dist: fixed, value: 1ms}']);
    expect(over.domains[0].serviceTimes.notify).toEqual({ dist: 'fixed', value: 1 });
    expect(loadScenario('office', []).calibration).toBeUndefined();
  });

  it('refuses a file that is no calibration, a missing one, and a calibration named by text without a file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ncalibration: not-cal.json\n');
    expect(() => loadScenario(bad, [])).toThrow(/SIM_ERR_SCENARIO_INVALID: .*bad.yaml: calibration: .*not-cal.json is not a calibration written by impp-sim calibrate/);
    writeFileSync(bad, 'name: bad\ncalibration: missing.json\n');
    expect(() => loadScenario(bad, [])).toThrow(/calibration: cannot read .*missing.json as JSON \(ENOENT\)/);
    expect(() => parseScenario(`name: web\ncalibration: ${join(dir, 'cal.json')}\n`)).toThrow(/only a scenario file may name a calibration file/);
  });
});

describe('the calibration in the model: one change to F contacts costs a + b x F', () => {
  // a = 150 us per change (inbound stanza), b = 60 us per delivered stanza, 480 us per IM
  const fit = { idleUsPerSecond: 0, publishUs: 150, notifyUs: 60, imUs: 480, rmsResidualMs: 0, steps: 5 };
  const scenario = (protocol: string, users: number) => `
name: calibrated-${protocol}
seed: 3
duration: 6min
warmup: 1min
domains:
  - { name: a.example, users: ${users}, protocol: ${protocol} }
access: { lan: { latency: { dist: fixed, value: 0ms }, bandwidthMbps: 0 } }
population: { buddies: ${users - 1}, online: 1, principals: { both: 1 }, watchers: { subscriber: 1 }, access: { allow: 1 }, visibility: { full: 1 }, tuples: 1 }
behaviour: { presenceChangeRate: 3600/h, imRate: 0, sessionLength: 366d, offlineLength: 366d, crashFraction: 0, publicationLease: 0, subscriptionDuration: 1h, maxSubscriptionDuration: 1h }
`;
  for (const protocol of ['xmpp', 'cpim']) {
    it(`${protocol}: the servers' busy time per change in the measured window is a + b x F`, async () => {
      const sc = parseScenario(scenario(protocol, 10), `cal-${protocol}.yaml`, expandOverrides(calibrationOverrides(fit, 0), 1));
      const r = await runScenario(sc, { workers: 1 });
      const dom = r.domains['a.example'];
      const busyMs = dom.utilisation * dom.servers * dom.cores * r.parameters.duration;
      const changes = r.presence.publishes;
      const F = r.presence.notifications.delivered / changes;
      expect(changes).toBeGreaterThan(2000);
      expect(F).toBeGreaterThan(8.5);
      // every watcher is online and allowed: each change reaches all of them
      expect(busyMs / changes).toBeCloseTo(0.15 + 0.06 * F, 3);
    });
  }
});
