/**
 * The run `npm run bench -- server` makes by default: the largest scaling of a scenario that the
 * memory estimate admits. Guards: it is admitted, and a little more (1% more users in every
 * domain) is refused, for a memory limit and for the edge limit.
 */
import { describe, expect, it } from 'vitest';
import { largestAdmitted } from '../../bench/largest-run.js';
import { checkRunFits, MAX_EDGES } from '../../sim/estimate.js';
import { loadBuiltin } from '../../web/server/run-input.js';

function grown(sc: ReturnType<typeof loadBuiltin>, overrides: string[], f: number) {
  return loadBuiltin(sc.name, overrides.map((o) => o.replace(/=(\d+)$/, (_, n: string) => `=${Math.ceil(Number(n) * f)}`)));
}

describe('the largest run the estimate admits', () => {
  it('under a memory limit: admitted, and 1% more users is refused for memory', () => {
    const limit = { bytes: 2 * 2 ** 30, source: 'a 2 GiB test limit' };
    const sc = loadBuiltin('federation');
    const r = largestAdmitted(sc, limit);
    expect(r.overrides).toHaveLength(sc.domains.length);
    expect(r.users).toBeGreaterThan(sc.domains.reduce((n, d) => n + d.users, 0));
    expect(() => checkRunFits(loadBuiltin('federation', r.overrides), { workers: 1, limit })).not.toThrow();
    expect(() => checkRunFits(grown(sc, r.overrides, 1.01), { workers: 1, limit })).toThrow(/more than the limit of .*2 GiB test limit/);
    // proportions kept: the first domain stays the largest
    const users = r.overrides.map((o) => Number(o.split('=')[1]));
    expect(users[0]).toBe(Math.max(...users));
  });

  it('where the edge limit binds first: just under MAX_EDGES', () => {
    const limit = { bytes: 1e15, source: 'no memory limit' };
    const r = largestAdmitted(loadBuiltin('office'), limit);
    expect(r.estimate.edges).toBeLessThanOrEqual(MAX_EDGES);
    expect(r.estimate.edges).toBeGreaterThan(MAX_EDGES * 0.99);
    expect(() => checkRunFits(grown(loadBuiltin('office'), r.overrides, 1.01), { workers: 1, limit })).toThrow(/subscription edges/);
  });
});
