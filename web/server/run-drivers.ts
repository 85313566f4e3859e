/**
 * What moves a live run on: batch runs through their handle (snapshots every SNAPSHOT_MS, pacing
 * by holding the engine at wall time x speed), interactive runs in slices on the event loop.
 * The run manager owns the runs and their end (`host.endRun`); this drives them there.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import type { LiveSnapshot, Report, ScenarioRunHandle } from '../../sim/run.js';
import { plainMessage } from './errors.js';
import { appendPoint, computeRates, type RatedSnapshot } from './rates.js';
import { ACTIVE, type LiveRun, type RunEvent } from './run-state.js';
import type { Runner } from './runs.js';
import type { RunStatus } from './store.js';

/** Wall-clock ms between live snapshots. */
export const SNAPSHOT_MS = 250;
/** Wall-clock ms between pacing decisions of a batch run with a real-time factor. */
const PACE_MS = 20;
/** Longest stretch of work of one interactive slice (ms). */
const SLICE_MS = 10;
/** Trace records per SSE `trace` event. */
export const TRACE_CHUNK = 500;

export interface DriverHost {
  endRun(run: LiveRun, status: RunStatus, error: string | null, report: Report | null): void;
  emit(run: LiveRun, ev: RunEvent): void;
}

export class RunDriver {
  constructor(
    private readonly runner: Runner,
    private readonly host: DriverHost,
  ) {}

  // ---- batch runs ----

  startBatch(run: LiveRun): Promise<void> {
    const { stored, scenario } = run;
    run.timer = setInterval(() => this.tickBatch(run), PACE_MS);
    run.timer.unref?.();
    let promise: Promise<Report>;
    try {
      promise = this.runner(scenario, {
        workers: stored.params.workers,
        seed: stored.params.seed,
        duration: stored.params.duration,
        inProcess: false,
        onStart: (h) => {
          run.handle = h;
          run.anchorWall = performance.now();
          if (run.stopRequested) h.stop();
          else if (stored.status === 'paused') h.pause();
          else if (stored.params.speed > 0) {
            // paced: start held at 0; the pacing ticks move the hold on as wall time allows
            h.hold(0);
          }
        },
      });
    } catch (e) {
      promise = Promise.reject(e);
    }
    return promise.then(
      (report) => this.host.endRun(run, run.stopRequested ? 'stopped' : 'finished', null, report),
      (e: unknown) => this.host.endRun(run, run.stopRequested ? 'stopped' : 'failed', plainMessage(e), null),
    );
  }

  private tickBatch(run: LiveRun): void {
    const h = run.handle;
    if (h === null || !ACTIVE.has(run.stored.status)) return;
    const now = performance.now();
    if (now - run.lastSnapshotAt >= SNAPSHOT_MS) {
      run.lastSnapshotAt = now;
      this.takeSnapshot(run, this.batchSnapshot(run, h));
    }
    // real-time factor: the engine handles no event past anchor + wall time x speed (it stops
    // inside a window at the hold, so pacing is smooth at any scale and results are unchanged)
    const speed = run.stored.params.speed;
    if (run.stored.status !== 'running') return;
    h.hold(speed > 0 ? run.anchorSim + (now - run.anchorWall) * speed : Infinity);
  }

  batchSnapshot(run: LiveRun, h: ScenarioRunHandle): LiveSnapshot {
    if (typeof h.snapshot === 'function') return h.snapshot();
    const p = h.progress();
    return {
      clock: p.clock,
      until: p.until,
      events: p.events,
      wallMs: 0,
      counters: {},
      latency: { edgesMs: [], notification: [], im: [] },
      domains: [],
      pairs: [],
    };
  }

  takeSnapshot(run: LiveRun, snap: LiveSnapshot): void {
    const prev = run.snapshot;
    if (prev !== null && snap.clock <= prev.clock && snap.events === prev.events) return;
    const rates = computeRates(prev, snap);
    const rated: RatedSnapshot = { ...snap, rates };
    run.snapshot = rated;
    run.stored.clock = snap.clock;
    run.stored.events = snap.events;
    appendPoint(run.series, snap.clock, rates);
    this.host.emit(run, { type: 'snapshot', data: rated });
  }

  // ---- interactive runs ----

  startInteractive(run: LiveRun): Promise<void> {
    return new Promise<void>((resolve) => {
      run.resolveDone = resolve;
      this.drive(run);
    });
  }

  /** Schedules the next slice of an interactive run if it is running and not already scheduled. */
  drive(run: LiveRun): void {
    if (run.driving || run.stored.status !== 'running') return;
    run.driving = true;
    const it = run.interactive!;
    const slice = () => {
      run.driving = false;
      if (run.stored.status !== 'running') return;
      const t0 = performance.now();
      const speed = run.stored.params.speed;
      const target = speed > 0 ? run.anchorSim + (t0 - run.anchorWall) * speed : Infinity;
      try {
        while (performance.now() - t0 < SLICE_MS && !it.done) {
          if (it.runUntil(target, 256) === 0) break;
        }
      } catch (e) {
        this.host.endRun(run, 'failed', plainMessage(e), null);
        return;
      }
      this.publishInteractive(run, false);
      if (it.done) {
        this.finishInteractive(run, 'finished');
        return;
      }
      run.driving = true;
      // caught up with wall time x speed: wait a little rather than spin
      if (it.clock >= target) setTimeout(slice, 20).unref?.();
      else setImmediate(slice);
    };
    setImmediate(slice);
  }

  /** Emits a snapshot (at most every SNAPSHOT_MS unless forced) and the new trace records. */
  publishInteractive(run: LiveRun, force: boolean): void {
    const it = run.interactive!;
    run.stored.clock = it.clock;
    run.stored.events = it.events;
    const now = performance.now();
    if (!force && now - run.lastSnapshotAt < SNAPSHOT_MS) return;
    run.lastSnapshotAt = now;
    this.takeSnapshot(run, it.snapshot());
    this.flushTrace(run, it.trace);
  }

  flushTrace(run: LiveRun, trace: readonly TraceRecord[]): void {
    while (run.traceSent < trace.length) {
      const chunk = trace.slice(run.traceSent, run.traceSent + TRACE_CHUNK);
      run.traceSent += chunk.length;
      this.host.emit(run, { type: 'trace', data: chunk });
    }
  }

  finishInteractive(run: LiveRun, status: 'finished' | 'stopped'): void {
    const it = run.interactive!;
    let report: Report;
    try {
      report = status === 'finished' ? it.finish() : it.finishNow();
    } catch (e) {
      this.host.endRun(run, 'failed', plainMessage(e), null);
      return;
    }
    this.takeSnapshot(run, it.snapshot());
    this.host.endRun(run, status, null, report);
  }
}
