/** Figures from the simulated-time series (web/public/js/series.js), tested without a browser. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { burstDominatesP99, peakBucket, percentilesOverTime, windowPercentiles } from '../../../web/public/js/series.js';

const EDGES = [10, 100, 1000];
/** 20 buckets of 1 s; latencies: `early` slow ones in the first bucket, 100 fast ones in every bucket. */
function series(early: number) {
  const points = Array.from({ length: 20 }, (_, k) => ({
    t: (k + 1) * 1000,
    utilisation: [0.1 + (k === 7 ? 0.5 : 0), 0.2],
    queue: [0, 0],
    latency: k === 0 ? [100, 0, 0, early] : [100, 0, 0, 0],
  }));
  return { bucketMs: 1000, domains: ['a', 'b'], points };
}

describe('series figures', () => {
  it('percentilesOverTime(series, edges) gives p50 / p95 / p99 per bucket with latencies', () => {
    const q = percentilesOverTime(series(50), EDGES);
    expect(q.length).toBe(20);
    expect(q[0].count).toBe(150);
    expect(q[0].p99).toBe(1000);
    expect(q[1].p99).toBeLessThan(10);
  });

  it('windowPercentiles(series, edges, from, to) sums the buckets ending in (from, to]', () => {
    expect(windowPercentiles(series(50), EDGES, 1000, 20_000).count).toBe(1900);
    expect(windowPercentiles(series(50), EDGES, 0, 1000).count).toBe(150);
  });

  it('peakBucket(series) finds the busiest domain-bucket and its window', () => {
    expect(peakBucket(series(0))).toEqual({ domain: 'a', utilisation: 0.6, from: 7000, to: 8000 });
    expect(peakBucket({ domains: [], points: [] })).toBeNull();
  });

  it('burstDominatesP99(series, edges) flags a slow start that sets the p99, and not a steady run', () => {
    const b = burstDominatesP99(series(50), EDGES);
    expect(b.dominated).toBe(true);
    expect(b.skipMs).toBe(2000);
    expect(b.p99After).toBeLessThan(10);
    expect(burstDominatesP99(series(0), EDGES).dominated).toBe(false);
    // a few slow ones (under 1 % of the latencies) do not count as a burst
    expect(burstDominatesP99(series(5), EDGES).dominated).toBe(false);
  });
});
