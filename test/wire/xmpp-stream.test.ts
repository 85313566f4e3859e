/**
 * The streaming XMPP reader (sim/wire/xmpp-stream.ts): a client's view of a
 * server stream in the shape of the RFC 6120 s.9 examples, read whole and
 * byte by byte; restarts; stanza errors that leave the stream alive; the
 * stream errors of RFC 6120 s.4.9 and s.11 with their places.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { WireError, encodeXmpp, type XmppStanza } from '../../sim/wire/index.js';
import { XMPP_MAX_STANZA_CHARS, XMPP_STREAM_CLOSE, XmppStreamReader, encodeXmppStreamHeader, type XmppStreamEvent } from '../../sim/wire/xmpp-stream.js';
import { expectWireError } from './helpers.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream from='im.example.com' id='t7AMCin9zjMNwQKDnplntZPIDEI=' to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const FEATURES = "\n<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>";
const PRESENCE = "\n<presence from='romeo@example.net/orchard' xml:lang='cs'><show>away</show><status>brzy zpět</status><priority>5</priority></presence>";
const MESSAGE = "\n<message from='romeo@example.net/orchard' id='m1' type='chat'><body>Art thou not Romeo?</body><request xmlns='urn:xmpp:receipts'/></message>";
const ROSTER = "\n  <iq id='a78b4q6ha463' to='juliet@example.com/chamber' type='set'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='none'/></query></iq>";
const TRANSCRIPT = `${HEADER}${FEATURES}${PRESENCE} ${MESSAGE}${ROSTER}\n</stream:stream>`;

/** Events with the element trees reduced to what they say, for comparison. */
function summary(events: XmppStreamEvent[]): unknown[] {
  return events.map((e) => {
    // lang: the xml:lang in scope (the stream header's, RFC 6120 s.4.7.4, unless the stanza has its own)
    if (e.kind === 'stanza') return { kind: e.kind, at: [e.element.line, e.element.column], stanza: e.stanza?.stanza, error: e.error?.code, lang: e.element.lang };
    if (e.kind === 'element') return { kind: e.kind, at: [e.element.line, e.element.column], name: `{${e.element.ns}}${e.element.local}` };
    return e;
  });
}

function readAll(chunks: (string | Uint8Array)[], reader = new XmppStreamReader()): XmppStreamEvent[] {
  const events = chunks.flatMap((c) => reader.write(c));
  reader.end();
  return events;
}

describe('XmppStreamReader: a stream read element by element', () => {
  const expected = [
    {
      kind: 'header',
      header: {
        ns: 'jabber:client',
        from: 'im.example.com',
        to: 'juliet@im.example.com',
        id: 't7AMCin9zjMNwQKDnplntZPIDEI=',
        version: '1.0',
        lang: 'en',
        declaration: { version: '1.0' },
        line: 1,
        column: 22,
      },
    },
    { kind: 'element', at: [2, 1], name: '{http://etherx.jabber.org/streams}features' },
    { kind: 'stanza', at: [3, 1], stanza: { kind: 'presence', from: 'romeo@example.net/orchard', show: 'away', status: [{ text: 'brzy zpět' }], priority: 5 }, error: undefined, lang: 'cs' },
    { kind: 'stanza', at: [4, 1], stanza: { kind: 'message', from: 'romeo@example.net/orchard', id: 'm1', type: 'chat', body: [{ text: 'Art thou not Romeo?' }], receiptRequest: true }, error: undefined, lang: 'en' },
    {
      kind: 'stanza',
      at: [5, 3],
      stanza: { kind: 'iq', id: 'a78b4q6ha463', to: 'juliet@example.com/chamber', type: 'set', roster: [{ jid: 'nurse@example.com', subscription: 'none', groups: [] }] },
      error: undefined,
      lang: 'en',
    },
    { kind: 'close' },
  ];

  test('one chunk: the header, then features, presence, message and a roster push, each decoded with its line and column, then the close', () => {
    expect(summary(readAll([TRANSCRIPT]))).toEqual(expected);
  });

  test('byte by byte (a UTF-8 character split across chunks): the same events, each as soon as its end tag is read', () => {
    const bytes = new TextEncoder().encode(TRANSCRIPT);
    const reader = new XmppStreamReader();
    const seen: XmppStreamEvent[] = [];
    let presenceAt = -1;
    bytes.forEach((b, i) => {
      for (const e of reader.write(bytes.subarray(i, i + 1))) {
        seen.push(e);
        if (e.kind === 'stanza' && e.stanza?.stanza.kind === 'presence') presenceAt = i;
      }
    });
    reader.end();
    expect(summary(seen)).toEqual(expected);
    // the presence is reported at the '>' that ends </presence>, not later
    expect(presenceAt).toBe(new TextEncoder().encode(`${HEADER}${FEATURES}${PRESENCE}`).length - 1);
  });

  test("the simulator's encodeXmpp stanzas (no xmlns, as they travel) read back equal to what was encoded", () => {
    const stanzas: XmppStanza[] = [
      { kind: 'presence', from: 'a@example.com/r', status: [{ text: 'x & <y>' }], priority: -1 },
      { kind: 'presence', type: 'subscribe', to: 'b@example.org', status: [] },
      { kind: 'message', id: 'm7', to: 'b@example.org', type: 'chat', body: [{ text: 'hi' }], receiptRequest: true },
      { kind: 'message', from: 'b@example.org/r', to: 'a@example.com/r', body: [], receivedId: 'm7' },
      { kind: 'iq', type: 'set', id: 'push1', roster: [{ jid: 'b@example.org', subscription: 'both', groups: ['Friends'] }] },
    ];
    const header = HEADER.replace(" xml:lang='en'", '');
    const events = readAll([header, ...stanzas.map((s) => encodeXmpp(s)), '</stream:stream>']);
    expect(events.every((e) => e.kind !== 'stanza' || e.stanza?.warnings.length === 0)).toBe(true);
    expect(events.filter((e) => e.kind === 'stanza').map((e) => (e.kind === 'stanza' ? e.stanza?.stanza : undefined))).toEqual(stanzas);
  });

  test('a stanza the stanza decoder refuses comes with its error and the stream goes on', () => {
    const events = readAll([HEADER, "<presence><show>sleeping</show></presence>", PRESENCE, '</stream:stream>']);
    const [bad, good] = events.filter((e) => e.kind === 'stanza');
    expect(bad?.kind === 'stanza' && bad.error?.code).toBe('WIRE_ERR_XMPP_BAD_STANZA');
    expect(bad?.kind === 'stanza' && bad.error?.line).toBe(1);
    expect(good?.kind === 'stanza' && good.stanza?.stanza.kind).toBe('presence');
  });

  const SUCCESS = "\n<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";
  const SECOND = `${HEADER.replace("id='t7AMCin9zjMNwQKDnplntZPIDEI='", "id='second'")}\n<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`;
  const afterRestart = [
    { kind: 'header', header: expect.objectContaining({ id: 'second', line: 3, column: SUCCESS.length + 21 }) },
    { kind: 'element', at: [4, 1], name: '{http://etherx.jabber.org/streams}features' },
  ];

  test('restart after SASL success: a second header is read as a new stream, with positions counted from the start of the input', () => {
    const reader = new XmppStreamReader();
    reader.write(`${HEADER}${FEATURES}${SUCCESS}`);
    reader.restart();
    expect(summary(reader.write(SECOND))).toEqual(afterRestart);
    expect(reader.streamHeader?.id).toBe('second');
  });

  test('restartAfter: a capture holding both streams in one chunk restarts right after <success/>', () => {
    const reader = new XmppStreamReader({ restartAfter: (el) => el.local === 'success' });
    const events = summary(reader.write(`${HEADER}${FEATURES}${SUCCESS}${SECOND}`));
    expect(events.slice(3)).toEqual(afterRestart);
    expect(events.slice(0, 3).map((e) => (e as { kind: string }).kind)).toEqual(['header', 'element', 'element']);
    // without the option the second header is a nested <stream:stream> that never ends, and its declaration is refused
    expectWireError(() => new XmppStreamReader().write(`${HEADER}${FEATURES}${SUCCESS}${SECOND}`), 'WIRE_ERR_XML_DECL_NOT_AT_START');
  });

  test('a long stream keeps its positions right (line starts before each read stanza are dropped, line numbers keep counting)', () => {
    const reader = new XmppStreamReader();
    reader.write(HEADER);
    const lines: number[] = [];
    for (let i = 0; i < 1000; i++) {
      for (const e of reader.write(`\n\n  <presence id='p${i}'/>`)) if (e.kind === 'stanza') lines.push(e.element.line * 1000 + e.element.column);
    }
    expect(lines).toEqual(Array.from({ length: 1000 }, (_, i) => (3 + 2 * i) * 1000 + 3));
    expect((reader as unknown as { lines: { starts: number[] } }).lines.starts.length).toBeLessThan(4);
  });

  test('encodeXmppStreamHeader writes a header the reader reads back, and refuses values it would not', () => {
    const text = encodeXmppStreamHeader({ ns: 'jabber:server', from: 'a.example', to: 'b.example', id: 'x1', lang: 'en' });
    const [header, close] = readAll([text, XMPP_STREAM_CLOSE]);
    expect(header).toEqual({ kind: 'header', header: { ns: 'jabber:server', from: 'a.example', to: 'b.example', id: 'x1', version: '1.0', lang: 'en', declaration: { version: '1.0' }, line: 1, column: 22 } });
    expect(close).toEqual({ kind: 'close' });
    expect(readAll([encodeXmppStreamHeader()])[0]).toMatchObject({ header: { ns: 'jabber:client', version: '1.0' } });
    expectWireError(() => encodeXmppStreamHeader({ to: 'a b' }), 'WIRE_ERR_XMPP_BAD_VALUE');
    expectWireError(() => encodeXmppStreamHeader({ id: "x'1 2" }), 'WIRE_ERR_XMPP_BAD_VALUE');
    expectWireError(() => encodeXmppStreamHeader({ lang: 'not a tag' }), 'WIRE_ERR_XMPP_BAD_VALUE');
  });

  test('whitespace keep-alives between stanzas are accepted', () => {
    expect(readAll([HEADER, ' ', '\n', ' ', '</stream:stream>']).map((e) => e.kind)).toEqual(['header', 'close']);
  });
});

describe('XmppStreamReader: stream errors (RFC 6120 s.4.9, s.11) with their places', () => {
  test.each([
    ['a root that is not <stream:stream>', "<stream xmlns='jabber:client'>", /<stream> in "jabber:client", not <stream> in http:\/\/etherx.jabber.org\/streams.*invalid-namespace/, [1, 1]],
    ['a content namespace other than jabber:client or jabber:server', HEADER.replace("xmlns='jabber:client'", "xmlns='jabber:component:accept'"), /content namespace is "jabber:component:accept".*invalid-namespace/, [1, 22]],
    ['version 2.0', HEADER.replace("version='1.0' xml:lang", "version='2.0' xml:lang"), /version "2.0" is not 1.x.*unsupported-version/, [1, 22]],
    ['a comment between stanzas', `${HEADER}\n<!-- hi -->`, /a comment in an XMPP stream \(RFC 6120 s.11.1\).*restricted-xml/, [2, 1]],
    ['a processing instruction inside a stanza', `${HEADER}\n<presence><?pi x?></presence>`, /processing instruction.*restricted-xml/, [2, 11]],
    ['character data between stanzas', `${HEADER}\nhello<presence/>`, /character data "hello" between stanzas.*restricted-xml/, [2, 1]],
  ] as const)('write refuses %s', (_what, text, message, [line, column]) => {
    const err = expectWireError(() => new XmppStreamReader().write(text), 'WIRE_ERR_XMPP_BAD_STREAM');
    expect(err.message).toMatch(message);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  test('write refuses XML that is not well-formed inside a stanza, at the offending character with the element path, and then refuses all input', () => {
    const reader = new XmppStreamReader();
    reader.write(HEADER);
    const err = expectWireError(() => reader.write("\n<message><body>a</bdy></message>"), 'WIRE_ERR_XML_MALFORMED');
    // saxes closes <body> before it finds the mismatch, so the error is in <message>
    expect([err.line, err.column, err.path]).toEqual([2, 22, '/message']);
    expect(expectWireError(() => reader.write(PRESENCE), 'WIRE_ERR_XML_MALFORMED')).toBe(err);
  });

  test('an error in a later chunk is placed in the whole input, and quotes the reference from that chunk', () => {
    const reader = new XmppStreamReader();
    reader.write(HEADER);
    reader.write(PRESENCE);
    const err = expectWireError(() => reader.write("\n<message><body>a &nbsp; b</body></message>"), 'WIRE_ERR_XML_BAD_REFERENCE');
    expect([err.line, err.column, err.path]).toEqual([3, 23, '/message/body']);
    expect(err.message).toContain('"&nbsp;"');
  });

  test('write refuses an undefined entity and a namespace error with the codes of the document parser', () => {
    expectWireError(() => new XmppStreamReader().write(`${HEADER}<message><body>&nbsp;</body></message>`), 'WIRE_ERR_XML_BAD_REFERENCE');
    expectWireError(() => new XmppStreamReader().write(`${HEADER}<x:message/>`), 'WIRE_ERR_XML_NAMESPACE');
  });

  test('write refuses bytes that are not UTF-8', () => {
    const reader = new XmppStreamReader();
    reader.write(HEADER);
    expectWireError(() => reader.write(Uint8Array.of(0x3c, 0xff, 0x3e)), 'WIRE_ERR_NOT_UTF8');
  });

  test(`a stanza longer than the limit (default ${XMPP_MAX_STANZA_CHARS} characters) is refused, also while it is still arriving`, () => {
    const reader = new XmppStreamReader({ maxStanzaChars: 300 });
    reader.write(HEADER); // the header is within the limit too
    expect(reader.write(`<message><body>${'x'.repeat(268)}</body></message>`)).toHaveLength(1); // 300 characters
    const err = expectWireError(() => reader.write(`\n<message><body>${'x'.repeat(290)}`), 'WIRE_ERR_XMPP_BAD_STREAM');
    expect(err.message).toMatch(/exceeds 300 characters.*policy-violation/);
    expect([err.line, err.column]).toEqual([2, 1]);
    // a reference that never ends is bounded by the same limit
    const slow = new XmppStreamReader({ maxStanzaChars: 300 });
    slow.write(`${HEADER}<message><body>&`);
    expectWireError(() => slow.write('a'.repeat(400)), 'WIRE_ERR_XMPP_BAD_STREAM');
  });

  test('elements nested deeper than maxDepth inside a stanza are refused', () => {
    const reader = new XmppStreamReader({ maxDepth: 3 });
    reader.write(HEADER);
    expect(reader.write('<iq type="result" id="1"><a xmlns="x"><b/></a></iq>')).toHaveLength(1);
    expectWireError(() => reader.write('<iq type="result" id="2"><a xmlns="x"><b><c/></b></a></iq>'), 'WIRE_ERR_XML_LIMIT');
  });

  test('end refuses input cut inside the header or a stanza, and accepts a stream left open between stanzas', () => {
    const cut = new XmppStreamReader();
    cut.write(`${HEADER}<presence><show>`);
    expect(expectWireError(() => cut.end(), 'WIRE_ERR_XMPP_BAD_STREAM').message).toMatch(/ended inside a stanza/);
    const noHeader = new XmppStreamReader();
    noHeader.write('<stream:stream');
    expect(expectWireError(() => noHeader.end(), 'WIRE_ERR_XMPP_BAD_STREAM').message).toMatch(/before a complete stream header/);
    const open = new XmppStreamReader();
    open.write(`${HEADER}${PRESENCE}`);
    expect(() => open.end()).not.toThrow();
  });

  test('options are checked', () => {
    expect(() => new XmppStreamReader({ maxStanzaChars: 0 })).toThrow(RangeError);
    expect(new WireError('WIRE_ERR_XMPP_BAD_STREAM', 'x').code).toBe('WIRE_ERR_XMPP_BAD_STREAM');
  });
});

describe('XmppStreamReader: properties', () => {
  test('any split of the transcript into chunks (strings or bytes) gives the events of the whole', () => {
    const whole = summary(readAll([TRANSCRIPT]));
    const bytes = new TextEncoder().encode(TRANSCRIPT);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), fc.boolean(), (cuts, asBytes) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const chunks = points.slice(1).map((end, k) => bytes.subarray(points[k], end));
        // as strings, cut at code unit offsets of the text instead
        const text = points.slice(1).map((end, k) => TRANSCRIPT.slice(points[k], end));
        expect(summary(readAll(asBytes ? chunks : text))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  test('random damage to the transcript only ever raises WireError, never placed on a line before the damage (the header and each stanza start a line here; header errors point at its start)', () => {
    fc.assert(
      fc.property(fc.nat({ max: TRANSCRIPT.length - 1 }), fc.constantFrom('<', '>', '&', '"', "'", '/', '\u0000', '<!--', ']]>', 'x', '</a>', '<a>', ':'), (at, junk) => {
        const reader = new XmppStreamReader();
        try {
          reader.write(TRANSCRIPT.slice(0, at));
          reader.write(junk + TRANSCRIPT.slice(at));
          reader.end();
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          expect(e.line ?? 0, e.message).toBeGreaterThanOrEqual(TRANSCRIPT.slice(0, at).split('\n').length);
          expect(e.column ?? 0).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
