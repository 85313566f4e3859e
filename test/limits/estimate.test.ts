/**
 * The provisional memory estimate (sim/estimate.ts): a run just over the limit is refused with
 * the estimate, the limit and the fields to change; just under it is accepted; the structural
 * limits (edges, report size) refuse what would abort the process.
 */
import { describe, expect, it } from 'vitest';
import { isSimError, type SimError } from '../../sim/errors.js';
import { checkConcurrentRuns, checkRunFits, estimateRun, fmtBytes, MAX_EDGES, meanBuddies, memoryLimit } from '../../sim/estimate.js';
import { buildPopulation } from '../../sim/model/population.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';

function thrown(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    if (isSimError(e)) return e;
    throw e;
  }
  throw new Error('expected a SimError');
}

describe('run memory estimate', () => {
  it('refuses a scenario just over the limit with the estimate, the limit and the fields, and accepts it just under', () => {
    const sc = loadScenario('office', ['domains[0].users=200000']);
    const est = estimateRun(sc, { workers: 1 });
    expect(est.bytes).toBeGreaterThan(0);
    const under = { bytes: est.bytes, source: 'test limit' };
    expect(checkRunFits(sc, { workers: 1, limit: under }).bytes).toBe(est.bytes);
    const over = { bytes: est.bytes - 1, source: 'test limit' };
    const e = thrown(() => checkRunFits(sc, { workers: 1, limit: over }));
    expect(e.code).toBe('SIM_ERR_RUN_TOO_LARGE');
    expect(e.message).toContain(`about ${fmtBytes(est.bytes)} of memory`);
    expect(e.message).toContain(`limit of ${fmtBytes(est.bytes - 1)} (test limit)`);
    expect(e.message).toMatch(/mostly .* for population and model state of 200,000 users .*; lower domains\[\]\.users, population\.buddies/);
    expect(e.details).toMatchObject({ estimate: est.bytes, limit: est.bytes - 1 });
  });

  it('grows with users, buddies, domains and workers (each partition builds the whole population)', () => {
    const base = loadScenario('federation');
    const b = estimateRun(base, { workers: 1 }).bytes;
    expect(estimateRun(loadScenario('federation', ['domains[0].users=100000']), { workers: 1 }).bytes).toBeGreaterThan(b);
    expect(estimateRun(loadScenario('federation', ['population.buddies=50']), { workers: 1 }).bytes).toBeGreaterThan(b);
    expect(estimateRun(base, { workers: 3 }).bytes).toBeGreaterThan(b);
  });

  it('expects as many subscription edges as the population builder makes (within 5%)', () => {
    for (const name of ['office', 'federation', 'celebrity']) {
      const sc = loadScenario(name);
      const built = buildPopulation(sc, sc.seed).edges;
      const est = estimateRun(sc).edges;
      expect(Math.abs(est - built) / built, name).toBeLessThan(0.05);
    }
    expect(meanBuddies({ dist: 'fixed', value: 10 }, 4)).toBe(4);
    expect(meanBuddies({ dist: 'uniform', min: 2, max: 4 }, 100)).toBe(3);
  });

  it('refuses 50,000,000 users with 100 buddies (5 billion edges) before building anything', () => {
    const sc = parseScenario('name: big\nduration: 1s\ndomains: [{name: a.example, users: 50000000}]\npopulation: {buddies: 100}\n');
    const e = thrown(() => checkRunFits(sc));
    expect(e.code).toBe('SIM_ERR_RUN_TOO_LARGE');
    expect(e.message).toContain('5,000,000,000 subscription edges');
    expect(e.message).toContain(`at most ${MAX_EDGES.toLocaleString('en-US')}`);
    expect(e.message).toMatch(/lower domains\[\]\.users or population\.buddies/);
  });

  it('runScenario refuses before starting a worker', async () => {
    const sc = parseScenario('name: big\nduration: 1s\ndomains: [{name: a.example, users: 50000000}]\npopulation: {buddies: 100}\n');
    await expect(runScenario(sc, { workers: 1 })).rejects.toMatchObject({ code: 'SIM_ERR_RUN_TOO_LARGE' });
  });

  it('bounds the report by the pairs that can carry messages, not D x (D - 1)', () => {
    const domains = Array.from({ length: 1000 }, (_, i) => `{name: d${i}.example, users: 1}`).join(', ');
    const sc = parseScenario(`name: wide\nduration: 1s\ndomains: [${domains}]\n`);
    const est = estimateRun(sc);
    expect(est.reportPairs).toBeLessThan(1000 * 999);
    expect(est.reportPairs).toBeGreaterThan(0);
  });

  it('reads an explicit limit from IMPP_SIM_MEMORY_LIMIT, else half the machine', () => {
    expect(memoryLimit({ IMPP_SIM_MEMORY_LIMIT: '8GiB' }, 64e9)).toEqual({ bytes: 8 * 1024 ** 3, source: 'IMPP_SIM_MEMORY_LIMIT=8GiB' });
    expect(memoryLimit({}, 64e9).bytes).toBe(32e9);
    expect(thrown(() => memoryLimit({ IMPP_SIM_MEMORY_LIMIT: 'lots' }, 64e9)).message).toMatch(/IMPP_SIM_MEMORY_LIMIT must be a size such as 8GiB/);
  });

  it('refuses runs side by side that fit alone but not together, naming the parallelism to use', () => {
    const sc = loadScenario('office');
    const one = estimateRun(sc, { workers: 1 }).bytes;
    const runs = [1, 2, 3].map((i) => ({ scenario: sc, what: `point ${i}` }));
    const limit = { bytes: one + 1, source: 'test limit' };
    expect(() => checkConcurrentRuns(runs, 1, limit)).not.toThrow();
    const e = thrown(() => checkConcurrentRuns(runs, 3, limit));
    expect(e.code).toBe('SIM_ERR_RUN_TOO_LARGE');
    expect(e.message).toMatch(/3 runs at once .* lower --parallel to 1 or less/);
  });
});
