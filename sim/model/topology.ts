/**
 * Distributions of the scenario language and the latency between domains: drawing from a
 * distribution, the smallest value a link can draw (the parallel run's lookahead), and the
 * latency table per ordered pair of domains.
 */
import type { RandomStreams } from '../engine/rng.js';
import type { Dist, Scenario } from '../scenario/types.js';

export function distMin(d: Dist): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min;
    case 'exponential':
      return d.mean * 0.1;
    case 'lognormal':
      return lognormalFloor(d.median, d.sigma);
  }
}

/**
 * The clamp of a lognormal latency: its 0.13th percentile (three sigmas below the median in log
 * space), but at least 10% of the median. Real links have a propagation floor; the clamp changes
 * at most 0.135% of draws, and it sets the parallel run's lookahead, so windows are wide.
 */
export function lognormalFloor(median: number, sigma: number): number {
  return median * Math.max(0.1, Math.exp(-3 * sigma));
}

/** Draws from a distribution on stream `lp`; a draw below `floor` is raised to it (link latencies pass the lookahead, see distMin). */
export function drawDist(rng: RandomStreams, lp: number, d: Dist, floor = 0): number {
  let x: number;
  switch (d.dist) {
    case 'fixed':
      x = d.value;
      break;
    case 'uniform':
      x = d.min + (d.max - d.min) * rng.uniform(lp);
      break;
    case 'exponential':
      x = rng.exponential(lp, d.mean);
      break;
    case 'lognormal':
      x = d.median * Math.exp(d.sigma * rng.normal(lp));
      break;
  }
  return x < floor ? floor : x;
}

/** Lookahead: the smallest latency any inter-domain link can draw. */
export function linkLookahead(s: Scenario): number {
  if (s.domains.length < 2) return s.duration + 1;
  let min = Infinity;
  const pairs = linkTable(s);
  for (const d of pairs) if (d !== null) min = Math.min(min, distMin(d));
  return min;
}

/** Latency distribution per ordered pair (from * D + to); null on the diagonal. */
export function linkTable(s: Scenario): (Dist | null)[] {
  const D = s.domains.length;
  const idx = new Map(s.domains.map((d, i) => [d.name, i]));
  const out: (Dist | null)[] = [];
  for (let i = 0; i < D * D; i++) out.push(Math.floor(i / D) === i % D ? null : s.defaultLinkLatency);
  for (const l of s.links) {
    const a = idx.get(l.from);
    const b = idx.get(l.to);
    if (a === undefined || b === undefined || a === b) continue;
    out[a * D + b] = l.latency;
  }
  return out;
}
