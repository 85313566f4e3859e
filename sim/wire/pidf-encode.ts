/**
 * PIDF encoder (RFC 3863): canonical, strictly valid documents. The encoder
 * refuses any value the strict decoder would refuse, so every document the
 * simulator emits is valid whatever mode its reader uses.
 */
import { WireError } from './errors.js';
import { PIDF_NS, type ExtensionElement, type PidfDocument, type PidfNote } from './pidf-model.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';
import { XML_NS, XMLNS_NS, escapeXmlAttribute, escapeXmlText, findInvalidXmlChar, isNcName } from './xml.js';
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
