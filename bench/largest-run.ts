/**
 * The largest run of a scenario that the provisional memory estimate (sim/estimate.ts) admits on
 * this machine: every domain's users scaled by one factor (proportions kept, at least one user
 * each, at most the schema's MAX_USERS), the largest factor whose run checkRunFits accepts with
 * one worker (the server's default). `npm run bench -- server` runs it by default.
 */
import { checkRunFits, memoryLimit, type MemoryLimit, type RunEstimate } from '../sim/estimate.js';
import { MAX_USERS } from '../sim/scenario/schema.js';
import type { Scenario } from '../sim/scenario/index.js';

export interface LargestRun {
  /** the overrides that make it ('domains[i].users=N') */
  overrides: string[];
  users: number;
  estimate: RunEstimate;
  limit: MemoryLimit;
}

function scaled(sc: Scenario, f: number): Scenario {
  return { ...sc, domains: sc.domains.map((d) => ({ ...d, users: Math.min(MAX_USERS, Math.max(1, Math.floor(d.users * f))) })) };
}

function admitted(sc: Scenario, limit: MemoryLimit): RunEstimate | null {
  try {
    return checkRunFits(sc, { workers: 1, limit });
  } catch {
    return null;
  }
}

/** The largest scaling of `sc` the estimate admits (throws when even one user per domain does not fit). */
export function largestAdmitted(sc: Scenario, limit: MemoryLimit = memoryLimit()): LargestRun {
  const base = sc.domains.reduce((n, d) => n + d.users, 0);
  let lo = 1 / Math.max(...sc.domains.map((d) => d.users));
  if (admitted(scaled(sc, lo), limit) === null) throw new Error(`scenario '${sc.name}' does not fit the memory limit even with one user per domain (${limit.source})`);
  let hi = lo * 2;
  for (; admitted(scaled(sc, hi), limit) !== null; hi *= 2) {
    lo = hi;
    if (sc.domains.every((d) => d.users * hi >= MAX_USERS)) break;
  }
  // bisect on the factor to within one user of the largest total
  for (let i = 0; i < 60 && (hi - lo) * base > 1; i++) {
    const mid = (lo + hi) / 2;
    if (admitted(scaled(sc, mid), limit) !== null) lo = mid;
    else hi = mid;
  }
  const best = scaled(sc, lo);
  return {
    overrides: best.domains.map((d, i) => `domains[${i}].users=${d.users}`),
    users: best.domains.reduce((n, d) => n + d.users, 0),
    estimate: admitted(best, limit)!,
    limit,
  };
}
