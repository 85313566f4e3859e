/**
 * Summing the partitions' parts: every partition owns some domains, so a figure of the run is the
 * sum of the partitions' figures (counters, per-index arrays) and is the same for any worker count.
 */
import type { ImppPart } from '../model/impp.js';

export const round = (x: number, digits = 3): number => {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
};

/** The model's named counters, summed over the partitions. */
export function sumCounters(parts: ImppPart[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.counters)) c[k] = (c[k] ?? 0) + v;
  return c;
}

/** The element-wise sum of one array of every part (all of length n). */
export function sumArrays(parts: ImppPart[], n: number, of: (p: ImppPart) => ArrayLike<number>): number[] {
  const out = new Array<number>(n).fill(0);
  for (const p of parts) {
    const a = of(p);
    for (let i = 0; i < a.length; i++) out[i] += a[i];
  }
  return out;
}

/** A per-partition figure summed (0 where a partition does not report it). */
export function sumOf(parts: ImppPart[], of: (p: ImppPart) => number | undefined): number {
  return parts.reduce((x, p) => x + (of(p) ?? 0), 0);
}
