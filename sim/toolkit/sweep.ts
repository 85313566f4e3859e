/**
 * Sweeps: a scenario run over a grid of parameter values (the cartesian product, or a list of
 * points), each point R times with independent seeds, the runs spread over a piscina pool as
 * independent tasks (each an in-process one-worker run inside a worker thread).
 *
 * Seeds: replication r of every point uses `replicationSeed(base, r)`: r = 0 is the base seed itself
 * (so replication 0 equals a plain `run` with that seed) and r >= 1 a splitmix32 hash of (base, r).
 * All points share the seeds of a replication (common random numbers: curves are smoother and
 * differences between points are not masked by seed noise). Results are collected by task index,
 * so a sweep's result does not depend on `parallel` nor on the executor (executor.ts: local threads
 * or a queue of workers on other machines). With a journal (history.ts) every result is recorded
 * as it arrives, and runs already recorded are not run again (resume).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { SimError } from '../errors.js';
import { checkConcurrentRuns } from '../estimate.js';
import type { Report } from '../run.js';
import { checkResolvedScenario } from '../scenario/resolved.js';
import type { Scenario } from '../scenario/types.js';
import { analyticModel, crossCheck, type CrossCheckRow } from './analytic.js';
import { KEY_FIGURES } from './figures.js';
import { applyPoint, checkParams, isIntegerParam } from './params.js';
import { sweepPoints, type ParamValue, type SweepParam } from './ranges.js';
import { ci95, mean } from './stats.js';
import { judge, parseThreshold, type ThresholdOutcome } from './thresholds.js';
import { LocalExecutor, type PlannedRun, type RunExecutor, type RunOutcome } from './executor.js';
import type { ReplicationResult, ReplicationTask } from './sweep-worker.js';

export interface SweepOptions {
  params: SweepParam[];
  /** runs per point [1] */
  replications?: number;
  /** worker threads [min(cores, tasks)] */
  parallel?: number;
  /** base seed [the scenario's] */
  seed?: number;
  /** simulated duration per run (ms) [the scenario's] */
  duration?: number;
  /** 'grid' (cartesian product) or 'zip' (the i-th values together: a list of points) ['grid'] */
  mode?: 'grid' | 'zip';
  /** thresholds judged per point on the means over replications */
  thresholds?: string[];
  /** add the analytic cross-check per point (builds each point's population once more) [false] */
  analytic?: boolean;
  /** stop a replication once a threshold fails over this much simulated time (ms); its point then fails */
  abortAfter?: number;
  /** keep the report of replication 0 of each point (for sizing reports) */
  keepReports?: boolean;
  /** runs done, of total, and the workers that have returned a result so far */
  onProgress?: (done: number, total: number, workers: number) => void;
  signal?: AbortSignal;
  /** where runs execute [a LocalExecutor of `parallel` threads] */
  executor?: RunExecutor;
  /** the sweep's id [a new one] (a queue's job ids and the history key on it) */
  id?: string;
  /** records each result as it arrives; results it already holds are not run again */
  journal?: SweepJournal;
}

/** Where results are kept as they arrive (history.ts keeps them in the SQLite history). */
export interface SweepJournal {
  /** results recorded before (a resumed sweep), by run index */
  recorded(): Map<number, RunOutcome>;
  record(outcome: RunOutcome): void;
}

export interface SweepRun {
  seed: number;
  figures: Record<string, number>;
  /** who ran it: `local`, a queue worker's name (host:pid), or an exported index's host */
  worker: string;
}

export interface SweepPoint {
  point: Record<string, ParamValue>;
  runs: SweepRun[];
  mean: Record<string, number>;
  /** half-width of the 95% confidence interval of the mean (0 with one replication) */
  ci95: Record<string, number>;
  /** thresholds judged on the replication means (empty without thresholds) */
  thresholds: ThresholdOutcome[];
  /** analytic estimates next to the replication means, with `analytic` */
  crossCheck?: CrossCheckRow[];
  /** the report of replication 0, with keepReports */
  report?: Report;
  /** replications stopped early by a failing threshold (abortAfter): seed and reason */
  aborted?: { seed: number; reason: string }[];
}

/**
 * Fields of a sweep's result that may differ between two runs of the same sweep (another machine,
 * executor or worker count): wall-clock times and what follows from them, and who ran what.
 * Everything else is equal field by field (test/queue/queue.test.ts checks it).
 */
export const SWEEP_VARYING_FIELDS = [
  'id',
  'executor',
  'where',
  'wallMs',
  'points[].runs[].worker',
  'points[].runs[].figures.eventsPerSec',
  'points[].mean.eventsPerSec',
  'points[].ci95.eventsPerSec',
  'points[].report.engine.wallMs',
  'points[].report.engine.eventsPerSec',
  'points[].report.engine.windows',
] as const;

export interface SweepResult {
  /** the sweep's id (`sweep --resume ID`, the history) */
  id: string;
  /** where its runs executed: 'local', 'queue' or 'export' (a cluster array, collected) */
  executor: 'local' | 'queue' | 'export';
  /** the executor's address (a queue's without its password) */
  where: string;
  /** fields that may differ from another execution of the same sweep (SWEEP_VARYING_FIELDS) */
  varies: string[];
  scenario: string;
  params: SweepParam[];
  replications: number;
  seed: number;
  duration: number;
  mode: 'grid' | 'zip';
  figures: string[];
  points: SweepPoint[];
  thresholds: string[];
  /** true when every threshold holds at every point */
  passed: boolean;
  wallMs: number;
}

/** The seed of replication r for base seed `base` (see the module comment). */
export function replicationSeed(base: number, r: number): number {
  if (r === 0) return base;
  let x = (Math.imul(base | 0, 0x9e3779b1) + Math.imul(r, 0x85ebca6b) + 0x6d2b79f5) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  x ^= x >>> 15;
  return (x >>> 0) % 2147483647 + 1;
}

export function defaultParallel(): number {
  return Math.max(1, availableParallelism());
}

/** Aggregates the replications of one point. */
export function aggregate(
  point: Record<string, ParamValue>,
  runs: (ReplicationResult & { worker?: string })[],
  thresholds: string[],
): SweepPoint {
  const figures = Object.keys(runs[0]?.figures ?? {});
  const m: Record<string, number> = {};
  const c: Record<string, number> = {};
  for (const f of figures) {
    const xs = runs.map((r) => r.figures[f]);
    m[f] = mean(xs);
    c[f] = ci95(xs);
  }
  const outcomes = thresholds.map((text, i) => {
    const t = parseThreshold(text);
    const meanSide = (side: 'left' | 'right') => {
      const acc = new Map<string, number[]>();
      for (const r of runs) for (const [k, v] of r.sides[i][side]) acc.set(k, [...(acc.get(k) ?? []), v]);
      return new Map([...acc].map(([k, vs]) => [k, mean(vs)]));
    };
    const o = judge(t, meanSide('left'), meanSide('right'));
    // a replication stopped by this threshold failing decides the point, whatever the means say
    return runs.some((r) => r.aborted?.threshold === o.threshold) ? { ...o, passed: false } : o;
  });
  const aborted = runs.filter((r) => r.aborted).map((r) => ({ seed: r.seed, reason: r.aborted!.reason }));
  return { point, runs: runs.map((r) => ({ seed: r.seed, figures: r.figures, worker: r.worker ?? 'local' })), mean: m, ci95: c, thresholds: outcomes, ...(aborted.length ? { aborted } : {}) };
}

/** A sweep's points and runs, checked and ready to execute anywhere (here, a queue, a cluster array). */
export interface SweepPlan {
  scenario: Scenario;
  params: SweepParam[];
  replications: number;
  seed: number;
  duration: number;
  mode: 'grid' | 'zip';
  thresholds: string[];
  points: Record<string, ParamValue>[];
  scenarios: Scenario[];
  /** point-major: run i * R + r is replication r of point i */
  runs: PlannedRun[];
}

/** Checks the options and every point (schema limits, memory for `concurrency` runs at once). */
export function planSweep(scenario: Scenario, opts: SweepOptions, concurrency: number): SweepPlan {
  const R = opts.replications ?? 1;
  if (!Number.isInteger(R) || R < 1 || R > 1000) throw new SimError('SIM_ERR_BAD_OPTION', `replications must be an integer from 1 to 1000, got ${R}`);
  const seed = opts.seed ?? scenario.seed;
  if (!Number.isInteger(seed)) throw new SimError('SIM_ERR_BAD_OPTION', `seed must be an integer, got ${seed}`);
  const duration = opts.duration ?? scenario.duration;
  if (!(duration > 0)) throw new SimError('SIM_ERR_BAD_OPTION', `duration must be > 0 ms, got ${duration}`);
  const mode = opts.mode ?? 'grid';
  const thresholds = opts.thresholds ?? [];
  for (const t of thresholds) parseThreshold(t);
  // whole-number fields get whole values, so points are labelled with what actually ran
  const params = opts.params.map((p) => (isIntegerParam(p.path) ? { path: p.path, values: p.values.map((v) => (typeof v === 'number' ? Math.round(v) : v)) } : p));
  checkParams(scenario, params);
  const points = sweepPoints(params, mode);
  const scenarios = points.map((p) => applyPoint(scenario, p));
  // every point within the schema's limits and the memory estimate before anything runs
  const what = (p: Record<string, ParamValue>) => {
    const label = Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
    return label === '' ? `scenario '${scenario.name}'` : `the point ${label}`;
  };
  scenarios.forEach((sc, i) => checkResolvedScenario({ ...sc, duration }, what(points[i])));
  checkConcurrentRuns(scenarios.map((sc, i) => ({ scenario: sc, duration, what: what(points[i]) })), Math.max(1, Math.min(concurrency, points.length * R)));
  const runs: PlannedRun[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let r = 0; r < R; r++) {
      const task: ReplicationTask = { scenario: scenarios[i], seed: replicationSeed(seed, r), duration, thresholds, keepReport: opts.keepReports === true && r === 0, abortAfter: opts.abortAfter };
      runs.push({ index: i * R + r, task });
    }
  }
  return { scenario, params, replications: R, seed, duration, mode, thresholds, points, scenarios, runs };
}

/** The sweep's result from one outcome per run (by run index). */
export function assembleSweep(
  plan: SweepPlan,
  outcomes: Map<number, RunOutcome>,
  info: { id: string; executor: SweepResult['executor']; where: string; wallMs: number; analytic?: boolean; keepReports?: boolean },
): SweepResult {
  const R = plan.replications;
  const missing = plan.runs.filter((r) => !outcomes.has(r.index)).map((r) => r.index);
  if (missing.length > 0) throw new SimError('SIM_ERR_WORKER_FAILED', `sweep ${info.id}: no result for run(s) ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`);
  const points: SweepPoint[] = plan.points.map((p, i) => {
    const runs = plan.runs.slice(i * R, (i + 1) * R).map((r) => ({ ...outcomes.get(r.index)!.result, worker: outcomes.get(r.index)!.worker }));
    const agg = aggregate(p, runs, plan.thresholds);
    if (info.keepReports && runs[0].report) agg.report = runs[0].report;
    if (info.analytic) agg.crossCheck = crossCheck(analyticModel(plan.scenarios[i], { seed: plan.seed, duration: plan.duration, from: plan.scenarios[i].warmup ?? 0 }), runs.map((r) => r.checks));
    return agg;
  });
  return {
    id: info.id,
    executor: info.executor,
    where: info.where,
    varies: [...SWEEP_VARYING_FIELDS],
    scenario: plan.scenario.name,
    params: plan.params,
    replications: R,
    seed: plan.seed,
    duration: plan.duration,
    mode: plan.mode,
    figures: [...KEY_FIGURES],
    points,
    thresholds: plan.thresholds,
    passed: points.every((p) => p.thresholds.every((o) => o.passed)),
    wallMs: info.wallMs,
  };
}

/** A new sweep id: time in base 36 and 4 random bytes (letters, digits and '-' only). */
export function newSweepId(): string {
  return `sw-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Runs a sweep (see the module comment). */
export async function runSweep(scenario: Scenario, opts: SweepOptions): Promise<SweepResult> {
  const parallel = opts.parallel ?? defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw new SimError('SIM_ERR_BAD_OPTION', `parallel must be an integer from 1 to 256, got ${parallel}`);
  const executor = opts.executor ?? new LocalExecutor(parallel);
  const plan = planSweep(scenario, opts, executor.concurrency ?? 1);
  const id = opts.id ?? newSweepId();
  const outcomes = new Map<number, RunOutcome>();
  for (const [i, o] of opts.journal?.recorded() ?? []) if (i < plan.runs.length) outcomes.set(i, o);
  const workers = new Set<string>();
  const total = plan.runs.length;
  opts.onProgress?.(outcomes.size, total, 0);
  const t0 = performance.now();
  try {
    await executor.execute(
      id,
      plan.runs.filter((r) => !outcomes.has(r.index)),
      (o) => {
        if (outcomes.has(o.index)) return; // a run delivered twice (retried after a worker was lost)
        outcomes.set(o.index, o);
        opts.journal?.record(o);
        workers.add(o.worker);
        opts.onProgress?.(outcomes.size, total, workers.size);
      },
      opts.signal,
    );
  } finally {
    if (opts.executor === undefined) await executor.close();
  }
  return assembleSweep(plan, outcomes, { id, executor: executor.kind, where: executor.where, wallMs: Math.round(performance.now() - t0), analytic: opts.analytic, keepReports: opts.keepReports });
}
