/**
 * The field reference rendered from the schema table (docs/scenarios.md holds a copy that a test
 * compares), so the documentation cannot drift from the checks.
 */
import { DOMAIN_NAME_RE, NAME_RE, SRV_TARGET_RE, fraction, rate } from './fields-common.js';
import { SCENARIO_SCHEMA } from './schema.js';
import { defaultOf, unit } from './validate-fields.js';
import { formatCount, joinPath, renderRaw } from './wording.js';
import { formatDuration, formatRate, formatSize } from './units.js';
import { type ObjectNode, type SchemaNode } from './schema-nodes.js';

export interface FieldDoc {
  /** path as in error messages and `--set`, with `[]` for list items */
  path: string;
  unit: string;
  /** the default as written in a file, `required`, or empty for a container */
  default: string;
  /** allowed values */
  range: string;
  description: string;
}

function unitOf(node: SchemaNode): string {
  switch (node.kind) {
    case 'string': return 'text';
    case 'int': return 'integer';
    case 'number': return 'number';
    case 'bool': return 'true/false';
    case 'duration': return 'duration';
    case 'rate': return 'rate per user';
    case 'size': return 'size';
    case 'fraction': return 'fraction';
    case 'dist': return 'duration distribution';
    case 'countDist': return 'count distribution';
    case 'object': return 'mapping';
    case 'mix': return 'fractions summing to 1';
    case 'array': return 'list';
    case 'nullable': return 'mapping or null';
  }
}

function rangeOf(node: SchemaNode): string {
  switch (node.kind) {
    case 'string':
      return node.pattern === NAME_RE ? '[a-z0-9-]+' : node.pattern === DOMAIN_NAME_RE ? 'DNS-like name' : node.pattern === SRV_TARGET_RE ? 'gwN.<domain> or .' : `up to ${node.maxLength} characters`;
    case 'int':
      return `${formatCount(node.min)} to ${node.max === Number.MAX_SAFE_INTEGER ? '2^53-1' : formatCount(node.max)}`;
    case 'number':
      return `${node.minExclusive ? '> ' : ''}${node.min} to ${node.max}`;
    case 'bool':
      return '';
    case 'duration':
      return `${node.minExclusive ? '> ' : ''}${formatDuration(node.min)} to ${formatDuration(node.max)}`;
    case 'rate':
      return `0 to ${formatRate(node.max)}`;
    case 'size':
      return `0 to ${formatSize(node.max)}`;
    case 'fraction':
      return '0 to 1';
    case 'dist':
      return `values ${node.positive ? '> 0' : '0'} to ${formatDuration(node.max)}`;
    case 'countDist':
      return `0 to ${formatCount(node.max)}`;
    case 'array':
      return `${formatCount(node.min)} to ${formatCount(node.max)} items`;
    default:
      return '';
  }
}

function docRows(node: ObjectNode, base: string, rows: FieldDoc[]): void {
  for (const f of node.fields) {
    const path = joinPath(base, f.name);
    const container = f.node.kind === 'object' || f.node.kind === 'array' || f.node.kind === 'nullable';
    const def = f.required ? 'required' : f.defaultDoc ?? (container && f.node.kind !== 'nullable' && f.node.kind !== 'array' ? '' : renderRaw(defaultOf(f, { domainCount: 1 })));
    rows.push({ path, unit: unitOf(f.node), default: def, range: rangeOf(f.node), description: f.description });
    if (f.node.kind === 'object') docRows(f.node, path, rows);
    else if (f.node.kind === 'nullable') docRows(f.node.node, path, rows);
    else if (f.node.kind === 'array') docRows(f.node.item, `${path}[]`, rows);
    else if (f.node.kind === 'mix') {
      const defaults = (f.default ?? {}) as Record<string, unknown>;
      for (const k of f.node.keys) {
        rows.push({ path: `${path}.${k.name}`, unit: 'fraction', default: renderRaw(defaults[k.name] ?? 0), range: '0 to 1', description: k.description });
      }
    }
  }
}

/** Every field of the format: path, unit, default, range and meaning, in file order. */
export function scenarioFieldDocs(): FieldDoc[] {
  const rows: FieldDoc[] = [];
  docRows(SCENARIO_SCHEMA, '', rows);
  return rows;
}

/** The field reference as a Markdown table (docs/scenarios.md holds a copy that a test compares). */
export function scenarioFieldDocsMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| field | unit | default | range | meaning |', '|---|---|---|---|---|'];
  for (const r of scenarioFieldDocs()) {
    const def = r.default === '' ? '' : r.default === 'required' ? '*required*' : `\`${esc(r.default)}\``;
    lines.push(`| \`${r.path}\` | ${r.unit} | ${def} | ${esc(r.range)} | ${esc(r.description)} |`);
  }
  return lines.join('\n') + '\n';
}
