/**
 * A run as it travels to another process (a queue worker, an exported cluster index): the
 * replication task with its scenario in document form, stamped with the version that made it.
 * Whoever runs it reads it back with `readRunJob`, which refuses another version and validates
 * every field (the scenario against the same schema as a file, and the memory estimate) before
 * anything runs: a worker never runs an unvalidated scenario from the queue.
 */
import { SimError } from '../../errors.js';
import { checkRunFits } from '../../estimate.js';
import { scenarioToDocument } from '../../scenario/resolved.js';
import { invalidScenario } from '../../scenario/load.js';
import { validateRaw } from '../../scenario/schema.js';
import type { ReplicationTask } from '../sweep-worker.js';
import { parseThreshold } from '../thresholds.js';
import { buildVersion, versionMismatch, type BuildVersion } from './version.js';

export const RUN_JOB_FORMAT = 1;

export interface RunJob {
  format: typeof RUN_JOB_FORMAT;
  version: BuildVersion;
  /** the sweep it belongs to and its index there (the job id is `${sweep}.${index}`) */
  sweep: string;
  index: number;
  scenario: Record<string, unknown>;
  seed: number;
  duration?: number;
  thresholds: string[];
  keepReport: boolean;
  abortAfter?: number;
}

export function toRunJob(sweep: string, index: number, task: ReplicationTask, version: BuildVersion = buildVersion()): RunJob {
  return {
    format: RUN_JOB_FORMAT,
    version,
    sweep,
    index,
    scenario: scenarioToDocument(task.scenario),
    seed: task.seed,
    ...(task.duration !== undefined ? { duration: task.duration } : {}),
    thresholds: task.thresholds,
    keepReport: task.keepReport,
    ...(task.abortAfter !== undefined ? { abortAfter: task.abortAfter } : {}),
  };
}

const refused = (where: string, why: string) => new SimError('SIM_ERR_JOB_REFUSED', `${where}: ${why}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The job's sweep and index, when it has them (for messages about a job that is refused). */
export function jobLabel(data: unknown): string {
  if (!isObject(data)) return 'a run';
  return typeof data.sweep === 'string' && Number.isInteger(data.index) ? `run ${String(data.sweep).slice(0, 80)}.${String(data.index)}` : 'a run';
}

/**
 * The replication task of a job, or SIM_ERR_JOB_REFUSED naming what is wrong: another version,
 * a missing or ill-typed field, a scenario outside the schema, a run larger than this machine's
 * memory limit.
 */
export function readRunJob(data: unknown, mine: BuildVersion = buildVersion()): ReplicationTask & { sweep: string; index: number } {
  const where = jobLabel(data);
  if (!isObject(data)) throw refused(where, 'the payload is not an object');
  if (data.format !== RUN_JOB_FORMAT) throw refused(where, `format must be ${RUN_JOB_FORMAT}, got ${JSON.stringify(data.format)}`);
  const v = data.version;
  if (!isObject(v) || typeof v.project !== 'string' || typeof v.code !== 'string' || typeof v.node !== 'string') throw refused(where, 'version must be { project, code, node } strings');
  const mismatch = versionMismatch({ project: v.project, code: v.code, node: v.node }, mine);
  if (mismatch !== null) throw refused(where, mismatch);
  if (typeof data.sweep !== 'string' || !/^[\w.-]{1,80}$/.test(data.sweep)) throw refused(where, 'sweep must be an id of letters, digits, ".", "-" or "_"');
  if (!Number.isSafeInteger(data.index) || (data.index as number) < 0) throw refused(where, 'index must be a whole number >= 0');
  if (!Number.isSafeInteger(data.seed)) throw refused(where, `seed must be a whole number, got ${JSON.stringify(data.seed)}`);
  if (data.duration !== undefined && !positive(data.duration)) throw refused(where, `duration must be a number of ms > 0, got ${JSON.stringify(data.duration)}`);
  if (data.abortAfter !== undefined && !positive(data.abortAfter)) throw refused(where, `abortAfter must be a number of ms > 0, got ${JSON.stringify(data.abortAfter)}`);
  if (typeof data.keepReport !== 'boolean') throw refused(where, 'keepReport must be true or false');
  if (!Array.isArray(data.thresholds) || data.thresholds.some((t) => typeof t !== 'string')) throw refused(where, 'thresholds must be a list of expressions');
  const thresholds = data.thresholds as string[];
  for (const t of thresholds) parseThreshold(t);
  const checked = validateRaw(data.scenario);
  if (!checked.ok) throw invalidScenario(`${where}: its scenario`, checked.errors);
  const duration = data.duration as number | undefined;
  checkRunFits(checked.scenario, { workers: 1, duration, what: where });
  return {
    sweep: data.sweep,
    index: data.index as number,
    scenario: checked.scenario,
    seed: data.seed as number,
    duration,
    thresholds,
    keepReport: data.keepReport,
    abortAfter: data.abortAfter as number | undefined,
  };
}
