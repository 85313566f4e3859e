/**
 * The run store: one SQLite file (better-sqlite3) in the data directory. A run's row is written
 * when it starts and updated when it ends, with its report and its time series, so finished runs
 * survive restarts. Runs that a previous process left running or paused are marked interrupted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type RunStatus = 'running' | 'paused' | 'finished' | 'failed' | 'stopped' | 'interrupted';
export type RunMode = 'batch' | 'interactive';

export interface RunParams {
  mode: RunMode;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  overrides: string[];
  /** scenario text when the run was created from YAML rather than a built-in name */
  yaml?: string;
  sweep?: string;
}

export interface RunFigures {
  notificationsDelivered: number;
  p99NotificationMs: number;
  imDelivered: number;
  maxUtilisation: number;
}

export interface StoredRun {
  id: string;
  scenario: string;
  status: RunStatus;
  params: RunParams;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  clock: number;
  events: number;
  figures: RunFigures | null;
}

export interface StoredSweep {
  id: string;
  status: string;
  createdAt: string;
  body: unknown;
}

interface RunRow {
  id: string;
  scenario: string;
  status: string;
  params: string;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  clock: number;
  events: number;
  figures: string | null;
}

const RUN_COLUMNS = 'id, scenario, status, params, created_at, finished_at, error, clock, events, figures';

function fromRow(r: RunRow): StoredRun {
  return {
    id: r.id,
    scenario: r.scenario,
    status: r.status as RunStatus,
    params: JSON.parse(r.params) as RunParams,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    error: r.error,
    clock: r.clock,
    events: r.events,
    figures: r.figures === null ? null : (JSON.parse(r.figures) as RunFigures),
  };
}

export class RunStore {
  private readonly db: Database.Database;
  readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'impp-sim.sqlite');
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        scenario TEXT NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        error TEXT,
        clock REAL NOT NULL DEFAULT 0,
        events REAL NOT NULL DEFAULT 0,
        figures TEXT,
        report TEXT,
        timeseries TEXT
      );
      CREATE TABLE IF NOT EXISTS sweeps (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
      );
    `);
  }

  /** Marks runs left active by an earlier process as interrupted; returns how many. */
  markInterrupted(at: string): number {
    const r = this.db
      .prepare(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = 'the server stopped while the run was going on' WHERE status IN ('running', 'paused')`)
      .run(at);
    this.db.prepare(`UPDATE sweeps SET status = 'interrupted' WHERE status = 'running'`).run();
    return r.changes;
  }

  insert(run: StoredRun): void {
    this.db
      .prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(run.id, run.scenario, run.status, JSON.stringify(run.params), run.createdAt, run.finishedAt, run.error, run.clock, run.events, run.figures === null ? null : JSON.stringify(run.figures));
  }

  /** Records a live change of state or parameters (pause, resume, speed). */
  update(run: StoredRun): void {
    this.db.prepare('UPDATE runs SET status = ?, params = ? WHERE id = ?').run(run.status, JSON.stringify(run.params), run.id);
  }

  /** Records the end of a run: its final state, report (if any) and time series. */
  finish(run: StoredRun, report: unknown | null, timeseries: unknown): void {
    this.db
      .prepare('UPDATE runs SET status = ?, params = ?, finished_at = ?, error = ?, clock = ?, events = ?, figures = ?, report = ?, timeseries = ? WHERE id = ?')
      .run(
        run.status,
        JSON.stringify(run.params),
        run.finishedAt,
        run.error,
        run.clock,
        run.events,
        run.figures === null ? null : JSON.stringify(run.figures),
        report === null ? null : JSON.stringify(report),
        JSON.stringify(timeseries),
        run.id,
      );
  }

  get(id: string): StoredRun | null {
    const r = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return r === undefined ? null : fromRow(r);
  }

  /** Newest first. */
  list(limit = 500): StoredRun[] {
    const rows = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY seq DESC LIMIT ?`).all(limit) as RunRow[];
    return rows.map(fromRow);
  }

  report(id: string): unknown | null {
    const r = this.db.prepare('SELECT report FROM runs WHERE id = ?').get(id) as { report: string | null } | undefined;
    return r?.report == null ? null : JSON.parse(r.report);
  }

  timeseries(id: string): unknown | null {
    const r = this.db.prepare('SELECT timeseries FROM runs WHERE id = ?').get(id) as { timeseries: string | null } | undefined;
    return r?.timeseries == null ? null : JSON.parse(r.timeseries);
  }

  saveSweep(s: StoredSweep): void {
    this.db
      .prepare('INSERT INTO sweeps (id, status, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body')
      .run(s.id, s.status, s.createdAt, JSON.stringify(s.body));
  }

  getSweep(id: string): StoredSweep | null {
    const r = this.db.prepare('SELECT id, status, created_at, body FROM sweeps WHERE id = ?').get(id) as
      | { id: string; status: string; created_at: string; body: string }
      | undefined;
    return r === undefined ? null : { id: r.id, status: r.status, createdAt: r.created_at, body: JSON.parse(r.body) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
