/**
 * A scenario after loading: every unit resolved (times in ms, rates per hour per user, sizes in
 * bytes), every default filled in. The YAML format (docs/scenarios.md) is what people write; this
 * is what the model reads. Field names match the YAML paths, so `--set behaviour.imRate=10/h`
 * and error paths such as `domains[1].servers.cores` mean the same thing in both.
 */

/** A distribution of durations or sizes, resolved to milliseconds (or plain numbers). */
export type Dist =
  | { dist: 'fixed'; value: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'lognormal'; median: number; sigma: number }
  | { dist: 'uniform'; min: number; max: number };

/** Buddy-list size distribution (integers). */
export type CountDist =
  | { dist: 'fixed'; value: number }
  | { dist: 'powerlaw'; min: number; max: number; alpha: number }
  | { dist: 'uniform'; min: number; max: number };

export type OperationName =
  | 'publish'
  | 'fetch'
  | 'subscribe'
  | 'refresh'
  | 'unsubscribe'
  | 'notify'
  | 'watcherinfo'
  | 'imSend'
  | 'imDeliver'
  | 'imReport'
  | 'publishRefresh'
  | 'revoke';

export const OPERATIONS: readonly OperationName[] = [
  'publish',
  'fetch',
  'subscribe',
  'refresh',
  'unsubscribe',
  'notify',
  'watcherinfo',
  'imSend',
  'imDeliver',
  'imReport',
  'publishRefresh',
  'revoke',
];

export interface ServersSpec {
  /** number of servers of the domain's presence/IM service */
  count: number;
  /** cores per server (parallel service units sharing that server's FIFO queue) */
  cores: number;
  /** jobs waiting per server beyond which new jobs are rejected (overload); 0 = unlimited */
  queueLimit: number;
  /** one-way latency between two server nodes of the domain (ms, > 0; cluster.ts) */
  clusterLatency: number;
}

/** The CPIM gateways of a domain: servers that translate every message crossing its boundary. */
export interface GatewaySpec {
  /** gateway hosts, named gw1.<domain> ... gwN.<domain> */
  count: number;
  cores: number;
  /** messages waiting per host beyond which new ones are refused; 0 = unlimited */
  queueLimit: number;
  /** time to translate one message (each direction) */
  serviceTime: Dist;
  /** static forwarding: requests for `destination` are sent to the gateway of `via` (overrides SRV) */
  routes: { destination: string; via: string }[];
}

/** One SRV record of a domain (RFC 2782): `_pres.<label>.<domain>` or `_im.<label>.<domain>`. */
export interface SrvRecordSpec {
  service: 'pres' | 'im';
  /** a gateway host such as gw1.beta.example (it may belong to another domain) */
  target: string;
  priority: number;
  weight: number;
}

/** Server time per wire message of a SIP or XMPP domain (ms), by direction: leaving or entering its servers. */
export interface WireCostSpec {
  inbound: { request: Dist; response: Dist };
  outbound: { request: Dist; response: Dist };
  /** per wire kind (kinds.ts names), both directions: wins over the request/response defaults */
  kinds: { kind: string; inbound: Dist; outbound: Dist }[];
}

export interface DomainSpec {
  name: string;
  users: number;
  servers: ServersSpec;
  gateway: GatewaySpec;
  /** the domain's SRV records; null = one record per own gateway host for each service */
  srv: { records: SrvRecordSpec[] } | null;
  /** service time per operation (ms), and per wire message of the domain's binding (`wire`) */
  serviceTimes: Record<OperationName, Dist> & { wire: WireCostSpec };
  /** RFC 2779 2.1.1: either service may be switched off */
  presence: boolean;
  im: boolean;
  /** the protocol binding the domain speaks (sim/model/bindings): abstract CPIM, SIP/SIMPLE or XMPP */
  protocol: 'cpim' | 'sip' | 'xmpp';
  /** SIP only: the home server is an RFC 4662 resource list server for its users' buddy lists */
  resourceLists: boolean;
}

export interface LinkSpec {
  from: string;
  to: string;
  /** one-way latency (ms) */
  latency: Dist;
  /** Mbit/s; 0 = the links' default */
  bandwidthMbps: number;
  /** loss probability per transmission; 0 = the links' default */
  loss: number;
}

export type FaultKind = 'gatewayDown' | 'linkDown' | 'slowLink' | 'serverCrash';

/** A scheduled fault: from `at` for `duration`. */
export interface FaultSpec {
  kind: FaultKind;
  /** gatewayDown, serverCrash */
  domain: string;
  /** linkDown, slowLink (both directions) */
  from: string;
  to: string;
  at: number;
  duration: number;
  /** slowLink: latency multiplier */
  factor: number;
}

export interface FederationSpec {
  /** SRV protocol label: records are _pres.<label>.<domain> and _im.<label>.<domain> */
  protocolLabel: string;
  /** resolver cache lifetime of an SRV answer (ms) */
  srvTtl: number;
  /** time a resolver cache miss costs */
  resolverTime: Dist;
  /** hop budget (MaxForwards) of a request crossing gateways */
  maxForwards: number;
  /** fraction of cross-domain requests that claim an identity of a third domain (rejected) */
  spoofFraction: number;
  /** CPIM transaction lifetime at a gateway (ms): a later response is refused as unmatched */
  transactionTimeout: number;
  /** forged notifications per forger per hour (refused by the watcher's gateway) */
  forgedNotifyRate: number;
  /** third-party subscribes and cancels per forger per hour (refused by the forger's home server) */
  thirdPartyRate: number;
  /** link-level retransmission timer (ms) */
  retransmitTimeout: number;
  /** retransmissions before a transfer fails */
  maxRetransmits: number;
  /** an IM that cannot cross is retried this many times (0 = fail at once with a report) */
  imRetries: number;
  /** delay before an IM retry and before the first resubscription (doubles each time, up to 5 min) */
  retryBackoff: number;
  /** saving option: minimum interval between notifications to one watcher (0 = off; latest state wins) */
  notifyMinInterval: number;
  /** saving option: one list subscription per (presentity, watcher domain) across a boundary */
  listSubscriptions: boolean;
  /** saving option: a notification carries only the changed tuple */
  partialNotifications: boolean;
}

export interface PopulationSpec {
  buddies: CountDist;
  /** fraction of a user's buddies drawn from other domains (0..1) */
  federatedFraction: number;
  /** principal kinds (fractions summing to 1): RFC 2779 2.1.2 */
  principals: { both: number; presentityOnly: number; inboxOnly: number };
  /** watcher kinds (fractions summing to 1) */
  watchers: { subscriber: number; poller: number; fetcher: number };
  /** access rule of a (presentity, watcher) pair (fractions summing to 1) */
  access: { allow: number; deny: number; politeBlock: number; pending: number };
  /** visibility class of an allowed pair: sees every tuple, or only the first (public) tuple */
  visibility: { full: number; firstTupleOnly: number };
  /** named visibility classes: the fields of each tuple a class sees besides the basic status (visibility.ts) */
  classes: { name: string; share: number; among: 'any' | 'same-domain' | 'other-domain'; activity: boolean; note: boolean; contact: boolean }[];
  /** tuples per presentity (1..8) */
  tuples: number;
  /** devices (presence user agents) per principal (1..tuples): device j owns the tuples i with i % devices = j */
  devices: number;
  /** fraction of users online at the start */
  online: number;
  /** fraction of IM senders that each inbox has on its block list */
  blockedSenders: number;
  /** fraction of presentities whose agent subscribes to its own watcher information */
  watcherInfoSubscribers: number;
  /** fraction of (watcher, presentity) pairs where the watcher keeps itself out of watcher information */
  hiddenWatchers: number;
  /** a celebrity: a presentity watched by many extra subscribers (optional) */
  celebrity: { domain: string; subscribers: number } | null;
  /** buddies are picked by popularity with this Zipf exponent (0 = uniform) */
  popularity: number;
}

export interface BehaviourSpec {
  /** presence changes (publishes) per online user per hour */
  presenceChangeRate: number;
  /** instant messages sent per online user per hour */
  imRate: number;
  /** pollers fetch every pollInterval (ms) */
  pollInterval: number;
  /** fetchers fetch at this rate per online user per hour */
  fetchRate: number;
  /** requested subscription duration (ms) */
  subscriptionDuration: number;
  /** the service shortens longer requests to this (ms) */
  maxSubscriptionDuration: number;
  /** a subscriber refreshes this long before expiry (ms) */
  refreshBefore: number;
  /** lease of a publication (ms, RFC 3903 expiry; 0 = publications never expire) */
  publicationLease: number;
  /** revocations of an active subscription per online presentity per hour (RFC 2779 5.1.16) */
  revocationRate: number;
  /** mean online session length (ms); sessions and absences are exponential */
  sessionLength: number;
  /** mean time offline between sessions (ms) */
  offlineLength: number;
  /** log-in of the users offline at the start: spread over this window (ms) after loginStart; 0 = follow offlineLength */
  loginWindow: number;
  loginStart: number;
  /** fraction of log-outs that are crashes (no unsubscribe; subscriptions expire) */
  crashFraction: number;
  /** pending authorisations are decided after this delay (ms) */
  pendingDecisionDelay: Dist;
  /** fraction of pending decisions that allow */
  pendingAllowFraction: number;
  /** fraction of requests that carry bad credentials (rejected, counted) */
  authFailureFraction: number;
  /** fraction of IMs sent twice with the same message id (client retransmission) */
  duplicateFraction: number;
  /** a message for a closed inbox is stored and delivered at its next open (else it fails: closed) */
  offlineStorage: boolean;
  /** contacts per principal besides its buddies that it may send IMs to (any principal with an inbox, inbox-only ones included) */
  imContacts: number;
  /** fraction of IMs addressed to an unknown user */
  unknownRecipientFraction: number;
  /** IM body size in bytes */
  imBodyBytes: number;
}

export interface TraceSpec {
  /** record every message (for teaching); only for small runs */
  enabled: boolean;
  /** stop recording after this many messages */
  limit: number;
  /** and once the records take about this many bytes (their JSON in the report) */
  maxBytes: number;
}

/** An access link class (one-way, per principal): latency, bandwidth (Mbit/s; 0 = unlimited), loss per transmission. */
export interface AccessClassSpec {
  latency: Dist;
  bandwidthMbps: number;
  loss: number;
}

export interface AccessSpec {
  /** fraction of principals on the mobile class; the others are on the LAN class */
  mobileFraction: number;
  lan: AccessClassSpec;
  mobile: AccessClassSpec;
  /** wait before a lost transmission on an access link is sent again (ms) */
  retransmitTimeout: number;
}

export interface Scenario {
  name: string;
  /** the calibration file the scenario's `calibration:` field named (sim/scenario/calibration.ts) */
  calibration?: string;
  description: string;
  seed: number;
  /** simulated duration (ms) */
  duration: number;
  /** statistics cover (warmup, duration] (ms; 0 = the whole run) */
  warmup: number;
  domains: DomainSpec[];
  /** default latency between any two domains (ms) */
  defaultLinkLatency: Dist;
  /** overrides per ordered pair */
  links: LinkSpec[];
  /** default bandwidth of a link (Mbit/s; 0 = unlimited) */
  linkBandwidthMbps: number;
  /** default loss probability of a link */
  linkLoss: number;
  federation: FederationSpec;
  /** the client-server leg: each principal's agents reach their home server over an access link of its class */
  access: AccessSpec;
  faults: FaultSpec[];
  population: PopulationSpec;
  behaviour: BehaviourSpec;
  trace: TraceSpec;
}
