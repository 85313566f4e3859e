/**
 * The dashboard's scalability view on the queue: a server built with a queue (as `npm start --
 * --queue URL` builds it) sends a sweep's runs to two `impp-sim worker` processes over a
 * throw-away redis-server with a password; one worker is killed mid-run and the other takes its
 * run over. The points (and each point run's report) must equal the same sweep run on a server
 * without a queue, apart from timings, run ids and worker names; every point names the workers
 * that ran it; the password appears in no API response, log line, stream or store file. The page's
 * scalability view, driven in chromium, follows a sweep on two workers: its progress, the queue's
 * address without the password, the workers seen with their runs and the worker of each point.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateRun } from '../../sim/estimate.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { jobId, QUEUE_NAME } from '../../sim/toolkit/queue/executor.js';
import { parseQueueAddress } from '../../sim/toolkit/queue/url.js';
import { buildApp } from '../../web/server/app.js';
import { launchChromium, openPage, startDashboard } from '../web/browser/harness.js';
import { parseFlags } from '../../web/server/main.js';
import type { SweepState } from '../../web/server/sweeps.js';
import { freePort, HAVE_REDIS, Proc, Redis, ROOT, waitFor, worker } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'impp-dashq-'));
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  rmSync(tmp, { recursive: true, force: true });
});
const track = <T extends Proc>(p: T): T => (cleanup.push(() => p.stop()), p);

const SECRET = 'pw-Dash9-secret';
const SWEEP = { scenario: 'office', param: 'domains[0].users', values: [2000, 3000], replications: 2, duration: '1h' };

/** Every body the test reads, to look for the password in. */
const seen: string[] = [];

async function call(app: FastifyInstance, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; text: string; json: () => any }> {
  const r = await app.inject({ method, url, ...(body !== undefined ? { payload: body as object } : {}) });
  seen.push(r.body);
  return { status: r.statusCode, text: r.body, json: () => JSON.parse(r.body) };
}

async function server(dataDir: string, queue: string | null, log: string[], maxRuns = 2): Promise<FastifyInstance> {
  const stream = new Writable({ write: (chunk, _enc, done) => (log.push(String(chunk)), done()) });
  const app = await buildApp({ dataDir, publicDir: join(tmp, 'no-page'), queue: queue === null ? null : parseQueueAddress(queue), maxRuns, logger: { level: 'info', stream } });
  cleanup.push(() => app.close());
  return app;
}

async function finished(app: FastifyInstance, id: string): Promise<SweepState> {
  let s: SweepState | null = null;
  await waitFor(`sweep ${id} to end`, async () => (s = (await call(app, 'GET', `/api/sweeps/${id}`)).json() as SweepState).status !== 'running', 90_000);
  return s!;
}

/** A report without what differs from one execution to the next (wall times: SWEEP_VARYING_FIELDS' engine fields). */
function reportComparable(text: string): unknown {
  const r = JSON.parse(text);
  for (const k of ['wallMs', 'eventsPerSec', 'windows']) delete r.engine?.[k];
  return r;
}

const pointsComparable = (s: SweepState) => s.points.map(({ runs: _r, workers: _w, ...p }) => p);

describe.skipIf(!HAVE_REDIS)('the dashboard on the queue', { timeout: 180_000 }, () => {
  it('runs a sweep on two workers, one killed mid-run: the points equal the local sweep, each names its workers, the password shows nowhere', async () => {
    const redis = new Redis(await freePort(), ['--requirepass', SECRET]);
    await redis.start();
    cleanup.push(() => redis.kill());
    const url = `redis://:${SECRET}@127.0.0.1:${redis.port}`;
    const shown = `redis://:***@127.0.0.1:${redis.port}`;
    const wa = track(worker(url, 'wa'));
    const wb = track(worker(url, 'wb'));

    const qlog: string[] = [];
    const qapp = await server(join(tmp, 'queued'), url, qlog);
    const created = await call(qapp, 'POST', '/api/sweeps', SWEEP);
    expect(created.status).toBe(201);
    const id = created.json().id as string;
    // the state as it changes, over SSE, until the sweep ends
    const events = qapp.inject({ method: 'GET', url: `/api/sweeps/${id}/events` });

    await waitFor('worker wa to start a run', () => wa.started().length > 0);
    const killed = wa.started()[0];
    await wa.stop('SIGKILL');
    expect(wa.ran()).not.toContain(killed); // it was mid-run
    const q = await finished(qapp, id);
    expect(wb.ran()).toContain(killed); // BullMQ's stalled-job check gave it to wb

    expect(q.status).toBe('finished');
    expect(q.executor).toBe('queue');
    expect(q.where).toBe(shown);
    expect(q.progress).toMatchObject({ done: 4, total: 4, etaMs: 0 });
    expect(q.progress!.workers.every((w) => w === 'wa' || w === 'wb')).toBe(true);
    expect(q.progress!.workers).toContain('wb');
    for (const p of q.points) {
      expect(p.runs).toHaveLength(2);
      expect(p.workers).toHaveLength(2);
      for (const w of p.workers!) expect(['wa', 'wb']).toContain(w);
    }
    const k = Number(killed.slice(id.length + 1));
    expect(killed.startsWith(`${id}.`)).toBe(true); // job id = sweep id . run index, as the CLI's
    expect(q.points[Math.floor(k / 2)].workers![k % 2]).toBe('wb');

    const stream = await events;
    seen.push(stream.body);
    const frames = [...stream.body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) }));
    expect(frames.at(-1)).toEqual({ event: 'end', data: { status: 'finished' } });
    const done = frames.filter((f) => f.event === 'sweep').map((f) => f.data.progress.done as number);
    expect(done.at(-1)).toBe(4);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
    expect(new Set(done).size).toBeGreaterThan(2); // progress as results arrive, not only at the end

    // the same sweep on a server without a queue
    const lapp = await server(join(tmp, 'local'), null, []);
    const lid = (await call(lapp, 'POST', '/api/sweeps', SWEEP)).json().id as string;
    const l = await finished(lapp, lid);
    // an ended sweep's stream: its state and end at once; an unknown one is 404
    const ended = await lapp.inject({ method: 'GET', url: `/api/sweeps/${lid}/events` });
    expect(ended.body).toMatch(/^event: sweep\ndata: \{"id":/);
    expect(ended.body).toContain('event: end\ndata: {"status":"finished"}');
    expect((await lapp.inject({ method: 'GET', url: '/api/sweeps/nope/events' })).statusCode).toBe(404);
    expect(l.executor).toBeUndefined();
    expect(l.points[0].workers).toBeUndefined();
    expect(pointsComparable(q)).toEqual(pointsComparable(l));
    expect(q.saturatesAt).toEqual(l.saturatesAt);
    expect(q.points.every((p) => p.status === 'finished')).toBe(true);
    // each point run recorded in the store as it arrived, with a report equal to the local run's
    for (let i = 0; i < q.points.length; i++) {
      for (let r = 0; r < 2; r++) {
        const qr = await call(qapp, 'GET', `/api/runs/${q.points[i].runs[r]}/report`);
        const lr = await call(lapp, 'GET', `/api/runs/${l.points[i].runs[r]}/report`);
        expect(qr.status).toBe(200);
        expect(reportComparable(qr.text), `point ${i} replication ${r}`).toEqual(reportComparable(lr.text));
      }
    }
    const listed = (await call(qapp, 'GET', '/api/runs')).json().runs as { id: string; status: string }[];
    for (const run of q.points.flatMap((p) => p.runs)) expect(listed.find((x) => x.id === run)?.status).toBe('finished');
    await call(qapp, 'GET', '/api/health');
    await call(qapp, 'GET', '/api/cli-sweeps');

    // the password: in no response, stream, log line, worker output or store file
    for (const text of [...seen, ...qlog, wa.out, wb.out]) expect(text).not.toContain(SECRET);
    for (const f of readdirSync(join(tmp, 'queued'))) expect(readFileSync(join(tmp, 'queued', f)).includes(SECRET), f).toBe(false);
    expect(seen.some((t) => t.includes(shown))).toBe(true);
  });

  it('stopping a queued sweep takes its waiting runs off the queue; its points without results are stopped', async () => {
    const redis = new Redis(await freePort());
    await redis.start();
    cleanup.push(() => redis.kill());
    const url = `redis://127.0.0.1:${redis.port}`;
    const w = track(worker(url, 'w1'));
    const app = await server(join(tmp, 'stop'), url, [], 1);
    const id = (await call(app, 'POST', '/api/sweeps', { ...SWEEP, values: [2000, 3000, 4000], replications: 1 })).json().id as string;
    await waitFor('w1 to start a run', () => w.started().length > 0);
    const stopped = await call(app, 'POST', `/api/sweeps/${id}/control`, { action: 'stop' });
    expect(stopped.status).toBe(200);
    const s = stopped.json() as SweepState;
    expect(s.status).toBe('stopped');
    // one worker, one run at a time: at most the run it holds finished, the others never ran
    expect(s.points.filter((p) => p.status === 'stopped').length).toBeGreaterThanOrEqual(2);
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueAddress(url).connection });
    try {
      expect(await queue.getWaitingCount()).toBe(0);
      for (let i = 0; i < 3; i++) if (!w.started().includes(jobId(id, i))) expect(await queue.getJob(jobId(id, i)), `run ${i}`).toBeUndefined();
    } finally {
      await queue.close();
    }
    expect((await call(app, 'POST', '/api/sweeps', SWEEP)).status).toBe(201); // its slot (of --max-runs 1) is free again
  });

  it('a run that fails on a worker fails its point with the reason; the other points go on', async () => {
    const redis = new Redis(await freePort());
    await redis.start();
    cleanup.push(() => redis.kill());
    const url = `redis://127.0.0.1:${redis.port}`;
    // a worker whose memory limit takes the 2000-user point but not the 3000-user one (the server has no such limit)
    const est = (users: number) => estimateRun(loadScenario('office', [`domains[0].users=${users}`, 'duration=1h'])).bytes;
    const limit = Math.round((est(2000) + est(3000)) / 2);
    track(new Proc(['worker', '--queue', url, '--lease', '2s', '--name', 'w-small'], { IMPP_SIM_MEMORY_LIMIT: String(limit) }));
    const app = await server(join(tmp, 'fail'), url, []);
    const id = (await call(app, 'POST', '/api/sweeps', { ...SWEEP, values: [3000, 2000] })).json().id as string;
    const s = await finished(app, id);
    expect(s.status).toBe('finished');
    expect(s.points[0].status).toBe('failed');
    expect(s.points[0].error).toMatch(new RegExp(`^run ${id}\\.[01] failed on a worker: .*memory`));
    expect(s.points[0].figures).toBeUndefined();
    // the first point's failure took the waiting runs off the queue: those of the second were added again
    expect(s.points[1]).toMatchObject({ status: 'finished', workers: ['w-small', 'w-small'] });
    expect(s.points[1].figures?.notificationsPerSec).toBeGreaterThan(0);
  });

  it("the page's scalability view follows the queued sweep: its progress, the redacted address, the workers seen with their runs, and the worker of each point", async () => {
    const redis = new Redis(await freePort(), ['--requirepass', SECRET]);
    await redis.start();
    cleanup.push(() => redis.kill());
    const url = `redis://:${SECRET}@127.0.0.1:${redis.port}`;
    const shown = `redis://:***@127.0.0.1:${redis.port}`;
    track(worker(url, 'w-page-a'));
    track(worker(url, 'w-page-b'));
    const dash = await startDashboard({ queue: parseQueueAddress(url) });
    cleanup.push(() => dash.close());
    const browser = await launchChromium();
    cleanup.push(() => browser.close());
    const { page, errors } = await openPage(browser, dash.url);
    const bodies: string[] = [];
    const streams: string[] = [];
    page.on('request', (r) => {
      const m = /^\/api\/sweeps\/([^/]+)\/events$/.exec(new URL(r.url()).pathname);
      if (m) streams.push(m[1]);
    });
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) bodies.push(await r.text().catch(() => ''));
    });
    await page.click('#tab-scalability');
    await page.fill('#sweep-param', 'domains[0].users');
    await page.fill('#sweep-values', '200, 400');
    await page.fill('#sweep-duration', '1m');
    await page.fill('#sweep-reps', '2');
    // every value the progress bar and the time line take
    await page.evaluate(() => {
      const w = window as unknown as { bar: string[]; eta: string[] };
      w.bar = [];
      w.eta = [];
      const bar = document.getElementById('sweep-progress-bar')!;
      const eta = document.getElementById('sweep-eta')!;
      new MutationObserver(() => w.bar.push(`${bar.getAttribute('aria-valuenow')}/${bar.getAttribute('aria-valuemax')}`)).observe(bar, { attributes: true });
      new MutationObserver(() => w.eta.push(eta.textContent ?? '')).observe(eta, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#sweep-start');
    await page.waitForFunction(() => document.getElementById('sweep-status')?.textContent?.startsWith('finished'), null, { timeout: 60_000 });
    const box = page.locator('[data-testid=sweep-progress]');
    expect(await box.getAttribute('data-follow')).toBe('stream');
    expect(await box.getAttribute('data-executor')).toBe('queue');
    expect(await page.textContent('#sweep-progress-text')).toBe('4 of 4 runs done');
    expect(await page.getAttribute('#sweep-progress-bar', 'aria-valuenow')).toBe('4');
    expect(await page.textContent('#sweep-executor')).toBe(`executor: queue at ${shown}`);
    expect(await page.textContent('#sweep-eta')).toMatch(/^took [\d.]+ (ms|s|min)$/); // the server's time, at the last result
    const moved = await page.evaluate(() => {
      const w = window as unknown as { bar: string[]; eta: string[] };
      return { bar: w.bar, eta: w.eta };
    });
    const done = moved.bar.filter((b) => b.endsWith('/4')).map((b) => Number(b.split('/')[0]));
    expect(done.at(-1)).toBe(4);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
    expect(done.some((d) => d > 0 && d < 4)).toBe(true); // as results arrived
    expect(moved.eta.some((t) => /^elapsed [\d.]+ (ms|s|min) \(the server, at the last result\) · about [\d.]+ (ms|s|min) left \(estimate at the pace so far\)$/.test(t))).toBe(true);

    // the workers seen, each with the runs the API's points give it
    expect(streams).toHaveLength(1);
    const sweep = (await (await fetch(`${dash.url}api/sweeps/${streams[0]}`)).json()) as SweepState;
    expect(sweep.status).toBe('finished');
    const counts = new Map<string, number>();
    for (const p of sweep.points) for (const w of p.workers ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
    const listed = await page.locator('[data-testid=sweep-worker]').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.worker, Number((e as HTMLElement).dataset.runs)]));
    expect(listed).toEqual([...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    expect(listed.reduce((n, [, r]) => n + (r as number), 0)).toBe(4);
    for (const [name] of listed) expect(['w-page-a', 'w-page-b']).toContain(name);
    expect(await page.textContent('#sweep-workers')).toMatch(/^w-page-[ab] \(\d runs?\)(, w-page-[ab] \(\d runs?\))?$/);

    const rows = await page.locator('[data-testid=sweep-point]').allTextContents();
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/finished · ran on w-page-[ab]/);
    // the password: nowhere on the page nor in what the page read
    const html = await page.content();
    expect(html).toContain(shown);
    for (const text of [html, ...bodies]) expect(text).not.toContain(SECRET);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('npm start -- --queue URL (or IMPP_SIM_QUEUE) takes the queue and prints it without its password; a bad address is refused without echoing it', async () => {
    expect(parseFlags([], {}).queue).toBeNull();
    expect(parseFlags(['--queue', `redis://:${SECRET}@127.0.0.1:6390`], {}).queue?.shown).toBe('redis://:***@127.0.0.1:6390');
    expect(parseFlags([], { IMPP_SIM_QUEUE: `redis://:${SECRET}@h:7000/2` }).queue?.connection).toMatchObject({ host: 'h', port: 7000, db: 2, password: SECRET });
    expect(parseFlags(['--queue=redis://a:1'], { IMPP_SIM_QUEUE: 'not a url' }).queue?.shown).toBe('redis://a:1'); // the flag wins
    for (const bad of [`http://:${SECRET}@h:1`, `redis://:${SECRET}@h:1/99`]) {
      let message = '';
      try {
        parseFlags(['--queue', bad], {});
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^--queue: /);
      expect(message).not.toContain(SECRET);
    }
    // the server's own lines (nothing listens on that port: the server starts all the same, sweeps would wait for it)
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'web', 'server', 'main.js'), '--port', '0', '--data', join(tmp, 'main-data')], {
      cwd: ROOT,
      env: { ...process.env, IMPP_SIM_QUEUE: `redis://:${SECRET}@127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.once('exit', r));
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    await waitFor('the server to start', () => /sweeps run on the queue/.test(out) || child.exitCode !== null, 30_000);
    child.kill('SIGTERM');
    await exited;
    expect(out).toContain(`sweeps run on the queue redis://:***@127.0.0.1:${port}`);
    expect(out).not.toContain(SECRET);
  });
});
