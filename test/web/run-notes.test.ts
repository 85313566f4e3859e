/**
 * Tags and notes of runs (web/server/run-notes.ts, POST /api/runs/:id/notes). Guards: they are
 * stored and listed with the run's overrides, survive a restart, and bad input gets a 400 that
 * names the field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function makeApp(dataDir: string): Promise<FastifyInstance> {
  const app = await buildApp({ dataDir });
  apps.push(app);
  return app;
}

describe('run tags and notes', () => {
  it('are stored with the run, listed with its overrides, and kept across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impp-notes-'));
    dirs.push(dir);
    const app = await makeApp(dir);
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '1min', overrides: ['domains[0].servers.cores=2'] } })).json();
    await app.sim.runs.waitEnd(r.id);
    const res = await app.inject({ method: 'POST', url: `/api/runs/${r.id}/notes`, payload: { tags: [' baseline ', '2 cores', 'baseline', ''], note: ' the reference run ' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tags: ['baseline', '2 cores'], note: 'the reference run', overrides: ['domains[0].servers.cores=2'] });
    // only the note changes: the tags stay
    expect((await app.inject({ method: 'POST', url: `/api/runs/${r.id}/notes`, payload: { note: 'the reference' } })).json().tags).toEqual(['baseline', '2 cores']);
    await app.close();
    apps.pop();
    const again = await makeApp(dir);
    const listed = (await again.inject({ method: 'GET', url: '/api/runs' })).json().runs.find((x: { id: string }) => x.id === r.id);
    expect(listed).toMatchObject({ tags: ['baseline', '2 cores'], note: 'the reference', overrides: ['domains[0].servers.cores=2'] });
  });

  it('refuses bad tags and notes with a 400 naming the field, and unknown runs with 404', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impp-notes-'));
    dirs.push(dir);
    const app = await makeApp(dir);
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '1min' } })).json();
    await app.sim.runs.waitEnd(r.id);
    const bad = async (payload: object) => (await app.inject({ method: 'POST', url: `/api/runs/${r.id}/notes`, payload })).json().error;
    expect((await bad({ tags: 'x' })).message).toMatch(/^body\.tags: /);
    expect((await bad({ tags: ['a'.repeat(40)] })).message).toMatch(/body\.tags\[0\]: at most 32 characters/);
    expect((await bad({ tags: Array.from({ length: 9 }, (_, i) => `t${i}`) })).message).toMatch(/at most 8 tags/);
    expect((await bad({ tags: ['a,b'] })).message).toMatch(/no commas/);
    expect((await bad({ note: 'x'.repeat(2001) })).message).toMatch(/body\.note: at most 2000 characters/);
    expect((await app.inject({ method: 'POST', url: '/api/runs/nope/notes', payload: { note: 'x' } })).statusCode).toBe(404);
  });
});
