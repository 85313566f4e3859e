/**
 * The XML layer (sim/wire/xml.ts, on saxes) on the cases a differential run
 * between the former fast-xml-parser layer and saxes found: malformed XML
 * declarations and PI targets, and an `xmlns:` declaration with an empty
 * prefix; then the limits and the positions of errors.
 */
import { describe, expect, test } from 'vitest';
import { decodePidf } from '../../sim/wire/index.js';
import { MAX_XML_CHARS, MAX_XML_DEPTH, parseXml } from '../../sim/wire/xml.js';
import { OPEN_STATUS, expectWireError, pidfDoc, tupleXml } from './helpers.js';

const BODY = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b.example"/>';

describe('parseXml: XML declaration and processing instructions (XML 1.0 s.2.6, s.2.8)', () => {
  test.each([
    ['<?xml<a> version="1.0"?>'],
    ['<?xml version="1.0" encoding="UTF-8"<?>'],
    ['<?xml version="1.0": encoding="UTF-8"?>'],
    ['<?xml version="1.0" encoding=<a>"UTF-8"?>'],
    ['<?xml encoding="UTF-8" version="1.0"?>'],
    ['<?xml version="1.0" standalone="yes" encoding="UTF-8"?>'],
  ])('parseXml refuses the declaration %s', (decl) => {
    expect(expectWireError(() => parseXml(`${decl}\n${BODY}`), 'WIRE_ERR_XML_MALFORMED').message).toMatch(/XML declaration is malformed|not well-formed/);
  });

  test.each([['<?xm<l data?>'], ['<?x:ml data?>'], ['<?:pi?>'], ['<? id="t2"?>']])('parseXml refuses the processing instruction %s', (pi) => {
    expectWireError(() => parseXml(`<?xml version="1.0"?>\n${pi}${BODY}`), 'WIRE_ERR_XML_MALFORMED');
  });

  test('parseXml accepts well-formed declarations and PIs, and PI-like text inside comments and CDATA', () => {
    for (const decl of ['<?xml version="1.0"?>', "<?xml version='1.1' encoding='utf-8' standalone='no' ?>", '<?xml\tversion = "1.0"\n?>']) {
      expect(parseXml(`${decl}${BODY}`).declaration?.version).toMatch(/^1\.[01]$/);
    }
    const doc = pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note><![CDATA[<?x:y?>]]></note>`)).replace('<presence', '<?style href="a.css"?><!-- <?:bad?> --><presence');
    expect(decodePidf(doc).tuples[0]?.notes[0]?.text).toBe('<?x:y?>');
  });
});

describe('parseXml: namespace declarations', () => {
  test('parseXml refuses xmlns:="..." (an empty prefix), which must not rebind the default namespace', () => {
    const err = expectWireError(() => parseXml('<?xml version="1.0"?><presence xmlns:="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"/>'), 'WIRE_ERR_XML_NAMESPACE');
    expect(err.message).toMatch(/"xmlns:" declares an invalid prefix/);
  });
});

describe('parseXml: every refusal names its place (line and column, and the element path inside the root)', () => {
  const D = '<?xml version="1.0"?>\n';
  test.each([
    ['a repeated attribute', `${D}<a>\n  <b x="1" x="2"/>\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 18, '/a/b'],
    ["a literal '<' in an attribute value", `${D}<a>\n  <b x="<"/>\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 9, '/a/b'],
    ['an unbound element prefix', `${D}<a>\n  <p:b/>\n</a>`, 'WIRE_ERR_XML_NAMESPACE', 3, 8, '/a/p:b'],
    ['two attributes with one expanded name', `${D}<a xmlns:p="u">\n  <c p:x="1" xmlns:q="u" q:x="2"/>\n</a>`, 'WIRE_ERR_XML_NAMESPACE', 3, 34, '/a/c'],
    ['a qualified name with two colons', `${D}<a>\n  <b:c:d xmlns:b="u"/>\n</a>`, 'WIRE_ERR_XML_NAMESPACE', 3, 22, '/a/b:c:d'],
    ['a reference to a forbidden character', `${D}<a>\n  <b>&#1;</b>\n</a>`, 'WIRE_ERR_XML_BAD_REFERENCE', 3, 9, '/a/b'],
    ['a close tag that does not match', `${D}<a>\n  <b></c>\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 9, '/a'],
    ['a DOCTYPE inside the root', `${D}<a>\n  <!DOCTYPE a>\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 11, '/a'],
    ['an XML declaration inside the root', `${D}<a>\n  <?xml version="1.0"?>\n</a>`, 'WIRE_ERR_XML_DECL_NOT_AT_START', 3, 8, '/a'],
    ['a second root element', `${D}<a/>\n<b/>`, 'WIRE_ERR_XML_MALFORMED', 3, 3, '/b'],
    ["']]>' in character data", `${D}<a>\n  <b>x]]>y</b>\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 9, '/a/b'],
    ["'--' in a comment", `${D}<a>\n  <!-- x -- y -->\n</a>`, 'WIRE_ERR_XML_MALFORMED', 3, 12, '/a'],
    ['an element left open', `${D}<a>\n  <b>\n`, 'WIRE_ERR_XML_MALFORMED', 4, 1, '/a/b'],
  ] as const)('parseXml refuses %s at the offending character', (_what, text, code, line, column, path) => {
    const err = expectWireError(() => parseXml(text), code);
    expect([err.line, err.column, err.path]).toEqual([line, column, path]);
    expect(err.message).toContain(`line ${line}, column ${column}`);
  });

  test('parseXml refuses a DOCTYPE before the root, with its internal entities, at the line where it starts (no DTD is read)', () => {
    const err = expectWireError(() => parseXml('<?xml version="1.0"?>\n<!DOCTYPE a [\n<!ENTITY e "x">\n]>\n<a>&e;</a>'), 'WIRE_ERR_XML_DOCTYPE');
    expect([err.line, err.column]).toEqual([2, 1]);
  });

  test("parseXml refuses a stray '&' at the '&' itself (the parser alone would report the end of the input)", () => {
    const err = expectWireError(() => parseXml('<?xml version="1.0"?>\n<a>\n  <b>fish &amp chips</b>\n</a>'), 'WIRE_ERR_XML_BAD_REFERENCE');
    expect([err.line, err.column]).toEqual([3, 11]);
    expect(err.message).toMatch(/'&' is not followed by a complete reference/);
  });

  test("parseXml refuses markup never closed with '>' where it starts, quoting it with the middle of a long one left out", () => {
    const err = expectWireError(() => parseXml(`<?xml version="1.0"?>\n<presence>\n  <${'a'.repeat(5000)}`), 'WIRE_ERR_XML_MALFORMED');
    expect([err.line, err.column]).toEqual([3, 3]);
    expect(err.message).toMatch(/the markup "<aaa.*characters left out.*" is never closed with '>'/);
    expect(err.message.length).toBeLessThan(500);
  });

  test('parseXml keeps the message short when the element path itself is huge (a 100 000-character element name)', () => {
    const name = 'a'.repeat(100_000);
    const err = expectWireError(() => parseXml(`<?xml version="1.0"?>\n<presence><${name}>`), 'WIRE_ERR_XML_MALFORMED');
    expect(err.path).toMatch(/^\/presence\/aaa.*characters left out/);
    expect(err.message.length).toBeLessThan(800);
  });

  test('parseXml reads a version="1.1" document by the XML 1.0 rules (&#1;, legal in XML 1.1, stays forbidden)', () => {
    expect(parseXml('<?xml version="1.1"?><a>&#9;</a>').declaration?.version).toBe('1.1');
    expectWireError(() => parseXml('<?xml version="1.1"?><a>&#1;</a>'), 'WIRE_ERR_XML_BAD_REFERENCE');
  });
});

describe('parseXml: limits enforced where the text enters', () => {
  const nested = (depth: number): string => `${'<e>'.repeat(depth)}${'</e>'.repeat(depth)}`;

  test(`parseXml reads ${MAX_XML_DEPTH} nested elements and refuses ${MAX_XML_DEPTH + 1} at the start tag that goes too deep`, () => {
    expect(parseXml(nested(MAX_XML_DEPTH)).root.local).toBe('e');
    const err = expectWireError(() => parseXml(`<?xml version="1.0"?>\n${nested(MAX_XML_DEPTH + 1)}`), 'WIRE_ERR_XML_LIMIT');
    expect([err.line, err.column]).toEqual([2, 3 * MAX_XML_DEPTH + 1]);
    expect(err.path?.split('/e').length).toBe(MAX_XML_DEPTH + 2);
  });

  test('parseXml survives nesting far beyond the limit (a refusal, not a stack overflow)', () => {
    expectWireError(() => parseXml(nested(200_000)), 'WIRE_ERR_XML_LIMIT');
  });

  test(`parseXml refuses a document over ${MAX_XML_CHARS} characters before parsing it`, () => {
    const big = `<a>${'x'.repeat(MAX_XML_CHARS)}</a>`;
    expect(expectWireError(() => parseXml(big), 'WIRE_ERR_XML_LIMIT').message).toMatch(new RegExp(`${big.length} characters; at most ${MAX_XML_CHARS}`));
  });
});
