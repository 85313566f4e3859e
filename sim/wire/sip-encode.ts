/**
 * SIP message encoder (RFC 3261 s.7) for the presence and IM requests the
 * SIP/SIMPLE binding exchanges: SUBSCRIBE/NOTIFY (RFC 6665, RFC 3856),
 * PUBLISH (RFC 3903), MESSAGE (RFC 3428) and their responses.
 *
 * Output is canonical: long header names, one header per line, CRLF line
 * ends, a fixed header order (Via, Max-Forwards, From, To, Call-ID, CSeq,
 * Contact, Event, Subscription-State, Expires, SIP-ETag, SIP-If-Match, the
 * caller's other headers, Content-Type, Content-Length). Content-Length is
 * always written and counts the body's UTF-8 bytes. Identifiers (branch,
 * tags, Call-ID, ETag) are the caller's; ids.ts makes fixed-width ones so
 * that sizes per shape hold for every message (sip-size.ts).
 */
import { WireError } from './errors.js';
import { BRANCH_COOKIE } from './ids.js';

export type SipTransport = 'UDP' | 'TCP' | 'TLS' | 'SCTP';

export interface SipVia {
  transport: SipTransport;
  /** host or host:port of the sender. */
  host: string;
  /** Must start with the RFC 3261 cookie z9hG4bK (ids.ts sipBranch). */
  branch: string;
}

export interface SipNameAddr {
  uri: string;
  /** Display name; written as a quoted string. */
  name?: string;
  tag?: string;
}

export interface SipSubscriptionState {
  state: 'active' | 'pending' | 'terminated';
  /** Remaining seconds (active, pending). */
  expires?: number;
  /** RFC 6665 s.4.2.2 reason when terminated: deactivated, probation, rejected, timeout, giveup, noresource, invariant. */
  reason?: string;
  retryAfter?: number;
}

export interface SipHeaderLine {
  name: string;
  value: string;
}

interface SipCommon {
  via: SipVia[];
  from: SipNameAddr;
  to: SipNameAddr;
  callId: string;
  contact?: string;
  /** Event package, e.g. `presence`, `presence.winfo`; `id` is the Event id parameter. */
  event?: { package: string; id?: string };
  subscriptionState?: SipSubscriptionState;
  expires?: number;
  sipETag?: string;
  sipIfMatch?: string;
  /** Other headers, written as given after the ones above. */
  headers?: SipHeaderLine[];
  /** Required when there is a body. */
  contentType?: string;
  body?: string;
}

export interface SipRequestInput extends SipCommon {
  method: string;
  uri: string;
  cseq: number;
  /** Default 70 (RFC 3261 s.8.1.1.6). */
  maxForwards?: number;
}

export interface SipResponseInput extends SipCommon {
  status: number;
  /** Default: the RFC's phrase for the status (REASON_PHRASES), else "Unknown". */
  reason?: string;
  cseq: { seq: number; method: string };
}

export type SipMessageInput = SipRequestInput | SipResponseInput;

/** Reason phrases of the responses the presence and IM flows use (RFC 3261 s.21, RFC 3903, RFC 6665). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  412: 'Conditional Request Failed',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  489: 'Bad Event',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

/** RFC 3261 s.25.1 token characters. */
export const SIP_TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** RFC 3261 s.25.1 word characters (Call-ID). */
const SIP_WORD = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;
const SIP_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/;
const HOSTPORT = /^[A-Za-z0-9.\-[\]:]+$/;
const MAX_CSEQ = 2 ** 31 - 1;

function bad(message: string, path: string): never {
  throw new WireError('WIRE_ERR_SIP_BAD_VALUE', message, { path });
}

function token(value: string, path: string): string {
  if (!SIP_TOKEN.test(value)) bad(`${JSON.stringify(value)} is not a SIP token (RFC 3261 s.25.1)`, path);
  return value;
}

function uri(value: string, path: string): string {
  if (!SIP_URI.test(value)) bad(`${JSON.stringify(value)} is not an absolute URI without spaces, quotes or angle brackets`, path);
  return value;
}

function uint(value: number, path: string, max = Number.MAX_SAFE_INTEGER): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) bad(`${value} is not an integer in 0..${max}`, path);
  return String(value);
}

function lineText(value: string, path: string): string {
  // one line, no control characters but HTAB (RFC 3261 s.25.1 TEXT-UTF8char, no folding written)
  if (/[\x00-\x08\x0A-\x1F\x7F]/.test(value)) bad(`${JSON.stringify(value)} holds a line break or control character`, path);
  return value;
}

function quoted(name: string, path: string): string {
  return `"${lineText(name, path).replace(/["\\]/g, '\\$&')}"`;
}

function nameAddr(a: SipNameAddr, path: string): string {
  let out = `${a.name === undefined ? '' : `${quoted(a.name, `${path}.name`)} `}<${uri(a.uri, `${path}.uri`)}>`;
  if (a.tag !== undefined) out += `;tag=${token(a.tag, `${path}.tag`)}`;
  return out;
}

function subscriptionState(s: SipSubscriptionState): string {
  if (s.state !== 'active' && s.state !== 'pending' && s.state !== 'terminated') bad(`state ${JSON.stringify(s.state)} is not active, pending or terminated`, 'subscriptionState.state');
  let out: string = s.state;
  if (s.reason !== undefined) out += `;reason=${token(s.reason, 'subscriptionState.reason')}`;
  if (s.expires !== undefined) out += `;expires=${uint(s.expires, 'subscriptionState.expires')}`;
  if (s.retryAfter !== undefined) out += `;retry-after=${uint(s.retryAfter, 'subscriptionState.retryAfter')}`;
  return out;
}

function headerLines(m: SipMessageInput, cseq: string, request: boolean): string[] {
  if (m.via.length === 0) bad('a SIP message needs at least one Via', 'via');
  const lines = m.via.map((v, i) => {
    if (!['UDP', 'TCP', 'TLS', 'SCTP'].includes(v.transport)) bad(`transport ${JSON.stringify(v.transport)} is not UDP, TCP, TLS or SCTP`, `via[${i}].transport`);
    if (!HOSTPORT.test(v.host)) bad(`${JSON.stringify(v.host)} is not a host[:port]`, `via[${i}].host`);
    if (!v.branch.startsWith(BRANCH_COOKIE)) bad(`branch ${JSON.stringify(v.branch)} lacks the ${BRANCH_COOKIE} cookie (RFC 3261 s.8.1.1.7)`, `via[${i}].branch`);
    return `Via: SIP/2.0/${v.transport} ${v.host};branch=${token(v.branch, `via[${i}].branch`)}`;
  });
  if (request && 'method' in m) lines.push(`Max-Forwards: ${uint(m.maxForwards ?? 70, 'maxForwards', 255)}`);
  lines.push(`From: ${nameAddr(m.from, 'from')}`, `To: ${nameAddr(m.to, 'to')}`);
  if (!SIP_WORD.test(m.callId)) bad(`Call-ID ${JSON.stringify(m.callId)} is not word ["@" word] (RFC 3261 s.25.1)`, 'callId');
  lines.push(`Call-ID: ${m.callId}`, `CSeq: ${cseq}`);
  if (m.contact !== undefined) lines.push(`Contact: <${uri(m.contact, 'contact')}>`);
  if (m.event !== undefined) {
    const id = m.event.id === undefined ? '' : `;id=${token(m.event.id, 'event.id')}`;
    lines.push(`Event: ${token(m.event.package, 'event.package')}${id}`);
  }
  if (m.subscriptionState !== undefined) lines.push(`Subscription-State: ${subscriptionState(m.subscriptionState)}`);
  if (m.expires !== undefined) lines.push(`Expires: ${uint(m.expires, 'expires', 2 ** 32 - 1)}`);
  if (m.sipETag !== undefined) lines.push(`SIP-ETag: ${token(m.sipETag, 'sipETag')}`);
  if (m.sipIfMatch !== undefined) lines.push(`SIP-If-Match: ${token(m.sipIfMatch, 'sipIfMatch')}`);
  for (const [i, h] of (m.headers ?? []).entries()) {
    token(h.name, `headers[${i}].name`);
    if (/^(content-length|content-type|l|c)$/i.test(h.name)) bad(`${h.name} is written from body/contentType, not from headers`, `headers[${i}].name`);
    lines.push(`${h.name}: ${lineText(h.value, `headers[${i}].value`)}`);
  }
  const body = m.body ?? '';
  if (m.contentType !== undefined) {
    if (!/^[A-Za-z0-9\-.!%*_+`'~]+\/[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]*;[^\r\n]*)?$/.test(m.contentType)) bad(`${JSON.stringify(m.contentType)} is not type/subtype[;params]`, 'contentType');
    lines.push(`Content-Type: ${m.contentType}`);
  } else if (body !== '') bad('a body needs a contentType (RFC 3261 s.20.15)', 'contentType');
  lines.push(`Content-Length: ${Buffer.byteLength(body, 'utf8')}`);
  return lines;
}

export function encodeSipRequest(m: SipRequestInput): string {
  const method = token(m.method, 'method');
  const cseq = `${uint(m.cseq, 'cseq', MAX_CSEQ)} ${method}`;
  return `${method} ${uri(m.uri, 'uri')} SIP/2.0\r\n${headerLines(m, cseq, true).join('\r\n')}\r\n\r\n${m.body ?? ''}`;
}

export function encodeSipResponse(m: SipResponseInput): string {
  if (!Number.isInteger(m.status) || m.status < 100 || m.status > 699) bad(`status ${m.status} is not in 100..699`, 'status');
  const reason = lineText(m.reason ?? REASON_PHRASES[m.status] ?? 'Unknown', 'reason');
  const cseq = `${uint(m.cseq.seq, 'cseq.seq', MAX_CSEQ)} ${token(m.cseq.method, 'cseq.method')}`;
  return `SIP/2.0 ${m.status} ${reason}\r\n${headerLines(m, cseq, false).join('\r\n')}\r\n\r\n${m.body ?? ''}`;
}

/** Encode a request (has `method`) or a response (has `status`). */
export function encodeSipMessage(m: SipMessageInput): string {
  return 'method' in m ? encodeSipRequest(m) : encodeSipResponse(m);
}
