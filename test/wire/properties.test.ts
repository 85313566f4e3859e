/**
 * Property tests (fast-check):
 * (a) robustness: random strings and random mutations of every decodable
 *     fixture make the decoders and inspectText either succeed or throw a
 *     WireError, never anything else;
 * (b) round trips: decode(encode(x)) equals x for values built from the
 *     types, and whatever the decoder accepts re-encodes to the same value.
 * Run counts keep the whole folder within a few seconds.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  PIDF_NS,
  WireError,
  buildCpimMessage,
  decodeCpimHeaders,
  decodeCpimMessage,
  decodePidf,
  decodePidfDocument,
  encodeCpimMessage,
  encodePidf,
  escapeCpim,
  inspectText,
  type CpimMessage,
  type CpimMessageInput,
  type ExtensionElement,
  type PidfDocument,
  type PidfTuple,
} from '../../sim/wire/index.js';
import { readFixture, readWireFixture } from './fixtures.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** Multiply run counts for a deeper search, e.g. WIRE_PROPERTY_SCALE=50 npx vitest run test/wire/properties.test.ts */
const SCALE = Math.max(1, Number(process.env['WIRE_PROPERTY_SCALE'] ?? 1) || 1);
const runs = (n: number): { numRuns: number } => ({ numRuns: n * SCALE });

/** Call `fn`; anything thrown must be a WireError. Returns the value or undefined. */
function onlyWireErrors<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof WireError)) throw new Error(`non-WireError thrown: ${String(e)}`, { cause: e });
    expect(e.message.length).toBeGreaterThan(0);
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// (a) robustness
// ---------------------------------------------------------------------------

const PIDF_FIXTURES = [
  'pidf-rfc3863-sec4.2.2-prefixed.xml',
  'pidf-rfc3863-sec4.2.2-default-ns.xml',
  'pidf-rfc3863-sec4.2.4-location.xml',
  'pidf-rfc3863-example1.xml',
  'pidf-rfc3863-example2.xml',
  'pidf-rfc3863-example3.xml',
  'rpid-rfc4480-example.xml',
  'invalid-and-edge/edge-pidf-two-tuples-open-closed.xml',
];
const CPIM_FIXTURES = ['cpim-rfc3862-example1.cpim', 'cpim-rfc3862-example1.mime'];

/** Fragments that hit interesting states of both grammars. */
const SPLICES = [
  '<', '>', '&', '"', "'", ':', ';', '/', '=', '.', ',', ' ', '\t', '\n', '\r', '\r\n', '\r\n\r\n', '\\', '\\u00', '\u0000', '\uFEFF', '\u00e9', '\ud83d\ude00', '\ud800',
  '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!DOCTYPE x>', '&#0;', '&#x41;', '&lt;', '&bogus;', '&__proto__;',
  'xmlns:a="u"', 'xmlns=""', '<a>', '</a>', '<x:y/>', ' id="t1"', ' entity=""', '<tuple id="t9"><status/></tuple>',
  '<basic>busy</basic>', '<note xml:lang="?">x</note>', 'impp:mustUnderstand="1"', 'priority="7"', '<constructor/>',
  'NS: P <urn:x>', 'P.H: v', 'Require: P.H', 'From: <im:x@y>', 'To: x', 'DateTime: 2001-02-30T00:00:00Z', 'Subject:;lang= x',
  'Content-Type: message/cpim', 'Content-Type: text/plain', ' folded', '"quoted\\"', '<im:a@b>',
];

type Mutation =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'replace'; at: number; text: string }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'truncate'; at: number };

const spliceText = fc.oneof(fc.constantFrom(...SPLICES), fc.string({ unit: 'binary', maxLength: 3 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: spliceText }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: spliceText }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let t = text;
  for (const m of mutations) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    switch (m.op) {
      case 'insert':
        t = t.slice(0, at) + m.text + t.slice(at);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.length);
        break;
      case 'replace':
        t = t.slice(0, at) + m.text + t.slice(at + 1);
        break;
      case 'duplicate':
        t = t.slice(0, at + m.length) + t.slice(at, at + m.length) + t.slice(at + m.length);
        break;
      case 'truncate':
        t = t.slice(0, at);
        break;
    }
  }
  return t;
}

function decodeEverything(text: string): void {
  onlyWireErrors(() => decodePidf(text));
  onlyWireErrors(() => decodeCpimMessage(text));
  onlyWireErrors(() => decodeCpimMessage(text, { unknownRequire: 'warn' }));
  onlyWireErrors(() => decodeCpimHeaders(text));
  onlyWireErrors(() => inspectText(text));
}

describe('robustness: only WireError escapes the decoders', () => {
  test('random strings (ASCII and full Unicode) never make decodePidf, decodeCpimMessage, decodeCpimHeaders or inspectText throw anything but WireError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...SPLICES), maxLength: 30 })), (text) => {
        decodeEverything(text);
      }),
      runs(400),
    );
  });

  test('random mutations (insert, delete, replace, duplicate, truncate) of the PIDF fixtures only ever raise WireError', () => {
    const sources = PIDF_FIXTURES.map(readFixture);
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, mutations) => {
        const text = mutate(sources[i] ?? '', mutations);
        onlyWireErrors(() => decodePidf(text));
        onlyWireErrors(() => inspectText(text));
      }),
      runs(600),
    );
  });

  test('random mutations of the message/cpim fixtures only ever raise WireError', () => {
    const sources = CPIM_FIXTURES.map(readFixture);
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, mutations) => {
        const text = mutate(sources[i] ?? '', mutations);
        onlyWireErrors(() => decodeCpimMessage(text, { unknownRequire: 'ignore' }));
        onlyWireErrors(() => decodeCpimMessage(text));
        onlyWireErrors(() => inspectText(text));
      }),
      runs(600),
    );
  });

  test('whatever decodePidf accepts from a mutated fixture, encodePidf re-encodes to the same document', () => {
    const sources = PIDF_FIXTURES.map(readFixture);
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, mutations) => {
        const decoded = onlyWireErrors(() => decodePidf(mutate(sources[i] ?? '', mutations)));
        if (decoded === undefined) return;
        const { warnings: _w, ...doc } = decoded;
        const { warnings: _w2, ...again } = decodePidf(encodePidf(doc));
        expect(again).toEqual(doc);
      }),
      runs(400),
    );
  });

  test('whatever decodeCpimMessage accepts from a mutated fixture, encodeCpimMessage re-encodes to the same message', () => {
    const sources = CPIM_FIXTURES.map(readFixture);
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, mutations) => {
        const decoded = onlyWireErrors(() => decodeCpimMessage(mutate(sources[i] ?? '', mutations), { unknownRequire: 'ignore' }));
        if (decoded === undefined) return;
        const { warnings: _w, ...msg } = decoded;
        const { warnings: _w2, ...again } = decodeCpimMessage(encodeCpimMessage(msg), { unknownRequire: 'ignore' });
        expect(again).toEqual(msg);
      }),
      runs(400),
    );
  });

  test('lenient and strict agree on mutated PIDF (RFC and real-world fixtures): strict refuses exactly what lenient reads with violations, with the code of the first, and each violation is a warning naming its RFC 3863 section', () => {
    const sources = [...PIDF_FIXTURES.map(readFixture), ...['pidf-note-before-tuple.xml', 'pidf-tuple-id-digit.xml', 'pidf-status-after-contact.xml'].map(readWireFixture)];
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 3 }), (i, mutations) => {
        const text = mutate(sources[i] ?? '', mutations);
        const lenient = onlyWireErrors(() => decodePidfDocument(text, { mode: 'lenient' }));
        let strictError: WireError | undefined;
        try {
          decodePidfDocument(text, { mode: 'strict' });
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          strictError = e;
        }
        if (lenient === undefined) {
          expect(strictError).toBeDefined();
          return;
        }
        expect(strictError?.code).toBe(lenient.violations[0]?.code);
        for (const v of lenient.violations) {
          expect(v.rfc).toMatch(/^RFC 3863 s\.4\.[14]( and s\.4\.4)?$/);
          expect(lenient.warnings).toContainEqual(expect.stringContaining(`violates ${v.rfc}: ${v.message}`));
        }
      }),
      runs(400),
    );
  });
});

// ---------------------------------------------------------------------------
// (b) round trips from generated values
// ---------------------------------------------------------------------------

const isXmlChar = (s: string): boolean => !/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s);
const xmlChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', '\r', '<', '>', '&', '"', "'", ']', '\u00e9', '\u20ac', '\ud83d\ude00') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter(isXmlChar) },
);
const xmlText = fc.string({ unit: xmlChar, maxLength: 12 });
const nonEmptyXmlText = fc.string({ unit: xmlChar, minLength: 1, maxLength: 12 });
const xmlTrim = (s: string): string => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
const ncName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,7}$/).filter((n) => n !== 'xmlns');
const uri = fc
  .tuple(fc.constantFrom('im', 'pres', 'sip', 'tel', 'mailto'), fc.stringMatching(/^[a-z0-9+._-]{1,8}$/), fc.stringMatching(/^[a-z0-9-]{1,8}$/))
  .map(([scheme, user, domain]) => `${scheme}:${user}@${domain}.example`);
const langTag = fc.constantFrom('en', 'fr', 'de-CH', 'zh-Hant-TW', 'i-default', 'x-klingon');
const timestamp = fc
  .tuple(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), fc.constantFrom('Z', '+00:00', '-08:00', '+05:30'))
  .map(([d, zone]) => d.toISOString().replace('Z', zone));
const extNamespace = fc.constantFrom('urn:ietf:params:xml:ns:pidf:rpid', 'urn:ietf:params:xml:ns:pidf:data-model', 'urn:x-test:a', 'http://example.com/ns?a=1&b="2"', '');
const attrKey = fc.oneof(
  ncName,
  fc.tuple(fc.constantFrom('urn:x-test:attr', XML_NS), ncName).map(([ns, local]) => `{${ns}}${local}`),
);

const extension: fc.Arbitrary<ExtensionElement> = fc.letrec<{ ext: ExtensionElement }>((tie) => ({
  ext: fc
    .record({
      ns: extNamespace,
      name: ncName,
      attributes: fc.dictionary(attrKey, xmlText, { maxKeys: 3 }),
      children: fc.oneof({ depthSize: 'small' }, fc.constant<ExtensionElement[]>([]), fc.array(tie('ext'), { maxLength: 3 })),
      text: fc.option(nonEmptyXmlText, { nil: undefined }),
    })
    .map(({ text, ...rest }) => {
      // Mixed-content text is trimmed by the decoder; a leaf keeps its text verbatim.
      const kept = text === undefined ? undefined : rest.children.length > 0 ? xmlTrim(text) : text;
      return kept === undefined || kept === '' ? rest : { ...rest, text: kept };
    }),
})).ext;

const note = fc.record({ text: xmlText, lang: fc.option(langTag, { nil: undefined }) }).map(({ text, lang }) => (lang === undefined ? { text } : { text, lang }));

const tuple: fc.Arbitrary<PidfTuple> = fc
  .record({
    id: ncName,
    basic: fc.option(fc.constantFrom('open' as const, 'closed' as const), { nil: undefined }),
    statusExtensions: fc.array(extension, { maxLength: 2 }),
    contact: fc.option(fc.record({ uri, priority: fc.option(fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), { nil: undefined }) }), { nil: undefined }),
    notes: fc.array(note, { maxLength: 2 }),
    timestamp: fc.option(timestamp, { nil: undefined }),
    extensions: fc.array(extension, { maxLength: 2 }),
  })
  .map(({ id, basic, statusExtensions, contact, notes, timestamp: ts, extensions }) => {
    const t: PidfTuple = { id, status: { extensions: statusExtensions }, notes, extensions };
    // <status> needs at least one child
    if (basic !== undefined || statusExtensions.length === 0) t.status.basic = basic ?? 'open';
    if (contact !== undefined) t.contact = contact.priority === undefined ? { uri: contact.uri } : contact;
    if (ts !== undefined) t.timestamp = ts;
    return t;
  });

const pidfDocument: fc.Arbitrary<PidfDocument> = fc.record({
  entity: uri,
  tuples: fc.uniqueArray(tuple, { selector: (t) => t.id, maxLength: 4 }),
  notes: fc.array(note, { maxLength: 2 }),
  extensions: fc.array(extension, { maxLength: 3 }),
});

// message/cpim
const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+^_`|~.-]{1,8}$/);
const anyText = fc.string({ unit: 'binary', maxLength: 16 });
const formalName = fc.option(fc.oneof(token, fc.array(token, { minLength: 2, maxLength: 3 }).map((t) => t.join(' ')), anyText), { nil: undefined });
const address = fc.record({ name: formalName, uri }).map(({ name, uri: u }) => (name === undefined ? { uri: u } : { name, uri: u }));
const noEdgeSpaces = (s: string): boolean => !s.startsWith(' ') && !s.endsWith(' ');
const rawValue = fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', '"', '\\', '<', ';', '\u00e9', '\ud83d\ude00'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 16 })
  .filter((s) => noEdgeSpaces(s) && !/[\x00-\x1F\x7F]/.test(s));
const mimeValue = fc.stringMatching(/^[!-~]([ -~]{0,14}[!-~])?$/);
const prefixName = fc.constantFrom('Sim', 'My-Features', 'X1');
const extName = fc.stringMatching(/^X-[A-Za-z0-9]{1,6}$/);
const param = fc.record({
  name: fc.stringMatching(/^[a-z]{1,5}$/),
  value: fc.oneof(token, anyText.map((s) => `"${escapeCpim(s, true)}"`)),
});

const cpimMessage: fc.Arbitrary<CpimMessage> = fc
  .record({
    from: address,
    to: fc.array(address, { minLength: 1, maxLength: 2 }),
    cc: fc.array(address, { maxLength: 2 }),
    dateTime: fc.option(timestamp, { nil: undefined }),
    subjects: fc.uniqueArray(
      fc.record({ text: anyText.filter(noEdgeSpaces), lang: fc.option(langTag, { nil: undefined }) }),
      { selector: (s) => s.lang ?? '', maxLength: 3 },
    ),
    namespaces: fc.uniqueArray(fc.record({ prefix: prefixName, uri: uri.map((u) => `urn:x-ns:${u.replace(/[^a-z0-9.-]/g, '')}:`) }), { selector: (n) => n.prefix, maxLength: 2 }),
    extensions: fc.array(fc.record({ usePrefix: fc.boolean(), name: extName, params: fc.array(param, { maxLength: 2 }), value: rawValue }), { maxLength: 3 }),
    requireCore: fc.subarray(['DateTime', 'Subject', 'From']),
    contentType: fc.constantFrom('text/plain; charset=utf-8', 'application/pidf+xml', 'text/xml; charset="utf-8"'),
    contentHeaders: fc.array(fc.record({ name: fc.constantFrom('Content-ID', 'Content-Language', 'X-Note'), value: mimeValue }), { maxLength: 2 }),
    body: fc.string({ unit: 'binary', maxLength: 40 }),
    envelope: fc.boolean(),
  })
  .map((r) => {
    const prefixes = r.namespaces.map((n) => n.prefix);
    const extensions = r.extensions.map((x, i) => {
      const prefix = x.usePrefix && prefixes.length > 0 ? prefixes[i % prefixes.length] : undefined;
      return prefix === undefined ? { name: x.name, params: x.params, value: x.value } : { prefix, name: x.name, params: x.params, value: x.value };
    });
    const input: CpimMessageInput = {
      from: r.from,
      to: r.to,
      cc: r.cc,
      subjects: r.subjects.map((s) => (s.lang === undefined ? { text: s.text } : { text: s.text, lang: s.lang })),
      namespaces: r.namespaces,
      require: [...r.requireCore, ...extensions.map((x) => (x.prefix === undefined ? x.name : `${x.prefix}.${x.name}`))],
      extensions,
      contentType: r.contentType,
      contentHeaders: r.contentHeaders,
      body: r.body,
      envelope: r.envelope,
    };
    if (r.dateTime !== undefined) input.dateTime = r.dateTime;
    return buildCpimMessage(input);
  });

describe('round trips', () => {
  test('RFC 2779 3.1.1: decodePidf(encodePidf(doc)) deep-equals doc for generated documents (tuples, notes, nested extensions, namespaced attributes)', () => {
    fc.assert(
      fc.property(pidfDocument, (doc) => {
        expect(decodePidf(encodePidf(doc))).toEqual(doc);
      }),
      runs(300),
    );
  });

  test('RFC 2779 4.1.1, 4.1.4, 5.4.8: decodeCpimMessage(encodeCpimMessage(msg)) deep-equals msg for generated messages (names, escapes, namespaces, parameters, envelope)', () => {
    fc.assert(
      fc.property(cpimMessage, (msg) => {
        expect(decodeCpimMessage(encodeCpimMessage(msg), { unknownRequire: 'ignore' })).toEqual(msg);
      }),
      runs(300),
    );
  });

  test('extension elements in the PIDF namespace inside an extension survive a round trip', () => {
    const doc: PidfDocument = {
      entity: 'pres:a@b',
      tuples: [],
      notes: [],
      extensions: [{ ns: 'urn:x', name: 'wrap', attributes: {}, children: [{ ns: PIDF_NS, name: 'note', attributes: {}, children: [], text: 'inner' }] }],
    };
    expect(decodePidf(encodePidf(doc))).toEqual(doc);
  });
});
