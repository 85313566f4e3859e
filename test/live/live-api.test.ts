/**
 * /api/live-runs: input refused with the API's error codes; with Prosody installed, a live run
 * started from the API reports as measured, a second one while it runs is refused, and closing
 * the server stops a running one and its Prosody.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { makeApp } from '../web/server-helpers.js';
import { holdLiveServerLock } from './server-lock.js';

const prosodyPids = () => spawnSync('pgrep', ['-f', 'impp-sim-prosody-'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();

describe('/api/live-runs', () => {
  it('refuses an unknown scenario, bounds out of range and unknown fields', async () => {
    const app = await makeApp();
    const post = (payload: object) => app.inject({ method: 'POST', url: '/api/live-runs', payload });
    let r = await post({ scenario: 'nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('SCENARIO_NOT_FOUND');
    r = await post({ scenario: 'office', users: 6000 });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/--users must be an integer from 1 to 5000/);
    r = await post({ scenario: 'office', users: 10, duration: '2h' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/--duration must be from 1s to 1h/);
    r = await post({ scenario: 'office', target: 'xmpp://10.0.0.1:5222' });
    expect(r.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/live-runs/x' })).json().error.code).toBe('RUN_NOT_FOUND');
  });

  it.skipIf(!prosodyInstalled())('runs one live run at a time, reports it as measured, and stops a running one on close', async () => {
    // servers of other runs on this machine are not this test's
    const others = new Set(prosodyPids());
    const ours = () => prosodyPids().filter((p) => !others.has(p));
    const app = await makeApp();
    const r = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '2s', rateScale: 50 } });
    expect(r.statusCode).toBe(202);
    const { id } = r.json();
    const again = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '2s' } });
    expect(again.statusCode).toBe(429);
    let e;
    for (let i = 0; i < 200; i++) {
      e = (await app.inject({ method: 'GET', url: `/api/live-runs/${id}` })).json();
      if (e.state !== 'running') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(e.state).toBe('done');
    expect(e.report.measured).toBe(true);
    expect(e.report.setup.logins).toBe(3);
    expect((await app.inject({ method: 'GET', url: '/api/live-runs' })).json().liveRuns.map((x: { id: string }) => x.id)).toEqual([id]);
    // a long one, stopped by closing the server
    const long = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '10min' } });
    expect(long.statusCode).toBe(202);
    for (let i = 0; i < 100 && ours().length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(ours().length).toBe(1);
    await app.close();
    expect(ours()).toEqual([]);
  });
});
