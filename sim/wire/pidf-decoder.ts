/**
 * The PIDF element rules (RFC 3863 s.4.1, s.4.4): presence, tuple, status,
 * basic, contact, note and timestamp, each checked for cardinality, content
 * and value. In strict mode a violation is a WireError naming the element
 * path; in lenient mode it is recorded and the reading goes on the way
 * deployed decoders do (see pidf.ts).
 */
import { WireError } from './errors.js';
import type { Findings } from './findings.js';
import { extensionOf, reportMustUnderstand } from './pidf-extensions.js';
import { QVALUE, type ExtensionElement, type PidfBasic, type PidfContact, type PidfDocument, type PidfNote, type PidfStatus, type PidfTuple } from './pidf-model.js';
import { visitInSchemaOrder } from './pidf-order.js';
import { SCHEMA, TEXT, attribute, childElements, describe, textOf, where } from './pidf-read.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';
import { XML_NS, type XmlElement, isNcName, isXmlWhitespace, xmlCollapse, xmlTrim } from './xml.js';

export class PidfDecoder {
  private readonly tupleIds = new Map<string, string>();

  constructor(readonly findings: Findings) {}

  private warn(message: string): void {
    this.findings.warn(message);
  }

  private readonly warnFn = (message: string): void => this.findings.warn(message);

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
    visitInSchemaOrder(this.findings, root, { tuple: 0, note: 1 }, 2, (child, pidf) => {
      if (pidf === 'tuple') doc.tuples.push(this.tuple(child));
      else if (pidf === 'note') doc.notes.push(this.note(child));
      else doc.extensions.push(extensionOf(child));
      if (pidf === undefined) reportMustUnderstand(child, false, this.warnFn);
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
    visitInSchemaOrder(this.findings, el, { status: 0, contact: 2, note: 3, timestamp: 4 }, 1, (child, pidf) => {
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
        extensions.push(extensionOf(child));
        reportMustUnderstand(child, false, this.warnFn);
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
    visitInSchemaOrder(this.findings, el, { basic: 0 }, 1, (child, pidf) => {
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
        status.extensions.push(extensionOf(child));
        reportMustUnderstand(child, true, this.warnFn);
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
