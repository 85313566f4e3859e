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
import type { EntityState } from '../../sim/model/entity-inspection.js';
import type { TraceRecord } from '../../sim/model/impp.js';
import { runScenario, type Report, type RunScenarioOptions } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario/index.js';
import { BuildTimer } from './build-eta.js';
import { Checkpointer } from './checkpoint.js';
import { ApiError, toApiError } from './errors.js';
import { RunControl, settled, type ControlAction, type ControlOptions } from './run-control.js';
import { buildInteractive, newLiveRun, newStoredRun, prepareRun, type PreparedRun } from './run-create.js';
import { RunDriver } from './run-drivers.js';
import { RunHistory } from './run-history.js';
import { DEFAULT_IDLE_TIMEOUT_MS, IdleReaper, touch, tooManyRuns } from './run-idle.js';
import type { CreateRunInput } from './run-input.js';
import { checkNotes } from './run-notes.js';
import { ACTIVE, liveSummary, figuresOf, type LiveRun, type RunEvent, type RunListener, type RunSummary } from './run-state.js';
import { finalVerdicts } from './run-thresholds.js';
import type { RatedSnapshot, TimeSeries } from './rates.js';
import type { RunStatus, RunStore } from './store.js';

export { builtinNames, loadBuiltin, parseDurationInput, type CreateRunInput } from './run-input.js';
export type { RunEvent, RunListener, RunSummary } from './run-state.js';
export type { ControlAction } from './run-control.js';
export { SNAPSHOT_MS } from './run-drivers.js';

/** What executes a batch run (runScenario; tests inject others). */
export type Runner = (scenario: Scenario, opts: RunScenarioOptions) => Promise<Report>;

/** A batch run streams its trace when it has at most this many records. */
const SMALL_TRACE = 20_000;

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
  private readonly controls: RunControl;
  private readonly builds = new BuildTimer();
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
    this.driver = new RunDriver(this.runner, {
      endRun: (r, st, e, rep) => this.endRun(r, st, e, rep),
      emit: (r, ev) => this.emit(r, ev),
      built: (r, ms) => {
        this.builds.record(r.scenario.name, r.build!, ms);
        r.build = null;
        this.emit(r, { type: 'status', data: liveSummary(r) });
      },
    });
    this.controls = new RunControl({ store: opts.store, driver: this.driver, endRun: (r, st, e, rep) => this.endRun(r, st, e, rep), log: opts.log });
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
    const prepared = prepareRun(input, opts.sweep);
    if (!opts.internal) this.checkCapacity();
    const interactive = prepared.params.mode === 'interactive' ? buildInteractive(prepared) : null;
    const stored = newStoredRun(prepared);
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
    const run = newLiveRun(stored, prepared, interactive, !opts.internal);
    if (interactive === null) run.build = this.builds.info(prepared.scenario);
    this.live.set(stored.id, run);
    run.done = interactive !== null ? this.driver.startInteractive(run) : this.driver.startBatch(run);
    return liveSummary(run);
  }

  /**
   * Records a run that executed elsewhere (a queue worker: sweeps-queue.ts) as finished, with its
   * report and the worker that ran it (params.worker), so that it is listed, read and compared like
   * a run of this server. It has no time series (no live view was taken of it), so its saturation
   * is the report rule alone (saturation.ts). Throws an ApiError when the store cannot take it.
   */
  recordExternal(prepared: PreparedRun, report: Report, worker: string): RunSummary {
    const stored = newStoredRun({ ...prepared, params: { ...prepared.params, worker } });
    stored.status = 'finished';
    stored.finishedAt = new Date().toISOString();
    stored.figures = figuresOf(report, null);
    stored.events = report.engine.events;
    stored.clock = (report.parameters.warmup ?? 0) + report.parameters.duration;
    try {
      this.store.insert(stored);
      this.store.finish(stored, report, { domains: prepared.scenario.domains.map((d) => d.name), points: [], snapshot: null });
    } catch (e) {
      throw toApiError(e);
    }
    return this.require(stored.id);
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

  /** One user of a live interactive run as its model holds it now (sim/model/entity-inspection.ts). */
  inspect(id: string, user: string): EntityState {
    const s = this.require(id);
    const it = this.live.get(id)?.interactive ?? null;
    if (it === null) {
      const why = ACTIVE.has(s.status) ? 'it is a batch run, whose model lives in a worker thread' : `it has ended (${s.status}) and its model is gone`;
      throw new ApiError('MODEL_NOT_LIVE', `run '${id}' has no model state to inspect: ${why}; the state of live interactive runs can be read, and /api/runs/${id}/entity/:user reads any run's trace`);
    }
    const state = it.inspect(user);
    if (state === null) throw new ApiError('ENTITY_NOT_FOUND', `run '${id}' has no user '${user}' (write it as the trace does: u<index>@<domain>, e.g. u0@${this.live.get(id)!.scenario.domains[0].name})`);
    return state;
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

  async control(id: string, action: ControlAction, opts: ControlOptions = {}): Promise<RunSummary> {
    const s = this.require(id);
    const run = this.live.get(id);
    if (run === undefined || !ACTIVE.has(s.status)) {
      throw new ApiError('BAD_STATE', `cannot ${action} run '${id}': it has ended (${s.status})`);
    }
    touch(run);
    await this.controls.apply(run, action, opts);
    if (ACTIVE.has(run.stored.status)) this.emit(run, { type: 'status', data: liveSummary(run) });
    return this.require(id);
  }

  /** Stops a run that the idle timeout found paused and unwatched (run-idle.ts). */
  private stopIdle(run: LiveRun, reason: string): void {
    this.log?.warn({ run: run.stored.id }, reason);
    void this.controls.stop(run, reason);
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
    await Promise.all(runs.map(settled));
  }
}
