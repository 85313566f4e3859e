/** /api/sweeps: parameter sweeps (scalability curves); /api/cli-sweeps: the command line's, read-only (cli-sweeps.ts). */
import type { FastifyInstance } from 'fastify';
import { getCliSweep, listCliSweeps } from './cli-sweeps.js';
import { sweepControl, sweepRoutes } from './schemas.js';
import type { SweepInput } from './sweeps.js';

export async function sweepRoutesPlugin(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SweepInput }>('/api/sweeps', { schema: sweepRoutes.create }, async (req, reply) => {
    const s = app.sim.sweeps.create(req.body);
    return reply.status(201).send({ id: s.id });
  });

  app.get<{ Params: { id: string } }>('/api/sweeps/:id', { schema: sweepRoutes.get }, async (req) => app.sim.sweeps.get(req.params.id));

  app.post<{ Params: { id: string }; Body: { action: 'stop' } }>('/api/sweeps/:id/control', { schema: sweepControl }, async (req) => app.sim.sweeps.stop(req.params.id));

  app.get('/api/cli-sweeps', { schema: { tags: ['sweeps'], summary: "the command line's sweeps recorded in this server's store (read-only), newest first" } }, async () => ({
    sweeps: listCliSweeps(app.sim.store.db),
  }));

  app.get<{ Params: { id: string } }>('/api/cli-sweeps/:id', { schema: { tags: ['sweeps'], summary: 'one command-line sweep: its result (points[].runs[].worker) and its recorded runs with their workers' } }, async (req) =>
    getCliSweep(app.sim.store.db, req.params.id),
  );
}
