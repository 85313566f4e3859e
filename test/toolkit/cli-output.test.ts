/** CLI output formats: the sweep CSV (one users column, ci95 n/a with one replication) and the bench JSON's environment. */
import { describe, expect, it } from 'vitest';
import { benchEnvironment } from '../../bench/environment.js';
import { sweepCsv } from '../../sim/toolkit/cli.js';
import type { SweepResult } from '../../sim/toolkit/sweep.js';

function sweep(replications: number): SweepResult {
  return {
    scenario: 'office',
    params: [{ path: 'users', values: [100, 200] }],
    replications,
    seed: 1,
    duration: 60_000,
    mode: 'grid',
    figures: ['notificationsPerSec', 'users'],
    points: [100, 200].map((u) => ({ point: { users: u }, mean: { notificationsPerSec: u / 10, users: u }, ci95: { notificationsPerSec: replications > 1 ? 1.5 : 0, users: 0 }, thresholds: [] })),
    thresholds: [],
    passed: true,
    wallMs: 1,
  } as unknown as SweepResult;
}

describe('CLI output', () => {
  it('sweepCsv writes a swept figure once and ci95 n/a with one replication', () => {
    const one = sweepCsv(sweep(1)).trim().split('\n');
    expect(one[0]).toBe('users,notificationsPerSec,notificationsPerSec.ci95');
    expect(one[1]).toBe('100,10,n/a');
    const three = sweepCsv(sweep(3)).trim().split('\n');
    expect(three[2]).toBe('200,20,1.5');
  });

  it('benchEnvironment() names the machine, the Node version and the commit', () => {
    const e = benchEnvironment();
    expect(e.node).toBe(process.version);
    expect(e.machine.cores).toBeGreaterThan(0);
    expect(e.machine.cpu.length).toBeGreaterThan(0);
    expect(e.commit).toMatch(/^[0-9a-f]{40}(\+dirty)?$/);
  });
});
