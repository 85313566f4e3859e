/**
 * /api/live-runs: live runs (docs/live.md) started from the dashboard's API. A live run drives a
 * built-in scenario against an embedded Prosody or ejabberd on loopback, started for the run
 * (web/server/live-targets.ts: never a server at an address from the API), one at a time (a live run loads the machine, and it is measured); its state and, once done,
 * its report are kept in memory for the server's lifetime (the last 20), and each is also a run of
 * the run history (live-history.ts: GET /api/runs lists it as measured, its report opens there).
 * GET /api/live-runs/:id/events streams its progress (SSE). Closing the server stops a running
 * one, which still reports what it measured, and its server.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { runLive, checkLiveRun, type LiveRunOptions } from '../../sim/live/live-command.js';
import type { LiveReport } from '../../sim/live/live-report.js';
import { listScenarios, loadScenario } from '../../sim/scenario/index.js';
import { durationOpt } from '../../sim/toolkit/cli.js';
import { ApiError, plainMessage, toApiError } from './errors.js';
import { progressOf, recordLiveEnd, recordLiveStart, type LiveProgress } from './live-history.js';
import { installedLiveTargets, LIVE_TARGET_NAMES, resolveLiveTarget, type LiveTargetName } from './live-targets.js';
import { frame, type SseClient } from './sse.js';

const KEEP = 20;

interface LiveRunEntry {
  id: string;
  scenario: string;
  target: LiveTargetName;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  endedAt: string | null;
  progress: string;
  counts: LiveProgress | null;
  report: LiveReport | null;
  error: string | null;
}

const createSchema = {
  tags: ['runs'],
  summary: 'start a live run against an embedded Prosody or ejabberd (one at a time)',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['scenario'],
    properties: {
      scenario: { type: 'string', minLength: 1, maxLength: 200, description: 'a built-in scenario name' },
      users: { type: 'integer', minimum: 1 },
      duration: { type: 'string', maxLength: 40, description: 'measured wall-clock time, e.g. 30s, 2min' },
      rateScale: { type: 'number', exclusiveMinimum: 0 },
      target: { type: 'string', maxLength: 200, description: `the embedded server started for the run: ${LIVE_TARGET_NAMES.join(' or ')} (default prosody); one installed on the server's machine (GET /api/live-runs lists them)` },
    },
  },
} as const;

const controlSchema = {
  tags: ['runs'],
  summary: 'stop a running live run: its report covers the time measured so far',
  body: { type: 'object', additionalProperties: false, required: ['action'], properties: { action: { type: 'string', enum: ['stop'] } } },
} as const;

export async function liveRoutesPlugin(app: FastifyInstance): Promise<void> {
  const entries = new Map<string, LiveRunEntry>();
  /** SSE clients of each running live run */
  const watchers = new Map<string, Set<SseClient>>();
  const { store, streams } = app.sim;
  let active: { id: string; abort: AbortController; done: Promise<void> } | null = null;

  app.post<{ Body: { scenario: string; users?: number; duration?: string; rateScale?: number; target?: string } }>('/api/live-runs', { schema: createSchema }, async (req, reply) => {
    if (active) throw new ApiError('TOO_MANY_RUNS', 'a live run is already running; one at a time (GET /api/live-runs)');
    const b = req.body;
    if (!listScenarios().some((s) => s.name === b.scenario)) throw new ApiError('SCENARIO_NOT_FOUND', `no built-in scenario named '${b.scenario}'`);
    const target = resolveLiveTarget(b.target);
    let opts: LiveRunOptions;
    let sc;
    let checked;
    try {
      sc = loadScenario(b.scenario, []);
      opts = { target: target.spec, users: b.users, duration: durationOpt(b.duration), rateScale: b.rateScale ?? 1 };
      checked = checkLiveRun(sc, opts);
    } catch (e) {
      const api = toApiError(e);
      throw api instanceof ApiError ? api : new ApiError('BAD_OPTION', plainMessage(e));
    }
    const entry: LiveRunEntry = { id: randomUUID(), scenario: b.scenario, target: target.name, state: 'running', startedAt: new Date().toISOString(), endedAt: null, progress: '', counts: null, report: null, error: null };
    // the history's row first: a store that takes nothing refuses the run before a server starts
    let stored;
    try {
      stored = recordLiveStart(store, entry.id, b.scenario, checked.duration, checked.scenario.seed);
    } catch (e) {
      throw toApiError(e);
    }
    entries.set(entry.id, entry);
    for (const id of entries.keys()) if (entries.size > KEEP && entries.get(id)!.state !== 'running') entries.delete(id);
    watchers.set(entry.id, new Set());
    const broadcast = (event: string, data: unknown) => {
      const text = frame(event, data);
      for (const c of watchers.get(entry.id) ?? []) event === 'end' ? c.end(event, text) : c.send(event, text);
    };
    const abort = new AbortController();
    const onCounts = (c: Parameters<typeof progressOf>[0], ms: number) => broadcast('progress', (entry.counts = progressOf(c, ms)));
    const done = runLive(sc, { ...opts, signal: abort.signal, onTick: (line) => (entry.progress = line), onCounts }).then(
      (report) => {
        entry.report = report;
        entry.state = 'done';
      },
      (e: unknown) => {
        entry.error = plainMessage(e);
        entry.state = 'failed';
      },
    );
    const ended = async () => {
      entry.endedAt = new Date().toISOString();
      active = null;
      try {
        recordLiveEnd(store, stored, entry.report, entry.error);
      } catch (e) {
        app.log.error({ run: entry.id, error: (e as Error).message }, 'cannot record the end of a live run');
      }
      broadcast('end', { state: entry.state, status: stored.status, error: entry.error });
      watchers.delete(entry.id);
    };
    active = { id: entry.id, abort, done: done.then(ended) };
    return reply.status(202).send({ id: entry.id });
  });

  // the dashboard's Stop: ends the measured window now; the report says so (`stopped`)
  app.post<{ Params: { id: string }; Body: { action: 'stop' } }>('/api/live-runs/:id/control', { schema: controlSchema }, async (req) => {
    const e = entries.get(req.params.id);
    if (!e) throw new ApiError('RUN_NOT_FOUND', `no live run has id '${req.params.id}'`);
    if (!active || active.id !== e.id) throw new ApiError('BAD_STATE', `live run '${e.id}' has ended (${e.state}); only a running one can be stopped`);
    active.abort.abort();
    await active.done;
    const { report: _report, ...rest } = e;
    return rest;
  });

  app.get('/api/live-runs', { schema: { tags: ['runs'], summary: "live runs of this server process, newest first, and the targets installed on the server's machine" } }, async () => ({
    targets: installedLiveTargets(),
    liveRuns: [...entries.values()].reverse().map(({ report: _report, ...e }) => e),
  }));

  app.get<{ Params: { id: string } }>('/api/live-runs/:id', { schema: { tags: ['runs'], summary: 'a live run: state, progress, and its report once done' } }, async (req) => {
    const e = entries.get(req.params.id);
    if (!e) throw new ApiError('RUN_NOT_FOUND', `no live run has id '${req.params.id}'`);
    return e;
  });

  app.get<{ Params: { id: string } }>('/api/live-runs/:id/events', { schema: { tags: ['runs'], summary: "a live run's progress (SSE): status, progress once a second, end" } }, (req, reply) => {
    const e = entries.get(req.params.id);
    if (!e) throw new ApiError('RUN_NOT_FOUND', `no live run has id '${req.params.id}'`);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const set = watchers.get(e.id);
    const { report: _report, ...status } = e;
    const client: SseClient = streams.open(reply.raw, () => set?.delete(client));
    if (set === undefined) {
      client.end('end', frame('end', { state: e.state, error: e.error }));
      return;
    }
    set.add(client);
    client.send('status', frame('status', status));
    if (e.counts !== null) client.send('progress', frame('progress', e.counts));
  });

  app.addHook('onClose', async () => {
    if (!active) return;
    active.abort.abort();
    await active.done;
  });
}
