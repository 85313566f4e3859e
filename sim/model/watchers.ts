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

/**
 * The watcher side's columns, per edge: subscribed (the watcher wants the subscription), failure
 * start, retries, and what the watcher last received: the presentity's state version (modulo the
 * notification's VERSION_MOD) and the view (VIEW_*).
 */
export class WatcherTable {
  readonly subscribed: Uint8Array;
  readonly failSince: Float64Array;
  readonly retryCount: Uint8Array;
  readonly version: Uint16Array;
  readonly view: Uint8Array;
  constructor(edges: number) {
    this.version = new Uint16Array(edges);
    this.view = new Uint8Array(edges);
    this.subscribed = new Uint8Array(edges);
    this.failSince = new Float64Array(edges);
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

export function createWatchers(ctx: ModelContext, gateways: Gateways, sizes: Sizes, views: WatcherTable, link: AccessLink): Watchers {
  const { kernel, rng, pop, s, counters, trace, ev, online, epoch, timers } = ctx;
  const beh = s.behaviour;
  const fed = s.federation;
  const recovery = new LatencyRecorder();
  const { subscribed, failSince, retryCount } = views;

  const sendRequest = (e: number, op: number, kind: number, b: number) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const bytes = sizes.request(pop.domainOf[pop.edgePresentity[e]]);
    // up the watcher's access link to its home server, then on to the presentity's domain
    kernel.schedule(link.delay(wd, w, bytes, UP), requestUp, wd, e, b, kind);
  };
  // (recorded as it leaves the home server, as a publish is recorded there)
  const requestUp = kernel.defineEvent('requestUp', (wd, e, b, kind) => {
    const p = pop.edgePresentity[e];
    const pd = pop.domainOf[p];
    const op = OP_OF_KIND[kind];
    const bytes = sizes.request(pd);
    gateways.send(wd, pd, ev.request[op], e, b, kind, bytes);
    if (trace.on) trace.message(OPERATIONS[op], pop.edgeWatcher[e], wd, p, pd, bytes, `edge ${e}`);
  });
  /** the watcher's access link down from its home server */
  const down = (h: number, e: number, bytes: number) => link.delay(h, pop.edgeWatcher[e], bytes, DOWN);
  const subscribe = (e: number) => sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, beh.subscriptionDuration);

  const retry = (d: number, e: number) => {
    if (failSince[e] === 0) failSince[e] = kernel.now || 1e-9;
    const n = retryCount[e] < 255 ? retryCount[e]++ : 255;
    counters[C.resubscribes]++;
    kernel.schedule(Math.min(fed.retryBackoff * 2 ** n, 300_000), resubscribe, d, e, epoch[pop.edgeWatcher[e]]);
  };
  const wanted = (e: number, ep: number) => {
    const w = pop.edgeWatcher[e];
    return online[w] !== 0 && epoch[w] === ep && subscribed[e] !== 0;
  };
  const resubscribe = kernel.defineEvent('resubscribe', (_d, e, ep) => {
    if (wanted(e, ep)) subscribe(e);
  });
  const refreshTimer = kernel.defineEvent('refreshTimer', (_d, e, ep) => {
    if (wanted(e, ep)) sendRequest(e, OP_REFRESH, M_REFRESH, beh.subscriptionDuration);
  });

  ev.subResponse = kernel.defineEvent('subResponse', (d, e, granted) => {
    const w = pop.edgeWatcher[e];
    if (!online[w] || subscribed[e] === 0) return;
    if (granted === RESP_REJECTED) {
      subscribed[e] = 0;
      return;
    }
    if (granted === RESP_UNAVAILABLE) return retry(d, e);
    if (granted === RESP_NO_SUBSCRIPTION) {
      // expired (or lost in a crash) at the service: subscribe again
      if (failSince[e] === 0) failSince[e] = kernel.now || 1e-9;
      counters[C.resubscribes]++;
      subscribe(e);
      return;
    }
    if (failSince[e] !== 0) {
      // the subscription is back after a failure: time to recover
      counters[C.recovered]++;
      recovery.record(kernel.now - failSince[e]);
      failSince[e] = 0;
      retryCount[e] = 0;
    }
    const g = granted >= 0 ? granted : Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration);
    timers.set(Math.max(0, g - beh.refreshBefore), refreshTimer, d, e, epoch[w]);
  });
  // the service ended the subscription and says why (RFC 2779 5.1.9): after a revocation or a
  // refusal the watcher stops asking; after an expiry it subscribes again if it still wants to
  ev.terminated = kernel.defineEvent('terminated', (_d, e, reason) => {
    const w = pop.edgeWatcher[e];
    if (!online[w]) return;
    counters[C.terminationsReceived]++;
    if (subscribed[e] === 0 || reason === END_UNSUBSCRIBED) return;
    if (reason !== END_EXPIRED) {
      subscribed[e] = 0;
      return;
    }
    if (failSince[e] === 0) failSince[e] = kernel.now || 1e-9;
    counters[C.resubscribes]++;
    subscribe(e);
  });
  gateways.register(M_TERMINATED, {
    arrive: ev.terminated,
    dest: (a) => pop.domainOf[pop.edgeWatcher[a]],
    bytes: (a) => sizes.request(pop.domainOf[pop.edgePresentity[a]]),
    lastHop: (h, a) => down(h, a, sizes.request(pop.domainOf[pop.edgePresentity[a]])),
    failed: () => {
      counters[C.terminationsLost]++;
    },
    refused: () => {
      counters[C.terminationsLost]++;
    },
  });
  gateways.register(M_SUB_RESPONSE, responseKind(counters, ev.subResponse, (a) => pop.domainOf[pop.edgeWatcher[a]], { lastHop: (h, a) => down(h, a, ENVELOPE.response) }));

  const fetchAll = (w: number) => {
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) sendRequest(pop.fwdEdge[i], OP_FETCH, M_FETCH, kernel.now);
  };
  const pollTimer = kernel.defineEvent('pollTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    counters[C.polls]++;
    fetchAll(g);
    kernel.schedule(beh.pollInterval, pollTimer, d, g, ep);
  });
  const fetchTimer = kernel.defineEvent('fetchTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
    if (n > 0) sendRequest(pop.fwdEdge[pop.fwdStart[g] + rng.int(d, n)], OP_FETCH, M_FETCH, kernel.now);
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.fetchRate), fetchTimer, d, g, ep);
  });

  return {
    recovery,
    retry,
    request(g, e, op) {
      if (pop.edgeWatcher[e] !== g) {
        counters[C.thirdPartyRefused]++;
        return false;
      }
      if (op === OP_SUBSCRIBE) subscribe(e);
      else sendRequest(e, OP_UNSUBSCRIBE, M_UNSUBSCRIBE, 0);
      return true;
    },
    start(g, d, ep) {
      const kind = pop.watcherKind[g];
      if (kind === WATCHER_SUBSCRIBER) {
        for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) {
          const e = pop.fwdEdge[i];
          subscribed[e] = 1;
          subscribe(e);
        }
      } else if (kind === WATCHER_POLLER) kernel.schedule(rng.uniform(d) * beh.pollInterval, pollTimer, d, g, ep);
      else if (beh.fetchRate > 0) kernel.schedule(rng.exponential(d, 3_600_000 / beh.fetchRate), fetchTimer, d, g, ep);
    },
    stop(g) {
      // XMPP: the roster subscriptions outlive the session (RFC 6121); the unavailable presence says goodbye
      const keep = ctx.wire.proto[pop.domainOf[g]] === P_XMPP;
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) {
        const e = pop.fwdEdge[i];
        if (subscribed[e] === 0) continue;
        subscribed[e] = 0;
        if (!keep) sendRequest(e, OP_UNSUBSCRIBE, M_UNSUBSCRIBE, 0);
      }
    },
    forget(g) {
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) subscribed[pop.fwdEdge[i]] = 0;
    },
  };
}
