/**
 * Publication leases (RFC 2779 3.2.4, 3.2.5; PRIM leases; RFC 3903 expiry and refresh): the presence
 * service keeps a device's published tuples only as long as that presence user agent keeps its
 * publication's lease. Each device of a principal (population.devices) has a publication of its
 * own: every publish by the device that opens tuples (re)starts its lease; the device refreshes it
 * (`publishRefresh`, a job of its own) refreshBefore ahead of the end, or at half the lease when
 * the lease is shorter than twice that, while it is online (several devices: in its own session,
 * sessions.ts); a clean log-out removes the publication. When a device
 * crashes, nobody refreshes its lease: at the end of it the service closes that device's tuples
 * (the others keep theirs) and notifies the presentity's watchers, as it would for a publish of
 * closed status. The presentity reads closed once no device's tuple is open. A refresh goes up
 * the device's access link and its answer comes down it.
 *
 * The lease end of device j of presentity g is leaseUntil[g * devices + j] (0: no publication);
 * an expiry timer that finds the lease extended or removed is stale.
 */
import { C, type ModelContext } from './context.js';
import type { Notification } from './notification.js';
import type { TupleTable } from './presence.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';
import { bindingAnswersPublish, DOWN, UP, type AccessLink } from './access-link.js';
import { ENVELOPE, OP_PUBLISH_REFRESH } from './messages.js';

export interface Leases {
  /** per (presentity, device): g * devices + j */
  readonly leaseUntil: Float64Array;
  /** the service processed a publish of device j of presentity g (status 0: closed; all: every tuple of the device) */
  published(d: number, g: number, j: number, status: number, all: boolean): void;
  /** the presentity's agents logged in (session epoch ep): with one device, it starts refreshing */
  startAgent(g: number, d: number, ep: number): void;
  /** with several devices: device j of presentity g logged in (its own session epoch ep) and starts refreshing */
  startDevice(g: number, d: number, j: number, ep: number): void;
  /** set by presence: device j publishes its tuples anew (a refresh found its publication gone) */
  republish: (g: number, d: number, j: number) => void;
}

export function createLeases(ctx: ModelContext, deps: { service: Service; notification: Notification; tuples: TupleTable; sizes: Sizes; link: AccessLink }): Leases {
  const { kernel, s, U, counters, timers, online, epoch, deviceOnline, deviceEpoch, trace } = ctx;
  const { service, notification, tuples } = deps;
  const devs = tuples.devices;
  const lease = s.behaviour.publicationLease;
  const refreshBefore = s.behaviour.refreshBefore;
  const refreshEvery = lease - refreshBefore >= lease / 2 ? lease - refreshBefore : lease / 2;
  const leaseUntil = new Float64Array(U * devs);

  // k = g * devices + j: device j of presentity g
  const expire = ctx.on('publicationExpiry', (d, k) => {
    if (leaseUntil[k] === 0 || leaseUntil[k] > kernel.now) return;
    // nobody refreshed the device's publication: its tuples close (RFC 2779 3.2.5)
    const g = Math.floor(k / devs);
    leaseUntil[k] = 0;
    counters[C.leaseExpired]++;
    tuples.version[g]++;
    tuples.closeDevice(g, k - g * devs, kernel.now);
    notification.fanOut(d, g, tuples.changedBy(k - g * devs), kernel.now);
  });
  const start = (d: number, k: number) => {
    leaseUntil[k] = kernel.now + lease;
    timers.set(lease, expire, kernel.lp, k);
  };

  const refreshTimer = ctx.on('publishRefreshTimer', (d, k, ep) => {
    const g = Math.floor(k / devs);
    // one device: the principal's session; several: the device's own
    if (devs > 1 ? deviceOnline[k] === 0 || deviceEpoch[k] !== ep : !online[g] || epoch[g] !== ep) return;
    kernel.schedule(deps.link.delay(d, g, deps.sizes.request(d), UP), refreshUp, kernel.lp, k);
    timers.set(refreshEvery, refreshTimer, kernel.lp, k, ep);
  });
  const refreshUp = ctx.on('publishRefreshUp', (d, k) => {
    service.submit(d, OP_PUBLISH_REFRESH, Math.floor(k / devs), k, 0);
  });

  const self: Leases = {
    leaseUntil,
    republish: () => undefined,
    published(d, g, j, status, all) {
      if (lease <= 0) return;
      if (status > 0) start(d, g * devs + j);
      else if (all) leaseUntil[g * devs + j] = 0; // the device removed its publication (RFC 3903 4.5)
    },
    startAgent(g, d, ep) {
      if (lease > 0 && devs === 1) timers.set(refreshEvery, refreshTimer, kernel.lp, g, ep);
    },
    startDevice(g, d, j, ep) {
      if (lease > 0) timers.set(refreshEvery, refreshTimer, kernel.lp, g * devs + j, ep);
    },
  };
  service.onComplete(OP_PUBLISH_REFRESH, (d, k) => {
    counters[C.publishRefreshes]++;
    const g = Math.floor(k / devs);
    const alive = leaseUntil[k] > kernel.now;
    // the answer (200, or 412 when the publication is gone) down the device's access link (a binding's own, client-wire.ts)
    if (!bindingAnswersPublish(ctx, d)) deps.link.delay(d, g, ENVELOPE.response, DOWN);
    ctx.wire.publishRefreshed(d, g, alive);
    // the presence user agent's refresh reaching the presence service (no body)
    if (trace.on) trace.message('publishRefresh', g, d, -1, d, deps.sizes.request(d), `${alive ? 'lease refreshed' : 'publication gone: the agent publishes anew'}${devs > 1 ? ` (device ${k - g * devs})` : ''}`);
    if (alive) return start(d, k);
    // the publication is gone (RFC 3903: 412 Conditional Request Failed): the device publishes anew
    counters[C.publishRefreshFailed]++;
    self.republish(g, d, k - g * devs);
  });
  return self;
}
