/**
 * message/cpim (RFC 3862): strict decoder, canonical encoder, and a builder.
 *
 * Layout (RFC 3862 s.2): [MIME headers of the whole object, blank line]
 * message headers, blank line, encapsulated MIME entity (headers, blank line,
 * content). Two forms are accepted, matching the two derived fixtures:
 * - the *body form* (`cpim-rfc3862-example1.cpim`): what a transport such as
 *   SIP MESSAGE or MSRP SEND carries after its own `Content-Type:
 *   message/cpim`; it starts with the message headers;
 * - the *entity form* (`cpim-rfc3862-example1.mime`): the complete MIME entity
 *   of RFC 3862 s.5.1, starting with `Content-type: Message/CPIM`.
 * The entity form is recognised when the first header block contains a MIME
 * `Content-Type` header (MIME names are case-insensitive); message headers
 * never carry one (RFC 3862 s.2.4 puts the content type in the encapsulated
 * entity). Its outer headers are kept in `mime`.
 *
 * Message headers follow the s.3.6 grammar strictly: one header per line, no
 * folding, `Name:` + optional `;param=value` + exactly one space + value, no
 * trailing whitespace, no raw control characters, case-sensitive names,
 * namespace prefixes declared by an earlier `NS` header. Lines must end with
 * CRLF; a bare LF is accepted (fixtures extracted from RFC text use it) and
 * reported in `warnings`. The body is opaque octets and kept byte-for-byte.
 *
 * RFC 3862 s.6 leaves it to each profile to say which headers are required.
 * This profile (the CPIM message operation of RFC 3860 needs an originator
 * and a destination) requires exactly one From, at least one To, at most one
 * DateTime and at most one Subject per language.
 *
 * Modules, one concern each: cpim-model.ts (the value, core names, grammar),
 * cpim-escape.ts (s.2.3 escapes), cpim-lines.ts (line reading),
 * mime-headers.ts (outer and encapsulated MIME headers), cpim-header-line.ts
 * (one header line, s.3.6, and addresses), cpim-headers.ts (namespaces,
 * profile rules, Require), cpim-decode.ts (the whole object),
 * cpim-encode.ts (encoder and builder), cpim-view.ts (flat view). This module
 * re-exports their public API.
 */
export {
  CPIM_HEADERS_NS,
  cpimHeaderUrn,
  type CpimAddress,
  type CpimContent,
  type CpimDecodeOptions,
  type CpimHeader,
  type CpimMessage,
  type CpimParam,
  type MimeHeader,
} from './cpim-model.js';
export { escapeCpim, unescapeCpim } from './cpim-escape.js';
export { decodeCpimHeaders } from './cpim-headers.js';
export { decodeCpimMessage } from './cpim-decode.js';
export { buildCpimMessage, encodeCpimMessage, type CpimMessageInput } from './cpim-encode.js';
export { viewCpimMessage, type CpimMessageView } from './cpim-view.js';
