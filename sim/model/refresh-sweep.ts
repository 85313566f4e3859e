/**
 * Watcher-side subscription refreshes by periodic sweep (RFC 2779 5.1: a watcher refreshes a
 * subscription before the duration granted runs out): the refresh of an edge, its due time and its
 * session epoch are kept per edge in the list of the due time's bucket, and one sweep event per
 * (LP: a domain's server node, bucket) places the bucket's refreshes in the heap at their exact times, one bucket
 * before it starts. A filed refresh costs 16 bytes (due 8, epoch 4, link 4) instead of a timer
 * record of 26; the storage is made in pages of 65,536 edges as edges are first filed, like the
 * timer service's records (it is pending-timer storage, not model state).
 *
 * An edge holds one filed refresh: a second one while the first waits (two answers to one
 * subscription), and refreshes under two buckets or beyond the ring away, get a timer of their
 * own as before, so every refresh the watcher would have sent is still sent, at its time.
 */
import type { ModelContext } from './context.js';
import { KEY_LP_FACTOR, RING, SweepRings } from './sweep-rings.js';

const PAGE_BITS = 16;
const PAGE_MASK = (1 << PAGE_BITS) - 1;

export class RefreshSweep {
  /** per page of edges: due time, epoch, and the next edge + 1 of its list (0: last; -1: not filed) */
  private readonly due: (Float64Array | null)[];
  private readonly epochOf: (Uint32Array | null)[];
  private readonly next: (Int32Array | null)[];
  /** per LP: its buckets' lists */
  private readonly rings: SweepRings;
  /** refreshes placed by sweeps */
  placed = 0;

  constructor(
    private readonly ctx: ModelContext,
    private readonly refresh: number,
  ) {
    const pages = Math.ceil(ctx.E / (PAGE_MASK + 1));
    this.due = new Array<Float64Array | null>(pages).fill(null);
    this.epochOf = new Array<Uint32Array | null>(pages).fill(null);
    this.next = new Array<Int32Array | null>(pages).fill(null);
    const beh = ctx.s.behaviour;
    const width = Math.max(1000, Math.ceil(Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration) / (RING - 4)));
    this.rings = new SweepRings(ctx, width, 'refreshSweep', (lp, _b, first) => this.sweep(lp, first));
  }

  /**
   * The refresh of edge e by domain d's watcher (a handler of d runs) after `delay` ms, in session
   * epoch ep: true when filed, false when the caller must set a timer.
   */
  file(d: number, e: number, delay: number, ep: number): boolean {
    const t = this.ctx.kernel.now + delay;
    const b = Math.floor(t / this.rings.width);
    if (!this.rings.fits(b) || ep >>> 0 !== ep) return false;
    const page = e >>> PAGE_BITS;
    const i = e & PAGE_MASK;
    const next = this.next[page] ?? this.makePage(page);
    if (next[i] !== -1) return false;
    const old = this.rings.link(d, b, e + 1);
    if (old < 0) return false;
    this.due[page]![i] = t;
    this.epochOf[page]![i] = ep;
    next[i] = old;
    return true;
  }

  private makePage(page: number): Int32Array {
    const n = PAGE_MASK + 1;
    this.due[page] = new Float64Array(n);
    this.epochOf[page] = new Uint32Array(n);
    const next = new Int32Array(n).fill(-1);
    this.next[page] = next;
    return next;
  }

  /** The sweep of LP d's bucket (its list from `first`): its refreshes go to the heap at their due times. */
  private sweep(d: number, first: number): void {
    let x = first;
    const { kernel } = this.ctx;
    const key = d * KEY_LP_FACTOR;
    while (x !== 0) {
      const e = x - 1;
      const page = e >>> PAGE_BITS;
      const i = e & PAGE_MASK;
      const next = this.next[page]!;
      x = next[i];
      next[i] = -1;
      this.placed++;
      kernel.insert(this.due[page]![i], key + kernel.takeSeq(d, this.refresh), this.refresh, d, e, this.epochOf[page]![i]);
    }
  }
}
