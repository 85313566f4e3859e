/**
 * Applies sweep and sizing parameters to a loaded (resolved) scenario. A parameter path is
 * written as for `--set` (docs/scenarios.md): `behaviour.imRate`, `domains[0].users`,
 * `domains[alpha.example].servers.count`, `domains[0].serviceTimes.publish.mean`, plus:
 *
 * - `domains[*].<field>`: the field of every domain;
 * - a domain field without `domains` (`servers.count`, `servers.cores`, `serviceTimes.notify.mean`):
 *   the same as `domains[*].<field>`;
 * - `users`: the total number of users, spread over the domains in proportion to their sizes in the
 *   scenario (with one domain: that domain's users).
 *
 * Values with units (`2/h`, `20ms`, `5%`, `2KB`) are resolved by the field's kind from the scenario
 * schema; plain numbers are taken in the model's units (ms, per hour, bytes, fractions). Integer
 * fields are rounded (so `users=1e3..1e6:log:7` gives whole users).
 */
import { SimError } from '../errors.js';
import { parseDuration, parseFraction, parseRate, parseSize, scenarioFieldDocs, type Scenario } from '../scenario/index.js';
import { parse as parseYaml } from 'yaml';
import type { ParamValue } from './ranges.js';

const DOMAIN_FIELDS = ['users', 'servers', 'serviceTimes', 'presence', 'im'];

let docKinds: Map<string, { unit: string; range: string }> | null = null;
function kinds(): Map<string, { unit: string; range: string }> {
  if (!docKinds) docKinds = new Map(scenarioFieldDocs().map((d) => [d.path, { unit: d.unit, range: d.range }]));
  return docKinds;
}

type Seg = { key: string } | { index: number } | { name: string } | { all: true };

function badParam(path: string, why: string): SimError {
  return new SimError('SIM_ERR_BAD_OVERRIDE', `parameter '${path}': ${why}`);
}

/** Normalises the shorthand forms to a full path (`users` stays special). */
export function canonicalParamPath(path: string): string {
  const p = path.trim();
  if (p === 'users') return p;
  const first = p.split(/[.[]/)[0];
  if (DOMAIN_FIELDS.includes(first)) return `domains[*].${p}`;
  return p;
}

function parsePath(path: string): Seg[] {
  const segs: Seg[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]*)\]|\./g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(path)) !== null) {
    if (m.index !== last) throw badParam(path, `cannot read the path at '${path.slice(last)}'`);
    last = re.lastIndex;
    if (m[1] !== undefined) segs.push({ key: m[1] });
    else if (m[2] !== undefined) {
      const inner = m[2].trim();
      if (inner === '*') segs.push({ all: true });
      else if (/^\d+$/.test(inner)) segs.push({ index: Number(inner) });
      else if (inner !== '') segs.push({ name: inner });
      else throw badParam(path, 'empty brackets');
    }
  }
  if (last !== path.length || segs.length === 0) throw badParam(path, `cannot read the path at '${path.slice(last)}'`);
  return segs;
}

/** The schema path of a concrete path: list items as `[]`. */
function schemaPath(segs: Seg[]): string {
  let s = '';
  for (const g of segs) {
    if ('key' in g) s += s === '' ? g.key : `.${g.key}`;
    else s += '[]';
  }
  return s;
}

function convert(path: string, schema: string, value: ParamValue): number | string | boolean {
  const k = kinds().get(schema);
  // fields of a distribution (mean, median, min, max, value) are durations; sigma and alpha plain
  const distField = /\.(mean|median|min|max|value)$/.test(schema) && kinds().get(schema.replace(/\.[a-z]+$/, ''))?.unit === 'duration distribution';
  const unit = distField ? 'duration' : k?.unit;
  if (unit === undefined) {
    const parentDist = kinds().get(schema.replace(/\.[a-zA-Z]+$/, ''))?.unit;
    if (parentDist === 'duration distribution' || parentDist === 'count distribution') {
      if (typeof value !== 'number') throw badParam(path, `expected a plain number, got '${value}'`);
      return value;
    }
    throw badParam(path, `the scenario has no field '${schema}' (see docs/scenarios.md)`);
  }
  try {
    switch (unit) {
      case 'duration':
        return typeof value === 'number' ? value : parseDuration(value, path);
      case 'rate per user':
        return typeof value === 'number' ? value : parseRate(value, path);
      case 'size':
        return typeof value === 'number' ? Math.round(value) : parseSize(value, path);
      case 'fraction':
        return typeof value === 'number' ? value : parseFraction(value, path);
      case 'integer': {
        if (typeof value !== 'number') throw badParam(path, `expected a number, got '${value}'`);
        const n = Math.round(value);
        const min = /^(\d[\d,]*)/.exec(k!.range);
        if (min && n < Number(min[1].replace(/,/g, ''))) throw badParam(path, `${n} is below the smallest allowed value (${k!.range})`);
        return n;
      }
      case 'number':
        if (typeof value !== 'number') throw badParam(path, `expected a number, got '${value}'`);
        return value;
      case 'true/false':
        if (value === 'true' || value === 1) return true;
        if (value === 'false' || value === 0) return false;
        throw badParam(path, `expected true or false, got '${value}'`);
      case 'text':
        return String(value);
      case 'duration distribution':
        return toDist(path, value) as unknown as number;
      default:
        throw badParam(path, `a ${unit} cannot be swept as one value; sweep one of its fields (e.g. ${schema}.mean)`);
    }
  } catch (e) {
    if (e instanceof SimError && e.code === 'SIM_ERR_BAD_OVERRIDE') throw e;
    throw badParam(path, (e as Error).message.replace(/^SIM_ERR_\w+: /, ''));
  }
}

/** A duration distribution from a duration (fixed) or a YAML flow mapping such as `{dist: exponential, mean: 2ms}`. */
function toDist(path: string, value: ParamValue): Record<string, number | string> {
  if (typeof value === 'number') return { dist: 'fixed', value };
  const v = value.trim();
  if (!v.startsWith('{')) return { dist: 'fixed', value: parseDuration(v, path) };
  let raw: unknown;
  try {
    raw = parseYaml(v);
  } catch (e) {
    throw badParam(path, `cannot read '${v}' as a YAML mapping: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badParam(path, `expected a mapping such as {dist: exponential, mean: 2ms}, got '${v}'`);
  const o = raw as Record<string, unknown>;
  const fields: Record<string, string[]> = { fixed: ['value'], exponential: ['mean'], lognormal: ['median', 'sigma'], uniform: ['min', 'max'] };
  const dist = String(o.dist);
  if (!(dist in fields)) throw badParam(path, `unknown distribution '${dist}' (fixed, exponential, lognormal, uniform)`);
  const out: Record<string, number | string> = { dist };
  for (const f of fields[dist]) {
    const x = o[f];
    if (x === undefined) throw badParam(path, `the ${dist} distribution needs '${f}'`);
    if (f === 'sigma') {
      if (typeof x !== 'number' || !(x >= 0)) throw badParam(path, `sigma must be a number >= 0, got '${String(x)}'`);
      out[f] = x;
    } else out[f] = typeof x === 'number' ? x : parseDuration(String(x), `${path}.${f}`);
  }
  const extra = Object.keys(o).filter((k) => k !== 'dist' && !fields[dist].includes(k));
  if (extra.length > 0) throw badParam(path, `the ${dist} distribution has no field '${extra[0]}'`);
  if (dist === 'uniform' && (out.min as number) > (out.max as number)) throw badParam(path, 'min must not exceed max');
  return out;
}

function setAt(root: unknown, segs: Seg[], i: number, path: string, value: ParamValue, done: { n: number }): void {
  const seg = segs[i];
  const lastSeg = i === segs.length - 1;
  if ('key' in seg) {
    if (typeof root !== 'object' || root === null || Array.isArray(root)) throw badParam(path, `'${seg.key}' is not inside a mapping`);
    const obj = root as Record<string, unknown>;
    if (lastSeg) {
      if (!(seg.key in obj)) {
        // a distribution field that the current distribution lacks (e.g. `mean` of a fixed one)
        if (typeof obj.dist === 'string') throw badParam(path, `the ${obj.dist} distribution has no field '${seg.key}' (it has ${Object.keys(obj).filter((k) => k !== 'dist').join(', ')})`);
        throw badParam(path, `the scenario has no field '${seg.key}' here`);
      }
      obj[seg.key] = convert(path, schemaPath(segs), value);
      done.n++;
      return;
    }
    if (!(seg.key in obj)) throw badParam(path, `the scenario has no field '${seg.key}' (valid: ${Object.keys(obj).join(', ')})`);
    setAt(obj[seg.key], segs, i + 1, path, value, done);
    return;
  }
  if (!Array.isArray(root)) throw badParam(path, 'brackets on something that is not a list');
  if (lastSeg) throw badParam(path, 'a path must end in a field name');
  let items: unknown[];
  if ('all' in seg) items = root;
  else if ('index' in seg) {
    if (seg.index >= root.length) throw badParam(path, `item ${seg.index} does not exist (the list has ${root.length})`);
    items = [root[seg.index]];
  } else {
    const hit = root.find((x) => (x as { name?: string })?.name === seg.name);
    if (!hit) throw badParam(path, `no item named '${seg.name}' (items: ${root.map((x) => (x as { name?: string }).name).join(', ')})`);
    items = [hit];
  }
  for (const it of items) setAt(it, segs, i + 1, path, value, done);
}

/** Spreads `total` users over the domains in proportion to their current sizes (largest remainder). */
function setTotalUsers(sc: Scenario, total: number): void {
  const n = Math.round(total);
  const D = sc.domains.length;
  if (!(n >= D)) throw badParam('users', `${total} users cannot be spread over ${D} domain(s) (at least one each)`);
  const before = sc.domains.reduce((a, d) => a + d.users, 0);
  const exact = sc.domains.map((d) => (n * d.users) / before);
  const base = exact.map((x) => Math.max(1, Math.floor(x)));
  let left = n - base.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % D, left--) base[order[k][1]]++;
  for (let k = D - 1; left < 0; k = (k + D - 1) % D) {
    const i = order[k][1];
    if (base[i] > 1) {
      base[i]--;
      left++;
    }
  }
  sc.domains.forEach((d, i) => (d.users = base[i]));
}

/** Whether a parameter's values are whole numbers in the scenario (users, counts, cores), so sweeps round them. */
export function isIntegerParam(path: string): boolean {
  const canon = canonicalParamPath(path);
  if (canon === 'users') return true;
  try {
    return kinds().get(schemaPath(parsePath(canon)))?.unit === 'integer';
  } catch {
    return false;
  }
}

/** A copy of the scenario with the point's parameters applied (in key order). */
export function applyPoint(scenario: Scenario, point: Record<string, ParamValue>): Scenario {
  const sc = structuredClone(scenario);
  for (const [path, value] of Object.entries(point)) {
    const canon = canonicalParamPath(path);
    if (canon === 'users') {
      if (typeof value !== 'number') throw badParam(path, `expected a number of users, got '${value}'`);
      setTotalUsers(sc, value);
      continue;
    }
    const segs = parsePath(canon);
    const done = { n: 0 };
    setAt(sc, segs, 0, path, value, done);
    if (done.n === 0) throw badParam(path, 'matched nothing');
  }
  return sc;
}

/** Checks that every parameter path applies to the scenario (with its first value). */
export function checkParams(scenario: Scenario, params: readonly { path: string; values: ParamValue[] }[]): void {
  for (const p of params) for (const v of p.values) applyPoint(scenario, { [p.path]: v });
}
