/**
 * Scenario files in, `Scenario` out: read (a path or a built-in name), parse YAML or JSON, apply
 * `--set path=value` overrides to the raw document, validate against the schema table, fill the
 * defaults. Every failure is a SimError with a stable code:
 *
 * - SIM_ERR_SCENARIO_NOT_FOUND: no such file or built-in scenario (the message lists the built-ins)
 * - SIM_ERR_SCENARIO_PARSE: not YAML/JSON (the message has the line and column)
 * - SIM_ERR_BAD_OVERRIDE: a `--set` names a field the schema does not have (the message lists the
 *   valid keys at that level) or its value is not YAML
 * - SIM_ERR_SCENARIO_INVALID: the document does not match the schema; `details.errors` holds every
 *   problem as `{ path, message }`
 */
import { takeCalibration } from './calibration.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlias, isCollection, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { SimError } from '../errors.js';
import type { Scenario } from './types.js';
import {
  COUNT_DIST_KEYS,
  DIST_KEYS,
  SCENARIO_SCHEMA,
  defaultContext,
  hasOwn,
  isPlainObject,
  joinPath,
  suggest,
  validateRaw,
  type DefaultContext,
  type Field,
  type ScenarioProblem,
  type SchemaNode,
} from './schema.js';
import { describeValue } from './units.js';

/** Scenario files (and texts) larger than this are refused before parsing. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];
const MAX_LISTED_PROBLEMS = 20;
const MAX_ALIASES = 100;

// ---------------------------------------------------------------------------------------------
// text -> raw document

function parseError(source: string, message: string, line?: number, column?: number): SimError {
  const where = line === undefined ? '' : ` at line ${line}, column ${column}`;
  const errors: ScenarioProblem[] = [{ path: '', message: `${where ? `${where.slice(4)}: ` : ''}${message}` }];
  return new SimError('SIM_ERR_SCENARIO_PARSE', `${source}: not valid YAML or JSON${where}: ${message}`, {
    source,
    line,
    column,
    errors,
  });
}

function tooLarge(source: string, bytes: number): SimError {
  const message = `the scenario is ${bytes} bytes; at most ${MAX_SCENARIO_BYTES} (1 MiB) are accepted`;
  return new SimError('SIM_ERR_SCENARIO_INVALID', `${source}: 1 problem: ${message}`, { source, errors: [{ path: '', message }] });
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/** Parses one YAML (or JSON) document into plain data; throws SIM_ERR_SCENARIO_PARSE with the position. */
function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true, logLevel: 'error' });
  } catch (e) {
    throw parseError(source, e instanceof Error ? e.message : String(e));
  }
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    const message =
      err.code === 'MULTIPLE_DOCS'
        ? 'a scenario is one YAML document, but this text has several (a "---" line starts another)'
        : firstLine(err.message);
    throw parseError(source, message, pos.line, pos.col);
  }
  // A mapping key that is itself a list or mapping would be stringified by toJS; a scenario never
  // needs one. Duplicate keys are found here with a set per mapping: the parser's own check
  // (uniqueKeys) compares every pair with every other, minutes on a 1 MiB mapping.
  let bad: { at: number; message: string } | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        bad = { at: pair.key.range?.[0] ?? 0, message: 'a mapping key must be a plain word, not a list or a mapping' };
        return visit.BREAK;
      }
      return undefined;
    },
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key as unknown;
        if (isCollection(key)) {
          bad = { at: key.range?.[0] ?? 0, message: 'a mapping key must be a plain word, not a list or a mapping' };
          return visit.BREAK;
        }
        const name = isScalar(key) ? String(key.value) : isAlias(key) ? `*${key.source}` : String(key);
        if (seen.has(name)) {
          const at = isScalar(key) || isAlias(key) ? (key.range?.[0] ?? 0) : 0;
          bad = { at, message: `the key '${name.length > 40 ? `${name.slice(0, 40)}...` : name}' appears twice in the same mapping` };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  if (bad !== undefined) {
    const pos = lineCounter.linePos(bad.at);
    throw parseError(source, bad.message, pos.line, pos.col);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw parseError(source, e instanceof Error ? firstLine(e.message) : String(e));
  }
}

/** Scenario text to the raw document (before overrides and validation). */
export function parseScenarioDocument(text: string, source = '<scenario>'): unknown {
  if (typeof text !== 'string') throw parseError(source, `expected the scenario as text, got ${describeValue(text)}`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCENARIO_BYTES) throw tooLarge(source, bytes);
  return parseYaml(text, source);
}

// ---------------------------------------------------------------------------------------------
// --set overrides

type Segment = { key: string } | { index: number } | { select: string };

function badOverride(override: string, message: string, details: Record<string, unknown> = {}): SimError {
  return new SimError('SIM_ERR_BAD_OVERRIDE', `--set ${override}: ${message}`, { override, ...details });
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

function parsePath(path: string, override: string): Segment[] {
  const segs: Segment[] = [];
  let rest = path.trim();
  let first = true;
  while (rest.length > 0) {
    if (rest[0] === '[') {
      const close = rest.indexOf(']');
      const inner = close < 0 ? '' : rest.slice(1, close).trim();
      if (close < 0 || inner === '') {
        throw badOverride(override, `bad path '${path}': expected [index] or [name] such as domains[0] or domains[corp.example]`);
      }
      segs.push(/^\d+$/.test(inner) ? { index: Number(inner) } : { select: inner });
      rest = rest.slice(close + 1);
    } else {
      if (!first) {
        if (rest[0] !== '.') throw badOverride(override, `bad path '${path}': expected '.' or '[' before '${rest}'`);
        rest = rest.slice(1);
      }
      const m = IDENT.exec(rest);
      if (!m) throw badOverride(override, `bad path '${path}': expected a field name at '${rest || '(end)'}'`);
      segs.push({ key: m[0] });
      rest = rest.slice(m[0].length);
    }
    first = false;
  }
  if (segs.length === 0) throw badOverride(override, 'expected path=value, e.g. behaviour.imRate=10/h');
  return segs;
}

function parseValue(text: string, override: string): unknown {
  try {
    return parseYaml(text, 'value');
  } catch (e) {
    const why = e instanceof SimError ? e.message.replace(/^SIM_ERR_SCENARIO_PARSE: value: /, '') : String(e);
    throw badOverride(override, `the value ${describeValue(text)} is not a YAML value (${why})`);
  }
}

function segText(seg: Segment): string {
  return 'key' in seg ? seg.key : 'index' in seg ? `[${seg.index}]` : `[${seg.select}]`;
}

function atPath(path: string): string {
  return path === '' ? 'at the top level' : `in ${path}`;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

function defaultRaw(field: Field, ctx: DefaultContext): unknown {
  return field.defaultFn ? field.defaultFn(ctx) : field.default;
}

interface Step {
  /** the key of the child in its container */
  key: string | number;
  /** schema of the child */
  node: SchemaNode;
  /** raw default of the child, used when an intermediate is missing */
  fallback: unknown;
  /** path of the child, with list items as indexes */
  path: string;
}

/** One step down the schema: which child does `seg` name under `node`? Throws BAD_OVERRIDE if none. */
function step(node: SchemaNode, container: unknown, seg: Segment, path: string, override: string, ctx: DefaultContext): Step {
  const mustKey = (valid: readonly string[]): string => {
    if (!('key' in seg)) {
      throw badOverride(override, `${path} is a mapping, not a list: use .field (valid keys: ${valid.join(', ')})`, { validKeys: valid });
    }
    if (!valid.includes(seg.key)) {
      const s = suggest(seg.key, valid);
      throw badOverride(
        override,
        `unknown field '${seg.key}' ${atPath(path)}${s ? `; did you mean '${s}'?` : ''} (valid keys ${atPath(path)}: ${valid.join(', ')})`,
        { path: joinPath(path, seg.key), validKeys: valid },
      );
    }
    return seg.key;
  };
  switch (node.kind) {
    case 'nullable':
      return step(node.node, container, seg, path, override, ctx);
    case 'object': {
      const key = mustKey(node.fields.map((f) => f.name));
      const field = node.fields.find((f) => f.name === key)!;
      return { key, node: field.node, fallback: defaultRaw(field, ctx), path: joinPath(path, key) };
    }
    case 'mix': {
      const key = mustKey(node.keys.map((k) => k.name));
      return { key, node: { kind: 'fraction' }, fallback: undefined, path: joinPath(path, key) };
    }
    case 'dist':
    case 'countDist': {
      const key = mustKey(node.kind === 'dist' ? DIST_KEYS : COUNT_DIST_KEYS);
      return { key, node: { kind: 'number', min: 0, max: 0 }, fallback: undefined, path: joinPath(path, key) };
    }
    case 'array': {
      if ('key' in seg) throw badOverride(override, `${path} is a list: select an item with ${path}[0]${node.keyField ? ` or ${path}[name]` : ''}`);
      const items = Array.isArray(container) ? container : [];
      const names = node.keyField
        ? items.map((it) => (isPlainObject(it) && typeof it[node.keyField!] === 'string' ? (it[node.keyField!] as string) : undefined))
        : [];
      const what = `${path} has ${items.length} item${items.length === 1 ? '' : 's'}${
        items.length > 0 ? ` (${path}[0] to ${path}[${items.length - 1}]${node.keyField ? `, or by ${node.keyField}: ${names.filter((n) => n !== undefined).join(', ')}` : ''})` : ''
      }`;
      let index: number;
      if ('index' in seg) {
        index = seg.index;
        if (index >= items.length) throw badOverride(override, `${path}[${index}] does not exist: ${what}`, { path: `${path}[${index}]` });
      } else {
        if (!node.keyField) throw badOverride(override, `items of ${path} are selected by index, e.g. ${path}[0]`);
        index = names.indexOf(seg.select);
        if (index < 0) {
          const s = suggest(seg.select, names.filter((n): n is string => n !== undefined));
          throw badOverride(override, `no item of ${path} has ${node.keyField} '${seg.select}'${s ? `; did you mean '${s}'?` : ''}: ${what}`, {
            path: `${path}[${seg.select}]`,
          });
        }
      }
      return { key: index, node: node.item, fallback: {}, path: `${path}[${index}]` };
    }
    default:
      throw badOverride(override, `${path} is a single value (${node.kind}); it has no field ${segText(seg)}`, { path });
  }
}

const CONTAINER_KINDS = new Set<SchemaNode['kind']>(['object', 'nullable', 'mix', 'array', 'dist', 'countDist']);

/** Applies one override to `root` (already a private copy), copying each container on the way. */
function applyOne(root: Record<string, unknown>, override: string, ctx: DefaultContext): string {
  const eq = override.indexOf('=');
  if (eq < 0) throw badOverride(override, 'expected path=value, e.g. behaviour.imRate=10/h');
  const segs = parsePath(override.slice(0, eq), override);
  const value = parseValue(override.slice(eq + 1), override);

  let node: SchemaNode = SCENARIO_SCHEMA;
  let container: Record<string, unknown> | unknown[] = root;
  let path = '';
  for (let i = 0; i < segs.length; i++) {
    const s = step(node, container, segs[i]!, path, override, ctx);
    const holder = container as Record<string | number, unknown>;
    if (i === segs.length - 1) {
      holder[s.key] = value;
      return s.path;
    }
    if (!CONTAINER_KINDS.has(s.node.kind)) {
      throw badOverride(override, `${s.path} is a single value (${s.node.kind}); it has no field ${segText(segs[i + 1]!)}`, { path: s.path });
    }
    let child = hasOwn(holder, String(s.key)) ? holder[s.key] : undefined;
    const wantList = s.node.kind === 'array';
    if (child === undefined || child === null) {
      const fb = clone(s.fallback);
      child = wantList ? (Array.isArray(fb) ? fb : []) : isPlainObject(fb) ? fb : {};
    } else if (wantList ? !Array.isArray(child) : !isPlainObject(child)) {
      const hint =
        s.node.kind === 'dist' || s.node.kind === 'countDist'
          ? `; set the whole distribution instead, e.g. --set ${s.path}={dist: ${s.node.kind === 'dist' ? 'exponential, mean: 2ms' : 'uniform, min: 1, max: 10'}}`
          : '';
      throw badOverride(override, `${s.path} is ${describeValue(child)} in the scenario, not a ${wantList ? 'list' : 'mapping'}${hint}`, { path: s.path });
    } else {
      child = Array.isArray(child) ? [...child] : { ...child };
    }
    holder[s.key] = child;
    container = child as Record<string, unknown> | unknown[];
    node = s.node;
    path = s.path;
  }
  return path;
}

function applyTracked(raw: unknown, overrides: readonly string[]): { raw: unknown; applied: { path: string; override: string }[] } {
  if (overrides.length === 0 || !isPlainObject(raw)) return { raw, applied: [] };
  const root: Record<string, unknown> = { ...raw };
  const applied: { path: string; override: string }[] = [];
  for (const o of overrides) {
    if (typeof o !== 'string') throw badOverride(String(o), 'expected path=value as text');
    // the default context follows the document as overridden so far (e.g. the number of domains)
    applied.push({ path: applyOne(root, o, defaultContext(root)), override: o });
  }
  return { raw: root, applied };
}

/**
 * The override that sets a run's duration (the CLI's --duration, the API's `duration`): the value
 * goes through the schema like `--set duration=...`, so its limit is checked in one place. A
 * number is milliseconds; text is a duration such as "30min".
 */
export function durationOverride(value: string | number): string {
  // plain words stay as written (for the messages); anything else is quoted, so it stays one value
  return `duration=${typeof value === 'number' ? String(value) : /^[\w.+ -]*$/.test(value) ? value : JSON.stringify(value)}`;
}

/**
 * Applies `path=value` overrides (the value is YAML: `10/h`, `200`, `{allow: 1, deny: 0}`) to a raw
 * scenario document before validation, so units and checks apply to them as to the file. Returns a
 * new document; `raw` is not modified. A path the schema does not have -> SIM_ERR_BAD_OVERRIDE.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  return applyTracked(raw, overrides).raw;
}

// ---------------------------------------------------------------------------------------------
// raw document -> Scenario

function formatProblem(p: ScenarioProblem): string {
  return p.path === '' ? p.message : `${p.path}: ${p.message}`;
}

/** The SIM_ERR_SCENARIO_INVALID error of a list of problems (the first 20 in the message, all in details.errors). */
export function invalidScenario(source: string, errors: ScenarioProblem[]): SimError {
  const n = errors.length;
  const shown = errors.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem).join('; ');
  const more = n > MAX_LISTED_PROBLEMS ? `; ... and ${n - MAX_LISTED_PROBLEMS} more` : '';
  return new SimError('SIM_ERR_SCENARIO_INVALID', `${source}: ${n} problem${n === 1 ? '' : 's'}: ${shown}${more}`, { source, errors });
}

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/**
 * Parses and validates scenario text (YAML or JSON), with optional `path=value` overrides.
 * `source` names the text in messages (a file name). Throws SimError only.
 */
export function parseScenario(text: string, source = '<scenario>', overrides: readonly string[] = []): Scenario {
  const raw = parseScenarioDocument(text, source);
  const cal = takeCalibration(raw, source);
  const { raw: doc, applied } = applyTracked(raw, [...(cal?.overrides ?? []), ...overrides]);
  const r = validateRaw(doc);
  if (r.ok) return cal ? { ...r.scenario, calibration: cal.file } : r.scenario;
  const errors = r.errors.map((e) => {
    const o = applied.findLast((a) => within(e.path, a.path) || (e.path !== '' && within(a.path, e.path)));
    return o ? { path: e.path, message: `${e.message} (set by --set ${o.override})` } : e;
  });
  throw invalidScenario(source, errors);
}

/** For the web API: validates scenario text and never throws; a failure lists every problem. */
export function validateScenarioText(
  text: string,
): { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioProblem[] } {
  try {
    return { ok: true, scenario: parseScenario(text) };
  } catch (e) {
    if (e instanceof SimError) {
      const errors = e.details?.errors;
      if (Array.isArray(errors) && errors.length > 0) return { ok: false, errors: errors as ScenarioProblem[] };
      return { ok: false, errors: [{ path: '', message: e.message }] };
    }
    return { ok: false, errors: [{ path: '', message: `internal error while validating: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

// ---------------------------------------------------------------------------------------------
// files and built-in scenarios

let builtinDir: string | null | undefined;

/** The package's scenarios/ folder: found by walking up from this module to the folder holding package.json. */
export function builtinScenariosDir(): string | null {
  if (builtinDir !== undefined) return builtinDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      builtinDir = join(dir, 'scenarios');
      return builtinDir;
    }
    const up = dirname(dir);
    if (up === dir) {
      builtinDir = null;
      return null;
    }
    dir = up;
  }
}

function builtinFiles(): string[] {
  const dir = builtinScenariosDir();
  if (dir === null || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => SCENARIO_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
}

function builtinName(file: string): string {
  return basename(file, extname(file));
}

function notFound(nameOrPath: string, why: string): SimError {
  const names = builtinFiles().map(builtinName);
  const s = suggest(nameOrPath, names);
  return new SimError(
    'SIM_ERR_SCENARIO_NOT_FOUND',
    `${why}${s ? ` (did you mean '${s}'?)` : ''}. Built-in scenarios: ${names.join(', ') || '(none found)'}; or give the path of a .yaml, .yml or .json file`,
    { name: nameOrPath, builtins: names },
  );
}

function resolveScenarioFile(nameOrPath: string): { file: string; source: string } {
  const looksLikePath = /[\\/]/.test(nameOrPath) || SCENARIO_EXTENSIONS.includes(extname(nameOrPath).toLowerCase());
  if (looksLikePath) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw notFound(nameOrPath, `no scenario file ${nameOrPath} (looked for ${file})`);
    if (!statSync(file).isFile()) throw notFound(nameOrPath, `${nameOrPath} is not a file`);
    return { file, source: nameOrPath };
  }
  const match = builtinFiles().find((f) => builtinName(f) === nameOrPath);
  if (!match) throw notFound(nameOrPath, `no scenario file or built-in scenario named '${nameOrPath}'`);
  const root = dirname(builtinScenariosDir()!);
  return { file: match, source: relative(root, match) };
}

/**
 * Loads a scenario by built-in name (`office`) or file path (`./my.yaml`), applies overrides and
 * validates it. Throws SIM_ERR_SCENARIO_NOT_FOUND, _PARSE, _INVALID or SIM_ERR_BAD_OVERRIDE.
 */
export function loadScenario(nameOrPath: string, overrides: readonly string[] = []): Scenario {
  if (typeof nameOrPath !== 'string' || nameOrPath.trim() === '') {
    throw notFound(String(nameOrPath), 'no scenario named');
  }
  const { file, source } = resolveScenarioFile(nameOrPath);
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SCENARIO_BYTES) throw tooLarge(source, size);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SimError) throw e;
    throw notFound(nameOrPath, `cannot read ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseScenario(text, source, overrides);
}

/** The built-in scenarios: name (what loadScenario takes), description and file path. */
export function listScenarios(): { name: string; description: string; file: string }[] {
  return builtinFiles().map((file) => {
    let description = '';
    try {
      const raw = parseScenarioDocument(readFileSync(file, 'utf8'), file);
      if (isPlainObject(raw) && typeof raw.description === 'string') description = raw.description.trim();
    } catch {
      // a broken file is still listed; loading it reports the problem
    }
    return { name: builtinName(file), description, file };
  });
}
