/**
 * The command line's sweeps, read-only: `sweep` records its plan, status, result and each finished
 * run (with the worker that ran it) in the `cli_sweeps` and `cli_sweep_runs` tables of the same
 * SQLite file (sim/toolkit/history.ts). The dashboard lists them next to its own runs and shows a
 * sweep's points with the worker of each run. Nothing here writes those tables; a file without
 * them (no CLI sweep yet) lists none, and a row that does not parse says so in its own entry.
 */
import type Database from 'better-sqlite3';
import { ApiError } from './errors.js';

export interface CliSweepSummary {
  id: string;
  status: string;
  createdAt: string;
  finishedAt: string | null;
  executor: string;
  scenario: string | null;
  /** the swept parameters, e.g. ["domains[0].users"] */
  params: string[];
  /** finished runs recorded so far */
  runs: number;
  /** why the stored plan cannot be read, or null */
  damage: string | null;
}

export interface CliSweepRunRow {
  index: number;
  worker: string;
  finishedAt: string;
}

const LIMIT = 200;

function hasTables(db: Database.Database): boolean {
  const n = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('cli_sweeps', 'cli_sweep_runs')`).get() as { n: number };
  return n.n === 2;
}

function parse(text: string | null, what: string): { value: unknown; damage: string | null } {
  if (text === null) return { value: null, damage: null };
  try {
    return { value: JSON.parse(text), damage: null };
  } catch (e) {
    return { value: null, damage: `its stored ${what} does not parse (${(e as Error).message})` };
  }
}

interface Row {
  id: string;
  status: string;
  created_at: string;
  finished_at: string | null;
  executor: string;
  plan: string;
  result?: string | null;
  runs: number;
}

function summaryOf(r: Row): CliSweepSummary {
  const plan = parse(r.plan, 'plan');
  const p = plan.value as { scenario?: { name?: unknown }; options?: { params?: { path?: unknown }[] } } | null;
  const name = p?.scenario?.name;
  return {
    id: r.id,
    status: r.status,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    executor: r.executor,
    scenario: typeof name === 'string' ? name : null,
    params: Array.isArray(p?.options?.params) ? p.options.params.map((x) => String(x?.path ?? '?')) : [],
    runs: r.runs,
    damage: plan.damage,
  };
}

const SELECT = `SELECT s.id, s.status, s.created_at, s.finished_at, s.executor, s.plan, (SELECT count(*) FROM cli_sweep_runs r WHERE r.sweep = s.id) AS runs`;

/** The CLI's sweeps, newest first (at most 200). */
export function listCliSweeps(db: Database.Database): CliSweepSummary[] {
  if (!hasTables(db)) return [];
  const rows = db.prepare(`${SELECT} FROM cli_sweeps s ORDER BY s.created_at DESC LIMIT ?`).all(LIMIT) as Row[];
  return rows.map(summaryOf);
}

/** One CLI sweep: its summary, its result once finished (points[].runs[].worker), and its recorded runs with their workers. */
export function getCliSweep(db: Database.Database, id: string): CliSweepSummary & { result: unknown; recorded: CliSweepRunRow[] } {
  const r = hasTables(db) ? (db.prepare(`${SELECT}, s.result FROM cli_sweeps s WHERE s.id = ?`).get(id) as Row | undefined) : undefined;
  if (r === undefined) throw new ApiError('SWEEP_NOT_FOUND', `no command-line sweep has id '${id}' in this server's store`);
  const summary = summaryOf(r);
  const result = parse(r.result ?? null, 'result');
  const recorded = (db.prepare('SELECT idx AS "index", worker, finished_at AS finishedAt FROM cli_sweep_runs WHERE sweep = ? ORDER BY idx').all(id) as CliSweepRunRow[]);
  return { ...summary, damage: summary.damage ?? result.damage, result: result.value, recorded };
}
