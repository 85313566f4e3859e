/**
 * The run store under faults: a full disk (SQLite's max_page_count on the store's connection), a
 * damaged row, a damaged or foreign file, a directory in its place, a data folder that cannot be
 * created (its parent is a regular file: as root, chmod would not stop writes), a newer schema, a
 * store from before the schema had versions, a second server on the same folder, and the file
 * deleted under the running server.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';
import { RunStore } from '../../web/server/store.js';
import { get, makeApp, post, tempDir, type Json } from './server-helpers.js';

function expectError(r: { status: number; body: Json | null }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body?.error?.code).toBe(code);
}

async function finishedRun(app: Awaited<ReturnType<typeof makeApp>>, extra: Json = {}): Promise<string> {
  const r = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '1min', ...extra });
  expect(r.status).toBe(201);
  await app.sim.runs.waitEnd(r.body.id);
  return r.body.id as string;
}

const V2_ORDER = ['seq', 'id', 'scenario', 'status', 'mode', 'seed', 'workers', 'duration', 'speed', 'sweep', 'created_at', 'finished_at', 'error', 'clock', 'events', 'figures', 'damage', 'checkpoint_at', 'params', 'scenario_text', 'report', 'timeseries'];

function columns(app: Awaited<ReturnType<typeof makeApp>>): string[] {
  return (app.sim.store.db.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name);
}

async function openError(dataDir: string): Promise<string> {
  try {
    const app = await buildApp({ dataDir });
    await app.close();
  } catch (e) {
    expect((e as { kind?: string }).kind).toBe('open');
    return (e as Error).message;
  }
  throw new Error(`the store in ${dataDir} opened`);
}

describe('a full disk', () => {
  it('a run whose end cannot be written ends failed with the reason, keeps its report in memory and frees its slot', async () => {
    const app = await makeApp({ maxRuns: 1 });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '2min', speed: 200 });
    expect(r.status).toBe(201);
    const pages = app.sim.store.db.pragma('page_count', { simple: true }) as number;
    app.sim.store.db.pragma(`max_page_count = ${pages}`);
    await app.sim.runs.waitEnd(r.body.id);
    const run = await get(app, `/api/runs/${r.body.id}`);
    expect(run.body).toMatchObject({ status: 'failed' });
    expect(run.body!.error).toContain('ended finished');
    expect(run.body!.error).toContain('full');
    const report = await get(app, `/api/runs/${r.body.id}/report`);
    expect(report.status).toBe(200);
    expect(report.body!.presence.notifications.delivered).toBeGreaterThan(0);
    expectError(await post(app, `/api/runs/${r.body.id}/control`, { action: 'stop' }), 409, 'BAD_STATE');
    expect((await get(app, '/api/runs')).body!.runs[0]).toMatchObject({ id: r.body.id, status: 'failed' });
    expect(app.sim.runs.activeCount()).toBe(0);
    // the slot is free: another run is not refused for capacity (the store may refuse it, cleanly)
    const next = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '1min' });
    expect(next.status === 201 || next.body.error?.code === 'STORE_UNAVAILABLE', JSON.stringify(next.body)).toBe(true);
    if (next.status === 201) await app.sim.runs.waitEnd(next.body.id);
  });

  it('a run that cannot be inserted is refused with 503 STORE_UNAVAILABLE, not 500', async () => {
    const app = await makeApp();
    await finishedRun(app);
    const db = app.sim.store.db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    // fill the last free space of the runs table and its index, in ever smaller rows
    let n = 0;
    for (const size of [2000, 200, 20, 1]) {
      for (;;) {
        try {
          db.prepare("INSERT INTO runs (id, scenario, status, params, created_at, error) VALUES (?, 'x', 'finished', '{}', 'x', ?)").run(`f${n++}`, 'x'.repeat(size));
        } catch {
          break;
        }
      }
    }
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', yaml: undefined, duration: '1min' });
    expectError(r, 503, 'STORE_UNAVAILABLE');
    expect(r.body.error.message).toContain(app.sim.store.file);
    expect(r.body.error.message).toMatch(/full/);
  });
});

describe('damaged records', () => {
  it('a row that does not parse is listed as corrupt and its routes answer RECORD_CORRUPT; other runs are unaffected', async () => {
    const dataDir = tempDir();
    const app1 = await buildApp({ dataDir });
    const a = await finishedRun(app1);
    const b = await finishedRun(app1);
    const c = await finishedRun(app1, { yaml: readFileSync(new URL('../../scenarios/teach-basic.yaml', import.meta.url), 'utf8'), scenario: undefined });
    await app1.close();
    const db = new Database(join(dataDir, 'impp-sim.sqlite'));
    db.prepare(`UPDATE runs SET figures = '{"oops' WHERE id = ?`).run(a);
    db.prepare(`UPDATE runs SET report = 'not json', timeseries = '[' WHERE id = ?`).run(b);
    // the listing reads columns only: a broken params or scenario text does not touch it
    db.prepare('UPDATE runs SET params = ?, scenario_text = ? WHERE id = ?').run('{{', 'name: [', c);
    db.close();

    const app = await makeApp({ dataDir });
    const list = await get(app, '/api/runs');
    expect(list.status).toBe(200);
    const byId = Object.fromEntries(list.body!.runs.map((r: Json) => [r.id, r]));
    expect(byId[a]).toMatchObject({ status: 'corrupt', figures: null });
    expect(byId[a].error).toContain('figures do not parse');
    expect(byId[b].status).toBe('finished');
    expect(byId[c]).toMatchObject({ status: 'finished', mode: 'batch' });
    for (const url of [`/api/runs/${a}`, `/api/runs/${a}/report`, `/api/runs/${a}/trace`, `/api/runs/${a}/timeseries.csv`]) expectError(await get(app, url), 409, 'RECORD_CORRUPT');
    expectError(await get(app, `/api/runs/${b}/report`), 409, 'RECORD_CORRUPT');
    expectError(await get(app, `/api/runs/${b}/timeseries.csv`), 409, 'RECORD_CORRUPT');
    // found damaged when read: listed as corrupt from then on, and after a restart
    expect((await get(app, '/api/runs')).body!.runs.find((r: Json) => r.id === b).status).toBe('corrupt');
    expect((await get(app, `/api/runs/${c}/report`)).status).toBe(200);
    expect((await get(app, '/api/scenarios')).status).toBe(200);
  });

  it('a damaged sweep body answers RECORD_CORRUPT', async () => {
    const dataDir = tempDir();
    const store = new RunStore(dataDir);
    store.db.prepare("INSERT INTO sweeps (id, status, created_at, body) VALUES ('s-bad', 'finished', 'x', '{nope')").run();
    store.close();
    const app = await makeApp({ dataDir });
    expectError(await get(app, '/api/sweeps/s-bad'), 409, 'RECORD_CORRUPT');
  });
});

describe('problems opening the store name the path and what to do', () => {
  it('not a database, truncated, a directory in its place, a parent that is a file, a newer schema, a foreign table', async () => {
    const notDb = tempDir();
    writeFileSync(join(notDb, 'impp-sim.sqlite'), 'this is not a database\n'.repeat(100));
    expect(await openError(notDb)).toMatch(/impp-sim\.sqlite is not an SQLite database.*move it aside/);

    const truncated = tempDir();
    const s = new RunStore(truncated);
    for (let i = 0; i < 50; i++) s.db.prepare("INSERT INTO sweeps (id, status, created_at, body) VALUES (?, 'x', 'x', ?)").run(`s${i}`, 'y'.repeat(4000));
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const bytes = readFileSync(join(truncated, 'impp-sim.sqlite'));
    writeFileSync(join(truncated, 'impp-sim.sqlite'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await openError(truncated)).toMatch(/damaged or truncated.*move it aside/);

    const dir = tempDir();
    mkdirSync(join(dir, 'impp-sim.sqlite'));
    expect(await openError(dir)).toMatch(/cannot open .*impp-sim\.sqlite.*directory/);

    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, 'x');
    expect(await openError(join(file, 'data'))).toMatch(/part of the path is a file.*another --data/);

    const newer = tempDir();
    const n = new Database(join(newer, 'impp-sim.sqlite'));
    n.pragma('user_version = 99');
    n.close();
    expect(await openError(newer)).toMatch(/schema version 99, newer/);

    const foreign = tempDir();
    const f = new Database(join(foreign, 'impp-sim.sqlite'));
    f.exec('CREATE TABLE runs (x INTEGER)');
    f.close();
    expect(await openError(foreign)).toMatch(/not an impp-sim run store/);
  });

  it('a store from before schema versions is migrated: summary columns filled, scenario text moved out of params', async () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, 'impp-sim.sqlite'));
    db.exec(`CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, scenario TEXT NOT NULL, status TEXT NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, finished_at TEXT, error TEXT, clock REAL NOT NULL DEFAULT 0, events REAL NOT NULL DEFAULT 0, figures TEXT, report TEXT, timeseries TEXT)`);
    const ins = db.prepare("INSERT INTO runs (id, scenario, status, params, created_at, clock, events) VALUES (?, 'office', 'finished', ?, '2025-01-01T00:00:00Z', 5, 7)");
    ins.run('old-1', JSON.stringify({ mode: 'interactive', seed: 42, workers: 1, duration: 60000, speed: 3, overrides: [], yaml: 'name: x' }));
    ins.run('old-2', '{not json');
    db.close();
    const app = await makeApp({ dataDir });
    const runs = (await get(app, '/api/runs')).body!.runs as Json[];
    expect(runs.find((r) => r.id === 'old-1')).toMatchObject({ mode: 'interactive', seed: 42, duration: 60000, until: 60000, speed: 3, clock: 5, events: 7, status: 'finished' });
    expect(runs.find((r) => r.id === 'old-2')).toMatchObject({ status: 'corrupt' });
    const row = app.sim.store.db.prepare("SELECT params, scenario_text FROM runs WHERE id = 'old-1'").get() as { params: string; scenario_text: string };
    expect(row.scenario_text).toBe('name: x');
    expect(JSON.parse(row.params)).not.toHaveProperty('yaml');
    expect(app.sim.store.db.pragma('user_version', { simple: true })).toBe(2);
    // rebuilt in version 2's order: the listing never reads past a report to reach a column
    expect(columns(app)).toEqual(V2_ORDER);
  });

  it('a version-2 store that an earlier migration left with its reports before the summary columns is rebuilt, rows and order kept', async () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, 'impp-sim.sqlite'));
    db.exec(`CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, scenario TEXT NOT NULL, status TEXT NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, finished_at TEXT, error TEXT, clock REAL NOT NULL DEFAULT 0, events REAL NOT NULL DEFAULT 0, figures TEXT, report TEXT, timeseries TEXT)`);
    for (const [c, t] of [['mode', "TEXT NOT NULL DEFAULT 'batch'"], ['seed', 'REAL NOT NULL DEFAULT 0'], ['workers', 'INTEGER NOT NULL DEFAULT 1'], ['duration', 'REAL NOT NULL DEFAULT 0'], ['speed', 'REAL NOT NULL DEFAULT 0'], ['sweep', 'TEXT'], ['scenario_text', 'TEXT'], ['damage', 'TEXT'], ['checkpoint_at', 'TEXT']]) {
      db.exec(`ALTER TABLE runs ADD COLUMN ${c} ${t}`);
    }
    const ins = db.prepare("INSERT INTO runs (id, scenario, status, params, created_at, report, seed) VALUES (?, 'office', 'finished', '{}', '2025-01-01T00:00:00Z', ?, ?)");
    for (let i = 0; i < 3; i++) ins.run(`r${i}`, JSON.stringify({ big: 'x'.repeat(10_000) }), i);
    db.pragma('user_version = 2');
    db.close();
    const app = await makeApp({ dataDir });
    expect(columns(app)).toEqual(V2_ORDER);
    expect((await get(app, '/api/runs')).body!.runs.map((r: Json) => [r.id, r.seed])).toEqual([['r2', 2], ['r1', 1], ['r0', 0]]);
    expect(((await get(app, '/api/runs/r1/report')).body as Json).big).toHaveLength(10_000);
    const next = await finishedRun(app);
    expect((await get(app, '/api/runs')).body!.runs[0].id).toBe(next);
  });
});

describe('one server per data folder', () => {
  it('a second server on the same folder is refused before it marks anything; a dead owner lock is taken over', async () => {
    const dataDir = tempDir();
    const app = await makeApp({ dataDir });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    expect(await openError(dataDir)).toMatch(/another impp-sim server \(process \d+\) uses the data folder/);
    expect((await get(app, `/api/runs/${r.body.id}`)).body!.status).toBe('running');

    const stale = tempDir();
    writeFileSync(join(stale, 'impp-sim.lock'), '999999999\n');
    const app2 = await makeApp({ dataDir: stale });
    expect((await get(app2, '/api/runs')).status).toBe(200);
  });
});

describe('the store file deleted under the running server', () => {
  it('is detected and rewritten from the open connection: no history is lost', async () => {
    const app = await makeApp();
    const id = await finishedRun(app);
    const file = app.sim.store.file;
    rmSync(file);
    const health = await get(app, '/api/health');
    expect(health.body).toMatchObject({ ok: true, store: { ok: true, problem: null } });
    expect(existsSync(file)).toBe(true);
    const copy = new Database(file, { readonly: true });
    expect((copy.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id)).toEqual([id]);
    copy.close();
    const next = await finishedRun(app);
    expect((await get(app, '/api/runs')).body!.runs.map((r: Json) => r.id)).toEqual([next, id]);
  });

  it('when it cannot be rewritten, health says why and new runs are refused with 503', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const app = await makeApp({ dataDir });
    await finishedRun(app);
    rmSync(dataDir, { recursive: true, force: true });
    writeFileSync(dataDir, 'a file where the data folder was');
    const health = await get(app, '/api/health');
    expect(health.body!.ok).toBe(false);
    expect(health.body!.store.problem).toMatch(/was deleted while the server ran.*restart the server/);
    const r = await post(app, '/api/runs', { scenario: 'teach-basic' });
    expectError(r, 503, 'STORE_UNAVAILABLE');
    expect((await get(app, '/api/runs')).body!.runs).toHaveLength(1);
  });
});
