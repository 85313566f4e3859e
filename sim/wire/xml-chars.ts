/**
 * Character-level XML helpers shared by the decoders and encoders: the XML 1.0
 * Char production, NCNames, XML whitespace, and escaping for character data
 * and attribute values. No parsing happens here (see xml.ts).
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** XML 1.0 s.2.2 Char, inverted: anything matching this is forbidden. */
const INVALID_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * XML NCName (Namespaces in XML 1.0 s.3), approximated with Unicode property
 * classes: a letter or `_` first, then letters, digits, combining marks, `.`,
 * `-`, `_` and U+00B7. The XML 1.0 5th-edition NameStartChar ranges are
 * slightly wider (they admit some symbols); documents from real clients use
 * ASCII identifiers, so the approximation errs on the strict side only for
 * exotic names. Used for values (tuple ids) and by the encoders; element and
 * attribute names in parsed input are checked by the parser itself.
 */
const NCNAME = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}._\-\u00B7]*$/u;

export function isNcName(value: string): boolean {
  return NCNAME.test(value);
}

/** Index of the first character XML 1.0 forbids, or -1. */
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

/** `U+0001`-style name of the code point at `index`. */
export function describeCodePoint(text: string, index: number): string {
  return `U+${(text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
