/**
 * The XMPP binding's subscription handshake (RFC 6121 3.1-3.3, issue 14): a pending request
 * decided allow, one decided refuse, a revocation, each counted stanza by stanza on a tiny
 * deterministic scenario, and every stanza's bytes equal to its real encoding.
 *
 * The scenario: a.example and b.example, one XMPP user each (A = u0@a.example, B = u0@b.example),
 * each watching the other (edges A->B and B->A), 10 ms apart, access links of 1 ms, sessions that
 * outlast the run, no presence changes, no publication lease. A logs in first (in the first 10 s),
 * B after it; a pending request is decided 1 min after it reached the contact.
 */
import { describe, expect, it } from 'vitest';
import { ROSTER_ITEMS, WIRE_KINDS } from '../../sim/model/bindings/kinds.js';
import { xmppWireText } from '../../sim/model/bindings/xmpp-messages.js';
import { runScenario, type Report } from '../../sim/run.js';
import { runTiny, tiny, type Rec, type TinyOptions } from './tiny.js';

const A = 'u0@a.example';
const B = 'u0@b.example';
const TWO = `  - { name: a.example, users: 1, protocol: xmpp, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 1, protocol: xmpp, servers: { count: 1, cores: 64 } }`;
const ONE = `  - { name: example.com, users: 2, protocol: xmpp, servers: { count: 1, cores: 64 } }`;
const opts = (domains: string, access: string, behaviour: TinyOptions['behaviour'] = {}): TinyOptions => ({
  duration: '1h',
  domains,
  links: '{ default: { dist: fixed, value: 10ms } }',
  access: '{ lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 } }',
  population: { buddies: 1, federatedFraction: domains === ONE ? 0 : 1, visibility: '{ full: 1 }', access },
  behaviour: { publicationLease: 0, pendingDecisionDelay: '{ dist: fixed, value: 1min }', ...behaviour },
});
const ALLOW = opts(TWO, '{ pending: 1 }', { pendingAllowFraction: 1 });
const REFUSE = opts(TWO, '{ pending: 1 }', { pendingAllowFraction: 0 });
const REVOKE = opts(TWO, '{ allow: 1 }', { revocationRate: '60/h' });

const LOGIN = ['stream.open', 'stream.features', 'sasl.auth', 'sasl.success', 'stream.restart', 'stream.features.bind', 'iq.bind', 'iq.bind.result', 'iq.roster.get', 'iq.roster.result'];
const HANDSHAKE = /subscribe|subscribed|roster\.push|unavailable/;
const kinds = (r: Report) => Object.fromEntries(Object.entries(r.bindings!.xmpp!.kinds).filter(([k]) => !LOGIN.includes(k)).map(([k, v]) => [k, v.messages]));
const crossing = (r: Report) => r.bindings!.xmpp!.boundaries.reduce((a, b) => a + b.total, 0);
const wire = (r: Report): Rec[] => (r.trace ?? []).filter((x) => x.wire !== undefined);
const pushesTo = (r: Report, u: string) => wire(r).filter((x) => x.wire!.kind === 'iq.roster.push' && x.to === u);

/** The real encoding's bytes of a handshake record; a roster push's item is `item` (ROSTER_ITEMS). */
function encoded(x: Rec, item = -1): number {
  const k = WIRE_KINDS.findIndex((w) => w[0] === x.wire!.kind);
  const base = { domain: 'x', activity: 0, note: 0, body: '', roster: [], n: 4711 };
  if (x.wire!.kind === 'iq.roster.push') return Buffer.byteLength(xmppWireText(k, { ...base, from: x.to, to: x.to === A ? B : A, activity: item }));
  if (x.wire!.kind === 'iq.roster.push.result') return Buffer.byteLength(xmppWireText(k, { ...base, from: x.from, to: '' }));
  return Buffer.byteLength(xmppWireText(k, { ...base, from: x.from, to: x.to }));
}
const item = (name: (typeof ROSTER_ITEMS)[number]) => ROSTER_ITEMS.indexOf(name);

describe('XMPP subscription handshake (RFC 6121 3.1-3.3)', () => {
  it('a pending request decided allow: subscribe, roster pushes, subscribed, then the presence: 48 stanzas', async () => {
    const r = await runTiny(ALLOW);
    const x = r.bindings!.xmpp!;
    // per edge, the request (3.1.1-3.1.3): presence subscribe from the client (1), the user's
    //   server's roster push (none, ask=subscribe) and its result (2), routed s2s (1), delivered
    //   to the contact's client (1; A's request reaches B offline: stored, delivered at its log-in) = 5
    // the approval (3.1.5, 3.1.6): subscribed from the contact's client (1), the contact's push
    //   (from, or both) and result (2), routed s2s (1), the user's push (to, or both) and result
    //   (2), subscribed delivered to the user (1), then the contact's presence (presence.answer, 1) = 8
    // 2 edges x 13 = 26, log-ins 2 x 10, initial presences 2: 48; no probe (the model's subscribe
    // is the request), no broadcast (B's initial presence finds A's request pending)
    expect(kinds(r)).toEqual({
      'presence.client': 2,
      'presence.subscribe.client': 2,
      'presence.subscribe': 4,
      'iq.roster.push': 6,
      'iq.roster.push.result': 6,
      'presence.subscribed.client': 2,
      'presence.subscribed': 4,
      'presence.answer': 2,
    });
    expect(x.messages).toBe(48);
    expect(x.lifecycle).toEqual({ create: 26, change: 0, refresh: 0, terminate: 0 });
    // s2s: the subscribe, the subscribed and the answer of each edge
    expect(crossing(r)).toBe(6);
    expect(r.presence.subscriptions.pendingAllowed).toBe(2);
    // A->B is approved first: A's item for B goes none+ask -> to -> both (when A approves B);
    // B's item for A: none+ask, from (B approves A), both (A approves B)
    const aItems = [item('none+ask'), item('to'), item('both')];
    const bItems = [item('none+ask'), item('from'), item('both')];
    for (const [u, items] of [[A, aItems], [B, bItems]] as const) {
      const pushes = pushesTo(r, u);
      expect(pushes.map((p) => p.bytes)).toEqual(pushes.map((p, i) => encoded(p, items[i])));
    }
    // RFC 6121 3.1.3: A's request found B offline, stored, delivered once B's log-in has its roster
    const rosterB = wire(r).find((y) => y.wire!.kind === 'iq.roster.result' && y.to === B)!.t;
    const toB = wire(r).find((y) => y.wire!.kind === 'presence.subscribe' && y.to === B && y.detail === 'server to client')!;
    expect(wire(r).find((y) => y.wire!.kind === 'presence.subscribe' && y.from === A)!.t).toBeLessThan(rosterB);
    expect(toB.t).toBeGreaterThanOrEqual(rosterB);
    expect(toB.t).toBeLessThan(wire(r).find((y) => y.wire!.kind === 'presence.subscribed.client' && y.from === B)!.t);
    // the trace names each push's item (the inspector encodes it from there)
    expect(pushesTo(r, A).map((p) => p.wire!.roster)).toEqual([
      { jid: B, subscription: 'none', ask: 'subscribe' },
      { jid: B, subscription: 'to' },
      { jid: B, subscription: 'both' },
    ]);
    expect(pushesTo(r, B).map((p) => p.wire!.roster!.subscription)).toEqual(['none', 'from', 'both']);
    // RFC 6121 3.1.5: the contact's presence follows its subscribed
    const ab = wire(r).filter((y) => y.from === B && y.to === A);
    const subscribed = ab.findIndex((y) => y.wire!.kind === 'presence.subscribed.client');
    expect(ab.findIndex((y) => y.wire!.kind === 'presence.answer')).toBeGreaterThanOrEqual(0);
    expect(subscribed).toBeGreaterThanOrEqual(0);
    expect(ab.find((y) => y.wire!.kind === 'presence.answer')!.t).toBeGreaterThanOrEqual(ab[subscribed].t);
  });

  it('a pending request decided refuse: unsubscribed and the user\'s roster push: 42 stanzas', async () => {
    const r = await runTiny(REFUSE);
    const x = r.bindings!.xmpp!;
    // per edge the request as above (5); the refusal (3.2.1-3.2.3 for a request): unsubscribed
    // from the contact's client (1), routed s2s (1), the user's push (none, no ask) and result
    // (2), delivered to the user (1) = 5; the contact's server kept no item, pushes nothing
    // 2 x 10 + 20 log-in + 2 initial presences = 42
    expect(kinds(r)).toEqual({
      'presence.client': 2,
      'presence.subscribe.client': 2,
      'presence.subscribe': 4,
      'iq.roster.push': 4,
      'iq.roster.push.result': 4,
      'presence.unsubscribed.client': 2,
      'presence.unsubscribed': 4,
    });
    expect(x.messages).toBe(42);
    expect(x.lifecycle).toEqual({ create: 10, change: 0, refresh: 0, terminate: 10 });
    expect(crossing(r)).toBe(4);
    expect(r.presence.subscriptions.pendingDenied).toBe(2);
    for (const u of [A, B]) {
      const pushes = pushesTo(r, u);
      expect(pushes.map((p) => p.bytes)).toEqual([encoded(pushes[0], item('none+ask')), encoded(pushes[1], item('none'))]);
    }
  });

  it('a revocation: unsubscribed, roster pushes on both sides, then unavailable: 8 stanzas each', async () => {
    const r = await runTiny(REVOKE);
    const x = r.bindings!.xmpp!;
    // before: the log-in flow of bindings.test.ts (27 stanzas: 20 log-in, 2 initial presences,
    // 2 probes, A's answered unavailable (B offline), B's answered, B's presence broadcast to A).
    // Each user revokes its one subscriber once (then it has none): per revocation (3.2.1-3.2.3)
    // unsubscribed from the contact's client (1), the contact's push (to or none) and result (2),
    // unsubscribed s2s (1), unavailable s2s (1), the user's push (from or none) and result (2),
    // unsubscribed delivered to the user (1) = 8; 27 + 2 x 8 = 43
    expect(r.presence.subscriptions.revoked).toBe(2);
    expect(kinds(r)).toEqual({
      'presence.client': 2,
      'presence.probe': 2,
      'presence.answer': 1,
      'presence.broadcast': 1,
      'presence.unavailable': 3,
      'iq.roster.push': 4,
      'iq.roster.push.result': 4,
      'presence.unsubscribed.client': 2,
      'presence.unsubscribed': 4,
    });
    expect(x.messages).toBe(43);
    expect(x.lifecycle).toEqual({ create: 4, change: 1, refresh: 0, terminate: 16 });
    // s2s: the 5 of the log-in flow, then per revocation the unsubscribed and the unavailable
    expect(crossing(r)).toBe(5 + 2 * 2);
    // the first revoker still watches the other (its item: to), the other's item both -> from;
    // the second revoker's item from -> none, and the first's to -> none
    const ws = wire(r);
    const first = ws.find((y) => y.wire!.kind === 'presence.unsubscribed.client')!.from;
    const second = first === A ? B : A;
    expect(pushesTo(r, first).map((p) => p.bytes)).toEqual(pushesTo(r, first).map((p, i) => encoded(p, [item('to'), item('none')][i])));
    expect(pushesTo(r, second).map((p) => p.bytes)).toEqual(pushesTo(r, second).map((p, i) => encoded(p, [item('from'), item('none')][i])));
    // after its subscription is revoked the watcher sees the contact unavailable (RFC 6121 3.2.2)
    const revoked = ws.find((y) => y.wire!.kind === 'presence.unsubscribed.client' && y.from === first)!;
    expect(ws.some((y) => y.wire!.kind === 'presence.unavailable' && y.from === first && y.to === second && y.t >= revoked.t)).toBe(true);
  });

  it('every handshake stanza is as long as its real encoding', async () => {
    for (const o of [ALLOW, REFUSE, REVOKE]) {
      const r = await runTiny(o);
      const xs = wire(r).filter((y) => HANDSHAKE.test(y.wire!.kind) && y.wire!.kind !== 'iq.roster.push');
      expect(xs.length).toBeGreaterThan(0);
      for (const y of xs) expect(y.bytes, `${y.wire!.kind} ${y.from} -> ${y.to}`).toBe(encoded(y));
    }
  });

  it('inside one domain no stanza crosses a server boundary: the client legs alone, 44 stanzas', async () => {
    const r = await runTiny(opts(ONE, '{ pending: 1 }', { pendingAllowFraction: 1 }));
    // per edge: request 4 (subscribe from the client, push and result, delivery to the contact),
    // approval 6 (subscribed from the client, two pushes with results, delivery to the user) and
    // the presence (1) = 11; 2 x 11 + 20 + 2 = 44
    expect(r.bindings!.xmpp!.messages).toBe(44);
    expect(kinds(r)['presence.subscribe']).toBe(2);
    expect(kinds(r)['presence.subscribed']).toBe(2);
    expect(crossing(r)).toBe(0);
  });

  it('the same report on 1 and 2 workers', async () => {
    for (const o of [ALLOW, REVOKE]) {
      const s = tiny(o);
      const [one, two] = [await runScenario(s, { workers: 1 }), await runScenario(s, { workers: 2 })];
      expect(JSON.stringify(two.bindings)).toBe(JSON.stringify(one.bindings));
      expect(JSON.stringify(two.trace)).toBe(JSON.stringify(one.trace));
    }
  });
});
