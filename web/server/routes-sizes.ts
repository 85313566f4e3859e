/** /api/sizes: capacity searches (`impp-sim size`) from the page. */
import type { FastifyInstance } from 'fastify';
import { sizeRoutes } from './schemas.js';
import type { SizeInput } from './sizes.js';

export async function sizeRoutesPlugin(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SizeInput }>('/api/sizes', { schema: sizeRoutes.create }, async (req, reply) => reply.status(201).send({ id: app.sim.sizes.create(req.body).id }));
  app.get<{ Params: { id: string } }>('/api/sizes/:id', { schema: sizeRoutes.get }, async (req) => app.sim.sizes.get(req.params.id));
  app.get<{ Params: { id: string } }>('/api/sizes/:id/report.html', { schema: sizeRoutes.html }, async (req, reply) => reply.type('text/html; charset=utf-8').send(app.sim.sizes.html(req.params.id)));
}
