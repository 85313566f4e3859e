/**
 * Hardening of the API's behaviour: sweeps stop from the API (and when a point run is stopped),
 * sweeps left running are interrupted at start-up, interactive runs are bounded in size, the
 * built-in scenarios are read once, static files do not follow symlinks out of the public folder,
 * the default data folder is ignored by git.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../web/server/catalog.js';
import { parseFlags } from '../../web/server/main.js';
import { INTERACTIVE_MAX_EDGES } from '../../web/server/run-input.js';
import { RunStore } from '../../web/server/store.js';
import { get, makeApp, post, tempDir, type Json } from './server-helpers.js';

function expectError(r: { status: number; body: Json | null }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body?.error?.code).toBe(code);
}

/** The id of a sweep's first point run, once it has started. */
async function firstPointRun(app: Awaited<ReturnType<typeof makeApp>>, sweep: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const id = app.sim.sweeps.get(sweep).points[0].runs[0];
    if (id !== undefined) return id;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the first point did not start');
}

describe('stopping sweeps', () => {
  it('POST /api/sweeps/:id/control stops the current point and every pending one, and frees the slot', async () => {
    const app = await makeApp({ maxRuns: 1 });
    const r = await post(app, '/api/sweeps', { scenario: 'office', param: 'domains[0].users', values: [200, 300, 400], duration: '2h' });
    expect(r.status).toBe(201);
    await firstPointRun(app, r.body.id);
    const stopped = await post(app, `/api/sweeps/${r.body.id}/control`, { action: 'stop' });
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('stopped');
    const statuses = stopped.body.points.map((p: Json) => p.status);
    expect(statuses).toEqual(['stopped', 'stopped', 'stopped']);
    expect(stopped.body.points[1].runs).toEqual([]);
    expect(app.sim.runs.activeCount()).toBe(0);
    expect((await post(app, '/api/runs', { scenario: 'teach-basic', duration: '1min' })).status).toBe(201);
    expectError(await post(app, `/api/sweeps/${r.body.id}/control`, { action: 'stop' }), 409, 'BAD_STATE');
    expectError(await post(app, '/api/sweeps/nope/control', { action: 'stop' }), 404, 'SWEEP_NOT_FOUND');
    expectError(await post(app, `/api/sweeps/${r.body.id}/control`, { action: 'pause' }), 400, 'BAD_REQUEST');
  });

  it('stopping one point run stops the sweep rather than starting the next point', async () => {
    const app = await makeApp();
    const r = await post(app, '/api/sweeps', { scenario: 'office', param: 'domains[0].users', values: [200, 300, 400], duration: '2h' });
    const runId = await firstPointRun(app, r.body.id);
    expect((await post(app, `/api/runs/${runId}/control`, { action: 'stop' })).body.status).toBe('stopped');
    await app.sim.sweeps.waitEnd(r.body.id);
    const s = (await get(app, `/api/sweeps/${r.body.id}`)).body!;
    expect(s.status).toBe('stopped');
    expect(s.points.map((p: Json) => p.status)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(s.points[1].runs).toEqual([]);
  });

  it('a sweep left running by an earlier process is interrupted at start-up, with its running and pending points', async () => {
    const dataDir = tempDir();
    const store = new RunStore(dataDir);
    const body = { id: 's-left', status: 'running', points: [{ value: 1, status: 'finished', runs: [] }, { value: 2, status: 'running', runs: [] }, { value: 3, status: 'pending', runs: [] }] };
    store.saveSweep({ id: 's-left', status: 'running', createdAt: new Date().toISOString(), body });
    store.close();
    const app = await makeApp({ dataDir });
    const s = (await get(app, '/api/sweeps/s-left')).body!;
    expect(s.status).toBe('interrupted');
    expect(s.points.map((p: Json) => p.status)).toEqual(['finished', 'interrupted', 'interrupted']);
  });
});

describe('interactive runs are bounded where the request enters', () => {
  it('2,000 users x 1,999 buddies is refused at once with BAD_OPTION naming the limit', async () => {
    const app = await makeApp();
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', overrides: ['domains[0].users=2000', 'population.buddies=1999'] });
    expectError(r, 400, 'BAD_OPTION');
    expect(r.body.error.message).toContain(String(INTERACTIVE_MAX_EDGES));
    expect((await get(app, '/api/runs')).body!.runs).toEqual([]);
    // a batch run of the same scenario is not refused for it
    const batch = await post(app, '/api/runs', { scenario: 'teach-basic', overrides: ['domains[0].users=50', 'population.buddies=10'], duration: '1min' });
    expect(batch.status).toBe(201);
    await app.sim.runs.waitEnd(batch.body.id);
  });
});

describe('the built-in scenarios', () => {
  it('are read once and served from memory', async () => {
    const app = await makeApp();
    expect((await get(app, '/api/scenarios')).status).toBe(200);
    const loads = catalog.loads;
    for (let i = 0; i < 5; i++) expect((await get(app, '/api/scenarios')).body!.scenarios.length).toBeGreaterThan(0);
    expect((await get(app, '/api/scenarios/office')).body!.yaml).toContain('name: office');
    expect(catalog.loads).toBe(loads);
  });
});

describe('static files and symlinks', () => {
  it('a symlink that leaves the public folder is not followed; one inside it is', async () => {
    const pub = tempDir();
    writeFileSync(join(pub, 'index.html'), '<!doctype html><title>x</title>');
    mkdirSync(join(pub, 'css'));
    writeFileSync(join(pub, 'css', 'a.css'), 'body{}');
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'SECRET');
    symlinkSync('/etc/passwd', join(pub, 'passwd'));
    symlinkSync(join(outside, 'secret.txt'), join(pub, 'secret.txt'));
    symlinkSync(outside, join(pub, 'outdir'));
    symlinkSync(join(pub, 'css', 'a.css'), join(pub, 'inside.css'));
    const app = await makeApp({ publicDir: pub });
    for (const url of ['/passwd', '/secret.txt', '/outdir/secret.txt', '/outdir/']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body, url).not.toContain('root:');
      expect(r.body, url).not.toContain('SECRET');
      expect(r.json().error.code, url).toBe('NOT_FOUND');
    }
    expect((await app.inject({ method: 'GET', url: '/inside.css' })).body).toBe('body{}');
    expect((await app.inject({ method: 'GET', url: '/css/a.css' })).statusCode).toBe(200);
  });
});

describe('the data folder', () => {
  it('defaults to .impp-sim, which git ignores', () => {
    expect(parseFlags([], {}).dataDir).toBe(resolve('.impp-sim'));
    const ignore = readFileSync(new URL('../../.gitignore', import.meta.url), 'utf8').split('\n');
    expect(ignore).toContain('.impp-sim/');
  });
});
