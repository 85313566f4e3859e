/**
 * `npm run bench -- queue [--runs N] [--repeat R] [--json FILE]`: what the BullMQ queue costs. It
 * starts its own redis-server on a free loopback port (no persistence; stopped at the end) and
 * `impp-sim worker` processes, then times, best of R rounds:
 *
 *   overhead  N and 2N tiny runs (office, 20 users, 10 simulated s) on one local thread and on one
 *             queue worker (concurrency 1): the time of the extra N runs, divided by N, is the
 *             cost of a run each way (fixed costs such as starting the local pool cancel out);
 *             the difference is the queue's cost per job
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
import { QueueExecutor } from '../sim/toolkit/queue/executor.js';
import { parseQueueAddress } from '../sim/toolkit/queue/url.js';
import { runSweep } from '../sim/toolkit/sweep.js';
import type { Scenario } from '../sim/scenario/types.js';
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

const r2 = (x: number) => Math.round(x * 100) / 100;
const sweepOn = (executor: RunExecutor, sc: Scenario, params: SweepParam[], replications: number) => runSweep(sc, { params, replications, executor });

export async function benchQueue(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { runs: { type: 'string' }, repeat: { type: 'string' }, json: { type: 'string' } } });
  const runs = Number(values.runs ?? 100);
  const repeat = Number(values.repeat ?? 3);
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
    const tiny = loadScenario('office', ['domains[0].users=20', 'duration=10s']);
    // the overhead round needs one consumer: stop the second worker first
    workers[1].kill('SIGTERM');
    await new Promise((r) => workers[1].once('exit', r));
    const p1: SweepParam[] = [{ path: 'users', values: [20] }];
    const slope = async (executor: () => RunExecutor) => {
      const one = await best(repeat, () => sweepOn(executor(), tiny, p1, runs));
      const two = await best(repeat, () => sweepOn(executor(), tiny, p1, 2 * runs));
      return (two - one) / runs;
    };
    const localPerRun = await slope(() => new LocalExecutor(1));
    const queuedPerRun = await slope(() => queue);
    const second = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--quiet', '--name', 'bench-1b'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(second);
    await started(second, /consuming runs/, 'worker 1b');
    const office = loadScenario('office', ['duration=1h']);
    const p2: SweepParam[] = [{ path: 'users', values: [2000, 3000] }];
    const localSweep = await best(repeat, () => sweepOn(new LocalExecutor(2), office, p2, 2));
    const queuedSweep = await best(repeat, () => sweepOn(queue, office, p2, 2));
    await queue.close();
    const out = {
      benchmark: 'queue',
      params: { runs, repeat },
      overhead: { runs, localPerRunMs: r2(localPerRun), queuedPerRunMs: r2(queuedPerRun), perJobMs: r2(queuedPerRun - localPerRun) },
      sweep: { runs: 4, localMs: Math.round(localSweep), queuedMs: Math.round(queuedSweep) },
    };
    console.log(`queue overhead: a tiny run takes ${out.overhead.localPerRunMs} ms on a local thread, ${out.overhead.queuedPerRunMs} ms through the queue: ${out.overhead.perJobMs} ms per job (from ${runs} and ${2 * runs} runs, best of ${repeat})`);
    console.log(`sweep office users=2000,3000 x 2 x 1h: 2 local threads ${out.sweep.localMs} ms, 2 queue workers ${out.sweep.queuedMs} ms (best of ${repeat})`);
    if (values.json) writeBenchJson(values.json, out);
    return 0;
  } finally {
    for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  }
}
