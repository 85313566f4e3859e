/**
 * Sweeps: a scenario run over a grid of parameter values (the cartesian product, or a list of
 * points), each point R times with independent seeds, the runs spread over a piscina pool as
 * independent tasks (each an in-process one-worker run inside a worker thread).
 *
 * Seeds: replication r of every point uses `replicationSeed(base, r)`: r = 0 is the base seed itself
 * (so replication 0 equals a plain `run` with that seed) and r >= 1 a splitmix32 hash of (base, r).
 * All points share the seeds of a replication (common random numbers: curves are smoother and
 * differences between points are not masked by seed noise). Results are collected by task index,
 * so a sweep's result does not depend on `parallel`.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runnableModule } from '../engine/paths.js';
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
import type { ReplicationFailure, ReplicationResult, ReplicationTask } from './sweep-worker.js';

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
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface SweepRun {
  seed: number;
  figures: Record<string, number>;
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

export interface SweepResult {
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

function workerFile(): string {
  const self = import.meta.url;
  const src = new URL(self.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', self).href;
  return fileURLToPath(runnableModule(src));
}

export interface TaskSpec {
  scenario: Scenario;
  seed: number;
}

/**
 * Runs independent replication tasks on a pool of `parallel` threads; results come back in task
 * order whatever the finishing order.
 */
export async function runTasks(
  tasks: ReplicationTask[],
  parallel: number,
  onDone?: () => void,
  signal?: AbortSignal,
): Promise<ReplicationResult[]> {
  if (tasks.length === 0) return [];
  signal?.throwIfAborted();
  const threads = Math.max(1, Math.min(parallel, tasks.length));
  const pool = new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: 1000 });
  const inner = new AbortController();
  setMaxListeners(tasks.length + 16, inner.signal); // one listener per queued task
  const onAbort = () => inner.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await Promise.all(
      tasks.map(async (t) => {
        const r = (await pool.run(t, { signal: inner.signal })) as ReplicationResult | ReplicationFailure;
        if (!r.ok) {
          inner.abort();
          throw new SimError(r.code in { SIM_ERR_BAD_OVERRIDE: 1, SIM_ERR_CLI_USAGE: 1, SIM_ERR_BAD_OPTION: 1 } ? (r.code as 'SIM_ERR_BAD_OPTION') : 'SIM_ERR_WORKER_FAILED', r.message.replace(/^SIM_ERR_\w+: /, ''));
        }
        onDone?.();
        return r;
      }),
    );
    return out;
  } catch (e) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the sweep was aborted');
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
}

export function defaultParallel(): number {
  return Math.max(1, availableParallelism());
}

/** Aggregates the replications of one point. */
export function aggregate(
  point: Record<string, ParamValue>,
  runs: ReplicationResult[],
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
  return { point, runs: runs.map((r) => ({ seed: r.seed, figures: r.figures })), mean: m, ci95: c, thresholds: outcomes, ...(aborted.length ? { aborted } : {}) };
}

/** Runs a sweep (see the module comment). */
export async function runSweep(scenario: Scenario, opts: SweepOptions): Promise<SweepResult> {
  const R = opts.replications ?? 1;
  if (!Number.isInteger(R) || R < 1 || R > 1000) throw new SimError('SIM_ERR_BAD_OPTION', `replications must be an integer from 1 to 1000, got ${R}`);
  const parallel = opts.parallel ?? defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw new SimError('SIM_ERR_BAD_OPTION', `parallel must be an integer from 1 to 256, got ${parallel}`);
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
  checkConcurrentRuns(scenarios.map((sc, i) => ({ scenario: sc, duration, what: what(points[i]) })), Math.min(parallel, points.length * R));

  const tasks: ReplicationTask[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let r = 0; r < R; r++) {
      tasks.push({ scenario: scenarios[i], seed: replicationSeed(seed, r), duration, thresholds, keepReport: opts.keepReports === true && r === 0, abortAfter: opts.abortAfter });
    }
  }
  let done = 0;
  opts.onProgress?.(0, tasks.length);
  const t0 = performance.now();
  const results = await runTasks(tasks, parallel, () => opts.onProgress?.(++done, tasks.length), opts.signal);
  const out: SweepPoint[] = points.map((p, i) => {
    const runs = results.slice(i * R, (i + 1) * R);
    const agg = aggregate(p, runs, thresholds);
    if (opts.keepReports && runs[0].report) agg.report = runs[0].report;
    if (opts.analytic) agg.crossCheck = crossCheck(analyticModel(scenarios[i], { seed, duration, from: scenarios[i].warmup ?? 0 }), runs.map((r) => r.checks));
    return agg;
  });
  return {
    scenario: scenario.name,
    params,
    replications: R,
    seed,
    duration,
    mode,
    figures: [...KEY_FIGURES],
    points: out,
    thresholds,
    passed: out.every((p) => p.thresholds.every((o) => o.passed)),
    wallMs: Math.round(performance.now() - t0),
  };
}
