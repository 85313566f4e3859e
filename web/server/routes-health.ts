/** /api/health: the store's state (a deleted or full store says so here) and the event streams' buffers. */
import type { FastifyInstance } from 'fastify';
import { healthRoute } from './schemas.js';

export async function healthRoutesPlugin(app: FastifyInstance): Promise<void> {
  app.get('/api/health', { schema: healthRoute }, async () => {
    const store = app.sim.store.health();
    return { ok: store.ok, store, activeRuns: app.sim.runs.activeCount(), streams: app.sim.streams.stats() };
  });
}
