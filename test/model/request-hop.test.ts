/**
 * A watcher's request for a presentity of its own domain, in a run of CPIM domains without a
 * trace, goes from the watcher's access link straight to the presentity's service: the event at
 * the home server in between is left out (watchers.ts sendRequest). The run is otherwise the same:
 * same requests, counts and latencies as with the trace on, where the event stays.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { recs, runTiny, type TinyOptions } from './tiny.js';

const base: TinyOptions = {
  users: 4,
  duration: '3h',
  access: '{ lan: { latency: { dist: lognormal, median: 20ms, sigma: 0.3 }, bandwidthMbps: 2 } }',
  population: { watchers: '{ subscriber: 0.5, poller: 0.5 }' },
  behaviour: { presenceChangeRate: '30/h', subscriptionDuration: '20min', maxSubscriptionDuration: '20min', pollInterval: '5min', sessionLength: '40min', offlineLength: '10min' },
};

/** watcher requests that passed their home server (traced there): subscribes, refreshes, unsubscribes, fetches */
const requestsUp = (r: Report) => ['subscribe', 'refresh', 'unsubscribe', 'fetch'].reduce((n, op) => n + recs(r, op).length, 0);
const figures = (r: Report) => ({ ...r, engine: undefined, trace: undefined });

describe('a request inside one domain', () => {
  it('takes one event less without the trace, with the same figures as with it', async () => {
    const on = await runTiny({ ...base, trace: '{ enabled: true, limit: 1000000 }' });
    const off = await runTiny({ ...base, trace: '{ enabled: false }' });
    expect(requestsUp(on)).toBeGreaterThan(50);
    expect(figures(off)).toEqual(figures(on));
    // with the trace on each request stops at the home server (its record's time); without, not
    expect(on.engine.events - off.engine.events).toBe(requestsUp(on));
  });

  it('across domains keeps its event at the home server (the gateway admits in time order)', async () => {
    const two = {
      ...base,
      domains: `  - { name: a.example, users: 4 }
  - { name: b.example, users: 4 }`,
      population: { ...base.population, buddies: 3, federatedFraction: 1 },
    };
    const on = await runTiny({ ...two, trace: '{ enabled: true, limit: 1000000 }' });
    const off = await runTiny({ ...two, trace: '{ enabled: false }' });
    expect(requestsUp(on)).toBeGreaterThan(50);
    expect(figures(off)).toEqual(figures(on));
    expect(off.engine.events).toBe(on.engine.events);
  });
});
