/**
 * CPIM transactions at the boundary (RFC 3859 3.1-3.4, RFC 3860 3.4): the gateways' transaction
 * table, TransID matching of responses, SubscriptID on cancel, notifies matched to a live
 * subscription. Unit tests on the table and the gateway layer, then whole runs.
 */
import { describe, expect, it } from 'vitest';
import { C, COUNTERS, type ModelContext } from '../../sim/model/context.js';
import { CpimTransactions, originOf, transIdOf } from '../../sim/model/cpim-transactions.js';
import { M_FETCH, M_FETCH_RESPONSE, M_NOTIFY, M_REPORT, M_MESSAGE, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE } from '../../sim/model/messages.js';
import { VERSION_MOD } from '../../sim/model/notification.js';
import { TransactionTable } from '../../sim/model/transaction-table.js';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';

describe('TransactionTable', () => {
  it('holds what a Map of lists holds, over a random mix of puts and takes with shared keys (backward-shift deletion keeps every probe chain)', () => {
    const counters = new Float64Array(1);
    const t = new TransactionTable(Infinity, counters, 0, 16);
    const ref = new Map<string, number[]>();
    let x = 12345;
    const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n);
    for (let i = 0; i < 20000; i++) {
      const kind = rnd(3);
      const a = rnd(300) * 2 ** 33 + rnd(2); // keys above 2^32 too
      const k = `${kind}:${a}`;
      if (rnd(5) < 3) {
        t.put(kind, a, i, 0);
        ref.set(k, [...(ref.get(k) ?? []), i]);
      } else {
        const v = t.take(kind, a, 0);
        const list = ref.get(k) ?? [];
        if (list.length === 0) expect(v).toBeNaN();
        else {
          expect(list).toContain(v);
          list.splice(list.indexOf(v), 1);
        }
      }
    }
    expect(t.size).toBe([...ref.values()].reduce((n, l) => n + l.length, 0));
    expect(t.capacity).toBeGreaterThan(16); // it grew
    expect(counters[0]).toBe(0);
  });

  it('an entry older than the lifetime is refused and counted expired; a full table sweeps such entries out before it grows', () => {
    const counters = new Float64Array(1);
    const t = new TransactionTable(100, counters, 0, 16);
    t.put(1, 7, 70, 0);
    expect(t.take(1, 7, 101)).toBeNaN();
    expect(counters[0]).toBe(1);
    t.put(1, 8, 80, 0);
    expect(t.take(1, 8, 100)).toBe(80); // just in time
    for (let i = 0; i < 7; i++) t.put(2, i, i, 0); // half of 16, all old by t = 500
    for (let i = 0; i < 7; i++) t.put(3, i, i, 500);
    expect(t.capacity).toBe(16); // the old ones were swept, not grown over
    expect(counters[0]).toBe(8);
    expect(t.take(3, 6, 500)).toBe(6);
  });
});

/** A context of two domains and four edges: edges 0, 1 watched from domain 0, presentities in domain 1. */
function fakeContext(): ModelContext {
  const counters = new Float64Array(COUNTERS.length);
  return {
    kernel: { owns: () => true, now: 0 },
    // one server node per domain: its home LP is the domain
    cluster: { home: (d: number) => d },
    D: 2,
    E: 4,
    counters,
    pop: { domainOf: Int32Array.from([0, 1, 1]), edgePresentity: Int32Array.from([1, 2, 1, 2]), edgeWatcher: Int32Array.from([0, 0, 0, 0]) },
  } as unknown as ModelContext;
}

describe('CpimTransactions (the gateways\' CPIM layer)', () => {
  it('RFC 3859 3.4: a response is handed to the requester as the request its TransID names; one without an open transaction is refused and counted', () => {
    const ctx = fakeContext();
    const g = new CpimTransactions(ctx, 1000, (o, d) => o === d);
    // two fetches of different edges leave domain 0 and reach domain 1
    const c0 = g.leave(0, M_FETCH, 0, 5);
    const c1 = g.leave(0, M_FETCH, 1, 6);
    expect(transIdOf(c0)).not.toBe(transIdOf(c1));
    expect(originOf(c0)).toBe(0);
    expect(g.enter(1, M_FETCH, 1, 6, c1)).toBe(true);
    expect(g.enter(1, M_FETCH, 0, 5, c0)).toBe(true);
    // domain 1 answers edge 1: the response carries edge 1's TransID
    const r1 = g.leave(1, M_FETCH_RESPONSE, 1, 6);
    expect(transIdOf(r1)).toBe(transIdOf(c1));
    // the origin hands it over as the request that TransID names, whatever payload it carries
    expect(g.enter(0, M_FETCH_RESPONSE, 0, 6, r1)).toBe(true);
    expect(g.matchedA).toBe(1);
    expect(ctx.counters[C.cpimResponsesMatched]).toBe(1);
    // the same response again: its transaction is closed
    expect(g.enter(0, M_FETCH_RESPONSE, 1, 6, r1)).toBe(false);
    // a response nobody asked for goes without a TransID and is refused
    expect(g.enter(0, M_REPORT, 9, 0, g.leave(1, M_REPORT, 9, 0))).toBe(false);
    expect(ctx.counters[C.cpimResponsesUnmatched]).toBe(2);
    // a refusal by a gateway on the way carries the request's TransID
    const m = g.leave(0, M_MESSAGE, 3, 1);
    g.replyTo = m;
    const report = g.leave(1, M_REPORT, 3, 5);
    g.replyTo = -1;
    expect(g.enter(0, M_REPORT, 3, 5, report)).toBe(true);
    expect(ctx.counters[C.cpimTransactions]).toBe(3);
  });

  it('RFC 3859 3.4.1: a cancel names the subscription by its SubscriptID; one naming no live subscription (never opened, already cancelled, an older generation) is refused and counted', () => {
    const ctx = fakeContext();
    const g = new CpimTransactions(ctx, 1000, (o, d) => o === d);
    // a cancel with nothing subscribed
    expect(g.enter(1, M_UNSUBSCRIBE, 0, 0, g.leave(0, M_UNSUBSCRIBE, 0, 0))).toBe(false);
    const s1 = g.leave(0, M_SUBSCRIBE, 0, 60000);
    expect(g.enter(1, M_SUBSCRIBE, 0, 60000, s1)).toBe(true);
    const cancel1 = g.leave(0, M_UNSUBSCRIBE, 0, 0);
    // the watcher subscribes again (a new SubscriptID) before the first cancel arrives
    const s2 = g.leave(0, M_SUBSCRIBE, 0, 60000);
    expect(s2 % 128).not.toBe(s1 % 128);
    expect(g.enter(1, M_SUBSCRIBE, 0, 60000, s2)).toBe(true);
    expect(g.enter(1, M_UNSUBSCRIBE, 0, 0, cancel1)).toBe(false); // names the first subscription
    const cancel2 = g.leave(0, M_UNSUBSCRIBE, 0, 0);
    expect(g.enter(1, M_UNSUBSCRIBE, 0, 0, cancel2)).toBe(true);
    expect(g.enter(1, M_UNSUBSCRIBE, 0, 0, cancel2)).toBe(false); // already cancelled
    expect(ctx.counters[C.cpimUnknownSubscriptId]).toBe(3);
  });

  it('RFC 3859 3.4: a notify is matched to its subscription by (watcher, target): refused before the subscribe, after the cancel or a termination notice, and from a peer that does not serve the presentity\'s domain', () => {
    const ctx = fakeContext();
    const g = new CpimTransactions(ctx, 1000, (o, d) => o === d);
    const notify = (e: number, from: number) => g.enter(0, M_NOTIFY, e * VERSION_MOD * 4, -1, g.leave(from, M_NOTIFY, e * VERSION_MOD * 4, -1));
    expect(notify(0, 1)).toBe(false);
    expect(ctx.counters[C.cpimNotifyNoSubscription]).toBe(1);
    g.leave(0, M_SUBSCRIBE, 0, 60000);
    expect(notify(0, 1)).toBe(true); // may overtake the response
    expect(notify(1, 1)).toBe(false); // another edge
    expect(notify(0, 0)).toBe(false); // forged: domain 0 does not serve domain 1
    expect(ctx.counters[C.notifyForged]).toBe(1);
    // two notifies carry two fresh TransIDs
    expect(transIdOf(g.leave(1, M_NOTIFY, 0, -1))).not.toBe(transIdOf(g.leave(1, M_NOTIFY, 0, -1)));
    g.enter(0, M_TERMINATED, 0, 1, g.leave(1, M_TERMINATED, 0, 1));
    expect(notify(0, 1)).toBe(false);
    g.leave(0, M_SUBSCRIBE, 0, 60000);
    expect(notify(0, 1)).toBe(true);
    g.leave(0, M_UNSUBSCRIBE, 0, 0);
    expect(notify(0, 1)).toBe(false);
    // a refused subscription ends it too
    g.leave(0, M_SUBSCRIBE, 0, 60000);
    const sub = g.leave(0, M_SUBSCRIBE, 2, 60000);
    g.enter(1, M_SUBSCRIBE, 2, 60000, sub);
    expect(g.enter(0, M_SUB_RESPONSE, 2, -1, g.leave(1, M_SUB_RESPONSE, 2, -1))).toBe(true);
    expect(notify(2, 1)).toBe(false);
    expect(ctx.counters[C.cpimNotifyNoSubscription]).toBe(5);
  });
});

const scenario = (federation: string, behaviour = '', domains = 2) =>
  parseScenario(
    `name: cpim
seed: 5
duration: 20min
domains:
${Array.from({ length: domains }, (_, i) => `  - { name: d${i}.example, users: 40 }`).join('\n')}
links: { default: { dist: lognormal, median: 20ms, sigma: 1 } }
federation: ${federation}
population: { buddies: 4, federatedFraction: 1, online: 0.8, access: { allow: 1 } }
behaviour: { presenceChangeRate: 30/h, sessionLength: 2min, offlineLength: 1min, subscriptionDuration: 3min, maxSubscriptionDuration: 3min, refreshBefore: 30s, imRate: 20/h, fetchRate: 10/h${behaviour} }
`,
    'cpim.yaml',
  );

describe('CPIM at the boundary, in whole runs', () => {
  it('RFC 3859 3.4: in a federated run with churn, every cross-domain request that expects an answer opens a transaction, each answer is matched by its TransID, cancels racing their subscribe are refused by SubscriptID, notifies after a cancel are refused', async () => {
    const r = await runScenario(scenario('{}'), { workers: 1 });
    expect(r.cpim.transactions).toBeGreaterThan(1000);
    expect(r.cpim.responsesMatched).toBeGreaterThan(0.95 * r.cpim.transactions);
    expect(r.cpim.responsesUnmatched).toBe(0);
    expect(r.cpim.notifyNoSubscription).toBeGreaterThan(0);
    expect(r.presence.notifications.undelivered).toBeGreaterThanOrEqual(r.cpim.notifyNoSubscription);
    expect(r.cpim.unknownSubscriptId).toBeGreaterThan(0);
  });

  it('RFC 3860 3.4.1: answers that come after the transaction timeout are refused as unmatched (the requester never gets them); a message whose failure report is refused ends indeterminant', async () => {
    const r = await runScenario(scenario('{ transactionTimeout: 1ms }'), { workers: 1 });
    expect(r.cpim.transactions).toBeGreaterThan(1000);
    expect(r.cpim.responsesMatched).toBe(0);
    expect(r.cpim.responsesUnmatched).toBeGreaterThan(0.95 * r.cpim.transactions);
    expect(r.cpim.expired).toBeGreaterThanOrEqual(r.cpim.responsesUnmatched);
    // a message whose failure report is refused ends indeterminant for its sender, and every
    // message is still accounted for
    expect(r.im.delivered).toBeGreaterThan(0);
    expect(r.cpim.indeterminant).toBeGreaterThan(0);
    expect(r.im.indeterminate).toBeGreaterThanOrEqual(r.cpim.indeterminant);
    expect(r.im.sent + r.im.copies + r.im.inFlightAtStart).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
  });

  it('RFC 2779 5.1.1, 5.2.4, 5.3.3: forged notifications (a presentity its sender\'s domain does not serve) are all refused by the watcher\'s gateway, and none is delivered', async () => {
    const honest = await runScenario(scenario('{}', '', 3), { workers: 1 });
    const r = await runScenario(scenario('{ spoofFraction: 0.2, forgedNotifyRate: 600/h }', '', 3), { workers: 1 });
    expect(r.cpim.forgedNotifies.sent).toBeGreaterThan(100);
    // every one that reached a gateway was refused (one sent in the last few tens of ms may still be on the link at the end)
    expect(r.cpim.forgedNotifies.refused).toBeLessThanOrEqual(r.cpim.forgedNotifies.sent);
    expect(r.cpim.forgedNotifies.refused).toBeGreaterThanOrEqual(r.cpim.forgedNotifies.sent - 2);
    // delivered notifications are ones the presence services sent
    expect(r.presence.notifications.delivered + r.presence.notifications.undelivered).toBeLessThanOrEqual(r.presence.notifications.sent);
    expect(honest.cpim.forgedNotifies.sent).toBe(0);
  });

  it('RFC 2779 5.1.6, 5.1.8: a subscribe or cancel claiming another watcher than the authenticated principal is refused by its home server, every one', async () => {
    const r = await runScenario(scenario('{ spoofFraction: 0.2, thirdPartyRate: 600/h }'), { workers: 1 });
    expect(r.cpim.thirdParty.attempts).toBeGreaterThan(100);
    expect(r.cpim.thirdParty.refused).toBe(r.cpim.thirdParty.attempts);
  });

  it('the CPIM figures are identical for 1, 2 and 3 workers (TransIDs travel between partitions in the third payload slot)', async () => {
    const sc = scenario('{ spoofFraction: 0.1, forgedNotifyRate: 60/h, thirdPartyRate: 60/h }', '', 3);
    const runs = await Promise.all([1, 2, 3].map((w) => runScenario(sc, { workers: w })));
    for (const r of runs.slice(1)) {
      expect(r.cpim).toEqual(runs[0].cpim);
      expect(r.presence.notifications).toEqual(runs[0].presence.notifications);
    }
  });
});
