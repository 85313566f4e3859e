/**
 * The instant message service (RFC 2778 2.5, 4; RFC 2779 4, 5.4): senders' agents send messages to
 * buddies (or, with behaviour.unknownRecipientFraction, to users that do not exist); the sender's
 * servers route each message, the recipient's servers deliver it to the inbox (duplicates of a
 * client retransmission suppressed before any outcome, block lists, the inbox open only while its
 * owner is online) and every message gets a delivery report back to the sender (RFC 2779 5.4.4),
 * which its servers hand down the sender's access link (a failure its own servers find, a
 * message that cannot cross or that they refuse, comes down the same way). A failure report that
 * finds the sender's agent offline leaves the outcome unknown to it: indeterminate (RFC 2779 4.2.1).
 * A message that cannot cross to the recipient's domain is retried with back-off and then fails.
 */
import type { Access } from './access.js';
import { C, tick, TL_IM_DELIVERED, TL_IM_FAILED, type ModelContext } from './context.js';
import { responseKind, type Gateways } from './gateways.js';
import { LatencyRecorder } from './latency.js';
import { LIVE_BUCKETS, liveBucket } from './live.js';
import {
  ENVELOPE,
  F_AUTH,
  F_BLOCKED,
  F_CLOSED,
  F_DISABLED,
  F_LOOP,
  F_OVERLOAD,
  F_UNKNOWN,
  F_UNREACHABLE,
  IM_FAILURES,
  M_MESSAGE,
  M_REPORT,
  OP_IMDELIVER,
  OP_IMREPORT,
  OP_IMSEND,
  TWO26,
} from './messages.js';
import { hash3, hashUnit, PRINCIPAL_PRESENTITY_ONLY } from './population.js';
import { InboxStore } from './inbox-store.js';
import { DOWN, UP, type AccessLink } from './access-link.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';
import { MessageIdSet } from './message-ids.js';

export interface InstantMessaging {
  readonly failures: Float64Array;
  readonly latency: LatencyRecorder;
  readonly live: Float64Array;
  /** a principal with an inbox logged in (session epoch ep): its agent starts sending */
  startAgent(g: number, d: number, ep: number): void;
  /** g's inbox opened (its owner logged in): stored messages are delivered */
  inboxOpened(g: number, d: number): void;
  /** the messages kept for closed inboxes (store-and-forward; read-only for the inspector) */
  readonly stored: InboxStore;
  /**
   * Counts, in this partition now, the copies of messages that have no outcome yet (queued at a
   * server, travelling, waiting for a retry) and the failure reports still on their way to the
   * sender, plus those dropped because their next step fell after the run's end.
   */
  census(): number;
}

// the fate of cross-domain messages at the sending side, so that the copies of one message
// (client retransmissions) give it one outcome: crossed, retrying, or failed for good; kept with
// the retries so far (value fate + 4 * retries) under the message id
const FATE_CROSSED = 1;
const FATE_RETRYING = 2;
const FATE_FAILED = 3;
const FATE_MASK = 3;
const TRIES_UNIT = 4;
/** message ids the sending side keeps a fate for, before it forgets those untouched for an hour */
const FATES_KEPT = 200_000;
const FATE_HORIZON = 3_600_000;

type ImDeps = { service: Service; gateways: Gateways; access: Access; sizes: Sizes; link: AccessLink };

/** Contact j of sender g (domain d): a principal drawn from the seed alone, in another domain with the federated fraction. */
function contactOf(ctx: ModelContext, g: number, d: number, j: number): number {
  const { seed, D, pop } = ctx;
  const h = hash3(seed, g, j, 11);
  const dom = D > 1 && hashUnit(seed, g, j, 12) < ctx.s.population.federatedFraction ? (d + 1 + (h % (D - 1))) % D : d;
  return pop.domainStart[dom] + (hash3(seed, g, j, 13) % pop.domainUsers[dom]);
}

/**
 * The messages' handler table: one method per event or server job, registered once in the
 * constructor (the closures that forward to the methods are made there, never per event).
 */
class ImService implements InstantMessaging {
  readonly failures = new Float64Array(IM_FAILURES.length + 1);
  readonly latency = new LatencyRecorder();
  readonly live = new Float64Array(LIVE_BUCKETS);
  readonly stored: InboxStore;
  private readonly dedup: MessageIdSet[] = [];
  /** per message id (a, sentAt) that tried to cross: its fate and retries (FATE_*), numbers only */
  private readonly fate = new MessageIdSet(FATES_KEPT, FATE_HORIZON);
  private readonly ctx: ModelContext;
  private readonly beh: ModelContext['s']['behaviour'];
  private readonly service: Service;
  private readonly gateways: Gateways;
  private readonly access: Access;
  private readonly sizes: Sizes;
  private readonly link: AccessLink;
  /** recipients from this index on are unknown users (their domain is the index minus it) */
  private readonly unknownBase: number;
  private readonly imTimer: number;
  private readonly imUp: number;
  private readonly imDown: number;
  private readonly imRetry: number;
  private readonly reportDown: number;

  constructor(ctx: ModelContext, deps: ImDeps) {
    const { kernel, ev } = ctx;
    this.ctx = ctx;
    this.beh = ctx.s.behaviour;
    this.service = deps.service;
    this.gateways = deps.gateways;
    this.access = deps.access;
    this.sizes = deps.sizes;
    this.link = deps.link;
    this.unknownBase = ctx.U;
    for (let d = 0; d < ctx.D; d++) this.dedup.push(new MessageIdSet());
    this.stored = new InboxStore(this.beh.offlineStorage ? ctx.U : 0);
    // the registration order fixes the event type numbers: keep it
    this.imTimer = ctx.on('imTimer', (d, g, ep) => this.onTimer(d, g, ep));
    this.imUp = ctx.on('imUp', (d, a, x) => this.onUp(d, a, x));
    this.imDown = ctx.on('imDown', (d, a, sentAt) => this.onDown(d, a, sentAt));
    this.service.onComplete(OP_IMSEND, (d, a, sentAt) => this.onSent(d, a, sentAt));
    ev.imArrive = ctx.on('imArrive', (d, a, sentAt) => this.onArrive(d, a, sentAt));
    this.service.onComplete(OP_IMDELIVER, (d, a, sentAt) => this.onDeliverJob(d, a, sentAt));
    this.service.onComplete(OP_IMREPORT, (d, a, code) => this.onReportJob(d, a, code));
    ev.imReport = ctx.on('imReport', (d, a, code) => this.onReport(d, a, code));
    this.imRetry = ctx.on('imRetry', (d, a, sentAt) => this.onRetry(d, a, sentAt));
    this.reportDown = ctx.on('imReportDown', (_d, a, code) => this.onReportDown(a, code));
    this.registerKinds();
  }

  private registerKinds(): void {
    const { counters, pop, ev } = this.ctx;
    this.gateways.register(M_MESSAGE, {
      arrive: ev.imArrive,
      dest: (a) => this.recipientDomain(a),
      claimant: (a) => Math.floor(a / TWO26),
      bytes: (_a, h) => this.sizes.im[h],
      failed: (d, a, b, why) => this.crossFailed(d, a, b, why),
      refused: (h, a, _why, code) => this.report(h, a, code),
      settled: (a, b) => this.fate.get(a, b) === FATE_FAILED, // (a failed message keeps no retries)
      crossed: (a, b) => this.setFate(a, b, FATE_CROSSED),
      pastEnd: () => {
        counters[C.imPastEnd]++;
      },
    });
    this.gateways.register(
      M_REPORT,
      responseKind(counters, ev.imReport, (a) => pop.domainOf[Math.floor(a / TWO26)], {
        pastEnd: (_a, code) => {
          if (code !== 0) counters[C.imPastEnd]++;
        },
      }),
    );
  }

  startAgent(g: number, d: number, ep: number): void {
    if (this.beh.imRate > 0) this.ctx.kernel.schedule(this.ctx.rng.exponential(this.ctx.kernel.lp, 3_600_000 / this.beh.imRate), this.imTimer, this.ctx.kernel.lp, g, ep);
  }

  inboxOpened(g: number, d: number): void {
    if (this.beh.offlineStorage) this.stored.drain(g, (a, sentAt) => this.down(d, a, sentAt));
  }

  /** message (a, sentAt) has fate f now; its retries so far stay */
  private setFate(a: number, b: number, f: number): void {
    const v = this.fate.get(a, b);
    this.fate.put(a, b, (v < 0 ? 0 : v - (v & FATE_MASK)) + f, this.ctx.kernel.now);
  }

  private hasInbox(g: number): boolean {
    return this.ctx.pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;
  }

  private recipientDomain(a: number): number {
    const to = a % TWO26;
    return to >= this.unknownBase ? to - this.unknownBase : this.ctx.pop.domainOf[to];
  }

  private deliver(d: number, a: number, sentAt: number): void {
    const ctx = this.ctx;
    const now = ctx.kernel.now;
    ctx.counters[C.imDelivered]++;
    tick(ctx, TL_IM_DELIVERED);
    this.latency.record(now - sentAt);
    this.live[liveBucket(now - sentAt)]++;
    this.report(d, a, 0);
  }

  private fail(reason: number): void {
    this.ctx.counters[C.imFailed]++;
    tick(this.ctx, TL_IM_FAILED);
    this.failures[reason]++;
  }

  /** the recipient of sender g's next message (domain d), or -1 when it drew itself */
  private pickRecipient(d: number, g: number): number {
    const { rng, pop, D } = this.ctx;
    if (rng.uniform(this.ctx.kernel.lp) < this.beh.unknownRecipientFraction) return this.unknownBase + rng.int(this.ctx.kernel.lp, D);
    // a buddy, or one of the sender's other contacts (behaviour.imContacts)
    const contacts = this.beh.imContacts;
    const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
    let to: number;
    if (n + contacts > 0) {
      const k = rng.int(this.ctx.kernel.lp, n + contacts);
      to = k < n ? pop.edgePresentity[pop.fwdEdge[pop.fwdStart[g] + k]] : contactOf(this.ctx, g, d, k - n);
    } else to = pop.domainStart[d] + rng.int(this.ctx.kernel.lp, pop.domainUsers[d]);
    return to === g ? -1 : to;
  }

  private onTimer(d: number, g: number, ep: number): void {
    const { kernel, rng, online, epoch, counters } = this.ctx;
    if (!online[g] || epoch[g] !== ep) return;
    kernel.schedule(rng.exponential(this.ctx.kernel.lp, 3_600_000 / this.beh.imRate), this.imTimer, this.ctx.kernel.lp, g, ep);
    const to = this.pickRecipient(d, g);
    if (to < 0) return;
    const a = g * TWO26 + to;
    counters[C.imSent]++;
    kernel.schedule(this.link.delay(d, g, this.sizes.im[d], UP), this.imUp, kernel.lp, a, kernel.now);
    // a client retransmission that reuses the message id (RFC 2779 4.1.9, 5.4.2); b < 0 marks the copy
    if (rng.uniform(this.ctx.kernel.lp) < this.beh.duplicateFraction) {
      counters[C.imCopies]++;
      kernel.schedule(this.link.delay(d, g, this.sizes.im[d], UP), this.imUp, kernel.lp, a, -1 - kernel.now);
    }
  }

  /** up the sender's access link to its server */
  private onUp(d: number, a: number, x: number): void {
    const copy = x < 0;
    if (this.service.submit(d, OP_IMSEND, Math.floor(a / TWO26), a, copy ? -1 - x : x)) return;
    if (copy) this.ctx.counters[C.imCopiesRefused]++;
    else this.toSender(d, a, F_OVERLOAD);
  }

  /** down the recipient's access link to its inbox: delivered if the inbox is still open */
  private onDown(d: number, a: number, sentAt: number): void {
    const to = a % TWO26;
    if (this.ctx.online[to]) return this.deliver(d, a, sentAt);
    if (!this.beh.offlineStorage) return this.report(d, a, F_CLOSED);
    this.ctx.counters[C.imStored]++;
    this.stored.put(to, a, sentAt);
  }

  private down(d: number, a: number, sentAt: number): void {
    this.ctx.kernel.schedule(this.link.delay(d, a % TWO26, this.sizes.im[d], DOWN), this.imDown, this.ctx.kernel.lp, a, sentAt);
  }

  /** the sender's server routed the message: towards the recipient's domain */
  private onSent(d: number, a: number, sentAt: number): void {
    const { trace, ev } = this.ctx;
    const to = a % TWO26;
    const td = this.recipientDomain(a);
    this.gateways.send(d, td, ev.imArrive, a, sentAt, M_MESSAGE, this.sizes.im[d]);
    if (trace.on) {
      const unknown = to >= this.unknownBase;
      const r = trace.message('message', Math.floor(a / TWO26), d, unknown ? -1 : to, td, this.sizes.im[d], unknown ? 'to an unknown user' : 'instant message');
      if (r !== null) r.textBytes = this.beh.imBodyBytes;
    }
  }

  private report(d: number, a: number, code: number): void {
    const { pop, trace, ev } = this.ctx;
    const g = Math.floor(a / TWO26);
    const sd = pop.domainOf[g];
    this.gateways.send(d, sd, ev.imReport, a, code, M_REPORT, ENVELOPE.response);
    if (trace.on) trace.message('messageReport', -1, d, g, sd, ENVELOPE.response, code === 0 ? 'delivered' : `failed: ${IM_FAILURES[code - 1]}`);
  }

  private onArrive(d: number, a: number, sentAt: number): void {
    const to = a % TWO26;
    const subject = to >= this.unknownBase ? 0 : to;
    if (!this.service.submit(d, OP_IMDELIVER, subject, a, sentAt)) {
      // refused: that is this message's one outcome, so a later copy of it is a duplicate
      if (!this.dedup[d].add(a, sentAt, this.ctx.kernel.now)) {
        this.ctx.counters[C.imDuplicates]++;
        return;
      }
      this.report(d, a, F_OVERLOAD);
    }
  }

  /** the recipient's server took the message: its one outcome */
  private onDeliverJob(d: number, a: number, sentAt: number): void {
    const { counters, s, seed, online } = this.ctx;
    const to = a % TWO26;
    const g = Math.floor(a / TWO26);
    // message identity = (sender, recipient, send time): a retransmission carries the same one.
    // Duplicates are suppressed before any outcome, so each message has exactly one (RFC 2779 5.4.2)
    if (!this.dedup[d].add(a, sentAt, this.ctx.kernel.now)) {
      counters[C.imDuplicates]++;
      return;
    }
    if (to >= this.unknownBase || !this.hasInbox(to)) return this.report(d, a, F_UNKNOWN);
    if (!s.domains[d].im) return this.report(d, a, F_DISABLED);
    if (this.access.authFails(g)) {
      counters[C.rejectedAuth]++;
      return this.report(d, a, F_AUTH);
    }
    // per-inbox block list (RFC 2779 2.3.5, 5.4.10)
    if (hashUnit(seed, to, g, 4) < s.population.blockedSenders) return this.report(d, a, F_BLOCKED);
    if (!online[to]) {
      if (!this.beh.offlineStorage) return this.report(d, a, F_CLOSED);
      // store-and-forward: kept until the inbox opens
      counters[C.imStored]++;
      this.stored.put(to, a, sentAt);
      return;
    }
    this.down(d, a, sentAt);
  }

  // a report reaching the sender's domain is a job of its servers (serviceTimes.imReport) that
  // hands it down the sender's access link; a failure report its servers refuse leaves the outcome
  // unknown to the sender: indeterminate (RFC 2779 4.2.1)
  private onReportJob(d: number, a: number, code: number): void {
    this.toSender(d, a, code);
  }

  /** the sender's home server (domain d) sends a report of `code` down the sender's access link */
  private toSender(d: number, a: number, code: number): void {
    const { kernel, cluster } = this.ctx;
    const sender = Math.floor(a / TWO26);
    // (from the node that found the outcome to the sender's, across the cluster when they differ)
    const to = cluster.lpOfUser[sender];
    kernel.schedule(this.link.delay(d, sender, ENVELOPE.response, DOWN) + cluster.hop(kernel.lp, to, ENVELOPE.response), this.reportDown, to, a, code);
  }

  /** the report reached the sender's agent: a failure is known to the sender only if it is online */
  private onReportDown(a: number, code: number): void {
    const counters = this.ctx.counters;
    if (!this.ctx.online[Math.floor(a / TWO26)]) {
      counters[C.imReportsUndelivered]++;
      if (code !== 0) counters[C.imIndeterminate]++;
      return;
    }
    counters[C.imReportsReceived]++;
    if (code !== 0) this.fail(code);
  }

  private onReport(d: number, a: number, code: number): void {
    if (!this.service.submit(d, OP_IMREPORT, Math.floor(a / TWO26), a, code) && code !== 0) this.ctx.counters[C.imIndeterminate]++;
  }

  private onRetry(d: number, a: number, sentAt: number): void {
    this.gateways.send(d, this.recipientDomain(a), this.ctx.ev.imArrive, a, sentAt, M_MESSAGE, this.sizes.im[d]);
  }

  /** A message from domain d could not cross: retry it, or fail it for good. */
  private crossFailed(d: number, a: number, b: number, why: string): void {
    const { counters, kernel, trace } = this.ctx;
    const fed = this.ctx.s.federation;
    // retries of a message are few: their count is kept with its fate, under the message id
    const v = this.fate.get(a, b);
    const f = v < 0 ? 0 : v & FATE_MASK;
    if (f === FATE_CROSSED || f === FATE_FAILED) {
      // another copy of this message (a client retransmission) crossed or already failed:
      // the message has its outcome, this copy is a duplicate
      counters[C.imDuplicates]++;
      return;
    }
    const tries = v < 0 ? 0 : (v - f) / TRIES_UNIT;
    if (tries < fed.imRetries && why !== 'loop') {
      counters[C.imRetries]++;
      this.fate.put(a, b, (tries + 1) * TRIES_UNIT + FATE_RETRYING, kernel.now);
      kernel.schedule(Math.min(fed.retryBackoff * 2 ** tries, 300_000), this.imRetry, kernel.lp, a, b);
    } else {
      this.fate.put(a, b, FATE_FAILED, kernel.now);
      this.toSender(d, a, why === 'loop' ? F_LOOP : F_UNREACHABLE);
      if (trace.on) trace.message('messageReport', -1, d, Math.floor(a / TWO26), d, ENVELOPE.response, `failed: ${why}`);
    }
  }

  census(): number {
    const { counters, kernel, ev } = this.ctx;
    const gateways = this.gateways;
    let n = counters[C.imPastEnd] + this.stored.size;
    kernel.forEachPending((_t, type, _target, _a, b) => {
      if (type === ev.imArrive || type === this.imRetry || type === this.imUp || type === this.imDown) n++;
      else if (type === ev.imReport || type === this.reportDown) {
        if (b !== 0) n++;
      } else {
        const kind = gateways.inTransit(type, b);
        if (kind === M_MESSAGE || (kind === M_REPORT && gateways.transitB !== 0)) n++;
      }
    });
    for (const pool of this.service.pools) {
      pool?.forEachJob((op, _a, b) => {
        if (op === OP_IMSEND || op === OP_IMDELIVER || (op === OP_IMREPORT && b !== 0)) n++;
      });
    }
    return n;
  }
}

export function createIm(ctx: ModelContext, deps: ImDeps): InstantMessaging {
  return new ImService(ctx, deps);
}
