/**
 * Watcher information (application/watcherinfo+xml, RFC 3858), the body of
 * the `presence.winfo` event package (RFC 3857): who subscribes to a
 * resource and in which state each subscription is. A canonical encoder and
 * a strict decoder following the RFC 3858 s.6 schema:
 *
 *   watcherinfo  @version (nonNegativeInteger) @state (full|partial), all required
 *    ├─ watcher-list*  @resource (anyURI) @package (string), required
 *    │   ├─ watcher*   content: the watcher's URI
 *    │   │             @id @status @event required; @display-name @expiration
 *    │   │             @duration-subscribed (unsignedLong, seconds) @xml:lang optional
 *    │   └─ ##other*
 *    └─ ##other*
 *
 * Elements from other namespaces (the schema's ##other, after the lists) are
 * ignored with a warning; they are not kept in the decoded value. Integers
 * beyond 2^53-1 are refused as values this simulator cannot represent.
 */
import { WireError } from './errors.js';
import { isAbsoluteUri, isLanguageTag } from './syntax.js';
import {
  XML_NS,
  type XmlDocument,
  type XmlElement,
  escapeXmlAttribute,
  escapeXmlText,
  findInvalidXmlChar,
  isXmlWhitespace,
  parseXml,
  xmlCollapse,
  xmlTrim,
} from './xml.js';

export const WATCHERINFO_NS = 'urn:ietf:params:xml:ns:watcherinfo';
export const WATCHER_STATUSES = ['pending', 'active', 'waiting', 'terminated'] as const;
export const WATCHER_EVENTS = ['subscribe', 'approved', 'deactivated', 'probation', 'rejected', 'timeout', 'giveup', 'noresource'] as const;

export type WatcherStatus = (typeof WATCHER_STATUSES)[number];
export type WatcherEvent = (typeof WATCHER_EVENTS)[number];

export interface Watcher {
  /** Identifies the subscription (xs:string, required). */
  id: string;
  status: WatcherStatus;
  /** What caused the last change of status (RFC 3858 s.3). */
  event: WatcherEvent;
  /** The watcher's URI (element content). */
  uri: string;
  displayName?: string;
  /** xml:lang of the display name. */
  lang?: string;
  /** Seconds until the subscription expires. */
  expiration?: number;
  /** Seconds the watcher has been subscribed. */
  durationSubscribed?: number;
}

export interface WatcherList {
  /** The watched resource (e.g. sip:alice@example.com). */
  resource: string;
  /** The event package watched, e.g. `presence`. */
  package: string;
  watchers: Watcher[];
}

export interface WatcherinfoDocument {
  /** Counter incremented with each document sent for one subscription (RFC 3858 s.4). */
  version: number;
  /** `full`: the complete state; `partial`: only what changed since the previous version. */
  state: 'full' | 'partial';
  lists: WatcherList[];
  /** Non-fatal findings; absent when there are none. Ignored by the encoder. */
  warnings?: string[];
}

const UNSIGNED = /^[0-9]+$/;

function at(el: XmlElement): { path: string; line: number; column: number } {
  return { path: el.path, line: el.line, column: el.column };
}

function attr(el: XmlElement, local: string, ns = ''): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === local)?.value;
}

function required(el: XmlElement, local: string): string {
  const v = attr(el, local);
  if (v === undefined) throw new WireError('WIRE_ERR_WINFO_MISSING_ATTRIBUTE', `<${el.local}> has no ${local} attribute (required by RFC 3858 s.6)`, at(el));
  return v;
}

function unsigned(el: XmlElement, local: string, raw: string): number {
  const v = xmlCollapse(raw);
  const n = Number(v);
  if (!UNSIGNED.test(v) || !Number.isSafeInteger(n)) {
    throw new WireError('WIRE_ERR_WINFO_BAD_ATTRIBUTE', `${local}=${JSON.stringify(raw)} on <${el.local}> is not an unsigned integer up to 2^53-1`, at(el));
  }
  return n;
}

function oneOf<T extends string>(el: XmlElement, local: string, allowed: readonly T[]): T {
  const raw = required(el, local);
  const v = xmlCollapse(raw);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new WireError('WIRE_ERR_WINFO_BAD_ATTRIBUTE', `${local}=${JSON.stringify(raw)} on <${el.local}> is not one of ${allowed.join(', ')}`, at(el));
  }
  return v as T;
}

function uri(el: XmlElement, what: string, raw: string): string {
  const v = xmlCollapse(raw);
  if (!isAbsoluteUri(v)) throw new WireError('WIRE_ERR_WINFO_BAD_URI', `${what} ${JSON.stringify(raw)} is not an absolute URI`, at(el));
  return v;
}

class Decoder {
  readonly warnings: string[] = [];

  /** Children of a container: `own` elements first, then foreign ones (ignored with a warning). */
  private children(el: XmlElement, own: string): XmlElement[] {
    const out: XmlElement[] = [];
    let foreign: XmlElement | undefined;
    for (const c of el.children) {
      if (c.kind === 'text') {
        if (!isXmlWhitespace(c.value)) {
          throw new WireError('WIRE_ERR_WINFO_UNEXPECTED_CONTENT', `<${el.local}> holds elements only, found text ${JSON.stringify(xmlTrim(c.value).slice(0, 40))}`, at(el));
        }
        continue;
      }
      if (c.ns === WATCHERINFO_NS) {
        if (c.local !== own) throw new WireError('WIRE_ERR_WINFO_UNEXPECTED_ELEMENT', `<${c.qname}> is not allowed inside <${el.local}> (RFC 3858 s.6)`, at(c));
        if (foreign !== undefined) {
          throw new WireError('WIRE_ERR_WINFO_UNEXPECTED_ELEMENT', `<${c.qname}> follows the extension <${foreign.qname}>; the RFC 3858 s.6 schema puts extensions last`, at(c));
        }
        out.push(c);
      } else {
        foreign ??= c;
        this.warnings.push(`extension ${c.path} (line ${c.line}) in namespace ${JSON.stringify(c.ns)} is not understood; ignored with its content`);
      }
    }
    return out;
  }

  document(root: XmlElement): WatcherinfoDocument {
    const version = unsigned(root, 'version', required(root, 'version'));
    const state = oneOf(root, 'state', ['full', 'partial'] as const);
    const lists = this.children(root, 'watcher-list').map((l) => this.list(l));
    return { version, state, lists };
  }

  private list(el: XmlElement): WatcherList {
    const resource = uri(el, 'resource', required(el, 'resource'));
    const pkg = xmlCollapse(required(el, 'package'));
    if (pkg === '') throw new WireError('WIRE_ERR_WINFO_BAD_ATTRIBUTE', 'package is empty (it names the watched event package, e.g. presence)', at(el));
    return { resource, package: pkg, watchers: this.children(el, 'watcher').map((w) => this.watcher(w)) };
  }

  private watcher(el: XmlElement): Watcher {
    const child = el.children.find((c): c is XmlElement => c.kind === 'element');
    if (child !== undefined) throw new WireError('WIRE_ERR_WINFO_UNEXPECTED_CONTENT', `<watcher> holds a URI only, found element <${child.qname}>`, at(child));
    const text = el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
    const w: Watcher = {
      id: required(el, 'id'),
      status: oneOf(el, 'status', WATCHER_STATUSES),
      event: oneOf(el, 'event', WATCHER_EVENTS),
      uri: uri(el, 'watcher', text),
    };
    const name = attr(el, 'display-name');
    if (name !== undefined) w.displayName = name;
    const lang = attr(el, 'lang', XML_NS);
    if (lang !== undefined && xmlTrim(lang) !== '') {
      if (!isLanguageTag(xmlTrim(lang))) throw new WireError('WIRE_ERR_WINFO_BAD_ATTRIBUTE', `xml:lang ${JSON.stringify(lang)} is not an RFC 3066 language tag`, at(el));
      w.lang = xmlTrim(lang);
    }
    const exp = attr(el, 'expiration');
    if (exp !== undefined) w.expiration = unsigned(el, 'expiration', exp);
    const dur = attr(el, 'duration-subscribed');
    if (dur !== undefined) w.durationSubscribed = unsigned(el, 'duration-subscribed', dur);
    for (const a of el.attributes) {
      if (a.ns === '' && ['id', 'status', 'event', 'display-name', 'expiration', 'duration-subscribed'].includes(a.local)) continue;
      if (a.ns === XML_NS && a.local === 'lang') continue;
      this.warnings.push(`attribute ${a.qname} on ${el.path} (line ${el.line}) is not defined by RFC 3858; ignored`);
    }
    return w;
  }
}

export function isWatcherinfoRoot(xml: XmlDocument): boolean {
  return xml.root.ns === WATCHERINFO_NS && xml.root.local === 'watcherinfo';
}

/** Decode an already parsed document (inspect parses once and dispatches on the root). */
export function decodeWatcherinfoXml(xml: XmlDocument): WatcherinfoDocument {
  const root = xml.root;
  if (!isWatcherinfoRoot(xml)) {
    throw new WireError('WIRE_ERR_WINFO_NOT_WATCHERINFO', `root element is <${root.qname}> in namespace ${JSON.stringify(root.ns)}; expected <watcherinfo> in ${WATCHERINFO_NS}`, at(root));
  }
  const encoding = xml.declaration?.encoding;
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new WireError('WIRE_ERR_XML_ENCODING', `encoding "${encoding}" is not supported; watcherinfo documents are exchanged in UTF-8`, { line: 1, column: 1 });
  }
  const decoder = new Decoder();
  const doc = decoder.document(root);
  if (decoder.warnings.length > 0) doc.warnings = decoder.warnings;
  return doc;
}

/** Decode an application/watcherinfo+xml document strictly; throws WireError on any violation of RFC 3858. */
export function decodeWatcherinfo(text: string): WatcherinfoDocument {
  return decodeWatcherinfoXml(parseXml(text));
}

function bad(message: string, path: string): never {
  throw new WireError('WIRE_ERR_WINFO_BAD_VALUE', message, { path });
}

function checkText(value: string, path: string): string {
  if (findInvalidXmlChar(value) !== -1) bad(`${JSON.stringify(value)} holds a character XML cannot carry`, path);
  return value;
}

function checkUnsigned(value: number, what: string, path: string): string {
  if (!Number.isSafeInteger(value) || value < 0) bad(`${what} must be an unsigned integer up to 2^53-1, got ${value}`, path);
  return String(value);
}

function watcherXml(w: Watcher, path: string): string {
  if (!(WATCHER_STATUSES as readonly string[]).includes(w.status)) bad(`status ${JSON.stringify(w.status)} is not one of ${WATCHER_STATUSES.join(', ')}`, path);
  if (!(WATCHER_EVENTS as readonly string[]).includes(w.event)) bad(`event ${JSON.stringify(w.event)} is not one of ${WATCHER_EVENTS.join(', ')}`, path);
  if (!isAbsoluteUri(w.uri)) throw new WireError('WIRE_ERR_WINFO_BAD_URI', `watcher ${JSON.stringify(w.uri)} is not an absolute URI`, { path });
  let open = `<watcher id="${escapeXmlAttribute(checkText(w.id, `${path}/@id`))}" event="${w.event}" status="${w.status}"`;
  if (w.displayName !== undefined) open += ` display-name="${escapeXmlAttribute(checkText(w.displayName, `${path}/@display-name`))}"`;
  if (w.lang !== undefined) {
    if (!isLanguageTag(w.lang)) bad(`language ${JSON.stringify(w.lang)} is not an RFC 3066 tag`, `${path}/@xml:lang`);
    open += ` xml:lang="${w.lang}"`;
  }
  if (w.expiration !== undefined) open += ` expiration="${checkUnsigned(w.expiration, 'expiration', path)}"`;
  if (w.durationSubscribed !== undefined) open += ` duration-subscribed="${checkUnsigned(w.durationSubscribed, 'duration-subscribed', path)}"`;
  return `${open}>${escapeXmlText(w.uri)}</watcher>`;
}

/**
 * Encode canonically: XML declaration with UTF-8, the watcherinfo namespace
 * as default, two-space indentation, watcher attributes in a fixed order.
 * Throws WireError for a value the strict decoder would refuse.
 */
export function encodeWatcherinfo(doc: WatcherinfoDocument): string {
  if (doc.state !== 'full' && doc.state !== 'partial') bad(`state must be "full" or "partial", got ${JSON.stringify(doc.state)}`, '/watcherinfo/@state');
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<watcherinfo xmlns="${WATCHERINFO_NS}" version="${checkUnsigned(doc.version, 'version', '/watcherinfo/@version')}" state="${doc.state}"${doc.lists.length === 0 ? '/>' : '>'}`,
  ];
  doc.lists.forEach((list, i) => {
    const path = `/watcherinfo/watcher-list[${i + 1}]`;
    if (!isAbsoluteUri(list.resource)) throw new WireError('WIRE_ERR_WINFO_BAD_URI', `resource ${JSON.stringify(list.resource)} is not an absolute URI`, { path });
    if (xmlCollapse(list.package) !== list.package || list.package === '') bad(`package ${JSON.stringify(list.package)} must be a non-empty name without surrounding or repeated spaces`, path);
    const open = `  <watcher-list resource="${escapeXmlAttribute(list.resource)}" package="${escapeXmlAttribute(checkText(list.package, path))}"`;
    if (list.watchers.length === 0) {
      out.push(`${open}/>`);
      return;
    }
    out.push(`${open}>`);
    list.watchers.forEach((w, j) => out.push(`    ${watcherXml(w, `${path}/watcher[${j + 1}]`)}`));
    out.push('  </watcher-list>');
  });
  if (doc.lists.length > 0) out.push('</watcherinfo>');
  return `${out.join('\n')}\n`;
}
