/**
 * The wire messages' work in the analytic cross-check's utilisation rows: how many messages of
 * each wire kind are expected to leave (OUTBOUND) or enter (INBOUND) the servers of each SIP or
 * XMPP domain over the window, charged as the model charges them (sim/model/bindings/wire.ts):
 * a model message from domain a to t leaves a's servers and, where t is another domain, enters
 * t's, each side in its own binding's terms; what a client sends its server enters it, what the
 * server sends a client leaves it. Each count times the kind's mean cost (`serviceTimes.wire`) is
 * added to the domain's busy time.
 *
 * Exact: publishes, IMs and their copies, XMPP log-ins and clean log-outs (each a fixed number of
 * messages per operation); receipts when every user is online throughout and every IM succeeds.
 * The rest lean on the approximations of the operations they belong to (lease refreshes,
 * subscriptions, notifications) and make the row approximate.
 */
import { N_WIRE, P_CPIM, P_SIP, P_XMPP, PROTOCOLS, WIRE_KINDS, XMPP_LOGIN, chargedKind, INBOUND, OUTBOUND } from '../model/bindings/kinds.js';
import type { Scenario } from '../scenario/types.js';

export interface WireInputs {
  /** per domain over the window: publishes, of which clean log-outs (the client's unavailable presence), lease refreshes */
  publishes: Float64Array;
  unavailable: Float64Array;
  leaseRefreshes: Float64Array;
  /** per pair a * D + t: IMs with copies from a to t; subscriptions made at log-in and refreshes, watcher's domain to presentity's */
  msgPair: Float64Array;
  subPair: Float64Array;
  refreshPair: Float64Array;
  /** per pair presentity's domain * D + watcher's: notifications, of which initial ones */
  notifPair: Float64Array;
  initPair: Float64Array;
  /** per user over the window: log-ins and log-outs; the mean fraction of the window a user is online */
  onlineFraction: number;
  logins: number;
  logouts: number;
  /** receipts follow their IMs at once and all succeed (every user online throughout, no failures) */
  receiptsExact: boolean;
}

export interface WireWork {
  /** per domain * 2 * N_WIRE + dir * N_WIRE + kind: expected messages over the window */
  counts: Float64Array;
  /** per domain: the kinds whose counts are approximations */
  approx: Set<string>[];
}

/** The expected wire messages of every SIP or XMPP domain. */
export function wireWork(sc: Scenario, domainUsers: ArrayLike<number>, x: WireInputs): WireWork {
  const D = sc.domains.length;
  const proto = sc.domains.map((d) => PROTOCOLS.indexOf(d.protocol));
  const counts = new Float64Array(D * 2 * N_WIRE);
  const approx = sc.domains.map(() => new Set<string>());
  const add = (d: number, dir: number, name: string | null, n: number, exact: boolean) => {
    if (name === null || !(n > 0) || proto[d] === P_CPIM) return;
    counts[d * 2 * N_WIRE + dir * N_WIRE + chargedKind(name)] += n;
    if (!exact) approx[d].add(name);
  };
  const inTerms = (d: number, sip: string | null, xmpp: string | null) => (proto[d] === P_SIP ? sip : proto[d] === P_XMPP ? xmpp : null);
  /** a model message from a to t: leaves a, enters t when t is another domain */
  const hop = (a: number, t: number, sip: string | null, xmpp: string | null, n: number, exact: boolean) => {
    add(a, OUTBOUND, inTerms(a, sip, xmpp), n, exact);
    if (t !== a) add(t, INBOUND, inTerms(t, sip, xmpp), n, exact);
  };
  /** SIP's 200 to a NOTIFY: from the watcher's client into wd, on to pd where pd speaks SIP too */
  const notifyOk = (wd: number, pd: number, n: number) => {
    if (proto[wd] !== P_SIP) return;
    add(wd, INBOUND, '200.NOTIFY', n, false);
    if (pd !== wd && proto[pd] === P_SIP) add(pd, INBOUND, '200.NOTIFY', n, false);
  };
  const c = sc.behaviour.crashFraction;
  for (let d = 0; d < D; d++) {
    const clean = x.publishes[d] - x.unavailable[d];
    add(d, INBOUND, inTerms(d, 'PUBLISH', 'presence.client'), clean, true);
    add(d, INBOUND, inTerms(d, 'PUBLISH.remove', 'presence.client.unavailable'), x.unavailable[d], true);
    add(d, OUTBOUND, inTerms(d, '200.PUBLISH', null), x.publishes[d], true);
    add(d, INBOUND, inTerms(d, 'PUBLISH.refresh', 'keepalive'), x.leaseRefreshes[d], false);
    add(d, OUTBOUND, inTerms(d, '200.PUBLISH', null), x.leaseRefreshes[d], false);
    if (proto[d] === P_XMPP) {
      const users = domainUsers[d];
      for (const [k, dir] of XMPP_LOGIN) add(d, dir === 0 ? INBOUND : OUTBOUND, WIRE_KINDS[k][0], users * x.logins, true);
      add(d, INBOUND, 'stream.close', users * x.logouts * (1 - c), true);
      add(d, OUTBOUND, 'stream.close', users * x.logouts * (1 - c), true);
    }
  }
  const dup = sc.behaviour.duplicateFraction;
  for (let a = 0; a < D; a++) {
    for (let t = 0; t < D; t++) {
      const i = a * D + t;
      hop(a, t, 'MESSAGE', 'message', x.msgPair[i], true);
      hop(t, a, '200.MESSAGE', 'message.receipt', x.msgPair[i] / (1 + dup), x.receiptsExact);
      // subscriptions: a is the watcher's domain, t the presentity's
      const unsub = x.subPair[i] * (1 - c) * 0.5;
      hop(a, t, 'SUBSCRIBE', 'presence.probe', x.subPair[i], false);
      hop(t, a, '200.SUBSCRIBE', null, x.subPair[i], false);
      hop(a, t, 'SUBSCRIBE.refresh', null, x.refreshPair[i], false);
      hop(t, a, '200.SUBSCRIBE', null, x.refreshPair[i], false);
      hop(t, a, 'NOTIFY', null, x.refreshPair[i], false);
      notifyOk(a, t, x.refreshPair[i]);
      hop(a, t, 'SUBSCRIBE.unsubscribe', null, unsub, false);
      hop(t, a, '200.SUBSCRIBE', null, unsub, false);
      hop(t, a, 'NOTIFY.terminated', null, unsub, false);
      notifyOk(a, t, unsub);
      // notifications: here a is the presentity's domain, t the watcher's
      // XMPP answers a probe for a presentity that is offline with unavailable presence
      hop(a, t, 'NOTIFY', 'presence.answer', x.initPair[i] * x.onlineFraction, false);
      hop(a, t, null, 'presence.unavailable', x.initPair[i] * (1 - x.onlineFraction), false);
      hop(a, t, 'NOTIFY', 'presence.broadcast', x.notifPair[i] - x.initPair[i], false);
      hop(a, t, 'NOTIFY', null, x.initPair[i] * (1 - x.onlineFraction), false);
      notifyOk(t, a, x.notifPair[i]);
    }
  }
  return { counts, approx };
}
