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
 * The barrier is a generation counter: the last partition to arrive bumps the generation and
 * notifies; the others spin briefly on it (a spin is ~0.4 us versus ~55 us for an Atomics.wait
 * round trip, see DESIGN.md) and fall back to Atomics.wait when a partner is slow, so oversubscribed
 * machines do not burn cores. Waiting also watches the abort flag, so one failing partition
 * releases all the others instead of leaving them blocked forever.
 */
import { SimError } from '../errors.js';

const I_ARRIVE = 0;
const I_GEN = 1;
const I_ABORT = 2;
const I_PAUSE = 3;
const I_STOP = 4;
const I_HOLD_GEN = 5;
const HOLD_BYTE = 40;
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
  readonly partitions: number;
  private spinLimit: number;

  constructor(buffer: SharedArrayBuffer, partitions: number, spinLimit = 20000) {
    this.i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.f64 = new Float64Array(buffer, HEADER_BYTES);
    this.holdF64 = new Float64Array(buffer, HOLD_BYTE, 1);
    this.partitions = partitions;
    this.spinLimit = spinLimit;
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
    if (Atomics.add(c, I_ARRIVE, 1) === n - 1) {
      Atomics.store(c, I_ARRIVE, 0);
      Atomics.add(c, I_GEN, 1);
      Atomics.notify(c, I_GEN);
    } else {
      let spins = 0;
      while (Atomics.load(c, I_GEN) === gen) {
        if (Atomics.load(c, I_ABORT) !== 0) break;
        if (++spins > this.spinLimit) Atomics.wait(c, I_GEN, gen, 20);
      }
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
