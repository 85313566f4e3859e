/**
 * When each failing subscription's failure began (the watcher side's recovery time, RFC 2779
 * 5.1.9: how long a watcher is without a subscription it wants), kept only for the edges that are
 * failing now: an open-addressing table of typed columns (edge id -> start time), linear probing
 * with backward-shift deletion. Most edges never fail, so a column of a double per edge (8 bytes
 * per edge of the model state) held zeros almost everywhere. The arrays are replaced only when
 * the table doubles, so an event costs no allocation.
 */
const EMPTY = -1;

export class FailureStarts {
  private keys: Int32Array;
  private since: Float64Array;
  private mask: number;
  /** edges failing now */
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.since = new Float64Array(cap);
  }

  private static home(e: number): number {
    let h = Math.imul(e, 0x9e3779b1);
    h ^= h >>> 15;
    return h;
  }

  /** the slot of edge e, or -1 */
  private find(e: number): number {
    if (this.size === 0) return -1;
    const K = this.keys;
    const m = this.mask;
    for (let i = FailureStarts.home(e) & m; ; i = (i + 1) & m) {
      const k = K[i];
      if (k === e) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** when edge e's failure began, or 0 when it is not failing */
  get(e: number): number {
    const i = this.find(e);
    return i < 0 ? 0 : this.since[i];
  }

  /** edge e fails from time t (> 0), unless it is failing already */
  start(e: number, t: number): void {
    if (this.find(e) >= 0) return;
    if (2 * (this.size + 1) > this.mask + 1) this.grow();
    this.insert(e, t);
    this.size++;
  }

  /** edge e is no longer failing */
  end(e: number): void {
    const K = this.keys;
    const m = this.mask;
    let i = this.find(e);
    if (i < 0) return;
    for (let j = (i + 1) & m; K[j] !== EMPTY; j = (j + 1) & m) {
      const h = FailureStarts.home(K[j]) & m;
      // the entry at j may fill the gap at i unless its home lies cyclically in (i, j]
      const stays = i <= j ? h > i && h <= j : h > i || h <= j;
      if (!stays) {
        K[i] = K[j];
        this.since[i] = this.since[j];
        i = j;
      }
    }
    K[i] = EMPTY;
    this.size--;
  }

  private insert(e: number, t: number): void {
    const K = this.keys;
    const m = this.mask;
    let i = FailureStarts.home(e) & m;
    while (K[i] !== EMPTY) i = (i + 1) & m;
    K[i] = e;
    this.since[i] = t;
  }

  private grow(): void {
    const keys = this.keys;
    const since = this.since;
    this.mask = 2 * keys.length - 1;
    this.keys = new Int32Array(2 * keys.length).fill(EMPTY);
    this.since = new Float64Array(2 * keys.length);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.insert(keys[i], since[i]);
  }
}
