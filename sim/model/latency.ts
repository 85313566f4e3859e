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

/** What the recorder reads of the library's histogram: its layout and the record calls it replays with. */
interface HdrLayout {
  readonly subBucketHalfCountMagnitude: number;
  readonly unitMagnitude: number;
  readonly countsArrayLength: number;
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  recordValueWithCount(value: number, count: number): void;
}

const INV_2_32 = 2 ** -32;
/** 2^k and 2^-k for k = 0 .. 63 */
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);
const POW2_INV = Float64Array.from({ length: 64 }, (_, k) => 2 ** -k);

/** the values record() files itself: integers from 1 us to the histogram's highest, exact in floor(log2) below 2^40 */
const FAST_LIMIT = 2 ** 40;

/**
 * A latency histogram. record() is on the hot path (three times per notification with staleness):
 * it counts the value at the histogram's own counts index, computed with integer operations (the
 * library's recordValue takes a log2 and a pow per value), and the counts go into the library's
 * histogram in one pass before it is read (encode). Replayed counts and the smallest and largest
 * value recorded leave the histogram exactly as recording every value into it would.
 */
export class LatencyRecorder {
  private h = newHistogram();
  private n = 0;
  private readonly hdr = this.h as unknown as HdrLayout;
  private readonly half: number;
  /** counts since the last flush, by counts index, the indices touched (lo..hi) and the extreme values */
  private readonly pend: Float64Array;
  private lo = Infinity;
  private hi = -1;
  private minV = Infinity;
  private maxV = 0;

  constructor() {
    if (this.hdr.unitMagnitude !== 0 || OPTS.highestTrackableValue >= FAST_LIMIT) throw new Error('latency: the histogram layout is not the one record() files values in');
    this.half = this.hdr.subBucketHalfCountMagnitude;
    this.pend = new Float64Array(this.hdr.countsArrayLength);
  }

  /** The histogram's counts index of an integer value from 1 to FAST_LIMIT (its countsArrayIndex, without log2 and pow). */
  static indexOf(us: number, half: number): number {
    const hiWord = us >= 4294967296 ? Math.floor(us * INV_2_32) : 0;
    const log2 = hiWord > 0 ? 63 - Math.clz32(hiWord) : 31 - Math.clz32(us >>> 0);
    const bucket = log2 - half > 0 ? log2 - half : 0;
    // (bucket + 1) * 2^half + us / 2^bucket - 2^half; the scaling by a power of two is exact
    return bucket * POW2[half] + Math.floor(us * POW2_INV[bucket]);
  }

  /** Records a latency given in ms (rounded to whole microseconds, at least 1 us). */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 1) us = 1;
    if (us > OPTS.highestTrackableValue) us = OPTS.highestTrackableValue;
    const i = LatencyRecorder.indexOf(us, this.half);
    this.pend[i]++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
    if (us < this.minV) this.minV = us;
    if (us > this.maxV) this.maxV = us;
    this.n++;
  }

  /** Moves the pending counts into the histogram: the smallest and largest values stand for their indices' counts, so its min and max are the recorded ones. */
  private flush(): void {
    if (this.hi < 0) return;
    const { pend, hdr } = this;
    const lo = hdr.countsArrayIndex(this.minV);
    const hi = hdr.countsArrayIndex(this.maxV);
    for (let i = this.lo; i <= this.hi; i++) {
      const k = pend[i];
      if (k === 0) continue;
      pend[i] = 0;
      if (i === lo && i === hi && k > 1) {
        hdr.recordValueWithCount(this.minV, 1);
        hdr.recordValueWithCount(this.maxV, k - 1);
      } else hdr.recordValueWithCount(i === hi ? this.maxV : i === lo ? this.minV : hdr.valueFromIndex(i), k);
    }
    this.lo = Infinity;
    this.hi = -1;
    this.minV = Infinity;
    this.maxV = 0;
  }

  /** Forgets every value recorded so far (the end of a warm-up). */
  reset(): void {
    this.flush();
    this.h.reset();
    this.n = 0;
  }

  encode(): EncodedHistogram {
    this.flush();
    return { count: this.n, data: this.n === 0 ? '' : hdr.encodeIntoCompressedBase64(this.h) };
  }

  /** This histogram less the values of `minus`, plus those of `plus` (each a subset or addition of this one's), encoded. */
  encodeCorrected(minus: LatencyRecorder, plus: LatencyRecorder): EncodedHistogram {
    this.flush();
    minus.flush();
    plus.flush();
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
