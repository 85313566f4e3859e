/**
 * The `queue` executor: a sweep's runs as BullMQ jobs on Redis, consumed by `impp-sim worker`
 * processes (worker.ts) on any number of machines.
 *
 * Job id = `<sweep id>.<run index>`, so adding a run twice is a no-op and results are collected by
 * id, whatever order (and however soon: before addBulk returns) they finish in. The coordinator
 * polls its pending ids every POLL_MS in one pipeline: a finished job's result is taken (and the
 * job removed); a failed one fails the sweep with the worker's reason; a job that no longer exists
 * (Redis restarted without persistence, or was flushed) is added again. A worker killed mid-run
 * stops renewing its lease, and another worker takes the run over (worker.ts): runs are seeded, so
 * the retried run gives the same report. While Redis cannot be reached the coordinator retries for
 * up to UNREACHABLE_MS and then fails; the results it already has are in the history.
 */
import { Queue } from 'bullmq';
import { SimError } from '../../errors.js';
import type { PlannedRun, RunExecutor, RunOutcome } from '../executor.js';
import type { ReplicationResult } from '../sweep-worker.js';
import { toRunJob } from './job.js';
import type { QueueAddress } from './url.js';
import { buildVersion } from './version.js';

export const QUEUE_NAME = 'impp-sim-runs';
const POLL_MS = 100;
const UNREACHABLE_MS = 120_000;
/** a queue command that has not answered in this long counts as Redis being unreachable */
const COMMAND_MS = 5000;

/** `p`, or a rejection once `ms` have passed (BullMQ waits for a connection without limit). */
function answered<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms)));
  p.catch(() => {}); // a late failure after the timeout is not unhandled
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** What a worker returns for a job (the job's return value). */
export interface JobReturn {
  result: ReplicationResult;
  worker: string;
}

export const jobId = (sweep: string, index: number) => `${sweep}.${index}`;

export class QueueExecutor implements RunExecutor {
  readonly kind = 'queue';
  readonly where: string;
  readonly concurrency = null;
  private readonly queue: Queue;

  constructor(
    address: QueueAddress,
    private readonly log: (line: string) => void = () => {},
    private readonly opts: { pollMs?: number; unreachableMs?: number; commandMs?: number } = {},
  ) {
    this.where = address.shown;
    // commands fail fast while Redis is away, so the poll loop (not ioredis) decides how long to wait
    this.queue = new Queue(QUEUE_NAME, { connection: { ...address.connection, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false } });
    this.queue.on('error', () => {}); // reported by the poll loop, which knows what it was doing
  }

  async execute(sweep: string, runs: PlannedRun[], onResult: (o: RunOutcome) => void, signal?: AbortSignal): Promise<void> {
    if (runs.length === 0) return;
    signal?.throwIfAborted();
    const version = buildVersion();
    const pending = new Map(runs.map((r) => [jobId(sweep, r.index), r]));
    const add = (list: PlannedRun[]) =>
      this.queue.addBulk(list.map((r) => ({ name: 'run', data: toRunJob(sweep, r.index, r.task, version), opts: { jobId: jobId(sweep, r.index), attempts: 1, removeOnComplete: false, removeOnFail: false } })));
    try {
      await this.loop(sweep, pending, add, onResult, signal);
    } catch (e) {
      // a failed sweep takes its waiting runs off the queue (a killed coordinator leaves them for --resume)
      if (e instanceof SimError) await answered(Promise.all([...pending.keys()].map((id) => this.queue.remove(id).catch(() => 0))), this.opts.commandMs ?? COMMAND_MS).catch(() => {});
      throw e;
    }
  }

  private async loop(sweep: string, pending: Map<string, PlannedRun>, add: (list: PlannedRun[]) => Promise<unknown>, onResult: (o: RunOutcome) => void, signal?: AbortSignal): Promise<void> {
    let downSince: number | null = null;
    let added = false;
    const pollMs = this.opts.pollMs ?? POLL_MS;
    while (pending.size > 0) {
      signal?.throwIfAborted();
      try {
        if (!added) {
          await answered(add([...pending.values()]), this.opts.commandMs ?? COMMAND_MS);
          added = true;
        }
        const lost = await answered(this.poll(pending, onResult), this.opts.commandMs ?? COMMAND_MS);
        if (lost.length > 0) {
          this.log(`${lost.length} run(s) of sweep ${sweep} are no longer in the queue (Redis restarted or was flushed?): adding them again`);
          await answered(add(lost), this.opts.commandMs ?? COMMAND_MS);
        }
        if (downSince !== null) this.log(`queue ${this.where} reachable again`);
        downSince = null;
      } catch (e) {
        if (e instanceof SimError) throw e;
        const now = Date.now();
        if (downSince === null) {
          downSince = now;
          this.log(`queue ${this.where} unreachable (${(e as Error).message}); retrying`);
        } else if (now - downSince > (this.opts.unreachableMs ?? UNREACHABLE_MS)) {
          throw new SimError('SIM_ERR_QUEUE', `the queue ${this.where} has been unreachable for ${Math.round((now - downSince) / 1000)} s (${(e as Error).message}); runs finished so far are in the history: once it is back, sweep --resume ${sweep}`);
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** One look at every pending job; returns the runs whose job has vanished. */
  private async poll(pending: Map<string, PlannedRun>, onResult: (o: RunOutcome) => void): Promise<PlannedRun[]> {
    const client = await this.queue.backend.client;
    const ids = [...pending.keys()];
    // commands on one connection go out back to back: one round trip for every pending job
    const replies = await Promise.all(ids.map((id) => client.hmget(this.queue.toKey(id), 'timestamp', 'finishedOn', 'returnvalue', 'failedReason')));
    const lost: PlannedRun[] = [];
    const done: string[] = [];
    ids.forEach((id, k) => {
      const [timestamp, finishedOn, returnvalue, failedReason] = replies[k];
      const run = pending.get(id)!;
      if (timestamp === null) lost.push(run);
      else if (finishedOn !== null && returnvalue !== null && returnvalue !== 'null') {
        const r = JSON.parse(returnvalue) as JobReturn;
        pending.delete(id);
        done.push(id);
        onResult({ index: run.index, result: r.result, worker: r.worker });
      } else if (finishedOn !== null) {
        const why = (failedReason ?? 'no reason given').replace(/^SIM_ERR_\w+: /, '').replace(`run ${id}: `, '');
        throw new SimError('SIM_ERR_WORKER_FAILED', `run ${id} failed on a worker: ${why}`, { index: run.index });
      }
    });
    await Promise.all(done.map((id) => this.queue.remove(id).catch(() => 0)));
    return lost;
  }

  /**
   * Takes a sweep's runs off the queue (the dashboard's stop): a waiting run is removed, one that a
   * worker holds is left to finish and its result ignored. Best effort, bounded by COMMAND_MS.
   */
  async withdraw(sweep: string, indices: number[]): Promise<void> {
    const remove = Promise.all(indices.map((i) => this.queue.remove(jobId(sweep, i)).catch(() => 0)));
    await answered(remove, this.opts.commandMs ?? COMMAND_MS).catch(() => {});
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
