/**
 * The dashboard's sweeps on the queue (`npm start -- --queue redis://HOST:PORT`, or IMPP_SIM_QUEUE):
 * every replication of every point becomes one job of the QueueExecutor (sim/toolkit/queue), job id
 * `<sweep id>.<run index>` as the command line's sweeps have, run by `impp-sim worker` processes.
 *
 * Each run is prepared exactly as the local sweep prepares its point runs (prepareRun: the same
 * scenario, overrides, duration and replication seed), so a worker computes the report this server
 * would have. A result is recorded in the run store as it arrives (RunManager.recordExternal: it is
 * listed in /api/runs with its report) and the point shows which worker ran each of its runs;
 * `progress` counts runs done, the workers seen and the time left at the pace so far.
 *
 * Where it differs from a local sweep: all points run at once (as many as there are workers), the
 * point runs have no live view nor time series, so a point's saturation is the report rule alone
 * (no growing-queue reason, web/server/saturation.ts). A run that fails on a worker fails its point
 * with the reason and the other points go on, as in a local sweep (the executor takes every waiting
 * job off the queue on a failure: the ones still without a result are added again); a queue that
 * stays unreachable fails every point without its results. Stopping the sweep (or the server)
 * withdraws its waiting jobs.
 */
import type { PlannedRun, RunOutcome } from '../../sim/toolkit/executor.js';
import { jobId, type QueueExecutor } from '../../sim/toolkit/queue/executor.js';
import { replicationSeed } from '../../sim/toolkit/sweep.js';
import { SimError } from '../../sim/errors.js';
import { plainMessage } from './errors.js';
import { prepareRun, type PreparedRun } from './run-create.js';
import type { RunManager } from './runs.js';
import { pointFigures, sweepFigures, type ExternalSweep, type ExternalSweeps, type SweepFigures, type SweepState } from './sweeps.js';

interface Slot {
  run: string;
  worker: string;
  figures: SweepFigures;
}

/** The queue as the sweep manager's `elsewhere`: one QueueExecutor shared by every sweep. */
export class QueueSweeps implements ExternalSweeps {
  constructor(
    private readonly executor: QueueExecutor,
    private readonly runs: RunManager,
  ) {}

  get where(): string {
    return this.executor.where;
  }

  plan(state: SweepState, overrides: string[][], seed: number, save: () => void): ExternalSweep {
    return new QueuedSweep(this.executor, this.runs, state, overrides, seed, save);
  }

  async close(): Promise<void> {
    await this.executor.close();
  }
}

export class QueuedSweep implements ExternalSweep {
  private readonly prepared: PreparedRun[] = [];
  private readonly planned: PlannedRun[] = [];
  /** per point, per replication: the recorded run, once its result has arrived */
  private readonly slots: (Slot | null)[][];
  private readonly workers = new Set<string>();
  private readonly abort = new AbortController();
  private started = 0;

  constructor(
    private readonly executor: QueueExecutor,
    private readonly runs: RunManager,
    private readonly state: SweepState,
    overrides: string[][],
    seed: number,
    private readonly save: () => void,
  ) {
    const R = state.replications;
    state.points.forEach((_, i) => {
      for (let r = 0; r < R; r++) {
        // what the local sweep gives runs.create, checked the same way (throws an ApiError)
        const p = prepareRun({ scenario: state.scenario, overrides: overrides[i], duration: state.duration, seed: replicationSeed(seed, r) }, state.id);
        this.prepared.push(p);
        this.planned.push({ index: i * R + r, task: { scenario: p.scenario, seed: p.params.seed, duration: p.params.duration, thresholds: [], keepReport: true } });
      }
    });
    this.slots = state.points.map(() => new Array<Slot | null>(R).fill(null));
    state.progress = { done: 0, total: this.planned.length, workers: [], elapsedMs: 0, etaMs: null };
  }

  stop(): void {
    this.abort.abort(new Error('the sweep was stopped'));
  }

  async run(): Promise<void> {
    this.started = Date.now();
    let failure: string | null = null;
    for (;;) {
      // the runs still without a result, but those of a point that failed
      const todo = this.planned.filter((p) => this.slotOf(p.index) === null && this.pointOf(p.index).status !== 'failed');
      if (todo.length === 0) break;
      try {
        await this.executor.execute(this.state.id, todo, (o) => this.arrived(o), this.abort.signal);
        break;
      } catch (e) {
        if (this.abort.signal.aborted) {
          await this.executor.withdraw(this.state.id, this.unfinished());
          break;
        }
        const index = e instanceof SimError ? e.details?.index : undefined;
        if (typeof index !== 'number' || index < 0 || index >= this.planned.length) {
          failure = plainMessage(e);
          break;
        }
        // one run failed on a worker: its point fails, the others go on
        const point = this.pointOf(index);
        point.status = 'failed';
        point.error = plainMessage(e);
        this.tick();
      }
    }
    const stopped = this.abort.signal.aborted;
    for (const point of this.state.points) {
      if (point.status === 'finished' || point.status === 'failed') continue;
      point.status = stopped ? 'stopped' : 'failed';
      if (!stopped) point.error = failure ?? "the queue ended the sweep without this point's results";
    }
    this.state.status = stopped ? 'stopped' : 'finished';
    this.tick();
  }

  /** Indices of the runs that have no result yet. */
  private unfinished(): number[] {
    return this.planned.filter((p) => this.slotOf(p.index) === null).map((p) => p.index);
  }

  private pointOf(index: number): SweepState['points'][number] {
    return this.state.points[Math.floor(index / this.state.replications)];
  }

  private slotOf(index: number): Slot | null {
    const R = this.state.replications;
    return this.slots[Math.floor(index / R)][index % R];
  }

  /** A run's result: recorded in the store, placed in its point (never throws: the executor polls on). */
  private arrived(o: RunOutcome): void {
    const R = this.state.replications;
    const i = Math.floor(o.index / R);
    const point = this.state.points[i];
    const slots = this.slots[i];
    if (point === undefined || slots[o.index % R] !== null || point.status === 'failed' || this.abort.signal.aborted) return;
    try {
      const report = o.result.report;
      if (report === undefined) throw new Error(`run ${jobId(this.state.id, o.index)} came back from ${o.worker} without its report`);
      const s = this.runs.recordExternal(this.prepared[o.index], report, o.worker);
      slots[o.index % R] = { run: s.id, worker: o.worker, figures: { ...sweepFigures(report), saturation: s.figures?.saturation ?? [] } };
    } catch (e) {
      point.status = 'failed';
      point.error = plainMessage(e);
      this.tick();
      return;
    }
    this.workers.add(o.worker);
    const filled = slots.filter((x): x is Slot => x !== null);
    point.runs = filled.map((x) => x.run);
    point.workers = filled.map((x) => x.worker);
    if (filled.length === R) {
      point.status = 'finished';
      point.figures = pointFigures(filled.map((x) => x.figures));
    } else point.status = 'running';
    this.tick();
  }

  /** Progress, the first saturated point (in the order of the values, whatever order results came in), and a save. */
  private tick(): void {
    const { state } = this;
    const done = this.slots.reduce((n, row) => n + row.filter((x) => x !== null).length, 0);
    const elapsedMs = Date.now() - this.started;
    const left = this.planned.length - done;
    state.progress = { done, total: this.planned.length, workers: [...this.workers].sort(), elapsedMs, etaMs: done === 0 ? null : left === 0 ? 0 : Math.round((elapsedMs / done) * left) };
    state.saturatesAt = state.points.find((p) => p.status === 'finished' && (p.figures?.saturation?.length ?? 0) > 0)?.value ?? null;
    this.save();
  }
}
