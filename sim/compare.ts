/**
 * `impp-sim compare <scenario> --with 'path=value[,path=value...]' [--with ...]`: runs the scenario
 * as it is (the baseline) and once per variant, with the same seed, and prints the messages and
 * bytes per boundary and the latency side by side, with each variant's change from the baseline.
 * Made for the saving options (federation.notifyMinInterval, federation.listSubscriptions,
 * federation.partialNotifications) but any field can vary.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SimError } from './errors.js';
import { runScenario, type Report } from './run.js';
import { loadScenario } from './scenario/index.js';
import { compareBindings } from './compare-bindings.js';

export const COMPARE_USAGE = `  compare <scenario> --with 'path=value[,path=value]' [--with ...] [options]
                             run the scenario and each variant with the same seed; print messages and
                             bytes per boundary and latency side by side (--set, --seed, --duration,
                             --workers, --json FILE as for run)
  compare <scenario> [options]
                             without --with: run it with every domain on each protocol binding (cpim,
                             sip, xmpp) and print their wire messages and bytes side by side
`;

interface Column {
  label: string;
  report: Report;
}

const pct = (x: number, base: number) => (base === 0 ? (x === 0 ? '' : ' (new)') : ` (${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)}%)`);
const num = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;

export function compareTable(cols: Column[]): string {
  const base = cols[0].report;
  const rows: [string, (r: Report) => number, (x: number) => string][] = [
    ['messages across boundaries', (r) => r.pairs.reduce((a, p) => a + p.total, 0), num],
    ['bytes across boundaries', (r) => r.pairs.reduce((a, p) => a + p.bytes, 0), num],
    ['notify messages across', (r) => r.pairs.reduce((a, p) => a + (p.messages.notify ?? 0) + (p.messages.listNotify ?? 0), 0), num],
    ['notifications delivered', (r) => r.presence.notifications.delivered, num],
    ['notification latency p50', (r) => r.latency.notification.p50, ms],
    ['notification latency p99', (r) => r.latency.notification.p99, ms],
    ['IM latency p99', (r) => r.latency.im.p99, ms],
    ['gateway messages (all domains)', (r) => Object.values(r.domains).reduce((a, d) => a + d.gateway.messages, 0), num],
  ];
  // pairs are sparse (only those that exchanged messages): every pair of any column, 0 where absent
  const seen = new Set<string>();
  for (const c of cols) {
    for (const p of c.report.pairs) {
      const key = `${p.from}\u0000${p.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pair = (r: Report) => r.pairs.find((q) => q.from === p.from && q.to === p.to);
      rows.push([`${p.from} -> ${p.to} messages`, (r) => pair(r)?.total ?? 0, num]);
      rows.push([`${p.from} -> ${p.to} bytes`, (r) => pair(r)?.bytes ?? 0, num]);
    }
  }
  const cells = rows.map(([name, f, fmt]) => [name, ...cols.map((c, i) => fmt(f(c.report)) + (i === 0 ? '' : pct(f(c.report), f(base))))]);
  const header = ['', ...cols.map((c) => c.label)];
  const widths = header.map((_, j) => Math.max(header[j].length, ...cells.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      with: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      duration: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new SimError('SIM_ERR_CLI_USAGE', `compare needs exactly one scenario, got ${positionals.length}`);
  const variants = values.with ?? [];
  const common = [...(values.set ?? [])];
  if (values.seed !== undefined) common.push(`seed=${values.seed}`);
  if (values.duration !== undefined) common.push(`duration=${values.duration}`);
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new SimError('SIM_ERR_CLI_USAGE', `--workers must be an integer between 1 and 256, got '${values.workers}'`);
  // without variants: the scenario under each protocol binding
  if (variants.length === 0) return compareBindings(positionals[0], common, workers, values.json);
  // load every variant first, so that a bad one fails before any run
  const specs = [{ label: 'baseline', over: common }, ...variants.map((v) => ({ label: v, over: [...common, ...v.split(',').map((x) => x.trim()).filter((x) => x !== '')] }))];
  const scenarios = specs.map((s) => loadScenario(positionals[0], s.over));
  const cols: Column[] = [];
  for (let i = 0; i < specs.length; i++) {
    process.stderr.write(`running ${specs[i].label} ...\n`);
    cols.push({ label: specs[i].label, report: await runScenario(scenarios[i], { workers }) });
  }
  const warm = cols[0].report.parameters.warmup ?? 0;
  console.log(
    `${scenarios[0].name}, seed ${cols[0].report.seed}, ${cols[0].report.parameters.duration / 60_000} min ${warm > 0 ? `measured after a ${warm / 60_000} min warm-up` : 'simulated'}\n`,
  );
  console.log(compareTable(cols));
  if (values.json) writeFileSync(values.json, JSON.stringify({ scenario: scenarios[0].name, columns: cols.map((c) => ({ label: c.label, report: c.report })) }, null, 2) + '\n');
  return 0;
}
