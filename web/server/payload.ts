/**
 * The payload inspector: the body a traced message carried, encoded from the state the model
 * recorded when it sent that message (sim/model/trace.ts: entity, state version, view, rule,
 * tuples) and decoded back with the project's strict decoders. Presence documents (publish,
 * notify, list notify, fetch results) are PIDF (RFC 3863); instant messages are message/cpim
 * (RFC 3862) whose envelope (From, To, DateTime) is the message's own, while its text is not
 * modelled (the simulation carries the text's size only, and says so); requests, responses and
 * reports carry no body. Nothing here is invented: a record without recorded state (runs stored
 * by versions before the model carried state) shows no body and says why.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { viewDocument } from '../../sim/model/presence-document.js';
import { wirePayload, type WirePayload } from './wire-payload.js';
import { cpimPayload, type CpimPayload } from './cpim-payload.js';
import { encodePidf, encodeWatcherinfo, inspectText, sampleCpimMessage, type InspectResult, type Watcher } from '../../sim/wire/index.js';

export interface TracePayload {
  record: TraceRecord;
  /** why the message was sent, allowed or blocked (the model's rule) */
  detail: string;
  /** the access rule that decided what the document shows, and the presentity's state version */
  rule?: string;
  version?: number;
  contentType: string | null;
  body: string | null;
  decoded: InspectResult | null;
  /** what of the body is not the simulation's own (e.g. the text of an instant message) */
  note?: string;
  /** in a domain of a protocol binding: the SIP message or XMPP stanza that carried it (wire-payload.ts) */
  wire?: WirePayload;
  /** a message that crossed a gateway: the CPIM operation with its TransID and SubscriptID (cpim-payload.ts) */
  cpim?: CpimPayload;
}

const PRESENCE_OPS = new Set(['publish', 'notify', 'listNotify', 'fetchResponse']);

/** The address of a trace endpoint: a user (u3@example.com) or, for an unknown recipient, a domain. */
function address(who: string, domain: string): string {
  return who.includes('@') ? `im:${who}` : `im:unknown-user@${domain}`;
}

export function tracePayload(record: TraceRecord): TracePayload {
  const p = documentPayload(record);
  const wire = wirePayload(record, p.contentType === 'application/pidf+xml' && p.body !== null ? p.body : '');
  if (wire !== null) p.wire = wire;
  const cpim = cpimPayload(record);
  if (cpim !== null) p.cpim = cpim;
  return p;
}

function documentPayload(record: TraceRecord): TracePayload {
  const base = { record, detail: record.detail };
  const state = record.state;
  if (state !== undefined) {
    const body = encodePidf(viewDocument(state.entity, state.view, state.tuples, state.hide ?? 0));
    return { ...base, rule: state.rule, version: state.version, contentType: 'application/pidf+xml', body, decoded: inspectText(body, 'pidf') };
  }
  if (record.watcherInfo !== undefined) {
    const wi = record.watcherInfo;
    const body = encodeWatcherinfo({ version: wi.version, state: 'partial', lists: [{ resource: wi.resource, package: 'presence', watchers: [wi.watcher as Watcher] }] });
    return { ...base, version: wi.version, contentType: 'application/watcherinfo+xml', body, decoded: inspectText(body) };
  }
  if (PRESENCE_OPS.has(record.op)) {
    return { ...base, contentType: null, body: null, decoded: null, note: 'this record carries no presence state (the run was stored by an earlier version of the simulator, or the document was refused)' };
  }
  if (record.op === 'message' && record.textBytes !== undefined) {
    const imBodyBytes = record.textBytes;
    const text = `[${imBodyBytes} octets of text]`;
    const body = sampleCpimMessage({ from: address(record.from, record.fromDomain), to: address(record.to, record.toDomain), body: text, atMs: record.t });
    return {
      ...base,
      contentType: 'message/cpim',
      body,
      decoded: inspectText(body, 'cpim'),
      note: `the envelope is the message's own; the simulation models the size of its text (${imBodyBytes} octets), not its words, so the text is shown as a placeholder`,
    };
  }
  return { ...base, contentType: null, body: null, decoded: null };
}
