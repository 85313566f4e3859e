/**
 * Protocol bindings (issue 14) on tiny scenarios: the message sequences of the RFCs' examples,
 * exact counts of a long run derived by hand, and sizes equal to the real encodings.
 */
import { describe, expect, it } from 'vitest';
import { encodeSipMessage } from '../../sim/wire/sip-encode.js';
import { encodePidf } from '../../sim/wire/pidf-encode.js';
import { sipWireMessage } from '../../sim/model/bindings/sip-messages.js';
import { WIRE_KINDS } from '../../sim/model/bindings/kinds.js';
import { viewDocument } from '../../sim/model/presence-document.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { runScenario, type Report } from '../../sim/run.js';
import { runTiny, runUntil, tinyYaml, type Rec } from './tiny.js';

const one = (protocol: string, users = 2) => `  - name: example.com
    users: ${users}
    protocol: ${protocol}
    servers: { count: 1, cores: 64 }`;
/** two domains of one user each, a.example and b.example, 10 ms apart */
const two = (pa: string, pb: string) => `  - { name: a.example, users: 1, protocol: ${pa}, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 1, protocol: ${pb}, servers: { count: 1, cores: 64 } }`;
const LINKS = '{ default: { dist: fixed, value: 10ms } }';
/** access links of 1 ms, so that each step of a flow has its own time in the trace */
const ACCESS_1MS = '{ lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 } }';
const FED = { buddies: 1, federatedFraction: 1, visibility: '{ full: 1 }' };

const wire = (r: Report): Rec[] => (r.trace ?? []).filter((x) => x.wire !== undefined);
const kindsOf = (xs: Rec[]) => xs.map((x) => x.wire!.kind);
const sipUri = (user: string) => `sip:${user}`;

/** The real SIP message a trace record stands for, encoded: its length must be the record's bytes. */
function encodedSip(x: Rec, body: string, reason = 0): string {
  const k = WIRE_KINDS.findIndex((w) => w[0] === x.wire!.kind);
  const fromUser = x.from.includes('@') ? x.from : x.to;
  const toUser = x.to.includes('@') ? x.to : x.from;
  const isResp = /^[0-9]/.test(x.wire!.kind);
  // a response carries its request's From and To; the host is the one of the request's sender
  const [from, to] = isResp ? [toUser, fromUser] : [fromUser, toUser];
  const host = (isResp ? toUser : fromUser).split('@')[1]!;
  return encodeSipMessage(sipWireMessage(k, { from: sipUri(from), to: sipUri(to), host, cseq: x.wire!.cseq ?? 1, expires: x.wire!.expires ?? -1, reason, body, n: 12345 }));
}
const pidfOf = (x: Rec) => encodePidf(viewDocument(x.state!.entity, x.state!.view, x.state!.tuples));

describe('SIP/SIMPLE binding', () => {
  it('runs the RFC 3856 section 8 flow: SUBSCRIBE, 200, NOTIFY, 200, then NOTIFY, 200 on a change', async () => {
    const r = await runUntil(
      { users: 2, duration: '30min', access: ACCESS_1MS, domains: one('sip'), population: { visibility: '{ full: 1 }' }, behaviour: { presenceChangeRate: '20/h', publicationLease: 0 } },
      (x) => x.presence.publishes > 2,
      'a change after the log-ins',
    );
    // the subscription of u0 to u1 (edge 1), in time order
    const sub = wire(r).filter((x) => (x.from === 'u0@example.com' && x.to === 'u1@example.com') || (x.from === 'u1@example.com' && x.to === 'u0@example.com'));
    const first = sub.findIndex((x) => x.wire!.kind === 'SUBSCRIBE' && x.from === 'u0@example.com');
    const flow = sub.slice(first).filter((x) => (x.from === 'u0@example.com') === ['SUBSCRIBE', '200.NOTIFY'].includes(x.wire!.kind));
    expect(kindsOf(flow).slice(0, 6)).toEqual(['SUBSCRIBE', '200.SUBSCRIBE', 'NOTIFY', '200.NOTIFY', 'NOTIFY', '200.NOTIFY']);
    // Expires of the SUBSCRIBE (1h asked), granted in the 200, remaining in the first NOTIFY's Subscription-State
    expect(flow[0].wire!.expires).toBe(3600);
    expect(flow[1].wire!.expires).toBe(3600);
    expect(flow[2].wire!.expires).toBeLessThanOrEqual(3600);
    expect(flow[2].wire!.expires).toBeGreaterThanOrEqual(3599);
    expect(encodedSip(flow[2], pidfOf(flow[2]))).toContain(`Subscription-State: active;expires=${flow[2].wire!.expires}\r\n`);
    // the NOTIFY on the change carries the new state, after a publish of u1
    const change = flow[4];
    expect(r.trace!.some((x) => x.op === 'publish' && x.from === 'u1@example.com' && x.t <= change.t && x.t > flow[2].t)).toBe(true);
    // CSeq counts up in each direction of the dialog
    expect([flow[2].wire!.cseq, flow[4].wire!.cseq]).toEqual([1, 2]);
    expect([flow[3].wire!.cseq, flow[5].wire!.cseq]).toEqual([1, 2]);
  });

  it('sizes every SIP message as its real encoding: NOTIFY with its PIDF body, SUBSCRIBE, the responses', async () => {
    const r = await runTiny({ users: 2, duration: '2h', domains: one('sip'), population: { visibility: '{ full: 1 }' }, behaviour: { presenceChangeRate: '6/h' } });
    const sip = wire(r).filter((x) => x.wire!.protocol === 'sip');
    const kinds = new Set(kindsOf(sip));
    for (const k of ['SUBSCRIBE', '200.SUBSCRIBE', 'NOTIFY', '200.NOTIFY', 'SUBSCRIBE.refresh', 'PUBLISH', '200.PUBLISH', 'PUBLISH.refresh']) expect(kinds).toContain(k);
    let checked = 0;
    for (const x of sip) {
      if (x.wire!.kind === 'NOTIFY') expect(Buffer.byteLength(encodedSip(x, pidfOf(x)))).toBe(x.bytes);
      else if (x.wire!.kind === 'PUBLISH') expect(Buffer.byteLength(encodedSip({ ...x, to: x.from }, pidfOf(x)))).toBe(x.bytes);
      else if (['SUBSCRIBE', 'SUBSCRIBE.refresh', '200.SUBSCRIBE', '200.NOTIFY'].includes(x.wire!.kind)) expect(Buffer.byteLength(encodedSip(x, '', x.wire!.kind === '200.NOTIFY' ? 1 : 0))).toBe(x.bytes);
      else continue;
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('refreshes a publication as RFC 3903 4.2 does: PUBLISH with SIP-If-Match and no body, 200 with a new SIP-ETag', async () => {
    const r = await runTiny({ users: 2, duration: '25min', access: ACCESS_1MS, domains: one('sip'), behaviour: { publicationLease: '10min', refreshBefore: '1min' } });
    // a response has the time of its request: requests first
    const u0 = wire(r)
      .filter((x) => (x.from === 'u0@example.com' || x.to === 'u0@example.com') && x.wire!.kind.includes('PUBLISH'))
      .sort((x, y) => x.t - y.t || Number(x.wire!.kind.startsWith('200')) - Number(y.wire!.kind.startsWith('200')));
    // at log-in PUBLISH -> 200, then a refresh 9 min later and 9 min after that
    expect(kindsOf(u0)).toEqual(['PUBLISH', '200.PUBLISH', 'PUBLISH.refresh', '200.PUBLISH', 'PUBLISH.refresh', '200.PUBLISH']);
    expect(u0[2].t - u0[0].t).toBeCloseTo(9 * 60_000, -1);
    const refresh = encodedSip({ ...u0[2], to: u0[2].from }, '');
    expect(refresh).toMatch(/\r\nSIP-If-Match: e[0-9a-z]{10}\r\n/);
    expect(refresh).toContain('Expires: 600\r\nSIP-If-Match');
    expect(refresh).toMatch(/Content-Length: 0\r\n\r\n$/);
    expect(Buffer.byteLength(refresh)).toBe(u0[2].bytes);
    const ok = encodedSip({ ...u0[3], from: u0[3].to, to: u0[3].to }, '');
    expect(ok).toMatch(/^SIP\/2.0 200 OK\r\n[^]*\r\nSIP-ETag: e[0-9a-z]{10}\r\n/);
    expect(Buffer.byteLength(ok)).toBe(u0[3].bytes);
  });

  it('answers an unsubscribe with 200 and a terminated NOTIFY, itself answered', async () => {
    const r = await runUntil(
      { users: 2, duration: '3h', access: ACCESS_1MS, domains: one('sip'), behaviour: { sessionLength: '30min', offlineLength: '30min', publicationLease: 0 } },
      (x) => x.sessions.logouts > 0 && x.sessions.crashes === 0,
      'a log-out that is no crash',
    );
    const ends = wire(r).filter((x) => x.wire!.kind === 'SUBSCRIBE.unsubscribe');
    expect(ends.length).toBeGreaterThan(0);
    const x = ends[0];
    // the messages of this dialog: the watcher's requests and answers, the presentity's responses
    // and NOTIFYs (not the other dialog of the pair, where the roles are swapped)
    const watcherSends = (k: string) => k.startsWith('SUBSCRIBE') || /^\d{3}\.NOTIFY$/.test(k);
    const after = wire(r).filter((y) => y.t >= x.t && ((y.from === x.from && y.to === x.to && watcherSends(y.wire!.kind)) || (y.from === x.to && y.to === x.from && !watcherSends(y.wire!.kind))));
    expect(kindsOf(after).slice(0, 4)).toEqual(['SUBSCRIBE.unsubscribe', '200.SUBSCRIBE', 'NOTIFY.terminated', '481.NOTIFY']);
    expect(after[0].wire!.expires).toBe(0);
    // the watcher has logged out, so its client answers 481 (RFC 6665 4.1.3)
    expect(r.bindings!.sip!.lifecycle.terminate).toBe(4 * ends.length);
  });
});

describe('XMPP binding', () => {
  it('logs in as RFC 6120 and 6121 say: stream, SASL, bind, roster, initial presence, probes answered, broadcast', async () => {
    const r = await runTiny({ users: 2, duration: '1min', access: ACCESS_1MS, domains: one('xmpp'), population: { visibility: '{ full: 1 }' } });
    const xs = wire(r);
    const login = (u: string) => kindsOf(xs.filter((x) => (x.from === u || x.to === u) && (x.from === 'example.com' || x.to === 'example.com')));
    const expected = ['stream.open', 'stream.features', 'sasl.auth', 'sasl.success', 'stream.restart', 'stream.features.bind', 'iq.bind', 'iq.bind.result', 'iq.roster.get', 'iq.roster.result'];
    for (const u of ['u0@example.com', 'u1@example.com']) {
      const seen = login(u);
      expect(seen.filter((k) => expected.includes(k))).toEqual(expected);
      expect(seen).toContain('presence.client');
    }
    // the first to log in probes the other (offline: answered unavailable, RFC 6121 4.3.2); the
    // second probes the first (answered with its presence) and its initial presence is broadcast
    const opened = (u: string) => xs.find((x) => x.from === u && x.wire!.kind === 'stream.open')!.t;
    const [early, late] = ['u0@example.com', 'u1@example.com'].sort((a, b) => opened(a) - opened(b));
    // the initial presence and the probes once the roster is in (RFC 6121 4.2, 4.3); the probes
    // leave as the client sends the presence, its record is the server's processing of it
    for (const u of [early, late]) {
      const roster = xs.find((x) => x.to === u && x.wire!.kind === 'iq.roster.result')!.t;
      const initial = xs.find((x) => x.from === u && x.wire!.kind === 'presence.client')!.t;
      const probe = xs.find((x) => x.from === u && x.wire!.kind === 'presence.probe')!.t;
      expect(roster).toBeLessThan(initial);
      expect(roster).toBeLessThan(probe);
    }
    const between = (k: string, f: string, t: string) => xs.filter((x) => x.wire!.kind === k && x.from === f && x.to === t).length;
    expect(between('presence.probe', early, late)).toBe(1);
    expect(between('presence.unavailable', late, early)).toBe(1);
    expect(between('presence.probe', late, early)).toBe(1);
    expect(between('presence.answer', early, late)).toBe(1);
    expect(between('presence.broadcast', late, early)).toBe(1);
    // no acknowledgements of presence, no response to a probe
    expect(r.bindings!.xmpp!.kinds['200.NOTIFY']).toBeUndefined();
    expect(r.pairs).toEqual([]);
  });

  it('logs out with unavailable presence and closes the stream both ways; the roster subscriptions stay', async () => {
    const r = await runUntil(
      { users: 2, duration: '3h', access: ACCESS_1MS, domains: one('xmpp'), behaviour: { sessionLength: '30min', offlineLength: '30min', publicationLease: 0 } },
      (x) => x.sessions.logouts > 1 && x.sessions.crashes === 0,
      'log-outs that are no crash',
    );
    const x = r.bindings!.xmpp!;
    expect(x.kinds['presence.client.unavailable'].messages).toBe(r.sessions.logouts);
    expect(x.kinds['stream.close'].messages).toBe(2 * r.sessions.logouts);
    // RFC 6121: nothing unsubscribes at log-out, the contacts' subscriptions outlive the session
    expect(r.trace!.filter((t) => t.op === 'unsubscribe')).toEqual([]);
    expect(r.presence.subscriptions.terminated).toBe(0);
    // a presentity's change reaches a logged-out local contact as no stanza (its server has no stream to it)
    const t = r.trace!;
    const onlineAt = (u: string, at: number) => {
      const opened = t.filter((y) => y.from === u && y.wire?.kind === 'stream.open' && y.t <= at).map((y) => y.t);
      const closed = t.filter((y) => y.from === u && y.wire?.kind === 'stream.close' && y.t <= at).map((y) => y.t);
      return opened.length > 0 && Math.max(...opened) > Math.max(-1, ...closed);
    };
    const notes = t.filter((y) => y.op === 'notify');
    expect(notes.some((y) => y.wire === undefined)).toBe(true);
    for (const y of notes) expect(onlineAt(y.to, y.t), `${y.t} ${y.to}`).toBe(y.wire !== undefined);
  });

  it('refuses scenario fields with no XMPP meaning, naming the field and the domain', () => {
    const bad = tinyYaml({ users: 2, domains: one('xmpp'), population: { watchers: '{ subscriber: 0.5, poller: 0.5 }' } });
    expect(() => parseScenario(bad, 'x.yaml')).toThrow(/population\.watchers\.poller: .*no XMPP meaning for domain 'example.com' \(protocol: xmpp\)/);
    const wi = tinyYaml({ users: 2, domains: one('xmpp'), population: { watcherInfoSubscribers: 0.5 } });
    expect(() => parseScenario(wi, 'x.yaml')).toThrow(/population\.watcherInfoSubscribers: .*watcher information/);
    expect(() => parseScenario(tinyYaml({ users: 2, domains: one('sip'), population: { watchers: '{ subscriber: 0.5, poller: 0.5 }' } }), 'x.yaml')).not.toThrow();
  });
});

describe('exact counts of a long run', () => {
  // Two users in two domains, each watching the other (two subscriptions), 10 h, no presence
  // changes, no publication lease, 1 h subscriptions refreshed 1 min ahead; logins in the first
  // 10 s. The first to log in (A) subscribes while B is offline; B logs in (its publish is a change
  // for A's subscription) and subscribes. Each subscription is refreshed every 59 min (plus a few
  // ms per cycle): at 59, 118, ..., 590 min, 10 times before 600 min.
  const o = (pa: string, pb: string) => ({ duration: '10h', domains: two(pa, pb), links: LINKS, population: FED, behaviour: { publicationLease: 0 } });

  it('CPIM: 2 subscribes, 20 refreshes, 22 responses, 3 notifications cross', async () => {
    const r = await runTiny(o('cpim', 'cpim'));
    const m = (k: string) => r.pairs.reduce((x, p) => x + p.messages[k], 0);
    expect([m('subscribe'), m('refresh'), m('subscribeResponse'), m('notify')]).toEqual([2, 20, 22, 3]);
    expect(r.pairs.reduce((x, p) => x + p.total, 0)).toBe(47);
    expect(r.bindings).toBeUndefined();
  });

  it('SIP: each transaction with its response and every NOTIFY answered: 94 messages, 90 cross', async () => {
    const r = await runTiny(o('sip', 'sip'));
    const sip = r.bindings!.sip!;
    const n = (k: string) => sip.kinds[k]?.messages ?? 0;
    // create: SUBSCRIBE, 200, NOTIFY, 200 per subscription (2 x 4 = 8)
    // change: B's log-in PUBLISH is a NOTIFY, 200 for A's subscription (2)
    // refresh: SUBSCRIBE, 200, NOTIFY, 200 per refresh (20 x 4 = 80)
    // and two PUBLISH, 200 at the log-ins (4): 94; all but the PUBLISH pairs cross (90)
    expect(sip.lifecycle).toEqual({ create: 8, change: 2, refresh: 80, terminate: 0 });
    expect([n('SUBSCRIBE'), n('SUBSCRIBE.refresh'), n('200.SUBSCRIBE'), n('NOTIFY'), n('200.NOTIFY'), n('PUBLISH'), n('200.PUBLISH')]).toEqual([2, 20, 22, 23, 23, 2, 2]);
    expect(sip.messages).toBe(94);
    expect(sip.boundaries.reduce((x, b) => x + b.total, 0)).toBe(90);
    // the link carries the SIP bytes
    expect(r.links.reduce((x, l) => x + l.bytes, 0)).toBe(sip.boundaries.reduce((x, b) => x + b.bytes, 0));
  });

  it('XMPP: a log-in of 10 stanzas each, initial presence, a probe each, answered, one broadcast: 27 stanzas', async () => {
    const r = await runTiny(o('xmpp', 'xmpp'));
    const x = r.bindings!.xmpp!;
    // 2 x 10 log-in stanzas, 2 initial presences, 2 probes, A's probe answered unavailable (B
    // offline), B's answered with A's presence, B's initial presence broadcast to A: 27; no
    // refresh (roster subscriptions do not expire), no response to a probe
    expect(x.messages).toBe(27);
    expect(x.lifecycle).toEqual({ create: 4, change: 1, refresh: 0, terminate: 0 });
    expect(x.kinds['presence.probe'].messages).toBe(2);
    expect(x.kinds['presence.broadcast'].messages).toBe(1);
    expect(r.presence.subscriptions.refreshed).toBe(0);
    // server to server: the probes, answers and the broadcast (5) cross, and nothing else
    expect(x.boundaries.reduce((a, b) => a + b.total, 0)).toBe(5);
    expect(r.pairs.reduce((a, p) => a + p.total, 0)).toBe(5);
    expect(r.links.reduce((a, l) => a + l.bytes, 0)).toBe(x.boundaries.reduce((a, b) => a + b.bytes, 0));
  });
});

describe('gateways between bindings', () => {
  it('a SIP watcher of an XMPP presentity receives every change, each side counted in its terms', async () => {
    const r = await runTiny({ duration: '4h', domains: two('sip', 'xmpp'), links: LINKS, population: FED, behaviour: { presenceChangeRate: '12/h', publicationLease: 0 } });
    const t = r.trace!;
    const sub = t.find((x) => x.op === 'subscribe' && x.from === 'u0@a.example')!;
    const changes = t.filter((x) => x.op === 'publish' && x.from === 'u0@b.example' && x.t > sub.t + 50).length;
    expect(changes).toBeGreaterThan(10);
    // on the XMPP side broadcasts leave b; on the SIP side each arrives as a NOTIFY, answered 200
    const sipA = r.bindings!.sip!.perDomain['a.example'];
    const notes = t.filter((x) => x.op === 'notify' && x.from === 'u0@b.example' && x.to === 'u0@a.example');
    expect(notes.length).toBeGreaterThanOrEqual(changes + 1);
    expect(notes.every((x) => x.wire!.protocol === 'xmpp')).toBe(true);
    expect(sipA.translated.NOTIFY).toBe(notes.length);
    expect(sipA.sent['200.NOTIFY']).toBe(notes.length);
    expect(r.federation.notifyLost).toBe(0);
    // nothing of SIP crosses to the XMPP domain: its 200s end at a's gateway
    expect(r.pairs.every((p) => p.messages.wire === undefined)).toBe(true);
    expect(r.bindings!.sip!.boundaries).toEqual([]);
  });
});

describe('bindings and partitions', () => {
  it('a SIP, an XMPP and a CPIM domain give the same report, trace included, on 1 and 2 workers', async () => {
    const sc = parseScenario(
      tinyYaml({
        duration: '20min',
        domains: `  - { name: s.example, users: 12, protocol: sip }
  - { name: x.example, users: 8, protocol: xmpp }
  - { name: c.example, users: 6 }`,
        links: LINKS,
        population: { buddies: 3, federatedFraction: 0.6, visibility: '{ full: 1 }' },
        behaviour: { presenceChangeRate: '20/h', imRate: '20/h', sessionLength: '8min', offlineLength: '4min', publicationLease: '5min' },
      }),
      'mixed.yaml',
    );
    const strip = (r: Report) => ({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });
    const one = await runScenario(sc, { workers: 1 });
    const two = await runScenario(sc, { workers: 2 });
    expect(one.bindings!.sip!.messages).toBeGreaterThan(0);
    expect(one.bindings!.xmpp!.messages).toBeGreaterThan(0);
    expect(strip(two)).toEqual(strip(one));
  });

  it('a SIP domain whose 200s to SUBSCRIBE are mapped where they arrive (from an XMPP domain on another worker) gives the same bytes on 1 and 2 workers', async () => {
    // the 200 echoes the CSeq of the SUBSCRIBE it answers: at the watcher's SIP gateway that is the
    // watcher's own count, not the count the presentity's side received (another partition's state)
    const sc = parseScenario(
      tinyYaml({
        duration: '60min',
        domains: `  - { name: s.example, users: 14, protocol: sip }
  - { name: x.example, users: 12, protocol: xmpp }`,
        links: LINKS,
        population: { buddies: 4, federatedFraction: 0.7, visibility: '{ full: 1 }' },
        // long sessions and short subscriptions: many refreshes per edge, CSeqs of two digits and more
        behaviour: { presenceChangeRate: '30/h', sessionLength: '40min', offlineLength: '2min', subscriptionDuration: '90s', maxSubscriptionDuration: '90s' },
      }),
      'sip-xmpp.yaml',
    );
    const strip = (r: Report) => ({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });
    const one = await runScenario(sc, { workers: 1 });
    const two = await runScenario(sc, { workers: 2 });
    expect(one.bindings!.sip!.kinds['200.SUBSCRIBE'].messages).toBeGreaterThan(50);
    expect(two.bindings!.sip!.kinds['200.SUBSCRIBE']).toEqual(one.bindings!.sip!.kinds['200.SUBSCRIBE']);
    expect(strip(two)).toEqual(strip(one));
  });
});
