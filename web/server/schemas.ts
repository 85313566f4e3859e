/**
 * JSON schemas of the API's requests and responses (fastify validates bodies, params and query
 * strings with them, serialises responses with them, and @fastify/swagger publishes them).
 * Bodies refuse unknown fields; nothing is coerced (a seed of "5" is a wrong type, not 5).
 *
 * One module per route area; this one gathers them. A new route area adds its own
 * schemas-<area>.ts built from schemas-common.ts.
 */
export * from './schemas-common.js';
export * from './schemas-runs.js';
export * from './schemas-scenarios.js';
export * from './schemas-sweeps.js';
