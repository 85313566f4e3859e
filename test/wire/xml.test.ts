/**
 * The XML layer (sim/wire/xml.ts, on saxes) on the cases a differential run
 * between the former fast-xml-parser layer and saxes found: malformed XML
 * declarations and PI targets, and an `xmlns:` declaration with an empty
 * prefix; then the limits and the positions of errors.
 */
import { describe, expect, test } from 'vitest';
import { decodePidf } from '../../sim/wire/index.js';
import { parseXml } from '../../sim/wire/xml.js';
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
