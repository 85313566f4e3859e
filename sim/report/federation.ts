/**
 * The report's federation section: SRV resolution (RFC 3861), loops and hop limits, retransmission
 * and recovery across the CPIM boundary, and what was lost on the way.
 */
import { mergeHistograms, summarise } from '../model/latency.js';
import type { ImppPart } from '../model/impp.js';
import type { Report } from './shape.js';

export function federationReport(c: Record<string, number>, parts: ImppPart[]): Report['federation'] {
  return {
    srvLookups: c.srvLookups,
    srvCacheHits: c.srvCacheHits,
    srvFailovers: c.srvFailovers,
    unreachable: c.unreachable,
    loops: c.loops,
    retransmissions: c.retransmissions,
    transfersFailed: c.transfersFailed,
    imRetries: c.imRetries,
    resubscribes: c.resubscribes,
    recovered: c.recovered,
    recoveryTime: summarise(mergeHistograms(parts.map((p) => p.recovery))),
    notifyLost: c.notifyLost,
    responsesLost: c.responsesLost,
    fetchFailed: c.fetchFailed,
    unsubscribeLost: c.unsubscribeLost,
    gatewayRejected: c.gatewayRejected,
    rejectedServerDown: c.rejectedServerDown,
    subscriptionsLostInCrash: c.subLostInCrash,
    listNotifications: c.listNotifies,
    notificationsSuppressed: c.notifySuppressed,
  };
}

/** CPIM transactions at the boundary (RFC 3860: TransID, SubscriptID) and the identity checks on requests and notifications. */
export function cpimReport(c: Record<string, number>): Report['cpim'] {
  return {
    transactions: c.cpimTransactions,
    responsesMatched: c.cpimResponsesMatched,
    responsesUnmatched: c.cpimResponsesUnmatched,
    expired: c.cpimTransactionsExpired,
    indeterminant: c.cpimIndeterminant,
    unknownSubscriptId: c.cpimUnknownSubscriptId,
    notifyNoSubscription: c.cpimNotifyNoSubscription,
    forgedNotifies: { sent: c.forgedNotifiesSent, refused: c.notifyForged },
    thirdParty: { attempts: c.thirdPartyAttempts, refused: c.thirdPartyRefused },
  };
}
