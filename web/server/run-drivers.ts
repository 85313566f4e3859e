/**
 * What moves a live run on: batch runs through their handle (snapshots every SNAPSHOT_MS, pacing
 * by holding the engine at wall time x speed), interactive runs in slices on the event loop.
 * The run manager owns the runs and their end (`host.endRun`); this drives them there.
 *
 * The time series is sampled on the simulated clock (buckets.ts): the run is held at each
 * bucket boundary, the live view is read there and the bucket's point appended, then the hold
 * moves on, so a run that finishes in a second has as many regular buckets as a paced one.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { STEP_TO_MESSAGE_MAX_EVENTS } from '../../sim/interactive.js';
import type { LiveSnapshot, Report, ScenarioRunHandle } from '../../sim/run.js';
import { BucketClock } from './buckets.js';
import { plainMessage } from './errors.js';
import { growingQueues } from './saturation.js';
import { liveVerdicts } from './run-thresholds.js';
import { appendPoint, computeRates, type RatedSnapshot } from './rates.js';
import { ACTIVE, type LiveRun, type RunEvent } from './run-state.js';
import type { Runner } from './runs.js';
import type { RunStatus } from './store.js';

/** Wall-clock ms between live snapshots. */
export const SNAPSHOT_MS = 250;
/** Wall-clock ms between two looks at a batch run (bucket boundary reached? pacing). */
const TICK_MS = 1;
/** Longest stretch of work of one interactive slice (ms). */
const SLICE_MS = 10;
/** Trace records per SSE `trace` event. */
export const TRACE_CHUNK = 500;

export interface DriverHost {
  endRun(run: LiveRun, status: RunStatus, error: string | null, report: Report | null): void;
  emit(run: LiveRun, ev: RunEvent): void;
  /** a batch run handled its first event `ms` after its creation: its population is built */
  built(run: LiveRun, ms: number): void;
}

export class RunDriver {
  constructor(
    private readonly runner: Runner,
    private readonly host: DriverHost,
  ) {}

  // ---- batch runs ----

  startBatch(run: LiveRun): Promise<void> {
    const { stored, scenario } = run;
    this.startBuckets(run);
    run.timer = setInterval(() => this.tickBatch(run), TICK_MS);
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
          // held at the first bucket boundary (and, paced, at 0: the ticks move the hold on)
          h.hold(stored.params.speed > 0 ? 0 : this.holdOf(run, performance.now()));
          if (run.stopRequested) h.stop();
          else if (stored.status === 'paused') h.pause();
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
    if (run.build !== null && h.progress().events > 0) this.host.built(run, now - run.startedWall);
    // a bucket boundary reached (the run is held there): read it, then let the run go on
    const b = run.buckets!;
    if (!b.finished && b.next < b.until && h.progress().clock >= b.next) this.closeBuckets(run, this.batchSnapshot(run, h), false);
    if (now - run.lastSnapshotAt >= SNAPSHOT_MS) {
      run.lastSnapshotAt = now;
      this.takeSnapshot(run, this.batchSnapshot(run, h));
    }
    if (run.stored.status !== 'running') return;
    h.hold(this.holdOf(run, now));
  }

  /**
   * Where a batch run may go now: the next bucket boundary, and with a real-time factor no
   * further than anchor + wall time x speed (the engine stops inside a window at the hold, so
   * pacing and sampling are exact at any scale and results are unchanged).
   */
  private holdOf(run: LiveRun, now: number): number {
    const b = run.buckets!;
    const boundary = b.finished || b.next >= b.until ? Infinity : b.next;
    const speed = run.stored.params.speed;
    return speed > 0 ? Math.min(boundary, run.anchorSim + (now - run.anchorWall) * speed) : boundary;
  }

  // ---- the simulated-time series ----

  private startBuckets(run: LiveRun): void {
    run.buckets = new BucketClock(run.stored.params.duration);
    run.bucketPrev = null;
    run.series.bucketMs = run.buckets.width;
  }

  /**
   * Closes every bucket that ends at or before the snapshot's clock (the last one, at the end of
   * the run, only when `final`). A snapshot that covers several buckets (a stopped run, an
   * interactive run that jumped over empty time) gives each the interval's average. A final
   * snapshot inside a bucket (a stopped run) closes that bucket early.
   */
  closeBuckets(run: LiveRun, snap: LiveSnapshot, final: boolean): void {
    const b = run.buckets;
    if (b === null) return;
    const ends: number[] = [];
    while (!b.finished && snap.clock >= b.next && (final || b.next < b.until)) {
      ends.push(b.next);
      b.advance();
    }
    const prevClock = run.bucketPrev?.clock ?? 0;
    if (final && ends.length === 0 && snap.clock > prevClock && !b.finished) ends.push(snap.clock);
    if (ends.length === 0) return;
    const rates = computeRates(run.bucketPrev, { ...snap, clock: ends[ends.length - 1] });
    const from = run.series.points.length;
    const before = run.bucketPrev?.latency.notification;
    // the latencies that ended in the interval, shared evenly when it covers several buckets
    const latency = snap.latency.notification.map((n, i) => (n - (before?.[i] ?? 0)) / ends.length);
    let last = prevClock;
    for (const t of ends) {
      appendPoint(run.series, t, { ...rates, intervalSec: (t - last) / 1000 });
      const p = run.series.points[run.series.points.length - 1];
      if (p !== undefined && p.t === t) {
        if (latency.length > 0) p.latency = latency;
        p.online = (snap.counters.logins ?? 0) - (snap.counters.logouts ?? 0);
      }
      last = t;
    }
    run.bucketPrev = { ...snap, clock: ends[ends.length - 1] };
    const overload = growingQueues(run.series, (name) => {
      const d = run.scenario.domains.find((x) => x.name === name);
      return d === undefined ? 0 : d.servers.count * d.servers.cores;
    });
    if (run.thresholds.length > 0) run.liveThresholds = liveVerdicts(run.thresholds, snap);
    this.host.emit(run, { type: 'series', data: { from, bucketMs: b.width, domains: run.series.domains, points: run.series.points.slice(from), overload, thresholds: run.liveThresholds } });
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
    this.host.emit(run, { type: 'snapshot', data: rated });
  }

  // ---- interactive runs ----

  startInteractive(run: LiveRun): Promise<void> {
    this.startBuckets(run);
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
      const b = run.buckets!;
      try {
        while (performance.now() - t0 < SLICE_MS && !it.done) {
          // no further than the next bucket boundary: close the bucket there, then go on
          const stopAt = b.finished ? target : Math.min(target, b.next);
          const n = it.runUntil(stopAt, 256);
          if (!b.finished && b.next < b.until && it.clock >= b.next) this.closeBuckets(run, it.snapshot(), false);
          else if (n === 0) break;
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

  /**
   * Steps an interactive run: one event, or events until the next traced message (of one
   * operation when `op` is given; at most
   * STEP_TO_MESSAGE_MAX_EVENTS), closing the buckets it passes on the way.
   */
  step(run: LiveRun, to: 'event' | 'message' | undefined, op?: string): void {
    const it = run.interactive!;
    const b = run.buckets!;
    let seen = it.trace.length;
    for (let i = 0; i < STEP_TO_MESSAGE_MAX_EVENTS && !it.done; i++) {
      const handled = it.runUntil(b.finished ? Infinity : b.next, 1);
      if (!b.finished && b.next < b.until && it.clock >= b.next) this.closeBuckets(run, it.snapshot(), false);
      if (handled === 0) continue;
      if (to !== 'message') break;
      // the next message (of operation `op`, when given)
      let found = false;
      for (; seen < it.trace.length; seen++) if (op === undefined || it.trace[seen].op === op) found = true;
      if (found) break;
    }
  }

  /** Runs an interactive run to simulated time `until` (or its end), closing the buckets on the way. */
  runTo(run: LiveRun, until: number): void {
    const it = run.interactive!;
    const b = run.buckets!;
    while (!it.done && it.clock < until) {
      it.runUntil(b.finished ? until : Math.min(until, b.next));
      if (!b.finished && b.next < b.until && it.clock >= b.next) this.closeBuckets(run, it.snapshot(), false);
    }
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
    const snap = it.snapshot();
    this.takeSnapshot(run, snap);
    this.closeBuckets(run, snap, true);
    this.host.endRun(run, status, null, report);
  }
}
