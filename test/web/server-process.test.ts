/**
 * The server as a process (dist/web/server/main.js, built by npm test): killed with SIGKILL in the
 * middle of a run and started again, a second server on a busy port, store problems at start-up,
 * and a tiny event arena. Guards: an interrupted run keeps its last checkpoint; the second server
 * leaves the first one's store alone; start-up problems are one clear line, not a stack trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { get, makeApp, startServer, tempDir, type Json } from './server-helpers.js';

async function api(base: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kill -9 in the middle of a run', () => {
  it('the restarted server lists the run interrupted with the clock, events, snapshot and time series of its last checkpoint', async () => {
    const dataDir = tempDir();
    const s = await startServer(['--port', '0', '--data', dataDir]);
    expect(s.base, s.stderr).not.toBeNull();
    const run = await api(s.base!, '/api/runs', { scenario: 'teach-basic', duration: '10min', speed: 20 });
    expect(run.status).toBe(201);
    // wait for a checkpoint to reach the file (read from this process, as another SQLite reader)
    const db = new Database(join(dataDir, 'impp-sim.sqlite'), { readonly: true });
    const row = await until(
      () => db.prepare('SELECT checkpoint_at, clock, events FROM runs WHERE id = ?').get(run.body.id) as { checkpoint_at: string | null; clock: number; events: number },
      (r) => r.checkpoint_at !== null && r.clock > 0,
      'a checkpoint',
    );
    db.close();
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));

    const app = await makeApp({ dataDir });
    const after = await get(app, `/api/runs/${run.body.id}`);
    expect(after.body).toMatchObject({ status: 'interrupted' });
    expect(after.body!.clock).toBeGreaterThanOrEqual(row.clock);
    expect(after.body!.clock).toBeGreaterThan(0);
    expect(after.body!.events).toBeGreaterThan(0);
    expect(after.body!.snapshot.counters.logins).toBeGreaterThan(0);
    expect(after.body!.snapshot.clock).toBe(after.body!.clock);
    const csv = (await get(app, `/api/runs/${run.body.id}/timeseries.csv`)).text.trim().split('\n');
    expect(csv.length).toBeGreaterThan(1);
  });
});

describe('a second server', () => {
  it('on a busy port exits without touching the first one’s store; on the same data folder it is refused', async () => {
    const dataDir = tempDir();
    const first = await startServer(['--port', '0', '--data', dataDir]);
    const run = await api(first.base!, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    expect(run.body.status).toBe('running');

    const busy = await startServer(['--port', String(first.port), '--data', dataDir]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the address is in use/);
    const sameDir = await startServer(['--port', '0', '--data', dataDir]);
    expect(sameDir.code).toBe(2);
    expect(sameDir.stderr).toMatch(/another impp-sim server \(process \d+\) uses the data folder/);
    expect((await api(first.base!, `/api/runs/${run.body.id}`)).body.status).toBe('running');
  });
});

describe('store problems at start-up', () => {
  it('print what is wrong with which path and what to do, without a stack trace, and exit 2', async () => {
    const notDb = tempDir();
    writeFileSync(join(notDb, 'impp-sim.sqlite'), 'not a database '.repeat(100));
    const dirInPlace = tempDir();
    mkdirSync(join(dirInPlace, 'impp-sim.sqlite'));
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    for (const [dir, text] of [
      [notDb, /is not an SQLite database.*move it aside/],
      [dirInPlace, /directory/],
      [join(file, 'data'), /part of the path is a file/],
    ] as const) {
      const s = await startServer(['--port', '0', '--data', dir]);
      expect(s.code).toBe(2);
      expect(s.stderr).toMatch(text);
      expect(s.stderr).toContain(dir);
      expect(s.stderr).not.toMatch(/\n\s+at /);
      expect(s.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('a small event arena', () => {
  it('an interactive run that does not fit answers 503 ARENA_FULL with the message, and the server goes on', async () => {
    const s = await startServer(['--port', '0', '--data', tempDir()], { IMPP_SIM_EVENT_ARENA: '4096' });
    expect(s.base, s.stderr).not.toBeNull();
    const r = await api(s.base!, '/api/runs', { scenario: 'teach-basic', overrides: ['domains[0].users=1500'], mode: 'interactive' });
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe('ARENA_FULL');
    expect(r.body.error.message).toMatch(/IMPP_SIM_EVENT_ARENA/);
    expect((await api(s.base!, '/api/runs')).status).toBe(200);
  });
});
