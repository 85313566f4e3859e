import { describe, expect, test } from 'vitest';
import { PIDF_NS, decodePidf, encodePidf, type PidfDocument } from '../../sim/wire/index.js';
import { OPEN_STATUS, expectWireError, pidfDoc, tupleXml } from './helpers.js';

const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';

describe('decodePidf: XML-level errors', () => {
  test('decodePidf rejects a document without an XML declaration (RFC 3863 s.4.1 MUST)', () => {
    const err = expectWireError(
      () => decodePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"/>'),
      'WIRE_ERR_PIDF_MISSING_XML_DECL',
    );
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/line 1/);
  });

  test('decodePidf rejects an encoding other than UTF-8 and warns when the encoding declaration is missing', () => {
    const latin = pidfDoc(tupleXml(OPEN_STATUS)).replace('UTF-8', 'ISO-8859-1');
    expect(expectWireError(() => decodePidf(latin), 'WIRE_ERR_XML_ENCODING').message).toMatch(/ISO-8859-1.*line 1/);
    const noEncoding = pidfDoc(tupleXml(OPEN_STATUS)).replace(' encoding="UTF-8"', '');
    expect(decodePidf(noEncoding).warnings).toEqual([expect.stringMatching(/no encoding declaration/)]);
  });

  test('decodePidf rejects unbalanced tags with the validator line and column', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(`  <tuple id="t1">\n    <status><basic>open</basic></status>\n`)), 'WIRE_ERR_XML_MALFORMED');
    expect(err.line).toBeGreaterThan(1);
    expect(err.message).toMatch(/not well-formed XML: .*line \d+, column \d+/);
  });

  test('decodePidf rejects a control character XML forbids, naming line and column', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note>a\u0001b</note>`))), 'WIRE_ERR_XML_INVALID_CHAR');
    expect([err.line, err.column]).toEqual([5, 12]);
    expect(err.message).toContain('U+0001');
  });

  test('decodePidf rejects an undefined entity reference at the element path (no DTD, only the five predefined entities)', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note>a&nbsp;b</note>`))), 'WIRE_ERR_XML_BAD_REFERENCE');
    expect(err.path).toBe('/presence/tuple/note');
    expect(err.message).toContain('&nbsp;');
  });

  test('decodePidf rejects entity names that are JavaScript property names (&__proto__; &constructor;)', () => {
    for (const ref of ['&__proto__;', '&constructor;', '&toString;']) {
      expectWireError(() => decodePidf(pidfDoc(`  <note>${ref}</note>`)), 'WIRE_ERR_XML_BAD_REFERENCE');
    }
  });

  test('decodePidf rejects a character reference to a forbidden character', () => {
    expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note>&#0;</note>`))), 'WIRE_ERR_XML_BAD_REFERENCE');
  });

  test('decodePidf rejects a DOCTYPE (no DTD processing)', () => {
    const text = pidfDoc(tupleXml(OPEN_STATUS)).replace('\n<presence', '\n<!DOCTYPE presence [<!ENTITY x "y">]>\n<presence');
    expect(expectWireError(() => decodePidf(text), 'WIRE_ERR_XML_DOCTYPE').line).toBe(2);
  });

  test('decodePidf rejects an unbound namespace prefix with the element path', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <ex:thing>1</ex:thing>`))), 'WIRE_ERR_XML_NAMESPACE');
    expect(err.path).toBe('/presence/tuple/ex:thing');
    expect(err.message).toMatch(/prefix "ex" is not bound/);
  });

  test('decodePidf rejects a second root element and text after the root', () => {
    expectWireError(() => decodePidf(`${pidfDoc(tupleXml(OPEN_STATUS))}<presence/>`), 'WIRE_ERR_XML_MALFORMED');
    expectWireError(() => decodePidf(`${pidfDoc(tupleXml(OPEN_STATUS))}junk`), 'WIRE_ERR_XML_MALFORMED');
  });

  test("decodePidf rejects '--' inside a comment and ']]>' in character data", () => {
    expectWireError(() => decodePidf(pidfDoc(`<!-- a -- b -->${tupleXml(OPEN_STATUS)}`)), 'WIRE_ERR_XML_MALFORMED');
    expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note>a]]>b</note>`))), 'WIRE_ERR_XML_MALFORMED');
  });

  test('decodePidf accepts a UTF-8 byte order mark and CRLF line ends (read as LF, XML 1.0 s.2.11)', () => {
    const text = `\uFEFF${pidfDoc(tupleXml(`${OPEN_STATUS}\n    <note>two\nlines</note>`))}`.replace(/\n/g, '\r\n');
    expect(decodePidf(text).tuples[0]?.notes).toEqual([{ text: 'two\nlines' }]);
  });
});

describe('decodePidf: RFC 3863 structure errors', () => {
  test('decodePidf rejects a root in the namespace with a stray trailing colon and says so', () => {
    const text = pidfDoc(tupleXml(OPEN_STATUS)).replace('xmlns="urn:ietf:params:xml:ns:pidf"', 'xmlns="urn:ietf:params:xml:ns:pidf:"');
    const err = expectWireError(() => decodePidf(text), 'WIRE_ERR_PIDF_NOT_PRESENCE');
    expect(err.message).toMatch(/stray trailing colon/);
    expect(err.path).toBe('/presence');
  });

  test('decodePidf rejects a relative entity URI (WIRE_ERR_PIDF_BAD_ENTITY)', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(OPEN_STATUS), 'entity="ada"')), 'WIRE_ERR_PIDF_BAD_ENTITY');
    expect(err.message).toMatch(/"ada" is not an absolute URI \(at \/presence, line 2/);
  });

  test('decodePidf rejects a tuple id that is not an NCName', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(OPEN_STATUS, '1abc'))), 'WIRE_ERR_PIDF_BAD_TUPLE_ID');
    expect(err.path).toBe('/presence/tuple');
  });

  test('decodePidf rejects a second <status>, <contact> or <timestamp> in one tuple', () => {
    const twoStatus = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n${OPEN_STATUS}`))), 'WIRE_ERR_PIDF_DUPLICATE_ELEMENT');
    expect(twoStatus.path).toBe('/presence/tuple/status[2]');
    const twoContacts = `${OPEN_STATUS}\n    <contact>im:a@b</contact>\n    <contact>im:c@d</contact>`;
    expect(expectWireError(() => decodePidf(pidfDoc(tupleXml(twoContacts))), 'WIRE_ERR_PIDF_DUPLICATE_ELEMENT').path).toBe('/presence/tuple/contact[2]');
    const twoBasic = '    <status><basic>open</basic><basic>closed</basic></status>';
    expect(expectWireError(() => decodePidf(pidfDoc(tupleXml(twoBasic))), 'WIRE_ERR_PIDF_DUPLICATE_ELEMENT').path).toBe('/presence/tuple/status/basic[2]');
  });

  test('decodePidf rejects an empty <status> and accepts one holding only an extension', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml('    <status/>'))), 'WIRE_ERR_PIDF_EMPTY_STATUS');
    expect(err.message).toMatch(/at \/presence\/tuple\/status, line 4/);
    const onlyExt = decodePidf(pidfDoc(tupleXml(`    <status><r:activities xmlns:r="${RPID}"><r:busy/></r:activities></status>`)));
    expect(onlyExt.tuples[0]?.status).toEqual({
      extensions: [{ ns: RPID, name: 'activities', attributes: {}, children: [{ ns: RPID, name: 'busy', attributes: {}, children: [] }] }],
    });
  });

  test('decodePidf rejects an empty or relative <contact>', () => {
    expect(expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <contact>  </contact>`))), 'WIRE_ERR_PIDF_BAD_CONTACT').message).toMatch(
      /<contact> is empty \(at \/presence\/tuple\/contact/,
    );
    expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <contact>someone</contact>`))), 'WIRE_ERR_PIDF_BAD_CONTACT');
  });

  test('decodePidf rejects timestamps that are not RFC 3339 with upper-case T and Z', () => {
    for (const bad of ['2001-10-27t16:49:29Z', '2001-10-27T16:49:29z', '2001-02-30T00:00:00Z', '2001-10-27T16:49:29', '27 Oct 2001']) {
      const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <timestamp>${bad}</timestamp>`))), 'WIRE_ERR_PIDF_BAD_TIMESTAMP');
      expect(err.path).toBe('/presence/tuple/timestamp');
    }
    const ok = decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <timestamp> 2001-10-27T16:49:29.5+09:00 </timestamp>`)));
    expect(ok.tuples[0]?.timestamp).toBe('2001-10-27T16:49:29.5+09:00');
  });

  test('decodePidf rejects an xml:lang that is not an RFC 3066 tag', () => {
    const err = expectWireError(() => decodePidf(pidfDoc('  <note xml:lang="en_US">hi</note>')), 'WIRE_ERR_PIDF_BAD_LANG');
    expect(err.path).toBe('/presence/note');
  });

  test('decodePidf rejects PIDF elements out of schema order (contact before status, tuple after note)', () => {
    const contactFirst = `    <contact>im:a@b</contact>\n${OPEN_STATUS}`;
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(contactFirst))), 'WIRE_ERR_PIDF_ELEMENT_ORDER');
    expect(err.message).toMatch(/<status> comes after <contact>; inside <tuple> the RFC 3863 s.4.4 order is status, extensions, contact, note, timestamp/);
    expect(err.path).toBe('/presence/tuple/status');
    const late = expectWireError(() => decodePidf(pidfDoc(`  <note>x</note>\n${tupleXml(OPEN_STATUS)}`)), 'WIRE_ERR_PIDF_ELEMENT_ORDER');
    expect(late.path).toBe('/presence/tuple');
  });

  test('decodePidf only warns about an extension placed after <contact> (the schema puts it before)', () => {
    const doc = decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <contact>im:a@b</contact>\n    <x:late xmlns:x="urn:x">1</x:late>`)));
    expect(doc.tuples[0]?.extensions).toEqual([{ ns: 'urn:x', name: 'late', text: '1', attributes: {}, children: [] }]);
    expect(doc.warnings).toEqual([expect.stringMatching(/extension \/presence\/tuple\/x:late \(line 6\) is placed after <contact>/)]);
  });

  test('decodePidf rejects a PIDF element where the schema does not allow it (<basic> directly in <tuple>)', () => {
    const err = expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <basic>open</basic>`))), 'WIRE_ERR_PIDF_UNEXPECTED_ELEMENT');
    expect(err.path).toBe('/presence/tuple/basic');
  });

  test('decodePidf rejects text inside <tuple> and elements inside <note>', () => {
    expectWireError(() => decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    stray text`))), 'WIRE_ERR_PIDF_UNEXPECTED_CONTENT');
    const err = expectWireError(() => decodePidf(pidfDoc('  <note>a<b xmlns="urn:x"/></note>')), 'WIRE_ERR_PIDF_UNEXPECTED_CONTENT');
    expect(err.path).toBe('/presence/note/b');
  });
});

describe('decodePidf: lenient parts (RFC 3863 SHOULDs and extensibility)', () => {
  test.each([
    ['0', 0],
    ['0.021', 0.021],
    ['0.5', 0.5],
    ['1.000', 1],
    ['1.', 1],
    [' 0.8 ', 0.8],
  ])('decodePidf reads contact priority %j as %d', (raw, value) => {
    const doc = decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <contact priority="${raw}">im:a@b</contact>`)));
    expect(doc.tuples[0]?.contact).toEqual({ uri: 'im:a@b', priority: value });
    expect(doc.warnings).toBeUndefined();
  });

  test.each(['1.5', '0.0001', '-0.1', '.5', 'high', '1.001', ''])('decodePidf ignores the invalid priority %j with a warning', (raw) => {
    const doc = decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <contact priority="${raw}">im:a@b</contact>`)));
    expect(doc.tuples[0]?.contact).toEqual({ uri: 'im:a@b' });
    expect(doc.warnings).toEqual([expect.stringContaining(`priority ${JSON.stringify(raw)} on /presence/tuple/contact (line 5)`)]);
  });

  test('decodePidf treats a status extension holding a mustUnderstand element as unrecognised, and warns', () => {
    const status = `    <status xmlns:p="${PIDF_NS}" xmlns:e="urn:ex"><basic>open</basic><e:complex><e:ex1 p:mustUnderstand="true">v</e:ex1></e:complex></status>`;
    const doc = decodePidf(pidfDoc(tupleXml(status)));
    expect(doc.tuples[0]?.status.basic).toBe('open');
    expect(doc.tuples[0]?.status.extensions[0]?.children[0]?.attributes).toEqual({ [`{${PIDF_NS}}mustUnderstand`]: 'true' });
    expect(doc.warnings).toEqual([expect.stringMatching(/status extension \/presence\/tuple\/status\/e:complex .* the whole <e:complex> is treated as unrecognised/)]);
  });

  test('decodePidf does not treat an unprefixed mustUnderstand (no namespace) or a false one as must-understand', () => {
    const status = `    <status xmlns:p="${PIDF_NS}" xmlns:e="urn:ex"><basic>open</basic><e:a mustUnderstand="1"/><e:b p:mustUnderstand="0"/></status>`;
    expect(decodePidf(pidfDoc(tupleXml(status))).warnings).toBeUndefined();
  });

  test('decodePidf keeps an unknown element of the PIDF namespace as an extension, with a warning', () => {
    const doc = decodePidf(pidfDoc(tupleXml(`${OPEN_STATUS}\n    <mood>sunny</mood>`)));
    expect(doc.tuples[0]?.extensions).toEqual([{ ns: PIDF_NS, name: 'mood', text: 'sunny', attributes: {}, children: [] }]);
    expect(doc.warnings).toEqual([expect.stringMatching(/unknown element \/presence\/tuple\/mood .* ignored with its content/)]);
  });

  test('decodePidf inherits xml:lang from ancestors and xml:lang="" clears it', () => {
    const doc = decodePidf(pidfDoc('  <note>hallo</note>\n  <note xml:lang="">raw</note>\n  <note xml:lang="fr">salut</note>', 'entity="pres:a@b" xml:lang="de"'));
    expect(doc.notes).toEqual([{ text: 'hallo', lang: 'de' }, { text: 'raw' }, { text: 'salut', lang: 'fr' }]);
  });

  test('decodePidf decodes references, CDATA and attribute-value normalisation', () => {
    const ext = '<x:e xmlns:x="urn:x" a="1&#10;2\n3 &amp; &quot;q&quot;">&lt;&#x41;&gt;<![CDATA[&raw;]]></x:e>';
    const doc = decodePidf(pidfDoc(`  <note>Tom &amp; Jerry &#8364;</note>\n  ${ext}`));
    expect(doc.notes).toEqual([{ text: 'Tom & Jerry \u20ac' }]);
    expect(doc.extensions).toEqual([{ ns: 'urn:x', name: 'e', text: '<A>&raw;', attributes: { a: '1\n2 3 & "q"' }, children: [] }]);
  });

  test('decodePidf keeps element and attribute names that are also JavaScript property names (toString, constructor, __proto__)', () => {
    const ext = '<toString xmlns="urn:x" constructor="1" __proto__="2"><constructor/><hasOwnProperty>v</hasOwnProperty></toString>';
    const doc = decodePidf(pidfDoc(`  ${ext}`));
    expect(doc.extensions).toEqual([
      {
        ns: 'urn:x',
        name: 'toString',
        attributes: { constructor: '1', ['__proto__']: '2' },
        children: [
          { ns: 'urn:x', name: 'constructor', attributes: {}, children: [] },
          { ns: 'urn:x', name: 'hasOwnProperty', text: 'v', attributes: {}, children: [] },
        ],
      },
    ]);
    expect(Object.keys(doc.extensions[0]?.attributes ?? {})).toEqual(['constructor', '__proto__']);
  });

  test('decodePidf accepts <basic> with surrounding whitespace, with a warning', () => {
    const doc = decodePidf(pidfDoc(tupleXml('    <status><basic> closed </basic></status>')));
    expect(doc.tuples[0]?.status.basic).toBe('closed');
    expect(doc.warnings).toEqual([expect.stringMatching(/surrounding whitespace; read as "closed"/)]);
  });

  test('decodePidf accepts a presence with no tuples (PIDF allows zero)', () => {
    expect(decodePidf('<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"/>')).toEqual({
      entity: 'pres:a@b',
      tuples: [],
      notes: [],
      extensions: [],
    });
  });
});

describe('encodePidf', () => {
  const doc: PidfDocument = {
    entity: 'pres:ada@example.com',
    tuples: [
      {
        id: 't-desk',
        status: {
          basic: 'open',
          extensions: [{ ns: 'urn:example-org:loc', name: 'room', text: 'lab & <2>', attributes: {}, children: [] }],
        },
        contact: { uri: 'im:ada@example.com', priority: 0.9 },
        notes: [{ text: 'At the bench', lang: 'en' }],
        timestamp: '2024-03-07T09:15:02Z',
        extensions: [
          {
            ns: RPID,
            name: 'class',
            text: 'work',
            attributes: { tag: 'a"b', [`{${PIDF_NS}}flag`]: 'x' },
            children: [],
          },
        ],
      },
    ],
    notes: [{ text: 'Slow on Thursdays' }],
    extensions: [],
  };

  test('encodePidf writes the declaration, PIDF as default namespace, schema order and escapes', () => {
    expect(encodePidf(doc)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:ns1="urn:example-org:loc" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:pidf="urn:ietf:params:xml:ns:pidf" entity="pres:ada@example.com">',
        '  <tuple id="t-desk">',
        '    <status>',
        '      <basic>open</basic>',
        '      <ns1:room>lab &amp; &lt;2&gt;</ns1:room>',
        '    </status>',
        '    <rpid:class tag="a&quot;b" pidf:flag="x">work</rpid:class>',
        '    <contact priority="0.9">im:ada@example.com</contact>',
        '    <note xml:lang="en">At the bench</note>',
        '    <timestamp>2024-03-07T09:15:02Z</timestamp>',
        '  </tuple>',
        '  <note>Slow on Thursdays</note>',
        '</presence>',
        '',
      ].join('\n'),
    );
    expect(decodePidf(encodePidf(doc))).toEqual(doc);
  });

  test('encodePidf keeps CR, TAB and LF in text and attributes across a round trip', () => {
    const tricky: PidfDocument = {
      entity: 'pres:a@b',
      tuples: [],
      notes: [{ text: ' a\r\nb\tc ]]> ' }],
      extensions: [{ ns: 'urn:x', name: 'e', attributes: { v: '\t1\r\n2 ' }, children: [], text: '\r' }],
    };
    expect(decodePidf(encodePidf(tricky))).toEqual(tricky);
  });

  test('encodePidf switches the default namespace for no-namespace and PIDF-namespace extensions', () => {
    const nested: PidfDocument = {
      entity: 'pres:a@b',
      tuples: [],
      notes: [],
      extensions: [
        {
          ns: '',
          name: 'plain',
          attributes: {},
          children: [{ ns: PIDF_NS, name: 'inner', attributes: {}, children: [], text: 'x' }],
        },
      ],
    };
    const xml = encodePidf(nested);
    expect(xml).toContain('<plain xmlns="">');
    expect(xml).toContain('<inner xmlns="urn:ietf:params:xml:ns:pidf">x</inner>');
    const { warnings, ...back } = decodePidf(xml);
    expect(back).toEqual(nested);
    // <inner> sits inside an extension, so it is not a stray PIDF element and draws no warning
    expect(warnings).toBeUndefined();
  });

  test('encodePidf refuses invalid documents with the structural path', () => {
    const base = (): PidfDocument => structuredClone(doc);
    const dup = base();
    dup.tuples.push({ ...structuredClone(doc.tuples[0]!) });
    expect(expectWireError(() => encodePidf(dup), 'WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID').path).toBe('/presence/tuple[2]');
    const empty = base();
    empty.tuples[0]!.status = { extensions: [] };
    expect(expectWireError(() => encodePidf(empty), 'WIRE_ERR_PIDF_EMPTY_STATUS').path).toBe('/presence/tuple[1]/status');
    const prio = base();
    prio.tuples[0]!.contact = { uri: 'im:a@b', priority: 0.1234 };
    expect(expectWireError(() => encodePidf(prio), 'WIRE_ERR_PIDF_BAD_CONTACT').path).toBe('/presence/tuple[1]/contact/@priority');
    const lang = base();
    lang.notes = [{ text: 'x', lang: '' }];
    expect(expectWireError(() => encodePidf(lang), 'WIRE_ERR_PIDF_BAD_LANG').path).toBe('/presence/note[1]');
    const ctl = base();
    ctl.notes = [{ text: 'nul\u0000' }];
    expect(expectWireError(() => encodePidf(ctl), 'WIRE_ERR_XML_INVALID_CHAR').message).toMatch(/U\+0000.*\/presence\/note\[1\]/);
    const badName = base();
    badName.extensions = [{ ns: 'urn:x', name: 'a b', attributes: {}, children: [] }];
    expectWireError(() => encodePidf(badName), 'WIRE_ERR_PIDF_BAD_EXTENSION');
    const xmlnsAttr = base();
    xmlnsAttr.extensions = [{ ns: 'urn:x', name: 'a', attributes: { xmlns: 'urn:y' }, children: [] }];
    expectWireError(() => encodePidf(xmlnsAttr), 'WIRE_ERR_PIDF_BAD_EXTENSION');
    const ts = base();
    ts.tuples[0]!.timestamp = '2024-03-07 09:15:02';
    expectWireError(() => encodePidf(ts), 'WIRE_ERR_PIDF_BAD_TIMESTAMP');
  });
});
