/**
 * A streaming reader for XMPP (RFC 6120 s.4): bytes or text in as they arrive
 * from a socket, the stream header and then each first-level element out, one
 * by one, as soon as its end tag has been read, with the line and column
 * where it starts. Built on saxes (strict, namespace-aware), with the same
 * element tree, nesting limit and error codes as the document parser
 * (xml.ts), plus the stream's own rules.
 *
 * API:
 *
 *   socket.write(encodeXmppStreamHeader({ to: 'example.com', lang: 'en' }));   // our side
 *   const reader = new XmppStreamReader();          // or { maxStanzaChars, maxDepth }
 *   socket.on('data', (chunk) => {
 *     for (const event of reader.write(chunk)) handle(event);  // throws WireError on a broken stream
 *   });
 *   reader.restart();   // after SASL success or STARTTLS, before the peer's new header (RFC 6120 s.4.3.3)
 *   // or, where one chunk may hold both (a captured transcript), let the reader restart itself:
 *   new XmppStreamReader({ restartAfter: (el) => el.local === 'success' || el.local === 'proceed' });
 *   reader.end();       // at end of input: throws when it ends inside the header or a stanza
 *   socket.end(XMPP_STREAM_CLOSE);
 *
 * Events (XmppStreamEvent), in input order:
 * - `{ kind: 'header', header }`: the peer's `<stream:stream>` start tag:
 *   content namespace (jabber:client or jabber:server), from, to, id,
 *   version, xml:lang, the XML declaration if any, and the position;
 * - `{ kind: 'stanza', element, stanza?, error? }`: presence, message or iq
 *   in the content namespace, decoded by the stanza decoder (xmpp.ts); a
 *   stanza the decoder refuses comes with `error` instead of `stanza`, and
 *   the stream reading goes on (RFC 6120 s.8.3: a stanza error, not a stream
 *   error);
 * - `{ kind: 'element', element }`: any other first-level element
 *   (stream:features, SASL, STARTTLS, stream:error...), as an element tree;
 * - `{ kind: 'close' }`: the peer's `</stream:stream>`.
 *
 * `write` throws WireError, and the reader refuses all later input, when the
 * stream breaks a rule that RFC 6120 answers with a stream error: input that
 * is not UTF-8 (s.11.6) or not well-formed XML (s.4.9.3.13), a root other than
 * `stream` in http://etherx.jabber.org/streams or a content namespace other
 * than jabber:client / jabber:server (s.4.9.3.10), a version whose major number
 * is not 1 (s.4.9.3.25), comments, processing instructions, a DOCTYPE or
 * character data between stanzas (restricted XML, s.11.1; whitespace
 * keep-alives are fine), a stanza longer than `maxStanzaChars` (s.13.12
 * item 4, policy-violation) or nested deeper than `maxDepth`.
 *
 * Positions (1-based line and column) count from the start of the input,
 * across restarts.
 */
import { SaxesParser, type SaxesTagNS, type XMLDecl } from 'saxes';
import { WireError } from './errors.js';
import { isXmlWhitespace, xmlTrim } from './xml-chars.js';
import { wireErrorFromSaxes } from './xml-errors.js';
import { LineTracker } from './xml-positions.js';
import { MAX_XML_DEPTH, XmlTreeBuilder, type XmlElement } from './xml-tree.js';
import { SAXES_OPTIONS, type XmlDeclaration } from './xml.js';
import { readStreamHeader, streamError, type XmppStreamHeader } from './xmpp-stream-header.js';
import { decodeXmppXml, type XmppDecoded } from './xmpp.js';

export { XMPP_STREAMS_NS, XMPP_STREAM_CLOSE, encodeXmppStreamHeader, type XmppStreamHeader, type XmppStreamHeaderInput } from './xmpp-stream-header.js';

/** Default longest stanza, in characters (what common servers allow a client; RFC 6120 s.13.12 leaves it to deployments). */
export const XMPP_MAX_STANZA_CHARS = 256 * 1024;

export type XmppStreamEvent =
  | { kind: 'header'; header: XmppStreamHeader }
  | { kind: 'stanza'; element: XmlElement; stanza?: XmppDecoded; error?: WireError }
  | { kind: 'element'; element: XmlElement }
  | { kind: 'close' };

export interface XmppStreamOptions {
  maxStanzaChars?: number;
  maxDepth?: number;
  /** Restart the stream right after a first-level element for which this holds (the rest of the chunk is read as the new stream). */
  restartAfter?: (element: XmlElement) => boolean;
}

/** Thrown out of saxes to stop reading a chunk at a restart point. */
const RESTART = Symbol('restart');

const STANZA_NAMES = new Set(['presence', 'message', 'iq']);

export class XmppStreamReader {
  private readonly maxStanzaChars: number;
  private readonly maxDepth: number;
  private readonly restartAfter: ((element: XmlElement) => boolean) | undefined;
  private parser!: SaxesParser<typeof SAXES_OPTIONS>;
  /** Characters of the input consumed by earlier streams (before the last restart). */
  private base = 0;
  private readonly lines = new LineTracker();
  private builder!: XmlTreeBuilder;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private header: XmppStreamHeader | undefined;
  private declaration: XmlDeclaration | undefined;
  private events: XmppStreamEvent[] = [];
  /** Offset where the current stanza, or the gap since the last one, began (for the size limit). */
  private boundary = 0;
  private chunk = '';
  private chunkStart = 0;
  private failed: WireError | undefined;
  /** Offset of the `<` of the stream header. */
  private streamStart = 0;
  /** Set by a restart until the new stream's first markup. */
  private restarted = false;

  constructor(options: XmppStreamOptions = {}) {
    this.maxStanzaChars = options.maxStanzaChars ?? XMPP_MAX_STANZA_CHARS;
    this.maxDepth = options.maxDepth ?? MAX_XML_DEPTH;
    this.restartAfter = options.restartAfter;
    if (!(this.maxStanzaChars >= 1) || !(this.maxDepth >= 1)) throw new RangeError('XmppStreamReader: maxStanzaChars and maxDepth must be at least 1');
    this.reset(0, false);
  }

  /** The header of the current stream, once read. */
  get streamHeader(): XmppStreamHeader | undefined {
    return this.header;
  }

  /** Forget the current stream and expect a new header (RFC 6120 s.4.3.3 stream restart). */
  restart(): void {
    if (this.failed !== undefined) throw this.failed;
    this.reset(this.lines.length, true);
  }

  /** Feed the next chunk; returns the events it completed. */
  write(chunk: string | Uint8Array): XmppStreamEvent[] {
    if (this.failed !== undefined) throw this.failed;
    try {
      let text = typeof chunk === 'string' ? chunk : this.decodeBytes(chunk);
      this.lines.feed(text);
      for (;;) {
        text = this.skipSpaceAfterRestart(text);
        this.chunkStart = this.lines.length - text.length;
        this.chunk = text;
        try {
          this.parser.write(text);
          break;
        } catch (e) {
          if (e !== RESTART) throw e;
          const used = this.pos - this.chunkStart; // inside the handler that threw: exact
          this.reset(this.pos, true);
          text = text.slice(used);
        }
      }
      this.checkSize(this.boundary, this.lines.length);
    } catch (e) {
      this.failed = this.asWireError(e);
      throw this.failed;
    }
    const out = this.events;
    this.events = [];
    return out;
  }

  /** End of input: throws WireError when it comes inside the header or a stanza. */
  end(): void {
    if (this.failed !== undefined) throw this.failed;
    const tail = this.decoder.decode();
    if (tail !== '' || this.builder.depth > 0 || this.header === undefined) {
      const where = this.lines.at(this.lines.length);
      this.failed = new WireError('WIRE_ERR_XMPP_BAD_STREAM', this.header === undefined ? 'the input ended before a complete stream header' : 'the input ended inside a stanza', where);
      throw this.failed;
    }
  }

  /** Global offset of the parser, valid inside its handlers and after it threw (saxes counts a finished chunk twice). */
  private get pos(): number {
    return this.base + this.parser.position;
  }

  /** Place of the character the parser read last (where saxes stops on an error). */
  private get here(): { line: number; column: number } {
    return this.lines.at(Math.max(0, this.pos - 1));
  }

  /**
   * Whitespace between the end of one stream and the next header (a capture
   * with a line break after <success/>) is skipped: the new stream is a new
   * document, where nothing may precede the XML declaration.
   */
  private skipSpaceAfterRestart(text: string): string {
    if (!this.restarted) return text;
    const ws = /^[ \t\r\n]*/.exec(text)?.[0].length ?? 0;
    if (ws < text.length) this.restarted = false;
    if (ws > 0) this.reset(this.base + ws, this.restarted);
    return text.slice(ws);
  }

  private reset(base: number, restarted: boolean): void {
    this.base = base;
    this.restarted = restarted;
    this.parser = new SaxesParser(SAXES_OPTIONS);
    this.builder = new XmlTreeBuilder(this.lines, this.maxDepth);
    this.header = undefined;
    this.declaration = undefined;
    this.boundary = base;
    this.streamStart = base;
    this.wire();
  }

  private decodeBytes(bytes: Uint8Array): string {
    try {
      return this.decoder.decode(bytes, { stream: true });
    } catch {
      throw new WireError('WIRE_ERR_NOT_UTF8', 'the stream is not valid UTF-8 (RFC 6120 s.11.6; stream error <not-well-formed/>)', this.lines.at(this.lines.length));
    }
  }

  private wire(): void {
    const p = this.parser;
    const restricted = (what: string, marker: string) => (): never => {
      throw streamError('restricted-xml', `${what} in an XMPP stream (RFC 6120 s.11.1)`, this.lines.at(this.lastInChunk(marker)));
    };
    p.on('xmldecl', (d: XMLDecl) => {
      this.declaration = { version: d.version ?? '1.0', ...(d.encoding === undefined ? {} : { encoding: d.encoding }), ...(d.standalone === undefined ? {} : { standalone: d.standalone }) };
    });
    p.on('comment', restricted('a comment', '<!--'));
    p.on('processinginstruction', restricted('a processing instruction', '<?'));
    p.on('doctype', restricted('a DOCTYPE', '<!DOCTYPE'));
    p.on('opentagstart', (tag) => {
      if (this.header === undefined) {
        this.streamStart = this.pos - tag.name.length - 2;
        return;
      }
      if (this.builder.depth === 0) this.boundary = this.pos - tag.name.length - 2;
      this.builder.startTag(tag.name, this.pos);
    });
    p.on('opentag', (tag: SaxesTagNS) => {
      if (this.header === undefined) this.openStream(tag);
      else this.builder.open(tag);
    });
    p.on('text', (t) => this.text(t));
    p.on('cdata', (t) => this.text(t));
    p.on('closetag', () => this.closeTag());
  }

  private openStream(tag: SaxesTagNS): void {
    const header = readStreamHeader(tag, this.parser.resolve(''), this.lines.at(this.streamStart), this.declaration);
    this.header = header;
    this.builder = new XmlTreeBuilder(this.lines, this.maxDepth, header.lang);
    this.boundary = this.pos;
    this.events.push({ kind: 'header', header });
  }

  private text(t: string): void {
    if (this.builder.depth > 0) this.builder.text(t);
    else if (!isXmlWhitespace(t)) {
      // the text event comes with the '<' after the text: the text began t.length characters before it
      const start = this.pos - 1 - t.length + (t.length - t.replace(/^[ \t\r\n]+/, '').length);
      throw streamError('restricted-xml', `character data ${JSON.stringify(xmlTrim(t).slice(0, 40))} between stanzas (RFC 6120 s.11.1)`, this.lines.at(start));
    }
  }

  private closeTag(): void {
    if (this.builder.depth === 0) {
      this.events.push({ kind: 'close' });
      return;
    }
    const start = this.boundary;
    const element = this.builder.close();
    if (element === undefined) return;
    this.boundary = this.pos;
    this.checkSize(start, this.pos);
    this.lines.forget(this.pos);
    this.events.push(this.elementEvent(element));
    if (this.restartAfter?.(element) === true) throw RESTART;
  }

  private elementEvent(element: XmlElement): XmppStreamEvent {
    const header = this.header;
    if (header === undefined || element.ns !== header.ns || !STANZA_NAMES.has(element.local)) return { kind: 'element', element };
    try {
      return { kind: 'stanza', element, stanza: decodeXmppXml({ root: element }) };
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return { kind: 'stanza', element, error: e };
    }
  }

  /** Global offset of the last `marker` in the current chunk before the parser's position (else that position). */
  private lastInChunk(marker: string): number {
    const at = this.chunk.lastIndexOf(marker, this.pos - this.chunkStart);
    return at === -1 ? this.pos : this.chunkStart + at;
  }

  /** The stanza being read (or the gap since the last one) may not exceed the limit. */
  private checkSize(from: number, to: number): void {
    if (to - from <= this.maxStanzaChars) return;
    throw streamError('policy-violation', `a stanza (or the text since the last one) exceeds ${this.maxStanzaChars} characters (RFC 6120 s.13.12)`, this.lines.at(from));
  }

  private asWireError(e: unknown): WireError {
    if (e instanceof WireError) return e;
    if (!(e instanceof Error)) return new WireError('WIRE_ERR_XML_MALFORMED', String(e));
    const path = this.builder.currentPath();
    const where = { ...this.here, ...(path === undefined ? {} : { path }) };
    // only the current chunk is held: a quote is cut at its start
    const slice = (from: number, to: number): string | undefined =>
      to <= this.chunkStart + this.chunk.length ? this.chunk.slice(Math.max(0, from - this.chunkStart), Math.max(0, to - this.chunkStart)) : undefined;
    return wireErrorFromSaxes(e, { where, offset: this.pos, slice });
  }
}
