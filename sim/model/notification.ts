/**
 * Notification (RFC 2778 2.2, RFC 2779 5.1.7, 5.2): who is told of a presentity's change, and how.
 * After a publish, one notification per active subscription whose visibility class may see the
 * changed tuple; optional rate control (at most one notification per `notifyMinInterval`, the
 * latest state sent when the interval ends); optional list subscriptions (one notification per
 * presentity and watcher domain, fanned out by that domain's gateway to its local subscribers).
 * Each notification is a job at the presentity's servers, crosses to the watcher's domain and goes
 * down the watcher's access link (a list notification: each local subscriber's copy, from the
 * domain's gateway); it is received there (latency recorded from the publish request).
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

type NotificationDeps = {
  service: Service;
  gateways: Gateways;
  access: Access;
  subs: SubscriptionTable;
  views: WatcherTable;
  sizes: Sizes;
  tuples: TupleTable;
  link: AccessLink;
};

/**
 * Notification's handler table: one method per event or server job, registered once in the
 * constructor (the closures that forward to the methods are made there, never per event).
 */
class NotificationService implements Notification {
  readonly latency = new LatencyRecorder();
  readonly live = new Float64Array(LIVE_BUCKETS);
  readonly staleness: Staleness;
  private readonly ctx: ModelContext;
  private readonly fed: ModelContext['s']['federation'];
  private readonly service: Service;
  private readonly gateways: Gateways;
  private readonly access: Access;
  private readonly views: WatcherTable;
  private readonly sizes: Sizes;
  private readonly tuples: TupleTable;
  private readonly link: AccessLink;
  private readonly state: Uint8Array;
  private readonly minInterval: number;
  private readonly lastNotify: Float64Array | null;
  private readonly flushPending: Uint8Array | null;
  private readonly listMark: Uint8Array;
  private readonly flush: number;
  private readonly listNode: number;
  /** The view a notification of edge e carries (contentOf): tuples first .. first + count - 1 in `view`. */
  private readonly content = { view: 0, first: 0, count: 0 };

  constructor(ctx: ModelContext, deps: NotificationDeps) {
    const { kernel, ev, E, D } = ctx;
    this.ctx = ctx;
    this.fed = ctx.s.federation;
    this.service = deps.service;
    this.gateways = deps.gateways;
    this.access = deps.access;
    this.views = deps.views;
    this.sizes = deps.sizes;
    this.tuples = deps.tuples;
    this.link = deps.link;
    this.state = deps.subs.state;
    this.minInterval = this.fed.notifyMinInterval;
    this.lastNotify = this.minInterval > 0 ? new Float64Array(E).fill(-Infinity) : null;
    this.flushPending = this.minInterval > 0 ? new Uint8Array(E) : null;
    this.listMark = new Uint8Array(D);
    this.staleness = new Staleness(ctx, VERSION_MOD);
    // the registration order fixes the event type numbers: keep it
    this.flush = ctx.on('notifyFlush', (d, e, since) => this.onFlush(d, e, since));
    this.service.onComplete(OP_NOTIFY, (d, a, since) => this.onNotifyJob(d, a, since));
    ev.notifyArrive = ctx.on('notifyArrive', (_d, a, since) => this.onNotifyArrive(a, since));
    ev.listArrive = ctx.on('listNotifyArrive', (h, a, since) => this.onListArrive(h, a, since));
    // (registered after the others, so that their type numbers stay)
    this.listNode = ctx.on('listNotifyNode', (h, a, since) => this.listHere(h, a, since));
    this.registerKinds();
  }

  private registerKinds(): void {
    const { pop, ev, counters, T, D } = this.ctx;
    const { sizes, tuples, access, link } = this;
    const lost = () => {
      counters[C.notifyLost]++;
    };
    const lostCrossing = (_d: number, _a: number, since: number) => {
      counters[C.notifyLost]++;
      this.staleness.missed(since);
    };
    this.gateways.register(M_NOTIFY, {
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
      // (on the cluster network: the document's size of the view's shape, as on the access link)
      hopBytes: (a) => {
        const pd = pop.domainOf[pop.edgePresentity[notifyEdge(a)]];
        return a % 4 === VIEW_FULL ? sizes.notifyFull[pd] : sizes.notifyOne[pd];
      },
      failed: lostCrossing,
      refused: lost,
    });
    this.gateways.register(M_LIST_NOTIFY, {
      arrive: ev.listArrive,
      dest: (a) => Math.floor(a / VERSION_MOD) % D,
      bytes: (a) => ENVELOPE.request + sizes.view(Math.floor(Math.floor(a / VERSION_MOD) / D / 16), VIEW_FULL, 0, T, tuples) + LIST_OVERHEAD,
      hopBytes: (a) => sizes.notifyFull[pop.domainOf[Math.floor(Math.floor(a / VERSION_MOD) / D / 16)]] + LIST_OVERHEAD,
      failed: () => {
        counters[C.responsesLost]++;
      },
      refused: () => undefined,
    });
  }

  private submitNotify(d: number, e: number, tuple: number, fake: number, since: number): void {
    if (this.service.submit(d, OP_NOTIFY, this.ctx.pop.edgePresentity[e], e * 32 + tuple * 2 + fake, since)) return;
    this.ctx.counters[C.notifyDropped]++;
    this.staleness.missed(since);
  }

  queue(d: number, e: number, tuple: number, fake: number, since: number): void {
    const { kernel, counters } = this.ctx;
    if (fake === 0) this.staleness.changed(since);
    const lastNotify = this.lastNotify;
    if (lastNotify !== null && fake === 0) {
      // rate control: at most one notification per interval; a change inside it is sent (as the
      // whole latest state) when the interval ends
      const next = lastNotify[e] + this.minInterval;
      if (kernel.now < next) {
        counters[C.notifySuppressed]++;
        if (this.flushPending![e] === 0) {
          this.flushPending![e] = 1;
          kernel.schedule(next - kernel.now, this.flush, kernel.lp, e, since);
        } else this.staleness.missed(since);
        return;
      }
      lastNotify[e] = kernel.now;
    }
    this.submitNotify(d, e, tuple, fake, since);
  }

  private onFlush(d: number, e: number, since: number): void {
    this.flushPending![e] = 0;
    if (this.state[e] !== SUB_ACTIVE) return this.staleness.ended(since);
    this.lastNotify![e] = this.ctx.kernel.now;
    this.submitNotify(d, e, this.ctx.T, 0, since);
  }

  private received(since: number): void {
    const { kernel, counters } = this.ctx;
    counters[C.notifyDelivered]++;
    tick(this.ctx, TL_NOTIFY_DELIVERED);
    if (since >= 0) {
      this.latency.record(kernel.now - since);
      this.live[liveBucket(kernel.now - since)]++;
    }
  }

  describe(e: number, view: number, first: number, count: number): TracePresence {
    const { pop, s } = this.ctx;
    const p = pop.edgePresentity[e];
    const hide = view === VIEW_POLITE ? 0 : this.access.hidden(e);
    const tuples = view === VIEW_POLITE ? [POLITE_TUPLE] : this.tuples.snapshot(p).slice(first, first + count);
    return { entity: entityOf(s, pop, p), version: this.tuples.version[p], view, rule: this.access.describe(e), tuples, ...(hide ? { hide } : {}) };
  }

  /** A list notification (a < 0) leaves the presentity's servers for its watcher domain. */
  private sendList(d: number, a: number, since: number): void {
    const { pop, s, D, T, counters, trace, ev } = this.ctx;
    const tuples = this.tuples;
    const x = -1 - a;
    const wd = x % D;
    const gt = Math.floor(x / D);
    const g = Math.floor(gt / 16);
    const tuple = gt % 16;
    const partial = this.fed.partialNotifications && tuple < T;
    const bytes = ENVELOPE.request + this.sizes.view(g, VIEW_FULL, partial ? tuple : 0, partial ? 1 : T, tuples) + LIST_OVERHEAD;
    counters[C.listNotifies]++;
    this.gateways.send(d, wd, ev.listArrive, (gt * D + wd) * VERSION_MOD + (tuples.version[g] % VERSION_MOD), since, M_LIST_NOTIFY, bytes);
    if (trace.on) {
      const state = { entity: entityOf(s, pop, g), version: tuples.version[g], view: VIEW_FULL, rule: 'list subscription: every plainly allowed watcher of the domain', tuples: tuples.snapshot(g).slice(partial ? tuple : 0, partial ? tuple + 1 : T) };
      trace.presence('listNotify', g, d, -1, wd, bytes, 'one notification for the watchers of a domain', state);
    }
  }

  private contentOf(e: number, tupleRaw: number, fake: number, since: number): void {
    const content = this.content;
    content.first = 0;
    content.count = 1;
    if (fake) content.view = VIEW_POLITE;
    else if (this.access.firstTupleOnly(e)) content.view = VIEW_FIRST_TUPLE;
    else {
      content.view = VIEW_FULL;
      // a partial notification (RFC 5263) carries the changed tuple only
      if (this.fed.partialNotifications && tupleRaw < this.ctx.T && since >= 0) content.first = tupleRaw;
      else content.count = this.ctx.T;
    }
  }

  /** The presentity's server has built a notification (a >= 0: edge, tuple, fake) or a list notification (a < 0). */
  private onNotifyJob(d: number, a: number, since: number): void {
    if (a < 0) return this.sendList(d, a, since);
    const { pop, counters, trace, ev } = this.ctx;
    const access = this.access;
    const e = Math.floor(a / 32);
    const tupleRaw = Math.floor((a % 32) / 2);
    const fake = a % 2;
    // RFC 2779 5.1.7: once a cancel (or expiry) is processed, nothing more is sent
    if (this.state[e] === SUB_NONE || this.state[e] === SUB_PENDING) {
      counters[C.notifyDropped]++;
      if (fake === 0) this.staleness.ended(since);
      return;
    }
    this.contentOf(e, tupleRaw, fake, since);
    const { view, first, count } = this.content;
    const hide = view === VIEW_POLITE ? 0 : access.hidden(e);
    if (!access.allows(e, view, first + count, hide)) counters[C.leaks]++;
    counters[C.notifySent]++;
    const p = pop.edgePresentity[e];
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const bytes = ENVELOPE.request + this.sizes.view(p, view, first, count, this.tuples, hide);
    if (this.ctx.wire.on) this.ctx.wire.notifyBody(first, count);
    this.gateways.send(d, wd, ev.notifyArrive, e * NOTIFY_MUL + (this.tuples.version[p] % VERSION_MOD) * 4 + view, since, M_NOTIFY, bytes);
    if (trace.on) trace.presence('notify', p, d, w, wd, bytes, VIEW_NAMES[view], this.describe(e, view, first, count));
  }

  private onNotifyArrive(a: number, since: number): void {
    const { pop, counters, online, kernel } = this.ctx;
    const views = this.views;
    const e = notifyEdge(a);
    const w = pop.edgeWatcher[e];
    if (!online[w]) {
      counters[C.notifyUndelivered]++;
      this.staleness.ended(since);
      return;
    }
    // the watcher now holds this version of the presentity's state, in this view
    // (a - e * NOTIFY_MUL is a % NOTIFY_MUL: a small integer, where a itself may pass 2^31)
    const low = a - e * NOTIFY_MUL;
    const version = low >> 2;
    this.staleness.arrived(e, since, version, views.version[e], kernel.now);
    views.version[e] = version;
    views.view[e] = low & 3;
    this.received(since);
  }

  /** A list notification reached domain h: each server node tells its own watchers (the others across the cluster). */
  private onListArrive(h: number, a: number, since: number): void {
    const { kernel, cluster } = this.ctx;
    const here = kernel.lp;
    const bytes = this.sizes.notifyFull[this.ctx.pop.domainOf[Math.floor(Math.floor(a / VERSION_MOD) / this.ctx.D / 16)]] + LIST_OVERHEAD;
    for (let lp = cluster.nodeBase[h]; lp < cluster.nodeBase[h + 1]; lp++) if (lp !== here) kernel.schedule(cluster.hop(here, lp, bytes), this.listNode, lp, a, since);
    this.listHere(h, a, since);
  }

  /** the watchers on this node of domain h hear of a list notification */
  private listHere(h: number, a: number, since: number): void {
    const { pop, counters, kernel, ev, D, T } = this.ctx;
    const lpOf = this.ctx.cluster.lpOfUser;
    const { views, access } = this;
    const version = a % VERSION_MOD;
    const gt = Math.floor(Math.floor(a / VERSION_MOD) / D);
    const g = Math.floor(gt / 16);
    const tuple = gt % 16;
    const pd = pop.domainOf[g];
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      const w = pop.edgeWatcher[e];
      if (pop.domainOf[w] !== h || lpOf[w] !== kernel.lp || views.subscribed[e] === 0 || access.rule(e) !== RULE_ALLOW || access.hidden(e) !== 0) continue;
      if (tuple > 0 && tuple < T && access.firstTupleOnly(e)) continue;
      const view = access.firstTupleOnly(e) ? VIEW_FIRST_TUPLE : VIEW_FULL;
      if (!access.allows(e, view, view === VIEW_FULL ? T : 1, 0)) counters[C.leaks]++;
      counters[C.notifySent]++;
      // each subscriber's copy goes down its access link and is received as a notification
      // (a document of the view's shape, as a notification's last hop)
      const bytes = view === VIEW_FULL ? this.sizes.notifyFull[pd] : this.sizes.notifyOne[pd];
      kernel.schedule(this.link.delay(h, w, bytes, DOWN), ev.notifyArrive, kernel.lp, e * NOTIFY_MUL + version * 4 + view, since);
    }
  }

  fanOut(d: number, g: number, tuple: number, arrive: number): void {
    const { pop, counters, T, D } = this.ctx;
    const { access, state, listMark } = this;
    // one notification per active subscription that may see the change (with list
    // subscriptions, one per watcher domain for the plainly allowed watchers over there)
    const listed = this.fed.listSubscriptions;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (state[e] !== SUB_ACTIVE) continue;
      if (tuple > 0 && tuple < T && access.firstTupleOnly(e)) continue;
      // (a list notification carries every field: only watchers whose class sees them all)
      if (listed && access.rule(e) === RULE_ALLOW && access.hidden(e) === 0) {
        const wd = pop.domainOf[pop.edgeWatcher[e]];
        if (wd !== d) {
          listMark[wd] = 1;
          this.staleness.changed(arrive);
          continue;
        }
      }
      this.queue(d, e, tuple >= T ? T : tuple, 0, arrive);
    }
    if (!listed) return;
    for (let wd = 0; wd < D; wd++) {
      if (listMark[wd] === 0) continue;
      listMark[wd] = 0;
      // a < 0 marks a list notification: presentity, tuple and watcher domain
      if (!this.service.submit(d, OP_NOTIFY, g, -1 - ((g * 16 + (tuple >= T ? T : tuple)) * D + wd), arrive)) counters[C.notifyDropped]++;
    }
  }
}

export function createNotification(ctx: ModelContext, service: Service, gateways: Gateways, access: Access, subs: SubscriptionTable, views: WatcherTable, sizes: Sizes, tuples: TupleTable, link: AccessLink): Notification {
  return new NotificationService(ctx, { service, gateways, access, subs, views, sizes, tuples, link });
}
