/**
 * The latency recorder files each value at the histogram's counts index itself (integer
 * operations) and hands the counts over before the histogram is read: the histogram it encodes
 * must be the one the library builds from every value, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { LatencyRecorder, mergeHistograms, newHistogram, summarise } from '../../sim/model/latency.js';

const HIGHEST = 7 * 24 * 3_600_000_000;

/** the library's own histogram of the same values (in ms, rounded to us as record() does) */
function direct(ms: number[]) {
  const h = newHistogram();
  for (const x of ms) h.recordValue(Math.min(HIGHEST, Math.max(1, Math.round(x * 1000))));
  return h;
}
const encoded = (ms: number[]) => hdr.encodeIntoCompressedBase64(direct(ms));

describe('latency recorder', () => {
  it('computes the library counts index for every value near a power of two and for random ones', () => {
    const h = newHistogram() as unknown as { countsArrayIndex(v: number): number; subBucketHalfCountMagnitude: number };
    const half = h.subBucketHalfCountMagnitude;
    const values: number[] = [];
    for (let k = 0; k < 40; k++) for (let d = -3; d <= 3; d++) if (2 ** k + d >= 1 && 2 ** k + d <= HIGHEST) values.push(2 ** k + d);
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      values.push(1 + Math.floor((x / 2 ** 32) ** 6 * HIGHEST));
    }
    values.push(HIGHEST);
    for (const v of values) expect(LatencyRecorder.indexOf(v, half), `value ${v}`).toBe(h.countsArrayIndex(v));
  });

  it('encodes the histogram the library builds from the same values, min and max included; reset and later values too', () => {
    const sets = [[5], [0.0001, 0.0004], [3, 3, 3], [0.5, 1.5, 2.25, 120, 3_600_000, 99.9994, 7 * 24 * 3_600_000 + 5], Array.from({ length: 5000 }, (_, i) => 0.001 + ((i * 7919) % 5000) * 0.37)];
    for (const ms of sets) {
      const r = new LatencyRecorder();
      for (const x of ms) r.record(x);
      const e = r.encode();
      const h = direct(ms);
      expect(e.count).toBe(ms.length);
      expect(e.data).toBe(encoded(ms));
      // the recorder's own histogram holds what the library's holds, its smallest and largest value too
      const own = (r as unknown as { h: typeof h }).h;
      expect([own.totalCount, own.maxValue, own.minNonZeroValue, own.mean]).toEqual([h.totalCount, h.maxValue, h.minNonZeroValue, h.mean]);
      // values after an encode, and after a reset
      r.record(42);
      expect(r.encode().data).toBe(encoded([...ms, 42]));
      r.reset();
      r.record(7);
      r.record(0.25);
      expect(r.encode().data).toBe(encoded([7, 0.25]));
      expect(summarise(mergeHistograms([r.encode()]))).toEqual(summarise(mergeHistograms([{ count: 2, data: encoded([7, 0.25]) }])));
    }
  });

  it('the corrected encoding (staleness) equals the library histogram of this + plus - minus', () => {
    const all = [1, 2, 3, 50, 60, 70, 800];
    const minus = [2, 60];
    const plus = [0.5, 55];
    const [r, m, p] = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()];
    all.forEach((x) => r.record(x));
    minus.forEach((x) => m.record(x));
    plus.forEach((x) => p.record(x));
    const e = r.encodeCorrected(m, p);
    expect(e.count).toBe(all.length - minus.length + plus.length);
    expect(e.data).toBe(encoded([1, 3, 50, 70, 800, 0.5, 55]));
  });
});
