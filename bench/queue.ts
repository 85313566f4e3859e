/**
 * `npm run bench -- queue [--runs N] [--repeat R] [--json FILE]`: what the BullMQ queue costs. It
 * starts its own redis-server on a free loopback port (no persistence; stopped at the end) and
 * `impp-sim worker` processes, then times, best of R rounds:
 *
 *   overhead  BullMQ's own cost per job: 10 N no-op jobs added at once and consumed by one
 *             in-process worker, until every one has completed; and the time a worker takes to
 *             validate a run's payload (readRunJob: the schema and the memory estimate)
 *   sweep     office users=2000,3000 x 2 replications x 1 h on two local threads and on two queue
 *             workers: the wall times side by side
 *
 * Figures only; nothing passes or fails. Needs redis-server (apt-get install redis-server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../sim/scenario/index.js';
import { LocalExecutor, type RunExecutor } from '../sim/toolkit/executor.js';
import { Queue, Worker } from 'bullmq';
import { QueueExecutor } from '../sim/toolkit/queue/executor.js';
import { readRunJob, toRunJob } from '../sim/toolkit/queue/job.js';
import { parseQueueAddress, type RedisConnection } from '../sim/toolkit/queue/url.js';
import { runSweep } from '../sim/toolkit/sweep.js';
import type { SweepParam } from '../sim/toolkit/ranges.js';
import { writeBenchJson } from './environment.js';

const CLI = fileURLToPath(new URL('../sim/cli.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function started(p: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((res, rej) => {
    let out = '';
    const on = (d: Buffer) => {
      out += d;
      if (pattern.test(out)) res();
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.once('exit', (code) => rej(new Error(`${what} exited (${code}): ${out}`)));
  });
}

async function best(repeat: number, f: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

/** BullMQ's own cost per job: `jobs` no-op jobs added at once and consumed by one in-process worker. */
async function bullmqPerJob(connection: RedisConnection, jobs: number, repeat: number): Promise<number> {
  const name = 'impp-sim-bench';
  const queue = new Queue(name, { connection });
  let done = 0;
  const worker = new Worker(name, async () => ++done, { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: 1 });
  try {
    const ms = await best(repeat, async () => {
      done = 0;
      await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } })));
      while (done < jobs) await new Promise((r) => setTimeout(r, 5));
    });
    return ms / jobs;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const sweepOn = (executor: RunExecutor, sc: ReturnType<typeof loadScenario>, params: SweepParam[], replications: number) => runSweep(sc, { params, replications, executor });

export async function benchQueue(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { runs: { type: 'string' }, repeat: { type: 'string' }, json: { type: 'string' } } });
  const runs = Number(values.runs ?? 100);
  const repeat = Number(values.repeat ?? 5);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(repeat) || repeat < 1) throw new Error('--runs and --repeat must be integers >= 1');
  const port = await freePort();
  const children: ChildProcess[] = [];
  try {
    const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(redis);
    await started(redis, /Ready to accept connections/, 'redis-server');
    const url = `redis://127.0.0.1:${port}`;
    const workers = [0, 1].map((i) => spawn(process.execPath, [CLI, 'worker', '--queue', url, '--quiet', '--name', `bench-${i}`], { stdio: ['ignore', 'pipe', 'pipe'] }));
    children.push(...workers);
    await Promise.all(workers.map((w, i) => started(w, /consuming runs/, `worker ${i}`)));
    const queue = new QueueExecutor(parseQueueAddress(url));
    const perJob = await bullmqPerJob(parseQueueAddress(url).connection, runs * 10, repeat);
    const tiny = loadScenario('office', ['domains[0].users=20', 'duration=10s']);
    const job = JSON.parse(JSON.stringify(toRunJob('bench', 0, { scenario: tiny, seed: 1, thresholds: [], keepReport: false })));
    for (let i = 0; i < 50; i++) readRunJob(job);
    const v0 = performance.now();
    for (let i = 0; i < runs; i++) readRunJob(job);
    const validateMs = (performance.now() - v0) / runs;
    const office = loadScenario('office', ['duration=1h']);
    const p2: SweepParam[] = [{ path: 'users', values: [2000, 3000] }];
    const localSweep = await best(repeat, () => sweepOn(new LocalExecutor(2), office, p2, 2));
    const queuedSweep = await best(repeat, () => sweepOn(queue, office, p2, 2));
    await queue.close();
    const out = {
      benchmark: 'queue',
      params: { runs, repeat },
      overhead: { jobs: runs * 10, bullmqPerJobMs: r2(perJob), validatePerJobMs: r2(validateMs) },
      sweep: { runs: 4, localMs: Math.round(localSweep), queuedMs: Math.round(queuedSweep) },
    };
    console.log(`queue overhead: BullMQ ${out.overhead.bullmqPerJobMs} ms per job (${runs * 10} no-op jobs added, run by one consumer, completed; best of ${repeat}), validating a run's payload ${out.overhead.validatePerJobMs} ms`);
    console.log(`sweep office users=2000,3000 x 2 x 1h: 2 local threads ${out.sweep.localMs} ms, 2 queue workers ${out.sweep.queuedMs} ms (best of ${repeat})`);
    if (values.json) writeBenchJson(values.json, out);
    return 0;
  } finally {
    for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  }
}
