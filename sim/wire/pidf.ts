/**
 * PIDF, the Presence Information Data Format (RFC 3863, application/pidf+xml):
 * a strict decoder and a canonical encoder.
 *
 * Decoding follows the RFC 3863 s.4.4 schema and the s.4.2 extensibility rules:
 * - PIDF's own elements (presence, tuple, status, basic, contact, note,
 *   timestamp) are always recognised and checked: cardinality, order,
 *   allowed values. Violations are WireErrors that name the element path.
 * - Any other element (foreign namespace, or an unknown name in the PIDF
 *   namespace) is ignored for PIDF semantics together with all its content,
 *   but kept verbatim-ish as an `ExtensionElement` so that `inspect` can show
 *   RPID (RFC 4480) activities, moods and the like.
 * - A contact priority that is not a valid qvalue is ignored (RFC 3863 s.4.1:
 *   out-of-range values SHOULD be ignored) and reported in `warnings`.
 * - `mustUnderstand` can never make a document fail: it only widens what is
 *   ignored to the enclosing optional element (s.4.2, example s.4.3.3). This
 *   processor understands no extension, so every extension is already ignored;
 *   the attribute is reported in `warnings` so the effect is visible.
 */
import { WireError } from './errors.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';
import {
  XML_NS,
  XMLNS_NS,
  type XmlElement,
  escapeXmlAttribute,
  escapeXmlText,
  findInvalidXmlChar,
  isNcName,
  isXmlWhitespace,
  parseXml,
  xmlCollapse,
  xmlTrim,
} from './xml.js';

export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';

export type PidfBasic = 'open' | 'closed';

/**
 * An element PIDF does not define, decoded generically.
 * - `attributes`: unprefixed attributes keyed by local name; namespaced ones
 *   keyed in Clark notation `{namespace-uri}local` (e.g.
 *   `{urn:ietf:params:xml:ns:pidf}mustUnderstand`). Namespace declarations
 *   (`xmlns`, `xmlns:p`) are not attributes; the encoder re-creates them.
 * - `text`: the character data. For an element with child elements (mixed
 *   content) it is trimmed of XML whitespace, so indentation disappears;
 *   absent when there is none.
 */
export interface ExtensionElement {
  ns: string;
  name: string;
  text?: string;
  attributes: Record<string, string>;
  children: ExtensionElement[];
}

export interface PidfNote {
  text: string;
  /** RFC 3066 tag from xml:lang (own or inherited, XML 1.0 s.2.12). */
  lang?: string;
}

export interface PidfStatus {
  basic?: PidfBasic;
  extensions: ExtensionElement[];
}

export interface PidfContact {
  uri: string;
  /** qvalue 0..1, higher is preferred (RFC 3863 s.4.1); absent means lowest. */
  priority?: number;
}

export interface PidfTuple {
  id: string;
  status: PidfStatus;
  contact?: PidfContact;
  notes: PidfNote[];
  /** RFC 3339 date-time, exactly as written (after whitespace collapse). */
  timestamp?: string;
  /** Tuple-level extensions (between <status> and <contact> in the schema). */
  extensions: ExtensionElement[];
}

export interface PidfDocument {
  entity: string;
  tuples: PidfTuple[];
  notes: PidfNote[];
  /** Presentity-level extensions (after the notes in the schema), e.g. RPID <dm:person>. */
  extensions: ExtensionElement[];
  /** Non-fatal findings of the decoder; absent when there are none. Ignored by the encoder. */
  warnings?: string[];
}

const PIDF_ELEMENT_NAMES = new Set(['presence', 'tuple', 'status', 'basic', 'contact', 'note', 'timestamp']);

/** RFC 3863 s.4.4 qvalue: `0(.[0-9]{0,3})?` or `1(.0{0,3})?` (the schema's `.` meant a literal dot). */
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element');
}

function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
}

function where(el: XmlElement): { path: string; line: number; column: number } {
  return { path: el.path, line: el.line, column: el.column };
}

function describe(el: XmlElement): string {
  return `${el.path} (line ${el.line})`;
}

function attribute(el: XmlElement, local: string, ns = ''): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === local)?.value;
}

class Decoder {
  readonly warnings: string[] = [];
  private readonly tupleIds = new Map<string, string>();

  /** Warn about attributes RFC 3863 does not define on a PIDF element (the schema allows none besides these). */
  private checkAttributes(el: XmlElement, allowed: readonly string[]): void {
    for (const a of el.attributes) {
      if (a.ns === '' && allowed.includes(a.local)) continue;
      if (a.ns === XML_NS && a.local === 'lang') continue; // inherited by notes, see PidfNote.lang
      this.warnings.push(`attribute ${a.qname} on ${describe(el)} is not defined by RFC 3863 for <${el.local}>; ignored`);
    }
  }

  private noText(el: XmlElement): void {
    for (const c of el.children) {
      if (c.kind === 'text' && !isXmlWhitespace(c.value)) {
        throw new WireError(
          'WIRE_ERR_PIDF_UNEXPECTED_CONTENT',
          `<${el.local}> may only contain elements, found text ${JSON.stringify(xmlTrim(c.value).slice(0, 40))}`,
          where(el),
        );
      }
    }
  }

  private textOnly(el: XmlElement): string {
    const child = childElements(el)[0];
    if (child !== undefined) {
      throw new WireError('WIRE_ERR_PIDF_UNEXPECTED_CONTENT', `<${el.local}> holds text only, found element <${child.qname}>`, where(child));
    }
    return textOf(el);
  }

  private extension(el: XmlElement): ExtensionElement {
    // fromEntries defines own properties, so even an attribute named __proto__ is kept as data.
    const attributes: Record<string, string> = Object.fromEntries(
      el.attributes.map((a) => [a.ns === '' ? a.local : `{${a.ns}}${a.local}`, a.value]),
    );
    const kids = childElements(el);
    const raw = textOf(el);
    const text = kids.length > 0 ? xmlTrim(raw) : raw;
    const ext: ExtensionElement = { ns: el.ns, name: el.local, attributes, children: kids.map((k) => this.extension(k)) };
    if (text !== '') ext.text = text;
    return ext;
  }

  /**
   * Classify a child: a PIDF element name, or undefined for an extension. An
   * unknown local name in the PIDF namespace is an extension too (RFC 3863
   * s.4.2: unknown elements are ignored with their content), with a warning
   * because the schema only admits ##other there.
   */
  private pidfName(el: XmlElement): string | undefined {
    if (el.ns !== PIDF_NS) return undefined;
    if (PIDF_ELEMENT_NAMES.has(el.local)) return el.local;
    this.warnings.push(`unknown element ${describe(el)} in the PIDF namespace; ignored with its content (RFC 3863 s.4.2)`);
    return undefined;
  }

  /** Report mustUnderstand markers inside an (ignored) extension subtree. */
  private mustUnderstand(ext: XmlElement, insideStatus: boolean): void {
    const visit = (el: XmlElement): void => {
      const mu = el.attributes.find((a) => a.ns === PIDF_NS && a.local === 'mustUnderstand');
      if (mu !== undefined) {
        const v = xmlCollapse(mu.value);
        if (v === 'true' || v === '1') {
          this.warnings.push(
            insideStatus
              ? `status extension ${describe(ext)} contains ${el.path} marked mustUnderstand, which this processor does not understand: the whole <${ext.qname}> is treated as unrecognised (RFC 3863 s.4.2)`
              : `${el.path} is marked mustUnderstand outside <status> (RFC 3863 s.4.2 allows it only inside status extensions); <${ext.qname}> is ignored like any unknown extension`,
          );
        } else if (v !== 'false' && v !== '0') {
          this.warnings.push(`mustUnderstand="${mu.value}" on ${describe(el)} is not an xs:boolean; treated as false`);
        }
      }
      for (const k of childElements(el)) visit(k);
    };
    visit(ext);
  }

  /**
   * Enforce the relative order of PIDF elements inside one container and warn
   * when an extension sits where the schema does not put extensions.
   * `ranks` gives each PIDF child its position in the schema sequence and
   * `extRank` the position of the `##other` wildcard.
   */
  private ordered(
    container: XmlElement,
    ranks: Record<string, number>,
    extRank: number,
    visit: (child: XmlElement, pidf: string | undefined) => void,
  ): void {
    let lastPidf: { name: string; rank: number } | undefined;
    let firstExt: XmlElement | undefined;
    let warned = false;
    const misplaced = (ext: XmlElement, neighbour: string): void => {
      if (warned) return;
      warned = true;
      const slot = Object.entries(ranks)
        .filter(([, r]) => r < extRank)
        .map(([n]) => `<${n}>`)
        .join(', ');
      this.warnings.push(
        `extension ${describe(ext)} is placed ${neighbour}; the RFC 3863 s.4.4 schema puts extensions inside <${container.local}> after ${slot}${
          Object.values(ranks).some((r) => r > extRank) ? ' and before the remaining PIDF elements' : ''
        }`,
      );
    };
    for (const child of childElements(container)) {
      const pidf = this.pidfName(child);
      if (pidf === undefined) {
        firstExt ??= child;
        if (lastPidf !== undefined && lastPidf.rank > extRank) misplaced(child, `after <${lastPidf.name}>`);
      } else {
        const rank = ranks[pidf];
        if (rank === undefined) {
          throw new WireError('WIRE_ERR_PIDF_UNEXPECTED_ELEMENT', `<${pidf}> is not allowed inside <${container.local}> (RFC 3863 s.4.4)`, where(child));
        }
        if (lastPidf !== undefined && rank < lastPidf.rank) {
          const order = Object.entries(ranks)
            .concat([['extensions', extRank]])
            .sort((a, b) => a[1] - b[1])
            .map(([n]) => n)
            .join(', ');
          throw new WireError(
            'WIRE_ERR_PIDF_ELEMENT_ORDER',
            `<${pidf}> comes after <${lastPidf.name}>; inside <${container.local}> the RFC 3863 s.4.4 order is ${order}`,
            where(child),
          );
        }
        if (firstExt !== undefined && rank < extRank) misplaced(firstExt, `before <${pidf}>`);
        lastPidf = { name: pidf, rank };
      }
      visit(child, pidf);
    }
  }

  presence(root: XmlElement): PidfDocument {
    this.checkAttributes(root, ['entity']);
    const rawEntity = attribute(root, 'entity');
    if (rawEntity === undefined) {
      throw new WireError('WIRE_ERR_PIDF_MISSING_ENTITY', '<presence> has no entity attribute (required: the pres: URI of the presentity)', where(root));
    }
    const entity = xmlCollapse(rawEntity);
    if (!isAbsoluteUri(entity)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_ENTITY', `entity ${JSON.stringify(rawEntity)} is not an absolute URI`, where(root));
    }
    this.noText(root);
    const doc: PidfDocument = { entity, tuples: [], notes: [], extensions: [] };
    this.ordered(root, { tuple: 0, note: 1 }, 2, (child, pidf) => {
      if (pidf === 'tuple') doc.tuples.push(this.tuple(child));
      else if (pidf === 'note') doc.notes.push(this.note(child));
      else doc.extensions.push(this.extension(child));
      if (pidf === undefined) this.mustUnderstand(child, false);
    });
    return doc;
  }

  private tuple(el: XmlElement): PidfTuple {
    this.checkAttributes(el, ['id']);
    const rawId = attribute(el, 'id');
    if (rawId === undefined) {
      throw new WireError('WIRE_ERR_PIDF_TUPLE_NO_ID', '<tuple> has no id attribute (required, unique within the document)', where(el));
    }
    const id = xmlCollapse(rawId); // xs:ID has whiteSpace="collapse"
    if (!isNcName(id)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_TUPLE_ID', `tuple id ${JSON.stringify(rawId)} is not an xs:ID (an NCName: letter or '_' first, no spaces or colons)`, where(el));
    }
    const previous = this.tupleIds.get(id);
    if (previous !== undefined) {
      throw new WireError('WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID', `tuple id "${id}" is already used by ${previous}`, where(el));
    }
    this.tupleIds.set(id, describe(el));
    this.noText(el);

    let status: PidfStatus | undefined;
    let contact: PidfContact | undefined;
    let timestamp: string | undefined;
    const seen = new Set<string>();
    const notes: PidfNote[] = [];
    const extensions: ExtensionElement[] = [];
    this.ordered(el, { status: 0, contact: 2, note: 3, timestamp: 4 }, 1, (child, pidf) => {
      if (pidf === 'status' || pidf === 'contact' || pidf === 'timestamp') {
        if (seen.has(pidf)) {
          throw new WireError('WIRE_ERR_PIDF_DUPLICATE_ELEMENT', `second <${pidf}> in one tuple (at most one is allowed)`, where(child));
        }
        seen.add(pidf);
      }
      if (pidf === 'status') status = this.status(child);
      else if (pidf === 'contact') contact = this.contact(child);
      else if (pidf === 'timestamp') timestamp = this.timestamp(child);
      else if (pidf === 'note') notes.push(this.note(child));
      else {
        extensions.push(this.extension(child));
        this.mustUnderstand(child, false);
      }
    });
    if (status === undefined) {
      throw new WireError('WIRE_ERR_PIDF_MISSING_STATUS', `tuple "${id}" has no <status> (exactly one is required)`, where(el));
    }
    const tuple: PidfTuple = { id, status, notes, extensions };
    if (contact !== undefined) tuple.contact = contact;
    if (timestamp !== undefined) tuple.timestamp = timestamp;
    return tuple;
  }

  private status(el: XmlElement): PidfStatus {
    this.checkAttributes(el, []);
    this.noText(el);
    const status: PidfStatus = { extensions: [] };
    let count = 0;
    this.ordered(el, { basic: 0 }, 1, (child, pidf) => {
      count++;
      if (pidf === 'basic') {
        if (status.basic !== undefined) {
          throw new WireError('WIRE_ERR_PIDF_DUPLICATE_ELEMENT', 'second <basic> in one <status> (at most one is allowed)', where(child));
        }
        status.basic = this.basic(child);
      } else {
        status.extensions.push(this.extension(child));
        this.mustUnderstand(child, true);
      }
    });
    if (count === 0) {
      throw new WireError('WIRE_ERR_PIDF_EMPTY_STATUS', '<status> is empty; it needs <basic> or at least one status extension', where(el));
    }
    return status;
  }

  private basic(el: XmlElement): PidfBasic {
    this.checkAttributes(el, []);
    const raw = this.textOnly(el);
    const value = xmlTrim(raw);
    if (value !== 'open' && value !== 'closed') {
      throw new WireError('WIRE_ERR_PIDF_BAD_BASIC', `<basic> must be "open" or "closed", found ${JSON.stringify(raw)}`, where(el));
    }
    if (value !== raw) {
      this.warnings.push(`<basic> at ${describe(el)} has surrounding whitespace; read as "${value}"`);
    }
    return value;
  }

  private contact(el: XmlElement): PidfContact {
    this.checkAttributes(el, ['priority']);
    const raw = this.textOnly(el);
    const uri = xmlCollapse(raw); // xs:anyURI collapses whitespace (RFC 3863 example s.4.3.2 wraps a contact)
    if (!isAbsoluteUri(uri)) {
      throw new WireError(
        'WIRE_ERR_PIDF_BAD_CONTACT',
        uri === '' ? '<contact> is empty' : `<contact> ${JSON.stringify(uri)} is not an absolute URI`,
        where(el),
      );
    }
    const contact: PidfContact = { uri };
    const rawPriority = attribute(el, 'priority');
    if (rawPriority !== undefined) {
      const p = xmlCollapse(rawPriority);
      if (QVALUE.test(p)) contact.priority = Number(p);
      else {
        this.warnings.push(
          `priority ${JSON.stringify(rawPriority)} on ${describe(el)} is not a qvalue (0 to 1, at most 3 decimals); ignored as RFC 3863 s.4.1 recommends`,
        );
      }
    }
    return contact;
  }

  private note(el: XmlElement): PidfNote {
    this.checkAttributes(el, []);
    const note: PidfNote = { text: this.textOnly(el) };
    if (el.lang !== undefined) {
      const lang = xmlTrim(el.lang);
      if (lang !== '') {
        if (!isLanguageTag(lang)) {
          throw new WireError('WIRE_ERR_PIDF_BAD_LANG', `xml:lang ${JSON.stringify(el.lang)} is not an RFC 3066 language tag`, where(el));
        }
        note.lang = lang;
      }
      // xml:lang="" means "no language information" (XML 1.0 s.2.12): leave lang absent.
    }
    return note;
  }

  private timestamp(el: XmlElement): string {
    this.checkAttributes(el, []);
    const raw = this.textOnly(el);
    const value = xmlCollapse(raw);
    if (!isRfc3339DateTime(value, true)) {
      throw new WireError(
        'WIRE_ERR_PIDF_BAD_TIMESTAMP',
        `<timestamp> ${JSON.stringify(raw)} is not an RFC 3339 date-time with upper-case T and Z (e.g. 2001-10-27T16:49:29Z)`,
        where(el),
      );
    }
    return value;
  }
}

/**
 * Decode an application/pidf+xml document. Throws WireError when the text is
 * not well-formed, namespace-well-formed XML or violates RFC 3863.
 */
export function decodePidf(text: string): PidfDocument {
  const xml = parseXml(text);
  if (xml.declaration === undefined) {
    throw new WireError('WIRE_ERR_PIDF_MISSING_XML_DECL', 'a PIDF document must start with an XML declaration (<?xml version="1.0" encoding="UTF-8"?>)', {
      line: 1,
      column: 1,
    });
  }
  const decoder = new Decoder();
  const encoding = xml.declaration.encoding;
  // The caller hands us characters; we read files as UTF-8, the one encoding
  // RFC 3863 s.4.1 obliges processors to accept. A document declaring another
  // encoding would have been mis-read, so it is refused rather than guessed at.
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new WireError('WIRE_ERR_XML_ENCODING', `encoding "${encoding}" is not supported; PIDF processors exchange UTF-8`, { line: 1, column: 1 });
  }
  if (encoding === undefined) decoder.warnings.push('the XML declaration has no encoding declaration (RFC 3863 s.4.1: SHOULD be present)');

  const root = xml.root;
  if (root.ns !== PIDF_NS || root.local !== 'presence') {
    const hint =
      root.local === 'presence' && root.ns === `${PIDF_NS}:`
        ? ' (the namespace has a stray trailing colon; it is urn:ietf:params:xml:ns:pidf)'
        : '';
    throw new WireError(
      'WIRE_ERR_PIDF_NOT_PRESENCE',
      `root element is <${root.qname}> in namespace ${JSON.stringify(root.ns)}; expected <presence> in ${PIDF_NS}${hint}`,
      where(root),
    );
  }
  const doc = decoder.presence(root);
  if (decoder.warnings.length > 0) doc.warnings = decoder.warnings;
  return doc;
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/** Conventional prefixes for namespaces that commonly extend PIDF. */
const KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['urn:ietf:params:xml:ns:pidf:rpid', 'rpid'],
  ['urn:ietf:params:xml:ns:pidf:data-model', 'dm'],
  ['urn:ietf:params:xml:ns:pidf:im', 'im'],
  ['urn:ietf:params:xml:ns:pidf:caps', 'caps'],
  ['urn:ietf:params:xml:ns:pidf:cipid', 'c'],
  ['urn:ietf:params:xml:ns:location-type', 'lt'],
  ['urn:ietf:params:xml:ns:pidf:geopriv10', 'gp'],
  [PIDF_NS, 'pidf'], // only for namespaced attributes such as pidf:mustUnderstand
]);

export function isValidQvalue(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 1 && Math.round(value * 1000) / 1000 === value;
}

/** Shortest decimal form with at most 3 decimals: 1 -> "1", 0.8 -> "0.8", 0.725 -> "0.725". */
function formatQvalue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
}

function requireXmlChars(value: string, path: string): void {
  const i = findInvalidXmlChar(value);
  if (i !== -1) {
    const cp = value.codePointAt(i) ?? 0;
    throw new WireError('WIRE_ERR_XML_INVALID_CHAR', `U+${cp.toString(16).toUpperCase().padStart(4, '0')} cannot be written in XML`, { path });
  }
}

function parseAttributeKey(key: string, path: string): { ns: string; local: string } {
  // A local name is an NCName and cannot contain '}', so the last '}' ends the namespace.
  const close = key.startsWith('{') ? key.lastIndexOf('}') : -1;
  const ns = close > 1 ? key.slice(1, close) : '';
  const local = close > 1 ? key.slice(close + 1) : key;
  if (!isNcName(local) || ns === XMLNS_NS || (ns === '' && local === 'xmlns')) {
    throw new WireError(
      'WIRE_ERR_PIDF_BAD_EXTENSION',
      `attribute key ${JSON.stringify(key)} must be an NCName or {namespace}NCName, and not a namespace declaration`,
      { path },
    );
  }
  return { ns, local };
}

class Encoder {
  /** Prefix per namespace, in order of first use (the root declares them all). */
  readonly prefixes = new Map<string, string>();
  private counter = 0;

  private prefixFor(ns: string): string {
    if (ns === XML_NS) return 'xml';
    let prefix = this.prefixes.get(ns);
    if (prefix === undefined) {
      const used = new Set(this.prefixes.values());
      const known = KNOWN_PREFIXES.get(ns);
      if (known !== undefined && !used.has(known)) prefix = known;
      else {
        do prefix = `ns${++this.counter}`;
        while (used.has(prefix));
      }
      this.prefixes.set(ns, prefix);
    }
    return prefix;
  }

  /** First pass: validate every extension and assign prefixes deterministically. */
  collect(ext: ExtensionElement, path: string): void {
    if (!isNcName(ext.name)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_EXTENSION', `extension name ${JSON.stringify(ext.name)} is not an NCName`, { path });
    }
    if (ext.ns === XML_NS || ext.ns === XMLNS_NS) {
      throw new WireError('WIRE_ERR_PIDF_BAD_EXTENSION', `extension elements cannot be in the reserved namespace ${ext.ns}`, { path });
    }
    requireXmlChars(ext.ns, path);
    // '' (no namespace) and the PIDF namespace are written unprefixed, switching the default namespace as needed.
    if (ext.ns !== '' && ext.ns !== PIDF_NS) this.prefixFor(ext.ns);
    for (const [key, value] of Object.entries(ext.attributes)) {
      const { ns } = parseAttributeKey(key, path);
      requireXmlChars(value, `${path}/@${key}`);
      requireXmlChars(ns, `${path}/@${key}`);
      if (ns !== '') this.prefixFor(ns);
    }
    if (ext.text !== undefined) requireXmlChars(ext.text, path);
    ext.children.forEach((c, i) => this.collect(c, `${path}/${c.name}[${i + 1}]`));
  }

  extension(ext: ExtensionElement, indent: string, defaultNs: string): string {
    const unprefixed = ext.ns === '' || ext.ns === PIDF_NS;
    const tag = unprefixed ? ext.name : `${this.prefixFor(ext.ns)}:${ext.name}`;
    let open = `<${tag}`;
    let innerDefault = defaultNs;
    if (unprefixed && defaultNs !== ext.ns) {
      open += ` xmlns="${escapeXmlAttribute(ext.ns)}"`;
      innerDefault = ext.ns;
    }
    for (const [key, value] of Object.entries(ext.attributes)) {
      const { ns, local } = parseAttributeKey(key, '');
      open += ` ${ns === '' ? local : `${this.prefixFor(ns)}:${local}`}="${escapeXmlAttribute(value)}"`;
    }
    const text = ext.text === undefined ? '' : escapeXmlText(ext.text);
    if (ext.children.length === 0) return text === '' ? `${open}/>` : `${open}>${text}</${tag}>`;
    const inner = ext.children.map((c) => `${indent}  ${this.extension(c, `${indent}  `, innerDefault)}\n`).join('');
    return `${open}>${text}\n${inner}${indent}</${tag}>`;
  }
}

function noteXml(note: PidfNote, path: string): string {
  requireXmlChars(note.text, path);
  let attrs = '';
  if (note.lang !== undefined) {
    if (!isLanguageTag(note.lang)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_LANG', `note language ${JSON.stringify(note.lang)} is not an RFC 3066 language tag`, { path });
    }
    attrs = ` xml:lang="${escapeXmlAttribute(note.lang)}"`;
  }
  return `<note${attrs}>${escapeXmlText(note.text)}</note>`;
}

/**
 * Encode a document canonically: XML declaration with UTF-8, PIDF as the
 * default namespace, extension namespaces declared once on <presence>,
 * schema element order (RFC 3863 s.4.4), two-space indentation. `warnings`
 * is ignored. Throws WireError if the value is not a valid PIDF document, so
 * that the encoder never emits what `decodePidf` would reject.
 */
export function encodePidf(doc: PidfDocument): string {
  const enc = new Encoder();
  if (!isAbsoluteUri(doc.entity)) {
    throw new WireError('WIRE_ERR_PIDF_BAD_ENTITY', `entity ${JSON.stringify(doc.entity)} is not an absolute URI`, { path: '/presence/@entity' });
  }
  const ids = new Map<string, string>();
  doc.tuples.forEach((t, i) => {
    const path = `/presence/tuple[${i + 1}]`;
    if (!isNcName(t.id)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_TUPLE_ID', `tuple id ${JSON.stringify(t.id)} is not an xs:ID (NCName)`, { path });
    }
    const prev = ids.get(t.id);
    if (prev !== undefined) {
      throw new WireError('WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID', `tuple id "${t.id}" is already used by ${prev}`, { path });
    }
    ids.set(t.id, path);
    if (t.status.basic === undefined && t.status.extensions.length === 0) {
      throw new WireError('WIRE_ERR_PIDF_EMPTY_STATUS', 'status needs basic or at least one extension', { path: `${path}/status` });
    }
    if (t.status.basic !== undefined && t.status.basic !== 'open' && t.status.basic !== 'closed') {
      throw new WireError('WIRE_ERR_PIDF_BAD_BASIC', `basic must be "open" or "closed", got ${JSON.stringify(t.status.basic)}`, {
        path: `${path}/status/basic`,
      });
    }
    if (t.contact !== undefined) {
      if (!isAbsoluteUri(t.contact.uri)) {
        throw new WireError('WIRE_ERR_PIDF_BAD_CONTACT', `contact ${JSON.stringify(t.contact.uri)} is not an absolute URI`, { path: `${path}/contact` });
      }
      if (t.contact.priority !== undefined && !isValidQvalue(t.contact.priority)) {
        throw new WireError('WIRE_ERR_PIDF_BAD_CONTACT', `priority ${t.contact.priority} is not a qvalue (0..1, at most 3 decimals)`, {
          path: `${path}/contact/@priority`,
        });
      }
    }
    if (t.timestamp !== undefined && !isRfc3339DateTime(t.timestamp, true)) {
      throw new WireError('WIRE_ERR_PIDF_BAD_TIMESTAMP', `timestamp ${JSON.stringify(t.timestamp)} is not RFC 3339 with upper-case T/Z`, {
        path: `${path}/timestamp`,
      });
    }
    t.status.extensions.forEach((e, j) => enc.collect(e, `${path}/status/${e.name}[${j + 1}]`));
    t.extensions.forEach((e, j) => enc.collect(e, `${path}/${e.name}[${j + 1}]`));
  });
  doc.extensions.forEach((e, j) => enc.collect(e, `/presence/${e.name}[${j + 1}]`));

  const out: string[] = [];
  doc.tuples.forEach((t, i) => {
    const path = `/presence/tuple[${i + 1}]`;
    out.push(`  <tuple id="${escapeXmlAttribute(t.id)}">`);
    out.push('    <status>');
    if (t.status.basic !== undefined) out.push(`      <basic>${t.status.basic}</basic>`);
    for (const e of t.status.extensions) out.push(`      ${enc.extension(e, '      ', PIDF_NS)}`);
    out.push('    </status>');
    for (const e of t.extensions) out.push(`    ${enc.extension(e, '    ', PIDF_NS)}`);
    if (t.contact !== undefined) {
      const priority = t.contact.priority === undefined ? '' : ` priority="${formatQvalue(t.contact.priority)}"`;
      out.push(`    <contact${priority}>${escapeXmlText(t.contact.uri)}</contact>`);
    }
    t.notes.forEach((n, j) => out.push(`    ${noteXml(n, `${path}/note[${j + 1}]`)}`));
    if (t.timestamp !== undefined) out.push(`    <timestamp>${t.timestamp}</timestamp>`);
    out.push('  </tuple>');
  });
  doc.notes.forEach((n, j) => out.push(`  ${noteXml(n, `/presence/note[${j + 1}]`)}`));
  for (const e of doc.extensions) out.push(`  ${enc.extension(e, '  ', PIDF_NS)}`);

  let open = `<presence xmlns="${PIDF_NS}"`;
  for (const [ns, prefix] of enc.prefixes) open += ` xmlns:${prefix}="${escapeXmlAttribute(ns)}"`;
  open += ` entity="${escapeXmlAttribute(doc.entity)}"`;
  const body = out.length === 0 ? `${open}/>\n` : `${open}>\n${out.join('\n')}\n</presence>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
