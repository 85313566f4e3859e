/**
 * The bucket rings that the periodic sweeps share (expiry-sweep.ts: subscriptions by expiry time,
 * refresh-sweep.ts: watchers' refreshes by due time). Per logical process (a domain's server node)
 * a ring of RING slots, each the head of an intrusive list (item + 1; 0: empty) of one time bucket
 * of `width` ms; one sweep event per (LP, bucket), set when the bucket's list is started, runs one
 * bucket before the bucket begins and hands the whole list to the sweep. The lists' links live
 * with their owners (one slot per edge); the rings are made at an LP's first filing.
 */
import type { ModelContext } from './context.js';

/** slots per ring: an item at most RING - 3 buckets ahead is filed */
export const RING = 1024;
/** an event's key: origin LP x 2^32 + the origin's sequence number (as the kernel makes it) */
export const KEY_LP_FACTOR = 4294967296;

export class SweepRings {
  /** per LP: the first item + 1 of each slot's list, and the bucket the slot holds (-1: none) */
  private readonly heads: (Int32Array | null)[];
  private readonly buckets: (Float64Array | null)[];
  private readonly event: number;
  /** sweeps that found their bucket */
  sweeps = 0;

  /**
   * `sweep(lp, b, first)` receives bucket b's list of LP lp (first: its first item + 1, never 0);
   * the event named `name` is defined now (its place in the kernel's type numbers).
   */
  constructor(
    private readonly ctx: ModelContext,
    /** ms per bucket */
    readonly width: number,
    name: string,
    sweep: (lp: number, b: number, first: number) => void,
  ) {
    this.heads = new Array<Int32Array | null>(ctx.kernel.lpCount).fill(null);
    this.buckets = new Array<Float64Array | null>(ctx.kernel.lpCount).fill(null);
    this.event = ctx.kernel.defineEvent(name, (lp, b) => {
      const first = this.take(lp, b);
      if (first !== 0) sweep(lp, b, first);
    });
  }

  /** May bucket b be filed now: at least two buckets ahead, inside the ring, its sweep still to come? */
  fits(b: number): boolean {
    const now = this.ctx.kernel.now;
    const w = this.width;
    const ahead = b - Math.floor(now / w);
    return ahead >= 2 && ahead <= RING - 3 && (b - 1) * w > now;
  }

  /**
   * Puts item x (an index + 1) at the head of LP lp's list of bucket b (which fits): the former
   * head (0: none), to be kept as x's link; -1, and nothing done, when b's ring slot still holds
   * another bucket's list.
   */
  link(lp: number, b: number, x: number): number {
    const heads = this.heads[lp] ?? this.ring(lp);
    const buckets = this.buckets[lp]!;
    const slot = b % RING;
    if (buckets[slot] !== b) {
      if (heads[slot] !== 0) return -1;
      buckets[slot] = b;
      this.ctx.timers.set((b - 1) * this.width - this.ctx.kernel.now, this.event, lp, b);
    }
    const old = heads[slot];
    heads[slot] = x;
    return old;
  }

  private ring(lp: number): Int32Array {
    const heads = new Int32Array(RING);
    this.heads[lp] = heads;
    this.buckets[lp] = new Float64Array(RING).fill(-1);
    return heads;
  }

  /** the list of LP lp's bucket b, taken out of its slot (0: none, or the slot holds another bucket) */
  private take(lp: number, b: number): number {
    const heads = this.heads[lp]!;
    const buckets = this.buckets[lp]!;
    const slot = b % RING;
    if (buckets[slot] !== b) return 0;
    const x = heads[slot];
    heads[slot] = 0;
    buckets[slot] = -1;
    this.sweeps++;
    return x;
  }
}
