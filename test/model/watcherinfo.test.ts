/**
 * Watcher information as real state (RFC 2778 2.4, RFC 2779 5.1.11; RFC 3857/3858).
 */
import { describe, expect, it } from 'vitest';
import { decodeWatcherinfo } from '../../sim/wire/index.js';
import { tracePayload } from '../../web/server/payload.js';
import { recs, runTiny } from './tiny.js';

const o = {
  users: 5,
  duration: '30min',
  population: { buddies: 4, access: '{ allow: 0.5, pending: 0.5 }', watcherInfoSubscribers: 1 },
  behaviour: { presenceChangeRate: '30/h', pendingAllowFraction: 0.5, pendingDecisionDelay: '1min', sessionLength: '8min', offlineLength: '3min', crashFraction: 0, subscriptionDuration: '3min', maxSubscriptionDuration: '3min', refreshBefore: '30s' },
};

describe('watcher information', () => {
  it('RFC 2779 5.1.11: the presentity agent learns each change of a watcher\'s standing (status and event), as a watcherinfo document built from the subscription state', async () => {
    const r = await runTiny(o);
    const wi = recs(r, 'watcherInfo');
    expect(r.presence.watcherInfoSent).toBe(wi.length);
    expect(wi.length).toBeGreaterThan(20);
    expect(r.presence.watcherInfo).toBeGreaterThanOrEqual(wi.length);
    const seen = new Set<string>();
    for (const x of wi) {
      const e = x.watcherInfo!;
      seen.add(`${e.watcher.status} ${e.watcher.event}`);
      // the document goes to the presentity's own agent and names the watcher and the resource
      expect(e.resource).toBe(`sip:${x.to}`);
      expect(x.detail.startsWith(e.watcher.uri.slice(4))).toBe(true);
      // the inspector's body is that entry, strictly valid RFC 3858
      const p = tracePayload(x);
      expect(p.contentType).toBe('application/watcherinfo+xml');
      const doc = decodeWatcherinfo(p.body!);
      expect(doc.state).toBe('partial');
      expect(doc.lists[0].watchers[0]).toMatchObject(e.watcher);
    }
    // the lifecycle shows through: new (active or pending), approved, refused, ended
    for (const k of ['active subscribe', 'pending subscribe', 'active approved', 'terminated rejected', 'terminated timeout']) expect(seen, k).toContain(k);
    // versions count up per presentity
    const byP = new Map<string, number[]>();
    for (const x of wi) byP.set(x.to, [...(byP.get(x.to) ?? []), x.watcherInfo!.version]);
    for (const v of byP.values()) expect(v).toEqual(v.map((_, i) => i + 1));
  });

  it('RFC 2778 2.4: a watcher that hides itself never appears in watcher information, and agents that do not subscribe receive none; the jobs are the same', async () => {
    const shown = await runTiny(o);
    const hidden = await runTiny({ ...o, population: { ...o.population, hiddenWatchers: 1 } });
    const off = await runTiny({ ...o, population: { ...o.population, watcherInfoSubscribers: 0 } });
    expect(shown.presence.watcherInfoSent).toBeGreaterThan(0);
    expect(hidden.presence.watcherInfoSent).toBe(0);
    expect(off.presence.watcherInfoSent).toBe(0);
    expect(recs(hidden, 'watcherInfo')).toHaveLength(0);
    expect(hidden.presence.watcherInfo).toBe(shown.presence.watcherInfo);
    expect(hidden.domains['example.com'].operations.watcherinfo.count).toBe(shown.domains['example.com'].operations.watcherinfo.count);
  });
});
