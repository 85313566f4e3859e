/**
 * Coordinator of a windowed run over piscina worker threads.
 *
 * LPs are split into `workers` partitions (contiguous blocks balanced by the model's LP weights),
 * one long-lived task per partition is submitted at once to a pool of exactly that many threads,
 * and the partitions synchronise through a SharedArrayBuffer barrier (sync.ts) and exchange events
 * through SharedArrayBuffer mailboxes (exchange.ts). With one worker the same window loop runs
 * in-process by default, so results are identical for 1..N workers by construction and by test.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { SimError, type SimErrorCode, SIM_ERRORS } from '../errors.js';
import { mailboxBytes, mailboxCapacity } from './exchange.js';
import { loadModel, runPartitionWith, type PartitionResult, type PartitionTask } from './partition.js';
import { runnableModule } from './paths.js';
import { Control } from './sync.js';
import type { WorkerFailure } from './worker.js';
import type { ModelSpec } from './model.js';
import { partitionOfRun, windowLookahead } from './partitioning.js';

export { partitionLPs, partitionOfRun, windowLookahead } from './partitioning.js';
import type { TimerStats } from './timers.js';

export interface RunOptions {
  /** number of partitions (worker threads); default 1 */
  workers?: number;
  seed: number;
  /** handle events with time < until (ms) */
  until: number;
  /** run a single partition on the calling thread (default true for 1 worker) */
  inProcess?: boolean;
  /** called about every `progressMs` with the slowest partition's clock and the total events */
  onProgress?: (p: Progress) => void;
  progressMs?: number;
  /** receives a handle to pause, resume or stop the run while it goes on */
  onStart?: (handle: RunHandle) => void;
  /** initial heap capacity per partition */
  capacity?: number;
  /** events per mailbox before the overflow path is used (default: sized from the worker count) */
  mailboxCapacity?: number;
}

export interface Progress {
  clock: number;
  events: number;
  windows: number;
  until: number;
}

export interface RunHandle {
  pause(): void;
  resume(): void;
  stop(): void;
  /** pace the run: handle no event at or after simulated time t until called again (Infinity = free) */
  hold(t: number): void;
  progress(): Progress;
  /** The model's live view summed over partitions (null when the model has none). */
  live(): Float64Array | null;
}

export interface RunOutcome<F> {
  model: string;
  workers: number;
  events: number;
  windows: number;
  clock: number;
  wallMs: number;
  eventsPerSec: number;
  eventCounts: Record<string, number>;
  crossPartitionEvents: number;
  /** the window of this run: the smallest lookahead over the links its partitioning cuts, ms */
  windowLookahead: number;
  /** the most events one partition's heap held at once (the largest over partitions) */
  pendingPeak: number;
  /** timer-service figures summed over partitions (pendingPeak: the sum of their peaks); null
   *  when the model set no timer service */
  timers: TimerStats | null;
  stopReason: string | null;
  result: F;
}

function checkOptions(opts: RunOptions): number {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new SimError('SIM_ERR_BAD_OPTION', `workers must be an integer between 1 and 256, got ${workers}`);
  }
  if (!Number.isFinite(opts.seed)) throw new SimError('SIM_ERR_BAD_OPTION', `seed must be a finite number, got ${opts.seed}`);
  if (!(opts.until > 0)) throw new SimError('SIM_ERR_BAD_OPTION', `until must be > 0 ms, got ${opts.until}`);
  return workers;
}

/** Path of the worker module as JavaScript (the compiled twin when running from sources). */
function workerFile(): string {
  const self = import.meta.url;
  const src = new URL(self.endsWith('.ts') ? './worker.ts' : './worker.js', self).href;
  return fileURLToPath(runnableModule(src));
}

/**
 * Runs the model exported by `modelModule` (a file URL or path of a module exporting `model`).
 */
function throttledProgress(everyMs: number, f: () => void): () => void {
  let last = performance.now();
  return () => {
    const t = performance.now();
    if (t - last < everyMs) return;
    last = t;
    f();
  };
}

export async function runModel<P, R, F>(modelModule: string, params: P, opts: RunOptions): Promise<RunOutcome<F>> {
  const workers = checkOptions(opts);
  const inProcess = opts.inProcess ?? workers === 1;
  const spec = await loadModel<P, R, F>(modelModule);
  const lpCount = spec.lpCount(params);
  const lookahead = spec.lookahead(params);
  if (!(lookahead > 0)) {
    throw new SimError(
      'SIM_ERR_ZERO_LOOKAHEAD',
      `model '${spec.name}' has lookahead ${lookahead}: the minimum delay between logical processes must be > 0 for a windowed run`,
    );
  }
  if (workers > lpCount) {
    throw new SimError('SIM_ERR_BAD_OPTION', `workers (${workers}) exceeds the number of logical processes (${lpCount}); use at most ${lpCount}`);
  }
  const groups = spec.lpGroups?.(params);
  const partitionOf = partitionOfRun(lpCount, workers, spec.lpWeight ? (lp) => spec.lpWeight!(params, lp) : undefined, groups);
  const window = windowLookahead(partitionOf, lookahead, groups);
  const controlBuf = Control.create(workers);
  const control = new Control(controlBuf, workers);
  const capacity = opts.mailboxCapacity ?? mailboxCapacity(workers);
  const mailboxes = workers > 1 ? new SharedArrayBuffer(mailboxBytes(workers, capacity)) : null;

  const liveSize = spec.liveSize?.(params) ?? 0;
  const liveBuf = liveSize > 0 ? new SharedArrayBuffer(workers * liveSize * 8) : null;
  const liveAll = liveBuf !== null ? new Float64Array(liveBuf) : null;
  const live = (): Float64Array | null => {
    if (liveAll === null) return null;
    const out = new Float64Array(liveSize);
    for (let p = 0; p < workers; p++) {
      const base = p * liveSize;
      for (let i = 0; i < liveSize; i++) out[i] += liveAll[base + i];
    }
    return out;
  };

  const progress = (): Progress => {
    let clock = Infinity;
    let events = 0;
    let windows = 0;
    for (let p = 0; p < workers; p++) {
      const i = control.progressIndex(p);
      events += control.f64[i];
      clock = Math.min(clock, control.f64[i + 1]);
      windows = Math.max(windows, control.f64[i + 2]);
    }
    return { clock: clock === Infinity ? 0 : clock, events, windows, until: opts.until };
  };
  opts.onStart?.({
    pause: () => control.setPaused(true),
    resume: () => control.setPaused(false),
    stop: () => control.requestStop(),
    hold: (t: number) => {
      // an in-process run holds this very thread: nothing could ever release the hold
      if (inProcess) throw new SimError('SIM_ERR_BAD_OPTION', 'hold (real-time pacing) needs a run in worker threads (inProcess: false)');
      control.setHold(t);
    },
    progress,
    live,
  });

  const t0 = performance.now();
  let results: PartitionResult<R>[];
  if (inProcess) {
    if (workers !== 1) throw new SimError('SIM_ERR_BAD_OPTION', 'inProcess runs need workers = 1');
    const task: PartitionTask<P> = {
      modelModule,
      params,
      seed: opts.seed,
      until: opts.until,
      partition: 0,
      partitions: 1,
      partitionOf,
      windowLookahead: window,
      stopGrid: groups !== undefined ? lookahead : 0,
      control: controlBuf,
      mailboxes: null,
      mailboxCapacity: 0,
      sendPorts: [null],
      recvPorts: [null],
      capacity: opts.capacity,
      live: liveBuf,
      liveSize,
      onTick: opts.onProgress !== undefined ? throttledProgress(opts.progressMs ?? 250, () => opts.onProgress!(progress())) : undefined,
    };
    results = [runPartitionWith(spec as ModelSpec<P, R, unknown>, task)];
  } else {
    results = await runOnPool<P, R>(modelModule, params, opts, workers, partitionOf, window, groups !== undefined ? lookahead : 0, controlBuf, control, mailboxes, capacity, progress, liveBuf, liveSize);
  }
  const wallMs = performance.now() - t0;
  opts.onProgress?.(progress());

  let events = 0;
  let windows = 0;
  let cross = 0;
  let clock = 0;
  const eventCounts: Record<string, number> = {};
  for (const r of results) {
    events += r.events;
    windows = Math.max(windows, r.windows);
    cross += r.sent;
    clock = Math.max(clock, r.clock);
    for (let i = 0; i < r.typeNames.length; i++) eventCounts[r.typeNames[i]] = (eventCounts[r.typeNames[i]] ?? 0) + r.typeCounts[i];
  }
  const stopReason = results.map((r) => r.stopReason).find((s) => s !== null) ?? null;
  const pendingPeak = Math.max(...results.map((r) => r.pendingPeak));
  return {
    model: spec.name,
    workers,
    events,
    windows,
    clock,
    wallMs,
    eventsPerSec: wallMs > 0 ? (events / wallMs) * 1000 : 0,
    eventCounts,
    crossPartitionEvents: cross,
    windowLookahead: window,
    pendingPeak,
    timers: sumTimerStats(results.map((r) => r.timers)),
    stopReason,
    result: spec.combine(
      results.map((r) => r.result),
      params,
    ),
  };
}

function sumTimerStats(parts: (TimerStats | null)[]): TimerStats | null {
  let sum: TimerStats | null = null;
  for (const t of parts) {
    if (t === null) continue;
    if (sum === null) sum = { ...t };
    else for (const k of Object.keys(t) as (keyof TimerStats)[]) sum[k] += t[k];
  }
  return sum;
}

async function runOnPool<P, R>(
  modelModule: string,
  params: P,
  opts: RunOptions,
  workers: number,
  partitionOf: Int32Array,
  window: number,
  stopGrid: number,
  controlBuf: SharedArrayBuffer,
  control: Control,
  mailboxes: SharedArrayBuffer | null,
  capacity: number,
  progress: () => Progress,
  liveBuf: SharedArrayBuffer | null,
  liveSize: number,
): Promise<PartitionResult<R>[]> {
  const runnable = runnableModule(modelModule);
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
    // a partition task lives as long as the run
    maxQueue: workers,
  });
  // one channel per ordered pair, for the rare window whose traffic overflows a mailbox
  const sendPorts: (MessagePort | null)[][] = [];
  const recvPorts: (MessagePort | null)[][] = [];
  for (let i = 0; i < workers; i++) {
    sendPorts.push(new Array<MessagePort | null>(workers).fill(null));
    recvPorts.push(new Array<MessagePort | null>(workers).fill(null));
  }
  for (let i = 0; i < workers; i++) {
    for (let j = 0; j < workers; j++) {
      if (i === j) continue;
      const ch = new MessageChannel();
      sendPorts[i][j] = ch.port1;
      recvPorts[j][i] = ch.port2;
    }
  }
  const timer =
    opts.onProgress !== undefined ? setInterval(() => opts.onProgress!(progress()), opts.progressMs ?? 250) : undefined;
  try {
    const partitionOfShared = new Int32Array(new SharedArrayBuffer(partitionOf.byteLength));
    partitionOfShared.set(partitionOf);
    const tasks = [];
    for (let p = 0; p < workers; p++) {
      const task: PartitionTask<P> = {
        modelModule: runnable,
        params,
        seed: opts.seed,
        until: opts.until,
        partition: p,
        partitions: workers,
        partitionOf: partitionOfShared,
        windowLookahead: window,
        stopGrid,
        control: controlBuf,
        mailboxes,
        mailboxCapacity: capacity,
        sendPorts: sendPorts[p],
        recvPorts: recvPorts[p],
        capacity: opts.capacity,
        live: liveBuf,
        liveSize,
      };
      const transferList = [...sendPorts[p], ...recvPorts[p]].filter((x): x is MessagePort => x !== null);
      tasks.push(
        pool.run(task, { transferList }).catch((e: Error) => {
          control.abort();
          return { failed: true, partition: p, code: 'SIM_ERR_WORKER_FAILED', message: e.message } as WorkerFailure;
        }),
      );
    }
    const out = (await Promise.all(tasks)) as (PartitionResult<R> | WorkerFailure)[];
    const failures = out.filter((r): r is WorkerFailure => (r as WorkerFailure).failed === true);
    if (failures.length > 0) {
      const root = failures.find((f) => f.code !== 'SIM_ERR_ABORTED') ?? failures[0];
      const code = (root.code in SIM_ERRORS ? root.code : 'SIM_ERR_WORKER_FAILED') as SimErrorCode;
      const msg = root.message.startsWith(`${code}: `) ? root.message.slice(code.length + 2) : root.message;
      throw new SimError(code, `partition ${root.partition}: ${msg}`, { partition: root.partition });
    }
    return out as PartitionResult<R>[];
  } finally {
    if (timer) clearInterval(timer);
    await pool.destroy();
  }
}
