/**
 * An open-addressing table of pending CPIM transactions, in typed columns: a key (a message
 * kind and a number, such as a TransID or a message's first payload), a value and the time the
 * entry was made. Linear probing with backward-shift deletion (no tombstones); several entries
 * may share a key (equivalent requests in flight at once), `take` removes one of them.
 *
 * Entries older than `lifetime` are closed: `take` refuses them (and counts them expired), and
 * a table that fills up first sweeps them out, then doubles. Arrays are allocated only then, so a
 * message costs no allocation.
 */

const EMPTY = 255;
const TWO32 = 4294967296;

export class TransactionTable {
  private keyA: Float64Array;
  private keyK: Uint8Array;
  private val: Float64Array;
  private born: Float64Array;
  private mask: number;
  /** entries held */
  size = 0;
  /** the most entries held at once */
  peak = 0;

  constructor(
    private readonly lifetime: number,
    /** entries closed because they outlived the lifetime (late or never answered) are counted in counters[expiredAt] */
    private readonly counters: Float64Array,
    private readonly expiredAt: number,
    capacity = 256,
  ) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.keyA = new Float64Array(cap);
    this.keyK = new Uint8Array(cap).fill(EMPTY);
    this.val = new Float64Array(cap);
    this.born = new Float64Array(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  private slot(kind: number, a: number): number {
    const lo = a | 0; // (ToInt32: a modulo 2^32, without a float modulo)
    const hi = Math.floor(a / TWO32) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ (kind << 24), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** Adds an entry (kind < 255, key a) with value v, made at `now`. */
  put(kind: number, a: number, v: number, now: number): void {
    if (2 * (this.size + 1) > this.capacity) this.makeRoom(now);
    this.insert(kind, a, v, now);
    if (this.size > this.peak) this.peak = this.size;
  }

  private insert(kind: number, a: number, v: number, born: number): void {
    let i = this.slot(kind, a);
    while (this.keyK[i] !== EMPTY) i = (i + 1) & this.mask;
    this.keyK[i] = kind;
    this.keyA[i] = a;
    this.val[i] = v;
    this.born[i] = born;
    this.size++;
  }

  /**
   * Removes an entry with key (kind, a) and returns its value; NaN when there is none, or when
   * it is older than the lifetime at `now` (then it is removed and counted expired).
   */
  take(kind: number, a: number, now: number): number {
    let i = this.slot(kind, a);
    while (this.keyK[i] !== EMPTY) {
      if (this.keyK[i] === kind && this.keyA[i] === a) {
        const v = this.val[i];
        const late = now - this.born[i] > this.lifetime;
        this.remove(i);
        if (late) {
          this.counters[this.expiredAt]++;
          return NaN;
        }
        return v;
      }
      i = (i + 1) & this.mask;
    }
    return NaN;
  }

  /** The value of an entry with key (kind, a), left in place; NaN when there is none. */
  get(kind: number, a: number): number {
    let i = this.slot(kind, a);
    while (this.keyK[i] !== EMPTY) {
      if (this.keyK[i] === kind && this.keyA[i] === a) return this.val[i];
      i = (i + 1) & this.mask;
    }
    return NaN;
  }

  /** Backward-shift deletion: entries after i that could sit at i move up, so probes never stop short. */
  private remove(i: number): void {
    const m = this.mask;
    this.size--;
    let hole = i;
    let j = (i + 1) & m;
    while (this.keyK[j] !== EMPTY) {
      const home = this.slot(this.keyK[j], this.keyA[j]);
      // j's entry may fill the hole when its home is not cyclically within (hole, j]
      if (((j - home) & m) >= ((j - hole) & m)) {
        this.keyK[hole] = this.keyK[j];
        this.keyA[hole] = this.keyA[j];
        this.val[hole] = this.val[j];
        this.born[hole] = this.born[j];
        hole = j;
      }
      j = (j + 1) & m;
    }
    this.keyK[hole] = EMPTY;
  }

  /** The table is half full: drop the entries that outlived the lifetime, and double if still needed. */
  private makeRoom(now: number): void {
    const { keyA, keyK, val, born } = this;
    const old = keyK.length;
    let live = 0;
    for (let i = 0; i < old; i++) if (keyK[i] !== EMPTY && now - born[i] <= this.lifetime) live++;
    const cap = 2 * (live + 1) > old / 2 ? old * 2 : old;
    this.mask = cap - 1;
    this.keyA = new Float64Array(cap);
    this.keyK = new Uint8Array(cap).fill(EMPTY);
    this.val = new Float64Array(cap);
    this.born = new Float64Array(cap);
    this.size = 0;
    for (let i = 0; i < old; i++) {
      if (keyK[i] === EMPTY) continue;
      if (now - born[i] > this.lifetime) this.counters[this.expiredAt]++;
      else this.insert(keyK[i], keyA[i], val[i], born[i]);
    }
  }
}
