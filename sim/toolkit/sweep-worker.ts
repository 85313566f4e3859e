/**
 * Piscina worker entry of sweeps and capacity searches: one task = one replication of one point,
 * run in-process inside the worker thread (`runScenario(scenario, { workers: 1 })`). It returns the
 * key figures, the values of both sides of every threshold, and (when asked) the full report.
 */
import { runScenario, type Report, type ScenarioRunHandle } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import { simulatedChecks } from './analytic.js';
import { keyFigures } from './figures.js';
import { evaluateSides, parseThreshold, thresholdContext } from './thresholds.js';
import { ThresholdWatch, type AbortDecision } from './watch.js';

export interface ReplicationTask {
  scenario: Scenario;
  seed: number;
  duration?: number;
  thresholds: string[];
  keepReport: boolean;
  /** stop the run once a threshold fails over this much simulated time (ms); watch.ts */
  abortAfter?: number;
}

export interface ReplicationResult {
  ok: true;
  seed: number;
  figures: Record<string, number>;
  /** the simulated counterparts of the analytic cross-check (analytic.ts) */
  checks: Record<string, number>;
  /** per threshold: [binding, value] of the left and right sides */
  sides: { left: [string, number][]; right: [string, number][] }[];
  report?: Report;
  /** set when the run was stopped early by a failing threshold */
  aborted?: { at: number; threshold: string; reason: string };
}

export interface ReplicationFailure {
  ok: false;
  code: string;
  message: string;
}

export async function runReplication(task: ReplicationTask): Promise<ReplicationResult> {
  const watch = task.abortAfter !== undefined && task.thresholds.length > 0 ? new ThresholdWatch(task.thresholds.map(parseThreshold), task.abortAfter, task.scenario.warmup ?? 0) : null;
  let handle: ScenarioRunHandle | null = null;
  let aborted = null as AbortDecision | null;
  const report = await runScenario(task.scenario, {
    workers: 1,
    seed: task.seed,
    duration: task.duration,
    inProcess: true,
    onStart: watch ? (h) => (handle = h) : undefined,
    onProgress: watch
      ? () => {
          if (handle === null || aborted !== null) return;
          aborted = watch.observe(handle.snapshot());
          if (aborted !== null) handle.stop();
        }
      : undefined,
    stopReason: () => (aborted ? `aborted: ${aborted.reason}` : null),
  });
  const ctx = thresholdContext(report);
  const sides = task.thresholds.map((text) => {
    const s = evaluateSides(parseThreshold(text), ctx);
    return { left: [...s.left], right: [...s.right] };
  });
  return {
    ok: true,
    seed: task.seed,
    figures: keyFigures(report),
    checks: simulatedChecks(report),
    sides,
    ...(task.keepReport ? { report } : {}),
    ...(aborted ? { aborted: { at: aborted.at, threshold: aborted.outcome.threshold, reason: aborted.reason } } : {}),
  };
}

export default async function replicationTask(task: ReplicationTask): Promise<ReplicationResult | ReplicationFailure> {
  try {
    return await runReplication(task);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: typeof err?.code === 'string' ? err.code : 'SIM_ERR_WORKER_FAILED', message: err?.message ?? String(e) };
  }
}
