/**
 * Internal XML layer of the codecs: text in, a namespace-resolved element
 * tree with source positions out (xml-tree.ts), plus the character helpers
 * the encoders need (xml-chars.ts, re-exported).
 *
 * The parser is saxes (strict, namespace-aware, XML 1.0 rules forced even for
 * a `version="1.1"` declaration): it checks well-formedness, the Char
 * production, references, the declaration's syntax and place, and every
 * Namespaces in XML 1.0 rule, and its errors become WireErrors with line and
 * column (xml-errors.ts). This module adds what presence documents need on
 * top, where the input enters: a size limit, the refusal of any DOCTYPE
 * (no DTD, hence no entity expansion or external fetches), a nesting limit
 * (in the tree builder, at the start tag), and precise messages for the two
 * errors saxes reports late (a declaration preceded by whitespace, a stray
 * `&`).
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { WireError } from './errors.js';
import { describeCodePoint, findInvalidXmlChar } from './xml-chars.js';
import { findDanglingAmpersand, wireErrorFromSaxes } from './xml-errors.js';
import { LineTracker } from './xml-positions.js';
import { MAX_XML_DEPTH, XmlTreeBuilder, type XmlElement } from './xml-tree.js';

export * from './xml-chars.js';
export { MAX_XML_DEPTH, type XmlAttribute, type XmlChild, type XmlElement, type XmlText } from './xml-tree.js';

export interface XmlDeclaration {
  version: string;
  encoding?: string;
  standalone?: string;
}

export interface XmlDocument {
  declaration?: XmlDeclaration;
  root: XmlElement;
}

/** Largest document parseXml reads, in characters (the inspect limit is 1 MiB of bytes). */
export const MAX_XML_CHARS = 1024 * 1024;

/** Strict, namespace-aware saxes options shared by documents and streams. */
export const SAXES_OPTIONS = { xmlns: true, position: true, defaultXMLVersion: '1.0', forceXMLVersion: true } as const;

/** Checks made on the whole text before parsing, each with a more precise message than the parser's. */
function precheck(text: string, lines: LineTracker): void {
  const bad = findInvalidXmlChar(text);
  if (bad !== -1) {
    throw new WireError('WIRE_ERR_XML_INVALID_CHAR', `character ${describeCodePoint(text, bad)} is not allowed in XML`, lines.at(bad));
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
}

function declarationOf(decl: { version?: string; encoding?: string; standalone?: string }): XmlDeclaration {
  const out: XmlDeclaration = { version: decl.version ?? '1.0' };
  if (decl.encoding !== undefined) out.encoding = decl.encoding;
  if (decl.standalone !== undefined) out.standalone = decl.standalone;
  return out;
}

/**
 * saxes reports two errors only at the end of the input, as an element left
 * open: a stray `&` (it reads on to the next `;`) and markup never closed
 * with `>`. Either is reported where it starts instead; undefined otherwise.
 */
function lateError(e: Error, text: string, lines: LineTracker): WireError | undefined {
  if (!/^\d+:\d+: (?:unclosed tag|unexpected end|document must contain a root)/.test(e.message)) return undefined;
  const dangling = findDanglingAmpersand(text);
  if (dangling !== -1) {
    const near = JSON.stringify(text.slice(dangling, dangling + 12));
    return new WireError('WIRE_ERR_XML_BAD_REFERENCE', `'&' is not followed by a complete reference (${near}...; XML 1.0 s.4.1)`, lines.at(dangling));
  }
  const lt = text.lastIndexOf('<');
  if (lt !== -1 && text.indexOf('>', lt) === -1) {
    return new WireError('WIRE_ERR_XML_MALFORMED', `not well-formed XML: the markup ${JSON.stringify(text.slice(lt))} is never closed with '>'`, lines.at(lt));
  }
  return undefined;
}

/** Run saxes over the whole text, building the tree. */
function parseWith(text: string, lines: LineTracker): XmlDocument {
  const parser = new SaxesParser(SAXES_OPTIONS);
  const builder = new XmlTreeBuilder(lines, MAX_XML_DEPTH);
  let declaration: XmlDeclaration | undefined;
  let root: XmlElement | undefined;
  parser.on('xmldecl', (d) => {
    declaration = declarationOf(d);
  });
  parser.on('doctype', (doctype) => {
    const start = parser.position - doctype.length - '<!DOCTYPE>'.length;
    throw new WireError('WIRE_ERR_XML_DOCTYPE', 'DOCTYPE declarations are not accepted (no DTD processing for presence documents)', lines.at(Math.max(0, start)));
  });
  parser.on('opentagstart', (tag) => builder.startTag(tag.name, parser.position));
  parser.on('opentag', (tag: SaxesTagNS) => builder.open(tag));
  parser.on('text', (t) => builder.text(t));
  parser.on('cdata', (t) => builder.text(t));
  parser.on('closetag', () => {
    root = builder.close() ?? root;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof WireError || !(e instanceof Error)) throw e;
    const path = builder.currentPath();
    const where = { line: parser.line, column: Math.max(1, parser.columnIndex), ...(path === undefined ? {} : { path }) };
    throw lateError(e, text, lines) ?? wireErrorFromSaxes(e, { where, offset: parser.position, slice: (from, to) => text.slice(from, to) });
  }
  if (root === undefined) throw new WireError('WIRE_ERR_XML_MALFORMED', 'the document has no root element');
  return declaration === undefined ? { root } : { declaration, root };
}

/**
 * Parse a complete XML document. Throws WireError for anything that is not a
 * namespace-well-formed XML 1.0 document, that declares a DTD, or that
 * exceeds MAX_XML_CHARS or MAX_XML_DEPTH.
 */
export function parseXml(input: string): XmlDocument {
  if (input.length > MAX_XML_CHARS) {
    throw new WireError('WIRE_ERR_XML_LIMIT', `the document has ${input.length} characters; at most ${MAX_XML_CHARS} are read`);
  }
  // A UTF-8 byte order mark is allowed before the declaration (XML 1.0 s.4.3.3, appendix F).
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  // XML 1.0 s.2.11: CRLF and lone CR are read as LF before anything else.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  const lines = new LineTracker();
  lines.feed(text);
  precheck(text, lines);
  return parseWith(text, lines);
}
