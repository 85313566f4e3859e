/**
 * Human units of the scenario language. People write `20ms`, `4/h`, `2KiB`, `5%`; the model reads
 * milliseconds, events per user per hour, bytes and fractions. Each parser comes in two forms:
 * `tryParseX(input)` returns a result and never throws (the validator collects every problem of a
 * file), `parseX(input)` returns the number or throws a SimError (for command-line options).
 *
 * Every message says what was expected and repeats what was given, e.g.
 * `expected a duration like "20ms" or "1h", got "fast"`.
 */
import { SimError } from '../errors.js';

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

/** Milliseconds per duration unit. `m` is deliberately absent: minutes or milli? */
export const DURATION_UNITS: Readonly<Record<string, number>> = {
  us: 0.001,
  'µs': 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Per-hour factor per rate unit (`4/min` is 240 per hour). */
export const RATE_UNITS: Readonly<Record<string, number>> = {
  s: 3600,
  min: 60,
  h: 1,
  d: 1 / 24,
};

/** Bytes per size unit: decimal (KB = 1000) and binary (KiB = 1024). */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const WITH_UNIT = new RegExp(`^\\s*(${NUMBER})\\s*([A-Za-zµ%]*)\\s*$`);
const RATE = new RegExp(`^\\s*(${NUMBER})\\s*/\\s*([A-Za-z]*)\\s*$`);
const PLAIN = new RegExp(`^\\s*${NUMBER}\\s*$`);

/** A short, quoted rendering of any value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') {
    const s = JSON.stringify(v);
    return s.length > 62 ? `${s.slice(0, 58)}..."` : s;
  }
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (v instanceof Uint8Array) return 'binary data';
  if (v instanceof Map || v instanceof Set) return 'a YAML set or ordered map';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Removes float noise of unit products: 1.1 * 1000 is 1100, not 1100.0000000000002. */
function clean(x: number): number {
  return Number(x.toPrecision(15));
}

function fail(message: string): UnitResult {
  return { ok: false, message };
}

/** How one kind of quantity is written: a bare number, or a number with one of `units`. */
interface UnitKind {
  /** "a duration like ..." */
  hint: string;
  /** what the quantity is called in "expected a ... of 0 or more" */
  noun: string;
  pattern: RegExp;
  units: Readonly<Record<string, number>>;
  /** the unit list for messages, e.g. "us, ms, s, min, h, d" */
  listed: string;
  /** a message for a unit that is close to a valid one but wrong (ambiguous, bits for bytes) */
  misused(unit: string, input: unknown): string | null;
}

/** Shared by the duration, rate and size parsers: numbers pass, strings are number + unit. */
function parseWithUnits(input: unknown, k: UnitKind): UnitResult {
  let value: number;
  if (typeof input === 'number') {
    value = input;
  } else if (typeof input === 'string') {
    if (PLAIN.test(input)) {
      value = Number(input);
    } else {
      const m = k.pattern.exec(input);
      if (!m) return fail(`expected ${k.hint}, got ${describeValue(input)}`);
      const unit = m[2]!;
      const factor = k.units[unit];
      if (factor === undefined) return fail(k.misused(unit, input) ?? `expected ${k.hint} (units: ${k.listed}), got ${describeValue(input)}`);
      value = clean(Number(m[1]) * factor);
    }
  } else {
    return fail(`expected ${k.hint}, got ${describeValue(input)}`);
  }
  if (!Number.isFinite(value)) return fail(`expected ${k.hint}, got ${describeValue(input)} (not finite)`);
  if (value < 0) return fail(`expected a ${k.noun} of 0 or more, got ${describeValue(input)}`);
  return { ok: true, value };
}

const DURATION: UnitKind = {
  hint: 'a duration like "20ms" or "1h"',
  noun: 'duration',
  pattern: WITH_UNIT,
  units: DURATION_UNITS,
  listed: 'us, ms, s, min, h, d',
  misused: (unit, input) =>
    unit === 'm' || unit === 'M' ? `the unit "${unit}" in ${describeValue(input)} is ambiguous: write "min" for minutes or "ms" for milliseconds` : null,
};

const RATE_KIND: UnitKind = {
  hint: 'a rate per user like "4/h" or "0.5/min"',
  noun: 'rate',
  pattern: RATE,
  units: RATE_UNITS,
  listed: '/s, /min, /h, /d',
  misused: (unit, input) => (unit === 'm' || unit === 'M' ? `the unit "/${unit}" in ${describeValue(input)} is ambiguous: write "/min" for per minute` : null),
};

const SIZE: UnitKind = {
  hint: 'a size like "512B", "2KB" or "1KiB"',
  noun: 'size',
  pattern: WITH_UNIT,
  units: SIZE_UNITS,
  listed: 'B, KB, MB, GB, KiB, MiB, GiB',
  misused: (unit, input) =>
    /^[kKmMgG]?i?b$/.test(unit) ? `"${unit}" in ${describeValue(input)} would mean bits: write an upper-case "B" for bytes, e.g. "2KB"` : null,
};

/** Durations: a number is milliseconds; strings take us, ms, s, min, h or d. Never negative. */
export function tryParseDuration(input: unknown): UnitResult {
  return parseWithUnits(input, DURATION);
}

/** Rates per user: a number is per hour; strings take /s, /min, /h or /d. Never negative. */
export function tryParseRate(input: unknown): UnitResult {
  return parseWithUnits(input, RATE_KIND);
}

/** Sizes: a number is bytes; strings take B, KB/kB, MB, GB (powers of 1000) or KiB, MiB, GiB (1024). */
export function tryParseSize(input: unknown): UnitResult {
  const r = parseWithUnits(input, SIZE);
  if (r.ok && !Number.isInteger(r.value)) return fail(`expected a whole number of bytes, got ${describeValue(input)} (${r.value} bytes)`);
  return r;
}

const FRACTION: UnitKind = {
  hint: 'a fraction between 0 and 1 or a percentage like "5%"',
  noun: 'fraction',
  pattern: WITH_UNIT,
  units: { '%': 0.01 },
  listed: '%',
  misused: () => null,
};

/** Fractions: a number from 0 to 1, or a percentage string from "0%" to "100%". */
export function tryParseFraction(input: unknown): UnitResult {
  const r = parseWithUnits(input, FRACTION);
  // every way to miss (no number, another unit, below 0, above 1) gets the one message
  if (!r.ok || r.value > 1) return fail(`expected ${FRACTION.hint}, got ${describeValue(input)}`);
  return r;
}

function orThrow(r: UnitResult, what: string): number {
  if (r.ok) return r.value;
  throw new SimError('SIM_ERR_BAD_OPTION', what ? `${what}: ${r.message}` : r.message);
}

/** Milliseconds of a duration; throws SIM_ERR_BAD_OPTION naming `what` (an option) on bad input. */
export function parseDuration(input: unknown, what = ''): number {
  return orThrow(tryParseDuration(input), what);
}

/** Events per user per hour; throws SIM_ERR_BAD_OPTION on bad input. */
export function parseRate(input: unknown, what = ''): number {
  return orThrow(tryParseRate(input), what);
}

/** Bytes; throws SIM_ERR_BAD_OPTION on bad input. */
export function parseSize(input: unknown, what = ''): number {
  return orThrow(tryParseSize(input), what);
}

/** A fraction in [0, 1]; throws SIM_ERR_BAD_OPTION on bad input. */
export function parseFraction(input: unknown, what = ''): number {
  return orThrow(tryParseFraction(input), what);
}

/** The shortest exact rendering of milliseconds in the largest unit that divides it: 90000 -> "1.5min". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  const order: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
    ['ms', 1],
    ['us', 0.001],
  ];
  for (const [unit, f] of order) {
    const n = clean(ms / f);
    if (n >= 1 && Number.isInteger(n)) return `${n}${unit}`;
  }
  return `${ms}ms`;
}

/** A rate per hour in the most readable unit: 36000 -> "10/s", 4 -> "4/h". */
export function formatRate(perHour: number): string {
  if (perHour >= 3600 && Number.isInteger(clean(perHour / 3600))) return `${clean(perHour / 3600)}/s`;
  if (perHour >= 60 && Number.isInteger(clean(perHour / 60))) return `${clean(perHour / 60)}/min`;
  return `${clean(perHour)}/h`;
}

/** Bytes in the largest exact unit: 1048576 -> "1MiB", 2000 -> "2KB". */
export function formatSize(bytes: number): string {
  const order: [string, number][] = [
    ['GiB', 1024 ** 3],
    ['GB', 1e9],
    ['MiB', 1024 ** 2],
    ['MB', 1e6],
    ['KiB', 1024],
    ['KB', 1e3],
  ];
  for (const [unit, f] of order) {
    if (bytes >= f && Number.isInteger(bytes / f)) return `${bytes / f}${unit}`;
  }
  return `${bytes}B`;
}
