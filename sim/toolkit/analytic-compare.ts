/**
 * The analytic cross-check against a simulation: the simulated counterpart of each analytic row
 * from a report, the join of rows with one report or several replications (with a 95% CI), and
 * the table the terminal prints. The analytic rows themselves are analytic.ts'.
 */
import type { Report } from '../run.js';
import type { AnalyticModel, CrossCheckRow } from './analytic.js';
import { simulatedBindingChecks } from './analytic-bindings.js';
import { ci95, mean } from './stats.js';

/** The simulated counterparts of the analytic rows, from one report. */
export function simulatedChecks(r: Report): Record<string, number> {
  const secs = r.parameters.duration / 1000;
  const out: Record<string, number> = {
    'sessions.logins': r.sessions.logins,
    ...(r.sessions.deviceLogins === undefined ? {} : { 'sessions.deviceLogins': r.sessions.deviceLogins }),
    publishesPerSec: r.presence.publishes / secs,
    imPerSec: r.im.sent / secs,
    notificationsPerSec: r.presence.notifications.sent / secs,
  };
  // pairs are sparse: a pair without messages is absent, and crossCheck reads it as 0
  let im = 0;
  let nf = 0;
  for (const p of r.pairs) {
    out[`pairs[${p.from}->${p.to}].messages.message/s`] = (p.messages.message ?? 0) / secs;
    out[`pairs[${p.from}->${p.to}].messages.notify/s`] = (p.messages.notify ?? 0) / secs;
    im += p.messages.message ?? 0;
    nf += p.messages.notify ?? 0;
  }
  out['crossDomain.messages.message/s'] = im / secs;
  Object.assign(out, simulatedBindingChecks(r));
  out['crossDomain.messages.notify/s'] = nf / secs;
  for (const [name, d] of Object.entries(r.domains)) {
    out[`domains.${name}.utilisation`] = d.utilisation;
    let n = 0, w = 0;
    for (const o of Object.values(d.operations)) {
      n += o.count;
      w += o.count * o.meanWait;
    }
    out[`domains.${name}.meanWait`] = n > 0 ? w / n : 0;
  }
  return out;
}

/** Joins analytic rows with simulated values: one report, or several replications (then with a CI). */
export function crossCheck(model: AnalyticModel, sims: Record<string, number>[]): CrossCheckRow[] {
  return model.rows.map((row) => {
    const xs = sims.map((s) => s[row.figure] ?? 0);
    const sim = mean(xs);
    const relDiff = row.analytic === 0 ? (sim === 0 ? 0 : Infinity) : (sim - row.analytic) / row.analytic;
    const out: CrossCheckRow = { ...row, simulated: sim, relDiff };
    if (xs.length >= 2) {
      out.ci95 = ci95(xs);
      // a tolerance of 0.1% of the value absorbs the report's rounding when every replication agrees
      out.withinCi = Math.abs(sim - row.analytic) <= out.ci95 + 1e-3 * Math.abs(row.analytic);
    }
    return out;
  });
}

const num = (x: number) => (!Number.isFinite(x) ? String(x) : x === 0 ? '0' : Math.abs(x) >= 100 ? x.toFixed(1) : Number(x.toPrecision(4)).toString());

/**
 * The difference column: relative, unless the analytic value is tiny next to the simulated one
 * (a relative difference beyond 1,000% says nothing: a mean wait of 1 ms against an expected
 * 0.0000001 ms is "+1 ms", not "+300,000,000,000%"); then the absolute difference, in the
 * figure's own unit.
 */
export function formatDiff(r: Pick<CrossCheckRow, 'simulated' | 'analytic' | 'relDiff'>): string {
  if (Number.isFinite(r.relDiff) && Math.abs(r.relDiff) <= 10) return `${(r.relDiff * 100).toFixed(1)}%`;
  const d = r.simulated - r.analytic;
  if (!Number.isFinite(d)) return 'n/a';
  return `${d > 0 ? '+' : ''}${num(d)} abs`;
}

/** A table of the cross-check for the terminal. */
export function formatCrossCheck(rows: readonly CrossCheckRow[]): string {
  if (rows.length === 0) return '';
  let w = 6;
  for (const r of rows) w = Math.max(w, r.figure.length);
  const hasCi = rows.some((r) => r.ci95 !== undefined);
  const L = [`analytic cross-check${hasCi ? ' (simulated: mean of replications ± 95% CI)' : ''}`];
  L.push(`  ${'figure'.padEnd(w)}  ${'simulated'.padStart(hasCi ? 20 : 11)}  ${'analytic'.padStart(11)}  ${'diff'.padStart(10)}  kind`);
  for (const r of rows) {
    const sim = hasCi && r.ci95 !== undefined ? `${num(r.simulated)} ± ${num(r.ci95)}` : num(r.simulated);
    const diff = formatDiff(r);
    const kind = r.exact ? 'exact' : 'approx';
    const ci = r.withinCi === undefined ? '' : r.withinCi ? '  within CI' : '  outside CI';
    L.push(`  ${r.figure.padEnd(w)}  ${sim.padStart(hasCi ? 20 : 11)}  ${num(r.analytic).padStart(11)}  ${diff.padStart(10)}  ${kind}${ci}`);
  }
  return L.join('\n');
}


