/**
 * saxes reports a well-formedness or namespace error as an Error whose
 * message is `line:column: text`. This module turns it into the WireError
 * code of the catalog (sim/wire/errors.ts) with the place: line and column
 * of the parser when it stopped (the offending character), and the path of
 * the innermost open element.
 */
import { WireError, type WireErrorCode, type WireErrorLocation } from './errors.js';
import { describeCodePoint, findInvalidXmlChar } from './xml-chars.js';

/** What the mapper may look at besides the message. */
export interface SaxesErrorContext {
  where: WireErrorLocation;
  /** Global offset of the parser when it stopped (just after the offending character). */
  offset: number;
  /** Input text between two global offsets, when still held (undefined when not). */
  slice(from: number, to: number): string | undefined;
}

interface Rule {
  match: RegExp;
  code: WireErrorCode;
  detail: (m: RegExpExecArray, ctx: SaxesErrorContext) => string;
}

/** The reference that ends at the parser's offset (`&name;`), for the message. */
function referenceBefore(ctx: SaxesErrorContext): string {
  const before = ctx.slice(Math.max(0, ctx.offset - 80), ctx.offset) ?? '';
  const amp = before.lastIndexOf('&');
  return amp === -1 ? 'a reference' : `"${before.slice(amp)}"`;
}

const RULES: Rule[] = [
  {
    match: /^undefined entity\.$|^disallowed character in entity name\.$|^empty entity name\.$/,
    code: 'WIRE_ERR_XML_BAD_REFERENCE',
    detail: (_m, ctx) => `undefined entity reference ${referenceBefore(ctx)} (only &lt; &gt; &amp; &quot; &apos; and character references exist without a DTD; XML 1.0 s.4.1)`,
  },
  {
    match: /^malformed character entity\.$/,
    code: 'WIRE_ERR_XML_BAD_REFERENCE',
    detail: (_m, ctx) => `character reference ${referenceBefore(ctx)} is malformed or names a character XML does not allow (XML 1.0 s.4.1, s.2.2)`,
  },
  {
    match: /^unbound namespace prefix: "(.*)"\.$/,
    code: 'WIRE_ERR_XML_NAMESPACE',
    detail: (m) => `prefix "${m[1] ?? ''}" is not bound to a namespace (Namespaces in XML 1.0 s.5)`,
  },
  {
    match: /^malformed name: (xmlns:)\.$/,
    code: 'WIRE_ERR_XML_NAMESPACE',
    detail: (m) => `"${m[1] ?? ''}" declares an invalid prefix (Namespaces in XML 1.0 s.3)`,
  },
  {
    match: /^malformed name: (.*)\.$/,
    code: 'WIRE_ERR_XML_NAMESPACE',
    detail: (m) => `"${m[1] ?? ''}" is not a valid qualified name (Namespaces in XML 1.0 s.4)`,
  },
  {
    match: /^duplicate attribute: (\{.*)\.$/,
    code: 'WIRE_ERR_XML_NAMESPACE',
    detail: (m) => `attribute ${m[1] ?? ''} repeats an attribute with the same namespace and local name (Namespaces in XML 1.0 s.6.3)`,
  },
  {
    match: /prefix|namespace/,
    code: 'WIRE_ERR_XML_NAMESPACE',
    detail: (m) => `${m.input.replace(/\.$/, '')} (Namespaces in XML 1.0 s.3)`,
  },
  {
    match: /^an XML declaration must be at the start of the document\.$|^the XML declaration must appear at the start of the document\.$/,
    code: 'WIRE_ERR_XML_DECL_NOT_AT_START',
    detail: () => 'an XML declaration appears after the start of the document (XML 1.0 s.2.8: only at the first byte)',
  },
];

/** A "disallowed character." is either outside the Char production or a markup character out of place. */
function disallowedCharacter(ctx: SaxesErrorContext): WireError {
  const last = ctx.slice(Math.max(0, ctx.offset - 2), ctx.offset) ?? '';
  // the offending character is the last one read (two code units for an astral one)
  const ch = /[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(last) ? last : last.slice(-1);
  if (ch !== '' && findInvalidXmlChar(ch) !== -1) {
    return new WireError('WIRE_ERR_XML_INVALID_CHAR', `character ${describeCodePoint(ch, 0)} is not allowed in XML`, ctx.where);
  }
  const what = ch === '<' ? "a literal '<' in an attribute value (XML 1.0 s.3.1 AttValue)" : `character ${JSON.stringify(ch)} in this place`;
  return new WireError('WIRE_ERR_XML_MALFORMED', `not well-formed XML: ${what}`, ctx.where);
}

/** The WireError for a saxes error. */
export function wireErrorFromSaxes(error: Error, ctx: SaxesErrorContext): WireError {
  const text = error.message.replace(/^\d+:\d+: /, '');
  if (text === 'disallowed character.') return disallowedCharacter(ctx);
  for (const rule of RULES) {
    const m = rule.match.exec(text);
    if (m !== null) return new WireError(rule.code, rule.detail(m, ctx), ctx.where);
  }
  return new WireError('WIRE_ERR_XML_MALFORMED', `not well-formed XML: ${text.replace(/\.$/, '')}`, ctx.where);
}

/**
 * saxes reads everything after `&` up to the next `;` as the reference name,
 * so a stray `&` surfaces only at the end of the input ("unclosed tag").
 * Offset of the first `&` in content or an attribute value (comments, CDATA
 * sections and PIs blanked) that does not start a complete reference, or -1.
 */
export function findDanglingAmpersand(text: string): number {
  const blanked = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, (c) => ' '.repeat(c.length));
  const m = /&(?![^\s&<>;"']{1,64};)/.exec(blanked);
  return m === null ? -1 : m.index;
}
