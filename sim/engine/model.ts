/**
 * How a model plugs into the kernel (the kernel never interprets an event; cf. ROSS `tw_lptype`).
 *
 * A model module exports `model: ModelSpec`. The runner imports the module in every partition (the
 * main thread for one partition, each piscina worker otherwise), builds a kernel for the
 * partition's LPs, calls `create`, then `init(lp)` for each owned LP, runs, and calls `finish`.
 * The coordinator merges the partitions' results with `combine`, in partition order.
 */
import type { Kernel } from './kernel.js';

export interface ModelInstance<R> {
  /** Schedules the initial events of LP `lp` (kernel.lp is `lp`, kernel.now is 0). */
  init(lp: number): void;
  /** Summary of this partition after the run; must be structured-cloneable. */
  finish(): R;
  /**
   * Writes this partition's live figures into `out` (length `liveSize(params)`), called between
   * windows a few times per second of wall-clock time. The coordinator sums the partitions'
   * arrays slot by slot, so a figure owned by one LP is written by its partition and left 0 by
   * the others.
   */
  publishLive?(out: Float64Array): void;
}

export interface LpGroups {
  /** per LP: its group */
  groupOf: Int32Array;
  /** per group: the minimum delay between two of its LPs, ms (> 0) */
  lookahead: Float64Array;
}

export interface ModelSpec<P, R, F> {
  readonly name: string;
  lpCount(params: P): number;
  /** Minimum delay of any event sent from one LP to another, in ms (between groups, when the model has groups). */
  lookahead(params: P): number;
  /**
   * A second, finer level (optional): LPs in groups (a domain's server nodes), and per group the
   * minimum delay of an event between two of its LPs. The kernel enforces both levels in every
   * mode; a run's window is the minimum over the levels its partitioning cuts (parallel.ts).
   */
  lpGroups?(params: P): LpGroups | undefined;
  /** Relative work of an LP, used to balance partitions (default 1 each). */
  lpWeight?(params: P, lp: number): number;
  /** Initial heap capacity hint for one partition. */
  capacity?(params: P, ownedLPs: number): number;
  /** Number of Float64 slots of the live view (see ModelInstance.publishLive); 0 or absent: none. */
  liveSize?(params: P): number;
  create(kernel: Kernel, params: P): ModelInstance<R>;
  combine(parts: R[], params: P): F;
}
