/**
 * Watcher information (RFC 2778 2.4, RFC 2779 5.1.11; RFC 3857 event package, RFC 3858 format):
 * the presentity learns of its watchers as their standing changes. Each change (a subscription
 * created, approved, refused, ended, revoked; a fetch) is a job of `serviceTimes.watcherinfo` at
 * the presentity's servers; when the job is done, the entry (watcher, status pending / active /
 * terminated, the event that changed it) goes as a partial watcherinfo document to the
 * presentity's agent, if that agent subscribes to its watcher list
 * (population.watcherInfoSubscribers) and is online. The document goes down the agent's access
 * link (access-link.ts; in a SIP domain the binding's own NOTIFY of the presence.winfo dialog is
 * that crossing); an agent that has gone offline when it arrives does not get it (counted
 * undelivered, as notifications are). A watcher may keep itself out of the presentity's watcher
 * information (population.hiddenWatchers; RFC 2778 2.4): its changes cost the job but send
 * nothing.
 */
import { WATCHER_EVENTS } from '../wire/watcherinfo.js';
import { watcherinfoSize } from '../wire/watcherinfo-size.js';
import { DOWN, type AccessLink } from './access-link.js';
import { C, type ModelContext } from './context.js';
import { ENVELOPE, OP_WATCHERINFO } from './messages.js';
import { hashUnit } from './population.js';
import type { Service } from './service.js';
import { SUB_ACTIVE, SUB_NONE, SUB_PENDING, SUB_POLITE, type SubscriptionTable } from './subscriptions.js';
import { userName } from './trace.js';
import type { Scenario } from '../scenario/types.js';

export const WI_SUBSCRIBE = 0;
export const WI_APPROVED = 1;
export const WI_REJECTED = 4;
export const WI_TIMEOUT = 5;

/** A watcher's status in watcher information (RFC 3858) from the subscription's state. */
const statusOf = (state: number) => (state === SUB_PENDING ? 'pending' : state === SUB_ACTIVE || state === SUB_POLITE ? 'active' : 'terminated');

/** Does presentity p's agent subscribe to its watcher information (population.watcherInfoSubscribers)? */
export const subscribesToWatcherInfo = (s: Scenario, seed: number, p: number): boolean => s.population.watcherInfoSubscribers > 0 && hashUnit(seed, p, 0, 6) < s.population.watcherInfoSubscribers;
/** Does watcher w keep itself out of presentity p's watcher information (population.hiddenWatchers)? */
export const hiddenFromWatcherInfo = (s: Scenario, seed: number, w: number, p: number): boolean => s.population.hiddenWatchers > 0 && hashUnit(seed, w, p, 7) < s.population.hiddenWatchers;
/** the index of a subscription state's watcher status: 0 pending, 1 active, 2 terminated */
export const winfoStatusIndex = (st: number): number => (st === SUB_PENDING ? 0 : st === SUB_NONE ? 2 : 1);

export interface WatcherInfo {
  /** the standing of edge e's watcher at presentity p (domain d) changed by `event` (WI_*) */
  changed(d: number, p: number, e: number, event: number): void;
}

export function createWatcherInfo(ctx: ModelContext, service: Service, subs: SubscriptionTable, link: AccessLink): WatcherInfo {
  const { kernel, pop, s, seed, U, counters, trace, online } = ctx;
  const { watcherInfoSubscribers } = s.population;
  const version = new Uint32Array(U);
  // per domain and (status, event): bytes of a one-entry partial document, from its real encoding
  // with the domain's longest addresses
  // (only needed when some agent subscribes: a run without watcher-information subscribers skips it)
  const uriLen = s.domains.map((dom, d) => `sip:u${Math.max(0, pop.domainUsers[d] - 1)}@${dom.name}`.length);
  const longest = uriLen.reduce((x, y) => Math.max(x, y), 0);
  const bytes =
    watcherInfoSubscribers > 0
      ? uriLen.map((resourceLength) =>
          (['pending', 'active', 'terminated'] as const).map((status) =>
            WATCHER_EVENTS.map((event) => ENVELOPE.request + watcherinfoSize({ resourceLength, watchers: 1, watcherLength: longest, status, event, partial: true })),
          ),
        )
      : [];
  const statusIndex = winfoStatusIndex;
  const subscribes = (p: number) => subscribesToWatcherInfo(s, seed, p);
  const hidden = (w: number, p: number) => hiddenFromWatcherInfo(s, seed, w, p);
  // the document reached the agent of p down its access link
  const arrive = ctx.on('watcherInfoArrive', (_d, p) => {
    if (!online[p]) counters[C.watcherInfoUndelivered]++;
  });

  service.onComplete(OP_WATCHERINFO, (d, e, event) => {
    const p = pop.edgePresentity[e];
    const w = pop.edgeWatcher[e];
    if (!online[p] || !subscribes(p) || hidden(w, p)) return;
    const st = subs.state[e];
    const size = bytes[d][statusIndex(st)][event];
    counters[C.watcherInfoSent]++;
    version[p]++;
    // the binding's own crossing of the access link (a SIP NOTIFY), else the model's document
    const wired = ctx.wire.on ? ctx.wire.watcherInfo(d, p, statusIndex(st), event) : -1;
    // (to the agent's node: the one whose job this was, or across the cluster)
    const to = ctx.cluster.lpOfUser[p];
    kernel.schedule(wired >= 0 ? wired : link.delay(d, p, size, DOWN) + ctx.cluster.hop(kernel.lp, to, size), arrive, to, p, 0);
    const r = trace.message('watcherInfo', -1, d, p, d, size, `${userName(pop, s, w)} ${statusOf(st)} (${WATCHER_EVENTS[event]})`);
    if (r !== null) {
      r.watcherInfo = {
        resource: `sip:${userName(pop, s, p)}`,
        version: version[p],
        watcher: { id: `e${e}`, status: statusOf(st), event: WATCHER_EVENTS[event], uri: `sip:${userName(pop, s, w)}` },
      };
    }
  });
  return {
    changed(d, p, e, event) {
      counters[C.watcherInfo]++;
      service.submit(d, OP_WATCHERINFO, p, e, event);
    },
  };
}
