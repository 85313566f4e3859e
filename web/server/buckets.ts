/**
 * Time series on the simulated clock: the bucket width of a run and the sampler that closes one
 * bucket after another, whatever the speed of the run.
 *
 * Rule (docs/dashboard.md): the width is the smallest step of the ladder 1, 2, 5, 10, 20, 50,
 * 100, 200, 500 ms, 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12, 24 h (then
 * whole days) that is at least the run's simulated length / 200; so a run has at most 200
 * buckets of equal width (the last one ends at the end of the run and may be shorter). A 30-minute
 * run has 10 s buckets (180), an hour 30 s (120), 5 minutes 2 s (150).
 */

export const TARGET_BUCKETS = 200;

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const LADDER = [1, 2, 5, 10, 20, 50, 100, 200, 500, S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, H, 2 * H, 3 * H, 6 * H, 12 * H, 24 * H];

/** The bucket width (simulated ms) of a run `durationMs` long. */
export function bucketWidth(durationMs: number): number {
  const want = durationMs / TARGET_BUCKETS;
  for (const step of LADDER) if (step >= want) return step;
  return Math.ceil(want / (24 * H)) * 24 * H;
}

/**
 * Which bucket boundary comes next. `due(clock)` says the run has reached it; `advance()` moves
 * on (the last boundary is the end of the run).
 */
export class BucketClock {
  readonly width: number;
  next: number;

  constructor(readonly until: number) {
    this.width = bucketWidth(until);
    this.next = Math.min(this.width, until);
  }

  /** No boundary is left (the last bucket was closed). */
  get finished(): boolean {
    return this.next === Infinity;
  }

  due(clock: number): boolean {
    return clock >= this.next;
  }

  advance(): void {
    if (this.next >= this.until) this.next = Infinity;
    else this.next = Math.min(this.next + this.width, this.until);
  }
}
