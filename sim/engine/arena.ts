/**
 * Regions of a thread-level arena: the bookkeeping behind the event heap's arrays.
 *
 * The event heap (queue.ts) lives in typed arrays that are module-level constants, shared by every
 * kernel of the thread; each queue owns a region of them. V8's optimising compiler embeds a
 * constant typed array's length and data pointer into the code, whereas an array held in an
 * object field has to be re-validated and its fields reloaded after every element store: on the
 * heap's sift the difference is 9.0 against 7.1 million operations per second. (The random
 * streams' state and the sequence counters were tried the same way: no measurable gain, so they
 * stay in per-kernel arrays.) The arrays are reserved, not committed (the OS maps a page on first
 * touch), so a thread pays for what its regions use.
 *
 * This class only hands out index ranges: first fit over a sorted free list with neighbours
 * merged. A few queues live in a thread at once, so plain arrays and linear scans are enough.
 */
import { SimError } from '../errors.js';
import { memoryLimit } from '../memory-limit.js';

/** The arena never reserves less than this by default (the former fixed size), nor more than the most. */
const ARENA_DEFAULT_MIN = 1 << 26;
const ARENA_MAX = 1 << 29;

/**
 * Heap entries the arena of one thread holds, over all its queues. By default as many pending
 * events as the memory limit of a run holds (memory-limit.ts: IMPP_SIM_MEMORY_LIMIT, else half the
 * machine's memory, at `eventBytes` each), at least 64 Mi and at most 512 Mi: a run whose pending
 * events fit in memory fits in the arena, and the estimate refuses the others before they start.
 * 16 bytes of address space per entry are reserved, committed only as used. `v`, the environment
 * variable IMPP_SIM_EVENT_ARENA, sets another count (hosts that refuse large reservations); a bad
 * one gives the default and an error for the caller to report.
 */
export function arenaSize(v: string | undefined, eventBytes: number): { entries: number; error: string | null } {
  let fallback = ARENA_DEFAULT_MIN;
  try {
    const fit = Math.ceil(memoryLimit().bytes / eventBytes / 16) * 16 + 32;
    fallback = Math.min(ARENA_MAX, Math.max(ARENA_DEFAULT_MIN, fit));
  } catch {
    // a bad IMPP_SIM_MEMORY_LIMIT: the run estimate reports it where runs are checked
  }
  if (v === undefined || v === '') return { entries: fallback, error: null };
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 << 12 || n > ARENA_MAX) {
    return { entries: fallback, error: `the environment variable IMPP_SIM_EVENT_ARENA must be an integer number of pending events from ${1 << 12} to ${ARENA_MAX} (default here ${fallback}, from the memory limit), got '${v}'` };
  }
  return { entries: n, error: null };
}

export interface Region {
  base: number;
  /** 0 once released */
  size: number;
}

export class Arena {
  private readonly freeStart: number[];
  private readonly freeSize: number[];
  /** releases the regions of owners that were garbage-collected without `release` */
  private readonly reclaim: FinalizationRegistry<Region>;

  /**
   * @param capacity entries of the backing arrays
   * @param align regions start at multiples of this
   * @param what what an entry is, for error messages ("event-heap entries")
   * @param hint what to do when the arena is full, for error messages
   */
  constructor(
    readonly capacity: number,
    private readonly align: number,
    private readonly what: string,
    private readonly hint: string,
  ) {
    this.freeStart = [0];
    this.freeSize = [capacity];
    this.reclaim = new FinalizationRegistry<Region>((r) => this.release(r));
  }

  /**
   * A region of at least `entries` entries for `owner`; released when the owner is collected,
   * unless `release` was called before. Throws SIM_ERR_ARENA_FULL when no free region is large enough.
   */
  alloc(entries: number, owner: object): Region {
    const region: Region = { base: this.take(entries), size: this.round(entries) };
    this.reclaim.register(owner, region, region);
    return region;
  }

  /** Gives a region back (idempotent). */
  release(region: Region): void {
    if (region.size === 0) return;
    this.reclaim.unregister(region);
    this.give(region.base, region.size);
    region.size = 0;
  }

  /**
   * Moves a region to one of `entries` entries and returns the old base (the caller copies its
   * data with copyWithin, which handles overlapping ranges). The old region is given back first,
   * so a region alone in the arena can grow in place. With `atLeast` below `entries`, a smaller
   * region of at least `atLeast` entries is taken when no free one holds `entries` (region.size
   * says what was taken). On failure the region is unchanged.
   */
  resize(region: Region, entries: number, atLeast = entries): number {
    const oldBase = region.base;
    const oldSize = region.size;
    this.give(oldBase, oldSize);
    // no room for `entries`: the largest free region will do when it holds `atLeast` (a queue
    // that doubles can then use the whole arena, not only half of it)
    let want = entries;
    if (atLeast < entries) {
      let largest = 0;
      for (const s of this.freeSize) if (s > largest) largest = s;
      if (largest < this.round(entries)) want = Math.max(atLeast, Math.floor(largest / this.align) * this.align);
    }
    let base: number;
    try {
      base = this.take(want);
    } catch (e) {
      this.takeAt(oldBase, oldSize);
      throw e;
    }
    region.base = base;
    region.size = this.round(want);
    return oldBase;
  }

  /** Free entries (tests and diagnostics). */
  free(): number {
    let total = 0;
    for (const s of this.freeSize) total += s;
    return total;
  }

  private round(entries: number): number {
    return Math.max(this.align, Math.ceil(entries / this.align) * this.align);
  }

  private take(entries: number): number {
    const size = this.round(entries);
    const { freeStart, freeSize } = this;
    for (let i = 0; i < freeStart.length; i++) {
      if (freeSize[i] >= size) {
        const base = freeStart[i];
        if (freeSize[i] === size) {
          freeStart.splice(i, 1);
          freeSize.splice(i, 1);
        } else {
          freeStart[i] += size;
          freeSize[i] -= size;
        }
        return base;
      }
    }
    let largest = 0;
    for (const s of freeSize) if (s > largest) largest = s;
    const fmt = (x: number) => x.toLocaleString('en-US');
    throw new SimError(
      'SIM_ERR_ARENA_FULL',
      `this thread would need ${fmt(size)} more ${this.what}, but the largest free region of its ${fmt(this.capacity)}-entry arena ` +
        `holds ${fmt(largest)}; ${this.hint}`,
      { needed: size, largest, capacity: this.capacity },
    );
  }

  private give(base: number, size: number): void {
    const { freeStart, freeSize } = this;
    let i = 0;
    while (i < freeStart.length && freeStart[i] < base) i++;
    freeStart.splice(i, 0, base);
    freeSize.splice(i, 0, size);
    if (i + 1 < freeStart.length && freeStart[i] + freeSize[i] === freeStart[i + 1]) {
      freeSize[i] += freeSize[i + 1];
      freeStart.splice(i + 1, 1);
      freeSize.splice(i + 1, 1);
    }
    if (i > 0 && freeStart[i - 1] + freeSize[i - 1] === freeStart[i]) {
      freeSize[i - 1] += freeSize[i];
      freeStart.splice(i, 1);
      freeSize.splice(i, 1);
    }
  }

  /** Takes back a given range, which must be free (a failed resize keeps its old region). */
  private takeAt(base: number, size: number): void {
    const { freeStart, freeSize } = this;
    for (let i = 0; i < freeStart.length; i++) {
      const s = freeStart[i];
      const e = s + freeSize[i];
      if (s <= base && base + size <= e) {
        const after = e - (base + size);
        if (base > s) {
          freeSize[i] = base - s;
          if (after > 0) {
            freeStart.splice(i + 1, 0, base + size);
            freeSize.splice(i + 1, 0, after);
          }
        } else if (after > 0) {
          freeStart[i] = base + size;
          freeSize[i] = after;
        } else {
          freeStart.splice(i, 1);
          freeSize.splice(i, 1);
        }
        return;
      }
    }
    throw new Error(`arena range ${base}+${size} is not free`);
  }
}
