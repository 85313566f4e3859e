/**
 * The instant message service (RFC 2778 2.5, 4; RFC 2779 4, 5.4): senders' agents send messages to
 * buddies (or, with behaviour.unknownRecipientFraction, to users that do not exist); the sender's
 * servers route each message, the recipient's servers deliver it to the inbox (duplicates of a
 * client retransmission suppressed before any outcome, block lists, the inbox open only while its
 * owner is online) and every message gets a delivery report back to the sender (RFC 2779 5.4.4).
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
// (client retransmissions) give it one outcome: crossed, retrying, or failed for good
const FATE_CROSSED = 1;
const FATE_RETRYING = 2;
const FATE_FAILED = 3;

export function createIm(ctx: ModelContext, deps: { service: Service; gateways: Gateways; access: Access; sizes: Sizes; link: AccessLink }): InstantMessaging {
  const { kernel, rng, pop, s, seed, D, U, counters, trace, ev, online, epoch } = ctx;
  const { service, gateways, access, sizes, link } = deps;
  const beh = s.behaviour;
  const fed = s.federation;
  const UNKNOWN_BASE = U;
  const failures = new Float64Array(IM_FAILURES.length + 1);
  const latency = new LatencyRecorder();
  const live = new Float64Array(LIVE_BUCKETS);
  const dedup: MessageIdSet[] = [];
  for (let d = 0; d < D; d++) dedup.push(new MessageIdSet());
  const imTries = new Map<string, number>();
  const fate = new Map<string, number>();
  const setFate = (key: string, f: number) => {
    fate.delete(key);
    fate.set(key, f);
    if (fate.size > 200_000) {
      // forget the oldest half (messages long settled)
      let n = 100_000;
      for (const k of fate.keys()) {
        fate.delete(k);
        if (--n === 0) break;
      }
    }
  };
  const hasInbox = (g: number) => pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;
  const contacts = beh.imContacts;
  const federated = s.population.federatedFraction;
  /** Contact j of sender g (domain d): a principal drawn from the seed alone, in another domain with the federated fraction. */
  const contactOf = (g: number, d: number, j: number) => {
    const h = hash3(seed, g, j, 11);
    const dom = D > 1 && hashUnit(seed, g, j, 12) < federated ? (d + 1 + (h % (D - 1))) % D : d;
    return pop.domainStart[dom] + (hash3(seed, g, j, 13) % pop.domainUsers[dom]);
  };
  const store = new InboxStore(beh.offlineStorage ? U : 0);
  const deliver = (d: number, a: number, sentAt: number) => {
    counters[C.imDelivered]++;
    tick(ctx, TL_IM_DELIVERED);
    latency.record(kernel.now - sentAt);
    live[liveBucket(kernel.now - sentAt)]++;
    report(d, a, 0);
  };
  const recipientDomain = (a: number) => {
    const to = a % TWO26;
    return to >= UNKNOWN_BASE ? to - UNKNOWN_BASE : pop.domainOf[to];
  };

  const fail = (reason: number) => {
    counters[C.imFailed]++;
    tick(ctx, TL_IM_FAILED);
    failures[reason]++;
  };

  const imTimer = kernel.defineEvent('imTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.imRate), imTimer, d, g, ep);
    let to: number;
    if (rng.uniform(d) < beh.unknownRecipientFraction) {
      to = UNKNOWN_BASE + rng.int(d, D);
    } else {
      // a buddy, or one of the sender's other contacts (behaviour.imContacts)
      const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
      if (n + contacts > 0) {
        const k = rng.int(d, n + contacts);
        to = k < n ? pop.edgePresentity[pop.fwdEdge[pop.fwdStart[g] + k]] : contactOf(g, d, k - n);
      } else to = pop.domainStart[d] + rng.int(d, pop.domainUsers[d]);
      if (to === g) return;
    }
    const a = g * TWO26 + to;
    counters[C.imSent]++;
    kernel.schedule(link.delay(d, g, sizes.im[d], UP), imUp, d, a, kernel.now);
    // a client retransmission that reuses the message id (RFC 2779 4.1.9, 5.4.2); b < 0 marks the copy
    if (rng.uniform(d) < beh.duplicateFraction) {
      counters[C.imCopies]++;
      kernel.schedule(link.delay(d, g, sizes.im[d], UP), imUp, d, a, -1 - kernel.now);
    }
  });
  // up the sender's access link to its server
  const imUp = kernel.defineEvent('imUp', (d, a, x) => {
    const copy = x < 0;
    if (service.submit(d, OP_IMSEND, Math.floor(a / TWO26), a, copy ? -1 - x : x)) return;
    if (copy) counters[C.imCopiesRefused]++;
    else fail(F_OVERLOAD);
  });
  // down the recipient's access link to its inbox: delivered if the inbox is still open
  const imDown = kernel.defineEvent('imDown', (d, a, sentAt) => {
    const to = a % TWO26;
    if (online[to]) return deliver(d, a, sentAt);
    if (!beh.offlineStorage) return report(d, a, F_CLOSED);
    counters[C.imStored]++;
    store.put(to, a, sentAt);
  });
  const down = (d: number, a: number, sentAt: number) => kernel.schedule(link.delay(d, a % TWO26, sizes.im[d], DOWN), imDown, d, a, sentAt);

  service.onComplete(OP_IMSEND, (d, a, sentAt) => {
    const to = a % TWO26;
    const td = recipientDomain(a);
    gateways.send(d, td, ev.imArrive, a, sentAt, M_MESSAGE, sizes.im[d]);
    if (trace.on) {
      const r = trace.message('message', Math.floor(a / TWO26), d, to >= UNKNOWN_BASE ? -1 : to, td, sizes.im[d], to >= UNKNOWN_BASE ? 'to an unknown user' : 'instant message');
      if (r !== null) r.textBytes = beh.imBodyBytes;
    }
  });

  const report = (d: number, a: number, code: number) => {
    const g = Math.floor(a / TWO26);
    const sd = pop.domainOf[g];
    gateways.send(d, sd, ev.imReport, a, code, M_REPORT, ENVELOPE.response);
    if (trace.on) trace.message('messageReport', -1, d, g, sd, ENVELOPE.response, code === 0 ? 'delivered' : `failed: ${IM_FAILURES[code - 1]}`);
  };

  ev.imArrive = kernel.defineEvent('imArrive', (d, a, sentAt) => {
    const to = a % TWO26;
    const subject = to >= UNKNOWN_BASE ? 0 : to;
    if (!service.submit(d, OP_IMDELIVER, subject, a, sentAt)) {
      // refused: that is this message's one outcome, so a later copy of it is a duplicate
      if (!dedup[d].add(a, sentAt, kernel.now)) {
        counters[C.imDuplicates]++;
        return;
      }
      report(d, a, F_OVERLOAD);
    }
  });

  service.onComplete(OP_IMDELIVER, (d, a, sentAt) => {
    const to = a % TWO26;
    const g = Math.floor(a / TWO26);
    // message identity = (sender, recipient, send time): a retransmission carries the same one.
    // Duplicates are suppressed before any outcome, so each message has exactly one (RFC 2779 5.4.2)
    if (!dedup[d].add(a, sentAt, kernel.now)) {
      counters[C.imDuplicates]++;
      return;
    }
    if (to >= UNKNOWN_BASE || !hasInbox(to)) return report(d, a, F_UNKNOWN);
    if (!s.domains[d].im) return report(d, a, F_DISABLED);
    if (access.authFails(g)) {
      counters[C.rejectedAuth]++;
      return report(d, a, F_AUTH);
    }
    // per-inbox block list (RFC 2779 2.3.5, 5.4.10)
    if (hashUnit(seed, to, g, 4) < s.population.blockedSenders) return report(d, a, F_BLOCKED);
    if (!online[to]) {
      if (!beh.offlineStorage) return report(d, a, F_CLOSED);
      // store-and-forward: kept until the inbox opens
      counters[C.imStored]++;
      store.put(to, a, sentAt);
      return;
    }
    down(d, a, sentAt);
  });

  // a report reaching the sender's domain is a job of its servers (serviceTimes.imReport) that
  // hands it to the sender; a failure report its servers refuse leaves the outcome unknown to the
  // sender: indeterminate (RFC 2779 4.2.1)
  service.onComplete(OP_IMREPORT, (_d, _a, code) => {
    counters[C.imReportsReceived]++;
    if (code !== 0) fail(code);
  });
  ev.imReport = kernel.defineEvent('imReport', (d, a, code) => {
    if (!service.submit(d, OP_IMREPORT, Math.floor(a / TWO26), a, code) && code !== 0) counters[C.imIndeterminate]++;
  });

  const imRetry = kernel.defineEvent('imRetry', (d, a, sentAt) => {
    gateways.send(d, recipientDomain(a), ev.imArrive, a, sentAt, M_MESSAGE, sizes.im[d]);
  });

  /** A message from domain d could not cross: retry it, or fail it for good. */
  const crossFailed = (d: number, a: number, b: number, why: string) => {
    // retries of a message are few: their count lives in a map keyed by the message id
    const key = `${a}:${b}`;
    const f = fate.get(key);
    if (f === FATE_CROSSED || f === FATE_FAILED) {
      // another copy of this message (a client retransmission) crossed or already failed:
      // the message has its outcome, this copy is a duplicate
      counters[C.imDuplicates]++;
      return;
    }
    const tries = imTries.get(key) ?? 0;
    if (tries < fed.imRetries && why !== 'loop') {
      counters[C.imRetries]++;
      imTries.set(key, tries + 1);
      setFate(key, FATE_RETRYING);
      kernel.schedule(Math.min(fed.retryBackoff * 2 ** tries, 300_000), imRetry, d, a, b);
    } else {
      imTries.delete(key);
      setFate(key, FATE_FAILED);
      fail(why === 'loop' ? F_LOOP : F_UNREACHABLE);
      if (trace.on) trace.message('messageReport', -1, d, Math.floor(a / TWO26), d, ENVELOPE.response, `failed: ${why}`);
    }
  };

  gateways.register(M_MESSAGE, {
    arrive: ev.imArrive,
    dest: recipientDomain,
    claimant: (a) => Math.floor(a / TWO26),
    bytes: (_a, h) => sizes.im[h],
    failed: crossFailed,
    refused: (h, a, _why, code) => report(h, a, code),
    settled: (a, b) => fate.get(`${a}:${b}`) === FATE_FAILED,
    crossed: (a, b) => setFate(`${a}:${b}`, FATE_CROSSED),
    pastEnd: () => {
      counters[C.imPastEnd]++;
    },
  });
  gateways.register(
    M_REPORT,
    responseKind(counters, ev.imReport, (a) => pop.domainOf[Math.floor(a / TWO26)], {
      pastEnd: (_a, code) => {
        if (code !== 0) counters[C.imPastEnd]++;
      },
    }),
  );

  const census = () => {
    let n = counters[C.imPastEnd] + store.size;
    kernel.forEachPending((_t, type, _target, _a, b) => {
      if (type === ev.imArrive || type === imRetry || type === imUp || type === imDown) n++;
      else if (type === ev.imReport) {
        if (b !== 0) n++;
      } else {
        const kind = gateways.inTransit(type, b);
        if (kind === M_MESSAGE || (kind === M_REPORT && gateways.transitB !== 0)) n++;
      }
    });
    for (const pool of service.pools) {
      pool?.forEachJob((op, _a, b) => {
        if (op === OP_IMSEND || op === OP_IMDELIVER || (op === OP_IMREPORT && b !== 0)) n++;
      });
    }
    return n;
  };

  return {
    census,
    stored: store,
    inboxOpened(g, d) {
      if (beh.offlineStorage) store.drain(g, (a, sentAt) => down(d, a, sentAt));
    },
    failures,
    latency,
    live,
    startAgent(g, d, ep) {
      if (beh.imRate > 0) kernel.schedule(rng.exponential(d, 3_600_000 / beh.imRate), imTimer, d, g, ep);
    },
  };
}
