import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario, type LiveSnapshot, type ScenarioRunHandle } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { probeThresholdPaths } from '../../sim/toolkit/probe.js';
import { runSweep } from '../../sim/toolkit/sweep.js';
import { parseThreshold } from '../../sim/toolkit/thresholds.js';
import { bucketQuantile, ThresholdWatch, windowView, type AbortDecision } from '../../sim/toolkit/watch.js';

const EDGES = [1, 10, 100, 1000];

function snap(clock: number, o: { notif?: number[]; sent?: number; busy?: number; imSent?: number; imFailed?: number } = {}): LiveSnapshot {
  return {
    clock,
    until: 1e9,
    events: clock,
    wallMs: 0,
    counters: { notifySent: o.sent ?? 0, imSent: o.imSent ?? 0, imFailed: o.imFailed ?? 0 },
    latency: { edgesMs: EDGES, notification: o.notif ?? [0, 0, 0, 0, 0], im: [0, 0, 0, 0, 0] },
    domains: [{ name: 'a.example', busyMs: o.busy ?? 0, cores: 2, queue: 0, utilisation: 0 }],
    pairs: [],
  };
}

describe('live window figures', () => {
  it('interpolates quantiles inside 1-2-5 buckets', () => {
    // 100 values: 50 in [0,1), 40 in [1,10), 10 in [10,100)
    const counts = [50, 40, 10, 0, 0];
    expect(bucketQuantile(EDGES, counts, 0.5)).toBe(1);
    expect(bucketQuantile(EDGES, counts, 0.7)).toBeCloseTo(1 + (9 * 20) / 40, 10);
    expect(bucketQuantile(EDGES, counts, 0.99)).toBeCloseTo(10 + (90 * 9) / 10, 10);
    expect(bucketQuantile(EDGES, [0, 0, 0, 0, 0], 0.99)).toBe(0);
    // the open last bucket is taken as [last edge, 2 x last edge)
    expect(bucketQuantile(EDGES, [0, 0, 0, 0, 4], 0.5)).toBe(1500);
  });

  it('takes counts, rates and utilisation over the interval between two snapshots only', () => {
    const a = snap(10_000, { notif: [5, 0, 0, 0, 0], sent: 100, busy: 4_000, imSent: 10, imFailed: 1 });
    const b = snap(20_000, { notif: [5, 0, 10, 0, 0], sent: 300, busy: 14_000, imSent: 30, imFailed: 1 });
    const v = windowView(a, b) as any;
    expect(v.presence.notifications.sent).toBe(200);
    expect(v.notificationsPerSec).toBe(20);
    expect(v.domains['a.example'].utilisation).toBe(0.5);
    expect(v.maxUtilisation).toBe(0.5);
    expect(v.latency.notification.count).toBe(10);
    expect(v.latency.notification.p50).toBeGreaterThanOrEqual(10);
    expect(v.im.failed).toBe(0);
    expect(v.imFailedFraction).toBe(0);
  });
});

describe('ThresholdWatch', () => {
  const t = [parseThreshold('domains.*.utilisation < 0.7'), parseThreshold('links.*.utilisation < 0.5')];

  it('decides only over a whole window, names the threshold, and leaves what it cannot see to the end', () => {
    const w = new ThresholdWatch(t, 60_000);
    // busy at 90% of 2 cores from the start
    expect(w.observe(snap(30_000, { busy: 54_000 }))).toBeNull(); // half a window: not yet
    expect(w.unwatched.map((x) => x.text)).toEqual(['links.*.utilisation < 0.5']);
    const d = w.observe(snap(61_000, { busy: 109_800 }));
    expect(d).not.toBeNull();
    expect(d!.outcome.threshold).toBe('domains.*.utilisation < 0.7');
    expect(d!.window).toBeGreaterThanOrEqual(60_000);
    expect(d!.reason).toMatch(/a\.example: 0\.9/);
  });

  it('lets a run through whose recent windows pass, even after a bad start', () => {
    const w = new ThresholdWatch(t, 60_000);
    // a burst at 100% for 10 s, then 20%
    expect(w.observe(snap(10_000, { busy: 20_000 }))).toBeNull();
    expect(w.observe(snap(70_000, { busy: 20_000 + 24_000 }))).toBeNull();
    expect(w.observe(snap(140_000, { busy: 44_000 + 28_000 }))).toBeNull();
  });

  it('with a warm-up, judges only windows that start after it', () => {
    const w = new ThresholdWatch(t, 60_000, 120_000);
    // 100% busy during the warm-up, then 20%
    expect(w.observe(snap(60_000, { busy: 120_000 }))).toBeNull();
    expect(w.observe(snap(119_000, { busy: 238_000 }))).toBeNull();
    expect(w.observe(snap(121_000, { busy: 240_000 }))).toBeNull(); // anchors the first window
    expect(w.observe(snap(190_000, { busy: 240_000 + 27_600 }))).toBeNull();
    // without the warm-up the same snapshots fail at once
    const cold = new ThresholdWatch(t, 60_000);
    cold.observe(snap(60_000, { busy: 120_000 }));
    expect(cold.observe(snap(121_000, { busy: 240_000 }))).not.toBeNull();
  });

  it('refuses a window that is not positive', () => {
    expect(() => new ThresholdWatch(t, 0)).toThrow(/window/);
  });
});

// one server of one core cannot keep up with 5,000 users changing presence 20 times an hour
const overloaded = () => loadScenario('office', ['domains[0].servers={count: 1, cores: 1}', 'behaviour.presenceChangeRate=1200/h', 'duration=2h']);

describe('early abort of an overloaded run', () => {
  it('stops the run, and the report covers the time run and says why', async () => {
    const sc = overloaded();
    const w = new ThresholdWatch([parseThreshold('domains.*.utilisation < 0.7')], 5 * 60_000);
    let h: ScenarioRunHandle | null = null;
    let decision = null as AbortDecision | null;
    const report = await runScenario(sc, {
      onStart: (x) => (h = x),
      onProgress: () => {
        if (h && !decision) {
          decision = w.observe(h.snapshot());
          if (decision) h.stop();
        }
      },
      stopReason: () => (decision ? `aborted: ${decision.reason}` : null),
    });
    expect(decision).not.toBeNull();
    expect(report.stopped).toBeDefined();
    expect(report.stopped!.planned).toBe(2 * 3600_000);
    expect(report.stopped!.at).toBeLessThan(report.stopped!.planned);
    expect(report.stopped!.reason).toMatch(/^aborted: threshold 'domains\.\*\.utilisation < 0\.7'/);
    expect(report.parameters.duration).toBe(report.stopped!.at);
    // utilisation is over the time run, so an overloaded server shows near 1, not a diluted share
    expect(report.domains['office.example'].utilisation).toBeGreaterThan(0.7);
    expect(report.domains['office.example'].utilisation).toBeLessThanOrEqual(1);
  }, 60_000);

  it('a sweep point whose replication was stopped fails, naming the seed', async () => {
    const sc = overloaded();
    const r = await runSweep(sc, { params: [{ path: 'servers.cores', values: [1] }], replications: 1, parallel: 1, thresholds: ['domains.*.utilisation < 0.7'], abortAfter: 5 * 60_000 });
    expect(r.passed).toBe(false);
    expect(r.points[0].aborted).toEqual([{ seed: 1, reason: expect.stringMatching(/domains\.\*\.utilisation/) }]);
    expect(r.points[0].thresholds[0].passed).toBe(false);
  }, 60_000);
});

describe('threshold paths are checked before a run', () => {
  it('names a mistyped path with the valid fields, from a tiny run of the same scenario', async () => {
    const sc = loadScenario('federation');
    await expect(probeThresholdPaths(sc, [parseThreshold('latency.notifcation.p99 < 500ms')])).rejects.toThrow(/no field 'notifcation' \(fields: notification, im\)/);
    await expect(probeThresholdPaths(sc, [parseThreshold("domains['nowhere.example'].utilisation < 0.7")])).rejects.toThrow(/nowhere\.example/);
    await expect(probeThresholdPaths(sc, ['latency.notification.p99 < 500ms', 'domains.*.gateway.utilisation < 0.7', 'im.failed / im.sent < 0.01', 'links.*.utilisation < 0.5'].map(parseThreshold))).resolves.toBeUndefined();
    // a scenario with a warm-up probes too (the tiny run has none)
    await expect(probeThresholdPaths({ ...sc, warmup: 10 * 60_000 }, [parseThreshold('latency.notification.p99 < 500ms')])).resolves.toBeUndefined();
  });

  const cli = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));
  it('the CLI exits 2 on a typo before the run, and refuses --abort-after without a threshold', () => {
    // the report file is written right after the run: its absence shows the run never happened
    const json = join(mkdtempSync(join(tmpdir(), 'impp-probe-')), 'report.json');
    const a = spawnSync(process.execPath, [cli, 'run', 'office', '--duration', '8h', '--quiet', '--json', json, '--threshold', 'latency.notifcation.p99 < 500ms'], { encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/notifcation/);
    expect(existsSync(json)).toBe(false);
    const b = spawnSync(process.execPath, [cli, 'run', 'office', '--quiet', '--abort-after', '5min'], { encoding: 'utf8' });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--abort-after needs at least one --threshold/);
    const c = spawnSync(process.execPath, [cli, 'sweep', 'office', '--quiet', '--param', 'users=10,20', '--threshold', 'domains.*.utilistion < 0.7'], { encoding: 'utf8' });
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/utilistion/);
  });
});
