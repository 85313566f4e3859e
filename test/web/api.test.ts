/**
 * The dashboard API through fastify.inject (and one real socket for Server-Sent Events).
 * Guards: the route contract the UI relies on, JSON errors with a 4xx for every bad input (never a
 * 5xx), runs in worker threads, interactive stepping, persistence across restarts, sweeps.
 * Batch runs load the compiled model from dist/: run `npx tsc -p .` first (npm test does).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { InteractiveRun } from '../../sim/interactive.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { ACTIVITIES, NOTES } from '../../sim/model/presence-document.js';
import { buildApp, type BuildAppOptions } from '../../web/server/app.js';
import { API_ERRORS } from '../../web/server/errors.js';
import { parseFlags } from '../../web/server/main.js';
import { appendPoint, computeRates, timeSeriesCsv } from '../../web/server/rates.js';
import type { LiveSnapshot } from '../../sim/run.js';
import { RunStore } from '../../web/server/store.js';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'impp-web-'));
  dirs.push(d);
  return d;
}

async function makeApp(opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({ dataDir: opts.dataDir ?? tempDir(), ...opts });
  apps.push(app);
  return app;
}

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

type Json = Record<string, any>;

async function post(app: FastifyInstance, url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: payload as Json });
  return { status: res.statusCode, body: res.json() as Json };
}

async function get(app: FastifyInstance, url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? (res.json() as Json) : null, text: res.body, res };
}

function expectError(r: { status: number; body: Json | null }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.body?.error?.code).toBe(code);
  expect(typeof r.body?.error?.message).toBe('string');
  expect(r.body?.error?.message.length).toBeGreaterThan(0);
}

/** Starts a short batch run of teach-basic and waits for its end. */
async function finishedRun(app: FastifyInstance, extra: Json = {}): Promise<string> {
  const r = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '2min', ...extra });
  expect(r.status).toBe(201);
  await app.sim.runs.waitEnd(r.body.id);
  return r.body.id as string;
}

describe('scenarios', () => {
  it('GET /api/scenarios lists the built-ins with their size, office preselected', async () => {
    const app = await makeApp();
    const r = await get(app, '/api/scenarios');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body!.scenarios.map((s: Json) => [s.name, s]));
    expect(byName['teach-basic']).toMatchObject({ domains: 1, users: 3 });
    expect(byName.office).toMatchObject({ domains: 1, users: 5000 });
    expect(byName.office.description).toMatch(/working day/);
    expect(r.body!.default).toBe('office');
  });

  it('GET /api/scenarios/:name gives the text and the normalised scenario; unknown names are 404', async () => {
    const app = await makeApp();
    const r = await get(app, '/api/scenarios/teach-basic');
    expect(r.status).toBe(200);
    expect(r.body!.yaml).toContain('name: teach-basic');
    expect(r.body!.scenario.domains[0]).toMatchObject({ name: 'example.com', users: 3 });
    expect(r.body!.scenario.duration).toBe(600_000);
    expectError(await get(app, '/api/scenarios/nope'), 404, 'SCENARIO_NOT_FOUND');
    expectError(await get(app, '/api/scenarios/..%2Fpackage.json'), 404, 'SCENARIO_NOT_FOUND');
  });

  it('POST /api/scenarios/validate accepts a good text and lists the problems of a bad one', async () => {
    const app = await makeApp();
    const good = readFileSync(new URL('../../scenarios/teach-basic.yaml', import.meta.url), 'utf8');
    const ok = await post(app, '/api/scenarios/validate', { yaml: good });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, scenario: { name: 'teach-basic' } });

    const malformed = await post(app, '/api/scenarios/validate', { yaml: 'name: x\ndomains: [\n  - a: 1\n' });
    expectError(malformed, 400, 'SCENARIO_INVALID');
    expect(malformed.body.error.problems[0].line).toBeGreaterThan(0);

    const invalid = await post(app, '/api/scenarios/validate', { yaml: good.replace('users: 3', 'users: -3') });
    expectError(invalid, 400, 'SCENARIO_INVALID');
    expect(invalid.body.error.problems.some((p: Json) => p.path === 'domains[0].users')).toBe(true);
  });

  it('POST /api/scenarios/validate refuses unknown fields, wrong types and a missing body field by name', async () => {
    const app = await makeApp();
    const unknown = await post(app, '/api/scenarios/validate', { yaml: 'x', extra: 1 });
    expectError(unknown, 400, 'BAD_REQUEST');
    expect(unknown.body.error.message).toContain("'extra'");
    const wrong = await post(app, '/api/scenarios/validate', { yaml: 5 });
    expectError(wrong, 400, 'BAD_REQUEST');
    expect(wrong.body.error.message).toContain('body.yaml');
    const missing = await post(app, '/api/scenarios/validate', {});
    expectError(missing, 400, 'BAD_REQUEST');
    expect(missing.body.error.message).toContain("'yaml'");
  });
});

describe('bad requests are JSON 4xx, never 5xx', () => {
  it('POST /api/runs refuses malformed input with the field named', async () => {
    const app = await makeApp();
    const cases: [Json, number, string, string?][] = [
      [{}, 400, 'BAD_REQUEST', 'exactly one'],
      [{ scenario: 'teach-basic', yaml: 'name: x' }, 400, 'BAD_REQUEST', 'exactly one'],
      [{ scenario: 'teach-basic', seed: '5' }, 400, 'BAD_REQUEST', 'body.seed'],
      [{ scenario: 'teach-basic', seed: 1.5 }, 400, 'BAD_REQUEST', 'body.seed'],
      [{ scenario: 'teach-basic', workers: 17 }, 400, 'BAD_REQUEST', 'body.workers'],
      [{ scenario: 'teach-basic', mode: 'turbo' }, 400, 'BAD_REQUEST', 'body.mode'],
      [{ scenario: 'teach-basic', speed: -1 }, 400, 'BAD_REQUEST', 'body.speed'],
      [{ scenario: 'teach-basic', duration: 'soon' }, 400, 'BAD_REQUEST', 'body.duration'],
      [{ scenario: 'teach-basic', duration: -5 }, 400, 'BAD_REQUEST', 'body.duration'],
      [{ scenario: 'teach-basic', overrides: 'a=1' }, 400, 'BAD_REQUEST', 'body.overrides'],
      [{ scenario: 'teach-basic', colour: 'red' }, 400, 'BAD_REQUEST', "'colour'"],
      [{ scenario: 'teach-basic', overrides: ['behaviour.nope=1'] }, 400, 'BAD_OVERRIDE', 'nope'],
      [{ scenario: 'teach-basic', overrides: ['domains[0].users=-1'] }, 400, 'SCENARIO_INVALID', 'domains[0].users'],
      [{ yaml: 'name: [' }, 400, 'SCENARIO_INVALID'],
      [{ scenario: 'office', mode: 'interactive' }, 400, 'BAD_OPTION', '2000'],
      [{ scenario: 'nope' }, 404, 'SCENARIO_NOT_FOUND'],
      [{ scenario: '../package.json' }, 404, 'SCENARIO_NOT_FOUND'],
      [{ scenario: 'scenarios/office.yaml' }, 404, 'SCENARIO_NOT_FOUND'],
    ];
    for (const [body, status, code, text] of cases) {
      const r = await post(app, '/api/runs', body);
      expectError(r, status, code);
      if (text !== undefined) expect(r.body.error.message, JSON.stringify(body)).toContain(text);
    }
    expect((await get(app, '/api/runs')).body!.runs).toEqual([]);
  });

  it('an oversized body is 413, a non-JSON body 415, broken JSON 400', async () => {
    const app = await makeApp();
    const big = await app.inject({ method: 'POST', url: '/api/scenarios/validate', payload: { yaml: 'x'.repeat(1024 * 1024 + 10) } });
    expectError({ status: big.statusCode, body: big.json() }, 413, 'PAYLOAD_TOO_LARGE');
    const text = await app.inject({ method: 'POST', url: '/api/runs', payload: 'scenario=office', headers: { 'content-type': 'text/plain' } });
    expectError({ status: text.statusCode, body: text.json() }, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const broken = await app.inject({ method: 'POST', url: '/api/runs', payload: '{"scenario":', headers: { 'content-type': 'application/json' } });
    expectError({ status: broken.statusCode, body: broken.json() }, 400, 'BAD_REQUEST');
  });

  it('odd bodies on every POST route give a JSON 4xx', async () => {
    const app = await makeApp();
    const id = await finishedRun(app, { duration: '30s' });
    const bodies = ['null', '[]', '"text"', '123', 'true', '{"scenario":null}', '{"yaml":{"a":1}}', '{"action":"step","speed":"x"}', '{"values":[[]]}', '{"a":'.repeat(50) + '1' + '}'.repeat(50), '{"seed":1e300,"scenario":"teach-basic"}', '{"overrides":["=","domains[99].users=5"],"scenario":"teach-basic"}'];
    for (const url of ['/api/scenarios/validate', '/api/runs', `/api/runs/${id}/control`, '/api/sweeps']) {
      for (const payload of bodies) {
        const res = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
        expect(res.statusCode, `${url} ${payload}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${url} ${payload}`).toBeLessThan(500);
        expect(typeof res.json().error.code, `${url} ${payload}`).toBe('string');
      }
    }
  });

  it('unknown run ids are 404 on every run route', async () => {
    const app = await makeApp();
    for (const url of ['/api/runs/nope', '/api/runs/nope/report', '/api/runs/nope/events', '/api/runs/nope/trace', '/api/runs/nope/trace/0', '/api/runs/nope/timeseries.csv']) {
      expectError(await get(app, url), 404, 'RUN_NOT_FOUND');
    }
    expectError(await post(app, '/api/runs/nope/control', { action: 'pause' }), 404, 'RUN_NOT_FOUND');
    expectError(await get(app, '/api/sweeps/nope'), 404, 'SWEEP_NOT_FOUND');
    expectError(await get(app, '/api/nothing-here'), 404, 'NOT_FOUND');
  });

  it('static files come from the public folder only (path traversal is refused)', async () => {
    const pub = tempDir();
    writeFileSync(join(pub, 'index.html'), '<!doctype html><title>impp-sim</title>');
    const app = await makeApp({ publicDir: pub });
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>impp-sim</title>');
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/%2e%2e%2fpackage.json', '/..%5cpackage.json', '/%2F..%2F..%2Fpackage.json', '/.%2e/.%2e/package.json']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, url).toBeLessThan(500);
      expect(r.body, url).not.toContain('"devDependencies"');
      expect(r.json().error.code, url).toBe('NOT_FOUND');
    }
  });

  it('the OpenAPI document is served at /docs with every API route', async () => {
    const app = await makeApp();
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as Json;
    for (const p of ['/api/scenarios', '/api/scenarios/{name}', '/api/scenarios/validate', '/api/runs', '/api/runs/{id}', '/api/runs/{id}/report', '/api/runs/{id}/events', '/api/runs/{id}/control', '/api/runs/{id}/trace', '/api/runs/{id}/trace/{index}', '/api/runs/{id}/timeseries.csv', '/api/sweeps', '/api/sweeps/{id}', '/api/sweeps/{id}/control', '/api/health']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('docs/api.md documents every error code', () => {
    const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const code of Object.keys(API_ERRORS)) expect(md, code).toContain(`\`${code}\``);
  });
});

describe('batch runs', () => {
  it('POST /api/runs runs a scenario in a worker thread; report, trace, payloads and CSV follow', async () => {
    const app = await makeApp();
    const created = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '5min', seed: 3 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scenario: 'teach-basic', status: 'running', mode: 'batch', seed: 3, workers: 1, duration: 300_000, until: 300_000, speed: 0, finishedAt: null, error: null, figures: null });
    const id = created.body.id as string;
    await app.sim.runs.waitEnd(id);

    const run = await get(app, `/api/runs/${id}`);
    expect(run.body).toMatchObject({ id, status: 'finished', clock: 300_000, error: null });
    expect(run.body!.figures.notificationsDelivered).toBeGreaterThan(0);
    expect(run.body!.events).toBeGreaterThan(0);
    expect(run.body!.snapshot).not.toBeNull();

    const report = await get(app, `/api/runs/${id}/report`);
    expect(report.status).toBe(200);
    const expected = await runScenario(loadScenario('teach-basic'), { seed: 3, duration: 300_000 });
    expect(report.body!.presence).toEqual(expected.presence);
    expect(report.body!.im).toEqual(expected.im);
    expect(report.body!.trace.length).toBe(expected.trace!.length);

    const page = await get(app, `/api/runs/${id}/trace?from=2&limit=3`);
    expect(page.body!.total).toBe(expected.trace!.length);
    expect(page.body!.records).toEqual(expected.trace!.slice(2, 5));
    expectError(await get(app, `/api/runs/${id}/trace?from=x`), 400, 'BAD_REQUEST');
    expectError(await get(app, `/api/runs/${id}/trace?limit=0`), 400, 'BAD_REQUEST');
    expectError(await get(app, `/api/runs/${id}/trace/999999`), 404, 'TRACE_NOT_FOUND');

    const trace = expected.trace!;
    // the body decodes to exactly the state the model recorded when it sent the message
    type Tuple = { id: string; status: { basic: string; extensions: { text: string }[] }; notes: { text: string }[] };
    const tuplesOf = (doc: { tuples: Tuple[] }) => doc.tuples.map((t) => [t.id, t.status.basic, t.status.extensions[0].text, t.notes[0]?.text ?? null]);
    const expectedTuples = (r: (typeof trace)[number]) =>
      r.state!.tuples.map((t) => [`t${t.index + 1}`, t.basic ? 'open' : 'closed', ACTIVITIES[t.activity], t.note > 0 ? NOTES[t.note] : null]);
    const notify = trace.findIndex((t) => t.op === 'notify' && t.state !== undefined);
    const n = await get(app, `/api/runs/${id}/trace/${notify}`);
    expect(n.body).toMatchObject({ index: notify, contentType: 'application/pidf+xml', detail: trace[notify].detail, version: trace[notify].state!.version, decoded: { kind: 'pidf' } });
    expect(n.body!.body).toContain('<presence');
    expect(n.body!.decoded.document.entity).toBe(`pres:${trace[notify].from}`);
    expect(tuplesOf(n.body!.decoded.document)).toEqual(expectedTuples(trace[notify]));
    expect(n.body!.rule).toBe(trace[notify].state!.rule);
    // a publish of one tuple carries that tuple, with the activity it published
    const publish = trace.findIndex((t) => t.op === 'publish');
    const pub = await get(app, `/api/runs/${id}/trace/${publish}`);
    expect(pub.body).toMatchObject({ contentType: 'application/pidf+xml', decoded: { kind: 'pidf' } });
    const [, , tupleNo, activity] = /^(all tuples|tuple (\d+)) (\S+)$/.exec(trace[publish].detail)!;
    expect(tuplesOf(pub.body!.decoded.document)).toEqual(expectedTuples(trace[publish]));
    const first = tuplesOf(pub.body!.decoded.document)[0];
    expect(first.slice(0, 3)).toEqual([`t${Number(tupleNo ?? 0) + 1}`, activity === 'closed' ? 'closed' : 'open', activity === 'closed' ? 'offline' : activity]);
    const message = trace.findIndex((t) => t.op === 'message');
    const m = await get(app, `/api/runs/${id}/trace/${message}`);
    expect(m.body).toMatchObject({ contentType: 'message/cpim', decoded: { kind: 'cpim' } });
    expect(m.body!.decoded.summary.from.uri).toBe(`im:${trace[message].from}`);
    expect(m.body!.note).toContain('not its words');
    const subscribe = trace.findIndex((t) => t.op === 'subscribe');
    expect((await get(app, `/api/runs/${id}/trace/${subscribe}`)).body).toMatchObject({ contentType: null, body: null, decoded: null });

    const csv = await get(app, `/api/runs/${id}/timeseries.csv`);
    expect(csv.status).toBe(200);
    expect(csv.res.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('time_s,notifications_per_s,ims_per_s,messages_per_s,utilisation_example.com,queue_example.com,users_online');
    expect(lines.length).toBeGreaterThan(1);

    const list = await get(app, '/api/runs');
    expect(list.body!.runs.map((r: Json) => r.id)).toEqual([id]);
    expectError(await post(app, `/api/runs/${id}/control`, { action: 'resume' }), 409, 'BAD_STATE');
    expectError(await post(app, `/api/runs/${id}/control`, { action: 'stop' }), 409, 'BAD_STATE');
  });

  it('a run from YAML text with overrides and two workers', async () => {
    const app = await makeApp();
    const yaml = readFileSync(new URL('../../scenarios/federation.yaml', import.meta.url), 'utf8');
    const r = await post(app, '/api/runs', {
      yaml,
      workers: 2,
      duration: 30_000,
      overrides: ['domains[0].users=60', 'domains[1].users=40', 'domains[2].users=30', 'domains[3].users=20'],
    });
    expect(r.status).toBe(201);
    expect(r.body.workers).toBe(2);
    await app.sim.runs.waitEnd(r.body.id);
    const report = await get(app, `/api/runs/${r.body.id}/report`);
    expect(report.body!.engine.workers).toBe(2);
    expect(report.body!.parameters.users).toBe(150);
  });

  it("workers 'auto' is resolved to a count when the run is created (1 for one domain); another string is refused", async () => {
    const app = await makeApp();
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', workers: 'auto', duration: 10_000 });
    expect(r.status).toBe(201);
    expect(r.body.workers).toBe(1);
    await app.sim.runs.waitEnd(r.body.id);
    const bad = await post(app, '/api/runs', { scenario: 'teach-basic', workers: 'many' });
    expectError(bad, 400, 'BAD_REQUEST');
    expect(bad.body!.error.message).toContain('body.workers');
  });

  it('a failing run is marked failed with its message and the server keeps serving', async () => {
    const app = await makeApp({
      runner: async () => {
        throw new Error('the model broke');
      },
    });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic' });
    expect(r.status).toBe(201);
    await app.sim.runs.waitEnd(r.body.id);
    const run = await get(app, `/api/runs/${r.body.id}`);
    expect(run.body).toMatchObject({ status: 'failed', error: 'the model broke' });
    expect(run.body!.finishedAt).not.toBeNull();
    expectError(await get(app, `/api/runs/${r.body.id}/report`), 409, 'NO_REPORT');
    expect((await get(app, '/api/scenarios')).status).toBe(200);
    // and a real worker failure: a duration the kernel refuses inside the worker is caught the same way
    const app2 = await makeApp({ runner: (sc, o) => runScenario(sc, { ...o, workers: 0 }) });
    const r2 = await post(app2, '/api/runs', { scenario: 'teach-basic' });
    await app2.sim.runs.waitEnd(r2.body.id);
    expect((await get(app2, `/api/runs/${r2.body.id}`)).body).toMatchObject({ status: 'failed', error: expect.stringContaining('workers') });
  });

  it('at most maxRuns runs are active; more get 429', async () => {
    const app = await makeApp({ maxRuns: 1 });
    const a = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    expect(a.status).toBe(201);
    expectError(await post(app, '/api/runs', { scenario: 'teach-basic' }), 429, 'TOO_MANY_RUNS');
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'behaviour.imRate', values: ['10/h', '20/h'] }), 429, 'TOO_MANY_RUNS');
    const stopped = await post(app, `/api/runs/${a.body.id}/control`, { action: 'stop' });
    expect(stopped.body.status).toBe('stopped');
    expect((await post(app, '/api/runs', { scenario: 'teach-basic', duration: '1min' })).status).toBe(201);
  });

  it('a real-time factor paces a batch run; pause and stop act through the handle', async () => {
    const app = await makeApp();
    // the engine holds every partition at anchor + wall time x speed (inside a window if need
    // be), so the clock can never run ahead of the wall time the test measured around it
    const t0 = performance.now();
    const r = await post(app, '/api/runs', { scenario: 'office', duration: '1h', speed: 30 });
    await new Promise((res) => setTimeout(res, 1500));
    const paced = await get(app, `/api/runs/${r.body.id}`);
    const wall = performance.now() - t0;
    expect(paced.body!.status).toBe('running');
    expect(paced.body!.clock).toBeLessThanOrEqual(wall * 30);
    expect(paced.body!.snapshot.counters.logins).toBeGreaterThan(0);
    const halted = await post(app, `/api/runs/${r.body.id}/control`, { action: 'stop' });
    expect(halted.body.status).toBe('stopped');
    // the report of a stopped run covers the time run
    const rep = (await get(app, `/api/runs/${r.body.id}/report`)).body!;
    expect(rep.stopped.planned).toBe(3_600_000);
    expect(rep.stopped.at).toBeLessThan(3_600_000);
    expect(rep.parameters.duration).toBe(rep.stopped.at);

    const slow = await post(app, '/api/runs', { scenario: 'teach-basic', speed: 1 });
    const paused = await post(app, `/api/runs/${slow.body.id}/control`, { action: 'pause' });
    expect(paused.body.status).toBe('paused');
    expectError(await post(app, `/api/runs/${slow.body.id}/control`, { action: 'pause' }), 409, 'BAD_STATE');
    expectError(await post(app, `/api/runs/${slow.body.id}/control`, { action: 'step' }), 409, 'BAD_STATE');
    expectError(await get(app, `/api/runs/${slow.body.id}/report`), 409, 'NOT_FINISHED');
    expectError(await post(app, `/api/runs/${slow.body.id}/control`, { action: 'speed' }), 400, 'BAD_REQUEST');
    expect((await post(app, `/api/runs/${slow.body.id}/control`, { action: 'speed', speed: 5 })).body.speed).toBe(5);
    expect((await post(app, `/api/runs/${slow.body.id}/control`, { action: 'resume' })).body.status).toBe('running');
    const stopped = await post(app, `/api/runs/${slow.body.id}/control`, { action: 'stop' });
    expect(stopped.body.status).toBe('stopped');
    expect(stopped.body.clock).toBeLessThan(600_000);
    expect((await get(app, `/api/runs/${slow.body.id}/report`)).status).toBe(200);
  });
});

describe('interactive runs', () => {
  it('InteractiveRun.finish() gives the report of runScenario for the same scenario and seed', async () => {
    const sc = loadScenario('teach-basic');
    const it = new InteractiveRun(sc, { duration: 240_000 });
    let steps = 0;
    while (it.step()) steps++;
    const a = it.finish();
    const b = await runScenario(sc, { duration: 240_000 });
    expect(steps).toBe(b.engine.events);
    expect({ ...a, engine: null }).toEqual({ ...b, engine: null });
  });

  it('InteractiveRun on four federated domains matches a two-worker batch run (it adds the trace)', async () => {
    const sc = loadScenario('federation', ['domains[0].users=60', 'domains[1].users=40', 'domains[2].users=30', 'domains[3].users=20']);
    const a = new InteractiveRun(sc, { duration: 60_000 }).finish();
    const b = await runScenario(sc, { duration: 60_000, workers: 2 });
    expect(a.trace!.length).toBeGreaterThan(0);
    expect({ ...a, engine: null, trace: undefined }).toEqual({ ...b, engine: null, trace: undefined });
    expect(a.engine.events).toBe(b.engine.events);
  });

  it('InteractiveRun refuses scenarios above 2,000 users', () => {
    expect(() => new InteractiveRun(loadScenario('office'))).toThrow(/2000/);
  });

  it('step, step to the next message, pause, resume and speed apply; the trace grows', async () => {
    const app = await makeApp();
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    expect(r.body).toMatchObject({ mode: 'interactive', status: 'running', speed: 1 });
    const id = r.body.id as string;
    const s1 = await post(app, `/api/runs/${id}/control`, { action: 'step' });
    expect(s1.body.status).toBe('paused');
    const events = s1.body.events as number;
    const s2 = await post(app, `/api/runs/${id}/control`, { action: 'step', to: 'event' });
    expect(s2.body.events).toBe(events + 1);
    const before = (await get(app, `/api/runs/${id}/trace`)).body!.total as number;
    await post(app, `/api/runs/${id}/control`, { action: 'step', to: 'message' });
    const after = await get(app, `/api/runs/${id}/trace`);
    expect(after.body!.total).toBe(before + 1);
    const rec = await get(app, `/api/runs/${id}/trace/${before}`);
    expect(rec.status).toBe(200);
    expect(rec.body!.record).toEqual(after.body!.records[before]);
    const snap = (await get(app, `/api/runs/${id}`)).body!.snapshot;
    expect(snap.counters).toHaveProperty('notifySent');
    expect(snap.rates).toHaveProperty('notificationsPerSec');
    expectError(await get(app, `/api/runs/${id}/report`), 409, 'NOT_FINISHED');
    expect((await post(app, `/api/runs/${id}/control`, { action: 'speed', speed: 0 })).body.speed).toBe(0);
    expect((await post(app, `/api/runs/${id}/control`, { action: 'resume' })).body.status).toBe('running');
    await app.sim.runs.waitEnd(id);
    const done = await get(app, `/api/runs/${id}`);
    expect(done.body).toMatchObject({ status: 'finished', clock: 600_000, speed: 0 });
    const report = await get(app, `/api/runs/${id}/report`);
    expect(report.body!.trace.length).toBe((await get(app, `/api/runs/${id}/trace`)).body!.total);
    expectError(await post(app, `/api/runs/${id}/control`, { action: 'step' }), 409, 'BAD_STATE');
    expect(report.body!.stopped).toBeUndefined();
    expect(report.body!.parameters.duration).toBe(600_000);

    // an interactive run stopped part-way is reported over the time it reached
    const r2 = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    const id2 = r2.body.id as string;
    await post(app, `/api/runs/${id2}/control`, { action: 'step', to: 'message' });
    const halted = await post(app, `/api/runs/${id2}/control`, { action: 'stop' });
    expect(halted.body.status).toBe('stopped');
    const rep2 = (await get(app, `/api/runs/${id2}/report`)).body!;
    expect(rep2.stopped).toMatchObject({ planned: 600_000, reason: 'stopped on request' });
    expect(rep2.stopped.at).toBeLessThan(600_000);
    expect(rep2.parameters.duration).toBe(rep2.stopped.at);
  });
});

describe('Server-Sent Events', () => {
  async function readEvents(url: string, until: string): Promise<{ event: string; data: any }[]> {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const out: { event: string; data: any }[] = [];
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev !== undefined && data !== undefined) out.push({ event: ev, data: JSON.parse(data) });
      }
      if (out.some((e) => e.event === until)) break;
    }
    return out;
  }

  it('GET /api/runs/:id/events streams status, snapshots, trace and end', async () => {
    const app = await makeApp();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', duration: '2min', speed: 200 });
    const events = await readEvents(`${base}/api/runs/${r.body.id}/events`, 'end');
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('status');
    expect(kinds).toContain('snapshot');
    expect(kinds).toContain('trace');
    expect(kinds.at(-1)).toBe('end');
    expect(events.at(-1)!.data).toEqual({ status: 'finished' });
    const snap = events.find((e) => e.event === 'snapshot')!.data;
    expect(snap.rates.domains[0].name).toBe('example.com');
    const traced = events.filter((e) => e.event === 'trace').reduce((n, e) => n + e.data.length, 0);
    expect(traced).toBe((await get(app, `/api/runs/${r.body.id}/trace`)).body!.total);

    // a finished run: status and end at once
    const again = await readEvents(`${base}/api/runs/${r.body.id}/events`, 'end');
    expect(again.map((e) => e.event)).toEqual(['status', 'end']);
    expect(again[0].data.status).toBe('finished');
  });

  it('an interactive run streams the trace as it grows', async () => {
    const app = await makeApp();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', duration: '3min', speed: 200 });
    const events = await readEvents(`${base}/api/runs/${r.body.id}/events`, 'end');
    const traced = events.filter((e) => e.event === 'trace').reduce((n, e) => n + e.data.length, 0);
    expect(traced).toBe((await get(app, `/api/runs/${r.body.id}/trace`)).body!.total);
    expect(events.at(-1)!.data.status).toBe('finished');
  });
});

describe('rates and shutdown', () => {
  it('computeRates gives per-simulated-second rates between two snapshots; timeSeriesCsv writes them', () => {
    const snap = (clock: number, notified: number, ims: number, msgs: number, busy: number): LiveSnapshot => ({
      clock,
      until: 60_000,
      events: clock,
      wallMs: 1,
      counters: { notifyDelivered: notified, imDelivered: ims },
      latency: { edgesMs: [], notification: [], im: [] },
      domains: [{ name: 'a.example', busyMs: busy, cores: 2, queue: 3, utilisation: 0 }],
      pairs: [{ from: 'a.example', to: 'b.example', messages: msgs, bytes: 0 }],
    });
    const a = snap(2000, 10, 4, 6, 1000);
    const b = snap(4000, 30, 8, 16, 3000);
    const r = computeRates(a, b);
    expect(r).toEqual({ intervalSec: 2, notificationsPerSec: 10, imsPerSec: 2, messagesPerSec: 5, domains: [{ name: 'a.example', utilisation: 0.5, queue: 3 }] });
    expect(computeRates(null, a).notificationsPerSec).toBe(5);
    const series = { domains: ['a.example'], points: [] };
    appendPoint(series, 4000, r);
    expect(timeSeriesCsv(series)).toBe('time_s,notifications_per_s,ims_per_s,messages_per_s,utilisation_a.example,queue_a.example\n4,10,2,5,0.5,3\n');
  });

  it('app.close() ends open event streams and stops live runs', async () => {
    const dataDir = tempDir();
    const app = await buildApp({ dataDir });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', mode: 'interactive', speed: 1 });
    const res = await fetch(`${base}/api/runs/${r.body.id}/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const t0 = performance.now();
    await app.close();
    expect(performance.now() - t0).toBeLessThan(5000);
    const app2 = await makeApp({ dataDir });
    expect((await get(app2, `/api/runs/${r.body.id}`)).body!.status).toBe('stopped');
  });
});

describe('persistence', () => {
  it('finished runs and their reports survive a restart; runs left active become interrupted', async () => {
    const dataDir = tempDir();
    const app1 = await buildApp({ dataDir });
    const id = await finishedRun(app1);
    const report1 = (await get(app1, `/api/runs/${id}/report`)).body;
    const csv1 = (await get(app1, `/api/runs/${id}/timeseries.csv`)).text;
    await app1.close();

    // a run some earlier process left running
    const store = new RunStore(dataDir);
    store.insert({
      id: 'left-running',
      scenario: 'office',
      status: 'running',
      params: { mode: 'batch', seed: 1, workers: 1, duration: 1000, speed: 0, overrides: [] },
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      clock: 10,
      events: 5,
      figures: null,
    });
    store.close();

    const app2 = await makeApp({ dataDir });
    const run = await get(app2, `/api/runs/${id}`);
    expect(run.body).toMatchObject({ id, status: 'finished' });
    expect((await get(app2, `/api/runs/${id}/report`)).body).toEqual(report1);
    expect((await get(app2, `/api/runs/${id}/timeseries.csv`)).text).toBe(csv1);
    expect((await get(app2, `/api/runs/${id}/trace`)).body!.total).toBe(report1!.trace.length);
    const left = await get(app2, '/api/runs/left-running');
    expect(left.body).toMatchObject({ status: 'interrupted' });
    expectError(await get(app2, '/api/runs/left-running/report'), 409, 'NO_REPORT');
    expect((await get(app2, '/api/runs')).body!.runs.map((r: Json) => r.id)).toEqual(['left-running', id]);
  });
});

describe('sweeps', () => {
  it('POST /api/sweeps runs each value as a run and finds where utilisation saturates', async () => {
    const app = await makeApp();
    const r = await post(app, '/api/sweeps', {
      scenario: 'teach-basic',
      param: 'domains[0].serviceTimes.publish',
      values: ['1ms', '30s'],
      duration: '3min',
    });
    expect(r.status).toBe(201);
    await app.sim.sweeps.waitEnd(r.body.id);
    const s = await get(app, `/api/sweeps/${r.body.id}`);
    expect(s.body).toMatchObject({ id: r.body.id, status: 'finished', scenario: 'teach-basic', param: 'domains[0].serviceTimes.publish', values: ['1ms', '30s'], threshold: 0.7 });
    expect(s.body!.points).toHaveLength(2);
    for (const p of s.body!.points) {
      expect(p.status).toBe('finished');
      expect(p.figures).toHaveProperty('notificationsPerSec');
      expect(p.runs).toHaveLength(1);
    }
    expect(s.body!.points[0].figures.maxUtilisation).toBeLessThan(0.7);
    expect(s.body!.points[1].figures.maxUtilisation).toBeGreaterThanOrEqual(0.7);
    expect(s.body!.saturatesAt).toBe('30s');
    expect((await get(app, '/api/runs')).body!.runs).toHaveLength(2);

    // overrides apply at every point: with a warm-up, each point's report covers the rest only
    const w = await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].users', values: [3, 4], duration: '3min', overrides: ['warmup=1min'] });
    expect(w.status).toBe(201);
    await app.sim.sweeps.waitEnd(w.body.id);
    const ws = (await get(app, `/api/sweeps/${w.body.id}`)).body!;
    expect(ws.overrides).toEqual(['warmup=1min']);
    for (const p of ws.points) {
      expect(p.status).toBe('finished');
      const rep = (await get(app, `/api/runs/${p.runs[0]}/report`)).body!;
      expect(rep.parameters).toMatchObject({ warmup: 60_000, duration: 120_000 });
    }
  });

  it('POST /api/sweeps refuses a bad parameter, too few values and unknown scenarios', async () => {
    const app = await makeApp();
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].nope', values: [1, 2] }), 400, 'BAD_OVERRIDE');
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].users', values: [1] }), 400, 'BAD_REQUEST');
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].users', values: [1, -1] }), 400, 'SCENARIO_INVALID');
    expectError(await post(app, '/api/sweeps', { scenario: 'nope', param: 'domains[0].users', values: [1, 2] }), 404, 'SCENARIO_NOT_FOUND');
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].users', values: [1, 2], replications: 9 }), 400, 'BAD_REQUEST');
    expectError(await post(app, '/api/sweeps', { scenario: 'teach-basic', param: 'domains[0].users', values: [1, 2], overrides: ['warmup=1h'] }), 400, 'SCENARIO_INVALID');
  });
});

describe('main.ts flags', () => {
  it('parseFlags reads --port, --host, --data, --max-runs and PORT; refuses bad flags', () => {
    expect(parseFlags([], {})).toMatchObject({ port: 8080, host: '127.0.0.1', maxRuns: 2 });
    expect(parseFlags([], { PORT: '9000' }).port).toBe(9000);
    expect(parseFlags(['--port', '9001', '--host=0.0.0.0', '--max-runs', '3', '--data', '/tmp/x'], { PORT: '9000' })).toMatchObject({
      port: 9001,
      host: '0.0.0.0',
      maxRuns: 3,
      dataDir: '/tmp/x',
    });
    expect(() => parseFlags(['--port', 'abc'], {})).toThrow(/--port/);
    expect(() => parseFlags(['--port'], {})).toThrow(/needs a value/);
    expect(() => parseFlags(['--frobnicate'], {})).toThrow(/unknown flag/);
    expect(() => parseFlags([], { PORT: '99999' })).toThrow(/PORT/);
  });
});
