/**
 * The run store's tables and their migrations. The schema version is SQLite's `user_version`:
 *
 *   0  (stores written before versioning): a run's summary fields live in its `params` JSON,
 *      with the scenario text of a YAML run inside it
 *   2  the summary fields (mode, seed, workers, duration, speed, sweep) are columns, written at
 *      insert time, so the listing reads no JSON; the scenario text has its own column; `damage`
 *      records why a row could not be read; `checkpoint_at` the last live checkpoint. The large
 *      columns (scenario text, report, time series) come last
 *
 * A version-0 store is migrated in place (one transaction) when it opens: the table is rebuilt in
 * version 2's column order (SQLite's ALTER TABLE only appends columns, which put the new summary
 * columns after the reports: 150 migrated runs with 1 MB reports listed in 124-148 ms, against a
 * few ms). A version-2 store that an earlier migration left in that order is rebuilt the same way.
 * A newer version or an unknown layout is refused with a StoreError that says what to do.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './store-errors.js';

export const SCHEMA_VERSION = 2;

// Small columns first, large ones (scenario text, report, time series) last: SQLite reads a row's
// columns in order and follows a large value's overflow pages to reach any column after it, so
// the listing must never need a column that comes after one.
const runsTable = (name: string) => `
  CREATE TABLE ${name} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    scenario TEXT NOT NULL,
    status TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'batch',
    seed REAL NOT NULL DEFAULT 0,
    workers INTEGER NOT NULL DEFAULT 1,
    duration REAL NOT NULL DEFAULT 0,
    speed REAL NOT NULL DEFAULT 0,
    sweep TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    clock REAL NOT NULL DEFAULT 0,
    events REAL NOT NULL DEFAULT 0,
    figures TEXT,
    damage TEXT,
    checkpoint_at TEXT,
    params TEXT NOT NULL,
    scenario_text TEXT,
    report TEXT,
    timeseries TEXT
  )`;

const SWEEPS = `
  CREATE TABLE IF NOT EXISTS sweeps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  )`;

/** Columns a version-0 `runs` table has (and a version-2 table too). */
const V0_COLUMNS = ['seq', 'id', 'scenario', 'status', 'params', 'created_at', 'finished_at', 'error', 'clock', 'events', 'figures', 'report', 'timeseries'];
const ADDED_V2: [string, string][] = [
  ['mode', "TEXT NOT NULL DEFAULT 'batch'"],
  ['seed', 'REAL NOT NULL DEFAULT 0'],
  ['workers', 'INTEGER NOT NULL DEFAULT 1'],
  ['duration', 'REAL NOT NULL DEFAULT 0'],
  ['speed', 'REAL NOT NULL DEFAULT 0'],
  ['sweep', 'TEXT'],
  ['scenario_text', 'TEXT'],
  ['damage', 'TEXT'],
  ['checkpoint_at', 'TEXT'],
];

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

/** Creates the tables of a new store, or migrates an older one; returns the version it was at. */
export function prepareSchema(db: Database.Database, file: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'open',
      `the run store ${file} has schema version ${version}, newer than this impp-sim understands (${SCHEMA_VERSION}); run the impp-sim that wrote it, or move the file aside (it is kept) and start again for a new store`,
    );
  }
  const runCols = columnsOf(db, 'runs');
  if (runCols.length === 0) {
    db.transaction(() => {
      db.exec(runsTable('runs'));
      db.exec(SWEEPS);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    return SCHEMA_VERSION;
  }
  const missing = V0_COLUMNS.filter((c) => !runCols.includes(c));
  if (missing.length > 0) {
    throw new StoreError(
      'open',
      `${file} has a 'runs' table that is not an impp-sim run store (no column ${missing.map((c) => `'${c}'`).join(', ')}); give another --data folder or move the file aside`,
    );
  }
  if (version === SCHEMA_VERSION) {
    const absent = ADDED_V2.filter(([c]) => !runCols.includes(c));
    if (absent.length > 0) throw new StoreError('open', `${file} says schema version ${SCHEMA_VERSION} but lacks column(s) ${absent.map(([c]) => c).join(', ')}; move the file aside and start again`);
    db.exec(SWEEPS);
    if (largeBeforeSmall(runCols)) db.transaction(() => rebuildRuns(db))();
    return version;
  }
  db.transaction(() => {
    migrateV0(db, runCols);
    rebuildRuns(db);
  })();
  return version;
}

const LARGE = ['scenario_text', 'report', 'timeseries'];

/** True when a large column comes before a column the listing reads. */
function largeBeforeSmall(cols: string[]): boolean {
  const firstLarge = Math.min(...LARGE.map((c) => cols.indexOf(c)).filter((i) => i >= 0));
  return cols.some((c, i) => !LARGE.includes(c) && i > firstLarge);
}

/** Rewrites the runs table in version 2's column order, keeping every row and its seq. */
function rebuildRuns(db: Database.Database): void {
  db.exec(runsTable('runs_v2'));
  const cols = columnsOf(db, 'runs_v2').join(', ');
  db.exec(`INSERT INTO runs_v2 (${cols}) SELECT ${cols} FROM runs`);
  db.exec('DROP TABLE runs');
  db.exec('ALTER TABLE runs_v2 RENAME TO runs');
}

interface V0Params {
  mode?: unknown;
  seed?: unknown;
  workers?: unknown;
  duration?: unknown;
  speed?: unknown;
  sweep?: unknown;
  yaml?: unknown;
}

const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Version 0 to 2: adds the summary columns and fills them from each row's params (parsed once). */
function migrateV0(db: Database.Database, runCols: string[]): void {
  for (const [name, type] of ADDED_V2) if (!runCols.includes(name)) db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${type}`);
  db.exec(SWEEPS);
  const rows = db.prepare('SELECT seq, params FROM runs').all() as { seq: number; params: string }[];
  const fill = db.prepare('UPDATE runs SET mode = ?, seed = ?, workers = ?, duration = ?, speed = ?, sweep = ?, scenario_text = ?, params = ? WHERE seq = ?');
  const damaged = db.prepare('UPDATE runs SET damage = ? WHERE seq = ?');
  for (const r of rows) {
    let p: V0Params;
    try {
      p = JSON.parse(r.params) as V0Params;
      if (p === null || typeof p !== 'object') throw new Error('not an object');
    } catch (e) {
      damaged.run(`its stored parameters do not parse (${(e as Error).message})`, r.seq);
      continue;
    }
    const text = typeof p.yaml === 'string' ? p.yaml : null;
    const rest = { ...p };
    delete rest.yaml;
    fill.run(
      p.mode === 'interactive' ? 'interactive' : 'batch',
      num(p.seed, 0),
      num(p.workers, 1),
      num(p.duration, 0),
      num(p.speed, 0),
      typeof p.sweep === 'string' ? p.sweep : null,
      text,
      JSON.stringify(rest),
      r.seq,
    );
  }
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
