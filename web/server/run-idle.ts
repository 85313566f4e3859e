/**
 * The idle timeout of paused runs. A paused run holds one of the server's --max-runs slots; one
 * left behind (its tab closed after Step or Pause) would hold it for ever. So a paused run is
 * stopped once, for the idle timeout, it has had no control action and no page has watched it
 * (no open event stream): it ends `stopped`, with its report over the simulated time it reached
 * and the reason in `error`, and its slot is free. A page that keeps the run open (a lecture
 * paused on a slide) keeps it.
 */
import { ApiError } from './errors.js';
import { ACTIVE, type LiveRun } from './run-state.js';

/** Default idle timeout of a paused run with no page watching it (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/** A timeout in words: 5 min, 1.5 s, 150 ms. */
export function fmtTimeout(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** The reason recorded on a run stopped by the idle timeout. */
export function idleReason(timeoutMs: number): string {
  return `stopped after ${fmtTimeout(timeoutMs)} paused with no page watching it (the server's idle timeout, --idle-timeout), to free its slot`;
}

/** Marks a run as active now (a control action, a page opening or closing its stream). */
export function touch(run: LiveRun): void {
  run.idleSince = performance.now();
}

/** True when the run has been paused and unwatched for `timeoutMs`. */
export function isIdle(run: LiveRun, timeoutMs: number, now = performance.now()): boolean {
  return run.stored.status === 'paused' && run.listeners.size === 0 && now - run.idleSince >= timeoutMs;
}

/** Checks the live runs every so often and stops the idle ones. */
export class IdleReaper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly runs: () => Iterable<LiveRun>,
    private readonly stop: (run: LiveRun, reason: string) => void,
  ) {}

  start(): void {
    if (this.timer !== null || !(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) return;
    // look a few times per timeout (at least once a second for long ones)
    const every = Math.max(20, Math.min(1000, this.timeoutMs / 4));
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref?.();
  }

  sweep(now = performance.now()): void {
    for (const run of [...this.runs()]) if (isIdle(run, this.timeoutMs, now)) this.stop(run, idleReason(this.timeoutMs));
  }

  stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The 429 when every slot is taken: which runs hold them, and that paused ones expire. */
export function tooManyRuns(maxRuns: number, live: Iterable<LiveRun>, sweepSlots: number, idleTimeoutMs: number): ApiError {
  const held = [...live].filter((r) => r.counted && ACTIVE.has(r.stored.status)).map((r) => `${r.stored.id} (${r.stored.scenario}, ${r.stored.status})`);
  const idle = idleTimeoutMs > 0 ? `; a paused run that no page watches stops by itself after ${fmtTimeout(idleTimeoutMs)} idle` : '';
  return new ApiError(
    'TOO_MANY_RUNS',
    `${maxRuns} run(s) are already active${held.length ? `: ${held.join(', ')}` : ''}${sweepSlots ? ` and ${sweepSlots} sweep(s) or search(es)` : ''}; wait for one to end or stop one from the history (the limit is the server's --max-runs${idle})`,
  );
}
