/**
 * Lenient and strict PIDF decoding (decodePidfDocument, inspect's modes):
 * the lenient reading decodes what deployed decoders accept and lists each
 * violation with the code strict mode raises and the RFC section; strict
 * mode refuses the same input; what is not well-formed XML or has no entity
 * is refused in both.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  decodePidfDocument,
  encodePidf,
  inspectText,
  pidfSize,
  representativePidf,
  samplePidf,
  type PidfDocument,
  type WireErrorCode,
} from '../../sim/wire/index.js';
import { readWireFixture } from './fixtures.js';
import { OPEN_STATUS, expectWireError, pidfDoc, tupleXml } from './helpers.js';

function lenient(text: string): ReturnType<typeof decodePidfDocument> {
  return decodePidfDocument(text, { mode: 'lenient' });
}

function codes(text: string): WireErrorCode[] {
  return lenient(text).violations.map((v) => v.code);
}

describe('real-world PIDF fixtures (test/fixtures/wire)', () => {
  test('pidf-note-before-tuple.xml: lenient reads the PBX note and the digit id; strict refuses the order', () => {
    const text = readWireFixture('pidf-note-before-tuple.xml');
    const { document, violations } = lenient(text);
    expect(document.notes).toEqual([{ text: 'Ready' }]);
    expect(document.tuples.map((t) => [t.id, t.status.basic, t.contact?.uri])).toEqual([['2001', 'open', 'sip:2001@pbx.example.com']]);
    expect(violations.map((v) => [v.code, v.rfc, v.path, v.line])).toEqual([
      ['WIRE_ERR_PIDF_ELEMENT_ORDER', 'RFC 3863 s.4.4', '/presence/tuple', 4],
      ['WIRE_ERR_PIDF_BAD_TUPLE_ID', 'RFC 3863 s.4.4', '/presence/tuple', 4],
    ]);
    expectWireError(() => decodePidfDocument(text, { mode: 'strict' }), 'WIRE_ERR_PIDF_ELEMENT_ORDER');
  });

  test('pidf-tuple-id-sip-uri.xml: a SIP URI as tuple id is kept as written', () => {
    const text = readWireFixture('pidf-tuple-id-sip-uri.xml');
    const { document, warnings } = lenient(text);
    expect(document.tuples[0]?.id).toBe('sip:alice@example.com');
    expect(document.tuples[0]?.notes).toEqual([{ text: 'Online', lang: 'en' }]);
    expect(warnings).toEqual([expect.stringMatching(/^violates RFC 3863 s\.4\.4: tuple id "sip:alice@example.com" is not an xs:ID .*line 3/)]);
    expectWireError(() => decodePidfDocument(text), 'WIRE_ERR_PIDF_BAD_TUPLE_ID');
  });

  test('pidf-tuple-id-digit.xml: ids starting with a digit are kept; one violation per tuple', () => {
    const text = readWireFixture('pidf-tuple-id-digit.xml');
    const { document } = lenient(text);
    expect(document.tuples.map((t) => [t.id, t.status.basic, t.contact?.priority])).toEqual([
      ['0x1f3a9c', 'closed', undefined],
      ['42', 'open', 0.5],
    ]);
    expect(codes(text)).toEqual(['WIRE_ERR_PIDF_BAD_TUPLE_ID', 'WIRE_ERR_PIDF_BAD_TUPLE_ID']);
    expectWireError(() => decodePidfDocument(text, { mode: 'strict' }), 'WIRE_ERR_PIDF_BAD_TUPLE_ID');
  });

  test('pidf-unknown-extensions.xml: vendor and RPID extensions are legal in both modes and kept', () => {
    const text = readWireFixture('pidf-unknown-extensions.xml');
    for (const mode of ['strict', 'lenient'] as const) {
      const { document, violations } = decodePidfDocument(text, { mode });
      expect(violations).toEqual([]);
      const [tuple] = document.tuples;
      expect(tuple?.status.extensions.map((e) => [e.ns, e.name, e.text])).toEqual([['urn:example-vendor:presence:1', 'callState', 'idle']]);
      expect(tuple?.extensions[0]?.attributes).toEqual({ model: 'desk-phone', firmware: '4.2' });
      expect(document.extensions.map((e) => e.name)).toEqual(['person', 'capabilities']);
    }
  });

  test('pidf-no-timestamp.xml: valid in both modes; only the lenient reading mentions the SHOULD of s.4.1', () => {
    const text = readWireFixture('pidf-no-timestamp.xml');
    expect(decodePidfDocument(text, { mode: 'strict' }).warnings).toEqual([]);
    const { document, warnings, violations } = lenient(text);
    expect(document.tuples[0]?.timestamp).toBeUndefined();
    expect(violations).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/tuple "t1" .* has no <timestamp>; RFC 3863 s\.4\.1 says each tuple SHOULD carry one/)]);
  });

  test('pidf-no-xml-declaration.xml: a missing XML declaration is a violation of s.4.1', () => {
    const text = readWireFixture('pidf-no-xml-declaration.xml');
    expect(lenient(text).violations).toEqual([
      expect.objectContaining({ code: 'WIRE_ERR_PIDF_MISSING_XML_DECL', rfc: 'RFC 3863 s.4.1', line: 1 }),
    ]);
    expect(lenient(text).document.tuples[0]?.id).toBe('a1');
    expectWireError(() => decodePidfDocument(text), 'WIRE_ERR_PIDF_MISSING_XML_DECL');
  });

  test('pidf-status-after-contact.xml: status read wherever it sits; "Open" read as open', () => {
    const text = readWireFixture('pidf-status-after-contact.xml');
    const { document } = lenient(text);
    expect(document.tuples[0]).toMatchObject({ status: { basic: 'open' }, contact: { uri: 'im:frank@example.com' }, timestamp: '2026-01-01T09:00:00Z' });
    expect(codes(text)).toEqual(['WIRE_ERR_PIDF_ELEMENT_ORDER', 'WIRE_ERR_PIDF_BAD_BASIC']);
  });

  test.each([
    ['neg-pidf-no-entity-lenient.xml', 'WIRE_ERR_PIDF_MISSING_ENTITY'],
    ['neg-pidf-not-well-formed.xml', 'WIRE_ERR_XML_MALFORMED'],
  ] as const)('%s is refused in both modes with %s', (name, code) => {
    const text = readWireFixture(name);
    expectWireError(() => lenient(text), code);
    expectWireError(() => decodePidfDocument(text, { mode: 'strict' }), code);
  });
});

describe('decodePidfDocument lenient fallbacks, one rule at a time', () => {
  test('duplicate tuple ids: both tuples kept, one violation', () => {
    const xml = pidfDoc([tupleXml(OPEN_STATUS, 'a'), tupleXml('    <status><basic>closed</basic></status>', 'a')].join('\n'));
    const { document, violations } = lenient(xml);
    expect(document.tuples.map((t) => [t.id, t.status.basic])).toEqual([['a', 'open'], ['a', 'closed']]);
    expect(violations.map((v) => [v.code, v.path])).toEqual([['WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID', '/presence/tuple[2]']]);
  });

  test('a tuple without id or status is read with id "" and an empty status', () => {
    const { document } = lenient(pidfDoc('  <tuple><contact>im:a@b.example</contact></tuple>'));
    expect(document.tuples).toEqual([{ id: '', status: { extensions: [] }, contact: { uri: 'im:a@b.example' }, notes: [], extensions: [] }]);
    expect(codes(pidfDoc('  <tuple><contact>im:a@b.example</contact></tuple>'))).toEqual(['WIRE_ERR_PIDF_TUPLE_NO_ID', 'WIRE_ERR_PIDF_MISSING_STATUS']);
  });

  test('second status/contact/timestamp: the first counts', () => {
    const inner = `${OPEN_STATUS}\n    <status><basic>closed</basic></status>\n    <contact>im:first@x.example</contact>\n    <contact>im:second@x.example</contact>`;
    const { document, violations } = lenient(pidfDoc(tupleXml(inner)));
    expect(document.tuples[0]).toMatchObject({ status: { basic: 'open' }, contact: { uri: 'im:first@x.example' } });
    expect(violations.map((v) => v.code)).toEqual(['WIRE_ERR_PIDF_DUPLICATE_ELEMENT', 'WIRE_ERR_PIDF_DUPLICATE_ELEMENT']);
  });

  test('unusable values: basic "busy" and an empty contact are dropped, a bad language tag is dropped, a bad timestamp and entity are kept', () => {
    const inner = '    <status><basic>busy</basic></status>\n    <contact> </contact>\n    <note xml:lang="en_US">hi</note>\n    <timestamp>2026-01-01 09:00:00</timestamp>';
    const { document, violations } = lenient(pidfDoc(tupleXml(inner), 'entity="alice@example.com"'));
    expect(document.entity).toBe('alice@example.com');
    expect(document.tuples[0]).toEqual({ id: 't1', status: { extensions: [] }, notes: [{ text: 'hi' }], timestamp: '2026-01-01 09:00:00', extensions: [] });
    expect(violations.map((v) => v.code)).toEqual([
      'WIRE_ERR_PIDF_BAD_ENTITY',
      'WIRE_ERR_PIDF_BAD_BASIC',
      'WIRE_ERR_PIDF_BAD_CONTACT',
      'WIRE_ERR_PIDF_BAD_LANG',
      'WIRE_ERR_PIDF_BAD_TIMESTAMP',
    ]);
  });

  test('a PIDF element out of place is ignored like an unknown element; stray text and child elements of a note are ignored', () => {
    const inner = `${OPEN_STATUS}\n    <basic>closed</basic>\n    stray\n    <note>a<b xmlns="urn:x">b</b>c</note>`;
    const { document, violations } = lenient(pidfDoc(tupleXml(inner)));
    expect(document.tuples[0]?.status.basic).toBe('open');
    expect(document.tuples[0]?.extensions.map((e) => [e.ns, e.name])).toEqual([['urn:ietf:params:xml:ns:pidf', 'basic']]);
    expect(document.tuples[0]?.notes).toEqual([{ text: 'ac' }]);
    expect(violations.map((v) => v.code)).toEqual(['WIRE_ERR_PIDF_UNEXPECTED_CONTENT', 'WIRE_ERR_PIDF_UNEXPECTED_ELEMENT', 'WIRE_ERR_PIDF_UNEXPECTED_CONTENT']);
  });

  test('strict mode is the default and raises the same codes lenient mode records', () => {
    expectWireError(() => decodePidfDocument(pidfDoc(tupleXml(OPEN_STATUS, '9'))), 'WIRE_ERR_PIDF_BAD_TUPLE_ID');
    expect(() => decodePidfDocument('<x/>', { mode: 'loose' as 'strict' })).toThrow(RangeError);
  });
});

describe('inspectText modes', () => {
  test('inspectText is lenient by default and strict on request', () => {
    const text = readWireFixture('pidf-note-before-tuple.xml');
    const result = inspectText(text);
    expect(result.kind).toBe('pidf');
    expect(result.mode).toBe('lenient');
    if (result.kind !== 'pidf') return;
    expect(result.violations).toHaveLength(2);
    expect(result.warnings.filter((w) => w.startsWith('violates RFC 3863 s.4.4'))).toHaveLength(2);
    expectWireError(() => inspectText(text, { mode: 'strict' }), 'WIRE_ERR_PIDF_ELEMENT_ORDER');
  });
});

describe("the simulator's own PIDF encodings are strictly valid", () => {
  const shape = fc.record({
    entityLength: fc.integer({ min: 0, max: 60 }),
    tuples: fc.integer({ min: 0, max: 4 }),
    withContact: fc.boolean(),
    withNote: fc.boolean(),
    noteLength: fc.integer({ min: 0, max: 40 }),
    withTimestamp: fc.boolean(),
    extendedStatus: fc.boolean(),
  });

  test('representativePidf(shape) encodes to a document both modes read identically, with no violation', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const text = encodePidf(representativePidf(s));
        const strict = decodePidfDocument(text, { mode: 'strict' });
        const loose = lenient(text);
        expect(loose.violations).toEqual([]);
        expect(loose.document).toEqual(strict.document);
        expect(Buffer.byteLength(text)).toBe(pidfSize(s));
      }),
      { numRuns: 100 },
    );
  });

  test('samplePidf bodies (the trace payloads) have no violations', () => {
    const body = samplePidf('pres:u1@d1.example', { id: 't0', basic: 'open', contact: 'im:u1@d1.example', priority: 0.5, note: 'In the office', atMs: 1234 });
    const { document, violations, warnings } = lenient(body);
    expect(violations).toEqual([]);
    expect(warnings).toEqual([]);
    expect((document satisfies PidfDocument).tuples[0]?.timestamp).toBe('2026-01-01T00:00:01.234Z');
  });
});
