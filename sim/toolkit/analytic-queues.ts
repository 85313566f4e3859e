/**
 * The queueing formulas of the analytic cross-check: moments of a service-time distribution, a
 * server's offered load summed over its arrival streams, Erlang C, M/M/c and M/G/1 mean waits.
 */
import type { Dist } from '../scenario/types.js';

/** Mean of a distribution and its second moment. */
export function distMoments(d: Dist): { m1: number; m2: number; exponential: boolean; fixed: boolean } {
  switch (d.dist) {
    case 'fixed':
      return { m1: d.value, m2: d.value * d.value, exponential: false, fixed: true };
    case 'exponential':
      return { m1: d.mean, m2: 2 * d.mean * d.mean, exponential: true, fixed: false };
    case 'uniform':
      return { m1: (d.min + d.max) / 2, m2: (d.min * d.min + d.min * d.max + d.max * d.max) / 3, exponential: false, fixed: d.min === d.max };
    case 'lognormal':
      return { m1: d.median * Math.exp((d.sigma * d.sigma) / 2), m2: d.median * d.median * Math.exp(2 * d.sigma * d.sigma), exponential: false, fixed: d.sigma === 0 };
  }
}

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu. */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  // Erlang B by recursion, then C = B / (1 - (a/c)(1 - B))
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/** M/M/c mean wait in queue (ms) for arrival rate lambda (per ms) and mean service m (ms). */
export function mmcWait(c: number, lambda: number, m: number): number {
  const a = lambda * m;
  if (a >= c) return Infinity;
  return (erlangC(c, a) * m) / (c - a);
}

/** M/G/1 mean wait (Pollaczek-Khinchine): lambda E[S^2] / (2 (1 - rho)). */
export function mg1Wait(lambda: number, m1: number, m2: number): number {
  const rho = lambda * m1;
  if (rho >= 1) return Infinity;
  return (lambda * m2) / (2 * (1 - rho));
}

/** A server's offered load, summed over its arrival streams (count over the window, service time). */
export interface Load {
  busy: number;
  lam: number;
  m2: number;
  allExp: boolean;
  allFixed: boolean;
  expMean: number;
}

/** Adds n arrivals over T ms of service time `mo` (its moments) to a load. */
export function addLoad(l: Load, n: number, T: number, mo: { m1: number; m2: number; exponential: boolean; fixed: boolean }): void {
  if (!(n > 0)) return;
  l.busy += n * mo.m1;
  l.lam += n / T;
  l.m2 += (n / T) * mo.m2;
  if (!mo.exponential || (l.expMean >= 0 && Math.abs(l.expMean - mo.m1) > 1e-12)) l.allExp = false;
  if (!mo.fixed) l.allFixed = false;
  l.expMean = mo.m1;
}
