/**
 * A new run from a request: the request checked once where it enters (scenario, duration,
 * thresholds, the memory estimate, the interactive size limit), its stored record, and the live
 * state the run manager keeps for it while it goes on.
 */
import { chooseWorkers } from '../../sim/workers.js';
import { lpLayout } from '../../sim/model/cluster.js';
import { randomBytes } from 'node:crypto';
import { InteractiveRun } from '../../sim/interactive.js';
import { checkRunFits } from '../../sim/estimate.js';
import type { Scenario } from '../../sim/scenario/index.js';
import type { Threshold } from '../../sim/toolkit/thresholds.js';
import { toApiError } from './errors.js';
import { checkInteractiveSize, scenarioOf, type CreateRunInput } from './run-input.js';
import type { LiveRun } from './run-state.js';
import { parseRunThresholds } from './run-thresholds.js';
import type { RunMode, RunParams, StoredRun } from './store.js';

function newId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A request to start a run, checked: what the run will be. */
export interface PreparedRun {
  scenario: Scenario;
  params: RunParams;
  thresholds: Threshold[];
}

/** Checks a request (every limit where it enters); throws an ApiError naming the problem. */
export function prepareRun(input: CreateRunInput, sweep?: string): PreparedRun {
  const scenario = scenarioOf(input);
  // the duration goes through the scenario schema like any override (scenarioOf; its limit is checked there)
  const duration = scenario.duration;
  const seed = input.seed ?? scenario.seed;
  const mode: RunMode = input.mode ?? 'batch';
  const workers = mode === 'interactive' ? 1 : input.workers === 'auto' ? chooseWorkers(scenario).workers : Math.min(input.workers ?? 1, lpLayout(scenario).lps);
  const thresholds = parseRunThresholds(input.thresholds);
  try {
    checkRunFits(scenario, { workers });
  } catch (e) {
    throw toApiError(e);
  }
  if (mode === 'interactive') checkInteractiveSize(scenario);
  const params: RunParams = { mode, seed, workers, duration, speed: input.speed ?? 0, overrides: input.overrides ?? [] };
  if (input.yaml !== undefined) params.yaml = input.yaml;
  if (sweep !== undefined) params.sweep = sweep;
  if (thresholds.length > 0) params.thresholds = thresholds.map((t) => t.text);
  return { scenario: { ...scenario, seed, duration }, params, thresholds };
}

/** Builds an interactive run's model (population, kernel) in this thread. */
export function buildInteractive(p: PreparedRun): InteractiveRun {
  try {
    return new InteractiveRun(p.scenario, { seed: p.params.seed, duration: p.params.duration });
  } catch (e) {
    throw toApiError(e);
  }
}

/** The record a new run starts with in the store. */
export function newStoredRun(p: PreparedRun): StoredRun {
  return {
    id: newId(),
    scenario: p.scenario.name,
    status: 'running',
    params: p.params,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    error: null,
    clock: 0,
    events: 0,
    figures: null,
  };
}

/** The live state of a run that starts now. */
export function newLiveRun(stored: StoredRun, p: PreparedRun, interactive: InteractiveRun | null, counted: boolean): LiveRun {
  return {
    stored,
    scenario: p.scenario,
    snapshot: null,
    series: { domains: p.scenario.domains.map((d) => d.name), points: [] },
    buckets: null,
    bucketPrev: null,
    report: null,
    listeners: new Set(),
    traceSent: 0,
    done: Promise.resolve(),
    counted,
    checkpointClock: -1,
    idleSince: performance.now(),
    stopReason: null,
    thresholds: p.thresholds,
    liveThresholds: [],
    handle: null,
    stopRequested: false,
    timer: null,
    lastSnapshotAt: 0,
    anchorWall: performance.now(),
    anchorSim: 0,
    startedWall: performance.now(),
    build: null,
    interactive,
    driving: false,
    resolveDone: null,
  };
}
