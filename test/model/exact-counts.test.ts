/**
 * Exact counts on tiny seeded one-domain scenarios, derived by hand from the scenario (see
 * tiny.ts: every operation takes exactly 1 ms on 64 cores, so nothing queues; everyone is online
 * from a log-in in the first 10 s to the end; everyone watches everyone). The expected numbers are
 * computed from the scenario's parameters in the test, never copied from a run.
 */
import { describe, expect, it } from 'vitest';
import { recs, runComplete, runTiny } from './tiny.js';

/** Subscriptions when each of n users watches the n - 1 others. */
const edges = (n: number) => n * (n - 1);

describe('exact counts on tiny scenarios', () => {
  for (const n of [2, 3, 4]) {
    it(`RFC 2779 3.2.3, 5.2.2: ${n} users watching each other, no presence changes after log-in: every count follows from n`, async () => {
      const r = await runComplete({ users: n, duration: '5min' });
      const p = r.presence;
      // each user logs in once and publishes once (its log-in state); nobody logs out
      expect(r.sessions).toMatchObject({ logins: n, logouts: 0, crashes: 0 });
      expect(p.publishes).toBe(n);
      // each user subscribes to its n - 1 buddies once; the 1 h subscription outlives the 5 min run
      // (toMatchObject: the report may gain fields; these must have exactly these values)
      expect(p.subscriptions).toMatchObject({
        created: edges(n),
        refreshed: 0,
        expired: 0,
        terminated: 0,
        rejected: 0,
        politeBlocked: 0,
        pending: 0,
        pendingAllowed: 0,
        pendingDenied: 0,
        activeAtEnd: edges(n),
      });
      // Notifications: one current-state notification per new subscription, n(n-1); plus, for the
      // k-th user to log in (k = 1..n), its log-in publish (done 1 ms after log-in) reaches the k - 1
      // users that logged in earlier (their subscriptions to it were created 1 ms after their own,
      // earlier, log-in) and none of the later ones: 0 + 1 + ... + (n - 1) = n(n-1)/2.
      const initial = edges(n);
      const changes = edges(n) / 2;
      expect(p.notifications).toMatchObject({ sent: initial + changes, delivered: initial + changes, undelivered: 0, dropped: 0 });
      // only change notifications have a latency: publish 1 ms + notify 1 ms, no queueing
      expect(r.latency.notification.count).toBe(changes);
      expect(r.latency.notification.max).toBeCloseTo(2, 2);
      expect(r.latency.notification.mean).toBeCloseTo(2, 2);
      // watcher information: one event per created subscription, nothing else happened
      expect(p.watcherInfo).toBe(edges(n));
      expect(p.fetches + p.polls).toBe(0);
      // the servers did exactly that work
      const ops = r.domains['example.com'].operations;
      expect(ops.publish.count).toBe(n);
      expect(ops.subscribe.count).toBe(edges(n));
      expect(ops.notify.count).toBe(initial + changes);
      expect(ops.watcherinfo.count).toBe(edges(n));
      expect(ops.refresh.count + ops.unsubscribe.count + ops.fetch.count).toBe(0);
      for (const op of Object.values(ops)) expect(op.meanWait).toBe(0);
      // and the trace shows one subscribe, one response per subscribe, and every notification
      expect(recs(r, 'subscribe')).toHaveLength(edges(n));
      expect(recs(r, 'subscribeResponse', 'accepted')).toHaveLength(edges(n));
      expect(recs(r, 'notify')).toHaveLength(initial + changes);
      expect(r.im.sent).toBe(0);
      expect(r.security).toMatchObject({ rejectedAuth: 0, denied: 0, politeBlocked: 0, leaks: 0 });
    });
  }

  it('RFC 2779 3.2.3: 2 users with presence changes: notifications = publishes seen by the one other subscriber + initial ones', async () => {
    const r = await runTiny({ users: 2, duration: '30min', behaviour: { presenceChangeRate: '60/h' } });
    const P = r.presence.publishes;
    expect(P).toBeGreaterThan(10);
    // 2 initial notifications (one per subscription); every publish by one user reaches the other
    // (full visibility, always online), except those made before the other's subscription existed:
    // the first user's log-in publish always, and any timer publish of the first user in the few
    // seconds before the second one logged in (the first publish timer fires ~Exp(60 s) after
    // log-in). So sent = 2 + P - 1 - early, with early >= 0 small.
    const sent = r.presence.notifications.sent;
    expect(sent).toBeLessThanOrEqual(2 + P - 1);
    expect(sent).toBeGreaterThanOrEqual(2 + P - 1 - 3);
    expect(r.presence.notifications.delivered).toBe(sent);
    // latency is recorded for change notifications only
    expect(r.latency.notification.count).toBe(sent - 2);
  });

  it('RFC 2779 2.3.2, 5.1.5, 5.1.11, 5.1.13: 3 users, every rule "deny": 6 rejections, no subscription, no notification', async () => {
    const n = 3;
    const r = await runComplete({ users: n, population: { access: '{ deny: 1 }' }, behaviour: { presenceChangeRate: '60/h' } });
    const s = r.presence.subscriptions;
    expect(s.rejected).toBe(edges(n));
    expect(s.created).toBe(0);
    expect(r.security.denied).toBe(edges(n));
    expect(r.presence.notifications.sent).toBe(0);
    // the presentity learns of each refused attempt (watcher information)
    expect(r.presence.watcherInfo).toBe(edges(n));
    // a refused watcher does not retry within its session
    expect(r.domains['example.com'].operations.subscribe.count).toBe(edges(n));
  });

  it('RFC 2779 5.1.15: 3 users, every rule "polite block": 6 apparent grants, exactly one fixed view each, no change notifications', async () => {
    const n = 3;
    const r = await runComplete({ users: n, population: { access: '{ politeBlock: 1 }' }, behaviour: { presenceChangeRate: '120/h' } });
    const s = r.presence.subscriptions;
    expect(s.created).toBe(edges(n));
    expect(s.politeBlocked).toBe(edges(n));
    expect(r.security.politeBlocked).toBe(edges(n));
    expect(r.presence.publishes).toBeGreaterThan(n); // presentities did change ...
    expect(r.presence.notifications.sent).toBe(edges(n)); // ... but each watcher got only the fixed view
    expect(r.latency.notification.count).toBe(0);
  });

  it('RFC 2779 2.3.1: 3 users, every rule "pending", all allowed after 30 s: one notification per subscription once allowed', async () => {
    const n = 3;
    const r = await runComplete({
      users: n,
      population: { access: '{ pending: 1 }' },
      behaviour: { pendingDecisionDelay: '30s', pendingAllowFraction: 1 },
    });
    const s = r.presence.subscriptions;
    expect(s.created).toBe(edges(n));
    expect(s.pending).toBe(edges(n));
    expect(s.pendingAllowed).toBe(edges(n));
    expect(s.pendingDenied).toBe(0);
    // the only publishes are the log-in ones (first 10 s), before any decision (>= 30 s): the only
    // notification of each subscription is the current state sent when it is allowed
    expect(r.presence.publishes).toBe(n);
    expect(r.presence.notifications.sent).toBe(edges(n));
    expect(r.presence.notifications.delivered).toBe(edges(n));
  });

  it('RFC 2779 2.3.1, 5.1.5, 5.1.9: 3 users, every rule "pending", all refused: no notification, each watcher told once by a termination notice and asks no more', async () => {
    const n = 3;
    const r = await runComplete({
      users: n,
      duration: '3min',
      population: { access: '{ pending: 1 }' },
      behaviour: {
        pendingDecisionDelay: '30s',
        pendingAllowFraction: 0,
        subscriptionDuration: '2min',
        maxSubscriptionDuration: '2min',
        refreshBefore: '20s',
      },
    });
    const s = r.presence.subscriptions;
    expect(s.pending).toBe(edges(n));
    expect(s.pendingDenied).toBe(edges(n));
    expect(s.terminated).toBe(edges(n));
    expect(r.presence.notifications.sent).toBe(0);
    // the refusal ends each pending subscription with a termination notice ('rejected'): the
    // watcher stops, so no refresh or second subscribe follows
    expect(s.notices).toEqual({ sent: edges(n), received: edges(n), lost: 0 });
    expect(recs(r, 'terminated').map((x) => x.detail)).toEqual(new Array(edges(n)).fill('rejected'));
    expect(recs(r, 'refresh')).toHaveLength(0);
    expect(s.rejected).toBe(0);
    expect(r.security.denied).toBe(edges(n));
  });

  it('RFC 2779 5.1.12: 3 users, every request with bad credentials: 6 rejected subscribes, nothing disclosed', async () => {
    const n = 3;
    const r = await runComplete({ users: n, behaviour: { authFailureFraction: 1 } });
    expect(r.presence.subscriptions.rejected).toBe(edges(n));
    expect(r.presence.subscriptions.created).toBe(0);
    expect(r.security.rejectedAuth).toBe(edges(n));
    expect(r.presence.notifications.sent).toBe(0);
    expect(r.presence.watcherInfo).toBe(0);
    expect(recs(r, 'subscribeResponse', 'authentication failed')).toHaveLength(edges(n));
  });

  it('RFC 2779 4.2.1, 4.3.1: 2 users messaging each other: every IM delivered and reported once, each in exactly imSend + imDeliver = 2 ms', async () => {
    const r = await runTiny({ users: 2, duration: '30min', population: { watchers: '{ fetcher: 1 }' }, behaviour: { imRate: '60/h' } });
    const im = r.im;
    expect(im.sent).toBeGreaterThan(20);
    // the recipient is always the other user, online, with an inbox, not blocking: no failures.
    // A message is in flight only if sent in the last 2 ms of the run.
    expect(im.failed).toBe(0);
    expect(im.inFlight).toBeLessThanOrEqual(1);
    expect(im.delivered).toBe(im.sent - im.inFlight);
    expect(recs(r, 'message')).toHaveLength(im.sent - im.inFlight);
    expect(recs(r, 'messageReport', 'delivered')).toHaveLength(im.delivered);
    expect(r.latency.im.count).toBe(im.delivered);
    expect(r.latency.im.max).toBeCloseTo(2, 2);
    expect(r.latency.im.mean).toBeCloseTo(2, 2);
  });

  it('RFC 2779 3.4.1: with equal service times a notification is as fast as an IM (both exactly 2 ms)', async () => {
    const r = await runTiny({ users: 3, duration: '20min', behaviour: { imRate: '60/h', presenceChangeRate: '60/h' } });
    expect(r.latency.notification.count).toBeGreaterThan(20);
    expect(r.latency.im.count).toBeGreaterThan(20);
    // publish 1 ms + notify 1 ms; imSend 1 ms + imDeliver 1 ms; no queueing on 64 cores
    expect(r.latency.notification.p95).toBeCloseTo(2, 2);
    expect(r.latency.im.p95).toBeCloseTo(2, 2);
    expect(r.latency.notification.p95).toBeLessThanOrEqual(r.latency.im.p95 + 0.01);
  });

  it('RFC 2779 2.2.5: fan-out: one publish to 40 subscribers gives 40 notifications queued one behind the other on a single core', async () => {
    const S = 40;
    const r = await runTiny({
      users: 1,
      duration: '20min',
      servers: '{ count: 1, cores: 1 }',
      population: { buddies: 0, celebrity: `{ domain: example.com, subscribers: ${S} }` },
      behaviour: { presenceChangeRate: '30/h' },
    });
    // the celebrity is user 0; the 40 extra users subscribe to it and to nothing else
    expect(r.presence.subscriptions.created).toBe(S);
    // the extra users have no presentity, so every publish is the celebrity's, and each reaches
    // every subscriber active then: change notifications (= latency count) are between 40 (P - 1)
    // (its log-in publish may precede every subscription) and 40 P
    const celebPublishes = r.presence.publishes;
    const changes = r.latency.notification.count;
    expect(r.presence.notifications.sent - changes).toBe(S); // one initial notification per subscription
    expect(changes).toBeGreaterThanOrEqual(S * (celebPublishes - 1));
    expect(changes).toBeLessThanOrEqual(S * celebPublishes);
    expect(celebPublishes).toBeGreaterThan(3);
    // publish 1 ms, then the i-th notification of the fan-out leaves after i ms more (1 core):
    // the last of the 40 waits behind the 39 others: latency 1 + 40 = 41 ms
    expect(r.latency.notification.max).toBeGreaterThanOrEqual(1 + S - 0.05);
    expect(r.latency.notification.p50).toBeGreaterThan(10);
  });
});
