/**
 * `inspect` on a captured XMPP stream (sim/wire/xmpp-transcript.ts): a
 * server-to-client capture in the shape of RFC 6120 s.9.1 (features, SASL
 * success, the restarted stream, resource binding, presence and messages),
 * detected by its <stream:stream> root.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { detectWireFormat, inspectFile, inspectText } from '../../sim/wire/index.js';
import { expectWireError } from './helpers.js';

const STREAM = "<stream:stream from='im.example.com' id='++TR84Sm6A3hnt3Q065SnAbbk3Y=' to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const CAPTURE = [
  `<?xml version='1.0'?>${STREAM}`,
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
  "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289</success>",
  `<?xml version='1.0'?>${STREAM.replace('++TR84Sm6A3hnt3Q065SnAbbk3Y=', 'gPybzaOzBmaADgxKXu9UClbprp0=')}`,
  "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
  "<iq id='tn281v37' type='result'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>juliet@im.example.com/balcony</jid></bind></iq>",
  "<presence from='romeo@example.net/orchard'><show>chat</show></presence>",
  "<message from='romeo@example.net/orchard' id='m2' type='chat'><body>I am here</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  "<presence from='nurse@example.com/kitchen'><priority>500</priority></presence>",
].join('\n');

describe('inspect: a captured XMPP stream', () => {
  test('detectWireFormat recognises the <stream:stream> root', () => {
    expect(detectWireFormat(CAPTURE)).toBe('xmpp-stream');
  });

  test('inspectText lists both streams (the restart after SASL success), each element and stanza with its line, and the stanza refused by the decoder', () => {
    const r = inspectText(CAPTURE);
    if (r.kind !== 'xmpp-stream') throw new Error(`kind ${r.kind}`);
    expect(r.entries.map((e) => (e.kind === 'header' ? `header ${e.header.id} @${e.header.line}` : e.kind === 'close' ? 'close' : `${e.kind} ${'name' in e ? e.name : e.stanza.kind} @${e.line}`))).toEqual([
      'header ++TR84Sm6A3hnt3Q065SnAbbk3Y= @1',
      'element stream:features @2',
      'element success @3',
      'header gPybzaOzBmaADgxKXu9UClbprp0= @4',
      'element stream:features @5',
      'stanza iq @6',
      'stanza presence @7',
      'stanza message @8',
      'stanza-error presence @9',
    ]);
    expect(r.entries[7]).toMatchObject({ kind: 'stanza', stanza: { kind: 'message', id: 'm2', body: [{ text: 'I am here' }] } });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^line 6: extension \/iq\/bind .*xmpp-bind.*not understood/),
      expect.stringMatching(/^line 8: extension \/message\/active .*chatstates.*not understood/),
      expect.stringMatching(/^line 9: <presence> refused: <priority> "500" is not an integer in -128\.\.127/),
    ]);
  });

  test('inspectText refuses a capture cut inside a stanza, and a stream error, with the line', () => {
    expect(expectWireError(() => inspectText(`${CAPTURE}\n<message><body>`), 'WIRE_ERR_XMPP_BAD_STREAM').line).toBe(10);
    expect(expectWireError(() => inspectText(`${CAPTURE}\n<!-- x -->`), 'WIRE_ERR_XMPP_BAD_STREAM').line).toBe(10);
  });

  const dir = mkdtempSync(join(tmpdir(), 'impp-xmpp-capture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('inspectFile reads a capture from a file (what `impp-sim inspect capture.xml` prints)', async () => {
    const file = join(dir, 'capture.xml');
    writeFileSync(file, `${CAPTURE}\n</stream:stream>\n`);
    const r = await inspectFile(file);
    expect(r.kind === 'xmpp-stream' && r.entries.at(-1)).toEqual({ kind: 'close' });
  });
});
