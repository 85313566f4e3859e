/**
 * /api/live-runs on a machine where ejabberd is not installed (its check answers no here, so
 * nothing is started): GET lists Prosody only, and a run asking for ejabberd is refused, with
 * what to install and what is installed, before any server starts or any run is recorded.
 */
import { describe, expect, it, vi } from 'vitest';
import { makeApp } from './server-helpers.js';

vi.mock('../../sim/live/ejabberd-server.js', async (importOriginal) => ({ ...(await importOriginal<object>()), ejabberdInstalled: () => false }));
vi.mock('../../sim/live/prosody-server.js', async (importOriginal) => ({ ...(await importOriginal<object>()), prosodyInstalled: () => true }));

describe('/api/live-runs without ejabberd installed', () => {
  it('lists only the installed targets and refuses one that is not installed', async () => {
    const app = await makeApp();
    const listed = (await app.inject({ method: 'GET', url: '/api/live-runs' })).json();
    expect(listed.targets.map((t: { name: string }) => t.name)).toEqual(['prosody']);
    const r = await app.inject({ method: 'POST', url: '/api/live-runs', payload: { scenario: 'teach-basic', duration: '2s', target: 'ejabberd' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toEqual({ code: 'BAD_OPTION', message: "body.target 'ejabberd' is not installed on this server's machine (apt-get install ejabberd); installed: prosody" });
    expect((await app.inject({ method: 'GET', url: '/api/live-runs' })).json().liveRuns).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/runs' })).json().runs).toEqual([]);
  });
});
