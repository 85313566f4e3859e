/**
 * Control actions on a live run: pause, resume, speed, step (interactive runs), stop, and the stop
 * the idle timeout decides (run-idle.ts). The run manager finds the run and announces its new
 * status; this changes it.
 */
import type { Report } from '../../sim/run.js';
import { ApiError, plainMessage } from './errors.js';
import type { RunDriver } from './run-drivers.js';
import type { LiveRun } from './run-state.js';
import type { RunStatus, RunStore, StoredRun } from './store.js';

export type ControlAction = 'pause' | 'resume' | 'stop' | 'step' | 'speed';

export interface ControlOptions {
  speed?: number;
  to?: 'event' | 'message';
  op?: string;
  until?: number;
}

export interface ControlHost {
  store: RunStore;
  driver: RunDriver;
  endRun(run: LiveRun, status: RunStatus, error: string | null, report: Report | null): void;
  log?: { warn(obj: unknown, msg?: string): void };
}

/** Waits for a run to end, at most 10 s (a worker that does not answer a stop). */
export function settled(run: LiveRun): Promise<unknown> {
  return Promise.race([run.done, new Promise((r) => setTimeout(r, 10_000).unref?.())]);
}

export class RunControl {
  constructor(private readonly host: ControlHost) {}

  /** Applies an action to a live run (ACTIVE); throws BAD_STATE when the run is not in a state for it. */
  async apply(run: LiveRun, action: ControlAction, opts: ControlOptions): Promise<void> {
    const st = run.stored;
    const id = st.id;
    switch (action) {
      case 'pause':
        if (st.status !== 'running') throw new ApiError('BAD_STATE', `cannot pause run '${id}': it is ${st.status}`);
        this.setPaused(run, true);
        break;
      case 'resume':
        if (st.status !== 'paused') throw new ApiError('BAD_STATE', `cannot resume run '${id}': it is ${st.status}`);
        this.setPaused(run, false);
        break;
      case 'speed':
        if (opts.speed === undefined) throw new ApiError('BAD_REQUEST', 'body.speed: required for the speed action (a real-time factor >= 0; 0 = as fast as possible)');
        this.reanchor(run);
        st.params.speed = opts.speed;
        this.tryUpdate(st);
        break;
      case 'step':
        this.step(run, opts);
        break;
      case 'stop':
        await this.stop(run, null);
        break;
    }
  }

  private step(run: LiveRun, opts: ControlOptions): void {
    const st = run.stored;
    if (run.interactive === null) throw new ApiError('BAD_STATE', `cannot step run '${st.id}': only interactive runs step (this one is a batch run)`);
    if (st.status === 'running') this.setPaused(run, true);
    const driver = this.host.driver;
    try {
      if (opts.until !== undefined) driver.runTo(run, opts.until);
      else driver.step(run, opts.to, opts.op);
    } catch (e) {
      this.host.endRun(run, 'failed', plainMessage(e), null);
      return;
    }
    driver.publishInteractive(run, true);
    if (run.interactive.done) driver.finishInteractive(run, 'finished');
  }

  /** Stops a run (with the reason the server had, or null for a request) and waits for its end. */
  async stop(run: LiveRun, reason: string | null): Promise<void> {
    if (reason !== null) run.stopReason = reason;
    run.stopRequested = true;
    if (run.interactive !== null) {
      this.host.driver.finishInteractive(run, 'stopped');
      return;
    }
    run.handle?.stop();
    await settled(run);
  }

  /** A live change is recorded when the store takes it (the end of the run records it anyway). */
  private tryUpdate(s: StoredRun): void {
    try {
      this.host.store.update(s);
    } catch (e) {
      this.host.log?.warn({ run: s.id, error: (e as Error).message }, 'cannot record a change of a live run');
    }
  }

  private reanchor(run: LiveRun): void {
    run.anchorWall = performance.now();
    run.anchorSim = run.interactive !== null ? run.interactive.clock : (run.handle?.progress().clock ?? 0);
  }

  private setPaused(run: LiveRun, paused: boolean): void {
    run.stored.status = paused ? 'paused' : 'running';
    this.tryUpdate(run.stored);
    this.reanchor(run);
    if (run.handle !== null) {
      if (paused) run.handle.pause();
      else run.handle.resume();
    }
    if (!paused && run.interactive !== null) this.host.driver.drive(run);
  }
}
