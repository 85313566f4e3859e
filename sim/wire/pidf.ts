/**
 * PIDF, the Presence Information Data Format (RFC 3863, application/pidf+xml):
 * a decoder with a strict and a lenient mode (sim/wire/findings.ts), and the
 * canonical encoder (pidf-encode.ts, re-exported here).
 *
 * Decoding follows the RFC 3863 s.4.4 schema and the s.4.2 extensibility rules:
 * - PIDF's own elements (presence, tuple, status, basic, contact, note,
 *   timestamp) are always recognised and checked: cardinality, order,
 *   allowed values. In strict mode a violation is a WireError naming the
 *   element path; in lenient mode it is recorded and the reading goes on the
 *   way deployed decoders do (element order ignored, any tuple id kept, the
 *   first of duplicated elements used, unusable values dropped).
 * - Any other element (foreign namespace, or an unknown name in the PIDF
 *   namespace) is ignored for PIDF semantics together with all its content,
 *   but kept as an `ExtensionElement` so that `inspect` can show RPID
 *   (RFC 4480) activities, moods and the like.
 * - A contact priority that is not a valid qvalue is ignored (RFC 3863 s.4.1:
 *   out-of-range values SHOULD be ignored) and reported in `warnings`.
 * - `mustUnderstand` can never make a document fail: it only widens what is
 *   ignored to the enclosing optional element (s.4.2, example s.4.3.3). This
 *   processor understands no extension, so every extension is already ignored;
 *   the attribute is reported in `warnings` so the effect is visible.
 * - Lenient mode also mentions a tuple without <timestamp> (s.4.1: SHOULD).
 * Refused in both modes: XML that is not namespace-well-formed, a root other
 * than <presence> in the PIDF namespace, a <presence> without entity, an
 * encoding other than UTF-8.
 *
 * Modules: pidf-model.ts (the value), pidf-decoder.ts (PIDF's own elements),
 * pidf-order.ts (schema order), pidf-extensions.ts (s.4.2 extensibility),
 * pidf-read.ts (tree readers), pidf-encode.ts (the encoder); this module holds
 * the entry points and re-exports the encoder.
 */
import { WireError } from './errors.js';
import { Findings, decodeMode, type DecodeFindings, type DecodeOptions } from './findings.js';
import { PidfDecoder } from './pidf-decoder.js';
import { PIDF_NS, type PidfDocument } from './pidf-model.js';
import { TEXT, where } from './pidf-read.js';
import { type XmlDocument, parseXml } from './xml.js';

export * from './pidf-model.js';
export { encodePidf, isValidQvalue } from './pidf-encode.js';

export interface PidfDecodeResult extends DecodeFindings {
  document: PidfDocument;
}

/** True when the parsed document's root is <presence> in the PIDF namespace. */
export function isPidfRoot(xml: XmlDocument): boolean {
  return xml.root.ns === PIDF_NS && xml.root.local === 'presence';
}

/** Decode an already parsed XML document as PIDF (inspect parses once and dispatches on the root). */
export function decodePidfXml(xml: XmlDocument, options?: DecodeOptions): PidfDecodeResult {
  const findings = new Findings(decodeMode(options));
  const root = xml.root;
  if (!isPidfRoot(xml)) {
    const hint =
      root.local === 'presence' && root.ns === `${PIDF_NS}:`
        ? ' (the namespace has a stray trailing colon; it is urn:ietf:params:xml:ns:pidf)'
        : '';
    throw new WireError(
      'WIRE_ERR_PIDF_NOT_PRESENCE',
      `root element is <${root.qname}> in namespace ${JSON.stringify(root.ns)}; expected <presence> in ${PIDF_NS}${hint}`,
      where(root),
    );
  }
  // The caller hands us characters; we read files as UTF-8, the one encoding
  // RFC 3863 s.4.1 obliges processors to accept. A document declaring another
  // encoding would have been mis-read, so it is refused rather than guessed at.
  const encoding = xml.declaration?.encoding;
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
    throw new WireError('WIRE_ERR_XML_ENCODING', `encoding "${encoding}" is not supported; PIDF processors exchange UTF-8`, { line: 1, column: 1 });
  }
  if (xml.declaration === undefined) {
    const msg = 'a PIDF document must start with an XML declaration (<?xml version="1.0" encoding="UTF-8"?>)';
    findings.violate('WIRE_ERR_PIDF_MISSING_XML_DECL', TEXT, msg, { line: 1, column: 1 });
  } else if (encoding === undefined) findings.warn('the XML declaration has no encoding declaration (RFC 3863 s.4.1: SHOULD be present)');
  const document = new PidfDecoder(findings).presence(root);
  return { document, ...findings.result() };
}

/**
 * Decode an application/pidf+xml document in the given mode (default
 * strict). Returns the document with the findings; throws WireError for
 * what the mode refuses.
 */
export function decodePidfDocument(text: string, options?: DecodeOptions): PidfDecodeResult {
  return decodePidfXml(parseXml(text), options);
}

/**
 * Strict decode, the original entry point: the document with its warnings
 * (absent when there are none) in `warnings`.
 */
export function decodePidf(text: string): PidfDocument {
  const { document, warnings } = decodePidfDocument(text, { mode: 'strict' });
  if (warnings.length > 0) document.warnings = warnings;
  return document;
}
