/**
 * `--workers auto` (sim/workers.ts): the count follows from the partitioning, the work per window
 * and the cores, and the reason says which of them decided.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';
import { chooseWorkers } from '../../sim/workers.js';

/** federation with every domain `k` times larger (400,000 / 200,000 / 100,000 / 50,000 users at k = 100) */
const bigFederation = (k: number) => loadScenario('federation', [0, 1, 2, 3].map((d) => `domains[${d}].users=${[4000, 2000, 1000, 500][d] * k}`));

describe('chooseWorkers (--workers auto)', () => {
  it('a one-domain scenario of one server node gets 1 worker: a server node is the unit of partitioning; office (2 nodes) gets 1: too few events per cluster window', () => {
    const c = chooseWorkers(loadScenario('teach-basic'), 16);
    expect(c.workers).toBe(1);
    expect(c.reason).toMatch(/one domain of one server node: a server node is the unit of partitioning/);
    const o = chooseWorkers(loadScenario('office'), 16);
    expect(o.workers).toBe(1);
    expect(o.reason).toMatch(/events per 500 us window \(the lookahead, the cluster latency between a domain's server nodes\)/);
  });

  it('the shipped federation and celebrity get 1: too few events per lookahead window for the barrier', () => {
    const f = chooseWorkers(loadScenario('federation'), 2);
    expect(f.workers).toBe(1);
    expect(f.reason).toMatch(/about \d+ events per 20 ms window \(the lookahead, the shortest link between domains\): .* the barrier between windows costs/);
    expect(chooseWorkers(loadScenario('celebrity'), 2).workers).toBe(1);
  });

  it('a large federation gets 2 on 2 cores, 1 on one core, and no more than its balance allows on 16', () => {
    const sc = bigFederation(100);
    const two = chooseWorkers(sc, 2);
    expect(two.workers).toBe(2);
    expect(two.reason).toMatch(/4 domains, about [\d,]+ events per 20 ms window .* balance allows 1\.88x, one per core \(2\)/);
    expect(chooseWorkers(sc, 1)).toMatchObject({ workers: 1, reason: expect.stringMatching(/1 core/) });
    // alpha holds 400,000 of the 750,000 users: past 2 workers the largest partition stays alpha
    expect(chooseWorkers(sc, 16).workers).toBe(2);
  });

  it('one domain far larger than the others: whole domains per worker cannot balance, 1 worker', () => {
    const sc = loadScenario('federation', ['domains[0].users=2000000', 'domains[1].users=20000', 'domains[2].users=10000', 'domains[3].users=5000']);
    const c = chooseWorkers(sc, 4);
    expect(c.workers).toBe(1);
    expect(c.reason).toMatch(/the largest domain holds most of the users: .* at most 1\.0\dx/);
  });

  it('runScenario with workers auto records the reason in the report; the CLI prints it in the summary', async () => {
    const sc = parseScenario('name: auto\nduration: 30s\ndomains:\n  - { name: a.example, users: 20 }\n  - { name: b.example, users: 20 }\npopulation: { buddies: 3 }\n');
    const r = await runScenario(sc, { workers: 'auto' });
    expect(r.engine.workers).toBe(1);
    expect(r.engine.autoWorkers).toMatch(/events per .* window/);
    expect((await runScenario(sc, { workers: 1 })).engine.autoWorkers).toBeUndefined();
    const cli = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));
    const out = spawnSync(process.execPath, [cli, 'run', 'teach-basic', '--workers', 'auto', '--duration', '1min'], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^workers {2}1 \(auto\): one domain of one server node: a server node is the unit of partitioning/m);
    const bad = spawnSync(process.execPath, [cli, 'run', 'teach-basic', '--workers', 'many'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be an integer between 1 and 256 or 'auto', got 'many'/);
  });
});
