/** JSON schemas of /api/runs: the run summary, and each route's body, parameters and responses. */
import { durationSchema, errors, idParams, looseObject, nullable } from './schemas-common.js';

export const figuresSchema = {
  type: 'object',
  properties: {
    notificationsDelivered: { type: 'number' },
    p99NotificationMs: { type: 'number' },
    imDelivered: { type: 'number' },
    maxUtilisation: { type: 'number' },
    saturation: { type: 'array', items: { type: 'string' } },
    thresholds: { type: 'array', items: looseObject },
  },
} as const;

const runSummaryProperties = {
  id: { type: 'string' },
  scenario: { type: 'string' },
  status: { type: 'string', enum: ['running', 'paused', 'finished', 'failed', 'stopped', 'interrupted', 'corrupt'] },
  mode: { type: 'string', enum: ['batch', 'interactive', 'live'], description: 'live: measured against a real server (docs/live.md), not simulated' },
  measured: { type: 'boolean', description: 'present and true on a live run: its figures are measured on a real server, not simulated' },
  seed: { type: 'number' },
  workers: { type: 'integer' },
  duration: { type: 'number', description: 'simulated ms' },
  speed: { type: 'number', description: 'real-time factor; 0 = as fast as possible' },
  createdAt: { type: 'string' },
  finishedAt: { type: ['string', 'null'] },
  error: { type: ['string', 'null'] },
  clock: { type: 'number', description: 'simulated ms reached' },
  until: { type: 'number' },
  events: { type: 'number' },
  figures: nullable(figuresSchema),
  overrides: { type: 'array', items: { type: 'string' } },
  tags: { type: 'array', items: { type: 'string' } },
  note: { type: 'string' },
  thresholds: { type: 'array', items: { type: 'string' } },
  build: {
    type: 'object',
    description: 'while a batch run builds its population (no event yet): users, expected edges, the rate of this server\'s last timed build and the expected ms (null without one)',
    properties: {
      users: { type: 'number' },
      edges: { type: 'number' },
      work: { type: 'number' },
      rate: { type: ['number', 'null'] },
      basis: { type: 'string' },
      expectedMs: { type: ['number', 'null'] },
      elapsedMs: { type: 'number' },
    },
  },
} as const;

export const runSummarySchema = {
  $id: 'RunSummary',
  type: 'object',
  properties: runSummaryProperties,
} as const;

const runSummaryRef = { $ref: 'RunSummary#' } as const;

export const runWithSnapshotSchema = {
  type: 'object',
  properties: { ...runSummaryProperties, snapshot: nullable(looseObject) },
} as const;

export const runRoutes = {
  create: {
    tags: ['runs'],
    summary: 'Start a run (batch: in a worker thread; interactive: stepped in-process, small scenarios only)',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        scenario: { type: 'string', minLength: 1, maxLength: 100, description: 'a built-in scenario name' },
        yaml: { type: 'string', description: 'scenario text (exactly one of scenario and yaml)' },
        seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        workers: { anyOf: [{ type: 'integer', minimum: 1, maximum: 16 }, { type: 'string', enum: ['auto'] }], description: "a count, or 'auto': picked from the scenario and the cores" },
        duration: durationSchema,
        overrides: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 3, maxLength: 1000 }, description: "'path=value', as the CLI's --set" },
        mode: { type: 'string', enum: ['batch', 'interactive'] },
        speed: { type: 'number', minimum: 0, maximum: 1e9, description: 'real-time factor; 0 or absent = as fast as possible' },
        thresholds: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 3, maxLength: 500 }, description: "SLO gates judged live and at the end, as the CLI's --threshold" },
      },
    },
    response: { 201: runSummaryRef, ...errors(400, 404, 413, 415, 429, 503) },
  },
  list: {
    tags: ['runs'],
    summary: 'Every run, newest first',
    response: { 200: { type: 'object', properties: { runs: { type: 'array', items: runSummaryRef } } } },
  },
  get: {
    tags: ['runs'],
    summary: "A run's summary and its latest live snapshot",
    params: idParams,
    response: { 200: runWithSnapshotSchema, ...errors(404, 409) },
  },
  report: {
    tags: ['runs'],
    summary: "A run's report (docs/report.md) once it has ended",
    params: idParams,
    response: { 200: looseObject, ...errors(404, 409) },
  },
  events: {
    tags: ['runs'],
    summary: 'Server-Sent Events: status, snapshot, trace, end',
    params: idParams,
  },
  control: {
    tags: ['runs'],
    summary: 'Pause, resume, stop, step (interactive runs) or change the speed of a run',
    params: idParams,
    body: {
      type: 'object',
      required: ['action'],
      additionalProperties: false,
      properties: {
        action: { type: 'string', enum: ['pause', 'resume', 'stop', 'step', 'speed'] },
        speed: { type: 'number', minimum: 0, maximum: 1e9 },
        to: { type: 'string', enum: ['event', 'message'] },
        until: { type: 'number', minimum: 0, description: "with action 'step': run to this simulated time (ms), then pause" },
        op: { type: 'string', minLength: 1, maxLength: 40, description: "with to: 'message', step to the next message of this operation (publish, subscribe, notify, message, ...)" },
      },
    },
    response: { 200: runSummaryRef, ...errors(400, 404, 409, 413, 415) },
  },
  notes: {
    tags: ['runs'],
    summary: "Set a run's tags and note (to tell runs apart in compare and the history)",
    params: idParams,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { tags: { type: 'array' }, note: {} },
    },
    response: { 200: runSummaryRef, ...errors(400, 404, 409, 413, 415) },
  },
  trace: {
    tags: ['runs'],
    summary: "A page of a run's message trace",
    params: idParams,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'first index (default 0)' },
        limit: { type: 'string', pattern: '^[0-9]{1,5}$', description: 'records (1..10000, default 1000)' },
      },
    },
    response: {
      200: { type: 'object', properties: { total: { type: 'integer' }, from: { type: 'integer' }, records: { type: 'array', items: looseObject } } },
      ...errors(400, 404, 409),
    },
  },
  traceRecord: {
    tags: ['runs'],
    summary: 'One traced message with its wire payload (PIDF or message/cpim) encoded from the state the model sent, and decoded',
    params: {
      type: 'object',
      required: ['id', 'index'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, index: { type: 'string', pattern: '^[0-9]{1,9}$' } },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          record: looseObject,
          detail: { type: 'string' },
          rule: { type: 'string' },
          version: { type: 'integer' },
          contentType: { type: ['string', 'null'] },
          body: { type: ['string', 'null'] },
          decoded: nullable(looseObject),
          note: { type: 'string' },
          wire: looseObject,
          cpim: looseObject,
        },
      },
      ...errors(400, 404, 409),
    },
  },
  timeseries: {
    tags: ['runs'],
    summary: 'CSV of the rates per bucket of simulated time',
    params: idParams,
    response: { 200: { type: 'string' }, ...errors(404, 409) },
  },
  entity: {
    tags: ['runs'],
    summary: 'One user as the trace shows it up to a step: presence state, subscriptions both ways, inbox',
    params: { type: 'object', properties: { id: { type: 'string' }, user: { type: 'string', maxLength: 200 } }, required: ['id', 'user'] },
    querystring: { type: 'object', properties: { upTo: { type: 'string', pattern: '^[0-9]{1,9}$' } } },
    response: { 200: looseObject, ...errors(400, 404, 409) },
  },
  state: {
    tags: ['runs'],
    summary: "One user of a live interactive run as the model holds it at the current step: devices (tuples), subscriptions both ways, inbox",
    params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, user: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id', 'user'] },
    response: { 200: looseObject, ...errors(404, 409) },
  },
  reportHtml: {
    tags: ['runs'],
    summary: "The run's report as one self-contained HTML page (the CLI's --html), with its thresholds",
    params: idParams,
    response: { 200: { type: 'string' }, ...errors(404, 409) },
  },
  timeseriesJson: {
    tags: ['runs'],
    summary: 'The time series per bucket of simulated time, with the latencies of each bucket',
    params: idParams,
    response: { 200: looseObject, ...errors(404, 409) },
  },
} as const;
