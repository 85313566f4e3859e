/**
 * Bytes of SIP messages per shape, measured on the real encoding of a
 * representative message and memoised per shape.
 *
 * A shape records the length of every variable field; identifiers (branch,
 * tags, Call-ID local part, ETags) come from ids.ts and have a fixed width,
 * so every message with the same shape has the same size whatever its
 * counters were. `sipShapeOf(input)` reads the shape of a real message, so a
 * caller that builds messages can cost them without encoding each one; the
 * property test checks `sipMessageSize(sipShapeOf(m))` against the encoding
 * of `m`.
 */
import { sipBranch, sipCallId, sipEtag, sipTag } from './ids.js';
import { ShapeSizes, numberOfDigits, shapeCount, uriOfLength } from './shape-cache.js';
import { encodeSipMessage, type SipMessageInput, type SipNameAddr, type SipSubscriptionState, type SipTransport } from './sip-encode.js';

export interface SipShape {
  /** Request method, or for a response the method in its CSeq. */
  method: string;
  /** Set for a response: its status code (the reason is the standard phrase unless `reasonLength`). */
  status?: number;
  reasonLength?: number;
  /** Bytes of the Request-URI (requests). All URI lengths here: values below 7 (`sip:u@d`) count as 7. */
  requestUriLength?: number;
  /** Transport and host[:port] length of each Via (the branch has a fixed width). */
  vias: { transport: SipTransport; hostLength: number }[];
  fromUriLength: number;
  fromNameLength?: number;
  toUriLength: number;
  toNameLength?: number;
  /** The To header carries a tag (in-dialog requests, responses). */
  toTag: boolean;
  /** Characters of the Call-ID host part (after the fixed-width local part and "@"). */
  callIdHostLength: number;
  cseqDigits: number;
  /** Max-Forwards digits (requests); default 2 (70). */
  maxForwardsDigits?: number;
  contactUriLength?: number;
  /** Event package name, e.g. `presence`, and the length of an id parameter. */
  event?: string;
  eventIdLength?: number;
  subscriptionState?: { state: SipSubscriptionState['state']; reason?: string; expiresDigits?: number; retryAfterDigits?: number };
  expiresDigits?: number;
  sipETag?: boolean;
  sipIfMatch?: boolean;
  /** Bytes of the other header lines, each `Name: value` plus CRLF. */
  otherHeaderBytes?: number;
  contentType?: string;
  /** UTF-8 bytes of the body (e.g. pidfSize of the PIDF it carries). */
  bodyLength: number;
}

const fill = (n: number): string => 'x'.repeat(n);
const digitsOf = (n: number): number => String(n).length;

function addr(uriLength: number, nameLength: number | undefined, tag: boolean): SipNameAddr {
  const a: SipNameAddr = { uri: uriOfLength('sip', uriLength) };
  if (nameLength !== undefined) a.name = fill(nameLength); // an empty name is still written as ""
  if (tag) a.tag = sipTag(0);
  return a;
}

/** A host[:port] of exactly n characters (at least 1). */
function host(n: number): string {
  return fill(Math.max(1, n));
}

/** The message whose encoding `sipMessageSize` measures. */
export function representativeSip(s: SipShape): SipMessageInput {
  const common = {
    via: s.vias.map((v, i) => ({ transport: v.transport, host: host(shapeCount('hostLength', v.hostLength)), branch: sipBranch(i) })),
    from: addr(shapeCount('fromUriLength', s.fromUriLength), s.fromNameLength, true),
    to: addr(shapeCount('toUriLength', s.toUriLength), s.toNameLength, s.toTag),
    callId: sipCallId(0, host(shapeCount('callIdHostLength', s.callIdHostLength))),
    body: fill(shapeCount('bodyLength', s.bodyLength)),
  } as SipMessageInput;
  if (s.contactUriLength !== undefined) common.contact = uriOfLength('sip', s.contactUriLength);
  if (s.event !== undefined) common.event = s.eventIdLength ? { package: s.event, id: fill(s.eventIdLength) } : { package: s.event };
  if (s.subscriptionState !== undefined) {
    const st: SipSubscriptionState = { state: s.subscriptionState.state };
    if (s.subscriptionState.reason !== undefined) st.reason = s.subscriptionState.reason;
    if (s.subscriptionState.expiresDigits !== undefined) st.expires = numberOfDigits(s.subscriptionState.expiresDigits);
    if (s.subscriptionState.retryAfterDigits !== undefined) st.retryAfter = numberOfDigits(s.subscriptionState.retryAfterDigits);
    common.subscriptionState = st;
  }
  if (s.expiresDigits !== undefined) common.expires = numberOfDigits(s.expiresDigits);
  if (s.sipETag === true) common.sipETag = sipEtag(0);
  if (s.sipIfMatch === true) common.sipIfMatch = sipEtag(0);
  const other = shapeCount('otherHeaderBytes', s.otherHeaderBytes ?? 0);
  // one "X: value\r\n" line stands for the others: 5 bytes of framing plus the value
  if (other > 0) common.headers = [{ name: 'X', value: fill(Math.max(0, other - 5)) }];
  if (s.contentType !== undefined) common.contentType = s.contentType;
  const cseq = numberOfDigits(shapeCount('cseqDigits', s.cseqDigits));
  if (s.status !== undefined) {
    const reason = s.reasonLength === undefined ? {} : { reason: fill(s.reasonLength) };
    return { ...common, ...reason, status: s.status, cseq: { seq: cseq, method: s.method } };
  }
  const maxForwards = numberOfDigits(s.maxForwardsDigits ?? 2);
  return { ...common, method: s.method, uri: uriOfLength('sip', s.requestUriLength ?? 0), cseq, maxForwards };
}

const bytes = (v: string): number => Buffer.byteLength(v, 'utf8');

function fixedWidth(what: string, value: string | undefined, expected: number): void {
  if (value !== undefined && value.length !== expected) {
    throw new RangeError(`sipShapeOf: ${what} ${JSON.stringify(value)} is not a fixed-width identifier of ${expected} characters (make it with ids.ts)`);
  }
}

/**
 * The shape of a message (what its size depends on), for sipMessageSize.
 * Its identifiers must come from ids.ts (branch, tags, ETags, the Call-ID's
 * local part); a RangeError says which one does not.
 */
export function sipShapeOf(m: SipMessageInput): SipShape {
  for (const v of m.via) fixedWidth('branch', v.branch, sipBranch(0).length);
  fixedWidth('From tag', m.from.tag, sipTag(0).length);
  fixedWidth('To tag', m.to.tag, sipTag(0).length);
  fixedWidth('SIP-ETag', m.sipETag, sipEtag(0).length);
  fixedWidth('SIP-If-Match', m.sipIfMatch, sipEtag(0).length);
  fixedWidth('Call-ID local part', m.callId.split('@')[0], sipTag(0).length);
  if (m.from.tag === undefined) throw new RangeError('sipShapeOf: the From header needs a tag (RFC 3261 s.8.1.1.3)');
  if (!m.callId.includes('@')) throw new RangeError(`sipShapeOf: Call-ID ${JSON.stringify(m.callId)} has no "@host" (make it with sipCallId)`);
  const s: SipShape = {
    method: 'method' in m ? m.method : m.cseq.method,
    vias: m.via.map((v) => ({ transport: v.transport, hostLength: v.host.length })),
    fromUriLength: bytes(m.from.uri),
    toUriLength: bytes(m.to.uri),
    toTag: m.to.tag !== undefined,
    callIdHostLength: m.callId.length - m.callId.indexOf('@') - 1,
    cseqDigits: digitsOf('method' in m ? m.cseq : m.cseq.seq),
    bodyLength: Buffer.byteLength(m.body ?? '', 'utf8'),
  };
  if ('status' in m) {
    s.status = m.status;
    if (m.reason !== undefined) s.reasonLength = Buffer.byteLength(m.reason, 'utf8');
  } else {
    s.requestUriLength = bytes(m.uri);
    s.maxForwardsDigits = digitsOf(m.maxForwards ?? 70);
  }
  if (m.from.name !== undefined) s.fromNameLength = Buffer.byteLength(m.from.name.replace(/["\\]/g, '\\$&'), 'utf8');
  if (m.to.name !== undefined) s.toNameLength = Buffer.byteLength(m.to.name.replace(/["\\]/g, '\\$&'), 'utf8');
  if (m.contact !== undefined) s.contactUriLength = bytes(m.contact);
  if (m.event !== undefined) {
    s.event = m.event.package;
    if (m.event.id !== undefined) s.eventIdLength = m.event.id.length;
  }
  if (m.subscriptionState !== undefined) {
    const st = m.subscriptionState;
    s.subscriptionState = { state: st.state };
    if (st.reason !== undefined) s.subscriptionState.reason = st.reason;
    if (st.expires !== undefined) s.subscriptionState.expiresDigits = digitsOf(st.expires);
    if (st.retryAfter !== undefined) s.subscriptionState.retryAfterDigits = digitsOf(st.retryAfter);
  }
  if (m.expires !== undefined) s.expiresDigits = digitsOf(m.expires);
  if (m.sipETag !== undefined) s.sipETag = true;
  if (m.sipIfMatch !== undefined) s.sipIfMatch = true;
  const other = (m.headers ?? []).reduce((n, h) => n + Buffer.byteLength(`${h.name}: ${h.value}\r\n`, 'utf8'), 0);
  if (other > 0) s.otherHeaderBytes = other;
  if (m.contentType !== undefined) s.contentType = m.contentType;
  return s;
}

function key(s: SipShape): string {
  return JSON.stringify([
    s.method, s.status, s.reasonLength, s.requestUriLength, s.vias, s.fromUriLength, s.fromNameLength, s.toUriLength, s.toNameLength, s.toTag,
    s.callIdHostLength, s.cseqDigits, s.maxForwardsDigits, s.contactUriLength, s.event, s.eventIdLength, s.subscriptionState, s.expiresDigits,
    s.sipETag, s.sipIfMatch, s.otherHeaderBytes, s.contentType, s.bodyLength,
  ]);
}

const sizes = new ShapeSizes<SipShape>(key, (s) => Buffer.byteLength(encodeSipMessage(representativeSip(s)), 'utf8'));

/** Bytes of a SIP message of this shape, headers and body. */
export function sipMessageSize(shape: SipShape): number {
  return sizes.size(shape);
}

export function clearSipSizeCache(): void {
  sizes.clear();
}
