/**
 * Watchers (RFC 2778 2.2): the watcher side of each (watcher, presentity) edge. A subscriber
 * subscribes to its whole buddy list at log-in, refreshes each subscription before it runs out,
 * subscribes again after a failure (exponential back-off; recovery time recorded) and unsubscribes
 * at log-out; a poller fetches its list every poll interval; a fetcher fetches one buddy at a time.
 * Every request goes up the watcher's access link first; responses and termination notices come
 * down it (access-link.ts).
 */
import { C, type ModelContext } from './context.js';
import { responseKind, type Gateways } from './gateways.js';
import { LatencyRecorder } from './latency.js';
import { ENVELOPE, M_FETCH, M_REFRESH, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, OP_FETCH, OP_REFRESH, OP_SUBSCRIBE, OP_UNSUBSCRIBE } from './messages.js';
import { WATCHER_POLLER, WATCHER_SUBSCRIBER } from './population.js';
import type { Sizes } from './sizes.js';
import { END_EXPIRED, END_UNSUBSCRIBED, RESP_NO_SUBSCRIPTION, RESP_REJECTED, RESP_UNAVAILABLE } from './subscriptions.js';
import { P_XMPP } from './bindings/kinds.js';
import { OPERATIONS } from '../scenario/types.js';
import { DOWN, UP, type AccessLink } from './access-link.js';
import { FailureStarts } from './failure-starts.js';
import { RefreshSweep } from './refresh-sweep.js';

/**
 * The watcher side's columns, per edge: subscribed (the watcher wants the subscription), retries,
 * and what the watcher last received: the presentity's state version (modulo the notification's
 * VERSION_MOD) and the view (VIEW_*); the failure start of the edges failing now, in a table of
 * its own (failure-starts.ts).
 */
export class WatcherTable {
  readonly subscribed: Uint8Array;
  readonly failSince: FailureStarts;
  readonly retryCount: Uint8Array;
  readonly version: Uint16Array;
  readonly view: Uint8Array;
  constructor(edges: number) {
    this.version = new Uint16Array(edges);
    this.view = new Uint8Array(edges);
    this.subscribed = new Uint8Array(edges);
    this.failSince = new FailureStarts();
    this.retryCount = new Uint8Array(edges);
  }
}

export interface Watchers {
  readonly recovery: LatencyRecorder;
  /** a watcher logged in (session epoch ep): start its kind's activity */
  start(g: number, d: number, ep: number): void;
  /** a watcher logs out: cancel its subscriptions */
  stop(g: number): void;
  /** a watcher's agent crashed: its subscriptions are simply no longer refreshed */
  forget(g: number): void;
  /** a subscribe or refresh of edge e failed for a while: subscribe again after a back-off */
  retry(d: number, e: number): void;
  /**
   * A request (OP_SUBSCRIBE or OP_UNSUBSCRIBE) on edge e sent by authenticated principal g: its
   * home server refuses one that claims a watcher other than g (RFC 2779 5.1.6, 5.1.8). False
   * when refused.
   */
  request(g: number, e: number, op: number): boolean;
}

/** the operation a request kind asks of the presentity's service */
const OP_OF_KIND: number[] = [];
OP_OF_KIND[M_SUBSCRIBE] = OP_SUBSCRIBE;
OP_OF_KIND[M_REFRESH] = OP_REFRESH;
OP_OF_KIND[M_UNSUBSCRIBE] = OP_UNSUBSCRIBE;
OP_OF_KIND[M_FETCH] = OP_FETCH;

/**
 * The watcher side's handler table: one method per event or timer, registered once in the
 * constructor (the closures that forward to the methods are made there, never per event).
 */
class WatcherService implements Watchers {
  readonly recovery = new LatencyRecorder();
  private readonly ctx: ModelContext;
  private readonly beh: ModelContext['s']['behaviour'];
  private readonly fed: ModelContext['s']['federation'];
  private readonly gateways: Gateways;
  private readonly sizes: Sizes;
  private readonly subscribed: Uint8Array;
  private readonly failSince: FailureStarts;
  private readonly retryCount: Uint8Array;
  private readonly resubscribe: number;
  private readonly refreshTimer: number;
  private readonly pollTimer: number;
  private readonly fetchTimer: number;
  private readonly requestUp: number;
  private readonly refreshes: RefreshSweep;

  constructor(
    ctx: ModelContext,
    gateways: Gateways,
    sizes: Sizes,
    views: WatcherTable,
    private readonly link: AccessLink,
  ) {
    const { kernel, ev } = ctx;
    this.ctx = ctx;
    this.beh = ctx.s.behaviour;
    this.fed = ctx.s.federation;
    this.gateways = gateways;
    this.sizes = sizes;
    this.subscribed = views.subscribed;
    this.failSince = views.failSince;
    this.retryCount = views.retryCount;
    // (passed on as a function, subscriptions.ts: bound once here)
    this.retry = this.retry.bind(this);
    // the registration order fixes the event type numbers: keep it
    this.requestUp = ctx.on('requestUp', (wd, e, b, kind) => this.onRequestUp(wd, e, b, kind));
    this.resubscribe = ctx.on('resubscribe', (_d, e, ep) => this.onResubscribe(e, ep));
    this.refreshTimer = ctx.on('refreshTimer', (_d, e, ep) => this.onRefreshTimer(e, ep));
    ev.subResponse = ctx.on('subResponse', (d, e, granted) => this.onSubResponse(d, e, granted));
    ev.terminated = ctx.on('terminated', (_d, e, reason) => this.onTerminated(e, reason));
    this.registerKinds();
    this.pollTimer = ctx.on('pollTimer', (d, g, ep) => this.onPollTimer(d, g, ep));
    this.fetchTimer = ctx.on('fetchTimer', (d, g, ep) => this.onFetchTimer(d, g, ep));
    this.refreshes = new RefreshSweep(ctx, this.refreshTimer);
  }

  private registerKinds(): void {
    const { pop, ev, counters } = this.ctx;
    const sizes = this.sizes;
    this.gateways.register(M_TERMINATED, {
      arrive: ev.terminated,
      dest: (a) => pop.domainOf[pop.edgeWatcher[a]],
      bytes: (a) => sizes.request(pop.domainOf[pop.edgePresentity[a]]),
      lastHop: (h, a) => this.down(h, a, sizes.request(pop.domainOf[pop.edgePresentity[a]])),
      failed: () => {
        counters[C.terminationsLost]++;
      },
      refused: () => {
        counters[C.terminationsLost]++;
      },
    });
    this.gateways.register(M_SUB_RESPONSE, responseKind(counters, ev.subResponse, (a) => pop.domainOf[pop.edgeWatcher[a]], { lastHop: (h, a) => this.down(h, a, ENVELOPE.response) }));
  }

  /**
   * A request of edge e goes up the watcher's access link to its home server (op: the kind's
   * operation). A request for a presentity of the same domain, in a run of CPIM domains, arrives
   * at the presentity's service straight after the uplink delay: the home server only hands it on
   * (onRequestUp: gateways.send delivers such a request after no further delay, with no hook that
   * reads the clock), so the event in between is left out and the trace records the request where
   * it arrives (traceLocalRequest), at the same time. Across domains the request waits for its
   * arrival (the gateway's queue admits in time order); with a protocol binding the wire hooks
   * charge the servers when it passes.
   */
  private sendRequest(e: number, op: number, kind: number, b: number): void {
    const { pop, kernel, ev, wire } = this.ctx;
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const p = pop.edgePresentity[e];
    const pd = pop.domainOf[p];
    const bytes = this.sizes.request(pd);
    const up = this.link.delay(wd, w, bytes, UP);
    if (wd !== pd || wire.on) return kernel.schedule(up, this.requestUp, kernel.lp, e, b, kind);
    // to the presentity's node, across the cluster when that is another node
    const cluster = this.ctx.cluster;
    const to = cluster.lpOfUser[p];
    kernel.schedule(up + cluster.hop(kernel.lp, to, bytes), ev.request[op], to, e, b);
  }

  /** the request left the home server for the presentity's domain (recorded there, as a publish is) */
  private onRequestUp(wd: number, e: number, b: number, kind: number): void {
    const { pop, ev, trace } = this.ctx;
    const p = pop.edgePresentity[e];
    const pd = pop.domainOf[p];
    const op = OP_OF_KIND[kind];
    const bytes = this.sizes.request(pd);
    this.gateways.send(wd, pd, ev.request[op], e, b, kind, bytes);
    if (trace.on) trace.message(OPERATIONS[op], pop.edgeWatcher[e], wd, p, pd, bytes, `edge ${e}`);
  }

  /** the watcher's access link down from its home server h */
  private down(h: number, e: number, bytes: number): number {
    return this.link.delay(h, this.ctx.pop.edgeWatcher[e], bytes, DOWN);
  }

  private subscribe(e: number): void {
    this.sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, this.beh.subscriptionDuration);
  }

  /** the failure of edge e starts now, unless it started before */
  private failing(e: number): void {
    this.failSince.start(e, this.ctx.kernel.now || 1e-9);
  }

  retry(d: number, e: number): void {
    const { kernel, counters, pop, epoch } = this.ctx;
    this.failing(e);
    const n = this.retryCount[e] < 255 ? this.retryCount[e]++ : 255;
    counters[C.resubscribes]++;
    kernel.schedule(Math.min(this.fed.retryBackoff * 2 ** n, 300_000), this.resubscribe, this.ctx.cluster.lpOfUser[pop.edgeWatcher[e]], e, epoch[pop.edgeWatcher[e]]);
  }

  private wanted(e: number, ep: number): boolean {
    const { pop, online, epoch } = this.ctx;
    const w = pop.edgeWatcher[e];
    return online[w] !== 0 && epoch[w] === ep && this.subscribed[e] !== 0;
  }

  private onResubscribe(e: number, ep: number): void {
    if (this.wanted(e, ep)) this.subscribe(e);
  }

  private onRefreshTimer(e: number, ep: number): void {
    if (this.wanted(e, ep)) this.sendRequest(e, OP_REFRESH, M_REFRESH, this.beh.subscriptionDuration);
  }

  private onSubResponse(d: number, e: number, granted: number): void {
    const { pop, online, counters, kernel, timers, epoch } = this.ctx;
    const w = pop.edgeWatcher[e];
    if (!online[w] || this.subscribed[e] === 0) return;
    if (granted === RESP_REJECTED) {
      this.subscribed[e] = 0;
      return;
    }
    if (granted === RESP_UNAVAILABLE) return this.retry(d, e);
    if (granted === RESP_NO_SUBSCRIPTION) {
      // expired (or lost in a crash) at the service: subscribe again
      this.failing(e);
      counters[C.resubscribes]++;
      this.subscribe(e);
      return;
    }
    const since = this.failSince.get(e);
    if (since !== 0) {
      // the subscription is back after a failure: time to recover
      counters[C.recovered]++;
      this.recovery.record(kernel.now - since);
      this.failSince.end(e);
      this.retryCount[e] = 0;
    }
    const beh = this.beh;
    const g = granted >= 0 ? granted : Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration);
    const delay = Math.max(0, g - beh.refreshBefore);
    // (the watcher's node keeps its refreshes: the sweep's lists are per LP)
    if (!this.refreshes.file(kernel.lp, e, delay, epoch[w])) timers.set(delay, this.refreshTimer, kernel.lp, e, epoch[w]);
  }

  /**
   * The service ended the subscription and says why (RFC 2779 5.1.9): after a revocation or a
   * refusal the watcher stops asking; after an expiry it subscribes again if it still wants to.
   */
  private onTerminated(e: number, reason: number): void {
    const { pop, online, counters } = this.ctx;
    const w = pop.edgeWatcher[e];
    if (!online[w]) return;
    counters[C.terminationsReceived]++;
    if (this.subscribed[e] === 0 || reason === END_UNSUBSCRIBED) return;
    if (reason !== END_EXPIRED) {
      this.subscribed[e] = 0;
      return;
    }
    this.failing(e);
    counters[C.resubscribes]++;
    this.subscribe(e);
  }

  private onPollTimer(d: number, g: number, ep: number): void {
    const { pop, online, epoch, counters, kernel } = this.ctx;
    if (!online[g] || epoch[g] !== ep) return;
    counters[C.polls]++;
    for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) this.sendRequest(pop.fwdEdge[i], OP_FETCH, M_FETCH, kernel.now);
    kernel.schedule(this.beh.pollInterval, this.pollTimer, kernel.lp, g, ep);
  }

  private onFetchTimer(d: number, g: number, ep: number): void {
    const { pop, online, epoch, kernel, rng } = this.ctx;
    if (!online[g] || epoch[g] !== ep) return;
    const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
    if (n > 0) this.sendRequest(pop.fwdEdge[pop.fwdStart[g] + rng.int(this.ctx.kernel.lp, n)], OP_FETCH, M_FETCH, kernel.now);
    kernel.schedule(rng.exponential(this.ctx.kernel.lp, 3_600_000 / this.beh.fetchRate), this.fetchTimer, kernel.lp, g, ep);
  }

  request(g: number, e: number, op: number): boolean {
    if (this.ctx.pop.edgeWatcher[e] !== g) {
      this.ctx.counters[C.thirdPartyRefused]++;
      return false;
    }
    if (op === OP_SUBSCRIBE) this.subscribe(e);
    else this.sendRequest(e, OP_UNSUBSCRIBE, M_UNSUBSCRIBE, 0);
    return true;
  }

  start(g: number, d: number, ep: number): void {
    const { pop, kernel, rng } = this.ctx;
    const beh = this.beh;
    const kind = pop.watcherKind[g];
    if (kind === WATCHER_SUBSCRIBER) {
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) {
        const e = pop.fwdEdge[i];
        this.subscribed[e] = 1;
        this.subscribe(e);
      }
    } else if (kind === WATCHER_POLLER) kernel.schedule(rng.uniform(this.ctx.kernel.lp) * beh.pollInterval, this.pollTimer, kernel.lp, g, ep);
    else if (beh.fetchRate > 0) kernel.schedule(rng.exponential(this.ctx.kernel.lp, 3_600_000 / beh.fetchRate), this.fetchTimer, kernel.lp, g, ep);
  }

  stop(g: number): void {
    const { pop, wire } = this.ctx;
    // XMPP: the roster subscriptions outlive the session (RFC 6121); the unavailable presence says goodbye
    const keep = wire.proto[pop.domainOf[g]] === P_XMPP;
    for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) {
      const e = pop.fwdEdge[i];
      if (this.subscribed[e] === 0) continue;
      this.subscribed[e] = 0;
      if (!keep) this.sendRequest(e, OP_UNSUBSCRIBE, M_UNSUBSCRIBE, 0);
    }
  }

  forget(g: number): void {
    const pop = this.ctx.pop;
    for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) this.subscribed[pop.fwdEdge[i]] = 0;
  }
}

/**
 * The trace record of request `op` on edge e arriving at the service of domain d, made here when
 * the request came from the watcher's access link straight to its own domain's service
 * (sendRequest; onRequestUp records every other request). Called first by the request's handler.
 */
export function traceLocalRequest(ctx: ModelContext, d: number, op: number, e: number, bytes: number): void {
  const { pop, trace, wire } = ctx;
  if (!trace.on || wire.on || pop.domainOf[pop.edgeWatcher[e]] !== d || pop.domainOf[pop.edgePresentity[e]] !== d) return;
  trace.message(OPERATIONS[op], pop.edgeWatcher[e], d, pop.edgePresentity[e], d, bytes, `edge ${e}`);
}

export function createWatchers(ctx: ModelContext, gateways: Gateways, sizes: Sizes, views: WatcherTable, link: AccessLink): Watchers {
  return new WatcherService(ctx, gateways, sizes, views, link);
}
