import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.js';
import { runModel } from '../../sim/engine/parallel.js';
import { TimerService } from '../../sim/engine/timers.js';
import { SimError } from '../../sim/errors.js';
import type { LeasesParams, LeasesResult } from '../models/leases.js';

const LEASES = new URL('../models/leases.ts', import.meta.url).href;

/**
 * A kernel whose LPs set many timers with random, quantised delays (near and far, ties across and
 * within LPs); a fired timer may set more. Returns the trace of (time, lp, a, b) in handled order.
 */
function timerTrace(direct: boolean, opts: { lps?: number; perLP?: number; until?: number; quantum?: number; bucket?: number } = {}) {
  const lps = opts.lps ?? 7;
  const perLP = opts.perLP ?? 200;
  const quantum = opts.quantum ?? 50;
  const k = new Kernel({ lpCount: lps, seed: 3 });
  const timers = new TimerService(k, { bucket: opts.bucket ?? 1000, direct });
  const trace: string[] = [];
  let late = 0;
  const FIRE = k.defineEvent('fire', (lp, due, gen) => {
    trace.push(`${k.now}:${lp}:${due}:${gen}`);
    if (k.now !== due) late++;
    if (gen < 3) {
      // from a released timer's handler: one near, one far
      const near = Math.ceil((k.rng.uniform(lp) * 500) / quantum) * quantum;
      const far = Math.ceil((k.rng.uniform(lp) * 20_000) / quantum) * quantum;
      timers.set(near, FIRE, lp, k.now + near, gen + 1);
      timers.set(far, FIRE, lp, k.now + far, gen + 1);
    }
  });
  for (let lp = 0; lp < lps; lp++) {
    k.asLP(lp, () => {
      for (let i = 0; i < perLP; i++) {
        const d = Math.ceil((k.rng.uniform(lp) * 30_000) / quantum) * quantum;
        timers.set(d, FIRE, lp, d, 0);
      }
    });
  }
  k.run(opts.until ?? Infinity);
  return { k, timers, trace, late: () => late };
}

describe('TimerService', () => {
  it('every timer fires at its exact time, in the same order as when scheduled directly (ties included), with a much smaller heap', () => {
    const wheel = timerTrace(false);
    const direct = timerTrace(true);
    expect(wheel.trace.length).toBe(7 * 200 * 15); // 1 + 2 + 4 + 8 timers per initial one
    expect(wheel.late()).toBe(0);
    expect(wheel.trace).toEqual(direct.trace);
    // sanity: the quantised delays do produce equal times
    expect(new Set(wheel.trace.map((s) => s.split(':')[0])).size).toBeLessThan(wheel.trace.length / 4);
    const st = wheel.timers.stats;
    expect(st.bucketed).toBeGreaterThan(8000);
    expect(st.direct).toBeGreaterThan(4000);
    expect(st.released).toBe(st.bucketed);
    expect(st.pending).toBe(0);
    expect(direct.timers.stats.bucketed).toBe(0);
    // the direct heap holds every initial timer; the wheel's about two buckets' worth
    expect(direct.k.pendingPeak).toBeGreaterThanOrEqual(1400);
    expect(wheel.k.pendingPeak).toBeLessThan(direct.k.pendingPeak / 3);
    // one release per non-empty (LP, bucket)
    expect(wheel.k.events).toBe(wheel.trace.length + st.releases);
  });

  it('many timers in one bucket, and many lists (the list table grows and shrinks), fire in (time, key) order', () => {
    const wheel = timerTrace(false, { lps: 40, perLP: 300, quantum: 0.001, bucket: 10_000 });
    const direct = timerTrace(true, { lps: 40, perLP: 300, quantum: 0.001, bucket: 10_000 });
    expect(wheel.trace).toEqual(direct.trace);
    expect(wheel.late()).toBe(0);
    // 12,000 initial timers over 40 LPs x 3 buckets: thousands per list
    expect(wheel.timers.stats.releases).toBeLessThan(600);
    const fine = timerTrace(false, { lps: 40, perLP: 300, quantum: 0.001, bucket: 5 });
    expect(fine.trace).toEqual(direct.trace);
    expect(fine.timers.stats.releases).toBeGreaterThan(20_000);
  });

  it('payloads arrive exactly as set, whether two uint32 (the compact record) or anything else (-0, fractions, negatives, 2^32, NaN), mixed in one bucket and type', () => {
    const odd = [0, 1, 7, 4294967295, -0, 0.5, -1, 4294967296, 2 ** 40 + 0.25, -123.75, NaN, 1e300];
    const trace = (direct: boolean) => {
      const k = new Kernel({ lpCount: 3, seed: 9 });
      const timers = new TimerService(k, { bucket: 1000, direct });
      const out: string[] = [];
      const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));
      const T = k.defineEvent('t', (lp, a, b) => out.push(`${k.now}:${lp}:${show(a)}:${show(b)}`));
      const U = k.defineEvent('u', (lp, a, b) => out.push(`u${k.now}:${lp}:${show(a)}:${show(b)}`));
      for (let lp = 0; lp < 3; lp++) {
        k.asLP(lp, () => {
          for (let i = 0; i < 300; i++) {
            const a = odd[i % odd.length];
            const b = odd[(i * 5 + lp) % odd.length];
            // many share a bucket (and some a time) with timers of the other payload kind and type
            timers.set(5000 + (i % 40) * 25, i % 3 === 0 ? U : T, lp, a, b);
          }
        });
      }
      k.run();
      return out;
    };
    const wheel = trace(false);
    expect(wheel).toHaveLength(900);
    expect(wheel).toEqual(trace(true));
    expect(wheel).toContain('u5000:0:0:0');
    expect(wheel.some((x) => x.endsWith(':-0:0.5') || x.includes(':-0:'))).toBe(true);
    expect(wheel.some((x) => x.includes(':4294967296:'))).toBe(true);
    expect(wheel.some((x) => x.includes(':NaN'))).toBe(true);
  });

  it('timers past the end of a run stay kept and fire exactly when the run goes on', () => {
    const cut = timerTrace(false, { until: 12_345 });
    expect(cut.k.now).toBe(12_345);
    const st = cut.timers.stats;
    expect(st.pending).toBeGreaterThan(0);
    expect(cut.k.nextTime()).toBeGreaterThanOrEqual(12_345);
    cut.k.run();
    expect(cut.trace).toEqual(timerTrace(true).trace);
    expect(cut.timers.stats.pending).toBe(0);
  });

  it('a stale timer is not cancelled: it fires and the model skips it', () => {
    const k = new Kernel({ lpCount: 1, seed: 1 });
    const timers = new TimerService(k);
    const fired: number[] = [];
    const T = k.defineEvent('t', (_lp, a) => fired.push(a));
    k.asLP(0, () => {
      timers.set(5000, T, 0, 1);
      timers.set(5000, T, 0, 2);
      timers.set(3000, T, 0, 3);
    });
    k.run();
    expect(fired).toEqual([3, 1, 2]);
    expect(k.now).toBe(5000);
  });

  it('refuses a timer for another LP, outside a handler, with a bad delay or an unknown type, and a bad bucket width', () => {
    const k = new Kernel({ lpCount: 2, seed: 1 });
    const timers = new TimerService(k);
    const T = k.defineEvent('t', () => {});
    expect(() => k.asLP(0, () => timers.set(5000, T, 1))).toThrow(/set for LP 1 in a handler of LP 0: a timer is a self-event/);
    expect(() => timers.set(5000, T, 0)).toThrow(/set outside a handler/);
    for (const d of [NaN, Infinity, -1]) {
      try {
        k.asLP(0, () => timers.set(d, T, 0));
        expect.unreachable();
      } catch (e) {
        expect((e as SimError).code).toBe('SIM_ERR_BAD_DELAY');
      }
    }
    expect(() => k.asLP(0, () => timers.set(5000, 99, 0))).toThrow(/event type 99 .* has no handler/);
    expect(() => new TimerService(k)).toThrow(/already has a timer service/);
    expect(() => new TimerService(new Kernel({ lpCount: 1, seed: 1 }), { bucket: 0 })).toThrow(/bucket width must be a finite number of ms > 0, got 0/);
    expect(timers.stats.pending).toBe(0);
  });

  it('a leases model that sets all its timers through the service gives identical results for 1..4 workers, and the same as direct scheduling', async () => {
    const p: LeasesParams = { lps: 12, slots: 40, lease: 20_000, lookahead: 5, quantum: 5, ping: 0.3, bucket: 500 };
    const runs = [];
    for (const w of [1, 2, 3, 4]) {
      runs.push(await runModel<LeasesParams, unknown, LeasesResult>(LEASES, p, { workers: w, seed: 4, until: 120_000, inProcess: w === 1 }));
    }
    const direct = await runModel<LeasesParams, unknown, LeasesResult>(LEASES, { ...p, direct: true }, { workers: 2, seed: 4, until: 120_000 });
    const r0 = runs[0];
    expect(r0.result.late).toBe(0);
    expect(r0.result.stale).toBeGreaterThan(1000);
    expect(r0.result.expired).toBeGreaterThan(100);
    expect(r0.timers!.bucketed).toBeGreaterThan(5000);
    for (const r of runs) {
      expect(r.result).toEqual(r0.result);
      expect(r.events).toBe(r0.events);
      expect(r.eventCounts).toEqual(r0.eventCounts);
      if (r.workers > 1) expect(r.crossPartitionEvents).toBeGreaterThan(100);
    }
    expect(direct.result).toEqual(r0.result);
    expect(direct.events).toBe(r0.events - r0.eventCounts['timers.release']);
    expect(direct.pendingPeak).toBeGreaterThan(2 * runs[1].pendingPeak);
  });
});
