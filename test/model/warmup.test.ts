/**
 * Warm-up (scenario field `warmup`, CLI --warmup): the report covers (warmup, duration] only.
 * The run is the same run (the warm-up event draws nothing and keeps every other event's order),
 * so its figures must be exactly the full run's minus the run cut at the warm-up.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';

const MIN = 60_000;
const sc = () => loadScenario('federation', ['behaviour.presenceChangeRate=30/h', 'behaviour.imRate=20/h']);

describe('warm-up', () => {
  it('figures are the full run minus the run cut at the warm-up, for 1 and 2 workers', async () => {
    const full = await runScenario(sc(), { duration: 6 * MIN });
    const head = await runScenario(sc(), { duration: 2 * MIN });
    const warm1 = await runScenario({ ...sc(), warmup: 2 * MIN }, { duration: 6 * MIN });
    const warm2 = await runScenario({ ...sc(), warmup: 2 * MIN }, { duration: 6 * MIN, workers: 2 });
    const strip = (r: Report) => ({ ...r, engine: undefined });
    expect(strip(warm2)).toEqual(strip(warm1));

    const w = warm1;
    expect(w.parameters.warmup).toBe(2 * MIN);
    expect(w.parameters.duration).toBe(4 * MIN);
    const diff = (f: (r: Report) => number) => f(full) - f(head);
    expect(w.presence.publishes).toBe(diff((r) => r.presence.publishes));
    expect(w.presence.notifications.sent).toBe(diff((r) => r.presence.notifications.sent));
    expect(w.presence.subscriptions.created).toBe(diff((r) => r.presence.subscriptions.created));
    expect(w.im.sent).toBe(diff((r) => r.im.sent));
    expect(w.im.failed).toBe(diff((r) => r.im.failed));
    expect(w.latency.notification.count).toBe(diff((r) => r.latency.notification.count));
    expect(w.latency.im.count).toBe(diff((r) => r.latency.im.count));
    expect(w.federation.srvLookups).toBe(diff((r) => r.federation.srvLookups));
    for (let i = 0; i < w.pairs.length; i++) {
      expect(w.pairs[i].total).toBe(full.pairs[i].total - head.pairs[i].total);
      expect(w.pairs[i].bytes).toBe(full.pairs[i].bytes - head.pairs[i].bytes);
    }
    for (const [name, d] of Object.entries(w.domains)) {
      expect(d.operations.notify.count).toBe(full.domains[name].operations.notify.count - head.domains[name].operations.notify.count);
      expect(d.gateway.messages).toBe(full.domains[name].gateway.messages - head.domains[name].gateway.messages);
      // utilisation over the 4 measured minutes: busy(full) - busy(head), as fractions of their spans
      const busy = full.domains[name].utilisation * 6 - head.domains[name].utilisation * 2;
      expect(d.utilisation * 4).toBeCloseTo(busy, 3);
    }
    // the state at the start of the measured period carries over
    // (the warm-up census follows from the end census and the period's outcomes; that it equals the
    // census counted at the end of the run cut at the warm-up checks both)
    expect(w.im.inFlightAtStart).toBe(head.im.inFlight);
    expect(w.presence.subscriptions.activeAtStart).toBe(head.presence.subscriptions.activeAtEnd);
    expect(w.presence.subscriptions.activeAtEnd).toBe(full.presence.subscriptions.activeAtEnd);
    expect(w.im.inFlight).toBe(full.im.inFlight);
    // the conservation identities, over the measured period
    const s = w.presence.subscriptions;
    expect(s.created + s.activeAtStart).toBe(s.activeAtEnd + s.expired + s.terminated + s.lostInCrash);
    // the timeline still shows the whole run
    expect(w.timeline).toEqual(full.timeline);
  }, 60_000);

  it('the log-in burst is left out: a warm-up lowers the notification p99 of office', async () => {
    const office = loadScenario('office', ['domains[0].users=3000']);
    const cold = await runScenario(office, { duration: 20 * MIN });
    const warm = await runScenario({ ...office, warmup: 5 * MIN }, { duration: 20 * MIN });
    expect(warm.latency.notification.p99).toBeLessThan(cold.latency.notification.p99);
    expect(warm.latency.notification.count).toBeLessThan(cold.latency.notification.count);
  }, 60_000);

  it('refuses a warm-up that is not shorter than the run', async () => {
    expect(() => loadScenario('office', ['warmup=9h'])).toThrow(/warmup: must be less than duration \(8h\)/);
    await expect(runScenario({ ...loadScenario('office'), warmup: 10 * MIN }, { duration: 5 * MIN })).rejects.toThrow(/warm-up \(10min\) must be shorter than the duration \(5min\)/);
  });
});
