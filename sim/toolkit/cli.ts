/**
 * The toolkit's commands and options for sim/cli.ts: `sweep`, `size`, and for `run` the
 * thresholds (`--threshold`, the scenario's `x-thresholds`), the analytic cross-check and the
 * `--html` / `--md` reports. Exit status 3 = a threshold or target failed.
 */
import { SATURATION_TARGETS } from './saturation.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { SimError } from '../errors.js';
import type { Report } from '../run.js';
import { durationOverride, listScenarios, loadScenario, parseDuration, parseScenarioDocument, type Scenario } from '../scenario/index.js';
import { analyticModel, crossCheck, formatCrossCheck, simulatedChecks } from './analytic.js';
import { runDocument, sizeDocument, sweepDocument, toHtml, toMarkdown, type Doc } from './document.js';
import { probeThresholdPaths } from './probe.js';
import { parseParam } from './ranges.js';
import { writeJsonFile } from './json-file.js';
import { checkOutputs } from './outputs.js';
import { formatSize, runSize } from './size.js';
import { defaultParallel, type SweepResult } from './sweep.js';
import { DISTRIBUTED_SWEEP_USAGE, distributedSweep, joinExportWords, SWEEP_DISTRIBUTION_OPTIONS } from './sweep-distribution.js';
import { QueueExecutor } from './queue/executor.js';
import { queueAddressFrom } from './queue/url.js';
import { evaluateThresholds, formatThresholdNumber as num, formatThresholds, parseThreshold } from './thresholds.js';

export const EXIT_THRESHOLD_FAILED = 3;

/** Options that the toolkit adds to `run` (for the CLI's help). */
export const TOOLKIT_RUN_USAGE = `      --threshold EXPR       fail (exit 3) unless it holds, e.g. 'latency.notification.p99 < 500ms',
                             'domains.*.utilisation < 0.7', 'im.failed / im.sent < 0.001' (repeatable;
                             a scenario file's x-thresholds list is judged too)
      --abort-after WINDOW   stop the run (exit 3) as soon as a threshold fails over the last WINDOW
                             of simulated time, e.g. --abort-after 5min (live figures; the report
                             then covers the time run and says why it stopped)
      --html FILE            write a self-contained HTML report (charts inline, opens offline)
      --md FILE              write the same report as Markdown
      --no-analytic          do not print the analytic cross-check (closed-form estimates)
`;

/** The toolkit's commands (for the CLI's help). */
export const TOOLKIT_USAGE = `  sweep <scenario> --param path=values [options]
                             run a grid of points, each --replications times, in parallel
      --param path=values    values: a list (1,2,4 or 2/h,10/h), FROM..TO:lin:N, FROM..TO:log:N or
                             FROM..TO:step:S; paths as for --set, plus users (total), servers.count,
                             servers.cores (every domain) and domains[*].field (repeatable; grid)
      --points               take the i-th values of every --param together (a list of points)
      --replications R       runs per point, independent seeds [3]
      --parallel P           worker threads [cores]
      --seed S, --duration D, --warmup D, --set path=value   as for run
      --threshold EXPR       judged per point on the replication means (repeatable)
      --abort-after WINDOW   stop a replication once a threshold fails over WINDOW of simulated
                             time; its point fails (saves the time of overloaded points)
      --analytic             add the analytic cross-check per point
      --json FILE, --csv FILE, --html FILE, --md FILE   write the sweep
${DISTRIBUTED_SWEEP_USAGE}  size <scenario> --target EXPR --vary servers.count|servers.cores|PATH [options]
                             smallest capacity meeting every target (doubling, then bisection,
                             then per domain)
      --target EXPR          a threshold that must hold (repeatable; none: the saturation rule,
                             maxUtilisation < 0.7 and latency.notification.p99 < 5s)
      --replications R [3], --parallel P, --seed S, --duration D, --warmup D, --set path=value
      --min N, --max N       values tried [1, 1024]
      --no-per-domain        keep one value for every domain
      --abort-after WINDOW   stop a probe's replication once a target fails over WINDOW
      --queue URL            run the probes' replications on queue workers [$IMPP_SIM_QUEUE]
      --json FILE, --html FILE, --md FILE   write the sizing report
`;

const usage = (msg: string) => new SimError('SIM_ERR_CLI_USAGE', msg);

/** Options of every command that runs a scenario (run, sweep, size); see scenarioOverrides. */
export const SCENARIO_OPTIONS = {
  seed: { type: 'string' },
  duration: { type: 'string' },
  set: { type: 'string', multiple: true },
  warmup: { type: 'string' },
} as const;

/**
 * The scenario overrides of --set, --duration and --warmup, in that order: --duration D is
 * `--set duration=D`, so the scenario's own limit on the field (and warmup < duration) is checked
 * where every duration enters, for the CLI and the server alike.
 */
export function scenarioOverrides(values: { set?: string[]; warmup?: string; duration?: string }): string[] {
  return [
    ...(values.set ?? []),
    ...(values.duration !== undefined ? [durationOverride(values.duration)] : []),
    ...(values.warmup !== undefined ? [`warmup=${values.warmup}`] : []),
  ];
}

/** --seed: a whole number that a double holds exactly (|S| <= 2^53 - 1); anything else is refused, not rounded. */
export function seedOpt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*-?\d+\s*$/.test(v) || !Number.isSafeInteger(n)) {
    throw usage(`--seed must be a whole number from -(2^53-1) to 2^53-1 (${Number.MAX_SAFE_INTEGER}), got '${v}'${/^\s*-?\d+\s*$/.test(v) ? ' (too large to hold exactly)' : ''}`);
  }
  return n;
}

/** The scenario file behind a name or path (for sidecar keys). */
function scenarioFile(nameOrPath: string): string | null {
  const looksLikePath = /[\\/]/.test(nameOrPath) || ['.yaml', '.yml', '.json'].includes(extname(nameOrPath).toLowerCase());
  if (looksLikePath) return existsSync(nameOrPath) ? nameOrPath : null;
  return listScenarios().find((s) => s.name === nameOrPath)?.file ?? null;
}

/** `x-thresholds: [ 'latency.notification.p99 < 500ms', ... ]` of a scenario file (the loader ignores x- keys). */
export function scenarioThresholds(nameOrPath: string): string[] {
  const file = scenarioFile(nameOrPath);
  if (file === null) return [];
  const raw = parseScenarioDocument(readFileSync(file, 'utf8'), file) as Record<string, unknown> | null;
  const t = raw && typeof raw === 'object' ? raw['x-thresholds'] : undefined;
  if (t === undefined || t === null) return [];
  if (!Array.isArray(t) || t.some((x) => typeof x !== 'string')) throw usage(`${file}: x-thresholds must be a list of expressions such as 'latency.notification.p99 < 500ms'`);
  for (const x of t as string[]) parseThreshold(x);
  return t as string[];
}

function writeDoc(doc: Doc, html: string | undefined, md: string | undefined, quiet: boolean): void {
  if (html) {
    writeFileSync(html, toHtml(doc));
    if (!quiet) console.log(`HTML report written to ${html}`);
  }
  if (md) {
    writeFileSync(md, toMarkdown(doc));
    if (!quiet) console.log(`Markdown report written to ${md}`);
  }
}

/** After a `run`: thresholds, analytic cross-check, HTML/Markdown. Returns the exit status. */
export function finishRun(
  report: Report,
  scenario: Scenario,
  nameOrPath: string,
  opts: { threshold?: string[]; html?: string; md?: string; quiet?: boolean; analytic?: boolean },
): number {
  const texts = [...scenarioThresholds(nameOrPath), ...(opts.threshold ?? [])];
  const outcomes = evaluateThresholds(texts.map(parseThreshold), report);
  let rows;
  if (opts.analytic !== false) rows = crossCheck(
      analyticModel(scenario, { seed: report.seed, duration: (report.parameters.warmup ?? 0) + report.parameters.duration, from: report.parameters.warmup ?? 0 }),
      [simulatedChecks(report)],
    );
  if (!opts.quiet) {
    if (rows) console.log(`\n${formatCrossCheck(rows)}`);
    if (outcomes.length > 0) console.log(`\n${formatThresholds(outcomes)}`);
  } else if (outcomes.some((o) => !o.passed)) process.stderr.write(`${formatThresholds(outcomes.filter((o) => !o.passed))}\n`);
  writeDoc(runDocument(report, { thresholds: outcomes, crossCheck: rows, description: scenario.description }), opts.html, opts.md, opts.quiet === true);
  return outcomes.every((o) => o.passed) ? 0 : EXIT_THRESHOLD_FAILED;
}

function intOpt(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max || v.trim() === '') throw usage(`--${name} must be an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

export function durationOpt(v: string | undefined, name = '--duration'): number | undefined {
  if (v === undefined) return undefined;
  let d: number;
  try {
    d = parseDuration(v, name);
  } catch (e) {
    throw usage((e as Error).message.replace(/^SIM_ERR_\w+: /, ''));
  }
  if (!(d > 0)) throw usage(`${name} must be > 0, got '${v}'`);
  return d;
}

function progressBar(label: string): cliProgress.SingleBar | null {
  if (process.stderr.isTTY !== true) return null;
  return new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} runs | {workers} worker(s) | {eta_formatted} left`, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * CSV of a sweep: one row per point, parameters then mean and ci95 of every figure (a figure that
 * is also a swept parameter, such as `users`, appears once, as the parameter). With one
 * replication there is no interval: ci95 reads `n/a`.
 */
export function sweepCsv(s: SweepResult): string {
  const keys = s.params.map((p) => p.path);
  const figures = s.figures.filter((f) => !keys.includes(f));
  const ci = (x: number) => (s.replications > 1 ? String(x) : 'n/a');
  const head = [...keys, ...figures.flatMap((f) => [f, `${f}.ci95`]), ...(s.thresholds.length ? ['thresholds'] : [])];
  const rows = s.points.map((p) => [
    ...keys.map((k) => String(p.point[k])),
    ...figures.flatMap((f) => [String(p.mean[f]), ci(p.ci95[f])]),
    ...(s.thresholds.length ? [p.thresholds.every((o) => o.passed) ? 'pass' : 'fail'] : []),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function formatSweep(s: SweepResult): string {
  const keys = s.params.map((p) => p.path);
  const figs = ['notificationsPerSec', 'imPerSec', 'latency.notification.p99', 'latency.im.p99', 'maxUtilisation', 'crossDomainBytesPerSec'];
  const cell = (p: SweepResult['points'][number], f: string) => (s.replications > 1 ? `${num(p.mean[f])} ±${num(p.ci95[f])}` : num(p.mean[f]));
  const head = [...keys, ...figs, ...(s.thresholds.length ? ['thresholds'] : [])];
  const rows = s.points.map((p) => [...keys.map((k) => String(p.point[k])), ...figs.map((f) => cell(p, f)), ...(s.thresholds.length ? [p.thresholds.every((o) => o.passed) ? 'pass' : 'FAIL'] : [])]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((c, i) => c.padStart(w[i])).join('  ')}`;
  const L = [`sweep ${s.scenario}: ${s.points.length} point(s) x ${s.replications} replication(s) (mean ± 95% CI half-width), ${(s.wallMs / 1000).toFixed(1)} s`, line(head), ...rows.map(line)];
  for (const p of s.points) {
    const failed = p.thresholds.filter((o) => !o.passed);
    if (failed.length > 0) L.push(`  FAIL at ${Object.entries(p.point).map(([k, v]) => `${k}=${v}`).join(' ')}:\n${formatThresholds(failed).split('\n').slice(1).map((x) => `  ${x}`).join('\n')}`);
  }
  return L.join('\n');
}

export async function sweepCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinExportWords(args),
    strict: true,
    allowPositionals: true,
    options: {
      param: { type: 'string', multiple: true },
      points: { type: 'boolean' },
      replications: { type: 'string' },
      parallel: { type: 'string' },
      ...SCENARIO_OPTIONS,
      threshold: { type: 'string', multiple: true },
      'abort-after': { type: 'string' },
      analytic: { type: 'boolean' },
      json: { type: 'string' },
      csv: { type: 'string' },
      html: { type: 'string' },
      md: { type: 'string' },
      quiet: { type: 'boolean' },
      ...SWEEP_DISTRIBUTION_OPTIONS,
    },
  });
  const parallel = intOpt('parallel', values.parallel, defaultParallel(), 1, 256);
  checkOutputs({ '--json': values.json, '--csv': values.csv, '--html': values.html, '--md': values.md });
  const bar = values.quiet ? null : progressBar('sweep');
  let started = false;
  const onProgress = bar
    ? (done: number, total: number, workers: number) => {
        if (!started) {
          bar.start(total, done, { workers });
          started = true;
        }
        bar.update(done, { workers });
      }
    : undefined;
  const dist = distributedSweep(values, { parallel, onProgress });
  let result: SweepResult;
  if (dist.standalone) {
    if (positionals.length > 0) throw usage(`${dist.standalone} takes no scenario (the sweep's own is used), got '${positionals[0]}'`);
    const planned = (['param', 'points', 'replications', 'seed', 'duration', 'set', 'warmup', 'threshold', 'abort-after', 'analytic'] as const).filter((k) => values[k] !== undefined);
    if (planned.length > 0) throw usage(`${dist.standalone} runs the sweep as it was planned: --${planned[0]} cannot go with it`);
    result = await dist.run(null);
  } else {
    if (positionals.length !== 1) throw usage(`sweep needs exactly one scenario (a name or a file), got ${positionals.length}`);
    if (!values.param || values.param.length === 0) throw usage('sweep needs at least one --param path=values, e.g. --param users=1e3..1e5:log:5');
    const params = values.param.map(parseParam);
    const replications = intOpt('replications', values.replications, 3, 1, 1000);
    const seed = seedOpt(values.seed);
    const scenario = loadScenario(positionals[0], scenarioOverrides(values));
    const thresholds = [...scenarioThresholds(positionals[0]), ...(values.threshold ?? [])];
    await probeThresholdPaths(scenario, thresholds.map(parseThreshold));
    const abortAfter = durationOpt(values['abort-after'], '--abort-after');
    if (abortAfter !== undefined && thresholds.length === 0) throw usage('--abort-after needs at least one --threshold to watch');
    const options = { params, mode: values.points ? ('zip' as const) : ('grid' as const), replications, seed, thresholds, abortAfter, analytic: values.analytic === true };
    if (dist.exports) return dist.exports(scenario, options);
    result = await dist.run({ scenario, options });
  }
  bar?.stop();
  if (!values.quiet) console.log(formatSweep(result));
  if (values.json) writeJsonFile(values.json, result);
  if (values.csv) writeFileSync(values.csv, sweepCsv(result));
  writeDoc(sweepDocument(result), values.html, values.md, values.quiet === true);
  if (!values.quiet && (values.json || values.csv)) console.log(`sweep written to ${[values.json, values.csv].filter(Boolean).join(' and ')}`);
  return result.passed ? 0 : EXIT_THRESHOLD_FAILED;
}

export async function sizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      target: { type: 'string', multiple: true },
      vary: { type: 'string' },
      replications: { type: 'string' },
      parallel: { type: 'string' },
      ...SCENARIO_OPTIONS,
      min: { type: 'string' },
      max: { type: 'string' },
      'no-per-domain': { type: 'boolean' },
      'abort-after': { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      md: { type: 'string' },
      quiet: { type: 'boolean' },
      queue: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usage(`size needs exactly one scenario (a name or a file), got ${positionals.length}`);
  if (!values.vary) throw usage('size needs --vary servers.count or --vary servers.cores (or a full path such as domains[0].servers.count)');
  // no --target: the smallest capacity that does not saturate (the rule the dashboard uses)
  const targets = values.target?.length ? [...values.target] : [...SATURATION_TARGETS];
  const seed = seedOpt(values.seed);
  checkOutputs({ '--json': values.json, '--html': values.html, '--md': values.md });
  const scenario = loadScenario(positionals[0], scenarioOverrides(values));
  await probeThresholdPaths(scenario, targets.map(parseThreshold));
  const queue = queueAddressFrom(values.queue);
  const executor = queue === null ? undefined : new QueueExecutor(queue, (line) => process.stderr.write(`impp-sim size: ${line}\n`));
  const result = await runSize(scenario, {
    executor,
    vary: values.vary,
    targets,
    replications: intOpt('replications', values.replications, 3, 1, 1000),
    parallel: intOpt('parallel', values.parallel, defaultParallel(), 1, 256),
    seed,
    min: intOpt('min', values.min, 1, 1, 1_000_000),
    max: intOpt('max', values.max, 1024, 1, 1_000_000),
    perDomain: values['no-per-domain'] ? false : undefined,
    abortAfter: durationOpt(values['abort-after'], '--abort-after'),
    onProbe: values.quiet
      ? undefined
      : (p) => process.stderr.write(`  probe ${Object.entries(p.setting).map(([k, v]) => `${k}=${v}`).join(' ')}: ${p.passed ? 'pass' : 'fail'}\n`),
  }).finally(() => executor?.close());
  if (!values.quiet) console.log(formatSize(result));
  if (values.json) writeJsonFile(values.json, result);
  writeDoc(sizeDocument(result), values.html, values.md, values.quiet === true);
  return result.found ? 0 : EXIT_THRESHOLD_FAILED;
}
