import { describe, expect, it } from 'vitest';
import { runScenario, type LiveSnapshot, type ScenarioRunHandle } from '../../sim/run.js';
import { smallScenario } from './fixtures.js';

/** Runs with a handle and returns the report and the snapshot taken after the end. */
async function runWithSnapshots(workers: number, inProcess?: boolean) {
  let handle: ScenarioRunHandle | undefined;
  const seen: LiveSnapshot[] = [];
  const report = await runScenario(smallScenario(), {
    workers,
    inProcess,
    onStart: (h) => (handle = h),
    onProgress: () => seen.push(handle!.snapshot()),
  });
  return { report, last: handle!.snapshot(), seen };
}

describe('live snapshots of a running scenario', () => {
  it.each([
    [1, true],
    [1, false],
    [2, false],
  ] as const)('the final snapshot agrees with the report (%i worker(s), in process: %s)', async (workers, inProcess) => {
    const { report, last } = await runWithSnapshots(workers, inProcess);
    expect(last.clock).toBe(report.parameters.duration);
    expect(last.events).toBe(report.engine.events);
    expect(last.counters.notifyDelivered).toBe(report.presence.notifications.delivered);
    expect(last.counters.imSent).toBe(report.im.sent);
    expect(last.counters.publishes).toBe(report.presence.publishes);
    // the coarse latency buckets count every recorded latency
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(last.latency.notification)).toBe(report.latency.notification.count);
    expect(sum(last.latency.im)).toBe(report.latency.im.count);
    expect(last.latency.notification.length).toBe(last.latency.edgesMs.length + 1);
    for (const p of report.pairs) {
      const q = last.pairs.find((x) => x.from === p.from && x.to === p.to)!;
      expect(q.messages).toBe(p.total);
      expect(q.bytes).toBe(p.bytes);
      expect(q.notify).toBe((p.messages.notify ?? 0) + (p.messages.listNotify ?? 0));
      expect(q.message).toBe(p.messages.message ?? 0);
    }
    expect(last.pairs.some((q) => q.notify > 0 && q.message > 0)).toBe(true);
    for (const d of last.domains) expect(d.utilisation).toBeCloseTo(report.domains[d.name].utilisation, 4);
  });

  it('snapshots taken during a run are cumulative (never decrease)', async () => {
    const { seen, last } = await runWithSnapshots(2, false);
    const all = [...seen, last];
    for (let i = 1; i < all.length; i++) {
      expect(all[i].events).toBeGreaterThanOrEqual(all[i - 1].events);
      expect(all[i].counters.notifySent).toBeGreaterThanOrEqual(all[i - 1].counters.notifySent);
    }
  });
});
