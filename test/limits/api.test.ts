/**
 * The server refuses, with a 4xx and before any worker starts, what would exhaust it: a run over
 * the memory estimate (batch or interactive), a sweep with such a point, a duration beyond the
 * scenario's limit. It keeps answering afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';

type Json = Record<string, any>;
let app: FastifyInstance;
let dir: string;
let started = 0;

const saved = process.env.IMPP_SIM_MEMORY_LIMIT;
beforeAll(async () => {
  // a fixed limit, so that the outcome does not depend on this machine's memory
  process.env.IMPP_SIM_MEMORY_LIMIT = '4GB';
  dir = mkdtempSync(join(tmpdir(), 'impp-api-limits-'));
  // a runner that counts starts: nothing refused here may reach it
  app = await buildApp({ dataDir: dir, runner: async () => { started++; throw new Error('no run expected'); } });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.IMPP_SIM_MEMORY_LIMIT;
  else process.env.IMPP_SIM_MEMORY_LIMIT = saved;
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: payload as Json });
  return { status: res.statusCode, body: res.json() as Json };
}

const HUGE = 'name: huge\nduration: 1h\ndomains: [{name: a.example, users: 50000000}]\npopulation: {buddies: 100}\n';

describe('server limits', () => {
  it('refuses 50,000,000 users x 100 buddies with 400 BAD_OPTION naming the edges and the fields', async () => {
    const r = await post('/api/runs', { yaml: HUGE });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BAD_OPTION');
    expect(r.body.error.message).toMatch(/5,000,000,000 subscription edges.*lower domains\[\]\.users or population\.buddies/);
    const i = await post('/api/runs', { yaml: HUGE, mode: 'interactive' });
    expect(i.status).toBe(400);
    expect(started).toBe(0);
  });

  it('refuses a built-in scenario overridden past the memory estimate', async () => {
    const r = await post('/api/runs', { scenario: 'office', overrides: ['domains[0].users=20000000', 'population.buddies=4'], workers: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BAD_OPTION');
    expect(r.body.error.message).toMatch(/would need about .* of memory .* more than the limit of 4 GB \(IMPP_SIM_MEMORY_LIMIT=4GB\)/);
    expect(started).toBe(0);
  });

  it('refuses a duration beyond the scenario limit (1e300 ms) with the field named', async () => {
    const r = await post('/api/runs', { scenario: 'office', duration: 1e300 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SCENARIO_INVALID');
    expect(r.body.error.problems[0]).toMatchObject({ path: 'duration' });
    expect(r.body.error.problems[0].message).toMatch(/must be at most 366d/);
    expect((await post('/api/runs', { scenario: 'office', duration: '400d' })).status).toBe(400);
    expect(started).toBe(0);
  });

  it('refuses a sweep whose point is over the estimate, before any point runs', async () => {
    const r = await post('/api/sweeps', { scenario: 'office', param: 'population.buddies', values: [3, 100000], duration: '1s', overrides: ['domains[0].users=2000000'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/the point population\.buddies=100000 would have about/);
    const d = await post('/api/sweeps', { scenario: 'office', param: 'behaviour.imRate', values: ['1/h'], duration: 1e300 });
    expect(d.status).toBe(400);
    expect(started).toBe(0);
  });
});
