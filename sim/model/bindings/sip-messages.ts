/**
 * The SIP/SIMPLE binding's messages (RFC 3261 framing; RFC 6665 / RFC 3856 SUBSCRIBE and NOTIFY,
 * RFC 3903 PUBLISH, RFC 3428 MESSAGE): `sipWireMessage` builds the message of a wire kind from its
 * parts, with fixed-width identifiers (sim/wire/ids.ts), and `SipSizer` gives its bytes from the
 * real encoding, measured once per shape (sip-size.ts) and then read from a table keyed by
 * numbers, so that sizing a message in the run allocates nothing.
 */
import { sipBranch, sipCallId, sipEtag, sipTag } from '../../wire/ids.js';
import { sipMessageSize, sipShapeOf } from '../../wire/sip-size.js';
import type { SipMessageInput } from '../../wire/sip-encode.js';
import { mimeBoundary, mimeContentId } from '../../wire/multipart.js';
import { PIDF_DIFF_TYPE } from '../../wire/pidf-diff.js';
import { RLMI_TYPE } from '../../wire/rlmi.js';
import {
  W_LIST_END,
  W_LIST_NOTIFY,
  W_LIST_NOTIFY_200,
  W_LIST_NOTIFY_TERMINATED,
  W_LIST_REFRESH,
  W_LIST_SUB_200,
  W_LIST_SUBSCRIBE,
  W_NOTIFY_PARTIAL,
  W_WINFO_END,
  W_WINFO_NOTIFY,
  W_WINFO_NOTIFY_200,
  W_WINFO_NOTIFY_TERMINATED,
  W_WINFO_REFRESH,
  W_WINFO_SUB_200,
  W_WINFO_SUBSCRIBE,
  W_MESSAGE,
  W_MESSAGE_200,
  W_MESSAGE_4XX,
  W_NOTIFY,
  W_NOTIFY_200,
  W_NOTIFY_481,
  W_NOTIFY_PENDING,
  W_NOTIFY_TERMINATED,
  W_PUBLISH,
  W_PUBLISH_200,
  W_PUBLISH_412,
  W_PUBLISH_REFRESH,
  W_PUBLISH_REMOVE,
  W_SUB_200,
  W_SUB_4XX,
  W_SUBSCRIBE,
  W_SUBSCRIBE_END,
  W_SUBSCRIBE_FETCH,
  W_SUBSCRIBE_REFRESH,
} from './kinds.js';

/** Subscription-State reasons (RFC 6665 4.2.2), by index (0: none). */
export const SIP_REASONS = ['', 'timeout', 'rejected', 'deactivated', 'noresource'] as const;
/** Status of a refusal (4xx.SUBSCRIBE, 4xx.MESSAGE), by the `reason` index. */
export const SIP_REFUSALS = [403, 481, 503, 404, 480] as const;
export const R_FORBIDDEN = 0;
export const R_NO_DIALOG = 1;
export const R_UNAVAILABLE = 2;
export const R_NOT_FOUND = 3;
export const R_TEMPORARILY_UNAVAILABLE = 4;

export interface SipParts {
  /** the request's sender and target URIs (a response: those of its request) */
  from: string;
  to: string;
  /** host of the sender (Via) and of the dialog's Call-ID */
  host: string;
  cseq: number;
  /** Expires (SUBSCRIBE, PUBLISH, their 200) or Subscription-State expires (NOTIFY); -1 for none */
  expires: number;
  /** Subscription-State reason (SIP_REASONS index) of a terminated NOTIFY; the status (SIP_REFUSALS index) of a refusal */
  reason: number;
  /** the body (PIDF, message/cpim); '' for none */
  body: string;
  /** a dialog counter for the identifiers (any value: they are fixed width) */
  n: number;
}

const REQUEST: Record<number, string> = {
  [W_SUBSCRIBE]: 'SUBSCRIBE',
  [W_SUBSCRIBE_REFRESH]: 'SUBSCRIBE',
  [W_SUBSCRIBE_END]: 'SUBSCRIBE',
  [W_SUBSCRIBE_FETCH]: 'SUBSCRIBE',
  [W_NOTIFY]: 'NOTIFY',
  [W_NOTIFY_PENDING]: 'NOTIFY',
  [W_NOTIFY_TERMINATED]: 'NOTIFY',
  [W_PUBLISH]: 'PUBLISH',
  [W_PUBLISH_REFRESH]: 'PUBLISH',
  [W_PUBLISH_REMOVE]: 'PUBLISH',
  [W_MESSAGE]: 'MESSAGE',
  [W_NOTIFY_PARTIAL]: 'NOTIFY',
  [W_WINFO_SUBSCRIBE]: 'SUBSCRIBE',
  [W_WINFO_REFRESH]: 'SUBSCRIBE',
  [W_WINFO_END]: 'SUBSCRIBE',
  [W_WINFO_NOTIFY]: 'NOTIFY',
  [W_WINFO_NOTIFY_TERMINATED]: 'NOTIFY',
  [W_LIST_SUBSCRIBE]: 'SUBSCRIBE',
  [W_LIST_REFRESH]: 'SUBSCRIBE',
  [W_LIST_END]: 'SUBSCRIBE',
  [W_LIST_NOTIFY]: 'NOTIFY',
  [W_LIST_NOTIFY_TERMINATED]: 'NOTIFY',
};
/** responses: [status, method of the request] */
const RESPONSE: Record<number, [number, string]> = {
  [W_SUB_200]: [200, 'SUBSCRIBE'],
  [W_SUB_4XX]: [0, 'SUBSCRIBE'],
  [W_NOTIFY_200]: [200, 'NOTIFY'],
  [W_NOTIFY_481]: [481, 'NOTIFY'],
  [W_PUBLISH_200]: [200, 'PUBLISH'],
  [W_PUBLISH_412]: [412, 'PUBLISH'],
  [W_MESSAGE_200]: [200, 'MESSAGE'],
  [W_MESSAGE_4XX]: [0, 'MESSAGE'],
  [W_WINFO_SUB_200]: [200, 'SUBSCRIBE'],
  [W_WINFO_NOTIFY_200]: [200, 'NOTIFY'],
  [W_LIST_SUB_200]: [200, 'SUBSCRIBE'],
  [W_LIST_NOTIFY_200]: [200, 'NOTIFY'],
};
/** RFC 3857 watcher information kinds (Event: presence.winfo) */
const WINFO = new Set([W_WINFO_SUBSCRIBE, W_WINFO_REFRESH, W_WINFO_END, W_WINFO_SUB_200, W_WINFO_NOTIFY, W_WINFO_NOTIFY_TERMINATED, W_WINFO_NOTIFY_200]);
/** RFC 4662 list subscription kinds (between the watcher and its resource list server) */
const LIST_SUBSCRIBES = new Set([W_LIST_SUBSCRIBE, W_LIST_REFRESH, W_LIST_END]);
const INITIAL = new Set([W_SUBSCRIBE, W_SUBSCRIBE_FETCH, W_PUBLISH, W_MESSAGE, W_WINFO_SUBSCRIBE, W_LIST_SUBSCRIBE]);
const WITH_CONTACT = new Set([W_SUBSCRIBE, W_SUBSCRIBE_REFRESH, W_SUB_200, W_WINFO_SUBSCRIBE, W_WINFO_REFRESH, W_WINFO_SUB_200, W_LIST_SUBSCRIBE, W_LIST_REFRESH, W_LIST_SUB_200]);
const ACTIVE = new Set([W_NOTIFY, W_NOTIFY_PARTIAL, W_WINFO_NOTIFY, W_LIST_NOTIFY]);
const TERMINATED = new Set([W_NOTIFY_TERMINATED, W_WINFO_NOTIFY_TERMINATED, W_LIST_NOTIFY_TERMINATED]);
/** RFC 4662 5: what a list subscriber accepts (SUBSCRIBE) */
const LIST_ACCEPT = `application/pidf+xml, ${RLMI_TYPE}, multipart/related`;

/** the Content-Type of a body of kind k (a list NOTIFY's names the root part and boundary of dialog counter n) */
export function sipContentType(k: number, n: number, host: string): string {
  if (k === W_MESSAGE) return 'message/cpim';
  if (k === W_NOTIFY_PARTIAL) return PIDF_DIFF_TYPE;
  if (k === W_WINFO_NOTIFY) return 'application/watcherinfo+xml';
  if (k === W_LIST_NOTIFY) return `multipart/related;type="${RLMI_TYPE}";start="<${mimeContentId(n, host)}>";boundary="${mimeBoundary(n)}"`;
  return 'application/pidf+xml';
}

export const isSipKind = (k: number): boolean => REQUEST[k] !== undefined || RESPONSE[k] !== undefined;

/** The message of wire kind k (a SIP kind) from its parts. */
export function sipWireMessage(k: number, p: SipParts): SipMessageInput {
  const method = REQUEST[k];
  const inDialog = !INITIAL.has(k);
  const common: Partial<SipMessageInput> = {
    via: [{ transport: 'TCP', host: p.host, branch: sipBranch(p.n) }],
    from: { uri: p.from, tag: sipTag(p.n) },
    to: inDialog && !method?.startsWith('PUBLISH') ? { uri: p.to, tag: sipTag(p.n + 1) } : { uri: p.to },
    callId: sipCallId(p.n, p.host),
  };
  const m = method ?? RESPONSE[k][1];
  if (m === 'SUBSCRIBE' || m === 'NOTIFY' || m === 'PUBLISH') common.event = { package: WINFO.has(k) ? 'presence.winfo' : 'presence' };
  if (WITH_CONTACT.has(k) || m === 'NOTIFY') common.contact = p.from;
  if (ACTIVE.has(k)) common.subscriptionState = { state: 'active', expires: p.expires };
  else if (k === W_NOTIFY_PENDING) common.subscriptionState = { state: 'pending', expires: p.expires };
  else if (TERMINATED.has(k)) common.subscriptionState = p.reason > 0 ? { state: 'terminated', reason: SIP_REASONS[p.reason] } : { state: 'terminated' };
  else if (p.expires >= 0) common.expires = p.expires;
  // RFC 4662 4.1, 4.4: the list subscriber says it supports eventlist; the RLS's NOTIFY requires it
  if (LIST_SUBSCRIBES.has(k)) common.headers = [{ name: 'Supported', value: 'eventlist' }, { name: 'Accept', value: LIST_ACCEPT }];
  else if (k === W_LIST_NOTIFY || k === W_LIST_NOTIFY_TERMINATED) common.headers = [{ name: 'Require', value: 'eventlist' }];
  if (k === W_PUBLISH_REFRESH || k === W_PUBLISH_REMOVE) common.sipIfMatch = sipEtag(p.n);
  if (k === W_PUBLISH_200) common.sipETag = sipEtag(p.n + 1);
  if (p.body !== '') {
    common.contentType = sipContentType(k, p.n, p.host);
    common.body = p.body;
  }
  if (method !== undefined) return { ...common, method, uri: p.to, cseq: p.cseq } as SipMessageInput;
  const status = RESPONSE[k][0] === 0 ? SIP_REFUSALS[p.reason] : RESPONSE[k][0];
  return { ...common, status, cseq: { seq: p.cseq, method: m } } as SipMessageInput;
}

const DIGITS = [0, 1, 10, 100, 1000, 10000, 100000, 1e6, 1e7, 1e8, 1e9];
/** decimal digits of a non-negative integer (1 for 0) */
export const digitsOf = (x: number): number => {
  let n = 1;
  while (n < 10 && x >= DIGITS[n + 1]) n++;
  return n;
};

const fill = (n: number) => 'x'.repeat(n);
const uri = (n: number) => `sip:${fill(Math.max(1, n - 6))}@d`;

/**
 * Bytes of SIP wire messages: the size of kind k with URIs of fromLen and toLen bytes, a host of
 * hostLen, CSeq and Expires of the given digits (-1: no Expires), a reason and a body of bodyLen
 * bytes. The first call of a shape encodes a representative message; later calls read a table.
 */
export class SipSizer {
  private readonly outer = new Map<number, Map<number, number>>();

  size(k: number, fromLen: number, toLen: number, hostLen: number, cseqDigits: number, expiresDigits: number, reason: number, bodyLen: number): number {
    // a body of 2 MiB or more (a celebrity's full watcher list) is measured each time, outside the table's keys
    if (bodyLen >= 2097152) return this.measure(k, fromLen, toLen, hostLen, cseqDigits, expiresDigits, reason, bodyLen);
    const k1 = ((k * 512 + fromLen) * 512 + toLen) * 256 + hostLen;
    let inner = this.outer.get(k1);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(k1, inner);
    }
    const k2 = (((cseqDigits * 12 + expiresDigits + 1) * 5 + reason) * 2097152) + bodyLen;
    const hit = inner.get(k2);
    if (hit !== undefined) return hit;
    const bytes = this.measure(k, fromLen, toLen, hostLen, cseqDigits, expiresDigits, reason, bodyLen);
    inner.set(k2, bytes);
    return bytes;
  }

  private measure(k: number, fromLen: number, toLen: number, hostLen: number, cseqDigits: number, expiresDigits: number, reason: number, bodyLen: number): number {
    const m = sipWireMessage(k, {
      from: uri(fromLen),
      to: uri(toLen),
      host: fill(Math.max(1, hostLen)),
      cseq: DIGITS[cseqDigits] || 1,
      expires: expiresDigits < 0 ? -1 : DIGITS[expiresDigits] || 1,
      reason,
      body: fill(bodyLen),
      n: 0,
    });
    return sipMessageSize(sipShapeOf(m));
  }
}
