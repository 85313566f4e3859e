/**
 * Cluster exports without a broker: `sweep --export slurm|k8s DIR` writes a Slurm array script and
 * an indexed Kubernetes Job; each index is run here as the cluster would run it (the variable set,
 * the script's or the container's command), and `sweep --collect DIR` must give the local sweep's
 * result apart from SWEEP_VARYING_FIELDS, and record it in the history.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SweepHistory } from '../../sim/toolkit/history.js';
import type { SweepResult } from '../../sim/toolkit/sweep.js';
import { CLI, comparable, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'impp-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sim = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
const SWEEP = ['sweep', 'office', '--param', 'users=200,400', '--replications', '1', '--duration', '5min'];
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as SweepResult;

describe('sweep --export / point / --collect', () => {
  const local = join(tmp, 'local.json');
  it('the local sweep to compare with', () => {
    expect(sim([...SWEEP, '--json', local, '--no-history', '--quiet']).status).toBe(0);
  });

  it('a Slurm array: each SLURM_ARRAY_TASK_ID runs one point; --collect merges them into the local result and the history', () => {
    const dir = join(tmp, 'slurm');
    const ex = sim([...SWEEP, '--export', 'slurm', dir]);
    expect(ex.status, ex.stderr).toBe(0);
    const script = readFileSync(join(dir, 'sweep.sbatch'), 'utf8');
    expect(script).toMatch(/^#SBATCH --array=0-1$/m);
    // not every index yet: --collect names the missing ones
    for (const k of [0]) expect(spawnSync('bash', [join(dir, 'sweep.sbatch')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(k) }, encoding: 'utf8' }).status).toBe(0);
    const early = sim(['sweep', '--collect', dir, '--no-history']);
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/1 of 2 run\(s\) have no result yet \(index 1\)/);
    expect(spawnSync('bash', [join(dir, 'sweep.sbatch')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' } }).status).toBe(0);
    const data = join(tmp, 'data');
    const c = sim(['sweep', '--collect', dir, '--json', join(tmp, 'slurm.json'), '--data', data]);
    expect(c.status, c.stderr).toBe(0);
    const r = json(join(tmp, 'slurm.json'));
    expect(r.executor).toBe('export');
    expect(comparable(r)).toEqual(comparable(json(local)));
    const h = new SweepHistory(data);
    expect(h.get(r.id).status).toBe('finished');
    expect(h.get(r.id).runs).toBe(2);
    h.close();
  });

  it('an indexed Kubernetes Job: the container command with JOB_COMPLETION_INDEX set runs each index', () => {
    const dir = join(tmp, 'k8s');
    expect(sim([...SWEEP, '--export', 'k8s', dir, '--image', 'registry.example/impp-sim:1']).status).toBe(0);
    const job = parse(readFileSync(join(dir, 'job.yaml'), 'utf8'));
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(2);
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example/impp-sim:1');
    expect(c.command.slice(0, 2)).toEqual(['impp-sim', 'point']);
    expect(c.volumeMounts[0].mountPath).toBe(dir);
    for (let k = 0; k < 2; k++) {
      const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'impp-sim.js'), ...c.command.slice(1)], { env: { ...process.env, JOB_COMPLETION_INDEX: String(k) }, encoding: 'utf8' });
      expect(p.status, p.stderr).toBe(0);
      expect(existsSync(join(dir, 'results', `${k}.json`))).toBe(true);
    }
    const col = sim(['sweep', '--collect', dir, '--json', join(tmp, 'k8s.json'), '--no-history']);
    expect(col.status, col.stderr).toBe(0);
    expect(comparable(json(join(tmp, 'k8s.json')))).toEqual(comparable(json(local)));
  });

  it('point refuses an index out of range and a run edited to an invalid scenario', () => {
    const dir = join(tmp, 'k8s');
    const p = sim(['point', dir], { JOB_COMPLETION_INDEX: '9' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/JOB_COMPLETION_INDEX: the index must be a whole number from 0 to 1, got '9'/);
    const dir2 = join(tmp, 'slurm2');
    expect(sim([...SWEEP, '--export', 'slurm', dir2]).status).toBe(0);
    const file = join(dir2, 'runs', '0.json');
    const run = JSON.parse(readFileSync(file, 'utf8'));
    run.scenario.domains[0].users = -1;
    writeFileSync(file, JSON.stringify(run));
    const bad = sim(['point', dir2, '--index', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/domains\[0\]\.users/);
    expect(existsSync(join(dir2, 'results', '0.json'))).toBe(false);
  });
});
