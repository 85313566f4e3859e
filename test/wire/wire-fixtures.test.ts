/**
 * test/fixtures/wire: the README's table is the contract. Every file in the
 * folder has a row, every row a file, and the strict and lenient columns say
 * what inspect does (decoded, or refused with the code in parentheses).
 * Random mutations of the decodable files make inspect either decode or throw
 * a WireError, never anything else.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { WireError, inspectText, type WireErrorCode } from '../../sim/wire/index.js';
import { WIRE_FIXTURES_DIR, listWireFixtures, readWireFixture, wireFixturePath } from './fixtures.js';
import { expectWireError } from './helpers.js';

interface Row {
  file: string;
  strict: string;
  lenient: string;
}

function rows(): Row[] {
  const text = fs.readFileSync(wireFixturePath('README.md'), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^\| [a-z0-9.-]+\.(xml|sip) \|/.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return { file: cells[1] ?? '', strict: cells[3] ?? '', lenient: cells[4] ?? '' };
    });
}

/** `refused (CODE)` / `body refused` -> the expected code (or true when none is named); a decoded row -> false. */
function refusal(cell: string): WireErrorCode | true | false {
  if (!/^(body )?refused/.test(cell)) return false;
  const m = /\(([A-Z_0-9]+)\)/.exec(cell);
  return m === null ? true : (`WIRE_ERR_${m[1]}` as WireErrorCode);
}

function check(file: string, mode: 'strict' | 'lenient', expected: WireErrorCode | true | false): void {
  const text = readWireFixture(file);
  if (expected === false) expect(() => inspectText(text, { mode }), `${file} ${mode}`).not.toThrow();
  else if (expected === true) expect(() => inspectText(text, { mode }), `${file} ${mode}`).toThrow(WireError);
  else expectWireError(() => inspectText(text, { mode }), expected);
}

describe(`wire fixtures (${WIRE_FIXTURES_DIR})`, () => {
  test('the README table lists exactly the files of the folder', () => {
    expect(rows().map((r) => r.file).sort()).toEqual(listWireFixtures());
  });

  for (const row of rows()) {
    test(`inspect on ${row.file}: strict "${row.strict}", lenient "${row.lenient || row.strict}"`, () => {
      check(row.file, 'strict', refusal(row.strict));
      // watcherinfo has one reading: an empty or explanatory lenient cell means "as strict"
      const lenient = row.lenient === '' || row.lenient.startsWith('(') ? row.strict : row.lenient;
      check(row.file, 'lenient', refusal(lenient));
    });
  }

  const decodable = listWireFixtures().filter((f) => !f.startsWith('neg-'));
  test('mutated wire fixtures make inspect decode or throw a WireError, never anything else', () => {
    const mutation = fc.record({ file: fc.constantFrom(...decodable), at: fc.nat(), cut: fc.nat({ max: 8 }), text: fc.constantFrom('', '\r\n', ' ', ':', ';', '<', '"', 'Content-Length: 9\r\n', '\r\n\r\n', 'SIP/2.0', '&#0;', '\u0000') });
    fc.assert(
      fc.property(mutation, ({ file, at, cut, text }) => {
        const original = readWireFixture(file);
        const i = at % (original.length + 1);
        const mutated = original.slice(0, i) + text + original.slice(i + cut);
        for (const mode of ['strict', 'lenient'] as const) {
          try {
            inspectText(mutated, { mode });
          } catch (e) {
            if (!(e instanceof WireError)) throw new Error(`${file} mutated at ${i}: non-WireError ${String(e)}`, { cause: e });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
