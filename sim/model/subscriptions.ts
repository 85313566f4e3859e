/**
 * Subscriptions at the presentity's presence service (RFC 2778 2.2, RFC 2779 5.1): the lifecycle
 * state machine of each (presentity, watcher) edge. A subscribe is authenticated, checked against
 * the access rules (denied, politely blocked, pending the presentity's decision, or accepted), and
 * granted a duration (at most behaviour.maxSubscriptionDuration); a refresh extends it; an
 * unsubscribe or the expiry ends it. Every change of a watcher's standing goes to watcher
 * information. A server crash loses the domain's subscriptions (soft state).
 */
import { DEC_ALLOW, DEC_DENY, DEC_UNDECIDED, type Access } from './access.js';
import { C, type ModelContext } from './context.js';
import type { FaultSchedule } from './federation.js';
import type { Gateways } from './gateways.js';
import { ENVELOPE, M_REFRESH, M_SUB_RESPONSE, M_SUBSCRIBE, M_TERMINATED, M_UNSUBSCRIBE, OP_REVOKE, OP_REFRESH, OP_SUBSCRIBE, OP_UNSUBSCRIBE } from './messages.js';
import type { Sizes } from './sizes.js';
import type { Watchers } from './watchers.js';
import type { Notification } from './notification.js';
import { hashUnit, RULE_DENY, RULE_PENDING, RULE_POLITE } from './population.js';
import type { Service } from './service.js';
import { drawDist } from './topology.js';
import { WI_APPROVED, WI_REJECTED, WI_SUBSCRIBE, WI_TIMEOUT, type WatcherInfo } from './watcherinfo.js';
import { OPERATIONS } from '../scenario/types.js';
import { P_SIP, P_XMPP, SINCE_REFRESH } from './bindings/kinds.js';

export const SUB_NONE = 0;
export const SUB_ACTIVE = 1;
export const SUB_PENDING = 2;
export const SUB_POLITE = 3;

/** Response codes of a subscribe or refresh (>= 0: accepted for that many ms). */
export const RESP_REJECTED = -1;
export const RESP_PENDING = -2;
export const RESP_NO_SUBSCRIPTION = -3;
export const RESP_UNAVAILABLE = -4;

/** The presentity side's columns, per edge: state (SUB_*) and expiry time. */
export class SubscriptionTable {
  readonly state: Uint8Array;
  readonly expiry: Float64Array;
  constructor(edges: number) {
    this.state = new Uint8Array(edges);
    this.expiry = new Float64Array(edges);
  }
  /** subscriptions held (active, pending or politely blocked) by presentities of domain d */
  heldIn(ctx: ModelContext, d: number): number {
    const { pop } = ctx;
    let n = 0;
    for (let e = pop.revStart[pop.domainStart[d]]; e < pop.revStart[pop.domainStart[d + 1]]; e++) if (this.state[e] !== SUB_NONE) n++;
    return n;
  }
}

export interface Subscriptions {
  /** Response to a subscribe or refresh of edge e, sent from domain d (RESP_* or the granted ms). */
  respond(d: number, e: number, granted: number, why: string): void;
  /** a presentity logged in (session epoch ep): its agent may revoke subscriptions (behaviour.revocationRate) */
  startAgent(g: number, d: number, ep: number): void;
}

/** Why a subscription ended, as the termination notice says (RFC 3857 event names). */
export const TERMINATION_REASONS = ['', 'timeout', 'rejected', 'revoked', 'unsubscribed'] as const;
export const END_EXPIRED = 1;
export const END_REJECTED = 2;
export const END_REVOKED = 3;
/** the watcher unsubscribed (a SIP domain's NOTIFY of Subscription-State terminated answers it) */
export const END_UNSUBSCRIBED = 4;
/** XMPP: a roster subscription has no expiry (RFC 6121): granted for longer than any run */
export const NEVER = 300 * 86_400_000;

export function createSubscriptions(ctx: ModelContext, deps: { service: Service; gateways: Gateways; access: Access; notification: Notification; watcherInfo: WatcherInfo; faults: FaultSchedule; table: SubscriptionTable; sizes: Sizes; watchers: Watchers }): Subscriptions {
  const { kernel, rng, pop, s, seed, T, counters, trace, ev, timers } = ctx;
  const { service, gateways, access, notification, watcherInfo, table, sizes } = deps;
  const beh = s.behaviour;
  const state = table.state;
  const expiry = table.expiry;
  const decision = access.decision;

  const respond = (d: number, e: number, granted: number, why: string) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    // XMPP answers a probe with presence, not with a response: only refusals are stanzas
    if (ctx.wire.proto[d] === P_XMPP && ctx.wire.proto[wd] === P_XMPP && (granted >= 0 || granted === RESP_PENDING)) return;
    gateways.send(d, wd, ev.subResponse, e, granted, M_SUB_RESPONSE, ENVELOPE.response);
    trace.message('subscribeResponse', pop.edgePresentity[e], d, w, wd, ENVELOPE.response, why);
  };
  const grant = (d: number, requested: number) => (ctx.wire.proto[d] === P_XMPP ? NEVER : Math.min(requested, beh.maxSubscriptionDuration));
  /** The subscription of edge e ended at the service: the watcher is told why (RFC 2779 5.1.9). */
  const terminate = (d: number, e: number, reason: number) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    counters[C.terminationsSent]++;
    gateways.send(d, wd, ev.terminated, e, reason, M_TERMINATED, sizes.request(d));
    trace.message('terminated', pop.edgePresentity[e], d, w, wd, sizes.request(d), TERMINATION_REASONS[reason]);
  };
  const expire = kernel.defineEvent('expire', (d, e) => {
    if (state[e] === SUB_NONE || expiry[e] > kernel.now) return;
    state[e] = SUB_NONE;
    counters[C.subExpired]++;
    watcherInfo.changed(d, pop.edgePresentity[e], e, WI_TIMEOUT);
    terminate(d, e, END_EXPIRED);
  });
  const extend = (d: number, e: number, g: number) => {
    expiry[e] = kernel.now + g;
    timers.set(g, expire, d, e);
  };

  for (const op of [OP_SUBSCRIBE, OP_REFRESH, OP_UNSUBSCRIBE]) {
    ev.request[op] = kernel.defineEvent(`request:${OPERATIONS[op]}`, (d, e, b) => {
      if (!s.domains[d].presence) {
        counters[C.presenceDisabled]++;
        if (op !== OP_UNSUBSCRIBE) respond(d, e, RESP_REJECTED, 'presence service disabled');
        return;
      }
      if (!service.submit(d, op, pop.edgePresentity[e], e, b) && op !== OP_UNSUBSCRIBE) respond(d, e, RESP_UNAVAILABLE, 'service unavailable (overload or down)');
    });
  }

  const refuse = (d: number, e: number, p: number, rule: number) => {
    // RFC 2779 5.1.5: the watcher is told of the refusal
    counters[C.denied]++;
    counters[C.subRejected]++;
    respond(d, e, RESP_REJECTED, rule === RULE_DENY ? 'denied by the access rules' : 'denied by the presentity');
    watcherInfo.changed(d, p, e, WI_REJECTED);
  };

  service.onComplete(OP_SUBSCRIBE, (d, e, requested) => {
    if (access.authFails(pop.edgeWatcher[e])) {
      counters[C.rejectedAuth]++;
      counters[C.subRejected]++;
      respond(d, e, RESP_REJECTED, 'authentication failed');
      return;
    }
    const p = pop.edgePresentity[e];
    const rule = access.rule(e);
    const g = grant(d, requested);
    if (state[e] !== SUB_NONE) {
      // a repeated subscribe acts as a refresh of the existing subscription
      extend(d, e, g);
      counters[C.subRefreshed]++;
      respond(d, e, state[e] === SUB_PENDING ? RESP_PENDING : g, 'already subscribed: refreshed');
      // a subscribe (unlike a refresh) always gets the current state at once
      if (state[e] === SUB_ACTIVE) notification.queue(d, e, T, 0, -1);
      return;
    }
    if (access.denied(e)) return refuse(d, e, p, rule);
    counters[C.subCreated]++;
    extend(d, e, g);
    watcherInfo.changed(d, p, e, WI_SUBSCRIBE);
    if (rule === RULE_POLITE) {
      // RFC 2779 5.1.15: looks granted; the watcher sees a fixed closed state, no further work
      state[e] = SUB_POLITE;
      counters[C.politeBlocked]++;
      counters[C.subPoliteBlocked]++;
      respond(d, e, g, 'polite block (appears granted)');
      notification.queue(d, e, 0, 1, -1);
      return;
    }
    if (rule === RULE_PENDING && decision[e] === DEC_UNDECIDED) {
      state[e] = SUB_PENDING;
      counters[C.subPending]++;
      respond(d, e, RESP_PENDING, 'pending authorisation');
      kernel.schedule(drawDist(rng, d, beh.pendingDecisionDelay), decide, d, e);
      return;
    }
    state[e] = SUB_ACTIVE;
    respond(d, e, g, 'accepted');
    // a new subscription gets the current state at once
    notification.queue(d, e, 0, 0, -1);
  });

  service.onComplete(OP_REFRESH, (d, e, requested) => {
    if (access.authFails(pop.edgeWatcher[e])) {
      counters[C.rejectedAuth]++;
      respond(d, e, RESP_REJECTED, 'authentication failed');
      return;
    }
    if (state[e] === SUB_NONE) {
      // the subscription expired meanwhile: the watcher must subscribe anew
      respond(d, e, RESP_NO_SUBSCRIPTION, 'no such subscription');
      return;
    }
    const g = grant(d, requested);
    extend(d, e, g);
    counters[C.subRefreshed]++;
    respond(d, e, state[e] === SUB_PENDING ? RESP_PENDING : g, 'refreshed');
    // SIP: a successful refresh is answered with a NOTIFY of the current state too (RFC 6665 4.2.1.2)
    if (ctx.wire.proto[d] === P_SIP && state[e] === SUB_ACTIVE) notification.queue(d, e, T, 0, SINCE_REFRESH);
  });

  service.onComplete(OP_UNSUBSCRIBE, (d, e) => {
    const sip = ctx.wire.proto[d] === P_SIP;
    if (state[e] === SUB_NONE) {
      if (sip) respond(d, e, RESP_NO_SUBSCRIPTION, 'no such subscription');
      return;
    }
    state[e] = SUB_NONE;
    counters[C.subTerminated]++;
    watcherInfo.changed(d, pop.edgePresentity[e], e, WI_TIMEOUT);
    // SIP: the unsubscribe is a SUBSCRIBE of Expires 0: its 200, then a NOTIFY saying terminated (RFC 6665 4.2.1.4)
    if (sip) {
      respond(d, e, 0, 'unsubscribed');
      terminate(d, e, END_UNSUBSCRIBED);
    }
  });

  // the presentity's agent decides a pending request after its think time, and only while it is
  // online: a request that finds it offline waits for its next log-in (startAgent)
  const decide = kernel.defineEvent('pendingDecision', (d, e) => {
    if (decision[e] !== DEC_UNDECIDED) return;
    if (!ctx.online[pop.edgePresentity[e]]) {
      counters[C.decisionsDeferred]++;
      return;
    }
    const allow = hashUnit(seed, pop.edgePresentity[e], pop.edgeWatcher[e], 3) < beh.pendingAllowFraction;
    decision[e] = allow ? DEC_ALLOW : DEC_DENY;
    if (allow) counters[C.subPendingAllowed]++;
    else counters[C.subPendingDenied]++;
    if (state[e] !== SUB_PENDING) return;
    if (allow) {
      state[e] = SUB_ACTIVE;
      watcherInfo.changed(d, pop.edgePresentity[e], e, WI_APPROVED);
      notification.queue(d, e, 0, 0, -1);
    } else {
      state[e] = SUB_NONE;
      counters[C.denied]++;
      counters[C.subTerminated]++;
      watcherInfo.changed(d, pop.edgePresentity[e], e, WI_REJECTED);
      terminate(d, e, END_REJECTED);
    }
  });

  // ---- revocation (RFC 2779 5.1.16): the presentity ends one of its active subscriptions ----
  const revokeRate = beh.revocationRate;
  const revokeTimer = kernel.defineEvent('revokeTimer', (d, g, ep) => {
    if (!ctx.online[g] || ctx.epoch[g] !== ep) return;
    timers.set(rng.exponential(d, 3_600_000 / revokeRate), revokeTimer, d, g, ep);
    let active = 0;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) if (state[e] === SUB_ACTIVE) active++;
    if (active === 0) return;
    let k = rng.int(d, active);
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (state[e] !== SUB_ACTIVE || k-- > 0) continue;
      service.submit(d, OP_REVOKE, g, e, 0);
      return;
    }
  });
  service.onComplete(OP_REVOKE, (d, e) => {
    // from now on the presentity refuses this watcher, whatever its static rule
    decision[e] = DEC_DENY;
    if (state[e] === SUB_NONE) return;
    state[e] = SUB_NONE;
    counters[C.subRevoked]++;
    counters[C.subTerminated]++;
    watcherInfo.changed(d, pop.edgePresentity[e], e, WI_REJECTED);
    terminate(d, e, END_REVOKED);
  });

  const crash = kernel.defineEvent('serverCrash', (d) => {
    // the servers lose their soft state: every subscription held by the domain is gone
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
        if (state[e] === SUB_NONE) continue;
        state[e] = SUB_NONE;
        counters[C.subLostInCrash]++;
      }
    }
  });
  ctx.onInit((d) => {
    for (const c of deps.faults.crashes) if (c.domain === d) kernel.schedule(c.at, crash, d, 0, 0);
  });

  const retry = deps.watchers.retry;
  const requestBytes = (a: number) => ENVELOPE.request + sizes.entityLen[pop.domainOf[pop.edgePresentity[a]]];
  const presentityDomain = (a: number) => pop.domainOf[pop.edgePresentity[a]];
  for (const [kind, op] of [
    [M_SUBSCRIBE, OP_SUBSCRIBE],
    [M_REFRESH, OP_REFRESH],
  ]) {
    gateways.register(kind, {
      arrive: ev.request[op],
      dest: presentityDomain,
      bytes: requestBytes,
      claimant: (a) => pop.edgeWatcher[a],
      failed: retry,
      refused: (h, a, why) => respond(h, a, why === 'gateway overload' ? RESP_UNAVAILABLE : RESP_REJECTED, why),
    });
  }
  gateways.register(M_UNSUBSCRIBE, {
    arrive: ev.request[OP_UNSUBSCRIBE],
    dest: presentityDomain,
    bytes: requestBytes,
    claimant: (a) => pop.edgeWatcher[a],
    failed: () => {
      counters[C.unsubscribeLost]++;
    },
    refused: () => undefined,
  });

  return {
    respond,
    startAgent(g, d, ep) {
      if (revokeRate > 0) timers.set(rng.exponential(d, 3_600_000 / revokeRate), revokeTimer, d, g, ep);
      // requests that waited while the presentity was offline are decided now, after the think time
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
        if (state[e] === SUB_PENDING && decision[e] === DEC_UNDECIDED) kernel.schedule(drawDist(rng, d, beh.pendingDecisionDelay), decide, d, e);
      }
    },
  };
}
