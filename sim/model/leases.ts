/**
 * Publication leases (RFC 2779 3.2.4, 3.2.5; PRIM leases; RFC 3903 expiry and refresh): the presence
 * service keeps a presentity's published state only as long as its presence user agent keeps the
 * publication's lease. Every publish that opens tuples (re)starts the lease; the agent refreshes it
 * (`publishRefresh`, a job of its own) refreshBefore ahead of the end, or at half the lease when
 * the lease is shorter than twice that; a clean log-out removes the publication. When an agent
 * crashes, nobody refreshes: at the end of the lease the service closes the presentity's tuples
 * and notifies its watchers, as it would for a publish of closed status.
 *
 * The lease end of presentity g is leaseUntil[g] (0: no publication); an expiry timer that finds
 * the lease extended or removed is stale.
 */
import { C, type ModelContext } from './context.js';
import { OP_PUBLISH_REFRESH } from './messages.js';
import type { Notification } from './notification.js';
import type { TupleTable } from './presence.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';

export interface Leases {
  readonly leaseUntil: Float64Array;
  /** the service processed a publish of presentity g (status 0: closed; all: every tuple) */
  published(d: number, g: number, status: number, all: boolean): void;
  /** the presentity's agent logged in (session epoch ep): it starts refreshing */
  startAgent(g: number, d: number, ep: number): void;
  /** set by presence: publishes all tuples anew (a refresh found the publication gone) */
  republish: (g: number, d: number) => void;
}

export function createLeases(ctx: ModelContext, deps: { service: Service; notification: Notification; tuples: TupleTable; sizes: Sizes }): Leases {
  const { kernel, s, T, U, counters, timers, online, epoch, trace } = ctx;
  const { service, notification, tuples } = deps;
  const lease = s.behaviour.publicationLease;
  const refreshBefore = s.behaviour.refreshBefore;
  const refreshEvery = lease - refreshBefore >= lease / 2 ? lease - refreshBefore : lease / 2;
  const leaseUntil = new Float64Array(U);

  const expire = kernel.defineEvent('publicationExpiry', (d, g) => {
    if (leaseUntil[g] === 0 || leaseUntil[g] > kernel.now) return;
    // nobody refreshed the publication: its tuples close (RFC 2779 3.2.5)
    leaseUntil[g] = 0;
    counters[C.leaseExpired]++;
    tuples.version[g]++;
    for (let i = g * T; i < (g + 1) * T; i++) {
      tuples.basic[i] = 0;
      tuples.activity[i] = 0;
      tuples.note[i] = 0;
      tuples.time[i] = kernel.now;
    }
    notification.fanOut(d, g, T, kernel.now);
  });
  const start = (d: number, g: number) => {
    leaseUntil[g] = kernel.now + lease;
    timers.set(lease, expire, d, g);
  };

  const refreshTimer = kernel.defineEvent('publishRefreshTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    service.submit(d, OP_PUBLISH_REFRESH, g, g, 0);
    timers.set(refreshEvery, refreshTimer, d, g, ep);
  });

  const self: Leases = {
    leaseUntil,
    republish: () => undefined,
    published(d, g, status, all) {
      if (lease <= 0) return;
      if (status > 0) start(d, g);
      else if (all) leaseUntil[g] = 0; // the agent removed its publication (RFC 3903 4.5)
    },
    startAgent(g, d, ep) {
      if (lease > 0) timers.set(refreshEvery, refreshTimer, d, g, ep);
    },
  };
  service.onComplete(OP_PUBLISH_REFRESH, (d, g) => {
    counters[C.publishRefreshes]++;
    const alive = leaseUntil[g] > kernel.now;
    ctx.wire.publishRefreshed(d, g, alive);
    // the presence user agent's refresh reaching the presence service (no body)
    trace.message('publishRefresh', g, d, -1, d, deps.sizes.request(d), alive ? 'lease refreshed' : 'publication gone: the agent publishes anew');
    if (alive) return start(d, g);
    // the publication is gone (RFC 3903: 412 Conditional Request Failed): the agent publishes anew
    counters[C.publishRefreshFailed]++;
    self.republish(g, d);
  });
  return self;
}
