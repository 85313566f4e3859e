/**
 * The command line's sweeps in the SQLite history (the dashboard's file, `<data>/impp-sim.sqlite`,
 * ./.impp-sim by default), in tables of their own: `cli_sweeps` (one row per sweep: its plan,
 * status and, once finished, its result) and `cli_sweep_runs` (one row per finished run, written
 * the moment its result arrives). A coordinator that is killed, or a queue that loses its data,
 * therefore loses no finished run: `sweep --resume ID` reads the plan and the recorded runs back
 * and runs only the others.
 *
 * The file is shared with a dashboard server that may be running: SQLite's WAL mode and a busy
 * timeout let both write; this module never touches the server's own tables.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SimError } from '../errors.js';
import { scenarioToDocument } from '../scenario/resolved.js';
import { invalidScenario } from '../scenario/load.js';
import { validateRaw } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import type { RunOutcome } from './executor.js';
import type { SweepParam } from './ranges.js';
import type { SweepJournal, SweepOptions, SweepResult } from './sweep.js';
import type { BuildVersion } from './queue/version.js';

export const DEFAULT_DATA_DIR = '.impp-sim';

const TABLES = `
  CREATE TABLE IF NOT EXISTS cli_sweeps (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    executor TEXT NOT NULL,
    plan TEXT NOT NULL,
    result TEXT
  );
  CREATE TABLE IF NOT EXISTS cli_sweep_runs (
    sweep TEXT NOT NULL,
    idx INTEGER NOT NULL,
    worker TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (sweep, idx)
  )`;

/** What a sweep needs to run again: the scenario (document form) and the sweep's options. */
export interface StoredSweepPlan {
  version: BuildVersion;
  scenario: Record<string, unknown>;
  options: Pick<SweepOptions, 'replications' | 'seed' | 'duration' | 'mode' | 'thresholds' | 'analytic' | 'abortAfter' | 'keepReports'> & { params: SweepParam[] };
}

export type CliSweepStatus = 'running' | 'finished' | 'failed';

export interface CliSweepRecord {
  id: string;
  status: CliSweepStatus;
  executor: string;
  plan: StoredSweepPlan;
  result: SweepResult | null;
  runs: number;
}

export function storedPlan(version: BuildVersion, scenario: Scenario, options: StoredSweepPlan['options']): StoredSweepPlan {
  return { version, scenario: scenarioToDocument(scenario), options: structuredClone(options) };
}

/** The scenario of a stored plan, validated like a file. */
export function planScenario(plan: StoredSweepPlan, where: string): Scenario {
  const r = validateRaw(plan.scenario);
  if (!r.ok) throw invalidScenario(where, r.errors);
  return r.scenario;
}

export class SweepHistory {
  readonly file: string;
  private readonly db: Database.Database;

  constructor(dataDir: string = DEFAULT_DATA_DIR) {
    this.file = join(dataDir, 'impp-sim.sqlite');
    try {
      mkdirSync(dataDir, { recursive: true });
      this.db = new Database(this.file, { timeout: 10_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.exec(TABLES);
    } catch (e) {
      throw new SimError('SIM_ERR_OUTPUT', `the history ${this.file} cannot be opened: ${(e as Error).message}; give another --data folder`);
    }
  }

  create(id: string, executor: string, plan: StoredSweepPlan): void {
    this.db.prepare('INSERT INTO cli_sweeps (id, status, created_at, executor, plan) VALUES (?, ?, ?, ?, ?)').run(id, 'running', new Date().toISOString(), executor, JSON.stringify(plan));
  }

  has(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM cli_sweeps WHERE id = ?').get(id) !== undefined;
  }

  /** The sweep with that id, or SIM_ERR_CLI_USAGE naming the file searched. */
  get(id: string): CliSweepRecord {
    const r = this.db.prepare('SELECT id, status, executor, plan, result FROM cli_sweeps WHERE id = ?').get(id) as
      | { id: string; status: CliSweepStatus; executor: string; plan: string; result: string | null }
      | undefined;
    if (r === undefined) throw new SimError('SIM_ERR_CLI_USAGE', `no sweep '${id}' in the history ${this.file} (give the --data folder it ran with)`);
    const runs = (this.db.prepare('SELECT count(*) AS n FROM cli_sweep_runs WHERE sweep = ?').get(id) as { n: number }).n;
    return { id: r.id, status: r.status, executor: r.executor, plan: JSON.parse(r.plan) as StoredSweepPlan, result: r.result === null ? null : (JSON.parse(r.result) as SweepResult), runs };
  }

  /** A journal that records the sweep's results here as they arrive (sweep.ts). */
  journal(id: string): SweepJournal {
    const insert = this.db.prepare('INSERT OR IGNORE INTO cli_sweep_runs (sweep, idx, worker, finished_at, result) VALUES (?, ?, ?, ?, ?)');
    return {
      recorded: () => {
        const rows = this.db.prepare('SELECT idx, worker, result FROM cli_sweep_runs WHERE sweep = ?').all(id) as { idx: number; worker: string; result: string }[];
        return new Map(rows.map((r) => [r.idx, { index: r.idx, worker: r.worker, result: JSON.parse(r.result) } as RunOutcome]));
      },
      record: (o) => {
        insert.run(id, o.index, o.worker, new Date().toISOString(), JSON.stringify(o.result));
      },
    };
  }

  /** A resumed sweep is running again. */
  reopen(id: string): void {
    this.db.prepare(`UPDATE cli_sweeps SET status = 'running', finished_at = NULL WHERE id = ?`).run(id);
  }

  finish(id: string, status: CliSweepStatus, result: SweepResult | null): void {
    this.db.prepare('UPDATE cli_sweeps SET status = ?, finished_at = ?, result = ? WHERE id = ?').run(status, new Date().toISOString(), result === null ? null : JSON.stringify(result), id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
