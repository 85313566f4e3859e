/**
 * The identities of instant messages a recipient's service has already given an outcome (RFC 2779
 * 5.4.2: a retransmission with the same message id is suppressed). A message id is the pair
 * (a, sentAt) the message carries; the set is open addressing over typed arrays, so checking a
 * delivery allocates nothing. Ids are kept while the set holds at most `keep` of them; past that,
 * ids older than `horizon` ms are forgotten when the table is rebuilt (a retransmission arrives
 * within seconds, not minutes). Each id may carry a small value (`put`, `get`: the sending side's
 * fate of a message and its retries, im.ts).
 */
const EMPTY = -1;

export class MessageIdSet {
  private cap = 1024;
  private a = new Float64Array(this.cap);
  private b = new Float64Array(this.cap);
  private t = new Float64Array(this.cap).fill(EMPTY);
  private v = new Uint16Array(this.cap);
  private n = 0;
  private readonly bits = new Float64Array(2);
  private readonly words = new Int32Array(this.bits.buffer);

  constructor(
    private readonly keep = 100_000,
    private readonly horizon = 600_000,
  ) {}

  get size(): number {
    return this.n;
  }

  private slot(a: number, b: number): number {
    this.bits[0] = a;
    this.bits[1] = b;
    const w = this.words;
    let h = Math.imul(w[0] ^ Math.imul(w[1], 0x9e3779b1), 0x85ebca6b);
    h ^= Math.imul(w[2] ^ (h >>> 15), 0xc2b2ae35);
    h ^= Math.imul(w[3], 0x27d4eb2f) ^ (h >>> 13);
    return h & (this.cap - 1);
  }

  /** Adds id (a, b) seen at `now`; false when it was there already. */
  add(a: number, b: number, now: number): boolean {
    let i = this.slot(a, b);
    while (this.t[i] !== EMPTY) {
      if (this.a[i] === a && this.b[i] === b) return false;
      i = (i + 1) & (this.cap - 1);
    }
    this.a[i] = a;
    this.b[i] = b;
    this.t[i] = now;
    if (++this.n * 2 > this.cap) this.rebuild(now);
    return true;
  }

  /** Whether id (a, b) is in the set. */
  has(a: number, b: number): boolean {
    return this.find(a, b) >= 0;
  }

  /** The value of id (a, b) (0 when added without one), or -1 when it is not in the set. */
  get(a: number, b: number): number {
    const i = this.find(a, b);
    return i < 0 ? -1 : this.v[i];
  }

  /** Gives id (a, b) the value `value` (0 to 65,535) at `now`, adding it when it is not there. */
  put(a: number, b: number, value: number, now: number): void {
    let i = this.find(a, b);
    if (i < 0) {
      this.add(a, b, now);
      i = this.find(a, b);
    }
    this.v[i] = value;
    this.t[i] = now;
  }

  private find(a: number, b: number): number {
    let i = this.slot(a, b);
    while (this.t[i] !== EMPTY) {
      if (this.a[i] === a && this.b[i] === b) return i;
      i = (i + 1) & (this.cap - 1);
    }
    return -1;
  }

  /** Grows the table, or (once it holds more than `keep` ids) forgets the old ones. */
  private rebuild(now: number): void {
    const { a, b, t, v, cap } = this;
    const prune = this.n > this.keep;
    let live = 0;
    for (let i = 0; i < cap; i++) if (t[i] !== EMPTY && (!prune || now - t[i] < this.horizon)) live++;
    let next = 1024;
    while (next < live * 4) next *= 2;
    this.cap = next;
    this.a = new Float64Array(next);
    this.b = new Float64Array(next);
    this.t = new Float64Array(next).fill(EMPTY);
    this.v = new Uint16Array(next);
    this.n = 0;
    for (let i = 0; i < cap; i++) {
      if (t[i] === EMPTY || (prune && now - t[i] >= this.horizon)) continue;
      let j = this.slot(a[i], b[i]);
      while (this.t[j] !== EMPTY) j = (j + 1) & (next - 1);
      this.a[j] = a[i];
      this.b[j] = b[i];
      this.t[j] = t[i];
      this.v[j] = v[i];
      this.n++;
    }
  }
}
