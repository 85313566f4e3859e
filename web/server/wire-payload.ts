/**
 * The wire view of a traced message in a domain of a protocol binding (sim/model/bindings): the
 * SIP message or XMPP stanza that carried it, encoded by the binding's own builders (the ones the
 * model sizes its messages with) from the record's addresses, CSeq, Expires and, for a presence
 * document, the PIDF body the model recorded. The identifiers (Via branch, tags, Call-ID, ETag,
 * stanza ids, resources, the SASL password) are fixed-width values of the width the model counts,
 * not identifiers a real client chose, and the result says so; its length is compared with the
 * bytes the model traced for the message, so a disagreement is shown rather than hidden.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { ROSTER_ITEMS, WIRE_KINDS, isWireResponse } from '../../sim/model/bindings/kinds.js';
import { SIP_REASONS, sipWireMessage } from '../../sim/model/bindings/sip-messages.js';
import { xmppWireText } from '../../sim/model/bindings/xmpp-messages.js';
import { encodeSipMessage, inspectText, type InspectResult } from '../../sim/wire/index.js';

export interface WirePayload {
  protocol: 'sip' | 'xmpp';
  /** the binding's kind (docs/bindings.md), e.g. NOTIFY, 200.NOTIFY, presence.broadcast */
  kind: string;
  text: string;
  /** octets of `text`, and those the model counted for the message */
  bytes: number;
  tracedBytes: number;
  decoded: InspectResult | null;
  /** why it could not be decoded, when it could not */
  decodeError?: string;
  note: string;
}

const IDS_NOTE = 'identifiers (branch, tags, Call-ID, ETag, ids, resources) are fixed-width stand-ins of the width the model counts';

/** Terminated NOTIFYs name their reason in the record's detail (bindings/wire.ts). */
function reasonOf(detail: string): number {
  const i = SIP_REASONS.findIndex((r, n) => n > 0 && detail.includes(r));
  return i > 0 ? i : 0;
}

function sipText(k: number, r: TraceRecord, body: string): string {
  const response = isWireResponse(k);
  // a response carries its request's From, To and Call-ID host: the request went the other way
  let from = response ? r.to : r.from;
  let to = response ? r.from : r.to;
  const host = response ? r.toDomain : r.fromDomain;
  // PUBLISH goes to the presentity's own address of record (RFC 3903 4), which the trace names as its server
  if (/PUBLISH/.test(r.wire?.kind ?? '')) to = from = response ? r.to : r.from;
  const m = sipWireMessage(k, {
    from: `sip:${from}`,
    to: `sip:${to}`,
    host,
    cseq: r.wire?.cseq ?? 1,
    expires: r.wire?.expires ?? -1,
    reason: reasonOf(r.detail),
    body,
    n: 0,
  });
  return encodeSipMessage(m);
}

function xmppText(k: number, r: TraceRecord): string {
  const tuple = r.state?.tuples[0];
  // the stanza shows the first tuple's activity and note (the binding's presence stanza)
  const activity = tuple === undefined || tuple.basic === 0 ? 0 : tuple.activity;
  const note = tuple === undefined ? 0 : tuple.note;
  const body = r.textBytes === undefined ? '' : 'x'.repeat(r.textBytes);
  // a server's answer during log-in is addressed to the user (the record names the server as its sender)
  const server = !r.from.includes('@');
  const user = server ? r.to : r.from;
  const item = r.wire?.roster;
  if (item !== undefined) {
    // a roster push (RFC 6121 2.1.6): the record carries its item
    const i = ROSTER_ITEMS.indexOf(item.ask === 'subscribe' ? 'none+ask' : (item.subscription as (typeof ROSTER_ITEMS)[number]));
    return xmppWireText(k, { from: r.to, to: item.jid, domain: r.fromDomain, activity: i, note: 0, body: '', roster: [], n: 0 });
  }
  return xmppWireText(k, { from: user, to: server ? r.from : r.to, domain: server ? r.fromDomain : r.toDomain === r.fromDomain ? r.fromDomain : r.fromDomain, activity, note, body, roster: [], n: 0 });
}

/** The wire view of record `r` (null for a CPIM domain's message); `body`: the PIDF the record carried, or ''. */
export function wirePayload(r: TraceRecord, body: string): WirePayload | null {
  const w = r.wire;
  if (w === undefined || (w.protocol !== 'sip' && w.protocol !== 'xmpp')) return null;
  const k = WIRE_KINDS.findIndex(([name]) => name === w.kind);
  if (k < 0) return null;
  let text: string;
  try {
    text = w.protocol === 'sip' ? sipText(k, r, body) : xmppText(k, r);
  } catch (e) {
    // a kind with no single-message encoding (a roster result needs the roster): say so
    return { protocol: w.protocol, kind: w.kind, text: '', bytes: 0, tracedBytes: r.bytes, decoded: null, decodeError: (e as Error).message, note: 'no encoding of this kind from the trace record alone' };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const notes = [IDS_NOTE];
  // the roster result lists the user's contacts, which the trace record does not carry
  const rosterLeftOut = w.kind === 'iq.roster.result';
  if (rosterLeftOut) notes.push('the roster items are not in the trace: shown empty, so it is shorter than the message the model counted');
  if (r.textBytes !== undefined) notes.push(`the text is ${r.textBytes} placeholder octets (the model carries its size, not its words)`);
  else if (bytes !== r.bytes) notes.push(`${bytes} octets here against ${r.bytes} counted by the model`);
  const out: WirePayload = { protocol: w.protocol, kind: w.kind, text, bytes, tracedBytes: r.bytes, decoded: null, note: notes.join('; ') };
  if (/^(stream|sasl)\./.test(w.kind)) {
    // stream headers and SASL elements are not stanzas: `inspect` reads them in a whole stream capture
    out.note += '; a stream-level element, not a stanza: not decoded on its own';
    return out;
  }
  try {
    out.decoded = inspectText(text);
  } catch (e) {
    out.decodeError = (e as Error).message;
  }
  return out;
}
