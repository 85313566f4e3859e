/**
 * An embedded Prosody for live runs: a server of its own in a temporary directory, listening on a
 * free loopback port, never the system's Prosody or its configuration.
 *
 * Prosody refuses to run as root, so it runs as the `prosody` user through setpriv (runuser and su
 * reset the open-files limit to 1,024; the shell that execs setpriv raises it to the hard limit
 * first, since each session is one descriptor). The configuration leaves `limits` out (Debian's
 * default throttles c2s to 10 kB/s), keeps plain-text SASL over unencrypted loopback streams and
 * plain-file storage, so accounts and rosters are written straight into `data_path`
 * (sim/live/prosody-provision.ts). `stop()` ends the server and removes the directory; the
 * launcher also stops it when the process is interrupted (SIGINT, SIGTERM) or exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from '../errors.js';

export const PROSODY_BIN = '/usr/bin/prosody';
/** how long the server may take to accept connections */
const READY_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 15;

export interface ProsodyOptions {
  /** virtual hosts (the scenario's domains) */
  hosts: string[];
  /** log level written to the server's log file ['info'] */
  logLevel?: 'debug' | 'info' | 'warn';
  /**
   * server-to-server streams (federation): the loopback port this server listens on for them, and
   * the s2s port of every other domain's server (there is no DNS for the scenario's domains: the
   * plugin below routes them to 127.0.0.1)
   */
  s2s?: { port: number; routes: Record<string, number> };
  /** keep mod_offline (messages for an offline user are stored); without it they bounce */
  offlineStorage?: boolean;
  /** CPUs the server may run on (taskset's list, e.g. '1'); any CPU when absent */
  cpus?: string;
  /** more configuration lines, placed before the virtual hosts (tuning; a test's broken config) */
  configExtra?: string;
}

export interface ProsodyServer {
  /** 127.0.0.1 */
  host: string;
  port: number;
  /** the s2s port, or 0 without s2s */
  s2sPort: number;
  pid: number;
  dir: string;
  dataPath: string;
  logFile: string;
  /** ends the server (SIGTERM, then SIGKILL after 3 s) and removes its directory; idempotent */
  stop(): Promise<void>;
  /** the log's last lines, for error messages */
  logTail(lines?: number): string;
}

/** Whether Prosody is installed where the launcher looks for it (it is never started to find out). */
export function prosodyInstalled(): boolean {
  return existsSync(PROSODY_BIN) && userId('prosody') !== null;
}

const ids = new Map<string, { uid: number; gid: number } | null>();
function userId(name: string): { uid: number; gid: number } | null {
  if (!ids.has(name)) ids.set(name, lookUpUser(name));
  return ids.get(name)!;
}

function lookUpUser(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** A loopback TCP port free at the time of asking (the kernel's choice). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port now. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Where the server's directory goes: /dev/shm (memory) where there is one, since provisioning
 * writes two files per user and Prosody reads them at every log-in (a file written to this
 * machine's disk costs ~2 ms, to /dev/shm ~45 us); the system's temporary directory otherwise.
 */
export function scratchRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

const luaString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * A Prosody plugin that resolves the given domains to 127.0.0.1:<port> for outgoing s2s streams
 * (mod_s2s asks net.resolvers.service for an SRV lookup at each new stream; the plugin answers
 * for these domains with a fixed address and leaves every other name to the resolver).
 */
export const S2S_ROUTES_PLUGIN = `-- impp-sim live mode: loopback routes for the run's federated domains
local service = require "net.resolvers.service";
local basic = require "net.resolvers.basic";
local routes = module:get_option("impp_sim_s2s_routes", {});
local lookup = service.new;
service.new = function (hostname, srv, proto, extra)
	local port = routes[hostname];
	if port and srv == "xmpp-server" then
		return basic.new("127.0.0.1", port, proto, extra);
	end
	return lookup(hostname, srv, proto, extra);
end
`;

export function prosodyConfig(o: { dir: string; port: number; s2s?: ProsodyOptions['s2s']; hosts: string[]; logLevel: string; offlineStorage: boolean; configExtra?: string }): string {
  const disabled = [...(o.s2s ? [] : ['"s2s"']), ...(o.offlineStorage ? [] : ['"offline"'])];
  const s2s = o.s2s
    ? [
        `s2s_ports = { ${o.s2s.port} }`,
        `plugin_paths = { ${luaString(join(o.dir, 'plugins'))} }`,
        `impp_sim_s2s_routes = { ${Object.entries(o.s2s.routes).map(([h, p]) => `[${luaString(h)}] = ${p}`).join(', ')} }`,
      ]
    : ['s2s_ports = { }'];
  const lines = [
    '-- written by impp-sim live mode for one run; removed when the run ends',
    'daemonize = false',
    'interfaces = { "127.0.0.1" }',
    `c2s_ports = { ${o.port} }`,
    ...s2s,
    'c2s_direct_tls_ports = { }',
    'legacy_ssl_ports = { }',
    'network_backend = "epoll"',
    `data_path = ${luaString(join(o.dir, 'data'))}`,
    `certificates = ${luaString(join(o.dir, 'certs'))}`,
    `log = { ${o.logLevel} = ${luaString(join(o.dir, 'prosody.log'))} }`,
    // the modules a presence and IM run needs; no posix (no pidfile, no syslog, no daemon)
    `modules_enabled = { "roster", "saslauth", "disco", "ping"${o.s2s ? ', "dialback", "impp_sim_s2s_routes"' : ''} }`,
    ...(disabled.length > 0 ? [`modules_disabled = { ${disabled.join(', ')} }`] : []),
    'c2s_require_encryption = false',
    's2s_require_encryption = false',
    's2s_secure_auth = false',
    'allow_unencrypted_plain_auth = true',
    'authentication = "internal_plain"',
    'storage = "internal"',
    'c2s_timeout = 300',
    ...(o.configExtra ? [o.configExtra] : []),
    ...o.hosts.map((h) => `VirtualHost ${luaString(h)}`),
  ];
  return lines.join('\n') + '\n';
}

const running = new Set<ProsodyServer>();
let hooked = false;

/** Stops every server this process started when it is interrupted or exits. */
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const s of running) {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(s.dir, { recursive: true, force: true });
    }
  };
  process.once('exit', killAll);
  // on a signal the servers are stopped and waited for (reaped); then, unless the program has a
  // handler of its own for the signal (the dashboard server closes itself), the process ends as
  // the signal would have ended it
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      const owned = process.listenerCount(sig) > 0;
      void Promise.all([...running].map((s) => s.stop())).finally(() => owned || process.exit(code));
    });
  }
}

/** Starts an embedded Prosody and resolves once it accepts client connections. */
export async function startProsody(opts: ProsodyOptions): Promise<ProsodyServer> {
  if (!existsSync(PROSODY_BIN)) {
    throw new SimError('SIM_ERR_LIVE_SERVER', `Prosody is not installed (${PROSODY_BIN} missing): apt-get install prosody, or give --target xmpp://127.0.0.1:PORT`);
  }
  const ids = userId('prosody');
  if (ids === null) throw new SimError('SIM_ERR_LIVE_SERVER', 'the system has no `prosody` user to run the embedded server as (install Debian\'s prosody package)');
  if (opts.hosts.length === 0) throw new SimError('SIM_ERR_LIVE_SERVER', 'the embedded server needs at least one virtual host');
  const dir = mkdtempSync(join(scratchRoot(), 'impp-sim-prosody-'));
  const port = await freeLoopbackPort();
  const s2sPort = opts.s2s?.port ?? 0;
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'certs'));
  const owned = [dir, join(dir, 'data'), join(dir, 'certs')];
  if (opts.s2s) {
    mkdirSync(join(dir, 'plugins'));
    writeFileSync(join(dir, 'plugins', 'mod_impp_sim_s2s_routes.lua'), S2S_ROUTES_PLUGIN);
    owned.push(join(dir, 'plugins'), join(dir, 'plugins', 'mod_impp_sim_s2s_routes.lua'));
  }
  const cfg = join(dir, 'prosody.cfg.lua');
  writeFileSync(cfg, prosodyConfig({ dir, port, s2s: opts.s2s, hosts: opts.hosts, logLevel: opts.logLevel ?? 'info', offlineStorage: opts.offlineStorage === true, configExtra: opts.configExtra }));
  for (const p of [...owned, cfg]) chownSync(p, ids.uid, ids.gid);
  const logFile = join(dir, 'prosody.log');
  // the shell raises the soft open-files limit to the hard one, then becomes setpriv, then prosody
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', `ulimit -n "$(ulimit -Hn)" && exec ${opts.cpus ? 'taskset -c "$2" ' : ''}setpriv --reuid=prosody --regid=prosody --init-groups "$0" --config "$1" -F`, PROSODY_BIN, cfg, opts.cpus ?? ''],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  // what the server prints before its log is open (a configuration error, a refusal to start)
  let stderr = '';
  const keep = (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | string | null = null;
  const exitedP = new Promise<void>((resolve) => child.once('exit', (code, sig) => ((exited = code ?? sig ?? 'unknown'), resolve())));
  const logTail = (n = LOG_TAIL_LINES) => {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return [...text.trimEnd().split('\n').slice(-n), ...(stderr ? ['output: ' + stderr.trim()] : [])].join('\n');
  };
  let stopped = false;
  const server: ProsodyServer = {
    host: '127.0.0.1',
    port,
    s2sPort,
    pid: child.pid ?? -1,
    dir,
    dataPath: join(dir, 'data'),
    logFile,
    logTail,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (exited === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exitedP;
        clearTimeout(t);
      }
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  hookProcessExit();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await portOpen(port))) {
    if (exited !== null || Date.now() > deadline) {
      const why = exited !== null ? `exited (${exited})` : `did not accept connections within ${READY_TIMEOUT_MS / 1000} s`;
      const tail = logTail();
      await server.stop();
      throw new SimError('SIM_ERR_LIVE_SERVER', `the embedded Prosody ${why}; its log's last lines:\n${tail || '(empty log)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}

/** Makes files written by this process readable and writable by the server's user. */
export function chownForProsody(paths: string[]): void {
  const ids = userId('prosody');
  if (ids === null) return;
  for (const p of paths) chownSync(p, ids.uid, ids.gid);
}
