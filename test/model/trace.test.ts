/**
 * The message trace (report.trace, docs/report.md): on teach-basic every operation appears, the
 * records are in time order and well formed, the limit is respected, and the trace of a
 * multi-domain run is the same for any number of workers (compiled dist/ needed: `npx tsc -p .`).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { runTiny, tiny } from './tiny.js';

const OPS = ['publish', 'subscribe', 'refresh', 'unsubscribe', 'fetch', 'subscribeResponse', 'fetchResponse', 'notify', 'message', 'messageReport'];

describe('message trace', () => {
  it('teach-basic: every operation appears at least once, in time order, each record well formed', async () => {
    const sc = loadScenario('teach-basic');
    expect(sc.trace.enabled).toBe(true);
    const r = await runScenario(sc, { workers: 1 });
    const trace = r.trace!;
    expect(trace.length).toBeGreaterThan(50);
    expect(trace.length).toBeLessThanOrEqual(sc.trace.limit);
    const ops = new Set(trace.map((x) => x.op));
    for (const op of OPS) expect(ops, `operation ${op}`).toContain(op);
    for (let i = 1; i < trace.length; i++) expect(trace[i].t).toBeGreaterThanOrEqual(trace[i - 1].t);
    for (const x of trace) {
      expect(Number.isFinite(x.t)).toBe(true);
      expect(x.t).toBeGreaterThanOrEqual(0);
      expect(x.t).toBeLessThanOrEqual(sc.duration);
      expect(x.fromDomain).toBe('example.com');
      expect(x.toDomain).toBe('example.com');
      expect(x.from).toMatch(/^(u\d+@)?example\.com$/);
      expect(x.to).toMatch(/^(u\d+@)?example\.com$/);
      expect(Number.isInteger(x.bytes)).toBe(true);
      expect(x.bytes).toBeGreaterThan(0);
      expect(typeof x.detail).toBe('string');
    }
    // what the teaching view promises besides the operations: IM outcomes, retransmissions and a
    // refused or politely blocked watcher
    expect(r.im.delivered).toBeGreaterThan(0);
    expect(r.im.failed).toBeGreaterThan(0);
    expect(r.im.duplicates).toBeGreaterThan(0);
    expect(r.security.denied + r.security.politeBlocked).toBeGreaterThan(0);
    // the trace counts agree with the counters
    expect(trace.filter((x) => x.op === 'notify')).toHaveLength(r.presence.notifications.sent);
    expect(trace.filter((x) => x.op === 'fetchResponse')).toHaveLength(r.presence.fetches);
    expect(trace.filter((x) => x.op === 'publish')).toHaveLength(r.presence.publishes);
    // a publish goes from the presentity to its presence service and says what changed; each
    // notification of a change follows the publish of its presentity
    for (const x of trace.filter((y) => y.op === 'publish')) {
      expect(x.to).toBe('example.com');
      expect(x.detail).toMatch(/^(all tuples|tuple \d+) (available|away|busy|on-the-phone|closed)$/);
    }
    // notifications of a change follow the publish of their presentity (others are the current
    // state sent on a new subscription)
    const lastPublish = new Map<string, number>();
    let afterPublish = 0;
    trace.forEach((x, i) => {
      if (x.op === 'publish') lastPublish.set(x.from, i);
      if (x.op === 'notify' && (lastPublish.get(x.from) ?? Infinity) < i) afterPublish++;
    });
    expect(afterPublish).toBeGreaterThan(0);
  });

  it('the trace limit is respected: a limited trace is the beginning of the full one', async () => {
    const o = { users: 3, population: { watchers: '{ subscriber: 0.5, fetcher: 0.5 }' }, behaviour: { presenceChangeRate: '120/h', imRate: '60/h', fetchRate: '60/h' } };
    const full = await runTiny(o);
    expect(full.trace!.length).toBeGreaterThan(40);
    for (const limit of [1, 10, 25]) {
      const cut = await runTiny({ ...o, trace: `{ enabled: true, limit: ${limit} }` });
      expect(cut.trace).toHaveLength(limit);
      expect(cut.trace).toEqual(full.trace!.slice(0, limit));
      // the limit only shortens the trace, not the run
      expect({ ...cut, trace: undefined, engine: undefined }).toEqual({ ...full, trace: undefined, engine: undefined });
    }
    const off = await runTiny({ ...o, trace: '{ enabled: false }' });
    expect(off.trace).toBeUndefined();
  });

  it('the trace of a multi-domain run is sorted and identical for 1 and 2 workers', async () => {
    const sc = tiny({
      domains: `  - { name: a.example, users: 4 }
  - { name: b.example, users: 4 }`,
      population: { buddies: 2, federatedFraction: 0.5 },
      behaviour: { presenceChangeRate: '120/h', imRate: '60/h' },
      trace: '{ enabled: true, limit: 300 }',
    });
    const r1 = await runScenario(sc, { workers: 1 });
    const r2 = await runScenario(sc, { workers: 2 });
    expect(r1.trace!.length).toBe(300);
    expect(r2.trace).toEqual(r1.trace);
    for (let i = 1; i < r1.trace!.length; i++) expect(r1.trace![i].t).toBeGreaterThanOrEqual(r1.trace![i - 1].t);
    const domains = new Set(r1.trace!.flatMap((x) => [x.fromDomain, x.toDomain]));
    expect(domains).toContain('a.example');
    expect(domains).toContain('b.example');
  });
});
