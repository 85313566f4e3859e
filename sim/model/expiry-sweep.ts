/**
 * Subscription expiry by periodic sweep (RFC 2779 5.1: a subscription lasts the duration granted
 * unless refreshed), as presence servers keep it: each domain's service files a subscription in
 * the list of the time bucket its expiry falls in, one link per edge, and one sweep event per
 * (LP: a domain's server node, bucket) goes through the list one bucket ahead. An edge still due in that bucket gets
 * its expire event in the heap at its exact expiry time; one whose subscription was refreshed
 * (expiry later) moves to its new bucket's list; one that ended leaves. A refresh therefore costs
 * no timer, and no stale expiry ever fires: per edge 4 bytes instead of a timer record of 26.
 *
 * What the sweep does not take, the caller gives a timer of its own (the former way, expire events
 * checked against the expiry column): expiries under two buckets away or beyond the ring of
 * buckets (XMPP's roster subscriptions that never expire), and an expiry moved earlier while the
 * edge waits in a later list. Such an edge is marked; until a sweep reaches it, every expiry it
 * gets takes a timer, and the sweep then only lets it go.
 */
import type { ModelContext } from './context.js';
import { KEY_LP_FACTOR, RING, SweepRings } from './sweep-rings.js';

/** next[e]: -1 not filed; else the successor + 1 (0: last of its list), with the mark in bit 30 */
const UNFILED = -1;
const MARK = 1 << 30;
const LINK = MARK - 1;

export class ExpirySweep {
  private readonly next: Int32Array;
  /** per LP: its buckets' lists (ms per bucket: at least 1 s, and the longest grant fits in the ring) */
  private readonly rings: SweepRings;
  /** expire events placed by the sweeps, edges moved to a later bucket */
  placed = 0;
  moved = 0;

  constructor(
    private readonly ctx: ModelContext,
    /** the subscription table's columns: state (SUB_NONE = 0: ended) and expiry time */
    private readonly state: Uint8Array,
    private readonly expiry: Float64Array,
    private readonly expire: number,
  ) {
    this.next = new Int32Array(ctx.E).fill(UNFILED);
    const width = Math.max(1000, Math.ceil(ctx.s.behaviour.maxSubscriptionDuration / (RING - 4)));
    this.rings = new SweepRings(ctx, width, 'expirySweep', (lp, b, first) => this.sweep(lp, b, first));
  }

  /**
   * Edge e of domain d (a handler of d runs) now expires at expiry[e], which was `before`: true when
   * the sweep will expire it, false when the caller must set an expire timer.
   */
  file(d: number, e: number, before: number): boolean {
    const n = this.next[e];
    if (n !== UNFILED) {
      // filed in a bucket no later than `before`'s: a later expiry is found when that list is swept
      if ((n & MARK) === 0 && this.expiry[e] >= before) return true;
      this.next[e] = n | MARK;
      return false;
    }
    if (e >= LINK) return false;
    return this.link(d, e, Math.floor(this.expiry[e] / this.rings.width));
  }

  /** Puts e at the head of LP d's list of bucket b; false when b is too near or too far, or its slot is taken. */
  private link(d: number, e: number, b: number): boolean {
    if (!this.rings.fits(b)) return false;
    const old = this.rings.link(d, b, e + 1);
    if (old < 0) return false;
    this.next[e] = old;
    return true;
  }

  /** The sweep of domain d's bucket b, one bucket before it starts. */
  private sweep(d: number, b: number, first: number): void {
    let x = first;
    const { kernel } = this.ctx;
    const held = this.state;
    const w = this.rings.width;
    while (x !== 0) {
      const e = x - 1;
      const n = this.next[e];
      x = n & LINK;
      this.next[e] = UNFILED;
      // marked: every expiry since has its own timer; ended: nothing to expire
      if ((n & MARK) !== 0 || held[e] === 0) continue;
      const t = this.expiry[e];
      const due = Math.floor(t / w);
      if (due > b) {
        this.moved++;
        if (this.link(d, e, due)) continue;
      }
      if (t < kernel.now) continue;
      this.placed++;
      // at the expiry time itself (now + (t - now) could round to another double)
      kernel.insert(t, d * KEY_LP_FACTOR + kernel.takeSeq(d, this.expire), this.expire, d, e, 0);
    }
  }
}
