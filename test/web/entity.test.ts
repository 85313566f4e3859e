/** One user as the trace shows it (web/server/entity.ts), on a small traced run through the API. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/model/impp.js';
import { buildApp } from '../../web/server/app.js';
import { entityView } from '../../web/server/entity.js';

let app: FastifyInstance | null = null;
let dir = '';
afterEach(async () => {
  await app?.close();
  app = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rec = (t: number, op: string, from: string, to: string, detail = ''): TraceRecord => ({ t, op, from, to, fromDomain: 'a', toDomain: 'a', bytes: 100, detail }) as unknown as TraceRecord;

describe('entity view', () => {
  it('entityView(trace, user, upTo) follows a subscription from pending to active to ended, both ways, up to the step', () => {
    const trace = [rec(1, 'subscribe', 'u0@a', 'u1@a'), rec(2, 'subscribeResponse', 'u1@a', 'u0@a', 'accepted'), rec(3, 'message', 'u1@a', 'u0@a'), rec(4, 'unsubscribe', 'u0@a', 'u1@a')];
    expect(entityView(trace, 'u0@a', 0).watching).toEqual([{ peer: 'u1@a', kind: 'subscription', status: 'pending', since: 1 }]);
    expect(entityView(trace, 'u0@a', 2).watching[0].status).toBe('active');
    expect(entityView(trace, 'u0@a', 2).inbox).toEqual([{ from: 'u1@a', at: 3, bytes: 100 }]);
    expect(entityView(trace, 'u0@a').watching[0]).toMatchObject({ status: 'ended', since: 4 });
    expect(entityView(trace, 'u1@a', 1).watchers[0]).toMatchObject({ peer: 'u0@a', status: 'active' });
  });

  it('GET /api/runs/:id/entity/:user reads a teach-basic run: the published tuples in words; unknown users are 404', async () => {
    dir = mkdtempSync(join(tmpdir(), 'impp-entity-'));
    app = await buildApp({ dataDir: dir });
    const r = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '3min' } })).json();
    await app.sim.runs.waitEnd(r.id);
    const trace = (await app.inject({ method: 'GET', url: `/api/runs/${r.id}/trace?limit=5000` })).json().records as TraceRecord[];
    const pub = trace.find((t) => t.op === 'publish')!;
    const e = (await app.inject({ method: 'GET', url: `/api/runs/${r.id}/entity/${encodeURIComponent(pub.from)}` })).json();
    expect(e.user).toBe(pub.from);
    expect(e.state.tuples.length).toBeGreaterThan(0);
    expect(['open', 'closed']).toContain(e.state.tuples[0].basic);
    expect(['offline', 'available', 'away', 'busy', 'on-the-phone']).toContain(e.state.tuples[0].activity);
    const early = (await app.inject({ method: 'GET', url: `/api/runs/${r.id}/entity/${encodeURIComponent(pub.from)}?upTo=0` })).json();
    expect(early.upTo).toBe(0);
    expect((await app.inject({ method: 'GET', url: `/api/runs/${r.id}/entity/${encodeURIComponent(pub.from)}?upTo=-1` })).statusCode).toBe(400);
    const missing = await app.inject({ method: 'GET', url: `/api/runs/${r.id}/entity/nobody@nowhere` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ENTITY_NOT_FOUND');
  });
});
