/**
 * A sweep from the command line, wherever it runs: the executor (local threads, or the queue
 * given by --queue / IMPP_SIM_QUEUE), the history that records each result as it arrives
 * (history.ts; --data DIR, ./.impp-sim by default), and `--resume ID`, which runs only what a
 * killed coordinator left unfinished. A resumed sweep must be run by the same version of the
 * code: results of two versions are never mixed in one report.
 */
import { SimError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import { LocalExecutor, type RunExecutor } from './executor.js';
import { planScenario, storedPlan, SweepHistory, type StoredSweepPlan } from './history.js';
import { QueueExecutor } from './queue/executor.js';
import type { QueueAddress } from './queue/url.js';
import { buildVersion, versionMismatch } from './queue/version.js';
import { newSweepId, runSweep, type SweepResult } from './sweep.js';

export interface SweepSession {
  /** the queue, or null to run on local threads */
  queue: QueueAddress | null;
  parallel: number;
  /** the history's folder, or null for none (--no-history) */
  dataDir: string | null;
  onProgress?: (done: number, total: number, workers: number) => void;
  /** messages for the person (stderr): the sweep's id, queue trouble */
  log: (line: string) => void;
  signal?: AbortSignal;
}

function executorOf(s: SweepSession): RunExecutor {
  return s.queue === null ? new LocalExecutor(s.parallel) : new QueueExecutor(s.queue, s.log);
}

async function execute(s: SweepSession, scenario: Scenario, options: StoredSweepPlan['options'], id: string, history: SweepHistory | null): Promise<SweepResult> {
  const executor = executorOf(s);
  try {
    const result = await runSweep(scenario, { ...options, parallel: s.parallel, executor, id, journal: history?.journal(id), onProgress: s.onProgress, signal: s.signal });
    history?.finish(id, 'finished', result);
    return result;
  } catch (e) {
    // the runs recorded so far stay; the sweep can be resumed
    history?.finish(id, 'failed', null);
    throw e;
  } finally {
    await executor.close();
  }
}

/** Runs a new sweep. */
export async function runSweepSession(s: SweepSession, scenario: Scenario, options: StoredSweepPlan['options']): Promise<SweepResult> {
  const history = s.dataDir === null ? null : new SweepHistory(s.dataDir);
  try {
    const id = newSweepId();
    history?.create(id, s.queue === null ? 'local' : 'queue', storedPlan(buildVersion(), scenario, options));
    if (history) s.log(`sweep ${id} (history ${history.file}; if it is interrupted: sweep --resume ${id})`);
    return await execute(s, scenario, options, id, history);
  } finally {
    history?.close();
  }
}

/** Resumes sweep `id` of the history: runs only the runs without a recorded result. */
export async function resumeSweepSession(s: SweepSession, id: string): Promise<SweepResult> {
  if (s.dataDir === null) throw new SimError('SIM_ERR_CLI_USAGE', '--resume reads the history: it cannot go with --no-history');
  const history = new SweepHistory(s.dataDir);
  try {
    const rec = history.get(id);
    if (rec.status === 'finished' && rec.result !== null) {
      s.log(`sweep ${id} had finished: its result is the recorded one`);
      return rec.result;
    }
    const mismatch = versionMismatch(rec.plan.version);
    if (mismatch !== null) throw new SimError('SIM_ERR_JOB_REFUSED', `sweep ${id} cannot be resumed by this impp-sim: ${mismatch.replace('this worker', 'here')}`);
    const scenario = planScenario(rec.plan, `sweep ${id} in ${history.file}`);
    s.log(`resuming sweep ${id}: ${rec.runs} run(s) already recorded`);
    history.reopen(id);
    return await execute(s, scenario, rec.plan.options, id, history);
  } finally {
    history.close();
  }
}
