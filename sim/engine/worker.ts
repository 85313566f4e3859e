/**
 * Piscina worker entry: a thin adapter that runs one partition task (see partition.ts).
 * Errors are returned as data, after raising the shared abort flag, so the coordinator can tell
 * the partition that failed from the ones that were released by the abort.
 */
import { runPartition, type PartitionResult, type PartitionTask } from './partition.js';
import { isSimError } from '../errors.js';

export interface WorkerFailure {
  failed: true;
  partition: number;
  code: string;
  message: string;
  stack?: string;
}

export default async function partitionTask(
  task: PartitionTask<unknown>,
): Promise<PartitionResult<unknown> | WorkerFailure> {
  try {
    return await runPartition(task);
  } catch (e) {
    const err = e as Error;
    return {
      failed: true,
      partition: task.partition,
      code: isSimError(e) ? e.code : 'SIM_ERR_WORKER_FAILED',
      message: err?.message ?? String(e),
      stack: err?.stack,
    };
  } finally {
    for (const p of task.sendPorts) p?.close();
    for (const p of task.recvPorts) p?.close();
  }
}
