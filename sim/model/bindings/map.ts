/**
 * How each binding carries the model's CPIM messages: `WireMapper.map` names the wire kind a CPIM
 * message of `kind` (payloads a, b) is on one side's wire (SIP or XMPP), its lifecycle phase and
 * its bytes from the real encoding, into `out` (reused: nothing is allocated per message).
 * W_NONE: that side puts nothing on the wire for it (an XMPP server answers no probe with a
 * response; the gateway alone speaks CPIM).
 */
import type { ModelContext } from '../context.js';
import { END_EXPIRED, END_REJECTED, END_REVOKED, END_UNSUBSCRIBED, RESP_NO_SUBSCRIPTION, RESP_PENDING, RESP_REJECTED, type SubscriptionTable } from '../subscriptions.js';
import { ENVELOPE, F_AUTH, F_BLOCKED, F_DISABLED, F_OVERLOAD, F_UNKNOWN, M_FETCH, M_FETCH_RESPONSE, M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, TWO26 } from '../messages.js';
import { notifyEdge, VERSION_MOD } from '../notification.js';
import { VIEW_FULL, VIEW_POLITE } from '../presence-document.js';
import { pidfDiffSize } from '../../wire/pidf-diff.js';
import type { TupleTable } from '../presence.js';
import { C_FIRST, P_CPIM, P_SIP, PH_CHANGE, PH_CREATE, PH_NONE, PH_REFRESH, PH_TERMINATE, SINCE_REFRESH, W_MESSAGE, W_MESSAGE_200, W_MESSAGE_4XX, W_NOTIFY, W_NOTIFY_PARTIAL, W_NOTIFY_TERMINATED, W_SUB_200, W_SUB_4XX, W_SUBSCRIBE, W_SUBSCRIBE_END, W_SUBSCRIBE_FETCH, W_SUBSCRIBE_REFRESH, X_ANSWER, X_BROADCAST, X_ERROR, X_MESSAGE, X_MESSAGE_ERROR, X_PROBE, X_RECEIPT, X_SUBSCRIBE, X_UNAVAILABLE, X_UNSUBSCRIBED } from './kinds.js';
import { digitsOf, R_FORBIDDEN, R_NO_DIALOG, R_NOT_FOUND, R_TEMPORARILY_UNAVAILABLE, R_UNAVAILABLE, SipSizer } from './sip-messages.js';
import { XmppSizer } from './xmpp-messages.js';

export const W_NONE = -1;

export interface Mapped {
  k: number;
  phase: number;
  bytes: number;
  /** SIP: the CSeq, the Expires (or Subscription-State expires; -1 none) and the reason or refusal index the size was taken with */
  cseq: number;
  expires: number;
  reason: number;
  /** SIP: the bytes of the body the size was taken with */
  body: number;
}

/** What the mapper reads of the model. */
export interface MapperDeps {
  subs: SubscriptionTable;
  tuples: TupleTable;
}

export class WireMapper {
  readonly sip = new SipSizer();
  readonly xmpp = new XmppSizer();
  readonly out: Mapped = { k: W_NONE, phase: PH_NONE, bytes: 0, cseq: 0, expires: -1, reason: 0, body: 0 };
  /** per domain: name length; per user: digits of its local number */
  readonly domLen: Int32Array;
  private readonly localDigits: Uint8Array;
  /**
   * CSeq per edge: SUBSCRIBEs sent (written in the watcher's domain) and received (in the
   * presentity's), NOTIFYs sent (presentity's domain) and received (watcher's). Each partition
   * reads only what its own domains wrote, so sizes are the same for any worker count.
   */
  readonly cseqW: Uint32Array;
  readonly cseqWr: Uint32Array;
  readonly cseqN: Uint32Array;
  readonly cseqNr: Uint32Array;
  /** the phase of each edge's last SUBSCRIBE, as sent (watcher's domain) and as received (presentity's): its response's phase */
  readonly phaseW: Int8Array;
  readonly phaseR: Int8Array;
  readonly cseqP: Uint32Array;
  /**
   * XMPP, per edge: set by the side about to map a subscribe (xmpp-subscription.ts, from its own
   * state) when it is the contact's first request rather than a log-in's probe
   */
  readonly asking: Uint8Array;
  private readonly maxLocal: Int32Array;
  /** tuples in the body of the notification being sent (notifyBody, before `sent`) */
  bodyTuples = 0;
  /** bytes a pidf-diff adds to the PIDF of its tuples, per version digits and tuple count (0: not measured yet) */
  private readonly diffOverhead = new Int32Array(12 * 9);

  constructor(
    private readonly ctx: ModelContext,
    private readonly deps: MapperDeps,
  ) {
    const { pop, s, U, E } = ctx;
    this.domLen = Int32Array.from(s.domains, (d) => d.name.length);
    this.localDigits = new Uint8Array(U);
    for (let g = 0; g < U; g++) this.localDigits[g] = digitsOf(g - pop.domainStart[pop.domainOf[g]]);
    this.maxLocal = Int32Array.from(s.domains, (_, d) => digitsOf(Math.max(0, pop.domainUsers[d] - 1)));
    this.cseqW = new Uint32Array(E);
    this.cseqWr = new Uint32Array(E);
    this.cseqN = new Uint32Array(E);
    this.cseqNr = new Uint32Array(E);
    this.phaseW = new Int8Array(E).fill(PH_NONE);
    this.phaseR = new Int8Array(E).fill(PH_NONE);
    this.cseqP = new Uint32Array(U);
    this.asking = new Uint8Array(E);
  }

  /** bytes of the RFC 5262 patch replacing `n` tuples (ids t1..t8) at a version of `versionDigits`, its PIDF being `pidfBytes` */
  private diffBytes(pidfBytes: number, n: number, versionDigits: number): number {
    const i = versionDigits * 9 + n;
    if (this.diffOverhead[i] === 0) this.diffOverhead[i] = pidfDiffSize(0, new Array<number>(n).fill(2), versionDigits);
    return pidfBytes + this.diffOverhead[i];
  }

  /** bytes of user g's bare JID `u<n>@<domain>`; its SIP URI is 4 more (`sip:`) */
  jidLen(g: number): number {
    return 2 + this.localDigits[g] + this.domLen[this.ctx.pop.domainOf[g]];
  }
  /** a principal of domain d, or an unknown user there (the longest local number) */
  private jidOr(g: number, d: number): number {
    return g < this.ctx.U ? this.jidLen(g) : 2 + this.maxLocal[d] + this.domLen[d];
  }

  private sipOf(k: number, from: number, to: number, host: number, cseq: number, expires: number, reason: number, body: number): void {
    this.out.k = k;
    this.out.cseq = cseq;
    this.out.expires = expires;
    this.out.reason = reason;
    this.out.body = body;
    this.out.bytes = this.sip.size(k, from + 4, to + 4, this.domLen[host], digitsOf(cseq), expires < 0 ? -1 : digitsOf(expires), reason, body);
  }
  private xmppOf(k: number, from: number, to: number, d: number, activity: number, note: number, body: number): void {
    this.out.k = k;
    this.out.bytes = this.xmpp.size(k, from, to, this.domLen[d], activity, note, body);
  }

  /**
   * Maps a CPIM message on the wire of protocol `p` (bytes: its CPIM size). `here`: mapped where
   * it is received (a gateway translated it from another binding), from that domain's own state
   * only: the CSeq it counted, the granted duration for the remaining one.
   */
  map(p: number, kind: number, a: number, b: number, bytes: number, here = false): Mapped {
    const o = this.mapBinding(p, kind, a, b, bytes, here);
    if (p === P_CPIM) {
      // CPIM counts the model's message as it is
      o.k = C_FIRST + kind;
      o.bytes = bytes;
    }
    return o;
  }

  private mapBinding(p: number, kind: number, a: number, b: number, bytes: number, here: boolean): Mapped {
    const { pop, s, kernel } = this.ctx;
    const o = this.out;
    o.k = W_NONE;
    o.phase = PH_NONE;
    o.bytes = 0;
    if (kind === M_MESSAGE || kind === M_REPORT) {
      const g = Math.floor(a / TWO26);
      const to = a % TWO26;
      const sd = pop.domainOf[g];
      const td = to >= this.ctx.U ? to - this.ctx.U : pop.domainOf[to];
      const gl = this.jidLen(g);
      const tl = this.jidOr(to, td);
      if (kind === M_MESSAGE) {
        if (p === P_SIP) this.sipOf(W_MESSAGE, gl, tl, sd, 1, -1, 0, bytes - ENVELOPE.request);
        else this.xmppOf(X_MESSAGE, gl, tl, sd, 0, 0, s.behaviour.imBodyBytes);
        return o;
      }
      if (p === P_SIP) {
        const refusal = b === F_UNKNOWN ? R_NOT_FOUND : b === F_OVERLOAD ? R_UNAVAILABLE : b === F_BLOCKED || b === F_AUTH || b === F_DISABLED ? R_FORBIDDEN : R_TEMPORARILY_UNAVAILABLE;
        this.sipOf(b === 0 ? W_MESSAGE_200 : W_MESSAGE_4XX, gl, tl, td, 1, -1, b === 0 ? 0 : refusal, 0);
      } else this.xmppOf(b === 0 ? X_RECEIPT : X_MESSAGE_ERROR, tl, gl, td, 0, 0, 0);
      return o;
    }
    if (kind === M_LIST_NOTIFY) {
      // one NOTIFY for the watchers of a domain (a list subscription): presentity to the domain's list
      const D = this.ctx.D;
      const g = Math.floor(Math.floor(a / VERSION_MOD) / D / 16);
      const wd = Math.floor(a / VERSION_MOD) % D;
      o.phase = PH_CHANGE;
      if (p === P_SIP) this.sipOf(W_NOTIFY, this.jidLen(g), 2 + this.maxLocal[wd] + this.domLen[wd], pop.domainOf[g], 1, 3600, 0, bytes - ENVELOPE.request);
      return o;
    }
    const e = kind === M_NOTIFY ? notifyEdge(a) : a;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    const wl = this.jidLen(w);
    const gl = this.jidLen(g);
    const wd = pop.domainOf[w];
    const pd = pop.domainOf[g];
    const beh = s.behaviour;
    const sip = p === P_SIP;
    switch (kind) {
      case M_SUBSCRIBE:
      case M_REFRESH:
      case M_UNSUBSCRIBE:
      case M_FETCH: {
        o.phase = kind === M_SUBSCRIBE ? PH_CREATE : kind === M_REFRESH ? PH_REFRESH : kind === M_UNSUBSCRIBE ? PH_TERMINATE : PH_NONE;
        if (sip) {
          const wk = kind === M_SUBSCRIBE ? W_SUBSCRIBE : kind === M_REFRESH ? W_SUBSCRIBE_REFRESH : kind === M_UNSUBSCRIBE ? W_SUBSCRIBE_END : W_SUBSCRIBE_FETCH;
          const expires = kind === M_SUBSCRIBE || kind === M_REFRESH ? Math.floor(beh.subscriptionDuration / 1000) : 0;
          this.sipOf(wk, wl, gl, wd, kind === M_FETCH ? 1 : here ? this.cseqWr[e] : this.cseqW[e] + 1, expires, 0, 0);
        } else if (kind === M_SUBSCRIBE && this.asking[e] === 1) {
          // RFC 6121 3.1.2: the request routed to the contact's server (inside one domain no stanza: the client legs are counted apart)
          if (wd !== pd) this.xmppOf(X_SUBSCRIBE, wl, gl, wd, 0, 0, 0);
        } else if (kind === M_SUBSCRIBE) this.xmppOf(X_PROBE, wl, gl, wd, 0, 0, 0); // the log-in's probe (RFC 6121 4.3)
        return o;
      }
      case M_SUB_RESPONSE: {
        o.phase = here ? this.phaseW[e] : this.phaseR[e];
        if (sip) {
          const ok = b >= 0 || b === RESP_PENDING;
          const granted = b >= 0 ? Math.floor(b / 1000) : Math.floor(Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration) / 1000);
          // the 200 echoes the SUBSCRIBE's CSeq: where it was sent, the count received there; mapped where it
          // arrives, the watcher's own count (the presentity's side is another LP's state)
          this.sipOf(ok ? W_SUB_200 : W_SUB_4XX, wl, gl, wd, Math.max(1, here ? this.cseqW[e] : this.cseqWr[e]), ok ? granted : -1, ok ? 0 : b === RESP_REJECTED ? R_FORBIDDEN : b === RESP_NO_SUBSCRIPTION ? R_NO_DIALOG : R_UNAVAILABLE, 0);
        } else if (b === RESP_REJECTED) this.xmppOf(X_UNSUBSCRIBED, gl, wl, pd, 0, 0, 0); // RFC 6121 3.2: declined
        else if (b < 0 && b !== RESP_PENDING && b !== RESP_NO_SUBSCRIPTION) this.xmppOf(X_ERROR, gl, wl, pd, 0, 0, 0);
        return o;
      }
      case M_NOTIFY:
      case M_FETCH_RESPONSE: {
        o.phase = kind === M_FETCH_RESPONSE ? PH_NONE : b >= 0 ? PH_CHANGE : b === SINCE_REFRESH ? PH_REFRESH : PH_CREATE;
        const polite = kind === M_NOTIFY && a % 4 === VIEW_POLITE;
        const t = this.deps.tuples;
        const i = g * t.tuples;
        if (sip) {
          const granted = Math.floor(Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration) / 1000);
          const left = here ? granted : Math.max(0, Math.floor((this.deps.subs.expiry[e] - kernel.now) / 1000));
          const body = bytes - (kind === M_NOTIFY ? ENVELOPE.request : ENVELOPE.response);
          const cseq = here ? this.cseqNr[e] : this.cseqN[e] + 1;
          // RFC 5263: after the full state, a change goes as a pidf-diff of the tuples it carries (all of
          // them after a rate-limit flush or a change of every tuple; a gateway's translation: all)
          if (kind === M_NOTIFY && o.phase === PH_CHANGE && s.federation.partialNotifications && a % 4 === VIEW_FULL) {
            const n = here ? this.deps.tuples.tuples : this.bodyTuples;
            this.sipOf(W_NOTIFY_PARTIAL, gl, wl, pd, cseq, left, 0, this.diffBytes(body, n, digitsOf(cseq)));
          } else this.sipOf(kind === M_NOTIFY ? W_NOTIFY : W_NOTIFY_TERMINATED, gl, wl, pd, cseq, left, kind === M_NOTIFY ? 0 : 1, body);
        } else if (kind === M_NOTIFY && !here && pd === wd && this.ctx.cluster.lpOfUser[g] === this.ctx.cluster.lpOfUser[w] && this.ctx.online[w] === 0) {
          // the server has no stream to a local contact who is offline: work, not a stanza (one on
          // another node of the cluster: that node knows, the stanza crosses to it)
        } else if (kind === M_NOTIFY) {
          // XMPP shows one resource: the first tuple's state; closed (or a polite block, XEP-0191) is unavailable
          const closed = here ? false : polite || t.basic[i] === 0;
          this.xmppOf(closed ? X_UNAVAILABLE : o.phase === PH_CHANGE ? X_BROADCAST : X_ANSWER, gl, wl, pd, closed ? 0 : here ? 1 : t.activity[i], closed || here ? 0 : t.note[i], 0);
        }
        return o;
      }
      case M_TERMINATED: {
        o.phase = PH_TERMINATE;
        if (sip) this.sipOf(W_NOTIFY_TERMINATED, gl, wl, pd, here ? this.cseqNr[e] : this.cseqN[e] + 1, -1, b === END_EXPIRED ? 1 : b === END_UNSUBSCRIBED ? 0 : 2, 0);
        else if (wd !== pd || (b !== END_REJECTED && b !== END_REVOKED)) this.xmppOf(X_UNSUBSCRIBED, gl, wl, pd, 0, 0, 0);
        // a refusal or revocation inside one domain: the contact's and the user's client legs alone (xmpp-subscription.ts)
        return o;
      }
    }
    return o;
  }
}
