/**
 * The end of a subscription as the watcher sees it: owner revocation (RFC 2779 5.1.16) and the
 * termination notice on expiry, refusal and revocation (RFC 2779 5.1.9).
 */
import { describe, expect, it } from 'vitest';
import { recs, runTiny, runUntil } from './tiny.js';

describe('revocation and termination notices', () => {
  it('RFC 2779 5.1.16: the presentity revokes an active subscription; the watcher is told, gets nothing more from it, and is refused if it asks again', async () => {
    const o = {
      users: 4,
      duration: '30min',
      population: { buddies: 3 },
      behaviour: { presenceChangeRate: '120/h', revocationRate: '6/h', subscriptionDuration: '5min', maxSubscriptionDuration: '5min', refreshBefore: '30s', sessionLength: '10min', offlineLength: '2min' },
    };
    // a seed where some revoked watcher logs in again later and asks again
    const r = await runUntil(
      o,
      (x) => recs(x, 'terminated', 'revoked').some((t) => recs(x, 'subscribe').some((s) => s.from === t.to && s.to === t.from && s.t > t.t)),
      'a revoked watcher that subscribes again',
    );
    const revoked = recs(r, 'terminated', 'revoked');
    expect(r.presence.subscriptions.revoked).toBe(revoked.length);
    expect(r.domains['example.com'].operations.revoke.count).toBe(revoked.length);
    expect(r.security.leaks).toBe(0);
    for (const t of revoked) {
      // after the revocation no notification from that presentity reaches that watcher ...
      expect(recs(r, 'notify').filter((n) => n.from === t.from && n.to === t.to && n.t > t.t)).toHaveLength(0);
      // ... and every later subscribe of it is refused by the presentity
      for (const s of recs(r, 'subscribe').filter((x) => x.from === t.to && x.to === t.from && x.t > t.t)) {
        const answer = recs(r, 'subscribeResponse').find((x) => x.from === t.from && x.to === t.to && x.t >= s.t)!;
        expect(answer.detail).toBe('denied by the presentity');
      }
    }
  });

  it('RFC 2779 5.1.9: every subscription that ends at the service (expiry, refusal, revocation) sends the watcher a termination notice saying why', async () => {
    const r = await runTiny({
      users: 5,
      duration: '30min',
      population: { buddies: 4, access: '{ allow: 0.6, pending: 0.4 }' },
      behaviour: {
        presenceChangeRate: '60/h',
        revocationRate: '2/h',
        crashFraction: 0.5,
        pendingAllowFraction: 0.5,
        subscriptionDuration: '3min',
        maxSubscriptionDuration: '3min',
        refreshBefore: '30s',
        sessionLength: '6min',
        offlineLength: '3min',
      },
    });
    const s = r.presence.subscriptions;
    const by = (why: string) => recs(r, 'terminated', why).length;
    expect(by('timeout')).toBe(s.expired);
    // a refusal ends a subscription only if it was still pending when the presentity decided
    expect(by('rejected')).toBeGreaterThan(0);
    expect(by('rejected')).toBeLessThanOrEqual(s.pendingDenied);
    expect(by('revoked')).toBe(s.revoked);
    expect(s.expired).toBeGreaterThan(0);
    expect(s.notices.sent).toBe(s.expired + by('rejected') + s.revoked);
    // crashed watchers are offline: their notices arrive but nobody receives them
    expect(s.notices.received).toBeLessThan(s.notices.sent);
  });
});

describe('pending authorisation', () => {
  it('pending authorisation: the presentity\'s agent decides a pending request only while it is online; one that finds it offline is decided after its next log-in', async () => {
    const r = await runTiny({
      users: 4,
      duration: '40min',
      population: { buddies: 3, access: '{ pending: 1 }', online: 0.5 },
      behaviour: { pendingDecisionDelay: '1min', pendingAllowFraction: 1, sessionLength: '5min', offlineLength: '5min', crashFraction: 0, subscriptionDuration: '10min', maxSubscriptionDuration: '10min', refreshBefore: '1min' },
    });
    const s = r.presence.subscriptions;
    expect(s.decisionsDeferred).toBeGreaterThan(0);
    expect(s.pendingAllowed).toBeGreaterThan(0);
    // every decision was taken while its presentity was online: an approval sends the watcher's
    // first notification at once, so the first notify of every pair comes from an online
    // presentity (its last publish before it opened its tuples, not closed them)
    const firsts = new Map<string, (typeof r.trace & object)[number]>();
    for (const n of recs(r, 'notify')) if (!firsts.has(`${n.from} ${n.to}`)) firsts.set(`${n.from} ${n.to}`, n);
    expect(firsts.size).toBeGreaterThan(0);
    for (const n of firsts.values()) {
      const pubs = recs(r, 'publish').filter((p) => p.from === n.from && p.t <= n.t);
      expect(pubs.length, `${n.from} -> ${n.to} at ${n.t}`).toBeGreaterThan(0);
      expect(pubs[pubs.length - 1].detail.endsWith('closed'), `${n.from} offline at ${n.t}`).toBe(false);
    }
  });
});
