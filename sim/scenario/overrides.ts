/**
 * `--set path=value` overrides, applied to the raw document before validation. A path walks the
 * schema table (`domains[name=a.example].servers.cores`, `behaviour.publishRate`); a missing level
 * is filled with its defaults; a path the schema does not have is SIM_ERR_BAD_OVERRIDE with the
 * valid keys at that level (and a suggestion). `durationOverride` turns a CLI/API duration into one,
 * so its limit is checked in the one place all durations enter.
 */
import { SimError } from '../errors.js';
import {
  COUNT_DIST_KEYS,
  DIST_KEYS,
  SCENARIO_SCHEMA,
  defaultContext,
  hasOwn,
  isPlainObject,
  joinPath,
  suggest,
  type DefaultContext,
  type Field,
  type SchemaNode,
} from './schema.js';
import { describeValue } from './units.js';
import { parseYaml } from './parse.js';

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

export function applyTracked(raw: unknown, overrides: readonly string[]): { raw: unknown; applied: { path: string; override: string }[] } {
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
