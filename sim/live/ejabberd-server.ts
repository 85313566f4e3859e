/**
 * An embedded ejabberd for live runs (Debian's ejabberd 23.01): a node of its own in a temporary
 * directory, one client listener on a free loopback port, never the system's ejabberd, its
 * configuration or its spool.
 *
 * The Erlang VM is started directly (not through ejabberdctl) as the `ejabberd` user, through
 * setpriv after the shell raised the open-files limit, with ERL_LIBS pointing at Debian's
 * ejabberd libraries. It gets no node name (-name/-sname), so it starts no distribution and no
 * epmd: the client port is the only one it opens. Its configuration (ejabberdConfig) has one c2s
 * listener on 127.0.0.1 without a shaper, with a raised backlog, STARTTLS off so that SASL PLAIN is
 * offered on the plain stream, internal authentication with plain passwords, Mnesia in the
 * directory, and only the modules a presence and IM run needs.
 *
 * The VM is controlled through its standard input, read line by line by a small Erlang loop given
 * with -eval: `import FILE` loads a XEP-0227 file (ejabberd_piefxis:import_file, answered on
 * standard output), and the end of input stops the node (init:stop). So the node also stops by
 * itself when this process dies and the pipe closes. `stop()` closes the pipe, waits, then kills
 * the node's whole process group (the VM and its port programs), and removes the directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimError } from '../errors.js';
import { sampleProcess } from './proc-stat.js';
import { freeLoopbackPort, portOpen, scratchRoot } from './prosody-server.js';

export const ERL_BIN = '/usr/bin/erl';
/** where Debian keeps ejabberd's and its dependencies' Erlang applications */
export const EJABBERD_LIBS = '/usr/lib/x86_64-linux-gnu';
export const EJABBERD_VERSION = '23.01';
const READY_TIMEOUT_MS = 30_000;
const IMPORT_TIMEOUT_MS = 300_000;
const STOP_WAIT_MS = 5000;
const LOG_TAIL_LINES = 15;
const SETTLE_MAX_MS = 5000;
const SETTLE_STEP_MS = 250;
/** CPU seconds in one settle step below which the node counts as idle (one 10 ms clock tick) */
const SETTLE_IDLE_CPU_S = 0.01;
/** the accept queue of the client listener (ejabberd's default is 5) */
const BACKLOG = 4096;

export interface EjabberdOptions {
  /** virtual hosts (the scenario's domains), all served by the one node */
  hosts: string[];
  /** ejabberd's log level ['warning'] */
  logLevel?: 'debug' | 'info' | 'warning' | 'error';
  /** load mod_offline (messages for an offline user are stored); without it they bounce */
  offlineStorage?: boolean;
  /** CPUs the node may run on (taskset's list); any CPU when absent */
  cpus?: string;
  /** more top-level configuration lines (YAML), appended (tuning; a test's broken config) */
  configExtra?: string;
}

export interface EjabberdServer {
  host: string;
  port: number;
  /** the beam.smp process */
  pid: number;
  dir: string;
  logFile: string;
  /** loads a XEP-0227 file into the running node; resolves when the import has returned */
  importPiefxis(file: string): Promise<void>;
  /** ends the node (end of input, then SIGKILL to its process group) and removes its directory; idempotent */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/** The directory of Debian's ejabberd application (ebin inside), or null. */
export function ejabberdAppDir(): string | null {
  for (const name of [`ejabberd-${EJABBERD_VERSION}-1`, `ejabberd-${EJABBERD_VERSION}`]) {
    if (existsSync(join(EJABBERD_LIBS, name, 'ebin', 'ejabberd.app'))) return join(EJABBERD_LIBS, name);
  }
  return null;
}

let ids: { uid: number; gid: number } | null | undefined;
function ejabberdUser(): { uid: number; gid: number } | null {
  if (ids === undefined) {
    const u = spawnSync('id', ['-u', 'ejabberd'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'ejabberd'], { encoding: 'utf8' });
    ids = u.status === 0 && g.status === 0 ? { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) } : null;
  }
  return ids;
}

/** Whether ejabberd 23.01, Erlang and the `ejabberd` user are there (nothing is started to find out). */
export function ejabberdInstalled(): boolean {
  return existsSync(ERL_BIN) && ejabberdAppDir() !== null && ejabberdUser() !== null;
}

const yamlString = (s: string) => JSON.stringify(s);

export function ejabberdConfig(o: { port: number; hosts: string[]; logLevel: string; offlineStorage: boolean; configExtra?: string }): string {
  const lines = [
    '# written by impp-sim live mode for one run; removed when the run ends',
    'hosts:',
    ...o.hosts.map((h) => `  - ${yamlString(h)}`),
    `loglevel: ${o.logLevel}`,
    'log_rotate_count: 0',
    'hide_sensitive_log_data: true',
    'listen:',
    '  -',
    `    port: ${o.port}`,
    '    ip: "127.0.0.1"',
    '    module: ejabberd_c2s',
    '    shaper: none',
    '    starttls: false',
    '    starttls_required: false',
    `    backlog: ${BACKLOG}`,
    '    max_stanza_size: 262144',
    'auth_method: internal',
    'auth_password_format: plain',
    'default_db: mnesia',
    'acme:',
    '  auto: false',
    'shaper: {}',
    'modules:',
    '  mod_roster:',
    '    versioning: false',
    ...(o.offlineStorage ? ['  mod_offline: {}'] : []),
    ...(o.configExtra ? [o.configExtra] : []),
  ];
  return lines.join('\n') + '\n';
}

/**
 * Tables a run writes that ejabberd 23.01 keeps in dets files (disc_only_copies): moved to memory
 * (mnesia:change_table_copy_type) once the node has started, before anything is imported. In
 * dets the XEP-0227 import of 1,000 office users (20,065 roster items) cost 5.8-7.2 s of server
 * CPU and every log-in read its roster from a file; in memory 0.8 s. (ejabberd's own way, an
 * `ejabberd.schema` file in the Mnesia directory, is not applied to tables it creates afresh.)
 * The node's data is thrown away after the run anyway.
 */
export const RAM_TABLES = ['passwd', 'roster', 'roster_version'];

/**
 * The Erlang code that -eval runs: starts ejabberd and moves RAM_TABLES to memory (or prints why
 * not and halts), then prints a ready line and reads commands from standard input until its end.
 */
export const CONTROL_LOOP = [
  'case ejabberd:start() of',
  ' {ok, _} -> ok;',
  ' Bad -> catch io:format("impp-sim: ejabberd did not start: ~0p~n", [Bad]), timer:sleep(200), halt(3)',
  'end,',
  `case [X || {_, R} = X <- [{T, mnesia:change_table_copy_type(T, node(), ram_copies)} || T <- [${RAM_TABLES.join(', ')}]], R =/= {atomic, ok}] of`,
  ' [] -> ok;',
  ' Failed -> catch io:format("impp-sim: tables not moved to memory: ~0p~n", [Failed]), timer:sleep(200), halt(4)',
  'end,',
  // a failed read (the pipe closed, the io server gone) ends the node like the end of input
  'spawn(fun() ->',
  ' Loop = fun L() ->',
  '  case catch io:get_line(\'\') of',
  '   Line when is_list(Line) -> case string:trim(Line) of',
  '    "import " ++ F -> R = (catch ejabberd_piefxis:import_file(F)), catch io:format("impp-sim: import ~0p~n", [R]), L();',
  '    "stop" -> init:stop();',
  '    _ -> L()',
  '   end;',
  '   _ -> init:stop()',
  '  end',
  ' end,',
  ' catch io:format("impp-sim: ready~n"),',
  ' Loop()',
  'end).',
].join(' ');

const running = new Set<EjabberdServer>();
let hooked = false;

function killGroup(pid: number): void {
  // never a pid that is not a started node's (kill(-1) would signal every process)
  if (!(pid > 1)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Stops every node this process started when it is interrupted or exits. */
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const s of running) {
      killGroup(s.pid);
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      const owned = process.listenerCount(sig) > 0;
      void Promise.all([...running].map((s) => s.stop())).finally(() => owned || process.exit(code));
    });
  }
}

function checkInstalled(hosts: string[]): { uid: number; gid: number } {
  if (!existsSync(ERL_BIN) || ejabberdAppDir() === null) {
    throw new SimError('SIM_ERR_LIVE_SERVER', `ejabberd ${EJABBERD_VERSION} is not installed (no ${ERL_BIN} or no ejabberd-${EJABBERD_VERSION} under ${EJABBERD_LIBS}): apt-get install ejabberd, or give --target prosody`);
  }
  const u = ejabberdUser();
  if (u === null) throw new SimError('SIM_ERR_LIVE_SERVER', "the system has no `ejabberd` user to run the embedded node as (install Debian's ejabberd package)");
  if (hosts.length === 0) throw new SimError('SIM_ERR_LIVE_SERVER', 'the embedded ejabberd needs at least one virtual host');
  return u;
}

/** Starts an embedded ejabberd; resolves once it has started and accepts client connections. */
export async function startEjabberd(opts: EjabberdOptions): Promise<EjabberdServer> {
  const user = checkInstalled(opts.hosts);
  const dir = mkdtempSync(join(scratchRoot(), 'impp-sim-ejabberd-'));
  const port = await freeLoopbackPort();
  const cfg = join(dir, 'ejabberd.yml');
  const db = join(dir, 'mnesia');
  const logFile = join(dir, 'ejabberd.log');
  mkdirSync(db);
  writeFileSync(cfg, ejabberdConfig({ port, hosts: opts.hosts, logLevel: opts.logLevel ?? 'warning', offlineStorage: opts.offlineStorage === true, configExtra: opts.configExtra }));
  for (const p of [dir, db, cfg]) chownSync(p, user.uid, user.gid);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    ERL_LIBS: EJABBERD_LIBS,
    EJABBERD_CONFIG_PATH: cfg,
    EJABBERD_LOG_PATH: logFile,
    ERL_CRASH_DUMP: join(dir, 'erl_crash.dump'),
    // belt and braces: were distribution ever started, epmd would listen on loopback only
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const erlArgs = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none', '-noshell', '-start_epmd', 'false', '-mnesia', 'dir', JSON.stringify(db), '-eval', CONTROL_LOOP];
  // the shell raises the soft open-files limit to the hard one, then becomes setpriv, then the VM
  // (erl and erlexec exec, so the child's pid ends up being beam.smp's)
  const pin = opts.cpus ? 'c="$1"; shift; exec taskset -c "$c" ' : 'exec ';
  const script = `ulimit -n "$(ulimit -Hn)" || exit 1; ${pin}setpriv --reuid=ejabberd --regid=ejabberd --init-groups "$0" "$@"`;
  const args = ['-c', script, ERL_BIN, ...(opts.cpus ? [opts.cpus] : []), ...erlArgs];
  // detached: a session and process group of its own, so that stop() can end all of it
  const child: ChildProcess = spawn('/bin/sh', args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  return supervise(child, { dir, port, logFile });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits (at most SETTLE_MAX_MS) until the node is idle: for about a second after it reports its
 * start, ejabberd checks the consistency of its applications, which would otherwise be counted
 * in the first measured seconds' server CPU.
 */
async function settle(pid: number): Promise<void> {
  const until = Date.now() + SETTLE_MAX_MS;
  let last = sampleProcess(pid);
  while (last !== null && Date.now() < until) {
    await sleep(SETTLE_STEP_MS);
    const now = sampleProcess(pid);
    if (now === null || now.cpuSeconds - last.cpuSeconds <= SETTLE_IDLE_CPU_S) return;
    last = now;
  }
}

/** The node's console: the last of what it printed, and the lines the control loop answers with. */
class Console {
  /** the last 4,000 characters printed (standard output and error) */
  text = '';
  private partial = '';
  private waiters: { match: RegExp; resolve: (line: string) => void }[] = [];

  keep(chunk: string): void {
    this.text = (this.text + chunk).slice(-4000);
  }

  /** standard output: kept, and cut into lines for the waiters */
  feed(chunk: string): void {
    this.keep(chunk);
    this.partial += chunk;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      const i = this.waiters.findIndex((x) => x.match.test(line));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(line);
    }
  }

  /** the next line matching, or a rejection after ms or when the node exits */
  waitLine(match: RegExp, ms: number, what: string, exited: Promise<string>): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
      this.waiters.push({ match, resolve: (l) => (clearTimeout(t), resolve(l)) });
      void exited.then((how) => (clearTimeout(t), reject(new Error(`exited (${how}) during ${what}`))));
    });
  }

  /** what it printed besides the log lines it repeats (a boot failure, the loop's answers) */
  own(n: number): string[] {
    const extra = this.text.split('\n').filter((l) => l.trim() !== '' && !/^\d{4}-\d\d-\d\d[ T]/.test(l));
    return extra.length === 0 ? [] : ['output: ' + extra.slice(-n).join('\n')];
  }
}

/** Wraps the started VM: reads its output for the control loop's answers, waits for readiness. */
async function supervise(child: ChildProcess, w: { dir: string; port: number; logFile: string }): Promise<EjabberdServer> {
  const con = new Console();
  child.stdout?.on('data', (b: Buffer) => con.feed(b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => con.keep(b.toString('utf8')));
  child.stdin?.on('error', () => undefined);
  let exited: number | string | null = null;
  const exitedP = new Promise<string>((resolve) => child.once('exit', (code, sig) => resolve(String((exited = code ?? sig ?? 'unknown')))));
  const logTail = (n = LOG_TAIL_LINES) => {
    const text = existsSync(w.logFile) ? readFileSync(w.logFile, 'utf8').trimEnd() : '';
    return [...(text === '' ? [] : text.split('\n').slice(-n)), ...con.own(n)].join('\n');
  };
  const waitLine = (match: RegExp, ms: number, what: string) => con.waitLine(match, ms, what, exitedP);
  const pid = child.pid ?? -1;
  let stopped = false;
  const server: EjabberdServer = {
    host: '127.0.0.1',
    port: w.port,
    pid,
    dir: w.dir,
    logFile: w.logFile,
    logTail,
    async importPiefxis(file: string) {
      const answer = waitLine(/^impp-sim: import /, IMPORT_TIMEOUT_MS, 'the XEP-0227 import');
      child.stdin?.write(`import ${file}\n`);
      const line = await answer.catch((e: Error) => {
        throw new SimError('SIM_ERR_LIVE_SERVER', `the embedded ejabberd's ${e.message}; its log's last lines:\n${logTail() || '(empty log)'}`);
      });
      if (!/import ok$/.test(line)) throw new SimError('SIM_ERR_LIVE_SERVER', `the embedded ejabberd refused the XEP-0227 import (${line.replace(/^impp-sim: import /, '')}); its log's last lines:\n${logTail() || '(empty log)'}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (exited === null) {
        child.stdin?.end();
        const t = setTimeout(() => killGroup(pid), STOP_WAIT_MS);
        await exitedP;
        clearTimeout(t);
      }
      // port programs (erl_child_setup, memsup) go with the group
      killGroup(pid);
      running.delete(server);
      rmSync(w.dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  hookProcessExit();
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    await waitLine(/^impp-sim: ready$/, READY_TIMEOUT_MS, 'the start');
    while (!(await portOpen(w.port))) {
      if (exited !== null) throw new Error(`exited (${exited}) after starting`);
      if (Date.now() > deadline) throw new Error(`started but did not accept connections on 127.0.0.1:${w.port} within ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(50);
    }
    await settle(pid);
  } catch (e) {
    const tail = logTail();
    await server.stop();
    throw new SimError('SIM_ERR_LIVE_SERVER', `the embedded ejabberd ${(e as Error).message}; its log's last lines:\n${tail || '(empty log)'}`);
  }
  return server;
}
