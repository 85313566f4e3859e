/**
 * Forgers (federation.spoofFraction of the principals, decided per principal): besides their
 * requests that claim an identity of another domain (gateways.ts), they may
 * - forge notifications (federation.forgedNotifyRate per forger per hour): a notify claiming a
 *   presentity of a domain their own domain's gateway does not serve, towards a watcher of a third
 *   domain, whose gateway accepts a notify only from a peer that serves the presentity's domain
 *   (RFC 2779 5.1.1, 5.2.4, 5.3.3; cpim-transactions.ts refuses and counts it);
 * - ask for third-party subscribes and cancels (federation.thirdPartyRate per forger per hour):
 *   a request on an edge whose watcher is someone else, refused by the forger's home server
 *   (RFC 2779 5.1.6, 5.1.8; watchers.request).
 * A forger's agent does this whether or not it is logged in. Each domain draws its forgers'
 * attempts as one Poisson stream.
 */
import { C, type ModelContext } from './context.js';
import type { Gateways } from './gateways.js';
import { M_NOTIFY, OP_SUBSCRIBE, OP_UNSUBSCRIBE } from './messages.js';
import { VERSION_MOD } from './notification.js';
import { hashUnit } from './population.js';
import { VIEW_FULL } from './presence-document.js';
import type { Sizes } from './sizes.js';
import type { Watchers } from './watchers.js';

/** whether principal g is a forger (the same rule as the gateways' identity check) */
export const isForger = (ctx: ModelContext, g: number): boolean => ctx.s.federation.spoofFraction > 0 && hashUnit(ctx.seed, g, 0, 9) < ctx.s.federation.spoofFraction;

export function createForgery(ctx: ModelContext, deps: { gateways: Gateways; watchers: Watchers; sizes: Sizes }): void {
  const { kernel, rng, pop, s, D, E, counters, ev } = ctx;
  const fed = s.federation;
  if (fed.spoofFraction === 0 || (fed.forgedNotifyRate === 0 && fed.thirdPartyRate === 0) || E === 0) return;
  const forgers: Int32Array[] = [];
  for (let d = 0; d < D; d++) {
    const list: number[] = [];
    if (kernel.owns(ctx.cluster.home(d))) for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) if (isForger(ctx, g)) list.push(g);
    forgers.push(Int32Array.from(list));
  }

  /** a random edge whose presentity and watcher are both outside domain d, or -1 */
  const foreignEdge = (d: number): number => {
    for (let tries = 0; tries < 8; tries++) {
      const e = rng.int(kernel.lp, E);
      if (pop.domainOf[pop.edgePresentity[e]] !== d && pop.domainOf[pop.edgeWatcher[e]] !== d) return e;
    }
    return -1;
  };
  const forgeNotify = ctx.on('forgedNotify', (d) => {
    kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / (fed.forgedNotifyRate * forgers[d].length)), forgeNotify, kernel.lp);
    const e = foreignEdge(d);
    if (e < 0) return;
    counters[C.forgedNotifiesSent]++;
    const wd = pop.domainOf[pop.edgeWatcher[e]];
    deps.gateways.send(d, wd, ev.notifyArrive, e * VERSION_MOD * 4 + VIEW_FULL, -1, M_NOTIFY, deps.sizes.notifyFull[pop.domainOf[pop.edgePresentity[e]]]);
  });
  const thirdParty = ctx.on('thirdPartyRequest', (d) => {
    const list = forgers[d];
    kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / (fed.thirdPartyRate * list.length)), thirdParty, kernel.lp);
    const g = list[rng.int(kernel.lp, list.length)];
    // an edge of another watcher of the forger's own domain, so that its home server sees the claim
    const w = pop.domainStart[d] + rng.int(kernel.lp, pop.domainStart[d + 1] - pop.domainStart[d]);
    const n = pop.fwdStart[w + 1] - pop.fwdStart[w];
    if (w === g || n === 0) return;
    counters[C.thirdPartyAttempts]++;
    deps.watchers.request(g, pop.fwdEdge[pop.fwdStart[w] + rng.int(kernel.lp, n)], rng.uniform(kernel.lp) < 0.5 ? OP_SUBSCRIBE : OP_UNSUBSCRIBE);
  });
  // the forgers of a domain are driven from its home node
  ctx.onInit((d, lp) => {
    const n = forgers[d].length;
    if (n === 0 || lp !== ctx.cluster.home(d)) return;
    if (fed.forgedNotifyRate > 0) kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / (fed.forgedNotifyRate * n)), forgeNotify, kernel.lp);
    if (fed.thirdPartyRate > 0) kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / (fed.thirdPartyRate * n)), thirdParty, kernel.lp);
  });
}
