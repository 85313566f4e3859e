/**
 * Sweep parameters: `path=v1,v2,...`, `path=FROM..TO:lin:N`, `path=FROM..TO:log:N` and
 * `path=FROM..TO:step:S`. Values are numbers (`1e3`, `5000`) or scenario values with units
 * (`2/h`, `20ms`, `5%`), which are resolved against the field's kind when a point is applied
 * (params.ts). Ranges need plain numbers at both ends.
 */
import { SimError } from '../errors.js';

export type ParamValue = number | string;

export interface SweepParam {
  path: string;
  values: ParamValue[];
}

const MAX_VALUES = 10_000;

function bad(spec: string, why: string): SimError {
  return new SimError('SIM_ERR_CLI_USAGE', `--param '${spec}': ${why}`);
}

/** A scalar as given: a finite number when it reads as one, else the trimmed text. */
export function scalar(text: string): ParamValue {
  const t = text.trim();
  if (t !== '' && /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Rounds a generated value so that log and linear steps print cleanly (12 significant digits). */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Expands a range `FROM..TO:MODE:N` into its values. */
export function expandRange(spec: string, body: string): number[] {
  const m = /^\s*([^.:]+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\.\.\s*([^:]+?)\s*(?::\s*(lin|log|step)\s*:\s*([^:]+))?\s*$/.exec(body);
  if (!m) throw bad(spec, `cannot read the range '${body}'; write FROM..TO:lin:N, FROM..TO:log:N or FROM..TO:step:S (e.g. 1e3..1e6:log:7)`);
  const from = scalar(m[1]);
  const to = scalar(m[2]);
  if (typeof from !== 'number' || typeof to !== 'number') throw bad(spec, `a range needs plain numbers at both ends, got '${m[1]}' and '${m[2]}'`);
  const mode = m[3] ?? 'lin';
  const arg = m[4] === undefined ? undefined : scalar(m[4]);
  if (mode === 'step') {
    if (typeof arg !== 'number' || !(arg > 0)) throw bad(spec, `the step must be a number > 0, got '${m[4]}'`);
    if (to < from) throw bad(spec, `FROM must not exceed TO with a step, got ${from}..${to}`);
    const n = Math.floor((to - from) / arg + 1e-9) + 1;
    if (n > MAX_VALUES) throw bad(spec, `the range has ${n} values; at most ${MAX_VALUES}`);
    return Array.from({ length: n }, (_, i) => tidy(from + i * arg));
  }
  const n = arg === undefined ? 2 : arg;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_VALUES) {
    throw bad(spec, `the number of values must be a whole number from 1 to ${MAX_VALUES}, got '${m[4]}'`);
  }
  if (n === 1) return [from];
  if (mode === 'log') {
    if (!(from > 0) || !(to > 0)) throw bad(spec, `a logarithmic range needs both ends > 0, got ${from}..${to}`);
    const a = Math.log(from);
    const b = Math.log(to);
    return Array.from({ length: n }, (_, i) => (i === 0 ? from : i === n - 1 ? to : tidy(Math.exp(a + ((b - a) * i) / (n - 1)))));
  }
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? to : tidy(from + ((to - from) * i) / (n - 1))));
}

/** Splits a value list at commas that are not inside `{...}` or `[...]`. */
function splitList(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses one `--param path=values` argument. */
export function parseParam(spec: string): SweepParam {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw bad(spec, 'expected path=values, e.g. users=1e3..1e5:log:5 or servers.count=1,2,4');
  const path = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (path === '' || /\s/.test(path)) throw bad(spec, `bad path '${path}'`);
  if (body === '') throw bad(spec, 'no values');
  let values: ParamValue[];
  if (/^[^,{[]*\.\.[^,]*$/.test(body) && !/^[a-z]/i.test(body)) values = expandRange(spec, body);
  else {
    values = splitList(body).map((v) => scalar(v));
    if (values.some((v) => v === '')) throw bad(spec, 'an empty value in the list');
  }
  if (values.length > MAX_VALUES) throw bad(spec, `${values.length} values; at most ${MAX_VALUES}`);
  return { path, values };
}

/**
 * The points of a sweep: the cartesian product of the parameters (`grid`, the first parameter
 * varying slowest) or, with `zip`, the i-th values of every parameter together (a list of points;
 * every parameter must then have the same number of values).
 */
export function sweepPoints(params: readonly SweepParam[], mode: 'grid' | 'zip' = 'grid'): Record<string, ParamValue>[] {
  if (params.length === 0) return [{}];
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.path)) throw new SimError('SIM_ERR_CLI_USAGE', `--param ${p.path} is given twice`);
    seen.add(p.path);
    if (p.values.length === 0) throw new SimError('SIM_ERR_CLI_USAGE', `--param ${p.path} has no values`);
  }
  if (mode === 'zip') {
    const n = params[0].values.length;
    const off = params.find((p) => p.values.length !== n);
    if (off) throw new SimError('SIM_ERR_CLI_USAGE', `a list of points needs the same number of values per parameter: ${params[0].path} has ${n}, ${off.path} has ${off.values.length}`);
    return Array.from({ length: n }, (_, i) => Object.fromEntries(params.map((p) => [p.path, p.values[i]])));
  }
  let points: Record<string, ParamValue>[] = [{}];
  for (const p of params) {
    const next: Record<string, ParamValue>[] = [];
    for (const pt of points) for (const v of p.values) next.push({ ...pt, [p.path]: v });
    points = next;
    if (points.length > MAX_VALUES) throw new SimError('SIM_ERR_CLI_USAGE', `the sweep has more than ${MAX_VALUES} points`);
  }
  return points;
}
