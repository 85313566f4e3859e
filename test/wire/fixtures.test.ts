/**
 * The shared RFC fixtures, decoded with assertions on real values.
 *
 * Interpretation of each MANIFEST entry (what "valid" means for it):
 * - pidf-*.xml and rpid-rfc4480-example.xml: complete PIDF documents; decode.
 * - rpid-rfc4480-example-verbatim.xml: printed with one space before `<?xml`,
 *   which XML 1.0 s.2.8 forbids; rejected (the derived copy fixes exactly that).
 * - *.xsd: XML Schemas printed in RFC 3863, not presence documents; decodePidf
 *   rejects them as "root is not <presence>".
 * - cpim-rfc3862-example1.cpim / .mime: the s.5.1 example as a transport body
 *   and as a complete MIME entity; both decode, and re-encode byte-for-byte.
 *   Its `Require: MyFeatures.VitalMessageOption` names a private feature, so a
 *   receiver decodes it only if it declares that it understands the feature.
 * - *-tagged.txt: RFC print format with m:/s:/h:/e:/x: line tags; not a wire
 *   document as-is (the decoder rejects the tagged text); after undoing the
 *   s.5 convention, the message/cpim part decodes.
 * - cpim-rfc3862-sec2.2-headers.txt: a bare message-header block; decoded with
 *   decodeCpimHeaders. sec2.4-content-tagged.txt: an encapsulated entity;
 *   decoded inside a message built from the s.2.2 headers.
 * - srv-*.txt, sip-*.txt: other formats (DNS zone, SIP flow); inspect rejects them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  WireError,
  decodeCpimHeaders,
  decodeCpimMessage,
  decodePidf,
  encodeCpimMessage,
  encodePidf,
  inspectText,
  type CpimMessage,
  type PidfDocument,
} from '../../sim/wire/index.js';
import { FIXTURES_DIR, listEdgeFixtures, readFixture, readFixtureBytes, readManifest, requireFixturesDir, untagRfc3862 } from './fixtures.js';
import { expectWireError } from './helpers.js';

type Disposition = 'pidf' | 'pidf-rejected' | 'cpim' | 'cpim-tagged' | 'cpim-headers' | 'cpim-content' | 'not-a-wire-document';

const MANIFEST_DISPOSITION: Record<string, Disposition> = {
  'pidf-rfc3863-sec4.2.2-prefixed.xml': 'pidf',
  'pidf-rfc3863-sec4.2.2-default-ns.xml': 'pidf',
  'pidf-rfc3863-sec4.2.4-location.xml': 'pidf',
  'pidf-rfc3863-example1.xml': 'pidf',
  'pidf-rfc3863-example2.xml': 'pidf',
  'pidf-rfc3863-example3.xml': 'pidf',
  'rpid-rfc4480-example.xml': 'pidf',
  'rpid-rfc4480-example-verbatim.xml': 'pidf-rejected',
  'pidf-rfc3863-sec4.2.5-location-extension.xsd': 'not-a-wire-document',
  'pidf-rfc3863-schema.xsd': 'not-a-wire-document',
  'cpim-rfc3862-example1.cpim': 'cpim',
  'cpim-rfc3862-example1.mime': 'cpim',
  'cpim-rfc3862-sec5.1-tagged.txt': 'cpim-tagged',
  'cpim-rfc3862-sec5.2-signed-tagged.txt': 'cpim-tagged',
  'cpim-rfc3862-sec2.2-headers.txt': 'cpim-headers',
  'cpim-rfc3862-sec2.4-content-tagged.txt': 'cpim-content',
  'sip-rfc3856-sec8-flow.txt': 'not-a-wire-document',
  'srv-rfc2782-fictional-zone.txt': 'not-a-wire-document',
};

/** Full name of the private feature required by the RFC 3862 s.5.1 example (namespace URI + name). */
const VITAL_OPTION = 'mid:MessageFeatures@id.foo.comVitalMessageOption';

function pidf(name: string): PidfDocument {
  return decodePidf(readFixture(name));
}

function cpim(name: string): CpimMessage {
  return decodeCpimMessage(readFixture(name), { understood: [VITAL_OPTION] });
}

describe('fixture folder and manifest', () => {
  test(`the shared RFC fixture folder exists (${FIXTURES_DIR}; override with IMPP_FIXTURES)`, () => {
    expect(() => requireFixturesDir()).not.toThrow();
  });

  test('every MANIFEST entry has a decided disposition, and no disposition is stale', () => {
    const files = readManifest().map((e) => e.file).sort();
    expect(files).toEqual(Object.keys(MANIFEST_DISPOSITION).sort());
  });

  test('every MANIFEST entry matches its recorded sha256 and byte count', () => {
    for (const entry of readManifest()) {
      const bytes = readFixtureBytes(entry.file);
      expect({ file: entry.file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({
        file: entry.file,
        bytes: entry.bytes,
        sha256: entry.sha256,
      });
    }
  });

  test('the invalid-and-edge folder holds exactly the files these tests classify', () => {
    expect(listEdgeFixtures()).toEqual(Object.keys(EDGE_EXPECTATIONS).sort());
  });
});

describe('PIDF fixtures from RFC 3863 and RFC 4480', () => {
  test('RFC 2779 3.1.3, 4.4.3: decodePidf reads the s.4.2.2 prefixed document (pidf-rfc3863-sec4.2.2-prefixed.xml)', () => {
    const doc = pidf('pidf-rfc3863-sec4.2.2-prefixed.xml');
    expect(doc).toEqual({
      entity: 'pres:someone@example.com',
      tuples: [
        {
          id: 'sg89ae',
          status: { basic: 'open', extensions: [] },
          contact: { uri: 'tel:+09012345678', priority: 0.8 },
          notes: [],
          extensions: [],
        },
      ],
      notes: [],
      extensions: [],
    });
  });

  test('decodePidf gives the same document for the default-namespace form (pidf-rfc3863-sec4.2.2-default-ns.xml)', () => {
    expect(pidf('pidf-rfc3863-sec4.2.2-default-ns.xml')).toEqual(pidf('pidf-rfc3863-sec4.2.2-prefixed.xml'));
  });

  test('RFC 2779 3.1.4, 3.1.5: decodePidf keeps a status value extension (pidf-rfc3863-sec4.2.4-location.xml)', () => {
    const doc = pidf('pidf-rfc3863-sec4.2.4-location.xml');
    const [tuple] = doc.tuples;
    expect(tuple?.id).toBe('ub93s3');
    expect(tuple?.status).toEqual({
      basic: 'open',
      extensions: [{ ns: 'urn:example-com:pidf-status-type', name: 'location', text: 'home', attributes: {}, children: [] }],
    });
    expect(tuple?.contact).toEqual({ uri: 'im:someone@example.com' });
    expect(doc.warnings).toBeUndefined();
  });

  test('RFC 2779 3.1.3, 4.4.1: decodePidf reads two tuples, status extensions, notes with languages and a timestamp (pidf-rfc3863-example1.xml)', () => {
    const doc = pidf('pidf-rfc3863-example1.xml');
    expect(doc.entity).toBe('pres:someone@example.com');
    expect(doc.tuples.map((t) => t.id)).toEqual(['bs35r9', 'eg92n8']);
    const [first, second] = doc.tuples;
    expect(first?.status.basic).toBe('open');
    expect(first?.status.extensions.map((e) => [e.ns, e.name, e.text])).toEqual([
      ['urn:ietf:params:xml:ns:pidf:im', 'im', 'busy'],
      ['http://id.example.com/presence/', 'location', 'home'],
    ]);
    expect(first?.contact).toEqual({ uri: 'im:someone@mobilecarrier.net', priority: 0.8 });
    expect(first?.notes).toEqual([
      { text: "Don't Disturb Please!", lang: 'en' },
      { text: "Ne derangez pas, s'il vous plait", lang: 'fr' },
    ]);
    expect(first?.timestamp).toBe('2001-10-27T16:49:29Z');
    expect(second?.contact).toEqual({ uri: 'mailto:someone@example.com', priority: 1 });
    expect(second?.timestamp).toBeUndefined();
    expect(doc.notes).toEqual([{ text: "I'll be in Tokyo next week" }]);
    expect(doc.warnings).toBeUndefined();
  });

  test('RFC 2779 3.1.4: decodePidf keeps tuple- and presentity-level extensions and collapses a wrapped contact (pidf-rfc3863-example2.xml)', () => {
    const doc = pidf('pidf-rfc3863-example2.xml');
    expect(doc.tuples.map((t) => t.id)).toEqual(['ck38g9', 'md66je']);
    expect(doc.tuples[0]?.extensions).toEqual([
      { ns: 'http://id.example.com/presence/', name: 'mytupletag', text: 'Extended value in tuple', attributes: {}, children: [] },
    ]);
    expect(doc.tuples[0]?.contact).toEqual({ uri: 'tel:+09012345678', priority: 0.65 });
    // The RFC wraps this contact onto a new line; xs:anyURI collapses the whitespace.
    expect(doc.tuples[1]?.contact).toEqual({ uri: 'im:someone@mobilecarrier.net', priority: 1 });
    expect(doc.extensions).toEqual([
      { ns: 'http://id.example.com/presence/', name: 'mytag', text: 'My extended presentity information', attributes: {}, children: [] },
    ]);
    expect(doc.warnings).toBeUndefined();
  });

  test('RFC 2779 3.1.5: decodePidf reports mustUnderstand and keeps the whole enclosing extension (pidf-rfc3863-example3.xml)', () => {
    const doc = pidf('pidf-rfc3863-example3.xml');
    const tuple = doc.tuples[0];
    expect(tuple?.id).toBe('tj25ds');
    expect(tuple?.contact).toEqual({ uri: 'tel:+09012345678', priority: 0.725 });
    expect(tuple?.extensions).toEqual([
      {
        ns: 'http://id.mycompany.com/presence/',
        name: 'complexExtension',
        attributes: {},
        children: [
          {
            ns: 'http://id.mycompany.com/presence/',
            name: 'ex1',
            text: 'val1',
            attributes: { '{urn:ietf:params:xml:ns:pidf}mustUnderstand': '1' },
            children: [],
          },
          { ns: 'http://id.mycompany.com/presence/', name: 'ex2', text: 'val2', attributes: {}, children: [] },
        ],
      },
    ]);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings?.[0]).toMatch(/myex:ex1 is marked mustUnderstand outside <status>/);
  });

  test('decodePidf decodes RPID person/device data generically (rpid-rfc4480-example.xml)', () => {
    const doc = pidf('rpid-rfc4480-example.xml');
    expect(doc.tuples.map((t) => t.id)).toEqual(['bs35r9', 'ty4658', 'eg92n8']);
    expect(doc.tuples.every((t) => t.status.basic === 'open')).toBe(true);
    expect(doc.tuples[0]?.timestamp).toBe('2005-10-27T16:49:29Z');
    expect(doc.tuples[1]?.extensions[0]).toEqual({
      ns: 'urn:ietf:params:xml:ns:pidf:rpid',
      name: 'relationship',
      attributes: {},
      children: [{ ns: 'urn:ietf:params:xml:ns:pidf:rpid', name: 'assistant', attributes: {}, children: [] }],
    });
    expect(doc.notes).toEqual([{ text: "I'll be in Tokyo next week" }]);
    const [device, person] = doc.extensions;
    expect([device?.name, device?.attributes['id']]).toEqual(['device', 'pc147']);
    expect(device?.children[0]).toEqual({
      ns: 'urn:ietf:params:xml:ns:pidf:rpid',
      name: 'user-input',
      text: 'idle',
      attributes: { 'idle-threshold': '600', 'last-input': '2004-10-21T13:20:00-05:00' },
      children: [],
    });
    expect(person?.ns).toBe('urn:ietf:params:xml:ns:pidf:data-model');
    const activities = person?.children.find((c) => c.name === 'activities');
    expect(activities?.attributes).toEqual({ from: '2005-05-30T12:00:00+05:00', until: '2005-05-30T17:00:00+05:00' });
    expect(activities?.children.map((c) => [c.name, c.text])).toEqual([
      ['note', 'Far away'],
      ['away', undefined],
    ]);
    const mood = person?.children.find((c) => c.name === 'mood');
    expect(mood?.children.map((c) => [c.name, c.text])).toEqual([
      ['angry', undefined],
      ['other', 'brooding'],
    ]);
    const placeType = person?.children.find((c) => c.name === 'place-type');
    expect(placeType?.children[0]).toMatchObject({ ns: 'urn:ietf:params:xml:ns:location-type', name: 'residence' });
    expect(doc.warnings).toBeUndefined();
  });

  test('decodePidf rejects the verbatim RPID example: whitespace before the XML declaration (rpid-rfc4480-example-verbatim.xml)', () => {
    const err = expectWireError(() => decodePidf(readFixture('rpid-rfc4480-example-verbatim.xml')), 'WIRE_ERR_XML_DECL_NOT_AT_START');
    expect(err.line).toBe(1);
    expect(err.column).toBe(2);
    expect(err.message).toMatch(/preceded by 1 whitespace/);
  });

  test('decodePidf rejects the RFC 3863 schemas as not being presence documents (pidf-rfc3863-schema.xsd, pidf-rfc3863-sec4.2.5-location-extension.xsd)', () => {
    for (const name of ['pidf-rfc3863-schema.xsd', 'pidf-rfc3863-sec4.2.5-location-extension.xsd']) {
      const err = expectWireError(() => decodePidf(readFixture(name)), 'WIRE_ERR_PIDF_NOT_PRESENCE');
      expect(err.message).toMatch(/<xs:schema> in namespace "http:\/\/www\.w3\.org\/2001\/XMLSchema"/);
      expect(err.path).toBe('/xs:schema');
    }
  });

  test('every decodable PIDF fixture survives encodePidf -> decodePidf unchanged (warnings aside)', () => {
    for (const [name, disposition] of Object.entries(MANIFEST_DISPOSITION)) {
      if (disposition !== 'pidf') continue;
      const { warnings: _warnings, ...doc } = pidf(name);
      const { warnings: _again, ...back } = decodePidf(encodePidf(doc));
      expect(back, name).toEqual(doc);
    }
  });
});

describe('message/cpim fixtures from RFC 3862', () => {
  function expectSec51(msg: CpimMessage, to: string): void {
    expect(msg.headers).toEqual([
      { kind: 'from', address: { name: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' } },
      { kind: 'to', address: { name: to, uri: 'im:eeyore@100akerwood.com' } },
      { kind: 'dateTime', value: '2000-12-13T13:40:00-08:00' },
      { kind: 'subject', text: 'the weather will be fine today' },
      { kind: 'subject', text: "beau temps prevu pour aujourd'hui", lang: 'fr' },
      { kind: 'ns', declaredPrefix: 'MyFeatures', uri: 'mid:MessageFeatures@id.foo.com' },
      { kind: 'require', names: ['MyFeatures.VitalMessageOption'] },
      { kind: 'extension', prefix: 'MyFeatures', name: 'VitalMessageOption', params: [], value: 'Confirmation-requested' },
      { kind: 'extension', prefix: 'MyFeatures', name: 'WackyMessageOption', params: [], value: 'Use-silly-font' },
    ]);
    expect(msg.content).toEqual({
      headers: [
        { name: 'Content-type', value: 'text/xml; charset=utf-8' },
        { name: 'Content-ID', value: '<1234567890@foo.com>' },
      ],
      body: '<body>\r\nHere is the text of my message.\r\n</body>\r\n',
    });
  }

  test('decodeCpimMessage reads the s.5.1 example in transport-body form (cpim-rfc3862-example1.cpim)', () => {
    const msg = cpim('cpim-rfc3862-example1.cpim');
    expect(msg.mime).toBeUndefined();
    expectSec51(msg, 'Depressed Donkey');
    expect(msg.warnings).toBeUndefined();
  });

  test('RFC 2779 4.1.10: decodeCpimMessage reads the s.5.1 example as a complete MIME entity (cpim-rfc3862-example1.mime)', () => {
    const msg = cpim('cpim-rfc3862-example1.mime');
    expect(msg.mime).toEqual([{ name: 'Content-type', value: 'Message/CPIM' }]);
    expectSec51(msg, 'Depressed Donkey');
  });

  test('decodeCpimMessage refuses the s.5.1 example when the receiver does not understand the required MyFeatures.VitalMessageOption (cpim-rfc3862-example1.cpim, .mime)', () => {
    const body = expectWireError(() => decodeCpimMessage(readFixture('cpim-rfc3862-example1.cpim')), 'WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED');
    expect([body.line, body.header]).toEqual([7, 'Require']);
    expect(body.message).toContain('MyFeatures.VitalMessageOption');
    const entity = expectWireError(() => decodeCpimMessage(readFixture('cpim-rfc3862-example1.mime')), 'WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED');
    expect(entity.line).toBe(9);
  });

  test('encodeCpimMessage reproduces both s.5.1 fixtures byte for byte (cpim-rfc3862-example1.cpim, .mime)', () => {
    for (const name of ['cpim-rfc3862-example1.cpim', 'cpim-rfc3862-example1.mime']) {
      expect(encodeCpimMessage(cpim(name))).toBe(readFixture(name));
    }
  });

  test('the tagged s.5.1 print form is not itself a message, and untagging it gives exactly the .mime fixture (cpim-rfc3862-sec5.1-tagged.txt)', () => {
    const tagged = readFixture('cpim-rfc3862-sec5.1-tagged.txt');
    const err = expectWireError(() => decodeCpimMessage(tagged), 'WIRE_ERR_CPIM_BAD_HEADER');
    expect(err.line).toBe(2);
    expect(untagRfc3862(tagged)).toBe(readFixture('cpim-rfc3862-example1.mime'));
  });

  test('the message/cpim part inside the s.5.2 multipart/signed example decodes (cpim-rfc3862-sec5.2-signed-tagged.txt)', () => {
    const tagged = readFixture('cpim-rfc3862-sec5.2-signed-tagged.txt');
    expectWireError(() => decodeCpimMessage(tagged), 'WIRE_ERR_CPIM_BAD_HEADER');
    const msg = decodeCpimMessage(untagRfc3862(tagged), { understood: [VITAL_OPTION] });
    expect(msg.mime).toEqual([{ name: 'Content-Type', value: 'Message/CPIM' }]);
    expectSec51(msg, 'Dopey Donkey');
  });

  test('decodeCpimHeaders reads the s.2.2 header examples and notes their bare LF line ends (cpim-rfc3862-sec2.2-headers.txt)', () => {
    const { headers, warnings } = decodeCpimHeaders(readFixture('cpim-rfc3862-sec2.2-headers.txt'));
    expect(headers).toEqual([
      { kind: 'to', address: { name: 'Pooh Bear', uri: 'im:pooh@100akerwood.com' } },
      { kind: 'from', address: { uri: 'im:piglet@100akerwood.com' } },
      { kind: 'dateTime', value: '2001-02-02T10:48:54-05:00' },
    ]);
    expect(warnings).toEqual(['line 1 and 2 other line(s) end with a bare LF; RFC 3862 requires CRLF line ends']);
  });

  test('the s.2.4 encapsulated entity decodes as the content of a message (cpim-rfc3862-sec2.4-content-tagged.txt)', () => {
    const headers = readFixture('cpim-rfc3862-sec2.2-headers.txt').replace(/\n/g, '\r\n');
    const content = untagRfc3862(readFixture('cpim-rfc3862-sec2.4-content-tagged.txt'));
    const msg = decodeCpimMessage(`${headers}\r\n${content}`);
    expect(msg.content).toEqual({
      headers: [
        { name: 'Content-Type', value: 'text/plain; charset=utf-8' },
        { name: 'Content-ID', value: '<1234567890@foo.com>' },
      ],
      body: 'This is my encapsulated text message content\r\n',
    });
    expect(msg.warnings).toBeUndefined();
  });

  test('inspectText rejects the non-IMPP fixtures as an unknown format (sip-rfc3856-sec8-flow.txt, srv-rfc2782-fictional-zone.txt)', () => {
    for (const name of ['sip-rfc3856-sec8-flow.txt', 'srv-rfc2782-fictional-zone.txt']) {
      const err = expectWireError(() => inspectText(readFixture(name)), 'WIRE_ERR_UNKNOWN_FORMAT');
      expect(err.line).toBe(1);
    }
  });
});

/** Per file of invalid-and-edge/: the exact error code, or a check of the decoded document. */
const EDGE_EXPECTATIONS: Record<string, { code: WireError['code']; path: string; line: number; mentions: RegExp } | ((doc: PidfDocument) => void)> = {
  'invalid-and-edge/edge-pidf-priority-out-of-range.xml': (doc) => {
    expect(doc.tuples[0]?.contact).toEqual({ uri: 'tel:+09012345678' });
    expect(doc.tuples[0]?.contact?.priority).toBeUndefined();
    expect(doc.warnings).toEqual([expect.stringMatching(/priority "1\.5" on \/presence\/tuple\/contact \(line 8\) is not a qvalue.*ignored/)]);
  },
  'invalid-and-edge/edge-pidf-two-tuples-open-closed.xml': (doc) => {
    expect(doc.tuples.map((t) => [t.id, t.status.basic, t.contact?.uri, t.contact?.priority])).toEqual([
      ['sg89ae', 'open', 'tel:+09012345678', 0.8],
      ['sg89af', 'closed', 'tel:+09012345678', 0.2],
    ]);
    expect(doc.warnings).toBeUndefined();
  },
  'invalid-and-edge/neg-pidf-basic-busy.xml': {
    code: 'WIRE_ERR_PIDF_BAD_BASIC',
    path: '/presence/tuple/status/basic',
    line: 6,
    mentions: /"open" or "closed", found "busy"/,
  },
  'invalid-and-edge/neg-pidf-duplicate-tuple-id.xml': {
    code: 'WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID',
    path: '/presence/tuple[2]',
    line: 10,
    mentions: /tuple id "sg89ae" is already used by \/presence\/tuple\[1\] \(line 4\)/,
  },
  'invalid-and-edge/neg-pidf-missing-entity.xml': {
    code: 'WIRE_ERR_PIDF_MISSING_ENTITY',
    path: '/presence',
    line: 2,
    mentions: /no entity attribute/,
  },
  'invalid-and-edge/neg-pidf-tuple-no-id.xml': {
    code: 'WIRE_ERR_PIDF_TUPLE_NO_ID',
    path: '/presence/tuple',
    line: 4,
    mentions: /<tuple> has no id attribute/,
  },
  'invalid-and-edge/neg-pidf-tuple-no-status.xml': {
    code: 'WIRE_ERR_PIDF_MISSING_STATUS',
    path: '/presence/tuple',
    line: 4,
    mentions: /tuple "sg89ae" has no <status>/,
  },
};

describe('invalid-and-edge fixtures', () => {
  for (const [name, expectation] of Object.entries(EDGE_EXPECTATIONS)) {
    if (typeof expectation === 'function') {
      test(`decodePidf accepts the edge case ${name.replace('invalid-and-edge/', '')}`, () => {
        expectation(decodePidf(readFixture(name)));
      });
    } else {
      test(`decodePidf rejects ${name.replace('invalid-and-edge/', '')} with ${expectation.code}`, () => {
        const err = expectWireError(() => decodePidf(readFixture(name)), expectation.code);
        expect(err.path).toBe(expectation.path);
        expect(err.line).toBe(expectation.line);
        expect(err.message).toMatch(expectation.mentions);
        expect(err.message).toContain(`at ${expectation.path}, line ${expectation.line}`);
        // inspect --strict reports the same error for the CLI; the lenient default reads the document
        // and lists the same rule as a violation, except for a missing entity, refused in both modes
        expectWireError(() => inspectText(readFixture(name), { mode: 'strict' }), expectation.code);
        if (expectation.code === 'WIRE_ERR_PIDF_MISSING_ENTITY') expectWireError(() => inspectText(readFixture(name)), expectation.code);
        else {
          const lenient = inspectText(readFixture(name));
          expect(lenient.kind === 'pidf' && lenient.violations.map((v) => [v.code, v.path, v.line])).toEqual([[expectation.code, expectation.path, expectation.line]]);
        }
      });
    }
  }
});
