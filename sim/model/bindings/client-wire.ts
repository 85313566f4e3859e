/**
 * The messages between a client and its own home server that a binding has and the model's CPIM
 * operations carry as one job (bindings/wire.ts calls these): the publication (SIP PUBLISH and its
 * 200 with SIP-ETag, RFC 3903; XMPP client presence), its lease refresh (PUBLISH with
 * SIP-If-Match, 412 when gone; XMPP's whitespace keepalive), XMPP's log-in (stream, SASL, bind,
 * roster, RFC 6120 4-7, RFC 6121 2.2) and the stream close at log-out. A CPIM domain counts its
 * publish and refresh as the model's own messages.
 */
import type { ModelContext } from '../context.js';
import { ENVELOPE } from '../messages.js';
import type { Sizes } from '../sizes.js';
import type { TupleTable } from '../presence.js';
import { DOWN, UP } from '../access-link.js';
import { VIEW_FULL } from '../presence-document.js';
import { C_PUBLISH, C_PUBLISH_REFRESH, INBOUND, OUTBOUND, P_CPIM, P_SIP, PH_NONE, PROTOCOLS, W_PUBLISH, W_PUBLISH_200, W_PUBLISH_412, W_PUBLISH_REFRESH, W_PUBLISH_REMOVE, WIRE_KINDS, X_KEEPALIVE, X_PRESENCE_CLIENT, X_PRESENCE_CLIENT_UNAVAILABLE, X_STREAM_CLOSE, XMPP_LOGIN } from './kinds.js';
import type { DialogIO } from './sip-dialogs.js';
import { digitsOf } from './sip-messages.js';

export class ClientWire {
  private readonly lease: number;
  private readonly downEv: number;
  private readonly loginEv: number;
  /** the session's event once the stream is up (sessions.ts) */
  private loggedIn = -1;

  constructor(
    private readonly ctx: ModelContext,
    private readonly io: DialogIO,
    private readonly proto: Uint8Array,
    private readonly sizes: Sizes,
    private readonly tuples: TupleTable,
    /** the stream of user g in d is up (its roster arrives `delay` from now): XMPP's stored subscription requests follow */
    private readonly rosterReady: (d: number, g: number, delay: number) => void,
  ) {
    this.lease = Math.floor(ctx.s.behaviour.publicationLease / 1000);
    this.downEv = ctx.on('wireDown', (d, k) => io.counts.received(d, k));
    this.loginEv = ctx.on('xmppLogin', (d, g, step) => this.loginStep(d, g, step));
  }

  /** presentity g's publish of tuples first, first + stride, ... (count of them; status 0: closed) at d */
  published(d: number, g: number, first: number, count: number, status: number, stride = 1): void {
    const p = this.proto[d];
    const { sizes, tuples } = this;
    if (p === P_CPIM) return this.clientMessage(d, g, C_PUBLISH, ENVELOPE.request + sizes.view(g, VIEW_FULL, first, count, tuples, 0, stride));
    // (a device's publication: every stride-th tuple; closing it removes it)
    const remove = status === 0 && (count === this.ctx.T || stride > 1);
    const i = g * this.ctx.T + first;
    if (p !== P_SIP) {
      const k = remove ? X_PRESENCE_CLIENT_UNAVAILABLE : X_PRESENCE_CLIENT;
      return this.clientMessage(d, g, k, this.io.mapper.xmpp.size(k, 0, 0, 0, remove ? 0 : tuples.activity[i], remove ? 0 : tuples.note[i], 0), 'publish');
    }
    const m = this.io.mapper;
    m.cseqP[g]++;
    const body = remove ? 0 : sizes.view(g, VIEW_FULL, first, count, tuples, 0, stride);
    const k = remove ? W_PUBLISH_REMOVE : W_PUBLISH;
    const len = m.jidLen(g) + 4;
    const exp = remove ? 0 : this.lease;
    this.clientMessage(d, g, k, m.sip.size(k, len, len, m.domLen[d], digitsOf(m.cseqP[g]), digitsOf(exp), 0, body), 'publish', m.cseqP[g], exp);
    this.serverAnswer(d, g, W_PUBLISH_200, m.sip.size(W_PUBLISH_200, len, len, m.domLen[d], digitsOf(m.cseqP[g]), digitsOf(exp), 0, 0), m.cseqP[g], exp);
  }

  /** the agent of g refreshed its publication (alive: it was still there) */
  publishRefreshed(d: number, g: number, alive: boolean): void {
    const p = this.proto[d];
    if (p === P_CPIM) return this.clientMessage(d, g, C_PUBLISH_REFRESH, this.sizes.request(d));
    // XMPP: the stream's whitespace keepalive (RFC 6120 4.6.1)
    if (p !== P_SIP) return this.clientMessage(d, g, X_KEEPALIVE, 1, 'publishRefresh');
    const m = this.io.mapper;
    const lease = this.lease;
    m.cseqP[g]++;
    const len = m.jidLen(g) + 4;
    const cseq = digitsOf(m.cseqP[g]);
    this.clientMessage(d, g, W_PUBLISH_REFRESH, m.sip.size(W_PUBLISH_REFRESH, len, len, m.domLen[d], cseq, digitsOf(lease), 0, 0), 'publishRefresh', m.cseqP[g], lease);
    const k = alive ? W_PUBLISH_200 : W_PUBLISH_412;
    this.serverAnswer(d, g, k, m.sip.size(k, len, len, m.domLen[d], cseq, alive ? digitsOf(lease) : -1, 0, 0), m.cseqP[g], alive ? lease : -1);
  }

  /** XMPP: the log-in's stanzas, then event `then` (d, g, epoch) */
  xmppLogin(d: number, g: number, then: number): void {
    this.loggedIn = then;
    this.loginStep(d, g, 0);
  }
  /** XMPP, RFC 6120 4.4: each side closes its stream */
  xmppLogout(d: number, g: number): void {
    // the client's close goes up its access link (nothing waits for it)
    this.io.link.delay(d, g, 16, UP);
    this.clientMessage(d, g, X_STREAM_CLOSE, 16);
    this.serverAnswer(d, g, X_STREAM_CLOSE, 16);
  }

  /** a message from g's client to its server in d (it went up the access link already, or is a keepalive) */
  private clientMessage(d: number, g: number, k: number, bytes: number, op = '', cseq = -1, expires = -1): void {
    const { counts } = this.io;
    counts.sent(d, k, bytes, PH_NONE);
    counts.received(d, k);
    this.io.charge(d, k, g, INBOUND);
    // the model's own record of the operation (publish, publishRefresh) carries the wire kind
    if (this.proto[d] === P_CPIM) return;
    if (op !== '') this.ctx.trace.wireHint(op, d, PROTOCOLS[WIRE_KINDS[k][1]], WIRE_KINDS[k][0], bytes, cseq, expires);
    else if (this.ctx.trace.on) this.io.traced(k, g, d, -1, d, bytes, 'client to server', -1, -1);
  }
  /** the server's answer down g's access link */
  private serverAnswer(d: number, g: number, k: number, bytes: number, cseq = -1, expires = -1): void {
    this.io.counts.sent(d, k, bytes, PH_NONE);
    this.io.charge(d, k, g, OUTBOUND);
    if (this.ctx.trace.on) this.io.traced(k, -1, d, g, d, bytes, 'server to client', cseq, expires);
    this.ctx.kernel.schedule(this.io.link.delay(d, g, bytes, DOWN), this.downEv, this.ctx.kernel.lp, k);
  }

  // ---- XMPP log-in: each stanza after the last one's answer (RFC 6120 4 to 7, RFC 6121 2.2) ----
  private loginStep(d: number, g: number, step: number): void {
    const { ctx, io } = this;
    const { pop } = ctx;
    if (!ctx.online[g]) return;
    const [k, dir] = XMPP_LOGIN[step];
    const m = io.mapper;
    let bytes = m.xmpp.size(k, m.jidLen(g), 0, m.domLen[d], 0, 0, 0);
    if (step === XMPP_LOGIN.length - 1) {
      // the roster result lists every contact
      const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
      if (n > 0) bytes += m.xmpp.rosterItem(k, 0);
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) bytes += m.xmpp.rosterItem(k, m.jidLen(pop.edgePresentity[pop.fwdEdge[i]]));
    }
    io.counts.sent(d, k, bytes, PH_NONE);
    io.charge(d, k, g, dir === 0 ? INBOUND : OUTBOUND);
    if (ctx.trace.on) io.traced(k, dir === 0 ? g : -1, d, dir === 0 ? -1 : g, d, bytes, dir === 0 ? 'client to server' : 'server to client', -1, -1);
    const delay = io.link.delay(d, g, bytes, dir === 0 ? UP : DOWN);
    ctx.kernel.schedule(delay, this.downEv, this.ctx.kernel.lp, k);
    if (step + 1 < XMPP_LOGIN.length) ctx.kernel.schedule(delay, this.loginEv, ctx.kernel.lp, g, step + 1);
    else {
      ctx.kernel.schedule(delay, this.loggedIn, ctx.kernel.lp, g, ctx.epoch[g]); // then the initial presence
      this.rosterReady(d, g, delay);
    }
  }
}
