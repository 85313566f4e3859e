/**
 * The vocabulary of the model: server operations (in OPERATIONS order), the kinds of messages that
 * cross from one domain to another (CPIM requests, responses and notifications), the reasons an
 * instant message fails, and the envelope size of the carrying protocol.
 */
import { OPERATIONS } from '../scenario/types.js';

// ---- operations (server jobs), in OPERATIONS order ----
export const OP_PUBLISH = 0;
export const OP_FETCH = 1;
export const OP_SUBSCRIBE = 2;
export const OP_REFRESH = 3;
export const OP_UNSUBSCRIBE = 4;
export const OP_NOTIFY = 5;
export const OP_WATCHERINFO = 6;
export const OP_IMSEND = 7;
export const OP_IMDELIVER = 8;
export const OP_IMREPORT = 9;
export const OP_PUBLISH_REFRESH = 10;
export const OP_REVOKE = 11;
export const N_OPS = OPERATIONS.length;

// ---- messages that cross from one domain to another (for the per-pair report) ----
export const MESSAGE_KINDS = [
  'subscribe',
  'refresh',
  'unsubscribe',
  'fetch',
  'subscribeResponse',
  'fetchResponse',
  'notify',
  'message',
  'messageReport',
  'listNotify',
  'terminated',
  /** a message of a protocol binding that CPIM lacks (bindings/wire.ts): SIP's 200 to a NOTIFY, a pending NOTIFY */
  'wire',
] as const;
export const M_SUBSCRIBE = 0;
export const M_REFRESH = 1;
export const M_UNSUBSCRIBE = 2;
export const M_FETCH = 3;
export const M_SUB_RESPONSE = 4;
export const M_FETCH_RESPONSE = 5;
export const M_NOTIFY = 6;
export const M_MESSAGE = 7;
export const M_REPORT = 8;
export const M_LIST_NOTIFY = 9;
/** a termination notice: the subscription ended at the service (RFC 2779 5.1.9) */
export const M_TERMINATED = 10;
export const M_WIRE = 11;
export const N_KINDS = MESSAGE_KINDS.length;
/** the CPIM kinds (the report lists a binding's kind only where it occurs) */
export const CPIM_KINDS = 11;

/** Responses and reports: they follow the reverse path and are retransmitted until it is back. */
export const isResponse = (kind: number): boolean => kind === M_SUB_RESPONSE || kind === M_FETCH_RESPONSE || kind === M_REPORT;

/** Extra bytes of a list notification (RFC 4662 style resource list meta-information). */
export const LIST_OVERHEAD = 240;

/** Envelope bytes of the carrying protocol around a body (request line and headers), estimated. */
export const ENVELOPE = {
  request: 180,
  response: 110,
};

// ---- IM failure reasons (report codes are index + 1; 0 = delivered) ----
export const IM_FAILURES = ['closed', 'unknown', 'blocked', 'disabled', 'overload', 'auth', 'unreachable', 'loop', 'spoofed'] as const;
export const F_CLOSED = 1;
export const F_UNKNOWN = 2;
export const F_BLOCKED = 3;
export const F_DISABLED = 4;
export const F_OVERLOAD = 5;
export const F_AUTH = 6;
export const F_UNREACHABLE = 7;
export const F_LOOP = 8;
export const F_SPOOFED = 9;

/** IM payload a = sender * TWO26 + recipient (recipient >= users: an unknown user of domain recipient - users). */
export const TWO26 = 67108864;
