/**
 * Capacity search (`impp-sim size`): the smallest capacity that meets every target.
 *
 * `vary` is `servers.count` or `servers.cores` (every domain gets the same value; the search is then
 * refined per domain, each domain's value bisected down while the others stay put), or a full path
 * such as `domains[beta.example].servers.count` (that one field only). Every probe runs R
 * replications and judges the targets on their means (thresholds.ts). The search doubles from
 * `min` until the targets hold, then bisects between the last failing and the first passing value;
 * it assumes that more capacity never makes a target fail.
 */
import { SimError } from '../errors.js';
import type { Report } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import { applyPoint, canonicalParamPath } from './params.js';
import type { RunExecutor } from './executor.js';
import { runSweep, type SweepPoint } from './sweep.js';
import { formatWithUnit, parseThreshold, type ThresholdOutcome } from './thresholds.js';

export interface SizeOptions {
  vary: string;
  targets: string[];
  replications?: number;
  parallel?: number;
  seed?: number;
  duration?: number;
  /** smallest and largest value tried [1, 1024] */
  min?: number;
  max?: number;
  /** refine per domain after the common value is found [true with several domains] */
  perDomain?: boolean;
  /** stop a probe's replication once a target fails over this much simulated time (ms) */
  abortAfter?: number;
  onProbe?: (probe: SizeProbe) => void;
  signal?: AbortSignal;
  /** where the probes' replications run [local threads] */
  executor?: RunExecutor;
}

export interface SizeProbe {
  setting: Record<string, number>;
  passed: boolean;
  outcomes: ThresholdOutcome[];
  mean: Record<string, number>;
  ci95: Record<string, number>;
  /** replications stopped early by a failing target (abortAfter) */
  aborted?: number;
}

export interface SizeResult {
  scenario: string;
  vary: string;
  targets: string[];
  replications: number;
  seed: number;
  duration: number;
  /** false when even `max` does not meet the targets */
  found: boolean;
  /** the common value (every domain) or the value of the one field */
  value: number | null;
  /** per-domain values after refinement (the answer), keyed by the parameter path */
  setting: Record<string, number>;
  probes: SizeProbe[];
  /** the final setting's figures and outcomes */
  final: SizeProbe | null;
  /** replication 0 of the final setting */
  report?: Report;
  wallMs: number;
}

export async function runSize(scenario: Scenario, opts: SizeOptions): Promise<SizeResult> {
  if (opts.targets.length === 0) throw new SimError('SIM_ERR_CLI_USAGE', 'size needs at least one --target, e.g. --target "latency.notification.p99 < 500ms"');
  for (const t of opts.targets) parseThreshold(t);
  const min = opts.min ?? 1;
  const max = opts.max ?? 1024;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) throw new SimError('SIM_ERR_BAD_OPTION', `--min and --max must be integers with 1 <= min <= max, got ${min} and ${max}`);
  const canon = canonicalParamPath(opts.vary);
  if (!/(servers\.(count|cores)|users)$/.test(canon) && !/\.(count|cores|queueLimit)$/.test(canon)) {
    throw new SimError('SIM_ERR_CLI_USAGE', `--vary '${opts.vary}': vary servers.count, servers.cores, or a full path to one domain's servers.count or servers.cores`);
  }
  applyPoint(scenario, { [opts.vary]: min }); // the path must apply
  const wildcard = canon.startsWith('domains[*].');
  const R = opts.replications ?? 3;
  const seed = opts.seed ?? scenario.seed;
  const duration = opts.duration ?? scenario.duration;
  const t0 = performance.now();
  const probes: SizeProbe[] = [];
  const cache = new Map<string, { probe: SizeProbe; point: SweepPoint }>();

  const probe = async (setting: Record<string, number>) => {
    const key = JSON.stringify(setting);
    const hit = cache.get(key);
    if (hit) return hit;
    const sc = applyPoint(scenario, setting);
    const r = await runSweep(sc, { params: [], replications: R, parallel: opts.parallel, seed, duration, thresholds: opts.targets, keepReports: true, abortAfter: opts.abortAfter, signal: opts.signal, executor: opts.executor });
    const pt = r.points[0];
    const p: SizeProbe = { setting, passed: pt.thresholds.every((o) => o.passed), outcomes: pt.thresholds, mean: pt.mean, ci95: pt.ci95, ...(pt.aborted ? { aborted: pt.aborted.length } : {}) };
    probes.push(p);
    opts.onProbe?.(p);
    const out = { probe: p, point: pt };
    cache.set(key, out);
    return out;
  };

  /** Smallest value in [lo, hi] passing, given `passes(hi)`; lo - 1 is known to fail (or lo = min). */
  const search = async (make: (k: number) => Record<string, number>, from: number, limit: number): Promise<number | null> => {
    let lo = from;
    let hi = from;
    // doubling
    for (;;) {
      if ((await probe(make(hi))).probe.passed) break;
      lo = hi + 1;
      if (hi >= limit) return null;
      hi = Math.min(limit, hi * 2);
    }
    // bisection on [lo, hi]: hi passes
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await probe(make(mid))).probe.passed) hi = mid;
      else lo = mid + 1;
    }
    return hi;
  };

  const value = await search((k) => ({ [opts.vary]: k }), min, max);
  let setting: Record<string, number> = value === null ? {} : { [opts.vary]: value };
  if (value !== null && wildcard && scenario.domains.length > 1 && opts.perDomain !== false) {
    const field = canon.slice('domains[*].'.length);
    const per: Record<string, number> = {};
    for (const d of scenario.domains) per[`domains[${d.name}].${field}`] = value;
    for (const d of scenario.domains) {
      const key = `domains[${d.name}].${field}`;
      // bisection of this domain's value on [min, value]: value passes with the others as they are
      let lo = min;
      let hi = per[key];
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if ((await probe({ ...per, [key]: mid })).probe.passed) hi = mid;
        else lo = mid + 1;
      }
      per[key] = hi;
    }
    setting = per;
  }
  const final = value === null ? null : await probe(setting);
  return {
    scenario: scenario.name,
    vary: opts.vary,
    targets: opts.targets,
    replications: R,
    seed,
    duration,
    found: value !== null,
    value,
    setting,
    probes,
    final: final?.probe ?? null,
    report: final?.point.report,
    wallMs: Math.round(performance.now() - t0),
  };
}

/** What the answer means in cores: per domain servers x cores each, and the total. */
export function coresLine(report: Report | undefined): string | null {
  if (report === undefined) return null;
  const doms = Object.entries(report.domains);
  let total = 0;
  const parts = doms.map(([name, d]) => {
    total += d.servers * d.cores;
    return `${name} ${d.servers} server${d.servers === 1 ? '' : 's'} x ${d.cores} core${d.cores === 1 ? '' : 's'}`;
  });
  return `that is ${total} core${total === 1 ? '' : 's'} in total (${parts.join(', ')})`;
}

/** The sizing answer for the terminal. */
export function formatSize(r: SizeResult): string {
  const L: string[] = [];
  L.push(`size ${r.scenario}: vary ${r.vary}, ${r.replications} replication(s) per probe, ${r.probes.length} probe(s), ${(r.wallMs / 1000).toFixed(1)} s`);
  L.push(`targets: ${r.targets.join('; ')}`);
  if (!r.found) {
    L.push(`NOT FOUND: even ${r.vary}=${r.probes.at(-1)?.setting[r.vary]} does not meet every target`);
  } else {
    L.push(`answer: ${r.vary} = ${r.value} for every domain${Object.keys(r.setting).length > 1 ? '; refined per domain:' : ''}`);
    if (Object.keys(r.setting).length > 1) for (const [k, v] of Object.entries(r.setting)) L.push(`  ${k} = ${v}`);
    const cores = coresLine(r.report);
    if (cores !== null) L.push(cores);
  }
  L.push('probes:');
  for (const p of r.probes) {
    const s = Object.entries(p.setting).map(([k, v]) => `${k}=${v}`).join(' ');
    const why = p.outcomes.filter((o) => !o.passed).map((o) => `${o.threshold} (${o.worst?.binding ? `${o.worst.binding}: ` : ''}${o.worst ? formatWithUnit(o.worst.left, o.threshold) : 'n/a'})`).join(', ');
    L.push(`  ${p.passed ? 'pass' : 'FAIL'}  ${s}${why ? `  failed: ${why}` : ''}${p.aborted ? ` (${p.aborted} replication(s) stopped early)` : ''}`);
  }
  return L.join('\n');
}
