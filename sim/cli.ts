/**
 * impp-sim command-line tool. `npm run sim -- <command> ...` or, installed, `impp-sim <command>`.
 * Exit status: 0 success, 1 unexpected failure, 2 bad input (usage, scenario, payload), 3 a threshold
 * or sizing target failed (sim/toolkit).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { isSimError, SimError } from './errors.js';
import { runScenario, type ScenarioRunHandle } from './run.js';
import { listScenarios, loadScenario } from './scenario/index.js';
import { formatSummary } from './summary.js';
import { checkRunFits } from './estimate.js';
import { chooseWorkers } from './workers.js';
import { durationOpt, EXIT_THRESHOLD_FAILED, finishRun, SCENARIO_OPTIONS, scenarioOverrides, scenarioThresholds, seedOpt, sizeCommand, sweepCommand, TOOLKIT_RUN_USAGE, TOOLKIT_USAGE } from './toolkit/cli.js';
import { writeJsonFile } from './toolkit/json-file.js';
import { checkOutputs } from './toolkit/outputs.js';
import { probeThresholdPaths } from './toolkit/probe.js';
import { parseThreshold } from './toolkit/thresholds.js';
import { ThresholdWatch, type AbortDecision } from './toolkit/watch.js';
import { compareCommand, COMPARE_USAGE } from './compare.js';
import { pointCommand, POINT_USAGE } from './toolkit/cluster.js';
import { workerCommand, WORKER_USAGE } from './toolkit/queue/worker.js';
import { inspectFile } from './wire/inspect.js';
import { isWireError } from './wire/errors.js';
import { liveCommand, LIVE_USAGE } from './live/live-command.js';
import { calibrateCommand, CALIBRATE_USAGE } from './live/calibrate-command.js';

const USAGE = `impp-sim: simulate and load-test presence and instant messaging systems (IETF IMPP model)

usage: impp-sim <command> [options]

commands:
  run <scenario> [options]   run a scenario (a built-in name or a .yaml/.json file)
      --workers N|auto       worker threads; domains are spread over them [1]; auto picks the
                             count from the domains, the work per window and the cores, and says why
      --seed S               random seed [the scenario's]
      --duration D           simulated duration, e.g. 30min, 2h (same as --set duration=D) [the scenario's]
      --set path=value       override any scenario field (repeatable), e.g. --set behaviour.imRate=10/h
      --warmup D             leave the first D out of every figure (the scenario's warmup field),
                             e.g. --warmup 10min for steady-state figures without the log-in burst
      --json FILE            write the JSON report to FILE
      --quiet                no progress bar and no summary
${TOOLKIT_RUN_USAGE}${COMPARE_USAGE}${TOOLKIT_USAGE}${WORKER_USAGE}${POINT_USAGE}${LIVE_USAGE}${CALIBRATE_USAGE}  scenarios                  list the built-in scenarios
  inspect FILE [--strict]    decode PIDF, watcherinfo, XMPP, message/cpim or SIP (and its body) as JSON;
                             lenient by default (RFC violations listed as warnings), --strict refuses them
  version                    print the version
  help                       this text

Exit status: 0 success, 1 unexpected failure, 2 bad input, 3 a threshold or target failed.
Scenario format: docs/scenarios.md. Report format: docs/report.md. Sweeps, thresholds, size: docs/toolkit.md.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      workers: { type: 'string' },
      ...SCENARIO_OPTIONS,
      json: { type: 'string' },
      quiet: { type: 'boolean' },
      threshold: { type: 'string', multiple: true },
      html: { type: 'string' },
      md: { type: 'string' },
      'no-analytic': { type: 'boolean' },
      'abort-after': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new SimError('SIM_ERR_CLI_USAGE', `run needs exactly one scenario (a name or a file), got ${positionals.length}`);
  const workers = values.workers === 'auto' ? 'auto' : values.workers === undefined ? 1 : Number(values.workers);
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1 || workers > 256)) {
    throw new SimError('SIM_ERR_CLI_USAGE', `--workers must be an integer between 1 and 256 or 'auto', got '${values.workers}'`);
  }
  const seed = seedOpt(values.seed);
  checkOutputs({ '--json': values.json, '--html': values.html, '--md': values.md });
  const scenario = loadScenario(positionals[0], scenarioOverrides(values));
  // refused before any worker starts when the estimate exceeds the memory limit
  checkRunFits(scenario, { workers: workers === 'auto' ? chooseWorkers(scenario).workers : workers });
  const thresholds = [...scenarioThresholds(positionals[0]), ...(values.threshold ?? [])].map(parseThreshold);
  // a mistyped path fails now, not after the run
  await probeThresholdPaths(scenario, thresholds);
  let watch: ThresholdWatch | null = null;
  if (values['abort-after'] !== undefined) {
    if (thresholds.length === 0) throw new SimError('SIM_ERR_CLI_USAGE', '--abort-after needs at least one --threshold (or x-thresholds in the scenario file) to watch');
    watch = new ThresholdWatch(thresholds, durationOpt(values['abort-after'], '--abort-after')!, scenario.warmup ?? 0);
  }
  const showBar = !values.quiet && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: `${scenario.name} [{bar}] {percentage}% | {simTime} simulated | {events} events`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const total = scenario.duration;
  bar?.start(100, 0, { simTime: '0 s', events: 0 });
  let handle: ScenarioRunHandle | null = null;
  let aborted = null as AbortDecision | null;
  const report = await runScenario(scenario, {
    workers,
    seed,
    onStart: watch ? (h) => (handle = h) : undefined,
    stopReason: () => (aborted ? `aborted: ${aborted.reason}` : null),
    onProgress:
      bar || watch
        ? (p) => {
            bar?.update(Math.min(100, Math.floor((p.clock / total) * 100)), { simTime: `${Math.round(p.clock / 1000)} s`, events: p.events.toLocaleString('en-US') });
            if (watch && handle && !aborted) {
              aborted = watch.observe(handle.snapshot());
              if (aborted) handle.stop();
            }
          }
        : undefined,
  });
  bar?.update(100);
  bar?.stop();
  if (aborted && values.quiet) process.stderr.write(`impp-sim: run aborted at simulated ${(aborted.at / 1000).toFixed(1)} s: ${aborted.reason}\n`);
  if (!values.quiet) console.log(formatSummary(report));
  if (values.json) {
    writeJsonFile(values.json, report);
    if (!values.quiet) console.log(`\nreport written to ${values.json}`);
  }
  if (watch && watch.unwatched.length > 0 && !values.quiet) {
    console.log(`\nnot watched while running (judged on the final report only): ${watch.unwatched.map((t) => t.text).join('; ')}`);
  }
  const status = finishRun(report, scenario, positionals[0], { threshold: values.threshold, html: values.html, md: values.md, quiet: values.quiet, analytic: !values['no-analytic'] });
  return aborted ? EXIT_THRESHOLD_FAILED : status;
}

function scenarios(): number {
  const list = listScenarios();
  let w = 0;
  for (const sc of list) w = Math.max(w, sc.name.length);
  for (const s of list) console.log(`${s.name.padEnd(w)}  ${s.description}`);
  return 0;
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { strict: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new SimError('SIM_ERR_CLI_USAGE', 'inspect needs exactly one FILE');
  try {
    const out = await inspectFile(positionals[0], { mode: values.strict ? 'strict' : 'lenient' });
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } catch (e) {
    if (isWireError(e)) {
      process.stderr.write(`impp-sim inspect: ${positionals[0]}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    case 'version':
    case '--version':
      console.log(version());
      return 0;
    case 'run':
      return run(rest);
    case 'scenarios':
      return scenarios();
    case 'inspect':
      return inspect(rest);
    case 'compare':
      return compareCommand(rest);
    case 'sweep':
      return sweepCommand(rest);
    case 'size':
      return sizeCommand(rest);
    case 'worker':
      return workerCommand(rest);
    case 'point':
      return pointCommand(rest);
    case 'live':
      return liveCommand(rest);
    case 'calibrate':
      return calibrateCommand(rest);
    default:
      process.stderr.write(`impp-sim: unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}

/**
 * Ends the process once stdout and stderr have handed everything to the OS: process.exit with
 * output still queued for a pipe (`impp-sim ... | cat`) would cut it off.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`impp-sim: ${msg}\n`);
    const usage = isSimError(e) || (e as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') === true || (e as { code?: string })?.code === 'ENOENT';
    exitWhenFlushed(usage ? 2 : 1);
  },
);
