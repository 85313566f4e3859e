/**
 * The idle timeout of paused runs (web/server/run-idle.ts) through the API. Guards: a paused run
 * that no page watches is stopped after the timeout, with the reason, its report and its slot
 * freed; a watched one is kept; a control action restarts the count; the 429 names the runs that
 * hold the slots; --idle-timeout is read and checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type BuildAppOptions } from '../../web/server/app.js';
import { parseFlags } from '../../web/server/main.js';
import { idleReason } from '../../web/server/run-idle.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

async function makeApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'impp-idle-'));
  dirs.push(dataDir);
  const app = await buildApp({ dataDir, ...opts });
  apps.push(app);
  return app;
}

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function post(app: FastifyInstance, url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: payload as object });
  return { status: res.statusCode, body: res.json() };
}

/** An interactive teach-basic run, stepped once (so it is paused). */
async function pausedRun(app: FastifyInstance): Promise<string> {
  const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
  expect(r.status).toBe(201);
  const s = await post(app, `/api/runs/${r.body.id}/control`, { action: 'step', to: 'message' });
  expect(s.body.status).toBe('paused');
  return r.body.id as string;
}

const statusOf = async (app: FastifyInstance, id: string) => (await app.inject({ method: 'GET', url: `/api/runs/${id}` })).json();

describe('idle timeout of paused runs', () => {
  it('stops a paused run that no page watches, with the reason and its report, and frees its slot', async () => {
    const app = await makeApp({ maxRuns: 1, idleTimeoutMs: 150 });
    const id = await pausedRun(app);
    const refused = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TOO_MANY_RUNS');
    // the refusal names the run holding the slot and says it will expire
    expect(refused.body.error.message).toContain(id);
    expect(refused.body.error.message).toContain('a paused run that no page watches stops by itself after 150 ms idle');
    await app.sim.runs.waitEnd(id);
    const s = await statusOf(app, id);
    expect(s.status).toBe('stopped');
    expect(s.error).toBe(idleReason(150));
    const report = (await app.inject({ method: 'GET', url: `/api/runs/${id}/report` })).json();
    expect(report.stopped.reason).toBe(idleReason(150));
    const again = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive' });
    expect(again.status).toBe(201);
  });

  it('keeps a paused run while a page watches it, and counts from the last watcher leaving', async () => {
    const app = await makeApp({ maxRuns: 2, idleTimeoutMs: 150 });
    const id = await pausedRun(app);
    const sub = app.sim.runs.subscribe(id, () => {});
    expect(sub).not.toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect((await statusOf(app, id)).status).toBe('paused');
    sub!.unsubscribe();
    await app.sim.runs.waitEnd(id);
    expect((await statusOf(app, id)).status).toBe('stopped');
  });

  it('a control action restarts the count; 0 turns the timeout off', async () => {
    const app = await makeApp({ maxRuns: 2, idleTimeoutMs: 400 });
    const id = await pausedRun(app);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 200));
      expect((await post(app, `/api/runs/${id}/control`, { action: 'step' })).body.status).toBe('paused');
    }
    const off = await makeApp({ maxRuns: 1, idleTimeoutMs: 0 });
    const kept = await pausedRun(off);
    await new Promise((r) => setTimeout(r, 300));
    expect((await statusOf(off, kept)).status).toBe('paused');
  });

  it('parseFlags reads --idle-timeout as a duration, milliseconds or 0, and refuses bad values', () => {
    expect(parseFlags([], {}).idleTimeoutMs).toBe(5 * 60_000);
    expect(parseFlags(['--idle-timeout', '30s'], {}).idleTimeoutMs).toBe(30_000);
    expect(parseFlags(['--idle-timeout=10min'], {}).idleTimeoutMs).toBe(600_000);
    expect(parseFlags(['--idle-timeout', '0'], {}).idleTimeoutMs).toBe(0);
    expect(() => parseFlags(['--idle-timeout', 'soon'], {})).toThrow(/--idle-timeout/);
  });
});
