/**
 * `impp-sim live <scenario>`: the scenario driven in real time against a real XMPP server (by
 * default an embedded Prosody started for the run and removed after it), measured and reported
 * like a simulated run (sim/live/live-report.ts). Every bound is checked here, where the values
 * enter: users, duration, rate scale, the offered stanza rate, and the target's address.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SimError } from '../errors.js';
import { loadScenario } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { formatDuration } from '../scenario/units.js';
import { durationOpt, scenarioOverrides, seedOpt } from '../toolkit/cli.js';
import { toHtml, type Block } from '../toolkit/document.js';
import { writeJsonFile } from '../toolkit/json-file.js';
import { checkOutputs } from '../toolkit/outputs.js';
import { driveLive, type LiveCounters, type LiveTarget } from './live-driver.js';
import { formatComparison, simulateAsDriven } from './live-compare.js';
import { LIVE_MAX_USERS, livePlan, withUsers } from './live-plan.js';
import { buildLiveReport, formatLiveSummary, type LiveReport } from './live-report.js';
import { listenerPid, sampleProcess, type ProcSample } from './proc-stat.js';
import { provisionProsody } from './prosody-provision.js';
import { startEmbeddedServers } from './prosody-federation.js';
import { embeddedEjabberd } from './ejabberd-target.js';

export const LIVE_USAGE = `  live <scenario> [options]  drive the scenario in real time against a real XMPP server, measured (docs/live.md)
      --target T             prosody (an embedded Prosody on a free loopback port, the default),
                             ejabberd (an embedded ejabberd 23.01 node serving every domain) or
                             xmpp://127.0.0.1:PORT (a running server that already has the accounts)
      --users N              users in all, spread over the domains [the scenario's; at most ${LIVE_MAX_USERS}]
      --duration D           measured wall-clock time [the scenario's, at most 2min unless given; at most 1h]
      --rate-scale F         multiply presence-change and IM rates by F (0 < F <= 100) [1]
      --seed S, --set path=value   as for run
      --allow-remote         allow a target that is not a loopback address
      --compare              then simulate the scenario as driven and print it beside the measurement
      --json FILE, --html FILE     write the report
      --quiet                no progress and no summary
`;

/** Default and largest measured durations (ms). */
export const LIVE_DEFAULT_MAX_DURATION = 120_000;
export const LIVE_MAX_DURATION = 3_600_000;
export const LIVE_MAX_RATE_SCALE = 100;
/** offered presence changes plus IMs per second, all users together */
export const LIVE_MAX_OFFERED_RATE = 5000;

const usage = (m: string) => new SimError('SIM_ERR_CLI_USAGE', m);

export type TargetSpec = { kind: 'embedded-prosody' } | { kind: 'embedded-ejabberd' } | { kind: 'xmpp'; host: string; port: number };

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/;

/** Parses --target; anything but loopback is refused unless allowRemote. */
export function parseTarget(v: string | undefined, allowRemote: boolean): TargetSpec {
  if (v === undefined || v === 'prosody') return { kind: 'embedded-prosody' };
  if (v === 'ejabberd') return { kind: 'embedded-ejabberd' };
  const m = /^xmpp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(v);
  if (!m) throw new SimError('SIM_ERR_LIVE_TARGET', `--target must be 'prosody', 'ejabberd' or xmpp://HOST:PORT, got '${v}'`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new SimError('SIM_ERR_LIVE_TARGET', `--target port must be 1 to 65535, got ${port}`);
  if (!LOOPBACK.test(m[1]) && !allowRemote) throw new SimError('SIM_ERR_LIVE_TARGET', `--target ${m[1]} is not a loopback address: live runs load a server heavily, so a remote one needs --allow-remote`);
  return { kind: 'xmpp', host: m[1].replace(/^\[|\]$/g, ''), port };
}

export interface LiveRunOptions {
  target: TargetSpec;
  users?: number;
  duration?: number;
  rateScale: number;
  seed?: number;
  onTick?: (line: string) => void;
  /** the driver's counters once a second while it runs (the dashboard streams them) */
  onCounts?: (c: LiveCounters, elapsedMs: number) => void;
  /** CPUs for the embedded servers (taskset list), e.g. to keep them off the driver's core */
  serverCpus?: string;
  /** stops the run early; it still reports what it measured, with \`stopped\` */
  signal?: AbortSignal;
}

/** Checks the bounds of a live run of the (loaded) scenario; returns it with the users set. */
export function checkLiveRun(sc: Scenario, o: LiveRunOptions): { scenario: Scenario; duration: number } {
  if (o.users !== undefined && (!Number.isInteger(o.users) || o.users < 1 || o.users > LIVE_MAX_USERS)) throw usage(`--users must be an integer from 1 to ${LIVE_MAX_USERS}, got '${o.users}'`);
  if (!(o.rateScale > 0 && o.rateScale <= LIVE_MAX_RATE_SCALE)) throw usage(`--rate-scale must be > 0 and <= ${LIVE_MAX_RATE_SCALE}, got '${o.rateScale}'`);
  const scenario = o.users === undefined ? sc : withUsers(sc, o.users);
  const duration = o.duration ?? Math.min(sc.duration, LIVE_DEFAULT_MAX_DURATION);
  if (duration < 1000 || duration > LIVE_MAX_DURATION) throw usage(`--duration must be from 1s to ${formatDuration(LIVE_MAX_DURATION)} of wall-clock time, got ${formatDuration(duration)}`);
  const users = scenario.domains.reduce((a, d) => a + d.users, 0);
  const files = openFilesLimit();
  if (files !== null && users + 64 > files) throw usage(`${users} users need ${users + 64} open files (one socket each), but this process may open ${files}: raise the limit (ulimit -n) or lower --users`);
  const offered = (users * (scenario.behaviour.presenceChangeRate + scenario.behaviour.imRate) * o.rateScale) / 3600;
  if (offered > LIVE_MAX_OFFERED_RATE) throw usage(`the run would offer ${Math.round(offered)} presence changes and IMs per second; a live run offers at most ${LIVE_MAX_OFFERED_RATE} (lower --users or --rate-scale)`);
  return { scenario, duration };
}

/** This process's open-files limit (Node raises the soft limit to the hard one at start), or null. */
function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const n = Number(line?.trim().split(/\s+/)[3]);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

const passwordOf = (u: number) => `live-${u}`;

/** Runs a live scenario; the embedded servers are stopped and removed whatever happens. */
export async function runLive(sc: Scenario, o: LiveRunOptions): Promise<LiveReport> {
  const { scenario, duration } = checkLiveRun(sc, o);
  const seed = o.seed ?? scenario.seed;
  const plan = livePlan(scenario, seed, passwordOf);
  let servers: { port: number; pid: number; host: string; stop(): Promise<void>; logTail(): string }[] = [];
  let serverName: string | null = null;
  try {
    let targets: LiveTarget[];
    let provisionMs = 0;
    let serverStartMs = 0;
    let pids: (number | null)[];
    if (o.target.kind === 'embedded-prosody') {
      const t = performance.now();
      const prosodies = await startEmbeddedServers(plan.domains, { offlineStorage: scenario.behaviour.offlineStorage, cpus: o.serverCpus });
      servers = prosodies;
      serverStartMs = Math.round(performance.now() - t);
      const p = performance.now();
      prosodies.forEach((srv, d) => provisionProsody(srv.dataPath, prosodies.length === 1 ? plan.accounts : plan.accounts.filter((a) => a.host === plan.domains[d])));
      provisionMs = Math.round(performance.now() - p);
      targets = plan.domains.map((_, d) => ({ host: servers[Math.min(d, servers.length - 1)].host, port: servers[Math.min(d, servers.length - 1)].port }));
      pids = servers.map((srv) => srv.pid);
      serverName = `Prosody (embedded${servers.length > 1 ? `, ${servers.length} servers federated by s2s` : ''})`;
    } else if (o.target.kind === 'embedded-ejabberd') {
      const e = await embeddedEjabberd(plan, { offlineStorage: scenario.behaviour.offlineStorage, cpus: o.serverCpus });
      servers = [e.server];
      ({ serverStartMs, provisionMs } = e);
      targets = plan.domains.map(() => ({ host: e.server.host, port: e.server.port }));
      pids = [e.server.pid];
      serverName = e.name;
    } else {
      const t = o.target;
      targets = plan.domains.map(() => ({ host: t.host, port: t.port }));
      pids = [LOOPBACK.test(t.host) ? listenerPid(t.port) : null];
    }
    const sample = () => pids.map((pid) => (pid === null ? null : sampleProcess(pid)));
    const samples: { start: (ProcSample | null)[]; end: (ProcSample | null)[] } = { start: [], end: [] };
    const beforeLogins = sample();
    const drive = await driveLive(scenario, plan, targets, {
      duration,
      rateScale: o.rateScale,
      seed,
      password: passwordOf,
      signal: o.signal,
      onWindow: (edge) => (samples[edge] = sample()),
      onTick:
        o.onTick || o.onCounts
          ? (c, ms) => {
              o.onTick?.(`${(ms / 1000).toFixed(0)} s: ${c.publishes} changes, ${c.notifyDelivered} notifications, ${c.imSent} IMs, ${c.imReports} receipts`);
              o.onCounts?.(c, ms);
            }
          : undefined,
    });
    if (drive.setup.logins === 0 && drive.counters.loginFailures > 0) {
      throw new SimError('SIM_ERR_LIVE_SERVER', `no user could log in at ${targets[0].host}:${targets[0].port}: ${drive.loginErrors.join('; ')}${servers.length > 0 ? `\nserver log:\n${servers[0].logTail()}` : ''}`);
    }
    const cpuOf = (a: (ProcSample | null)[], b: (ProcSample | null)[]) => (a.length > 0 && a.every((x, i) => x && b[i]) ? a.reduce((acc, x, i) => acc + (b[i]!.cpuSeconds - x!.cpuSeconds), 0) : null);
    const loginCpu = cpuOf(beforeLogins, samples.start);
    const report = buildLiveReport({
      scenario,
      seed,
      plan,
      drive,
      target: { kind: o.target.kind, host: targets[0].host, port: targets[0].port, server: serverName },
      rateScale: o.rateScale,
      setup: { provisionMs, serverStartMs, loginServerCpuSeconds: loginCpu === null ? null : Math.round(loginCpu * 1000) / 1000 },
      servers: pids.map((pid, i) => ({ domain: servers.length > 1 ? plan.domains[i] : null, port: servers[i]?.port ?? targets[0].port, pid, start: samples.start[i] ?? null, end: samples.end[i] ?? null })),
    });
    if (o.signal?.aborted) report.stopped = { at: report.parameters.duration, planned: duration, reason: 'stopped on request' };
    return report;
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}

export function liveHtml(r: LiveReport): string {
  const row = (k: string, v: unknown) => [k, String(v)];
  const blocks: Block[] = [
    { kind: 'p', text: `Measured against a real server (${r.target.server ?? 'XMPP'} at ${r.target.host}:${r.target.port}), without TLS. Times are measured milliseconds. ${r.environment.note}.` },
    { kind: 'table', head: ['figure', 'value'], rows: [row('users', r.parameters.users), row('duration', formatDuration(r.parameters.duration)), row('presence changes', r.presence.publishes), row('notifications delivered / expected', `${r.presence.notifications.delivered} / ${r.presence.notifications.sent}`), row('IMs sent / delivered / receipts', `${r.im.sent} / ${r.im.delivered} / ${r.im.reports}`), row('notification p50 / p99 (ms)', `${r.latency.notification.p50} / ${r.latency.notification.p99}`), row('IM p50 / p99 (ms)', `${r.latency.im.p50} / ${r.latency.im.p99}`), row('server CPU per stanza (us)', r.server.cpuPerStanzaUs ?? 'n/a'), row('server RSS (bytes)', r.server.rssBytes ?? 'n/a'), row('driver CPU share of one core', r.driver.cpuShare)] },
    { kind: 'h', text: 'Not mapped to XMPP' },
    { kind: 'table', head: ['scenario feature'], rows: r.mapping.notMapped.map((x) => [x]) },
    { kind: 'h', text: 'Mapped' },
    { kind: 'table', head: ['mapping'], rows: r.mapping.mapped.map((x) => [x]) },
  ];
  return toHtml({ title: `${r.scenario}: live run (measured)`, blocks });
}

export async function liveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { target: { type: 'string' }, users: { type: 'string' }, duration: { type: 'string' }, 'rate-scale': { type: 'string' }, seed: { type: 'string' }, set: { type: 'string', multiple: true }, 'allow-remote': { type: 'boolean' }, compare: { type: 'boolean' }, json: { type: 'string' }, html: { type: 'string' }, quiet: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw usage(`live needs exactly one scenario (a name or a file), got ${positionals.length}`);
  checkOutputs({ '--json': values.json, '--html': values.html });
  const target = parseTarget(values.target, values['allow-remote'] === true);
  const users = values.users === undefined ? undefined : Number(values.users);
  if (users !== undefined && (values.users!.trim() === '' || !Number.isInteger(users))) throw usage(`--users must be an integer from 1 to ${LIVE_MAX_USERS}, got '${values.users}'`);
  const rateScale = values['rate-scale'] === undefined ? 1 : Number(values['rate-scale']);
  const scenario = loadScenario(positionals[0], scenarioOverrides({ set: values.set }));
  const duration = durationOpt(values.duration);
  if (!values.quiet && duration === undefined && scenario.duration > LIVE_DEFAULT_MAX_DURATION) {
    process.stderr.write(`impp-sim live: measuring ${formatDuration(LIVE_DEFAULT_MAX_DURATION)} of the scenario's ${formatDuration(scenario.duration)} (give --duration for more)\n`);
  }
  const tty = !values.quiet && process.stderr.isTTY === true;
  const report = await runLive(scenario, { target, users, duration, rateScale, seed: seedOpt(values.seed), onTick: tty ? (l) => process.stderr.write(`\r${l}   `) : undefined });
  if (tty) process.stderr.write('\n');
  if (!values.quiet) console.log(formatLiveSummary(report));
  if (values.compare) {
    const driven = users === undefined ? scenario : withUsers(scenario, users);
    console.log('\n' + formatComparison(report, await simulateAsDriven(driven, report), driven.calibration));
  }
  if (values.json) writeJsonFile(values.json, report);
  if (values.html) writeFileSync(values.html, liveHtml(report));
  return 0;
}
