/**
 * The CPIM view of a traced message that crossed a gateway: the abstract operation the gateway
 * relayed (RFC 3859 subscribe, response, notify; RFC 3860 message, response) with the TransID and
 * SubscriptID the model gave it, encoded by sim/wire/cpim-operation.ts from the trace record
 * (`cpim`, the addresses, the operation) and decoded back. Only what the record holds is shown:
 * a duration the record does not carry is left out; a cancel's Duration 0 is what makes it a
 * cancel (RFC 3859 3.4.1). Records of messages inside one domain, or of runs stored before the
 * trace kept the identifiers, have no CPIM view.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { cpimId, decodeCpimOperation, encodeCpimOperation, type CpimOperation, type CpimOperationName } from '../../sim/wire/index.js';

export interface CpimPayload {
  operation: CpimOperationName;
  text: string;
  decoded: CpimOperation;
  /** the numbers behind the fixed-width identifiers (docs/report.md `trace[].cpim`) */
  transId: number;
  subscriptId?: number;
  note: string;
}

/** Each traced kind as a CPIM operation: its name, who is the watcher (or source), and fixed attributes. */
const OPERATIONS: Record<string, { op: CpimOperationName; watcherIsSender: boolean; duration?: string; note?: string }> = {
  subscribe: { op: 'subscribe', watcherIsSender: true },
  refresh: { op: 'subscribe', watcherIsSender: true, note: 'a refresh renews the subscription its SubscriptID names (PRIM style; RFC 3859 itself has no in-place refresh)' },
  unsubscribe: { op: 'subscribe', watcherIsSender: true, duration: '0', note: 'a cancel: a subscribe of duration 0 naming an existing SubscriptID (RFC 3859 3.4.1)' },
  fetch: { op: 'subscribe', watcherIsSender: true, duration: '0', note: 'a fetch: a subscribe of duration 0 that opens no subscription (RFC 3859 3.4.1)' },
  notify: { op: 'notify', watcherIsSender: false, note: 'RFC 3859 3.1 matches a notify to its subscription by Watcher and Target; SubscriptID shows which subscription the gateway holds for them' },
  terminated: { op: 'notify', watcherIsSender: false, note: 'the termination notice of the subscription SubscriptID names (RFC 2779 5.1.9)' },
  subscribeResponse: { op: 'response', watcherIsSender: false },
  fetchResponse: { op: 'response', watcherIsSender: false },
  messageReport: { op: 'response', watcherIsSender: false },
  message: { op: 'message', watcherIsSender: true },
};

const IDS_NOTE = 'CPIM defines attributes, not a wire format: one "Name: value" line per attribute; TransID and SubscriptID are the model\'s numbers, fixed-width in base 36';

/** A trace endpoint as a URI of the scheme: a user, or (a domain itself) the domain. */
function uri(scheme: 'pres' | 'im', who: string): string {
  return `${scheme}:${who.includes('@') ? who : `unknown-user@${who}`}`;
}

export function cpimPayload(r: TraceRecord): CpimPayload | null {
  const ids = r.cpim;
  const kind = OPERATIONS[r.op];
  if (ids === undefined || kind === undefined) return null;
  const attributes: { name: string; value: string }[] = [];
  const [watcher, target] = kind.watcherIsSender ? [r.from, r.to] : [r.to, r.from];
  if (kind.op === 'message') attributes.push({ name: 'Source', value: uri('im', r.from) }, { name: 'Destination', value: uri('im', r.to) });
  else if (kind.op !== 'response') attributes.push({ name: 'Watcher', value: uri('pres', watcher) }, { name: 'Target', value: uri('pres', target) });
  if (kind.duration !== undefined) attributes.push({ name: 'Duration', value: kind.duration });
  if (ids.subscriptId !== undefined) attributes.push({ name: 'SubscriptID', value: cpimId(ids.subscriptId) });
  attributes.push({ name: 'TransID', value: cpimId(ids.transId) });
  const op: CpimOperation = { operation: kind.op, attributes };
  const text = encodeCpimOperation(op);
  const notes = [IDS_NOTE];
  if (kind.note !== undefined) notes.push(kind.note);
  if (kind.op === 'response') notes.push("a response carries its request's TransID");
  // the sender's side, where its gateway translated from SIP or XMPP (bindings/gateway-ids.ts)
  if (ids.sip !== undefined) notes.push(`on the SIP side: the dialog of Call-ID ${cpimId(ids.sip.callId)}@${r.fromDomain}, CSeq ${ids.sip.cseq}`);
  if (ids.xmpp !== undefined) notes.push(`on the XMPP side: the stanza of id ${cpimId(ids.xmpp.stanzaId)}`);
  const out: CpimPayload = { operation: kind.op, text, decoded: decodeCpimOperation(text), transId: ids.transId, note: notes.join('; ') };
  if (ids.subscriptId !== undefined) out.subscriptId = ids.subscriptId;
  return out;
}
