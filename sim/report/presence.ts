/**
 * The report's presence section: publishes and their leases (RFC 3903), fetches and polls, watcher
 * information, the subscription lifecycle (RFC 2779 5.1) and the notifications sent.
 */
import type { ImppPart } from '../model/impp.js';
import type { Report } from './shape.js';
import { sumOf } from './sum.js';

export function presenceReport(c: Record<string, number>, parts: ImppPart[]): Report['presence'] {
  return {
    publishes: c.publishes,
    leases: { refreshes: c.publishRefreshes, refreshFailed: c.publishRefreshFailed, expired: c.leaseExpired },
    fetches: c.fetches,
    polls: c.polls,
    watcherInfo: c.watcherInfo,
    watcherInfoSent: c.watcherInfoSent,
    watcherInfoUndelivered: c.watcherInfoUndelivered,
    subscriptions: {
      created: c.subCreated,
      refreshed: c.subRefreshed,
      expired: c.subExpired,
      terminated: c.subTerminated,
      rejected: c.subRejected,
      politeBlocked: c.subPoliteBlocked,
      pending: c.subPending,
      pendingAllowed: c.subPendingAllowed,
      pendingDenied: c.subPendingDenied,
      activeAtStart: sumOf(parts, (p) => p.activeAtStart),
      activeAtEnd: sumOf(parts, (p) => p.activeAtEnd),
      lostInCrash: c.subLostInCrash,
      revoked: c.subRevoked,
      decisionsDeferred: c.decisionsDeferred,
      notices: { sent: c.terminationsSent, received: c.terminationsReceived, lost: c.terminationsLost },
    },
    notifications: { sent: c.notifySent, delivered: c.notifyDelivered, undelivered: c.notifyUndelivered, dropped: c.notifyDropped },
  };
}
