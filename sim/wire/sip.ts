/**
 * SIP messages (RFC 3261 s.7): a decoder good enough for `inspect` and tests,
 * and the encoder of sip-encode.ts (re-exported here).
 *
 * Decoding: CRLFs before the start line are skipped (s.7.5); the start line
 * is a Request-Line or a Status-Line with SIP/2.0; header lines are
 * `field-name HCOLON value`; a line that starts with SP or HTAB continues the
 * previous header and unfolds to one SP (s.7.3.1); compact names (s.7.3.3,
 * RFC 6665 `o`/`u`) are expanded; the empty line ends the headers. A bare LF
 * instead of CRLF is accepted and reported in `warnings` (files from
 * editors). The mandatory headers (s.8.1.1) must be present once each, CSeq's
 * method must match a request's method, and Content-Length, when present,
 * must equal the UTF-8 bytes of the body (s.20.14); when absent, the body is
 * the rest of the input (as for UDP) and a warning says so.
 */
import { WireError } from './errors.js';
import { SIP_TOKEN } from './sip-encode.js';

export * from './sip-encode.js';

export type SipStartLine = { kind: 'request'; method: string; uri: string } | { kind: 'response'; status: number; reason: string };

export interface SipHeader {
  /** Full header name in its usual spelling (compact forms expanded), e.g. `Call-ID`. */
  name: string;
  /** As written (`i`, `call-id`...). */
  written: string;
  /** Unfolded value, without the whitespace around it. */
  value: string;
  /** 1-based line of the header in the input. */
  line: number;
}

export interface SipMessage {
  start: SipStartLine;
  headers: SipHeader[];
  body: string;
  /** Non-fatal findings; absent when there are none. */
  warnings?: string[];
}

/** The fields of a message that the presence and IM flows read, pulled from its headers. */
export interface SipSummary {
  callId: string;
  cseq: { seq: number; method: string };
  from: string;
  to: string;
  fromTag?: string;
  toTag?: string;
  branch?: string;
  event?: string;
  subscriptionState?: string;
  expires?: number;
  contentType?: string;
  contentLength: number;
}

/** RFC 3261 s.7.3.3 and RFC 6665 s.8.2 compact forms, plus RFC 3515 r/b. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  b: 'Referred-By',
};

/** Usual spelling of the headers this project reads (names are case-insensitive, s.7.3.1). */
const SPELLING = new Map(
  ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Event', 'Allow-Events', 'Subscription-State', 'Expires', 'SIP-ETag', 'SIP-If-Match', 'Content-Type', 'Content-Length', 'Content-Encoding', 'Accept', 'Supported', 'Subject', 'Refer-To', 'Referred-By', 'User-Agent', 'Allow', 'Require'].map((n) => [n.toLowerCase(), n]),
);

const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires', 'Event', 'Subscription-State', 'SIP-ETag', 'SIP-If-Match'];
const REQUIRED_REQUEST = ['To', 'From', 'CSeq', 'Call-ID', 'Max-Forwards', 'Via'];
const REQUIRED_RESPONSE = ['To', 'From', 'CSeq', 'Call-ID', 'Via'];

function canonicalName(written: string): string {
  const lower = written.toLowerCase();
  return COMPACT[lower] ?? SPELLING.get(lower) ?? written;
}

function startLine(line: string, lineNo: number): SipStartLine {
  const response = /^SIP\/2\.0 ([1-6][0-9]{2}) ([^\r\n]*)$/i.exec(line);
  if (response !== null) return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '' };
  const request = /^([^ ]+) ([^ ]+) SIP\/2\.0$/i.exec(line);
  if (request !== null && SIP_TOKEN.test(request[1] ?? '') && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(request[2] ?? '')) {
    return { kind: 'request', method: request[1] ?? '', uri: request[2] ?? '' };
  }
  throw new WireError('WIRE_ERR_SIP_BAD_START_LINE', `${JSON.stringify(line.slice(0, 80))} is neither "METHOD uri SIP/2.0" nor "SIP/2.0 code reason" (RFC 3261 s.7.1/s.7.2)`, { line: lineNo });
}

/** Split off the header block: lines up to the first empty one, with their line numbers. */
function splitHead(text: string, warnings: string[]): { lines: { text: string; no: number }[]; body: string } {
  const lines: { text: string; no: number }[] = [];
  let pos = 0;
  let no = 1;
  let bareLf = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) throw new WireError('WIRE_ERR_SIP_MISSING_SEPARATOR', 'the headers are not followed by an empty line (RFC 3261 s.7)', { line: no });
    const crlf = nl > pos && text.charCodeAt(nl - 1) === 13;
    if (!crlf) bareLf++;
    const line = text.slice(pos, crlf ? nl - 1 : nl);
    pos = nl + 1;
    if (line === '' && lines.length > 0) {
      if (bareLf > 0) warnings.push(`${bareLf} line(s) of the head end with a bare LF; RFC 3261 s.7 requires CRLF`);
      return { lines, body: text.slice(pos) };
    }
    if (line !== '') lines.push({ text: line, no }); // CRLFs before the start line are skipped (s.7.5)
    no++;
  }
  throw new WireError('WIRE_ERR_SIP_MISSING_SEPARATOR', 'the headers are not followed by an empty line (RFC 3261 s.7)', { line: no });
}

function parseHeaders(lines: { text: string; no: number }[]): SipHeader[] {
  const headers: SipHeader[] = [];
  for (const { text, no } of lines) {
    if (/^[ \t]/.test(text)) {
      const last = headers[headers.length - 1];
      if (last === undefined) throw new WireError('WIRE_ERR_SIP_BAD_HEADER', 'a continuation line (starting with SP or HTAB) follows the start line', { line: no });
      last.value = `${last.value} ${text.replace(/^[ \t]+|[ \t]+$/g, '')}`.trim(); // s.7.3.1: folding is one SP
      continue;
    }
    const m = /^([^:\s]+)[ \t]*:[ \t]*(.*)$/.exec(text);
    if (m === null || !SIP_TOKEN.test(m[1] ?? '')) {
      throw new WireError('WIRE_ERR_SIP_BAD_HEADER', `${JSON.stringify(text.slice(0, 60))} is not "Name: value" with a token name (RFC 3261 s.7.3)`, { line: no });
    }
    const written = m[1] ?? '';
    headers.push({ name: canonicalName(written), written, value: (m[2] ?? '').replace(/[ \t]+$/, ''), line: no });
  }
  return headers;
}

function check(msg: SipMessage, warnings: string[]): void {
  const counts = new Map<string, SipHeader[]>();
  for (const h of msg.headers) counts.set(h.name, [...(counts.get(h.name) ?? []), h]);
  for (const name of SINGLE) {
    const seen = counts.get(name) ?? [];
    if (seen.length > 1) throw new WireError('WIRE_ERR_SIP_DUPLICATE_HEADER', `${name} occurs ${seen.length} times; it may occur once`, { header: name, line: seen[1]?.line });
  }
  for (const name of msg.start.kind === 'request' ? REQUIRED_REQUEST : REQUIRED_RESPONSE) {
    if (!counts.has(name)) throw new WireError('WIRE_ERR_SIP_MISSING_HEADER', `the ${msg.start.kind} has no ${name} header (RFC 3261 s.8.1.1)`, { header: name });
  }
  const value = (name: string): SipHeader | undefined => counts.get(name)?.[0];
  const cseq = value('CSeq');
  const cm = cseq === undefined ? null : /^([0-9]{1,10})[ \t]+([^ \t]+)$/.exec(cseq.value);
  if (cseq !== undefined && (cm === null || Number(cm[1]) > 2 ** 31 - 1)) {
    throw new WireError('WIRE_ERR_SIP_BAD_HEADER_VALUE', `CSeq ${JSON.stringify(cseq.value)} is not "number method" with a number below 2^31 (RFC 3261 s.8.1.1.5)`, { header: 'CSeq', line: cseq.line });
  }
  if (msg.start.kind === 'request' && cm !== null && cm[2] !== msg.start.method) {
    throw new WireError('WIRE_ERR_SIP_BAD_HEADER_VALUE', `CSeq method ${cm[2]} differs from the request method ${msg.start.method} (RFC 3261 s.8.1.1.5)`, { header: 'CSeq', line: cseq?.line });
  }
  for (const name of ['Max-Forwards', 'Expires', 'Content-Length']) {
    const h = value(name);
    if (h !== undefined && !/^[0-9]{1,10}$/.test(h.value)) {
      throw new WireError('WIRE_ERR_SIP_BAD_HEADER_VALUE', `${name} ${JSON.stringify(h.value)} is not a decimal number`, { header: name, line: h.line });
    }
  }
  const state = value('Subscription-State');
  if (state !== undefined && !/^(active|pending|terminated|[A-Za-z0-9\-.!%*_+`'~]+)(;[^;]+)*$/i.test(state.value)) {
    throw new WireError('WIRE_ERR_SIP_BAD_HEADER_VALUE', `Subscription-State ${JSON.stringify(state.value)} is not substate-value *(";" param) (RFC 6665 s.8.2.3)`, { header: 'Subscription-State', line: state.line });
  }
  const from = value('From');
  if (from !== undefined && !/;[ \t]*tag=/i.test(from.value)) warnings.push('From has no tag (RFC 3261 s.8.1.1.3: a UAC MUST add one; accepted for RFC 2543 peers)');
  const length = value('Content-Length');
  const bytes = Buffer.byteLength(msg.body, 'utf8');
  if (length === undefined) {
    if (bytes > 0) warnings.push(`no Content-Length; the body is taken as the rest of the input (${bytes} bytes; RFC 3261 s.20.14 requires it over TCP)`);
  } else if (Number(length.value) !== bytes) {
    throw new WireError('WIRE_ERR_SIP_CONTENT_LENGTH', `Content-Length says ${length.value} bytes, the body has ${bytes}`, { header: 'Content-Length', line: length.line });
  }
  if (bytes > 0 && !counts.has('Content-Type')) warnings.push('a body without Content-Type (RFC 3261 s.20.15: it MUST be present when the body is not empty)');
}

/** Decode one SIP message; throws WireError when it breaks the rules above. */
export function decodeSip(text: string): SipMessage {
  const warnings: string[] = [];
  const { lines, body } = splitHead(text, warnings);
  const [first, ...rest] = lines;
  if (first === undefined) throw new WireError('WIRE_ERR_SIP_BAD_START_LINE', 'the input has no start line');
  const msg: SipMessage = { start: startLine(first.text, first.no), headers: parseHeaders(rest), body };
  check(msg, warnings);
  if (warnings.length > 0) msg.warnings = warnings;
  return msg;
}

/** First value of a header (canonical name), or undefined. */
export function sipHeader(msg: SipMessage, name: string): string | undefined {
  const want = canonicalName(name);
  return msg.headers.find((h) => h.name === want)?.value;
}

function param(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const m = new RegExp(`;[ \\t]*${name}[ \\t]*=[ \\t]*([^;, \\t]+)`, 'i').exec(value.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
  return m?.[1];
}

/** The fields the flows read (call, transaction, dialog, event, body), for inspect. */
export function summarizeSip(msg: SipMessage): SipSummary {
  const need = (name: string): string => sipHeader(msg, name) ?? '';
  const [seq = '0', method = ''] = need('CSeq').split(/[ \t]+/);
  const out: SipSummary = { callId: need('Call-ID'), cseq: { seq: Number(seq), method }, from: need('From'), to: need('To'), contentLength: Buffer.byteLength(msg.body, 'utf8') };
  const fromTag = param(out.from, 'tag');
  const toTag = param(out.to, 'tag');
  const branch = param(`;${need('Via').split(',')[0] ?? ''}`, 'branch');
  if (fromTag !== undefined) out.fromTag = fromTag;
  if (toTag !== undefined) out.toTag = toTag;
  if (branch !== undefined) out.branch = branch;
  const event = sipHeader(msg, 'Event');
  if (event !== undefined) out.event = event;
  const state = sipHeader(msg, 'Subscription-State');
  if (state !== undefined) out.subscriptionState = state;
  const expires = sipHeader(msg, 'Expires');
  if (expires !== undefined) out.expires = Number(expires);
  const type = sipHeader(msg, 'Content-Type');
  if (type !== undefined) out.contentType = type;
  return out;
}

/** True when the first non-empty line looks like a SIP start line (used by format detection). */
export function looksLikeSip(firstLine: string): boolean {
  return /^SIP\/2\.0 [0-9]{3}( |$)/i.test(firstLine) || /^[A-Za-z0-9\-.!%*_+`'~]+ [^ ]+ SIP\/2\.0\r?$/i.test(firstLine);
}
