/**
 * /api/live-runs: input refused with the API's error codes (a target that is not an embedded
 * server's name among them); the targets it lists are those installed; with Prosody installed, a
 * live run started from the API reports as measured, a second one while it runs is refused, and
 * closing the server stops a running one and its Prosody; with ejabberd installed, a run on it
 * reports that server and leaves no node of its own behind.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ejabberdInstalled } from '../../sim/live/ejabberd-server.js';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { makeApp } from '../web/server-helpers.js';
import { holdLiveServerLock } from './server-lock.js';

const pgrep = (pattern: string, how = '-f') => spawnSync('pgrep', [how, pattern], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
const prosodyPids = () => pgrep('impp-sim-prosody-');
// CI installs both servers (.ci/run): there these tests run
const ci = process.env.CI === 'true' || process.env.CI === '1';

async function waitEnded(app: Awaited<ReturnType<typeof makeApp>>, id: string) {
  let e;
  for (let i = 0; i < 600; i++) {
    e = (await app.inject({ method: 'GET', url: `/api/live-runs/${id}` })).json();
    if (e.state !== 'running') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return e;
}

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
    expect(r.json().error.code).toBe('BAD_OPTION');
    expect(r.json().error.message).toMatch(/^body\.target must be one of 'prosody', 'ejabberd', got 'xmpp:\/\/10\.0\.0\.1:5222' \(the API starts its own server/);
    // not even a loopback address: the API drives only the servers it starts
    r = await post({ scenario: 'office', target: 'xmpp://127.0.0.1:5222' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/^body\.target must be one of 'prosody', 'ejabberd', got 'xmpp:\/\/127\.0\.0\.1:5222'/);
    r = await post({ scenario: 'office', target: 'openfire' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toEqual({ code: 'BAD_OPTION', message: "body.target must be one of 'prosody', 'ejabberd', got 'openfire'" });
    expect((await app.inject({ method: 'GET', url: '/api/live-runs' })).json().liveRuns).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/live-runs/x' })).json().error.code).toBe('RUN_NOT_FOUND');
  });

  it('lists the targets installed on its machine, each with a description', async () => {
    const app = await makeApp();
    const { targets } = (await app.inject({ method: 'GET', url: '/api/live-runs' })).json();
    const want = [...(prosodyInstalled() ? ['prosody'] : []), ...(ejabberdInstalled() ? ['ejabberd'] : [])];
    expect(targets.map((t: { name: string }) => t.name)).toEqual(want);
    if (ci) expect(want).toEqual(['prosody', 'ejabberd']);
    for (const t of targets) expect(t.description).toMatch(new RegExp(`^embedded ${t.name === 'prosody' ? 'Prosody' : 'ejabberd 23\\.01'} `));
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
    expect(e.target).toBe('prosody');
    expect(e.report.target).toMatchObject({ kind: 'embedded-prosody', server: 'Prosody (embedded)' });
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

describe.skipIf(!ejabberdInstalled() && !ci)('/api/live-runs with target ejabberd', () => {
  it('runs on an embedded ejabberd node, reports that server, and leaves no node of its own behind', async () => {
    // nodes of other runs on this machine are not this test's
    const otherNodes = new Set(pgrep('impp-sim-ejabberd-'));
    const otherBeams = new Set(pgrep('beam.smp', '-x'));
    const ourNodes = () => pgrep('impp-sim-ejabberd-').filter((p) => !otherNodes.has(p));
    const ourBeams = () => pgrep('beam.smp', '-x').filter((p) => !otherBeams.has(p));
    const app = await makeApp();
    const r = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '2s', rateScale: 50, target: 'ejabberd' } });
    expect(r.statusCode).toBe(202);
    const { id } = r.json();
    const seen: string[][] = [];
    for (let i = 0; i < 300 && seen.length === 0; i++) {
      const n = ourNodes();
      if (n.length > 0) seen.push(n);
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(seen[0]).toHaveLength(1);
    const e = await waitEnded(app, id);
    expect(e.error).toBeNull();
    expect(e.state).toBe('done');
    expect(e.target).toBe('ejabberd');
    expect(e.report.measured).toBe(true);
    expect(e.report.target.kind).toBe('embedded-ejabberd');
    expect(e.report.target.server).toMatch(/ejabberd/);
    expect(e.report.setup.logins).toBe(3);
    expect(e.report.im.reports).toBe(e.report.im.sent);
    // the listing says which target each run used
    expect((await app.inject({ method: 'GET', url: '/api/live-runs' })).json().liveRuns.map((x: { target: string }) => x.target)).toEqual(['ejabberd']);
    expect(ourNodes()).toEqual([]);
    expect(ourBeams()).toEqual([]);
  });
});
