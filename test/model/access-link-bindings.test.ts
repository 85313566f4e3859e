/**
 * The client-server leg of the bindings' own messages (RFC 2779 section 2; RFC 6665, RFC 6121):
 * every SIP message or XMPP stanza between a client and its home server crosses the client's
 * access link once, whichever domain the other end is in (exact counts).
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { FIXED_1MS, runTiny, runUntil } from './tiny.js';

const LINK = '{ lan: { latency: { dist: fixed, value: 20ms }, bandwidthMbps: 0 } }';
const twoDomains = (protocol: string) => `  - { name: a.example, users: 1, protocol: ${protocol}, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }
  - { name: b.example, users: 1, protocol: ${protocol}, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }`;
const kinds = (r: Report, p: 'sip' | 'xmpp') => r.bindings![p]!.kinds;
const n = (r: Report, p: 'sip' | 'xmpp', ...names: string[]) => names.reduce((a, x) => a + (kinds(r, p)[x]?.messages ?? 0), 0);

describe('access links: the bindings\' own client messages', () => {
  it('RFC 6665 4.2.1.1: a pending subscription to another SIP domain: its NOTIFY (pending) comes down the watcher\'s access link and the 200 goes up it', async () => {
    // u0@a and u1@b watch each other; the requests stay pending (no decision within the run)
    const r = await runTiny({
      users: 2,
      duration: '5min',
      domains: twoDomains('sip'),
      links: '{ default: { dist: fixed, value: 10ms } }',
      access: LINK,
      population: { buddies: 1, federatedFraction: 1, access: '{ pending: 1 }' },
      behaviour: { pendingDecisionDelay: '1h', publicationLease: 0 },
    });
    expect(r.presence.subscriptions.created).toBe(2);
    expect(r.presence.subscriptions.pending).toBe(2);
    expect(r.presence.notifications.sent).toBe(0);
    expect(n(r, 'sip', 'NOTIFY.pending')).toBe(2);
    expect(n(r, 'sip', '200.NOTIFY')).toBe(2);
    // per user, up: its PUBLISH, its SUBSCRIBE, the 200 to the NOTIFY (pending)
    expect(r.access.lan.up.messages).toBe(2 * 3);
    // down: the PUBLISH's 200 (SIP's, the model's answer), the 200 to the SUBSCRIBE (the model's pending response), the NOTIFY (pending)
    expect(r.access.lan.down.messages).toBe(2 * 3);
  });

  it('RFC 6665 (fetch): a SIP fetch of a buddy in another domain: its 200 comes down the fetcher\'s access link, and the 200 to the NOTIFY with the state goes up', async () => {
    const r = await runTiny({
      users: 2,
      duration: '5min',
      domains: twoDomains('sip'),
      links: '{ default: { dist: fixed, value: 10ms } }',
      access: LINK,
      population: { buddies: 1, federatedFraction: 1, watchers: '{ poller: 1 }' },
      behaviour: { pollInterval: '1min', publicationLease: 0 },
    });
    const f = r.presence.fetches;
    expect(f).toBeGreaterThan(4);
    expect(r.presence.subscriptions.created).toBe(0);
    expect(n(r, 'sip', 'SUBSCRIBE.fetch')).toBe(f);
    // the fetch's NOTIFY (terminated, with the state) and the watcher's 200 to it
    expect(n(r, 'sip', '200.SUBSCRIBE', 'NOTIFY.terminated', '200.NOTIFY')).toBe(3 * f);
    // up: 2 PUBLISHes; per fetch its SUBSCRIBE (Expires 0) and the 200 to the NOTIFY
    expect(r.access.lan.up.messages).toBe(2 + 2 * f);
    // down: 2 PUBLISH answers (SIP's 200 is the model's answer); per fetch its 200 and the NOTIFY
    expect(r.access.lan.down.messages).toBe(2 + 2 * f);
  });

  it('RFC 6121 3.1-3.3, 2.1.6: the XMPP handshake\'s client stanzas (roster push results, subscribed) go up the access link and the server\'s come down; a client presence has no answer (exact counts)', async () => {
    const r = await runTiny({
      users: 3,
      duration: '10min',
      domains: '  - { name: x.example, users: 3, protocol: xmpp, servers: { count: 1, cores: 64 } }',
      access: LINK,
      population: { access: '{ pending: 1 }' },
      behaviour: { pendingDecisionDelay: '20s', pendingAllowFraction: 1, publicationLease: 0 },
    });
    const subs = r.presence.subscriptions;
    expect(subs.pendingAllowed).toBeGreaterThan(2);
    expect(subs.refreshed + subs.terminated).toBe(0);
    const wire = (detail: string) => (r.trace ?? []).filter((x) => x.wire !== undefined && x.detail === detail);
    const up = wire('client to server');
    const down = wire('server to client');
    const pushResults = up.filter((x) => x.op === 'iq.roster.push.result').length;
    expect(pushResults).toBeGreaterThan(4);
    expect(up.filter((x) => x.op === 'presence.subscribed.client').length).toBe(subs.pendingAllowed);
    // up: the model's publishes and subscribes (the presence subscribe is the subscribe), every other client stanza (log-in, push results, subscribed)
    const subscribeStanzas = up.filter((x) => x.op === 'presence.subscribe.client').length;
    expect(subscribeStanzas).toBe(subs.created);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + subs.created + up.length - subscribeStanzas);
    // down: notifications and every server stanza to a client (log-in, pushes, subscribe, subscribed); no
    // publish answer, and no subscribe response (XMPP answers a subscribe with presence, subscriptions.ts)
    const n = r.presence.notifications;
    expect(r.access.lan.down.messages).toBe(n.delivered + n.undelivered + down.length);
  });

  it('RFC 6120 4.4: an XMPP client\'s stream close goes up its access link at log-out and the server\'s comes down (exact counts)', async () => {
    const r = await runTiny({
      users: 2,
      duration: '10min',
      domains: '  - { name: x.example, users: 2, protocol: xmpp, servers: { count: 1, cores: 64 } }',
      access: LINK,
      population: { buddies: 0 },
      behaviour: { sessionLength: '2min', offlineLength: '1min', publicationLease: 0 },
    });
    const k = r.bindings!.xmpp!.kinds;
    const logins = k['stream.open'].messages;
    const closes = k['stream.close'].messages / 2;
    expect(closes).toBeGreaterThan(2);
    expect(r.presence.publishes).toBe(logins + closes);
    // up: each log-in's 5 client stanzas, each publish (available, unavailable), each close; down: each log-in's 5 server stanzas, each close
    expect(r.access.lan.up.messages).toBe(5 * logins + r.presence.publishes + closes);
    expect(r.access.lan.down.messages).toBe(5 * logins + closes);
  });

  it('RFC 6665 4.2.1.1: inside one SIP domain the NOTIFY (pending) comes down the watcher\'s own access link, not the presentity\'s (one LAN, one mobile user, one subscription)', async () => {
    const r = await runUntil(
      {
        users: 2,
        duration: '5min',
        domains: '  - { name: s.example, users: 2, protocol: sip, servers: { count: 1, cores: 64 } }',
        access: '{ lan: { latency: { dist: fixed, value: 20ms }, bandwidthMbps: 0 }, mobile: { latency: { dist: fixed, value: 20ms }, bandwidthMbps: 0 }, mobileFraction: 0.5 }',
        population: { buddies: 1, access: '{ pending: 1 }', watchers: '{ subscriber: 0.5, fetcher: 0.5 }' },
        behaviour: { pendingDecisionDelay: '1h', publicationLease: 0, fetchRate: 0 },
      },
      (x) => x.access.mobile.users === 1 && x.presence.subscriptions.created === 1 && x.presence.fetches === 0,
      'one mobile user and one subscription',
    );
    expect(r.bindings!.sip!.kinds['NOTIFY.pending'].messages).toBe(1);
    // the watcher: PUBLISH, SUBSCRIBE and the 200 to the NOTIFY up; the PUBLISH's 200, the SUBSCRIBE's 200 and the NOTIFY (pending) down.
    // The presentity: its PUBLISH up, the 200 down.
    const { lan, mobile } = r.access;
    expect([lan.up.messages, mobile.up.messages].sort()).toEqual([1, 3]);
    expect(lan.down.messages).toBe(lan.up.messages);
    expect(mobile.down.messages).toBe(mobile.up.messages);
  });

  it('RFC 6665 4.1.3: a NOTIFY that finds the watcher gone is answered 481 by its server, not up its access link; every other SIP request of a client goes up (exact counts)', async () => {
    const r = await runTiny({
      users: 3,
      duration: '20min',
      domains: '  - { name: s.example, users: 3, protocol: sip, servers: { count: 1, cores: 64 } }',
      access: '{ lan: { latency: { dist: fixed, value: 2s }, bandwidthMbps: 0 } }',
      behaviour: { presenceChangeRate: '120/h', sessionLength: '2min', offlineLength: '1min', publicationLease: 0 },
    });
    const k = r.bindings!.sip!.kinds;
    const n = (...names: string[]) => names.reduce((a, x) => a + (k[x]?.messages ?? 0), 0);
    expect(n('481.NOTIFY')).toBeGreaterThan(0);
    expect(n('200.NOTIFY')).toBeGreaterThan(10);
    expect(r.access.lan.up.messages).toBe(n('PUBLISH', 'PUBLISH.remove', 'SUBSCRIBE', 'SUBSCRIBE.refresh', 'SUBSCRIBE.unsubscribe', '200.NOTIFY'));
  });

  it('RFC 4662: a resource list server answers its back-end NOTIFYs itself: those 200s are not on the watcher\'s access link, the list dialog\'s messages are (exact counts)', async () => {
    const r = await runTiny({
      users: 4,
      duration: '10min',
      domains: `  - { name: a.example, users: 2, protocol: sip, resourceLists: true, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }
  - { name: b.example, users: 2, protocol: sip, resourceLists: true, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      access: LINK,
      population: { buddies: 2, federatedFraction: 0.5, access: '{ allow: 0.5, pending: 0.5 }' },
      behaviour: { presenceChangeRate: '30/h', pendingDecisionDelay: '1min', publicationLease: 0 },
    });
    const subs = r.presence.subscriptions;
    // back-end subscriptions to members in the other domain: their NOTIFYs (pending too) answered by the RLS
    expect(n(r, 'sip', '200.NOTIFY')).toBeGreaterThan(5);
    expect(n(r, 'sip', 'NOTIFY.list')).toBeGreaterThan(10);
    // up: the PUBLISHes, the list dialogs' SUBSCRIBEs and 200s, and the model's per-edge subscribes
    // (which still cross the watcher's link although the RLS sends them: see docs/report.md, access)
    expect(r.access.lan.up.messages).toBe(n(r, 'sip', 'PUBLISH', 'SUBSCRIBE.list', 'SUBSCRIBE.list.refresh', 'SUBSCRIBE.list.unsubscribe', '200.NOTIFY.list') + subs.created + subs.refreshed);
    // down: the PUBLISHes' and the list SUBSCRIBEs' 200s, the list NOTIFYs, and the model's per-edge
    // responses and notifications (as above); a back-end's NOTIFY (pending) ends at the RLS
    expect(n(r, 'sip', 'NOTIFY.pending')).toBeGreaterThan(0);
    const nt = r.presence.notifications;
    expect(r.access.lan.down.messages).toBe(n(r, 'sip', '200.PUBLISH', '200.SUBSCRIBE.list', 'NOTIFY.list', 'NOTIFY.list.terminated') + subs.created + subs.refreshed + nt.delivered + nt.undelivered);
  });
});
