/**
 * The live driver's agenda: events (time in ms of performance.now(), kind, user, epoch) in a
 * binary heap over typed arrays, drained by one timer set for the earliest. No object per event.
 */
export class RealTimeQueue {
  private at = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private user = new Int32Array(1024);
  private epoch = new Int32Array(1024);
  private n = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly dispatch: (kind: number, user: number, epoch: number) => void) {}

  get size(): number {
    return this.n;
  }

  /** Schedules an event `delay` ms from now. */
  add(delay: number, kind: number, user: number, epoch: number): void {
    if (this.stopped) return;
    if (this.n === this.at.length) this.grow();
    const t = performance.now() + delay;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at[p] <= t) break;
      this.move(p, i);
      i = p;
    }
    this.at[i] = t;
    this.kind[i] = kind;
    this.user[i] = user;
    this.epoch[i] = epoch;
    this.arm();
  }

  /** Drops every pending event and schedules no more. */
  stop(): void {
    this.stopped = true;
    this.n = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from];
    this.kind[to] = this.kind[from];
    this.user[to] = this.user[from];
    this.epoch[to] = this.epoch[from];
  }

  private grow(): void {
    const m = this.at.length * 2;
    const re = <T extends Float64Array | Uint8Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    this.at = re(this.at, new Float64Array(m));
    this.kind = re(this.kind, new Uint8Array(m));
    this.user = re(this.user, new Int32Array(m));
    this.epoch = re(this.epoch, new Int32Array(m));
  }

  private arm(): void {
    if (this.n === 0 || this.stopped) return;
    const next = this.at[0];
    if (this.timer !== null && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.run(), Math.max(0, next - performance.now()));
  }

  private run(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = performance.now();
    while (this.n > 0 && this.at[0] <= now + 0.5 && !this.stopped) {
      const k = this.kind[0];
      const u = this.user[0];
      const e = this.epoch[0];
      this.pop();
      this.dispatch(k, u, e);
    }
    this.arm();
  }

  private pop(): void {
    const last = --this.n;
    if (last === 0) return;
    const t = this.at[last];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && this.at[c + 1] < this.at[c]) c++;
      if (this.at[c] >= t) break;
      this.move(c, i);
      i = c;
    }
    this.move(last, i);
  }
}
