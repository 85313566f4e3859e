/**
 * Errors raised by the wire-format codecs (PIDF, message/cpim, inspect).
 *
 * Every rejection of input, and every refusal to encode a value that would not
 * be a valid document, is a `WireError`. Callers (the `impp-sim inspect` CLI,
 * the simulator's teaching trace) branch on the stable `code`; humans read the
 * `message`, which always says what is wrong and where: an XML element path
 * such as `/presence/tuple[2]/status` (plus the line when known) for PIDF, a
 * line number and header name for message/cpim.
 */

/**
 * Catalog of every error code, with a one-line description. Codes are part of
 * the public contract: tests and the CLI match on them, so never rename one.
 */
export const WIRE_ERROR_CATALOG = {
  // --- input handling (inspect) -------------------------------------------
  WIRE_ERR_FILE_READ: 'the file could not be read (missing, a directory, no permission)',
  WIRE_ERR_INPUT_TOO_LARGE: 'the input is larger than the inspect limit (1 MiB)',
  WIRE_ERR_NOT_UTF8: 'the input bytes are not valid UTF-8 (RFC 3863 s.4.1 and RFC 3862 s.2.2 use UTF-8)',
  WIRE_ERR_UNKNOWN_FORMAT: 'the input is neither an XML document (PIDF) nor a header block (message/cpim)',

  // --- XML well-formedness and namespaces (XML 1.0, Namespaces in XML 1.0) --
  WIRE_ERR_XML_MALFORMED: 'the document is not well-formed XML',
  WIRE_ERR_XML_INVALID_CHAR: 'a character that XML 1.0 does not allow (s.2.2 Char production)',
  WIRE_ERR_XML_DECL_NOT_AT_START: 'the XML declaration is not at the very start of the document (XML 1.0 s.2.8)',
  WIRE_ERR_XML_DOCTYPE: 'a DOCTYPE declaration (DTDs and their entities are not accepted in presence documents)',
  WIRE_ERR_XML_BAD_REFERENCE: 'an entity or character reference that is undefined or names an invalid character',
  WIRE_ERR_XML_NAMESPACE: 'a namespace error: unbound prefix, malformed qualified name or illegal declaration',
  WIRE_ERR_XML_ENCODING: 'the XML encoding declaration names an encoding other than UTF-8',
  WIRE_ERR_XML_LIMIT: 'the document is larger (1 Mi characters) or nests elements deeper (64 levels) than the parser reads',

  // --- PIDF, RFC 3863 -------------------------------------------------------
  WIRE_ERR_PIDF_MISSING_XML_DECL: 'the document has no XML declaration (RFC 3863 s.4.1: it MUST be present)',
  WIRE_ERR_PIDF_NOT_PRESENCE: 'the root element is not <presence> in urn:ietf:params:xml:ns:pidf',
  WIRE_ERR_PIDF_MISSING_ENTITY: '<presence> has no entity attribute (required by the RFC 3863 s.4.4 schema)',
  WIRE_ERR_PIDF_BAD_ENTITY: 'the entity attribute is not an absolute URI',
  WIRE_ERR_PIDF_TUPLE_NO_ID: 'a <tuple> has no id attribute (required, RFC 3863 s.4.1 and s.4.4)',
  WIRE_ERR_PIDF_BAD_TUPLE_ID: 'a tuple id is not an xs:ID (an XML NCName)',
  WIRE_ERR_PIDF_DUPLICATE_TUPLE_ID: 'two tuples share an id (ids are unique within the document)',
  WIRE_ERR_PIDF_MISSING_STATUS: 'a <tuple> has no <status> (exactly one is required)',
  WIRE_ERR_PIDF_DUPLICATE_ELEMENT: 'a PIDF element that may occur once occurs twice (status, basic, contact, timestamp)',
  WIRE_ERR_PIDF_EMPTY_STATUS: '<status> has no child element (at least one is required, RFC 3863 s.4.1)',
  WIRE_ERR_PIDF_BAD_BASIC: '<basic> holds something other than "open" or "closed"',
  WIRE_ERR_PIDF_BAD_CONTACT: '<contact> is empty or not an absolute URI',
  WIRE_ERR_PIDF_BAD_TIMESTAMP: '<timestamp> is not an RFC 3339 date-time with upper-case T and Z',
  WIRE_ERR_PIDF_BAD_LANG: 'an xml:lang value is not an RFC 3066 language tag',
  WIRE_ERR_PIDF_ELEMENT_ORDER: 'PIDF elements are out of the order fixed by the RFC 3863 s.4.4 schema',
  WIRE_ERR_PIDF_UNEXPECTED_ELEMENT: 'a PIDF element appears in a place where the schema does not allow it',
  WIRE_ERR_PIDF_UNEXPECTED_CONTENT: 'text inside a container element, or child elements inside a text-only element',
  WIRE_ERR_PIDF_BAD_EXTENSION: 'an extension element cannot be encoded (bad name, namespace or attribute key)',

  // --- watcher information, RFC 3858 (application/watcherinfo+xml) ----------
  WIRE_ERR_WINFO_NOT_WATCHERINFO: 'the root element is not <watcherinfo> in urn:ietf:params:xml:ns:watcherinfo',
  WIRE_ERR_WINFO_MISSING_ATTRIBUTE: 'a required attribute is missing (version, state; resource, package; id, status, event)',
  WIRE_ERR_WINFO_BAD_ATTRIBUTE: 'an attribute value is outside its RFC 3858 s.6 schema type (enumeration or unsigned integer)',
  WIRE_ERR_WINFO_BAD_URI: 'a watcher-list resource or a watcher URI is not an absolute URI',
  WIRE_ERR_WINFO_UNEXPECTED_ELEMENT: 'an element the RFC 3858 s.6 schema does not allow in that place or order',
  WIRE_ERR_WINFO_UNEXPECTED_CONTENT: 'text inside a container element, or child elements inside <watcher>',
  WIRE_ERR_WINFO_BAD_VALUE: 'a watcherinfo value cannot be encoded (bad enumeration, integer or characters)',

  // --- partial notification and resource lists (RFC 5262, RFC 4662, RFC 2387) ---
  WIRE_ERR_PIDF_DIFF: 'a pidf-diff document breaks RFC 5262 (root, entity, version) or holds an operation other than a tuple replace (RFC 5261 4.4)',
  WIRE_ERR_RLMI: 'an RLMI document breaks RFC 4662 s.5 (root, uri, version, fullState; resource uri; instance id and state)',
  WIRE_ERR_MULTIPART: 'a multipart/related body breaks RFC 2046 s.5.1 or RFC 2387 (boundary, delimiters, part headers, root part)',
  // --- CPIM operations at a gateway, RFC 3859/3860 (cpim-operation.ts) ------
  WIRE_ERR_CPIM_OPERATION: 'a CPIM operation is malformed: not one "Name: value" line per attribute, an unknown operation or attribute, a missing one, or an identifier not of the fixed width',

  // --- SIP messages, RFC 3261 s.7 (with RFC 6665, 3903, 3428 headers) ------
  WIRE_ERR_SIP_BAD_START_LINE: 'the first line is neither a SIP/2.0 Request-Line nor a Status-Line (RFC 3261 s.7.1, s.7.2)',
  WIRE_ERR_SIP_BAD_HEADER: 'a header line is not field-name HCOLON value (RFC 3261 s.7.3, s.25.1)',
  WIRE_ERR_SIP_MISSING_SEPARATOR: 'the empty line that ends the headers is missing (RFC 3261 s.7)',
  WIRE_ERR_SIP_MISSING_HEADER: 'a mandatory header is missing (RFC 3261 s.8.1.1: To, From, CSeq, Call-ID, Max-Forwards, Via)',
  WIRE_ERR_SIP_DUPLICATE_HEADER: 'a header that may occur once occurs again',
  WIRE_ERR_SIP_BAD_HEADER_VALUE: 'a header value does not follow its grammar (CSeq, Max-Forwards, Content-Length, Expires, Subscription-State...)',
  WIRE_ERR_SIP_CONTENT_LENGTH: 'Content-Length differs from the bytes of the body (RFC 3261 s.20.14)',
  WIRE_ERR_SIP_BAD_VALUE: 'a SIP message cannot be encoded from this value (bad token, URI, number or characters)',

  // --- XMPP stanzas, RFC 6120 / RFC 6121 (XEP-0184 receipts) ---------------
  WIRE_ERR_XMPP_BAD_STANZA: 'a presence, message or iq stanza breaks RFC 6120/6121 (type, show, priority, JID, children)',
  WIRE_ERR_XMPP_BAD_STREAM: 'an XMPP stream breaks RFC 6120 s.4 or s.11 (root, namespaces, version, restricted XML, stanza size, cut short)',
  WIRE_ERR_XMPP_BAD_VALUE: 'a stanza cannot be encoded from this value (bad JID, enumeration, priority or characters)',

  // --- message/cpim, RFC 3862 -----------------------------------------------
  WIRE_ERR_MIME_BAD_HEADER: 'a MIME header line (outer entity or encapsulated content) is malformed',
  WIRE_ERR_CPIM_NOT_CPIM_ENVELOPE: 'the outer MIME Content-Type is not message/cpim',
  WIRE_ERR_CPIM_MISSING_SEPARATOR: 'the blank line that ends a header section is missing (RFC 3862 s.2)',
  WIRE_ERR_CPIM_BAD_HEADER: 'a message header line does not follow the RFC 3862 s.3.6 syntax',
  WIRE_ERR_CPIM_BAD_HEADER_NAME: 'a header name is not [Name-prefix "."] Name made of NAMECHARs',
  WIRE_ERR_CPIM_UNDECLARED_PREFIX: 'a header name prefix was not declared by an earlier NS header (RFC 3862 s.3.4)',
  WIRE_ERR_CPIM_BAD_NAMESPACE: 'an NS header is malformed or names a relative URI or one with a fragment',
  WIRE_ERR_CPIM_BAD_ADDRESS: 'a From/To/cc value is not [Formal-name] "<" absolute-URI ">"',
  WIRE_ERR_CPIM_BAD_DATETIME: 'a DateTime value is not an RFC 3339 date-time',
  WIRE_ERR_CPIM_BAD_LANG: 'a ;lang= parameter is not an RFC 3066 language tag',
  WIRE_ERR_CPIM_BAD_REQUIRE: 'a Require value is not a comma-separated list of header names',
  WIRE_ERR_CPIM_MISSING_FROM: 'the message headers have no From header (this profile requires exactly one)',
  WIRE_ERR_CPIM_MISSING_TO: 'the message headers have no To header (this profile requires at least one)',
  WIRE_ERR_CPIM_DUPLICATE_HEADER: 'a header that may occur once occurs again (From, DateTime, Subject per language, Content-Type)',
  WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED: 'Require lists a header or feature this receiver does not understand (RFC 3862 s.3.5)',
  WIRE_ERR_CPIM_MISSING_CONTENT_TYPE: 'the encapsulated MIME entity has no Content-Type header (RFC 3862 s.2.4)',
  WIRE_ERR_CPIM_BAD_CONTENT_TYPE: 'a Content-Type value is not type "/" subtype [; parameters]',
} as const;

export type WireErrorCode = keyof typeof WIRE_ERROR_CATALOG;

/** Where in the input an error was found. */
export interface WireErrorLocation {
  /** XML element path, e.g. `/presence/tuple[2]/status`, or a structural path when encoding. */
  path?: string;
  /** 1-based line number in the input text. */
  line?: number;
  /** 1-based column (in UTF-16 code units) on that line. */
  column?: number;
  /** Header name involved (message/cpim and MIME headers). */
  header?: string;
}

function describeLocation(loc: WireErrorLocation): string {
  const parts: string[] = [];
  if (loc.header !== undefined) parts.push(`header ${JSON.stringify(loc.header)}`);
  if (loc.path !== undefined) parts.push(loc.path);
  if (loc.line !== undefined) {
    parts.push(loc.column !== undefined ? `line ${loc.line}, column ${loc.column}` : `line ${loc.line}`);
  }
  return parts.join(', ');
}

/** Longest message detail: a parser quoting a 900 KB unclosed tag must not make a 900 KB message. */
export const MAX_DETAIL_CHARS = 400;

/** Longest element path kept in a location (a path names elements of the input, which may be huge). */
export const MAX_PATH_CHARS = 200;

/** The text with the middle left out when it exceeds `max` characters (its head and tail kept). */
function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.625);
  const tail = Math.floor(max * 0.125);
  const left = text.length - head - tail;
  return `${text.slice(0, head)}... (${left} characters left out) ...${text.slice(text.length - tail)}`;
}

/** The detail with the middle of an over-long quote left out (its head and tail kept). */
function capDetail(detail: string): string {
  return capText(detail, MAX_DETAIL_CHARS);
}

export class WireError extends Error {
  readonly code: WireErrorCode;
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly header?: string;
  /** The problem alone, without the location suffix that `message` carries. */
  readonly detail: string;

  constructor(code: WireErrorCode, detail: string, location: WireErrorLocation = {}) {
    detail = capDetail(detail);
    if (location.path !== undefined && location.path.length > MAX_PATH_CHARS) location = { ...location, path: capText(location.path, MAX_PATH_CHARS) };
    const where = describeLocation(location);
    super(where === '' ? detail : `${detail} (at ${where})`);
    this.name = 'WireError';
    this.code = code;
    this.detail = detail;
    if (location.path !== undefined) this.path = location.path;
    if (location.line !== undefined) this.line = location.line;
    if (location.column !== undefined) this.column = location.column;
    if (location.header !== undefined) this.header = location.header;
  }

  /** Plain object for JSON output (the CLI prints this on exit status 2). */
  toJSON(): { code: WireErrorCode; message: string; path?: string; line?: number; column?: number; header?: string } {
    const out: { code: WireErrorCode; message: string; path?: string; line?: number; column?: number; header?: string } = {
      code: this.code,
      message: this.message,
    };
    if (this.path !== undefined) out.path = this.path;
    if (this.line !== undefined) out.line = this.line;
    if (this.column !== undefined) out.column = this.column;
    if (this.header !== undefined) out.header = this.header;
    return out;
  }
}

export function isWireError(value: unknown): value is WireError {
  return value instanceof WireError;
}
