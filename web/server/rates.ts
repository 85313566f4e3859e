/**
 * Rates between two live snapshots and the run's time series (pure functions, tested directly).
 * Rates are per simulated second: what the dashboard plots against simulated time.
 */
import type { LiveSnapshot } from '../../sim/run.js';

export interface DomainRate {
  name: string;
  /** busy core-time over capacity between the two snapshots (0..1) */
  utilisation: number;
  /** jobs waiting now */
  queue: number;
}

export interface Rates {
  /** simulated seconds between the two snapshots */
  intervalSec: number;
  notificationsPerSec: number;
  imsPerSec: number;
  /** messages crossing from one domain to another */
  messagesPerSec: number;
  domains: DomainRate[];
}

export type RatedSnapshot = LiveSnapshot & { rates: Rates };

export interface SeriesPoint {
  /** simulated ms at the end of the bucket */
  t: number;
  notificationsPerSec: number;
  imsPerSec: number;
  messagesPerSec: number;
  /** per-domain utilisation over the interval, in the order of `TimeSeries.domains` */
  utilisation: number[];
  /** per-domain jobs waiting at the end of the interval, same order */
  queue: number[];
  /**
   * notification latencies that ended in the bucket, per live latency bucket (LiveSnapshot
   * latency.edgesMs: below each edge, then the rest); the page draws percentiles over time from them
   */
  latency?: number[];
  /** users online at the end of the bucket (logins - logouts so far) */
  online?: number;
}

export interface TimeSeries {
  domains: string[];
  /** simulated ms per bucket (buckets.ts); absent in runs stored before series were bucketed */
  bucketMs?: number;
  points: SeriesPoint[];
}

/** The series keeps at most this many points; beyond, every other point is dropped. */
export const MAX_SERIES_POINTS = 2000;

const round = (x: number, digits = 4) => {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
};

const sumPairs = (s: LiveSnapshot) => {
  let n = 0;
  for (const p of s.pairs) n += p.messages;
  return n;
};

/** Rates over the interval from `prev` (null: the start of the run) to `cur`. */
export function computeRates(prev: LiveSnapshot | null, cur: LiveSnapshot): Rates {
  const dtMs = cur.clock - (prev?.clock ?? 0);
  const dt = dtMs / 1000;
  const delta = (name: string) => (cur.counters[name] ?? 0) - (prev?.counters[name] ?? 0);
  const per = (x: number) => (dt > 0 ? round(x / dt) : 0);
  const domains = cur.domains.map((d, i) => {
    const before = prev?.domains[i]?.busyMs ?? 0;
    const util = dtMs > 0 && d.cores > 0 ? (d.busyMs - before) / (d.cores * dtMs) : d.utilisation;
    return { name: d.name, utilisation: round(Math.max(0, util), 5), queue: d.queue };
  });
  return {
    intervalSec: round(dt, 3),
    notificationsPerSec: per(delta('notifyDelivered')),
    imsPerSec: per(delta('imDelivered')),
    messagesPerSec: per(sumPairs(cur) - (prev === null ? 0 : sumPairs(prev))),
    domains,
  };
}

/** Appends a point for `rates` ending at `clock`; thins the series when it grows too long. */
export function appendPoint(series: TimeSeries, clock: number, rates: Rates): void {
  if (rates.intervalSec <= 0) return;
  series.points.push({
    t: clock,
    notificationsPerSec: rates.notificationsPerSec,
    imsPerSec: rates.imsPerSec,
    messagesPerSec: rates.messagesPerSec,
    utilisation: rates.domains.map((d) => d.utilisation),
    queue: rates.domains.map((d) => d.queue),
  });
  if (series.points.length > MAX_SERIES_POINTS) series.points = series.points.filter((_, i) => i % 2 === 1);
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV of a time series: one row per point, simulated time in seconds. */
export function timeSeriesCsv(series: TimeSeries): string {
  const online = series.points.some((p) => p.online !== undefined);
  const head = ['time_s', 'notifications_per_s', 'ims_per_s', 'messages_per_s', ...series.domains.map((d) => `utilisation_${d}`), ...series.domains.map((d) => `queue_${d}`), ...(online ? ['users_online'] : [])];
  const lines = [head.map(csvField).join(',')];
  for (const p of series.points) {
    lines.push([round(p.t / 1000, 3), p.notificationsPerSec, p.imsPerSec, p.messagesPerSec, ...p.utilisation, ...series.domains.map((_, i) => p.queue?.[i] ?? 0), ...(online ? [p.online ?? ''] : [])].join(','));
  }
  return `${lines.join('\n')}\n`;
}
