import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { smallScenario } from './fixtures.js';

const stripWall = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0 } });

describe('runScenario (IMPP model)', () => {
  it('runScenario gives an identical report for 1 and 2 workers (apart from wall-clock figures)', async () => {
    const sc = smallScenario();
    const r1 = await runScenario(sc, { workers: 1 });
    if (process.env.SHOW_REPORT) console.log(JSON.stringify({ ...r1, latencyCdf: undefined }, null, 1));
    const r2 = await runScenario(sc, { workers: 2 });
    expect(r1.engine.workers).toBe(1);
    expect(r2.engine.workers).toBe(2);
    expect(stripWall(r2)).toBe(stripWall(r1));
    expect(r1.presence.notifications.delivered).toBeGreaterThan(100);
    expect(r1.im.delivered).toBeGreaterThan(50);
  });
});
