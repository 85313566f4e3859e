/**
 * Shared control block of a parallel run and the window barrier.
 *
 * Layout of the control SharedArrayBuffer:
 *   Int32 words:  [0] arrivals  [1] generation  [2] abort flag  [3] pause flag  [4] stop request
 *                 [5] hold generation (bumped whenever the hold moves or a stop is requested)
 *   Float64 at byte 40: hold time (partitions handle no event at or after it; Infinity = none)
 *   Float64 area (after 64 bytes), per parity (2) x partition (W) x REDUCE_FIELDS:
 *       [min next time, stop requested by model, events so far, clock]
 *   then per partition PROGRESS_FIELDS: [events, clock, windows]
 *
 * The barrier is a generation counter: the last partition to arrive writes the release time,
 * bumps the generation and notifies; the others spin on it for a while, then sleep in Atomics.wait
 * (a spin sees a release within ~0.4 us, a sleep costs ~55 us or more to wake from, see DESIGN.md;
 * a spinning thread also holds a core that a late partner, or another process, may need). How long
 * to spin adapts to how late partners actually are: each partition keeps the lateness of its last
 * 15 waits (release time minus its own arrival, whether it spun or slept) and spins for up to
 * twice their median, at most `spinCapUs` (tens of microseconds); when the median is past the cap
 * (a partner is descheduled, say beside a CPU-bound process) it sleeps at once. A spin that would
 * not have caught the partner therefore costs nothing, and one that would have costs at most the
 * cap. Waiting also watches the abort flag, so one failing partition releases all the others
 * instead of leaving them blocked forever.
 */
import { SimError } from '../errors.js';

const I_ARRIVE = 0;
const I_GEN = 1;
const I_ABORT = 2;
const I_PAUSE = 3;
const I_STOP = 4;
const I_HOLD_GEN = 5;
const HOLD_BYTE = 40;
const RELEASE_BYTE = 48;
/** lateness samples behind the spin budget */
const SAMPLES = 15;
/** a clock shared by the threads of the process (performance.now() alone is per thread), ms */
const clock = (): number => performance.timeOrigin + performance.now();
const HEADER_BYTES = 64;
export const REDUCE_FIELDS = 4;
export const PROGRESS_FIELDS = 3;

export function controlBytes(partitions: number): number {
  return HEADER_BYTES + 8 * (2 * partitions * REDUCE_FIELDS + partitions * PROGRESS_FIELDS);
}

export class Control {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  private readonly holdF64: Float64Array;
  private readonly releaseF64: Float64Array;
  readonly partitions: number;
  private readonly spinCap: number;
  /** lateness of the last waits (ms), a ring */
  private readonly late = new Float64Array(SAMPLES);
  private readonly sorted = new Float64Array(SAMPLES);
  private lateCount = 0;
  /** barrier waits of this partition that ended spinning, and sleeping (diagnostics, tests) */
  spun = 0;
  slept = 0;

  /** `spinCapUs`: the longest spin before sleeping, in microseconds (0: always sleep). */
  constructor(buffer: SharedArrayBuffer, partitions: number, spinCapUs = 20) {
    this.i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.f64 = new Float64Array(buffer, HEADER_BYTES);
    this.holdF64 = new Float64Array(buffer, HOLD_BYTE, 1);
    this.releaseF64 = new Float64Array(buffer, RELEASE_BYTE, 1);
    this.partitions = partitions;
    this.spinCap = spinCapUs / 1000;
  }

  /** @internal Records how late (ms) the last partner arrived after this partition. */
  noteLateness(ms: number): void {
    this.late[this.lateCount++ % SAMPLES] = ms;
  }

  /** How long the next wait may spin (ms): twice the median recent lateness, 0 past the cap. */
  spinBudget(): number {
    const n = this.lateCount < SAMPLES ? this.lateCount : SAMPLES;
    if (n === 0) return this.spinCap;
    const s = this.sorted;
    for (let i = 0; i < n; i++) {
      const x = this.late[i];
      let j = i;
      while (j > 0 && s[j - 1] > x) {
        s[j] = s[j - 1];
        j--;
      }
      s[j] = x;
    }
    const median = s[n >> 1];
    return median > this.spinCap ? 0 : Math.min(this.spinCap, 2 * median);
  }

  static create(partitions: number): SharedArrayBuffer {
    const buf = new SharedArrayBuffer(controlBytes(partitions));
    new Float64Array(buf, HOLD_BYTE, 1)[0] = Infinity;
    return buf;
  }

  reduceIndex(parity: number, partition: number): number {
    return (parity * this.partitions + partition) * REDUCE_FIELDS;
  }

  progressIndex(partition: number): number {
    return 2 * this.partitions * REDUCE_FIELDS + partition * PROGRESS_FIELDS;
  }

  /** Blocks until all partitions arrived. Throws SIM_ERR_ABORTED if a partition aborted. */
  wait(): void {
    const c = this.i32;
    const n = this.partitions;
    if (n === 1) {
      this.checkAbort();
      return;
    }
    const gen = Atomics.load(c, I_GEN);
    const arrived = clock();
    if (Atomics.add(c, I_ARRIVE, 1) === n - 1) {
      // (read by the others after they see the new generation: the atomic add orders it)
      this.releaseF64[0] = arrived;
      Atomics.store(c, I_ARRIVE, 0);
      Atomics.add(c, I_GEN, 1);
      Atomics.notify(c, I_GEN);
    } else {
      const deadline = arrived + this.spinBudget();
      let spins = 0;
      let sleeping = false;
      while (Atomics.load(c, I_GEN) === gen) {
        if (Atomics.load(c, I_ABORT) !== 0) break;
        if (sleeping) Atomics.wait(c, I_GEN, gen, 20);
        else if ((++spins & 31) === 0 && clock() >= deadline) sleeping = true;
      }
      if (sleeping) this.slept++;
      else this.spun++;
      // how late the last partner was, not how long this thread took to notice
      this.noteLateness(this.releaseF64[0] - arrived);
    }
    this.checkAbort();
  }

  private checkAbort(): void {
    if (Atomics.load(this.i32, I_ABORT) !== 0) {
      throw new SimError('SIM_ERR_ABORTED', 'another partition of this run failed; this one stopped at the barrier');
    }
  }

  abort(): void {
    Atomics.store(this.i32, I_ABORT, 1);
    Atomics.add(this.i32, I_GEN, 1);
    Atomics.notify(this.i32, I_GEN);
  }

  get aborted(): boolean {
    return Atomics.load(this.i32, I_ABORT) !== 0;
  }

  /** Pause/resume between windows (the coordinator sets it; partition 0 honours it for all). */
  setPaused(p: boolean): void {
    Atomics.store(this.i32, I_PAUSE, p ? 1 : 0);
    Atomics.notify(this.i32, I_PAUSE);
  }

  get paused(): boolean {
    return Atomics.load(this.i32, I_PAUSE) !== 0;
  }

  /** Waits while paused (with a timeout tick so that abort is still seen). */
  waitWhilePaused(): void {
    while (Atomics.load(this.i32, I_PAUSE) !== 0) {
      if (this.aborted) return;
      Atomics.wait(this.i32, I_PAUSE, 1, 100);
    }
  }

  /** External stop request (from the coordinator): all partitions stop at the next barrier. */
  requestStop(): void {
    Atomics.store(this.i32, I_STOP, 1);
    Atomics.store(this.i32, I_PAUSE, 0);
    Atomics.notify(this.i32, I_PAUSE);
    Atomics.add(this.i32, I_HOLD_GEN, 1);
    Atomics.notify(this.i32, I_HOLD_GEN);
  }

  /**
   * Real-time pacing: partitions handle no event at or after simulated time `t` until the hold
   * moves on (Infinity releases it). Splitting a window at the hold does not change the order of
   * events, so a held run gives the same results as a free one.
   */
  setHold(t: number): void {
    this.holdF64[0] = t;
    Atomics.add(this.i32, I_HOLD_GEN, 1);
    Atomics.notify(this.i32, I_HOLD_GEN);
  }

  get hold(): number {
    return this.holdF64[0];
  }

  /** Waits until the hold is past `t`, or a stop or abort (with a timeout tick as a safety net). */
  waitWhileHeld(t: number): void {
    for (;;) {
      const gen = Atomics.load(this.i32, I_HOLD_GEN);
      if (this.holdF64[0] > t || this.stopRequested || this.aborted) return;
      Atomics.wait(this.i32, I_HOLD_GEN, gen, 100);
    }
  }

  get stopRequested(): boolean {
    return Atomics.load(this.i32, I_STOP) !== 0;
  }
}
