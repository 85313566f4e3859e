/**
 * The `calibration:` field of a scenario: the path (relative to the scenario file) of a
 * calibration written by `impp-sim calibrate` (sim/live/calibration-fit.ts). Its overrides are
 * applied before any --set, so the command line still wins; the loaded scenario names the file
 * in `calibration`. The field is taken out before validation: the schema never sees it.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SimError } from '../errors.js';

/** The overrides of a calibration with `domains[*]` spelt out for a scenario of `domains` domains. */
export function expandOverrides(overrides: readonly string[], domains: number): string[] {
  const out: string[] = [];
  for (const o of overrides) {
    if (!o.startsWith('domains[*]')) out.push(o);
    else for (let d = 0; d < domains; d++) out.push(`domains[${d}]${o.slice('domains[*]'.length)}`);
  }
  return out;
}

const bad = (source: string, msg: string) => new SimError('SIM_ERR_SCENARIO_INVALID', `${source}: calibration: ${msg}`, { path: 'calibration' });

/** Takes `calibration` out of a parsed scenario document; returns its file and overrides, or null. */
export function takeCalibration(raw: unknown, source: string): { file: string; overrides: string[] } | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('calibration' in raw)) return null;
  const doc = raw as Record<string, unknown>;
  const name = doc.calibration;
  delete doc.calibration;
  if (typeof name !== 'string' || name.trim() === '') throw bad(source, `expected the path of a calibration file (impp-sim calibrate --out FILE), got ${JSON.stringify(name)}`);
  // scenario text without a file (the web API) names no file of the machine it runs on
  if (source.startsWith('<')) throw bad(source, 'only a scenario file may name a calibration file');
  const file = isAbsolute(name) ? name : resolve(dirname(source), name);
  let cal: { kind?: unknown; overrides?: unknown };
  try {
    cal = JSON.parse(readFileSync(file, 'utf8')) as typeof cal;
  } catch (e) {
    throw bad(source, `cannot read ${file} as JSON (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  if (cal.kind !== 'impp-sim-calibration' || !Array.isArray(cal.overrides) || cal.overrides.some((o) => typeof o !== 'string')) {
    throw bad(source, `${file} is not a calibration written by impp-sim calibrate (kind 'impp-sim-calibration' with a list of overrides)`);
  }
  const domains = Array.isArray(doc.domains) ? doc.domains.length : 1;
  return { file, overrides: expandOverrides(cal.overrides as string[], domains) };
}
