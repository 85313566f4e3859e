/**
 * Piscina worker entry of sweeps and capacity searches: one task = one replication of one point,
 * run in-process inside the worker thread (`runScenario(scenario, { workers: 1 })`). It returns the
 * key figures, the values of both sides of every threshold, and (when asked) the full report.
 */
import { runScenario, type Report } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import { simulatedChecks } from './analytic.js';
import { keyFigures } from './figures.js';
import { evaluateSides, parseThreshold, thresholdContext } from './thresholds.js';

export interface ReplicationTask {
  scenario: Scenario;
  seed: number;
  duration?: number;
  thresholds: string[];
  keepReport: boolean;
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
}

export interface ReplicationFailure {
  ok: false;
  code: string;
  message: string;
}

export async function runReplication(task: ReplicationTask): Promise<ReplicationResult> {
  const report = await runScenario(task.scenario, { workers: 1, seed: task.seed, duration: task.duration, inProcess: true });
  const ctx = thresholdContext(report);
  const sides = task.thresholds.map((text) => {
    const s = evaluateSides(parseThreshold(text), ctx);
    return { left: [...s.left], right: [...s.right] };
  });
  return { ok: true, seed: task.seed, figures: keyFigures(report), checks: simulatedChecks(report), sides, ...(task.keepReport ? { report } : {}) };
}

export default async function replicationTask(task: ReplicationTask): Promise<ReplicationResult | ReplicationFailure> {
  try {
    return await runReplication(task);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: typeof err?.code === 'string' ? err.code : 'SIM_ERR_WORKER_FAILED', message: err?.message ?? String(e) };
  }
}
