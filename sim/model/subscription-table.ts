/**
 * A subscription's state at the presentity's presence service (RFC 2779 5.1), per edge: the
 * lifecycle states, the response codes of a subscribe or refresh, why a subscription ended, and
 * the presentity side's columns. The lifecycle that moves between them is subscriptions.ts.
 */
import type { ModelContext } from './context.js';

export const SUB_NONE = 0;
export const SUB_ACTIVE = 1;
export const SUB_PENDING = 2;
export const SUB_POLITE = 3;

/** Response codes of a subscribe or refresh (>= 0: accepted for that many ms). */
export const RESP_REJECTED = -1;
export const RESP_PENDING = -2;
export const RESP_NO_SUBSCRIPTION = -3;
export const RESP_UNAVAILABLE = -4;

/** The presentity side's columns, per edge: state (SUB_*) and expiry time. */
export class SubscriptionTable {
  readonly state: Uint8Array;
  readonly expiry: Float64Array;
  constructor(edges: number) {
    this.state = new Uint8Array(edges);
    this.expiry = new Float64Array(edges);
  }
  /** subscriptions held (active, pending or politely blocked) by presentities of domain d */
  heldIn(ctx: ModelContext, d: number): number {
    const { pop, kernel } = ctx;
    const lpOf = ctx.cluster.lpOfUser;
    let n = 0;
    // (held by the presentities of the nodes this partition owns)
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      if (!kernel.owns(lpOf[g])) continue;
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) if (this.state[e] !== SUB_NONE) n++;
    }
    return n;
  }
}

/** Why a subscription ended, as the termination notice says (RFC 3857 event names). */
export const TERMINATION_REASONS = ['', 'timeout', 'rejected', 'revoked', 'unsubscribed'] as const;
export const END_EXPIRED = 1;
export const END_REJECTED = 2;
export const END_REVOKED = 3;
/** the watcher unsubscribed (a SIP domain's NOTIFY of Subscription-State terminated answers it) */
export const END_UNSUBSCRIBED = 4;
/** XMPP: a roster subscription has no expiry (RFC 6121): granted for longer than any run */
export const NEVER = 300 * 86_400_000;
