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

/** buckets per domain's ring (an expiry at most RING - 3 buckets ahead is filed) */
const RING = 1024;
/** next[e]: -1 not filed; else the successor + 1 (0: last of its list), with the mark in bit 30 */
const UNFILED = -1;
const MARK = 1 << 30;
const LINK = MARK - 1;
/** an event's key: origin LP x 2^32 + the origin's sequence number (as the kernel makes it) */
const KEY_LP_FACTOR = 4294967296;

export class ExpirySweep {
  private readonly next: Int32Array;
  /** ms per bucket: at least 1 s, and the longest grant fits in the ring */
  private readonly width: number;
  /** per domain (made at its first filing): the first edge + 1 of each ring slot's list, and its bucket */
  private readonly heads: (Int32Array | null)[];
  private readonly buckets: (Float64Array | null)[];
  private readonly sweepEvent: number;
  /** sweeps handled, expire events placed by them, edges moved to a later bucket */
  sweeps = 0;
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
    this.width = Math.max(1000, Math.ceil(ctx.s.behaviour.maxSubscriptionDuration / (RING - 4)));
    this.heads = new Array<Int32Array | null>(ctx.kernel.lpCount).fill(null);
    this.buckets = new Array<Float64Array | null>(ctx.kernel.lpCount).fill(null);
    this.sweepEvent = ctx.kernel.defineEvent('expirySweep', (d, b) => this.sweep(d, b));
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
    return this.link(d, e, Math.floor(this.expiry[e] / this.width));
  }

  /** Puts e at the head of domain d's list of bucket b; false when b is too near or too far. */
  private link(d: number, e: number, b: number): boolean {
    const now = this.ctx.kernel.now;
    const w = this.width;
    const ahead = b - Math.floor(now / w);
    if (ahead < 2 || ahead > RING - 3 || !((b - 1) * w > now)) return false;
    const heads = this.heads[d] ?? this.ring(d);
    const buckets = this.buckets[d]!;
    const slot = b % RING;
    if (buckets[slot] !== b) {
      if (heads[slot] !== 0) return false;
      buckets[slot] = b;
      this.ctx.timers.set((b - 1) * w - now, this.sweepEvent, d, b);
    }
    this.next[e] = heads[slot];
    heads[slot] = e + 1;
    return true;
  }

  private ring(d: number): Int32Array {
    const heads = new Int32Array(RING);
    this.heads[d] = heads;
    this.buckets[d] = new Float64Array(RING).fill(-1);
    return heads;
  }

  /** The sweep of domain d's bucket b, one bucket before it starts. */
  private sweep(d: number, b: number): void {
    const heads = this.heads[d]!;
    const buckets = this.buckets[d]!;
    const slot = b % RING;
    if (buckets[slot] !== b) return;
    let x = heads[slot];
    heads[slot] = 0;
    buckets[slot] = -1;
    this.sweeps++;
    const { kernel } = this.ctx;
    const held = this.state;
    const w = this.width;
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
