/**
 * message/cpim (RFC 3862): the decoded value (types shared by the decoder,
 * the encoder and the view), the core header names, and the s.3.6 header
 * grammar as regular expressions.
 */

/** Default namespace of every RFC 3862 header (s.3.4). */
export const CPIM_HEADERS_NS = 'urn:ietf:params:cpim-headers:';

export interface MimeHeader {
  /** As written (MIME header names are case-insensitive; the case is kept). */
  name: string;
  /** Unfolded value without the leading and trailing whitespace. */
  value: string;
}

export interface CpimAddress {
  /** Formal-name: the real-world name; absent when the header has only `<URI>`. */
  name?: string;
  uri: string;
}

/** An extension parameter `;name=value`; `value` is raw (a Token, or a quoted String with its quotes and escapes). */
export interface CpimParam {
  name: string;
  value: string;
}

/**
 * One message header, in message order. `prefix` is the namespace prefix of
 * the header's own name (`MyFeatures` in `MyFeatures.VitalMessageOption`);
 * core headers normally have none.
 */
export type CpimHeader =
  | { kind: 'from'; prefix?: string; address: CpimAddress }
  | { kind: 'to'; prefix?: string; address: CpimAddress }
  | { kind: 'cc'; prefix?: string; address: CpimAddress }
  | { kind: 'dateTime'; prefix?: string; value: string }
  | { kind: 'subject'; prefix?: string; text: string; lang?: string }
  /** `NS: [declaredPrefix] <uri>`; without declaredPrefix it resets the default namespace. */
  | { kind: 'ns'; prefix?: string; declaredPrefix?: string; uri: string }
  /** Header names as written, e.g. `MyFeatures.VitalMessageOption`. */
  | { kind: 'require'; prefix?: string; names: string[] }
  /** Any other header; `value` is kept exactly as on the wire (escapes not decoded). */
  | { kind: 'extension'; prefix?: string; name: string; params: CpimParam[]; value: string };

export interface CpimContent {
  /** Headers of the encapsulated MIME entity; one of them is Content-Type (RFC 3862 s.2.4). */
  headers: MimeHeader[];
  /** Content, byte-for-byte (line ends untouched). */
  body: string;
}

export interface CpimMessage {
  /** Outer MIME headers, present only for the complete-entity form. */
  mime?: MimeHeader[];
  headers: CpimHeader[];
  content: CpimContent;
  /** Non-fatal findings of the decoder; absent when there are none. Ignored by the encoder. */
  warnings?: string[];
}

export interface CpimDecodeOptions {
  /**
   * Full names (namespace URI + name, RFC 3862 s.3.4; see `cpimHeaderUrn`) of
   * headers and features this receiver understands besides the core headers,
   * for the `Require` check.
   */
  understood?: Iterable<string>;
  /**
   * What to do when `Require` lists something not understood (RFC 3862 s.3.5:
   * the message cannot be processed correctly). 'error' (default) rejects the
   * message; 'warn' records it in warnings (used by inspect, which displays
   * rather than processes); 'ignore' says nothing (used by the encoder's
   * self-check: the sender defines its own features).
   */
  unknownRequire?: 'error' | 'warn' | 'ignore';
}

export const CORE_NAMES: ReadonlyMap<string, CpimHeader['kind']> = new Map([
  ['From', 'from'],
  ['To', 'to'],
  ['cc', 'cc'],
  ['DateTime', 'dateTime'],
  ['Subject', 'subject'],
  ['NS', 'ns'],
  ['Require', 'require'],
] as const);
export const CORE_BY_KIND: Record<Exclude<CpimHeader['kind'], 'extension'>, string> = {
  from: 'From',
  to: 'To',
  cc: 'cc',
  dateTime: 'DateTime',
  subject: 'Subject',
  ns: 'NS',
  require: 'Require',
};

// RFC 3862 s.3.6: NAMECHAR is US-ASCII without ".", CTLs and SEPARATORS; TOKENCHAR adds ".".
const NAMECHARS = "!#$%&'*+\\-^_`|~A-Za-z0-9";
const NAME = `[${NAMECHARS}]+`;
const TOKEN = `[${NAMECHARS}.]+`;
export const HEADER_NAME = new RegExp(`^(?:(${NAME})\\.)?(${NAME})$`);
export const TOKEN_FORMAL_NAME = new RegExp(`^${TOKEN}(?: ${TOKEN})*$`);
export const TOKEN_AT_START = new RegExp(`^${TOKEN}`);
export const TOKEN_NAME_PREFIX = new RegExp(`^(?:${TOKEN} )+`);
export const PARAM_START = new RegExp(`^;(${NAME})=`);
export const NS_VALUE = new RegExp(`^(?:(${NAME}) ?)?<([^<>]*)>$`);
const MIME_TOKEN = "[!#$%&'*+\\-.^_`{|}~0-9A-Za-z]+";
export const CONTENT_TYPE = new RegExp(`^(${MIME_TOKEN})/(${MIME_TOKEN})[ \\t]*(;.*)?$`);

/** Full name of a header in a namespace (RFC 3862 s.3.4): namespace URI followed by the %-escaped name. */
export function cpimHeaderUrn(namespace: string, name: string): string {
  return namespace + name.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
