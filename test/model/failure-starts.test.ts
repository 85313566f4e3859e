/**
 * FailureStarts, the table of the failing edges' failure start times: under a long random mix of
 * starts, ends and look-ups it answers as a map would, across growth and the backward-shift
 * deletions of colliding entries.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/rng.js';
import { FailureStarts } from '../../sim/model/failure-starts.js';

describe('FailureStarts', () => {
  it('answers as a map under random starts, ends and look-ups (growth and colliding deletions included)', () => {
    const r = new RandomStreams(1, 7);
    const table = new FailureStarts(16);
    const ref = new Map<number, number>();
    let wrong = 0;
    for (let step = 0; step < 200_000; step++) {
      // edges from a small range collide often; a few large ids go far apart
      const e = r.uniform(0) < 0.9 ? Math.floor(r.uniform(0) * 3000) : Math.floor(r.uniform(0) * 2 ** 30);
      const u = r.uniform(0);
      const t = step + 0.5;
      if (u < 0.45) {
        table.start(e, t);
        if (!ref.has(e)) ref.set(e, t);
      } else if (u < 0.8) {
        table.end(e);
        ref.delete(e);
      } else if (table.get(e) !== (ref.get(e) ?? 0)) wrong++;
      if (step % 997 === 0) for (const [k, v] of ref) if (table.get(k) !== v) wrong++;
    }
    expect(wrong).toBe(0);
    expect(table.size).toBe(ref.size);
    expect(ref.size).toBeGreaterThan(500);
  });

  it('keeps the first start of an edge that fails again before it recovers', () => {
    const table = new FailureStarts();
    table.start(5, 100);
    table.start(5, 250);
    expect(table.get(5)).toBe(100);
    table.end(5);
    expect(table.get(5)).toBe(0);
    table.start(5, 300);
    expect(table.get(5)).toBe(300);
  });
});
