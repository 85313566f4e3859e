/**
 * Schema tables of the deployment: servers and their service times, domains with gateways and SRV
 * records, links between domains, the access link, CPIM federation settings and scheduled faults.
 */
import { DAY, HOUR, MAX_LINK_PAIRS, MAX_RUN, MAX_USERS, SERVICE_TIME_DEFAULTS, behaviourDuration, domainName, fraction, linkLatency, rate, serviceTime, srvTarget } from './fields-common.js';
import { OPERATIONS, type Scenario } from './types.js';
import { type ObjectNode } from './schema-nodes.js';
import { CHARGED_KINDS, WIRE_COST } from '../model/bindings/kinds.js';

const serversNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'count', node: { kind: 'int', min: 1, max: 10_000 }, default: 1, description: 'number of servers of the domain\'s presence and IM service' },
    { name: 'cores', node: { kind: 'int', min: 1, max: 1024 }, default: 4, description: 'cores per server: parallel service units sharing that server\'s FIFO queue' },
    { name: 'queueLimit', node: { kind: 'int', min: 0, max: 1e9 }, default: 0, description: 'jobs waiting per server beyond which new jobs are rejected (overload); 0 = unlimited' },
    { name: 'clusterLatency', node: behaviourDuration(0, HOUR, true), default: '0.5ms', description: 'one-way latency of the intra-cluster network between two server nodes of the domain (a principal lives on node user % count; a message between principals of different nodes crosses it); must be > 0: it is the lookahead of a run that splits the domain over workers' },
  ],
};

const fixedMs = (ms: number) => ({ dist: 'fixed', value: `${ms}ms` });
const wireDirection = (what: string): ObjectNode => ({
  kind: 'object',
  fields: [
    { name: 'request', node: serviceTime, default: fixedMs(WIRE_COST.request), description: `server time per request, notification or stanza ${what} (an estimate, kept from the first model; Prosody was measured at ~120-205 us per inbound stanza and ~61-67 us per delivered one, which calibrate writes: docs/bindings.md)` },
    { name: 'response', node: serviceTime, default: fixedMs(WIRE_COST.response), description: `server time per response, result or receipt ${what} (an estimate: half a request)` },
  ],
});
const wireKindNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'kind',
      node: { kind: 'string', maxLength: 32, pattern: new RegExp(`^(${CHARGED_KINDS.map((k) => k.replace(/\./g, '\\.')).join('|')})$`), patternHint: `a wire kind of the SIP or XMPP binding (${CHARGED_KINDS.join(', ')})` },
      required: true,
      description: 'the wire kind (docs/bindings.md), unique in the list',
    },
    { name: 'inbound', node: serviceTime, required: true, description: 'server time per message of the kind entering the domain\'s servers (from a client or another domain)' },
    { name: 'outbound', node: serviceTime, required: true, description: 'server time per message of the kind leaving them (to a client or another domain)' },
  ],
};
const wireCostNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'inbound', node: wireDirection('entering the domain\'s servers'), default: {}, description: 'messages entering the servers, from a client or another domain' },
    { name: 'outbound', node: wireDirection('leaving the domain\'s servers'), default: {}, description: 'messages leaving the servers, to a client or another domain' },
    { name: 'kinds', node: { kind: 'array', item: wireKindNode, min: 0, max: CHARGED_KINDS.length, what: 'wire kinds', keyField: 'kind' }, default: [], description: 'server times of particular wire kinds (a calibration writes those of the XMPP binding); the others keep request/response' },
  ],
};

const serviceTimesNode: ObjectNode = {
  kind: 'object',
  fields: [
    ...OPERATIONS.map((op) => {
      const [mean, what] = SERVICE_TIME_DEFAULTS[op]!;
      return { name: op, node: serviceTime, default: { dist: 'exponential', mean }, description: `server time when ${what}` };
    }),
    {
      name: 'wire',
      node: wireCostNode,
      default: {},
      description: 'server time per wire message of a SIP or XMPP domain, a job besides the operation\'s, charged where it leaves a domain\'s servers and where it enters them (from a client or another domain; a model message between two users of one domain, a notification or an IM, once, where it leaves); a cpim domain has none',
    },
  ],
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

export const domainNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'name', node: domainName, required: true, description: 'the domain\'s DNS name; unique in the scenario' },
    { name: 'users', node: { kind: 'int', min: 1, max: MAX_USERS }, required: true, description: 'principals (users) of the domain' },
    { name: 'presence', node: { kind: 'bool' }, default: true, description: 'the domain runs a presence service (RFC 2779 2.1.1: either service may be off)' },
    { name: 'im', node: { kind: 'bool' }, default: true, description: 'the domain runs an instant messaging service' },
    {
      name: 'protocol',
      node: { kind: 'string', maxLength: 4, pattern: /^(cpim|sip|xmpp)$/, patternHint: 'cpim, sip or xmpp' },
      default: 'cpim',
      description: 'protocol binding of the domain\'s servers and clients: cpim (the abstract model), sip (SIP/SIMPLE: RFC 3856, 6665, 3903, 3428) or xmpp (RFC 6120, 6121); see docs/bindings.md',
    },
    {
      name: 'resourceLists',
      node: { kind: 'bool' },
      default: false,
      description: 'SIP only: the home server is an RFC 4662 resource list server; each subscriber subscribes once to its buddy list, members of this domain are subscribed inside the server, members elsewhere across the boundary (not federation.listSubscriptions, the boundary aggregation); see docs/bindings.md',
    },
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

export const linksNode: ObjectNode = {
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

export const accessNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'mobileFraction', node: fraction, default: 0, description: 'fraction of principals whose agents are on the mobile class (decided per principal); the others are on the LAN class' },
    { name: 'lan', node: accessClass({ dist: 'fixed', value: '0.2ms' }, 1000, 0, 'LAN'), default: {}, description: 'the LAN access class' },
    { name: 'mobile', node: accessClass({ dist: 'lognormal', median: '60ms', sigma: 0.5 }, 2, 0.01, 'mobile'), default: {}, description: 'the mobile access class (RFC 2779 section 2: high latency, low bandwidth)' },
    { name: 'retransmitTimeout', node: behaviourDuration(0, HOUR, true), default: '1s', description: 'wait before a transmission lost on an access link is sent again' },
  ],
};

export const federationNode: ObjectNode = {
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

export const faultNode: ObjectNode = {
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
