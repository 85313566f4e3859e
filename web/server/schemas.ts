/**
 * JSON schemas of the API's requests and responses (fastify validates bodies, params and query
 * strings with them, serialises responses with them, and @fastify/swagger publishes them).
 * Bodies refuse unknown fields; nothing is coerced (a seed of "5" is a wrong type, not 5).
 */

export const errorSchema = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        problems: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } },
          },
        },
      },
    },
  },
} as const;

const errorRef = { $ref: 'ApiError#' } as const;
/** Error responses a route can give, for the OpenAPI document and the serializer. */
export function errors(...codes: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of codes) out[String(c)] = errorRef;
  return out;
}

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [{ type: 'null' }, schema] });
const looseObject = { type: 'object', additionalProperties: true } as const;

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
  mode: { type: 'string', enum: ['batch', 'interactive'] },
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

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const durationSchema = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 40, description: "a duration such as '10m', '30s', '1h'" },
    { type: 'number', exclusiveMinimum: 0, description: 'milliseconds' },
  ],
} as const;

export const scenarioRoutes = {
  list: {
    tags: ['scenarios'],
    summary: 'The built-in scenarios',
    response: {
      200: {
        type: 'object',
        properties: {
          scenarios: {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, description: { type: 'string' }, domains: { type: 'integer' }, users: { type: 'integer' } },
            },
          },
          default: { type: 'string', description: 'the scenario the dashboard preselects' },
        },
      },
    },
  },
  get: {
    tags: ['scenarios'],
    summary: 'One built-in scenario: its text and its normalised form',
    params: nameParams,
    response: {
      200: {
        type: 'object',
        properties: { name: { type: 'string' }, description: { type: 'string' }, yaml: { type: 'string' }, scenario: looseObject },
      },
      ...errors(400, 404),
    },
  },
  validate: {
    tags: ['scenarios'],
    summary: 'Validate scenario text (YAML or JSON)',
    body: {
      type: 'object',
      required: ['yaml'],
      additionalProperties: false,
      properties: { yaml: { type: 'string' } },
    },
    response: {
      200: { type: 'object', properties: { ok: { type: 'boolean' }, scenario: looseObject } },
      ...errors(400, 413, 415),
    },
  },
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

export const sweepFiguresSchema = {
  type: 'object',
  properties: {
    notificationsPerSec: { type: 'number' },
    p99NotificationMs: { type: 'number' },
    maxUtilisation: { type: 'number' },
    imPerSec: { type: 'number' },
    saturation: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const sweepRoutes = {
  create: {
    tags: ['sweeps'],
    summary: 'Run a scenario for each value of one parameter (a scalability curve)',
    body: {
      type: 'object',
      required: ['scenario', 'param', 'values'],
      additionalProperties: false,
      properties: {
        scenario: { type: 'string', minLength: 1, maxLength: 100 },
        param: { type: 'string', minLength: 1, maxLength: 200, description: "a field path such as 'domains[0].users'" },
        values: { type: 'array', minItems: 2, maxItems: 12, items: { anyOf: [{ type: 'number' }, { type: 'string', minLength: 1, maxLength: 200 }] } },
        duration: durationSchema,
        replications: { type: 'integer', minimum: 1, maximum: 5 },
        seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        overrides: {
          type: 'array',
          maxItems: 100,
          items: { type: 'string', minLength: 3, maxLength: 1000 },
          description: "'path=value' applied at every point before the swept value, e.g. 'warmup=10min'",
        },
      },
    },
    response: { 201: { type: 'object', properties: { id: { type: 'string' } } }, ...errors(400, 404, 413, 415, 429, 503) },
  },
  get: {
    tags: ['sweeps'],
    summary: "A sweep's points and where it saturates",
    params: idParams,
    response: {
      200: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          status: { type: 'string' },
          scenario: { type: 'string' },
          param: { type: 'string' },
          values: { type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'string' }] } },
          duration: { type: 'number' },
          replications: { type: 'integer' },
          overrides: { type: 'array', items: { type: 'string' } },
          points: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                value: { anyOf: [{ type: 'number' }, { type: 'string' }] },
                status: { type: 'string' },
                runs: { type: 'array', items: { type: 'string' } },
                error: { type: 'string' },
                figures: sweepFiguresSchema,
              },
            },
          },
          threshold: { type: 'number' },
          saturatesAt: { anyOf: [{ type: 'null' }, { type: 'number' }, { type: 'string' }] },
        },
      },
      ...errors(404, 409),
    },
  },
} as const;

const sizeId = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

export const sizeRoutes = {
  create: {
    tags: ['sizes'],
    summary: "Search the smallest capacity that meets targets (the CLI's size), on a built-in scenario",
    body: {
      type: 'object',
      required: ['scenario', 'vary'],
      additionalProperties: false,
      properties: {
        scenario: { type: 'string', minLength: 1, maxLength: 100 },
        vary: { type: 'string', minLength: 3, maxLength: 200, description: 'servers.count, servers.cores, or a full path to one domain' },
        targets: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 3, maxLength: 500 }, description: 'thresholds; none: the saturation rule' },
        replications: { type: 'integer', minimum: 1, maximum: 10 },
        duration: durationSchema,
        overrides: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 3, maxLength: 1000 } },
      },
    },
    response: { 201: { type: 'object', properties: { id: { type: 'string' } } }, ...errors(400, 404, 413, 415, 429) },
  },
  get: {
    tags: ['sizes'],
    summary: 'A capacity search: its probes so far, then its answer',
    params: sizeId,
    response: { 200: looseObject, ...errors(404) },
  },
  html: {
    tags: ['sizes'],
    summary: "A finished capacity search's report as one HTML page (the CLI's --html)",
    params: sizeId,
    response: { 200: { type: 'string' }, ...errors(404, 409) },
  },
} as const;

export const sweepControl = {
  tags: ['sweeps'],
  summary: "Stop a sweep: its current point's run and every pending point (the reply comes once it has ended)",
  params: idParams,
  body: {
    type: 'object',
    required: ['action'],
    additionalProperties: false,
    properties: { action: { type: 'string', enum: ['stop'] } },
  },
  response: { 200: sweepRoutes.get.response[200], ...errors(400, 404, 409, 413, 415) },
} as const;

export const healthRoute = {
  tags: ['health'],
  summary: 'Whether the run store can be written, and what the event streams hold',
  response: {
    200: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        store: { type: 'object', properties: { ok: { type: 'boolean' }, file: { type: 'string' }, problem: { type: ['string', 'null'] } } },
        activeRuns: { type: 'integer' },
        streams: {
          type: 'object',
          properties: {
            clients: { type: 'integer' },
            bufferedBytes: { type: 'integer' },
            maxClientBytes: { type: 'integer' },
            peakClientBytes: { type: 'integer' },
            dropped: { type: 'integer' },
          },
        },
      },
    },
  },
} as const;
