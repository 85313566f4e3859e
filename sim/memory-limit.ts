/**
 * The memory a run may use, one figure for the whole tool: the run estimate refuses scenarios over
 * it (estimate.ts), and each thread's event arena reserves room for as many pending events as it
 * allows (engine/queue.ts), so that a run which fits in memory never runs out of arena first.
 */
import { totalmem } from 'node:os';
import { SimError } from './errors.js';
import { tryParseSize } from './scenario/units.js';

/** Fraction of the machine's memory a run may use unless IMPP_SIM_MEMORY_LIMIT says otherwise. */
export const DEFAULT_MEMORY_FRACTION = 0.5;
/** The environment variable holding an explicit limit, e.g. `8GiB` or a number of bytes. */
export const MEMORY_LIMIT_ENV = 'IMPP_SIM_MEMORY_LIMIT';

export interface MemoryLimit {
  bytes: number;
  /** how the limit was chosen, for messages */
  source: string;
}

/**
 * The memory a run may use: IMPP_SIM_MEMORY_LIMIT (a size such as `8GiB`, or bytes) when set,
 * else DEFAULT_MEMORY_FRACTION of the machine's memory.
 */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env, machine = totalmem()): MemoryLimit {
  const v = env[MEMORY_LIMIT_ENV];
  if (v !== undefined && v.trim() !== '') {
    const r = tryParseSize(v.trim());
    if (!r.ok || !(r.value > 0)) {
      throw new SimError('SIM_ERR_BAD_OPTION', `the environment variable ${MEMORY_LIMIT_ENV} must be a size such as 8GiB or 500MB, got '${v}'`);
    }
    return { bytes: r.value, source: `${MEMORY_LIMIT_ENV}=${v.trim()}` };
  }
  return {
    bytes: Math.floor(machine * DEFAULT_MEMORY_FRACTION),
    source: `${DEFAULT_MEMORY_FRACTION * 100}% of this machine's ${fmtBytes(machine)}; set ${MEMORY_LIMIT_ENV} to change it`,
  };
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** Bytes as "1.5 GB" (decimal units, 3 significant digits). */
export function fmtBytes(n: number): string {
  const units: [string, number][] = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]];
  for (const [u, f] of units) if (n >= f) return `${round(n / f)} ${u}`;
  return `${Math.round(n)} B`;
}
