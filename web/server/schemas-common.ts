/**
 * Schema pieces every route area shares: the error shape, the error responses of a route, and
 * the small parameter schemas (ids, names, durations).
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

export const nullable = (schema: Record<string, unknown>) => ({ anyOf: [{ type: 'null' }, schema] });
export const looseObject = { type: 'object', additionalProperties: true } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const durationSchema = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 40, description: "a duration such as '10m', '30s', '1h'" },
    { type: 'number', exclusiveMinimum: 0, description: 'milliseconds' },
  ],
} as const;
