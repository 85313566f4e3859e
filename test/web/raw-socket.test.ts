/**
 * The server on a real socket (listen on 127.0.0.1, ephemeral port), with requests that fetch()
 * will not send: malformed request lines, bad percent-encoding, over-long segments and headers,
 * foreign Host headers; and event-stream readers that never read or read slowly.
 * Guards: every answer is the API's error shape; a stalled reader costs a bounded buffer.
 */
import { describe, expect, it } from 'vitest';
import { bigSnapshotRunner, makeApp, parseResponse, rawRequest, stalledReader, tempDir, type Json } from './server-helpers.js';

async function listening(opts: Parameters<typeof makeApp>[0] = {}) {
  const app = await makeApp(opts);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return { app, port };
}

function expectShape(r: { status: number; body: Json | null }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body?.error?.code).toBe(code);
  expect(String(r.body?.error?.message ?? '').length).toBeGreaterThan(0);
}

const req = (port: number, target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`;

describe('errors outside the route handlers are in the API error shape', () => {
  it('a malformed request line, bad percent-encoding, an over-long segment, over-large headers', async () => {
    const { port } = await listening({ publicDir: tempDir() + '/none' });
    for (const bytes of ['GARBAGE\r\n\r\n', 'GET /api/runs HTTP/9.9\r\nHost: x\r\n\r\n', 'GET /a b c HTTP/1.1\r\n\r\n', '\x00\x01\x02\r\n\r\n']) {
      expectShape(parseResponse(await rawRequest(port, bytes)), 400, 'BAD_REQUEST');
    }
    const bad = parseResponse(await rawRequest(port, req(port, '/api/runs/%E0%A4%A')));
    expectShape(bad, 400, 'BAD_REQUEST');
    expect(bad.body!.error.message).toContain('percent-encoding');
    expectShape(parseResponse(await rawRequest(port, req(port, `/api/runs/${'x'.repeat(150)}`))), 414, 'URI_TOO_LONG');
    expectShape(parseResponse(await rawRequest(port, req(port, '/api/runs', `X-Big: ${'y'.repeat(20_000)}\r\n`))), 431, 'HEADERS_TOO_LARGE');
    expectShape(parseResponse(await rawRequest(port, req(port, `/api/runs?q=${'z'.repeat(20_000)}`))), 431, 'HEADERS_TOO_LARGE');
    // and the server still answers
    expect(parseResponse(await rawRequest(port, req(port, '/api/runs'))).status).toBe(200);
  });
});

describe('the Host header (DNS rebinding guard)', () => {
  it('accepts the loopback names with the port and the names given; anything else is 421', async () => {
    const { port } = await listening({ allowedHosts: ['sim.test'] });
    const ask = async (host: string | null) =>
      parseResponse(await rawRequest(port, `GET /api/runs HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`));
    for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `sim.test:${port}`]) {
      expect((await ask(ok)).status, ok).toBe(200);
    }
    for (const bad of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost`, `attacker.localhost.evil:${port}`, `127.0.0.1:${port}@evil`, null]) {
      expectShape(await ask(bad), 421, 'MISDIRECTED');
    }
  });
});

describe('event streams with slow and stalled readers', () => {
  it('a reader that never reads holds a bounded buffer; snapshots are dropped for it, not queued; closing it frees it', async () => {
    // about 1.3 MB per snapshot, four a second: 5 s stream about 26 MB to every reader
    const { app, port } = await listening({ runner: bigSnapshotRunner(12_000) });
    const run = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '1h' } })).json() as Json;
    const stalled = await Promise.all([stalledReader(port, run.id), stalledReader(port, run.id)]);
    // one reader that keeps up, to count what was streamed
    let streamed = 0;
    const res = await fetch(`http://127.0.0.1:${port}/api/runs/${run.id}/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let peak = 0;
    while (streamed < 25e6) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed += value.length;
      peak = Math.max(peak, app.sim.streams.stats().maxClientBytes);
    }
    const stats = app.sim.streams.stats();
    expect(stats.clients).toBe(3);
    expect(stats.dropped).toBeGreaterThan(0);
    // a snapshot frame is ~1.3 MB: a stalled client holds at most the socket's share of one, and
    // one waiting snapshot and status frame (never the 25 MB streamed meanwhile)
    expect(stats.peakClientBytes).toBeLessThan(4e6);
    expect(peak).toBeLessThan(4e6);
    for (const s of stalled) s.destroy();
    await reader.cancel();
    for (let i = 0; i < 100 && app.sim.streams.stats().clients > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(app.sim.streams.stats()).toMatchObject({ clients: 0, bufferedBytes: 0 });
    await app.inject({ method: 'POST', url: `/api/runs/${run.id}/control`, payload: { action: 'stop' } });
  });

  it('a stalled reader of an ended run is dropped after the grace period rather than kept', async () => {
    const { app, port } = await listening({ runner: bigSnapshotRunner(12_000) });
    const run = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '1h' } })).json() as Json;
    const s = await stalledReader(port, run.id);
    // let it fall behind
    for (let i = 0; i < 200 && app.sim.streams.stats().dropped === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(app.sim.streams.stats().dropped).toBeGreaterThan(0);
    await app.inject({ method: 'POST', url: `/api/runs/${run.id}/control`, payload: { action: 'stop' } });
    // END_GRACE_MS later the server lets go of it
    for (let i = 0; i < 200 && app.sim.streams.stats().clients > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(app.sim.streams.stats().clients).toBe(0);
    s.destroy();
  });

  it('a slow reader gets every event in order and the latest snapshot before the end', async () => {
    const { app, port } = await listening();
    const run = (await app.inject({ method: 'POST', url: '/api/runs', payload: { scenario: 'teach-basic', duration: '3min', speed: 100 } })).json() as Json;
    const res = await fetch(`http://127.0.0.1:${port}/api/runs/${run.id}/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      await new Promise((r) => setTimeout(r, 150));
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const events = text
      .split('\n\n')
      .filter((b) => b.startsWith('event: '))
      .map((b) => ({ event: /^event: (.*)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)![1]) as Json }));
    expect(events[0].event).toBe('status');
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'finished' } });
    const snaps = events.filter((e) => e.event === 'snapshot').map((e) => e.data.clock as number);
    expect(snaps.length).toBeGreaterThan(0);
    for (let i = 1; i < snaps.length; i++) expect(snaps[i]).toBeGreaterThanOrEqual(snaps[i - 1]);
    expect(snaps.at(-1)).toBe(180_000);
  });

});
