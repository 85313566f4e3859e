/**
 * `npm start`: serves the dashboard (web/public) and its API at http://127.0.0.1:8080.
 *
 *   node dist/web/server/main.js [--port N] [--host H] [--allow-host NAME] [--data DIR] [--max-runs N] [--idle-timeout T] [--queue URL]
 *
 * --queue redis://HOST:PORT (or IMPP_SIM_QUEUE in the environment) runs the scalability view's
 * sweeps on `impp-sim worker` processes (sweeps-queue.ts); the address is printed and logged with
 * its password as *** only, and a malformed one is refused without echoing it.
 *
 * PORT in the environment sets the port when --port is absent. A bad flag prints what is wrong
 * and exits with status 2, and so does a port in use or a store that cannot be opened (with what
 * is wrong and what to do, no stack trace). The port is taken before the store is touched, so a
 * second server on a busy port leaves the first one's store alone.
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { buildApp, DEFAULT_DATA_DIR, DEFAULT_MAX_RUNS } from './app.js';
import { DEFAULT_SCENARIO } from './routes-scenarios.js';
import { DEFAULT_IDLE_TIMEOUT_MS } from './run-idle.js';
import { parseDurationInput } from './run-input.js';
import { isStoreError } from './store-errors.js';
import { parseQueueAddress, QUEUE_ENV, type QueueAddress } from '../../sim/toolkit/queue/url.js';

export interface ServerFlags {
  port: number;
  host: string;
  dataDir: string;
  maxRuns: number;
  /** a paused run that no page watches is stopped after this many ms (0 = never) */
  idleTimeoutMs: number;
  /** Host header names accepted besides the loopback names and --host */
  allowHosts: string[];
  /** the queue of the sweeps (--queue, else $IMPP_SIM_QUEUE); null: they run here */
  queue: QueueAddress | null;
  help: boolean;
}

export const USAGE = `usage: impp-sim-server [--port N] [--host HOST] [--allow-host NAME] [--data DIR] [--max-runs N] [--idle-timeout T] [--queue URL]
  --port N       port to listen on (default: $PORT, else 8080; 0 = any free port)
  --host HOST    address to bind (default 127.0.0.1: this machine only)
  --allow-host NAME  a name the Host header may carry besides 127.0.0.1, localhost, [::1] and
                 --host (repeatable); other names are refused with 421
  --data DIR     folder of the run store (default ./${DEFAULT_DATA_DIR})
  --max-runs N   active runs at once, 1..64 (default ${DEFAULT_MAX_RUNS}); more are refused with 429
  --idle-timeout T  stop a paused run that no page watches after T (default ${DEFAULT_IDLE_TIMEOUT_MS / 60_000}min; 30s, 10min,
                 milliseconds, 0 = never), so that an abandoned run frees its slot
  --queue URL    run the scalability view's sweeps on queue workers (npm run sim -- worker --queue URL)
                 [$${QUEUE_ENV}]; redis://[:PASSWORD@]HOST:PORT[/DB]`;

/** An idle timeout: milliseconds, 0 (never) or a duration such as 30s or 10min. */
function idleTimeout(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  try {
    return parseDurationInput(v);
  } catch (e) {
    throw new FlagError(`--idle-timeout must be a duration such as 30s or 10min, milliseconds, or 0 (never), got '${v}': ${(e as Error).message.replace(/^body\.duration: /, '')}`);
  }
}

export class FlagError extends Error {}

/** A queue address (the message never repeats the text: it may hold a password). */
function queueFlag(v: string, from: string): QueueAddress {
  try {
    return parseQueueAddress(v);
  } catch (e) {
    throw new FlagError(`${from}: ${(e as Error).message.replace(/^SIM_ERR_\w+: (--queue \(or \w+\): )?/, '')}`);
  }
}

function intIn(flag: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new FlagError(`${flag} must be an integer from ${min} to ${max}, got ${v === undefined ? 'nothing' : `'${v}'`}`);
  }
  return Number(v);
}

export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerFlags {
  const flags: ServerFlags = { port: 8080, host: '127.0.0.1', dataDir: resolve(DEFAULT_DATA_DIR), maxRuns: DEFAULT_MAX_RUNS, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, allowHosts: [], queue: null, help: false };
  if (env.PORT !== undefined && env.PORT !== '') flags.port = intIn('PORT', env.PORT, 0, 65535);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new FlagError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--port':
        flags.port = intIn('--port', value(), 0, 65535);
        break;
      case '--host': {
        const v = value();
        if (v.trim() === '') throw new FlagError('--host needs an address');
        flags.host = v;
        break;
      }
      case '--allow-host': {
        const v = value();
        if (!/^[A-Za-z0-9.:[\]-]+$/.test(v)) throw new FlagError(`--allow-host needs a host name or address, got '${v}'`);
        flags.allowHosts.push(v);
        break;
      }
      case '--data': {
        const v = value();
        if (v.trim() === '') throw new FlagError('--data needs a folder');
        flags.dataDir = resolve(v);
        break;
      }
      case '--max-runs':
        flags.maxRuns = intIn('--max-runs', value(), 1, 64);
        break;
      case '--idle-timeout':
        flags.idleTimeoutMs = idleTimeout(value());
        break;
      case '--queue':
        flags.queue = queueFlag(value(), '--queue');
        break;
      case '--help':
      case '-h':
        flags.help = true;
        break;
      default:
        throw new FlagError(`unknown flag '${arg}'`);
    }
  }
  const queueEnv = env[QUEUE_ENV];
  if (flags.queue === null && queueEnv !== undefined && queueEnv.trim() !== '') flags.queue = queueFlag(queueEnv, QUEUE_ENV);
  return flags;
}

async function main(): Promise<void> {
  let flags: ServerFlags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`impp-sim-server: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fail = (message: string): never => {
    process.stderr.write(`impp-sim-server: ${message}\n`);
    process.exit(2);
  };
  // take the port first: a second server on a busy port must not open (and recover) the store
  if (flags.port !== 0) {
    const problem = await portProblem(flags.host, flags.port);
    if (problem !== null) fail(`cannot listen on ${flags.host}:${flags.port}: ${problem}`);
  }
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ dataDir: flags.dataDir, maxRuns: flags.maxRuns, idleTimeoutMs: flags.idleTimeoutMs, allowedHosts: [flags.host, ...flags.allowHosts], queue: flags.queue, logger: { level: 'warn' } });
  } catch (e) {
    if (isStoreError(e)) fail(e.message);
    throw e;
  }
  let address = '';
  try {
    address = await app.listen({ port: flags.port, host: flags.host });
  } catch (e) {
    await app.close();
    fail(`cannot listen on ${flags.host}:${flags.port}: ${(e as Error).message}`);
  }
  process.stdout.write(
    `impp-sim dashboard: ${address}/  (API docs: ${address}/docs; default scenario: ${DEFAULT_SCENARIO}; data: ${flags.dataDir})\n` +
      (flags.queue !== null ? `sweeps run on the queue ${flags.queue.shown}: start workers with npm run sim -- worker --queue URL\n` : ''),
  );
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Why host:port cannot be bound now (null when it can). */
function portProblem(host: string, port: number): Promise<string | null> {
  return new Promise((resolveProblem) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolveProblem(e.code === 'EADDRINUSE' ? 'the address is in use (another server?)' : e.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolveProblem(null)));
  });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/web/server/main.js')) {
  void main();
}
