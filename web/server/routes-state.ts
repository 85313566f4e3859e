/**
 * /api/runs/:id/state/:user: one user of a live interactive run as its model holds it at the
 * current step (sim/model/entity-inspection.ts), read from the model's columns, not the trace.
 */
import type { FastifyInstance } from 'fastify';
import { runRoutes } from './schemas.js';

export async function stateRoutesPlugin(app: FastifyInstance): Promise<void> {
  const runs = app.sim.runs;
  app.get<{ Params: { id: string; user: string } }>('/api/runs/:id/state/:user', { schema: runRoutes.state }, async (req) => runs.inspect(req.params.id, req.params.user));
}
