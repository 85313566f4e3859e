/**
 * SIP binding completeness (issue 14) on tiny scenarios: RFC 4662 resource lists
 * (domains[].resourceLists), RFC 3857 watcher information dialogs and RFC 5263 partial
 * notifications, each compared with the RFC's flow and sized as its real encoding.
 */
import { describe, expect, it } from 'vitest';
import { encodeSipMessage } from '../../sim/wire/sip-encode.js';
import { encodePidf } from '../../sim/wire/pidf-encode.js';
import { encodePidfDiff } from '../../sim/wire/pidf-diff.js';
import { encodeRlmi } from '../../sim/wire/rlmi.js';
import { encodeMultipartRelated, mimeBoundary, mimeContentId } from '../../sim/wire/multipart.js';
import { encodeWatcherinfo } from '../../sim/wire/watcherinfo.js';
import { rlmiInstanceId, watcherId } from '../../sim/wire/ids.js';
import { inspectText } from '../../sim/wire/inspect.js';
import { sipWireMessage } from '../../sim/model/bindings/sip-messages.js';
import { WIRE_KINDS } from '../../sim/model/bindings/kinds.js';
import { viewDocument } from '../../sim/model/presence-document.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { runScenario, type Report } from '../../sim/run.js';
import { runComplete, runTiny, tinyYaml, type Rec } from './tiny.js';

const one = (protocol: string, extra = '') => `  - { name: example.com, users: 2, protocol: ${protocol}, servers: { count: 1, cores: 64 }${extra} }`;
const ACCESS_1MS = '{ lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 } }';
const wire = (r: Report): Rec[] => (r.trace ?? []).filter((x) => x.wire !== undefined);
const kindsOf = (xs: Rec[]) => xs.map((x) => x.wire!.kind);
const kindIndex = (name: string) => WIRE_KINDS.findIndex((w) => w[0] === name);
const U0 = 'u0@example.com';
const U1 = 'u1@example.com';
/** the records of a client-to-home-server dialog of user u (its own messages and its server's to it) */
const dialogOf = (r: Report, u: string, family: string) => wire(r).filter((x) => x.wire!.kind.includes(family) && (x.from === u || x.to === u));

/** the real SIP message of a record of a dialog with its home server: from / to as the record's kind puts them */
function encoded(x: Rec, from: string, to: string, body: string): string {
  return encodeSipMessage(sipWireMessage(kindIndex(x.wire!.kind), { from, to, host: 'example.com', cseq: x.wire!.cseq ?? 1, expires: x.wire!.expires ?? -1, reason: 0, body, n: 99 }));
}

describe('RFC 4662 resource lists (domains[].resourceLists)', () => {
  const lists = { users: 2, access: ACCESS_1MS, domains: one('sip', ', resourceLists: true'), population: { visibility: '{ full: 1 }' }, behaviour: { publicationLease: 0 } };

  it('runs the list flow: SUBSCRIBE to the list, 200, NOTIFY with the full state, 200, then one NOTIFY per member change', async () => {
    const r = await runTiny({ ...lists, duration: '5min' });
    const u0 = dialogOf(r, U0, '.list');
    // the list SUBSCRIBE and its 200, then the NOTIFY with the full state; a member's change may
    // be notified before the client's 200 to the first NOTIFY is back (both cross the access
    // link), so the NOTIFYs and their 200s are checked in pairs rather than strictly alternating
    const kinds = kindsOf(u0);
    expect(kinds.slice(0, 3)).toEqual(['SUBSCRIBE.list', '200.SUBSCRIBE.list', 'NOTIFY.list']);
    const notifies = u0.filter((x) => x.wire!.kind === 'NOTIFY.list');
    const answers = u0.filter((x) => x.wire!.kind === '200.NOTIFY.list');
    expect(notifies.length).toBeGreaterThanOrEqual(2);
    expect(answers.length).toBe(notifies.length);
    // each 200 answers its own NOTIFY, sent before it, and carries that NOTIFY's CSeq
    const cseqs = (xs: typeof u0) => xs.map((x) => x.wire!.cseq).sort((a, b) => a! - b!);
    expect(cseqs(answers)).toEqual(cseqs(notifies));
    for (const a of answers) expect(notifies.some((n) => n.wire!.cseq === a.wire!.cseq && n.t <= a.t)).toBe(true);
    expect(u0[0].from).toBe(U0);
    expect(u0[2].to).toBe(U0);
    // the member is in the RLS's own domain: its back-end subscription is inside the server
    const k = r.bindings!.sip!.kinds;
    for (const x of ['SUBSCRIBE', '200.SUBSCRIBE', 'NOTIFY', '200.NOTIFY', 'NOTIFY.terminated']) expect(k[x]).toBeUndefined();
    expect(r.presence.subscriptions.created).toBeGreaterThan(0);
  });

  it('sizes the list NOTIFY as its real encoding: multipart/related of the RLMI and the member\'s PIDF', async () => {
    const r = await runTiny({ ...lists, duration: '5min' });
    const u0 = dialogOf(r, U0, '.list');
    const list = 'sip:u0-list@example.com';
    /** the body of a list NOTIFY at record x: the member u1 with the document of its last back-end NOTIFY before x (pending when none) */
    const bodyAt = (x: Rec, fullState: boolean) => {
      const notify = r.trace!.filter((y) => y.op === 'notify' && y.from === U1 && y.to === U0 && y.t <= x.t).pop();
      const cid = mimeContentId(5, 'example.com');
      const instance = notify === undefined ? { id: rlmiInstanceId(0), state: 'pending' as const } : { id: rlmiInstanceId(0), state: 'active' as const, cid };
      const rlmi = encodeRlmi({ uri: list, version: x.wire!.cseq! - 1, fullState, resources: [{ uri: `sip:${U1}`, instances: [instance] }] });
      const parts = [{ contentId: mimeContentId(99, 'example.com'), contentType: 'application/rlmi+xml', body: rlmi }];
      if (notify !== undefined) parts.push({ contentId: cid, contentType: 'application/pidf+xml', body: encodePidf(viewDocument(notify.state!.entity, notify.state!.view, notify.state!.tuples)) });
      return encodeMultipartRelated({ boundary: mimeBoundary(99), type: 'application/rlmi+xml', parts });
    };
    // the full state after the SUBSCRIBE, with the member's back-end state as far as it is known then
    const first = u0[2];
    expect(Buffer.byteLength(encoded(first, list, `sip:${U0}`, bodyAt(first, true).body))).toBe(first.bytes);
    // a change: the member's back-end NOTIFY (inside the server) with u1's document
    const change = u0.filter((x) => x.wire!.kind === 'NOTIFY.list')[1];
    const m = bodyAt(change, false);
    const text = encoded(change, list, `sip:${U0}`, m.body);
    expect(Buffer.byteLength(text)).toBe(change.bytes);
    expect(text).toContain('\r\nRequire: eventlist\r\n');
    expect(text).toContain(`Content-Type: ${m.contentType}\r\n`);
    // inspect reads it back: the RLMI and the PIDF part
    const seen = inspectText(text);
    expect(seen.kind).toBe('sip');
    if (seen.kind !== 'sip' || seen.body?.kind !== 'multipart') throw new Error('no multipart body');
    expect(seen.body.parts.map((p) => p.decoded?.kind)).toEqual(['rlmi', 'pidf']);
    // the list SUBSCRIBE says it supports eventlist and accepts the list's bodies (RFC 4662 4.1)
    expect(encoded(u0[0], `sip:${U0}`, list, '')).toContain('Supported: eventlist\r\nAccept: application/pidf+xml, application/rlmi+xml, multipart/related\r\n');
    expect(Buffer.byteLength(encoded(u0[0], `sip:${U0}`, list, ''))).toBe(u0[0].bytes);
  });

  it('sizes the full state after a refresh as its real encoding: every member with its last document', async () => {
    const r = await runComplete({ ...lists, users: 3, domains: one('sip', ', resourceLists: true').replace('users: 2', 'users: 3'), duration: '70min' });
    const x = dialogOf(r, U0, '.list').find((y, i, all) => y.wire!.kind === 'NOTIFY.list' && all[i - 2]?.wire!.kind === 'SUBSCRIBE.list.refresh')!;
    expect(x).toBeDefined();
    const list = 'sip:u0-list@example.com';
    const members = ['u1@example.com', 'u2@example.com'];
    const docs = members.map((m) => r.trace!.filter((y) => y.op === 'notify' && y.from === m && y.to === U0 && y.t <= x.t).pop()!);
    const cid = (i: number) => mimeContentId(i, 'example.com');
    const rlmi = encodeRlmi({ uri: list, version: x.wire!.cseq! - 1, fullState: true, resources: members.map((m, i) => ({ uri: `sip:${m}`, instances: [{ id: rlmiInstanceId(i), state: 'active' as const, cid: cid(i) }] })) });
    const parts = [{ contentId: cid(9), contentType: 'application/rlmi+xml', body: rlmi }, ...docs.map((n, i) => ({ contentId: cid(i), contentType: 'application/pidf+xml', body: encodePidf(viewDocument(n.state!.entity, n.state!.view, n.state!.tuples)) }))];
    const m = encodeMultipartRelated({ boundary: mimeBoundary(99), type: 'application/rlmi+xml', parts });
    expect(Buffer.byteLength(encoded(x, list, `sip:${U0}`, m.body))).toBe(x.bytes);
  });

  it('exact counts of two list subscriptions over 10 h', async () => {
    // Two users of one domain watch each other; everybody logs in within 10 s and stays, no
    // presence changes, no publication lease; 1 h subscriptions refreshed 1 min ahead (every
    // 59 min: 10 refreshes before 600 min). Each user: the list dialog's creation (SUBSCRIBE,
    // 200, NOTIFY, 200 = 4) and 10 refreshes (4 each = 40). Member changes (NOTIFY, 200 = 2):
    // the first to log in (A) hears of B's back-end initial state and of B's log-in publish (2
    // changes), B hears of A's initial state (1); the back-end refreshes' NOTIFYs change nothing
    // and are not passed on. List messages: 2 * 44 + 3 * 2 = 94. The two log-in PUBLISHes and
    // their 200s make 4; the back-end subscriptions are inside the server: 98 SIP messages.
    const r = await runTiny({ ...lists, access: undefined, duration: '10h' });
    const k = r.bindings!.sip!.kinds;
    const n = (x: string) => k[x]?.messages ?? 0;
    expect(n('SUBSCRIBE.list')).toBe(2);
    expect(n('SUBSCRIBE.list.refresh')).toBe(20);
    expect(n('200.SUBSCRIBE.list')).toBe(22);
    expect(n('NOTIFY.list')).toBe(2 + 20 + 3);
    expect(n('200.NOTIFY.list')).toBe(25);
    expect(n('PUBLISH') + n('200.PUBLISH')).toBe(4);
    expect(r.bindings!.sip!.messages).toBe(98);
    expect(r.bindings!.sip!.lifecycle).toEqual({ create: 8, change: 6, refresh: 80, terminate: 0 });
  });

  it('subscribes to a member of another domain across the boundary, answered by the RLS', async () => {
    const r = await runTiny({
      duration: '10min',
      domains: `  - { name: a.example, users: 1, protocol: sip, resourceLists: true, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 1, protocol: sip, servers: { count: 1, cores: 64 } }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 1, federatedFraction: 1, visibility: '{ full: 1 }' },
      behaviour: { publicationLease: 0 },
    });
    const b = r.bindings!.sip!.boundaries.find((x) => x.from === 'a.example' && x.to === 'b.example')!;
    expect(b.messages.SUBSCRIBE).toBe(1);
    expect(b.messages['200.NOTIFY']).toBeGreaterThan(0);
    const a = r.bindings!.sip!.perDomain['a.example'];
    expect(a.sent['SUBSCRIBE.list']).toBe(1);
    expect(a.sent['NOTIFY.list']).toBe(1 + (b.messages['200.NOTIFY'] ?? 0));
    // the watcher's client sends no SUBSCRIBE of its own to the member: the one crossing is the RLS's
    expect(a.sent.SUBSCRIBE).toBe(1);
  });

  it('refuses resourceLists on a domain that does not speak SIP, naming the domain', () => {
    for (const p of ['cpim', 'xmpp']) {
      expect(() => parseScenario(tinyYaml({ users: 2, domains: one(p, ', resourceLists: true') }), 'x.yaml')).toThrow(/domains\[0\]\.resourceLists: is true for domain 'example.com' of protocol (cpim|xmpp): RFC 4662/);
    }
    const both = `${tinyYaml({ users: 2, domains: one('sip', ', resourceLists: true') })}federation:\n  listSubscriptions: true\n`;
    expect(() => parseScenario(both, 'x.yaml')).toThrow(/domains\[0\]\.resourceLists: .*federation\.listSubscriptions is true: the two list mechanisms do not combine/);
  });
});

describe('RFC 3857 watcher information on SIP', () => {
  it('subscribes the agent to presence.winfo at log-in and tells it of each watcher, sized as the real encoding', async () => {
    const r = await runTiny({ users: 2, duration: '5min', access: ACCESS_1MS, domains: one('sip'), population: { watcherInfoSubscribers: 1 }, behaviour: { publicationLease: 0 } });
    // the second to log in finds its watcher list with the first one's subscription in it
    const both = [U0, U1].map((u) => dialogOf(r, u, '.winfo'));
    for (const d of both) expect(kindsOf(d).slice(0, 4)).toEqual(['SUBSCRIBE.winfo', '200.SUBSCRIBE.winfo', 'NOTIFY.winfo', '200.NOTIFY.winfo']);
    const changes = both.flatMap((d) => d.slice(4).filter((x) => x.wire!.kind === 'NOTIFY.winfo'));
    expect(changes.length).toBeGreaterThan(0);
    expect(r.bindings!.sip!.kinds['NOTIFY.winfo'].messages).toBe(2 + changes.length);
    // a change: a partial document of the one watcher, active after its subscription
    const x = changes[0];
    const agent = x.to;
    const watcher = agent === U0 ? U1 : U0;
    const doc = encodeWatcherinfo({ version: x.wire!.cseq! - 1, state: 'partial', lists: [{ resource: `sip:${agent}`, package: 'presence', watchers: [{ id: watcherId(0), status: 'active', event: 'subscribe', uri: `sip:${watcher}` }] }] });
    const text = encoded(x, `sip:${agent}`, `sip:${agent}`, doc);
    expect(text).toContain('\r\nEvent: presence.winfo\r\n');
    expect(text).toContain('Content-Type: application/watcherinfo+xml\r\n');
    expect(Buffer.byteLength(text)).toBe(x.bytes);
    // the SUBSCRIBE's Expires asked, the 200's granted (1 h)
    expect(both[0][0].wire!.expires).toBe(3600);
    expect(Buffer.byteLength(encoded(both[0][0], `sip:${both[0][0].from}`, `sip:${both[0][0].from}`, ''))).toBe(both[0][0].bytes);
  });

  it('sends nothing of the kind when no agent subscribes', async () => {
    const r = await runTiny({ users: 2, duration: '5min', domains: one('sip') });
    expect(Object.keys(r.bindings!.sip!.kinds).filter((k) => k.includes('winfo'))).toEqual([]);
  });
});

describe('RFC 5263 partial notifications on SIP', () => {
  it('sends the full PIDF first, then each change as a pidf-diff of the changed tuple, sized as its real encoding', async () => {
    let r: Report | undefined;
    for (let seed = 1; seed <= 20 && r === undefined; seed++) {
      const yaml = `${tinyYaml({ seed, users: 2, duration: '1h', access: ACCESS_1MS, domains: one('sip'), population: { tuples: 2 }, behaviour: { presenceChangeRate: '20/h', publicationLease: 0 } })}federation:\n  partialNotifications: true\n`;
      const x = await runScenario(parseScenario(yaml, 'x.yaml'), { workers: 1 });
      if (wire(x).some((t) => t.wire!.kind === 'NOTIFY.partial' && t.state?.tuples.length === 1)) r = x;
    }
    if (r === undefined) throw new Error('no seed gives a partial notification of one tuple');
    const notifies = wire(r).filter((x) => x.wire!.kind.startsWith('NOTIFY') && x.state !== undefined);
    // per subscription: the first NOTIFY has the full state (application/pidf+xml)
    for (const w of [U0, U1]) expect(notifies.find((x) => x.to === w)!.wire!.kind).toBe('NOTIFY');
    const partial = notifies.filter((x) => x.wire!.kind === 'NOTIFY.partial');
    expect(partial.length).toBeGreaterThan(0);
    for (const x of partial) {
      const tuples = viewDocument(x.state!.entity, x.state!.view, x.state!.tuples).tuples;
      const diff = encodePidfDiff({ entity: x.state!.entity, version: x.wire!.cseq!, replace: tuples });
      const text = encoded(x, `sip:${x.from}`, `sip:${x.to}`, diff);
      expect(text).toContain('Content-Type: application/pidf-diff+xml\r\n');
      expect(Buffer.byteLength(text)).toBe(x.bytes);
    }
    // answered like any NOTIFY
    const k = r.bindings!.sip!.kinds;
    expect(k['200.NOTIFY'].messages).toBe(k.NOTIFY.messages + k['NOTIFY.partial'].messages);
    const single = partial.find((x) => x.state!.tuples.length === 1)!;
    const seen = inspectText(encoded(single, `sip:${single.from}`, `sip:${single.to}`, encodePidfDiff({ entity: single.state!.entity, version: 3, replace: viewDocument(single.state!.entity, 0, single.state!.tuples).tuples })));
    expect(seen.kind === 'sip' && seen.body?.kind).toBe('pidf-diff');
  });
});

describe('resource lists, watcher information and partial notifications across partitions', () => {
  it('give the same report, trace included, on 1 and 2 workers', async () => {
    const yaml = `${tinyYaml({
      duration: '30min',
      domains: `  - { name: a.example, users: 12, protocol: sip, resourceLists: true }
  - { name: b.example, users: 8, protocol: sip, resourceLists: true }
  - { name: c.example, users: 6, protocol: sip }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 4, federatedFraction: 0.6, tuples: 2, watcherInfoSubscribers: 0.5, watchers: '{ subscriber: 0.8, poller: 0.1, fetcher: 0.1 }' },
      behaviour: { presenceChangeRate: '20/h', sessionLength: '8min', offlineLength: '4min', publicationLease: '5min', subscriptionDuration: '10min', maxSubscriptionDuration: '10min' },
    })}federation:\n  partialNotifications: true\n`;
    const sc = parseScenario(yaml, 'lists.yaml');
    const strip = (r: Report) => ({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });
    const one = await runScenario(sc, { workers: 1 });
    const two = await runScenario(sc, { workers: 2 });
    const k = one.bindings!.sip!.kinds;
    for (const x of ['NOTIFY.list', 'SUBSCRIBE.list.refresh', 'SUBSCRIBE.list.unsubscribe', 'NOTIFY.winfo', 'NOTIFY.partial', 'SUBSCRIBE']) expect(k[x]?.messages ?? 0, x).toBeGreaterThan(0);
    expect(strip(two)).toEqual(strip(one));
  });
});
