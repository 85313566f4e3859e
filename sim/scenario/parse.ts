/**
 * Scenario text in, raw document out: YAML (JSON is YAML) parsed with positions, with the size and
 * alias limits enforced before and while parsing, and every failure a SIM_ERR_SCENARIO_PARSE that
 * names the line and column.
 */
import { isAlias, isCollection, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { SimError } from '../errors.js';
import type { ScenarioProblem } from './schema.js';
import { describeValue } from './units.js';

/** Scenario files (and texts) larger than this are refused before parsing. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
const MAX_ALIASES = 100;

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

export function tooLarge(source: string, bytes: number): SimError {
  const message = `the scenario is ${bytes} bytes; at most ${MAX_SCENARIO_BYTES} (1 MiB) are accepted`;
  return new SimError('SIM_ERR_SCENARIO_INVALID', `${source}: 1 problem: ${message}`, { source, errors: [{ path: '', message }] });
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/** Parses one YAML (or JSON) document into plain data; throws SIM_ERR_SCENARIO_PARSE with the position. */
export function parseYaml(text: string, source: string): unknown {
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
