/**
 * How a run's row maps to its record: the summary columns the listing reads (no JSON but the
 * small figures object), and the params JSON written without the scenario text (it has its own
 * column).
 */
import { paramsExtras } from './run-notes.js';
import type { RunFigures, RunMode, RunParams, RunRecord, RunStatus } from './store-types.js';

export interface RunRow {
  id: string;
  scenario: string;
  status: string;
  mode: string;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  clock: number;
  events: number;
  figures: string | null;
  params: string | null;
  damage: string | null;
}

export const SUMMARY_COLUMNS = 'id, scenario, status, mode, seed, workers, duration, speed, created_at, finished_at, error, clock, events, figures, params, damage';

export function paramsJson(p: RunParams): string {
  const rest: Partial<RunParams> = { ...p };
  delete rest.yaml;
  return JSON.stringify(rest);
}

/**
 * A row as a record. Figures that do not parse make the record damaged: `damaged(why)` records
 * the reason (best effort) and returns it.
 */
export function recordOf(r: RunRow, damaged: (why: string) => string): RunRecord {
  let figures: RunFigures | null = null;
  let damage = r.damage;
  if (r.figures !== null) {
    try {
      figures = JSON.parse(r.figures) as RunFigures;
    } catch (e) {
      damage ??= damaged(`its stored figures do not parse (${(e as Error).message})`);
    }
  }
  return {
    id: r.id,
    scenario: r.scenario,
    status: r.status as RunStatus,
    mode: r.mode as RunMode,
    seed: r.seed,
    workers: r.workers,
    duration: r.duration,
    speed: r.speed,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    error: r.error,
    clock: r.clock,
    events: r.events,
    figures,
    ...paramsExtras(r.params),
    damage,
  };
}
