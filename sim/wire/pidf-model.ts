/**
 * The PIDF document model (RFC 3863): the decoded shape of an
 * application/pidf+xml document, shared by the decoder (pidf.ts) and the
 * encoder (pidf-encode.ts).
 */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';

export type PidfBasic = 'open' | 'closed';

/**
 * An element PIDF does not define, decoded generically.
 * - `attributes`: unprefixed attributes keyed by local name; namespaced ones
 *   keyed in Clark notation `{namespace-uri}local` (e.g.
 *   `{urn:ietf:params:xml:ns:pidf}mustUnderstand`). Namespace declarations
 *   (`xmlns`, `xmlns:p`) are not attributes; the encoder re-creates them.
 * - `text`: the character data. For an element with child elements (mixed
 *   content) it is trimmed of XML whitespace, so indentation disappears;
 *   absent when there is none.
 */
export interface ExtensionElement {
  ns: string;
  name: string;
  text?: string;
  attributes: Record<string, string>;
  children: ExtensionElement[];
}

export interface PidfNote {
  text: string;
  /** RFC 3066 tag from xml:lang (own or inherited, XML 1.0 s.2.12). */
  lang?: string;
}

export interface PidfStatus {
  basic?: PidfBasic;
  extensions: ExtensionElement[];
}

export interface PidfContact {
  uri: string;
  /** qvalue 0..1, higher is preferred (RFC 3863 s.4.1); absent means lowest. */
  priority?: number;
}

export interface PidfTuple {
  id: string;
  status: PidfStatus;
  contact?: PidfContact;
  notes: PidfNote[];
  /** RFC 3339 date-time, exactly as written (after whitespace collapse). */
  timestamp?: string;
  /** Tuple-level extensions (between <status> and <contact> in the schema). */
  extensions: ExtensionElement[];
}

export interface PidfDocument {
  entity: string;
  tuples: PidfTuple[];
  notes: PidfNote[];
  /** Presentity-level extensions (after the notes in the schema), e.g. RPID <dm:person>. */
  extensions: ExtensionElement[];
  /** Non-fatal findings of the decoder; absent when there are none. Ignored by the encoder. */
  warnings?: string[];
}

export const PIDF_ELEMENT_NAMES = new Set(['presence', 'tuple', 'status', 'basic', 'contact', 'note', 'timestamp']);

/** RFC 3863 s.4.4 qvalue: `0(.[0-9]{0,3})?` or `1(.0{0,3})?` (the schema's `.` meant a literal dot). */
export const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;
