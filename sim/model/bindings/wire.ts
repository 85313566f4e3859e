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
 * - Every wire message is a job (WIRE_COST) on the servers of each domain it leaves or enters,
 *   besides the operation's own job.
 *
 * What a binding changes in the model itself is asked of `changes` (binding-rules.ts).
 */
import type { ModelContext } from '../context.js';
import { ENVELOPE, M_FETCH, M_FETCH_RESPONSE, M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, M_REFRESH, M_REPORT, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, M_WIRE, N_OPS, TWO26 } from '../messages.js';
import { notifyEdge, VERSION_MOD } from '../notification.js';
import type { Gateways } from '../gateways.js';
import { MESSAGE_KINDS } from '../messages.js';
import type { Service } from '../service.js';
import type { Sizes } from '../sizes.js';
import type { SubscriptionTable } from '../subscriptions.js';
import { RESP_PENDING } from '../subscriptions.js';
import type { TupleTable } from '../presence.js';
import { DOWN, UP, type AccessLink } from '../access-link.js';
import { VIEW_FULL } from '../presence-document.js';
import { C_PUBLISH, C_PUBLISH_REFRESH, N_WIRE, P_CPIM, P_SIP, P_XMPP, PH_CREATE, PH_NONE, PH_REFRESH, PH_TERMINATE, PROTOCOLS, W_NOTIFY_200, W_NOTIFY_481, W_NOTIFY_PENDING, W_PUBLISH, W_PUBLISH_200, W_PUBLISH_412, W_PUBLISH_REFRESH, W_PUBLISH_REMOVE, W_SUB_200, WIRE_KINDS, X_KEEPALIVE, X_PRESENCE_CLIENT, X_PRESENCE_CLIENT_UNAVAILABLE, X_STREAM_CLOSE, XMPP_LOGIN } from './kinds.js';
import { W_NONE, WireMapper } from './map.js';
import { digitsOf } from './sip-messages.js';
import { WireCounts } from './counts.js';
import type { WireHooks } from './hooks.js';
import { XmppSubscriptions } from './xmpp-subscription.js';

/** M_WIRE payload: a = (subject * N_WIRE + kind) * 8 + phase + 1, b = bytes */
const packWire = (subject: number, k: number, phase: number) => (subject * N_WIRE + k) * 8 + phase + 1;

export interface Wire extends WireHooks {
  readonly counts: WireCounts;
}

/**
 * The bindings of a run, or null when every domain speaks CPIM (the model as it is, nothing
 * added) unless `countCpim` asks that CPIM's messages be counted too (compare).
 */
export function createWire(ctx: ModelContext, deps: { service: Service; gateways: Gateways; sizes: Sizes; subs: SubscriptionTable; tuples: TupleTable; link: AccessLink }, countCpim = false): Wire | null {
  const { kernel, pop, s, D, T, online, trace } = ctx;
  const { service, gateways, sizes, tuples, link } = deps;
  const proto = Uint8Array.from(s.domains, (d) => PROTOCOLS.indexOf(d.protocol ?? 'cpim'));
  if (!countCpim && proto.every((p) => p === P_CPIM)) return null;
  const mapper = new WireMapper(ctx, deps);
  const counts = new WireCounts(ctx, proto);
  const o = mapper.out;
  const lease = Math.floor(s.behaviour.publicationLease / 1000);

  // a CPIM domain's cost is its operations' (nothing more per message)
  const charge = (d: number, k: number, subject: number) => {
    if (proto[d] !== P_CPIM) service.submit(d, N_OPS + k, subject, 0, 0);
  };
  /** the wire kind's record in the trace: sent from user `from` of domain fd to user `to` of td */
  const traced = (k: number, from: number, fd: number, to: number, td: number, bytes: number, detail: string, cseq = -1, expires = -1) => {
    const r = trace.message(WIRE_KINDS[k][0], from, fd, to, td, bytes, detail);
    if (r === null) return;
    r.wire = { protocol: PROTOCOLS[WIRE_KINDS[k][1]], kind: WIRE_KINDS[k][0] };
    if (cseq >= 0) r.wire.cseq = cseq;
    if (expires >= 0) r.wire.expires = expires;
  };

  // ---- messages a binding has and CPIM lacks ----
  const wireArrive = kernel.defineEvent('wireArrive', (h, a, bytes) => {
    const phase = (a % 8) - 1;
    const k = Math.floor(a / 8) % N_WIRE;
    const subject = Math.floor(a / 8 / N_WIRE);
    counts.received(h, k);
    if (wireDest(a) !== wireSource(a)) charge(h, k, pop.edgeWatcher[subject]);
    // the watcher's client answers the NOTIFY of a pending subscription
    if (k === W_NOTIFY_PENDING) answer(h, subject, phase);
    else if (proto[h] === P_XMPP) handshake.arrived(h, k, subject);
  });
  const wireDest = (a: number) => {
    const k = Math.floor(a / 8) % N_WIRE;
    const e = Math.floor(a / 8 / N_WIRE);
    return k === W_NOTIFY_200 || k === W_NOTIFY_481 ? pop.domainOf[pop.edgePresentity[e]] : pop.domainOf[pop.edgeWatcher[e]];
  };
  const wireSource = (a: number) => {
    const k = Math.floor(a / 8) % N_WIRE;
    const e = Math.floor(a / 8 / N_WIRE);
    return k === W_NOTIFY_200 || k === W_NOTIFY_481 ? pop.domainOf[pop.edgeWatcher[e]] : pop.domainOf[pop.edgePresentity[e]];
  };
  gateways.register(M_WIRE, {
    arrive: wireArrive,
    dest: wireDest,
    bytes: (_a) => ENVELOPE.response,
    failed: () => counts.lostOne(),
    refused: () => counts.lostOne(),
  });

  /**
   * Sends a message of wire kind k about edge e from domain src to dst (phase: its lifecycle
   * phase). Between domains of one binding it travels through the gateways; inside a domain up or
   * down the client's access link; to a domain of another binding it ends at src's gateway, which
   * answers for the other side (counted here, not crossing).
   */
  const emit = (k: number, src: number, dst: number, e: number, phase: number, bytes: number, user: number, up: boolean, cseq = -1, expires = -1) => {
    counts.sent(src, k, bytes, phase);
    charge(src, k, user);
    const w = pop.edgeWatcher[e];
    const g = pop.edgePresentity[e];
    if (trace.on) traced(k, up ? w : g, src, up ? g : w, dst, bytes, `edge ${e}`, cseq, expires);
    const a = packWire(e, k, phase);
    if (src === dst) kernel.schedule(link.delay(src, up ? w : g, bytes, up ? UP : DOWN), wireArrive, dst, a, bytes);
    else if (proto[src] === proto[dst]) {
      counts.crossed(src, dst, k, bytes);
      gateways.send(src, dst, wireArrive, a, bytes, M_WIRE, bytes);
    }
  };
  /** the watcher's client answers a NOTIFY on edge e arrived at its domain wd: 200, or 481 when it is gone */
  const answer = (wd: number, e: number, phase: number) => {
    const k = online[pop.edgeWatcher[e]] ? W_NOTIFY_200 : W_NOTIFY_481;
    const cseq = Math.max(1, mapper.cseqNr[e]);
    const bytes = mapper.sip.size(k, mapper.jidLen(pop.edgePresentity[e]) + 4, mapper.jidLen(pop.edgeWatcher[e]) + 4, mapper.domLen[pop.domainOf[pop.edgePresentity[e]]], digitsOf(cseq), -1, 1, 0);
    emit(k, wd, pop.domainOf[pop.edgePresentity[e]], e, phase, bytes, pop.edgeWatcher[e], true, cseq);
  };
  const answerEv = kernel.defineEvent('wireAnswer', (wd, e, phase) => answer(wd, e, phase));

  /** the domain a CPIM message of `kind` comes from */
  const origin = (kind: number, a: number): number => {
    if (kind === M_MESSAGE) return pop.domainOf[Math.floor(a / TWO26)];
    if (kind === M_REPORT) {
      const to = a % TWO26;
      return to >= ctx.U ? to - ctx.U : pop.domainOf[to];
    }
    if (kind === M_LIST_NOTIFY) return pop.domainOf[Math.floor(Math.floor(a / VERSION_MOD) / D / 16)];
    if (kind === M_NOTIFY) return pop.domainOf[pop.edgePresentity[notifyEdge(a)]];
    if (kind === M_SUBSCRIBE || kind === M_REFRESH || kind === M_UNSUBSCRIBE || kind === M_FETCH) return pop.domainOf[pop.edgeWatcher[a]];
    return pop.domainOf[pop.edgePresentity[a]];
  };
  /** a CPIM-size stand-in for a message mapped where it arrives (its sender's state is elsewhere) */
  const estimate = (kind: number, a: number): number => {
    const d = origin(kind, a);
    if (kind === M_NOTIFY || kind === M_LIST_NOTIFY) return sizes.notifyFull[d];
    if (kind === M_FETCH_RESPONSE) return sizes.notifyFull[d] - ENVELOPE.request + ENVELOPE.response;
    if (kind === M_MESSAGE) return sizes.im[d];
    return 0;
  };
  const isSubscribeFamily = (kind: number) => kind === M_SUBSCRIBE || kind === M_REFRESH || kind === M_UNSUBSCRIBE;

  const self: Wire = {
    on: true,
    proto,
    counts,
    sent(from, to, kind, a, b, bytes) {
      const pf = proto[from];
      if (kind === M_WIRE) return bytes;
      if (pf === P_XMPP) handshake.sending(kind, a, b);
      if (pf === P_SIP && kind === M_SUB_RESPONSE && b === RESP_PENDING) {
        // RFC 6665 4.2.1.1: a pending subscription gets its 200 and a NOTIFY saying pending
        mapper.map(pf, kind, a, b, bytes);
        const left = Math.floor(Math.min(s.behaviour.subscriptionDuration, s.behaviour.maxSubscriptionDuration) / 1000);
        const pendingBytes = mapper.sip.size(W_NOTIFY_PENDING, mapper.jidLen(pop.edgePresentity[a]) + 4, mapper.jidLen(pop.edgeWatcher[a]) + 4, mapper.domLen[from], digitsOf(mapper.cseqN[a] + 1), digitsOf(left), 0, 0);
        mapper.cseqN[a]++;
        emit(W_NOTIFY_PENDING, from, to, a, PH_CREATE, pendingBytes, pop.edgePresentity[a], false, mapper.cseqN[a], left);
      }
      if (pf === P_SIP && kind === M_FETCH_RESPONSE) {
        // a fetch is a SUBSCRIBE of Expires 0: its 200 first, then the NOTIFY with the state
        const okBytes = mapper.sip.size(W_SUB_200, mapper.jidLen(pop.edgeWatcher[a]) + 4, mapper.jidLen(pop.edgePresentity[a]) + 4, mapper.domLen[pop.domainOf[pop.edgeWatcher[a]]], 1, 1, 0, 0);
        emit(W_SUB_200, from, to, a, PH_NONE, okBytes, pop.edgePresentity[a], false, 1, 0);
      }
      mapper.map(pf, kind, a, b, bytes);
      if (o.k === W_NONE) return bytes;
      if (isSubscribeFamily(kind)) {
        mapper.cseqW[a]++;
        mapper.phaseW[a] = o.phase;
      }
      else if (kind === M_NOTIFY) mapper.cseqN[notifyEdge(a)]++;
      else if (kind === M_TERMINATED) mapper.cseqN[a]++;
      counts.sent(from, o.k, o.bytes, o.phase);
      charge(from, o.k, 0);
      if (pf === P_SIP) trace.wireHint(MESSAGE_KINDS[kind], from, 'sip', WIRE_KINDS[o.k][0], o.bytes, o.cseq, o.expires);
      else if (pf !== P_CPIM) trace.wireHint(MESSAGE_KINDS[kind], from, PROTOCOLS[pf], WIRE_KINDS[o.k][0], o.bytes);
      if (from === to) return o.bytes;
      if (proto[to] !== pf) return bytes; // a gateway translates: CPIM crosses the boundary
      counts.crossed(from, to, o.k, o.bytes);
      return o.bytes;
    },
    received(h, kind, a, b, delay) {
      const ph = proto[h];
      if (kind === M_WIRE) return;
      const od = origin(kind, a);
      if (ph === P_XMPP) handshake.receiving(h, kind, a, b);
      if (isSubscribeFamily(kind)) {
        mapper.cseqWr[a]++;
        mapper.phaseR[a] = kind === M_SUBSCRIBE ? PH_CREATE : kind === M_REFRESH ? PH_REFRESH : PH_TERMINATE;
      }
      else if (kind === M_NOTIFY) mapper.cseqNr[notifyEdge(a)]++;
      else if (kind === M_TERMINATED || kind === M_FETCH_RESPONSE) mapper.cseqNr[a]++;
      mapper.map(ph, kind, a, b, estimate(kind, a), true);
      if (o.k !== W_NONE) {
        if (proto[od] !== ph) counts.translated(h, o.k, o.bytes, o.phase); // made by h's gateway from CPIM
        counts.received(h, o.k);
        if (od !== h) charge(h, o.k, 0);
      }
      if (ph !== P_SIP) return;
      // the watcher's client answers every NOTIFY when it has it (RFC 6665 4.1.3)
      const phase = o.phase;
      if (kind === M_NOTIFY) kernel.schedule(delay, answerEv, h, notifyEdge(a), phase);
      else if (kind === M_TERMINATED || kind === M_FETCH_RESPONSE) kernel.schedule(delay, answerEv, h, a, phase);
      else if (kind === M_LIST_NOTIFY) kernel.schedule(delay, answerEv, h, pop.revStart[Math.floor(Math.floor(a / VERSION_MOD) / D / 16)], phase);
      else if (kind === M_SUB_RESPONSE && b === RESP_PENDING && proto[od] !== P_SIP) {
        // h's gateway says pending in SIP terms: a NOTIFY (pending) the watcher answers
        counts.translated(h, W_NOTIFY_PENDING, o.bytes, PH_CREATE);
        counts.received(h, W_NOTIFY_PENDING);
        kernel.schedule(delay, answerEv, h, a, PH_CREATE);
      }
    },
    published(d, g, first, count, status) {
      const p = proto[d];
      if (p === P_CPIM) return clientMessage(d, g, C_PUBLISH, ENVELOPE.request + sizes.view(g, VIEW_FULL, first, count, tuples));
      const remove = status === 0 && count === T;
      const i = g * T + first;
      if (p === P_SIP) {
        mapper.cseqP[g]++;
        const body = remove ? 0 : sizes.view(g, VIEW_FULL, first, count, tuples);
        const k = remove ? W_PUBLISH_REMOVE : W_PUBLISH;
        const len = mapper.jidLen(g) + 4;
        const bytes = mapper.sip.size(k, len, len, mapper.domLen[d], digitsOf(mapper.cseqP[g]), digitsOf(remove ? 0 : lease), 0, body);
        const exp = remove ? 0 : lease;
        clientMessage(d, g, k, bytes, 'publish', mapper.cseqP[g], exp);
        serverAnswer(d, g, W_PUBLISH_200, mapper.sip.size(W_PUBLISH_200, len, len, mapper.domLen[d], digitsOf(mapper.cseqP[g]), digitsOf(exp), 0, 0), mapper.cseqP[g], exp);
      } else {
        const k = remove ? X_PRESENCE_CLIENT_UNAVAILABLE : X_PRESENCE_CLIENT;
        clientMessage(d, g, k, mapper.xmpp.size(k, 0, 0, 0, remove ? 0 : tuples.activity[i], remove ? 0 : tuples.note[i], 0), 'publish');
      }
    },
    publishRefreshed(d, g, alive) {
      const p = proto[d];
      if (p === P_CPIM) return clientMessage(d, g, C_PUBLISH_REFRESH, sizes.request(d));
      if (p === P_SIP) {
        mapper.cseqP[g]++;
        const len = mapper.jidLen(g) + 4;
        const cseq = digitsOf(mapper.cseqP[g]);
        clientMessage(d, g, W_PUBLISH_REFRESH, mapper.sip.size(W_PUBLISH_REFRESH, len, len, mapper.domLen[d], cseq, digitsOf(lease), 0, 0), 'publishRefresh', mapper.cseqP[g], lease);
        const k = alive ? W_PUBLISH_200 : W_PUBLISH_412;
        serverAnswer(d, g, k, mapper.sip.size(k, len, len, mapper.domLen[d], cseq, alive ? digitsOf(lease) : -1, 0, 0), mapper.cseqP[g], alive ? lease : -1);
      } else clientMessage(d, g, X_KEEPALIVE, 1, 'publishRefresh'); // the stream's whitespace keepalive (RFC 6120 4.6.1)
    },
    login(d, g, then) {
      if (proto[d] === P_CPIM || proto[d] === P_SIP) return false;
      loggedIn = then;
      loginStep(d, g, 0);
      return true;
    },
    logout(d, g, crashed) {
      if (proto[d] !== P_CPIM && proto[d] !== P_SIP && !crashed) {
        // RFC 6120 4.4: each side closes its stream
        clientMessage(d, g, X_STREAM_CLOSE, 16);
        serverAnswer(d, g, X_STREAM_CLOSE, 16);
      }
    },
  };

  /** a message from g's client to its server in d (it went up the access link already, or is a keepalive) */
  const clientMessage = (d: number, g: number, k: number, bytes: number, op = '', cseq = -1, expires = -1) => {
    counts.sent(d, k, bytes, PH_NONE);
    counts.received(d, k);
    charge(d, k, g);
    // the model's own record of the operation (publish, publishRefresh) carries the wire kind
    if (proto[d] === P_CPIM) return;
    if (op !== '') trace.wireHint(op, d, PROTOCOLS[WIRE_KINDS[k][1]], WIRE_KINDS[k][0], bytes, cseq, expires);
    else if (trace.on) traced(k, g, d, -1, d, bytes, 'client to server');
  };
  /** the server's answer down g's access link */
  const downArrive = kernel.defineEvent('wireDown', (d, k) => counts.received(d, k));
  const serverAnswer = (d: number, g: number, k: number, bytes: number, cseq = -1, expires = -1) => {
    counts.sent(d, k, bytes, PH_NONE);
    charge(d, k, g);
    if (trace.on) traced(k, -1, d, g, d, bytes, 'server to client', cseq, expires);
    kernel.schedule(link.delay(d, g, bytes, DOWN), downArrive, d, k);
  };

  /** the session's event once the stream is up (sessions.ts) */
  let loggedIn = -1;
  // ---- XMPP log-in: each stanza after the last one's answer (RFC 6120 4 to 7, RFC 6121 2.2) ----
  const loginEv = kernel.defineEvent('xmppLogin', (d, g, step) => loginStep(d, g, step));
  const loginStep = (d: number, g: number, step: number) => {
    if (!online[g]) return;
    const [k, dir] = XMPP_LOGIN[step];
    let bytes = mapper.xmpp.size(k, mapper.jidLen(g), 0, mapper.domLen[d], 0, 0, 0);
    if (step === XMPP_LOGIN.length - 1) {
      // the roster result lists every contact
      const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
      if (n > 0) bytes += mapper.xmpp.rosterItem(k, 0);
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) bytes += mapper.xmpp.rosterItem(k, mapper.jidLen(pop.edgePresentity[pop.fwdEdge[i]]));
    }
    counts.sent(d, k, bytes, PH_NONE);
    charge(d, k, g);
    if (trace.on) traced(k, dir === 0 ? g : -1, d, dir === 0 ? -1 : g, d, bytes, dir === 0 ? 'client to server' : 'server to client');
    const delay = link.delay(d, g, bytes, dir === 0 ? UP : DOWN);
    kernel.schedule(delay, downArrive, d, k);
    if (step + 1 < XMPP_LOGIN.length) kernel.schedule(delay, loginEv, d, g, step + 1);
    else {
      kernel.schedule(delay, loggedIn, d, g, ctx.epoch[g]); // then the initial presence
      handshake.loggedIn(d, g, delay);
    }
  };

  // the XMPP subscription handshake's stanzas (RFC 6121 3.1-3.3)
  const handshake = new XmppSubscriptions(ctx, { counts, mapper, proto, state: deps.subs.state, charge, linkDelay: (d, g, b, dir) => link.delay(d, g, b, dir), route: (k, src, dst, e, phase, bytes, user) => emit(k, src, dst, e, phase, bytes, user, false) });
  return self;
}
