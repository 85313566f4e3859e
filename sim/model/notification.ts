/**
 * Notification (RFC 2778 2.2, RFC 2779 5.1.7, 5.2): who is told of a presentity's change, and how.
 * After a publish, one notification per active subscription whose visibility class may see the
 * changed tuple; optional rate control (at most one notification per `notifyMinInterval`, the
 * latest state sent when the interval ends); optional list subscriptions (one notification per
 * presentity and watcher domain, fanned out by that domain's gateway to its local subscribers).
 * Each notification is a job at the presentity's servers, crosses to the watcher's domain and is
 * received there (latency recorded from the publish request).
 */
import type { Access } from './access.js';
import { C, tick, TL_NOTIFY_DELIVERED, type ModelContext } from './context.js';
import type { Gateways } from './gateways.js';
import { LatencyRecorder } from './latency.js';
import { LIVE_BUCKETS, liveBucket } from './live.js';
import { ENVELOPE, LIST_OVERHEAD, M_LIST_NOTIFY, M_NOTIFY, OP_NOTIFY } from './messages.js';
import { entityOf, POLITE_TUPLE, VIEW_FIRST_TUPLE, VIEW_FULL, VIEW_NAMES, VIEW_POLITE } from './presence-document.js';
import type { TupleTable } from './presence.js';
import type { TracePresence } from './trace.js';
import { DOWN, type AccessLink } from './access-link.js';
import { RULE_ALLOW } from './population.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';
import { SUB_ACTIVE, SUB_NONE, SUB_PENDING, type SubscriptionTable } from './subscriptions.js';
import type { WatcherTable } from './watchers.js';
import { Staleness } from './staleness.js';

export interface Notification {
  /** presentity g of domain d changed `tuple` (T = all) by a publish that arrived at `arrive` */
  fanOut(d: number, g: number, tuple: number, arrive: number): void;
  /** sends the current state on edge e (fake: the polite-block view; since: the publish time, -1 for none) */
  queue(d: number, e: number, tuple: number, fake: number, since: number): void;
  /** the state a document of edge e's presentity carries in `view` (tuples first .. first + count - 1), for the trace */
  describe(e: number, view: number, first: number, count: number): TracePresence;
  readonly latency: LatencyRecorder;
  readonly live: Float64Array;
  /** time until each watcher holds each allowed change (staleness.ts) */
  readonly staleness: Staleness;
}

/**
 * A notification in transit carries its edge, the presentity's state version (modulo
 * VERSION_MOD) and the view applied: a = e * NOTIFY_MUL + version * 4 + view. A list notification
 * carries a = ((presentity * 16 + tuple) * D + watcher domain) * VERSION_MOD + version.
 */
export const VERSION_MOD = 4096;
const NOTIFY_MUL = VERSION_MOD * 4;
export const notifyEdge = (a: number) => Math.floor(a / NOTIFY_MUL);

export function createNotification(ctx: ModelContext, service: Service, gateways: Gateways, access: Access, subs: SubscriptionTable, views: WatcherTable, sizes: Sizes, tuples: TupleTable, link: AccessLink): Notification {
  const { kernel, pop, s, D, T, E, counters, trace, online, ev } = ctx;
  const fed = s.federation;
  const latency = new LatencyRecorder();
  const live = new Float64Array(LIVE_BUCKETS);
  const minInterval = fed.notifyMinInterval;
  const lastNotify = minInterval > 0 ? new Float64Array(E).fill(-Infinity) : null;
  const flushPending = minInterval > 0 ? new Uint8Array(E) : null;
  const listMark = new Uint8Array(D);
  const state = subs.state;
  const staleness = new Staleness(ctx, VERSION_MOD);

  const submitNotify = (d: number, e: number, tuple: number, fake: number, since: number) => {
    if (service.submit(d, OP_NOTIFY, pop.edgePresentity[e], e * 32 + tuple * 2 + fake, since)) return;
    counters[C.notifyDropped]++;
    staleness.missed(since);
  };
  const queue = (d: number, e: number, tuple: number, fake: number, since: number) => {
    if (fake === 0) staleness.changed(since);
    if (lastNotify !== null && fake === 0) {
      // rate control: at most one notification per interval; a change inside it is sent (as the
      // whole latest state) when the interval ends
      const next = lastNotify[e] + minInterval;
      if (kernel.now < next) {
        counters[C.notifySuppressed]++;
        if (flushPending![e] === 0) {
          flushPending![e] = 1;
          kernel.schedule(next - kernel.now, flush, d, e, since);
        } else staleness.missed(since);
        return;
      }
      lastNotify[e] = kernel.now;
    }
    submitNotify(d, e, tuple, fake, since);
  };
  const flush = kernel.defineEvent('notifyFlush', (d, e, since) => {
    flushPending![e] = 0;
    if (state[e] !== SUB_ACTIVE) return staleness.ended(since);
    lastNotify![e] = kernel.now;
    submitNotify(d, e, T, 0, since);
  });

  const received = (since: number) => {
    counters[C.notifyDelivered]++;
    tick(ctx, TL_NOTIFY_DELIVERED);
    if (since >= 0) {
      latency.record(kernel.now - since);
      live[liveBucket(kernel.now - since)]++;
    }
  };

  const describe = (e: number, view: number, first: number, count: number): TracePresence => {
    const p = pop.edgePresentity[e];
    const hide = view === VIEW_POLITE ? 0 : access.hidden(e);
    return { entity: entityOf(s, pop, p), version: tuples.version[p], view, rule: access.describe(e), tuples: view === VIEW_POLITE ? [POLITE_TUPLE] : tuples.snapshot(p).slice(first, first + count), ...(hide ? { hide } : {}) };
  };

  const sendList = (d: number, a: number, since: number) => {
    const x = -1 - a;
    const wd = x % D;
    const gt = Math.floor(x / D);
    const g = Math.floor(gt / 16);
    const tuple = gt % 16;
    const partial = fed.partialNotifications && tuple < T;
    const bytes = ENVELOPE.request + sizes.view(g, VIEW_FULL, partial ? tuple : 0, partial ? 1 : T, tuples) + LIST_OVERHEAD;
    counters[C.listNotifies]++;
    gateways.send(d, wd, ev.listArrive, (gt * D + wd) * VERSION_MOD + (tuples.version[g] % VERSION_MOD), since, M_LIST_NOTIFY, bytes);
    if (trace.on) {
      const state = { entity: entityOf(s, pop, g), version: tuples.version[g], view: VIEW_FULL, rule: 'list subscription: every plainly allowed watcher of the domain', tuples: tuples.snapshot(g).slice(partial ? tuple : 0, partial ? tuple + 1 : T) };
      trace.presence('listNotify', g, d, -1, wd, bytes, 'one notification for the watchers of a domain', state);
    }
  };

  /** The view a notification of edge e carries: tuples first .. first + count - 1 in `view`. */
  const content = { view: 0, first: 0, count: 0 };
  const contentOf = (e: number, tupleRaw: number, fake: number, since: number) => {
    content.first = 0;
    content.count = 1;
    if (fake) content.view = VIEW_POLITE;
    else if (access.firstTupleOnly(e)) content.view = VIEW_FIRST_TUPLE;
    else {
      content.view = VIEW_FULL;
      // a partial notification (RFC 5263) carries the changed tuple only
      if (fed.partialNotifications && tupleRaw < T && since >= 0) content.first = tupleRaw;
      else content.count = T;
    }
  };

  service.onComplete(OP_NOTIFY, (d, a, since) => {
    if (a < 0) return sendList(d, a, since);
    const e = Math.floor(a / 32);
    const tupleRaw = Math.floor((a % 32) / 2);
    const fake = a % 2;
    // RFC 2779 5.1.7: once a cancel (or expiry) is processed, nothing more is sent
    if (state[e] === SUB_NONE || state[e] === SUB_PENDING) {
      counters[C.notifyDropped]++;
      if (fake === 0) staleness.ended(since);
      return;
    }
    contentOf(e, tupleRaw, fake, since);
    const { view, first, count } = content;
    const hide = view === VIEW_POLITE ? 0 : access.hidden(e);
    if (!access.allows(e, view, first + count, hide)) counters[C.leaks]++;
    counters[C.notifySent]++;
    const p = pop.edgePresentity[e];
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const bytes = ENVELOPE.request + sizes.view(p, view, first, count, tuples, hide);
    if (ctx.wire.on) ctx.wire.notifyBody(first, count);
    gateways.send(d, wd, ev.notifyArrive, e * NOTIFY_MUL + (tuples.version[p] % VERSION_MOD) * 4 + view, since, M_NOTIFY, bytes);
    if (trace.on) trace.presence('notify', p, d, w, wd, bytes, VIEW_NAMES[view], describe(e, view, first, count));
  });

  ev.notifyArrive = kernel.defineEvent('notifyArrive', (_d, a, since) => {
    const e = notifyEdge(a);
    const w = pop.edgeWatcher[e];
    if (!online[w]) {
      counters[C.notifyUndelivered]++;
      staleness.ended(since);
      return;
    }
    // the watcher now holds this version of the presentity's state, in this view
    // (a - e * NOTIFY_MUL is a % NOTIFY_MUL: a small integer, where a itself may pass 2^31)
    const low = a - e * NOTIFY_MUL;
    const version = low >> 2;
    staleness.arrived(e, since, version, views.version[e], kernel.now);
    views.version[e] = version;
    views.view[e] = low & 3;
    received(since);
  });

  ev.listArrive = kernel.defineEvent('listNotifyArrive', (h, a, since) => {
    // the watcher domain's gateway fans the list notification out to its local subscribers
    const version = a % VERSION_MOD;
    const gt = Math.floor(Math.floor(a / VERSION_MOD) / D);
    const g = Math.floor(gt / 16);
    const tuple = gt % 16;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      const w = pop.edgeWatcher[e];
      if (pop.domainOf[w] !== h || views.subscribed[e] === 0 || access.rule(e) !== RULE_ALLOW || access.hidden(e) !== 0) continue;
      if (tuple > 0 && tuple < T && access.firstTupleOnly(e)) continue;
      const view = access.firstTupleOnly(e) ? VIEW_FIRST_TUPLE : VIEW_FULL;
      if (!access.allows(e, view, view === VIEW_FULL ? T : 1, 0)) counters[C.leaks]++;
      counters[C.notifySent]++;
      if (!online[w]) {
        counters[C.notifyUndelivered]++;
        staleness.ended(since);
        continue;
      }
      staleness.arrived(e, since, version, views.version[e], kernel.now);
      views.version[e] = version;
      views.view[e] = view;
      received(since);
    }
  });

  const lost = () => {
    counters[C.notifyLost]++;
  };
  const lostCrossing = (_d: number, _a: number, since: number) => {
    counters[C.notifyLost]++;
    staleness.missed(since);
  };
  gateways.register(M_NOTIFY, {
    arrive: ev.notifyArrive,
    dest: (a) => pop.domainOf[pop.edgeWatcher[notifyEdge(a)]],
    // the watcher's access link down from its home server (a document of the view's shape)
    lastHop: (h, a) => {
      const e = notifyEdge(a);
      const pd = pop.domainOf[pop.edgePresentity[e]];
      return link.delay(h, pop.edgeWatcher[e], a % 4 === VIEW_FULL ? sizes.notifyFull[pd] : sizes.notifyOne[pd], DOWN);
    },
    // relayed: the view of the presentity's state now (a partial notification counts as a full one)
    bytes: (a) => {
      const view = a % 4;
      const e = notifyEdge(a);
      return ENVELOPE.request + sizes.view(pop.edgePresentity[e], view, 0, view === VIEW_FULL ? T : 1, tuples, view === VIEW_POLITE ? 0 : access.hidden(e));
    },
    failed: lostCrossing,
    refused: lost,
  });
  gateways.register(M_LIST_NOTIFY, {
    arrive: ev.listArrive,
    dest: (a) => Math.floor(a / VERSION_MOD) % D,
    bytes: (a) => ENVELOPE.request + sizes.view(Math.floor(Math.floor(a / VERSION_MOD) / D / 16), VIEW_FULL, 0, T, tuples) + LIST_OVERHEAD,
    failed: () => {
      counters[C.responsesLost]++;
    },
    refused: () => undefined,
  });

  return {
    latency,
    live,
    staleness,
    queue,
    describe,
    fanOut(d, g, tuple, arrive) {
      // one notification per active subscription that may see the change (with list
      // subscriptions, one per watcher domain for the plainly allowed watchers over there)
      const listed = fed.listSubscriptions;
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
        if (state[e] !== SUB_ACTIVE) continue;
        if (tuple > 0 && tuple < T && access.firstTupleOnly(e)) continue;
        // (a list notification carries every field: only watchers whose class sees them all)
        if (listed && access.rule(e) === RULE_ALLOW && access.hidden(e) === 0) {
          const wd = pop.domainOf[pop.edgeWatcher[e]];
          if (wd !== d) {
            listMark[wd] = 1;
            staleness.changed(arrive);
            continue;
          }
        }
        queue(d, e, tuple >= T ? T : tuple, 0, arrive);
      }
      if (!listed) return;
      for (let wd = 0; wd < D; wd++) {
        if (listMark[wd] === 0) continue;
        listMark[wd] = 0;
        // a < 0 marks a list notification: presentity, tuple and watcher domain
        if (!service.submit(d, OP_NOTIFY, g, -1 - ((g * 16 + (tuple >= T ? T : tuple)) * D + wd), arrive)) counters[C.notifyDropped]++;
      }
    },
  };
}
