/**
 * The refresh sweep (refresh-sweep.ts) against a refresh timer per answer: under random answers
 * (long and short delays, a second answer while a refresh waits, new session epochs) on several
 * domains, the same refreshes fire at the same times with the same epochs, to the double.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.js';
import { TimerService } from '../../sim/engine/timers.js';
import type { ModelContext } from '../../sim/model/context.js';
import { RefreshSweep } from '../../sim/model/refresh-sweep.js';

function run(sweep: boolean) {
  const D = 3;
  const E = 70_000; // more than one page of edges
  const k = new Kernel({ lpCount: D, seed: 5 });
  const timers = new TimerService(k);
  const fired: string[] = [];
  const REFRESH = k.defineEvent('refreshTimer', (d, e, ep) => fired.push(`${k.now}:${d}:${e}:${ep}`));
  const ctx = { E, D, kernel: k, timers, s: { behaviour: { subscriptionDuration: 600_000, maxSubscriptionDuration: 600_000 } } } as unknown as ModelContext;
  const sw = sweep ? new RefreshSweep(ctx, REFRESH) : null;
  const ANSWER = k.defineEvent('answer', (d, e, ep) => {
    const v = k.rng.uniform(d);
    const delay = v < 0.1 ? k.rng.uniform(d) * 1500 : v < 0.15 ? 800_000 : 2000 + k.rng.uniform(d) * 598_000;
    const epoch = k.rng.uniform(d) < 0.2 ? ep + 1 : ep;
    if (sw === null || !sw.file(d, e, delay, epoch)) timers.set(delay, REFRESH, d, e, epoch);
    // the next answer: often soon (a second answer while the refresh waits), else later
    k.schedule(k.rng.uniform(d) < 0.3 ? k.rng.uniform(d) * 5000 : k.rng.uniform(d) * 900_000, ANSWER, d, e, epoch);
  });
  for (let d = 0; d < D; d++) k.asLP(d, () => { for (let e = d; e < E; e += 97 * D) k.schedule(k.rng.uniform(d) * 60_000, ANSWER, d, e, 0); });
  // and a few edges of the second page
  k.asLP(1, () => { for (let e = 65_536; e < E; e += 501) k.schedule(k.rng.uniform(1) * 60_000, ANSWER, 1, e, 0); });
  k.run(3_600_000);
  return { fired, sw };
}

describe('RefreshSweep', () => {
  it('fires the same refreshes at the same times, with the same epochs, as a timer per answer', () => {
    const swept = run(true);
    const timed = run(false);
    expect(swept.fired.length).toBeGreaterThan(2000);
    // same multiset; equal times are equal doubles, so the sorted lists compare one for one
    expect([...swept.fired].sort()).toEqual([...timed.fired].sort());
    expect(swept.sw!.placed).toBeGreaterThan(1000);
  });
});
