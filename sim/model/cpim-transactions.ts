/**
 * CPIM transactions at the boundary (RFC 3859 3.1-3.4, RFC 3860 3.1-3.4): what the gateways add
 * to a message that crosses from one domain to another, and check when it enters the next one.
 *
 * - Every message that crosses carries a TransID in the event's third payload slot (the kernel's
 *   c), with the domain whose gateway opened it and, for subscription requests, the generation
 *   of the SubscriptID: c = (TransID * 1024 + origin) * 128 + generation. A TransID is a number
 *   fixed in width (36 bits, counted per origin domain), unique in a run.
 * - A request that expects a response (subscribe, refresh, fetch, message) opens a transaction at
 *   the origin gateway, keyed by its TransID; the destination's gateway keeps the TransID with
 *   the request until the domain answers, and the response carries it back. The origin gateway
 *   matches the response to its request by the TransID alone, and hands the request's own
 *   payload to the requester; a response with no open transaction (answered after
 *   federation.transactionTimeout, or twice) is refused and counted; when it is the failure report
 *   of a message, that message ends `indeterminant` for its sender (RFC 3860 3.4.1: no
 *   authoritative answer is to come).
 * - A notify carries a fresh TransID (no response follows it, RFC 3859 3.4) and is matched to its
 *   subscription by (watcher, target): the watcher's gateway accepts it only while it relays a
 *   live subscription of that edge (from the subscribe it let out to the cancel, refusal or
 *   termination notice), and only from a peer that serves the presentity's domain (RFC 2779
 *   5.1.1, 5.2.4, 5.3.3); anything else is refused and counted.
 * - A SubscriptID names each subscription (edge, generation: the watcher's gateway starts a new
 *   generation with each subscribe that opens one). A cancel (an unsubscribe, in CPIM a subscribe
 *   of duration 0) names it; the presentity's gateway refuses one whose SubscriptID does not name
 *   the live subscription it relayed, and counts it.
 *
 * Columns: one transaction table per owned domain for the requests it sent and one for those it
 * received; per edge one byte at the watcher's gateway and one at the presentity's (live bit and
 * 7-bit generation). Requests and messages inside one domain cross no gateway and carry none.
 */
import { C, type ModelContext } from './context.js';
import { M_FETCH, M_FETCH_RESPONSE, M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, N_KINDS } from './messages.js';
import { notifyEdge } from './notification.js';
import { TransactionTable } from './transaction-table.js';

const ORIGIN = 1024;
const GEN = 128;
const LIVE = 128;
/** the live bit of a per-edge SubscriptID byte (below it, the generation) */
export const GEN_LIVE = LIVE;
/** the status of a subscribe response that refuses the subscription (subscriptions.ts RESP_REJECTED) */
const REJECTED = -1;

/** what a kind of message is to CPIM */
const K_OTHER = 0;
const K_REQUEST = 1; // opens a transaction; its response kind in RESPONSE_TO
const K_RESPONSE = 2;
const K_CANCEL = 3; // unsubscribe: a subscribe of duration 0 naming its SubscriptID
const K_NOTIFY = 4;

export const transIdOf = (c: number) => Math.floor(c / (ORIGIN * GEN));
/** (c is a non-negative integer of up to 53 bits: floors of exact divisions, no float modulo) */
export const originOf = (c: number) => {
  const q = Math.floor(c / GEN);
  return q - Math.floor(q / ORIGIN) * ORIGIN;
};
/** the SubscriptID generation c carries */
const genOf = (c: number) => c - Math.floor(c / GEN) * GEN;
/** The TransID of c as one number unique in the run (the origin's counter and the origin domain); 0: c carries none. */
export const runTransIdOf = (c: number) => Math.floor(c / GEN);
/** A SubscriptID as one number: the edge and the generation (edge * 128 + generation). */
export const subscriptIdOf = (e: number, gen: number) => e * GEN + gen;
export const subscriptEdge = (id: number) => Math.floor(id / GEN);

export class CpimTransactions {
  private readonly role = new Uint8Array(N_KINDS + 16);
  /** for a response kind, the request kind it answers */
  private readonly requestOf = new Int16Array(N_KINDS + 16).fill(-1);
  private readonly sent: (TransactionTable | null)[];
  private readonly received: (TransactionTable | null)[];
  private readonly next: Float64Array;
  /** per edge, at the watcher's gateway: the SubscriptID generation and whether it is live */
  readonly watcherSide: Uint8Array;
  /** per edge, at the presentity's gateway */
  readonly presentitySide: Uint8Array;
  /** the request a matched response answers: its first payload */
  matchedA = 0;
  /** set while a gateway refuses a request itself: the response it causes carries this TransID */
  replyTo = -1;

  constructor(
    private readonly ctx: ModelContext,
    lifetime: number,
    /** does domain o's gateway serve domain d's presence service (o = d, or hosting by SRV)? */
    private readonly serves: (o: number, d: number) => boolean,
  ) {
    const { kernel, D, E } = ctx;
    const table = (d: number) => (kernel.owns(ctx.cluster.home(d)) ? new TransactionTable(lifetime, ctx.counters, C.cpimTransactionsExpired) : null);
    this.sent = Array.from({ length: D }, (_, d) => table(d));
    this.received = Array.from({ length: D }, (_, d) => table(d));
    this.next = new Float64Array(D);
    this.watcherSide = new Uint8Array(E);
    this.presentitySide = new Uint8Array(E);
    for (const k of [M_SUBSCRIBE, M_REFRESH, M_FETCH, M_MESSAGE]) this.role[k] = K_REQUEST;
    for (const [r, q] of [
      [M_SUB_RESPONSE, M_SUBSCRIBE],
      [M_FETCH_RESPONSE, M_FETCH],
      [M_REPORT, M_MESSAGE],
    ]) {
      this.role[r] = K_RESPONSE;
      this.requestOf[r] = q;
    }
    this.role[M_UNSUBSCRIBE] = K_CANCEL;
    this.role[M_NOTIFY] = K_NOTIFY;
    this.role[M_LIST_NOTIFY] = K_OTHER;
    this.role[M_TERMINATED] = K_OTHER;
  }

  /** the kind a request is kept under at both ends (a refresh is answered like a subscribe) */
  private static requestKey(kind: number): number {
    return kind === M_REFRESH ? M_SUBSCRIBE : kind;
  }

  private fresh(d: number): number {
    return ++this.next[d];
  }

  /**
   * A message of `kind` (payload a, b) leaves domain d for another domain: the CPIM attributes
   * its gateway gives it, as the c it carries.
   */
  leave(d: number, kind: number, a: number, b: number): number {
    const { counters, kernel } = this.ctx;
    const role = this.role[kind];
    if (role === K_RESPONSE) {
      let c = this.replyTo;
      if (c < 0) {
        c = this.received[d]!.take(this.requestOf[kind], a, kernel.now);
        if (c !== c) return 0; // nothing asked for it: it goes without a TransID, and is refused where it arrives
      }
      if (kind === M_SUB_RESPONSE && b === REJECTED) this.presentitySide[a] &= ~LIVE;
      return c;
    }
    if (role === K_OTHER && kind === M_TERMINATED) this.presentitySide[a] &= ~LIVE;
    const t = this.fresh(d);
    let gen = 0;
    if (kind === M_SUBSCRIBE || kind === M_REFRESH || role === K_CANCEL) {
      // the watcher's gateway names the subscription: a subscribe that finds none live opens a new one
      let w = this.watcherSide[a];
      if (kind === M_SUBSCRIBE && (w & LIVE) === 0) w = LIVE | (((w & (GEN - 1)) + 1) & (GEN - 1));
      else if (kind === M_REFRESH) w |= LIVE;
      gen = w & (GEN - 1);
      this.watcherSide[a] = role === K_CANCEL ? gen : w;
    }
    const c = (t * ORIGIN + d) * GEN + gen;
    if (role === K_REQUEST) {
      counters[C.cpimTransactions]++;
      this.sent[d]!.put(CpimTransactions.requestKey(kind), t, a, kernel.now);
    }
    return c;
  }

  /**
   * The SubscriptID a message of `kind` (first payload a) with attributes c names at domain d's
   * gateway (the trace, gateway-ids.ts), or -1. Subscribe, refresh and cancel carry it in c; a notify and a
   * termination notice name the subscription the presentity's gateway relayed for their edge
   * (a notify is matched by watcher and target, RFC 3859 3.4: this is the subscription those
   * name); at the watcher's gateway, the one it let out. A notify sent by a domain other than the
   * presentity's (a forger) names none.
   */
  subscriptionOf(d: number, kind: number, a: number, c: number): number {
    const role = this.role[kind];
    if (role === K_CANCEL || kind === M_SUBSCRIBE || kind === M_REFRESH) return subscriptIdOf(a, genOf(c));
    const { pop } = this.ctx;
    const e = kind === M_NOTIFY ? notifyEdge(a) : kind === M_TERMINATED ? a : -1;
    if (e < 0) return -1;
    // (where it arrives, the watcher's gateway names the subscription it let out)
    if (pop.domainOf[pop.edgeWatcher[e]] === d) return subscriptIdOf(e, this.watcherSide[e] & (GEN - 1));
    if (pop.domainOf[pop.edgePresentity[e]] !== d) return -1;
    return subscriptIdOf(e, this.presentitySide[e] & (GEN - 1));
  }

  /**
   * A message of `kind` (a, b, c) reached its final domain h's gateway: false when the gateway
   * refuses it (counted here); for a response, `matchedA` is the payload of the request it answers.
   */
  enter(h: number, kind: number, a: number, b: number, c: number): boolean {
    const { counters, kernel, pop } = this.ctx;
    const role = this.role[kind];
    this.matchedA = a;
    if (role === K_RESPONSE) {
      const q = this.requestOf[kind];
      const v = this.sent[h]!.take(q, transIdOf(c), kernel.now);
      if (v !== v || originOf(c) !== h) {
        counters[C.cpimResponsesUnmatched]++;
        if (kind === M_REPORT && b !== 0) {
          // a failure report for a message whose transaction is closed: the gateway has no
          // authoritative answer for the sender, whose message ends `indeterminant` (RFC 3860 3.4.1)
          counters[C.cpimIndeterminant]++;
          counters[C.imIndeterminate]++;
        }
        return false;
      }
      counters[C.cpimResponsesMatched]++;
      this.matchedA = v;
      if (kind === M_SUB_RESPONSE && b === REJECTED) this.watcherSide[v] &= ~LIVE;
      return true;
    }
    if (role === K_REQUEST) {
      this.received[h]!.put(CpimTransactions.requestKey(kind), a, c, kernel.now);
      if (kind === M_SUBSCRIBE || kind === M_REFRESH) this.presentitySide[a] = LIVE | genOf(c);
      return true;
    }
    if (role === K_CANCEL) {
      // the SubscriptID must name the live subscription this gateway relayed
      if (this.presentitySide[a] !== (LIVE | genOf(c))) {
        counters[C.cpimUnknownSubscriptId]++;
        return false;
      }
      this.presentitySide[a] &= ~LIVE;
      return true;
    }
    if (role === K_NOTIFY) {
      const e = notifyEdge(a);
      if (!this.serves(originOf(c), pop.domainOf[pop.edgePresentity[e]])) {
        // sent by a peer that does not serve the presentity's domain
        counters[C.notifyForged]++;
        return false;
      }
      if ((this.watcherSide[e] & LIVE) === 0) {
        // (also undelivered: it reached the watcher's domain and was not handed to the watcher)
        counters[C.cpimNotifyNoSubscription]++;
        counters[C.notifyUndelivered]++;
        if (b >= 0) counters[C.stalenessEnded]++; // the change it carried: its subscription ended first
        return false;
      }
      return true;
    }
    if (kind === M_TERMINATED) this.watcherSide[a] &= ~LIVE;
    return true;
  }
}
