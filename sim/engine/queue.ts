/**
 * The pending-event set: a binary min-heap over parallel typed arrays.
 *
 * An event is numbers only: time (ms, float64), an ordering key, a type, a target logical process
 * and two payload slots. The heap itself moves two numbers per level (time, slot); the key, type,
 * target and payload live in a slot pool indexed by `slot`, so sifting never touches them. The key
 * is read (one indirection) only when two times are equal, which continuous-time models rarely hit.
 *
 * Order is total: (time, key), where key = originLP * 2^32 + originSeq. Two distinct events never
 * compare equal, so the pop order does not depend on insertion order, and therefore not on how
 * logical processes are spread over workers.
 *
 * The root is removed lazily: `pop` leaves a hole at index 0 and the next `push` drops its event
 * into the hole and sifts it down (one sift instead of two). A handler that schedules one event,
 * the common case, costs a single log(n) pass.
 */
const KEY_LP_FACTOR = 4294967296; // 2^32

export class EventQueue {
  /** heap arrays, index = heap position */
  /** @internal read by Kernel.run's inlined loop */
  hTime: Float64Array;
  /** @internal */
  hSlot: Int32Array;
  /** slot pool, index = slot */
  sTime: Float64Array;
  sKey: Float64Array;
  sType: Int32Array;
  sTarget: Int32Array;
  sA: Float64Array;
  sB: Float64Array;
  /** @internal */
  free: Int32Array;
  /** @internal */
  freeTop = 0;
  /** @internal heap positions in use, the hole included */
  n = 0;
  /** @internal */
  hole = false;
  private cap: number;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.cap = cap;
    this.hTime = new Float64Array(cap);
    this.hSlot = new Int32Array(cap);
    this.sTime = new Float64Array(cap);
    this.sKey = new Float64Array(cap);
    this.sType = new Int32Array(cap);
    this.sTarget = new Int32Array(cap);
    this.sA = new Float64Array(cap);
    this.sB = new Float64Array(cap);
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap;
  }

  static key(originLP: number, seq: number): number {
    return originLP * KEY_LP_FACTOR + seq;
  }

  /** Number of pending events. */
  get size(): number {
    return this.hole ? this.n - 1 : this.n;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): number {
    if (this.hole) this.fillHole();
    return this.n > 0 ? this.hTime[0] : Infinity;
  }

  peekKey(): number {
    if (this.hole) this.fillHole();
    return this.n > 0 ? this.sKey[this.hSlot[0]] : Infinity;
  }

  push(time: number, key: number, type: number, target: number, a: number, b: number): void {
    if (this.freeTop === 0) this.grow();
    const s = this.free[--this.freeTop];
    this.sTime[s] = time;
    this.sKey[s] = key;
    this.sType[s] = type;
    this.sTarget[s] = target;
    this.sA[s] = a;
    this.sB[s] = b;
    this.place(s);
  }

  /**
   * @internal Puts a slot already taken from `free` and filled (sTime, sKey, ...) into the heap.
   * The kernel's schedule() fills slots itself so that no double crosses a call.
   */
  place(s: number): void {
    if (this.hole) {
      this.hole = false;
      this.siftDown(0, s);
    } else {
      this.siftUp(this.n++, s);
    }
  }

  /**
   * Removes the earliest event and returns its slot; the caller reads sType/sTarget/sA/sB[slot]
   * and must call `release(slot)` afterwards. Returns -1 when empty. `outTime` receives its time.
   */
  popSlot(): number {
    if (this.hole) this.fillHole();
    if (this.n === 0) return -1;
    this.hole = true;
    return this.hSlot[0];
  }

  release(slot: number): void {
    this.free[this.freeTop++] = slot;
  }

  clear(): void {
    this.n = 0;
    this.hole = false;
    const cap = this.cap;
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap;
  }

  /** @internal */
  fillHole(): void {
    this.hole = false;
    const last = --this.n;
    if (last > 0) this.siftDown(0, this.hSlot[last]);
  }

  // The sifts take the moving event by slot, never its time or key: passing doubles to a call
  // that is not inlined boxes them (one heap allocation each), which costs more than the loads.
  private siftUp(pos: number, s: number): void {
    const time = this.hTime, slot = this.hSlot, skey = this.sKey;
    const t = this.sTime[s];
    while (pos > 0) {
      const p = (pos - 1) >>> 1;
      const pt = time[p];
      // ties (equal times) are rare in continuous time: test them only inside the <= branch,
      // which keeps the common path to one comparison (measured: +30% events/s on PHOLD)
      if (pt <= t) {
        if (pt < t || skey[slot[p]] < skey[s]) break;
      }
      time[pos] = pt;
      slot[pos] = slot[p];
      pos = p;
    }
    time[pos] = t;
    slot[pos] = s;
  }

  private siftDown(pos: number, s: number): void {
    const time = this.hTime, slot = this.hSlot, skey = this.sKey;
    const t = this.sTime[s];
    const n = this.n;
    const half = n >>> 1;
    while (pos < half) {
      let c = 2 * pos + 1;
      let ct = time[c];
      const r = c + 1;
      if (r < n) {
        const rt = time[r];
        if (rt <= ct) {
          if (rt < ct || skey[slot[r]] < skey[slot[c]]) {
            c = r;
            ct = rt;
          }
        }
      }
      if (t <= ct) {
        if (t < ct || skey[s] < skey[slot[c]]) break;
      }
      time[pos] = ct;
      slot[pos] = slot[c];
      pos = c;
    }
    time[pos] = t;
    slot[pos] = s;
  }

  /** @internal */
  grow(): void {
    const old = this.cap;
    const cap = old * 2;
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.hTime = g64(this.hTime);
    this.hSlot = g32(this.hSlot);
    this.sTime = g64(this.sTime);
    this.sKey = g64(this.sKey);
    this.sType = g32(this.sType);
    this.sTarget = g32(this.sTarget);
    this.sA = g64(this.sA);
    this.sB = g64(this.sB);
    // All old slots are in use (the free stack is empty); the new ones become free.
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap - old;
    this.cap = cap;
  }
}
