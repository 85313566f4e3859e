/** JSON schemas of /api/scenarios and /api/health. */
import { errors, looseObject, nameParams } from './schemas-common.js';

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
