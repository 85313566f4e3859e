/**
 * One partition of a windowed run (conservative synchronous windows, YAWNS).
 *
 * Every partition repeats:
 *   1. publish min(next local event, earliest event sent this window) and its stop flag,
 *   2. barrier,
 *   3. drain incoming events; compute the global minimum T and the stop decision (the same
 *      numbers in every partition, so all agree without a second barrier),
 *   4. handle every local event with time < min(T + lookahead, until).
 * No event can arrive inside a window from elsewhere: an event sent at time t >= T lands at
 * t + delay >= T + lookahead. The window edges depend only on the global event set, never on
 * the partitioning, so a model's stop() takes effect at the same place for any worker count.
 */
import { availableParallelism } from 'node:os';
import { SimError } from '../errors.js';
import { Exchange } from './exchange.js';
import { Kernel } from './kernel.js';
import type { ModelInstance, ModelSpec } from './model.js';
import { Control } from './sync.js';
import type { TimerStats } from './timers.js';
import type { MessagePort } from 'node:worker_threads';

export interface PartitionTask<P> {
  modelModule: string;
  params: P;
  seed: number;
  until: number;
  partition: number;
  partitions: number;
  partitionOf: Int32Array;
  /** the window's length: the smallest lookahead over the links the partitioning cuts (parallel.ts windowLookahead) */
  windowLookahead?: number;
  /**
   * With LP groups the window depends on the worker count, so a model's stop() takes effect at
   * the first multiple of this grid (the model's lookahead between groups) after the stop
   * request, the same place for any worker count; 0: at the end of the window (no groups).
   */
  stopGrid?: number;
  control: SharedArrayBuffer;
  mailboxes: SharedArrayBuffer | null;
  mailboxCapacity: number;
  sendPorts: (MessagePort | null)[];
  recvPorts: (MessagePort | null)[];
  capacity?: number;
  /** live views: `partitions` arrays of `liveSize` Float64 slots, one per partition */
  live?: SharedArrayBuffer | null;
  liveSize?: number;
  /**
   * In-process runs only (a function does not cross to a worker): called between chunks about
   * every LIVE_EVERY_MS of wall time, after the live view is published, so that the caller can
   * report progress, judge live figures or request a stop while the run holds the thread.
   */
  onTick?: () => void;
}

/**
 * The longest a partition spins at the window barrier before it sleeps, in microseconds (the
 * barrier spins less when partners are late, sync.ts). With more partitions than cores a spinning
 * thread holds the core that the partition it waits for needs, so it sleeps at once (measured on
 * 2 cores, federation: 3 workers took 20 s spinning, a fraction of that sleeping).
 */
export function barrierSpinCapUs(partitions: number): number {
  return partitions <= availableParallelism() ? 20 : 0;
}

/** Events handled between two looks at the pause/stop flags and the live view. */
const CHUNK = 32_768;
/** Wall-clock milliseconds between two live-view publications. */
const LIVE_EVERY_MS = 100;

export interface PartitionResult<R> {
  partition: number;
  events: number;
  windows: number;
  clock: number;
  typeNames: string[];
  typeCounts: number[];
  sent: number;
  received: number;
  /** the most events this partition's heap held at once */
  pendingPeak: number;
  /** the partition's timer service figures, when the model created one */
  timers: TimerStats | null;
  stopReason: string | null;
  result: R;
}

export async function loadModel<P, R, F>(moduleUrl: string): Promise<ModelSpec<P, R, F>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl)) as Record<string, unknown>;
  } catch (e) {
    throw new SimError('SIM_ERR_MODEL', `cannot load model module ${moduleUrl}: ${(e as Error).message}`);
  }
  const spec = (mod.model ?? (mod.default as Record<string, unknown> | undefined)?.model ?? mod.default) as
    | ModelSpec<P, R, F>
    | undefined;
  if (!spec || typeof spec.create !== 'function' || typeof spec.lpCount !== 'function') {
    throw new SimError('SIM_ERR_MODEL', `module ${moduleUrl} does not export a model (expected \`export const model: ModelSpec\`)`);
  }
  return spec;
}

export async function runPartition<P, R>(task: PartitionTask<P>): Promise<PartitionResult<R>> {
  const spec = await loadModel<P, R, unknown>(task.modelModule);
  return runPartitionWith(spec, task);
}

export function runPartitionWith<P, R>(spec: ModelSpec<P, R, unknown>, task: PartitionTask<P>): PartitionResult<R> {
  const control = new Control(task.control, task.partitions, barrierSpinCapUs(task.partitions));
  try {
    return windowLoop(spec, task, control);
  } catch (e) {
    control.abort();
    throw e;
  }
}

function windowLoop<P, R>(spec: ModelSpec<P, R, unknown>, task: PartitionTask<P>, control: Control): PartitionResult<R> {
  const { params, partition: me, partitions: n, until } = task;
  const lpCount = spec.lpCount(params);
  const lookahead = spec.lookahead(params);
  const groups = spec.lpGroups?.(params);
  if (!(lookahead > 0)) {
    throw new SimError(
      'SIM_ERR_ZERO_LOOKAHEAD',
      `model '${spec.name}' declares lookahead ${lookahead}; windowed runs need the minimum delay between logical processes to be > 0`,
    );
  }
  let owned = 0;
  for (let i = 0; i < lpCount; i++) if (task.partitionOf[i] === me) owned++;
  const kernel = new Kernel({
    lpCount,
    seed: task.seed,
    lookahead,
    groupOf: groups?.groupOf,
    groupLookahead: groups?.lookahead,
    partitionOf: task.partitionOf,
    partition: me,
    capacity: task.capacity ?? spec.capacity?.(params, owned) ?? 1024,
  });
  try {
    return runKernel(spec, task, control, kernel, task.windowLookahead ?? lookahead);
  } finally {
    kernel.dispose();
  }
}

function runKernel<P, R>(
  spec: ModelSpec<P, R, unknown>,
  task: PartitionTask<P>,
  control: Control,
  kernel: Kernel,
  lookahead: number,
): PartitionResult<R> {
  const { params, partition: me, partitions: n, until } = task;
  const exchange =
    n > 1 && task.mailboxes !== null
      ? new Exchange(task.mailboxes, n, me, task.mailboxCapacity, task.sendPorts, task.recvPorts)
      : null;
  kernel.outbox = exchange;
  kernel.deferStop = true;
  const instance: ModelInstance<R> = spec.create(kernel, params);
  kernel.forEachOwnedLP((lp) => instance.init(lp));

  const liveSize = task.liveSize ?? 0;
  const liveView =
    task.live && liveSize > 0 && instance.publishLive ? new Float64Array(task.live, me * liveSize * 8, liveSize) : null;
  let lastLive = performance.now();
  const onTick = task.onTick;
  const publishLive = (force: boolean) => {
    if (liveView === null && onTick === undefined) return;
    const t = performance.now();
    if (!force && t - lastLive < LIVE_EVERY_MS) return;
    lastLive = t;
    if (liveView !== null) instance.publishLive!(liveView);
    if (onTick !== undefined && !force) onTick();
  };

  const f = control.f64;
  const prog = control.progressIndex(me);
  const grid = task.stopGrid ?? 0;
  let gridStop = Infinity;
  let parity = 0;
  let windows = 0;
  for (;;) {
    // 1. publish
    control.waitWhilePaused();
    const localMin = Math.min(kernel.nextTime(), kernel.minSent);
    const r = control.reduceIndex(parity, me);
    f[r] = localMin;
    // stop flag: -1 at once (the coordinator's request, or a model stop without a grid), else the
    // time of the model's stop request + 1 (0: none)
    f[r + 1] = control.stopRequested || (kernel.stopped && grid === 0) ? -1 : kernel.stopped ? kernel.stopTime + 1 : 0;
    f[r + 2] = kernel.events;
    f[r + 3] = kernel.now;
    if (exchange !== null) exchange.flush();
    // 2. barrier
    control.wait();
    // 3. drain and agree
    if (exchange !== null) exchange.drain(kernel);
    let gmin = Infinity;
    let stop = false;
    let stopAsked = Infinity;
    for (let p = 0; p < n; p++) {
      const rp = control.reduceIndex(parity, p);
      if (f[rp] < gmin) gmin = f[rp];
      const flag = f[rp + 1];
      if (flag < 0) stop = true;
      else if (flag > 0 && flag - 1 < stopAsked) stopAsked = flag - 1;
    }
    if (exchange !== null) exchange.nextWindow();
    parity ^= 1;
    kernel.minSent = Infinity;
    // (a grid stop: every event before the grid point after the earliest request is handled)
    gridStop = stopAsked === Infinity ? Infinity : (Math.floor(stopAsked / grid) + 1) * grid;
    if (stop || gmin >= until || gmin >= gridStop) break;
    // 4. handle the window
    // (in chunks, so that a long window still shows progress and obeys pause and stop; the
    // chunking does not change the order of events)
    // (and up to the coordinator's hold, when it paces the run in real time)
    const end = Math.min(gmin + lookahead, until, gridStop);
    for (;;) {
      const hold = control.hold;
      const stopAt = hold < end ? hold : end;
      const handled = kernel.run(stopAt, CHUNK);
      // at the hold the live view is published before the clock says the hold is reached, so a
      // coordinator that samples the run at its hold reads every event before it
      publishLive(handled < CHUNK && stopAt >= hold);
      f[prog] = kernel.events;
      f[prog + 1] = kernel.now;
      if (control.stopRequested || control.aborted) break;
      if (handled === CHUNK) {
        control.waitWhilePaused();
        continue;
      }
      if (stopAt >= end) break;
      // held inside the window: everything before the hold is done; wait for it to move
      control.waitWhileHeld(stopAt);
      control.waitWhilePaused();
    }
    windows++;
    f[prog + 2] = windows;
  }
  // (a grid stop ends every partition's clock at the grid point)
  if (gridStop < until && kernel.now < gridStop && !control.stopRequested) kernel.now = gridStop;
  if (until !== Infinity && kernel.now < until && !kernel.stopped && gridStop === Infinity && !control.stopRequested) kernel.now = until;
  f[prog] = kernel.events;
  f[prog + 1] = kernel.now;
  f[prog + 2] = windows;
  publishLive(true);
  const names = kernel.eventNames();
  return {
    partition: me,
    events: kernel.events,
    windows,
    clock: kernel.now,
    typeNames: names,
    typeCounts: Array.from(kernel.typeCounts),
    sent: exchange?.sent ?? 0,
    received: exchange?.received ?? 0,
    pendingPeak: kernel.pendingPeak,
    timers: kernel.timers?.stats ?? null,
    stopReason: kernel.stoppedBecause ?? (control.stopRequested ? 'stopped on request' : null),
    result: instance.finish(),
  };
}

