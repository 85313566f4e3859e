/**
 * PIDF, the Presence Information Data Format (RFC 3863, application/pidf+xml):
 * a decoder with a strict and a lenient mode (sim/wire/findings.ts), and the
 * canonical encoder (pidf-encode.ts, re-exported here).
 *
 * Decoding follows the RFC 3863 s.4.4 schema and the s.4.2 extensibility rules:
 * - PIDF's own elements (presence, tuple, status, basic, contact, note,
 *   timestamp) are always recognised and checked: cardinality, order,
 *   allowed values. In strict mode a violation is a WireError naming the
 *   element path; in lenient mode it is recorded and the reading goes on the
 *   way deployed decoders do (element order ignored, any tuple id kept, the
 *   first of duplicated elements used, unusable values dropped).
 * - Any other element (foreign namespace, or an unknown name in the PIDF
 *   namespace) is ignored for PIDF semantics together with all its content,
 *   but kept as an `ExtensionElement` so that `inspect` can show RPID
 *   (RFC 4480) activities, moods and the like.
 * - A contact priority that is not a valid qvalue is ignored (RFC 3863 s.4.1:
 *   out-of-range values SHOULD be ignored) and reported in `warnings`.
 * - `mustUnderstand` can never make a document fail: it only widens what is
 *   ignored to the enclosing optional element (s.4.2, example s.4.3.3). This
 *   processor understands no extension, so every extension is already ignored;
 *   the attribute is reported in `warnings` so the effect is visible.
 * - Lenient mode also mentions a tuple without <timestamp> (s.4.1: SHOULD).
 * Refused in both modes: XML that is not namespace-well-formed, a root other
 * than <presence> in the PIDF namespace, a <presence> without entity, an
 * encoding other than UTF-8.
 */
import { WireError } from './errors.js';
import { Findings, decodeMode, type DecodeFindings, type DecodeOptions } from './findings.js';
import {
  PIDF_ELEMENT_NAMES,
  PIDF_NS,
  QVALUE,
  type ExtensionElement,
  type PidfBasic,
  type PidfContact,
  type PidfDocument,
  type PidfNote,
  type PidfStatus,
  type PidfTuple,
} from './pidf-model.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';
import { XML_NS, type XmlDocument, type XmlElement, isNcName, isXmlWhitespace, parseXml, xmlCollapse, xmlTrim } from './xml.js';

export * from './pidf-model.js';
export { encodePidf, isValidQvalue } from './pidf-encode.js';

const SCHEMA = 'RFC 3863 s.4.4';
const TEXT = 'RFC 3863 s.4.1';

export interface PidfDecodeResult extends DecodeFindings {
  document: PidfDocument;
}

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
  private readonly tupleIds = new Map<string, string>();

  constructor(readonly findings: Findings) {}

  private warn(message: string): void {
    this.findings.warn(message);
  }

  /** Warn about attributes RFC 3863 does not define on a PIDF element (the schema allows none besides these). */
  private checkAttributes(el: XmlElement, allowed: readonly string[]): void {
    for (const a of el.attributes) {
      if (a.ns === '' && allowed.includes(a.local)) continue;
      if (a.ns === XML_NS && a.local === 'lang') continue; // inherited by notes, see PidfNote.lang
      this.warn(`attribute ${a.qname} on ${describe(el)} is not defined by RFC 3863 for <${el.local}>; ignored`);
    }
  }

  private noText(el: XmlElement): void {
    for (const c of el.children) {
      if (c.kind === 'text' && !isXmlWhitespace(c.value)) {
        const msg = `<${el.local}> may only contain elements, found text ${JSON.stringify(xmlTrim(c.value).slice(0, 40))}`;
        this.findings.violate('WIRE_ERR_PIDF_UNEXPECTED_CONTENT', SCHEMA, msg, where(el));
        return; // lenient: the text is ignored
      }
    }
  }

  private textOnly(el: XmlElement): string {
    const child = childElements(el)[0];
    if (child !== undefined) {
      const msg = `<${el.local}> holds text only, found element <${child.qname}>`;
      this.findings.violate('WIRE_ERR_PIDF_UNEXPECTED_CONTENT', SCHEMA, msg, where(child)); // lenient: child elements ignored
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
    this.warn(`unknown element ${describe(el)} in the PIDF namespace; ignored with its content (RFC 3863 s.4.2)`);
    return undefined;
  }

  /** Report mustUnderstand markers inside an (ignored) extension subtree. */
  private mustUnderstand(ext: XmlElement, insideStatus: boolean): void {
    const visit = (el: XmlElement): void => {
      const mu = el.attributes.find((a) => a.ns === PIDF_NS && a.local === 'mustUnderstand');
      if (mu !== undefined) {
        const v = xmlCollapse(mu.value);
        if (v === 'true' || v === '1') {
          this.warn(
            insideStatus
              ? `status extension ${describe(ext)} contains ${el.path} marked mustUnderstand, which this processor does not understand: the whole <${ext.qname}> is treated as unrecognised (RFC 3863 s.4.2)`
              : `${el.path} is marked mustUnderstand outside <status> (RFC 3863 s.4.2 allows it only inside status extensions); <${ext.qname}> is ignored like any unknown extension`,
          );
        } else if (v !== 'false' && v !== '0') {
          this.warn(`mustUnderstand="${mu.value}" on ${describe(el)} is not an xs:boolean; treated as false`);
        }
      }
      for (const k of childElements(el)) visit(k);
    };
    visit(ext);
  }

  /**
   * Check the relative order of PIDF elements inside one container and warn
   * when an extension sits where the schema does not put extensions.
   * `ranks` gives each PIDF child its position in the schema sequence and
   * `extRank` the position of the `##other` wildcard. A PIDF element the
   * container may not hold is, in lenient mode, read as an extension.
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
      this.warn(
        `extension ${describe(ext)} is placed ${neighbour}; the RFC 3863 s.4.4 schema puts extensions inside <${container.local}> after ${slot}${
          Object.values(ranks).some((r) => r > extRank) ? ' and before the remaining PIDF elements' : ''
        }`,
      );
    };
    for (const child of childElements(container)) {
      let pidf = this.pidfName(child);
      const rank = pidf === undefined ? undefined : ranks[pidf];
      if (pidf !== undefined && rank === undefined) {
        const msg = `<${pidf}> is not allowed inside <${container.local}> (RFC 3863 s.4.4)`;
        this.findings.violate('WIRE_ERR_PIDF_UNEXPECTED_ELEMENT', SCHEMA, msg, where(child));
        pidf = undefined; // lenient: ignored with its content, like an unknown element
      }
      if (pidf === undefined || rank === undefined) {
        firstExt ??= child;
        if (lastPidf !== undefined && lastPidf.rank > extRank) misplaced(child, `after <${lastPidf.name}>`);
      } else {
        if (lastPidf !== undefined && rank < lastPidf.rank) {
          const order = Object.entries(ranks)
            .concat([['extensions', extRank]])
            .sort((a, b) => a[1] - b[1])
            .map(([n]) => n)
            .join(', ');
          const msg = `<${pidf}> comes after <${lastPidf.name}>; inside <${container.local}> the RFC 3863 s.4.4 order is ${order}`;
          this.findings.violate('WIRE_ERR_PIDF_ELEMENT_ORDER', SCHEMA, msg, where(child));
        }
        if (firstExt !== undefined && rank < extRank) misplaced(firstExt, `before <${pidf}>`);
        if (lastPidf === undefined || rank >= lastPidf.rank) lastPidf = { name: pidf, rank };
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
      this.findings.violate('WIRE_ERR_PIDF_BAD_ENTITY', SCHEMA, `entity ${JSON.stringify(rawEntity)} is not an absolute URI`, where(root));
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

  private tupleId(el: XmlElement): string {
    const rawId = attribute(el, 'id');
    if (rawId === undefined) {
      const msg = '<tuple> has no id attribute (required, unique within the document)';
      this.findings.violate('WIRE_ERR_PIDF_TUPLE_NO_ID', SCHEMA, msg, where(el));
      return '';
    }
    const id = xmlCollapse(rawId); // xs:ID has whiteSpace="collapse"
    if (!isNcName(id)) {
      const msg = `tuple id ${JSON.stringify(rawId)} is not an xs:ID (an NCName: letter or '_' first, no spaces or colons)`;
      this.findings.violate('WIRE_ERR_PIDF_BAD_TUPLE_ID', SCHEMA, msg, where(el));
    }
    const previous = this.tupleIds.get(id);
    if (previous !== undefined) {
      this.findings.violate('WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID', `${TEXT} and s.4.4`, `tuple id "${id}" is already used by ${previous}`, where(el));
    } else this.tupleIds.set(id, describe(el));
    return id;
  }

  private tuple(el: XmlElement): PidfTuple {
    this.checkAttributes(el, ['id']);
    const id = this.tupleId(el);
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
          const msg = `second <${pidf}> in one tuple (at most one is allowed)`;
          this.findings.violate('WIRE_ERR_PIDF_DUPLICATE_ELEMENT', SCHEMA, msg, where(child));
          return; // lenient: the first one counts
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
      this.findings.violate('WIRE_ERR_PIDF_MISSING_STATUS', SCHEMA, `tuple "${id}" has no <status> (exactly one is required)`, where(el));
      status = { extensions: [] };
    }
    const tuple: PidfTuple = { id, status, notes, extensions };
    if (contact !== undefined) tuple.contact = contact;
    if (timestamp !== undefined) tuple.timestamp = timestamp;
    // A SHOULD, not a rule: only the lenient (diagnostic) reading mentions it.
    else if (this.findings.mode === 'lenient') this.warn(`tuple "${id}" at ${describe(el)} has no <timestamp>; RFC 3863 s.4.1 says each tuple SHOULD carry one unless the time of change is unknown`);
    return tuple;
  }

  private status(el: XmlElement): PidfStatus {
    this.checkAttributes(el, []);
    this.noText(el);
    const status: PidfStatus = { extensions: [] };
    let count = 0;
    let basicSeen = false;
    this.ordered(el, { basic: 0 }, 1, (child, pidf) => {
      count++;
      if (pidf === 'basic') {
        if (basicSeen) {
          this.findings.violate('WIRE_ERR_PIDF_DUPLICATE_ELEMENT', SCHEMA, 'second <basic> in one <status> (at most one is allowed)', where(child));
          return;
        }
        basicSeen = true;
        const basic = this.basic(child);
        if (basic !== undefined) status.basic = basic;
      } else {
        status.extensions.push(this.extension(child));
        this.mustUnderstand(child, true);
      }
    });
    if (count === 0) {
      const msg = '<status> is empty; it needs <basic> or at least one status extension';
      this.findings.violate('WIRE_ERR_PIDF_EMPTY_STATUS', `${TEXT} and s.4.4`, msg, where(el));
    }
    return status;
  }

  private basic(el: XmlElement): PidfBasic | undefined {
    this.checkAttributes(el, []);
    const raw = this.textOnly(el);
    const value = xmlTrim(raw);
    if (value !== 'open' && value !== 'closed') {
      const msg = `<basic> must be "open" or "closed", found ${JSON.stringify(raw)}`;
      this.findings.violate('WIRE_ERR_PIDF_BAD_BASIC', SCHEMA, msg, where(el));
      const folded = value.toLowerCase();
      // lenient: a case slip still says open or closed; anything else says neither
      return folded === 'open' || folded === 'closed' ? folded : undefined;
    }
    if (value !== raw) this.warn(`<basic> at ${describe(el)} has surrounding whitespace; read as "${value}"`);
    return value;
  }

  private contact(el: XmlElement): PidfContact | undefined {
    this.checkAttributes(el, ['priority']);
    const raw = this.textOnly(el);
    const uri = xmlCollapse(raw); // xs:anyURI collapses whitespace (RFC 3863 example s.4.3.2 wraps a contact)
    if (!isAbsoluteUri(uri)) {
      const msg = uri === '' ? '<contact> is empty' : `<contact> ${JSON.stringify(uri)} is not an absolute URI`;
      this.findings.violate('WIRE_ERR_PIDF_BAD_CONTACT', TEXT, msg, where(el));
      if (uri === '') return undefined; // lenient: an empty contact names no one
    }
    const contact: PidfContact = { uri };
    const rawPriority = attribute(el, 'priority');
    if (rawPriority !== undefined) {
      const p = xmlCollapse(rawPriority);
      if (QVALUE.test(p)) contact.priority = Number(p);
      else {
        this.warn(`priority ${JSON.stringify(rawPriority)} on ${describe(el)} is not a qvalue (0 to 1, at most 3 decimals); ignored as RFC 3863 s.4.1 recommends`);
      }
    }
    return contact;
  }

  private note(el: XmlElement): PidfNote {
    this.checkAttributes(el, []);
    const note: PidfNote = { text: this.textOnly(el) };
    if (el.lang !== undefined) {
      const lang = xmlTrim(el.lang);
      // xml:lang="" means "no language information" (XML 1.0 s.2.12): leave lang absent.
      if (lang !== '' && !isLanguageTag(lang)) {
        this.findings.violate('WIRE_ERR_PIDF_BAD_LANG', TEXT, `xml:lang ${JSON.stringify(el.lang)} is not an RFC 3066 language tag`, where(el));
      } else if (lang !== '') note.lang = lang;
    }
    return note;
  }

  private timestamp(el: XmlElement): string {
    this.checkAttributes(el, []);
    const raw = this.textOnly(el);
    const value = xmlCollapse(raw);
    if (!isRfc3339DateTime(value, true)) {
      const msg = `<timestamp> ${JSON.stringify(raw)} is not an RFC 3339 date-time with upper-case T and Z (e.g. 2001-10-27T16:49:29Z)`;
      this.findings.violate('WIRE_ERR_PIDF_BAD_TIMESTAMP', TEXT, msg, where(el)); // lenient: kept as written
    }
    return value;
  }
}

/** True when the parsed document's root is <presence> in the PIDF namespace. */
export function isPidfRoot(xml: XmlDocument): boolean {
  return xml.root.ns === PIDF_NS && xml.root.local === 'presence';
}

/** Decode an already parsed XML document as PIDF (inspect parses once and dispatches on the root). */
export function decodePidfXml(xml: XmlDocument, options?: DecodeOptions): PidfDecodeResult {
  const findings = new Findings(decodeMode(options));
  const root = xml.root;
  if (!isPidfRoot(xml)) {
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
  // The caller hands us characters; we read files as UTF-8, the one encoding
  // RFC 3863 s.4.1 obliges processors to accept. A document declaring another
  // encoding would have been mis-read, so it is refused rather than guessed at.
  const encoding = xml.declaration?.encoding;
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new WireError('WIRE_ERR_XML_ENCODING', `encoding "${encoding}" is not supported; PIDF processors exchange UTF-8`, { line: 1, column: 1 });
  }
  if (xml.declaration === undefined) {
    const msg = 'a PIDF document must start with an XML declaration (<?xml version="1.0" encoding="UTF-8"?>)';
    findings.violate('WIRE_ERR_PIDF_MISSING_XML_DECL', TEXT, msg, { line: 1, column: 1 });
  } else if (encoding === undefined) findings.warn('the XML declaration has no encoding declaration (RFC 3863 s.4.1: SHOULD be present)');
  const document = new Decoder(findings).presence(root);
  return { document, ...findings.result() };
}

/**
 * Decode an application/pidf+xml document in the given mode (default
 * strict). Returns the document with the findings; throws WireError for
 * what the mode refuses.
 */
export function decodePidfDocument(text: string, options?: DecodeOptions): PidfDecodeResult {
  return decodePidfXml(parseXml(text), options);
}

/**
 * Strict decode, the original entry point: the document with its warnings
 * (absent when there are none) in `warnings`.
 */
export function decodePidf(text: string): PidfDocument {
  const { document, warnings } = decodePidfDocument(text, { mode: 'strict' });
  if (warnings.length > 0) document.warnings = warnings;
  return document;
}
