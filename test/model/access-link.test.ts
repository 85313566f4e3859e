/**
 * The client-server leg (RFC 2779 section 2: mobile links with high latency and low bandwidth;
 * PRIM's client-server protocol): latencies include each principal's access link.
 */
import { describe, expect, it } from 'vitest';
import { FIXED_1MS, recs, runComplete, runTiny } from './tiny.js';

const base = {
  users: 3,
  duration: '10min',
  behaviour: { presenceChangeRate: '60/h', imRate: '60/h', sessionLength: '366d', unknownRecipientFraction: 0, duplicateFraction: 0 },
};

describe('access links', () => {
  it('RFC 2779 3.4.1: notification and IM latency include both access links: 50 ms up + 1 ms publish + 1 ms notify + 50 ms down = 102 ms exactly', async () => {
    const r = await runTiny({ ...base, access: '{ lan: { latency: { dist: fixed, value: 50ms }, bandwidthMbps: 0 } }' });
    expect(r.latency.notification.count).toBeGreaterThan(10);
    expect(r.latency.notification.p50).toBeCloseTo(102, 1);
    expect(r.latency.notification.max).toBeCloseTo(102, 1);
    // an IM: 50 up + 1 imSend + 1 imDeliver + 50 down
    expect(r.latency.im.p50).toBeCloseTo(102, 1);
    // every publish, subscribe and IM went up; every notification, IM delivery and its delivery
    // report, subscribe response and publish answer came down, all on LAN links (no refreshes in
    // 10 minutes)
    expect(r.access.lan.users).toBe(3);
    expect(r.access.mobile.users).toBe(0);
    const subs = r.presence.subscriptions;
    expect(r.presence.leases.refreshes + subs.refreshed).toBe(0);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + subs.created + r.im.sent);
    expect(r.im.failed + r.im.inFlight + r.im.reportsUndelivered).toBe(0);
    expect(r.access.lan.down.messages).toBe(r.presence.notifications.delivered + r.presence.notifications.undelivered + 2 * r.im.delivered + subs.created + r.presence.publishes);
    expect(r.access.lan.up.bytes).toBeGreaterThan(0);
  });

  it('RFC 2779 section 2: mobile principals (latency, 64 kbit/s, loss with retransmission) see slower notifications than LAN ones', async () => {
    const mobile = '{ lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 }, mobile: { latency: { dist: fixed, value: 80ms }, bandwidthMbps: 0.064, loss: 0.2 }, retransmitTimeout: 500ms, mobileFraction: 1 }';
    const lan = await runTiny({ ...base, access: mobile.replace('mobileFraction: 1', 'mobileFraction: 0') });
    const mob = await runTiny({ ...base, access: mobile });
    expect(mob.access.mobile.users).toBe(3);
    expect(mob.latency.notification.p50).toBeGreaterThan(lan.latency.notification.p50 + 150);
    // losses cost a retransmission timeout: some notifications take over 500 ms more
    expect(mob.latency.notification.max).toBeGreaterThan(600);
    expect(recs(mob, 'notify').length).toBeGreaterThan(0);
  });

  it('RFC 2779 section 2: every subscribe and refresh goes up the watcher\'s access link and its response comes down (exact counts)', async () => {
    // 3 users, each watching the 2 others: 6 subscriptions, each refreshed every 2 min (3 min granted, 1 min before)
    const r = await runComplete({ users: 3, behaviour: { subscriptionDuration: '3min', maxSubscriptionDuration: '3min', refreshBefore: '1min' } });
    const subs = r.presence.subscriptions;
    expect(subs.created).toBe(6);
    // log-ins in the first 10 s: refreshes near 2, 4, 6 and 8 min
    expect(subs.refreshed).toBe(24);
    expect(r.presence.publishes).toBe(3);
    expect(r.presence.leases.refreshes).toBe(0);
    // up: 3 log-in publishes, 6 subscribes, 24 refreshes
    expect(r.access.lan.up.messages).toBe(3 + 6 + 24);
    // down: 3 publish answers, 6 + 24 responses, and the notifications (6 initial ones, and one
    // per log-in publish of a presentity already watched)
    expect(r.presence.notifications.delivered).toBeGreaterThanOrEqual(6);
    expect(r.access.lan.down.messages).toBe(3 + 30 + r.presence.notifications.delivered);
  });

  it('RFC 2779 section 2: every poll\'s fetches go up the poller\'s access link and their results come down (exact counts)', async () => {
    const r = await runComplete({ users: 3, population: { watchers: '{ poller: 1 }' }, behaviour: { pollInterval: '1min' } });
    expect(r.presence.polls).toBeGreaterThan(20);
    // each poll fetches both buddies; each fetch is answered with the presentity's state
    expect(r.presence.fetches).toBe(2 * r.presence.polls);
    expect(r.presence.subscriptions.created).toBe(0);
    expect(r.access.lan.up.messages).toBe(3 + 2 * r.presence.polls);
    expect(r.access.lan.down.messages).toBe(3 + r.presence.fetches);
    // a fetch result carries a PIDF document: far more bytes down than the bare answers
    expect(r.access.lan.down.bytes).toBeGreaterThan(r.presence.fetches * 300);
  });

  it('RFC 3903: each publication refresh goes up the agent\'s access link and its answer comes down, as do the publishes\' answers (exact counts)', async () => {
    // no buddies: only publishes and their refreshes, every 90 s (2 min lease, 30 s before)
    const r = await runTiny({ users: 3, population: { buddies: 0 }, behaviour: { publicationLease: '2min', refreshBefore: '30s' } });
    expect(r.presence.publishes).toBe(3);
    // log-ins in the first 10 s: refreshes near 1.5, 3, 4.5, 6, 7.5 and 9 min
    expect(r.presence.leases.refreshes).toBe(18);
    expect(r.access.lan.up.messages).toBe(3 + 18);
    expect(r.access.lan.down.messages).toBe(3 + 18);
  });

  it('RFC 2779 5.4.4: every delivery report comes down the sender\'s access link (exact counts: one per failed IM, none up)', async () => {
    // every IM goes to a user that does not exist: its failure report is all that comes back
    const r = await runTiny({ ...base, behaviour: { ...base.behaviour, unknownRecipientFraction: 1 }, access: '{ lan: { latency: { dist: fixed, value: 50ms }, bandwidthMbps: 0 } }' });
    const subs = r.presence.subscriptions;
    expect(r.im.sent).toBeGreaterThan(10);
    expect(r.im.delivered).toBe(0);
    expect(r.im.failedBy.unknown).toBe(r.im.failed);
    expect(r.im.failed + r.im.inFlight).toBe(r.im.sent);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + subs.created + r.im.sent);
    expect(r.access.lan.down.messages).toBe(r.presence.publishes + subs.created + r.presence.notifications.delivered + r.presence.notifications.undelivered + r.im.failed);
  });

  it('RFC 2779 4.2.1: a failure report that finds the sender\'s agent offline at the end of its access link leaves the outcome indeterminate', async () => {
    // a slow link (20 s each way) and 1-minute sessions: some senders have logged out when their report arrives
    const r = await runTiny({
      ...base,
      duration: '20min',
      behaviour: { ...base.behaviour, unknownRecipientFraction: 1, sessionLength: '1min', offlineLength: '1min' },
      access: '{ lan: { latency: { dist: fixed, value: 20s }, bandwidthMbps: 0 } }',
    });
    expect(r.im.reportsUndelivered).toBeGreaterThan(0);
    expect(r.im.failed).toBeGreaterThan(0);
    // every report is a failure; none was refused by a server: each undelivered one is indeterminate
    expect(r.im.indeterminate).toBe(r.im.reportsUndelivered);
    expect(r.im.sent).toBe(r.im.failed + r.im.indeterminate + r.im.inFlight);
  });

  it('RFC 3857: each watcher-information document comes down the presentity agent\'s access link (exact: the only difference a subscribing agent makes); one that finds it offline is undelivered', async () => {
    const o = {
      users: 5,
      duration: '30min',
      population: { buddies: 4, access: '{ allow: 0.5, pending: 0.5 }', watcherInfoSubscribers: 1 },
      behaviour: { presenceChangeRate: '30/h', pendingAllowFraction: 0.5, pendingDecisionDelay: '1min', sessionLength: '8min', offlineLength: '3min', subscriptionDuration: '3min', maxSubscriptionDuration: '3min', refreshBefore: '30s' },
      // a fixed latency and no loss draw nothing at random: both runs take the same course
      access: '{ lan: { latency: { dist: fixed, value: 1min }, bandwidthMbps: 0 } }',
    };
    const on = await runTiny(o);
    const off = await runTiny({ ...o, population: { ...o.population, watcherInfoSubscribers: 0 } });
    expect(on.presence.watcherInfoSent).toBeGreaterThan(20);
    expect(off.presence.watcherInfoSent).toBe(0);
    expect(on.presence.watcherInfo).toBe(off.presence.watcherInfo);
    expect(on.access.lan.up).toEqual(off.access.lan.up);
    expect(on.access.lan.down.messages - off.access.lan.down.messages).toBe(on.presence.watcherInfoSent);
    expect(on.access.lan.down.bytes).toBeGreaterThan(off.access.lan.down.bytes + 200 * on.presence.watcherInfoSent);
    // sent while the agent was online; some arrive after it logged out (a minute later)
    expect(on.presence.watcherInfoUndelivered).toBeGreaterThan(0);
    expect(on.presence.watcherInfoUndelivered).toBeLessThan(on.presence.watcherInfoSent);
  });

  it('RFC 2779 3.4.1: a list notification\'s copy to each subscriber comes down its access link: the same latency as single notifications, every copy counted', async () => {
    const two = {
      users: 6,
      domains: `  - { name: a.example, users: 3, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }
  - { name: b.example, users: 3, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 2, federatedFraction: 1 },
      behaviour: { presenceChangeRate: '60/h' },
      access: '{ lan: { latency: { dist: fixed, value: 50ms }, bandwidthMbps: 0 } }',
    };
    const single = await runTiny(two);
    const list = await runTiny({ ...two, domains: two.domains + '\nfederation: { listSubscriptions: true }' });
    const listed = list.pairs.reduce((a, p) => a + p.messages.listNotify, 0);
    expect(listed).toBeGreaterThan(10);
    // both access links, the two servers' jobs and the crossing, whichever way the notification came
    expect(list.latency.notification.p50).toBeGreaterThan(100);
    expect(Math.abs(list.latency.notification.p50 - single.latency.notification.p50)).toBeLessThan(2);
    expect(Math.abs(list.latency.notification.max - single.latency.notification.max)).toBeLessThan(2);
    // down: publish answers, subscribe responses and every notification (a list's copies one by one)
    const n = list.presence.notifications;
    expect(list.access.lan.down.messages).toBe(list.presence.publishes + list.presence.subscriptions.created + n.delivered + n.undelivered);
  });

  it('RFC 3857 on SIP: the presence.winfo dialog\'s NOTIFY is the document\'s crossing of the access link, counted once (exact: the dialog\'s messages are all a subscribing agent adds)', async () => {
    const o = {
      users: 5,
      duration: '30min',
      domains: '  - { name: example.com, users: 5, protocol: sip, servers: { count: 1, cores: 64 } }',
      population: { buddies: 4, access: '{ allow: 0.5, pending: 0.5 }', watcherInfoSubscribers: 1 },
      behaviour: { presenceChangeRate: '30/h', pendingAllowFraction: 0.5, pendingDecisionDelay: '1min', sessionLength: '8min', offlineLength: '3min', subscriptionDuration: '3min', maxSubscriptionDuration: '3min', refreshBefore: '30s', publicationLease: 0 },
      access: '{ lan: { latency: { dist: fixed, value: 1s }, bandwidthMbps: 0 } }',
    };
    const on = await runTiny(o);
    const off = await runTiny({ ...o, population: { ...o.population, watcherInfoSubscribers: 0 } });
    const k = on.bindings!.sip!.kinds;
    const n = (...names: string[]) => names.reduce((a, x) => a + (k[x]?.messages ?? 0), 0);
    expect(on.presence.watcherInfoSent).toBeGreaterThan(20);
    expect(n('NOTIFY.winfo')).toBeGreaterThan(20);
    expect(on.access.lan.down.messages - off.access.lan.down.messages).toBe(n('200.SUBSCRIBE.winfo', 'NOTIFY.winfo', 'NOTIFY.winfo.terminated'));
    expect(on.access.lan.up.messages - off.access.lan.up.messages).toBe(n('SUBSCRIBE.winfo', 'SUBSCRIBE.winfo.refresh', 'SUBSCRIBE.winfo.unsubscribe', '200.NOTIFY.winfo'));
  });

  it('RFC 2779 5.4.4: a failure the sender\'s own servers find (the recipient\'s domain unreachable) comes down the sender\'s access link too (exact counts)', async () => {
    const r = await runTiny({
      users: 6,
      domains: `  - { name: a.example, users: 3, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }
  - { name: b.example, users: 3, servers: { count: 1, cores: 64 }, serviceTimes: ${FIXED_1MS} }
federation: { imRetries: 0, maxRetransmits: 0 }
faults:
  - { kind: gatewayDown, domain: b.example, at: 0s, duration: 1h }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 0, federatedFraction: 1 },
      behaviour: { imRate: '60/h', imContacts: 3 },
      access: '{ lan: { latency: { dist: fixed, value: 50ms }, bandwidthMbps: 0 } }',
    });
    expect(r.im.sent).toBeGreaterThan(20);
    expect(r.im.failedBy.unreachable).toBe(r.im.failed);
    expect(r.im.failed + r.im.inFlight).toBe(r.im.sent);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + r.im.sent);
    // the publishes' answers, and one failure report per message that failed
    expect(r.access.lan.down.messages).toBe(r.presence.publishes + r.im.failed);
  });
});
