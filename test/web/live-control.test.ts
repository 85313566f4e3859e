/**
 * POST /api/live-runs/:id/control (web/server/routes-live.ts), the dashboard's Stop for a live
 * run: an unknown id and a bad action are refused; with Prosody installed, a running live run
 * stops at once and reports what it measured as stopped, and one that has ended is BAD_STATE.
 */
import { describe, expect, it } from 'vitest';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { makeApp } from './server-helpers.js';
import { holdLiveServerLock } from '../live/server-lock.js';

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();

describe('POST /api/live-runs/:id/control', () => {
  it('refuses an unknown live run and an action other than stop', async () => {
    const app = await makeApp();
    const r = await app.inject({ method: 'POST', url: '/api/live-runs/nope/control', payload: { action: 'stop' } });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('RUN_NOT_FOUND');
    const bad = await app.inject({ method: 'POST', url: '/api/live-runs/nope/control', payload: { action: 'pause' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/body\.action/);
  });

  it.skipIf(!prosodyInstalled())('stops a running live run, which ends stopped with its report; an ended one is BAD_STATE', async () => {
    const app = await makeApp();
    const { id } = (await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '10min' } })).json();
    const stopped = await app.inject({ method: 'POST', url: `/api/live-runs/${id}/control`, payload: { action: 'stop' } });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json()).toMatchObject({ id, state: 'done' });
    const run = (await app.inject({ method: 'GET', url: `/api/runs/${id}` })).json();
    expect(run).toMatchObject({ status: 'stopped', mode: 'live', measured: true });
    const report = (await app.inject({ method: 'GET', url: `/api/runs/${id}/report` })).json();
    expect(report.stopped).toMatchObject({ planned: 600_000, reason: 'stopped on request' });
    const again = await app.inject({ method: 'POST', url: `/api/live-runs/${id}/control`, payload: { action: 'stop' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('BAD_STATE');
    await app.close();
  });
});
