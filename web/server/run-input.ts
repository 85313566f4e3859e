/**
 * What a request to start a run says, checked once where it enters: the scenario (a built-in name
 * or text), the duration, and the size limit of interactive runs. Interactive runs are built and
 * stepped on the server's event loop, so their population is bounded here: building one with
 * 2,000 users x 1,999 buddies (4 M subscription edges) held the loop for about 10 s.
 */
import { durationOverride, parseScenario, tryParseDuration, type Scenario } from '../../sim/scenario/index.js';
import { catalog } from './catalog.js';
import { ApiError, toApiError } from './errors.js';
import type { RunMode } from './store.js';

export interface CreateRunInput {
  scenario?: string;
  yaml?: string;
  seed?: number;
  /** a count, or 'auto' (sim/workers.ts), resolved to a count when the run is created */
  workers?: number | 'auto';
  duration?: string | number;
  overrides?: string[];
  mode?: RunMode;
  speed?: number;
  thresholds?: string[];
}

/** Most expected subscription edges (users x mean buddies) of an interactive run's scenario. */
export const INTERACTIVE_MAX_EDGES = 100_000;

/** Resolves a duration given as '10m' or as ms. */
export function parseDurationInput(d: string | number): number {
  if (typeof d === 'number') {
    if (!(d > 0) || !Number.isFinite(d)) throw new ApiError('BAD_REQUEST', `body.duration: must be a duration > 0 (ms, or a string like '10m'), got ${d}`);
    return d;
  }
  // The API contract writes minutes as '10m' (the scenario language wants 'min', to tell them from 'ms').
  const minutes = /^\s*(\d+(?:\.\d+)?)\s*m\s*$/.exec(d);
  const r = minutes ? tryParseDuration(`${minutes[1]}min`) : tryParseDuration(d);
  if (!r.ok) throw new ApiError('BAD_REQUEST', `body.duration: ${r.message}`);
  if (!(r.value > 0)) throw new ApiError('BAD_REQUEST', `body.duration: must be > 0, got '${d}'`);
  return r.value;
}

export function builtinNames(): string[] {
  return catalog.names();
}

/** Loads a built-in scenario by name only (never a path: the API does not read arbitrary files). */
export function loadBuiltin(name: string, overrides: readonly string[] = []): Scenario {
  const entry = catalog.find(name);
  if (entry === undefined) {
    throw new ApiError('SCENARIO_NOT_FOUND', `no built-in scenario named '${name}'; built-in scenarios: ${builtinNames().join(', ')}`);
  }
  try {
    return catalog.load(entry, overrides);
  } catch (e) {
    throw toApiError(e);
  }
}

/** The scenario a request names: exactly one of a built-in name and scenario text. */
export function scenarioOf(input: CreateRunInput): Scenario {
  if ((input.scenario === undefined) === (input.yaml === undefined)) {
    throw new ApiError('BAD_REQUEST', 'body: give exactly one of `scenario` (a built-in name) and `yaml` (scenario text)');
  }
  // a duration is an override like any other, so the schema checks its limit
  const overrides = input.duration === undefined ? (input.overrides ?? []) : [...(input.overrides ?? []), durationOverride(parseDurationInput(input.duration))];
  if (input.scenario !== undefined) return loadBuiltin(input.scenario, overrides);
  try {
    return parseScenario(input.yaml!, '<request>', overrides);
  } catch (e) {
    throw toApiError(e);
  }
}

/** Mean of a buddy-count distribution (the power law summed over its range). */
function meanBuddies(b: Scenario['population']['buddies']): number {
  if (b.dist === 'fixed') return b.value;
  if (b.dist === 'uniform') return (b.min + b.max) / 2;
  let w = 0;
  let s = 0;
  for (let k = Math.max(1, b.min); k <= b.max; k++) {
    const p = Math.pow(k, -b.alpha);
    w += p;
    s += p * k;
  }
  return w > 0 ? s / w : b.min;
}

/** Expected subscription edges of a scenario's population (buddy lists plus celebrity watchers). */
export function expectedEdges(sc: Scenario): number {
  const users = sc.domains.reduce((n, d) => n + d.users, 0);
  const per = Math.min(meanBuddies(sc.population.buddies), Math.max(0, users - 1));
  return Math.round(users * per + (sc.population.celebrity?.subscribers ?? 0));
}

/** Refuses an interactive run whose population would hold the event loop while it is built. */
export function checkInteractiveSize(sc: Scenario): void {
  const edges = expectedEdges(sc);
  if (edges > INTERACTIVE_MAX_EDGES) {
    throw new ApiError(
      'BAD_OPTION',
      `scenario '${sc.name}' has about ${edges} subscription edges (users x mean buddies); interactive runs take at most ${INTERACTIVE_MAX_EDGES} (use a batch run, or lower population.buddies or domains[].users)`,
    );
  }
}
