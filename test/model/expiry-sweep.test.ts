/**
 * The expiry sweep (expiry-sweep.ts) against the former way, an expire timer per grant checked
 * against the expiry column: under random grants, refreshes (later, shorter, near), ends and
 * re-subscriptions on several domains, the subscriptions that expire, and when, are the same, to the
 * double; no stale expiry fires.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.js';
import { TimerService } from '../../sim/engine/timers.js';
import type { ModelContext } from '../../sim/model/context.js';
import { ExpirySweep } from '../../sim/model/expiry-sweep.js';

function run(sweep: boolean) {
  const D = 3;
  const E = 400;
  const k = new Kernel({ lpCount: D, seed: 11 });
  const timers = new TimerService(k);
  const state = new Uint8Array(E);
  const expiry = new Float64Array(E);
  const expired: string[] = [];
  let expireEvents = 0;
  const EXPIRE = k.defineEvent('expire', (d, e) => {
    expireEvents++;
    if (state[e] === 0 || expiry[e] > k.now) return;
    state[e] = 0;
    expired.push(`${k.now}:${d}:${e}`);
  });
  const ctx = { E, D, kernel: k, timers, s: { behaviour: { maxSubscriptionDuration: 600_000 } } } as unknown as ModelContext;
  const sw = sweep ? new ExpirySweep(ctx, state, expiry, EXPIRE) : null;
  const extend = (d: number, e: number, g: number) => {
    const before = expiry[e];
    expiry[e] = k.now + g;
    if (sw === null || !sw.file(d, e, before)) timers.set(g, EXPIRE, d, e);
  };
  // each action: grant (subscribe or refresh) of a random duration, or an end (unsubscribe)
  const ACT = k.defineEvent('act', (d, e) => {
    const u = k.rng.uniform(d);
    if (u < 0.15) state[e] = 0;
    else {
      state[e] = 1;
      // mostly long grants; some short (under two buckets), some beyond the ring (never swept)
      const v = k.rng.uniform(d);
      const g = v < 0.1 ? k.rng.uniform(d) * 1500 : v < 0.15 ? 900_000 + k.rng.uniform(d) * 1e5 : 3000 + k.rng.uniform(d) * 597_000;
      extend(d, e, g);
    }
    k.schedule(k.rng.uniform(d) * 400_000, ACT, d, e);
  });
  for (let d = 0; d < D; d++) k.asLP(d, () => { for (let e = d; e < E; e += D) k.schedule(k.rng.uniform(d) * 60_000, ACT, d, e); });
  k.run(3_600_000);
  return { expired, expireEvents, sw };
}

describe('ExpirySweep', () => {
  it('expires the same subscriptions at the same times as an expire timer per grant, with fewer expire events', () => {
    const swept = run(true);
    const timed = run(false);
    expect(swept.expired.length).toBeGreaterThan(500);
    expect(swept.expired).toEqual(timed.expired);
    // the stale timers of refreshed subscriptions never fire
    expect(swept.expireEvents).toBeLessThan(timed.expireEvents);
    expect(swept.sw!.placed).toBeGreaterThan(300);
    expect(swept.sw!.moved).toBeGreaterThan(100);
  });
});
