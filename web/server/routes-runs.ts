/** /api/runs: create, list, read, control runs; their reports, traces, time series and live events. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';
import { tracePayload } from './payload.js';
import { timeSeriesCsv } from './rates.js';
import type { ControlAction, CreateRunInput, RunEvent } from './runs.js';
import { runRoutes } from './schemas.js';

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

  app.post<IdParams & { Body: { action: ControlAction; speed?: number; to?: 'event' | 'message' } }>(
    '/api/runs/:id/control',
    { schema: runRoutes.control },
    async (req) => {
      const { action, speed, to } = req.body;
      return runs.control(req.params.id, action, { speed, to });
    },
  );

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

  app.get<IdParams>('/api/runs/:id/timeseries.csv', { schema: runRoutes.timeseries }, async (req, reply) => {
    const csv = timeSeriesCsv(runs.timeseries(req.params.id));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${req.params.id}-timeseries.csv"`)
      .send(csv);
  });

  // ---- Server-Sent Events ----
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...streams]) close();
  });

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
    const send = (event: string, data: unknown) => {
      if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('status', summary);
    const sub = runs.subscribe(id, (ev: RunEvent) => {
      send(ev.type, ev.data);
      if (ev.type === 'end') close();
    });
    if (sub === null) {
      // an ended run: its status, then the end at once
      const end: { status: string; error?: string } = { status: summary.status };
      if (summary.error !== null) end.error = summary.error;
      send('end', end);
      raw.end();
      return;
    }
    if (sub.backlog.snapshot !== null) send('snapshot', sub.backlog.snapshot);
    for (let i = 0; i < sub.backlog.trace.length; i += 500) send('trace', sub.backlog.trace.slice(i, i + 500));
    const heartbeat = setInterval(() => {
      if (!raw.writableEnded) raw.write(': heartbeat\n\n');
    }, HEARTBEAT_MS);
    let closed = false;
    function close(): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      sub!.unsubscribe();
      streams.delete(close);
      if (!raw.writableEnded) raw.end();
    }
    streams.add(close);
    req.raw.on('close', close);
    raw.on('close', close);
  });
}
