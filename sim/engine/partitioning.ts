/**
 * How a run's LPs are split over its partitions, and the window that split allows: contiguous
 * blocks balanced by the model's LP weights; with LP groups (a domain's server nodes), whole
 * groups while there are at least as many groups as partitions. The window is the smallest
 * lookahead over the links the split cuts.
 */
import type { LpGroups } from './model.js';

/** Splits LPs 0..n-1 into `parts` contiguous blocks of about equal total weight. */
export function partitionLPs(lpCount: number, parts: number, weight?: (lp: number) => number): Int32Array {
  const out = new Int32Array(lpCount);
  if (parts <= 1) return out;
  const w = new Float64Array(lpCount);
  let total = 0;
  for (let i = 0; i < lpCount; i++) {
    const x = weight ? weight(i) : 1;
    w[i] = x > 0 && Number.isFinite(x) ? x : 0;
    total += w[i];
  }
  if (total === 0) {
    for (let i = 0; i < lpCount; i++) out[i] = Math.min(parts - 1, Math.floor((i * parts) / lpCount));
    return out;
  }
  // Greedy: walk the LPs, move to the next partition once its share is reached, keeping at
  // least one LP per remaining partition where possible.
  let p = 0;
  let acc = 0;
  for (let i = 0; i < lpCount; i++) {
    const remainingLPs = lpCount - i;
    const remainingParts = parts - p;
    if (p < parts - 1 && acc > 0 && (acc + w[i] / 2 > (total * (p + 1)) / parts || remainingLPs < remainingParts)) {
      p++;
    }
    out[i] = p;
    acc += w[i];
  }
  return out;
}

/**
 * The LP -> partition map of a run: with LP groups (a domain's nodes) and at least as many groups
 * as partitions, whole groups per partition (balanced by their summed weights), so that only the
 * links between groups are cut; otherwise contiguous blocks of LPs, which split groups.
 */
export function partitionOfRun(lpCount: number, parts: number, weight?: (lp: number) => number, groups?: LpGroups): Int32Array {
  if (groups === undefined || parts <= 1) return partitionLPs(lpCount, parts, weight);
  const G = groups.lookahead.length;
  if (G < parts) return partitionLPs(lpCount, parts, weight);
  const gw = new Float64Array(G);
  for (let i = 0; i < lpCount; i++) {
    const x = weight ? weight(i) : 1;
    gw[groups.groupOf[i]] += x > 0 && Number.isFinite(x) ? x : 0;
  }
  const byGroup = partitionLPs(G, parts, (g) => gw[g]);
  const out = new Int32Array(lpCount);
  for (let i = 0; i < lpCount; i++) out[i] = byGroup[groups.groupOf[i]];
  return out;
}

/**
 * The window of a run: the smallest lookahead over the links its partitioning cuts (inside a
 * group split over partitions: the group's; between groups in different partitions: `between`).
 * Nothing cut (one partition): `between`, as before groups.
 */
export function windowLookahead(partitionOf: Int32Array, between: number, groups?: LpGroups): number {
  if (groups === undefined) return between;
  const n = partitionOf.length;
  let min = Infinity;
  let crossGroups = false;
  for (let i = 1; i < n; i++) {
    if (partitionOf[i] === partitionOf[i - 1]) continue;
    const g = groups.groupOf[i];
    if (g === groups.groupOf[i - 1]) min = Math.min(min, groups.lookahead[g]);
    else crossGroups = true;
  }
  // (partitions are contiguous blocks: a boundary between neighbours is the only place a link is cut)
  if (crossGroups) min = Math.min(min, between);
  return min === Infinity ? between : min;
}
