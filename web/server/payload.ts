/**
 * The payload inspector: the body that a traced message would carry on the wire, encoded with the
 * project's sample encoders (sim/wire) for that record's entities, and decoded back with the
 * project's strict decoders. Presence documents (publish, notify, fetch results) are PIDF (RFC 3863),
 * instant messages are message/cpim (RFC 3862); requests, responses and reports carry no body.
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { inspectText, sampleCpimMessage, samplePidf, type InspectResult, type SampleTuple } from '../../sim/wire/index.js';

export interface TracePayload {
  record: TraceRecord;
  /** why the message was sent, allowed or blocked (the model's rule) */
  detail: string;
  contentType: string | null;
  body: string | null;
  decoded: InspectResult | null;
}

const NOTES = ['In the office', 'Out for lunch', 'In a meeting', 'Working from home', 'Back soon'];

/** A small stable hash, so the same record always shows the same sample values. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Number of tuples a presence document of this record discloses (0: it carries none). */
function disclosedTuples(r: TraceRecord, tuplesPerPresentity: number): { tuples: number; closed: boolean } {
  if (r.detail.startsWith('polite block')) return { tuples: 1, closed: true };
  if (r.op === 'notify') {
    const m = /^tuple (\d+)$/.exec(r.detail);
    return { tuples: m ? Math.max(1, Math.min(tuplesPerPresentity, Number(m[1]) + 1)) : tuplesPerPresentity, closed: false };
  }
  if (r.op === 'publish') {
    const m = /^(all tuples|tuple (\d+)) (open|closed)$/.exec(r.detail);
    return { tuples: m && m[2] !== undefined ? 1 : tuplesPerPresentity, closed: m?.[3] === 'closed' };
  }
  if (r.op === 'fetchResponse') {
    const m = /^(\d+) tuple\(s\)$/.exec(r.detail);
    return { tuples: m ? Number(m[1]) : 0, closed: false };
  }
  return { tuples: 0, closed: false };
}

/** The address of a trace endpoint: a user (u3@example.com) or, for an unknown recipient, a domain. */
function address(scheme: 'pres' | 'im', who: string, domain: string): string {
  return who.includes('@') ? `${scheme}:${who}` : `${scheme}:unknown-user@${domain}`;
}

export function tracePayload(record: TraceRecord, index: number, tuplesPerPresentity: number): TracePayload {
  const seed = hash(`${index}:${record.from}:${record.to}:${record.t}`);
  const base = { record, detail: record.detail };
  if (record.op === 'notify' || record.op === 'fetchResponse' || record.op === 'publish') {
    const { tuples, closed } = disclosedTuples(record, tuplesPerPresentity);
    if (tuples > 0) {
      const list: SampleTuple[] = [];
      // a publish of one tuple carries that tuple's id
      const first = record.op === 'publish' ? Number(/^tuple (\d+)/.exec(record.detail)?.[1] ?? 0) : 0;
      for (let k = 0; k < tuples; k++) {
        const i = first + k;
        const open = !closed && (record.op === 'publish' || ((seed >>> i) & 3) !== 0);
        const tuple: SampleTuple = { id: `t${i}`, basic: open ? 'open' : 'closed', contact: address('im', record.from, record.fromDomain), atMs: record.t };
        if (!closed) {
          tuple.priority = Math.round((1 - i / (tuples + 1)) * 1000) / 1000;
          tuple.note = NOTES[(seed + i) % NOTES.length];
        }
        list.push(tuple);
      }
      const body = samplePidf(address('pres', record.from, record.fromDomain), ...list);
      return { ...base, contentType: 'application/pidf+xml', body, decoded: inspectText(body, 'pidf') };
    }
  }
  if (record.op === 'message') {
    const body = sampleCpimMessage({
      from: address('im', record.from, record.fromDomain),
      to: address('im', record.to, record.toDomain),
      body: `Message ${index + 1} from ${record.from}`,
      atMs: record.t,
    });
    return { ...base, contentType: 'message/cpim', body, decoded: inspectText(body, 'cpim') };
  }
  return { ...base, contentType: null, body: null, decoded: null };
}
