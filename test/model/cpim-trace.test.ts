/**
 * The CPIM identifiers in the trace (RFC 3859 3.1-3.4, RFC 3860 3.1): each message that crosses a
 * gateway carries, in its trace record, the TransID its gateway gave it and, on subscribe,
 * refresh, cancel, notify and termination notice, the SubscriptID of its subscription
 * (cpim-transactions.ts). A response carries its request's TransID; a cancel names the
 * subscription its subscribe opened; every notify names the subscription in force.
 */
import { describe, expect, it } from 'vitest';
import { InteractiveRun } from '../../sim/interactive.js';
import { runScenario } from '../../sim/run.js';
import { recs, runTiny, tiny, type Rec, type TinyOptions } from './tiny.js';

/** two domains of one user each, each watching the other; sessions of 3 min, 1 min apart */
const FEDERATED: TinyOptions = {
  duration: '12min',
  domains: `  - { name: a.example, users: 1, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 1, servers: { count: 1, cores: 64 } }`,
  links: '{ default: { dist: fixed, value: 10ms } }',
  population: { buddies: 1, federatedFraction: 1 },
  behaviour: { presenceChangeRate: '30/h', sessionLength: '3min', offlineLength: '1min', subscriptionDuration: '2min', maxSubscriptionDuration: '2min', refreshBefore: '30s' },
};

const crossing = (x: Rec) => x.fromDomain !== x.toDomain;

describe('CPIM identifiers in the trace', () => {
  it("RFC 3859 3.4: a traced federated subscription: the subscribe's TransID equals its response's, each notify names the subscription in force, a cancel names the one its subscribe opened", async () => {
    const r = await runTiny(FEDERATED);
    const trace = r.trace!;
    const subscribes = recs(r, 'subscribe').filter(crossing);
    const cancels = recs(r, 'unsubscribe').filter(crossing);
    const notifies = recs(r, 'notify').filter(crossing);
    const responses = recs(r, 'subscribeResponse').filter(crossing);
    expect(subscribes.length).toBeGreaterThanOrEqual(4);
    expect(cancels.length).toBeGreaterThanOrEqual(2);
    expect(notifies.length).toBeGreaterThanOrEqual(4);
    // every message that crossed a gateway carries a TransID; one inside a domain carries none
    for (const x of trace) {
      if (!crossing(x)) expect(x.cpim, `${x.op} at ${x.t}`).toBeUndefined();
      else expect(Number.isInteger(x.cpim?.transId), `${x.op} at ${x.t}`).toBe(true);
    }
    // requests get fresh TransIDs: no two requests (or notifies) share one
    const fresh = trace.filter((x) => crossing(x) && !/Response|Report/.test(x.op)).map((x) => x.cpim!.transId);
    expect(new Set(fresh).size).toBe(fresh.length);
    // each subscribe's response carries its TransID, goes the other way, and comes after it
    for (const sub of subscribes) {
      const answer = responses.filter((x) => x.cpim!.transId === sub.cpim!.transId);
      expect(answer, `response to the subscribe at ${sub.t}`).toHaveLength(1);
      expect([answer[0].from, answer[0].to]).toEqual([sub.to, sub.from]);
      expect(answer[0].t).toBeGreaterThan(sub.t);
    }
    expect(responses.every((x) => x.cpim!.subscriptId === undefined)).toBe(true);
    // the subscription in force on each edge: the SubscriptID of its latest subscribe (or refresh)
    const opened = (watcher: string, target: string, t: number) =>
      trace.filter((x) => crossing(x) && (x.op === 'subscribe' || x.op === 'refresh') && x.from === watcher && x.to === target && x.t < t).pop();
    for (const n of notifies) {
      const sub = opened(n.to, n.from, n.t);
      expect(sub, `a subscription before the notify at ${n.t}`).toBeDefined();
      expect(n.cpim!.subscriptId, `the notify at ${n.t}`).toBe(sub!.cpim!.subscriptId);
    }
    for (const c of cancels) {
      const sub = opened(c.from, c.to, c.t);
      expect(c.cpim!.subscriptId, `the cancel at ${c.t}`).toBe(sub!.cpim!.subscriptId);
    }
    // a refresh names the subscription it extends; a subscribe after a cancel opens a new one
    for (const x of recs(r, 'refresh').filter(crossing)) expect(x.cpim!.subscriptId).toBe(opened(x.from, x.to, x.t)!.cpim!.subscriptId);
    const perEdge = new Map<string, number[]>();
    for (const s of subscribes) perEdge.set(`${s.from} ${s.to}`, [...(perEdge.get(`${s.from} ${s.to}`) ?? []), s.cpim!.subscriptId!]);
    for (const ids of perEdge.values()) expect(new Set(ids).size).toBe(ids.length);
  });

  it('the CPIM identifiers of the trace are identical for 1 and 2 workers', async () => {
    const sc = tiny({ ...FEDERATED, duration: '6min' });
    const [one, two] = await Promise.all([1, 2].map((w) => runScenario(sc, { workers: w })));
    expect(two.trace!.map((x) => x.cpim ?? null)).toEqual(one.trace!.map((x) => x.cpim ?? null));
    expect(one.trace!.some((x) => x.cpim?.subscriptId !== undefined)).toBe(true);
  });

  it('the user inspector shows the SubscriptID of each subscription between domains, as its latest subscribe carried it, and whether each gateway holds it live', () => {
    const run = new InteractiveRun(tiny(FEDERATED));
    let checked = 0;
    for (const until of [30_000, 100_000, 200_000, 250_000, 400_000, 500_000]) {
      run.runUntil(until);
      for (const user of ['u0@a.example', 'u0@b.example']) {
        const me = run.inspect(user)!;
        for (const sub of me.watching) {
          const last = run.trace.filter((x) => (x.op === 'subscribe' || x.op === 'refresh' || x.op === 'unsubscribe') && x.from === user && x.to === sub.peer).pop();
          if (last === undefined) continue;
          expect(sub.cpim!.subscriptId, `${user} at ${until}`).toBe(last.cpim!.subscriptId);
          // after a cancel the watcher's gateway holds it no more
          if (last.op === 'unsubscribe') expect(sub.cpim!.watcherGateway).toBe('closed');
          else expect(sub.cpim!.watcherGateway).toBe('live');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
