/**
 * The options of a kernel (kernel.ts) and their checks: a bad option is refused with a SimError
 * naming it before anything is allocated.
 */
import { SimError } from '../errors.js';

/** Largest LP count for which key = lp * 2^32 + seq stays an exact float64. */
export const MAX_LPS = 1 << 21;

export interface KernelOptions {
  /** number of logical processes */
  lpCount: number;
  /** run seed; each LP's stream derives from it */
  seed: number;
  /**
   * Minimum delay of any event sent from one LP to another. When > 0 the kernel rejects events
   * to another LP with a smaller delay, in every mode, so a model that would break a parallel
   * run also fails a sequential one, with the same message.
   */
  lookahead?: number;
  /**
   * LP groups (a domain's nodes): an event between two LPs of group g needs at least
   * groupLookahead[g], one between groups `lookahead` (model.ts LpGroups).
   */
  groupOf?: Int32Array;
  groupLookahead?: Float64Array;
  /** initial capacity of the event heap */
  capacity?: number;
  /** LP -> partition map; absent for a sequential run */
  partitionOf?: Int32Array;
  /** this kernel's partition (with partitionOf) */
  partition?: number;
}

/** Checks the options; returns the LP count and the lookahead (0 when absent). */
export function checkKernelOptions(opts: KernelOptions): { lpCount: number; lookahead: number } {
  const { lpCount } = opts;
  if (!Number.isInteger(lpCount) || lpCount < 1) {
    throw new SimError('SIM_ERR_BAD_OPTION', `lpCount must be an integer >= 1, got ${lpCount}`);
  }
  if (lpCount > MAX_LPS) {
    throw new SimError(
      'SIM_ERR_TOO_MANY_LPS',
      `the model has ${lpCount} logical processes; the kernel orders events by (time, LP, seq) exactly up to ${MAX_LPS} LPs`,
    );
  }
  const lookahead = opts.lookahead ?? 0;
  if (!(lookahead >= 0) || !Number.isFinite(lookahead)) {
    throw new SimError('SIM_ERR_BAD_OPTION', `lookahead must be a finite number >= 0, got ${lookahead}`);
  }
  if (opts.groupOf !== undefined) {
    if (opts.groupOf.length !== lpCount || opts.groupLookahead === undefined) {
      throw new SimError('SIM_ERR_BAD_OPTION', `groupOf must give a group for each of the ${lpCount} LPs, with groupLookahead per group`);
    }
    for (let i = 0; i < opts.groupLookahead.length; i++) {
      const x = opts.groupLookahead[i];
      if (!(x > 0) || !Number.isFinite(x)) throw new SimError('SIM_ERR_BAD_OPTION', `the lookahead inside LP group ${i} must be a finite number > 0, got ${x}`);
    }
  }
  return { lpCount, lookahead };
}
