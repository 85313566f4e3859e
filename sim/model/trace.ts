/**
 * The message trace of a run (teaching view, inspector, `trace` in the report): one record per
 * message the model sends, with its RFC 2778 role names, size and the reason it was sent. Records
 * are kept up to the scenario's trace limit.
 */
import type { Kernel } from '../engine/kernel.js';
import type { Scenario } from '../scenario/types.js';
import type { Population } from './population.js';
import { VIEW_NAMES, type TupleState } from './presence-document.js';

/**
 * The presence state a traced message carried, as the model computed it when sending: the
 * presentity, its state version, the view the rules allowed (VIEW_* and its name), the rule that
 * decided, and the tuples included. The inspector encodes the PIDF body from it.
 */
export interface TracePresence {
  entity: string;
  version: number;
  view: number;
  viewName?: string;
  rule: string;
  tuples: TupleState[];
  /** fields of each tuple the watcher's named visibility class hides (visibility.ts HIDE_*; absent: none) */
  hide?: number;
}

export interface TraceRecord {
  t: number;
  op: string;
  fromDomain: string;
  toDomain: string;
  from: string;
  to: string;
  bytes: number;
  detail: string;
  /** publish, notify and fetch results: the presence state the message carried */
  state?: TracePresence;
  /** instant messages: octets of the message's text (the model carries its size, not its words) */
  textBytes?: number;
  /** watcher information: the entry sent to the presentity's agent (a partial RFC 3858 document) */
  watcherInfo?: { resource: string; version: number; watcher: { id: string; status: string; event: string; uri: string } };
  /** a domain of a protocol binding sent it: the protocol and the message's kind there (bindings/kinds.ts); bytes are then its encoding's */
  wire?: { protocol: string; kind: string; cseq?: number; expires?: number; roster?: TraceRosterItem };
  /**
   * a message that crossed a gateway: the CPIM identifiers its gateway gave it (cpim-transactions.ts),
   * as numbers: the TransID (unique in the run: the origin domain's counter and the domain; a
   * response carries its request's) and, on subscribe, refresh, cancel, notify and termination
   * notice, the SubscriptID of the subscription (edge and generation)
   */
  cpim?: { transId: number; subscriptId?: number; sip?: { callId: number; cseq: number }; xmpp?: { stanzaId: number } };
}

/** an XMPP roster push's item (RFC 6121 2.1.2): the contact's bare JID, its subscription, ask='subscribe' while requested */
export interface TraceRosterItem {
  jid: string;
  subscription: string;
  ask?: 'subscribe';
}

/**
 * About the bytes a record takes in the report's JSON (within a few per cent): the trace's byte
 * budget (trace.maxBytes) counts with it, in every partition and again when the report merges
 * them, so the trace kept is the same for any worker count.
 */
export function traceRecordBytes(r: TraceRecord): number {
  let n = 110 + r.op.length + r.fromDomain.length + r.toDomain.length + r.from.length + r.to.length + r.detail.length;
  if (r.state !== undefined) n += 130 + r.state.entity.length + r.state.rule.length + r.state.tuples.length * 75;
  if (r.watcherInfo !== undefined) n += 150 + r.watcherInfo.resource.length + r.watcherInfo.watcher.uri.length;
  if (r.wire !== undefined) n += 60 + r.wire.protocol.length + r.wire.kind.length;
  if (r.cpim !== undefined) n += (r.cpim.subscriptId === undefined ? 30 : 50) + (r.cpim.sip !== undefined || r.cpim.xmpp !== undefined ? 40 : 0);
  return n;
}

export function userName(pop: Population, s: Scenario, g: number): string {
  const d = pop.domainOf[g];
  return `u${g - pop.domainStart[d]}@${s.domains[d].name}`;
}

export class Trace {
  readonly on: boolean;
  readonly records: TraceRecord[] = [];
  private readonly limit: number;
  private readonly maxBytes: number;
  /** bytes the records take, about (their JSON) */
  bytes = 0;
  /** the binding's view of the message about to be recorded (wireHint), or none */
  private hintOp = '';
  private hintProtocol = '';
  private hintKind = '';
  private hintBytes = 0;
  private hintCseq = -1;
  private hintAt = -1;
  private hintFrom = '';
  private hintExpires = -1;
  /** the CPIM identifiers of the message a gateway is letting out (cpimHint), or none */
  private cpimOp = '';
  private cpimAt = -1;
  private cpimFrom = -1;
  private cpimTrans = 0;
  private cpimSub = -1;
  private cpimProto = '';
  private cpimCall = 0;
  private cpimCseq = 0;

  constructor(
    private readonly s: Scenario,
    private readonly pop: Population,
    private readonly kernel: Kernel,
  ) {
    this.on = s.trace.enabled;
    this.limit = s.trace.limit;
    this.maxBytes = s.trace.maxBytes;
  }

  /**
   * The message a domain of a protocol binding is sending (its CPIM kind's name, the protocol,
   * the wire kind and its bytes): the next record of that operation (a MESSAGE_KINDS name, or publish) carries them.
   */
  wireHint(op: string, fromDomain: number, protocol: string, wireKind: string, bytes: number, cseq = -1, expires = -1): void {
    if (!this.on) return;
    this.hintAt = this.kernel.now;
    this.hintFrom = this.s.domains[fromDomain].name;
    this.hintCseq = cseq;
    this.hintExpires = expires;
    this.hintOp = op;
    this.hintProtocol = protocol;
    this.hintKind = wireKind;
    this.hintBytes = bytes;
  }

  /**
   * The CPIM identifiers a gateway of `fromDomain` gave the message of kind `op` (a MESSAGE_KINDS
   * name) it lets out now: the next record of that operation from that domain carries them (op ''
   * forgets the hint). subscriptId < 0: none.
   */
  cpimHint(op: string, fromDomain: number, transId: number, subscriptId: number): void {
    if (!this.on) return;
    this.cpimOp = op;
    this.cpimAt = this.kernel.now;
    this.cpimFrom = fromDomain;
    this.cpimTrans = transId;
    this.cpimSub = subscriptId;
    this.cpimProto = '';
  }

  /** The identifiers of the sender's side (SIP Call-ID and CSeq, or XMPP stanza id in callId) that its gateway mapped to the hinted CPIM ones. */
  cpimSide(protocol: string, callId: number, cseq: number): void {
    this.cpimProto = protocol;
    this.cpimCall = callId;
    this.cpimCseq = cseq;
  }

  /** Records a message carrying presence state (see message). */
  presence(op: string, fromUser: number, fromDomain: number, toUser: number, toDomain: number, bytes: number, detail: string, state: TracePresence): void {
    const r = this.message(op, fromUser, fromDomain, toUser, toDomain, bytes, detail);
    if (r !== null) r.state = { ...state, viewName: VIEW_NAMES[state.view] };
  }

  /** Records a message from user (or, for -1, the domain itself) to user (or domain); null when the trace is off or full. */
  message(op: string, fromUser: number, fromDomain: number, toUser: number, toDomain: number, bytes: number, detail: string): TraceRecord | null {
    if (!this.on) return null;
    const n = this.records.length;
    // once full, records of the same instant as the last one are still kept: the report sorts the
    // partitions' records (ties by sender, operation, receiver, detail) and then cuts, so that its
    // trace is the beginning of the full one for any worker count (up to twice the limits: a burst
    // of one instant beyond them is cut where it falls)
    const tie = n > 0 && this.records[n - 1].t === this.kernel.now;
    if (n >= this.limit && !(tie && n < 2 * this.limit)) return null;
    // the record before this one is complete now: count it
    if (n > 0) this.bytes += traceRecordBytes(this.records[n - 1]);
    if (this.bytes >= this.maxBytes && !(tie && this.bytes < 2 * this.maxBytes)) {
      this.bytes -= n > 0 ? traceRecordBytes(this.records[n - 1]) : 0;
      return null;
    }
    const s = this.s;
    const r: TraceRecord = {
      t: this.kernel.now,
      op,
      fromDomain: s.domains[fromDomain].name,
      toDomain: s.domains[toDomain].name,
      from: fromUser >= 0 ? userName(this.pop, s, fromUser) : s.domains[fromDomain].name,
      to: toUser >= 0 ? userName(this.pop, s, toUser) : s.domains[toDomain].name,
      bytes,
      detail,
    };
    // the hint is this record's when it names the same operation, sent from the same domain now
    if (this.hintOp === op && this.hintAt === r.t && this.hintFrom === r.fromDomain) {
      r.bytes = this.hintBytes;
      r.wire = { protocol: this.hintProtocol, kind: this.hintKind };
      if (this.hintCseq >= 0) r.wire.cseq = this.hintCseq;
      if (this.hintExpires >= 0) r.wire.expires = this.hintExpires;
      this.hintOp = '';
    }
    if (this.cpimOp === op && this.cpimAt === r.t && this.cpimFrom === fromDomain) {
      r.cpim = this.cpimSub >= 0 ? { transId: this.cpimTrans, subscriptId: this.cpimSub } : { transId: this.cpimTrans };
      if (this.cpimProto === 'sip') r.cpim.sip = { callId: this.cpimCall, cseq: this.cpimCseq };
      else if (this.cpimProto === 'xmpp') r.cpim.xmpp = { stanzaId: this.cpimCall };
      this.cpimOp = '';
    }
    this.records.push(r);
    return r;
  }
}
