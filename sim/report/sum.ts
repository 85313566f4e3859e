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

type DomainOps = ImppPart['ops'][number];
const addInto = (a: number[], b: ArrayLike<number>) => {
  for (let i = 0; i < b.length; i++) a[i] = (a[i] ?? 0) + b[i];
};

/**
 * The servers' figures per domain, merged over the partitions that hold some of its nodes (a
 * domain split over workers, cluster.ts): counts, times, rejections and per-node figures add up
 * (each node's jobs are in one partition only), the longest queue is the longest of any part.
 * Sorted by domain.
 */
export function mergedOps(parts: ImppPart[]): DomainOps[] {
  const byDomain = new Map<number, DomainOps>();
  for (const p of parts) {
    for (const o of p.ops) {
      const m = byDomain.get(o.domain);
      if (m === undefined) {
        byDomain.set(o.domain, { ...o, count: [...o.count], sumWait: [...o.sumWait], sumService: [...o.sumService], rejected: [...o.rejected], nodes: { busy: [...o.nodes.busy], count: [...o.nodes.count], serviceMs: [...o.nodes.serviceMs] } });
        continue;
      }
      addInto(m.count, o.count);
      addInto(m.sumWait, o.sumWait);
      addInto(m.sumService, o.sumService);
      addInto(m.rejected, o.rejected);
      addInto(m.nodes.busy, o.nodes.busy);
      addInto(m.nodes.count, o.nodes.count);
      addInto(m.nodes.serviceMs, o.nodes.serviceMs);
      m.busy += o.busy;
      m.maxQueue = Math.max(m.maxQueue, o.maxQueue);
      m.rejectedOverload += o.rejectedOverload;
    }
  }
  return [...byDomain.values()].sort((a, b) => a.domain - b.domain);
}
