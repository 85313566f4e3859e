/**
 * RFC 2779 presence requirements (2.1, 2.3, 3.2, 5.1-5.3) that the model covers, checked on tiny
 * one-domain scenarios written as YAML (tiny.ts) through the report's counters and message trace.
 * Complements rfc2779.test.ts; numbers refer to ../shared/spec/rfc2779-requirements.md.
 *
 * Trace semantics used here: a request (subscribe, refresh, unsubscribe, fetch) is recorded when the
 * watcher sends it; a subscribeResponse / fetchResponse when the presentity's server has processed
 * the request; a notify when the server sends it. With tiny.ts's defaults every job takes exactly
 * 1 ms and never waits, and one domain means no link delay.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { between, pairsOf, recs, runComplete, runTiny, runUntil, type Rec } from './tiny.js';

const detailsOf = (xs: Rec[]) => new Set(xs.map((x) => x.detail));

/** When user u first sent something itself (at log-in a subscriber subscribes), or Infinity. */
const USER_OPS = new Set(['subscribe', 'refresh', 'unsubscribe', 'fetch', 'message']);
const firstSeen = (r: Report, u: string) => Math.min(...recs(r).filter((x) => x.from === u && USER_OPS.has(x.op)).map((x) => x.t), Infinity);

describe('RFC 2779 presence requirements (more)', () => {
  it('RFC 2779 2.1.2 inbox-only principals watch presentities, presentity-only principals are watched, and neither needs the other half', async () => {
    const r = await runUntil(
      {
        users: 8,
        duration: '10min',
        population: { buddies: 2, principals: '{ presentityOnly: 0.5, inboxOnly: 0.5 }' },
        behaviour: { imRate: '60/h', presenceChangeRate: '60/h' },
      },
      (x) => recs(x, 'message').length > 0 && recs(x, 'subscribe').length > 0,
      'both principal kinds in use',
    );
    const presentities = new Set(recs(r, 'subscribe').map((x) => x.to));
    const senders = new Set(recs(r, 'message').map((x) => x.from));
    // only principals with an inbox send; only principals with a presentity are watched
    for (const s of senders) expect(presentities.has(s)).toBe(false);
    // inbox-only principals still subscribe, are granted and are notified
    const inboxOnlyWatchers = recs(r, 'subscribeResponse', 'accepted').filter((x) => senders.has(x.to));
    expect(inboxOnlyWatchers.length).toBeGreaterThan(0);
    expect(recs(r, 'notify').some((x) => senders.has(x.to))).toBe(true);
    // presentity-only principals are watched and notified about
    expect(recs(r, 'notify').every((x) => presentities.has(x.from))).toBe(true);
    expect(r.presence.notifications.delivered).toBeGreaterThan(0);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 2.1.1 with the presence service off only IM traffic exists; with the IM service off only presence traffic', async () => {
    const noPresence = await runTiny({
      domains: `  - { name: example.com, users: 4, presence: false, servers: { count: 1, cores: 64 } }`,
      population: { buddies: 3 },
      behaviour: { imRate: '60/h', presenceChangeRate: '60/h' },
    });
    expect(new Set(recs(noPresence).map((x) => x.op))).toEqual(new Set(['message', 'messageReport']));
    expect(noPresence.im.delivered).toBeGreaterThan(0);
    expect(noPresence.im.failed).toBe(0);
    expect(noPresence.presence.publishes).toBe(0);
    const noIm = await runTiny({
      domains: `  - { name: example.com, users: 4, im: false, servers: { count: 1, cores: 64 } }`,
      population: { buddies: 3 },
      behaviour: { imRate: '60/h', presenceChangeRate: '60/h' },
    });
    expect(recs(noIm, 'message')).toHaveLength(0);
    expect(noIm.im.sent).toBe(0);
    expect(noIm.presence.notifications.delivered).toBeGreaterThan(0);
    expect(recs(noIm, 'subscribeResponse').every((x) => x.detail === 'accepted')).toBe(true);
  });

  it('RFC 2779 2.1.5, 2.2.1 any number of domains: a 12-domain run works across every domain, with no peering configured', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `d${i}.example`);
    const r = await runTiny({
      domains: names.map((n) => `  - { name: ${n}, users: 3 }`).join('\n'),
      population: { buddies: 2, federatedFraction: 1 },
      behaviour: { presenceChangeRate: '30/h', imRate: '30/h' },
      trace: '{ enabled: false }',
    });
    expect(r.parameters.domains).toBe(12);
    expect(Object.keys(r.domains).sort()).toEqual([...names].sort());
    for (const n of names) expect(r.domains[n].operations.publish.count).toBeGreaterThan(0);
    // every buddy is in another domain: all of these crossed a domain boundary
    expect(r.presence.subscriptions.created).toBeGreaterThan(0);
    expect(r.presence.notifications.delivered).toBeGreaterThan(0);
    expect(r.im.delivered).toBeGreaterThan(0);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 2.3.2, 5.1.5 a denied subscriber gets a rejection, never a notification, and does not retry', async () => {
    const r = await runComplete({ users: 3, population: { access: '{ deny: 1 }' }, behaviour: { presenceChangeRate: '120/h' } });
    expect(recs(r, 'subscribe')).toHaveLength(6);
    expect(recs(r, 'subscribeResponse')).toHaveLength(6);
    expect(detailsOf(recs(r, 'subscribeResponse'))).toEqual(new Set(['denied by the access rules']));
    for (const [w, p] of pairsOf(r, 'subscribe')) {
      const [req] = between(r, 'subscribe', w, p);
      const [resp] = between(r, 'subscribeResponse', p, w);
      expect(resp.t).toBeGreaterThan(req.t); // the answer goes to the asking watcher, after its request
    }
    expect(recs(r, 'notify')).toHaveLength(0);
    expect(recs(r, 'refresh')).toHaveLength(0);
    expect(r.presence.publishes).toBeGreaterThan(3);
  });

  it('RFC 2779 5.1.13, 2.3.1 a barred principal is barred from fetching too; an allowed fetcher gets a fetchResponse for every fetch', async () => {
    const denied = await runComplete({ users: 3, population: { watchers: '{ fetcher: 1 }', access: '{ deny: 1 }' }, behaviour: { fetchRate: '120/h' } });
    expect(recs(denied, 'fetch').length).toBeGreaterThan(5);
    expect(detailsOf(recs(denied, 'fetchResponse'))).toEqual(new Set(['denied']));
    expect(recs(denied, 'notify')).toHaveLength(0);
    const allowed = await runComplete({ users: 3, population: { watchers: '{ fetcher: 1 }' }, behaviour: { fetchRate: '120/h' } });
    const fetches = recs(allowed, 'fetch');
    expect(fetches.length).toBeGreaterThan(5);
    // each fetch is answered 1 ms later, to the fetcher, from the fetched presentity, with both tuples
    for (const f of fetches) {
      const resp = recs(allowed, 'fetchResponse').filter((x) => x.from === f.to && x.to === f.from && Math.abs(x.t - (f.t + 1)) < 1e-6);
      expect(resp).toHaveLength(1);
      expect(resp[0].detail).toBe('2 tuple(s)');
    }
    expect(recs(allowed, 'fetchResponse')).toHaveLength(fetches.length);
    expect(allowed.presence.fetches).toBe(fetches.length);
    // fetchers do not subscribe and get no notifications (RFC 2778 FETCHER)
    expect(recs(allowed, 'subscribe')).toHaveLength(0);
    expect(recs(allowed, 'notify')).toHaveLength(0);
  });

  it('RFC 2779 5.1.15 a politely blocked subscriber appears granted, gets only one fixed closed view, and keeps refreshing like a granted one', async () => {
    const r = await runComplete({
      users: 3,
      population: { access: '{ politeBlock: 1 }' },
      behaviour: { presenceChangeRate: '120/h', subscriptionDuration: '2min', maxSubscriptionDuration: '2min', refreshBefore: '20s' },
    });
    const answers = recs(r, 'subscribeResponse');
    expect(answers.filter((x) => x.detail === 'polite block (appears granted)')).toHaveLength(6);
    expect(answers.every((x) => x.detail === 'polite block (appears granted)' || x.detail === 'refreshed')).toBe(true);
    // the watcher behaves as if granted: it refreshes before the 2 min run out
    expect(recs(r, 'refresh').length).toBeGreaterThanOrEqual(6 * 4);
    // exactly one notification per blocked watcher, the fixed closed view, although presentities changed
    const notes = recs(r, 'notify');
    expect(notes).toHaveLength(6);
    expect(detailsOf(notes)).toEqual(new Set(['polite block: fixed closed view']));
    expect(new Set(notes.map((x) => `${x.from} ${x.to}`)).size).toBe(6);
    expect(r.presence.publishes).toBeGreaterThan(10);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 5.1.15 a politely blocked fetcher gets the fixed closed view', async () => {
    const r = await runComplete({ users: 3, population: { watchers: '{ fetcher: 1 }', access: '{ politeBlock: 1 }' }, behaviour: { fetchRate: '120/h' } });
    expect(recs(r, 'fetchResponse').length).toBeGreaterThan(5);
    expect(detailsOf(recs(r, 'fetchResponse'))).toEqual(new Set(['polite block: fixed closed view']));
    expect(r.security.politeBlocked).toBe(recs(r, 'fetchResponse').length);
  });

  it('RFC 2779 2.3.1 a pending subscription gets no notification before the presentity decides, and the current state once allowed', async () => {
    const delay = 30_000;
    const r = await runComplete({
      users: 3,
      duration: '5min',
      population: { access: '{ pending: 1 }' },
      behaviour: { presenceChangeRate: '720/h', pendingDecisionDelay: '30s', pendingAllowFraction: 1 },
    });
    const pending = recs(r, 'subscribeResponse', 'pending authorisation');
    expect(pending).toHaveLength(6);
    for (const resp of pending) {
      const notes = between(r, 'notify', resp.from, resp.to);
      expect(notes.length).toBeGreaterThan(0);
      // decided 30 s after the answer; the current state leaves 1 ms later; nothing before
      expect(notes[0].t).toBeGreaterThanOrEqual(resp.t + delay);
      expect(notes[0].t).toBeCloseTo(resp.t + delay + 1, 6);
    }
    // presentities did change while the subscriptions were pending (12 changes per minute each)
    expect(r.presence.publishes).toBeGreaterThan(3 + 6);
  });

  it('RFC 2779 5.1.5, 5.1.9 a pending subscription the presentity refuses gets no notification, and the watcher is told of the refusal at once', async () => {
    const r = await runComplete({
      users: 3,
      duration: '3min',
      population: { access: '{ pending: 1 }' },
      behaviour: {
        presenceChangeRate: '720/h',
        pendingDecisionDelay: '30s',
        pendingAllowFraction: 0,
        subscriptionDuration: '2min',
        maxSubscriptionDuration: '2min',
        refreshBefore: '20s',
      },
    });
    expect(recs(r, 'notify')).toHaveLength(0);
    for (const [w, p] of pairsOf(r, 'subscribe')) {
      const answers = between(r, 'subscribeResponse', p, w).map((x) => x.detail);
      expect(answers).toEqual(['pending authorisation']);
      expect(between(r, 'terminated', p, w).map((x) => x.detail)).toEqual(['rejected']);
    }
    expect(pairsOf(r, 'subscribe')).toHaveLength(6);
  });

  it('RFC 2779 5.1.7 once an unsubscribe is processed, no notification is sent to that watcher', async () => {
    // users log out (gracefully) after ~3 min and never return; the others keep changing presence
    const o = {
      users: 3,
      duration: '10min',
      behaviour: { presenceChangeRate: '720/h', sessionLength: '3min' },
    };
    let checked = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const r = await runTiny({ ...o, seed });
      for (const u of recs(r, 'unsubscribe')) {
        // unsubscribe takes 1 ms at the presentity's server; notifications sent after that: none
        const done = u.t + 1;
        const late = between(r, 'notify', u.to, u.from).filter((x) => x.t > done + 1e-9);
        expect(late).toEqual([]);
        // the presentity went on notifying its other watchers afterwards (the check is not vacuous)
        if (recs(r, 'notify').some((x) => x.from === u.to && x.to !== u.from && x.t > done)) checked++;
      }
      expect(r.presence.subscriptions.terminated).toBe(recs(r, 'unsubscribe').length);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('RFC 2779 3.2.4, 3.2.5 a crashed watcher (no goodbye) is detected by lease expiry: notifications to it stop one granted duration after its last refresh', async () => {
    const granted = 120_000;
    const o = {
      users: 3,
      duration: '10min',
      behaviour: {
        presenceChangeRate: '720/h',
        sessionLength: '2min',
        crashFraction: 1,
        subscriptionDuration: '2min',
        maxSubscriptionDuration: '2min',
        refreshBefore: '20s',
      },
    };
    let undelivered = 0;
    let expired = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const r = await runTiny({ ...o, seed });
      expect(recs(r, 'unsubscribe')).toHaveLength(0);
      expect(r.sessions.crashes).toBe(r.sessions.logouts);
      for (const [w, p] of pairsOf(r, 'subscribe')) {
        const lastRenewal = Math.max(...[...between(r, 'subscribe', w, p), ...between(r, 'refresh', w, p)].map((x) => x.t));
        // renewal processed 1 ms after it is sent, lease runs `granted` from then; a notify job
        // started just before the expiry may end 1 ms after it
        const expiry = lastRenewal + 1 + granted;
        expect(between(r, 'notify', p, w).filter((x) => x.t > expiry + 1 + 1e-9)).toEqual([]);
      }
      undelivered += r.presence.notifications.undelivered;
      expired += r.presence.subscriptions.expired;
      expect(r.presence.subscriptions.terminated).toBe(0);
    }
    // between the crash and the expiry, notifications went out to the vanished watcher
    expect(undelivered).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
  });

  it('RFC 2779 3.2.1, 2.3.7 fetch works while the presentity is OUT OF CONTACT, and access decisions do not change', async () => {
    // two users, one online for good, the other never logs in
    const oneOnline = (x: Report) => x.sessions.logins === 1;
    const base = { users: 2, population: { online: 0.5, watchers: '{ fetcher: 1 }' }, behaviour: { fetchRate: '120/h' } };
    const allowed = await runUntil(base, oneOnline, 'exactly one user online');
    expect(recs(allowed, 'fetch').length).toBeGreaterThan(3);
    // the stored information comes back (both tuples), not an error
    expect(detailsOf(recs(allowed, 'fetchResponse'))).toEqual(new Set(['2 tuple(s)']));
    const denied = await runUntil({ ...base, population: { ...base.population, access: '{ deny: 1 }' } }, oneOnline, 'exactly one user online');
    expect(recs(denied, 'fetch').length).toBeGreaterThan(3);
    expect(detailsOf(recs(denied, 'fetchResponse'))).toEqual(new Set(['denied']));
  });

  it('RFC 2779 3.2.2, 2.3.7 subscribe works while the presentity is OUT OF CONTACT, and a notification follows when it returns', async () => {
    // one user online from the start, the other logs in between minute 2 and minute 3
    const r = await runUntil(
      { users: 2, duration: '5min', population: { online: 0.5 }, behaviour: { loginStart: '2min', loginWindow: '1min' } },
      (x) => {
        const [a, b] = ['u0@example.com', 'u1@example.com'].map((u) => firstSeen(x, u));
        return Math.min(a, b) < 10_000 && Math.max(a, b) >= 120_000;
      },
      'one user online at the start and one arriving later',
    );
    const [w, p] = firstSeen(r, 'u0@example.com') < firstSeen(r, 'u1@example.com') ? ['u0@example.com', 'u1@example.com'] : ['u1@example.com', 'u0@example.com'];
    const returns = firstSeen(r, p);
    const [resp] = between(r, 'subscribeResponse', p, w);
    expect(resp.detail).toBe('accepted');
    expect(resp.t).toBeLessThan(returns);
    const notes = between(r, 'notify', p, w);
    // the current (offline) state at once, then the log-in change when the presentity returns
    expect(notes.filter((x) => x.t < returns)).toHaveLength(1);
    expect(notes.filter((x) => x.t >= returns).length).toBeGreaterThanOrEqual(1);
    expect(r.latency.notification.count).toBeGreaterThanOrEqual(1);
  });

  it('RFC 2779 2.3.3, 5.2.3 a first-tuple-only watcher never sees tuple > 0, by notify or by fetch; a full watcher sees every tuple', async () => {
    const o = (vis: string) => ({
      users: 4,
      population: { tuples: 3, visibility: vis, watchers: '{ subscriber: 0.5, fetcher: 0.5 }' },
      behaviour: { presenceChangeRate: '360/h', fetchRate: '120/h' },
    });
    const both = (x: Report) => recs(x, 'notify').length > 0 && recs(x, 'fetchResponse').length > 0;
    // the tuples each document carried, from the state the model sent
    const carried = (x: Report, op: string) => new Set(recs(x, op).map((n) => n.state!.tuples.map((t) => t.index).join(',')));
    const first = await runUntil(o('{ firstTupleOnly: 1 }'), both, 'subscribers and fetchers');
    expect(carried(first, 'notify')).toEqual(new Set(['0']));
    expect(carried(first, 'fetchResponse')).toEqual(new Set(['0']));
    expect(detailsOf(recs(first, 'fetchResponse'))).toEqual(new Set(['1 tuple(s)']));
    const full = await runUntil(o('{ full: 1 }'), both, 'subscribers and fetchers');
    expect(carried(full, 'notify')).toEqual(new Set(['0,1,2']));
    expect(carried(full, 'fetchResponse')).toEqual(new Set(['0,1,2']));
    // the restricted view is a smaller document
    const size = (x: Report) => Math.max(...recs(x, 'notify').map((n) => n.bytes));
    expect(size(first)).toBeLessThan(size(full));
    expect(first.security.leaks + full.security.leaks).toBe(0);
  });

  it('RFC 2779 5.2.3 one presentity treats its watchers differently at once: each watcher keeps its own view', async () => {
    // every pair is allowed, half of them see the first tuple only (decided per pair)
    const r = await runUntil(
      { users: 4, population: { tuples: 2, visibility: '{ full: 0.5, firstTupleOnly: 0.5 }' }, behaviour: { presenceChangeRate: '360/h' } },
      (x) => new Set(recs(x, 'notify').map((n) => n.state!.view)).size === 2,
      'both views in use',
    );
    for (const [p, w] of pairsOf(r, 'notify')) {
      const notes = between(r, 'notify', p, w);
      const views = new Set(notes.map((n) => n.state!.view));
      expect(views.size).toBe(1); // one view per watcher, for the whole run
      if (notes[0].state!.viewName === 'first tuple only') expect(notes.every((n) => n.state!.tuples.length === 1 && n.state!.tuples[0].index === 0)).toBe(true);
      else expect(notes.every((n) => n.state!.tuples.length === 2)).toBe(true);
    }
    // a presentity with watchers of both kinds exists, and full watchers did see tuple 1
    expect(recs(r, 'notify').some((n) => n.state!.tuples.some((t) => t.index === 1))).toBe(true);
    const mixed = [...new Set(recs(r, 'notify').map((n) => n.from))].some((p) => {
      const s = new Set(recs(r, 'notify').filter((n) => n.from === p).map((n) => n.state!.view));
      return s.size === 2;
    });
    expect(mixed).toBe(true);
  });

  it('RFC 2779 5.3.2 a watcher gets notifications only from presentities it subscribed to (mixed rules, log-outs and crashes)', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = await runTiny({
        seed,
        users: 5,
        duration: '15min',
        population: { buddies: 2, access: '{ allow: 0.4, deny: 0.2, politeBlock: 0.2, pending: 0.2 }', watchers: '{ subscriber: 0.6, poller: 0.2, fetcher: 0.2 }' },
        behaviour: { presenceChangeRate: '120/h', sessionLength: '4min', offlineLength: '2min', crashFraction: 0.5, fetchRate: '60/h', pollInterval: '1min' },
      });
      const notes = recs(r, 'notify');
      expect(notes.length).toBeGreaterThan(10);
      for (const n of notes) {
        const asked = between(r, 'subscribe', n.to, n.from).some((s) => s.t < n.t);
        expect(asked, `${n.from} notified ${n.to} at ${n.t} without a subscription`).toBe(true);
      }
      expect(r.security.leaks).toBe(0);
    }
  });

  it('RFC 2779 5.1.10 the subscriber learns the granted duration: it refreshes exactly (granted - refreshBefore) after each answer, with the service maximum applied', async () => {
    // requested 3 min, shortened by the service to 2 min; refresh 20 s before expiry
    const r = await runComplete({
      users: 3,
      duration: '10min',
      behaviour: { subscriptionDuration: '3min', maxSubscriptionDuration: '2min', refreshBefore: '20s' },
    });
    for (const [w, p] of pairsOf(r, 'subscribe')) {
      const renewals = [...between(r, 'subscribe', w, p), ...between(r, 'refresh', w, p)].map((x) => x.t).sort((a, b) => a - b);
      expect(renewals.length).toBeGreaterThanOrEqual(5);
      // answer 1 ms after each request, next refresh 120 s - 20 s after the answer
      for (let i = 1; i < renewals.length; i++) expect(renewals[i] - renewals[i - 1]).toBeCloseTo(1 + 100_000, 6);
    }
    expect(r.presence.subscriptions.expired).toBe(0);
    expect(recs(r, 'subscribeResponse', 'refreshed').length).toBe(recs(r, 'refresh').length);
  });

  it('RFC 2779 5.1.11 the presentity learns of fetches, refused and politely blocked subscribers as well as granted ones', async () => {
    for (const access of ['{ deny: 1 }', '{ politeBlock: 1 }', '{ allow: 1 }']) {
      const subs = await runComplete({ users: 3, duration: '5min', population: { access } });
      // one watcher-information event per subscribe attempt (6), whatever the answer
      expect(subs.presence.watcherInfo).toBe(6);
    }
    const fetchers = await runComplete({ users: 3, population: { watchers: '{ fetcher: 1 }', access: '{ allow: 0.5, deny: 0.5 }' }, behaviour: { fetchRate: '120/h' } });
    expect(fetchers.presence.fetches).toBeGreaterThan(5);
    expect(fetchers.presence.watcherInfo).toBe(fetchers.presence.fetches);
  });

  it('RFC 2779 5.1.12 subscribes and fetches with bad credentials are rejected and counted, and disclose nothing', async () => {
    const r = await runComplete({ users: 3, population: { watchers: '{ subscriber: 0.5, fetcher: 0.5 }' }, behaviour: { authFailureFraction: 1, fetchRate: '120/h' } });
    const subs = recs(r, 'subscribeResponse');
    const fetches = recs(r, 'fetchResponse');
    expect(subs.length + fetches.length).toBeGreaterThan(3);
    expect(subs.every((x) => x.detail === 'authentication failed')).toBe(true);
    expect(fetches.every((x) => x.detail === 'authentication failed')).toBe(true);
    expect(r.security.rejectedAuth).toBe(subs.length + fetches.length);
    expect(recs(r, 'notify')).toHaveLength(0);
    expect(r.presence.watcherInfo).toBe(0);
  });
});
