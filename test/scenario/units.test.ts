import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatRate,
  formatSize,
  parseDuration,
  tryParseDuration,
  tryParseFraction,
  tryParseRate,
  tryParseSize,
  type UnitResult,
} from '../../sim/scenario/units.js';
import { SimError } from '../../sim/errors.js';

function ok(r: UnitResult): number {
  if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
  return r.value;
}
function message(r: UnitResult): string {
  if (r.ok) throw new Error(`expected an error, got ${r.value}`);
  return r.message;
}

describe('tryParseDuration', () => {
  it.each<[unknown, number]>([
    [0, 0],
    [250, 250],
    [0.5, 0.5],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['20ms', 20],
    ['1.5s', 1500],
    ['.5s', 500],
    ['2min', 120_000],
    ['1h', 3_600_000],
    ['0.5h', 1_800_000],
    ['1d', 86_400_000],
    [' 20 ms ', 20],
    ['1e3ms', 1000],
    ['1.1s', 1100],
    ['100', 100],
  ])('tryParseDuration(%j) is %d ms', (input, ms) => {
    expect(ok(tryParseDuration(input))).toBe(ms);
  });

  it.each<[unknown, RegExp]>([
    ['fast', /^expected a duration like "20ms" or "1h", got "fast"$/],
    ['5m', /ambiguous: write "min" for minutes or "ms" for milliseconds/],
    ['10 parsecs', /units: us, ms, s, min, h, d\), got "10 parsecs"/],
    ['1h30min', /expected a duration like "20ms" or "1h", got "1h30min"/],
    ['ms', /got "ms"/],
    ['', /got ""/],
    ['-5ms', /expected a duration of 0 or more, got "-5ms"/],
    [-1, /expected a duration of 0 or more, got -1/],
    [Number.NaN, /got NaN/],
    [Number.POSITIVE_INFINITY, /not finite/],
    [true, /got true/],
    [null, /got null/],
    [{ value: 1 }, /got a mapping/],
    [[1], /got a list/],
  ])('tryParseDuration(%j) fails: %s', (input, re) => {
    expect(message(tryParseDuration(input))).toMatch(re);
  });
});

describe('tryParseRate', () => {
  it.each<[unknown, number]>([
    [4, 4],
    [0, 0],
    ['4/h', 4],
    ['0.5/min', 30],
    ['10/s', 36_000],
    ['2/d', 2 / 24],
    ['12 / h', 12],
    ['3', 3],
  ])('tryParseRate(%j) is %d per hour', (input, perHour) => {
    expect(ok(tryParseRate(input))).toBeCloseTo(perHour, 12);
  });

  it.each<[unknown, RegExp]>([
    ['often', /^expected a rate per user like "4\/h" or "0.5\/min", got "often"$/],
    ['4/m', /ambiguous: write "\/min" for per minute/],
    ['4/week', /units: \/s, \/min, \/h, \/d\), got "4\/week"/],
    ['4 per hour', /got "4 per hour"/],
    ['/h', /got "\/h"/],
    ['-1/h', /expected a rate of 0 or more, got "-1\/h"/],
    [-2, /0 or more/],
    [false, /got false/],
  ])('tryParseRate(%j) fails: %s', (input, re) => {
    expect(message(tryParseRate(input))).toMatch(re);
  });
});

describe('tryParseSize', () => {
  it.each<[unknown, number]>([
    [512, 512],
    [0, 0],
    ['512B', 512],
    ['2KB', 2000],
    ['2kB', 2000],
    ['1KiB', 1024],
    ['1.5KiB', 1536],
    ['1MB', 1_000_000],
    ['1MiB', 1_048_576],
    ['1GB', 1e9],
    ['2 KB', 2000],
  ])('tryParseSize(%j) is %d bytes', (input, bytes) => {
    expect(ok(tryParseSize(input))).toBe(bytes);
  });

  it.each<[unknown, RegExp]>([
    ['big', /^expected a size like "512B", "2KB" or "1KiB", got "big"$/],
    ['2Kb', /would mean bits: write an upper-case "B"/],
    ['1b', /would mean bits/],
    ['3 bytes', /units: B, KB, MB, GB, KiB, MiB, GiB\), got "3 bytes"/],
    ['0.5B', /whole number of bytes, got "0.5B"/],
    ['1.1KiB', /whole number of bytes, got "1.1KiB" \(1126.4 bytes\)/],
    [-1, /0 or more/],
    [1.5, /whole number of bytes/],
  ])('tryParseSize(%j) fails: %s', (input, re) => {
    expect(message(tryParseSize(input))).toMatch(re);
  });
});

describe('tryParseFraction', () => {
  it.each<[unknown, number]>([
    [0, 0],
    [1, 1],
    [0.25, 0.25],
    ['5%', 0.05],
    ['0.1%', 0.001],
    ['100%', 1],
    ['0.5', 0.5],
  ])('tryParseFraction(%j) is %d', (input, f) => {
    expect(ok(tryParseFraction(input))).toBe(f);
  });

  it.each<[unknown]>([[1.5], ['150%'], [-0.1], ['half'], ['5 percent'], ['5'], [null], [true]])(
    'tryParseFraction(%j) fails and says what it expected',
    (input) => {
      expect(message(tryParseFraction(input))).toMatch(/^expected a fraction between 0 and 1 or a percentage like "5%", got /);
    },
  );
});

describe('parseDuration and the formatters', () => {
  it('parseDuration(input, option) throws SIM_ERR_BAD_OPTION naming the option', () => {
    expect(parseDuration('2min')).toBe(120_000);
    expect(() => parseDuration('soon', '--until')).toThrow(SimError);
    expect(() => parseDuration('soon', '--until')).toThrow(/SIM_ERR_BAD_OPTION: --until: expected a duration like "20ms" or "1h", got "soon"/);
  });

  it('formatDuration, formatRate and formatSize render values that parse back to the same number', () => {
    for (const ms of [0, 0.25, 1, 20, 1500, 60_000, 90_000, 3_600_000, 86_400_000, 366 * 86_400_000]) {
      expect(ok(tryParseDuration(formatDuration(ms)))).toBe(ms);
    }
    for (const r of [0, 0.5, 4, 60, 240, 36_000, 360_000]) expect(ok(tryParseRate(formatRate(r)))).toBe(r);
    for (const b of [0, 120, 1000, 1024, 1536, 16 * 1024 * 1024]) expect(ok(tryParseSize(formatSize(b)))).toBe(b);
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatRate(36_000)).toBe('10/s');
    expect(formatSize(1_048_576)).toBe('1MiB');
  });
});
