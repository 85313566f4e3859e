/**
 * The pending-event set: a binary min-heap over parallel typed arrays.
 *
 * An event is numbers only: time (ms, float64), an ordering key, a type, a target logical process
 * and three payload slots (a, b, c; c is for the model's gateways, which carry a CPIM transaction
 * id beside a message's own two numbers). The heap holds, per entry, only what a sift moves:
 *
 *     HT: time (float64)   HS: slot (int32)
 *
 * The meta word (target << 11 | payload bit | type), the ordering key and the payload live in a
 * slot pool indexed by `slot`. The meta word is written when the event is placed and read when
 * it is popped; the key is read only when two times are equal (rare in continuous time), the
 * payload only for events that carry one (the payload bit). Slots are reused last-freed first, so
 * a handler's first event takes the slot its own event just freed (in cache).
 *
 * Order is total: (time, key), where key = originLP * 2^32 + originSeq. Two distinct events never
 * compare equal, so the pop order does not depend on insertion order, and therefore not on how
 * logical processes are spread over workers.
 *
 * The root is removed lazily: a pop leaves a hole at the root and the next push drops its event
 * into the hole and sifts it down (one sift instead of two). A handler that schedules one event,
 * the common case, costs a single log(n) pass.
 *
 * Layout, and why (measured on a hold loop, 16,000 / 1.6 million entries, this project's bench
 * machine):
 * - The heap arrays are module-level constants shared by every queue of the thread, each queue
 *   owning a region of them (arena.ts says why: constant arrays, 9.0 M sift ops/s instead of 7.1).
 * - Times have their own dense array, not interleaved with meta and slot: a sift's chain of
 *   dependent loads then reads only times, eight to a cache line (16-byte interleaved entries:
 *   2.1 M ops/s at 1.6 million entries, separate arrays 2.6 M).
 * - Regions start at a multiple of 16 and the heap is 1-based within its region, so the two
 *   children of an entry (2i, 2i+1) share a cache line.
 */
import { SimError } from '../errors.js';
import { Arena, arenaSize, type Region } from './arena.js';

const KEY_LP_FACTOR = 4294967296; // 2^32

/** Event types fit in 10 bits of an entry's meta word. */
export const MAX_EVENT_TYPES = 1024;
export const TYPE_MASK = 1023;
export const PAYLOAD_BIT = 1024;
export const TARGET_SHIFT = 11;
/** float64s per slot of the payload pool: a, b, c */
export const PAYLOAD_STRIDE = 3;

/**
 * Bytes one pending event takes: its heap entry (time 8, slot 4), its meta word (4), its key (8)
 * and its payload slots (3 x 8). The run estimate counts pending events at the same figure.
 */
export const PENDING_EVENT_BYTES = 8 + 8 + 8 + 8 * PAYLOAD_STRIDE;
/**
 * Heap entries the arena of one thread holds, over all its queues: sized from the memory limit at
 * PENDING_EVENT_BYTES each unless IMPP_SIM_EVENT_ARENA sets it (arena.ts, arenaSize). A bad value
 * is reported by the first queue, inside the caller's error handling, not while modules load.
 */
const SIZED = arenaSize(process.env.IMPP_SIM_EVENT_ARENA, PENDING_EVENT_BYTES);
export const ARENA_ENTRIES = SIZED.entries;
const arenaConfigError = SIZED.error;

/** Heap positions (from the root) sifted without a branch: 32,768 times = 256 KiB, cache-resident. */
const BRANCHLESS_TOP = 1 << 15;

// Not exported: V8 keeps exported bindings in cells and then no longer treats them as constants
// (measured: the same sift runs at 6.7 M ops/s on exported arrays, 9.5 on private ones). Other
// modules read the root through the queue's small methods, which inline.
/** heap times, absolute arena indices */
const HT = new Float64Array(ARENA_ENTRIES);
/** heap slots (int32). The meta word stays in the slot pool (sM), written once when the event is
 *  placed and read once when it is popped: a heap entry is then 12 bytes instead of 16, the
 *  1.6 million entries of PHOLD at 100,000 LPs take 19 MB instead of 26 MB (the last-level cache
 *  here is 32 MB), and a sift level moves 12 bytes (measured, PHOLD 100,000 LPs, CPU-time medians
 *  of 7 interleaved runs, four times on a shared machine: +8%, +7%, -4%, +5% events/s, a small
 *  gain at best; 1,000 LPs unchanged) */
const HS = new Int32Array(ARENA_ENTRIES);

const arena = new Arena(
  ARENA_ENTRIES,
  16,
  'event-heap entries (pending events)',
  'the arena holds as many pending events as the memory limit allows (IMPP_SIM_MEMORY_LIMIT, 40 bytes each) unless IMPP_SIM_EVENT_ARENA sets it: raise that, or spread the model over more workers (each worker thread has its own arena)',
);

/** Free heap entries of this thread's arena (tests and diagnostics). */
export function arenaFree(): number {
  return arena.free();
}

export class EventQueue {
  /**
   * @internal Arena index of heap position 0: the root is at base + 1, the last entry at
   * base + n, the children of absolute index a at 2a - base and 2a - base + 1.
   */
  base: number;
  /** @internal slot pool: ordering key */
  sKey: Float64Array;
  /** @internal slot pool: payload a at [3s], b at [3s+1], c at [3s+2] (valid when the payload bit is set) */
  sP: Float64Array;
  /** @internal slot pool: meta word */
  sM: Int32Array;
  /** @internal stack of free slots */
  free: Int32Array;
  /** @internal */
  freeTop = 0;
  /** @internal entries in use, the hole included */
  n = 0;
  /** @internal */
  hole = false;
  /** most entries held at once (the hole excluded) */
  peak = 0;
  /**
   * @internal The time of the entry being placed. Callers write it here instead of passing it:
   * a double passed to a call that is not inlined is boxed (a heap allocation per event).
   */
  readonly inT = new Float64Array(1);
  private cap: number;
  private readonly region: Region;

  /** the event taken by the last `pop()` (tests and tools; the kernel reads the heap itself) */
  time = 0;
  key = 0;
  type = 0;
  target = 0;
  a = 0;
  b = 0;
  c = 0;

  constructor(initialCapacity = 1024) {
    if (arenaConfigError !== null) throw new SimError('SIM_ERR_BAD_OPTION', arenaConfigError);
    const cap = Math.max(16, initialCapacity | 0);
    this.cap = cap;
    // with a hole, heap positions run up to cap + 1 (the hole's slot is already free)
    this.region = arena.alloc(cap + 2, this);
    this.base = this.region.base;
    this.sKey = new Float64Array(cap);
    this.sP = new Float64Array(PAYLOAD_STRIDE * cap);
    this.sM = new Int32Array(cap);
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap;
  }

  static key(originLP: number, seq: number): number {
    return originLP * KEY_LP_FACTOR + seq;
  }

  /** Gives the queue's arena region back; the queue must not be used afterwards. */
  dispose(): void {
    arena.release(this.region);
    // past the arena's end: any access after this is out of bounds (ignored), never another queue's
    this.base = ARENA_ENTRIES;
    this.n = 0;
    this.hole = false;
    this.cap = 0;
    this.freeTop = 0;
  }

  /** Number of pending events. */
  get size(): number {
    return this.hole ? this.n - 1 : this.n;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): number {
    if (this.hole) this.fillHole();
    return this.n > 0 ? HT[this.base + 1] : Infinity;
  }

  peekKey(): number {
    if (this.hole) this.fillHole();
    return this.n > 0 ? this.sKey[HS[this.base + 1]] : Infinity;
  }

  /** @internal The root's time, meta word and slot (the heap must hold an entry and no hole). */
  rootTime(): number {
    return HT[this.base + 1];
  }

  /** @internal */
  rootMeta(): number {
    return this.sM[HS[this.base + 1]];
  }

  /** @internal */
  rootSlot(): number {
    return HS[this.base + 1];
  }

  push(time: number, key: number, type: number, target: number, a: number, b: number, c = 0): void {
    if (this.freeTop === 0) this.grow();
    const s = this.free[--this.freeTop];
    this.sKey[s] = key;
    let meta = (target << TARGET_SHIFT) | type;
    if (!Object.is(a, 0) || !Object.is(b, 0) || !Object.is(c, 0)) {
      meta |= PAYLOAD_BIT;
      this.sP[3 * s] = a;
      this.sP[3 * s + 1] = b;
      this.sP[3 * s + 2] = c;
    }
    this.inT[0] = time;
    this.place(meta, s);
  }

  /**
   * @internal Puts an event into the heap: its time in `inT[0]`, its meta word, and its slot, taken
   * from `free` with the key (and payload) already written. The kernel's schedule() fills slots
   * itself so that no double crosses a call.
   */
  place(meta: number, s: number): void {
    this.sM[s] = meta;
    if (this.hole) {
      this.hole = false;
      this.siftDown(s);
    } else {
      const n = ++this.n;
      if (n > this.peak) this.peak = n;
      this.siftUp(this.base + n, s);
    }
  }

  /**
   * Calls fn for every pending event, in no particular order (end-of-run censuses and tools; not
   * for the hot path).
   */
  forEach(fn: (time: number, type: number, target: number, a: number, b: number, c: number) => void): void {
    if (this.hole) this.fillHole();
    for (let i = this.base + 1; i <= this.base + this.n; i++) {
      const meta = this.sM[HS[i]];
      const s = HS[i];
      const p = (meta & PAYLOAD_BIT) !== 0;
      fn(HT[i], meta & TYPE_MASK, meta >>> TARGET_SHIFT, p ? this.sP[3 * s] : 0, p ? this.sP[3 * s + 1] : 0, p ? this.sP[3 * s + 2] : 0);
    }
  }

  /**
   * Removes the earliest event into `time`, `key`, `type`, `target`, `a`, `b`, `c`; false when empty.
   */
  pop(): boolean {
    if (this.hole) this.fillHole();
    if (this.n === 0) return false;
    const root = this.base + 1;
    const meta = this.sM[HS[root]];
    const s = HS[root];
    this.time = HT[root];
    this.key = this.sKey[s];
    this.type = meta & TYPE_MASK;
    this.target = meta >>> TARGET_SHIFT;
    const p = (meta & PAYLOAD_BIT) !== 0;
    this.a = p ? this.sP[3 * s] : 0;
    this.b = p ? this.sP[3 * s + 1] : 0;
    this.c = p ? this.sP[3 * s + 2] : 0;
    this.hole = true;
    this.free[this.freeTop++] = s;
    return true;
  }

  /** @internal */
  fillHole(): void {
    this.hole = false;
    const last = this.base + this.n--;
    if (this.n > 0) {
      this.inT[0] = HT[last];
      this.siftDown(HS[last]);
    }
  }

  private siftUp(pos: number, s: number): void {
    const K = this.sKey;
    const b = this.base;
    const root = b + 1;
    const t = this.inT[0];
    while (pos > root) {
      const p = b + ((pos - b) >>> 1);
      const pt = HT[p];
      // ties (equal times) are rare in continuous time: test them only inside the <= branch,
      // which keeps the common path to one comparison
      if (pt <= t) {
        if (pt < t || K[HS[p]] < K[s]) break;
      }
      HT[pos] = pt;
      HS[pos] = HS[p];
      pos = p;
    }
    HT[pos] = t;
    HS[pos] = s;
  }

  /** Sifts an event down from the root (the hole). */
  private siftDown(s: number): void {
    const K = this.sKey;
    const b = this.base;
    const end = b + this.n;
    const t = this.inT[0];
    let pos = b + 1;
    let c = b + 2;
    // Near the root (the first BRANCHLESS_TOP positions, which stay in cache) the smaller child is
    // picked without a branch: which of two children is earlier is a coin flip that the CPU
    // mispredicts half the time, and `+(x < y)` compiles to a flag move. Deeper down, where loads
    // miss the cache, the branch is better: the CPU's guess starts the next level's load early,
    // where the branch-free form waits for each comparison (measured on a hold loop: 9.8 -> 13.1
    // M ops/s with 16,000 entries; 2.5 either way with 1.6 million).
    const top = this.n < BRANCHLESS_TOP ? end : b + BRANCHLESS_TOP;
    while (c < top) {
      const lt = HT[c];
      const rt = HT[c + 1];
      let right = +(rt < lt);
      if (rt === lt) right = +(K[HS[c + 1]] < K[HS[c]]);
      c += right;
      const ct = HT[c];
      if (t <= ct) {
        if (t < ct || K[s] < K[HS[c]]) {
          HT[pos] = t;
          HS[pos] = s;
          return;
        }
      }
      HT[pos] = ct;
      HS[pos] = HS[c];
      pos = c;
      c = 2 * c - b;
    }
    while (c <= end) {
      let ct = HT[c];
      if (c < end) {
        const rt = HT[c + 1];
        if (rt <= ct) {
          if (rt < ct || K[HS[c + 1]] < K[HS[c]]) {
            c++;
            ct = rt;
          }
        }
      }
      if (t <= ct) {
        if (t < ct || K[s] < K[HS[c]]) break;
      }
      HT[pos] = ct;
      HS[pos] = HS[c];
      pos = c;
      c = 2 * c - b;
    }
    HT[pos] = t;
    HS[pos] = s;
  }

  /** @internal Doubles the capacity (or takes what the arena has left): a new arena region (the entries move) and a larger slot pool. */
  grow(): void {
    if (this.cap === 0) throw new SimError('SIM_ERR_BAD_OPTION', 'an event was scheduled on a kernel whose run has ended (its queue was disposed)');
    const old = this.cap;
    // twice the capacity, or what the arena has left when that is less (one entry more at least)
    const from = arena.resize(this.region, 2 * old + 2, old + 3);
    const cap = this.region.size - 2;
    const base = this.region.base;
    const used = this.n + 1; // positions 0..n
    if (base !== from) {
      HT.copyWithin(base, from, from + used);
      HS.copyWithin(base, from, from + used);
    }
    this.base = base;
    const key = new Float64Array(cap);
    key.set(this.sKey);
    this.sKey = key;
    const pay = new Float64Array(PAYLOAD_STRIDE * cap);
    pay.set(this.sP);
    this.sP = pay;
    const sm = new Int32Array(cap);
    sm.set(this.sM);
    this.sM = sm;
    // All old slots are in use (the free stack is empty); the new ones become free.
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap - old;
    this.cap = cap;
  }
}
