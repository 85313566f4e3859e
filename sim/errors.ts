/**
 * One catalog of every error code the simulator raises (in the manner of fastify's lib/errors.js).
 * A code is stable: tests, the CLI and the web layer match on it. The message always names the
 * bad value and, where there is one, the option or field to change.
 */
export const SIM_ERRORS = {
  SIM_ERR_BAD_OPTION: 'an option has a value outside its allowed range',
  SIM_ERR_BAD_DELAY: 'an event was scheduled with a negative or non-finite delay',
  SIM_ERR_UNKNOWN_EVENT_TYPE: 'an event type has no registered handler',
  SIM_ERR_LP_RANGE: 'an event targets a logical process that does not exist',
  SIM_ERR_TOO_MANY_LPS: 'the model declares more logical processes than the kernel can order',
  SIM_ERR_ZERO_LOOKAHEAD: 'a parallel run needs a lookahead greater than zero',
  SIM_ERR_ARENA_FULL: 'the pending events of the kernels of one thread outgrew its event-heap arena',
  SIM_ERR_LOOKAHEAD_VIOLATION: 'an event was sent to another logical process sooner than the lookahead',
  SIM_ERR_WORKER_FAILED: 'a worker of a parallel run failed',
  SIM_ERR_ABORTED: 'the run was aborted because another partition failed',
  SIM_ERR_MODEL: 'the model module is missing or malformed',
  SIM_ERR_SCENARIO_INVALID: 'a scenario file does not match the scenario schema',
  SIM_ERR_SCENARIO_NOT_FOUND: 'no scenario file or built-in scenario has that name',
  SIM_ERR_SCENARIO_PARSE: 'a scenario file is not valid YAML or JSON',
  SIM_ERR_BAD_OVERRIDE: 'a --set override names an unknown field or has a bad value',
  SIM_ERR_CLI_USAGE: 'the command line is malformed',
  SIM_ERR_RUN_TOO_LARGE: 'the estimated memory (or edges, or report size) of a run exceeds its limit (sim/estimate.ts)',
  SIM_ERR_OUTPUT: 'an output file (--json, --csv, --html, --md) cannot be written',
  SIM_ERR_QUEUE: 'the run queue (Redis) cannot be reached or refused a command (sim/toolkit/queue/)',
  SIM_ERR_JOB_REFUSED: 'a queued or exported run comes from another version of impp-sim or Node, or is not a valid run',
  SIM_ERR_LIVE_SERVER: 'the XMPP server of a live run could not be started or reached (sim/live)',
  SIM_ERR_LIVE_TARGET: 'a live run target is not allowed (not loopback without --allow-remote, or malformed)',
} as const;

export type SimErrorCode = keyof typeof SIM_ERRORS;

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: SimErrorCode, message: string, details?: Record<string, unknown>) {
    super(`${code}: ${message}`);
    this.name = 'SimError';
    this.code = code;
    this.details = details;
  }
}

export function isSimError(e: unknown): e is SimError {
  return e instanceof SimError;
}
