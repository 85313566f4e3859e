/**
 * The dashboard server's app factory. `buildApp(opts)` returns the fastify instance without
 * listening (tests use `app.inject()`; main.ts listens). One route plugin per area, each calling
 * the simulator services decorated on the root as `app.sim`; no model logic in handlers.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { API_ERRORS, ApiError, toApiError } from './errors.js';
import { onClientError, onFrameworkError, hostGuard, staticPathAllowed } from './guards.js';
import { publicDir } from './paths.js';
import { healthRoutesPlugin } from './routes-health.js';
import { liveRoutesPlugin } from './routes-live.js';
import { runRoutesPlugin } from './routes-runs.js';
import { scenarioRoutesPlugin } from './routes-scenarios.js';
import { stateRoutesPlugin } from './routes-state.js';
import { sweepRoutesPlugin } from './routes-sweeps.js';
import { sizeRoutesPlugin } from './routes-sizes.js';
import { SizeManager } from './sizes.js';
import { RunManager, type Runner } from './runs.js';
import { errorSchema, runSummarySchema } from './schemas.js';
import { SseHub } from './sse.js';
import { RunStore } from './store.js';
import { SweepManager } from './sweeps.js';
import { QueueSweeps } from './sweeps-queue.js';
import { QueueExecutor } from '../../sim/toolkit/queue/executor.js';
import type { QueueAddress } from '../../sim/toolkit/queue/url.js';

/** Largest request body accepted (bytes). */
export const BODY_LIMIT = 1024 * 1024;
export const DEFAULT_MAX_RUNS = 2;
/** The data directory when none is given: hidden, ignored by git (.gitignore) and by npm pack. */
export const DEFAULT_DATA_DIR = '.impp-sim';

export interface BuildAppOptions {
  /** folder of the SQLite run store (created if missing); default ./.impp-sim */
  dataDir?: string;
  /** active runs (and sweeps) at once; more get 429 */
  maxRuns?: number;
  logger?: FastifyServerOptions['logger'];
  /** executes batch runs (default runScenario) */
  runner?: Runner;
  /** folder of the static files (default web/public of the repository) */
  publicDir?: string;
  /** host names accepted in the Host header besides 127.0.0.1, localhost and [::1] (main.ts: --host, --allow-host) */
  allowedHosts?: string[];
  /** wall-clock ms between checkpoints of live runs (default 5000) */
  checkpointMs?: number;
  /** a paused run that no page watches is stopped after this many ms (default 5 min; 0 = never) */
  idleTimeoutMs?: number;
  /** run the scalability view's sweeps on this queue's workers (main.ts: --queue, IMPP_SIM_QUEUE); default here */
  queue?: QueueAddress | null;
}

export interface SimServices {
  runs: RunManager;
  sweeps: SweepManager;
  sizes: SizeManager;
  store: RunStore;
  streams: SseHub;
}

declare module 'fastify' {
  interface FastifyInstance {
    sim: SimServices;
  }
}

interface ValidationItem {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** A schema validation failure as one sentence that names the field. */
function validationMessage(context: string | undefined, items: ValidationItem[]): string {
  const v = items[0] ?? {};
  const where = `${context ?? 'request'}${(v.instancePath ?? '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
  switch (v.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field '${String(v.params?.additionalProperty)}'`;
    case 'required':
      return `${where}: missing required field '${String(v.params?.missingProperty)}'`;
    case 'enum':
      return `${where}: must be one of ${(v.params?.allowedValues as unknown[] | undefined)?.map((x) => JSON.stringify(x)).join(', ') ?? 'the allowed values'}`;
    default:
      return `${where}: ${v.message ?? 'is invalid'}`;
  }
}

export function errorBody(code: keyof typeof API_ERRORS, message: string) {
  return { error: { code, message } };
}

export async function buildApp(opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // unknown fields are errors (not silently removed) and nothing is coerced to another type
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // errors met before routing (bad percent-encoding, an over-long path segment, a request that
    // is not HTTP) answer in the API's error shape too
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    // a request without a Host header reaches the Host guard (421 in the error shape) instead of
    // Node's bodiless 400
    http: { requireHostHeader: false },
  });

  // opening the store throws a StoreError (kind 'open') that says what is wrong and what to do
  const store = new RunStore(resolve(opts.dataDir ?? DEFAULT_DATA_DIR), { log: app.log });
  try {
    store.markInterrupted(new Date().toISOString());
  } catch (e) {
    store.close();
    throw e;
  }
  const runs = new RunManager({ store, maxRuns: opts.maxRuns ?? DEFAULT_MAX_RUNS, runner: opts.runner, log: app.log, checkpointMs: opts.checkpointMs, idleTimeoutMs: opts.idleTimeoutMs });
  // the queue's address is logged and shown as `shown` only (no password)
  const queue = opts.queue ? new QueueSweeps(new QueueExecutor(opts.queue, (line) => app.log.warn(line)), runs) : null;
  const sweeps = new SweepManager(runs, store, queue);
  const sizes = new SizeManager(runs);
  app.decorate('sim', { runs, sweeps, sizes, store, streams: new SseHub() });
  app.addHook('onRequest', hostGuard(app, opts.allowedHosts ?? []));
  app.addHook('onClose', async () => {
    sizes.close();
    const sweepsDone = sweeps.close();
    await runs.close();
    await sweepsDone;
    await queue?.close();
    store.close();
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toApiError(err);
    if (e instanceof ApiError) return reply.status(e.statusCode).send(e.toJSON());
    if (err.validation) return reply.status(400).send(errorBody('BAD_REQUEST', validationMessage(err.validationContext, err.validation as ValidationItem[])));
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', `the request body exceeds ${BODY_LIMIT} bytes`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json (got ${req.headers['content-type'] ?? 'none'})`));
    }
    const status = err.statusCode ?? 500;
    // the static file server refuses paths outside its root: answer as for any missing file
    if (status === 403 || status === 404) return reply.status(404).send(errorBody('NOT_FOUND', `no route or file for ${req.method} ${req.url}`));
    if (status === 405) return reply.status(405).send(errorBody('METHOD_NOT_ALLOWED', err.message));
    if (status >= 400 && status < 500) return reply.status(status).send(errorBody('BAD_REQUEST', err.message));
    req.log.error({ err }, 'internal error');
    return reply.status(500).send(errorBody('INTERNAL', 'internal server error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `no route or file for ${req.method} ${req.url}`));
  });

  // the API takes JSON only: a text/plain body is refused (415) rather than parsed as a string
  app.removeContentTypeParser('text/plain');
  app.addSchema(errorSchema);
  app.addSchema(runSummarySchema);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'impp-sim dashboard API',
        description: 'Runs of the IMPP presence/IM simulator: scenarios, batch and interactive runs, live events, reports, traces, sweeps. See docs/api.md.',
        version: '0.1.0',
      },
      tags: [{ name: 'scenarios' }, { name: 'runs' }, { name: 'sweeps' }, { name: 'health' }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(scenarioRoutesPlugin);
  await app.register(runRoutesPlugin);
  await app.register(stateRoutesPlugin);
  await app.register(sweepRoutesPlugin);
  await app.register(sizeRoutesPlugin);
  await app.register(healthRoutesPlugin);
  await app.register(liveRoutesPlugin);

  const root = opts.publicDir ?? publicDir();
  if (existsSync(root)) {
    // a symlink under the public folder that leads out of it is not followed (allowedPath)
    await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], dotfiles: 'deny', schemaHide: true, allowedPath: staticPathAllowed(root) });
  }
  return app;
}
