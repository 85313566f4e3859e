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
import { traceLocalRequest, type Watchers } from './watchers.js';
import type { Notification } from './notification.js';
import { hashUnit, RULE_DENY, RULE_PENDING, RULE_POLITE } from './population.js';
import type { Service } from './service.js';
import { drawDist } from './topology.js';
import { ExpirySweep } from './expiry-sweep.js';
import { WI_APPROVED, WI_REJECTED, WI_SUBSCRIBE, WI_TIMEOUT, type WatcherInfo } from './watcherinfo.js';
import { OPERATIONS } from '../scenario/types.js';
import { P_SIP, P_XMPP, SINCE_REFRESH } from './bindings/kinds.js';

import { SUB_NONE, SUB_ACTIVE, SUB_PENDING, SUB_POLITE, RESP_REJECTED, RESP_PENDING, RESP_NO_SUBSCRIPTION, RESP_UNAVAILABLE, SubscriptionTable, TERMINATION_REASONS, END_EXPIRED, END_REJECTED, END_REVOKED, END_UNSUBSCRIBED, NEVER } from './subscription-table.js';
export { SUB_NONE, SUB_ACTIVE, SUB_PENDING, SUB_POLITE, RESP_REJECTED, RESP_PENDING, RESP_NO_SUBSCRIPTION, RESP_UNAVAILABLE, SubscriptionTable, TERMINATION_REASONS, END_EXPIRED, END_REJECTED, END_REVOKED, END_UNSUBSCRIBED, NEVER } from './subscription-table.js';

export interface Subscriptions {
  /** Response to a subscribe or refresh of edge e, sent from domain d (RESP_* or the granted ms). */
  respond(d: number, e: number, granted: number, why: string): void;
  /** a presentity logged in (session epoch ep): its agent may revoke subscriptions (behaviour.revocationRate) */
  startAgent(g: number, d: number, ep: number): void;
}

type SubscriptionDeps = {
  service: Service;
  gateways: Gateways;
  access: Access;
  notification: Notification;
  watcherInfo: WatcherInfo;
  faults: FaultSchedule;
  table: SubscriptionTable;
  sizes: Sizes;
  watchers: Watchers;
};

/**
 * The subscription lifecycle's handler table: one method per event or server job, registered once
 * in the constructor (the closures that forward to the methods are made there, never per event).
 */
class SubscriptionService implements Subscriptions {
  private readonly ctx: ModelContext;
  private readonly beh: ModelContext['s']['behaviour'];
  private readonly service: Service;
  private readonly gateways: Gateways;
  private readonly access: Access;
  private readonly notification: Notification;
  private readonly watcherInfo: WatcherInfo;
  private readonly sizes: Sizes;
  private readonly state: Uint8Array;
  private readonly expiry: Float64Array;
  private readonly decision: Access['decision'];
  private readonly expire: number;
  private readonly decide: number;
  private readonly revokeTimer: number;
  private readonly sweep: ExpirySweep;

  constructor(ctx: ModelContext, deps: SubscriptionDeps) {
    const { kernel, ev } = ctx;
    this.ctx = ctx;
    this.beh = ctx.s.behaviour;
    this.service = deps.service;
    this.gateways = deps.gateways;
    this.access = deps.access;
    this.notification = deps.notification;
    this.watcherInfo = deps.watcherInfo;
    this.sizes = deps.sizes;
    this.state = deps.table.state;
    this.expiry = deps.table.expiry;
    this.decision = deps.access.decision;
    // the registration order fixes the event type numbers: keep it
    this.expire = ctx.on('expire', (d, e) => this.onExpire(d, e));
    for (const op of [OP_SUBSCRIBE, OP_REFRESH, OP_UNSUBSCRIBE]) {
      ev.request[op] = ctx.on(`request:${OPERATIONS[op]}`, (d, e, b) => this.onRequest(op, d, e, b));
    }
    this.service.onComplete(OP_SUBSCRIBE, (d, e, requested) => this.onSubscribe(d, e, requested));
    this.service.onComplete(OP_REFRESH, (d, e, requested) => this.onRefresh(d, e, requested));
    this.service.onComplete(OP_UNSUBSCRIBE, (d, e) => this.onUnsubscribe(d, e));
    this.decide = ctx.on('pendingDecision', (d, e) => this.onDecide(d, e));
    this.revokeTimer = ctx.on('revokeTimer', (d, g, ep) => this.onRevokeTimer(d, g, ep));
    this.service.onComplete(OP_REVOKE, (d, e) => this.onRevoke(d, e));
    const crash = ctx.on('serverCrash', (d) => this.onCrash(d));
    this.sweep = new ExpirySweep(ctx, this.state, this.expiry, this.expire);
    // every node of the domain loses its own subscriptions
    ctx.onInit((d, lp) => {
      for (const c of deps.faults.crashes) if (c.domain === d) kernel.schedule(c.at, crash, lp, 0, 0);
    });
    this.registerKinds(deps.watchers.retry);
  }

  private registerKinds(retry: Watchers['retry']): void {
    const { pop, ev, counters } = this.ctx;
    const sizes = this.sizes;
    const requestBytes = (a: number) => ENVELOPE.request + sizes.entityLen[pop.domainOf[pop.edgePresentity[a]]];
    const presentityDomain = (a: number) => pop.domainOf[pop.edgePresentity[a]];
    for (const [kind, op] of [
      [M_SUBSCRIBE, OP_SUBSCRIBE],
      [M_REFRESH, OP_REFRESH],
    ]) {
      this.gateways.register(kind, {
        arrive: ev.request[op],
        dest: presentityDomain,
        bytes: requestBytes,
        claimant: (a) => pop.edgeWatcher[a],
        failed: retry,
        refused: (h, a, why) => this.respond(h, a, why === 'gateway overload' ? RESP_UNAVAILABLE : RESP_REJECTED, why),
      });
    }
    this.gateways.register(M_UNSUBSCRIBE, {
      arrive: ev.request[OP_UNSUBSCRIBE],
      dest: presentityDomain,
      bytes: requestBytes,
      claimant: (a) => pop.edgeWatcher[a],
      failed: () => {
        counters[C.unsubscribeLost]++;
      },
      refused: () => undefined,
    });
  }

  respond(d: number, e: number, granted: number, why: string): void {
    const { pop, ev, trace } = this.ctx;
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    // XMPP answers a probe with presence, not with a response: only refusals are stanzas
    if (this.ctx.wire.proto[d] === P_XMPP && this.ctx.wire.proto[wd] === P_XMPP && (granted >= 0 || granted === RESP_PENDING)) return;
    this.gateways.send(d, wd, ev.subResponse, e, granted, M_SUB_RESPONSE, ENVELOPE.response);
    trace.message('subscribeResponse', pop.edgePresentity[e], d, w, wd, ENVELOPE.response, why);
  }

  startAgent(g: number, d: number, ep: number): void {
    const { pop, rng, kernel, timers } = this.ctx;
    const revokeRate = this.beh.revocationRate;
    if (revokeRate > 0) timers.set(rng.exponential(this.ctx.kernel.lp, 3_600_000 / revokeRate), this.revokeTimer, this.ctx.kernel.lp, g, ep);
    // requests that waited while the presentity was offline are decided now, after the think time
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (this.state[e] === SUB_PENDING && this.decision[e] === DEC_UNDECIDED) kernel.schedule(drawDist(rng, this.ctx.kernel.lp, this.beh.pendingDecisionDelay), this.decide, kernel.lp, e);
    }
  }

  private grant(d: number, requested: number): number {
    return this.ctx.wire.proto[d] === P_XMPP ? NEVER : Math.min(requested, this.beh.maxSubscriptionDuration);
  }

  /** The subscription of edge e ended at the service: the watcher is told why (RFC 2779 5.1.9). */
  private terminate(d: number, e: number, reason: number): void {
    const { pop, ev, trace, counters } = this.ctx;
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    counters[C.terminationsSent]++;
    this.gateways.send(d, wd, ev.terminated, e, reason, M_TERMINATED, this.sizes.request(d));
    trace.message('terminated', pop.edgePresentity[e], d, w, wd, this.sizes.request(d), TERMINATION_REASONS[reason]);
  }

  private onExpire(d: number, e: number): void {
    if (this.state[e] === SUB_NONE || this.expiry[e] > this.ctx.kernel.now) return;
    this.state[e] = SUB_NONE;
    this.ctx.counters[C.subExpired]++;
    this.watcherInfo.changed(d, this.ctx.pop.edgePresentity[e], e, WI_TIMEOUT);
    this.terminate(d, e, END_EXPIRED);
  }

  private extend(d: number, e: number, g: number): void {
    const before = this.expiry[e];
    this.expiry[e] = this.ctx.kernel.now + g;
    // (the presentity's node keeps the subscription: the sweep's lists are per LP)
    if (!this.sweep.file(this.ctx.kernel.lp, e, before)) this.ctx.timers.set(g, this.expire, this.ctx.kernel.lp, e);
  }

  /** a subscribe, refresh or unsubscribe reached the presentity's domain: a job of its servers */
  private onRequest(op: number, d: number, e: number, b: number): void {
    if (this.ctx.trace.on) traceLocalRequest(this.ctx, d, op, e, this.sizes.request(d));
    if (!this.ctx.s.domains[d].presence) {
      this.ctx.counters[C.presenceDisabled]++;
      if (op !== OP_UNSUBSCRIBE) this.respond(d, e, RESP_REJECTED, 'presence service disabled');
      return;
    }
    if (!this.service.submit(d, op, this.ctx.pop.edgePresentity[e], e, b) && op !== OP_UNSUBSCRIBE) this.respond(d, e, RESP_UNAVAILABLE, 'service unavailable (overload or down)');
  }

  private refuse(d: number, e: number, p: number, rule: number): void {
    const counters = this.ctx.counters;
    // RFC 2779 5.1.5: the watcher is told of the refusal
    counters[C.denied]++;
    counters[C.subRejected]++;
    this.respond(d, e, RESP_REJECTED, rule === RULE_DENY ? 'denied by the access rules' : 'denied by the presentity');
    this.watcherInfo.changed(d, p, e, WI_REJECTED);
  }

  private onSubscribe(d: number, e: number, requested: number): void {
    const { pop, counters, T } = this.ctx;
    const state = this.state;
    if (this.access.authFails(pop.edgeWatcher[e])) {
      counters[C.rejectedAuth]++;
      counters[C.subRejected]++;
      this.respond(d, e, RESP_REJECTED, 'authentication failed');
      return;
    }
    const p = pop.edgePresentity[e];
    const rule = this.access.rule(e);
    const g = this.grant(d, requested);
    if (state[e] !== SUB_NONE) {
      // a repeated subscribe acts as a refresh of the existing subscription
      this.extend(d, e, g);
      counters[C.subRefreshed]++;
      this.respond(d, e, state[e] === SUB_PENDING ? RESP_PENDING : g, 'already subscribed: refreshed');
      // a subscribe (unlike a refresh) always gets the current state at once
      if (state[e] === SUB_ACTIVE) this.notification.queue(d, e, T, 0, -1);
      return;
    }
    if (this.access.denied(e)) return this.refuse(d, e, p, rule);
    counters[C.subCreated]++;
    this.extend(d, e, g);
    this.watcherInfo.changed(d, p, e, WI_SUBSCRIBE);
    this.admit(d, e, rule, g);
  }

  /** a new subscription that the rules let through: politely blocked, pending, or active */
  private admit(d: number, e: number, rule: number, g: number): void {
    const { counters, kernel, rng } = this.ctx;
    const state = this.state;
    if (rule === RULE_POLITE) {
      // RFC 2779 5.1.15: looks granted; the watcher sees a fixed closed state, no further work
      state[e] = SUB_POLITE;
      counters[C.politeBlocked]++;
      counters[C.subPoliteBlocked]++;
      this.respond(d, e, g, 'polite block (appears granted)');
      this.notification.queue(d, e, 0, 1, -1);
      return;
    }
    if (rule === RULE_PENDING && this.decision[e] === DEC_UNDECIDED) {
      state[e] = SUB_PENDING;
      counters[C.subPending]++;
      this.respond(d, e, RESP_PENDING, 'pending authorisation');
      kernel.schedule(drawDist(rng, this.ctx.kernel.lp, this.beh.pendingDecisionDelay), this.decide, kernel.lp, e);
      return;
    }
    state[e] = SUB_ACTIVE;
    this.respond(d, e, g, 'accepted');
    // a new subscription gets the current state at once
    this.notification.queue(d, e, 0, 0, -1);
  }

  private onRefresh(d: number, e: number, requested: number): void {
    const { pop, counters, T } = this.ctx;
    const state = this.state;
    if (this.access.authFails(pop.edgeWatcher[e])) {
      counters[C.rejectedAuth]++;
      this.respond(d, e, RESP_REJECTED, 'authentication failed');
      return;
    }
    if (state[e] === SUB_NONE) {
      // the subscription expired meanwhile: the watcher must subscribe anew
      this.respond(d, e, RESP_NO_SUBSCRIPTION, 'no such subscription');
      return;
    }
    const g = this.grant(d, requested);
    this.extend(d, e, g);
    counters[C.subRefreshed]++;
    this.respond(d, e, state[e] === SUB_PENDING ? RESP_PENDING : g, 'refreshed');
    // SIP: a successful refresh is answered with a NOTIFY of the current state too (RFC 6665 4.2.1.2)
    if (this.ctx.wire.proto[d] === P_SIP && state[e] === SUB_ACTIVE) this.notification.queue(d, e, T, 0, SINCE_REFRESH);
  }

  private onUnsubscribe(d: number, e: number): void {
    const sip = this.ctx.wire.proto[d] === P_SIP;
    if (this.state[e] === SUB_NONE) {
      if (sip) this.respond(d, e, RESP_NO_SUBSCRIPTION, 'no such subscription');
      return;
    }
    this.state[e] = SUB_NONE;
    this.ctx.counters[C.subTerminated]++;
    this.watcherInfo.changed(d, this.ctx.pop.edgePresentity[e], e, WI_TIMEOUT);
    // SIP: the unsubscribe is a SUBSCRIBE of Expires 0: its 200, then a NOTIFY saying terminated (RFC 6665 4.2.1.4)
    if (sip) {
      this.respond(d, e, 0, 'unsubscribed');
      this.terminate(d, e, END_UNSUBSCRIBED);
    }
  }

  // the presentity's agent decides a pending request after its think time, and only while it is
  // online: a request that finds it offline waits for its next log-in (startAgent)
  private onDecide(d: number, e: number): void {
    const { pop, counters, seed } = this.ctx;
    const { state, decision } = this;
    if (decision[e] !== DEC_UNDECIDED) return;
    if (!this.ctx.online[pop.edgePresentity[e]]) {
      counters[C.decisionsDeferred]++;
      return;
    }
    const allow = hashUnit(seed, pop.edgePresentity[e], pop.edgeWatcher[e], 3) < this.beh.pendingAllowFraction;
    decision[e] = allow ? DEC_ALLOW : DEC_DENY;
    if (allow) counters[C.subPendingAllowed]++;
    else counters[C.subPendingDenied]++;
    if (state[e] !== SUB_PENDING) return;
    if (allow) {
      state[e] = SUB_ACTIVE;
      this.watcherInfo.changed(d, pop.edgePresentity[e], e, WI_APPROVED);
      this.notification.queue(d, e, 0, 0, -1);
    } else {
      state[e] = SUB_NONE;
      counters[C.denied]++;
      counters[C.subTerminated]++;
      this.watcherInfo.changed(d, pop.edgePresentity[e], e, WI_REJECTED);
      this.terminate(d, e, END_REJECTED);
    }
  }

  // ---- revocation (RFC 2779 5.1.16): the presentity ends one of its active subscriptions ----
  private onRevokeTimer(d: number, g: number, ep: number): void {
    const { pop, rng, timers } = this.ctx;
    const state = this.state;
    if (!this.ctx.online[g] || this.ctx.epoch[g] !== ep) return;
    timers.set(rng.exponential(this.ctx.kernel.lp, 3_600_000 / this.beh.revocationRate), this.revokeTimer, this.ctx.kernel.lp, g, ep);
    let active = 0;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) if (state[e] === SUB_ACTIVE) active++;
    if (active === 0) return;
    let k = rng.int(this.ctx.kernel.lp, active);
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (state[e] !== SUB_ACTIVE || k-- > 0) continue;
      this.service.submit(d, OP_REVOKE, g, e, 0);
      return;
    }
  }

  private onRevoke(d: number, e: number): void {
    const counters = this.ctx.counters;
    // from now on the presentity refuses this watcher, whatever its static rule
    this.decision[e] = DEC_DENY;
    if (this.state[e] === SUB_NONE) return;
    this.state[e] = SUB_NONE;
    counters[C.subRevoked]++;
    counters[C.subTerminated]++;
    this.watcherInfo.changed(d, this.ctx.pop.edgePresentity[e], e, WI_REJECTED);
    this.terminate(d, e, END_REVOKED);
  }

  private onCrash(d: number): void {
    const { pop, counters } = this.ctx;
    const state = this.state;
    // the servers lose their soft state: every subscription held by the domain is gone (each
    // node's crash event drops the subscriptions of its own presentities)
    const lp = this.ctx.kernel.lp;
    const lpOf = this.ctx.cluster.lpOfUser;
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      if (lpOf[g] !== lp) continue;
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
        if (state[e] === SUB_NONE) continue;
        state[e] = SUB_NONE;
        counters[C.subLostInCrash]++;
      }
    }
  }
}

export function createSubscriptions(ctx: ModelContext, deps: SubscriptionDeps): Subscriptions {
  return new SubscriptionService(ctx, deps);
}
