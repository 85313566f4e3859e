/**
 * Parameter sweeps for scalability curves: one scenario, one field path, 2..12 values. Each point
 * is a normal run through the run manager (one after another, `replications` seeds each, the
 * seeds of sim/toolkit/sweep.ts so that a point matches the CLI's sweep), so it shows in
 * /api/runs, keeps its report and obeys the server's run limit: a sweep holds one slot while it
 * goes, rather than the whole machine that the CLI's runSweep (a pool over every core) takes.
 * A sweep stops (status `stopped`, its slot freed) on `stop`, when one of its point runs is
 * stopped, or at shutdown: the current point's run is stopped and every pending point too.
 *
 * With a queue (`npm start -- --queue redis://...`: app.ts) the points' runs go to queue workers
 * instead, all at once (sweeps-queue.ts): the manager hands the sweep to that executor and keeps
 * the same state, its slot, its stop and its record. GET /api/sweeps/:id/events streams the state.
 */
import { randomBytes } from 'node:crypto';
import type { Report } from '../../sim/run.js';
import { replicationSeed } from '../../sim/toolkit/sweep.js';
import { checkRunFits } from '../../sim/estimate.js';
import { durationOverride } from '../../sim/scenario/index.js';
import { ApiError, plainMessage, toApiError } from './errors.js';
import { loadBuiltin, parseDurationInput, type RunManager } from './runs.js';
import type { RunStore } from './store.js';

/** The utilisation bound of the shared saturation rule (sim/toolkit/saturation.ts), drawn on the sweep's chart. */
export const SATURATION_THRESHOLD = 0.7;

export interface SweepInput {
  scenario: string;
  param: string;
  values: (number | string)[];
  duration?: string | number;
  replications?: number;
  seed?: number;
  /** 'path=value' applied at every point before the swept value (e.g. 'warmup=10min') */
  overrides?: string[];
}

export interface SweepFigures {
  notificationsPerSec: number;
  p99NotificationMs: number;
  maxUtilisation: number;
  imPerSec: number;
  /** why the point is saturated (the shared rule, saturation.ts); empty when it is not */
  saturation?: string[];
}

export interface SweepPoint {
  value: number | string;
  status: 'pending' | 'running' | 'finished' | 'failed' | 'stopped' | 'interrupted';
  runs: string[];
  error?: string;
  figures?: SweepFigures;
  /** a queued sweep's point: the worker that ran each of `runs` (same order) */
  workers?: string[];
}

/** A queued sweep's progress: runs done of all, the workers seen, and the time left at the pace so far. */
export interface SweepProgress {
  done: number;
  total: number;
  workers: string[];
  elapsedMs: number;
  etaMs: number | null;
}

/** A sweep whose runs execute elsewhere (sweeps-queue.ts): it fills the state's points as results arrive. */
export interface ExternalSweep {
  /** runs every point; sets the points' and the sweep's status before it resolves */
  run(): Promise<void>;
  stop(): void;
}

export interface ExternalSweeps {
  /** where the runs go, without any password (shown as the sweep's `where`) */
  readonly where: string;
  /** plans a sweep (throws an ApiError for a point that cannot run); `save` records the state */
  plan(state: SweepState, overrides: string[][], seed: number, save: () => void): ExternalSweep;
}

export type SweepEvent = { type: 'sweep'; data: SweepState } | { type: 'end'; data: { status: SweepState['status'] } };

export interface SweepState {
  id: string;
  status: 'running' | 'finished' | 'stopped' | 'interrupted';
  scenario: string;
  param: string;
  values: (number | string)[];
  duration: number;
  replications: number;
  overrides: string[];
  points: SweepPoint[];
  threshold: number;
  saturatesAt: number | string | null;
  /** set on queued sweeps only: the executor, where its runs go (no password) and its progress */
  executor?: 'queue';
  where?: string;
  progress?: SweepProgress;
}

const round = (x: number, digits = 4) => {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
};

export function sweepFigures(report: Report): SweepFigures {
  const sec = report.parameters.duration / 1000;
  let maxUtilisation = 0;
  for (const d of Object.values(report.domains)) maxUtilisation = Math.max(maxUtilisation, d.utilisation);
  return {
    notificationsPerSec: sec > 0 ? round(report.presence.notifications.delivered / sec) : 0,
    p99NotificationMs: report.latency.notification.p99,
    maxUtilisation,
    imPerSec: sec > 0 ? round(report.im.delivered / sec) : 0,
  };
}

/** A point's figures from its replications' (in replication order): the mean, and the first saturation found. */
export function pointFigures(figs: SweepFigures[]): SweepFigures {
  return { ...mean(figs), saturation: figs.find((f) => (f.saturation?.length ?? 0) > 0)?.saturation ?? [] };
}

function mean(figs: SweepFigures[]): SweepFigures {
  const n = figs.length;
  const avg = (f: (x: SweepFigures) => number) => round(figs.reduce((s, x) => s + f(x), 0) / n);
  return {
    notificationsPerSec: avg((x) => x.notificationsPerSec),
    p99NotificationMs: avg((x) => x.p99NotificationMs),
    maxUtilisation: avg((x) => x.maxUtilisation),
    imPerSec: avg((x) => x.imPerSec),
  };
}

export class SweepManager {
  private readonly sweeps = new Map<string, SweepState>();
  private readonly done = new Map<string, Promise<void>>();
  /** sweeps asked to stop, and the run each is on now */
  private readonly stopping = new Set<string>();
  private readonly current = new Map<string, string>();
  private readonly external = new Map<string, ExternalSweep>();
  private readonly watchers = new Map<string, Set<(ev: SweepEvent) => void>>();
  private closed = false;

  constructor(
    private readonly runs: RunManager,
    private readonly store: RunStore,
    /** where sweeps run when not on this server (a queue: sweeps-queue.ts); null: here */
    private readonly elsewhere: ExternalSweeps | null = null,
  ) {}

  create(input: SweepInput): SweepState {
    if (this.closed) throw new ApiError('BAD_STATE', 'the server is shutting down');
    if (/[=\s]/.test(input.param)) throw new ApiError('BAD_REQUEST', `body.param: a field path such as 'domains[0].users', got '${input.param}'`);
    const common = input.overrides ?? [];
    const withDuration = input.duration === undefined ? common : [...common, durationOverride(parseDurationInput(input.duration))];
    const base = loadBuiltin(input.scenario, withDuration);
    const overrides = input.values.map((v) => [...common, `${input.param}=${v}`]);
    // every value must give a valid scenario, within the memory limit, before anything runs
    for (const v of input.values) {
      const point = loadBuiltin(input.scenario, [...withDuration, `${input.param}=${v}`]);
      try {
        checkRunFits(point, { what: `the point ${input.param}=${v}` });
      } catch (e) {
        throw toApiError(e);
      }
    }
    const duration = base.duration;
    const state: SweepState = {
      id: `s-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      status: 'running',
      scenario: input.scenario,
      param: input.param,
      values: input.values.slice(),
      duration,
      replications: input.replications ?? 1,
      overrides: common.slice(),
      points: input.values.map((value) => ({ value, status: 'pending', runs: [] })),
      threshold: SATURATION_THRESHOLD,
      saturatesAt: null,
    };
    const seed = input.seed ?? base.seed;
    let external: ExternalSweep | null = null;
    if (this.elsewhere !== null) {
      state.executor = 'queue';
      state.where = this.elsewhere.where;
      external = this.elsewhere.plan(state, overrides, seed, () => this.save(state));
    }
    this.runs.acquireSweepSlot();
    this.sweeps.set(state.id, state);
    if (external !== null) this.external.set(state.id, external);
    this.watchers.set(state.id, new Set());
    this.save(state);
    const p = (external !== null ? external.run() : this.execute(state, overrides, seed)).finally(() => {
      this.runs.releaseSweepSlot();
      this.stopping.delete(state.id);
      this.current.delete(state.id);
      this.external.delete(state.id);
      this.save(state);
      this.notify(state.id, { type: 'end', data: { status: state.status } });
      this.watchers.delete(state.id);
    });
    this.done.set(state.id, p);
    return state;
  }

  private halted(state: SweepState): boolean {
    return this.closed || this.stopping.has(state.id);
  }

  private async execute(state: SweepState, overrides: string[][], seed: number): Promise<void> {
    for (let i = 0; i < state.points.length; i++) {
      const point = state.points[i];
      if (this.halted(state)) {
        point.status = 'stopped';
        continue;
      }
      point.status = 'running';
      const figs: SweepFigures[] = [];
      for (let r = 0; r < state.replications && !this.halted(state); r++) {
        try {
          const run = this.runs.create(
            { scenario: state.scenario, overrides: overrides[i], duration: state.duration, seed: replicationSeed(seed, r) },
            { internal: true, sweep: state.id },
          );
          point.runs.push(run.id);
          this.current.set(state.id, run.id);
          this.save(state);
          await this.runs.waitEnd(run.id);
          this.current.delete(state.id);
          const s = this.runs.summary(run.id);
          // a point run stopped from outside (its own stop action) stops the whole sweep
          if (s?.status === 'stopped') this.stopping.add(state.id);
          if (s?.status !== 'finished') throw new Error(s?.error ?? `run ${run.id} ended ${s?.status ?? 'unknown'}`);
          figs.push({ ...sweepFigures(this.runs.report(run.id)), saturation: s.figures?.saturation ?? [] });
        } catch (e) {
          if (!this.halted(state)) point.error = plainMessage(e);
          break;
        }
      }
      if (point.error !== undefined || figs.length < state.replications) {
        point.status = this.halted(state) && point.error === undefined ? 'stopped' : 'failed';
      } else {
        point.status = 'finished';
        // the shared saturation rule (saturation.ts): a point saturates when a replication does
        point.figures = pointFigures(figs);
        if (state.saturatesAt === null && point.figures.saturation!.length > 0) state.saturatesAt = point.value;
      }
      this.save(state);
    }
    state.status = this.halted(state) ? 'stopped' : 'finished';
  }

  /**
   * Stops a running sweep: its current point's run is stopped and every pending point is marked
   * stopped; resolves once the sweep has ended and freed its slot. 409 BAD_STATE when it has ended.
   */
  async stop(id: string): Promise<SweepState> {
    const state = this.get(id);
    if (state.status !== 'running' || !this.done.has(id)) {
      throw new ApiError('BAD_STATE', `cannot stop sweep '${id}': it has ended (${state.status})`);
    }
    this.stopping.add(id);
    this.external.get(id)?.stop();
    const run = this.current.get(id);
    if (run !== undefined && this.runs.isActive(run)) {
      try {
        await this.runs.control(run, 'stop');
      } catch {
        // it ended on its own meanwhile
      }
    }
    await this.done.get(id);
    return state;
  }

  private save(state: SweepState): void {
    try {
      this.store.saveSweep({ id: state.id, status: state.status, createdAt: new Date().toISOString(), body: state });
    } catch {
      // the live state stays in memory; the next save records it
    }
    // a new object per change: SSE frames are cached per data object (sse.ts)
    if ((this.watchers.get(state.id)?.size ?? 0) > 0) this.notify(state.id, { type: 'sweep', data: structuredClone(state) });
  }

  private notify(id: string, ev: SweepEvent): void {
    for (const w of this.watchers.get(id) ?? []) {
      try {
        w(ev);
      } catch {
        // one watcher failing does not stop the others
      }
    }
  }

  /**
   * Follows a running sweep: `listener` gets the state at every change and `end` once it has
   * ended. Returns null when the sweep is not running here (ended, or unknown: get() says which).
   */
  subscribe(id: string, listener: (ev: SweepEvent) => void): (() => void) | null {
    const set = this.watchers.get(id);
    if (set === undefined) return null;
    set.add(listener);
    return () => set.delete(listener);
  }

  get(id: string): SweepState {
    const live = this.sweeps.get(id);
    if (live !== undefined) return live;
    let stored;
    try {
      stored = this.store.getSweep(id);
    } catch (e) {
      throw toApiError(e);
    }
    if (stored === null) throw new ApiError('SWEEP_NOT_FOUND', `no sweep with id '${id}'`);
    return { ...(stored.body as SweepState), status: stored.status as SweepState['status'] };
  }

  /** Resolves when the sweep has run every point. */
  async waitEnd(id: string): Promise<void> {
    await this.done.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.external.values()) e.stop();
    await Promise.all(this.done.values());
  }
}
