/**
 * The namespace-resolved element tree the codecs read, built from the events
 * of a saxes parser (strict, namespace-aware). The parser resolves prefixes
 * and checks every Namespaces in XML 1.0 rule; this builder keeps elements,
 * attributes (namespace declarations left out), character data, the
 * inherited xml:lang, and the position of each start tag, and enforces the
 * nesting limit at the start tag, before the element's content is read.
 *
 * The same builder serves whole documents (xml.ts) and one stanza at a time
 * (xmpp-stream.ts): it reports the top element when it closes.
 */
import type { SaxesAttributeNS, SaxesTagNS } from 'saxes';
import { WireError } from './errors.js';
import { XML_NS, XMLNS_NS } from './xml-chars.js';
import type { LineTracker } from './xml-positions.js';

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
  /** Human-readable location, e.g. `/presence/tuple[2]/status` (`[n]` only where a name repeats among siblings). */
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

/** Deepest element nesting a document or stanza may have (presence documents use fewer than 10 levels). */
export const MAX_XML_DEPTH = 64;

function attributesOf(tag: SaxesTagNS): XmlAttribute[] {
  const out: XmlAttribute[] = [];
  for (const key in tag.attributes) {
    const a = tag.attributes[key] as SaxesAttributeNS;
    if (a.uri === XMLNS_NS) continue; // a namespace declaration, already applied by the parser
    out.push({ ns: a.uri, local: a.local, qname: a.name, value: a.value });
  }
  return out;
}

/** `/a/b[2]` paths, assigned once the top element is complete (a name gets `[n]` only when it repeats among siblings). */
function assignPaths(el: XmlElement, path: string): void {
  el.path = path;
  let totals: Map<string, number> | undefined;
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    totals ??= new Map();
    totals.set(c.qname, (totals.get(c.qname) ?? 0) + 1);
  }
  if (totals === undefined) return;
  const seen = new Map<string, number>();
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    const n = (seen.get(c.qname) ?? 0) + 1;
    seen.set(c.qname, n);
    assignPaths(c, `${path}/${c.qname}${(totals.get(c.qname) ?? 0) > 1 ? `[${n}]` : ''}`);
  }
}

export class XmlTreeBuilder {
  private readonly stack: XmlElement[] = [];
  private startOffset = 0;
  /** Name of a start tag whose attributes are being read (errors there name the element being opened). */
  private pending: string | undefined;

  constructor(
    private readonly lines: LineTracker,
    private readonly maxDepth: number = MAX_XML_DEPTH,
    private readonly baseLang?: string,
  ) {}

  get depth(): number {
    return this.stack.length;
  }

  /** At `opentagstart`: `position` is the parser's offset just after the name and the character that ended it. */
  startTag(name: string, position: number): void {
    this.startOffset = position - name.length - 2;
    this.pending = name;
    if (this.stack.length >= this.maxDepth) {
      throw new WireError('WIRE_ERR_XML_LIMIT', `elements are nested deeper than ${this.maxDepth} levels`, {
        ...this.lines.at(this.startOffset),
        path: this.currentPath() ?? `/${name}`,
      });
    }
  }

  /** At `opentag`: the element with its resolved names and attributes. */
  open(tag: SaxesTagNS): XmlElement {
    this.pending = undefined;
    const parent = this.stack[this.stack.length - 1];
    const pos = this.lines.at(this.startOffset);
    const attributes = attributesOf(tag);
    const el: XmlElement = { kind: 'element', ns: tag.uri, local: tag.local, qname: tag.name, attributes, children: [], path: '', line: pos.line, column: pos.column };
    const langAttr = attributes.find((a) => a.ns === XML_NS && a.local === 'lang');
    const lang = langAttr !== undefined ? langAttr.value : parent === undefined ? this.baseLang : parent.lang;
    if (lang !== undefined) el.lang = lang;
    parent?.children.push(el);
    this.stack.push(el);
    return el;
  }

  /** Character data or a CDATA section inside the open element (outside any, it is the caller's concern). */
  text(value: string): void {
    const el = this.stack[this.stack.length - 1];
    if (el !== undefined && value !== '') el.children.push({ kind: 'text', value });
  }

  /** At `closetag`: the top element, with its paths, when it is the one closing; otherwise undefined. */
  close(): XmlElement | undefined {
    const el = this.stack.pop();
    if (el === undefined || this.stack.length > 0) return undefined;
    assignPaths(el, `/${el.qname}`);
    return el;
  }

  /** Path of the innermost open element for an error message (`[n]` counts the siblings read so far). */
  currentPath(): string | undefined {
    let path: string | undefined;
    this.stack.forEach((el, i) => {
      const parent = this.stack[i - 1];
      if (parent === undefined) {
        path = `/${el.qname}`;
        return;
      }
      const same = parent.children.filter((c) => c.kind === 'element' && c.qname === el.qname);
      path = `${path ?? ''}/${el.qname}${same.length > 1 ? `[${same.indexOf(el) + 1}]` : ''}`;
    });
    return this.pending === undefined ? path : `${path ?? ''}/${this.pending}`;
  }
}
