import { describe, expect, it } from 'vitest';
import { Control } from '../../sim/engine/sync.js';

describe('Control (window barrier)', () => {
  it('spinBudget() is the cap until waits are known, then twice the median lateness of the last 15 waits, and 0 once that median passes the cap', () => {
    const c = new Control(Control.create(2), 2, 50);
    expect(c.spinBudget()).toBe(0.05);
    for (const us of [4, 6, 5, 400, 5]) c.noteLateness(us / 1000);
    expect(c.spinBudget()).toBeCloseTo(0.01, 12); // median 5 us: one outlier does not move it
    for (let i = 0; i < 15; i++) c.noteLateness(0.03);
    expect(c.spinBudget()).toBe(0.05); // 2 x 30 us, capped at 50 us
    for (let i = 0; i < 8; i++) c.noteLateness(2); // a partner descheduled for 2 ms, most of the time
    expect(c.spinBudget()).toBe(0);
    for (let i = 0; i < 8; i++) c.noteLateness(0.002); // back to short waits: spinning resumes
    expect(c.spinBudget()).toBeCloseTo(0.004, 12);
  });

  it('a cap of 0 (more partitions than cores) never spins', () => {
    const c = new Control(Control.create(3), 3, 0);
    expect(c.spinBudget()).toBe(0);
    c.noteLateness(0);
    expect(c.spinBudget()).toBe(0);
  });
});
