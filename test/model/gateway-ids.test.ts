/**
 * A gateway's mapping of TransID and SubscriptID to its own side's identifiers
 * (sim/model/bindings/gateway-ids.ts; issue 14): SIP dialogs (Call-ID) for subscriptions,
 * (Call-ID, CSeq) for transactions, XMPP stanza ids; consistent both ways, then in whole runs.
 */
import { describe, expect, it } from 'vitest';
import { COUNTERS, type ModelContext } from '../../sim/model/context.js';
import { CSEQ_MOD, GatewayIds } from '../../sim/model/bindings/gateway-ids.js';
import { P_CPIM, P_SIP, P_XMPP } from '../../sim/model/bindings/kinds.js';
import { M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_UNSUBSCRIBE, TWO26 } from '../../sim/model/messages.js';
import { VERSION_MOD } from '../../sim/model/notification.js';
import { runScenario } from '../../sim/run.js';
import { tiny, type Rec } from './tiny.js';

/** three domains (0 SIP, 1 XMPP, 2 SIP) and users 0, 1, 2, one in each; edge 0: user 0 watches user 1; edge 1: user 1 watches user 0; edge 2: user 0 watches user 2 */
function fakeContext(): ModelContext {
  return {
    kernel: { owns: () => true, now: 0 },
    // one server node per domain: its home LP is the domain
    cluster: { home: (d: number) => d },
    D: 3,
    E: 3,
    U: 3,
    counters: new Float64Array(COUNTERS.length),
    pop: { domainOf: Int32Array.from([0, 1, 2]), edgePresentity: Int32Array.from([1, 0, 2]), edgeWatcher: Int32Array.from([0, 1, 0]) },
  } as unknown as ModelContext;
}
const PROTO = Uint8Array.from([P_SIP, P_XMPP, P_SIP]);
const notifyA = (e: number) => e * VERSION_MOD * 4;

describe('GatewayIds', () => {
  it('translates only between a SIP or XMPP domain and a domain of another binding', () => {
    const ids = new GatewayIds(fakeContext(), PROTO, 1000);
    expect(ids.translates(0, M_SUBSCRIBE, 0)).toBe(true); // SIP watcher, XMPP presentity
    expect(ids.translates(1, M_SUBSCRIBE, 0)).toBe(true);
    expect(ids.translates(0, M_SUBSCRIBE, 2)).toBe(false); // SIP to SIP: no translation
    expect(new GatewayIds(fakeContext(), Uint8Array.from([P_CPIM, P_CPIM, P_CPIM]), 1000).translates(0, M_SUBSCRIBE, 0)).toBe(false);
  });

  it('SIP: a subscription is one dialog (Call-ID) for its SubscriptID; each request in it has the next CSeq; a response gets its request\'s (Call-ID, CSeq) back by TransID, and both entries close', () => {
    const ids = new GatewayIds(fakeContext(), PROTO, 1000);
    // the SIP watcher's subscribe (TransID 11, SubscriptID 1) leaves domain 0
    ids.map(0, M_SUBSCRIBE, 0, 11, 1);
    const call = ids.callId;
    expect([call > 0, ids.cseq]).toEqual([true, 1]);
    expect(ids.transOf(0, call * CSEQ_MOD + 1)).toBe(11);
    expect(ids.sideOf(0, 11)).toBe(call * CSEQ_MOD + 1);
    expect(ids.subscriptionOf(0, call)).toBe(1);
    // a notify of that subscription comes in: same dialog, next CSeq, nothing left open (no CPIM response)
    ids.map(0, M_NOTIFY, notifyA(0), 12, 1);
    expect([ids.callId, ids.cseq]).toEqual([call, 2]);
    expect(ids.transOf(0, call * CSEQ_MOD + 2)).toBeNaN();
    // the response to the subscribe comes back with TransID 11: (Call-ID, CSeq 1) again, both ways closed
    ids.map(0, M_SUB_RESPONSE, 0, 11, -1);
    expect([ids.callId, ids.cseq]).toEqual([call, 1]);
    expect(ids.sideOf(0, 11)).toBeNaN();
    expect(ids.transOf(0, call * CSEQ_MOD + 1)).toBeNaN();
    // the same response again maps to nothing
    ids.map(0, M_SUB_RESPONSE, 0, 11, -1);
    expect(ids.callId).toBe(0);
    // a refresh and the cancel stay in the dialog; a subscribe of a new SubscriptID opens another
    ids.map(0, M_REFRESH, 0, 13, 1);
    expect([ids.callId, ids.cseq]).toEqual([call, 3]);
    ids.map(0, M_UNSUBSCRIBE, 0, 14, 1);
    expect([ids.callId, ids.cseq]).toEqual([call, 4]);
    ids.map(0, M_SUBSCRIBE, 0, 15, 2);
    expect(ids.callId).not.toBe(call);
    expect(ids.cseq).toBe(1);
    expect(ids.subscriptionOf(0, ids.callId)).toBe(2);
    expect(ids.subscriptionOf(0, call)).toBeNaN();
    // a notify naming no subscription (a forger's) maps to nothing
    ids.map(0, M_NOTIFY, notifyA(0), 16, -1);
    expect(ids.callId).toBe(0);
  });

  it('XMPP: each stanza has an id of its own; a response gets its request\'s stanza id by TransID', () => {
    const ids = new GatewayIds(fakeContext(), PROTO, 1000);
    ids.map(1, M_SUBSCRIBE, 0, 21, 1); // the SIP watcher's subscribe enters the XMPP domain
    const stanza = ids.callId;
    ids.map(1, M_NOTIFY, notifyA(0), 22, 1);
    expect(ids.callId).not.toBe(stanza);
    ids.map(1, M_SUB_RESPONSE, 0, 21, -1);
    expect([ids.callId, ids.cseq]).toEqual([stanza, 0]);
    // an IM from the XMPP user to the SIP user and its report
    ids.map(1, M_MESSAGE, 1 * TWO26 + 0, 23, -1);
    const m = ids.callId;
    expect(ids.transOf(1, m * CSEQ_MOD)).toBe(23);
    ids.map(1, M_REPORT, 1 * TWO26 + 0, 23, -1);
    expect(ids.callId).toBe(m);
  });

  it('over a random mix, every open SIP-side id maps to one TransID and that TransID back to it', () => {
    const ids = new GatewayIds(fakeContext(), PROTO, 1e12);
    let t = 100;
    const open: number[] = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const gen = [1, 1];
    for (let i = 0; i < 2000; i++) {
      const x = rnd();
      if (x < 0.4 || open.length === 0) {
        const e = rnd() < 0.5 ? 0 : 1;
        if (rnd() < 0.2) gen[e]++;
        ids.map(0, rnd() < 0.5 ? M_SUBSCRIBE : M_REFRESH, e, ++t, e * 128 + gen[e]);
        open.push(t);
      } else if (x < 0.7) ids.map(0, M_NOTIFY, notifyA(rnd() < 0.5 ? 0 : 1), ++t, 1);
      else ids.map(0, M_SUB_RESPONSE, 0, open.splice(Math.floor(rnd() * open.length), 1)[0], -1);
    }
    expect(open.length).toBeGreaterThan(50);
    const sides = new Set<number>();
    for (const tid of open) {
      const side = ids.sideOf(0, tid);
      expect(Number.isNaN(side), `TransID ${tid}`).toBe(false);
      expect(ids.transOf(0, side)).toBe(tid);
      sides.add(side);
    }
    expect(sides.size).toBe(open.length);
  });
});

/** a SIP domain and an XMPP domain of two users each, every buddy across the boundary, with churn and IMs */
const MIXED = tiny({
  duration: '12min',
  domains: `  - { name: a.example, users: 2, protocol: sip, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 2, protocol: xmpp, servers: { count: 1, cores: 64 } }`,
  links: '{ default: { dist: fixed, value: 10ms } }',
  population: { buddies: 2, federatedFraction: 1, visibility: '{ full: 1 }' },
  behaviour: { presenceChangeRate: '30/h', imRate: '20/h', sessionLength: '3min', offlineLength: '1min', subscriptionDuration: '2min', maxSubscriptionDuration: '2min', refreshBefore: '30s' },
});

/** a map that must stay one-to-one: each key one value */
function oneToOne(pairs: [string | number, string | number][], what: string): void {
  const m = new Map<string | number, string | number>();
  for (const [k, v] of pairs) {
    if (m.has(k)) expect(m.get(k), `${what} ${k}`).toBe(v);
    m.set(k, v);
  }
}

describe('GatewayIds in a SIP-XMPP federation (the trace shows the sender side\'s ids)', () => {
  it('every SIP-side transaction id (Call-ID, CSeq) maps to one TransID and back; a subscription is one dialog; the answer to an XMPP subscribe comes back in the dialog its notifies use', async () => {
    const r = await runScenario(MIXED, { workers: 1 });
    const trace = r.trace!;
    const sip = trace.filter((x) => x.fromDomain === 'a.example' && x.toDomain === 'b.example' && x.cpim?.sip !== undefined);
    const xmpp = trace.filter((x) => x.fromDomain === 'b.example' && x.toDomain === 'a.example' && x.cpim?.xmpp !== undefined);
    const ops = new Set(sip.map((x) => x.op));
    for (const op of ['subscribe', 'subscribeResponse', 'notify', 'unsubscribe', 'message', 'messageReport']) expect(ops, op).toContain(op);
    // every message that crossed between the bindings got its side's ids from the sender's gateway
    for (const x of trace.filter((y) => y.cpim !== undefined && y.fromDomain !== y.toDomain && y.op !== 'listNotify')) {
      expect(x.cpim!.sip !== undefined || x.cpim!.xmpp !== undefined, `${x.op} at ${x.t}`).toBe(true);
    }
    const side = (x: Rec) => `${x.cpim!.sip!.callId}/${x.cpim!.sip!.cseq}`;
    // both directions: a transaction id names one TransID, a TransID one transaction id
    oneToOne(sip.map((x) => [side(x), x.cpim!.transId]), 'SIP transaction');
    oneToOne(sip.map((x) => [x.cpim!.transId, side(x)]), 'TransID');
    // a subscription (SubscriptID) is one dialog (Call-ID), and a dialog one subscription
    const dialog = sip.filter((x) => x.cpim!.subscriptId !== undefined);
    oneToOne(dialog.map((x) => [x.cpim!.subscriptId!, x.cpim!.sip!.callId]), 'SubscriptID');
    oneToOne(dialog.map((x) => [x.cpim!.sip!.callId, x.cpim!.subscriptId!]), 'Call-ID');
    // an XMPP watcher's subscribe came in and was answered in SIP terms: that answer's Call-ID is
    // the dialog of the subscription its SubscriptID names, whose notifies follow with higher CSeqs
    let checked = 0;
    for (const answer of sip.filter((x) => x.op === 'subscribeResponse')) {
      const request = xmpp.find((x) => (x.op === 'subscribe' || x.op === 'refresh') && x.cpim!.transId === answer.cpim!.transId);
      expect(request, `the request of the answer at ${answer.t}`).toBeDefined();
      const later = dialog.filter((x) => x.cpim!.subscriptId === request!.cpim!.subscriptId && x.t > answer.t);
      for (const n of later) {
        expect(n.cpim!.sip!.callId).toBe(answer.cpim!.sip!.callId);
        expect(n.cpim!.sip!.cseq).toBeGreaterThan(answer.cpim!.sip!.cseq);
      }
      checked += later.length;
    }
    expect(checked).toBeGreaterThan(10);
    // XMPP: every stanza the gateway let out has an id of its own
    const requests = xmpp.filter((x) => !/Response|Report/.test(x.op)).map((x) => x.cpim!.xmpp!.stanzaId);
    expect(new Set(requests).size).toBe(requests.length);
    oneToOne(xmpp.map((x) => [x.cpim!.transId, x.cpim!.xmpp!.stanzaId]), 'TransID (XMPP)');
  });

  it('the mapped identifiers are the same for 1 and 2 workers', async () => {
    const [one, two] = await Promise.all([1, 2].map((w) => runScenario(MIXED, { workers: w })));
    expect(two.trace!.map((x) => x.cpim ?? null)).toEqual(one.trace!.map((x) => x.cpim ?? null));
  });
});
