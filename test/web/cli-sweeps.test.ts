/**
 * /api/cli-sweeps (web/server/cli-sweeps.ts): the command line's sweeps recorded in the store's
 * file are listed read-only with their scenario, parameters and recorded runs, and one opens with
 * its result (the worker of each point's runs) and the worker of each recorded run; a file with no
 * CLI sweep lists none, an unknown id is a 404, and a damaged plan is named in its own entry.
 */
import { describe, expect, it } from 'vitest';
import { storedPlan, SweepHistory } from '../../sim/toolkit/history.js';
import { buildVersion } from '../../sim/toolkit/queue/version.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { makeApp, tempDir } from './server-helpers.js';

describe('/api/cli-sweeps', () => {
  it('lists none on a store without command-line sweeps, and 404s an unknown id', async () => {
    const app = await makeApp();
    expect((await app.inject({ method: 'GET', url: '/api/cli-sweeps' })).json()).toEqual({ sweeps: [] });
    const r = await app.inject({ method: 'GET', url: '/api/cli-sweeps/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('SWEEP_NOT_FOUND');
  });

  it("lists the CLI's sweeps and opens one with the worker of each run", async () => {
    const data = tempDir();
    const h = new SweepHistory(data);
    const plan = storedPlan(buildVersion(), loadScenario('office', []), { params: [{ path: 'domains[0].users', values: [100, 200] }], replications: 1 });
    h.create('qs1', 'queue', plan);
    const j = h.journal('qs1');
    j.record({ index: 0, worker: 'host-a:11', result: { seed: 1, figures: { p99NotificationMs: 3 } } as never });
    j.record({ index: 1, worker: 'host-b:22', result: { seed: 1, figures: { p99NotificationMs: 4 } } as never });
    const result = { id: 'qs1', executor: 'queue', points: [{ point: { 'domains[0].users': 100 }, runs: [{ seed: 1, figures: {}, worker: 'host-a:11' }] }, { point: { 'domains[0].users': 200 }, runs: [{ seed: 1, figures: {}, worker: 'host-b:22' }] }] };
    h.finish('qs1', 'finished', result as never);
    h.create('qs2', 'local', plan);
    h.close();
    const app = await makeApp({ dataDir: data });
    const list = (await app.inject({ method: 'GET', url: '/api/cli-sweeps' })).json().sweeps;
    expect(list.map((s: { id: string }) => s.id).sort()).toEqual(['qs1', 'qs2']);
    expect(list.find((s: { id: string }) => s.id === 'qs1')).toMatchObject({ status: 'finished', executor: 'queue', scenario: 'office', params: ['domains[0].users'], runs: 2, damage: null });
    expect(list.find((s: { id: string }) => s.id === 'qs2')).toMatchObject({ status: 'running', runs: 0 });
    const one = (await app.inject({ method: 'GET', url: '/api/cli-sweeps/qs1' })).json();
    expect(one.result.points.map((p: { runs: { worker: string }[] }) => p.runs[0].worker)).toEqual(['host-a:11', 'host-b:22']);
    expect(one.recorded.map((r: { index: number; worker: string }) => [r.index, r.worker])).toEqual([[0, 'host-a:11'], [1, 'host-b:22']]);
    // read-only: the dashboard's runs are untouched and the CLI rows are not among them
    expect((await app.inject({ method: 'GET', url: '/api/runs' })).json().runs).toEqual([]);
    // a damaged plan is named in its entry, the others still list
    app.sim.store.db.prepare(`UPDATE cli_sweeps SET plan = '{' WHERE id = 'qs2'`).run();
    const after = (await app.inject({ method: 'GET', url: '/api/cli-sweeps' })).json().sweeps;
    expect(after.find((s: { id: string }) => s.id === 'qs2').damage).toMatch(/stored plan does not parse/);
    expect(after.find((s: { id: string }) => s.id === 'qs1').damage).toBeNull();
  });
});
