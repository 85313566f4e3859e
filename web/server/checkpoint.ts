/**
 * Checkpoints of live runs: every CHECKPOINT_MS the clock, event count, time series and last live
 * snapshot of each active run that moved on are written to the store, so a run that the server
 * did not see end (kill -9, power loss) is listed `interrupted` with its partial figures instead
 * of clock 0 and nothing. A failed checkpoint is logged once per run and retried at the next tick.
 */
import { ACTIVE, type LiveRun } from './run-state.js';
import type { RunStore } from './store.js';

export const CHECKPOINT_MS = 5000;

export interface CheckpointLog {
  warn(obj: unknown, msg?: string): void;
}

export class Checkpointer {
  private timer: NodeJS.Timeout | null = null;
  private readonly failing = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly runs: () => Iterable<LiveRun>,
    private readonly log?: CheckpointLog,
  ) {}

  start(intervalMs = CHECKPOINT_MS): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** Writes a checkpoint of every active run whose clock moved since its last one. */
  tick(): void {
    const at = new Date().toISOString();
    for (const run of this.runs()) {
      const s = run.stored;
      if (!ACTIVE.has(s.status) || run.snapshot === null || s.clock === run.checkpointClock) continue;
      try {
        this.store.checkpoint(s.id, s.clock, s.events, { ...run.series, snapshot: run.snapshot }, at);
        run.checkpointClock = s.clock;
        this.failing.delete(s.id);
      } catch (e) {
        if (!this.failing.has(s.id)) this.log?.warn({ run: s.id, error: (e as Error).message }, 'cannot checkpoint a live run');
        this.failing.add(s.id);
      }
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
