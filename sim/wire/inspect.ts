/**
 * Format detection and decoding for `impp-sim inspect FILE`: one entry point
 * that tells a PIDF document from a message/cpim object and decodes it.
 * The default reading is lenient (sim/wire/findings.ts): documents that
 * deployed decoders accept are shown, with every rule they break listed in
 * `violations` and `warnings`; `mode: 'strict'` refuses them instead.
 * Refused input always surfaces as a WireError (the CLI maps it to exit
 * status 2 and prints its message).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { WireError } from './errors.js';
import type { DecodeMode, WireViolation } from './findings.js';
import { decodePidfXml, type PidfDocument } from './pidf.js';
import { decodeCpimMessage, viewCpimMessage, type CpimMessage, type CpimMessageView } from './cpim-message.js';
import { WATCHERINFO_NS, decodeWatcherinfoXml, type WatcherinfoDocument } from './watcherinfo.js';
import { decodeSip, looksLikeSip, summarizeSip, type SipMessage, type SipSummary } from './sip.js';
import { parseXml } from './xml.js';
import { XMPP_CLIENT_NS, XMPP_SERVER_NS, decodeXmppXml, type XmppStanza } from './xmpp.js';
import { XMPP_STREAMS_NS, readXmppTranscript, type XmppTranscript } from './xmpp-transcript.js';
import { PIDF_DIFF_NS, decodePidfDiff, type PidfDiff } from './pidf-diff.js';
import { RLMI_NS, decodeRlmi, type RlmiDocument } from './rlmi.js';
import { decodeMultipartRelated, type MultipartRelated } from './multipart.js';

export type WireFormat = 'pidf' | 'cpim' | 'watcherinfo' | 'sip' | 'xmpp' | 'xmpp-stream' | 'pidf-diff' | 'rlmi';

export interface InspectOptions {
  /** Skip detection and decode as this format. */
  format?: WireFormat;
  /** Default `lenient`. */
  mode?: DecodeMode;
}

export type InspectResult =
  | { kind: 'pidf'; mode: DecodeMode; document: PidfDocument; warnings: string[]; violations: WireViolation[] }
  | { kind: 'cpim'; mode: DecodeMode; document: CpimMessage; summary: CpimMessageView; warnings: string[] }
  | { kind: 'watcherinfo'; mode: DecodeMode; document: WatcherinfoDocument; warnings: string[] }
  | { kind: 'pidf-diff'; mode: DecodeMode; document: PidfDiff; warnings: string[] }
  | { kind: 'rlmi'; mode: DecodeMode; document: RlmiDocument; warnings: string[] }
  /** a multipart/related body (RFC 2387, an RFC 4662 list NOTIFY's): its framing and each part decoded (null: a type inspect does not read) */
  | { kind: 'multipart'; mode: DecodeMode; boundary: string; type: string; parts: { contentId: string; contentType: string; decoded: InspectResult | null }[]; warnings: string[] }
  | { kind: 'xmpp'; mode: DecodeMode; stanza: XmppStanza; warnings: string[] }
  /** A captured XMPP stream (one direction): its header and each first-level element in order. */
  | ({ kind: 'xmpp-stream'; mode: DecodeMode } & XmppTranscript)
  /** `body`: the decoded body when its Content-Type is PIDF, watcherinfo or message/cpim, else null. */
  | { kind: 'sip'; mode: DecodeMode; message: SipMessage; summary: SipSummary; body: InspectResult | null; warnings: string[] };

/** Body media types inspect decodes inside a SIP message. */
const BODY_FORMATS: Readonly<Record<string, WireFormat>> = {
  'application/pidf+xml': 'pidf',
  'application/watcherinfo+xml': 'watcherinfo',
  'application/pidf-diff+xml': 'pidf-diff',
  'application/rlmi+xml': 'rlmi',
  'message/cpim': 'cpim',
};

/** Largest file `inspectFile` reads: far above any real presence document or IM, small enough to bound work. */
export const INSPECT_MAX_BYTES = 1024 * 1024;

/** Prolog items before the root element: whitespace, the XML declaration and other PIs, comments, a DOCTYPE. */
const PROLOG = /^(?:[ \t\r\n]+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*<([^\s/>]+)([^>]*)/;

/**
 * The namespace the root start tag puts its element in, read off the tag
 * alone (only to choose a decoder; the decoder checks everything).
 */
function sniffRoot(xml: string): { local: string; ns: string | undefined; attrs: string } | undefined {
  const m = PROLOG.exec(xml);
  if (m === null) return undefined;
  const [, qname = '', attrs = ''] = m;
  const colon = qname.indexOf(':');
  const decl = (colon === -1 ? 'xmlns' : `xmlns:${qname.slice(0, colon)}`).replace(/[.-]/g, '\\$&');
  const bound = new RegExp(`(?:^|[ \\t\\r\\n])${decl}[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"]*)"|'([^']*)')`).exec(attrs);
  return { local: colon === -1 ? qname : qname.slice(colon + 1), ns: bound === null ? undefined : (bound[1] ?? bound[2]), attrs };
}

function xmlFormat(xml: string): WireFormat {
  const root = sniffRoot(xml);
  if (root?.ns === WATCHERINFO_NS) return 'watcherinfo';
  if (root?.ns === PIDF_DIFF_NS) return 'pidf-diff';
  if (root?.ns === RLMI_NS) return 'rlmi';
  if (root?.local === 'stream' && root.ns === XMPP_STREAMS_NS) return 'xmpp-stream';
  const stanzaNs = root?.ns === undefined || root.ns === XMPP_CLIENT_NS || root.ns === XMPP_SERVER_NS;
  // a PIDF document that forgot its namespace still has an entity: let the PIDF decoder say what is wrong
  const pidfLike = root?.local === 'presence' && /(?:^|[ \t\r\n])entity[ \t\r\n]*=/.test(root.attrs);
  if (root !== undefined && stanzaNs && !pidfLike && ['presence', 'message', 'iq'].includes(root.local)) return 'xmpp';
  return 'pidf';
}

/**
 * Guess the format: XML starts with `<` (after an optional BOM and, for the
 * sake of a precise error, whitespace) and is watcherinfo when its root is
 * in the RFC 3858 namespace, a captured XMPP stream when the root is
 * <stream:stream>, an XMPP stanza when the root is presence,
 * message or iq in jabber:client, jabber:server or no namespace, PIDF
 * otherwise; a SIP message starts with a
 * Request-Line or Status-Line; message/cpim starts with a `Name:` header line.
 */
export function detectWireFormat(text: string): WireFormat {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const trimmed = body.replace(/^[ \t\r\n]+/, '');
  if (trimmed === '') throw new WireError('WIRE_ERR_UNKNOWN_FORMAT', 'the input is empty');
  if (trimmed.startsWith('<')) return xmlFormat(trimmed);
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (looksLikeSip(firstLine)) return 'sip';
  if (/^[\x21-\x39\x3B-\x7E]+:/.test(firstLine)) return 'cpim';
  throw new WireError(
    'WIRE_ERR_UNKNOWN_FORMAT',
    `the input starts with neither '<' (PIDF XML) nor a "Name:" header line (message/cpim): ${JSON.stringify(firstLine.slice(0, 40))}`,
    { line: body.slice(0, body.length - trimmed.length).split('\n').length },
  );
}

function inspectOptions(options: WireFormat | InspectOptions | undefined): { format?: WireFormat; mode: DecodeMode } {
  const opts = typeof options === 'string' ? { format: options } : (options ?? {});
  const mode = opts.mode ?? 'lenient';
  if (mode !== 'lenient' && mode !== 'strict') throw new RangeError(`inspect mode must be 'lenient' or 'strict', got ${JSON.stringify(mode)}`);
  return opts.format === undefined ? { mode } : { format: opts.format, mode };
}

/**
 * Decode `text` (format detected unless `options` names it; a bare format
 * string is accepted as before). For message/cpim, a `Require` of something
 * this simulator does not understand is reported as a warning in both modes:
 * inspecting is displaying, not processing the message (RFC 3862 s.3.5
 * constrains processing).
 */
export function inspectText(text: string, options?: WireFormat | InspectOptions): InspectResult {
  const { format, mode } = inspectOptions(options);
  const kind = format ?? detectWireFormat(text);
  if (kind === 'pidf') {
    const { document, warnings, violations } = decodePidfXml(parseXml(text), { mode });
    return { kind, mode, document, warnings, violations };
  }
  if (kind === 'watcherinfo') {
    // RFC 3858 documents have one, strict, reading in this tool.
    const { warnings, ...document } = decodeWatcherinfoXml(parseXml(text));
    return { kind, mode, document, warnings: warnings ?? [] };
  }
  if (kind === 'pidf-diff') return { kind, mode, document: decodePidfDiff(text), warnings: [] };
  if (kind === 'rlmi') return { kind, mode, document: decodeRlmi(text), warnings: [] };
  if (kind === 'xmpp') {
    const { stanza, warnings } = decodeXmppXml(parseXml(text));
    return { kind, mode, stanza, warnings };
  }
  if (kind === 'xmpp-stream') return { kind, mode, ...readXmppTranscript(text) };
  if (kind === 'sip') {
    const { warnings, ...message } = decodeSip(text);
    const contentType = summarizeSip(message).contentType ?? '';
    const type = /^[^;]*/.exec(contentType)?.[0]?.trim().toLowerCase() ?? '';
    const format = BODY_FORMATS[type];
    let body: InspectResult | null = null;
    if ((format !== undefined || type === 'multipart/related') && message.body !== '') {
      try {
        body = format === undefined ? inspectMultipart(decodeMultipartRelated(contentType, message.body), mode) : inspectText(message.body, { format, mode });
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        // lines of the body error counted in the whole message
        const bodyLine = text.slice(0, text.length - message.body.length).split('\n').length;
        const loc: { path?: string; line?: number; column?: number } = {};
        if (e.path !== undefined) loc.path = e.path;
        if (e.line !== undefined) loc.line = bodyLine + e.line - 1;
        if (e.column !== undefined) loc.column = e.column;
        throw new WireError(e.code, `in the ${type} body: ${e.detail}`, loc);
      }
    }
    return { kind, mode, message, summary: summarizeSip(message), body, warnings: warnings ?? [] };
  }
  const { warnings, ...document } = decodeCpimMessage(text, { unknownRequire: 'warn' });
  return { kind, mode, document, summary: viewCpimMessage(document), warnings: warnings ?? [] };
}

/** Each part of a multipart/related body decoded by its Content-Type (an RFC 4662 list NOTIFY: RLMI, then PIDF or pidf-diff parts). */
function inspectMultipart(m: MultipartRelated, mode: DecodeMode): InspectResult {
  const parts = m.parts.map((p) => {
    const format = BODY_FORMATS[p.contentType.split(';')[0].trim().toLowerCase()];
    return { contentId: p.contentId, contentType: p.contentType, decoded: format === undefined ? null : inspectText(p.body, { format, mode }) };
  });
  return { kind: 'multipart', mode, boundary: m.boundary, type: m.type, parts, warnings: [] };
}

/**
 * Offset of the first byte that breaks UTF-8 (RFC 3629 s.3/s.4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or -1.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Read a file as UTF-8 (at most INSPECT_MAX_BYTES) and inspect it. */
export async function inspectFile(path: string, options?: WireFormat | InspectOptions): Promise<InspectResult> {
  let bytes: Uint8Array;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // non-blocking: opening a FIFO for reading would otherwise wait for a writer forever (the
    // stat below then refuses anything but a regular file)
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new WireError('WIRE_ERR_FILE_READ', `cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new WireError('WIRE_ERR_FILE_READ', `${path} is not a regular file`);
    if (stat.size > INSPECT_MAX_BYTES) {
      throw new WireError('WIRE_ERR_INPUT_TOO_LARGE', `${path} is ${stat.size} bytes; inspect reads at most ${INSPECT_MAX_BYTES} bytes (1 MiB)`);
    }
    bytes = await handle.readFile();
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError('WIRE_ERR_FILE_READ', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await handle.close();
  }
  // The file may have grown between stat and read.
  if (bytes.length > INSPECT_MAX_BYTES) {
    throw new WireError('WIRE_ERR_INPUT_TOO_LARGE', `${path} is ${bytes.length} bytes; inspect reads at most ${INSPECT_MAX_BYTES} bytes (1 MiB)`);
  }
  const bad = findInvalidUtf8(bytes);
  if (bad !== -1) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
    throw new WireError('WIRE_ERR_NOT_UTF8', `${path}: invalid UTF-8 sequence at byte offset ${bad}`, { line });
  }
  return inspectText(new TextDecoder('utf-8').decode(bytes), options);
}
