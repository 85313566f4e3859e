/**
 * The run manager: creates runs from API input, executes them off the event loop, keeps their live
 * state (snapshots with rates, time series, trace), applies control actions, tells subscribers
 * (SSE) what happens, and records every run in the store.
 *
 * - Batch runs go to `runScenario` with `inProcess: false`, so even a one-worker run executes in a
 *   worker thread. A real-time factor (`speed`) is kept by pausing and resuming the run through
 *   its handle so that simulated time follows wall time x speed (window granularity).
 * - Interactive runs (teaching view) execute in this thread with sim/interactive.ts, in slices
 *   of at most SLICE_MS of work scheduled with setImmediate, so the API stays responsive.
 */
import { randomBytes } from 'node:crypto';
import { InteractiveRun } from '../../sim/interactive.js';
import type { TraceRecord } from '../../sim/model/impp.js';
import { runScenario, type LiveSnapshot, type Report, type RunScenarioOptions, type ScenarioRunHandle } from '../../sim/run.js';
import { checkRunFits } from '../../sim/estimate.js';
import { durationOverride, listScenarios, loadScenario, parseScenario, tryParseDuration, type Scenario } from '../../sim/scenario/index.js';
import { ApiError, plainMessage, toApiError } from './errors.js';
import { appendPoint, computeRates, type RatedSnapshot, type TimeSeries } from './rates.js';
import type { RunFigures, RunMode, RunParams, RunStatus, RunStore, StoredRun } from './store.js';

/** What executes a batch run (runScenario; tests inject others). */
export type Runner = (scenario: Scenario, opts: RunScenarioOptions) => Promise<Report>;

export interface CreateRunInput {
  scenario?: string;
  yaml?: string;
  seed?: number;
  workers?: number;
  duration?: string | number;
  overrides?: string[];
  mode?: RunMode;
  speed?: number;
}

export interface RunSummary {
  id: string;
  scenario: string;
  status: RunStatus;
  mode: RunMode;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  clock: number;
  until: number;
  events: number;
  figures: RunFigures | null;
}

export type RunEvent =
  | { type: 'status'; data: RunSummary }
  | { type: 'snapshot'; data: RatedSnapshot }
  | { type: 'trace'; data: TraceRecord[] }
  | { type: 'end'; data: { status: RunStatus; error?: string } };

export type RunListener = (ev: RunEvent) => void;

export type ControlAction = 'pause' | 'resume' | 'stop' | 'step' | 'speed';

/** Wall-clock ms between live snapshots. */
export const SNAPSHOT_MS = 250;
/** Wall-clock ms between pacing decisions of a batch run with a real-time factor. */
const PACE_MS = 20;
/** Longest stretch of work of one interactive slice (ms). */
const SLICE_MS = 10;
/** Trace records per SSE `trace` event. */
const TRACE_CHUNK = 500;
/** A batch run streams its trace when it has at most this many records. */
const SMALL_TRACE = 20_000;

const ACTIVE: ReadonlySet<RunStatus> = new Set(['running', 'paused']);

interface LiveRun {
  stored: StoredRun;
  scenario: Scenario;
  snapshot: RatedSnapshot | null;
  series: TimeSeries;
  report: Report | null;
  listeners: Set<RunListener>;
  /** trace records already announced to subscribers */
  traceSent: number;
  done: Promise<void>;
  /** counted against maxRuns (sweep points are counted through their sweep) */
  counted: boolean;
  // batch runs
  handle: ScenarioRunHandle | null;
  stopRequested: boolean;
  timer: NodeJS.Timeout | null;
  lastSnapshotAt: number;
  /** pacing anchor: wall time and simulated time when speed, pause or resume last changed */
  anchorWall: number;
  anchorSim: number;
  // interactive runs
  interactive: InteractiveRun | null;
  driving: boolean;
  /** resolves `done` of an interactive run */
  resolveDone: (() => void) | null;
}

function newId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function figuresOf(report: Report): RunFigures {
  let maxUtilisation = 0;
  for (const d of Object.values(report.domains)) maxUtilisation = Math.max(maxUtilisation, d.utilisation);
  return {
    notificationsDelivered: report.presence.notifications.delivered,
    p99NotificationMs: report.latency.notification.p99,
    imDelivered: report.im.delivered,
    maxUtilisation,
  };
}

/** Resolves a duration given as '10m' or as ms. */
export function parseDurationInput(d: string | number): number {
  if (typeof d === 'number') {
    if (!(d > 0) || !Number.isFinite(d)) throw new ApiError('BAD_REQUEST', `body.duration: must be a duration > 0 (ms, or a string like '10m'), got ${d}`);
    return d;
  }
  // The API contract writes minutes as '10m' (the scenario language wants 'min', to tell them from 'ms').
  const minutes = /^\s*(\d+(?:\.\d+)?)\s*m\s*$/.exec(d);
  const r = minutes ? tryParseDuration(`${minutes[1]}min`) : tryParseDuration(d);
  if (!r.ok) throw new ApiError('BAD_REQUEST', `body.duration: ${r.message}`);
  if (!(r.value > 0)) throw new ApiError('BAD_REQUEST', `body.duration: must be > 0, got '${d}'`);
  return r.value;
}

export function builtinNames(): string[] {
  return listScenarios().map((s) => s.name);
}

/** Loads a built-in scenario by name only (never a path: the API does not read arbitrary files). */
export function loadBuiltin(name: string, overrides: readonly string[] = []): Scenario {
  if (!builtinNames().includes(name)) {
    throw new ApiError('SCENARIO_NOT_FOUND', `no built-in scenario named '${name}'; built-in scenarios: ${builtinNames().join(', ')}`);
  }
  try {
    return loadScenario(name, overrides);
  } catch (e) {
    throw toApiError(e);
  }
}

export interface RunManagerOptions {
  store: RunStore;
  maxRuns: number;
  runner?: Runner;
  log?: { error(obj: unknown, msg?: string): void };
}

export class RunManager {
  private readonly store: RunStore;
  readonly maxRuns: number;
  private readonly runner: Runner;
  private readonly log: RunManagerOptions['log'];
  private readonly live = new Map<string, LiveRun>();
  /** slots held by sweeps (each sweep counts as one active run) */
  private sweepSlots = 0;
  private readonly reportCache = new Map<string, Report>();
  private closed = false;

  constructor(opts: RunManagerOptions) {
    this.store = opts.store;
    this.maxRuns = opts.maxRuns;
    this.runner = opts.runner ?? runScenario;
    this.log = opts.log;
  }

  // ---- capacity ----

  activeCount(): number {
    let n = this.sweepSlots;
    for (const r of this.live.values()) if (r.counted && ACTIVE.has(r.stored.status)) n++;
    return n;
  }

  private checkCapacity(): void {
    if (this.activeCount() >= this.maxRuns) {
      throw new ApiError('TOO_MANY_RUNS', `${this.maxRuns} run(s) are already active; wait for one to end or stop one (the limit is the server's --max-runs)`);
    }
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
    if ((input.scenario === undefined) === (input.yaml === undefined)) {
      throw new ApiError('BAD_REQUEST', 'body: give exactly one of `scenario` (a built-in name) and `yaml` (scenario text)');
    }
    const overrides = input.overrides ?? [];
    // the duration goes through the scenario schema like any override (its limit is checked there)
    const withDuration = input.duration === undefined ? overrides : [...overrides, durationOverride(parseDurationInput(input.duration))];
    let scenario: Scenario;
    if (input.scenario !== undefined) {
      scenario = loadBuiltin(input.scenario, withDuration);
    } else {
      try {
        scenario = parseScenario(input.yaml!, '<request>', withDuration);
      } catch (e) {
        throw toApiError(e);
      }
    }
    const duration = scenario.duration;
    const seed = input.seed ?? scenario.seed;
    const mode: RunMode = input.mode ?? 'batch';
    const workers = Math.min(input.workers ?? 1, scenario.domains.length);
    const speed = input.speed ?? 0;
    if (!opts.internal) this.checkCapacity();
    try {
      checkRunFits(scenario, { workers: mode === 'interactive' ? 1 : workers });
    } catch (e) {
      throw toApiError(e);
    }

    let interactive: InteractiveRun | null = null;
    if (mode === 'interactive') {
      try {
        interactive = new InteractiveRun(scenario, { seed, duration });
      } catch (e) {
        throw toApiError(e);
      }
    }
    const params: RunParams = { mode, seed, workers: mode === 'interactive' ? 1 : workers, duration, speed, overrides };
    if (input.yaml !== undefined) params.yaml = input.yaml;
    if (opts.sweep !== undefined) params.sweep = opts.sweep;
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
    this.store.insert(stored);
    const run: LiveRun = {
      stored,
      scenario: { ...scenario, seed, duration },
      snapshot: null,
      series: { domains: scenario.domains.map((d) => d.name), points: [] },
      report: null,
      listeners: new Set(),
      traceSent: 0,
      done: Promise.resolve(),
      counted: !opts.internal,
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
    run.done = interactive !== null ? this.startInteractive(run) : this.startBatch(run);
    return this.summaryOf(run);
  }

  // ---- batch runs ----

  private startBatch(run: LiveRun): Promise<void> {
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
      (report) => this.endRun(run, run.stopRequested ? 'stopped' : 'finished', null, report),
      (e: unknown) => this.endRun(run, run.stopRequested ? 'stopped' : 'failed', plainMessage(e), null),
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

  private batchSnapshot(run: LiveRun, h: ScenarioRunHandle): LiveSnapshot {
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

  private takeSnapshot(run: LiveRun, snap: LiveSnapshot): void {
    const prev = run.snapshot;
    if (prev !== null && snap.clock <= prev.clock && snap.events === prev.events) return;
    const rates = computeRates(prev, snap);
    const rated: RatedSnapshot = { ...snap, rates };
    run.snapshot = rated;
    run.stored.clock = snap.clock;
    run.stored.events = snap.events;
    appendPoint(run.series, snap.clock, rates);
    this.emit(run, { type: 'snapshot', data: rated });
  }

  // ---- interactive runs ----

  private startInteractive(run: LiveRun): Promise<void> {
    return new Promise<void>((resolve) => {
      run.resolveDone = resolve;
      this.drive(run);
    });
  }

  /** Schedules the next slice of an interactive run if it is running and not already scheduled. */
  private drive(run: LiveRun): void {
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
        this.endRun(run, 'failed', plainMessage(e), null);
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
  private publishInteractive(run: LiveRun, force: boolean): void {
    const it = run.interactive!;
    run.stored.clock = it.clock;
    run.stored.events = it.events;
    const now = performance.now();
    if (!force && now - run.lastSnapshotAt < SNAPSHOT_MS) return;
    run.lastSnapshotAt = now;
    this.takeSnapshot(run, it.snapshot());
    this.flushTrace(run, it.trace);
  }

  private flushTrace(run: LiveRun, trace: readonly TraceRecord[]): void {
    while (run.traceSent < trace.length) {
      const chunk = trace.slice(run.traceSent, run.traceSent + TRACE_CHUNK);
      run.traceSent += chunk.length;
      this.emit(run, { type: 'trace', data: chunk });
    }
  }

  private finishInteractive(run: LiveRun, status: 'finished' | 'stopped'): void {
    const it = run.interactive!;
    let report: Report;
    try {
      report = status === 'finished' ? it.finish() : it.finishNow();
    } catch (e) {
      this.endRun(run, 'failed', plainMessage(e), null);
      return;
    }
    this.takeSnapshot(run, it.snapshot());
    this.endRun(run, status, null, report);
  }

  // ---- the end of a run ----

  private endRun(run: LiveRun, status: RunStatus, error: string | null, report: Report | null): void {
    if (!ACTIVE.has(run.stored.status)) return;
    if (run.timer !== null) clearInterval(run.timer);
    run.timer = null;
    if (run.handle !== null && status !== 'failed') {
      try {
        this.takeSnapshot(run, this.batchSnapshot(run, run.handle));
      } catch {
        // the final snapshot is a nicety; the report below has the figures
      }
    }
    const s = run.stored;
    s.status = status;
    s.error = error;
    s.finishedAt = new Date().toISOString();
    if (report !== null) {
      run.report = report;
      s.figures = figuresOf(report);
      s.events = report.engine.events;
      if (status === 'finished') s.clock = (report.parameters.warmup ?? 0) + report.parameters.duration;
    }
    if (error !== null) this.log?.error({ run: s.id, error }, 'run failed');
    try {
      this.store.finish(s, report, { ...run.series, snapshot: run.snapshot });
    } catch (e) {
      this.log?.error({ run: s.id, error: (e as Error).message }, 'cannot record the end of a run');
    }
    this.emit(run, { type: 'status', data: this.summaryOf(run) });
    if (run.interactive !== null) this.flushTrace(run, run.interactive.trace);
    else if (report?.trace !== undefined && report.trace.length <= SMALL_TRACE) this.flushTrace(run, report.trace);
    const end: { status: RunStatus; error?: string } = { status };
    if (error !== null) end.error = error;
    this.emit(run, { type: 'end', data: end });
    run.listeners.clear();
    if (report !== null) this.cacheReport(s.id, report);
    this.live.delete(s.id);
    run.resolveDone?.();
  }

  private cacheReport(id: string, report: Report): void {
    this.reportCache.set(id, report);
    while (this.reportCache.size > 8) this.reportCache.delete(this.reportCache.keys().next().value!);
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

  private summaryOf(run: LiveRun | StoredRun): RunSummary {
    const s = 'stored' in run ? run.stored : run;
    return {
      id: s.id,
      scenario: s.scenario,
      status: s.status,
      mode: s.params.mode,
      seed: s.params.seed,
      workers: s.params.workers,
      duration: s.params.duration,
      speed: s.params.speed,
      createdAt: s.createdAt,
      finishedAt: s.finishedAt,
      error: s.error,
      clock: s.clock,
      until: s.params.duration,
      events: s.events,
      figures: s.figures,
    };
  }

  summary(id: string): RunSummary | null {
    const run = this.live.get(id);
    if (run !== undefined) return this.summaryOf(run);
    const s = this.store.get(id);
    return s === null ? null : this.summaryOf(s);
  }

  /** A run's summary or 404. */
  require(id: string): RunSummary {
    const s = this.summary(id);
    if (s === null) throw new ApiError('RUN_NOT_FOUND', `no run with id '${id}'`);
    return s;
  }

  list(): RunSummary[] {
    return this.store.list().map((s) => {
      const run = this.live.get(s.id);
      return this.summaryOf(run ?? s);
    });
  }

  isActive(id: string): boolean {
    return this.live.has(id);
  }

  snapshot(id: string): RatedSnapshot | null {
    this.require(id);
    const run = this.live.get(id);
    if (run !== undefined) return run.snapshot;
    const ts = this.store.timeseries(id) as { snapshot?: RatedSnapshot | null } | null;
    return ts?.snapshot ?? null;
  }

  /** The report of an ended run (404 unknown, 409 while active or when the run has none). */
  report(id: string): Report {
    const s = this.require(id);
    if (ACTIVE.has(s.status)) throw new ApiError('NOT_FINISHED', `run '${id}' is ${s.status}; its report is ready when it ends`);
    const cached = this.reportCache.get(id);
    if (cached !== undefined) return cached;
    const r = this.store.report(id) as Report | null;
    if (r === null) throw new ApiError('NO_REPORT', `run '${id}' ended ${s.status}${s.error ? ` (${s.error})` : ''} without a report`);
    this.cacheReport(id, r);
    return r;
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

  /** Tuples per presentity of a run's scenario (for the payload inspector). */
  tuplesOf(id: string): number {
    const run = this.live.get(id);
    if (run !== undefined) return run.scenario.population.tuples;
    try {
      return this.report(id).parameters.tuples;
    } catch {
      return 1;
    }
  }

  timeseries(id: string): TimeSeries {
    this.require(id);
    const run = this.live.get(id);
    if (run !== undefined) return run.series;
    const ts = this.store.timeseries(id) as TimeSeries | null;
    return ts ?? { domains: [], points: [] };
  }

  /** Subscribes to a live run's events; returns null when the run is not live (ended or unknown). */
  subscribe(id: string, listener: RunListener): { unsubscribe: () => void; backlog: { snapshot: RatedSnapshot | null; trace: TraceRecord[] } } | null {
    const run = this.live.get(id);
    if (run === undefined) return null;
    run.listeners.add(listener);
    const trace = run.interactive !== null ? run.interactive.trace.slice(0, run.traceSent) : [];
    return { unsubscribe: () => run.listeners.delete(listener), backlog: { snapshot: run.snapshot, trace } };
  }

  /** Resolves when the run has ended (at once for an ended or unknown run). */
  async waitEnd(id: string): Promise<void> {
    const run = this.live.get(id);
    if (run !== undefined) await run.done;
  }

  // ---- control ----

  async control(id: string, action: ControlAction, opts: { speed?: number; to?: 'event' | 'message' } = {}): Promise<RunSummary> {
    const s = this.require(id);
    const run = this.live.get(id);
    if (run === undefined || !ACTIVE.has(s.status)) {
      throw new ApiError('BAD_STATE', `cannot ${action} run '${id}': it has ended (${s.status})`);
    }
    const st = run.stored;
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
        this.store.update(st);
        break;
      }
      case 'step': {
        if (run.interactive === null) throw new ApiError('BAD_STATE', `cannot step run '${id}': only interactive runs step (this one is a batch run)`);
        if (st.status === 'running') this.setPaused(run, true);
        try {
          if (opts.to === 'message') run.interactive.stepToNextMessage();
          else run.interactive.step();
        } catch (e) {
          this.endRun(run, 'failed', plainMessage(e), null);
          return this.require(id);
        }
        this.publishInteractive(run, true);
        if (run.interactive.done) this.finishInteractive(run, 'finished');
        break;
      }
      case 'stop': {
        run.stopRequested = true;
        if (run.interactive !== null) {
          this.finishInteractive(run, 'stopped');
        } else {
          run.handle?.stop();
          await Promise.race([run.done, new Promise((r) => setTimeout(r, 10_000).unref?.())]);
        }
        break;
      }
    }
    if (ACTIVE.has(st.status)) this.emit(run, { type: 'status', data: this.summaryOf(run) });
    return this.require(id);
  }

  private reanchor(run: LiveRun): void {
    run.anchorWall = performance.now();
    run.anchorSim = run.interactive !== null ? run.interactive.clock : (run.handle?.progress().clock ?? 0);
  }

  private setPaused(run: LiveRun, paused: boolean): void {
    run.stored.status = paused ? 'paused' : 'running';
    this.store.update(run.stored);
    this.reanchor(run);
    if (run.handle !== null) {
      if (paused) run.handle.pause();
      else run.handle.resume();
    }
    if (!paused && run.interactive !== null) this.drive(run);
  }

  /** Stops every live run and waits for them to end (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    const runs = [...this.live.values()];
    for (const run of runs) {
      run.stopRequested = true;
      if (run.interactive !== null) this.finishInteractive(run, 'stopped');
      else run.handle?.stop();
    }
    await Promise.all(runs.map((r) => Promise.race([r.done, new Promise((res) => setTimeout(res, 10_000).unref?.())])));
  }
}
