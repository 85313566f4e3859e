/**
 * The client-server leg (RFC 2779 section 2: mobile links with high latency and low bandwidth;
 * PRIM's client-server protocol): latencies include each principal's access link.
 */
import { describe, expect, it } from 'vitest';
import { recs, runComplete, runTiny } from './tiny.js';

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
    // every publish, subscribe and IM went up; every notification, IM delivery, subscribe response
    // and publish answer came down, all on LAN links (no refreshes in 10 minutes)
    expect(r.access.lan.users).toBe(3);
    expect(r.access.mobile.users).toBe(0);
    const subs = r.presence.subscriptions;
    expect(r.presence.leases.refreshes + subs.refreshed).toBe(0);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + subs.created + r.im.sent);
    expect(r.access.lan.down.messages).toBe(r.presence.notifications.delivered + r.presence.notifications.undelivered + r.im.delivered + subs.created + r.presence.publishes);
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
});

