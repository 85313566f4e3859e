/**
 * The client-server leg (RFC 2779 section 2; PRIM's client-server protocol): each principal's
 * agents reach their home server over an access link of the principal's class, LAN or mobile
 * (access.mobileFraction, decided per principal from the seed). A message on the link takes its
 * one-way latency plus its bytes over the bandwidth, and a lost transmission is sent again after
 * access.retransmitTimeout. Every client leg crosses it: up to the server go publishes and
 * publication refreshes, subscribes, refreshes and unsubscribes, fetches and polls, and instant
 * messages; down to the client come notifications, instant messages, subscribe and fetch
 * responses, termination notices and the answers to publishes and publication refreshes. So
 * latencies are those a user sees. Messages and bytes per class and direction are counted.
 */
import type { Dist } from '../scenario/types.js';
import type { ModelContext } from './context.js';
import { hashUnit } from './population.js';
import { drawDist } from './topology.js';

export const ACCESS_CLASSES = ['lan', 'mobile'] as const;
export const UP = 0;
export const DOWN = 1;

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
