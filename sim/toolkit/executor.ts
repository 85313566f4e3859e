/**
 * Where a sweep's runs execute. An executor takes the runs that have no result yet and reports
 * each result as it arrives, in any order, with the name of the worker that produced it; the sweep
 * (sweep.ts) collects them by index, so the result never depends on the executor.
 *
 * - `local` (LocalExecutor, the default): a piscina pool of threads in this process.
 * - `queue` (queue/executor.ts): BullMQ over Redis, consumed by `impp-sim worker` processes on any
 *   number of machines.
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runnableModule } from '../engine/paths.js';
import { SimError } from '../errors.js';
import type { ReplicationFailure, ReplicationResult, ReplicationTask } from './sweep-worker.js';

export interface PlannedRun {
  /** the run's place in the sweep (point-major: point i, replication r is i * R + r) */
  index: number;
  task: ReplicationTask;
}

export interface RunOutcome {
  index: number;
  result: ReplicationResult;
  /** who ran it: `local` threads, or a queue worker's name */
  worker: string;
}

export interface RunExecutor {
  readonly kind: 'local' | 'queue';
  /** where runs go, for messages and the report (a queue address shows no password) */
  readonly where: string;
  /** how many runs it can do at once (for the memory check of concurrent runs); null: decided elsewhere */
  readonly concurrency: number | null;
  /** Runs every run; `onResult` as each finishes. Rejects on the first failed run or on abort. */
  execute(sweep: string, runs: PlannedRun[], onResult: (o: RunOutcome) => void, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** The piscina worker file (compiled, as threads run JavaScript). */
export function replicationWorkerFile(): string {
  const self = import.meta.url;
  const src = new URL(self.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', self).href;
  return fileURLToPath(runnableModule(src));
}

const USAGE_CODES: Record<string, true> = { SIM_ERR_BAD_OVERRIDE: true, SIM_ERR_CLI_USAGE: true, SIM_ERR_BAD_OPTION: true };

/** The SimError of a failed replication (usage codes kept, anything else a worker failure). */
export function replicationError(r: ReplicationFailure): SimError {
  return new SimError(USAGE_CODES[r.code] ? (r.code as 'SIM_ERR_BAD_OPTION') : 'SIM_ERR_WORKER_FAILED', r.message.replace(/^SIM_ERR_\w+: /, ''));
}

/** Runs on `parallel` threads of this process. */
export class LocalExecutor implements RunExecutor {
  readonly kind = 'local';
  readonly where = `local (${hostname()})`;
  constructor(readonly concurrency: number) {}

  async execute(_sweep: string, runs: PlannedRun[], onResult: (o: RunOutcome) => void, signal?: AbortSignal): Promise<void> {
    if (runs.length === 0) return;
    signal?.throwIfAborted();
    const threads = Math.max(1, Math.min(this.concurrency, runs.length));
    const pool = new Piscina({ filename: replicationWorkerFile(), minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: 1000 });
    const inner = new AbortController();
    setMaxListeners(runs.length + 16, inner.signal); // one listener per queued task
    const onAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(
        runs.map(async (run) => {
          const r = (await pool.run(run.task, { signal: inner.signal })) as ReplicationResult | ReplicationFailure;
          if (!r.ok) {
            inner.abort();
            throw replicationError(r);
          }
          onResult({ index: run.index, result: r, worker: 'local' });
        }),
      );
    } catch (e) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the sweep was aborted');
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await pool.destroy();
    }
  }

  async close(): Promise<void> {}
}
