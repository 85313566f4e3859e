/**
 * Publication leases (RFC 2779 3.2.4, 3.2.5; RFC 3903): a presentity whose agent crashes does not
 * stay open forever; its tuples close when the lease runs out and its watchers are told.
 */
import { describe, expect, it } from 'vitest';
import { recs, runTiny, runUntil, type TinyOptions } from './tiny.js';

const crashing: TinyOptions = {
  users: 4,
  duration: '20min',
  population: { buddies: 3, online: 1 },
  behaviour: { sessionLength: '4min', offlineLength: '366d', crashFraction: 1, publicationLease: '3min', refreshBefore: '30s', subscriptionDuration: '1h', maxSubscriptionDuration: '1h' },
};

describe('publication leases', () => {
  it('RFC 2779 3.2.4, 3.2.5: a crashed agent publishes nothing; at the end of its lease its tuples close and subscribed watchers are notified', async () => {
    // a seed where some presentity crashes while a watcher of it is still online
    const r = await runUntil(crashing, (x) => x.presence.leases.expired > 0 && recs(x, 'notify').some((n) => n.state!.tuples.every((t) => t.basic === 0 && t.atMs > 0)), 'a crash watched by an online watcher');
    expect(r.sessions.crashes).toBe(r.sessions.logouts);
    // no agent published closed: every closed state came from the service at lease expiry
    expect(recs(r, 'publish').filter((p) => p.detail.endsWith('closed'))).toHaveLength(0);
    // (a presentity that never published is closed too, with its state at time 0: left out)
    const closed = recs(r, 'notify').filter((n) => n.state!.tuples.every((t) => t.basic === 0 && t.atMs > 0));
    expect(closed.length).toBeGreaterThan(0);
    for (const n of closed) {
      // the closing happened one lease after the presentity's last publish or refresh
      const last = Math.max(...r.trace!.filter((x) => (x.op === 'publish' || x.op === 'publishRefresh') && x.from === n.from && x.t <= n.t).map((x) => x.t));
      const closedAt = n.state!.tuples[0].atMs;
      expect(closedAt - last).toBeCloseTo(3 * 60_000, 3);
      expect(n.t).toBeGreaterThanOrEqual(closedAt);
    }
  });

  it('RFC 3903: while the agent is online it refreshes the lease, so nothing expires; with leases off a crash leaves the tuples open', async () => {
    const live = await runTiny({ ...crashing, behaviour: { ...crashing.behaviour, sessionLength: '366d' } });
    expect(live.presence.leases.refreshes).toBeGreaterThan(0);
    expect(recs(live, 'publishRefresh').every((x) => x.detail === 'lease refreshed')).toBe(true);
    expect(live.presence.leases.expired).toBe(0);
    expect(live.domains['example.com'].operations.publishRefresh.count).toBe(live.presence.leases.refreshes);
    const off = await runTiny({ ...crashing, behaviour: { ...crashing.behaviour, publicationLease: 0 } });
    expect(off.sessions.crashes).toBeGreaterThan(0);
    expect(off.presence.leases.expired).toBe(0);
    expect(recs(off, 'notify').some((n) => n.state!.tuples.every((t) => t.basic === 0 && t.atMs > 0))).toBe(false);
  });
});
