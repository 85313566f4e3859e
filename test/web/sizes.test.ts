/**
 * Capacity searches through the API (web/server/sizes.ts): the CLI's size on a built-in scenario,
 * its probes, its answer in total cores, its HTML report; bad targets and ids are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../web/server/app.js';

let app: FastifyInstance | null = null;
let dir = '';
afterEach(async () => {
  await app?.close();
  app = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('capacity search from the API', () => {
  it('finds the smallest cores per server for office with 3,000 users against a p99 target, in total cores, with a report', async () => {
    dir = mkdtempSync(join(tmpdir(), 'impp-size-'));
    app = await buildApp({ dataDir: dir, maxRuns: 1 });
    const bad = await app.inject({ method: 'POST', url: '/api/sizes', payload: { scenario: 'office', vary: 'servers.cores', targets: ['p99 <'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^body\.targets\[0\]: /);
    const created = await app.inject({ method: 'POST', url: '/api/sizes', payload: { scenario: 'office', vary: 'servers.count', duration: '2min', targets: ['latency.notification.p99 < 5s'], overrides: ['domains[0].users=3000', 'domains[0].servers.cores=1'] } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    // it holds the only slot
    expect((await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic' } })).statusCode).toBe(429);
    let z = (await app.inject({ method: 'GET', url: `/api/sizes/${id}` })).json();
    for (let i = 0; i < 200 && z.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      z = (await app.inject({ method: 'GET', url: `/api/sizes/${id}` })).json();
    }
    expect(z.status).toBe('finished');
    expect(z.probes.length).toBeGreaterThan(0);
    expect(z.text).toMatch(/answer: servers\.count = \d+ for every domain\nthat is \d+ cores? in total \(office\.example \d+ servers? x 1 core\)/);
    const html = await app.inject({ method: 'GET', url: `/api/sizes/${id}/report.html` });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('<h1>impp-sim size: office</h1>');
    expect((await app.inject({ method: 'GET', url: '/api/sizes/nope' })).json().error.code).toBe('SIZE_NOT_FOUND');
  });
});
