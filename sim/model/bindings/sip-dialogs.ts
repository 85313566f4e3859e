/**
 * SIP subscriptions between a client and its own home server that the model has no CPIM message
 * for: the presentity agent's watcher information subscription (RFC 3857 event presence.winfo,
 * bodies RFC 3858) and the watcher's subscription to its buddy list at a resource list server
 * (RFC 4662; the watcher's home server is the RLS). Each runs as a dialog over the client's
 * access link, every step after the last one has arrived:
 *
 *   create   SUBSCRIBE -> 200, NOTIFY (full state) -> 200          at log-in
 *   refresh  SUBSCRIBE (in the dialog) -> 200, NOTIFY (full) -> 200 before the granted time runs out
 *   change   NOTIFY (what changed) -> 200                            winfo: a watcher's standing; list: a member's state
 *   end      SUBSCRIBE (Expires: 0) -> 200, NOTIFY (terminated) -> 200  at log-out (a crashed client sends nothing)
 *
 * The NOTIFY bodies come from the family's `body` (resource-lists.ts, watcher-info.ts); every
 * message is sized from its real encoding (sip-messages.ts). Per-user columns only, written in
 * the user's own domain.
 */
import type { ModelContext } from '../context.js';
import { DOWN, UP, type AccessLink } from '../access-link.js';
import type { WireCounts } from './counts.js';
import { INBOUND, OUTBOUND, PH_CHANGE, PH_CREATE, PH_REFRESH, PH_TERMINATE, W_LIST_END, W_LIST_NOTIFY, W_LIST_NOTIFY_200, W_LIST_NOTIFY_TERMINATED, W_LIST_REFRESH, W_LIST_SUB_200, W_LIST_SUBSCRIBE, W_WINFO_END, W_WINFO_NOTIFY, W_WINFO_NOTIFY_200, W_WINFO_NOTIFY_TERMINATED, W_WINFO_REFRESH, W_WINFO_SUB_200, W_WINFO_SUBSCRIBE } from './kinds.js';
import type { WireMapper } from './map.js';
import { digitsOf } from './sip-messages.js';

export const F_WINFO = 0;
export const F_LIST = 1;
export const T_CREATE = 0;
export const T_REFRESH = 1;
export const T_END = 2;
export const T_CHANGE = 3;
const TYPE_PHASE = [PH_CREATE, PH_REFRESH, PH_TERMINATE, PH_CHANGE];
/** the list's URI is the watcher's with this after the user part: sip:u3-list@example.com */
export const LIST_SUFFIX = '-list';

/** per family and dialog type: the wire kinds in order (requests from the client at even steps of create, refresh and end) */
const FLOWS: readonly (readonly number[])[] = [
  [W_WINFO_SUBSCRIBE, W_WINFO_SUB_200, W_WINFO_NOTIFY, W_WINFO_NOTIFY_200],
  [W_WINFO_REFRESH, W_WINFO_SUB_200, W_WINFO_NOTIFY, W_WINFO_NOTIFY_200],
  [W_WINFO_END, W_WINFO_SUB_200, W_WINFO_NOTIFY_TERMINATED, W_WINFO_NOTIFY_200],
  [W_WINFO_NOTIFY, W_WINFO_NOTIFY_200],
  [W_LIST_SUBSCRIBE, W_LIST_SUB_200, W_LIST_NOTIFY, W_LIST_NOTIFY_200],
  [W_LIST_REFRESH, W_LIST_SUB_200, W_LIST_NOTIFY, W_LIST_NOTIFY_200],
  [W_LIST_END, W_LIST_SUB_200, W_LIST_NOTIFY_TERMINATED, W_LIST_NOTIFY_200],
  [W_LIST_NOTIFY, W_LIST_NOTIFY_200],
];
const UPWARD = new Set([W_WINFO_SUBSCRIBE, W_WINFO_REFRESH, W_WINFO_END, W_WINFO_NOTIFY_200, W_LIST_SUBSCRIBE, W_LIST_REFRESH, W_LIST_END, W_LIST_NOTIFY_200]);
const IS_UP = Uint8Array.from({ length: 256 }, (_, k) => (UPWARD.has(k) ? 1 : 0));
const IS_NOTIFY = new Set([W_WINFO_NOTIFY, W_LIST_NOTIFY]);

/** What the dialogs use of the binding (wire.ts). */
export interface DialogIO {
  counts: WireCounts;
  mapper: WireMapper;
  link: AccessLink;
  /** a job for wire kind k at d's servers */
  charge(d: number, k: number, user: number, dir: number): void;
  /** the record of wire kind k in the trace (user -1: the server) */
  traced(k: number, from: number, fd: number, to: number, td: number, bytes: number, detail: string, cseq: number, expires: number): void;
}

/** The NOTIFY bodies of one family: full state (create, refresh) or what changed, in bytes. */
export interface DialogBodies {
  full(d: number, g: number, version: number): number;
}

export class ClientDialogs {
  /** per family and user: the dialog is up; CSeq of the client's SUBSCRIBEs and of the server's NOTIFYs; when the granted time started */
  readonly up: Uint8Array[] = [];
  private readonly cseqC: Uint32Array[] = [];
  private readonly cseqS: Uint32Array[] = [];
  private readonly since: Float64Array[] = [];
  private readonly bodies: DialogBodies[] = [];
  private readonly granted: number;
  private readonly stepEv: number;
  private readonly refreshEv: number;
  /** the body of the change NOTIFY being started (its first step) */
  private changeBody = 0;

  constructor(
    private readonly ctx: ModelContext,
    private readonly io: DialogIO,
  ) {
    const U = ctx.U;
    for (let f = 0; f < 2; f++) {
      this.up.push(new Uint8Array(U));
      this.cseqC.push(new Uint32Array(U));
      this.cseqS.push(new Uint32Array(U));
      this.since.push(new Float64Array(U));
    }
    const beh = ctx.s.behaviour;
    this.granted = Math.floor(Math.min(beh.subscriptionDuration, beh.maxSubscriptionDuration) / 1000);
    // a = (g * 8 + flow) * 4 + step
    // b: the CSeq the message carried (its response echoes it, whatever was sent since)
    this.stepEv = ctx.on('sipDialogStep', (d, a, b) => this.arrived(d, Math.floor(a / 32), Math.floor(a / 4) % 8, a % 4, b));
    this.refreshEv = ctx.on('sipDialogRefresh', (d, a, ep) => this.refreshDue(d, Math.floor(a / 2), a % 2, ep));
  }

  /** the family's NOTIFY bodies (set once, by the family's module) */
  bodiesOf(family: number, b: DialogBodies): void {
    this.bodies[family] = b;
  }

  /** g (of domain d) subscribes: the dialog starts */
  create(d: number, g: number, family: number): void {
    this.up[family][g] = 1;
    this.cseqC[family][g] = 0;
    this.cseqS[family][g] = 0;
    this.start(d, g, family, T_CREATE);
    const beh = this.ctx.s.behaviour;
    this.ctx.kernel.schedule(Math.max(1, this.granted * 1000 - beh.refreshBefore), this.refreshEv, this.ctx.cluster.lpOfUser[g], g * 2 + family, this.ctx.epoch[g]);
  }
  /** g logs out (crashed: nothing is sent, the server forgets the dialog when it times out) */
  end(d: number, g: number, family: number, crashed: boolean): void {
    if (this.up[family][g] === 0) return;
    this.up[family][g] = 0;
    if (!crashed) this.start(d, g, family, T_END);
  }
  /**
   * The server tells g of a change: a NOTIFY of `bodyBytes` in the dialog, answered by 200.
   * Returns the NOTIFY's delay down g's access link, 0 when no NOTIFY of its own is sent.
   */
  change(d: number, g: number, family: number, bodyBytes: number): number {
    // before the first NOTIFY of the dialog has left, that full state will carry the change
    if (this.up[family][g] === 0 || this.ctx.online[g] === 0 || this.cseqS[family][g] === 0) return 0;
    this.changeBody = bodyBytes;
    return this.start(d, g, family, T_CHANGE);
  }
  /** the version the next NOTIFY of g's dialog carries (RLMI version, counted from 0) */
  nextVersion(g: number, family: number): number {
    return this.cseqS[family][g];
  }

  private refreshDue(d: number, g: number, family: number, ep: number): void {
    if (this.ctx.online[g] === 0 || this.ctx.epoch[g] !== ep || this.up[family][g] === 0) return;
    this.start(d, g, family, T_REFRESH);
    this.ctx.kernel.schedule(Math.max(1, this.granted * 1000 - this.ctx.s.behaviour.refreshBefore), this.refreshEv, this.ctx.cluster.lpOfUser[g], g * 2 + family, ep);
  }

  /** starts a flow; returns its first message's delay on g's access link */
  private start(d: number, g: number, family: number, type: number): number {
    if (type === T_CREATE || type === T_REFRESH) this.since[family][g] = this.ctx.kernel.now;
    return this.step(d, g, family * 4 + type, 0);
  }

  private arrived(d: number, g: number, flow: number, step: number, cseq: number): void {
    const k = FLOWS[flow][step];
    this.io.counts.received(d, k);
    if (step + 1 < FLOWS[flow].length) this.step(d, g, flow, step + 1, cseq);
  }

  /** sends step `step` of dialog flow `flow` of user g (a response: `answered`, the CSeq of its request); returns its delay on g's access link */
  private step(d: number, g: number, flow: number, step: number, answered = 0): number {
    const family = flow >> 2;
    const type = flow & 3;
    const k = FLOWS[flow][step];
    const up = IS_UP[k] === 1;
    const m = this.io.mapper;
    const own = m.jidLen(g) + 4;
    const other = family === F_LIST ? own + LIST_SUFFIX.length : own;
    const isRequest = step % 2 === 0;
    // a request from the client or a NOTIFY from the server; a response carries its request's From and To
    const notifyStep = type === T_CHANGE ? step === 0 : step === 2;
    if (notifyStep && isRequest) this.cseqS[family][g]++;
    else if (step === 0) this.cseqC[family][g]++;
    let cseq = notifyStep || (type === T_CHANGE && step === 1) || step === 3 ? this.cseqS[family][g] : this.cseqC[family][g];
    if (!isRequest && answered > 0) cseq = answered;
    const left = this.granted - Math.floor((this.ctx.kernel.now - this.since[family][g]) / 1000);
    // Expires: asked in the SUBSCRIBE, granted in its 200, remaining in the NOTIFY's Subscription-State (0 to end)
    let expires = -1;
    if (notifyStep) expires = type === T_END ? -1 : Math.max(0, left);
    else if (type !== T_CHANGE && step < 2) expires = type === T_END ? 0 : step === 0 ? Math.floor(this.ctx.s.behaviour.subscriptionDuration / 1000) : this.granted;
    let body = 0;
    if (notifyStep && IS_NOTIFY.has(k)) body = type === T_CHANGE ? this.changeBody : this.bodies[family].full(d, g, cseq - 1);
    const serverSide = notifyStep || (type === T_CHANGE ? step === 1 : step === 3);
    const bytes = m.sip.size(k, serverSide ? other : own, serverSide ? own : other, m.domLen[d], digitsOf(cseq), expires < 0 ? -1 : digitsOf(expires), 0, body);
    const phase = TYPE_PHASE[type];
    this.io.counts.sent(d, k, bytes, phase);
    this.io.charge(d, k, g, up ? INBOUND : OUTBOUND);
    if (this.ctx.trace.on) this.io.traced(k, up ? g : -1, d, up ? -1 : g, d, bytes, family === F_LIST ? 'resource list (RFC 4662)' : 'watcher information (RFC 3857)', cseq, expires);
    const { kernel, cluster } = this.ctx;
    const delay = this.io.link.delay(d, g, bytes, up ? UP : DOWN) + cluster.hop(kernel.lp, cluster.lpOfUser[g], bytes);
    kernel.schedule(delay, this.stepEv, cluster.lpOfUser[g], (g * 8 + flow) * 4 + step, cseq);
    return delay;
  }
}
