/**
 * A captured XMPP stream (one direction of a connection, saved to a file)
 * read whole with XmppStreamReader, for `impp-sim inspect`: each header, then
 * each first-level element in order with its position; stanzas decoded,
 * stanzas the decoder refuses listed with their error (the reading goes on,
 * as RFC 6120 s.8.3 has it for stanza errors); a stream error refuses the
 * transcript. A capture may stop before `</stream:stream>`, not inside a
 * stanza. Restarts are followed: after SASL `<success/>` or STARTTLS
 * `<proceed/>` (RFC 6120 s.4.3.3, s.5.4.3.3, s.6.4.6) a new stream begins.
 */
import type { WireError } from './errors.js';
import { XMPP_MAX_STANZA_CHARS, XMPP_STREAMS_NS, XmppStreamReader, type XmppStreamEvent, type XmppStreamHeader } from './xmpp-stream.js';
import type { XmlElement } from './xml.js';
import type { XmppStanza } from './xmpp.js';

export { XMPP_STREAMS_NS };

export const XMPP_SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const XMPP_TLS_NS = 'urn:ietf:params:xml:ns:xmpp-tls';

export type XmppTranscriptEntry =
  | { kind: 'header'; header: XmppStreamHeader }
  | { kind: 'stanza'; line: number; column: number; stanza: XmppStanza; warnings: string[] }
  | { kind: 'stanza-error'; line: number; column: number; name: string; error: ReturnType<WireError['toJSON']> }
  | { kind: 'element'; line: number; column: number; name: string; ns: string }
  | { kind: 'close' };

export interface XmppTranscript {
  entries: XmppTranscriptEntry[];
  /** Stanza decoder warnings and stanza errors as lines of text. */
  warnings: string[];
}

/** SASL success or STARTTLS proceed: the peer's next bytes start a new stream. */
export function isStreamRestart(el: XmlElement): boolean {
  return (el.ns === XMPP_SASL_NS && el.local === 'success') || (el.ns === XMPP_TLS_NS && el.local === 'proceed');
}

function entryOf(e: XmppStreamEvent, warnings: string[]): XmppTranscriptEntry {
  if (e.kind === 'close' || e.kind === 'header') return e;
  const at = { line: e.element.line, column: e.element.column };
  if (e.kind === 'element') return { kind: 'element', ...at, name: e.element.qname, ns: e.element.ns };
  if (e.stanza !== undefined) {
    for (const w of e.stanza.warnings) warnings.push(`line ${at.line}: ${w}`);
    return { kind: 'stanza', ...at, stanza: e.stanza.stanza, warnings: e.stanza.warnings };
  }
  const error = (e.error as WireError).toJSON();
  warnings.push(`line ${at.line}: <${e.element.qname}> refused: ${error.message}`);
  return { kind: 'stanza-error', ...at, name: e.element.qname, error };
}

/** Read a captured stream; throws WireError for a stream error. */
export function readXmppTranscript(text: string): XmppTranscript {
  // the file limit bounds the input; a stanza may be as long as the file
  const reader = new XmppStreamReader({ maxStanzaChars: Math.max(XMPP_MAX_STANZA_CHARS, text.length), restartAfter: isStreamRestart });
  const events = reader.write(text);
  reader.end();
  const warnings: string[] = [];
  return { entries: events.map((e) => entryOf(e, warnings)), warnings };
}
