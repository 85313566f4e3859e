/**
 * `impp-sim compare <scenario>` without --with: runs the scenario with every domain on each
 * protocol binding in turn (cpim, sip, xmpp), the same seed and population, and prints the wire
 * messages and bytes of each side by side: in all, per second, per subscription lifecycle phase,
 * and per kind. XMPP has no pollers, fetchers or visibility classes: when the scenario has them,
 * every column runs with all watchers subscribing and seeing every tuple (said in the output), so
 * that the columns differ by the binding only.
 */
import { writeFileSync } from 'node:fs';
import { PHASES, PROTOCOLS } from './model/bindings/kinds.js';
import type { ProtocolReport } from './model/bindings/report.js';
import { runScenario, type Report } from './run.js';
import { loadScenario } from './scenario/index.js';

const num = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export function bindingsTable(cols: { label: string; b: ProtocolReport }[]): string {
  const rows: [string, (b: ProtocolReport) => number][] = [
    ['messages', (b) => b.messages],
    ['bytes', (b) => b.bytes],
    ['messages per second', (b) => b.perSecond.messages],
    ['bytes per second', (b) => b.perSecond.bytes],
    ...PHASES.map((ph): [string, (b: ProtocolReport) => number] => [`lifecycle: ${ph}`, (b) => b.lifecycle[ph]]),
  ];
  const cells: string[][] = rows.map(([name, f]) => [name, ...cols.map((c) => num(f(c.b)))]);
  // each binding's kinds in its own column, the largest first
  const kinds = cols.map((c) => Object.entries(c.b.kinds).sort((x, y) => y[1].messages - x[1].messages));
  const depth = Math.max(...kinds.map((k) => k.length));
  for (let i = 0; i < depth; i++) cells.push([i === 0 ? 'by kind (messages)' : '', ...kinds.map((k) => (k[i] ? `${k[i][0]} ${num(k[i][1].messages)}` : ''))]);
  const header = ['', ...cols.map((c) => c.label)];
  const widths = header.map((_, j) => Math.max(header[j].length, ...cells.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

export async function compareBindings(name: string, common: string[], workers: number, json: string | undefined): Promise<number> {
  const base = loadScenario(name, common);
  const over = [...common];
  const p = base.population;
  const adjusted = p.watchers.poller > 0 || p.watchers.fetcher > 0 || p.visibility.firstTupleOnly > 0;
  if (adjusted) over.push('population.watchers={ subscriber: 1 }', 'population.visibility={ full: 1 }');
  const cols: { label: string; b: ProtocolReport; report: Report }[] = [];
  for (const protocol of PROTOCOLS) {
    const sc = loadScenario(name, [...over, ...base.domains.map((_, i) => `domains[${i}].protocol=${protocol}`)]);
    process.stderr.write(`running ${protocol} ...\n`);
    const report = await runScenario(sc, { workers, countCpim: true });
    cols.push({ label: protocol, b: report.bindings![protocol]!, report });
  }
  const r0 = cols[0].report;
  console.log(`${base.name}, seed ${r0.seed}, ${r0.parameters.duration / 60_000} min, every domain on each binding${adjusted ? '; every watcher subscribes and sees every tuple (XMPP has no pollers, fetchers or visibility classes)' : ''}\n`);
  console.log(bindingsTable(cols));
  if (json) writeFileSync(json, JSON.stringify({ scenario: base.name, columns: cols.map((c) => ({ label: c.label, report: c.report })) }, null, 2) + '\n');
  return 0;
}
