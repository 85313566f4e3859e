import { describe, expect, it, vi } from 'vitest';
import { runModel } from '../../sim/engine/parallel.js';
import type { PholdParams, PholdResult } from '../../bench/phold.js';
import { benchPholdAB } from '../../bench/phold-ab.js';

const PHOLD = new URL('../../bench/phold.ts', import.meta.url).href;

describe('bench phold-ab (kernel and hand loop alternated in one process)', () => {
  it('runs the same PHOLD as the phold bench: its checksum equals a sequential runModel of the same parameters', async () => {
    const p: PholdParams = { lps: 300, events: 4, remote: 0.1, lookahead: 1, mean: 1, until: 20 };
    const ref = await runModel<PholdParams, unknown, PholdResult>(PHOLD, p, { workers: 1, seed: 1, until: p.until });
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    try {
      expect(benchPholdAB(['--lps', '300', '--events', '4', '--until', '20', '--runs', '2'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const summary = lines[lines.length - 1];
    expect(summary).toContain(`checksum ${ref.result.checksum}`);
    expect(summary).toMatch(/2 interleaved pairs/);
    expect(lines.filter((l) => l.startsWith('run '))).toHaveLength(2);
  });

  it('refuses a count that is not a positive integer, naming the option', () => {
    expect(() => benchPholdAB(['--runs', '0'])).toThrow(/--runs must be a number > 0, got '0'/);
    expect(() => benchPholdAB(['--lps', '2.5'])).toThrow(/--lps, --events and --runs must be integers/);
  });
});
