/**
 * The protocol bindings at work (issue 14): every domain speaks CPIM (the abstract model, the
 * default), SIP/SIMPLE or XMPP (`domains[].protocol`). The model's concerns call the hooks below
 * at the points where a binding differs; for a CPIM domain each hook returns at once, so a run of
 * CPIM domains only is the model as it was.
 *
 * - Every CPIM message a domain sends is mapped to its binding's wire kind (map.ts), sized from the
 *   real encoding and counted in the sender's terms; where the receiver speaks the same binding it
 *   crosses the link with those bytes, else a gateway translates and it crosses as CPIM, the
 *   receiver counting it in its own terms when it arrives.
 * - Messages a binding has and CPIM lacks are events of their own that travel (messages.ts'
 *   M_WIRE between domains, the access link to a client): SIP's 200 to every NOTIFY (481 from a
 *   watcher who is gone), the NOTIFY of a pending subscription, PUBLISH's 200 with SIP-ETag (412
 *   when the publication is gone); XMPP's log-in (stream, SASL, bind, roster) and stream close.
 * - Every wire message is a job (`serviceTimes.wire`, per kind and direction) on the servers of
 *   each domain it leaves (OUTBOUND) or enters (INBOUND: from a client, or from another domain),
 *   besides the operation's own job; a model message between two users of one domain is charged
 *   once, where it leaves.
 *
 * - Client-to-home-server messages (publication, XMPP log-in) are client-wire.ts'; SIP dialogs the
 *   model has no CPIM message for (watcher information, RFC 4662 list subscriptions) are
 *   sip-dialogs.ts', with their bodies from sip-watcher-info.ts and resource-lists.ts.
 *
 * What a binding changes in the model itself is asked of `changes` (binding-rules.ts).
 */
import type { ModelContext } from '../context.js';
import { ENVELOPE, M_FETCH, M_FETCH_RESPONSE, M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, M_WIRE, MESSAGE_KINDS, TWO26 } from '../messages.js';
import { notifyEdge, VERSION_MOD } from '../notification.js';
import type { Gateways } from '../gateways.js';
import { wireOp, type Service } from '../service.js';
import type { Sizes } from '../sizes.js';
import type { SubscriptionTable } from '../subscriptions.js';
import { END_EXPIRED, END_UNSUBSCRIBED, RESP_PENDING } from '../subscriptions.js';
import type { TupleTable } from '../presence.js';
import { DOWN, UP, type AccessLink } from '../access-link.js';
import { INBOUND, N_WIRE, OUTBOUND, P_CPIM, P_SIP, P_XMPP, PH_CREATE, PH_NONE, PH_REFRESH, PH_TERMINATE, PROTOCOLS, SINCE_REFRESH, W_NOTIFY_200, W_NOTIFY_481, W_NOTIFY_PARTIAL, W_NOTIFY_PENDING, W_SUB_200, WIRE_KINDS } from './kinds.js';
import { W_NONE, WireMapper, type Mapped } from './map.js';
import { digitsOf } from './sip-messages.js';
import { WireCounts } from './counts.js';
import type { WireHooks } from './hooks.js';
import { ClientDialogs, type DialogIO } from './sip-dialogs.js';
import { SipWatcherInfo } from './sip-watcher-info.js';
import { ResourceListServer, RL_ACTIVE, RL_PENDING, RL_TERMINATED } from './resource-lists.js';
import { ClientWire } from './client-wire.js';
import { XmppSubscriptions } from './xmpp-subscription.js';
import { nodeUser } from './node-user.js';

/** M_WIRE payload: a = (subject * N_WIRE + kind) * 8 + phase + 1, b = bytes */
const packWire = (subject: number, k: number, phase: number) => (subject * N_WIRE + k) * 8 + phase + 1;
/** added to an answer's phase: its watcher's server sends it, not the client */
const SERVER_ANSWERS = 16;
const isSubscribeFamily = (kind: number) => kind === M_SUBSCRIBE || kind === M_REFRESH || kind === M_UNSUBSCRIBE;
/** the CPIM kinds of an edge's subscription, which a resource list server may keep inside */
const isListed = (kind: number) => isSubscribeFamily(kind) || kind === M_SUB_RESPONSE || kind === M_NOTIFY || kind === M_TERMINATED;
/** Subscription-State reason index (sip-messages.ts SIP_REASONS) of a termination */
const endReason = (b: number) => (b === END_EXPIRED ? 1 : b === END_UNSUBSCRIBED ? 0 : 2);

export interface Wire extends WireHooks {
  readonly counts: WireCounts;
}

type WireDeps = { service: Service; gateways: Gateways; sizes: Sizes; subs: SubscriptionTable; tuples: TupleTable; link: AccessLink };

/**
 * The bindings of a run, or null when every domain speaks CPIM (the model as it is, nothing
 * added) unless `countCpim` asks that CPIM's messages be counted too (compare).
 */
export function createWire(ctx: ModelContext, deps: WireDeps, countCpim = false): Wire | null {
  const proto = Uint8Array.from(ctx.s.domains, (d) => PROTOCOLS.indexOf(d.protocol ?? 'cpim'));
  if (!countCpim && proto.every((p) => p === P_CPIM)) return null;
  return new BindingWire(ctx, deps, proto);
}

class BindingWire implements Wire {
  readonly on = true;
  readonly counts: WireCounts;
  private readonly mapper: WireMapper;
  private readonly o: Mapped;
  private readonly io: DialogIO;
  private readonly dialogs: ClientDialogs;
  private readonly winfo: SipWatcherInfo;
  private readonly rls: ResourceListServer;
  private readonly listsOn: boolean;
  private readonly client: ClientWire;
  /** the XMPP subscription handshake's stanzas (RFC 6121 3.1-3.3) */
  private readonly handshake: XmppSubscriptions;
  private readonly arriveEv: number;
  private readonly answerEv: number;
  /** a watcher's answer went up its access link: now it crosses to the presentity's domain */
  private readonly upEv: number;
  /** the state part of the last internal back-end NOTIFY (sent and received in one domain: `sent`, then `received`) */
  private internalPart = 0;
  private internalDiff = false;
  /** the answer being sent is the watcher's server's, not its client's (`answer`) */
  private serverAnswers = false;

  constructor(
    private readonly ctx: ModelContext,
    private readonly deps: WireDeps,
    readonly proto: Uint8Array,
  ) {
    const { kernel } = ctx;
    this.mapper = new WireMapper(ctx, deps);
    this.counts = new WireCounts(ctx, proto);
    this.o = this.mapper.out;
    this.io = { counts: this.counts, mapper: this.mapper, link: deps.link, charge: (d, k, g, dir) => this.charge(d, k, g, dir), traced: (...x) => this.traced(...x) };
    this.dialogs = new ClientDialogs(ctx, this.io);
    this.winfo = new SipWatcherInfo(ctx, this.dialogs, deps.subs);
    this.rls = new ResourceListServer(ctx, this.dialogs, this.mapper, proto);
    this.listsOn = this.rls.on.some((x) => x === 1);
    // ---- messages a binding has and CPIM lacks ----
    this.arriveEv = ctx.on('wireArrive', (h, a) => this.wireArrived(h, a));
    deps.gateways.register(M_WIRE, {
      arrive: this.arriveEv,
      dest: (a) => this.wireDest(a),
      bytes: (_a) => ENVELOPE.response,
      failed: () => this.counts.lostOne(),
      refused: () => this.counts.lostOne(),
      // a server's message to the watcher's client (NOTIFY pending, a fetch's 200) ends down its access link
      lastHop: (h, a, bytes) => (this.toWatcher(a) ? deps.link.delay(h, ctx.pop.edgeWatcher[Math.floor(a / 8 / N_WIRE)], bytes, DOWN) : 0),
    });
    this.answerEv = ctx.on('wireAnswer', (wd, e, phase) => this.answer(wd, e, phase));
    this.upEv = ctx.on('wireUp', (wd, a, bytes) => this.cross(wd, this.wireDest(a), a, bytes));
    this.client = new ClientWire(ctx, this.io, proto, deps.sizes, deps.tuples, (d, g, delay) => this.handshake.loggedIn(d, g, delay));
    this.handshake = new XmppSubscriptions(ctx, {
      counts: this.counts,
      mapper: this.mapper,
      proto,
      state: deps.subs.state,
      charge: (d, k, g, dir) => this.charge(d, k, g, dir),
      linkDelay: (d, g, b, dir) => deps.link.delay(d, g, b, dir),
      route: (k, src, dst, e, phase, bytes, user) => this.emit(k, src, dst, e, phase, bytes, user, false),
    });
  }

  /** a job for wire kind k at d's servers, leaving (OUTBOUND) or entering (INBOUND) them (a CPIM domain's cost is its operations', nothing more per message) */
  private charge(d: number, k: number, subject: number, dir: number): void {
    if (this.proto[d] !== P_CPIM) this.deps.service.submit(d, wireOp(k, dir), subject, 0, 0);
  }
  /** the wire kind's record in the trace: sent from user `from` of domain fd to user `to` of td */
  private traced(k: number, from: number, fd: number, to: number, td: number, bytes: number, detail: string, cseq: number, expires: number): void {
    const r = this.ctx.trace.message(WIRE_KINDS[k][0], from, fd, to, td, bytes, detail);
    if (r === null) return;
    r.wire = { protocol: PROTOCOLS[WIRE_KINDS[k][1]], kind: WIRE_KINDS[k][0] };
    if (cseq >= 0) r.wire.cseq = cseq;
    if (expires >= 0) r.wire.expires = expires;
  }

  private wireArrived(h: number, a: number): void {
    const { pop } = this.ctx;
    const phase = (a % 8) - 1;
    const k = Math.floor(a / 8) % N_WIRE;
    const subject = Math.floor(a / 8 / N_WIRE);
    this.counts.received(h, k);
    // at the presentity's node where it arrives in the presentity's domain (a NOTIFY's answer), else at the watcher's
    const g = pop.edgePresentity[subject];
    if (this.wireDest(a) !== this.wireSource(a)) this.charge(h, k, pop.domainOf[g] === h ? g : pop.edgeWatcher[subject], INBOUND);
    // the watcher's client answers the NOTIFY of a pending subscription (a resource list server, for its back-end one)
    if (k === W_NOTIFY_PENDING) {
      const backEnd = this.listsOn && this.rls.backEnd(subject);
      this.answer(h, subject, backEnd ? phase + SERVER_ANSWERS : phase);
      if (backEnd) this.rls.member(h, subject, RL_PENDING, 0, 0, false);
    } else if (this.proto[h] === P_XMPP) this.handshake.arrived(h, k, subject);
  }
  private wireDest(a: number): number {
    const { pop } = this.ctx;
    const k = Math.floor(a / 8) % N_WIRE;
    const e = Math.floor(a / 8 / N_WIRE);
    return k === W_NOTIFY_200 || k === W_NOTIFY_481 ? pop.domainOf[pop.edgePresentity[e]] : pop.domainOf[pop.edgeWatcher[e]];
  }
  /** a message of a = packWire(..) goes from a server to the watcher's client (not to a resource list server's back-end subscription) */
  private toWatcher(a: number): boolean {
    const k = Math.floor(a / 8) % N_WIRE;
    return (k === W_NOTIFY_PENDING || k === W_SUB_200) && !(this.listsOn && this.rls.backEnd(Math.floor(a / 8 / N_WIRE)));
  }
  private cross(src: number, dst: number, a: number, bytes: number): void {
    this.counts.crossed(src, dst, Math.floor(a / 8) % N_WIRE, bytes);
    this.deps.gateways.send(src, dst, this.arriveEv, a, bytes, M_WIRE, bytes);
  }
  private wireSource(a: number): number {
    const { pop } = this.ctx;
    const k = Math.floor(a / 8) % N_WIRE;
    const e = Math.floor(a / 8 / N_WIRE);
    return k === W_NOTIFY_200 || k === W_NOTIFY_481 ? pop.domainOf[pop.edgeWatcher[e]] : pop.domainOf[pop.edgePresentity[e]];
  }

  /**
   * Sends a message of wire kind k about edge e from domain src to dst (phase: its lifecycle
   * phase). Between domains of one binding it travels through the gateways; inside a domain up or
   * down the client's access link; to a domain of another binding it ends at src's gateway, which
   * answers for the other side (counted here, not crossing). The watcher's client is at one end
   * of a SIP message (up: its answer; down: the server's NOTIFY pending or 200): the message
   * crosses the watcher's access link there (up before it leaves, down after it arrives, M_WIRE's
   * lastHop); XMPP's routed stanzas go between servers.
   */
  private emit(k: number, src: number, dst: number, e: number, phase: number, bytes: number, user: number, up: boolean, cseq = -1, expires = -1): void {
    const { pop, kernel } = this.ctx;
    this.counts.sent(src, k, bytes, phase);
    this.charge(src, k, user, up ? INBOUND : OUTBOUND);
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    if (this.ctx.trace.on) this.traced(k, up ? w : g, src, up ? g : w, dst, bytes, `edge ${e}`, cseq, expires);
    const a = packWire(e, k, phase);
    const link = this.deps.link;
    const cluster = this.ctx.cluster;
    // a 481 is the watcher's server's answer (its client is gone): no access link
    const client = up && k !== W_NOTIFY_481 && !this.serverAnswers;
    if (src === dst) {
      // to the node of its receiver (as wireDest: a NOTIFY's answer to the presentity's, the rest
      // to the watcher's), across the cluster from another node
      const to = cluster.lpOfUser[k === W_NOTIFY_200 || k === W_NOTIFY_481 ? g : w];
      kernel.schedule((up && !client ? 0 : link.delay(src, w, bytes, up ? UP : DOWN)) + cluster.hop(kernel.lp, to, bytes), this.arriveEv, to, a, bytes);
    } else if (client && this.proto[src] === this.proto[dst]) kernel.schedule(link.delay(src, w, bytes, UP), this.upEv, kernel.lp, a, bytes);
    else if (this.proto[src] === this.proto[dst]) this.cross(src, dst, a, bytes);
    else if (client) link.delay(src, w, bytes, UP); // up to its own gateway, which answers for the other side
  }
  /** the watcher's client answers a NOTIFY on edge e arrived at its domain wd: 200, or 481 when it is gone */
  private answer(wd: number, e: number, phaseAndServer: number): void {
    const { pop, online } = this.ctx;
    const m = this.mapper;
    const phase = phaseAndServer & 15;
    // the watcher's server answers (a resource list server for its back-end subscriptions, a gateway for a list notification): no access link
    this.serverAnswers = phaseAndServer >= SERVER_ANSWERS;
    const k = online[pop.edgeWatcher[e]] ? W_NOTIFY_200 : W_NOTIFY_481;
    const cseq = Math.max(1, m.cseqNr[e]);
    const bytes = m.sip.size(k, m.jidLen(pop.edgePresentity[e]) + 4, m.jidLen(pop.edgeWatcher[e]) + 4, m.domLen[pop.domainOf[pop.edgePresentity[e]]], digitsOf(cseq), -1, 1, 0);
    this.emit(k, wd, pop.domainOf[pop.edgePresentity[e]], e, phase, bytes, pop.edgeWatcher[e], true, cseq);
    this.serverAnswers = false;
  }

  /** the domain a CPIM message of `kind` comes from */
  private origin(kind: number, a: number): number {
    const { pop, U, D } = this.ctx;
    if (kind === M_MESSAGE) return pop.domainOf[Math.floor(a / TWO26)];
    if (kind === M_REPORT) {
      const to = a % TWO26;
      return to >= U ? to - U : pop.domainOf[to];
    }
    if (kind === M_LIST_NOTIFY) return pop.domainOf[Math.floor(Math.floor(a / VERSION_MOD) / D / 16)];
    if (kind === M_NOTIFY) return pop.domainOf[pop.edgePresentity[notifyEdge(a)]];
    if (kind === M_SUBSCRIBE || kind === M_REFRESH || kind === M_UNSUBSCRIBE || kind === M_FETCH) return pop.domainOf[pop.edgeWatcher[a]];
    return pop.domainOf[pop.edgePresentity[a]];
  }
  /** a CPIM-size stand-in for a message mapped where it arrives (its sender's state is elsewhere) */
  private estimate(kind: number, a: number): number {
    const d = this.origin(kind, a);
    const { sizes } = this.deps;
    if (kind === M_NOTIFY || kind === M_LIST_NOTIFY) return sizes.notifyFull[d];
    if (kind === M_FETCH_RESPONSE) return sizes.notifyFull[d] - ENVELOPE.request + ENVELOPE.response;
    if (kind === M_MESSAGE) return sizes.im[d];
    return 0;
  }

  sent(from: number, to: number, kind: number, a: number, b: number, bytes: number): number {
    const pf = this.proto[from];
    if (kind === M_WIRE) return bytes;
    if (pf === P_XMPP) this.handshake.sending(kind, a, b);
    if (this.listsOn && pf === P_SIP && isListed(kind) && this.rls.internal(kind === M_NOTIFY ? notifyEdge(a) : a)) return this.sentInside(pf, kind, a, b, bytes);
    if (pf === P_SIP) this.sentSipFirst(from, to, kind, a, b, bytes);
    const { mapper, o } = this;
    mapper.map(pf, kind, a, b, bytes);
    if (o.k === W_NONE) return bytes;
    if (isSubscribeFamily(kind)) {
      mapper.cseqW[a]++;
      mapper.phaseW[a] = o.phase;
    } else if (kind === M_NOTIFY) mapper.cseqN[notifyEdge(a)]++;
    else if (kind === M_TERMINATED) mapper.cseqN[a]++;
    this.counts.sent(from, o.k, o.bytes, o.phase);
    this.charge(from, o.k, nodeUser(this.ctx.pop, this.ctx.D, this.ctx.U, from, kind, a), OUTBOUND);
    const trace = this.ctx.trace;
    if (pf === P_SIP) trace.wireHint(MESSAGE_KINDS[kind], from, 'sip', WIRE_KINDS[o.k][0], o.bytes, o.cseq, o.expires);
    else if (pf !== P_CPIM) trace.wireHint(MESSAGE_KINDS[kind], from, PROTOCOLS[pf], WIRE_KINDS[o.k][0], o.bytes);
    if (from === to) return o.bytes;
    if (this.proto[to] !== pf) return bytes; // a gateway translates: CPIM crosses the boundary
    this.counts.crossed(from, to, o.k, o.bytes);
    return o.bytes;
  }
  /** a back-end subscription inside the resource list server: its state is kept, nothing is on the wire */
  private sentInside(pf: number, kind: number, a: number, b: number, bytes: number): number {
    if (kind === M_NOTIFY) {
      this.mapper.map(pf, kind, a, b, bytes);
      this.mapper.cseqN[notifyEdge(a)]++;
      this.internalPart = this.o.body;
      this.internalDiff = this.o.k === W_NOTIFY_PARTIAL;
    }
    return bytes;
  }
  /** SIP messages that go before the one a CPIM message maps to */
  private sentSipFirst(from: number, to: number, kind: number, a: number, b: number, bytes: number): void {
    const { pop, s } = this.ctx;
    const m = this.mapper;
    if (kind === M_SUB_RESPONSE && b === RESP_PENDING) {
      // RFC 6665 4.2.1.1: a pending subscription gets its 200 and a NOTIFY saying pending
      m.map(P_SIP, kind, a, b, bytes);
      const left = Math.floor(Math.min(s.behaviour.subscriptionDuration, s.behaviour.maxSubscriptionDuration) / 1000);
      const pendingBytes = m.sip.size(W_NOTIFY_PENDING, m.jidLen(pop.edgePresentity[a]) + 4, m.jidLen(pop.edgeWatcher[a]) + 4, m.domLen[from], digitsOf(m.cseqN[a] + 1), digitsOf(left), 0, 0);
      m.cseqN[a]++;
      this.emit(W_NOTIFY_PENDING, from, to, a, PH_CREATE, pendingBytes, pop.edgePresentity[a], false, m.cseqN[a], left);
    }
    if (kind === M_FETCH_RESPONSE) {
      // a fetch is a SUBSCRIBE of Expires 0: its 200 first, then the NOTIFY with the state
      const okBytes = m.sip.size(W_SUB_200, m.jidLen(pop.edgeWatcher[a]) + 4, m.jidLen(pop.edgePresentity[a]) + 4, m.domLen[pop.domainOf[pop.edgeWatcher[a]]], 1, 1, 0, 0);
      this.emit(W_SUB_200, from, to, a, PH_NONE, okBytes, pop.edgePresentity[a], false, 1, 0);
    }
  }

  notifyBody(_first: number, count: number): void {
    this.mapper.bodyTuples = count;
  }
  watcherInfo(d: number, p: number, status: number, event: number): number {
    return this.proto[d] === P_SIP ? this.winfo.changed(d, p, status, event) : -1;
  }

  received(h: number, kind: number, a: number, b: number, delay: number): void {
    const ph = this.proto[h];
    if (kind === M_WIRE) return;
    const od = this.origin(kind, a);
    if (ph === P_XMPP) this.handshake.receiving(h, kind, a, b);
    if (this.listsOn && ph === P_SIP && isListed(kind) && this.receivedInside(h, od, kind, a, b)) return;
    const { mapper, o } = this;
    if (isSubscribeFamily(kind)) {
      mapper.cseqWr[a]++;
      mapper.phaseR[a] = kind === M_SUBSCRIBE ? PH_CREATE : kind === M_REFRESH ? PH_REFRESH : PH_TERMINATE;
    } else if (kind === M_NOTIFY) mapper.cseqNr[notifyEdge(a)]++;
    else if (kind === M_TERMINATED || kind === M_FETCH_RESPONSE) mapper.cseqNr[a]++;
    mapper.map(ph, kind, a, b, this.estimate(kind, a), true);
    if (o.k !== W_NONE) {
      if (this.proto[od] !== ph) this.counts.translated(h, o.k, o.bytes, o.phase); // made by h's gateway from CPIM
      this.counts.received(h, o.k);
      if (od !== h) this.charge(h, o.k, nodeUser(this.ctx.pop, this.ctx.D, this.ctx.U, h, kind, a), INBOUND);
    }
    if (ph === P_SIP) this.receivedSip(h, od, kind, a, b, delay);
  }
  /** a back-end message inside the resource list server reached it: the watcher hears of the member's new state; true when it was one */
  private receivedInside(h: number, od: number, kind: number, a: number, b: number): boolean {
    const e = kind === M_NOTIFY ? notifyEdge(a) : a;
    if (od !== h || !this.rls.internal(e)) return false;
    if (kind === M_NOTIFY) this.rls.member(h, e, RL_ACTIVE, 0, this.internalPart, this.internalDiff, b === SINCE_REFRESH);
    else if (kind === M_TERMINATED) this.rls.member(h, e, RL_TERMINATED, endReason(b), 0, false);
    else if (kind === M_SUB_RESPONSE && b === RESP_PENDING) this.rls.member(h, e, RL_PENDING, 0, 0, false);
    return true;
  }
  /** the watcher's client answers every NOTIFY when it has it (RFC 6665 4.1.3); a resource list server, its back-end ones at once */
  private receivedSip(h: number, od: number, kind: number, a: number, b: number, delay: number): void {
    const { kernel, pop, D } = this.ctx;
    const { o, answerEv, rls } = this;
    const phase = o.phase;
    if (kind === M_NOTIFY && this.listsOn && rls.backEnd(notifyEdge(a))) {
      const e = notifyEdge(a);
      kernel.schedule(0, answerEv, kernel.lp, e, phase + SERVER_ANSWERS);
      rls.member(h, e, RL_ACTIVE, 0, o.body, o.k === W_NOTIFY_PARTIAL, b === SINCE_REFRESH);
    } else if (kind === M_TERMINATED && this.listsOn && rls.backEnd(a)) {
      kernel.schedule(0, answerEv, kernel.lp, a, phase + SERVER_ANSWERS);
      rls.member(h, a, RL_TERMINATED, endReason(b), 0, false);
    } else if (kind === M_NOTIFY) this.answerAt(delay, notifyEdge(a), phase);
    else if (kind === M_TERMINATED || kind === M_FETCH_RESPONSE) this.answerAt(delay, a, phase);
    else if (kind === M_LIST_NOTIFY) this.answerAt(delay, pop.revStart[Math.floor(Math.floor(a / VERSION_MOD) / D / 16)], phase + SERVER_ANSWERS);
    else if (kind === M_SUB_RESPONSE && b === RESP_PENDING && this.proto[od] !== P_SIP) {
      // h's gateway says pending in SIP terms: a NOTIFY (pending) the watcher answers
      this.counts.translated(h, W_NOTIFY_PENDING, o.bytes, PH_CREATE);
      this.counts.received(h, W_NOTIFY_PENDING);
      this.answerAt(delay, a, PH_CREATE);
    }
  }
  /** the answer of edge e's watcher client, on the watcher's node (across the cluster from another) */
  private answerAt(delay: number, e: number, phase: number): void {
    const { kernel, cluster, pop } = this.ctx;
    const to = cluster.lpOfUser[pop.edgeWatcher[e]];
    kernel.schedule(delay + cluster.hop(kernel.lp, to, 0), this.answerEv, to, e, phase);
  }

  published(d: number, g: number, first: number, count: number, status: number, stride = 1): void {
    this.client.published(d, g, first, count, status, stride);
  }
  publishRefreshed(d: number, g: number, alive: boolean): void {
    this.client.publishRefreshed(d, g, alive);
  }
  login(d: number, g: number, then: number): boolean {
    const p = this.proto[d];
    if (p === P_SIP) {
      this.winfo.login(d, g);
      if (this.listsOn) this.rls.login(d, g);
    }
    if (p !== P_XMPP) return false;
    this.client.xmppLogin(d, g, then);
    return true;
  }
  logout(d: number, g: number, crashed: boolean): void {
    const p = this.proto[d];
    if (p === P_SIP) {
      if (this.listsOn) this.rls.logout(d, g, crashed);
      this.winfo.logout(d, g, crashed);
    }
    if (p === P_XMPP && !crashed) this.client.xmppLogout(d, g);
  }
}
