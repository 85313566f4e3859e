/**
 * RFC 2779 requirements the model covers, each checked on a small seeded run. Test names carry the
 * requirement numbers (see ../shared/spec/rfc2779-requirements.md).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario/types.js';
import { domain, smallScenario } from './fixtures.js';

const HOUR = 3_600_000;

function scenario(mod: (s: Scenario) => void): Scenario {
  const s = smallScenario();
  mod(s);
  return s;
}

const allAllow = { allow: 1, deny: 0, politeBlock: 0, pending: 0 };

describe('IMPP model against RFC 2779', () => {
  it('RFC 2779 2.3.1, 2.3.3: no presence information reaches a watcher the rules do not allow (leaks = 0 over randomised runs)', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const s = scenario((x) => {
        x.seed = seed;
        x.population.access = { allow: 0.4, deny: 0.2, politeBlock: 0.2, pending: 0.2 };
        x.population.visibility = { full: 0.5, firstTupleOnly: 0.5 };
        x.population.tuples = 3;
        x.duration = HOUR;
      });
      const r = await runScenario(s);
      expect(r.presence.notifications.sent).toBeGreaterThan(200);
      expect(r.security.denied).toBeGreaterThan(0);
      expect(r.security.politeBlocked).toBeGreaterThan(0);
      expect(r.presence.subscriptions.pending).toBeGreaterThan(0);
      expect(r.security.leaks).toBe(0);
    }
  });

  it('RFC 2779 4.2.1, 5.4.1: every IM sent ends delivered, failed with a report, indeterminate, or is counted in flight by the end-of-run census', async () => {
    for (const seed of [5, 6]) {
      const r = await runScenario(scenario((x) => (x.seed = seed)));
      expect(r.im.sent).toBeGreaterThan(100);
      expect(r.im.inFlight).toBeGreaterThanOrEqual(0);
      // only messages sent in the last fraction of a second can still be travelling
      expect(r.im.inFlight).toBeLessThanOrEqual(3);
      expect(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight).toBe(r.im.sent + r.im.copies);
      const byReason = Object.values(r.im.failedBy).reduce((a, b) => a + b, 0);
      expect(byReason).toBe(r.im.failed);
      expect(r.im.failedBy.closed).toBeGreaterThan(0);
      expect(r.im.failedBy.unknown).toBeGreaterThan(0);
    }
  });

  it('RFC 2779 2.1.1: presence works with the IM service off, and IM works with the presence service off', async () => {
    const noIm = await runScenario(scenario((x) => x.domains.forEach((d) => (d.im = false))));
    expect(noIm.im.sent).toBe(0);
    expect(noIm.im.delivered).toBe(0);
    expect(noIm.presence.notifications.delivered).toBeGreaterThan(100);
    const noPresence = await runScenario(scenario((x) => x.domains.forEach((d) => (d.presence = false))));
    expect(noPresence.presence.publishes).toBe(0);
    expect(noPresence.presence.notifications.sent).toBe(0);
    expect(noPresence.presence.subscriptions.created).toBe(0);
    expect(noPresence.im.delivered).toBeGreaterThan(50);
  });

  it('RFC 2779 2.1.2: inbox-only and presentity-only principals coexist; IMs to a principal without an inbox fail as unknown', async () => {
    const r = await runScenario(
      scenario((x) => {
        x.population.principals = { both: 0, presentityOnly: 0.5, inboxOnly: 0.5 };
        x.behaviour.unknownRecipientFraction = 0;
      }),
    );
    expect(r.presence.notifications.delivered).toBeGreaterThan(0);
    expect(r.im.sent).toBeGreaterThan(0);
    // every buddy is a presentity-only principal (inbox-only ones cannot be watched): no inbox
    expect(r.im.delivered).toBe(0);
    expect(r.im.failedBy.unknown).toBeGreaterThan(0);
  });

  it('RFC 2779 2.3.2, 5.1.5, 5.1.13: a denied subscribe fails and stores no subscription', async () => {
    const r = await runScenario(scenario((x) => (x.population.access = { allow: 0, deny: 1, politeBlock: 0, pending: 0 })));
    expect(r.presence.subscriptions.rejected).toBeGreaterThan(100);
    expect(r.presence.subscriptions.created).toBe(0);
    expect(r.presence.notifications.sent).toBe(0);
    expect(r.latency.notification.count).toBe(0);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 5.1.15: a politely blocked watcher appears subscribed, gets only the fixed closed view, and costs no change notifications', async () => {
    const r = await runScenario(scenario((x) => (x.population.access = { allow: 0, deny: 0, politeBlock: 1, pending: 0 })));
    const s = r.presence.subscriptions;
    expect(s.created).toBeGreaterThan(100);
    expect(s.politeBlocked).toBe(s.created);
    expect(s.rejected).toBeLessThan(s.created / 20); // only authentication failures
    // one fixed view per new subscription, at most, and no change notification at all
    expect(r.presence.notifications.sent).toBeLessThanOrEqual(s.created);
    expect(r.latency.notification.count).toBe(0);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 3.2.3: every change is notified to each allowed subscriber (3 users watching each other, always online)', async () => {
    const r = await runScenario(
      scenario((x) => {
        x.domains = [domain('example.com', 3)];
        x.population.buddies = { dist: 'fixed', value: 2 };
        x.population.federatedFraction = 0;
        x.population.principals = { both: 1, presentityOnly: 0, inboxOnly: 0 };
        x.population.watchers = { subscriber: 1, poller: 0, fetcher: 0 };
        x.population.access = allAllow;
        x.population.visibility = { full: 1, firstTupleOnly: 0 };
        x.population.online = 1;
        x.behaviour.sessionLength = 1e12;
        x.behaviour.authFailureFraction = 0;
        x.behaviour.presenceChangeRate = 60;
        x.duration = HOUR;
      }),
    );
    const pub = r.presence.publishes;
    const created = r.presence.subscriptions.created;
    expect(created).toBe(6);
    expect(pub).toBeGreaterThan(100);
    // each publish reaches both subscribers once their subscriptions exist (the 3 login
    // publishes may precede them), plus one current-state notification per new subscription
    expect(r.presence.notifications.sent).toBeLessThanOrEqual(created + 2 * pub);
    expect(r.presence.notifications.sent).toBeGreaterThanOrEqual(created + 2 * (pub - 3));
    expect(r.presence.notifications.delivered).toBe(r.presence.notifications.sent);
  });

  it('RFC 2779 5.1.11: the presentity learns of every subscribe, fetch, unsubscribe and expiry (watcher information)', async () => {
    const r = await runScenario(
      scenario((x) => {
        x.population.access = allAllow;
        x.behaviour.authFailureFraction = 0;
      }),
    );
    const s = r.presence.subscriptions;
    expect(r.presence.watcherInfo).toBe(s.created + s.terminated + s.expired + r.presence.fetches);
  });

  it('RFC 2779 3.2.5, 3.2.4: crashed watchers stop refreshing and their subscriptions expire', async () => {
    const r = await runScenario(
      scenario((x) => {
        x.behaviour.crashFraction = 1;
        x.population.access = allAllow;
      }),
    );
    expect(r.sessions.crashes).toBe(r.sessions.logouts);
    expect(r.presence.subscriptions.expired).toBeGreaterThan(50);
    expect(r.presence.subscriptions.terminated).toBe(0);
  });

  it('RFC 2779 2.3.1: pending authorisation: pending subscriptions get notifications only once allowed', async () => {
    const r = await runScenario(scenario((x) => (x.population.access = { allow: 0, deny: 0, politeBlock: 0, pending: 1 })));
    const s = r.presence.subscriptions;
    expect(s.pending).toBeGreaterThan(20);
    expect(s.pendingAllowed).toBeGreaterThan(0);
    expect(s.pendingDenied).toBeGreaterThan(0);
    expect(r.presence.notifications.sent).toBeGreaterThan(0);
    expect(r.security.leaks).toBe(0);
  });

  it('RFC 2779 5.4.2, 4.1.9: a message retransmitted with the same id is delivered at most once', async () => {
    const r = await runScenario(scenario((x) => (x.behaviour.duplicateFraction = 0.5)));
    expect(r.im.duplicates).toBeGreaterThan(50);
    expect(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight).toBe(r.im.sent + r.im.copies);
  });

  it('RFC 2779 2.3.5, 5.4.10: an inbox owner blocks senders; blocked messages fail with a report', async () => {
    const r = await runScenario(
      scenario((x) => {
        x.population.blockedSenders = 1;
        x.behaviour.unknownRecipientFraction = 0;
      }),
    );
    expect(r.im.delivered).toBe(0);
    expect(r.im.failedBy.blocked).toBeGreaterThan(50);
  });

  it('servers: a queue limit rejects work under overload and the report counts it per domain', async () => {
    const r = await runScenario(
      scenario((x) => {
        for (const d of x.domains) {
          d.servers = { count: 1, cores: 1, queueLimit: 2 };
          d.serviceTimes.notify = { dist: 'fixed', value: 400 };
        }
      }),
    );
    const overload = Object.values(r.domains).reduce((a, d) => a + d.rejectedOverload, 0);
    expect(overload).toBeGreaterThan(0);
    const util = Object.values(r.domains).map((d) => d.utilisation);
    for (const u of util) expect(u).toBeGreaterThan(0);
    for (const u of util) expect(u).toBeLessThanOrEqual(1);
  });

  it('runScenario with the same seed gives the same report; another seed gives another', async () => {
    const s = scenario((x) => (x.duration = HOUR / 2));
    const a = await runScenario(s);
    const b = await runScenario(s);
    const c = await runScenario(s, { seed: 99 });
    const strip = (r: typeof a) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0 } });
    expect(strip(b)).toBe(strip(a));
    expect(strip(c)).not.toBe(strip(a));
  });
});
