/** The sizing answer in words (sim/toolkit/size.ts): total cores; targets failing with units. */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { SATURATION_TARGETS } from '../../sim/toolkit/saturation.js';
import { coresLine, formatSize, runSize } from '../../sim/toolkit/size.js';

describe('size output', () => {
  it('coresLine(report) says the answer in servers x cores per domain and in total cores', () => {
    const r = { domains: { 'a.example': { servers: 2, cores: 4 }, 'b.example': { servers: 1, cores: 1 } } } as unknown as Report;
    expect(coresLine(r)).toBe('that is 9 cores in total (a.example 2 servers x 4 cores, b.example 1 server x 1 core)');
    expect(coresLine(undefined)).toBeNull();
  });

  it('size with the saturation rule as its targets answers in total cores', async () => {
    const sc = loadScenario('teach-basic');
    const r = await runSize(sc, { vary: 'servers.cores', targets: [...SATURATION_TARGETS], replications: 1, parallel: 1, duration: 120_000 });
    const text = formatSize(r);
    expect(text).toContain('targets: maxUtilisation < 0.7; latency.notification.p99 < 5s');
    expect(text).toMatch(/answer: servers\.cores = 1 for every domain\nthat is 1 core in total \(example\.com 1 server x 1 core\)/);
  });
});
