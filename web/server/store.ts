/**
 * The run store: one SQLite file (better-sqlite3) in the data directory. A run's row is written
 * when it starts (with its summary fields as columns, so listing reads no JSON), checkpointed
 * while it runs (clock, events, time series and last snapshot, every few seconds) and updated when
 * it ends, with its report and time series, so finished runs survive restarts and interrupted ones
 * keep their partial figures. Runs (and sweeps) a previous process left active are marked
 * interrupted at start-up.
 *
 * Failure handling: opening problems are StoreErrors of kind `open` (store-errors.ts); a record
 * that does not parse is marked damaged and only its own routes fail; a failed write is a
 * StoreError of kind `unavailable`. If the file is deleted or replaced under the running server,
 * the store is rewritten at its path from the open connection (which still holds every row).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openProblem, StoreError, writeProblem } from './store-errors.js';
import { StoreLock } from './store-lock.js';
import { prepareSchema } from './store-schema.js';
import { paramsJson, recordOf, SUMMARY_COLUMNS, type RunRow } from './store-rows.js';
import type { RunRecord, RunStatus, StoreHealth, StoreLog, StoredRun, StoredSweep } from './store-types.js';

export type { RunFigures, RunMode, RunParams, RunRecord, RunStatus, StoreHealth, StoreLog, StoredRun, StoredSweep } from './store-types.js';

/** Wall-clock ms between checks that the store file is still the one opened. */
export const FILE_CHECK_MS = 5000;

export class RunStore {
  private conn: Database.Database;
  readonly file: string;
  /** schema version the file had when it was opened (0: a store from before versioning) */
  readonly openedVersion: number;
  private readonly lock: StoreLock;
  private readonly log: StoreLog | undefined;
  private inode = 0;
  private problem: string | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(dataDir: string, opts: { log?: StoreLog } = {}) {
    this.file = join(dataDir, 'impp-sim.sqlite');
    this.log = opts.log;
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (e) {
      throw openProblem(this.file, e);
    }
    this.lock = new StoreLock(dataDir);
    try {
      this.lock.acquire();
    } catch (e) {
      throw openProblem(this.file, e);
    }
    let db: Database.Database | undefined;
    try {
      if (existsSync(this.file) && statSync(this.file).isDirectory()) throw Object.assign(new Error('a directory has its name'), { code: 'SQLITE_CANTOPEN' });
      db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
      this.openedVersion = prepareSchema(db, this.file);
      this.inode = statSync(this.file).ino;
    } catch (e) {
      if (db?.open) db.close();
      this.lock.release();
      throw openProblem(this.file, e);
    }
    this.conn = db;
    this.timer = setInterval(() => this.checkFile(), FILE_CHECK_MS);
    this.timer.unref?.();
  }

  /** the open connection (tests set pragmas on it, e.g. max_page_count for a full disk) */
  get db(): Database.Database {
    return this.conn;
  }

  // ---- health ----

  health(): StoreHealth {
    this.checkFile();
    return { ok: this.problem === null, file: this.file, problem: this.problem };
  }

  /**
   * Checks that the file at the store's path is still the one opened. When it was deleted or
   * replaced, the open connection (which still holds every row) is copied to the path and reopened
   * there; if that fails, writes are refused from then on with the reason.
   */
  checkFile(): void {
    if (!this.db.open || this.problem !== null) return;
    let ino = -1;
    try {
      ino = statSync(this.file).ino;
    } catch {
      // deleted
    }
    if (ino === this.inode) return;
    const what = ino === -1 ? 'was deleted' : 'was replaced by another file';
    this.log?.error({ file: this.file }, `the run store ${what} while the server ran; rewriting it from the open connection`);
    try {
      this.rewriteAtPath(ino !== -1);
      this.log?.warn({ file: this.file }, 'the run store was rewritten at its path; no history was lost');
    } catch (e) {
      this.problem = `the run store ${this.file} ${what} while the server ran and could not be rewritten (${(e as Error).message}); new runs are refused: restart the server (the history it still holds is readable until then)`;
      this.log?.error({ file: this.file }, this.problem);
    }
  }

  private rewriteAtPath(replaced: boolean): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.rewrite`;
    rmSync(tmp, { force: true });
    this.db.prepare('VACUUM INTO ?').run(tmp);
    if (replaced) renameSync(this.file, `${this.file}.replaced-${Date.now()}`);
    for (const ext of ['-wal', '-shm']) rmSync(this.file + ext, { force: true });
    renameSync(tmp, this.file);
    // the old connection keeps working on the deleted file; switch to the new one
    const fresh = new Database(this.file);
    fresh.pragma('journal_mode = WAL');
    this.conn.close();
    this.conn = fresh;
    this.inode = statSync(this.file).ino;
  }

  /** Runs a write, turning SQLite errors into StoreErrors of kind `unavailable`. */
  private write<T>(f: () => T): T {
    this.checkFile();
    if (this.problem !== null) throw new StoreError('unavailable', this.problem);
    try {
      return f();
    } catch (e) {
      throw writeProblem(this.file, e);
    }
  }

  // ---- runs ----

  /** Marks runs left active by an earlier process as interrupted (keeping their last checkpoint); returns how many. */
  markInterrupted(at: string): number {
    return this.write(() => {
      const r = this.db
        .prepare(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = 'the server stopped while the run was going on' WHERE status IN ('running', 'paused')`)
        .run(at);
      this.interruptSweeps();
      return r.changes;
    });
  }

  /** Sweeps left running: the sweep and its running and pending points become interrupted. */
  private interruptSweeps(): void {
    const rows = this.db.prepare(`SELECT id, body FROM sweeps WHERE status = 'running'`).all() as { id: string; body: string }[];
    const set = this.db.prepare(`UPDATE sweeps SET status = 'interrupted', body = ? WHERE id = ?`);
    for (const r of rows) {
      let body = r.body;
      try {
        const s = JSON.parse(r.body) as { status?: string; points?: { status: string }[] };
        s.status = 'interrupted';
        for (const p of s.points ?? []) if (p.status === 'running' || p.status === 'pending') p.status = 'interrupted';
        body = JSON.stringify(s);
      } catch {
        // a damaged body stays as it is; its status still says interrupted
      }
      set.run(body, r.id);
    }
  }

  insert(run: StoredRun): void {
    const p = run.params;
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO runs (id, scenario, status, params, created_at, finished_at, error, clock, events, figures, mode, seed, workers, duration, speed, sweep, scenario_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(run.id, run.scenario, run.status, paramsJson(p), run.createdAt, run.finishedAt, run.error, run.clock, run.events, run.figures === null ? null : JSON.stringify(run.figures), p.mode, p.seed, p.workers, p.duration, p.speed, p.sweep ?? null, p.yaml ?? null),
    );
  }

  /** Records a live change of state or parameters (pause, resume, speed). */
  update(run: StoredRun): void {
    this.write(() => this.db.prepare('UPDATE runs SET status = ?, speed = ?, params = ? WHERE id = ?').run(run.status, run.params.speed, paramsJson(run.params), run.id));
  }

  /** Records how far an active run has got: clock, events, time series and last snapshot. */
  checkpoint(id: string, clock: number, events: number, timeseries: unknown, at: string): void {
    this.write(() =>
      this.db.prepare(`UPDATE runs SET clock = ?, events = ?, timeseries = ?, checkpoint_at = ? WHERE id = ? AND status IN ('running', 'paused')`).run(clock, events, JSON.stringify(timeseries), at, id),
    );
  }

  /** Records the end of a run: its final state, report (if any) and time series. */
  finish(run: StoredRun, report: unknown | null, timeseries: unknown): void {
    this.write(() =>
      this.db
        .prepare('UPDATE runs SET status = ?, speed = ?, params = ?, finished_at = ?, error = ?, clock = ?, events = ?, figures = ?, report = ?, timeseries = ? WHERE id = ?')
        .run(
          run.status,
          run.params.speed,
          paramsJson(run.params),
          run.finishedAt,
          run.error,
          run.clock,
          run.events,
          run.figures === null ? null : JSON.stringify(run.figures),
          report === null ? null : JSON.stringify(report),
          JSON.stringify(timeseries),
          run.id,
        ),
    );
  }

  /** The smallest record of an end (no report): used when the full one could not be written. */
  markEnded(id: string, status: RunStatus, error: string, finishedAt: string): void {
    this.write(() => this.db.prepare('UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, finishedAt, id));
  }

  private fromRow(r: RunRow): RunRecord {
    return recordOf(r, (why) => this.damaged(r.id, why));
  }

  /** Sets a run's tags and note (kept in its params). */
  annotate(id: string, notes: { tags: string[]; note: string }): void {
    this.write(() => {
      const r = this.db.prepare('SELECT params FROM runs WHERE id = ?').get(id) as { params: string } | undefined;
      if (r === undefined) return;
      const params = { ...(JSON.parse(r.params) as object), tags: notes.tags, note: notes.note };
      this.db.prepare('UPDATE runs SET params = ? WHERE id = ?').run(JSON.stringify(params), id);
    });
  }

  /** Records why a row cannot be read (best effort) and returns the reason. */
  private damaged(id: string, why: string): string {
    this.log?.error({ run: id }, `stored run is damaged: ${why}`);
    try {
      this.db.prepare('UPDATE runs SET damage = ? WHERE id = ? AND damage IS NULL').run(why, id);
    } catch {
      // read-only or full: the listing still says why, the row is marked on a later read
    }
    return why;
  }

  get(id: string): RunRecord | null {
    const r = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return r === undefined ? null : this.fromRow(r);
  }

  /** Newest first. */
  list(limit = 500): RunRecord[] {
    const rows = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs ORDER BY seq DESC LIMIT ?`).all(limit) as RunRow[];
    return rows.map((r) => this.fromRow(r));
  }

  private json(id: string, column: 'report' | 'timeseries'): unknown | null {
    const r = this.db.prepare(`SELECT ${column} AS v FROM runs WHERE id = ?`).get(id) as { v: string | null } | undefined;
    if (r?.v == null) return null;
    try {
      return JSON.parse(r.v);
    } catch (e) {
      const why = this.damaged(id, `its stored ${column === 'report' ? 'report' : 'time series'} does not parse (${(e as Error).message})`);
      throw new StoreError('corrupt', `run '${id}' cannot be read from the store: ${why}`);
    }
  }

  report(id: string): unknown | null {
    return this.json(id, 'report');
  }

  timeseries(id: string): unknown | null {
    return this.json(id, 'timeseries');
  }

  // ---- sweeps ----

  saveSweep(s: StoredSweep): void {
    this.write(() =>
      this.db
        .prepare('INSERT INTO sweeps (id, status, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body')
        .run(s.id, s.status, s.createdAt, JSON.stringify(s.body)),
    );
  }

  getSweep(id: string): StoredSweep | null {
    const r = this.db.prepare('SELECT id, status, created_at, body FROM sweeps WHERE id = ?').get(id) as
      | { id: string; status: string; created_at: string; body: string }
      | undefined;
    if (r === undefined) return null;
    try {
      return { id: r.id, status: r.status, createdAt: r.created_at, body: JSON.parse(r.body) };
    } catch (e) {
      throw new StoreError('corrupt', `sweep '${id}' cannot be read from the store: its stored body does not parse (${(e as Error).message})`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    if (this.db.open) this.db.close();
    this.lock.release();
  }
}
