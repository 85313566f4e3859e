/**
 * A gateway's mapping between CPIM identifiers and those of its own binding (issue 14; RFC 3859,
 * RFC 3860, docs/bindings.md): where a domain that speaks SIP or XMPP exchanges messages with a
 * domain of another binding, its gateway translates each of them and keeps which identifier of its
 * side stands for which TransID and SubscriptID, so that an answer finds its way back:
 *
 * - SIP: a subscription is a dialog, named by its Call-ID (numbered by the gateway as the dialog
 *   first crosses it; the tags go with it); a transaction is (Call-ID, CSeq), the CSeq counted
 *   per dialog. SubscriptID <-> Call-ID while the subscription lives; TransID <-> (Call-ID, CSeq)
 *   while the transaction is open. A fetch (SUBSCRIBE Expires 0) and a MESSAGE (no dialog) have a
 *   Call-ID of their own, CSeq 1.
 * - XMPP: each stanza has an id (numbered by the gateway); TransID <-> stanza id while open. XMPP
 *   has no SubscriptID: the subscription is the roster item of the two bare JIDs.
 *
 * A request that expects an answer (subscribe, refresh, fetch, message) opens an entry both ways;
 * its response takes both out again. Columns: per edge, at the gateway of its SIP end (only one
 * end of a translated edge speaks SIP), the dialog's Call-ID, the SubscriptID's generation and the
 * last CSeq (9 bytes, only in runs where bindings meet);
 * per owned domain two open-addressing tables (transaction-table.ts): open transactions keyed by
 * TransID and by side id, and dialogs by Call-ID. Nothing is allocated per message.
 */
import type { ModelContext } from '../context.js';
import { M_FETCH, M_FETCH_RESPONSE, M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, N_KINDS, TWO26 } from '../messages.js';
import { notifyEdge } from '../notification.js';
import { TransactionTable } from '../transaction-table.js';
import { P_SIP, P_XMPP } from './kinds.js';

/** a SIP side id: Call-ID * CSEQ_MOD + CSeq (a dialog's CSeq stays under 2^20) */
export const CSEQ_MOD = 2 ** 20;
/** a SubscriptID is edge * SUB_GEN + generation (cpim-transactions.ts subscriptIdOf) */
const SUB_GEN = 128;
const K_BY_TRANS = 1;
const K_BY_SIDE = 2;
const K_DIALOG = 3;

/** what a kind is to the mapping */
const R_DIALOG = 1; // a request inside a subscription's dialog
const R_OWN = 2; // a request with an identity of its own (fetch, message)
const R_RESPONSE = 3;

export class GatewayIds {
  /** per domain: Call-IDs (SIP) or stanza ids (XMPP) numbered so far */
  private readonly next: Float64Array;
  /** per edge, at the gateway of its SIP end: the dialog's Call-ID (0: none), the SubscriptID generation it stands for, its last CSeq (9 bytes an edge) */
  readonly dialogCall: Uint32Array;
  readonly dialogGen: Uint8Array;
  readonly dialogCseq: Uint32Array;
  private readonly tx: (TransactionTable | null)[];
  private readonly dialogs: (TransactionTable | null)[];
  private readonly role = new Uint8Array(N_KINDS + 16);
  private readonly expects = new Uint8Array(N_KINDS + 16);
  /** transactions closed unanswered (not in the report: the CPIM layer counts those) */
  private readonly expired = new Float64Array(1);
  /** the side id the last `map` gave (0: none): SIP's Call-ID and CSeq, or XMPP's stanza id in callId */
  callId = 0;
  cseq = 0;

  constructor(
    private readonly ctx: ModelContext,
    private readonly proto: Uint8Array,
    lifetime: number,
  ) {
    const { kernel, D, E } = ctx;
    const maps = (d: number) => kernel.owns(ctx.cluster.home(d)) && (proto[d] === P_SIP || proto[d] === P_XMPP);
    this.next = new Float64Array(D);
    this.dialogCall = new Uint32Array(E);
    this.dialogGen = new Uint8Array(E);
    this.dialogCseq = new Uint32Array(E);
    this.tx = Array.from({ length: D }, (_, d) => (maps(d) ? new TransactionTable(lifetime, this.expired, 0) : null));
    this.dialogs = Array.from({ length: D }, (_, d) => (maps(d) && proto[d] === P_SIP ? new TransactionTable(Infinity, this.expired, 0) : null));
    for (const k of [M_SUBSCRIBE, M_REFRESH, M_UNSUBSCRIBE, M_NOTIFY, M_TERMINATED]) this.role[k] = R_DIALOG;
    for (const k of [M_FETCH, M_MESSAGE]) this.role[k] = R_OWN;
    for (const k of [M_SUB_RESPONSE, M_FETCH_RESPONSE, M_REPORT]) this.role[k] = R_RESPONSE;
    for (const k of [M_SUBSCRIBE, M_REFRESH, M_FETCH, M_MESSAGE]) this.expects[k] = 1;
  }

  /** Does domain d's gateway translate a message of `kind` (payload a) between d and its other end? */
  translates(d: number, kind: number, a: number): boolean {
    const p = this.proto[d];
    if ((p !== P_SIP && p !== P_XMPP) || this.role[kind] === 0) return false;
    return this.proto[this.otherEnd(d, kind, a)] !== p;
  }

  /** the domain at the other end from d of a message of `kind` with payload a */
  private otherEnd(d: number, kind: number, a: number): number {
    const { pop, U } = this.ctx;
    if (kind === M_MESSAGE || kind === M_REPORT) {
      const from = pop.domainOf[Math.floor(a / TWO26)];
      const to = a % TWO26;
      const td = to >= U ? to - U : pop.domainOf[to];
      return from === d ? td : from;
    }
    const e = kind === M_NOTIFY ? notifyEdge(a) : a;
    const wd = pop.domainOf[pop.edgeWatcher[e]];
    return wd === d ? pop.domainOf[pop.edgePresentity[e]] : wd;
  }

  /**
   * Domain d's gateway translates a message of `kind` (payload a) with TransID t and SubscriptID
   * sid (-1: none) to or from its side: the side id it stands for, in callId and cseq (callId 0:
   * a response whose transaction is not open here, or a notify that names no subscription).
   */
  map(d: number, kind: number, a: number, t: number, sid: number): void {
    const role = this.role[kind];
    const sip = this.proto[d] === P_SIP;
    this.callId = 0;
    this.cseq = 0;
    if (role === R_RESPONSE) return this.answer(d, t, sip);
    if (role === R_DIALOG && sip) {
      if (sid < 0) return;
      const e = kind === M_NOTIFY ? notifyEdge(a) : a;
      if (this.dialogCall[e] === 0 || this.dialogGen[e] !== sid - e * SUB_GEN) this.openDialog(d, e, sid);
      this.callId = this.dialogCall[e];
      this.cseq = ++this.dialogCseq[e];
    } else {
      this.callId = ++this.next[d];
      this.cseq = sip ? 1 : 0;
    }
    if (this.expects[kind] === 0) return;
    const side = this.callId * CSEQ_MOD + this.cseq;
    const now = this.ctx.kernel.now;
    this.tx[d]!.put(K_BY_TRANS, t, side, now);
    this.tx[d]!.put(K_BY_SIDE, side, t, now);
  }

  /** a response with TransID t: the side id of its request, and both entries closed */
  private answer(d: number, t: number, sip: boolean): void {
    const now = this.ctx.kernel.now;
    const side = this.tx[d]!.take(K_BY_TRANS, t, now);
    if (side !== side) return;
    this.tx[d]!.take(K_BY_SIDE, side, now);
    this.callId = Math.floor(side / CSEQ_MOD);
    this.cseq = sip ? side - this.callId * CSEQ_MOD : 0;
  }

  /** a new dialog for subscription sid of edge e at d's gateway (the edge's old one is forgotten) */
  private openDialog(d: number, e: number, sid: number): void {
    const dialogs = this.dialogs[d]!;
    const now = this.ctx.kernel.now;
    if (this.dialogCall[e] !== 0) dialogs.take(K_DIALOG, this.dialogCall[e], now);
    const call = ++this.next[d];
    this.dialogCall[e] = call;
    this.dialogGen[e] = sid - e * SUB_GEN;
    this.dialogCseq[e] = 0;
    dialogs.put(K_DIALOG, call, sid, now);
  }

  /** The TransID an open transaction's side id (Call-ID * CSEQ_MOD + CSeq, or the stanza id) stands for at d, or NaN. */
  transOf(d: number, side: number): number {
    return this.tx[d]?.get(K_BY_SIDE, side) ?? NaN;
  }

  /** The side id of the open transaction TransID t at d, or NaN. */
  sideOf(d: number, t: number): number {
    return this.tx[d]?.get(K_BY_TRANS, t) ?? NaN;
  }

  /** The SubscriptID the SIP dialog of Call-ID `call` stands for at d, or NaN. */
  subscriptionOf(d: number, call: number): number {
    return this.dialogs[d]?.get(K_DIALOG, call) ?? NaN;
  }
}
