/**
 * The trace's byte budget (trace.maxBytes): enforced where records are made, the same for any
 * worker count, and close to the bytes the records take in the report.
 */
import { describe, expect, it } from 'vitest';
import { traceRecordBytes } from '../../sim/model/trace.js';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';

const scenario = (maxBytes: string) =>
  parseScenario(
    `name: trace-budget
seed: 5
duration: 20min
domains:
  - { name: a.example, users: 12 }
  - { name: b.example, users: 12 }
population: { buddies: 4, federatedFraction: 0.5, online: 1 }
behaviour: { presenceChangeRate: 60/h, imRate: 30/h }
trace: { enabled: true, limit: 1000000, maxBytes: ${maxBytes} }
`,
    'trace-budget.yaml',
  );

describe('trace byte budget', () => {
  it('stops recording at about maxBytes of report JSON, with the same records for 1 and 2 workers', async () => {
    const full = await runScenario(scenario('64MiB'), { workers: 1 });
    const json = JSON.stringify(full.trace).length;
    const counted = full.trace!.reduce((x, r) => x + traceRecordBytes(r), 0);
    // the count is close to the real JSON
    expect(Math.abs(counted - json) / json).toBeLessThan(0.15);
    const budget = Math.floor(json / 4);
    const one = await runScenario(scenario(`${budget}B`), { workers: 1 });
    const two = await runScenario(scenario(`${budget}B`), { workers: 2 });
    expect(JSON.stringify(two.trace)).toBe(JSON.stringify(one.trace));
    const kept = one.trace!;
    expect(kept.length).toBeLessThan(full.trace!.length);
    // it is the beginning of the full trace, and stops once the budget is spent
    expect(kept).toEqual(full.trace!.slice(0, kept.length));
    const before = kept.slice(0, -1).reduce((x, r) => x + traceRecordBytes(r), 0);
    expect(before).toBeLessThan(budget);
    expect(before + traceRecordBytes(kept[kept.length - 1])).toBeGreaterThanOrEqual(budget);
  });
});
