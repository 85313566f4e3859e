/**
 * The client-server leg (RFC 2779 section 2; PRIM's client-server protocol): each principal's
 * agents reach their home server over an access link of the principal's class, LAN or mobile
 * (access.mobileFraction, decided per principal from the seed). A message on the link takes its
 * one-way latency plus its bytes over the bandwidth, and a lost transmission is sent again after
 * access.retransmitTimeout. Every client leg crosses it: up to the server go publishes and
 * publication refreshes, subscribes, refreshes and unsubscribes, fetches and polls, and instant
 * messages; down to the client come notifications (a list notification as one copy per local
 * subscriber, from its domain's gateway), instant messages, IM delivery reports (to the sender,
 * after its servers' imReport job; a failure its own servers found too), watcher-information
 * documents (to the presentity's agent), subscribe and fetch responses, termination notices and
 * the answers to publishes and publication refreshes. A binding's own client messages cross it
 * too, whichever domain the other end is in (bindings/: the SIP dialogs, a NOTIFY (pending) or a
 * fetch's 200 and the watcher's 200 to a NOTIFY; XMPP's log-in, roster pushes and their results,
 * the subscribed / unsubscribed stanzas, the stream close); where a binding's message is the
 * model's own leg it crosses once (a SIP domain's watcher-information NOTIFY, a SIP PUBLISH's
 * 200; XMPP answers no publish). What a client's server answers for it (a 481 for a client that
 * is gone, a resource list server's 200s to its back-end NOTIFYs) is not on the link. So
 * latencies are those a user sees. Messages and bytes per class and direction are counted.
 *
 * Not on the link yet: the pending request shown to the presentity's agent and its decision,
 * and the agent's revocation (subscriptions.ts decides both at the server); in a SIP domain with
 * resource lists, the model's per-edge legs of the RLS's back-end subscriptions still cross the
 * watcher's link besides the list dialog's messages.
 */
import type { Dist } from '../scenario/types.js';
import type { ModelContext } from './context.js';
import { P_CPIM } from './bindings/kinds.js';
import { hashUnit } from './population.js';
import { drawDist } from './topology.js';

export const ACCESS_CLASSES = ['lan', 'mobile'] as const;
export const UP = 0;
export const DOWN = 1;

/**
 * Does domain d's binding answer a publish or publication refresh on the wire itself (SIP: its 200
 * or 412, client-wire.ts; XMPP: presence and the keepalive have no answer)? Then the model's own
 * answer does not cross the access link as well.
 */
export const bindingAnswersPublish = (ctx: ModelContext, d: number): boolean => ctx.wire.on && ctx.wire.proto[d] !== P_CPIM;

export interface AccessLink {
  /** the delay of a message of `bytes` on principal g's access link, drawn on domain d's stream; counted in `direction` */
  delay(d: number, g: number, bytes: number, direction: number): number;
  /** per class and direction (class * 2 + direction): messages and bytes */
  readonly messages: Float64Array;
  readonly bytes: Float64Array;
  /** the class of principal g (0 LAN, 1 mobile) */
  classOf(g: number): number;
}

export function createAccessLink(ctx: ModelContext): AccessLink {
  const { rng, s, seed, U } = ctx;
  const a = s.access;
  const latency: Dist[] = [a.lan.latency, a.mobile.latency];
  const bw = Float64Array.of(a.lan.bandwidthMbps, a.mobile.bandwidthMbps);
  const loss = Float64Array.of(a.lan.loss, a.mobile.loss);
  const classOf = new Uint8Array(U);
  if (a.mobileFraction > 0) for (let g = 0; g < U; g++) classOf[g] = hashUnit(seed, g, 0, 10) < a.mobileFraction ? 1 : 0;
  const messages = new Float64Array(4);
  const bytesOut = new Float64Array(4);
  return {
    messages,
    bytes: bytesOut,
    classOf: (g) => classOf[g],
    delay(d, g, bytes, direction) {
      const c = classOf[g];
      messages[c * 2 + direction]++;
      bytesOut[c * 2 + direction] += bytes;
      const tx = bw[c] > 0 ? (bytes * 8) / (bw[c] * 1000) : 0;
      let t = tx + drawDist(rng, ctx.kernel.lp, latency[c]);
      while (loss[c] > 0 && rng.uniform(ctx.kernel.lp) < loss[c]) t += a.retransmitTimeout + tx;
      return t;
    },
  };
}
