/**
 * An interactive run: a small scenario executed sequentially in the calling thread, one event or
 * one slice at a time, for the teaching view. It builds exactly what one partition of a windowed
 * run builds (sim/engine/partition.ts): the IMPP model's spec, a Kernel over every domain, the
 * model instance, `init` of every LP; then the caller drives `kernel.step()` / `kernel.run()`.
 * With no partitioning and the same seed the event order is the total order of a batch run, so
 * `finish()` gives the same report as `runScenario` for the same scenario and seed.
 */
import { Kernel } from './engine/kernel.js';
import type { ModelInstance } from './engine/model.js';
import { SimError } from './errors.js';
import { model as imppModel, type ImppParams, type ImppPart, type TraceRecord } from './model/impp.js';
import { inspectUser, userIndex, type EntityState, type ModelColumns } from './model/entity-inspection.js';
import { buildReport, decodeLive, type LiveSnapshot, type Report } from './run.js';
import type { Scenario } from './scenario/types.js';

/** Scenarios larger than this are refused: interactive runs are for teaching, in one thread. */
export const INTERACTIVE_MAX_USERS = 2000;
/** stepToNextMessage gives up after this many events without a new trace record. */
export const STEP_TO_MESSAGE_MAX_EVENTS = 200_000;
/** Trace records kept when the scenario does not ask for a trace (interactive runs always trace). */
const DEFAULT_TRACE_LIMIT = 10_000;
export interface InteractiveOptions {
  /** overrides the scenario's seed */
  seed?: number;
  /** overrides the scenario's duration (ms) */
  duration?: number;
}

export type { LiveSnapshot } from './run.js';

/** What the IMPP model instance offers for in-process reading, beyond ModelInstance. */
interface LiveModelInstance extends ModelInstance<ImppPart> {
  snapshot?(): { counters: Record<string, number>; trace: readonly TraceRecord[] };
  columns?(): ModelColumns;
}

/** Sums the users of every domain. */
export function scenarioUsers(s: Scenario): number {
  let n = 0;
  for (const d of s.domains) n += d.users;
  return n;
}

export class InteractiveRun {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly until: number;
  private readonly kernel: Kernel;
  private readonly instance: LiveModelInstance;
  private readonly liveTrace: readonly TraceRecord[];
  private readonly live: Float64Array | null;
  private wallMs = 0;
  private report: Report | null = null;

  constructor(scenario: Scenario, opts: InteractiveOptions = {}) {
    const users = scenarioUsers(scenario);
    if (users > INTERACTIVE_MAX_USERS) {
      throw new SimError(
        'SIM_ERR_BAD_OPTION',
        `scenario '${scenario.name}' has ${users} users; interactive runs take at most ${INTERACTIVE_MAX_USERS} (use a batch run, or lower domains[].users)`,
        { users, max: INTERACTIVE_MAX_USERS },
      );
    }
    const seed = opts.seed ?? scenario.seed;
    const duration = opts.duration ?? scenario.duration;
    if (!(duration > 0) || !Number.isFinite(duration)) {
      throw new SimError('SIM_ERR_BAD_OPTION', `duration must be a finite number of ms > 0, got ${duration}`);
    }
    const trace = scenario.trace.enabled ? scenario.trace : { ...scenario.trace, enabled: true, limit: Math.max(scenario.trace.limit, DEFAULT_TRACE_LIMIT) };
    this.scenario = { ...scenario, seed, duration, trace };
    this.seed = seed;
    this.until = duration;
    const params: ImppParams = { scenario: this.scenario, seed };
    const spec = imppModel;
    const lpCount = spec.lpCount(params);
    const groups = spec.lpGroups?.(params);
    this.kernel = new Kernel({
      lpCount,
      seed,
      lookahead: lpCount > 1 ? spec.lookahead(params) : 0,
      groupOf: groups?.groupOf,
      groupLookahead: groups?.lookahead,
      capacity: spec.capacity?.(params, lpCount) ?? 1024,
    });
    this.instance = spec.create(this.kernel, params);
    this.kernel.forEachOwnedLP((lp) => this.instance.init(lp));
    // The model's trace array grows as the run goes on: keep the live reference.
    this.liveTrace = this.instance.snapshot?.().trace ?? this.instance.finish().trace;
    const liveSize = spec.liveSize?.(params) ?? 0;
    this.live = liveSize > 0 && this.instance.publishLive ? new Float64Array(liveSize) : null;
  }

  /** Simulated time (ms). */
  get clock(): number {
    return this.kernel.now;
  }

  get events(): number {
    return this.kernel.events;
  }

  /** The messages traced so far (live; do not modify). */
  get trace(): readonly TraceRecord[] {
    return this.liveTrace;
  }

  /** True once no event before the end of the run is left (or finish() was called). */
  get done(): boolean {
    return this.report !== null || this.kernel.stopped || this.kernel.nextTime() >= this.until;
  }

  private timed<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.wallMs += performance.now() - t0;
    }
  }

  /** Handles one event; false when the run has nothing left before its end. */
  step(): boolean {
    if (this.done) return false;
    return this.timed(() => this.kernel.run(this.until, 1) === 1);
  }

  /**
   * Steps until the trace has grown by one record (the next message on the wire), handling at
   * most `maxEvents` events. Returns the new record, or null when the run ended or the bound was hit.
   */
  stepToNextMessage(maxEvents = STEP_TO_MESSAGE_MAX_EVENTS): TraceRecord | null {
    const before = this.liveTrace.length;
    return this.timed(() => {
      for (let i = 0; i < maxEvents && !this.done; i++) {
        this.kernel.run(this.until, 1);
        if (this.liveTrace.length > before) return this.liveTrace[before];
      }
      return null;
    });
  }

  /**
   * Handles events with time < min(simTime, end of run), at most `maxEvents` of them. Returns the
   * number handled. The clock moves to simTime when every event before it was handled.
   */
  runUntil(simTime: number, maxEvents = Infinity): number {
    if (this.done) return 0;
    const end = Math.min(simTime, this.until);
    return this.timed(() => this.kernel.run(end, maxEvents));
  }

  /**
   * One user as the model holds it at this step (sim/model/entity-inspection.ts), written as the
   * trace writes it (u3@alpha.example); null when the run has no such user.
   */
  inspect(user: string): EntityState | null {
    const c = this.instance.columns?.();
    if (c === undefined) return null;
    const g = userIndex(c, user);
    return g < 0 ? null : inspectUser(c, g);
  }

  /** Live counters, latency buckets, domain load and inter-domain traffic (the batch runs' LiveSnapshot). */
  snapshot(): LiveSnapshot {
    if (this.live !== null) {
      this.live.fill(0);
      this.instance.publishLive!(this.live);
    }
    const p = { clock: this.kernel.now, events: this.kernel.events, windows: 0, until: this.until };
    return decodeLive(this.scenario, this.live, p, this.wallMs);
  }

  /** Runs to the end (if not there yet) and returns the run report, as runScenario does. */
  finish(): Report {
    if (this.report !== null) return this.report;
    this.timed(() => {
      while (!this.kernel.stopped && this.kernel.nextTime() < this.until) this.kernel.run(this.until, 100_000);
      if (!this.kernel.stopped && this.kernel.now < this.until) this.kernel.now = this.until;
    });
    return this.buildFinalReport();
  }

  /** Ends the run where it is (stop): the report covers the simulated time so far. */
  finishNow(): Report {
    if (this.report !== null) return this.report;
    return this.buildFinalReport();
  }

  private buildFinalReport(): Report {
    const part = this.instance.finish();
    // a run stopped early is reported over the simulated time it reached (rates, utilisation)
    const early = this.kernel.now < this.until;
    const wallMs = this.wallMs;
    this.report = buildReport(
      { ...this.scenario, duration: this.until },
      this.seed,
      [part],
      { events: this.kernel.events, wallMs, eventsPerSec: wallMs > 0 ? (this.kernel.events * 1000) / wallMs : 0, workers: 1, windows: 0 },
      early ? Math.max(this.kernel.now, 1e-9) : this.until,
    );
    if (early) this.report.stopped = { at: this.kernel.now, planned: this.until, reason: 'stopped on request' };
    // the run is over: give the event heap's arena region back (after the report, so that a
    // failure above leaves the run as it was)
    this.kernel.dispose();
    return this.report;
  }
}
