/**
 * Figures drawn from a run's simulated-time series (pure, tested without a browser): latency
 * percentiles per bucket, percentiles over a window, the peak utilisation bucket, and whether the
 * log-in burst at the start dominates the run's p99.
 *
 * A series is `{ bucketMs, domains, points: [{ t, utilisation[], queue[], latency?[] }] }` with
 * `t` the end of the bucket (simulated ms) and `latency` the notification latencies that ended in
 * it, per live latency bucket (edges `edgesMs`: below each edge, then the rest).
 */
import { binsFromBuckets, percentiles } from './shape.js';

/** p50 / p95 / p99 of each bucket that has latencies: [{ t, count, p50, p95, p99 }]. */
export function percentilesOverTime(series, edgesMs) {
  const out = [];
  for (const p of series?.points ?? []) {
    if (!p.latency) continue;
    const q = percentiles(binsFromBuckets(edgesMs, p.latency));
    if (q.count > 0) out.push({ t: p.t, ...q });
  }
  return out;
}

/** Percentiles of the latencies of the buckets ending in (fromMs, toMs]. */
export function windowPercentiles(series, edgesMs, fromMs, toMs) {
  const sum = new Array(edgesMs.length + 1).fill(0);
  for (const p of series?.points ?? []) {
    if (!p.latency || p.t <= fromMs || p.t > toMs) continue;
    for (let i = 0; i < sum.length; i++) sum[i] += p.latency[i] ?? 0;
  }
  return percentiles(binsFromBuckets(edgesMs, sum));
}

/**
 * The bucket with the highest utilisation of any domain: { domain, utilisation, from, to }, or
 * null when the series is empty.
 */
export function peakBucket(series) {
  let best = null;
  const pts = series?.points ?? [];
  for (let k = 0; k < pts.length; k++) {
    const p = pts[k];
    (p.utilisation ?? []).forEach((u, j) => {
      if (Number.isFinite(u) && (best === null || u > best.utilisation)) best = { domain: series.domains[j], utilisation: u, from: k > 0 ? pts[k - 1].t : 0, to: p.t };
    });
  }
  return best;
}

/**
 * Does the start of the run dominate its p99? The rule (docs/dashboard.md): over the measured
 * period (after `warmupMs`), the p99 is more than twice the p99 without the first tenth of that
 * period, and the first tenth holds at least 1 % of the latencies. Returns
 * { dominated, p99, p99After, skipMs } (skipMs: the time to leave out, the end of that tenth,
 * rounded up to a bucket), or null when there are too few latencies to say.
 */
export function burstDominatesP99(series, edgesMs, warmupMs = 0) {
  const pts = series?.points ?? [];
  if (pts.length < 10) return null;
  const end = pts[pts.length - 1].t;
  const width = series.bucketMs || pts[0].t;
  const skipMs = Math.ceil((warmupMs + (end - warmupMs) / 10) / width) * width;
  const all = windowPercentiles(series, edgesMs, warmupMs, end);
  const after = windowPercentiles(series, edgesMs, skipMs, end);
  if (!(all.count > 0) || !(after.count > 0)) return null;
  const early = all.count - after.count;
  return { dominated: all.p99 > 2 * after.p99 && early >= 0.01 * all.count, p99: all.p99, p99After: after.p99, skipMs };
}
