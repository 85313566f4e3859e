/** /api/sweeps: parameter sweeps (scalability curves). */
import type { FastifyInstance } from 'fastify';
import { sweepControl, sweepRoutes } from './schemas.js';
import type { SweepInput } from './sweeps.js';

export async function sweepRoutesPlugin(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SweepInput }>('/api/sweeps', { schema: sweepRoutes.create }, async (req, reply) => {
    const s = app.sim.sweeps.create(req.body);
    return reply.status(201).send({ id: s.id });
  });

  app.get<{ Params: { id: string } }>('/api/sweeps/:id', { schema: sweepRoutes.get }, async (req) => app.sim.sweeps.get(req.params.id));

  app.post<{ Params: { id: string }; Body: { action: 'stop' } }>('/api/sweeps/:id/control', { schema: sweepControl }, async (req) => app.sim.sweeps.stop(req.params.id));
}
