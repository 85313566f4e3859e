/**
 * Helpers of the queue tests: a throw-away redis-server on a free loopback port (no persistence),
 * `impp-sim worker` processes whose output is kept, and the comparison of two sweep results
 * apart from the fields the result itself lists as varying (SWEEP_VARYING_FIELDS).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWEEP_VARYING_FIELDS, type SweepResult } from '../../sim/toolkit/sweep.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist', 'sim', 'cli.js');
export const HAVE_REDIS = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_REDIS) console.warn('test/queue: redis-server is not installed (apt-get install redis-server): the queue tests are skipped');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class Redis {
  proc: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly extra: string[] = [],
  ) {}
  async start(): Promise<void> {
    const p = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', ...this.extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    await waitFor(`redis-server on port ${this.port}`, () => /Ready to accept connections/.test(out) || p.exitCode !== null, 10_000);
    if (p.exitCode !== null) throw new Error(`redis-server did not start: ${out}`);
  }
  async kill(): Promise<void> {
    const p = this.proc;
    if (p === null || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
    this.proc = null;
  }
}

export class Proc {
  out = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }
  /** ids of the runs this worker finished, in order */
  ran(): string[] {
    return [...this.out.matchAll(/: ran (\S+)/g)].map((m) => m[1]);
  }
  started(): string[] {
    return [...this.out.matchAll(/: started (\S+)/g)].map((m) => m[1]);
  }
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

export const worker = (url: string, name: string, extra: string[] = []) => new Proc(['worker', '--queue', url, '--lease', '2s', '--name', name, ...extra]);

function drop(o: unknown, path: string[]): void {
  if (o === null || typeof o !== 'object') return;
  const [head, ...rest] = path;
  const rec = o as Record<string, unknown>;
  if (head.endsWith('[]')) for (const x of (rec[head.slice(0, -2)] as unknown[]) ?? []) drop(x, rest);
  else if (rest.length === 0) delete rec[head];
  else drop(rec[head], rest);
}

/** The result without the fields that may differ between executions (SWEEP_VARYING_FIELDS). */
export function comparable(r: SweepResult): unknown {
  const o = structuredClone(r);
  for (const f of SWEEP_VARYING_FIELDS) drop(o, f.split('.'));
  return o;
}
