/** /api/runs: create, list, read, control runs; their reports, traces, time series and live events. */
import { LIVE_LATENCY_EDGES_MS } from '../../sim/model/impp.js';
import { runDocument, toHtml } from '../../sim/toolkit/document.js';
import { liveHtml } from '../../sim/live/live-command.js';
import type { LiveReport } from '../../sim/live/live-report.js';
import { evaluateThresholds } from '../../sim/toolkit/thresholds.js';
import { parseRunThresholds } from './run-thresholds.js';
import { entityView } from './entity.js';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';
import { tracePayload } from './payload.js';
import { timeSeriesCsv } from './rates.js';
import type { ControlAction, CreateRunInput, RunEvent } from './runs.js';
import { TRACE_CHUNK } from './run-drivers.js';
import { runRoutes } from './schemas.js';
import { frame } from './sse.js';

/** Wall-clock ms between SSE heartbeat comments. */
export const HEARTBEAT_MS = 15_000;
const MAX_TRACE_PAGE = 10_000;

type IdParams = { Params: { id: string } };

export async function runRoutesPlugin(app: FastifyInstance): Promise<void> {
  const runs = app.sim.runs;

  app.post<{ Body: CreateRunInput }>('/api/runs', { schema: runRoutes.create }, async (req, reply) => {
    const summary = runs.create(req.body);
    return reply.status(201).send(summary);
  });

  app.get('/api/runs', { schema: runRoutes.list }, async () => ({ runs: runs.list() }));

  app.get<IdParams>('/api/runs/:id', { schema: runRoutes.get }, async (req) => {
    const summary = runs.require(req.params.id);
    return { ...summary, snapshot: runs.snapshot(req.params.id) };
  });

  app.get<IdParams>('/api/runs/:id/report', { schema: runRoutes.report }, async (req) => runs.report(req.params.id));

  app.post<IdParams & { Body: { action: ControlAction; speed?: number; to?: 'event' | 'message'; op?: string; until?: number } }>(
    '/api/runs/:id/control',
    { schema: runRoutes.control },
    async (req) => {
      const { action, speed, to, op, until } = req.body;
      return runs.control(req.params.id, action, { speed, to, op, until });
    },
  );

  app.post<IdParams & { Body: { tags?: unknown; note?: unknown } }>('/api/runs/:id/notes', { schema: runRoutes.notes }, async (req) => runs.annotate(req.params.id, req.body ?? {}));

  app.get<IdParams & { Querystring: { from?: string; limit?: string } }>('/api/runs/:id/trace', { schema: runRoutes.trace }, async (req) => {
    const trace = runs.trace(req.params.id);
    const from = req.query.from === undefined ? 0 : Number(req.query.from);
    const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
    if (limit < 1 || limit > MAX_TRACE_PAGE) throw new ApiError('BAD_REQUEST', `querystring.limit: must be 1..${MAX_TRACE_PAGE}, got ${limit}`);
    return { total: trace.length, from, records: trace.slice(from, from + limit) };
  });

  app.get<{ Params: { id: string; index: string } }>('/api/runs/:id/trace/:index', { schema: runRoutes.traceRecord }, async (req) => {
    const trace = runs.trace(req.params.id);
    const index = Number(req.params.index);
    const record = trace[index];
    if (record === undefined) throw new ApiError('TRACE_NOT_FOUND', `run '${req.params.id}' has ${trace.length} trace record(s); no record ${index}`);
    return { index, ...tracePayload(record) };
  });

  app.get<{ Params: { id: string; user: string }; Querystring: { upTo?: string } }>('/api/runs/:id/entity/:user', { schema: runRoutes.entity }, async (req) => {
    const trace = runs.trace(req.params.id);
    const user = req.params.user;
    if (!trace.some((r) => r.from === user || r.to === user || r.from.split('@')[0] === user || r.to.split('@')[0] === user)) {
      throw new ApiError('ENTITY_NOT_FOUND', `no traced message of run '${req.params.id}' names '${user}' (give a user as the trace writes it, such as u0@example.com)`);
    }
    return entityView(trace, user, req.query.upTo === undefined ? undefined : Number(req.query.upTo));
  });

  app.get<IdParams>('/api/runs/:id/report.html', { schema: runRoutes.reportHtml }, async (req, reply) => {
    const s = runs.require(req.params.id);
    const report = runs.report(req.params.id);
    const html = (text: string) => reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${req.params.id}-report.html"`).send(text);
    if (s.measured) return html(liveHtml(report as unknown as LiveReport));
    const thresholds = parseRunThresholds(s.thresholds);
    const doc = runDocument(report, { thresholds: thresholds.length ? evaluateThresholds(thresholds, report) : undefined });
    return html(toHtml(doc));
  });

  app.get<IdParams>('/api/runs/:id/timeseries', { schema: runRoutes.timeseriesJson }, async (req) => ({
    latencyEdgesMs: LIVE_LATENCY_EDGES_MS,
    ...runs.timeseries(req.params.id),
  }));

  app.get<IdParams>('/api/runs/:id/timeseries.csv', { schema: runRoutes.timeseries }, async (req, reply) => {
    const csv = timeSeriesCsv(runs.timeseries(req.params.id));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${req.params.id}-timeseries.csv"`)
      .send(csv);
  });

  // ---- Server-Sent Events (sse.ts: one bounded buffer per client) ----
  const hub = app.sim.streams;
  app.addHook('preClose', async () => hub.closeAll());

  app.get<IdParams>('/api/runs/:id/events', { schema: runRoutes.events }, (req, reply) => {
    const id = req.params.id;
    const summary = runs.require(id);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders?.();
    let sub: ReturnType<typeof runs.subscribe> = null;
    let heartbeat: NodeJS.Timeout | null = null;
    const client = hub.open(raw, () => {
      if (heartbeat !== null) clearInterval(heartbeat);
      sub?.unsubscribe();
      sub = null;
    });
    client.send('status', frame('status', summary));
    sub = runs.subscribe(id, (ev: RunEvent) => {
      const text = frame(ev.type, ev.data);
      if (ev.type === 'end') client.end(ev.type, text);
      else client.send(ev.type, text);
    });
    if (sub === null) {
      // an ended run: its status, then the end at once
      const end: { status: string; error?: string } = { status: summary.status };
      if (summary.error !== null) end.error = summary.error;
      client.end('end', frame('end', end));
      return;
    }
    if (sub.backlog.snapshot !== null) client.send('snapshot', frame('snapshot', sub.backlog.snapshot));
    client.send('series', frame('series', sub.backlog.series));
    for (let i = 0; i < sub.backlog.trace.length; i += TRACE_CHUNK) client.send('trace', frame('trace', sub.backlog.trace.slice(i, i + TRACE_CHUNK)));
    heartbeat = setInterval(() => client.comment(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref?.();
  });
}
