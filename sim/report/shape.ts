/**
 * The shape of a run's report (docs/report.md describes every key; a test holds the two together).
 * Built by build.ts from the partitions' parts, each section by the module named after its concern.
 */
import type { TraceRecord } from '../model/impp.js';
import type { BindingsReport } from '../model/bindings/report.js';
import type { LatencySummary } from '../model/latency.js';

export interface OperationStats {
  count: number;
  meanWait: number;
  meanService: number;
  meanSojourn: number;
  rejected: number;
}

export interface DomainReport {
  users: number;
  servers: number;
  cores: number;
  operations: Record<string, OperationStats>;
  utilisation: number;
  maxQueue: number;
  rejectedOverload: number;
  /** the domain's CPIM gateways: every message crossing its boundary passes one (each direction) */
  gateway: { hosts: number; cores: number; messages: number; meanWait: number; meanService: number; utilisation: number; maxQueue: number; rejected: number };
  /** a domain of several server nodes: the traffic of its intra-cluster network (cluster.ts) */
  cluster?: ClusterReport;
}

/** Messages and bytes between the server nodes of one domain. */
export interface ClusterReport {
  latencyMs: number;
  messages: number;
  bytes: number;
  /** per node: what it sent to the other nodes and received from them */
  nodes: { node: number; out: { messages: number; bytes: number }; in: { messages: number; bytes: number } }[];
  /** messages from node i (row) to node j (column); only for up to 16 nodes */
  matrix?: number[][];
}

/** One direction of the link between two domains. */
export interface LinkReport {
  from: string;
  to: string;
  messages: number;
  bytes: number;
  /** Mbit/s; 0 = unlimited */
  bandwidthMbps: number;
  /** transmission time / duration (0 when unlimited) */
  utilisation: number;
  retransmissions: number;
  /** transfers that gave up (requests after maxRetransmits; responses still down at the end) */
  failed: number;
}

export interface PairReport {
  from: string;
  to: string;
  messages: Record<string, number>;
  total: number;
  bytes: number;
}

/**
 * Version of the report's shape. 2: presence state, leases, revocation and notices, watcher
 * information documents, the IM census, access links (reports without the field are version 1).
 */
export const REPORT_SCHEMA_VERSION = 2;

export interface Report {
  schemaVersion: number;
  scenario: string;
  seed: number;
  /** duration: the simulated ms the statistics cover (the run after its warm-up); warmup: ms left out at the start */
  parameters: { duration: number; warmup: number; domains: number; users: number; subscriptionEdges: number; tuples: number; devices: number };
  /** present when the run ended before the scenario's duration: when (simulated ms) and why; parameters.duration is then the time run */
  stopped?: { at: number; planned: number; reason: string };
  /** autoWorkers: why this worker count, present when the run was asked for --workers auto */
  engine: { events: number; wallMs: number; eventsPerSec: number; workers: number; windows: number; lookahead: number; autoWorkers?: string };
  presence: {
    publishes: number;
    /** publication leases: refreshes processed, refreshes that found the publication gone, publications that ran out (a crashed agent's tuples closed) */
    leases: { refreshes: number; refreshFailed: number; expired: number };
    fetches: number;
    polls: number;
    /** changes of a watcher's standing (each a watcherinfo job), and the watcher information documents sent to subscribed, online presentity agents; those that found the agent offline at the end of its access link */
    watcherInfo: number;
    watcherInfoSent: number;
    watcherInfoUndelivered: number;
    subscriptions: {
      created: number;
      refreshed: number;
      expired: number;
      terminated: number;
      rejected: number;
      politeBlocked: number;
      pending: number;
      pendingAllowed: number;
      pendingDenied: number;
      /** still held (active, pending or politely blocked) when the run ended */
      /** active at the end of the warm-up (0 without one) */
      activeAtStart: number;
      activeAtEnd: number;
      lostInCrash: number;
      /** ended by the presentity (RFC 2779 5.1.16; counted in terminated too) */
      revoked: number;
      /** pending requests whose presentity was offline when its think time ended: decided after its next log-in */
      decisionsDeferred: number;
      /** termination notices (RFC 2779 5.1.9: expiry, refusal of a pending request, revocation): sent, received by an online watcher, lost on the way */
      notices: { sent: number; received: number; lost: number };
    };
    notifications: { sent: number; delivered: number; undelivered: number; dropped: number };
  };
  /**
   * IM outcomes. inFlight is a census taken at the end (message copies queued or travelling, failure
   * reports on their way), inFlightAtStart the same census when the warm-up ended (0 without one):
   * sent + copies + inFlightAtStart = delivered + failed + indeterminate + duplicates + copiesRefused + inFlight
   */
  im: {
    sent: number;
    delivered: number;
    failed: number;
    indeterminate: number;
    duplicates: number;
    copies: number;
    copiesRefused: number;
    /** messages kept for a closed inbox (behaviour.offlineStorage); delivered when it opens, else in the census */
    stored: number;
    /** delivery reports that came down the sender's access link to find its agent offline (a failure among them is indeterminate) */
    reportsUndelivered: number;
    inFlightAtStart: number;
    inFlight: number;
    failedBy: Record<string, number>;
  };
  latency: { notification: LatencySummary; im: LatencySummary };
  latencyCdf: { notification: Array<[number, number]>; im: Array<[number, number]> };
  domains: Record<string, DomainReport>;
  /** the ordered pairs of distinct domains that exchanged messages (sparse: a pair without traffic is left out) */
  pairs: PairReport[];
  security: { rejectedAuth: number; denied: number; politeBlocked: number; leaks: number; spoofed: number };
  /** the directed links that carried (or tried to carry) messages (sparse, like pairs) */
  links: LinkReport[];
  /** counts per bucket of simulated time (bucket i covers [i*bucketMs, (i+1)*bucketMs)) */
  timeline: { bucketMs: number; series: Record<string, number[]> };
  federation: {
    srvLookups: number;
    srvCacheHits: number;
    srvFailovers: number;
    unreachable: number;
    loops: number;
    retransmissions: number;
    transfersFailed: number;
    imRetries: number;
    resubscribes: number;
    recovered: number;
    recoveryTime: LatencySummary;
    notifyLost: number;
    responsesLost: number;
    fetchFailed: number;
    unsubscribeLost: number;
    gatewayRejected: number;
    rejectedServerDown: number;
    subscriptionsLostInCrash: number;
    listNotifications: number;
    notificationsSuppressed: number;
  };
  /** CPIM at the boundary (cpim-transactions.ts): transactions opened, responses matched by TransID or refused (a refused failure report leaves its message indeterminant), cancels naming no live SubscriptID, notifies refused (no live subscription; forged origin), third-party requests refused */
  cpim: { transactions: number; responsesMatched: number; responsesUnmatched: number; expired: number; indeterminant: number; unknownSubscriptId: number; notifyNoSubscription: number; forgedNotifies: { sent: number; refused: number }; thirdParty: { attempts: number; refused: number } };
  /** for each allowed change and each watcher subscribed to it: the time until the watcher holds that version or a newer one (held), or why it never held it as itself (staleness.ts) */
  staleness: { changes: number; held: number; ended: number; missed: number; time: LatencySummary };
  /** logins, logouts: the principals' sessions; with several devices also the devices' own */
  sessions: { logins: number; logouts: number; crashes: number; deviceLogins?: number; deviceLogouts?: number };
  /** the client-server leg: principals per access class and the messages and bytes on their access links, up (to the server) and down; notification and IM latency include it */
  access: Record<'lan' | 'mobile', { users: number; up: { messages: number; bytes: number }; down: { messages: number; bytes: number } }>;
  trace?: TraceRecord[];
  /** per protocol binding, its wire messages (sim/model/bindings/report.ts); only when some domain speaks SIP or XMPP */
  bindings?: BindingsReport;
}
