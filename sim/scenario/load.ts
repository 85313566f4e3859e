/**
 * Scenario files in, `Scenario` out: read (a path or a built-in name), parse YAML or JSON (parse.ts),
 * apply `--set path=value` overrides to the raw document (overrides.ts), validate against the schema
 * table (schema.ts), fill the defaults. Every failure is a SimError with a stable code:
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
import { SimError } from '../errors.js';
import type { Scenario } from './types.js';
import { applyTracked } from './overrides.js';
import { MAX_SCENARIO_BYTES, parseScenarioDocument, tooLarge } from './parse.js';
import { isPlainObject, suggest, validateRaw, type ScenarioProblem } from './schema.js';
import { describeValue } from './units.js';

export { applyOverrides, durationOverride } from './overrides.js';
export { MAX_SCENARIO_BYTES, parseScenarioDocument } from './parse.js';

const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];
const MAX_LISTED_PROBLEMS = 20;
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
