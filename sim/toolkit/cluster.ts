/**
 * Sweeps on clusters without a broker: `sweep --export k8s|slurm DIR` writes the sweep's runs to
 * DIR (on a folder every node shares) with an indexed Kubernetes Job (job.yaml; the pod's
 * JOB_COMPLETION_INDEX picks the run) or a Slurm array script (sweep.sbatch; SLURM_ARRAY_TASK_ID).
 * Each index runs `impp-sim point DIR`, which validates its run like a queued one (job.ts: same
 * version, a valid scenario) and writes DIR/results/K.json. `sweep --collect DIR` merges the
 * results into the sweep's report and records it in the history.
 *
 *   DIR/sweep.json      the sweep: id, plan (scenario and options), number of runs
 *   DIR/runs/K.json     run K as a job (job.ts)
 *   DIR/results/K.json  its result, written by whoever ran it (written whole, then renamed)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SimError } from '../errors.js';
import { checkRunFits } from '../estimate.js';
import type { Scenario } from '../scenario/types.js';
import type { RunOutcome } from './executor.js';
import { planScenario, storedPlan, SweepHistory, type StoredSweepPlan } from './history.js';
import { readRunJob, toRunJob } from './queue/job.js';
import { buildVersion, versionMismatch } from './queue/version.js';
import { assembleSweep, newSweepId, planSweep, type SweepResult } from './sweep.js';
import { runReplication, type ReplicationResult } from './sweep-worker.js';

export type ExportKind = 'k8s' | 'slurm';
const FORMAT = 1;

interface ExportedSweep {
  format: typeof FORMAT;
  id: string;
  kind: ExportKind;
  runs: number;
  plan: StoredSweepPlan;
}

const usage = (m: string) => new SimError('SIM_ERR_CLI_USAGE', m);

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw usage(`${what} ${file} cannot be read: ${(e as Error).message}`);
  }
}

function readExport(dir: string): ExportedSweep {
  const s = readJson(join(dir, 'sweep.json'), 'the exported sweep') as Partial<ExportedSweep>;
  if (s?.format !== FORMAT || typeof s.id !== 'string' || !Number.isInteger(s.runs) || typeof s.plan !== 'object') throw usage(`${join(dir, 'sweep.json')} is not a sweep written by sweep --export`);
  return s as ExportedSweep;
}

/** The folder of the project (for the Slurm script's node command). */
function cliFile(): string {
  const self = new URL(import.meta.url);
  const file = self.pathname.endsWith('.ts') ? new URL('../../dist/sim/cli.js', self) : new URL('../cli.js', self);
  return resolve(decodeURIComponent(file.pathname));
}

const mib = (bytes: number) => Math.max(256, Math.ceil((bytes * 1.25) / 2 ** 20));

function k8sJob(e: ExportedSweep, dir: string, image: string, memMiB: number): string {
  const name = `impp-sim-${e.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  return `# impp-sim sweep ${e.id}: ${e.runs} run(s), one per completion index (JOB_COMPLETION_INDEX).
# ${dir} must be the same shared folder in every pod (the PersistentVolumeClaim below), and the image
# must hold the same impp-sim build (a pod refuses a run of another version) with impp-sim on PATH.
#   kubectl apply -f ${join(dir, 'job.yaml')}
#   impp-sim sweep --collect ${dir}      # once every index has completed
apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  labels:
    app: impp-sim
spec:
  completionMode: Indexed
  completions: ${e.runs}
  parallelism: ${Math.min(e.runs, 64)}
  backoffLimitPerIndex: 2
  template:
    metadata:
      labels:
        app: impp-sim
    spec:
      restartPolicy: Never
      containers:
        - name: run
          image: ${JSON.stringify(image)}
          command: ["impp-sim", "point", ${JSON.stringify(dir)}]
          resources:
            requests:
              cpu: "1"
              memory: ${memMiB}Mi
          volumeMounts:
            - name: shared
              mountPath: ${JSON.stringify(dir)}
      volumes:
        - name: shared
          persistentVolumeClaim:
            claimName: impp-sim-shared
`;
}

function slurmScript(e: ExportedSweep, dir: string, memMiB: number): string {
  return `#!/bin/bash
# impp-sim sweep ${e.id}: ${e.runs} run(s), one per array task (SLURM_ARRAY_TASK_ID).
# ${dir} and this checkout must be on a filesystem every node shares.
#   sbatch ${join(dir, 'sweep.sbatch')}
#   impp-sim sweep --collect ${dir}      # once every task has finished
#SBATCH --job-name=impp-sim-${e.id}
#SBATCH --array=0-${e.runs - 1}
#SBATCH --cpus-per-task=1
#SBATCH --mem=${memMiB}M
#SBATCH --output=${join(dir, 'logs', '%a.out')}
set -euo pipefail
exec node ${JSON.stringify(cliFile())} point ${JSON.stringify(dir)}
`;
}

/** Writes the sweep's runs and the cluster file to `dir`; returns the file to submit. */
export function exportSweep(kind: ExportKind, dirArg: string, scenario: Scenario, options: StoredSweepPlan['options'], image?: string): { file: string; id: string; runs: number } {
  const dir = resolve(dirArg);
  if (existsSync(join(dir, 'sweep.json'))) throw usage(`--export ${dirArg}: it already holds an exported sweep; give an empty folder`);
  const plan = planSweep(scenario, { ...options }, 1);
  const id = newSweepId();
  const version = buildVersion();
  const e: ExportedSweep = { format: FORMAT, id, kind, runs: plan.runs.length, plan: storedPlan(version, scenario, options) };
  for (const sub of ['runs', 'results', ...(kind === 'slurm' ? ['logs'] : [])]) mkdirSync(join(dir, sub), { recursive: true });
  for (const r of plan.runs) writeFileSync(join(dir, 'runs', `${r.index}.json`), JSON.stringify(toRunJob(id, r.index, r.task, version)));
  writeFileSync(join(dir, 'sweep.json'), `${JSON.stringify(e, null, 2)}\n`);
  const memMiB = mib(Math.max(...plan.scenarios.map((sc) => checkRunFits(sc, { workers: 1, duration: plan.duration }).bytes)));
  const file = join(dir, kind === 'k8s' ? 'job.yaml' : 'sweep.sbatch');
  writeFileSync(file, kind === 'k8s' ? k8sJob(e, dir, image ?? 'impp-sim:latest', memMiB) : slurmScript(e, dir, memMiB), { mode: kind === 'slurm' ? 0o755 : 0o644 });
  return { file, id, runs: plan.runs.length };
}

const INDEX_VARS = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

export const POINT_USAGE = `  point DIR [--index K]      run index K of a sweep written by sweep --export (K from --index,
                             $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID); writes DIR/results/K.json
`;

/** `impp-sim point DIR [--index K]`: runs one index of an exported sweep. */
export async function pointCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { index: { type: 'string' }, quiet: { type: 'boolean' } } });
  if (positionals.length !== 1) throw usage('point needs exactly one DIR (written by sweep --export)');
  const dir = resolve(positionals[0]);
  const e = readExport(dir);
  const from = values.index !== undefined ? '--index' : INDEX_VARS.find((v) => env[v] !== undefined);
  const text = values.index ?? (from ? env[from] : undefined);
  if (text === undefined) throw usage(`point needs --index K, or ${INDEX_VARS.join(' or ')} set`);
  const k = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(k) || k >= e.runs) throw usage(`${from}: the index must be a whole number from 0 to ${e.runs - 1}, got '${text.slice(0, 40)}'`);
  const out = join(dir, 'results', `${k}.json`);
  if (existsSync(out)) {
    if (!values.quiet) process.stderr.write(`impp-sim point: run ${k} of sweep ${e.id} has a result already (${out})\n`);
    return 0;
  }
  const task = readRunJob(readJson(join(dir, 'runs', `${k}.json`), 'the run'));
  if (task.sweep !== e.id || task.index !== k) throw usage(`${join(dir, 'runs', `${k}.json`)} belongs to run ${task.sweep}.${task.index}, not ${e.id}.${k}`);
  const result = await runReplication(task);
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ index: k, worker: hostname(), version: buildVersion(), result }));
  renameSync(tmp, out);
  if (!values.quiet) process.stderr.write(`impp-sim point: run ${k} of sweep ${e.id} written to ${out}\n`);
  return 0;
}

/** Merges an exported sweep's results into its report and records it in the history (unless dataDir is null). */
export function collectSweep(dirArg: string, dataDir: string | null): SweepResult {
  const dir = resolve(dirArg);
  const e = readExport(dir);
  const scenario = planScenario(e.plan, join(dir, 'sweep.json'));
  const plan = planSweep(scenario, { ...e.plan.options }, 1);
  const outcomes = new Map<number, RunOutcome>();
  const files = existsSync(join(dir, 'results')) ? readdirSync(join(dir, 'results')).filter((f) => /^\d+\.json$/.test(f)) : [];
  for (const f of files) {
    const r = readJson(join(dir, 'results', f), 'the result') as { index?: number; worker?: string; version?: { project: string; code: string; node: string }; result?: ReplicationResult };
    if (r.index !== Number(f.slice(0, -5)) || typeof r.worker !== 'string' || r.result?.ok !== true || typeof r.version !== 'object') throw usage(`${join(dir, 'results', f)} is not a result written by impp-sim point`);
    const mismatch = versionMismatch(r.version, e.plan.version);
    if (mismatch !== null) throw new SimError('SIM_ERR_JOB_REFUSED', `${join(dir, 'results', f)}: ${mismatch.replace('this worker', 'the exported sweep')}`);
    outcomes.set(r.index, { index: r.index, worker: r.worker, result: r.result });
  }
  const missing = plan.runs.filter((r) => !outcomes.has(r.index)).map((r) => r.index);
  if (missing.length > 0) throw usage(`sweep ${e.id} in ${dir}: ${missing.length} of ${plan.runs.length} run(s) have no result yet (index ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}); run them (impp-sim point ${dir} --index K) and collect again`);
  // wall time: from the export to the last result written
  const last = Math.max(...files.map((f) => statSync(join(dir, 'results', f)).mtimeMs));
  const wallMs = Math.max(0, Math.round(last - statSync(join(dir, 'sweep.json')).mtimeMs));
  const result = assembleSweep(plan, outcomes, { id: e.id, executor: 'export', where: `${e.kind} ${dir}`, wallMs, analytic: e.plan.options.analytic, keepReports: e.plan.options.keepReports });
  if (dataDir !== null) {
    const history = new SweepHistory(dataDir);
    try {
      if (!history.has(e.id)) history.create(e.id, 'export', e.plan);
      const journal = history.journal(e.id);
      for (const o of outcomes.values()) journal.record(o);
      history.finish(e.id, 'finished', result);
    } finally {
      history.close();
    }
  }
  return result;
}
