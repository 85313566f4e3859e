/** /api/sweeps: parameter sweeps (scalability curves); /api/cli-sweeps: the command line's, read-only (cli-sweeps.ts). */
import type { FastifyInstance } from 'fastify';
import { getCliSweep, listCliSweeps } from './cli-sweeps.js';
import { sweepControl, sweepRoutes } from './schemas.js';
import { frame, type SseClient } from './sse.js';
import type { SweepInput } from './sweeps.js';

export async function sweepRoutesPlugin(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SweepInput }>('/api/sweeps', { schema: sweepRoutes.create }, async (req, reply) => {
    const s = app.sim.sweeps.create(req.body);
    return reply.status(201).send({ id: s.id });
  });

  app.get<{ Params: { id: string } }>('/api/sweeps/:id', { schema: sweepRoutes.get }, async (req) => app.sim.sweeps.get(req.params.id));

  // the state at once and at every change (a point's run done, its progress), then `end`; an ended sweep gets both at once
  app.get<{ Params: { id: string } }>('/api/sweeps/:id/events', { schema: { tags: ['sweeps'], summary: "a sweep's state as it changes (SSE): sweep (the state, with progress on a queue), end" } }, (req, reply) => {
    const state = app.sim.sweeps.get(req.params.id);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let unsubscribe: (() => void) | null = null;
    const client: SseClient = app.sim.streams.open(reply.raw, () => unsubscribe?.());
    unsubscribe = app.sim.sweeps.subscribe(state.id, (ev) => (ev.type === 'end' ? client.end('end', frame('end', ev.data)) : client.send('sweep', frame('sweep', ev.data))));
    client.send('sweep', frame('sweep', structuredClone(state)));
    if (unsubscribe === null) client.end('end', frame('end', { status: state.status }));
  });

  app.post<{ Params: { id: string }; Body: { action: 'stop' } }>('/api/sweeps/:id/control', { schema: sweepControl }, async (req) => app.sim.sweeps.stop(req.params.id));

  app.get('/api/cli-sweeps', { schema: { tags: ['sweeps'], summary: "the command line's sweeps recorded in this server's store (read-only), newest first" } }, async () => ({
    sweeps: listCliSweeps(app.sim.store.db),
  }));

  app.get<{ Params: { id: string } }>('/api/cli-sweeps/:id', { schema: { tags: ['sweeps'], summary: 'one command-line sweep: its result (points[].runs[].worker) and its recorded runs with their workers' } }, async (req) =>
    getCliSweep(app.sim.store.db, req.params.id),
  );
}
