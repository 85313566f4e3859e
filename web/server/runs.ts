/**
 * The run manager: creates runs from API input, executes them off the event loop, keeps their live
 * state (snapshots with rates, time series, trace), applies control actions, tells subscribers
 * (SSE) what happens, checkpoints them (checkpoint.ts) and records every run in the store; ended
 * runs are read through the run history (run-history.ts).
 *
 * - Batch runs go to `runScenario` with `inProcess: false`, so even a one-worker run executes in a
 *   worker thread. A real-time factor (`speed`) is kept by pausing and resuming the run through
 *   its handle so that simulated time follows wall time x speed (window granularity).
 * - Interactive runs (teaching view) execute in this thread with sim/interactive.ts, in slices
 *   of at most SLICE_MS of work scheduled with setImmediate, so the API stays responsive; their
 *   size is bounded where the request enters (run-input.ts).
 */
import { randomBytes } from 'node:crypto';
import { InteractiveRun } from '../../sim/interactive.js';
import type { TraceRecord } from '../../sim/model/impp.js';
import { runScenario, type Report, type RunScenarioOptions } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario/index.js';
import { Checkpointer } from './checkpoint.js';
import { DEFAULT_IDLE_TIMEOUT_MS, IdleReaper, touch, tooManyRuns } from './run-idle.js';
import { RunDriver } from './run-drivers.js';
import { checkRunFits } from '../../sim/estimate.js';
import { chooseWorkers } from '../../sim/workers.js';
import { ApiError, plainMessage, toApiError } from './errors.js';
import type { RatedSnapshot, TimeSeries } from './rates.js';
import { RunHistory } from './run-history.js';
import { checkNotes } from './run-notes.js';
import { finalVerdicts, parseRunThresholds } from './run-thresholds.js';
import { checkInteractiveSize, parseDurationInput, scenarioOf, type CreateRunInput } from './run-input.js';
import { ACTIVE, figuresOf, liveSummary, type LiveRun, type RunEvent, type RunListener, type RunSummary } from './run-state.js';
import type { RunMode, RunParams, RunStatus, RunStore, StoredRun } from './store.js';

export { builtinNames, loadBuiltin, parseDurationInput, type CreateRunInput } from './run-input.js';
export type { RunEvent, RunListener, RunSummary } from './run-state.js';

/** What executes a batch run (runScenario; tests inject others). */
export type Runner = (scenario: Scenario, opts: RunScenarioOptions) => Promise<Report>;

export type ControlAction = 'pause' | 'resume' | 'stop' | 'step' | 'speed';

export { SNAPSHOT_MS } from './run-drivers.js';
/** A batch run streams its trace when it has at most this many records. */
const SMALL_TRACE = 20_000;

function newId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface RunManagerOptions {
  store: RunStore;
  maxRuns: number;
  runner?: Runner;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** wall-clock ms between checkpoints of live runs (default CHECKPOINT_MS) */
  checkpointMs?: number;
  /** a paused run with no page watching it is stopped after this many ms (run-idle.ts; 0 = never) */
  idleTimeoutMs?: number;
}

export class RunManager {
  private readonly store: RunStore;
  readonly maxRuns: number;
  private readonly runner: Runner;
  private readonly log: RunManagerOptions['log'];
  private readonly live = new Map<string, LiveRun>();
  /** slots held by sweeps (each sweep counts as one active run) */
  private sweepSlots = 0;
  private readonly history: RunHistory;
  private readonly checkpoints: Checkpointer;
  private readonly driver: RunDriver;
  private readonly idle: IdleReaper;
  readonly idleTimeoutMs: number;
  private closed = false;

  constructor(opts: RunManagerOptions) {
    this.store = opts.store;
    this.maxRuns = opts.maxRuns;
    this.runner = opts.runner ?? runScenario;
    this.log = opts.log;
    this.history = new RunHistory(opts.store, opts.log);
    this.checkpoints = new Checkpointer(opts.store, () => this.live.values(), opts.log);
    this.checkpoints.start(opts.checkpointMs);
    this.driver = new RunDriver(this.runner, { endRun: (r, st, e, rep) => this.endRun(r, st, e, rep), emit: (r, ev) => this.emit(r, ev) });
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.idle = new IdleReaper(this.idleTimeoutMs, () => this.live.values(), (run, reason) => this.stopIdle(run, reason));
    this.idle.start();
  }

  // ---- capacity ----

  activeCount(): number {
    let n = this.sweepSlots;
    for (const r of this.live.values()) if (r.counted && ACTIVE.has(r.stored.status)) n++;
    return n;
  }

  private checkCapacity(): void {
    if (this.activeCount() >= this.maxRuns) throw tooManyRuns(this.maxRuns, this.live.values(), this.sweepSlots, this.idleTimeoutMs);
  }

  /** Takes a slot for a sweep (throws TOO_MANY_RUNS when none is free). */
  acquireSweepSlot(): void {
    this.checkCapacity();
    this.sweepSlots++;
  }

  releaseSweepSlot(): void {
    this.sweepSlots = Math.max(0, this.sweepSlots - 1);
  }

  // ---- creation ----

  /** Creates and starts a run. `internal` runs (sweep points) skip the capacity check. */
  create(input: CreateRunInput, opts: { internal?: boolean; sweep?: string } = {}): RunSummary {
    if (this.closed) throw new ApiError('BAD_STATE', 'the server is shutting down');
    const scenario = scenarioOf(input);
    const overrides = input.overrides ?? [];
    // the duration goes through the scenario schema like any override (scenarioOf; its limit is checked there)
    const duration = scenario.duration;
    const seed = input.seed ?? scenario.seed;
    const mode: RunMode = input.mode ?? 'batch';
    const workers = input.workers === 'auto' ? chooseWorkers(scenario).workers : Math.min(input.workers ?? 1, scenario.domains.length);
    const speed = input.speed ?? 0;
    const thresholds = parseRunThresholds(input.thresholds);
    if (!opts.internal) this.checkCapacity();
    try {
      checkRunFits(scenario, { workers: mode === 'interactive' ? 1 : workers });
    } catch (e) {
      throw toApiError(e);
    }

    let interactive: InteractiveRun | null = null;
    if (mode === 'interactive') {
      checkInteractiveSize(scenario);
      try {
        interactive = new InteractiveRun(scenario, { seed, duration });
      } catch (e) {
        throw toApiError(e);
      }
    }
    const params: RunParams = { mode, seed, workers: mode === 'interactive' ? 1 : workers, duration, speed, overrides };
    if (input.yaml !== undefined) params.yaml = input.yaml;
    if (opts.sweep !== undefined) params.sweep = opts.sweep;
    if (thresholds.length > 0) params.thresholds = thresholds.map((t) => t.text);
    const stored: StoredRun = {
      id: newId(),
      scenario: scenario.name,
      status: 'running',
      params,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      clock: 0,
      events: 0,
      figures: null,
    };
    try {
      this.store.insert(stored);
    } catch (e) {
      try {
        interactive?.finishNow();
      } catch {
        // it was never started; finishing only frees its kernel
      }
      throw toApiError(e);
    }
    const run: LiveRun = {
      stored,
      scenario: { ...scenario, seed, duration },
      snapshot: null,
      series: { domains: scenario.domains.map((d) => d.name), points: [] },
      buckets: null,
      bucketPrev: null,
      report: null,
      listeners: new Set(),
      traceSent: 0,
      done: Promise.resolve(),
      counted: !opts.internal,
      checkpointClock: -1,
      idleSince: performance.now(),
      stopReason: null,
      thresholds,
      liveThresholds: [],
      handle: null,
      stopRequested: false,
      timer: null,
      lastSnapshotAt: 0,
      anchorWall: performance.now(),
      anchorSim: 0,
      interactive,
      driving: false,
      resolveDone: null,
    };
    this.live.set(stored.id, run);
    run.done = interactive !== null ? this.driver.startInteractive(run) : this.driver.startBatch(run);
    return liveSummary(run);
  }

  // ---- the end of a run ----

  private endRun(run: LiveRun, status: RunStatus, error: string | null, report: Report | null): void {
    if (!ACTIVE.has(run.stored.status)) return;
    if (run.timer !== null) clearInterval(run.timer);
    run.timer = null;
    if (run.handle !== null && status !== 'failed') {
      try {
        const snap = this.driver.batchSnapshot(run, run.handle);
        this.driver.takeSnapshot(run, snap);
        this.driver.closeBuckets(run, snap, true);
      } catch {
        // the final snapshot is a nicety; the report below has the figures
      }
    }
    const s = run.stored;
    s.status = status;
    s.error = error ?? run.stopReason;
    if (run.stopReason !== null && report?.stopped !== undefined) report.stopped.reason = run.stopReason;
    s.finishedAt = new Date().toISOString();
    if (report !== null) {
      run.report = report;
      s.figures = figuresOf(report, run.series);
      if (run.thresholds.length > 0) s.figures.thresholds = finalVerdicts(run.thresholds, report);
      s.events = report.engine.events;
      if (status === 'finished') s.clock = (report.parameters.warmup ?? 0) + report.parameters.duration;
    }
    if (error !== null) this.log?.error({ run: s.id, error }, 'run failed');
    this.history.recordEnd(run, report);
    this.emit(run, { type: 'status', data: liveSummary(run) });
    if (run.interactive !== null) this.driver.flushTrace(run, run.interactive.trace);
    else if (report?.trace !== undefined && report.trace.length <= SMALL_TRACE) this.driver.flushTrace(run, report.trace);
    const end: { status: RunStatus; error?: string } = { status: s.status };
    if (s.error !== null) end.error = s.error;
    this.emit(run, { type: 'end', data: end });
    run.listeners.clear();
    this.live.delete(s.id);
    run.resolveDone?.();
  }

  private emit(run: LiveRun, ev: RunEvent): void {
    for (const l of run.listeners) {
      try {
        l(ev);
      } catch (e) {
        this.log?.error({ run: run.stored.id, error: (e as Error).message }, 'run listener failed');
      }
    }
  }

  // ---- reading ----

  summary(id: string): RunSummary | null {
    const run = this.live.get(id);
    return run !== undefined ? liveSummary(run) : this.history.summary(id);
  }

  /** A run's summary: 404 when unknown, 409 RECORD_CORRUPT when its stored record is damaged. */
  require(id: string): RunSummary {
    const s = this.summary(id);
    if (s === null) throw new ApiError('RUN_NOT_FOUND', `no run with id '${id}'`);
    if (s.status === 'corrupt') throw new ApiError('RECORD_CORRUPT', `run '${id}' cannot be read from the store: ${s.error ?? 'damaged'}`);
    return s;
  }

  /** Every run, newest first; a damaged record is listed with status `corrupt`. */
  list(): RunSummary[] {
    return this.history.list().map((s) => {
      const run = this.live.get(s.id);
      return run !== undefined ? liveSummary(run) : s;
    });
  }

  /** Sets a run's tags and note (live or ended); returns its summary. */
  annotate(id: string, input: { tags?: unknown; note?: unknown }): RunSummary {
    const s = this.require(id);
    const notes = checkNotes(input, { tags: s.tags, note: s.note });
    try {
      this.store.annotate(id, notes);
    } catch (e) {
      throw toApiError(e);
    }
    const run = this.live.get(id);
    if (run !== undefined) {
      run.stored.params.tags = notes.tags;
      run.stored.params.note = notes.note;
    }
    return this.require(id);
  }

  isActive(id: string): boolean {
    return this.live.has(id);
  }

  snapshot(id: string): RatedSnapshot | null {
    this.require(id);
    const run = this.live.get(id);
    return run !== undefined ? run.snapshot : this.history.snapshot(id);
  }

  /** The report of an ended run (404 unknown, 409 while active or when the run has none). */
  report(id: string): Report {
    return this.history.report(this.require(id));
  }

  /** Every trace record of a run so far (interactive: live; batch: from the report). */
  trace(id: string): readonly TraceRecord[] {
    const s = this.require(id);
    const run = this.live.get(id);
    if (run?.interactive) return run.interactive.trace;
    if (ACTIVE.has(s.status)) return [];
    if (s.status === 'failed' || s.status === 'interrupted') {
      try {
        return this.report(id).trace ?? [];
      } catch {
        return [];
      }
    }
    return this.report(id).trace ?? [];
  }

  timeseries(id: string): TimeSeries {
    this.require(id);
    const run = this.live.get(id);
    return run !== undefined ? run.series : this.history.timeseries(id);
  }

  /** Subscribes to a live run's events; returns null when the run is not live (ended or unknown). */
  subscribe(id: string, listener: RunListener): { unsubscribe: () => void; backlog: { snapshot: RatedSnapshot | null; trace: TraceRecord[]; series: Extract<RunEvent, { type: 'series' }>['data'] } } | null {
    const run = this.live.get(id);
    if (run === undefined) return null;
    run.listeners.add(listener);
    touch(run);
    const trace = run.interactive !== null ? run.interactive.trace.slice(0, run.traceSent) : [];
    const series = { from: 0, bucketMs: run.series.bucketMs ?? 0, domains: run.series.domains, points: run.series.points.slice(), thresholds: run.liveThresholds };
    const unsubscribe = () => {
      if (run.listeners.delete(listener)) touch(run);
    };
    return { unsubscribe, backlog: { snapshot: run.snapshot, trace, series } };
  }

  /** Resolves when the run has ended (at once for an ended or unknown run). */
  async waitEnd(id: string): Promise<void> {
    const run = this.live.get(id);
    if (run !== undefined) await run.done;
  }

  // ---- control ----

  async control(id: string, action: ControlAction, opts: { speed?: number; to?: 'event' | 'message'; op?: string; until?: number } = {}): Promise<RunSummary> {
    const s = this.require(id);
    const run = this.live.get(id);
    if (run === undefined || !ACTIVE.has(s.status)) {
      throw new ApiError('BAD_STATE', `cannot ${action} run '${id}': it has ended (${s.status})`);
    }
    const st = run.stored;
    touch(run);
    switch (action) {
      case 'pause':
        if (st.status !== 'running') throw new ApiError('BAD_STATE', `cannot pause run '${id}': it is ${st.status}`);
        this.setPaused(run, true);
        break;
      case 'resume':
        if (st.status !== 'paused') throw new ApiError('BAD_STATE', `cannot resume run '${id}': it is ${st.status}`);
        this.setPaused(run, false);
        break;
      case 'speed': {
        if (opts.speed === undefined) throw new ApiError('BAD_REQUEST', 'body.speed: required for the speed action (a real-time factor >= 0; 0 = as fast as possible)');
        this.reanchor(run);
        st.params.speed = opts.speed;
        this.tryUpdate(st);
        break;
      }
      case 'step': {
        if (run.interactive === null) throw new ApiError('BAD_STATE', `cannot step run '${id}': only interactive runs step (this one is a batch run)`);
        if (st.status === 'running') this.setPaused(run, true);
        try {
          if (opts.until !== undefined) this.driver.runTo(run, opts.until);
          else this.driver.step(run, opts.to, opts.op);
        } catch (e) {
          this.endRun(run, 'failed', plainMessage(e), null);
          return this.require(id);
        }
        this.driver.publishInteractive(run, true);
        if (run.interactive.done) this.driver.finishInteractive(run, 'finished');
        break;
      }
      case 'stop': {
        run.stopRequested = true;
        if (run.interactive !== null) {
          this.driver.finishInteractive(run, 'stopped');
        } else {
          run.handle?.stop();
          await Promise.race([run.done, new Promise((r) => setTimeout(r, 10_000).unref?.())]);
        }
        break;
      }
    }
    if (ACTIVE.has(st.status)) this.emit(run, { type: 'status', data: liveSummary(run) });
    return this.require(id);
  }

  /** A live change is recorded when the store takes it (the end of the run records it anyway). */
  private tryUpdate(s: StoredRun): void {
    try {
      this.store.update(s);
    } catch (e) {
      this.log?.warn({ run: s.id, error: (e as Error).message }, 'cannot record a change of a live run');
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
    if (!paused && run.interactive !== null) this.driver.drive(run);
  }

  /** Stops a run that the idle timeout found paused and unwatched (run-idle.ts). */
  private stopIdle(run: LiveRun, reason: string): void {
    this.log?.warn({ run: run.stored.id }, reason);
    run.stopReason = reason;
    run.stopRequested = true;
    if (run.interactive !== null) this.driver.finishInteractive(run, 'stopped');
    else run.handle?.stop();
  }

  /** Stops every live run and waits for them to end (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.checkpoints.stop();
    this.idle.stopTimer();
    const runs = [...this.live.values()];
    for (const run of runs) {
      run.stopRequested = true;
      if (run.interactive !== null) this.driver.finishInteractive(run, 'stopped');
      else run.handle?.stop();
    }
    await Promise.all(runs.map((r) => Promise.race([r.done, new Promise((res) => setTimeout(res, 10_000).unref?.())])));
  }
}
