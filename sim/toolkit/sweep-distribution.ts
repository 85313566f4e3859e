/**
 * The `sweep` options that decide where a sweep runs and where its results are kept: --queue,
 * --resume, --data, --no-history, --export, --image, --collect (docs/toolkit.md). cli.ts parses
 * them with the other options and asks `distributedSweep` what to do.
 */
import type { Scenario } from '../scenario/types.js';
import { collectSweep, exportSweep, type ExportKind } from './cluster.js';
import { DEFAULT_DATA_DIR, type StoredSweepPlan } from './history.js';
import { queueAddressFrom, QUEUE_ENV } from './queue/url.js';
import type { SweepResult } from './sweep.js';
import { resumeSweepSession, runSweepSession, type SweepSession } from './sweep-session.js';
import { SimError } from '../errors.js';

export const SWEEP_DISTRIBUTION_OPTIONS = {
  queue: { type: 'string' },
  resume: { type: 'string' },
  data: { type: 'string' },
  'no-history': { type: 'boolean' },
  export: { type: 'string' },
  image: { type: 'string' },
  collect: { type: 'string' },
} as const;

export const DISTRIBUTED_SWEEP_USAGE = `      --queue URL            run on queue workers (impp-sim worker) instead of local threads
                             [$${QUEUE_ENV}]; redis://[:PASSWORD@]HOST:PORT[/DB]
      --data DIR             the history each result is recorded in as it arrives [${DEFAULT_DATA_DIR}]
      --no-history           record nothing (and no --resume)
      --resume ID            run what sweep ID (of the history) has not finished; no scenario or --param
      --export k8s|slurm DIR write the runs to DIR (a shared folder) with an indexed Kubernetes Job
                             (job.yaml) or a Slurm array script (sweep.sbatch); each index runs
                             impp-sim point DIR
      --image IMAGE          the container image of the Kubernetes Job [impp-sim:latest]
      --collect DIR          merge an exported sweep's results into the report and the history
`;

interface DistributionValues {
  queue?: string;
  resume?: string;
  data?: string;
  'no-history'?: boolean;
  export?: string;
  image?: string;
  collect?: string;
}

export interface DistributedSweep {
  /** set when the sweep comes from the history or an export folder, not from a scenario */
  standalone: '--resume' | '--collect' | null;
  /** set with --export: writes the folder, prints what to do, returns the exit status */
  exports: ((scenario: Scenario, options: StoredSweepPlan['options']) => number) | null;
  run(fresh: { scenario: Scenario; options: StoredSweepPlan['options'] } | null): Promise<SweepResult>;
}

const usage = (m: string) => new SimError('SIM_ERR_CLI_USAGE', m);

/** `--export KIND DIR` takes two words: joined here into `--export KIND=DIR` before parseArgs. */
export function joinExportWords(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--export' && i + 2 < args.length && !args[i + 1].startsWith('-') && !args[i + 2].startsWith('-')) {
      out.push('--export', `${args[i + 1]}=${args[i + 2]}`);
      i += 2;
    } else out.push(args[i]);
  }
  return out;
}

export function distributedSweep(values: DistributionValues, ctx: { parallel: number; onProgress?: SweepSession['onProgress'] }): DistributedSweep {
  const chosen = (['resume', 'collect', 'export'] as const).filter((k) => values[k] !== undefined);
  if (chosen.length > 1) throw usage(`--${chosen[0]} and --${chosen[1]} cannot go together`);
  let kind: ExportKind | null = null;
  let exportDir = '';
  if (values.export !== undefined) {
    const parts = values.export.split(/=(.*)/s).slice(0, 2);
    if (parts.length !== 2 || (parts[0] !== 'k8s' && parts[0] !== 'slurm') || parts[1] === '') throw usage(`--export needs k8s or slurm and a folder: --export k8s DIR, got '${values.export.replace('=', ' ')}'`);
    kind = parts[0];
    exportDir = parts[1];
  }
  if (values.image !== undefined && kind !== 'k8s') throw usage('--image goes with --export k8s DIR');
  const queue = queueAddressFrom(values.queue);
  if (queue !== null && (kind !== null || values.collect !== undefined)) throw usage(`--queue (or ${QUEUE_ENV}) cannot go with --export or --collect`);
  const dataDir = values['no-history'] ? null : (values.data ?? DEFAULT_DATA_DIR);
  const session: SweepSession = { queue, parallel: ctx.parallel, dataDir, onProgress: ctx.onProgress, log: (line) => process.stderr.write(`impp-sim sweep: ${line}\n`) };
  return {
    standalone: values.resume !== undefined ? '--resume' : values.collect !== undefined ? '--collect' : null,
    exports:
      kind === null
        ? null
        : (scenario, options) => {
            const out = exportSweep(kind, exportDir, scenario, options, values.image);
            console.log(`sweep ${out.id}: ${out.runs} run(s) written to ${exportDir}; submit ${out.file}, then: impp-sim sweep --collect ${exportDir}`);
            return 0;
          },
    run: async (fresh) => {
      if (values.collect !== undefined) return collectSweep(values.collect, dataDir);
      if (values.resume !== undefined) return resumeSweepSession(session, values.resume);
      return runSweepSession(session, fresh!.scenario, fresh!.options);
    },
  };
}
