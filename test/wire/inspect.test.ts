import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INSPECT_MAX_BYTES, detectWireFormat, findInvalidUtf8, inspectFile, inspectText } from '../../sim/wire/index.js';
import { fixturePath, readFixture, readWireFixture } from './fixtures.js';
import { FROM, TO, cpimText, expectWireError, expectWireErrorAsync } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'impp-wire-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('detectWireFormat / inspectText', () => {
  test('detectWireFormat tells XML from a header block and rejects empty or other input', () => {
    expect(detectWireFormat('\uFEFF  <?xml version="1.0"?><a/>')).toBe('pidf');
    expect(detectWireFormat('From: <im:a@b>\r\n')).toBe('cpim');
    expect(expectWireError(() => detectWireFormat(' \n '), 'WIRE_ERR_UNKNOWN_FORMAT').message).toMatch(/empty/);
    expect(expectWireError(() => detectWireFormat('\n\nhello world'), 'WIRE_ERR_UNKNOWN_FORMAT').line).toBe(3);
  });

  test('inspectText decodes a PIDF fixture and lifts warnings to the top level (edge-pidf-priority-out-of-range.xml)', () => {
    const result = inspectText(readFixture('invalid-and-edge/edge-pidf-priority-out-of-range.xml'), { mode: 'strict' });
    expect(result.kind).toBe('pidf');
    if (result.kind !== 'pidf') return;
    expect(result.document.entity).toBe('pres:someone@example.com');
    expect(result.document).not.toHaveProperty('warnings');
    expect(result.warnings).toEqual([expect.stringMatching(/priority "1\.5" .* is not a qvalue/)]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  test('inspectText shows a message/cpim with an unknown Require as a warning, with a summary (cpim-rfc3862-example1.cpim)', () => {
    const result = inspectText(readFixture('cpim-rfc3862-example1.cpim'));
    expect(result.kind).toBe('cpim');
    if (result.kind !== 'cpim') return;
    expect(result.summary.from).toEqual({ name: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' });
    expect(result.summary.contentType).toBe('text/xml; charset=utf-8');
    expect(result.summary.bodyBytes).toBe(50);
    expect(result.warnings).toEqual([expect.stringMatching(/Require lists MyFeatures.VitalMessageOption/)]);
  });

  test('detectWireFormat tells watcherinfo from PIDF by the namespace of the root element', () => {
    const winfo = 'urn:ietf:params:xml:ns:watcherinfo';
    expect(detectWireFormat(`<?xml version="1.0"?>\n<!-- c -->\n<w:watcherinfo xmlns:w='${winfo}' version="0"/>`)).toBe('watcherinfo');
    expect(detectWireFormat(`<watcherinfo xmlns="${winfo}"/>`)).toBe('watcherinfo');
    expect(detectWireFormat(`<w.x:watcherinfo xmlns:wax="${winfo}"/>`)).toBe('pidf'); // '.' is not a wildcard
    expect(detectWireFormat('<watcherinfo xmlns="urn:other"/>')).toBe('pidf');
  });

  test('inspectText decodes watcherinfo (winfo-rfc3858-example.xml) and passes its errors through', () => {
    const result = inspectText(readWireFixture('winfo-rfc3858-example.xml'));
    expect(result.kind).toBe('watcherinfo');
    if (result.kind !== 'watcherinfo') return;
    expect(result.document.lists[0]?.watchers.map((w) => [w.uri, w.status])).toEqual([
      ['sip:userA@example.net', 'active'],
      ['sip:userB@example.org', 'pending'],
    ]);
    expectWireError(() => inspectText(readWireFixture('neg-winfo-bad-status.xml')), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE');
  });

  test('inspectText honours a hint over detection', () => {
    expectWireError(() => inspectText(cpimText([FROM, TO]), 'pidf'), 'WIRE_ERR_XML_MALFORMED');
    expect(inspectText(cpimText([FROM, TO]), 'cpim').kind).toBe('cpim');
  });
});

describe('inspectFile', () => {
  test('inspectFile reads a fixture from disk (pidf-rfc3863-example1.xml)', async () => {
    const result = await inspectFile(fixturePath('pidf-rfc3863-example1.xml'));
    expect(result.kind).toBe('pidf');
    if (result.kind === 'pidf') expect(result.document.tuples.map((t) => t.id)).toEqual(['bs35r9', 'eg92n8']);
  });

  test('inspectFile rejects a file over 1 MiB before reading it', async () => {
    const big = path.join(dir, 'big.xml');
    fs.writeFileSync(big, Buffer.alloc(INSPECT_MAX_BYTES + 1, 0x20));
    const err = await expectWireErrorAsync(() => inspectFile(big), 'WIRE_ERR_INPUT_TOO_LARGE');
    expect(err.message).toContain(`${INSPECT_MAX_BYTES + 1} bytes`);
  });

  test('inspectFile rejects invalid UTF-8 with the byte offset and line', async () => {
    const bad = path.join(dir, 'latin1.cpim');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('From: <im:a@b>\r\nSubject: caf'), Buffer.from([0xe9]), Buffer.from('\r\n')]));
    const err = await expectWireErrorAsync(() => inspectFile(bad), 'WIRE_ERR_NOT_UTF8');
    expect(err.message).toMatch(/byte offset 28/);
    expect(err.line).toBe(2);
  });

  test('inspectFile reports a missing file and a directory as WIRE_ERR_FILE_READ', async () => {
    expect((await expectWireErrorAsync(() => inspectFile(path.join(dir, 'nope.xml')), 'WIRE_ERR_FILE_READ')).message).toMatch(/ENOENT/);
    await expectWireErrorAsync(() => inspectFile(dir), 'WIRE_ERR_FILE_READ');
  });

  test('inspectFile passes decoding errors through unchanged in strict mode, and reads leniently by default (neg-pidf-basic-busy.xml)', async () => {
    const file = fixturePath('invalid-and-edge/neg-pidf-basic-busy.xml');
    await expectWireErrorAsync(() => inspectFile(file, { mode: 'strict' }), 'WIRE_ERR_PIDF_BAD_BASIC');
    const lenient = await inspectFile(file);
    expect(lenient.kind === 'pidf' && [lenient.document.tuples[0]?.status, lenient.violations.map((v) => v.code)]).toEqual([
      { extensions: [] },
      ['WIRE_ERR_PIDF_BAD_BASIC'],
    ]);
  });
});

describe('findInvalidUtf8', () => {
  test.each([
    [[0x41, 0xc3, 0xa9], -1],
    [[0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x41, 0xc0, 0x80], 1], // overlong NUL
    [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    [[0x41, 0x42, 0xe2, 0x82], 2], // truncated
    [[0x80], 0], // lone continuation byte
  ])('findInvalidUtf8(%j) is %d', (bytes, offset) => {
    expect(findInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });
});
