/**
 * `impp-sim worker --queue redis://HOST:PORT [--concurrency N] [--lease D] [--name NAME]`: consumes
 * runs from the queue until stopped. Each run executes on a thread of a piscina pool (the same
 * worker file as local sweeps), so this process's event loop stays free to renew the run's lease;
 * a worker killed mid-run stops renewing it and, once the lease has expired, another worker takes
 * the run over (BullMQ's stalled-job check, up to MAX_TAKEOVERS times per run).
 *
 * Every job is read back with readRunJob before it runs: a job from another version of impp-sim
 * or Node, or with a payload that is not a valid run, fails for good with the reason, which the
 * coordinator reports. Ctrl-C (SIGINT) or SIGTERM lets the runs in progress finish, then exits;
 * a second one hands them back to the queue at once for another worker.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Piscina } from 'piscina';
import { SimError } from '../../errors.js';
import { parseDuration } from '../../scenario/units.js';
import { replicationWorkerFile, replicationError } from '../executor.js';
import type { ReplicationFailure, ReplicationResult } from '../sweep-worker.js';
import { QUEUE_NAME, type JobReturn } from './executor.js';
import { readRunJob } from './job.js';
import { queueAddressFrom, QUEUE_ENV, type QueueAddress } from './url.js';
import { buildVersion } from './version.js';

const MAX_TAKEOVERS = 5;

export const WORKER_USAGE = `  worker --queue redis://HOST:PORT [options]
                             run sweeps' and sizings' runs from the queue until stopped (Ctrl-C: finish
                             the runs in progress; twice: hand them back)
      --queue URL            the Redis queue [$${QUEUE_ENV}]; redis://[:PASSWORD@]HOST:PORT[/DB]
      --concurrency N        runs at once, one thread each [1]
      --lease D              a run whose worker is silent this long goes to another worker [30s]
      --name NAME            shown in reports as the run's worker [host:pid]
      --quiet                no line per run
`;

const usage = (m: string) => new SimError('SIM_ERR_CLI_USAGE', m);

interface WorkerOptions {
  address: QueueAddress;
  concurrency: number;
  lease: number;
  name: string;
  quiet: boolean;
}

function workerOptions(args: string[]): WorkerOptions {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { queue: { type: 'string' }, concurrency: { type: 'string' }, lease: { type: 'string' }, name: { type: 'string' }, quiet: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw usage(`worker takes no positional argument, got '${positionals[0]}'`);
  const address = queueAddressFrom(values.queue);
  if (address === null) throw usage(`worker needs --queue redis://HOST:PORT (or ${QUEUE_ENV})`);
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw usage(`--concurrency must be an integer from 1 to 256, got '${values.concurrency}'`);
  let lease = 30_000;
  if (values.lease !== undefined) {
    try {
      lease = parseDuration(values.lease, '--lease');
    } catch (e) {
      throw usage((e as Error).message.replace(/^SIM_ERR_\w+: /, ''));
    }
    if (!(lease >= 1000 && lease <= 3_600_000)) throw usage(`--lease must be from 1s to 1h, got '${values.lease}'`);
  }
  const name = values.name ?? `${hostname()}:${process.pid}`;
  if (!/^[\w.:@-]{1,100}$/.test(name)) throw usage(`--name: letters, digits and . : @ - _ only (1 to 100), got '${name.slice(0, 100)}'`);
  return { address, concurrency, lease, name, quiet: values.quiet === true };
}

/** Resolves once the worker has closed: the first SIGINT/SIGTERM closes it, a second hands the runs back. */
function untilStopped(close: () => Promise<void>, handBack: () => void, inProgress: () => number, say: (line: string) => void): Promise<void> {
  let stops = 0;
  return new Promise<void>((resolve) => {
    const stop = () => {
      stops++;
      if (stops === 1) {
        const n = inProgress();
        say(n > 0 ? `stopping after the ${n} run(s) in progress (Ctrl-C again hands them back to the queue)` : 'stopping');
        void close().then(resolve, resolve);
      } else if (stops === 2) handBack();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function workerCommand(args: string[]): Promise<number> {
  const { address, concurrency, lease, name, quiet } = workerOptions(args);
  const say = (line: string) => process.stderr.write(`impp-sim worker ${name}: ${line}\n`);
  const version = buildVersion();

  const pool = new Piscina({ filename: replicationWorkerFile(), minThreads: concurrency, maxThreads: concurrency, concurrentTasksPerWorker: 1 });
  const inFlight = new Map<string, AbortController>();
  let handingBack = false;

  const processor = async (job: Job, token?: string): Promise<JobReturn> => {
    let task;
    try {
      task = readRunJob(job.data);
    } catch (e) {
      const why = (e as Error).message.replace(/^SIM_ERR_\w+: /, '');
      say(`refused ${why}`); // why starts with the run's label
      throw new UnrecoverableError(why);
    }
    const ac = new AbortController();
    inFlight.set(job.id!, ac);
    const t0 = performance.now();
    if (!quiet) say(`started ${job.id} (seed ${task.seed})`);
    try {
      const r = (await pool.run(task, { signal: ac.signal })) as ReplicationResult | ReplicationFailure;
      if (!r.ok) throw new UnrecoverableError(replicationError(r).message);
      if (!quiet) say(`ran ${job.id} (seed ${task.seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return { result: r, worker: name };
    } catch (e) {
      if (handingBack && ac.signal.aborted) {
        await job.moveToWait(token);
        say(`handed ${job.id} back to the queue`);
        throw new WaitingError();
      }
      throw e;
    } finally {
      inFlight.delete(job.id!);
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: { ...address.connection, maxRetriesPerRequest: null },
    concurrency,
    lockDuration: lease,
    stalledInterval: lease,
    maxStalledCount: MAX_TAKEOVERS,
    name,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (e) => {
    // ioredis repeats a connection error on every retry: say it once until it changes
    if (e.message !== lastError) say(`queue ${address.shown}: ${e.message}`);
    lastError = e.message;
  });
  worker.on('ready', () => {
    if (lastError !== '') say(`queue ${address.shown} reachable again`);
    lastError = '';
  });

  const closed = untilStopped(
    () => worker.close(),
    () => {
      handingBack = true;
      for (const ac of inFlight.values()) ac.abort();
    },
    () => inFlight.size,
    say,
  );
  say(`consuming runs from ${address.shown} (queue ${QUEUE_NAME}), ${concurrency} at once, lease ${lease / 1000} s; impp-sim ${version.project} (code ${version.code}), Node ${version.node}`);
  void worker.run().catch((e: Error) => say(`stopped: ${e.message}`));
  await closed;
  await pool.destroy();
  say('stopped');
  return 0;
}
