/**
 * Helpers of the server tests: temporary data folders, apps closed after each test, raw HTTP over
 * a socket (requests fetch() will not send), child server processes, and a fake batch runner whose
 * live snapshots are large (to load event streams without a long simulation).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import type { LiveSnapshot, Report } from '../../sim/run.js';
import { buildApp, type BuildAppOptions } from '../../web/server/app.js';
import type { Runner } from '../../web/server/runs.js';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
const children: ChildProcess[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'impp-web-'));
  dirs.push(d);
  return d;
}

export async function makeApp(opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({ dataDir: opts.dataDir ?? tempDir(), ...opts });
  apps.push(app);
  return app;
}

afterEach(async () => {
  while (children.length > 0) {
    const c = children.pop()!;
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  while (apps.length > 0) await apps.pop()!.close();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

export type Json = Record<string, any>;

export async function post(app: FastifyInstance, url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: payload as Json });
  return { status: res.statusCode, body: res.json() as Json };
}

export async function get(app: FastifyInstance, url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? (res.json() as Json) : null, text: res.body };
}

/** Sends raw bytes to host:port and resolves with everything the server sent before it closed. */
export function rawRequest(port: number, bytes: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(bytes));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(out) : reject(e)));
    setTimeout(() => {
      s.destroy();
      resolve(out);
    }, timeoutMs).unref();
  });
}

/** Status and JSON body of a raw HTTP/1.1 response. */
export function parseResponse(raw: string): { status: number; body: Json | null } {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
  const i = raw.indexOf('\r\n\r\n');
  let body: Json | null = null;
  try {
    body = JSON.parse(raw.slice(i + 4)) as Json;
  } catch {
    body = null;
  }
  return { status: m ? Number(m[1]) : 0, body };
}

/** A socket that asks for a run's event stream and then never reads. */
export function stalledReader(port: number, id: string): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(`GET /api/runs/${id}/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      s.pause();
      resolve(s);
    });
  });
}

/**
 * A batch runner whose snapshots each carry `pairs` entries (about 100 bytes each in JSON) and
 * whose clock follows wall time; it ends (rejecting, so the run is `stopped`) when stopped.
 */
export function bigSnapshotRunner(pairs: number): Runner {
  return (scenario, opts) =>
    new Promise<Report>((_resolve, reject) => {
      const t0 = performance.now();
      const clock = () => Math.round((performance.now() - t0) * 10);
      const snapshot = (): LiveSnapshot => ({
        clock: clock(),
        until: opts.duration ?? scenario.duration,
        events: clock(),
        wallMs: performance.now() - t0,
        counters: { notifyDelivered: clock() },
        latency: { edgesMs: [], notification: [], im: [] },
        domains: [{ name: 'a.example', busyMs: 0, cores: 1, queue: 0, utilisation: 0 }],
        pairs: Array.from({ length: pairs }, (_, i) => ({ from: `d${i}.example`, to: `e${i}.example`, messages: clock() + i, bytes: i * 1000, notify: i, message: i })),
      });
      opts.onStart?.({
        pause() {},
        resume() {},
        hold() {},
        stop() {
          reject(new Error('stopped'));
        },
        progress: () => ({ clock: clock(), events: clock(), windows: 0, until: opts.duration ?? scenario.duration }),
        live: () => null,
        snapshot,
      } as never);
    });
}

export /** A runner that builds for `buildMs` of wall time (no event), then counts events; stop ends it. */
function slowBuild(buildMs: number): Runner {
  return (scenario, opts) =>
    new Promise<Report>((_resolve, reject) => {
      const t0 = performance.now();
      const events = () => Math.max(0, Math.round(performance.now() - t0 - buildMs));
      const snapshot = (): LiveSnapshot => ({
        clock: events(),
        until: opts.duration ?? scenario.duration,
        events: events(),
        wallMs: performance.now() - t0,
        counters: {},
        latency: { edgesMs: [], notification: [], im: [] },
        domains: [],
        pairs: [],
      });
      opts.onStart?.({
        pause() {},
        resume() {},
        hold() {},
        stop: () => reject(new Error('stopped')),
        progress: () => ({ clock: events(), events: events(), windows: 0, until: opts.duration ?? scenario.duration }),
        live: () => null,
        snapshot,
      } as never);
    });
}

const MAIN = new URL('../../dist/web/server/main.js', import.meta.url).pathname;

/** Starts `dist/web/server/main.js` as a child process; resolves with it and its address once it listens (or its output if it exits). */
export function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; base: string | null; port: number; stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /dashboard: (http:\/\/[^/\s]+)\//.exec(stdout);
      if (m) resolve({ child, base: m[1], port: Number(new URL(m[1]).port), stdout, stderr, code: null });
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ child, base: null, port: 0, stdout, stderr, code }));
  });
}
