/**
 * The API's error catalog (in the manner of sim/errors.ts): every error the dashboard server
 * answers with is `{ error: { code, message } }` and one of these codes, with its HTTP status.
 * docs/api.md lists every code; a test checks that the two agree.
 */
import type { SimErrorCode } from '../../sim/errors.js';
import { isSimError } from '../../sim/errors.js';
import { isStoreError } from './store-errors.js';

export const API_ERRORS = {
  BAD_REQUEST: { status: 400, description: 'the request does not match the route schema (the message names the field)' },
  SCENARIO_INVALID: { status: 400, description: 'the scenario text is not valid YAML/JSON or does not match the scenario schema; `problems` lists each' },
  BAD_OVERRIDE: { status: 400, description: 'an override (`path=value`) names an unknown field or has a bad value' },
  BAD_OPTION: { status: 400, description: 'a run option is out of range (workers, duration, scenario too large for an interactive run, ...)' },
  NOT_FOUND: { status: 404, description: 'no such route, file, scenario, run, sweep or trace record' },
  SCENARIO_NOT_FOUND: { status: 404, description: 'no built-in scenario has that name' },
  RUN_NOT_FOUND: { status: 404, description: 'no run has that id' },
  SWEEP_NOT_FOUND: { status: 404, description: 'no sweep has that id' },
  SIZE_NOT_FOUND: { status: 404, description: 'no capacity search has that id (they are kept in memory)' },
  TRACE_NOT_FOUND: { status: 404, description: 'the run has no trace record at that index' },
  ENTITY_NOT_FOUND: { status: 404, description: 'no traced message of the run names that user (entity), or the run has no such user (state)' },
  MODEL_NOT_LIVE: { status: 409, description: "the run's model is not held by the server: it has ended, or it is a batch run (in a worker thread)" },
  METHOD_NOT_ALLOWED: { status: 405, description: 'the route exists but not for this method' },
  NOT_FINISHED: { status: 409, description: 'the run has not finished yet (no report)' },
  NO_REPORT: { status: 409, description: 'the run ended without a report (failed or interrupted)' },
  RECORD_CORRUPT: { status: 409, description: "the run's (or sweep's) stored record is damaged and cannot be read; other records are unaffected" },
  BAD_STATE: { status: 409, description: 'the control action does not apply to the run in its mode and state' },
  URI_TOO_LONG: { status: 414, description: 'the request line (URL) is longer than the server reads' },
  REQUEST_TIMEOUT: { status: 408, description: 'the request did not arrive in time' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'the request body exceeds the body limit (1 MiB)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'the request body is not application/json' },
  MISDIRECTED: { status: 421, description: "the Host header names neither this machine's loopback names nor --host (DNS rebinding guard)" },
  TOO_MANY_RUNS: { status: 429, description: 'as many runs (or sweeps) as allowed are already active (--max-runs)' },
  HEADERS_TOO_LARGE: { status: 431, description: 'the request headers exceed the 16 KiB the server reads' },
  INTERNAL: { status: 500, description: 'an unexpected server fault (never caused by input)' },
  STORE_UNAVAILABLE: { status: 503, description: 'the run store cannot be written now (disk full, file gone); the message says why and what to do' },
  ARENA_FULL: { status: 503, description: "the run's pending events do not fit in the server's event arena (IMPP_SIM_EVENT_ARENA)" },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly problems: ApiProblem[] | undefined;
  constructor(code: ApiErrorCode, message: string, problems?: ApiProblem[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = API_ERRORS[code].status;
    this.problems = problems;
  }

  toJSON(): { error: { code: string; message: string; problems?: ApiProblem[] } } {
    const error: { code: string; message: string; problems?: ApiProblem[] } = { code: this.code, message: this.message };
    if (this.problems !== undefined) error.problems = this.problems;
    return { error };
  }
}

/** The one place where simulator error codes become API codes. */
const FROM_SIM: Partial<Record<SimErrorCode, ApiErrorCode>> = {
  SIM_ERR_SCENARIO_INVALID: 'SCENARIO_INVALID',
  SIM_ERR_SCENARIO_PARSE: 'SCENARIO_INVALID',
  SIM_ERR_SCENARIO_NOT_FOUND: 'SCENARIO_NOT_FOUND',
  SIM_ERR_BAD_OVERRIDE: 'BAD_OVERRIDE',
  SIM_ERR_BAD_OPTION: 'BAD_OPTION',
  SIM_ERR_ZERO_LOOKAHEAD: 'BAD_OPTION',
  SIM_ERR_TOO_MANY_LPS: 'BAD_OPTION',
  SIM_ERR_ARENA_FULL: 'ARENA_FULL',
  SIM_ERR_RUN_TOO_LARGE: 'BAD_OPTION',
};

/** Strips the `SIM_ERR_X: ` prefix that SimError puts in front of its message. */
export function plainMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^SIM_ERR_[A-Z_]+: /, '');
}

/**
 * Turns an error thrown while handling input (loading a scenario, applying overrides, checking
 * options) into an ApiError. Errors that are not input errors are returned unchanged.
 */
export function toApiError(e: unknown): unknown {
  if (e instanceof ApiError) return e;
  if (isStoreError(e)) {
    if (e.kind === 'corrupt') return new ApiError('RECORD_CORRUPT', e.message);
    if (e.kind === 'unavailable') return new ApiError('STORE_UNAVAILABLE', e.message);
    return e;
  }
  if (isSimError(e)) {
    const code = FROM_SIM[e.code];
    if (code === undefined) return e;
    const raw = e.details?.errors;
    const problems = Array.isArray(raw) ? (raw as (ApiProblem & Record<string, unknown>)[]).map(normaliseProblem) : undefined;
    // a parse error carries its position beside the problem list
    const line = e.details?.line;
    const column = e.details?.column;
    if (problems?.length === 1 && typeof line === 'number' && problems[0].line === undefined) {
      problems[0].line = line;
      if (typeof column === 'number') problems[0].column = column;
    }
    if (code === 'SCENARIO_INVALID' || problems !== undefined) {
      return new ApiError(code, plainMessage(e), problems ?? [{ path: '', message: plainMessage(e) }]);
    }
    return new ApiError(code, plainMessage(e));
  }
  return e;
}

function normaliseProblem(p: ApiProblem & Record<string, unknown>): ApiProblem {
  const out: ApiProblem = { path: String(p.path ?? ''), message: String(p.message ?? '') };
  if (typeof p.line === 'number') out.line = p.line;
  if (typeof p.column === 'number') out.column = p.column;
  return out;
}
