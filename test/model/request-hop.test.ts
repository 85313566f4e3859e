/**
 * A watcher's request for a presentity of its own domain, in a run of CPIM domains, goes from the
 * watcher's access link straight to the presentity's service: the event at the home server in
 * between is left out (watchers.ts sendRequest) and the trace records the request where it
 * arrives, at the same time. A request across domains keeps its event at the home server (the
 * gateway admits in time order). The trace changes nothing in the run.
 */
import { describe, expect, it } from 'vitest';
import { runModel } from '../../sim/engine/parallel.js';
import type { Report } from '../../sim/run.js';
import { recs, runTiny, tiny, type TinyOptions } from './tiny.js';

const base: TinyOptions = {
  users: 4,
  duration: '3h',
  access: '{ lan: { latency: { dist: lognormal, median: 20ms, sigma: 0.3 }, bandwidthMbps: 2 } }',
  population: { watchers: '{ subscriber: 0.5, poller: 0.5 }' },
  behaviour: { presenceChangeRate: '30/h', subscriptionDuration: '20min', maxSubscriptionDuration: '20min', pollInterval: '5min', sessionLength: '40min', offlineLength: '10min' },
};
const two: TinyOptions = {
  ...base,
  domains: `  - { name: a.example, users: 4 }
  - { name: b.example, users: 4 }`,
  population: { ...base.population, buddies: 3, federatedFraction: 1 },
};

/** watcher requests the trace shows: subscribes, refreshes, unsubscribes, fetches */
const requests = (r: Report) => ['subscribe', 'refresh', 'unsubscribe', 'fetch'].reduce((n, op) => n + recs(r, op).length, 0);
const figures = (r: Report) => ({ ...r, trace: undefined });
const MODEL = new URL('../../sim/model/impp.ts', import.meta.url).href;
async function requestUpEvents(o: TinyOptions): Promise<number> {
  const sc = tiny(o);
  const r = await runModel(MODEL, { scenario: sc, seed: sc.seed }, { workers: 1, until: sc.duration, seed: sc.seed, inProcess: true });
  return r.eventCounts.requestUp ?? 0;
}

describe('a watcher request', () => {
  it('inside one domain takes no event at the home server; the trace records it where it arrives and changes nothing', async () => {
    const on = await runTiny({ ...base, trace: '{ enabled: true, limit: 1000000 }' });
    const off = await runTiny({ ...base, trace: '{ enabled: false }' });
    expect(requests(on)).toBeGreaterThan(50);
    expect({ ...figures(off), engine: { ...off.engine, wallMs: 0, eventsPerSec: 0 } }).toEqual({ ...figures(on), engine: { ...on.engine, wallMs: 0, eventsPerSec: 0 } });
    expect(await requestUpEvents(base)).toBe(0);
    // each record names the request's edge, its watcher and presentity
    for (const x of recs(on, 'subscribe')) expect(x.detail).toMatch(/^edge \d+$/);
  });

  it('across domains keeps its event at the home server, one per request', async () => {
    const on = await runTiny({ ...two, trace: '{ enabled: true, limit: 1000000 }' });
    const off = await runTiny({ ...two, trace: '{ enabled: false }' });
    expect(requests(on)).toBeGreaterThan(50);
    expect({ ...figures(off), engine: undefined }).toEqual({ ...figures(on), engine: undefined });
    expect(off.engine.events).toBe(on.engine.events);
    const n = await requestUpEvents({ ...two, trace: '{ enabled: true, limit: 1000000 }' });
    expect(n).toBe(requests(on));
  });
});
