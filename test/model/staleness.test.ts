/**
 * Staleness (staleness.ts): for each allowed change and each watcher subscribed to it, the time
 * until the watcher holds that version or a newer one; changes it never held as themselves are
 * counted apart (ended, missed).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';

const two = (federation: string, behaviour: string) =>
  parseScenario(
    `name: staleness
seed: 9
duration: 15min
domains:
  - { name: a.example, users: 30, servers: { count: 1, cores: 1 }, serviceTimes: { notify: { dist: fixed, value: 1ms } } }
  - { name: b.example, users: 30, servers: { count: 1, cores: 1 }, serviceTimes: { notify: { dist: fixed, value: 1ms } } }
links: { default: { dist: fixed, value: 10ms } }
federation: ${federation}
access: { lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 } }
population: { buddies: 3, federatedFraction: 1, online: 1, access: { allow: 1 } }
behaviour: { presenceChangeRate: 60/h, subscriptionDuration: 1h, maxSubscriptionDuration: 1h${behaviour || ', sessionLength: 366d'} }
`,
    'staleness.yaml',
  );

describe('staleness', () => {
  it('on a quiet federated system each change is held by every subscribed watcher when its own notification arrives (staleness = notification latency), and every change is accounted for', async () => {
    const r = await runScenario(two('{}', ''), { workers: 1 });
    const st = r.staleness;
    expect(st.changes).toBeGreaterThan(500);
    expect(st.held + st.ended + st.missed).toBeLessThanOrEqual(st.changes);
    expect(st.changes - st.held - st.ended - st.missed).toBeLessThan(10); // on their way at the end
    expect(st.time.count).toBe(st.held);
    // each notification brings exactly its change: staleness is the notification latency, from
    // the publish to the watcher (at least: notify job 1 ms + link 10 ms + access link down 1 ms)
    expect(st.time).toEqual(r.latency.notification);
    expect(st.time.p50).toBeGreaterThan(12);
  });

  it('under queueing a notification computed after later changes carries them first: those changes are held when it arrives, earlier than their own notification (staleness below notification latency)', async () => {
    const base = loadScenario('celebrity');
    const r = await runScenario({ ...base, duration: 300_000, warmup: 0 }, { workers: 1 });
    const st = r.staleness;
    expect(st.changes).toBeGreaterThan(10_000);
    expect(st.changes - st.held - st.ended - st.missed).toBeLessThan(0.02 * st.changes);
    expect(st.ended).toBeGreaterThan(0); // watchers left while their notifications were queued
    expect(st.time.mean).toBeLessThan(0.95 * r.latency.notification.mean);
    expect(st.time.max).toBeLessThanOrEqual(r.latency.notification.max);
  });

  it('rate control folds changes into the next notification: those are counted missed, and the watcher still holds each version the flush carries', async () => {
    const r = await runScenario(two('{ notifyMinInterval: 2min }', ', sessionLength: 366d'), { workers: 1 });
    const st = r.staleness;
    expect(r.federation.notificationsSuppressed).toBeGreaterThan(0);
    expect(st.missed).toBeGreaterThan(0);
    expect(st.held).toBeGreaterThan(0);
    expect(st.changes - st.held - st.ended - st.missed).toBeLessThan(0.05 * st.changes);
    // a flushed notification carries the change that opened its interval: it waited up to the interval
    expect(st.time.max).toBeGreaterThan(10_000);
    expect(st.time.max).toBeLessThanOrEqual(120_000 + 100);
  });

  it('staleness is identical for 1 and 2 workers', async () => {
    const sc = two('{}', ', sessionLength: 5min, offlineLength: 2min');
    const [a, b] = await Promise.all([runScenario(sc, { workers: 1 }), runScenario(sc, { workers: 2 })]);
    expect(b.staleness).toEqual(a.staleness);
    expect(a.staleness.ended).toBeGreaterThan(0);
  });
});
