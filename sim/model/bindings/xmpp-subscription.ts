/**
 * The XMPP binding's subscription handshake (RFC 6121 3.1-3.3) between two XMPP domains: the
 * stanzas the model's pending request, its decision and a revocation put on the wire besides the
 * routed stanza the mapper counts (map.ts: the subscribe, or the unsubscribed, between servers).
 *
 * - request (a `pending` rule, first asked): the user's client sends presence subscribe, its server
 *   pushes the contact's item (none, ask='subscribe') and the client answers the iq; the stanza is
 *   routed (s2s when federated) and delivered to the contact's client: at once when it is online,
 *   else stored and delivered when its log-in's roster result is in (RFC 6121 3.1.3);
 * - approval: the contact's client sends subscribed, its server pushes the item (from, or both
 *   when the contact watches the user too), routes subscribed to the user's server, which pushes
 *   the item (to, or both) and delivers the subscribed; then the current presence (the model's
 *   notification, the mapper's presence answer);
 * - refusal: the contact's client sends unsubscribed, routed; the user's server pushes the item
 *   (none, no ask) and delivers the unsubscribed (RFC 6121 3.2.3); the contact's server kept no
 *   item for a pending request, so it pushes nothing;
 * - revocation (RFC 6121 3.2): the contact's client sends unsubscribed, its server pushes the item
 *   (none, or to when mutual), routes the unsubscribed and an unavailable presence; the user's
 *   server pushes the item (none, or from) and delivers the unsubscribed.
 *
 * Every stanza is counted on its leg only (client to server, server to client, server to server),
 * a push once per connected resource (the model's user has one, or none while offline). Each side
 * reads only its own domain's state, so counts are the same for any worker count. Edges to or
 * from another binding keep the probe mapping (the gateway speaks CPIM).
 */
import type { ModelContext } from '../context.js';
import { M_NOTIFY, M_SUBSCRIBE, M_TERMINATED } from '../messages.js';
import { notifyEdge } from '../notification.js';
import { RULE_PENDING } from '../population.js';
import { userName } from '../trace.js';
import { END_REJECTED, END_REVOKED, SUB_ACTIVE, SUB_NONE } from '../subscriptions.js';
import { DOWN, UP } from '../access-link.js';
import type { WireCounts } from './counts.js';
import { INBOUND, OUTBOUND, P_XMPP, PH_CREATE, WIRE_KINDS, PH_TERMINATE, RI_ASK, ROSTER_ITEMS, RI_BOTH, RI_FROM, RI_NONE, RI_TO, X_ROSTER_PUSH, X_ROSTER_PUSH_RESULT, X_SUBSCRIBE, X_SUBSCRIBE_CLIENT, X_SUBSCRIBED, X_SUBSCRIBED_CLIENT, X_UNAVAILABLE, X_UNSUBSCRIBED, X_UNSUBSCRIBED_CLIENT } from './kinds.js';
import type { WireMapper } from './map.js';

/** What the handshake uses of bindings/wire.ts. */
export interface HandshakeDeps {
  counts: WireCounts;
  mapper: WireMapper;
  proto: Uint8Array;
  /** the subscription state per edge (presentity's domain) */
  state: Uint8Array;
  /** a job of d's servers for wire kind k */
  /** a job for kind k at d's servers, entering (INBOUND) or leaving (OUTBOUND) them */
  charge(d: number, k: number, user: number, dir: number): void;
  /** a stanza about edge e from server src to server dst of another domain (arrives as `arrived`) */
  route(k: number, src: number, dst: number, e: number, phase: number, bytes: number, user: number): void;
  linkDelay(d: number, g: number, bytes: number, direction: number): number;
}

/** watcher's side, per edge: never asked, asked (item none + ask), decided */
const W_FRESH = 0;
const W_ASKED = 1;
const W_TO = 2;
const W_DONE = 3;
/** contact's side, per edge: no request, request not yet delivered, delivered, decided */
const C_NONE = 0;
const C_STORED = 1;
const C_DELIVERED = 2;
const C_DECIDED = 3;

export class XmppSubscriptions {
  private readonly user: Uint8Array;
  private readonly contact: Uint8Array;
  private readonly down: number;
  private readonly stored: number;

  constructor(
    private readonly ctx: ModelContext,
    private readonly deps: HandshakeDeps,
  ) {
    this.user = new Uint8Array(ctx.E);
    this.contact = new Uint8Array(ctx.E);
    this.down = ctx.on('xmppHandshakeDown', (d, k) => deps.counts.received(d, k));
    this.stored = ctx.on('xmppStoredRequests', (d, g) => this.deliverStored(d, g));
  }

  /** is edge e between two XMPP domains under a pending rule (a request the contact decides)? */
  private handshaking(e: number): boolean {
    const { pop } = this.ctx;
    const p = this.deps.proto;
    return (pop.edgeRule[e] & 3) === RULE_PENDING && p[pop.domainOf[pop.edgeWatcher[e]]] === P_XMPP && p[pop.domainOf[pop.edgePresentity[e]]] === P_XMPP;
  }

  /** an XMPP domain sends a CPIM message of `kind`: the legs before the stanza the mapper counts */
  sending(kind: number, a: number, b: number): void {
    if (kind === M_SUBSCRIBE) {
      const ask = this.handshaking(a) && this.user[a] === W_FRESH;
      this.deps.mapper.asking[a] = ask ? 1 : 0;
      if (ask) this.request(a);
    } else if (kind === M_NOTIFY) {
      const e = notifyEdge(a);
      const c = this.contact[e];
      if ((c === C_STORED || c === C_DELIVERED) && this.deps.state[e] === SUB_ACTIVE) this.approve(e);
    } else if (kind === M_TERMINATED && (b === END_REJECTED || b === END_REVOKED) && this.handshakeOrActive(a, b)) this.cancel(a, b === END_REVOKED);
  }

  /** an XMPP domain h received a CPIM message of `kind` (same domain: right after sending) */
  receiving(h: number, kind: number, a: number, b: number): void {
    if (kind === M_SUBSCRIBE) {
      const ask = this.handshaking(a) && this.contact[a] === C_NONE && this.deps.state[a] === SUB_NONE;
      this.deps.mapper.asking[a] = ask ? 1 : 0;
      if (!ask) return;
      this.contact[a] = C_STORED;
      if (this.ctx.online[this.ctx.pop.edgePresentity[a]]) this.deliverRequest(h, a);
    } else if (kind === M_TERMINATED && (b === END_REJECTED || b === END_REVOKED) && this.deps.proto[h] === P_XMPP && this.handshakeOrActive(a, b)) this.userCancelled(h, a, b === END_REVOKED);
  }

  /** user g of domain d has its roster (log-in), `delay` from now: the requests stored for it follow */
  loggedIn(d: number, g: number, delay: number): void {
    const pop = this.ctx.pop;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (this.contact[e] !== C_STORED) continue;
      this.ctx.kernel.schedule(delay + this.ctx.cluster.hop(this.ctx.kernel.lp, this.ctx.cluster.lpOfUser[g], 0), this.stored, this.ctx.cluster.lpOfUser[g], g);
      return;
    }
  }
  private deliverStored(d: number, g: number): void {
    const pop = this.ctx.pop;
    if (!this.ctx.online[g]) return;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) if (this.contact[e] === C_STORED) this.deliverRequest(d, e);
  }

  /** do users x and y live on the same server node (cluster.ts)? */
  private sameNode(x: number, y: number): boolean {
    const lp = this.ctx.cluster.lpOfUser;
    return lp[x] === lp[y];
  }

  /** a stanza routed by `route` reached domain h */
  arrived(h: number, k: number, e: number): void {
    if (k === X_SUBSCRIBED) this.userApproved(h, e);
  }

  /** a refusal concerns a handshake; a revocation any subscription between XMPP domains */
  private handshakeOrActive(e: number, b: number): boolean {
    const { pop } = this.ctx;
    const p = this.deps.proto;
    if (b === END_REJECTED) return this.handshaking(e);
    return p[pop.domainOf[pop.edgeWatcher[e]]] === P_XMPP && p[pop.domainOf[pop.edgePresentity[e]]] === P_XMPP;
  }

  // ---- the user's (watcher's) side ----
  private request(e: number): void {
    const { pop } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    const wd = pop.domainOf[w];
    this.user[e] = W_ASKED;
    this.up(wd, w, g, X_SUBSCRIBE_CLIENT, this.size(X_SUBSCRIBE_CLIENT, w, g, wd, 0), PH_CREATE);
    this.push(wd, w, g, RI_ASK, PH_CREATE);
  }
  private userApproved(wd: number, e: number): void {
    const { pop } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    this.user[e] = W_TO;
    this.push(wd, w, g, this.watchedBy(w, g) ? RI_BOTH : RI_TO, PH_CREATE);
    this.toClient(wd, w, g, X_SUBSCRIBED, this.size(X_SUBSCRIBED, g, w, pop.domainOf[g], 0), PH_CREATE);
  }
  private userCancelled(wd: number, e: number, revoked: boolean): void {
    const { pop } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    this.user[e] = W_DONE;
    this.push(wd, w, g, revoked && this.watchedBy(w, g) ? RI_FROM : RI_NONE, PH_TERMINATE);
    this.toClient(wd, w, g, X_UNSUBSCRIBED, this.size(X_UNSUBSCRIBED, g, w, pop.domainOf[g], 0), PH_TERMINATE);
  }

  // ---- the contact's (presentity's) side ----
  private deliverRequest(pd: number, e: number): void {
    const { pop } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    this.contact[e] = C_DELIVERED;
    this.toClient(pd, g, w, X_SUBSCRIBE, this.size(X_SUBSCRIBE, w, g, pop.domainOf[w], 0), PH_CREATE);
  }
  private approve(e: number): void {
    const { pop } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    const pd = pop.domainOf[g];
    const wd = pop.domainOf[w];
    if (this.contact[e] === C_STORED) this.deliverRequest(pd, e);
    this.contact[e] = C_DECIDED;
    this.up(pd, g, w, X_SUBSCRIBED_CLIENT, this.size(X_SUBSCRIBED_CLIENT, g, w, pd, 0), PH_CREATE);
    this.push(pd, g, w, this.watches(g, w) ? RI_BOTH : RI_FROM, PH_CREATE);
    // (a user on another node of the domain: routed across the cluster, as between domains)
    if (wd === pd && this.sameNode(g, w)) this.userApproved(wd, e);
    else this.deps.route(X_SUBSCRIBED, pd, wd, e, PH_CREATE, this.size(X_SUBSCRIBED, g, w, pd, 0), g);
  }
  /** the contact refuses the request (revoked false) or revokes the subscription */
  private cancel(e: number, revoked: boolean): void {
    const { pop, online } = this.ctx;
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    const pd = pop.domainOf[g];
    const wd = pop.domainOf[w];
    if (!revoked && this.contact[e] === C_STORED) this.deliverRequest(pd, e);
    this.contact[e] = C_DECIDED;
    this.up(pd, g, w, X_UNSUBSCRIBED_CLIENT, this.size(X_UNSUBSCRIBED_CLIENT, g, w, pd, 0), PH_TERMINATE);
    if (!revoked) return;
    this.push(pd, g, w, this.watches(g, w) ? RI_TO : RI_NONE, PH_TERMINATE);
    // RFC 6121 3.2.2: unavailable presence from the contact's resource to the user
    const bytes = this.deps.mapper.xmpp.size(X_UNAVAILABLE, this.deps.mapper.jidLen(g), this.deps.mapper.jidLen(w), this.deps.mapper.domLen[pd], 0, 0, 0);
    if (wd !== pd || !this.sameNode(g, w)) this.deps.route(X_UNAVAILABLE, pd, wd, e, PH_TERMINATE, bytes, g);
    else if (online[w]) this.toClient(pd, w, g, X_UNAVAILABLE, bytes, PH_TERMINATE);
  }

  // ---- roster state as each side knows it ----
  /** the edge by which x watches y, or -1 */
  private edge(x: number, y: number): number {
    const pop = this.ctx.pop;
    for (let e = pop.revStart[y]; e < pop.revStart[y + 1]; e++) if (pop.edgeWatcher[e] === x) return e;
    return -1;
  }
  /** does c watch u (read at u's domain, where u is the presentity)? */
  private watchedBy(u: number, c: number): boolean {
    const e = this.edge(c, u);
    return e >= 0 && this.deps.state[e] === SUB_ACTIVE;
  }
  /** does c watch u (read at c's domain, where c is the watcher): a roster item to or both */
  private watches(c: number, u: number): boolean {
    const e = this.edge(c, u);
    if (e < 0 || this.user[e] === W_DONE) return false;
    return !this.handshaking(e) || this.user[e] === W_TO;
  }

  // ---- the legs ----
  /** the trace's record of a stanza (users -1: the server); a roster push names its item (the contact's, ROSTER_ITEMS) */
  private record(k: number, from: number, fd: number, to: number, td: number, bytes: number, detail: string, contact: number, item: number): void {
    const r = this.ctx.trace.message(WIRE_KINDS[k][0], from, fd, to, td, bytes, detail);
    if (r === null) return;
    r.wire = { protocol: 'xmpp', kind: WIRE_KINDS[k][0] };
    if (contact < 0) return;
    const jid = userName(this.ctx.pop, this.ctx.s, contact);
    r.wire.roster = item === RI_ASK ? { jid, subscription: 'none', ask: 'subscribe' } : { jid, subscription: ROSTER_ITEMS[item] };
  }
  /** bytes of kind k between bare JIDs of users `from` and `to`, server domain d (activity: the roster item) */
  private size(k: number, from: number, to: number, d: number, activity: number): number {
    const m = this.deps.mapper;
    return m.xmpp.size(k, m.jidLen(from), m.jidLen(to), m.domLen[d], activity, 0, 0);
  }
  /**
   * User g's client sends kind k (addressed to `peer`; -1: its server) to its server in d, up its
   * access link (the presence subscribe is the model's subscribe, which crossed it already). The
   * link counts the stanza; the model's step that follows does not wait for it.
   */
  private up(d: number, g: number, peer: number, k: number, bytes: number, phase: number): void {
    const { counts, charge } = this.deps;
    if (k !== X_SUBSCRIBE_CLIENT) this.deps.linkDelay(d, g, bytes, UP);
    counts.sent(d, k, bytes, phase);
    counts.received(d, k);
    charge(d, k, g, INBOUND);
    if (this.ctx.trace.on) this.record(k, g, d, peer, peer < 0 ? d : this.ctx.pop.domainOf[peer], bytes, 'client to server', -1, 0);
  }
  /** d's server sends kind k (from `peer`; -1: the server itself) down user g's stream, when g is connected */
  private toClient(d: number, g: number, peer: number, k: number, bytes: number, phase: number, contact = -1, item = 0): void {
    if (!this.ctx.online[g]) return;
    const { counts, charge } = this.deps;
    counts.sent(d, k, bytes, phase);
    charge(d, k, g, OUTBOUND);
    if (this.ctx.trace.on) this.record(k, peer, peer < 0 ? d : this.ctx.pop.domainOf[peer], g, d, bytes, 'server to client', contact, item);
    this.ctx.kernel.schedule(this.deps.linkDelay(d, g, bytes, DOWN) + this.ctx.cluster.hop(this.ctx.kernel.lp, this.ctx.cluster.lpOfUser[g], bytes), this.down, this.ctx.cluster.lpOfUser[g], k);
  }
  /** RFC 6121 2.1.6: a roster push of user g's item for `contact` to g's connected resource, and its result */
  private push(d: number, g: number, contact: number, item: number, phase: number): void {
    if (!this.ctx.online[g]) return;
    this.toClient(d, g, -1, X_ROSTER_PUSH, this.size(X_ROSTER_PUSH, g, contact, d, item), phase, contact, item);
    this.up(d, g, -1, X_ROSTER_PUSH_RESULT, this.size(X_ROSTER_PUSH_RESULT, g, contact, d, 0), phase);
  }
}
