/**
 * Internal XML layer for the PIDF codec: turns text into a namespace-resolved
 * element tree with source positions, and offers the escaping helpers the
 * encoder needs.
 *
 * fast-xml-parser's XMLValidator does the bulk of the well-formedness check
 * (tag balance, attribute syntax, duplicate attributes) and reports line and
 * column. It is lenient in places that matter for a strict decoder, so this
 * module adds the checks it skips: characters outside the XML Char production,
 * the XML declaration anywhere but offset 0, several root elements or text
 * outside the root, `<` in attribute values, `]]>` in text, `--` in comments,
 * undefined entity references, and everything namespace-related (fast-xml-parser
 * is not namespace-aware; we resolve prefixes ourselves per Namespaces in XML
 * 1.0). The parser runs with entity processing off so that references are
 * decoded here, exactly once, with the XML 1.0 s.3.3.3 attribute-value
 * normalisation applied first.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WireError } from './errors.js';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  /** Namespace URI; '' for an unprefixed attribute (default namespaces never apply to attributes). */
  ns: string;
  local: string;
  qname: string;
  /** Value after attribute-value normalisation and reference decoding. */
  value: string;
}

export interface XmlElement {
  kind: 'element';
  /** Namespace URI; '' when the element is in no namespace. */
  ns: string;
  local: string;
  qname: string;
  attributes: XmlAttribute[];
  children: XmlChild[];
  /** Human-readable location, e.g. `/presence/tuple[2]/status`. */
  path: string;
  line: number;
  column: number;
  /** In-scope xml:lang (XML 1.0 s.2.12), inherited from ancestors. */
  lang?: string;
}

export interface XmlText {
  kind: 'text';
  /** Character data with references decoded (CDATA sections are literal). */
  value: string;
}

export type XmlChild = XmlElement | XmlText;

export interface XmlDeclaration {
  version: string;
  encoding?: string;
  standalone?: string;
}

export interface XmlDocument {
  declaration?: XmlDeclaration;
  root: XmlElement;
}

/** XML 1.0 s.2.2 Char, inverted: anything matching this is forbidden. */
const INVALID_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * XML NCName (Namespaces in XML 1.0 s.3), approximated with Unicode property
 * classes: a letter or `_` first, then letters, digits, combining marks, `.`,
 * `-`, `_` and U+00B7. The XML 1.0 5th-edition NameStartChar ranges are
 * slightly wider (they admit some symbols); documents from real clients use
 * ASCII identifiers, so the approximation errs on the strict side only for
 * exotic names.
 */
const NCNAME = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}._\-\u00B7]*$/u;

export function isNcName(value: string): boolean {
  return NCNAME.test(value);
}

export function findInvalidXmlChar(value: string): number {
  const m = INVALID_XML_CHAR.exec(value);
  return m === null ? -1 : m.index;
}

/** XML whitespace is exactly SP, TAB, CR, LF (XML 1.0 s.2.3 S), not JS `\s`. */
export function isXmlWhitespace(value: string): boolean {
  return /^[ \t\r\n]*$/.test(value);
}

export function xmlTrim(value: string): string {
  return value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** XML Schema `whiteSpace="collapse"` (used by anyURI, decimal, dateTime, ID). */
export function xmlCollapse(value: string): string {
  return xmlTrim(value.replace(/[ \t\r\n]+/g, ' '));
}

/** Escape character data. `\r` becomes a reference so it survives line-end normalisation (XML 1.0 s.2.11). */
export function escapeXmlText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Escape an attribute value for double quotes; TAB/LF/CR become references so normalisation keeps them. */
export function escapeXmlAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      default:
        return '&#13;';
    }
  });
}

/** Precomputed line starts, for offset -> (line, column). */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/**
 * Decode entity and character references (XML 1.0 s.4.1). Without a DTD only
 * the five predefined entities exist; a character reference must name a
 * character allowed by the Char production.
 */
function decodeReferences(raw: string, where: { path: string; line: number; column: number }): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s<]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) {
      throw new WireError('WIRE_ERR_XML_BAD_REFERENCE', `'&' is not followed by a complete reference ("${whole}")`, where);
    }
    const named = PREDEFINED_ENTITIES.get(body);
    if (named !== undefined) return named;
    let codePoint = Number.NaN;
    if (/^#[0-9]+$/.test(body)) codePoint = Number.parseInt(body.slice(1), 10);
    else if (/^#x[0-9A-Fa-f]+$/.test(body)) codePoint = Number.parseInt(body.slice(2), 16);
    else {
      throw new WireError(
        'WIRE_ERR_XML_BAD_REFERENCE',
        `undefined entity reference "${whole}" (only &lt; &gt; &amp; &quot; &apos; and character references exist without a DTD)`,
        where,
      );
    }
    if (!(codePoint <= 0x10ffff)) {
      throw new WireError('WIRE_ERR_XML_BAD_REFERENCE', `character reference "${whole}" is out of the Unicode range`, where);
    }
    const char = String.fromCodePoint(codePoint);
    if (findInvalidXmlChar(char) !== -1) {
      throw new WireError('WIRE_ERR_XML_BAD_REFERENCE', `character reference "${whole}" names a character XML does not allow`, where);
    }
    return char;
  });
}

/** A node of fast-xml-parser's `preserveOrder` output. */
type FxpNode = Record<string, unknown>;

/**
 * fast-xml-parser renames or refuses element and attribute names that are
 * also JavaScript property names (`toString` becomes `__toString`,
 * `constructor` throws). Such names are legal XML, so every tag and attribute
 * name is handed to the parser with this prefix, which cannot occur in XML
 * (U+0001 is not an XML Char, and parseXml rejects it before parsing), and
 * stripped again here. Self-closing tags get the transform applied twice by
 * the parser, hence "one or more" when stripping.
 */
const NAME_MARK = '\u0001';
const NAME_MARKS = /^\u0001+/;

function isElementKey(key: string): boolean {
  return key.startsWith(NAME_MARK);
}

function unmark(key: string): string {
  return key.replace(NAME_MARKS, '');
}

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  captureMetaData: true,
  ignoreDeclaration: false,
  ignorePiTags: false,
  allowBooleanAttributes: false,
  transformTagName: (name: string) => NAME_MARK + name,
  transformAttributeName: (name: string) => NAME_MARK + name,
});
const META = XMLParser.getMetaDataSymbol();

function nodeName(node: FxpNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function nodeStart(node: FxpNode): number | undefined {
  const meta = (node as Record<symbol, unknown>)[META as unknown as symbol];
  if (typeof meta === 'object' && meta !== null) {
    const start = (meta as { startIndex?: unknown }).startIndex;
    if (typeof start === 'number') return start;
  }
  return undefined;
}

function rawAttributes(node: FxpNode): [string, string][] {
  const attrs = node[':@'];
  if (typeof attrs !== 'object' || attrs === null) return [];
  return Object.entries(attrs as Record<string, unknown>).map(([k, v]) => [unmark(k), typeof v === 'string' ? v : String(v)]);
}

function childNodes(node: FxpNode, name: string): FxpNode[] {
  const value = node[name];
  return Array.isArray(value) ? (value as FxpNode[]) : [];
}

/** Concatenated raw text of a comment / CDATA / PI node. */
function innerText(node: FxpNode, name: string): string {
  return childNodes(node, name)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('');
}

function splitQName(qname: string, where: { path: string; line: number; column: number }): { prefix?: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1 && isNcName(qname)) return { local: qname };
  const [prefix, local] = parts;
  if (parts.length === 2 && prefix !== undefined && local !== undefined && isNcName(prefix) && isNcName(local)) {
    return { prefix, local };
  }
  throw new WireError('WIRE_ERR_XML_NAMESPACE', `"${qname}" is not a valid qualified name (Namespaces in XML 1.0 s.4)`, where);
}

interface BuildContext {
  lines: LineIndex;
}

function buildElement(
  node: FxpNode,
  key: string,
  path: string,
  scope: ReadonlyMap<string, string>,
  inheritedLang: string | undefined,
  ctx: BuildContext,
): XmlElement {
  const qname = unmark(key);
  const start = nodeStart(node);
  const pos = start === undefined ? { line: 0, column: 0 } : ctx.lines.at(start);
  const where = { path, line: pos.line, column: pos.column };

  // Namespace declarations first: they apply to the element's own name and attributes.
  let inScope = scope;
  const plain: [string, string][] = [];
  for (const [name, rawValue] of rawAttributes(node)) {
    if (rawValue.includes('<')) {
      throw new WireError('WIRE_ERR_XML_MALFORMED', `attribute ${name} contains a literal '<' (XML 1.0 s.3.1 AttValue)`, where);
    }
    // XML 1.0 s.3.3.3: literal whitespace characters become spaces, then references are decoded.
    const value = decodeReferences(rawValue.replace(/[\t\n\r]/g, ' '), where);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      if (name !== 'xmlns' && !isNcName(prefix)) {
        throw new WireError('WIRE_ERR_XML_NAMESPACE', `"${name}" declares an invalid prefix`, where);
      }
      if (prefix === 'xmlns' || value === XMLNS_NS) {
        throw new WireError('WIRE_ERR_XML_NAMESPACE', `"${name}" may not bind the reserved xmlns prefix or namespace`, where);
      }
      if ((prefix === 'xml') !== (value === XML_NS)) {
        throw new WireError('WIRE_ERR_XML_NAMESPACE', `the xml prefix and only it is bound to ${XML_NS} ("${name}")`, where);
      }
      if (prefix !== '' && value === '') {
        throw new WireError('WIRE_ERR_XML_NAMESPACE', `"${name}" cannot undeclare a prefix in XML 1.0 namespaces`, where);
      }
      if (inScope === scope) inScope = new Map(scope);
      (inScope as Map<string, string>).set(prefix, value);
    } else {
      plain.push([name, value]);
    }
  }

  const { prefix, local } = splitQName(qname, where);
  let ns: string;
  if (prefix === undefined) ns = inScope.get('') ?? '';
  else if (prefix === 'xml') ns = XML_NS;
  else {
    const bound = inScope.get(prefix);
    if (bound === undefined) {
      throw new WireError('WIRE_ERR_XML_NAMESPACE', `element prefix "${prefix}" is not bound to a namespace`, where);
    }
    ns = bound;
  }

  const attributes: XmlAttribute[] = [];
  const seen = new Set<string>();
  for (const [name, value] of plain) {
    const q = splitQName(name, where);
    let attrNs = '';
    if (q.prefix === 'xml') attrNs = XML_NS;
    else if (q.prefix !== undefined) {
      const bound = inScope.get(q.prefix);
      if (bound === undefined) {
        throw new WireError('WIRE_ERR_XML_NAMESPACE', `attribute prefix "${q.prefix}" (in ${name}) is not bound to a namespace`, where);
      }
      attrNs = bound;
    }
    const key = `{${attrNs}}${q.local}`;
    if (seen.has(key)) {
      throw new WireError('WIRE_ERR_XML_NAMESPACE', `attribute ${name} repeats an attribute with the same namespace and local name`, where);
    }
    seen.add(key);
    attributes.push({ ns: attrNs, local: q.local, qname: name, value });
  }

  const langAttr = attributes.find((a) => a.ns === XML_NS && a.local === 'lang');
  const lang = langAttr !== undefined ? langAttr.value : inheritedLang;

  // Children: count same-named siblings first so that paths carry [n] only when needed.
  const rawChildren = childNodes(node, key);
  const keys = rawChildren.map((c) => nodeName(c));
  const totals = new Map<string, number>();
  for (const k of keys) if (k !== undefined && isElementKey(k)) totals.set(unmark(k), (totals.get(unmark(k)) ?? 0) + 1);
  const counters = new Map<string, number>();

  const children: XmlChild[] = [];
  rawChildren.forEach((child, i) => {
    const name = keys[i];
    if (name === undefined) return;
    if (isElementKey(name)) {
      const childName = unmark(name);
      const n = (counters.get(childName) ?? 0) + 1;
      counters.set(childName, n);
      const childPath = `${path}/${childName}${(totals.get(childName) ?? 0) > 1 ? `[${n}]` : ''}`;
      children.push(buildElement(child, name, childPath, inScope, lang, ctx));
    } else if (name === '#text') {
      const raw = typeof child['#text'] === 'string' ? child['#text'] : '';
      if (raw.includes(']]>')) {
        throw new WireError('WIRE_ERR_XML_MALFORMED', "character data contains ']]>' (XML 1.0 s.2.4)", where);
      }
      children.push({ kind: 'text', value: decodeReferences(raw, where) });
    } else if (name === '#cdata') {
      children.push({ kind: 'text', value: innerText(child, name) });
    } else if (name === '#comment') {
      checkComment(innerText(child, name), where);
    } else if (name.startsWith('?')) {
      if (name.slice(1).toLowerCase() === 'xml') {
        throw new WireError('WIRE_ERR_XML_DECL_NOT_AT_START', 'an XML declaration appears inside an element', where);
      }
      // Other processing instructions carry no presence data (XML 1.0 s.2.6).
    } else {
      throw new WireError('WIRE_ERR_XML_MALFORMED', `unexpected parser node ${JSON.stringify(name)}`, where);
    }
  });

  const element: XmlElement = { kind: 'element', ns, local, qname, attributes, children, path, line: pos.line, column: pos.column };
  if (lang !== undefined) element.lang = lang;
  return element;
}

function checkComment(content: string, where: { path?: string; line?: number; column?: number }): void {
  if (content.includes('--') || content.endsWith('-')) {
    throw new WireError('WIRE_ERR_XML_MALFORMED', "a comment contains '--' or ends with '-' (XML 1.0 s.2.5)", where);
  }
}

function parseDeclaration(node: FxpNode): XmlDeclaration {
  const attrs = new Map(rawAttributes(node));
  const where = { line: 1, column: 1 };
  for (const key of attrs.keys()) {
    if (key !== 'version' && key !== 'encoding' && key !== 'standalone') {
      throw new WireError('WIRE_ERR_XML_MALFORMED', `the XML declaration has an unknown pseudo-attribute "${key}"`, where);
    }
  }
  const version = attrs.get('version');
  if (version === undefined || !/^1\.[0-9]+$/.test(version)) {
    throw new WireError('WIRE_ERR_XML_MALFORMED', 'the XML declaration needs version="1.x" (XML 1.0 s.2.8)', where);
  }
  const decl: XmlDeclaration = { version };
  const encoding = attrs.get('encoding');
  if (encoding !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding)) {
      throw new WireError('WIRE_ERR_XML_MALFORMED', `the encoding name "${encoding}" is malformed (XML 1.0 s.4.3.3)`, where);
    }
    decl.encoding = encoding;
  }
  const standalone = attrs.get('standalone');
  if (standalone !== undefined) {
    if (standalone !== 'yes' && standalone !== 'no') {
      throw new WireError('WIRE_ERR_XML_MALFORMED', 'standalone must be "yes" or "no" (XML 1.0 s.2.9)', where);
    }
    decl.standalone = standalone;
  }
  return decl;
}

/** XML 1.0 s.2.8 XMLDecl, whole: version, then optional encoding and standalone, in this order. */
const XML_DECL = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/;
/** XML 1.0 s.2.6 PI: a target Name (without colon, Namespaces in XML 1.0 s.7), then whitespace and data, or the end. */
const PI = /^<\?[\p{L}_][\p{L}\p{Nd}\p{Mn}\p{Mc}._\-\u00B7]*(?:\?>|[ \t\n][\s\S]*?\?>)/u;

/**
 * fast-xml-parser reads a malformed XML declaration or PI target as some
 * PI; these are checked here on the text with comments and CDATA blanked
 * (any other `<?` starts a PI: `<` cannot occur in text or attribute values).
 */
function checkProcessingInstructions(blanked: string, lines: LineIndex): void {
  for (let at = blanked.indexOf('<?'); at !== -1; at = blanked.indexOf('<?', at + 2)) {
    const rest = blanked.slice(at, at + 4096);
    if (/^<\?xml(?![\p{L}\p{Nd}._:\-\u00B7])/iu.test(rest)) {
      if (at === 0 && XML_DECL.test(rest)) continue;
      if (at === 0) throw new WireError('WIRE_ERR_XML_MALFORMED', 'the XML declaration is malformed (XML 1.0 s.2.8: <?xml version="1.x" [encoding="..."] [standalone="yes|no"]?>)', lines.at(at));
      continue; // a late declaration gets its own error from the caller
    }
    if (!PI.test(rest)) throw new WireError('WIRE_ERR_XML_MALFORMED', 'a processing instruction has no valid target name or is not closed (XML 1.0 s.2.6)', lines.at(at));
  }
}

/**
 * Parse a complete XML document. Throws WireError for anything that is not a
 * namespace-well-formed XML 1.0 document, or that declares a DTD.
 */
export function parseXml(input: string): XmlDocument {
  // A UTF-8 byte order mark is allowed before the declaration (XML 1.0 s.4.3.3, appendix F).
  let text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  // XML 1.0 s.2.11: CRLF and lone CR are read as LF before anything else.
  text = text.replace(/\r\n?/g, '\n');
  const lines = new LineIndex(text);

  const bad = findInvalidXmlChar(text);
  if (bad !== -1) {
    const cp = text.codePointAt(bad) ?? 0;
    throw new WireError(
      'WIRE_ERR_XML_INVALID_CHAR',
      `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
      lines.at(bad),
    );
  }

  const lateDecl = /^[ \t\n]+<\?xml[ \t\n?]/.exec(text);
  if (lateDecl !== null) {
    const offset = lateDecl[0].indexOf('<');
    throw new WireError(
      'WIRE_ERR_XML_DECL_NOT_AT_START',
      `the XML declaration is preceded by ${offset} whitespace character(s); it must start at the first byte (XML 1.0 s.2.8)`,
      lines.at(offset),
    );
  }

  checkProcessingInstructions(
    text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (c) => ' '.repeat(c.length)),
    lines,
  );

  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (e) {
    throw new WireError('WIRE_ERR_XML_MALFORMED', `XML validator failed: ${(e as Error).message}`);
  }
  if (verdict !== true) {
    const loc: { line?: number; column?: number } = {};
    if (typeof verdict.err.line === 'number') loc.line = verdict.err.line;
    if (typeof verdict.err.col === 'number') loc.column = verdict.err.col;
    throw new WireError('WIRE_ERR_XML_MALFORMED', `not well-formed XML: ${verdict.err.msg}`, loc);
  }

  let top: FxpNode[];
  try {
    const parsed: unknown = PARSER.parse(text);
    if (!Array.isArray(parsed)) throw new Error('unexpected parser output');
    top = parsed as FxpNode[];
  } catch (e) {
    throw new WireError('WIRE_ERR_XML_MALFORMED', `XML parser rejected the document: ${(e as Error).message}`);
  }

  let declaration: XmlDeclaration | undefined;
  let rootNode: FxpNode | undefined;
  let rootName: string | undefined;
  top.forEach((node, i) => {
    const name = nodeName(node);
    const start = nodeStart(node);
    const where = start === undefined ? {} : lines.at(start);
    if (name === undefined) return;
    if (isElementKey(name)) {
      if (rootNode !== undefined) {
        throw new WireError('WIRE_ERR_XML_MALFORMED', `a second root element <${unmark(name)}> (a document has exactly one)`, where);
      }
      rootNode = node;
      rootName = name;
    } else if (name.startsWith('?')) {
      if (name.slice(1).toLowerCase() === 'xml') {
        if (i !== 0 || (start !== undefined && start !== 0)) {
          throw new WireError('WIRE_ERR_XML_DECL_NOT_AT_START', 'the XML declaration must be the first thing in the document (XML 1.0 s.2.8)', where);
        }
        declaration = parseDeclaration(node);
      }
    } else if (name === '#comment') {
      checkComment(innerText(node, name), where);
    } else if (name === '#text') {
      const raw = typeof node['#text'] === 'string' ? node['#text'] : '';
      if (!isXmlWhitespace(raw)) {
        throw new WireError('WIRE_ERR_XML_MALFORMED', 'text outside the root element (XML 1.0 s.2.1 document production)', where);
      }
    } else if (name === '#cdata') {
      throw new WireError('WIRE_ERR_XML_MALFORMED', 'a CDATA section outside the root element', where);
    } else {
      throw new WireError('WIRE_ERR_XML_MALFORMED', `unexpected parser node ${JSON.stringify(name)}`, where);
    }
  });
  if (rootNode === undefined || rootName === undefined) {
    throw new WireError('WIRE_ERR_XML_MALFORMED', 'the document has no root element');
  }

  // fast-xml-parser silently skips a DOCTYPE; we refuse DTDs (entity expansion, external fetches).
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length));
  const rootStart = nodeStart(rootNode) ?? text.length;
  const doctype = /<!DOCTYPE/.exec(withoutComments.slice(0, rootStart));
  if (doctype !== null) {
    throw new WireError('WIRE_ERR_XML_DOCTYPE', 'DOCTYPE declarations are not accepted (no DTD processing for presence documents)', lines.at(doctype.index));
  }

  const root = buildElement(rootNode, rootName, `/${unmark(rootName)}`, new Map(), undefined, { lines });
  const doc: XmlDocument = { root };
  if (declaration !== undefined) doc.declaration = declaration;
  return doc;
}
