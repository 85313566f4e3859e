/** JSON schemas of /api/sweeps and /api/sizes (scalability curves and capacity searches). */
import { durationSchema, errors, idParams, looseObject } from './schemas-common.js';

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
                workers: { type: 'array', items: { type: 'string' }, description: 'queued sweeps: the worker that ran each of runs' },
              },
            },
          },
          threshold: { type: 'number' },
          saturatesAt: { anyOf: [{ type: 'null' }, { type: 'number' }, { type: 'string' }] },
          executor: { type: 'string', enum: ['queue'], description: 'set when the points ran on queue workers (npm start -- --queue)' },
          where: { type: 'string', description: 'the queue, its password shown as ***' },
          progress: {
            type: 'object',
            description: 'queued sweeps: runs done of all, the workers seen, the wall time so far and left (ms, at the pace so far)',
            properties: {
              done: { type: 'integer' },
              total: { type: 'integer' },
              workers: { type: 'array', items: { type: 'string' } },
              elapsedMs: { type: 'number' },
              etaMs: { anyOf: [{ type: 'null' }, { type: 'number' }] },
            },
          },
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
