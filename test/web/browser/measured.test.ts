/** Measured (live) runs on the page (web/public/js/measured.js), tested without a browser. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { binsFromCdf, measuredCounters, runKind, timelineRates } from '../../../web/public/js/measured.js';

describe('runKind', () => {
  it("says measured for a live run and simulated for a batch or interactive one, from the summary's mode only", () => {
    expect(runKind({ mode: 'live', measured: true })).toBe('measured');
    expect(runKind({ mode: 'live' })).toBe('measured');
    expect(runKind({ mode: 'batch' })).toBe('simulated');
    expect(runKind({ mode: 'interactive' })).toBe('simulated');
    // nothing is guessed from a summary that says neither
    expect(runKind({ mode: 'other' })).toBeNull();
    expect(runKind({})).toBeNull();
    expect(runKind(null)).toBeNull();
  });
});

describe('binsFromCdf', () => {
  const sum = (bins: { count: number }[]) => bins.reduce((a, b) => a + b.count, 0);

  it("puts the samples between two of the report's percentiles in one bin, and the bins add up to the count", () => {
    const cdf = [
      [1, 0],
      [1, 0.1],
      [2, 0.5],
      [2, 0.6],
      [4, 0.9],
      [8, 1],
    ];
    const bins = binsFromCdf(cdf, 10);
    // equal values collapse to the highest fraction at them: 6 samples at or below 2 ms
    expect(bins).toEqual([
      { x0: 1, x1: 2, count: 6 },
      { x0: 2, x1: 4, count: 3 },
      { x0: 4, x1: 8, count: 1 },
    ]);
    expect(sum(binsFromCdf(cdf, 37))).toBe(37);
  });

  it('gives one bin of zero width when every sample has the same value, and none without samples', () => {
    expect(binsFromCdf([[1.5, 0], [1.5, 0.5], [1.5, 1]], 1)).toEqual([{ x0: 1.5, x1: 1.5, count: 1 }]);
    expect(binsFromCdf([], 0)).toEqual([]);
    expect(binsFromCdf([[1, 0], [2, 1]], 0)).toEqual([]);
  });
});

describe('measuredCounters', () => {
  it("reads the driver's progress while the run goes on and the report after, leaving unknown figures out", () => {
    const progress = { elapsedMs: 2000, logins: 3, publishes: 5, notificationsExpected: 10, notificationsDelivered: 9, imSent: 4, imDelivered: 4, imReports: 3 };
    const live = measuredCounters(null, progress);
    expect(live).toMatchObject({ elapsed: 2000, logins: 3, notifyExpected: 10, notifyDelivered: 9, imReports: 3 });
    expect(live.cpuPerStanza).toBeUndefined();
    expect(live.p99).toBeNaN();
    const report = {
      parameters: { duration: 4000 },
      setup: { logins: 3 },
      sessions: { logins: 0 },
      presence: { publishes: 6, notifications: { sent: 12, delivered: 12 } },
      latency: { notification: { count: 12, p99: 1.5 } },
      im: { sent: 5, delivered: 5, reports: 5 },
      server: { cpuPerStanzaUs: null, rssBytes: 30e6 },
      driver: { cpuShare: 0.01 },
    };
    expect(measuredCounters(report, progress)).toMatchObject({ elapsed: 4000, loggedIn: 3, logins: 0, publishes: 6, notifyDelivered: 12, p99: 1.5, cpuPerStanza: null, rss: 30e6, driverShare: 0.01 });
  });
});

describe('timelineRates', () => {
  it('turns counts per wall-clock bucket into rates per second at the end of each bucket', () => {
    expect(timelineRates({ bucketMs: 500, series: { publishes: [1, 0, 3] } })).toEqual({ publishes: [[0.5, 2], [1, 0], [1.5, 6]] });
    expect(timelineRates(undefined)).toEqual({});
  });
});
