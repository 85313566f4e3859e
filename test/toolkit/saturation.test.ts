/** The shared saturation rule (sim/toolkit/saturation.ts, web/server/saturation.ts). */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { saturation, SATURATION_TARGETS } from '../../sim/toolkit/saturation.js';
import { growingQueues, saturationReasons } from '../../web/server/saturation.js';

/** The parts of a report the rule reads. */
function report(util: number, p99: number): Report {
  return {
    parameters: { duration: 60_000, warmup: 0, domains: 1, users: 10, subscriptionEdges: 0, tuples: 1 },
    latency: { notification: { p99, count: 1 }, im: { p99: 0, count: 0 } },
    domains: { 'a.example': { utilisation: util, servers: 1, cores: 4, maxQueue: 0 } },
    presence: { publishes: 0, notifications: { sent: 0, delivered: 0, dropped: 0 } },
    im: { sent: 0, delivered: 0, failed: 0 },
    security: { leaks: 0 },
    engine: { eventsPerSec: 0 },
    pairs: [],
    links: [],
  } as unknown as Report;
}

describe('saturation rule', () => {
  it('saturation(report) fails on utilisation or on p99, each with its deciding value in units', () => {
    expect(SATURATION_TARGETS).toContain('latency.notification.p99 < 5s');
    expect(saturation(report(0.2, 40)).saturated).toBe(false);
    // a low average with a p99 of two minutes is saturated (the 100k-user sweep point)
    const slow = saturation(report(0.3, 126_000));
    expect(slow.saturated).toBe(true);
    expect(slow.reasons).toEqual(['latency.notification.p99 < 5s failed (126 s vs 5 s)']);
    expect(saturation(report(0.83, 40)).reasons[0]).toMatch(/^maxUtilisation < 0.7 failed \(0.83 vs 0.7\)$/);
  });

  it('growingQueues(series) names a domain whose queue rises over the last buckets to 10 jobs per core', () => {
    const pts = (qs: number[]) => ({ domains: ['a.example'], points: qs.map((q, i) => ({ t: (i + 1) * 1000, notificationsPerSec: 0, imsPerSec: 0, messagesPerSec: 0, utilisation: [0.1], queue: [q] })) });
    expect(growingQueues(pts([0, 5, 10, 20, 40, 80]), () => 4)).toEqual(['the queue of a.example grew over the last 4 buckets to 80 jobs (4 cores)']);
    // a burst that drains is not saturation; nor a short rise
    expect(growingQueues(pts([0, 500, 300, 100, 20, 0]), () => 4)).toEqual([]);
    expect(growingQueues(pts([0, 1, 2, 3, 4, 5]), () => 4)).toEqual([]);
    expect(saturationReasons(report(0.1, 10), pts([0, 5, 10, 20, 40, 80]))).toHaveLength(1);
  });
});
