/**
 * The scenario schema as data: one table of fields per object (name, kind, unit, default, range,
 * description). The same table validates files, fills defaults, guides `--set` overrides and
 * renders the field reference in docs/scenarios.md, so the documentation cannot drift from the
 * checks.
 *
 * Validation walks the table and the raw document side by side and collects every problem as
 * `{ path, message }` (paths such as `domains[1].servers.cores`); it never stops at the first one.
 * Cross-field rules (unique domain names, links to known domains, refresh timing, ...) run after
 * the per-field pass on whatever resolved.
 */
import { OPERATIONS } from './types.js';
import type { Dist, LinkSpec, Scenario } from './types.js';
import {
  describeValue,
  formatDuration,
  formatRate,
  formatSize,
  tryParseDuration,
  tryParseFraction,
  tryParseRate,
  tryParseSize,
  type UnitResult,
} from './units.js';

export interface ScenarioProblem {
  path: string;
  message: string;
}

export interface StringNode { kind: 'string'; maxLength: number; pattern?: RegExp; patternHint?: string }
export interface IntNode { kind: 'int'; min: number; max: number }
export interface NumberNode { kind: 'number'; min: number; max: number; minExclusive?: boolean }
export interface BoolNode { kind: 'bool' }
export interface DurationNode { kind: 'duration'; min: number; max: number; minExclusive?: boolean }
export interface RateNode { kind: 'rate'; max: number }
export interface SizeNode { kind: 'size'; max: number }
export interface FractionNode { kind: 'fraction' }
/** A distribution of durations. `positive`: every draw must be > 0, and this says why. */
export interface DistNode { kind: 'dist'; max: number; positive?: string }
/** A distribution of whole counts. */
export interface CountDistNode { kind: 'countDist'; max: number }
export interface ObjectNode { kind: 'object'; fields: Field[] }
/** Named fractions that sum to 1; a key left out of a given mix is 0. */
export interface MixNode { kind: 'mix'; keys: { name: string; description: string }[] }
export interface ArrayNode { kind: 'array'; item: ObjectNode; min: number; max: number; what: string; keyField?: string }
/** An object, or null for "none". */
export interface NullableNode { kind: 'nullable'; node: ObjectNode }

export type SchemaNode =
  | StringNode
  | IntNode
  | NumberNode
  | BoolNode
  | DurationNode
  | RateNode
  | SizeNode
  | FractionNode
  | DistNode
  | CountDistNode
  | ObjectNode
  | MixNode
  | ArrayNode
  | NullableNode;

/** What a default may depend on. */
export interface DefaultContext {
  domainCount: number;
}

export interface Field {
  name: string;
  node: SchemaNode;
  description: string;
  required?: boolean;
  /** the default as a person would write it (`4/h`); it is validated like any input */
  default?: unknown;
  /** a default that depends on the rest of the document; `defaultDoc` describes it */
  defaultFn?: (ctx: DefaultContext) => unknown;
  defaultDoc?: string;
}

// ---------------------------------------------------------------------------------------------
// limits: big enough for any sensible study, small enough that a typo cannot ask for 1e12 users
export const MAX_USERS = 50_000_000;
export const MAX_DOMAINS = 1000;
export const MAX_LINK_PAIRS = 100_000;
export const MAX_BUDDIES = 100_000;
export const MAX_CELEBRITY_SUBSCRIBERS = 10_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_RUN = 366 * DAY;
const MAX_RATE = 360_000; // 100/s per user
const MAX_SIGMA = 10;
const MAX_ALPHA = 10;

const NAME_RE = /^[a-z0-9-]+$/;
/** Top-level keys with this prefix are ignored, so that files can hold YAML anchors to merge (`<<: *x`). */
export const EXTENSION_PREFIX = 'x-';
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
export const DOMAIN_NAME_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const DOMAIN_HINT = 'a DNS-like domain name of lower-case letters, digits, \'-\' and \'.\' such as "corp.example"';

const domainName: StringNode = { kind: 'string', maxLength: 253, pattern: DOMAIN_NAME_RE, patternHint: DOMAIN_HINT };
/** An SRV target: a gateway host's name, or `.` (RFC 2782: the service is not offered). */
const SRV_TARGET_RE = new RegExp(`^(?:\\.|${LABEL}(?:\\.${LABEL})*)$`);
const srvTarget: StringNode = { kind: 'string', maxLength: 253, pattern: SRV_TARGET_RE, patternHint: 'a gateway host gwN.<domain> such as "gw1.corp.example", or "." (service not offered)' };
const serviceTime: DistNode = { kind: 'dist', max: HOUR };
const LOOKAHEAD_REASON =
  'an inter-domain latency must be greater than 0: the smallest one is the lookahead of parallel runs';
const linkLatency: DistNode = { kind: 'dist', max: HOUR, positive: LOOKAHEAD_REASON };
const behaviourDuration = (min: number, max: number, minExclusive = false): DurationNode => ({
  kind: 'duration',
  min,
  max,
  minExclusive,
});
const fraction: FractionNode = { kind: 'fraction' };
const rate: RateNode = { kind: 'rate', max: MAX_RATE };

const SERVICE_TIME_DEFAULTS: Record<string, [string, string]> = {
  publish: ['1ms', 'a presentity publishes new tuples'],
  fetch: ['0.5ms', 'a watcher fetches (or polls) a presentity once'],
  subscribe: ['1ms', 'a watcher subscribes (access decision included)'],
  refresh: ['0.5ms', 'a subscriber refreshes its subscription'],
  unsubscribe: ['0.5ms', 'a subscriber ends its subscription'],
  notify: ['0.2ms', 'the service sends one notification to one subscriber'],
  watcherinfo: ['0.2ms', 'the service tells a presentity who watches it'],
  imSend: ['0.5ms', 'the sender\'s service accepts an instant message'],
  imDeliver: ['0.5ms', 'the recipient\'s service delivers an instant message to the inbox'],
  imReport: ['0.2ms', 'the sender\'s service hands a success or failure report to the sender'],
  publishRefresh: ['0.5ms', 'a presence user agent refreshes the lease of its publication (RFC 3903 refresh)'],
  revoke: ['0.5ms', 'the presentity revokes one of its active subscriptions (RFC 2779 5.1.16)'],
};

const serversNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'count', node: { kind: 'int', min: 1, max: 10_000 }, default: 1, description: 'number of servers of the domain\'s presence and IM service' },
    { name: 'cores', node: { kind: 'int', min: 1, max: 1024 }, default: 4, description: 'cores per server: parallel service units sharing that server\'s FIFO queue' },
    { name: 'queueLimit', node: { kind: 'int', min: 0, max: 1e9 }, default: 0, description: 'jobs waiting per server beyond which new jobs are rejected (overload); 0 = unlimited' },
  ],
};

const serviceTimesNode: ObjectNode = {
  kind: 'object',
  fields: OPERATIONS.map((op) => {
    const [mean, what] = SERVICE_TIME_DEFAULTS[op]!;
    return { name: op, node: serviceTime, default: { dist: 'exponential', mean }, description: `server time when ${what}` };
  }),
};

const routeNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'destination', node: domainName, required: true, description: 'requests for this domain ...' },
    { name: 'via', node: domainName, required: true, description: '... are forwarded to the gateway of this domain (static peering; overrides SRV)' },
  ],
};

const gatewayNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'count', node: { kind: 'int', min: 1, max: 1000 }, default: 1, description: 'gateway hosts, named gw1.<domain>, gw2.<domain>, ...' },
    { name: 'cores', node: { kind: 'int', min: 1, max: 1024 }, default: 4, description: 'cores per gateway host' },
    { name: 'queueLimit', node: { kind: 'int', min: 0, max: 1e9 }, default: 0, description: 'messages waiting per host beyond which new ones are refused; 0 = unlimited' },
    { name: 'serviceTime', node: serviceTime, default: { dist: 'exponential', mean: '0.3ms' }, description: 'time to translate one message to or from CPIM (each direction)' },
    {
      name: 'routes',
      node: { kind: 'array', item: routeNode, min: 0, max: 1000, what: 'routes' },
      default: [],
      description: 'static forwarding of requests for other domains; a mis-configured route makes a forwarding loop',
    },
  ],
};

const srvRecordNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'service', node: { kind: 'string', maxLength: 4, pattern: /^(pres|im)$/, patternHint: '"pres" or "im"' }, required: true, description: 'pres (presence) or im (instant messages)' },
    { name: 'target', node: srvTarget, required: true, description: 'a gateway host gwN.<domain>; one of another domain means that domain hosts this one\'s gateway (see Hosting); \'.\' as the only record of its service: the service is not offered' },
    { name: 'priority', node: { kind: 'int', min: 0, max: 65535 }, default: 10, description: 'lower is tried first (RFC 2782)' },
    { name: 'weight', node: { kind: 'int', min: 0, max: 65535 }, default: 1, description: 'share within a priority (RFC 2782 weighted choice)' },
  ],
};

const srvNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'records',
      node: { kind: 'array', item: srvRecordNode, min: 0, max: 1000, what: 'SRV records' },
      default: [],
      description: 'the records; a service without any is reached at the domain\'s own gateway (RFC 3861 address fall-back)',
    },
  ],
};

const domainNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'name', node: domainName, required: true, description: 'the domain\'s DNS name; unique in the scenario' },
    { name: 'users', node: { kind: 'int', min: 1, max: MAX_USERS }, required: true, description: 'principals (users) of the domain' },
    { name: 'presence', node: { kind: 'bool' }, default: true, description: 'the domain runs a presence service (RFC 2779 2.1.1: either service may be off)' },
    { name: 'im', node: { kind: 'bool' }, default: true, description: 'the domain runs an instant messaging service' },
    { name: 'servers', node: serversNode, default: {}, description: 'the server pool of the domain\'s service' },
    { name: 'serviceTimes', node: serviceTimesNode, default: {}, description: 'service time per operation; give any subset, the rest keep their defaults' },
    { name: 'gateway', node: gatewayNode, default: {}, description: 'the CPIM gateways at the domain\'s boundary (every message to or from another domain crosses one)' },
    {
      name: 'srv',
      node: { kind: 'nullable', node: srvNode },
      default: null,
      description: 'the domain\'s SRV records; null = one record (priority 10, weight 1) per own gateway host for each service',
    },
  ],
};

const linkPairNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'from', node: domainName, required: true, description: 'sending domain' },
    { name: 'to', node: domainName, required: true, description: 'receiving domain' },
    { name: 'latency', node: linkLatency, required: true, description: 'one-way latency from `from` to `to`' },
    { name: 'bandwidthMbps', node: { kind: 'number', min: 0, max: 1e6 }, default: 0, description: 'bandwidth in Mbit/s; 0 = links.bandwidthMbps' },
    { name: 'loss', node: fraction, default: 0, description: 'loss probability per transmission; 0 = links.loss' },
    { name: 'symmetric', node: { kind: 'bool' }, default: true, description: 'also apply the latency to the pair to -> from' },
  ],
};

const linksNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'default',
      node: linkLatency,
      default: { dist: 'lognormal', median: '30ms', sigma: 0.25 },
      description: 'one-way latency between any two domains without their own pair (Scenario.defaultLinkLatency); the model clamps exponential draws below at 10% of the mean, lognormal draws at median x max(0.1, exp(-3 sigma))',
    },
    {
      name: 'pairs',
      node: { kind: 'array', item: linkPairNode, min: 0, max: MAX_LINK_PAIRS, what: 'link pairs' },
      default: [],
      description: 'latencies of particular ordered domain pairs',
    },
    { name: 'bandwidthMbps', node: { kind: 'number', min: 0, max: 1e6 }, default: 0, description: 'bandwidth of every link in Mbit/s (a message\'s bytes take time; queues form when saturated); 0 = unlimited' },
    { name: 'loss', node: fraction, default: 0, description: 'loss probability of each transmission on every link (lost messages are retransmitted)' },
  ],
};

const accessClass = (latency: unknown, bandwidthMbps: number, loss: number, what: string): ObjectNode => ({
  kind: 'object',
  fields: [
    { name: 'latency', node: { kind: 'dist', max: HOUR }, default: latency, description: `one-way latency of a ${what} access link` },
    { name: 'bandwidthMbps', node: { kind: 'number', min: 0, max: 1e6 }, default: bandwidthMbps, description: `bandwidth of a ${what} access link in Mbit/s (a message's bytes take time); 0 = unlimited` },
    { name: 'loss', node: { kind: 'number', min: 0, max: 0.9 }, default: loss, description: `loss probability of each transmission on a ${what} access link (lost ones are sent again)` },
  ],
});

const accessNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'mobileFraction', node: fraction, default: 0, description: 'fraction of principals whose agents are on the mobile class (decided per principal); the others are on the LAN class' },
    { name: 'lan', node: accessClass({ dist: 'fixed', value: '0.2ms' }, 1000, 0, 'LAN'), default: {}, description: 'the LAN access class' },
    { name: 'mobile', node: accessClass({ dist: 'lognormal', median: '60ms', sigma: 0.5 }, 2, 0.01, 'mobile'), default: {}, description: 'the mobile access class (RFC 2779 section 2: high latency, low bandwidth)' },
    { name: 'retransmitTimeout', node: behaviourDuration(0, HOUR, true), default: '1s', description: 'wait before a transmission lost on an access link is sent again' },
  ],
};

const visibilityClassNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'name', node: { kind: 'string', maxLength: 32, pattern: NAME_RE, patternHint: 'a name of lower-case letters, digits and \'-\' such as "co-workers"' }, required: true, description: 'the class, as the trace and the inspector name it' },
    { name: 'share', node: fraction, required: true, description: 'share of the pairs it applies to that get this class (a deterministic draw per pair)' },
    { name: 'among', node: { kind: 'string', maxLength: 16, pattern: /^(any|same-domain|other-domain)$/, patternHint: 'any, same-domain or other-domain' }, default: 'any', description: 'the pairs it applies to: watcher and presentity in the same domain, in different domains, or any' },
    { name: 'activity', node: { kind: 'bool' }, default: false, description: 'sees the extended status (available, away, busy, on-the-phone)' },
    { name: 'note', node: { kind: 'bool' }, default: false, description: 'sees the note' },
    { name: 'contact', node: { kind: 'bool' }, default: false, description: 'sees the contact address and its priority' },
  ],
};

const federationNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'protocolLabel',
      node: { kind: 'string', maxLength: 32, pattern: /^_[a-z0-9-]+$/, patternHint: 'an SRV protocol label such as "_tcp"' },
      default: '_tcp',
      description: 'SRV protocol label: records are named _pres.<label>.<domain> and _im.<label>.<domain> (RFC 3861); the trace names the record when an instant message finds no usable target',
    },
    { name: 'srvTtl', node: behaviourDuration(0, MAX_RUN, true), default: '1h', description: 'how long a resolver caches an SRV answer' },
    { name: 'resolverTime', node: { kind: 'dist', max: HOUR }, default: { dist: 'exponential', mean: '20ms' }, description: 'time a resolver cache miss costs (the request waits for it)' },
    { name: 'maxForwards', node: { kind: 'int', min: 1, max: 1023 }, default: 128, description: 'hop budget of a request crossing gateways (RFC 3860 MaxForwards, whose initial value is recommended over 100); at 0 it is rejected as a loop' },
    { name: 'spoofFraction', node: fraction, default: 0, description: 'fraction of principals who are forgers: their requests to other domains claim an identity of another domain, and the receiving gateway, checking the claim against the peer it came from, rejects them' },
    { name: 'transactionTimeout', node: behaviourDuration(0, MAX_RUN, true), default: '1h', description: 'a CPIM transaction (TransID) that a gateway opened and that is not answered within this time is closed; a later response is refused as unmatched' },
    { name: 'forgedNotifyRate', node: rate, default: 0, description: 'forged notifications per forger per hour: each claims a presentity of a domain its own gateway does not serve, towards a watcher of a third domain, whose gateway refuses it (RFC 2779 5.1.1, 5.2.4)' },
    { name: 'thirdPartyRate', node: rate, default: 0, description: 'third-party subscribes and cancels per forger per hour: each claims a watcher other than the forger, and the forger\'s home server refuses it (RFC 2779 5.1.6, 5.1.8)' },
    { name: 'retransmitTimeout', node: behaviourDuration(0, HOUR, true), default: '500ms', description: 'a lost transmission is sent again after this' },
    { name: 'maxRetransmits', node: { kind: 'int', min: 0, max: 100 }, default: 4, description: 'retransmissions before a request or notification fails to cross (responses and reports keep trying)' },
    { name: 'imRetries', node: { kind: 'int', min: 0, max: 100 }, default: 0, description: 'an instant message that fails to cross is retried this often before a failure report (0 = report at once)' },
    { name: 'retryBackoff', node: behaviourDuration(0, HOUR, true), default: '5s', description: 'first delay before an IM retry or a resubscription; doubles each time, at most 5 min' },
    { name: 'notifyMinInterval', node: behaviourDuration(0, DAY), default: 0, description: 'saving option: minimum time between two notifications to one watcher; the latest state wins (0 = off)' },
    { name: 'listSubscriptions', node: { kind: 'bool' }, default: false, description: 'saving option: one list subscription per presentity and watcher domain across a boundary (RFC 4662 style); the watcher\'s gateway fans out' },
    { name: 'partialNotifications', node: { kind: 'bool' }, default: false, description: 'saving option: a notification carries only the changed tuple' },
  ],
};

const faultNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'kind',
      node: { kind: 'string', maxLength: 16, pattern: /^(gatewayDown|linkDown|slowLink|serverCrash)$/, patternHint: 'gatewayDown, linkDown, slowLink or serverCrash' },
      required: true,
      description: 'gatewayDown / serverCrash (of `domain`), linkDown / slowLink (between `from` and `to`, both directions)',
    },
    { name: 'domain', node: { kind: 'string', maxLength: 253 }, default: '', description: 'the domain (gatewayDown, serverCrash)' },
    { name: 'from', node: { kind: 'string', maxLength: 253 }, default: '', description: 'one end of the link (linkDown, slowLink)' },
    { name: 'to', node: { kind: 'string', maxLength: 253 }, default: '', description: 'the other end of the link' },
    { name: 'at', node: behaviourDuration(0, MAX_RUN), required: true, description: 'start of the fault (simulated time)' },
    { name: 'duration', node: behaviourDuration(0, MAX_RUN, true), required: true, description: 'how long it lasts' },
    { name: 'factor', node: { kind: 'number', min: 1, max: 1000 }, default: 10, description: 'slowLink: latency multiplier' },
  ],
};

const celebrityNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'domain', node: domainName, required: true, description: 'domain of the celebrity presentity (its first user)' },
    {
      name: 'subscribers',
      node: { kind: 'int', min: 1, max: MAX_CELEBRITY_SUBSCRIBERS },
      required: true,
      description: 'extra subscriber principals that the model adds to the other domains in proportion to their size (to the celebrity\'s own domain when it is the only one); not counted in users',
    },
  ],
};

const populationNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'buddies',
      node: { kind: 'countDist', max: MAX_BUDDIES },
      default: { dist: 'powerlaw', min: 3, max: 200, alpha: 2.2 },
      description: 'buddy-list size per user (presentities it watches and may message)',
    },
    {
      name: 'federatedFraction',
      node: fraction,
      defaultFn: (ctx) => (ctx.domainCount > 1 ? 0.2 : 0),
      defaultDoc: '0.2 with several domains, else 0',
      description: 'each buddy is in another domain (chosen by size) with this probability, else in the user\'s own domain; see Buddy lists',
    },
    {
      name: 'principals',
      node: {
        kind: 'mix',
        keys: [
          { name: 'both', description: 'principals with a presentity and an inbox' },
          { name: 'presentityOnly', description: 'principals with a presentity only (no IM)' },
          { name: 'inboxOnly', description: 'principals with an inbox only (no presence)' },
        ],
      },
      default: { both: 0.96, presentityOnly: 0.02, inboxOnly: 0.02 },
      description: 'principal kinds (RFC 2779 2.1.2)',
    },
    {
      name: 'watchers',
      node: {
        kind: 'mix',
        keys: [
          { name: 'subscriber', description: 'watchers that subscribe and receive notifications' },
          { name: 'poller', description: 'watchers that fetch every pollInterval' },
          { name: 'fetcher', description: 'watchers that fetch now and then (fetchRate)' },
        ],
      },
      default: { subscriber: 0.9, poller: 0.05, fetcher: 0.05 },
      description: 'watcher kinds',
    },
    {
      name: 'access',
      node: {
        kind: 'mix',
        keys: [
          { name: 'allow', description: 'the presentity lets the watcher see it' },
          { name: 'deny', description: 'the watcher is refused and told so' },
          { name: 'politeBlock', description: 'the watcher is refused but sees a plausible status' },
          { name: 'pending', description: 'the presentity decides later (pendingDecisionDelay)' },
        ],
      },
      default: { allow: 0.9, deny: 0.03, politeBlock: 0.03, pending: 0.04 },
      description: 'access rule of a (presentity, watcher) pair',
    },
    {
      name: 'visibility',
      node: {
        kind: 'mix',
        keys: [
          { name: 'full', description: 'the watcher sees every tuple' },
          { name: 'firstTupleOnly', description: 'the watcher sees only the first (public) tuple' },
        ],
      },
      default: { full: 0.8, firstTupleOnly: 0.2 },
      description: 'visibility class of an allowed pair',
    },
    { name: 'classes', node: { kind: 'array', item: visibilityClassNode, min: 0, max: 7, what: 'visibility classes', keyField: 'name' }, default: [], description: 'named visibility classes (RFC 2779 2.3.3): what of each tuple a watcher of the class sees besides its basic status; a pair no class takes sees every field' },
    { name: 'tuples', node: { kind: 'int', min: 1, max: 8 }, default: 2, description: 'tuples per presentity' },
    { name: 'online', node: fraction, default: 0.7, description: 'fraction of users online at the start' },
    { name: 'blockedSenders', node: fraction, default: 0.01, description: 'fraction of IM senders that each inbox has on its block list' },
    {
      name: 'watcherInfoSubscribers',
      node: fraction,
      default: 0,
      description: 'fraction of presentities whose agent subscribes to its own watcher information (RFC 3857): each change of a watcher\'s standing is sent to it while it is online',
    },
    { name: 'hiddenWatchers', node: fraction, default: 0, description: 'fraction of (watcher, presentity) pairs where the watcher keeps itself out of the presentity\'s watcher information (RFC 2778 2.4)' },
    {
      name: 'celebrity',
      node: { kind: 'nullable', node: celebrityNode },
      default: null,
      description: 'a presentity watched by many extra subscribers; null = none',
    },
    { name: 'popularity', node: { kind: 'number', min: 0, max: 10 }, default: 0.8, description: 'Zipf exponent of buddy choice by popularity (0 = uniform)' },
  ],
};

const behaviourNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'presenceChangeRate', node: rate, default: '4/h', description: 'presence changes (publishes) per online user' },
    { name: 'imRate', node: rate, default: '2/h', description: 'instant messages sent per online user' },
    { name: 'pollInterval', node: behaviourDuration(0, 30 * DAY, true), default: '5min', description: 'pollers fetch this often' },
    { name: 'fetchRate', node: rate, default: '1/h', description: 'fetches per online fetcher' },
    { name: 'subscriptionDuration', node: behaviourDuration(0, 30 * DAY, true), default: '1h', description: 'subscription duration that subscribers request' },
    { name: 'maxSubscriptionDuration', node: behaviourDuration(0, 30 * DAY, true), default: '1h', description: 'the service shortens longer requests to this' },
    { name: 'refreshBefore', node: behaviourDuration(0, 30 * DAY), default: '1min', description: 'a subscriber refreshes this long before expiry; less than the granted duration' },
    {
      name: 'publicationLease',
      node: behaviourDuration(0, 30 * DAY),
      default: '1h',
      description:
        'lease of a publication (RFC 3903 expiry): the agent refreshes it refreshBefore ahead (at half the lease when that is shorter); a crashed agent\'s tuples close when it runs out; 0 = publications never expire',
    },
    {
      name: 'revocationRate',
      node: rate,
      default: 0,
      description: 'an online presentity revokes one of its active subscriptions this often (RFC 2779 5.1.16); the watcher is told and is refused from then on',
    },
    { name: 'sessionLength', node: behaviourDuration(0, MAX_RUN, true), default: '2h', description: 'mean online session (exponential)' },
    { name: 'offlineLength', node: behaviourDuration(0, MAX_RUN, true), default: '1h', description: 'mean time offline between sessions (exponential)' },
    { name: 'loginWindow', node: behaviourDuration(0, MAX_RUN), default: 0, description: 'users offline at the start log in spread over this window after loginStart; 0 = they follow offlineLength' },
    { name: 'loginStart', node: behaviourDuration(0, MAX_RUN), default: 0, description: 'start of the login window' },
    { name: 'crashFraction', node: fraction, default: 0.05, description: 'fraction of log-outs that are crashes (no unsubscribe; subscriptions expire)' },
    {
      name: 'pendingDecisionDelay',
      node: { kind: 'dist', max: 30 * DAY },
      default: { dist: 'exponential', mean: '2min' },
      description: 'think time of the presentity\'s agent on a pending authorisation; it decides only while online (a request that finds it offline is decided after its next log-in)',
    },
    { name: 'pendingAllowFraction', node: fraction, default: 0.7, description: 'fraction of pending decisions that allow' },
    { name: 'authFailureFraction', node: fraction, default: 0.001, description: 'fraction of principals whose credentials are wrong: every request they make fails authentication (rejected, counted)' },
    { name: 'duplicateFraction', node: fraction, default: 0.002, description: 'fraction of IMs sent twice with the same message id (client retransmission)' },
    { name: 'unknownRecipientFraction', node: fraction, default: 0.005, description: 'fraction of IMs addressed to an unknown user' },
    {
      name: 'imContacts',
      node: { kind: 'int', min: 0, max: 10_000 },
      default: 0,
      description: 'contacts per principal besides its buddies that it sends IMs to (drawn per principal from the whole population, inbox-only principals included; a sender picks uniformly among buddies and contacts)',
    },
    { name: 'offlineStorage', node: { kind: 'bool' }, default: false, description: 'a message for a closed inbox is stored by the recipient\'s service and delivered when the inbox next opens (store-and-forward); without it the message fails as closed' },
    { name: 'imBodyBytes', node: { kind: 'size', max: 16 * 1024 * 1024 }, default: '120B', description: 'IM body size' },
  ],
};

const traceNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'enabled', node: { kind: 'bool' }, default: false, description: 'record every message (for teaching); only for small runs' },
    { name: 'limit', node: { kind: 'int', min: 1, max: 10_000_000 }, default: 2000, description: 'stop recording after this many messages' },
    {
      name: 'maxBytes',
      node: { kind: 'size', max: 256 * 1024 * 1024 },
      default: '16MiB',
      description: 'stop recording once the records take about this many bytes in the report (each record counted by the length of its JSON, within a few per cent)',
    },
  ],
};

/** The whole scenario document. */
export const SCENARIO_SCHEMA: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'name',
      node: { kind: 'string', maxLength: 64, pattern: NAME_RE, patternHint: 'a name of lower-case letters, digits and \'-\' such as "office"' },
      required: true,
      description: 'scenario name',
    },
    { name: 'description', node: { kind: 'string', maxLength: 4000 }, default: '', description: 'what the scenario shows and for whom' },
    { name: 'seed', node: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER }, default: 1, description: 'random seed; the same seed gives the same run' },
    { name: 'duration', node: { kind: 'duration', min: 0, max: MAX_RUN, minExclusive: true }, required: true, description: 'simulated time' },
    {
      name: 'warmup',
      node: { kind: 'duration', min: 0, max: MAX_RUN },
      default: 0,
      description: 'measure from this time on: the report\'s counts, latencies, utilisation and rates cover (warmup, duration] only (the log-in burst of the start left out); must be less than duration',
    },
    {
      name: 'domains',
      node: { kind: 'array', item: domainNode, min: 1, max: MAX_DOMAINS, what: 'domains', keyField: 'name' },
      required: true,
      description: 'the domains; each is a presence/IM service with its users',
    },
    { name: 'links', node: linksNode, default: {}, description: 'latencies, bandwidth and loss between domains' },
    { name: 'federation', node: federationNode, default: {}, description: 'CPIM federation: SRV resolution, hop limits, retransmission and recovery, saving options' },
    { name: 'access', node: accessNode, default: {}, description: 'the client-server leg (RFC 2779 section 2): the access link from each principal\'s agents to its home server; notification and IM latency include it' },
    {
      name: 'faults',
      node: { kind: 'array', item: faultNode, min: 0, max: 1000, what: 'faults' },
      default: [],
      description: 'scheduled faults: gateways down, links partitioned or slow, servers crashing (and their recovery)',
    },
    { name: 'population', node: populationNode, default: {}, description: 'who the users are and whom they watch' },
    { name: 'behaviour', node: behaviourNode, default: {}, description: 'what users do and how the services answer' },
    { name: 'trace', node: traceNode, default: {}, description: 'message trace for teaching' },
  ],
};

// ---------------------------------------------------------------------------------------------
// helpers

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const row = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to `word`, if close enough to be a likely typo (or `word` is a prefix of it). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length === 0 || word.length > 64) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3))) return best;
  if (word.length >= 2) return candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase()));
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

export function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** 50000000 -> "50,000,000" (no locale involved). */
export function formatCount(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) < 10_000) return String(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A raw (YAML-form) value as a person would write it in flow style. */
export function renderRaw(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v === '' ? '""' : /^[\w./%:@-]+$/.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(renderRaw).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${renderRaw(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

function quoteList(names: readonly string[]): string {
  return names.join(', ');
}

// ---------------------------------------------------------------------------------------------
// the per-field pass

const BAD: unique symbol = Symbol('invalid');
type Out = unknown; // a resolved value or BAD

interface VCtx extends DefaultContext {
  errors: ScenarioProblem[];
}

/** Suggestions cost an edit distance per candidate: stop offering them once a file is hopeless. */
const SUGGESTION_BUDGET = 200;
function hint(ctx: VCtx, word: string, candidates: readonly string[]): string | undefined {
  return ctx.errors.length < SUGGESTION_BUDGET ? suggest(word, candidates) : undefined;
}

function problem(ctx: VCtx, path: string, message: string): typeof BAD {
  ctx.errors.push({ path, message });
  return BAD;
}

function unit(ctx: VCtx, path: string, r: UnitResult): number | typeof BAD {
  return r.ok ? r.value : problem(ctx, path, r.message);
}

function rangeCheck(
  ctx: VCtx,
  path: string,
  value: number,
  given: unknown,
  min: number,
  max: number,
  minExclusive: boolean,
  show: (x: number) => string,
  what: string,
): number | typeof BAD {
  if (minExclusive ? value <= min : value < min) {
    return problem(ctx, path, `${what} must be ${minExclusive ? 'greater than' : 'at least'} ${show(min)}, got ${describeValue(given)}`);
  }
  if (value > max) return problem(ctx, path, `${what} must be at most ${show(max)}, got ${describeValue(given)}`);
  return value;
}

function validateInt(ctx: VCtx, path: string, raw: unknown, min: number, max: number): number | typeof BAD {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    return problem(ctx, path, `expected a whole number from ${formatCount(min)} to ${formatCount(max)}, got ${describeValue(raw)}`);
  }
  return raw;
}

function validateNumber(ctx: VCtx, path: string, raw: unknown, min: number, max: number, minExclusive = false): number | typeof BAD {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    return problem(ctx, path, `expected a number, got ${describeValue(raw)}`);
  }
  return rangeCheck(ctx, path, raw, raw, min, max, minExclusive, String, 'the value');
}

function validateDuration(ctx: VCtx, path: string, raw: unknown, node: Omit<DurationNode, 'kind'>): number | typeof BAD {
  const v = unit(ctx, path, tryParseDuration(raw));
  if (v === BAD) return BAD;
  return rangeCheck(ctx, path, v, raw, node.min, node.max, node.minExclusive ?? false, formatDuration, 'the duration');
}

const DIST_FIELDS: Record<string, readonly string[]> = {
  fixed: ['value'],
  exponential: ['mean'],
  lognormal: ['median', 'sigma'],
  uniform: ['min', 'max'],
};
const COUNT_DIST_FIELDS: Record<string, readonly string[]> = {
  fixed: ['value'],
  powerlaw: ['min', 'max', 'alpha'],
  uniform: ['min', 'max'],
};
/** Every field any distribution takes (for `--set a.b.mean=2ms`). */
export const DIST_KEYS = ['dist', 'value', 'mean', 'median', 'sigma', 'min', 'max'] as const;
export const COUNT_DIST_KEYS = ['dist', 'value', 'min', 'max', 'alpha'] as const;

/** Checks the `dist:` tag and the field set of a distribution object; returns the kind or BAD. */
function distShape(
  ctx: VCtx,
  path: string,
  raw: Record<string, unknown>,
  table: Record<string, readonly string[]>,
  article: string,
): string | typeof BAD {
  const kinds = Object.keys(table);
  if (!hasOwn(raw, 'dist')) {
    return problem(ctx, joinPath(path, 'dist'), `missing field 'dist': say which distribution (${quoteList(kinds)})`);
  }
  const kind = raw.dist;
  if (typeof kind !== 'string' || !hasOwn(table, kind)) {
    const s = typeof kind === 'string' ? hint(ctx, kind, kinds) : undefined;
    return problem(
      ctx,
      joinPath(path, 'dist'),
      `unknown ${article} distribution ${describeValue(kind)}; expected one of ${quoteList(kinds)}${s ? `; did you mean '${s}'?` : ''}`,
    );
  }
  const takes = table[kind]!;
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (key === 'dist' || takes.includes(key)) continue;
    const s = hint(ctx, key, takes);
    problem(ctx, joinPath(path, key), `unknown field '${key}' for ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} distribution (it takes ${quoteList(takes)})${s ? `; did you mean '${s}'?` : ''}`);
    ok = false;
  }
  for (const key of takes) {
    if (!hasOwn(raw, key)) {
      problem(ctx, joinPath(path, key), `missing field '${key}' of the ${kind} distribution`);
      ok = false;
    }
  }
  return ok ? kind : BAD;
}

function validateDist(ctx: VCtx, path: string, raw: unknown, node: DistNode): Dist | typeof BAD {
  const positive = node.positive;
  const dur = (p: string, v: unknown, min = 0, minExclusive = false): number | typeof BAD =>
    validateDuration(ctx, p, v, { min, max: node.max, minExclusive });
  const mustBePositive = (p: string, v: number | typeof BAD): number | typeof BAD =>
    v !== BAD && positive !== undefined && v <= 0 ? problem(ctx, p, `${positive}; got 0`) : v;

  if (typeof raw === 'number' || typeof raw === 'string') {
    const value = mustBePositive(path, dur(path, raw));
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  if (!isPlainObject(raw)) {
    return problem(
      ctx,
      path,
      `expected a duration like "2ms" or a distribution like {dist: exponential, mean: 2ms}, got ${describeValue(raw)}`,
    );
  }
  const kind = distShape(ctx, path, raw, DIST_FIELDS, 'duration');
  if (kind === BAD) return BAD;
  switch (kind) {
    case 'fixed': {
      const value = mustBePositive(joinPath(path, 'value'), dur(joinPath(path, 'value'), raw.value));
      return value === BAD ? BAD : { dist: 'fixed', value };
    }
    case 'exponential': {
      const mean = dur(joinPath(path, 'mean'), raw.mean, 0, true);
      return mean === BAD ? BAD : { dist: 'exponential', mean };
    }
    case 'lognormal': {
      const median = dur(joinPath(path, 'median'), raw.median, 0, true);
      const sigma = validateNumber(ctx, joinPath(path, 'sigma'), raw.sigma, 0, MAX_SIGMA);
      return median === BAD || sigma === BAD ? BAD : { dist: 'lognormal', median, sigma };
    }
    default: {
      const min = mustBePositive(joinPath(path, 'min'), dur(joinPath(path, 'min'), raw.min));
      const max = dur(joinPath(path, 'max'), raw.max);
      if (min === BAD || max === BAD) return BAD;
      if (min > max) return problem(ctx, joinPath(path, 'max'), `max (${formatDuration(max)}) must not be less than min (${formatDuration(min)})`);
      return { dist: 'uniform', min, max };
    }
  }
}

type CountDistOut =
  | { dist: 'fixed'; value: number }
  | { dist: 'powerlaw'; min: number; max: number; alpha: number }
  | { dist: 'uniform'; min: number; max: number };

function validateCountDist(ctx: VCtx, path: string, raw: unknown, node: CountDistNode): CountDistOut | typeof BAD {
  if (typeof raw === 'number') {
    const value = validateInt(ctx, path, raw, 0, node.max);
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  if (!isPlainObject(raw)) {
    return problem(
      ctx,
      path,
      `expected a whole number or a distribution like {dist: powerlaw, min: 3, max: 200, alpha: 2.2}, got ${describeValue(raw)}`,
    );
  }
  const kind = distShape(ctx, path, raw, COUNT_DIST_FIELDS, 'count');
  if (kind === BAD) return BAD;
  if (kind === 'fixed') {
    const value = validateInt(ctx, joinPath(path, 'value'), raw.value, 0, node.max);
    return value === BAD ? BAD : { dist: 'fixed', value };
  }
  const min = validateInt(ctx, joinPath(path, 'min'), raw.min, kind === 'powerlaw' ? 1 : 0, node.max);
  const max = validateInt(ctx, joinPath(path, 'max'), raw.max, kind === 'powerlaw' ? 1 : 0, node.max);
  const alpha = kind === 'powerlaw' ? validateNumber(ctx, joinPath(path, 'alpha'), raw.alpha, 0, MAX_ALPHA, true) : 0;
  if (min === BAD || max === BAD || alpha === BAD) return BAD;
  if (min > max) return problem(ctx, joinPath(path, 'max'), `max (${max}) must not be less than min (${min})`);
  return kind === 'powerlaw' ? { dist: 'powerlaw', min, max, alpha } : { dist: 'uniform', min, max };
}

const SUM_TOLERANCE = 1e-6;

function validateMix(ctx: VCtx, path: string, raw: unknown, node: MixNode): Record<string, number> | typeof BAD {
  const names = node.keys.map((k) => k.name);
  if (!isPlainObject(raw)) {
    return problem(ctx, path, `expected a mapping of fractions (${quoteList(names)}) that sum to 1, got ${describeValue(raw)}`);
  }
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (names.includes(key)) continue;
    const s = hint(ctx, key, names);
    problem(ctx, joinPath(path, key), `unknown field '${key}' in ${path}${s ? `; did you mean '${s}'?` : ''} (fields: ${quoteList(names)})`);
    ok = false;
  }
  const out: Record<string, number> = {};
  let sum = 0;
  for (const name of names) {
    if (!hasOwn(raw, name)) {
      out[name] = 0;
      continue;
    }
    const v = unit(ctx, joinPath(path, name), tryParseFraction(raw[name]));
    if (v === BAD) ok = false;
    else {
      out[name] = v;
      sum += v;
    }
  }
  if (!ok) return BAD;
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    const terms = names.map((n) => `${n} ${out[n]}`).join(' + ');
    return problem(ctx, path, `the fractions must sum to 1, but ${terms} = ${Number(sum.toPrecision(12))}`);
  }
  return out;
}

function defaultOf(field: Field, ctx: DefaultContext): unknown {
  return field.defaultFn ? field.defaultFn(ctx) : field.default;
}

/** Validates the fields of `raw` into `out` (only those that resolve); returns whether all did. */
function validateFields(ctx: VCtx, path: string, raw: Record<string, unknown>, node: ObjectNode, out: Record<string, unknown>): boolean {
  const names = node.fields.map((f) => f.name);
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (names.includes(key)) continue;
    // top-level `x-...` keys are ignored: a place for YAML anchors (`x-server: &big {...}`)
    if (path === '' && key.startsWith(EXTENSION_PREFIX)) continue;
    const s = hint(ctx, key, names);
    const where = path === '' ? 'at the top level' : `in ${path}`;
    problem(ctx, joinPath(path, key), `unknown field '${key}' ${where}; ${s ? `did you mean '${s}'?` : `expected one of ${quoteList(names)}`}`);
    ok = false;
  }
  for (const field of node.fields) {
    const p = joinPath(path, field.name);
    let value: unknown;
    if (hasOwn(raw, field.name)) {
      const given = raw[field.name];
      if (given === null && field.node.kind !== 'nullable') {
        value = problem(ctx, p, `${field.name} is empty (null); give a value${field.required ? '' : ' or leave the field out for its default'}`);
      } else {
        value = validateNode(ctx, p, given, field.node);
      }
    } else if (field.required) {
      value = problem(ctx, p, `missing required field '${field.name}' (${field.description})`);
    } else {
      value = validateNode(ctx, p, defaultOf(field, ctx), field.node);
    }
    if (value === BAD) ok = false;
    else out[field.name] = value;
  }
  return ok;
}

function validateObject(ctx: VCtx, path: string, raw: unknown, node: ObjectNode): Record<string, unknown> | typeof BAD {
  if (!isPlainObject(raw)) {
    return problem(ctx, path, `expected a mapping with fields ${quoteList(node.fields.map((f) => f.name))}, got ${describeValue(raw)}`);
  }
  const out: Record<string, unknown> = {};
  return validateFields(ctx, path, raw, node, out) ? out : BAD;
}

function validateNode(ctx: VCtx, path: string, raw: unknown, node: SchemaNode): Out {
  switch (node.kind) {
    case 'string': {
      if (typeof raw !== 'string') return problem(ctx, path, `expected ${node.patternHint ?? 'a string'}, got ${describeValue(raw)}`);
      if (raw.length > node.maxLength) return problem(ctx, path, `expected at most ${node.maxLength} characters, got ${raw.length}`);
      if (node.pattern && !node.pattern.test(raw)) {
        const lower = raw.toLowerCase();
        const caseHint = lower !== raw && node.pattern.test(lower) ? ` (lower case: write "${lower}")` : '';
        return problem(ctx, path, `expected ${node.patternHint ?? `a string matching ${node.pattern}`}, got ${describeValue(raw)}${caseHint}`);
      }
      return raw;
    }
    case 'int':
      return validateInt(ctx, path, raw, node.min, node.max);
    case 'number':
      return validateNumber(ctx, path, raw, node.min, node.max, node.minExclusive);
    case 'bool':
      return typeof raw === 'boolean' ? raw : problem(ctx, path, `expected true or false, got ${describeValue(raw)}`);
    case 'duration':
      return validateDuration(ctx, path, raw, node);
    case 'rate': {
      const v = unit(ctx, path, tryParseRate(raw));
      return v === BAD ? BAD : rangeCheck(ctx, path, v, raw, 0, node.max, false, formatRate, 'the rate');
    }
    case 'size': {
      const v = unit(ctx, path, tryParseSize(raw));
      return v === BAD ? BAD : rangeCheck(ctx, path, v, raw, 0, node.max, false, formatSize, 'the size');
    }
    case 'fraction':
      return unit(ctx, path, tryParseFraction(raw));
    case 'dist':
      return validateDist(ctx, path, raw, node);
    case 'countDist':
      return validateCountDist(ctx, path, raw, node);
    case 'mix':
      return validateMix(ctx, path, raw, node);
    case 'object':
      return validateObject(ctx, path, raw, node);
    case 'nullable':
      return raw === null ? null : validateObject(ctx, path, raw, node.node);
    case 'array': {
      if (!Array.isArray(raw)) return problem(ctx, path, `expected a list of ${node.what}, got ${describeValue(raw)}`);
      if (raw.length < node.min || raw.length > node.max) {
        return problem(ctx, path, `expected ${formatCount(node.min)} to ${formatCount(node.max)} ${node.what}, got ${formatCount(raw.length)}`);
      }
      const out: unknown[] = [];
      let ok = true;
      for (let i = 0; i < raw.length; i++) {
        const v = validateObject(ctx, `${path}[${i}]`, raw[i], node.item);
        if (v === BAD) ok = false;
        out.push(v);
      }
      return ok ? out : BAD;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// cross-field rules, on whatever resolved (a part that failed above is skipped)

type Tree = Record<string, unknown>;
type ResolvedDomain = { name: string; users: number; presence: boolean };
type ResolvedPair = { from: string; to: string; symmetric: boolean };

function part<T>(tree: Tree, key: string): T | undefined {
  const v = tree[key];
  return v === undefined ? undefined : (v as T);
}

function crossCheck(ctx: VCtx, raw: Record<string, unknown>, tree: Tree): void {
  const domains = part<ResolvedDomain[]>(tree, 'domains');
  const links = part<{ pairs: ResolvedPair[] }>(tree, 'links');
  const population = part<{ buddies: CountDistOut; federatedFraction: number; celebrity: { domain: string; subscribers: number } | null }>(
    tree,
    'population',
  );
  const behaviour = part<Record<string, number>>(tree, 'behaviour');
  const classes = (part<{ classes?: { share: number; among: string }[] }>(tree, 'population')?.classes ?? []);
  for (const side of ['same-domain', 'other-domain']) {
    const sum = classes.reduce((n, c) => n + (c.among === 'any' || c.among === side ? c.share : 0), 0);
    if (sum > 1 + 1e-9) problem(ctx, 'population.classes', `the shares of the classes that apply to ${side} pairs add up to ${+sum.toFixed(6)}; at most 1`);
  }
  const duration = part<number>(tree, 'duration');
  const warmup = part<number>(tree, 'warmup');
  if (duration !== undefined && warmup !== undefined && warmup >= duration) {
    problem(ctx, 'warmup', `must be less than duration (${formatDuration(duration)}), got ${formatDuration(warmup)}`);
  }

  // Domain names come from the raw list, so that links are checked even when some other field
  // of a domain is wrong (a name that is itself invalid was reported above).
  const rawDomains = hasOwn(raw, 'domains') && Array.isArray(raw.domains) ? (raw.domains as unknown[]) : undefined;
  const byName = new Map<string, number>();
  rawDomains?.forEach((d, i) => {
    const name = isPlainObject(d) && typeof d.name === 'string' ? d.name : undefined;
    if (name === undefined) return;
    const first = byName.get(name);
    if (first !== undefined) problem(ctx, `domains[${i}].name`, `duplicate domain name '${name}' (also domains[${first}].name)`);
    else byName.set(name, i);
  });
  if (domains) {
    let total = 0;
    for (const d of domains) total += d.users;
    if (total > MAX_USERS) {
      problem(ctx, 'domains', `the domains have ${formatCount(total)} users in all; at most ${formatCount(MAX_USERS)} are allowed`);
    }
    if (population) {
      const celeb = population.celebrity;
      if (celeb && total + celeb.subscribers > MAX_USERS) {
        problem(
          ctx,
          'population.celebrity.subscribers',
          `users plus celebrity subscribers come to ${formatCount(total + celeb.subscribers)}; at most ${formatCount(MAX_USERS)} are allowed`,
        );
      }
      const b = population.buddies;
      const least = b.dist === 'fixed' ? b.value : b.min;
      if (least > total - 1) {
        problem(
          ctx,
          b.dist === 'fixed' ? 'population.buddies' : 'population.buddies.min',
          `a user needs at least ${least} buddies but there are only ${total - 1} other users`,
        );
      }
      if (domains.length === 1 && population.federatedFraction > 0) {
        problem(ctx, 'population.federatedFraction', `must be 0 with a single domain (there is no other domain to draw buddies from), got ${population.federatedFraction}`);
      }
    }
  }
  const knownDomain = (path: string, name: string): number | undefined => {
    if (!rawDomains) return undefined;
    const i = byName.get(name);
    if (i === undefined) {
      const names = [...byName.keys()];
      const s = hint(ctx, name, names);
      problem(ctx, path, `unknown domain '${name}'${s ? `; did you mean '${s}'?` : ''} (domains: ${quoteList(names.slice(0, 20))}${names.length > 20 ? ', ...' : ''})`);
    }
    return i;
  };

  if (links) {
    const seen = new Map<string, string>();
    links.pairs.forEach((p, i) => {
      const at = `links.pairs[${i}]`;
      knownDomain(`${at}.from`, p.from);
      knownDomain(`${at}.to`, p.to);
      if (p.from === p.to) {
        problem(ctx, `${at}.to`, `a link joins two different domains, but from and to are both '${p.from}'`);
        return;
      }
      const dirs: [string, string][] = p.symmetric ? [[p.from, p.to], [p.to, p.from]] : [[p.from, p.to]];
      for (const [a, b] of dirs) {
        const key = `${a} -> ${b}`;
        const other = seen.get(key);
        if (other !== undefined) {
          problem(ctx, at, `the latency ${key} is given twice (also by ${other}); pairs are symmetric unless symmetric: false`);
        } else {
          seen.set(key, at);
        }
      }
    });
  }

  const gatewayCount = new Map<string, number>();
  domains?.forEach((d) => gatewayCount.set(d.name, (d as unknown as { gateway: { count: number } }).gateway.count));
  domains?.forEach((d, i) => {
    const dom = d as unknown as { gateway: { routes: { destination: string; via: string }[] }; srv: { records: { service: string; target: string }[] } | null };
    dom.gateway.routes.forEach((r, j) => {
      const at = `domains[${i}].gateway.routes[${j}]`;
      knownDomain(`${at}.destination`, r.destination);
      knownDomain(`${at}.via`, r.via);
      if (r.via === d.name) problem(ctx, `${at}.via`, `a route forwards to another domain's gateway, but via is the domain itself ('${d.name}')`);
    });
    dom.srv?.records.forEach((r, j) => {
      const at = `domains[${i}].srv.records[${j}].target`;
      if (r.target === '.') {
        // RFC 2782: a lone record with target '.' says the service is not offered; beside others it means nothing
        const others = dom.srv!.records.filter((x) => x.service === r.service).length - 1;
        if (others > 0) problem(ctx, at, `'.' (service not offered) must be the only ${r.service} record of '${d.name}', but there are ${others} other(s)`);
        return;
      }
      const m = /^gw([1-9][0-9]*)\.(.+)$/.exec(r.target);
      if (!m) {
        problem(ctx, at, `expected a gateway host gwN.<domain> such as 'gw1.${d.name}', got '${r.target}'`);
        return;
      }
      const host = Number(m[1]);
      const count = gatewayCount.get(m[2]!);
      if (count === undefined) knownDomain(at, m[2]!);
      else if (host > count) problem(ctx, at, `domain '${m[2]}' has ${count} gateway host(s), so there is no '${r.target}'`);
    });
  });

  const faults = part<{ kind: string; domain: string; from: string; to: string; at: number }[]>(tree, 'faults');
  faults?.forEach((f, i) => {
    const at = `faults[${i}]`;
    if (f.kind === 'gatewayDown' || f.kind === 'serverCrash') {
      if (f.domain === '') problem(ctx, `${at}.domain`, `a ${f.kind} fault needs the domain it strikes`);
      else knownDomain(`${at}.domain`, f.domain);
    } else {
      if (f.from === '' || f.to === '') problem(ctx, f.from === '' ? `${at}.from` : `${at}.to`, `a ${f.kind} fault needs both ends of the link (from and to)`);
      else {
        knownDomain(`${at}.from`, f.from);
        knownDomain(`${at}.to`, f.to);
        if (f.from === f.to) problem(ctx, `${at}.to`, `a link joins two different domains, but from and to are both '${f.from}'`);
      }
    }
    if (duration !== undefined && f.at >= duration) problem(ctx, `${at}.at`, `the fault starts at ${formatDuration(f.at)}, at or after the end of the run (duration ${formatDuration(duration)})`);
  });

  if (population?.celebrity) {
    const i = knownDomain('population.celebrity.domain', population.celebrity.domain);
    if (i !== undefined && domains && !domains[i]!.presence) {
      problem(ctx, 'population.celebrity.domain', `domain '${population.celebrity.domain}' has presence: false, so it cannot host a celebrity presentity`);
    }
  }

  if (behaviour) {
    const granted = Math.min(behaviour.subscriptionDuration!, behaviour.maxSubscriptionDuration!);
    if (behaviour.refreshBefore! >= granted) {
      const which =
        behaviour.maxSubscriptionDuration! <= behaviour.subscriptionDuration! ? 'maxSubscriptionDuration' : 'subscriptionDuration';
      problem(
        ctx,
        'behaviour.refreshBefore',
        `must be less than ${which} (${formatDuration(granted)}), the granted subscription duration, got ${formatDuration(behaviour.refreshBefore!)}`,
      );
    }
    if (duration !== undefined && behaviour.loginWindow! > 0 && behaviour.loginStart! >= duration) {
      problem(ctx, 'behaviour.loginStart', `the login window starts at ${formatDuration(behaviour.loginStart!)}, at or after the end of the run (duration ${formatDuration(duration)})`);
    }
  }
}

function toScenario(tree: Tree): Scenario {
  const links = tree.links as { default: Dist; pairs: (LinkSpec & { symmetric: boolean })[]; bandwidthMbps: number; loss: number };
  const expanded: LinkSpec[] = [];
  for (const p of links.pairs) {
    expanded.push({ from: p.from, to: p.to, latency: { ...p.latency }, bandwidthMbps: p.bandwidthMbps, loss: p.loss });
    if (p.symmetric) expanded.push({ from: p.to, to: p.from, latency: { ...p.latency }, bandwidthMbps: p.bandwidthMbps, loss: p.loss });
  }
  return {
    name: tree.name as string,
    description: tree.description as string,
    seed: tree.seed as number,
    duration: tree.duration as number,
    warmup: tree.warmup as number,
    domains: tree.domains as Scenario['domains'],
    defaultLinkLatency: links.default,
    links: expanded,
    linkBandwidthMbps: links.bandwidthMbps,
    linkLoss: links.loss,
    federation: tree.federation as Scenario['federation'],
    access: tree.access as Scenario['access'],
    faults: tree.faults as Scenario['faults'],
    population: tree.population as Scenario['population'],
    behaviour: tree.behaviour as Scenario['behaviour'],
    trace: tree.trace as Scenario['trace'],
  };
}

export function defaultContext(raw: unknown): DefaultContext {
  const domains = isPlainObject(raw) && hasOwn(raw, 'domains') ? raw.domains : undefined;
  return { domainCount: Array.isArray(domains) ? domains.length : 1 };
}

/** Validates a raw document; returns the Scenario or every problem found. Never throws on bad input. */
export function validateRaw(raw: unknown): { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioProblem[] } {
  const ctx: VCtx = { ...defaultContext(raw), errors: [] };
  if (!isPlainObject(raw)) {
    return {
      ok: false,
      errors: [{ path: '', message: `a scenario must be a mapping with fields ${quoteList(SCENARIO_SCHEMA.fields.map((f) => f.name))}, got ${describeValue(raw)}` }],
    };
  }
  // per field, then cross-field rules on the top-level parts that resolved
  const parts: Tree = {};
  validateFields(ctx, '', raw, SCENARIO_SCHEMA, parts);
  crossCheck(ctx, raw, parts);
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  return { ok: true, scenario: toScenario(parts) };
}

// ---------------------------------------------------------------------------------------------
// documentation from the same table

export interface FieldDoc {
  /** path as in error messages and `--set`, with `[]` for list items */
  path: string;
  unit: string;
  /** the default as written in a file, `required`, or empty for a container */
  default: string;
  /** allowed values */
  range: string;
  description: string;
}

function unitOf(node: SchemaNode): string {
  switch (node.kind) {
    case 'string': return 'text';
    case 'int': return 'integer';
    case 'number': return 'number';
    case 'bool': return 'true/false';
    case 'duration': return 'duration';
    case 'rate': return 'rate per user';
    case 'size': return 'size';
    case 'fraction': return 'fraction';
    case 'dist': return 'duration distribution';
    case 'countDist': return 'count distribution';
    case 'object': return 'mapping';
    case 'mix': return 'fractions summing to 1';
    case 'array': return 'list';
    case 'nullable': return 'mapping or null';
  }
}

function rangeOf(node: SchemaNode): string {
  switch (node.kind) {
    case 'string':
      return node.pattern === NAME_RE ? '[a-z0-9-]+' : node.pattern === DOMAIN_NAME_RE ? 'DNS-like name' : node.pattern === SRV_TARGET_RE ? 'gwN.<domain> or .' : `up to ${node.maxLength} characters`;
    case 'int':
      return `${formatCount(node.min)} to ${node.max === Number.MAX_SAFE_INTEGER ? '2^53-1' : formatCount(node.max)}`;
    case 'number':
      return `${node.minExclusive ? '> ' : ''}${node.min} to ${node.max}`;
    case 'bool':
      return '';
    case 'duration':
      return `${node.minExclusive ? '> ' : ''}${formatDuration(node.min)} to ${formatDuration(node.max)}`;
    case 'rate':
      return `0 to ${formatRate(node.max)}`;
    case 'size':
      return `0 to ${formatSize(node.max)}`;
    case 'fraction':
      return '0 to 1';
    case 'dist':
      return `values ${node.positive ? '> 0' : '0'} to ${formatDuration(node.max)}`;
    case 'countDist':
      return `0 to ${formatCount(node.max)}`;
    case 'array':
      return `${formatCount(node.min)} to ${formatCount(node.max)} items`;
    default:
      return '';
  }
}

function docRows(node: ObjectNode, base: string, rows: FieldDoc[]): void {
  for (const f of node.fields) {
    const path = joinPath(base, f.name);
    const container = f.node.kind === 'object' || f.node.kind === 'array' || f.node.kind === 'nullable';
    const def = f.required ? 'required' : f.defaultDoc ?? (container && f.node.kind !== 'nullable' && f.node.kind !== 'array' ? '' : renderRaw(defaultOf(f, { domainCount: 1 })));
    rows.push({ path, unit: unitOf(f.node), default: def, range: rangeOf(f.node), description: f.description });
    if (f.node.kind === 'object') docRows(f.node, path, rows);
    else if (f.node.kind === 'nullable') docRows(f.node.node, path, rows);
    else if (f.node.kind === 'array') docRows(f.node.item, `${path}[]`, rows);
    else if (f.node.kind === 'mix') {
      const defaults = (f.default ?? {}) as Record<string, unknown>;
      for (const k of f.node.keys) {
        rows.push({ path: `${path}.${k.name}`, unit: 'fraction', default: renderRaw(defaults[k.name] ?? 0), range: '0 to 1', description: k.description });
      }
    }
  }
}

/** Every field of the format: path, unit, default, range and meaning, in file order. */
export function scenarioFieldDocs(): FieldDoc[] {
  const rows: FieldDoc[] = [];
  docRows(SCENARIO_SCHEMA, '', rows);
  return rows;
}

/** The field reference as a Markdown table (docs/scenarios.md holds a copy that a test compares). */
export function scenarioFieldDocsMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| field | unit | default | range | meaning |', '|---|---|---|---|---|'];
  for (const r of scenarioFieldDocs()) {
    const def = r.default === '' ? '' : r.default === 'required' ? '*required*' : `\`${esc(r.default)}\``;
    lines.push(`| \`${r.path}\` | ${r.unit} | ${def} | ${esc(r.range)} | ${esc(r.description)} |`);
  }
  return lines.join('\n') + '\n';
}
