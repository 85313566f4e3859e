/**
 * The XMPP stream header (RFC 6120 s.4.2, s.4.7, s.4.8): reading the peer's
 * `<stream:stream>` start tag (root and content namespaces, version,
 * addresses, id, xml:lang) and writing ours; the stream errors its checks
 * raise.
 */
import type { SaxesTagNS } from 'saxes';
import { WireError } from './errors.js';
import { isLanguageTag } from './syntax.js';
import { XML_NS, escapeXmlAttribute } from './xml-chars.js';
import type { XmlDeclaration } from './xml.js';
import { XMPP_CLIENT_NS, XMPP_SERVER_NS, isJid } from './xmpp.js';

export const XMPP_STREAMS_NS = 'http://etherx.jabber.org/streams';

export interface XmppStreamHeader {
  /** Content namespace: the default namespace the header declares. */
  ns: typeof XMPP_CLIENT_NS | typeof XMPP_SERVER_NS;
  from?: string;
  to?: string;
  id?: string;
  version?: string;
  lang?: string;
  declaration?: XmlDeclaration;
  line: number;
  column: number;
}

/** A stream error (RFC 6120 s.4.9.3) as a WireError naming the condition. */
export function streamError(condition: string, detail: string, where: { line?: number; column?: number; path?: string }): WireError {
  return new WireError('WIRE_ERR_XMPP_BAD_STREAM', `${detail} (stream error <${condition}/>)`, where);
}

/** The header from the root's start tag; `defaultNs` is the default namespace in scope there. */
export function readStreamHeader(tag: SaxesTagNS, defaultNs: string | undefined, where: { line: number; column: number }, declaration: XmlDeclaration | undefined): XmppStreamHeader {
  if (tag.local !== 'stream' || tag.uri !== XMPP_STREAMS_NS) {
    throw streamError('invalid-namespace', `the stream root is <${tag.name}> in ${JSON.stringify(tag.uri)}, not <stream> in ${XMPP_STREAMS_NS} (RFC 6120 s.4.8.1)`, where);
  }
  const ns = defaultNs;
  if (ns !== XMPP_CLIENT_NS && ns !== XMPP_SERVER_NS) {
    throw streamError('invalid-namespace', `the content namespace is ${JSON.stringify(ns ?? '')}, not jabber:client or jabber:server (RFC 6120 s.4.8.2)`, where);
  }
  const attr = (local: string, uri = ''): string | undefined => Object.values(tag.attributes).find((a) => a.local === local && a.uri === uri)?.value;
  const version = attr('version');
  if (version !== undefined && !/^1\.[0-9]+$/.test(version)) {
    throw streamError('unsupported-version', `version ${JSON.stringify(version)} is not 1.x (RFC 6120 s.4.7.5)`, where);
  }
  const header: XmppStreamHeader = { ns, ...where };
  for (const [key, value] of [['from', attr('from')], ['to', attr('to')], ['id', attr('id')], ['version', version], ['lang', attr('lang', XML_NS)]] as const) {
    if (value !== undefined) header[key] = value;
  }
  if (declaration !== undefined) header.declaration = declaration;
  return header;
}

/** The end of a stream (RFC 6120 s.4.4). */
export const XMPP_STREAM_CLOSE = '</stream:stream>';

export interface XmppStreamHeaderInput {
  /** Default jabber:client. */
  ns?: typeof XMPP_CLIENT_NS | typeof XMPP_SERVER_NS;
  from?: string;
  to?: string;
  /** Set by the receiving entity only (RFC 6120 s.4.7.3). */
  id?: string;
  lang?: string;
}

/**
 * The opening of a stream as an initiating or receiving entity writes it
 * (RFC 6120 s.4.2, s.4.7): the XML declaration, then `<stream:stream>` with
 * from, to, id, version 1.0, xml:lang and the two namespace declarations.
 * Throws WireError for a value the reader would refuse.
 */
export function encodeXmppStreamHeader(h: XmppStreamHeaderInput = {}): string {
  let attrs = '';
  for (const name of ['from', 'to'] as const) {
    const v = h[name];
    if (v === undefined) continue;
    if (!isJid(v)) throw new WireError('WIRE_ERR_XMPP_BAD_VALUE', `${name} ${JSON.stringify(v)} is not a JID`, { path: `/stream:stream/@${name}` });
    attrs += ` ${name}='${escapeXmlAttribute(v)}'`;
  }
  if (h.id !== undefined) {
    if (!/^[\x21-\x7E]+$/.test(h.id)) throw new WireError('WIRE_ERR_XMPP_BAD_VALUE', `stream id ${JSON.stringify(h.id)} is not printable ASCII without spaces`, { path: '/stream:stream/@id' });
    attrs += ` id='${escapeXmlAttribute(h.id)}'`;
  }
  attrs += " version='1.0'";
  if (h.lang !== undefined) {
    if (!isLanguageTag(h.lang)) throw new WireError('WIRE_ERR_XMPP_BAD_VALUE', `xml:lang ${JSON.stringify(h.lang)} is not a language tag`, { path: '/stream:stream/@xml:lang' });
    attrs += ` xml:lang='${h.lang}'`;
  }
  return `<?xml version='1.0'?><stream:stream${attrs} xmlns='${h.ns ?? XMPP_CLIENT_NS}' xmlns:stream='${XMPP_STREAMS_NS}'>`;
}
