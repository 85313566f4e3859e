/**
 * The per-field pass of validation: walks the schema table and the raw document side by side,
 * resolving units and defaults and collecting every problem with its path.
 */
import { EXTENSION_PREFIX, MAX_ALPHA, MAX_SIGMA, fraction, rate } from './fields-common.js';
import { formatCount, hasOwn, isPlainObject, joinPath, quoteList, suggest } from './wording.js';
import { type CountDistNode, type DefaultContext, type DistNode, type DurationNode, type Field, type MixNode, type ObjectNode, type ScenarioProblem, type SchemaNode } from './schema-nodes.js';
import { type Dist } from './types.js';
import { type UnitResult, describeValue, formatDuration, formatRate, formatSize, tryParseDuration, tryParseFraction, tryParseRate, tryParseSize } from './units.js';

const BAD: unique symbol = Symbol('invalid');
type Out = unknown; // a resolved value or BAD

export interface VCtx extends DefaultContext {
  errors: ScenarioProblem[];
}

/** Suggestions cost an edit distance per candidate: stop offering them once a file is hopeless. */
const SUGGESTION_BUDGET = 200;
export function hint(ctx: VCtx, word: string, candidates: readonly string[]): string | undefined {
  return ctx.errors.length < SUGGESTION_BUDGET ? suggest(word, candidates) : undefined;
}

export function problem(ctx: VCtx, path: string, message: string): typeof BAD {
  ctx.errors.push({ path, message });
  return BAD;
}

export function unit(ctx: VCtx, path: string, r: UnitResult): number | typeof BAD {
  return r.ok ? r.value : problem(ctx, path, r.message);
}

function rangeCheck(
  ctx: VCtx,
  path: string,
  value: number,
  given: unknown,
  min: number,
  max: number,
  minExclusive: boolean,
  show: (x: number) => string,
  what: string,
): number | typeof BAD {
  if (minExclusive ? value <= min : value < min) {
    return problem(ctx, path, `${what} must be ${minExclusive ? 'greater than' : 'at least'} ${show(min)}, got ${describeValue(given)}`);
  }
  if (value > max) return problem(ctx, path, `${what} must be at most ${show(max)}, got ${describeValue(given)}`);
  return value;
}

function validateInt(ctx: VCtx, path: string, raw: unknown, min: number, max: number): number | typeof BAD {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    return problem(ctx, path, `expected a whole number from ${formatCount(min)} to ${formatCount(max)}, got ${describeValue(raw)}`);
  }
  return raw;
}

function validateNumber(ctx: VCtx, path: string, raw: unknown, min: number, max: number, minExclusive = false): number | typeof BAD {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    return problem(ctx, path, `expected a number, got ${describeValue(raw)}`);
  }
  return rangeCheck(ctx, path, raw, raw, min, max, minExclusive, String, 'the value');
}

function validateDuration(ctx: VCtx, path: string, raw: unknown, node: Omit<DurationNode, 'kind'>): number | typeof BAD {
  const v = unit(ctx, path, tryParseDuration(raw));
  if (v === BAD) return BAD;
  return rangeCheck(ctx, path, v, raw, node.min, node.max, node.minExclusive ?? false, formatDuration, 'the duration');
}

const DIST_FIELDS: Record<string, readonly string[]> = {
  fixed: ['value'],
  exponential: ['mean'],
  lognormal: ['median', 'sigma'],
  uniform: ['min', 'max'],
};
const COUNT_DIST_FIELDS: Record<string, readonly string[]> = {
  fixed: ['value'],
  powerlaw: ['min', 'max', 'alpha'],
  uniform: ['min', 'max'],
};
/** Every field any distribution takes (for `--set a.b.mean=2ms`). */
export const DIST_KEYS = ['dist', 'value', 'mean', 'median', 'sigma', 'min', 'max'] as const;
export const COUNT_DIST_KEYS = ['dist', 'value', 'min', 'max', 'alpha'] as const;

/** Checks the `dist:` tag and the field set of a distribution object; returns the kind or BAD. */
function distShape(
  ctx: VCtx,
  path: string,
  raw: Record<string, unknown>,
  table: Record<string, readonly string[]>,
  article: string,
): string | typeof BAD {
  const kinds = Object.keys(table);
  if (!hasOwn(raw, 'dist')) {
    return problem(ctx, joinPath(path, 'dist'), `missing field 'dist': say which distribution (${quoteList(kinds)})`);
  }
  const kind = raw.dist;
  if (typeof kind !== 'string' || !hasOwn(table, kind)) {
    const s = typeof kind === 'string' ? hint(ctx, kind, kinds) : undefined;
    return problem(
      ctx,
      joinPath(path, 'dist'),
      `unknown ${article} distribution ${describeValue(kind)}; expected one of ${quoteList(kinds)}${s ? `; did you mean '${s}'?` : ''}`,
    );
  }
  const takes = table[kind]!;
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (key === 'dist' || takes.includes(key)) continue;
    const s = hint(ctx, key, takes);
    problem(ctx, joinPath(path, key), `unknown field '${key}' for ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} distribution (it takes ${quoteList(takes)})${s ? `; did you mean '${s}'?` : ''}`);
    ok = false;
  }
  for (const key of takes) {
    if (!hasOwn(raw, key)) {
      problem(ctx, joinPath(path, key), `missing field '${key}' of the ${kind} distribution`);
      ok = false;
    }
  }
  return ok ? kind : BAD;
}

function validateDist(ctx: VCtx, path: string, raw: unknown, node: DistNode): Dist | typeof BAD {
  const positive = node.positive;
  const dur = (p: string, v: unknown, min = 0, minExclusive = false): number | typeof BAD =>
    validateDuration(ctx, p, v, { min, max: node.max, minExclusive });
  const mustBePositive = (p: string, v: number | typeof BAD): number | typeof BAD =>
    v !== BAD && positive !== undefined && v <= 0 ? problem(ctx, p, `${positive}; got 0`) : v;

  if (typeof raw === 'number' || typeof raw === 'string') {
    const value = mustBePositive(path, dur(path, raw));
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  if (!isPlainObject(raw)) {
    return problem(
      ctx,
      path,
      `expected a duration like "2ms" or a distribution like {dist: exponential, mean: 2ms}, got ${describeValue(raw)}`,
    );
  }
  const kind = distShape(ctx, path, raw, DIST_FIELDS, 'duration');
  if (kind === BAD) return BAD;
  switch (kind) {
    case 'fixed': {
      const value = mustBePositive(joinPath(path, 'value'), dur(joinPath(path, 'value'), raw.value));
      return value === BAD ? BAD : { dist: 'fixed', value };
    }
    case 'exponential': {
      const mean = dur(joinPath(path, 'mean'), raw.mean, 0, true);
      return mean === BAD ? BAD : { dist: 'exponential', mean };
    }
    case 'lognormal': {
      const median = dur(joinPath(path, 'median'), raw.median, 0, true);
      const sigma = validateNumber(ctx, joinPath(path, 'sigma'), raw.sigma, 0, MAX_SIGMA);
      return median === BAD || sigma === BAD ? BAD : { dist: 'lognormal', median, sigma };
    }
    default: {
      const min = mustBePositive(joinPath(path, 'min'), dur(joinPath(path, 'min'), raw.min));
      const max = dur(joinPath(path, 'max'), raw.max);
      if (min === BAD || max === BAD) return BAD;
      if (min > max) return problem(ctx, joinPath(path, 'max'), `max (${formatDuration(max)}) must not be less than min (${formatDuration(min)})`);
      return { dist: 'uniform', min, max };
    }
  }
}

export type CountDistOut =
  | { dist: 'fixed'; value: number }
  | { dist: 'powerlaw'; min: number; max: number; alpha: number }
  | { dist: 'uniform'; min: number; max: number };

function validateCountDist(ctx: VCtx, path: string, raw: unknown, node: CountDistNode): CountDistOut | typeof BAD {
  if (typeof raw === 'number') {
    const value = validateInt(ctx, path, raw, 0, node.max);
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  if (!isPlainObject(raw)) {
    return problem(
      ctx,
      path,
      `expected a whole number or a distribution like {dist: powerlaw, min: 3, max: 200, alpha: 2.2}, got ${describeValue(raw)}`,
    );
  }
  const kind = distShape(ctx, path, raw, COUNT_DIST_FIELDS, 'count');
  if (kind === BAD) return BAD;
  if (kind === 'fixed') {
    const value = validateInt(ctx, joinPath(path, 'value'), raw.value, 0, node.max);
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  const min = validateInt(ctx, joinPath(path, 'min'), raw.min, kind === 'powerlaw' ? 1 : 0, node.max);
  const max = validateInt(ctx, joinPath(path, 'max'), raw.max, kind === 'powerlaw' ? 1 : 0, node.max);
  const alpha = kind === 'powerlaw' ? validateNumber(ctx, joinPath(path, 'alpha'), raw.alpha, 0, MAX_ALPHA, true) : 0;
  if (min === BAD || max === BAD || alpha === BAD) return BAD;
  if (min > max) return problem(ctx, joinPath(path, 'max'), `max (${max}) must not be less than min (${min})`);
  return kind === 'powerlaw' ? { dist: 'powerlaw', min, max, alpha } : { dist: 'uniform', min, max };
}

const SUM_TOLERANCE = 1e-6;

function validateMix(ctx: VCtx, path: string, raw: unknown, node: MixNode): Record<string, number> | typeof BAD {
  const names = node.keys.map((k) => k.name);
  if (!isPlainObject(raw)) {
    return problem(ctx, path, `expected a mapping of fractions (${quoteList(names)}) that sum to 1, got ${describeValue(raw)}`);
  }
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (names.includes(key)) continue;
    const s = hint(ctx, key, names);
    problem(ctx, joinPath(path, key), `unknown field '${key}' in ${path}${s ? `; did you mean '${s}'?` : ''} (fields: ${quoteList(names)})`);
    ok = false;
  }
  const out: Record<string, number> = {};
  let sum = 0;
  for (const name of names) {
    if (!hasOwn(raw, name)) {
      out[name] = 0;
      continue;
    }
    const v = unit(ctx, joinPath(path, name), tryParseFraction(raw[name]));
    if (v === BAD) ok = false;
    else {
      out[name] = v;
      sum += v;
    }
  }
  if (!ok) return BAD;
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    const terms = names.map((n) => `${n} ${out[n]}`).join(' + ');
    return problem(ctx, path, `the fractions must sum to 1, but ${terms} = ${Number(sum.toPrecision(12))}`);
  }
  return out;
}

export function defaultOf(field: Field, ctx: DefaultContext): unknown {
  return field.defaultFn ? field.defaultFn(ctx) : field.default;
}

/** Validates the fields of `raw` into `out` (only those that resolve); returns whether all did. */
export function validateFields(ctx: VCtx, path: string, raw: Record<string, unknown>, node: ObjectNode, out: Record<string, unknown>): boolean {
  const names = node.fields.map((f) => f.name);
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (names.includes(key)) continue;
    // top-level `x-...` keys are ignored: a place for YAML anchors (`x-server: &big {...}`)
    if (path === '' && key.startsWith(EXTENSION_PREFIX)) continue;
    const s = hint(ctx, key, names);
    const where = path === '' ? 'at the top level' : `in ${path}`;
    problem(ctx, joinPath(path, key), `unknown field '${key}' ${where}; ${s ? `did you mean '${s}'?` : `expected one of ${quoteList(names)}`}`);
    ok = false;
  }
  for (const field of node.fields) {
    const p = joinPath(path, field.name);
    let value: unknown;
    if (hasOwn(raw, field.name)) {
      const given = raw[field.name];
      if (given === null && field.node.kind !== 'nullable') {
        value = problem(ctx, p, `${field.name} is empty (null); give a value${field.required ? '' : ' or leave the field out for its default'}`);
      } else {
        value = validateNode(ctx, p, given, field.node);
      }
    } else if (field.required) {
      value = problem(ctx, p, `missing required field '${field.name}' (${field.description})`);
    } else {
      value = validateNode(ctx, p, defaultOf(field, ctx), field.node);
    }
    if (value === BAD) ok = false;
    else out[field.name] = value;
  }
  return ok;
}

function validateObject(ctx: VCtx, path: string, raw: unknown, node: ObjectNode): Record<string, unknown> | typeof BAD {
  if (!isPlainObject(raw)) {
    return problem(ctx, path, `expected a mapping with fields ${quoteList(node.fields.map((f) => f.name))}, got ${describeValue(raw)}`);
  }
  const out: Record<string, unknown> = {};
  return validateFields(ctx, path, raw, node, out) ? out : BAD;
}

function validateNode(ctx: VCtx, path: string, raw: unknown, node: SchemaNode): Out {
  switch (node.kind) {
    case 'string': {
      if (typeof raw !== 'string') return problem(ctx, path, `expected ${node.patternHint ?? 'a string'}, got ${describeValue(raw)}`);
      if (raw.length > node.maxLength) return problem(ctx, path, `expected at most ${node.maxLength} characters, got ${raw.length}`);
      if (node.pattern && !node.pattern.test(raw)) {
        const lower = raw.toLowerCase();
        const caseHint = lower !== raw && node.pattern.test(lower) ? ` (lower case: write "${lower}")` : '';
        return problem(ctx, path, `expected ${node.patternHint ?? `a string matching ${node.pattern}`}, got ${describeValue(raw)}${caseHint}`);
      }
      return raw;
    }
    case 'int':
      return validateInt(ctx, path, raw, node.min, node.max);
    case 'number':
      return validateNumber(ctx, path, raw, node.min, node.max, node.minExclusive);
    case 'bool':
      return typeof raw === 'boolean' ? raw : problem(ctx, path, `expected true or false, got ${describeValue(raw)}`);
    case 'duration':
      return validateDuration(ctx, path, raw, node);
    case 'rate': {
      const v = unit(ctx, path, tryParseRate(raw));
      return v === BAD ? BAD : rangeCheck(ctx, path, v, raw, 0, node.max, false, formatRate, 'the rate');
    }
    case 'size': {
      const v = unit(ctx, path, tryParseSize(raw));
      return v === BAD ? BAD : rangeCheck(ctx, path, v, raw, 0, node.max, false, formatSize, 'the size');
    }
    case 'fraction':
      return unit(ctx, path, tryParseFraction(raw));
    case 'dist':
      return validateDist(ctx, path, raw, node);
    case 'countDist':
      return validateCountDist(ctx, path, raw, node);
    case 'mix':
      return validateMix(ctx, path, raw, node);
    case 'object':
      return validateObject(ctx, path, raw, node);
    case 'nullable':
      return raw === null ? null : validateObject(ctx, path, raw, node.node);
    case 'array': {
      if (!Array.isArray(raw)) return problem(ctx, path, `expected a list of ${node.what}, got ${describeValue(raw)}`);
      if (raw.length < node.min || raw.length > node.max) {
        return problem(ctx, path, `expected ${formatCount(node.min)} to ${formatCount(node.max)} ${node.what}, got ${formatCount(raw.length)}`);
      }
      const out: unknown[] = [];
      let ok = true;
      for (let i = 0; i < raw.length; i++) {
        const v = validateObject(ctx, `${path}[${i}]`, raw[i], node.item);
        if (v === BAD) ok = false;
        out.push(v);
      }
      return ok ? out : BAD;
    }
  }
}
