/**
 * `impp-sim calibrate <scenario> --target prosody|ejabberd`: stepped live load on the embedded
 * Prosody (or ejabberd 23.01 node), the server and the driver pinned to different cores (taskset)
 * where there are two, each step repeated; the server's CPU per stanza fitted (sim/live/calibration-fit.ts) and written as a
 * calibration file that a scenario names in its `calibration:` field; then every step simulated
 * with the calibration and printed beside what was measured.
 *
 * Steps: presence changes at fan-outs 2, 8 and 24 (everyone online, every buddy allowed) and
 * IMs, each on a ladder of offered rates that stops at the first step past saturation (server
 * utilisation above 0.9, or notifications lost) or when the time budget is spent.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { SimError } from '../errors.js';
import { runScenario } from '../run.js';
import { expandOverrides } from '../scenario/calibration.js';
import { loadScenario } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { formatDuration } from '../scenario/units.js';
import { durationOpt } from '../toolkit/cli.js';
import { writeJsonFile } from '../toolkit/json-file.js';
import { checkOutputs } from '../toolkit/outputs.js';
import { calibrationOverrides, fitSteps, type CalibrationFile, type StepFigures } from './calibration-fit.js';
import { parseTarget, runLive } from './live-command.js';
import { withUsers } from './live-plan.js';

export const CALIBRATE_USAGE = `  calibrate <scenario> --target prosody|ejabberd [options]   stepped live load, fit of the server's cost per stanza,
                             simulated against measured per step (docs/live.md)
      --users N              users per step [200]
      --step D               measured time per step [5s]
      --repeat R             runs per step (run-to-run variation) [2]
      --max-time D           stop adding steps after this much wall-clock time [6min]
      --out FILE             the calibration file [<scenario>.calibration.json]
      --json FILE            steps, fit and comparison as JSON
`;

const FANOUTS = [2, 8, 24];
const LADDER = [25, 50, 100, 200, 400, 800, 1600];
const usage = (m: string) => new SimError('SIM_ERR_CLI_USAGE', m);

interface Step {
  mix: 'presence' | 'im';
  fanout: number;
  rate: number;
}

/** The scenario of one step: the given one, one domain, with its population and rates replaced. */
function stepOverrides(st: Step, users: number, seconds: number, warmup: number): string[] {
  const perUserPerHour = (st.rate * 3600) / users;
  return [
    `population.buddies=${st.fanout}`,
    'population.access={allow: 1, deny: 0, politeBlock: 0, pending: 0}',
    'population.watchers={subscriber: 1, poller: 0, fetcher: 0}',
    'population.principals={both: 1, presentityOnly: 0, inboxOnly: 0}',
    'population.online=1',
    'behaviour.sessionLength=100h',
    'behaviour.crashFraction=0',
    `behaviour.presenceChangeRate=${st.mix === 'presence' ? perUserPerHour : 0}/h`,
    `behaviour.imRate=${st.mix === 'im' ? perUserPerHour : 0}/h`,
    `duration=${seconds + warmup}s`,
    `warmup=${warmup}s`,
  ];
}

/** Pins this process to CPU 0 and returns the CPUs for the server, or null where there is one core. */
function pinDriver(): string | null {
  if (cpus().length < 2) return null;
  try {
    execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
    return `1-${cpus().length - 1}`;
  } catch {
    return null;
  }
}

/** A step past saturation: server busy, under 80% of the offered load carried, notifications lost, or p50 above 50 ms. */
export function saturated(figures: StepFigures[]): boolean {
  const m = (k: keyof StepFigures) => mean(figures.map((f) => f[k] as number));
  return m('utilisation') > 0.9 || m('achieved') < 0.8 * figures[0].rate || m('lost') > 0 || m('p50') > 50;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: number[]) => (xs.length < 2 ? 0 : Math.max(...xs) - Math.min(...xs));
const f1 = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(Math.abs(x) >= 10 ? 1 : 2));

interface Row {
  step: Step;
  measured: StepFigures[];
  simulated: { throughput: number; p50: number; p99: number; utilisation: number };
}

export async function calibrateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { target: { type: 'string' }, users: { type: 'string' }, step: { type: 'string' }, repeat: { type: 'string' }, 'max-time': { type: 'string' }, out: { type: 'string' }, json: { type: 'string' } } });
  if (positionals.length !== 1) throw usage('calibrate needs exactly one scenario');
  if (values.target !== undefined && values.target !== 'prosody' && values.target !== 'ejabberd') throw usage(`calibrate drives an embedded server (--target prosody or --target ejabberd), got '${values.target}'`);
  const target = parseTarget(values.target, false);
  const serverLabel = target.kind === 'embedded-ejabberd' ? 'ejabberd 23.01 (embedded, Debian package)' : 'Prosody (embedded, Debian package)';
  const users = values.users === undefined ? 200 : Number(values.users);
  if (!Number.isInteger(users) || users < 30 || users > 2000) throw usage(`--users must be an integer from 30 to 2000, got '${values.users}'`);
  const stepMs = durationOpt(values.step, '--step') ?? 5000;
  if (stepMs < 2000 || stepMs > 60_000) throw usage(`--step must be from 2s to 1min, got ${formatDuration(stepMs)}`);
  const repeat = values.repeat === undefined ? 2 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 5) throw usage(`--repeat must be an integer from 1 to 5, got '${values.repeat}'`);
  const maxTime = durationOpt(values['max-time'], '--max-time') ?? 360_000;
  if (maxTime > 1_800_000) throw usage(`--max-time must be at most 30min, got ${formatDuration(maxTime)}`);
  const base = loadScenario(positionals[0], []);
  if (base.domains.length !== 1) throw usage(`calibrate measures one server: give a scenario with one domain (${base.name} has ${base.domains.length})`);
  const out = values.out ?? `${base.name}.calibration.json`;
  checkOutputs({ '--out': out, '--json': values.json });
  const serverCpus = pinDriver();
  console.log(`calibrating against ${serverLabel}: ${users} users, ${formatDuration(stepMs)} per step, ${repeat} runs each; ${serverCpus ? `driver on CPU 0, server on CPU ${serverCpus}` : 'not pinned (one core)'}`);
  const seconds = stepMs / 1000;
  const started = performance.now();
  const runs: { step: Step; figures: StepFigures[] }[] = [];
  const ladders: Step[][] = [...FANOUTS.map((f) => LADDER.map((rate) => ({ mix: 'presence' as const, fanout: f, rate }))), LADDER.map((rate) => ({ mix: 'im' as const, fanout: 8, rate }))];
  // each ladder gets its share of the time budget, so that every term of the fit is exercised
  for (const [li, ladder] of ladders.entries()) {
    const until = ((li + 1) * maxTime) / ladders.length;
    for (const st of ladder) {
      if (performance.now() - started > until) break;
      const sc = withUsers(loadScenario(positionals[0], stepOverrides(st, users, seconds, 0).slice(0, -2)), users);
      const figures: StepFigures[] = [];
      for (let r = 0; r < repeat; r++) {
        const rep = await runLive(sc, { target, duration: stepMs, rateScale: 1, seed: sc.seed + r, serverCpus: serverCpus ?? undefined });
        const secs = (rep.parameters.duration + 0) / 1000;
        const lat = st.mix === 'presence' ? rep.latency.notification : rep.latency.im;
        figures.push({ mix: st.mix, fanout: st.fanout, rate: st.rate, seconds: secs, changes: rep.presence.publishes, deliveries: rep.presence.notifications.delivered, ims: rep.im.sent, cpuSeconds: rep.server.cpuSeconds ?? 0, p50: lat.p50, p99: lat.p99, utilisation: rep.server.utilisation ?? 0, achieved: (st.mix === 'presence' ? rep.presence.publishes : rep.im.sent) / secs, lost: rep.presence.notifications.undelivered, driverShare: rep.driver.cpuShare });
      }
      runs.push({ step: st, figures });
      const u = mean(figures.map((f) => f.utilisation));
      const achieved = mean(figures.map((f) => f.achieved));
      const p50 = mean(figures.map((f) => f.p50));
      console.log(`  ${st.mix}${st.mix === 'presence' ? ` fan-out ${st.fanout}` : ''} at ${st.rate}/s offered, ${f1(achieved)}/s sent: server utilisation ${u.toFixed(2)}, driver ${mean(figures.map((f) => f.driverShare)).toFixed(2)}, p50 ${f1(p50)} ms`);
      // past saturation: the server is busy, the load is not carried, or latency has taken off
      if (saturated(figures)) break;
    }
  }
  const all = runs.flatMap((r) => r.figures);
  const fit = fitSteps(all.filter((f) => !saturated([f])));
  // the client leg: half the IM latency at the lightest IM step, less the server's own time
  const lightIm = runs.find((r) => r.step.mix === 'im')?.figures ?? [];
  const accessLatencyMs = lightIm.length ? Math.max(0.01, (mean(lightIm.map((f) => f.p50)) - fit.imUs / 1000 / 2) / 2) : 0.1;
  const overrides = calibrationOverrides(fit, accessLatencyMs);
  const cal: CalibrationFile = { kind: 'impp-sim-calibration', version: 1, server: serverLabel, createdAt: new Date().toISOString(), environment: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', pinned: serverCpus !== null, note: 'measured on loopback without TLS on a machine shared with other work' }, fit, accessLatencyMs, overrides, steps: all };
  writeJsonFile(out, cal);
  console.log(`\nfit over ${fit.steps} runs: ${fit.publishUs} us per change + ${fit.notifyUs} us per delivery; ${fit.imUs} us per IM with its receipt; idle ${fit.idleUsPerSecond} us/s; rms residual ${fit.rmsResidualMs} ms per run`);
  console.log(`calibration written to ${out} (name it in a scenario: calibration: ${out})\n`);
  const rows = await simulateSteps(positionals[0], base, runs, users, seconds, overrides);
  printComparison(rows, fit);
  if (values.json) writeJsonFile(values.json, { calibration: cal, rows });
  return 0;
}

async function simulateSteps(name: string, base: Scenario, runs: { step: Step; figures: StepFigures[] }[], users: number, seconds: number, overrides: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const warmup = 20;
  for (const r of runs) {
    const sc = withUsers(loadScenario(name, [...expandOverrides(overrides, base.domains.length), ...stepOverrides(r.step, users, Math.max(seconds, 30), warmup)]), users);
    const rep = await runScenario(sc, { workers: 1 });
    const secs = rep.parameters.duration / 1000;
    const dom = Object.values(rep.domains)[0];
    const lat = r.step.mix === 'presence' ? rep.latency.notification : rep.latency.im;
    rows.push({ step: r.step, measured: r.figures, simulated: { throughput: (r.step.mix === 'presence' ? rep.presence.notifications.delivered : rep.im.delivered) / secs, p50: lat.p50, p99: lat.p99, utilisation: dom.utilisation } });
  }
  return rows;
}

function printComparison(rows: Row[], fit: ReturnType<typeof fitSteps>): void {
  console.log('step                      | deliveries/s meas (spread) sim | p50 ms meas sim | p99 ms meas sim | utilisation meas sim');
  for (const r of rows) {
    const m = r.measured;
    const thr = m.map((f) => (r.step.mix === 'presence' ? f.deliveries : f.ims) / f.seconds);
    const label = `${r.step.mix === 'presence' ? `presence x${r.step.fanout}` : 'IM'} at ${r.step.rate}/s`.padEnd(25);
    console.log(`${label} | ${f1(mean(thr))} (${f1(spread(thr))}) ${f1(r.simulated.throughput)} | ${f1(mean(m.map((f) => f.p50)))} ${f1(r.simulated.p50)} | ${f1(mean(m.map((f) => f.p99)))} ${f1(r.simulated.p99)} | ${mean(m.map((f) => f.utilisation)).toFixed(2)} ${r.simulated.utilisation.toFixed(2)}`);
  }
  // the knee: the first step past saturation by the same test for both (simulated: utilisation
  // above 0.9 or p50 above 50 ms; the model carries all the load it is offered, or queues it)
  const kneeOf = (mix: Step['mix'], f: number, past: (r: Row) => boolean) => {
    const rate = rows.find((r) => r.step.mix === mix && (mix === 'im' || r.step.fanout === f) && past(r))?.step.rate;
    return rate === undefined ? 'not reached' : `${rate}/s`;
  };
  const measuredPast = (r: Row) => saturated(r.measured);
  const simulatedPast = (r: Row) => r.simulated.utilisation > 0.9 || r.simulated.p50 > 50;
  for (const f of FANOUTS) {
    const predicted = 1e6 / (fit.publishUs + f * fit.notifyUs);
    console.log(`knee, presence fan-out ${f}: measured ${kneeOf('presence', f, measuredPast)}, simulated ${kneeOf('presence', f, simulatedPast)}; one free core saturates at ${predicted.toFixed(0)} changes/s by the fit`);
  }
  console.log(`knee, IM: measured ${kneeOf('im', 0, measuredPast)}, simulated ${kneeOf('im', 0, simulatedPast)}; one free core saturates at ${fit.imUs > 0 ? (1e6 / fit.imUs).toFixed(0) : '?'} IMs/s by the fit`);
  console.log('(a knee far below the fit\'s saturation means the server did not get a whole core: other processes on the machine, or the driver)');
}
