/**
 * Latency histograms (HdrHistogram, 3 significant digits) recorded in microseconds of simulated
 * time and reported in milliseconds. Each partition records its own; the coordinator decodes and
 * adds them. Adding bucket counts is exact and order-free, so the merged percentiles do not depend
 * on how domains were spread over workers.
 */
import * as hdr from 'hdr-histogram-js';

const OPTS = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 7 * 24 * 3_600_000_000, // one week in us
  numberOfSignificantValueDigits: 3 as const,
  useWebAssembly: false,
};

export interface EncodedHistogram {
  count: number;
  data: string;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export function newHistogram(): hdr.Histogram {
  return hdr.build(OPTS);
}

export class LatencyRecorder {
  private h = newHistogram();
  private n = 0;

  /** Records a latency given in ms (rounded to whole microseconds, at least 1 us). */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    if (us > OPTS.highestTrackableValue) us = OPTS.highestTrackableValue;
    this.h.recordValue(us);
    this.n++;
  }

  /** Forgets every value recorded so far (the end of a warm-up). */
  reset(): void {
    this.h.reset();
    this.n = 0;
  }

  encode(): EncodedHistogram {
    return { count: this.n, data: this.n === 0 ? '' : hdr.encodeIntoCompressedBase64(this.h) };
  }

  /** This histogram less the values of `minus`, plus those of `plus` (each a subset or addition of this one's), encoded. */
  encodeCorrected(minus: LatencyRecorder, plus: LatencyRecorder): EncodedHistogram {
    const n = this.n - minus.n + plus.n;
    if (n === 0) return { count: 0, data: '' };
    const h = newHistogram();
    h.add(this.h);
    h.subtract(minus.h);
    h.add(plus.h);
    return { count: n, data: hdr.encodeIntoCompressedBase64(h) };
  }
}

export function mergeHistograms(parts: EncodedHistogram[]): hdr.Histogram {
  const h = newHistogram();
  for (const p of parts) if (p.count > 0) h.add(hdr.decodeFromCompressedBase64(p.data));
  return h;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function summarise(h: hdr.Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  return {
    count,
    mean: round3(h.mean / 1000),
    p50: round3(h.getValueAtPercentile(50) / 1000),
    p90: round3(h.getValueAtPercentile(90) / 1000),
    p95: round3(h.getValueAtPercentile(95) / 1000),
    p99: round3(h.getValueAtPercentile(99) / 1000),
    max: round3(h.maxValue / 1000),
  };
}

/** CDF points for charts: [latency ms, cumulative fraction], at fixed percentiles. */
export function cdf(h: hdr.Histogram): Array<[number, number]> {
  if (h.totalCount === 0) return [];
  const ps = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100];
  return ps.map((p) => [round3(h.getValueAtPercentile(p) / 1000), p / 100]);
}
