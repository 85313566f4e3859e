/**
 * The IMPP model (RFC 2778 / RFC 2779) on the kernel. One logical process per server node of each
 * domain (cluster.ts: a principal lives on node user % servers; a domain of one server is one LP).
 *
 * A domain runs a presence service and an IM service on its servers. Its users are principals with
 * a presentity, an instant inbox, or both, and a watcher of one kind (subscriber, poller, fetcher)
 * over a buddy list (population.ts). Every operation is a job on a server of the domain that owns
 * its subject (the presentity for presence operations, the recipient's domain for delivery), so
 * latency = queueing + service (+ link latency between domains).
 *
 * This file only composes the concerns, each in the module named after it:
 *   sessions.ts       log-in, log-out, agent crashes
 *   presence.ts       tuples, publish, fetch (the presence service and its user agents)
 *   leases.ts         publication leases: refresh, removal, expiry of a crashed agent's state
 *   notification.ts   who is told of a change, rate control, list notifications
 *   subscriptions.ts  the subscription lifecycle at the presentity's service
 *   expiry-sweep.ts   subscription expiry by a periodic sweep per server node (one link per edge)
 *   watchers.ts       the watcher side: subscribe, refresh, retry, poll, fetch
 *   refresh-sweep.ts  the watchers' refreshes by a periodic sweep per server node (16 bytes per filed edge)
 *   failure-starts.ts when each failing subscription began to fail (the recovery time), failing edges only
 *   access.ts         rules, visibility classes, pending decisions, the disclosure check
 *   watcherinfo.ts    watcher information
 *   im.ts             instant messages, inboxes, delivery reports, duplicates
 *   service.ts        the domains' servers (FIFO multi-core stations, servers.ts)
 *   gateways.ts       CPIM at the boundary: SRV, gateways, links, hop budget (federation.ts)
 *   cpim-transactions.ts  TransID and SubscriptID at the boundary, the gateways' checks
 *   forgery.ts        forgers: forged notifications, third-party subscribes and cancels
 *   access-link.ts    the client-server leg: each principal's access link (LAN or mobile)
 *   part.ts           what a partition returns, and the warm-up baseline
 */
import type { Kernel } from '../engine/kernel.js';
import type { ModelSpec } from '../engine/model.js';
import { createAccess } from './access.js';
import { createAccessLink } from './access-link.js';
import { COUNTERS, createContext } from './context.js';
import { buildFaults } from './federation.js';
import { createForgery } from './forgery.js';
import { createGateways } from './gateways.js';
import { createIm } from './im.js';
import { createLeases } from './leases.js';
import { LIVE_DOMAIN_SLOTS, liveLayout } from './live.js';
import { M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, N_KINDS } from './messages.js';
import { createNotification } from './notification.js';
import { PartBuilder, type ImppPart } from './part.js';
import { buildPopulation } from './population.js';
import { createPresence, TupleTable } from './presence.js';
import { createService } from './service.js';
import { createSessions } from './sessions.js';
import { computeSizes } from './sizes.js';
import { createSubscriptions, SubscriptionTable } from './subscriptions.js';
import { linkLookahead } from './topology.js';
import type { TraceRecord } from './trace.js';
import { createWatcherInfo } from './watcherinfo.js';
import { createWatchers, WatcherTable } from './watchers.js';
import { createWire } from './bindings/wire.js';
import type { Scenario } from '../scenario/types.js';
import type { ModelColumns } from './entity-inspection.js';
import { lpLayout, type LpLayout } from './cluster.js';

export { COUNTERS, TIMELINE_BUCKETS, TIMELINE_SERIES } from './context.js';
export { LIVE_DOMAIN_SLOTS, LIVE_LATENCY_EDGES_MS, liveLayout } from './live.js';
export { IM_FAILURES, MESSAGE_KINDS, N_KINDS } from './messages.js';
export { drawDist, linkLookahead, linkTable, lognormalFloor } from './topology.js';
export type { ImppPart } from './part.js';
export type { TraceRecord } from './trace.js';

export interface ImppParams {
  scenario: Scenario;
  seed: number;
  /** count CPIM domains' messages in the report's bindings section even when no domain speaks another binding (compare) */
  countCpim?: boolean;
}

/** the LP layout of a scenario, computed once per scenario object */
const layouts = new WeakMap<Scenario, LpLayout>();
function layoutOf(s: Scenario): LpLayout {
  let l = layouts.get(s);
  if (l === undefined) layouts.set(s, (l = lpLayout(s)));
  return l;
}

export const model: ModelSpec<ImppParams, ImppPart, ImppPart[]> = {
  name: 'impp',
  // one LP per server node of each domain (cluster.ts)
  lpCount: (p) => layoutOf(p.scenario).lps,
  lookahead: (p) => linkLookahead(p.scenario),
  lpGroups: (p) => {
    const l = layoutOf(p.scenario);
    return { groupOf: l.domainOfLp, lookahead: l.latency };
  },
  // a node's share of its domain's users
  lpWeight: (p, lp) => {
    const l = layoutOf(p.scenario);
    const d = l.domainOfLp[lp];
    return p.scenario.domains[d].users / l.nodes[d] + 1;
  },
  capacity: (p, owned) => Math.max(4096, owned * 1024),
  liveSize: (p) => liveLayout(p.scenario).size,
  create(kernel: Kernel, params: ImppParams) {
    return createImpp(kernel, params);
  },
  combine(parts: ImppPart[]): ImppPart[] {
    return parts;
  },
};

function createImpp(kernel: Kernel, params: ImppParams) {
  const s = params.scenario;
  const pop = buildPopulation(s, params.seed);
  const ctx = createContext(kernel, s, params.seed, pop);
  const part = new PartBuilder(ctx);
  const faults = buildFaults(s);
  const sizes = computeSizes(s, pop);
  const service = createService(ctx, faults);
  const gateways = createGateways(ctx, faults);
  const access = createAccess(ctx);
  const subs = new SubscriptionTable(ctx.E);
  const link = createAccessLink(ctx);
  const watcherInfo = createWatcherInfo(ctx, service, subs, link);
  const views = new WatcherTable(ctx.E);
  const watchers = createWatchers(ctx, gateways, sizes, views, link);
  const tuples = new TupleTable(ctx.U, ctx.T, s.population.devices);
  const notification = createNotification(ctx, service, gateways, access, subs, views, sizes, tuples, link);
  const subscriptions = createSubscriptions(ctx, { service, gateways, access, notification, watcherInfo, faults, table: subs, sizes, watchers });
  const leases = createLeases(ctx, { service, notification, tuples, sizes, link });
  const presence = createPresence(ctx, { service, gateways, access, notification, watcherInfo, sizes, tuples, leases, link });
  const im = createIm(ctx, { service, gateways, access, sizes, link });
  createSessions(ctx, { presence, im, watchers, subscriptions });
  const wire = createWire(ctx, { service, gateways, sizes, subs, tuples, link }, params.countCpim === true);
  if (wire !== null) ctx.wire = wire;
  createForgery(ctx, { gateways, watchers, sizes });
  part.src = { service, gateways, notification, im, watchers, subs, link };

  const D = ctx.D;
  const layout = liveLayout(s);
  return {
    publishLive(out: Float64Array) {
      out.set(ctx.counters, layout.counters);
      out.set(notification.live, layout.latNotification);
      out.set(im.live, layout.latIm);
      for (let d = 0; d < D; d++) {
        const pool = service.pools[d];
        const o = layout.domains + d * LIVE_DOMAIN_SLOTS;
        out[o] = pool ? pool.busyTimeAt(kernel.now) : 0;
        out[o + 1] = pool ? pool.queued() : 0;
      }
      const pm = gateways.pairMessages;
      for (let i = 0; i < D * D; i++) {
        let m = 0;
        for (let k = 0; k < N_KINDS; k++) m += pm[i * N_KINDS + k];
        out[layout.pairMessages + i] = m;
        out[layout.pairBytes + i] = gateways.pairBytes[i];
        out[layout.pairNotify + i] = pm[i * N_KINDS + M_NOTIFY] + pm[i * N_KINDS + M_LIST_NOTIFY];
        out[layout.pairIm + i] = pm[i * N_KINDS + M_MESSAGE];
      }
    },
    /** The live state of this partition, for in-process stepping (teaching view). */
    snapshot() {
      const ctr: Record<string, number> = {};
      COUNTERS.forEach((n, i) => (ctr[n] = ctx.counters[i]));
      return { counters: ctr, trace: ctx.trace.records as readonly TraceRecord[] };
    },
    /** The model's state columns, read-only, for the per-entity inspector (entity-inspection.ts). */
    columns(): ModelColumns {
      return { s, pop: ctx.pop, kernel, online: ctx.online, deviceOnline: ctx.deviceOnline, tuples, subs, views, decision: access.decision, describeRule: access.describe, stored: im.stored, accessClass: link.classOf, cpim: gateways.cpim };
    },
    init(lp: number) {
      ctx.init(lp);
    },
    finish(): ImppPart {
      const p = part.build();
      if (wire !== null) p.wire = wire.counts.part();
      return p;
    },
  };
}
