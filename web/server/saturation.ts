/**
 * A run's saturation verdict on the server: the shared report rule (sim/toolkit/saturation.ts:
 * utilisation, p99) and, from the run's simulated-time series, a queue that keeps growing: a
 * domain whose queue rises over each of the last QUEUE_GROWTH_BUCKETS buckets and ends at
 * QUEUE_PER_CORE jobs per core or more has servers that fall further behind.
 */
import type { Report } from '../../sim/run.js';
import { saturation } from '../../sim/toolkit/saturation.js';
import type { TimeSeries } from './rates.js';

export const QUEUE_GROWTH_BUCKETS = 4;
export const QUEUE_PER_CORE = 10;

/** The domains whose queue keeps growing at the end of the series (with their last queue). */
export function growingQueues(series: TimeSeries, coresOf: (domain: string) => number): string[] {
  const pts = series.points;
  if (pts.length < QUEUE_GROWTH_BUCKETS + 1) return [];
  const out: string[] = [];
  series.domains.forEach((name, j) => {
    const q = pts.slice(-(QUEUE_GROWTH_BUCKETS + 1)).map((p) => p.queue?.[j] ?? 0);
    const rising = q.every((x, i) => i === 0 || x > q[i - 1]);
    const cores = coresOf(name);
    if (rising && cores > 0 && q[q.length - 1] >= QUEUE_PER_CORE * cores) out.push(`the queue of ${name} grew over the last ${QUEUE_GROWTH_BUCKETS} buckets to ${Math.round(q[q.length - 1])} jobs (${cores} core${cores === 1 ? '' : 's'})`);
  });
  return out;
}

/** Why the run is saturated (empty when it is not). */
export function saturationReasons(report: Report, series: TimeSeries | null): string[] {
  const reasons = saturation(report).reasons;
  if (series !== null) reasons.push(...growingQueues(series, (d) => report.domains[d]?.cores ?? 0));
  return reasons;
}
