/**
 * The IMPP model (RFC 2778 / RFC 2779) on the kernel. One logical process per domain.
 *
 * A domain runs a presence service and an IM service on its servers (servers.ts). Its users are
 * principals with a presentity, an instant inbox, or both, and a watcher of one kind (subscriber,
 * poller, fetcher) over a buddy list (population.ts). Every operation is a job on a server of the
 * domain that owns its subject (the presentity for presence operations, the recipient's domain for
 * delivery), so latency = queueing + service (+ link latency between domains).
 *
 * Flow of a presence change: PUBLISH timer -> publish job at the presentity's server -> for each
 * active subscription that may see the changed tuple, a notify job -> the notification crosses the
 * link to the watcher's domain -> received (latency recorded from the publish request).
 *
 * Access decisions (RFC 2779 2.3, 5.1): per (presentity, watcher) rule allow / deny / polite block /
 * pending authorisation, and a visibility class (all tuples, or the first tuple only). Every
 * disclosure (notification or fetch result) passes `guard`, an independent check of the static
 * rule tables and of the pending decisions actually taken: what it catches is counted as a leak.
 *
 * Event payloads are two numbers; see the pack/unpack helpers below.
 */
import type { Kernel } from '../engine/kernel.js';
import type { ModelSpec } from '../engine/model.js';
import { RandomStreams } from '../engine/rng.js';
import type { Dist, Scenario } from '../scenario/types.js';
import { OPERATIONS } from '../scenario/types.js';
import { cpimMessageSize, pidfSize } from '../wire/size.js';
import {
  buildPopulation,
  hashUnit,
  PRINCIPAL_INBOX_ONLY,
  PRINCIPAL_PRESENTITY_ONLY,
  RULE_ALLOW,
  RULE_DENY,
  RULE_PENDING,
  RULE_POLITE,
  VIS_FIRST_TUPLE_ONLY,
  WATCHER_POLLER,
  WATCHER_SUBSCRIBER,
  type Population,
} from './population.js';
import { ServerPool } from './servers.js';
import { LatencyRecorder, type EncodedHistogram } from './latency.js';
import { buildFaults, buildSrvTable, chooseSrv, FifoStation, SERVICE_IM, SERVICE_PRES } from './federation.js';

// ---- operations (server jobs), in OPERATIONS order ----
const OP_PUBLISH = 0;
const OP_FETCH = 1;
const OP_SUBSCRIBE = 2;
const OP_REFRESH = 3;
const OP_UNSUBSCRIBE = 4;
const OP_NOTIFY = 5;
const OP_WATCHERINFO = 6;
const OP_IMSEND = 7;
const OP_IMDELIVER = 8;
const OP_IMREPORT = 9;
const N_OPS = OPERATIONS.length;

// ---- messages that cross from one domain to another (for the per-pair report) ----
export const MESSAGE_KINDS = [
  'subscribe',
  'refresh',
  'unsubscribe',
  'fetch',
  'subscribeResponse',
  'fetchResponse',
  'notify',
  'message',
  'messageReport',
  'listNotify',
] as const;
const M_SUBSCRIBE = 0;
const M_REFRESH = 1;
const M_UNSUBSCRIBE = 2;
const M_FETCH = 3;
const M_SUB_RESPONSE = 4;
const M_FETCH_RESPONSE = 5;
const M_NOTIFY = 6;
const M_MESSAGE = 7;
const M_REPORT = 8;
const M_LIST_NOTIFY = 9;
/** Extra bytes of a list notification (RFC 4662 style resource list meta-information). */
const LIST_OVERHEAD = 240;
const N_KINDS = MESSAGE_KINDS.length;

// ---- subscription state at the presentity's service ----
const SUB_NONE = 0;
const SUB_ACTIVE = 1;
const SUB_PENDING = 2;
const SUB_POLITE = 3;
// pending decisions
const DEC_UNDECIDED = 0;
const DEC_ALLOW = 1;
const DEC_DENY = 2;

// ---- extended status values of a tuple (index 0 means closed/offline) ----
export const STATUS_NAMES = ['offline', 'available', 'away', 'busy', 'idle'] as const;

// ---- IM failure reasons ----
export const IM_FAILURES = ['closed', 'unknown', 'blocked', 'disabled', 'overload', 'auth', 'unreachable', 'loop', 'spoofed'] as const;
const F_CLOSED = 1;
const F_UNKNOWN = 2;
const F_BLOCKED = 3;
const F_DISABLED = 4;
const F_OVERLOAD = 5;
const F_AUTH = 6;
const F_UNREACHABLE = 7;
const F_LOOP = 8;
const F_SPOOFED = 9;

const TWO26 = 67108864;

/** Envelope bytes of the carrying protocol around a body (request line and headers), estimated. */
const ENVELOPE = {
  request: 180,
  response: 110,
};

export interface ImppParams {
  scenario: Scenario;
  seed: number;
}

export interface TraceRecord {
  t: number;
  op: string;
  fromDomain: string;
  toDomain: string;
  from: string;
  to: string;
  bytes: number;
  detail: string;
}

/** What one partition returns (structured-cloneable). */
export interface ImppPart {
  domains: number[];
  counters: Record<string, number>;
  imFailures: number[];
  ops: { domain: number; count: number[]; sumWait: number[]; sumService: number[]; rejected: number[]; busy: number; maxQueue: number; rejectedOverload: number }[];
  pairMessages: number[];
  pairBytes: number[];
  notification: EncodedHistogram;
  im: EncodedHistogram;
  trace: TraceRecord[];
  memory: { edges: number; users: number };
  domainUsers: number[];
  gateways: { domain: number; jobs: number; sumWait: number; sumService: number; busy: number; maxQueue: number; rejected: number; hosts: number; cores: number }[];
  links: { messages: number[]; bytes: number[]; busy: number[]; retransmissions: number[]; failed: number[] };
  recovery: EncodedHistogram;
  activeAtEnd: number;
  timeline: { width: number; series: Record<string, number[]> };
  /** the time statistics start from (the scenario's warmup once it was reached, else 0) */
  measuredFrom: number;
  /** at measuredFrom: IMs sent and not yet delivered or failed, and active subscriptions (census) */
  imOpenAtStart: number;
  activeAtStart: number;
}

/** Series of the report's timeline (counts per bucket of simulated time). */
export const TIMELINE_SERIES = ['notificationsDelivered', 'imDelivered', 'imFailed', 'crossDomainMessages', 'transfersFailed'] as const;
export const TIMELINE_BUCKETS = 120;

const COUNTERS = [
  'publishes',
  'fetches',
  'polls',
  'fetchResponses',
  'subCreated',
  'subRefreshed',
  'subExpired',
  'subTerminated',
  'subRejected',
  'subPoliteBlocked',
  'subPending',
  'subPendingAllowed',
  'subPendingDenied',
  'notifySent',
  'notifyDelivered',
  'notifyUndelivered',
  'notifyDropped',
  'watcherInfo',
  'imSent',
  'imDelivered',
  'imFailed',
  'imDuplicates',
  'imReportsReceived',
  'rejectedAuth',
  'denied',
  'politeBlocked',
  'leaks',
  'logins',
  'logouts',
  'crashes',
  'presenceDisabled',
  'srvLookups',
  'srvCacheHits',
  'srvFailovers',
  'unreachable',
  'loops',
  'spoofed',
  'retransmissions',
  'transfersFailed',
  'imRetries',
  'resubscribes',
  'recovered',
  'notifyLost',
  'responsesLost',
  'subLostInCrash',
  'rejectedServerDown',
  'gatewayRejected',
  'notifySuppressed',
  'fetchFailed',
  'unsubscribeLost',
  'listNotifies',
] as const;
type Counter = (typeof COUNTERS)[number];

function distMin(d: Dist): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min;
    case 'exponential':
      return d.mean * 0.1;
    case 'lognormal':
      return lognormalFloor(d.median, d.sigma);
  }
}

/**
 * The clamp of a lognormal latency: its 0.13th percentile (three sigmas below the median in log
 * space), but at least 10% of the median. Real links have a propagation floor; the clamp changes
 * at most 0.135% of draws, and it sets the parallel run's lookahead, so windows are wide.
 */
export function lognormalFloor(median: number, sigma: number): number {
  return median * Math.max(0.1, Math.exp(-3 * sigma));
}

/** Draws from a distribution on stream `lp`; a draw below `floor` is raised to it (link latencies pass the lookahead, see distMin). */
export function drawDist(rng: RandomStreams, lp: number, d: Dist, floor = 0): number {
  let x: number;
  switch (d.dist) {
    case 'fixed':
      x = d.value;
      break;
    case 'uniform':
      x = d.min + (d.max - d.min) * rng.uniform(lp);
      break;
    case 'exponential':
      x = rng.exponential(lp, d.mean);
      break;
    case 'lognormal':
      x = d.median * Math.exp(d.sigma * rng.normal(lp));
      break;
  }
  return x < floor ? floor : x;
}

/** Lookahead: the smallest latency any inter-domain link can draw. */
export function linkLookahead(s: Scenario): number {
  if (s.domains.length < 2) return s.duration + 1;
  let min = Infinity;
  const pairs = linkTable(s);
  for (const d of pairs) if (d !== null) min = Math.min(min, distMin(d));
  return min;
}

/** Latency distribution per ordered pair (from * D + to); null on the diagonal. */
export function linkTable(s: Scenario): (Dist | null)[] {
  const D = s.domains.length;
  const idx = new Map(s.domains.map((d, i) => [d.name, i]));
  const out: (Dist | null)[] = [];
  for (let i = 0; i < D * D; i++) out.push(Math.floor(i / D) === i % D ? null : s.defaultLinkLatency);
  for (const l of s.links) {
    const a = idx.get(l.from);
    const b = idx.get(l.to);
    if (a === undefined || b === undefined || a === b) continue;
    out[a * D + b] = l.latency;
  }
  return out;
}

function userName(pop: Population, s: Scenario, g: number): string {
  const d = pop.domainOf[g];
  return `u${g - pop.domainStart[d]}@${s.domains[d].name}`;
}

/** Upper edges (ms) of the coarse latency buckets of the live view; one more bucket for the rest. */
export const LIVE_LATENCY_EDGES_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
const LIVE_BUCKETS = LIVE_LATENCY_EDGES_MS.length + 1;
/** Per-domain slots of the live view: busy core-ms so far, jobs waiting now. */
export const LIVE_DOMAIN_SLOTS = 2;

/** Offsets of the live view (a Float64Array the coordinator sums over partitions). */
export function liveLayout(s: Scenario) {
  const D = s.domains.length;
  const counters = 0;
  const latNotification = counters + COUNTERS.length;
  const latIm = latNotification + LIVE_BUCKETS;
  const domains = latIm + LIVE_BUCKETS;
  const pairMessages = domains + D * LIVE_DOMAIN_SLOTS;
  const pairBytes = pairMessages + D * D;
  /** per ordered pair: notifications (notify and list notify) and instant messages among the messages */
  const pairNotify = pairBytes + D * D;
  const pairIm = pairNotify + D * D;
  const size = pairIm + D * D;
  return { counters, latNotification, latIm, domains, pairMessages, pairBytes, pairNotify, pairIm, size, buckets: LIVE_BUCKETS, counterNames: COUNTERS };
}

function liveBucket(ms: number): number {
  const e = LIVE_LATENCY_EDGES_MS;
  let i = 0;
  while (i < e.length && ms >= e[i]) i++;
  return i;
}

export const model: ModelSpec<ImppParams, ImppPart, ImppPart[]> = {
  name: 'impp',
  lpCount: (p) => p.scenario.domains.length,
  lookahead: (p) => linkLookahead(p.scenario),
  lpWeight: (p, lp) => p.scenario.domains[lp].users + 1,
  capacity: (p, owned) => Math.max(4096, owned * 1024),
  liveSize: (p) => liveLayout(p.scenario).size,
  create(kernel: Kernel, params: ImppParams) {
    return createImpp(kernel, params);
  },
  combine(parts: ImppPart[]): ImppPart[] {
    return parts;
  },
};

function createImpp(kernel: Kernel, params: ImppParams) {
  const s = params.scenario;
  const seed = params.seed;
  const pop = buildPopulation(s, seed);
  const D = pop.domains;
  const T = s.population.tuples;
  const U = pop.totalUsers;
  const E = pop.edges;
  const beh = s.behaviour;
  const rng = kernel.rng;

  // ---- dynamic state (columns) ----
  const online = new Uint8Array(U);
  const epoch = new Uint32Array(U);
  const tBasic = new Uint8Array(U * T); // 1 = open
  const tStatus = new Uint8Array(U * T);
  const tTime = new Float64Array(U * T);
  const subState = new Uint8Array(E);
  const subExpiry = new Float64Array(E);
  const decision = new Uint8Array(E);
  const watcherSubscribed = new Uint8Array(E);

  // ---- per-domain machinery (only owned domains get servers) ----
  const pools: (ServerPool | null)[] = [];
  for (let d = 0; d < D; d++) {
    const sv = s.domains[d].servers;
    pools.push(kernel.owns(d) ? new ServerPool(sv.count, sv.cores, sv.queueLimit, N_OPS) : null);
  }
  const serviceDist: Dist[][] = s.domains.map((dom) => OPERATIONS.map((op) => dom.serviceTimes[op]));
  const links = linkTable(s);
  const lookahead = linkLookahead(s);
  const counters = new Float64Array(COUNTERS.length);
  const C = Object.fromEntries(COUNTERS.map((n, i) => [n, i])) as Record<Counter, number>;
  const imFailures = new Float64Array(IM_FAILURES.length + 1);
  const pairMessages = new Float64Array(D * D * N_KINDS);
  const pairBytes = new Float64Array(D * D);
  const notifLatency = new LatencyRecorder();
  const imLatency = new LatencyRecorder();
  const layout = liveLayout(s);
  const liveNotif = new Float64Array(LIVE_BUCKETS);
  const liveIm = new Float64Array(LIVE_BUCKETS);
  const dedup: Map<string, number>[] = [];
  for (let d = 0; d < D; d++) dedup.push(new Map());
  const traceOn = s.trace.enabled;
  const trace: TraceRecord[] = [];
  const traceLimit = s.trace.limit;

  // ---- message sizes from the real encodings, computed once per shape ----
  const entityLen = s.domains.map((dom, d) => `pres:u${Math.max(0, pop.domainUsers[d] - 1)}@${dom.name}`.length);
  const pidfBytes = (d: number, tuples: number) =>
    pidfSize({ entityLength: entityLen[d], tuples, withContact: true, withNote: false, withTimestamp: true, extendedStatus: true });
  const notifyBytesFull = entityLen.map((_, d) => ENVELOPE.request + pidfBytes(d, T));
  const notifyBytesOne = entityLen.map((_, d) => ENVELOPE.request + pidfBytes(d, 1));
  const imBytes = entityLen.map((len) => ENVELOPE.request + cpimMessageSize({ fromLength: len, toLength: len, bodyLength: beh.imBodyBytes, withDateTime: true, withSubject: false }));

  // ---- event types ----
  const ev = {
    warmup: 0,
    login: 0,
    logout: 0,
    publishTimer: 0,
    imTimer: 0,
    pollTimer: 0,
    fetchTimer: 0,
    refreshTimer: 0,
    done: 0,
    request: [] as number[],
    notifyArrive: 0,
    subResponse: 0,
    fetchResponse: 0,
    imArrive: 0,
    imReport: 0,
    expire: 0,
    decide: 0,
    gwIn: [] as number[],
    gwOut: [] as number[],
    xferFail: [] as number[],
    resubscribe: 0,
    imRetry: 0,
    crash: 0,
    flush: 0,
    listArrive: 0,
  };

  const count = (c: number, n = 1) => {
    counters[c] += n;
  };

  // ---- servers ----
  /** Offers a job to the server of domain d that serves `subject`. Returns false if rejected. */
  const submit = (d: number, op: number, subject: number, a: number, b: number): boolean => {
    if (faults.serversDown(d, kernel.now)) {
      count(C.rejectedServerDown);
      return false;
    }
    const pool = pools[d]!;
    const server = pool.servers === 1 ? 0 : subject % pool.servers;
    const service = drawDist(rng, d, serviceDist[d][op]);
    const core = pool.submit(server, op, a, b, kernel.now, service);
    if (core >= 0) kernel.schedule(service, ev.done, d, core);
    return core !== -2;
  };

  // ---- federation: gateways, SRV, links, faults ----
  const fed = s.federation;
  const srv = buildSrvTable(s);
  const faults = buildFaults(s);
  const gateways: (FifoStation[] | null)[] = s.domains.map((dom, d) =>
    kernel.owns(d) ? Array.from({ length: dom.gateway.count }, () => new FifoStation(dom.gateway.cores, dom.gateway.queueLimit)) : null,
  );
  const gwCount = s.domains.map((dom) => dom.gateway.count);
  /** static route of domain d for destination x: the next-hop domain, or -1 */
  const routeOf = new Int32Array(D * D).fill(-1);
  {
    const idx = new Map(s.domains.map((dom, i) => [dom.name, i]));
    s.domains.forEach((dom, d) => dom.gateway.routes.forEach((r) => (routeOf[d * D + idx.get(r.destination)!] = idx.get(r.via)!)));
  }
  const cacheUntil = new Float64Array(D * D * 2);
  const linkBw = new Float64Array(D * D);
  const linkLossP = new Float64Array(D * D);
  for (let i = 0; i < D * D; i++) {
    linkBw[i] = s.linkBandwidthMbps;
    linkLossP[i] = s.linkLoss;
  }
  {
    const idx = new Map(s.domains.map((dom, i) => [dom.name, i]));
    for (const l of s.links) {
      const i = idx.get(l.from)! * D + idx.get(l.to)!;
      if (l.bandwidthMbps > 0) linkBw[i] = l.bandwidthMbps;
      if (l.loss > 0) linkLossP[i] = l.loss;
    }
  }
  const linkFree = new Float64Array(D * D);
  const linkBusy = new Float64Array(D * D);
  const linkMsgs = new Float64Array(D * D);
  const linkBytes = new Float64Array(D * D);
  const linkRetx = new Float64Array(D * D);
  const linkFailed = new Float64Array(D * D);
  const recovery = new LatencyRecorder();
  const skipped = { n: 0 };
  const until = s.duration;

  /** b and the hop budget (plus a spoof flag) packed in one number while a message is between gateways. */
  const pack = (b: number, hops: number) => Math.round(b * 1000) * 256 + hops;
  const unpackB = (x: number) => Math.floor(x / 256) / 1000;
  const unpackHops = (x: number) => x - Math.floor(x / 256) * 256;
  const SPOOF = 128;
  const isResponse = (kind: number) => kind === M_SUB_RESPONSE || kind === M_FETCH_RESPONSE || kind === M_REPORT;

  /** The domain a message of `kind` is finally for. */
  const finalDomain = (kind: number, a: number): number => {
    switch (kind) {
      case M_NOTIFY:
        return pop.domainOf[pop.edgeWatcher[Math.floor(a / 32)]];
      case M_MESSAGE: {
        const to = a % TWO26;
        return to >= UNKNOWN_BASE ? to - UNKNOWN_BASE : pop.domainOf[to];
      }
      case M_REPORT:
        return pop.domainOf[Math.floor(a / TWO26)];
      case M_LIST_NOTIFY:
        return a % D;
      case M_SUB_RESPONSE:
      case M_FETCH_RESPONSE:
        return pop.domainOf[pop.edgeWatcher[a]];
      default:
        return pop.domainOf[pop.edgePresentity[a]];
    }
  };

  const bytesOf = (kind: number, a: number, d: number): number => {
    switch (kind) {
      case M_NOTIFY:
        return notifyBytesFull[d];
      case M_LIST_NOTIFY:
        return notifyBytesFull[d] + LIST_OVERHEAD;
      case M_MESSAGE:
        return imBytes[d];
      case M_REPORT:
      case M_SUB_RESPONSE:
      case M_FETCH_RESPONSE:
        return ENVELOPE.response;
      default:
        return ENVELOPE.request + entityLen[pop.domainOf[pop.edgePresentity[a]]];
    }
  };

  /** Sends an event to domain `to`: at once inside a domain, else through the gateways. */
  const send = (from: number, to: number, type: number, a: number, b: number, kind: number, bytes: number): void => {
    if (from === to) {
      kernel.schedule(0, type, to, a, b);
      return;
    }
    cross(from, to, kind, a, b, bytes, fed.maxForwards, fed.spoofFraction > 0 && !isResponse(kind) && kind !== M_NOTIFY && rng.uniform(from) < fed.spoofFraction);
  };

  /**
   * A message leaves domain d for domain `dest`: find the next hop (reverse path for responses,
   * a static route, or SRV with RFC 2782 choice and fail-over), pass d's gateway, cross the link
   * (bandwidth queue, loss, retransmission, faults) and arrive at the next hop's gateway.
   */
  const cross = (d: number, dest: number, kind: number, a: number, b: number, bytes: number, hops: number, spoof: boolean): void => {
    const now = kernel.now;
    if (kind === M_MESSAGE && fate.get(`${a}:${b}`) === FATE_FAILED) {
      // a copy of a message that has already failed for good: its outcome is given
      count(C.imDuplicates);
      return;
    }
    let hop: number;
    let ready = now;
    const route = routeOf[d * D + dest];
    if (isResponse(kind)) hop = dest;
    else if (route >= 0) hop = route;
    else {
      const service = kind === M_MESSAGE ? SERVICE_IM : SERVICE_PRES;
      const ci = (d * D + dest) * 2 + service;
      count(C.srvLookups);
      if (cacheUntil[ci] > now) count(C.srvCacheHits);
      else {
        ready += drawDist(rng, d, fed.resolverTime);
        cacheUntil[ci] = ready + fed.srvTtl;
      }
      const list = srv.records[dest * 2 + service];
      skipped.n = 0;
      const k = list.length === 0 ? -1 : chooseSrv(list, rng, d, (x) => !faults.gatewayDown(x, ready), skipped);
      count(C.srvFailovers, skipped.n);
      if (k < 0) {
        count(C.unreachable);
        return transferFailed(d, kind, a, b, 'unreachable');
      }
      hop = list[k].domain;
    }
    if (hop === d) {
      // the next hop is this very gateway: the request would circle here until its budget ran out
      count(C.loops);
      return transferFailed(d, kind, a, b, 'loop');
    }
    if (faults.gatewayDown(d, ready)) return transferFailed(d, kind, a, b, 'gateway down');
    const station = gateways[d]![gwCount[d] === 1 ? 0 : a % gwCount[d]];
    const depart = station.admit(ready, drawDist(rng, d, s.domains[d].gateway.serviceTime));
    if (depart < 0) {
      count(C.gatewayRejected);
      return transferFailed(d, kind, a, b, 'gateway overload');
    }
    const i = d * D + hop;
    pairMessages[i * N_KINDS + kind]++;
    pairBytes[i] += bytes;
    linkMsgs[i]++;
    linkBytes[i] += bytes;
    tl(3);
    const persistent = isResponse(kind);
    const tx = linkBw[i] > 0 ? (bytes * 8) / (linkBw[i] * 1000) : 0;
    let t = depart;
    for (let attempt = 0; ; attempt++) {
      const start = linkFree[i] > t ? linkFree[i] : t;
      const end = start + tx;
      const arrive = end + drawDist(rng, d, links[i]!, lookahead) * faults.slow(d, hop, end);
      const down = faults.linkDown(d, hop, start) || faults.gatewayDown(hop, arrive);
      if (!down) {
        linkFree[i] = end;
        linkBusy[i] += tx;
      }
      if (!down && !(linkLossP[i] > 0 && rng.uniform(d) < linkLossP[i])) {
        kernel.schedule(arrive - now, ev.gwIn[kind], hop, a, pack(b, hops + (spoof ? SPOOF : 0)));
        if (kind === M_MESSAGE) setFate(`${a}:${b}`, FATE_CROSSED);
        return;
      }
      count(C.retransmissions);
      linkRetx[i]++;
      if (persistent) {
        // responses and reports keep trying until the path is back
        t = down ? Math.max(end + fed.retransmitTimeout, faults.nextUp(d, hop, end)) : end + fed.retransmitTimeout;
        if (t >= until) {
          count(C.responsesLost);
          linkFailed[i]++;
          return;
        }
      } else if (attempt >= fed.maxRetransmits) {
        linkFailed[i]++;
        const at = end + fed.retransmitTimeout;
        if (at < until) kernel.schedule(at - now, ev.xferFail[kind], d, a, b);
        return;
      } else t = end + fed.retransmitTimeout;
    }
  };

  /** A message from domain d could not cross: what its sender does about it. */
  const transferFailed = (d: number, kind: number, a: number, b: number, why: string): void => {
    count(C.transfersFailed);
    tl(4);
    switch (kind) {
      case M_SUBSCRIBE:
      case M_REFRESH:
        retrySubscription(d, a);
        break;
      case M_UNSUBSCRIBE:
        count(C.unsubscribeLost);
        break;
      case M_FETCH:
        count(C.fetchFailed);
        break;
      case M_NOTIFY:
        count(C.notifyLost);
        break;
      case M_MESSAGE: {
        // retries of a message are few: their count lives in a map keyed by the message id
        const key = `${a}:${b}`;
        const f = fate.get(key);
        if (f === FATE_CROSSED || f === FATE_FAILED) {
          // another copy of this message (a client retransmission) crossed or already failed:
          // the message has its outcome, this copy is a duplicate
          count(C.imDuplicates);
          break;
        }
        const tries = imTries.get(key) ?? 0;
        if (tries < fed.imRetries && why !== 'loop') {
          count(C.imRetries);
          imTries.set(key, tries + 1);
          setFate(key, FATE_RETRYING);
          kernel.schedule(Math.min(fed.retryBackoff * 2 ** tries, 300_000), ev.imRetry, d, a, b);
        } else {
          imTries.delete(key);
          setFate(key, FATE_FAILED);
          imFail(why === 'loop' ? F_LOOP : F_UNREACHABLE);
          if (traceOn) traceMsg('messageReport', -1, d, Math.floor(a / TWO26), d, ENVELOPE.response, `failed: ${why}`);
        }
        break;
      }
      default:
        count(C.responsesLost);
    }
  };

  /** A subscribe or refresh of edge e failed for a while: subscribe again after a back-off. */
  const retrySubscription = (d: number, e: number) => {
    if (failSince[e] === 0) failSince[e] = kernel.now || 1e-9;
    const n = retryCount[e] < 255 ? retryCount[e]++ : 255;
    count(C.resubscribes);
    kernel.schedule(Math.min(fed.retryBackoff * 2 ** n, 300_000), ev.resubscribe, d, e, epoch[pop.edgeWatcher[e]]);
  };

  const imTries = new Map<string, number>();
  // the fate of cross-domain messages at the sending side, so that the copies of one message
  // (client retransmissions) give it one outcome: crossed, retrying, or failed for good
  const FATE_CROSSED = 1;
  const FATE_RETRYING = 2;
  const FATE_FAILED = 3;
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
  const failSince = new Float64Array(E);
  const listMark = new Uint8Array(D);
  // timeline: TIMELINE_BUCKETS buckets over the run, one row per series
  const tlWidth = s.duration / TIMELINE_BUCKETS;
  const timeline = new Float64Array(TIMELINE_SERIES.length * TIMELINE_BUCKETS);
  const tl = (series: number, n = 1) => {
    const k = Math.min(TIMELINE_BUCKETS - 1, Math.floor(kernel.now / tlWidth));
    timeline[series * TIMELINE_BUCKETS + k] += n;
  };
  const retryCount = new Uint8Array(E);

  const traceMsg = (op: string, fromUser: number, fromDomain: number, toUser: number, toDomain: number, bytes: number, detail: string) => {
    if (!traceOn || trace.length >= traceLimit) return;
    trace.push({
      t: kernel.now,
      op,
      fromDomain: s.domains[fromDomain].name,
      toDomain: s.domains[toDomain].name,
      from: fromUser >= 0 ? userName(pop, s, fromUser) : s.domains[fromDomain].name,
      to: toUser >= 0 ? userName(pop, s, toUser) : s.domains[toDomain].name,
      bytes,
      detail,
    });
  };

  // ---- the independent disclosure check ----
  /**
   * May presentity information about `tuple` (-1 = whole document) be disclosed on edge e now?
   * `fake` marks the fixed closed view given to politely blocked watchers. Reads only the static
   * rules and the decisions record, never the subscription state machine.
   */
  const guard = (e: number, tuple: number, fake: boolean): boolean => {
    const r = pop.edgeRule[e];
    const rule = r & 3;
    if (rule === RULE_DENY) return false;
    if (rule === RULE_POLITE) return fake;
    if (fake) return false;
    if (rule === RULE_PENDING && decision[e] !== DEC_ALLOW) return false;
    if ((r & VIS_FIRST_TUPLE_ONLY) !== 0 && tuple > 0) return false;
    return true;
  };

  const visibleTuples = (e: number) => ((pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0 ? 1 : T);

  // ---- presence: watcher side ----
  const sendRequest = (e: number, op: number, kind: number, b: number) => {
    const w = pop.edgeWatcher[e];
    const p = pop.edgePresentity[e];
    const wd = pop.domainOf[w];
    const pd = pop.domainOf[p];
    send(wd, pd, ev.request[op], e, b, kind, ENVELOPE.request + entityLen[pd]);
    if (traceOn) traceMsg(OPERATIONS[op], w, wd, p, pd, ENVELOPE.request + entityLen[pd], `edge ${e}`);
  };

  const subscribeAll = (w: number) => {
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      const e = pop.fwdEdge[i];
      watcherSubscribed[e] = 1;
      sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, beh.subscriptionDuration);
    }
  };

  const unsubscribeAll = (w: number) => {
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      const e = pop.fwdEdge[i];
      if (watcherSubscribed[e] === 0) continue;
      watcherSubscribed[e] = 0;
      sendRequest(e, OP_UNSUBSCRIBE, M_UNSUBSCRIBE, 0);
    }
  };

  const fetchAll = (w: number) => {
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) sendRequest(pop.fwdEdge[i], OP_FETCH, M_FETCH, kernel.now);
  };

  // ---- sessions ----
  const hasPresentity = (g: number) => pop.principal[g] !== PRINCIPAL_INBOX_ONLY;
  const hasInbox = (g: number) => pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;

  const startTimers = (g: number, d: number) => {
    const ep = epoch[g];
    const dom = s.domains[d];
    if (dom.presence && hasPresentity(g) && beh.presenceChangeRate > 0) {
      kernel.schedule(rng.exponential(d, 3_600_000 / beh.presenceChangeRate), ev.publishTimer, d, g, ep);
    }
    if (dom.im && hasInbox(g) && beh.imRate > 0) {
      kernel.schedule(rng.exponential(d, 3_600_000 / beh.imRate), ev.imTimer, d, g, ep);
    }
    if (dom.presence) {
      const kind = pop.watcherKind[g];
      if (kind === WATCHER_SUBSCRIBER) subscribeAll(g);
      else if (kind === WATCHER_POLLER) kernel.schedule(rng.uniform(d) * beh.pollInterval, ev.pollTimer, d, g, ep);
      else if (beh.fetchRate > 0) kernel.schedule(rng.exponential(d, 3_600_000 / beh.fetchRate), ev.fetchTimer, d, g, ep);
    }
    kernel.schedule(rng.exponential(d, beh.sessionLength), ev.logout, d, g, ep);
  };

  /** A publish job, as the presence user agent would send it: tuple (T = all tuples) and status. */
  const publish = (g: number, d: number, tuple: number, status: number) => {
    if (!s.domains[d].presence) {
      count(C.presenceDisabled);
      return;
    }
    submit(d, OP_PUBLISH, g, g, tuple * 16 + status);
  };

  ev.login = kernel.defineEvent('login', (d, a) => {
    const g = a;
    if (online[g]) return;
    online[g] = 1;
    epoch[g]++;
    count(C.logins);
    if (hasPresentity(g)) publish(g, d, T, 1 + rng.int(d, 4));
    startTimers(g, d);
  });

  ev.logout = kernel.defineEvent('logout', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    online[g] = 0;
    epoch[g]++;
    count(C.logouts);
    if (rng.uniform(d) < beh.crashFraction) {
      // crash-stop (RFC 2779 3.2.5): no goodbye; subscriptions simply stop being refreshed
      count(C.crashes);
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) watcherSubscribed[pop.fwdEdge[i]] = 0;
    } else {
      if (hasPresentity(g)) publish(g, d, T, 0);
      unsubscribeAll(g);
    }
    kernel.schedule(rng.exponential(d, beh.offlineLength), ev.login, d, g);
  });

  ev.publishTimer = kernel.defineEvent('publishTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    const tuple = rng.int(d, T);
    publish(g, d, tuple, 1 + rng.int(d, 4));
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.presenceChangeRate), ev.publishTimer, d, g, ep);
  });

  ev.pollTimer = kernel.defineEvent('pollTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    count(C.polls);
    fetchAll(g);
    kernel.schedule(beh.pollInterval, ev.pollTimer, d, g, ep);
  });

  ev.fetchTimer = kernel.defineEvent('fetchTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
    if (n > 0) sendRequest(pop.fwdEdge[pop.fwdStart[g] + rng.int(d, n)], OP_FETCH, M_FETCH, kernel.now);
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.fetchRate), ev.fetchTimer, d, g, ep);
  });

  ev.refreshTimer = kernel.defineEvent('refreshTimer', (d, e, ep) => {
    const w = pop.edgeWatcher[e];
    if (!online[w] || epoch[w] !== ep || watcherSubscribed[e] === 0) return;
    sendRequest(e, OP_REFRESH, M_REFRESH, beh.subscriptionDuration);
  });

  // ---- IM: sender side ----
  const UNKNOWN_BASE = U;
  ev.imTimer = kernel.defineEvent('imTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.imRate), ev.imTimer, d, g, ep);
    let to: number;
    if (rng.uniform(d) < beh.unknownRecipientFraction) {
      to = UNKNOWN_BASE + rng.int(d, D);
    } else {
      const n = pop.fwdStart[g + 1] - pop.fwdStart[g];
      if (n > 0) to = pop.edgePresentity[pop.fwdEdge[pop.fwdStart[g] + rng.int(d, n)]];
      else to = pop.domainStart[d] + rng.int(d, pop.domainUsers[d]);
      if (to === g) return;
    }
    const a = g * TWO26 + to;
    count(C.imSent);
    if (!submit(d, OP_IMSEND, g, a, kernel.now)) {
      imFail(F_OVERLOAD);
      return;
    }
    // a client retransmission that reuses the message id (RFC 2779 4.1.9, 5.4.2)
    if (rng.uniform(d) < beh.duplicateFraction) submit(d, OP_IMSEND, g, a, kernel.now);
  });

  const imFail = (reason: number) => {
    count(C.imFailed);
    tl(2);
    imFailures[reason]++;
  };

  // ---- completion of server jobs ----
  const complete: ((d: number, a: number, b: number, arrive: number) => void)[] = new Array(N_OPS);

  ev.done = kernel.defineEvent('serviceDone', (d, core) => {
    const pool = pools[d]!;
    const op = pool.coreOp[core];
    const a = pool.coreA[core];
    const b = pool.coreB[core];
    const arrive = pool.coreArrive[core];
    const next = pool.complete(core, kernel.now);
    if (next >= 0) {
      const service = drawDist(rng, d, serviceDist[d][next]);
      pool.startNext(core, kernel.now, service);
      kernel.schedule(service, ev.done, d, core);
    }
    complete[op](d, a, b, arrive);
  });

  const authFails = (d: number) => beh.authFailureFraction > 0 && rng.uniform(d) < beh.authFailureFraction;

  const watcherInfo = (d: number, p: number) => {
    // RFC 2779 5.1.11: the presentity learns of watchers as it happens
    count(C.watcherInfo);
    submit(d, OP_WATCHERINFO, p, p, 0);
  };

  /** Sends the current state on edge e (a notify job at the presentity's domain). */
  const minInterval = fed.notifyMinInterval;
  const lastNotify = minInterval > 0 ? new Float64Array(E).fill(-Infinity) : null;
  const flushPending = minInterval > 0 ? new Uint8Array(E) : null;
  const queueNotify = (d: number, e: number, tuple: number, fake: number, since: number) => {
    if (lastNotify !== null && fake === 0) {
      // rate control: at most one notification per interval; a change inside it is sent (as the
      // whole latest state) when the interval ends
      const next = lastNotify[e] + minInterval;
      if (kernel.now < next) {
        count(C.notifySuppressed);
        if (flushPending![e] === 0) {
          flushPending![e] = 1;
          kernel.schedule(next - kernel.now, ev.flush, d, e, since);
        }
        return;
      }
      lastNotify[e] = kernel.now;
    }
    submitNotify(d, e, tuple, fake, since);
  };
  const submitNotify = (d: number, e: number, tuple: number, fake: number, since: number) => {
    if (!submit(d, OP_NOTIFY, pop.edgePresentity[e], e * 32 + tuple * 2 + fake, since)) count(C.notifyDropped);
  };

  complete[OP_PUBLISH] = (d, g, b, arrive) => {
    const tuple = Math.floor(b / 16);
    const status = b % 16;
    count(C.publishes);
    // the presence user agent's update reaching the presence service (RFC 2778 2.1)
    if (traceOn) traceMsg('publish', g, d, -1, d, tuple >= T ? notifyBytesFull[d] : notifyBytesOne[d], `${tuple >= T ? 'all tuples' : `tuple ${tuple}`} ${status > 0 ? 'open' : 'closed'}`);
    const base = g * T;
    if (tuple >= T) {
      for (let i = 0; i < T; i++) {
        tBasic[base + i] = status > 0 ? 1 : 0;
        tStatus[base + i] = status;
        tTime[base + i] = kernel.now;
      }
    } else {
      tBasic[base + tuple] = status > 0 ? 1 : 0;
      tStatus[base + tuple] = status;
      tTime[base + tuple] = kernel.now;
    }
    // fan-out: one notification per active subscription that may see the change (with list
    // subscriptions, one per watcher domain for the plainly allowed watchers over there)
    const listed = fed.listSubscriptions;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (subState[e] !== SUB_ACTIVE) continue;
      if (tuple > 0 && tuple < T && (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0) continue;
      if (listed && (pop.edgeRule[e] & 3) === RULE_ALLOW) {
        const wd = pop.domainOf[pop.edgeWatcher[e]];
        if (wd !== d) {
          listMark[wd] = 1;
          continue;
        }
      }
      queueNotify(d, e, tuple >= T ? T : tuple, 0, arrive);
    }
    if (listed) {
      for (let wd = 0; wd < D; wd++) {
        if (listMark[wd] === 0) continue;
        listMark[wd] = 0;
        // a < 0 marks a list notification: presentity, tuple and watcher domain
        if (!submit(d, OP_NOTIFY, g, -1 - ((g * 16 + (tuple >= T ? T : tuple)) * D + wd), arrive)) count(C.notifyDropped);
      }
    }
  };

  complete[OP_NOTIFY] = (d, a, since) => {
    if (a < 0) {
      const x = -1 - a;
      const wd = x % D;
      const gt = Math.floor(x / D);
      const tuple = gt % 16;
      const bytes = (fed.partialNotifications && tuple < T ? notifyBytesOne[d] : notifyBytesFull[d]) + LIST_OVERHEAD;
      count(C.listNotifies);
      send(d, wd, ev.listArrive, gt * D + wd, since, M_LIST_NOTIFY, bytes);
      if (traceOn) traceMsg('listNotify', Math.floor(gt / 16), d, -1, wd, bytes, 'one notification for the watchers of a domain');
      return;
    }
    const e = Math.floor(a / 32);
    const tupleRaw = Math.floor((a % 32) / 2);
    const tuple = tupleRaw >= T ? 0 : tupleRaw;
    const fake = a % 2;
    // RFC 2779 5.1.7: once a cancel (or expiry) is processed, nothing more is sent
    if (subState[e] === SUB_NONE || subState[e] === SUB_PENDING) {
      count(C.notifyDropped);
      return;
    }
    if (!guard(e, tuple, fake === 1)) count(C.leaks);
    count(C.notifySent);
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const bytes =
      fake || (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0 || (fed.partialNotifications && tupleRaw < T && since >= 0)
        ? notifyBytesOne[d]
        : notifyBytesFull[d];
    send(d, wd, ev.notifyArrive, a, since, M_NOTIFY, bytes);
    if (traceOn) traceMsg('notify', pop.edgePresentity[e], d, w, wd, bytes, fake ? 'polite block: fixed closed view' : `tuple ${tuple}`);
  };

  ev.notifyArrive = kernel.defineEvent('notifyArrive', (d, a, since) => {
    const e = Math.floor(a / 32);
    const w = pop.edgeWatcher[e];
    if (!online[w]) {
      count(C.notifyUndelivered);
      return;
    }
    count(C.notifyDelivered);
    tl(0);
    if (since >= 0) {
      notifLatency.record(kernel.now - since);
      liveNotif[liveBucket(kernel.now - since)]++;
    }
  });

  // requests arriving at the presentity's domain go to its servers
  for (const op of [OP_SUBSCRIBE, OP_REFRESH, OP_UNSUBSCRIBE, OP_FETCH]) {
    ev.request[op] = kernel.defineEvent(`request:${OPERATIONS[op]}`, (d, e, b) => {
      if (!s.domains[d].presence) {
        count(C.presenceDisabled);
        if (op === OP_FETCH) {
          const w = pop.edgeWatcher[e];
          send(d, pop.domainOf[w], ev.fetchResponse, e, b, M_FETCH_RESPONSE, ENVELOPE.response);
          if (traceOn) traceMsg('fetchResponse', pop.edgePresentity[e], d, w, pop.domainOf[w], ENVELOPE.response, 'presence service disabled');
        } else if (op !== OP_UNSUBSCRIBE) respondSub(d, e, -1, 'presence service disabled');
        return;
      }
      if (!submit(d, op, pop.edgePresentity[e], e, b)) {
        if (op === OP_SUBSCRIBE || op === OP_REFRESH) respondSub(d, e, -4, 'service unavailable (overload or down)');
      }
    });
  }

  /** Response to a subscribe: granted >= 0 (ms) accepted, -1 rejected, -2 pending, -3 no such subscription, -4 unavailable (try later). */
  const respondSub = (d: number, e: number, granted: number, why: string) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    send(d, wd, ev.subResponse, e, granted, M_SUB_RESPONSE, ENVELOPE.response);
    if (traceOn) traceMsg('subscribeResponse', pop.edgePresentity[e], d, w, wd, ENVELOPE.response, why);
  };

  const grant = (requested: number) => Math.min(requested, beh.maxSubscriptionDuration);

  complete[OP_SUBSCRIBE] = (d, e, requested) => {
    if (authFails(d)) {
      count(C.rejectedAuth);
      count(C.subRejected);
      respondSub(d, e, -1, 'authentication failed');
      return;
    }
    const p = pop.edgePresentity[e];
    const rule = pop.edgeRule[e] & 3;
    const g = grant(requested);
    if (subState[e] !== SUB_NONE) {
      // a repeated subscribe acts as a refresh of the existing subscription
      subExpiry[e] = kernel.now + g;
      kernel.schedule(g, ev.expire, d, e);
      count(C.subRefreshed);
      respondSub(d, e, subState[e] === SUB_PENDING ? -2 : g, 'already subscribed: refreshed');
      // a subscribe (unlike a refresh) always gets the current state at once
      if (subState[e] === SUB_ACTIVE) queueNotify(d, e, T, 0, -1);
      return;
    }
    if (rule === RULE_DENY || (rule === RULE_PENDING && decision[e] === DEC_DENY)) {
      // RFC 2779 5.1.5: the watcher is told of the refusal
      count(C.denied);
      count(C.subRejected);
      respondSub(d, e, -1, rule === RULE_DENY ? 'denied by the access rules' : 'denied by the presentity');
      watcherInfo(d, p);
      return;
    }
    count(C.subCreated);
    subExpiry[e] = kernel.now + g;
    kernel.schedule(g, ev.expire, d, e);
    watcherInfo(d, p);
    if (rule === RULE_POLITE) {
      // RFC 2779 5.1.15: looks granted; the watcher sees a fixed closed state, no further work
      subState[e] = SUB_POLITE;
      count(C.politeBlocked);
      count(C.subPoliteBlocked);
      respondSub(d, e, g, 'polite block (appears granted)');
      queueNotify(d, e, 0, 1, -1);
      return;
    }
    if (rule === RULE_PENDING && decision[e] === DEC_UNDECIDED) {
      subState[e] = SUB_PENDING;
      count(C.subPending);
      respondSub(d, e, -2, 'pending authorisation');
      kernel.schedule(drawDist(rng, d, beh.pendingDecisionDelay), ev.decide, d, e);
      return;
    }
    subState[e] = SUB_ACTIVE;
    respondSub(d, e, g, 'accepted');
    // a new subscription gets the current state at once
    queueNotify(d, e, 0, 0, -1);
  };

  complete[OP_REFRESH] = (d, e, requested) => {
    if (authFails(d)) {
      count(C.rejectedAuth);
      respondSub(d, e, -1, 'authentication failed');
      return;
    }
    if (subState[e] === SUB_NONE) {
      // the subscription expired meanwhile: the watcher must subscribe anew
      respondSub(d, e, -3, 'no such subscription');
      return;
    }
    const g = grant(requested);
    subExpiry[e] = kernel.now + g;
    kernel.schedule(g, ev.expire, d, e);
    count(C.subRefreshed);
    respondSub(d, e, subState[e] === SUB_PENDING ? -2 : g, 'refreshed');
  };

  complete[OP_UNSUBSCRIBE] = (d, e) => {
    if (subState[e] === SUB_NONE) return;
    subState[e] = SUB_NONE;
    count(C.subTerminated);
    watcherInfo(d, pop.edgePresentity[e]);
  };

  complete[OP_FETCH] = (d, e, requestTime) => {
    count(C.fetches);
    const p = pop.edgePresentity[e];
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    let bytes = ENVELOPE.response;
    let detail = 'no information';
    if (authFails(d)) {
      count(C.rejectedAuth);
      detail = 'authentication failed';
    } else {
      const rule = pop.edgeRule[e] & 3;
      watcherInfo(d, p);
      if (rule === RULE_DENY || (rule === RULE_PENDING && decision[e] === DEC_DENY)) {
        count(C.denied);
        detail = 'denied';
      } else if (rule === RULE_POLITE) {
        count(C.politeBlocked);
        if (!guard(e, 0, true)) count(C.leaks);
        bytes += pidfBytes(d, 1);
        detail = 'polite block: fixed closed view';
      } else if (rule === RULE_PENDING && decision[e] !== DEC_ALLOW) {
        detail = 'pending authorisation';
      } else {
        const vis = visibleTuples(e);
        if (!guard(e, vis - 1, false)) count(C.leaks);
        bytes += pidfBytes(d, vis);
        detail = `${vis} tuple(s)`;
      }
    }
    send(d, wd, ev.fetchResponse, e, requestTime, M_FETCH_RESPONSE, bytes);
    if (traceOn) traceMsg('fetchResponse', p, d, w, wd, bytes, detail);
  };

  complete[OP_WATCHERINFO] = () => undefined;

  ev.fetchResponse = kernel.defineEvent('fetchResponse', () => {
    count(C.fetchResponses);
  });

  ev.subResponse = kernel.defineEvent('subResponse', (d, e, granted) => {
    const w = pop.edgeWatcher[e];
    if (!online[w] || watcherSubscribed[e] === 0) return;
    if (granted === -1) {
      watcherSubscribed[e] = 0;
      return;
    }
    if (granted === -4) {
      retrySubscription(d, e);
      return;
    }
    if (granted === -3) {
      // expired (or lost in a crash) at the service: subscribe again
      if (failSince[e] === 0) failSince[e] = kernel.now || 1e-9;
      count(C.resubscribes);
      sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, beh.subscriptionDuration);
      return;
    }
    if (failSince[e] !== 0) {
      // the subscription is back after a failure: time to recover
      count(C.recovered);
      recovery.record(kernel.now - failSince[e]);
      failSince[e] = 0;
      retryCount[e] = 0;
    }
    const g = granted >= 0 ? granted : grant(beh.subscriptionDuration);
    const at = Math.max(0, g - beh.refreshBefore);
    kernel.schedule(at, ev.refreshTimer, d, e, epoch[w]);
  });

  ev.expire = kernel.defineEvent('expire', (d, e) => {
    if (subState[e] === SUB_NONE || subExpiry[e] > kernel.now) return;
    subState[e] = SUB_NONE;
    count(C.subExpired);
    watcherInfo(d, pop.edgePresentity[e]);
  });

  ev.decide = kernel.defineEvent('pendingDecision', (d, e) => {
    if (decision[e] !== DEC_UNDECIDED) return;
    const allow = hashUnit(seed, pop.edgePresentity[e], pop.edgeWatcher[e], 3) < beh.pendingAllowFraction;
    decision[e] = allow ? DEC_ALLOW : DEC_DENY;
    if (allow) count(C.subPendingAllowed);
    else count(C.subPendingDenied);
    if (subState[e] !== SUB_PENDING) return;
    if (allow) {
      subState[e] = SUB_ACTIVE;
      queueNotify(d, e, 0, 0, -1);
    } else {
      subState[e] = SUB_NONE;
      count(C.denied);
      count(C.subTerminated);
    }
  });

  // ---- IM: routing and delivery ----
  complete[OP_IMSEND] = (d, a, sentAt) => {
    const to = a % TWO26;
    const td = to >= UNKNOWN_BASE ? to - UNKNOWN_BASE : pop.domainOf[to];
    send(d, td, ev.imArrive, a, sentAt, M_MESSAGE, imBytes[d]);
    if (traceOn) {
      const g = Math.floor(a / TWO26);
      traceMsg('message', g, d, to >= UNKNOWN_BASE ? -1 : to, td, imBytes[d], to >= UNKNOWN_BASE ? 'to an unknown user' : 'instant message');
    }
  };

  ev.imArrive = kernel.defineEvent('imArrive', (d, a, sentAt) => {
    const to = a % TWO26;
    const subject = to >= UNKNOWN_BASE ? 0 : to;
    if (!submit(d, OP_IMDELIVER, subject, a, sentAt)) {
      // refused: that is this message's one outcome, so a later copy of it is a duplicate
      const key = `${a}:${sentAt}`;
      if (dedup[d].has(key)) {
        count(C.imDuplicates);
        return;
      }
      dedup[d].set(key, kernel.now);
      report(d, a, F_OVERLOAD);
    }
  });

  const report = (d: number, a: number, code: number) => {
    const g = Math.floor(a / TWO26);
    const sd = pop.domainOf[g];
    send(d, sd, ev.imReport, a, code, M_REPORT, ENVELOPE.response);
    if (traceOn) traceMsg('messageReport', -1, d, g, sd, ENVELOPE.response, code === 0 ? 'delivered' : `failed: ${IM_FAILURES[code - 1]}`);
  };

  complete[OP_IMDELIVER] = (d, a, sentAt) => {
    const to = a % TWO26;
    const g = Math.floor(a / TWO26);
    // message identity = (sender, recipient, send time): a retransmission carries the same one.
    // Duplicates are suppressed before any outcome, so each message has exactly one (RFC 2779 5.4.2)
    const key = `${a}:${sentAt}`;
    const seen = dedup[d];
    if (seen.has(key)) {
      count(C.imDuplicates);
      return;
    }
    seen.set(key, kernel.now);
    if (seen.size > 100_000) {
      for (const [k, t] of seen) {
        if (kernel.now - t < 600_000) break;
        seen.delete(k);
      }
    }
    if (to >= UNKNOWN_BASE || !hasInbox(to)) return report(d, a, F_UNKNOWN);
    if (!s.domains[d].im) return report(d, a, F_DISABLED);
    if (authFails(d)) {
      count(C.rejectedAuth);
      return report(d, a, F_AUTH);
    }
    // per-inbox block list (RFC 2779 2.3.5, 5.4.10)
    if (hashUnit(seed, to, g, 4) < s.population.blockedSenders) return report(d, a, F_BLOCKED);
    if (!online[to]) return report(d, a, F_CLOSED);
    count(C.imDelivered);
    tl(1);
    imLatency.record(kernel.now - sentAt);
    liveIm[liveBucket(kernel.now - sentAt)]++;
    report(d, a, 0);
  };

  complete[OP_IMREPORT] = () => undefined;

  ev.imReport = kernel.defineEvent('imReport', (_d, _a, code) => {
    count(C.imReportsReceived);
    if (code !== 0) imFail(code);
  });

  // ---- gateways at the receiving side ----
  const finalType = (kind: number): number => {
    switch (kind) {
      case M_SUBSCRIBE:
        return ev.request[OP_SUBSCRIBE];
      case M_REFRESH:
        return ev.request[OP_REFRESH];
      case M_UNSUBSCRIBE:
        return ev.request[OP_UNSUBSCRIBE];
      case M_FETCH:
        return ev.request[OP_FETCH];
      case M_SUB_RESPONSE:
        return ev.subResponse;
      case M_FETCH_RESPONSE:
        return ev.fetchResponse;
      case M_NOTIFY:
        return ev.notifyArrive;
      case M_MESSAGE:
        return ev.imArrive;
      case M_LIST_NOTIFY:
        return ev.listArrive;
      default:
        return ev.imReport;
    }
  };

  /** A request refused at a gateway: the refusal travels back to the requester. */
  const refuse = (h: number, kind: number, a: number, why: string, imCode: number) => {
    switch (kind) {
      case M_SUBSCRIBE:
      case M_REFRESH:
        respondSub(h, a, why === 'gateway overload' ? -4 : -1, why);
        break;
      case M_FETCH:
        count(C.fetchFailed);
        break;
      case M_MESSAGE:
        report(h, a, imCode);
        break;
      case M_NOTIFY:
        count(C.notifyLost);
        break;
      default:
        break;
    }
  };

  MESSAGE_KINDS.forEach((name, kind) => {
    ev.gwIn[kind] = kernel.defineEvent(`gatewayIn:${name}`, (h, a, x) => {
      const hops = unpackHops(x);
      const b = unpackB(x);
      if ((hops & SPOOF) !== 0) {
        // the claimed identity belongs to a domain other than the one the request came from
        count(C.spoofed);
        count(C.rejectedAuth);
        refuse(h, kind, a, 'spoofed identity', F_SPOOFED);
        return;
      }
      if (faults.gatewayDown(h, kernel.now)) return; // the sender's transport sees the loss
      const station = gateways[h]![gwCount[h] === 1 ? 0 : a % gwCount[h]];
      const depart = station.admit(kernel.now, drawDist(rng, h, s.domains[h].gateway.serviceTime));
      if (depart < 0) {
        count(C.gatewayRejected);
        refuse(h, kind, a, 'gateway overload', F_OVERLOAD);
        return;
      }
      kernel.schedule(depart - kernel.now, ev.gwOut[kind], h, a, pack(b, hops));
    });
    ev.gwOut[kind] = kernel.defineEvent(`gatewayOut:${name}`, (h, a, x) => {
      const hops = unpackHops(x);
      const b = unpackB(x);
      const dest = finalDomain(kind, a);
      if (dest === h) {
        kernel.schedule(0, finalType(kind), h, a, b);
        return;
      }
      // not for this domain: relay, spending one unit of the hop budget (RFC 3860 3.4.2)
      if (hops <= 1) {
        count(C.loops);
        if (traceOn) traceMsg(name, -1, h, -1, dest, 0, 'hop budget spent: rejected as a loop');
        refuse(h, kind, a, 'loop detected', F_LOOP);
        return;
      }
      cross(h, dest, kind, a, b, bytesOf(kind, a, h), hops - 1, false);
    });
    ev.xferFail[kind] = kernel.defineEvent(`transferFailed:${name}`, (d, a, b) => transferFailed(d, kind, a, b, 'unreachable'));
  });

  ev.resubscribe = kernel.defineEvent('resubscribe', (d, e, ep) => {
    const w = pop.edgeWatcher[e];
    if (!online[w] || epoch[w] !== ep || watcherSubscribed[e] === 0) return;
    sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, beh.subscriptionDuration);
  });

  ev.imRetry = kernel.defineEvent('imRetry', (d, a, sentAt) => {
    const to = a % TWO26;
    const td = to >= UNKNOWN_BASE ? to - UNKNOWN_BASE : pop.domainOf[to];
    send(d, td, ev.imArrive, a, sentAt, M_MESSAGE, imBytes[d]);
  });

  ev.flush = kernel.defineEvent('notifyFlush', (d, e, since) => {
    flushPending![e] = 0;
    if (subState[e] !== SUB_ACTIVE) return;
    lastNotify![e] = kernel.now;
    submitNotify(d, e, T, 0, since);
  });

  ev.listArrive = kernel.defineEvent('listNotifyArrive', (h, a, since) => {
    // the watcher domain's gateway fans the list notification out to its local subscribers
    const gt = Math.floor(a / D);
    const g = Math.floor(gt / 16);
    const tuple = gt % 16;
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      const w = pop.edgeWatcher[e];
      if (pop.domainOf[w] !== h || watcherSubscribed[e] === 0 || (pop.edgeRule[e] & 3) !== RULE_ALLOW) continue;
      if (tuple > 0 && tuple < T && (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0) continue;
      if (!guard(e, tuple >= T ? 0 : tuple, false)) count(C.leaks);
      count(C.notifySent);
      if (!online[w]) {
        count(C.notifyUndelivered);
        continue;
      }
      count(C.notifyDelivered);
      tl(0);
      if (since >= 0) {
        notifLatency.record(kernel.now - since);
        liveNotif[liveBucket(kernel.now - since)]++;
      }
    }
  });

  // ---- warm-up: at s.warmup every statistic restarts from a baseline (finish() subtracts it) ----
  const warmup = s.warmup ?? 0;
  const activeSubsOwned = () => {
    let n = 0;
    for (let d = 0; d < D; d++) {
      if (!kernel.owns(d)) continue;
      for (let e = pop.revStart[pop.domainStart[d]]; e < pop.revStart[pop.domainStart[d + 1]]; e++) if (subState[e] !== SUB_NONE) n++;
    }
    return n;
  };
  let base: {
    at: number;
    counters: Float64Array;
    imFailures: Float64Array;
    pairMessages: Float64Array;
    pairBytes: Float64Array;
    links: Float64Array[];
    pools: ({ count: Float64Array; sumWait: Float64Array; sumService: Float64Array; rejected: Float64Array; busy: number; rejectedOverload: number } | null)[];
    gateways: ({ jobs: number; sumWait: number; sumService: number; busy: number; rejected: number }[] | null)[];
    activeSubs: number;
  } | null = null;
  ev.warmup = kernel.defineEvent('warmup', () => {
    // the first warm-up event of this partition takes the baseline for all of its domains
    if (base !== null) return;
    const now = kernel.now;
    base = {
      at: now,
      counters: counters.slice(),
      imFailures: imFailures.slice(),
      pairMessages: pairMessages.slice(),
      pairBytes: pairBytes.slice(),
      links: [linkMsgs.slice(), linkBytes.slice(), linkBusy.slice(), linkRetx.slice(), linkFailed.slice()],
      pools: pools.map((p) => (p ? { count: p.count.slice(), sumWait: p.sumWait.slice(), sumService: p.sumService.slice(), rejected: p.rejected.slice(), busy: p.busyTimeAt(now), rejectedOverload: p.rejectedOverload } : null)),
      gateways: gateways.map((st) => (st ? st.map((g) => ({ jobs: g.jobs, sumWait: g.sumWait, sumService: g.sumService, busy: g.busyAt(now), rejected: g.rejected })) : null)),
      activeSubs: activeSubsOwned(),
    };
    // longest queues and latencies are of the measured period only
    for (const p of pools) if (p) p.maxQueue = 0;
    for (const st of gateways) if (st) for (const g of st) g.maxQueue = 0;
    notifLatency.reset();
    imLatency.reset();
    recovery.reset();
  });
  const minus = (a: ArrayLike<number>, b: ArrayLike<number> | undefined) => Array.from(a, (x, i) => x - (b?.[i] ?? 0));

  ev.crash = kernel.defineEvent('serverCrash', (d) => {
    // the servers lose their soft state: every subscription held by the domain is gone
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
        if (subState[e] === SUB_NONE) continue;
        subState[e] = SUB_NONE;
        count(C.subLostInCrash);
      }
    }
  });

  return {
    publishLive(out: Float64Array) {
      out.set(counters, layout.counters);
      out.set(liveNotif, layout.latNotification);
      out.set(liveIm, layout.latIm);
      for (let d = 0; d < D; d++) {
        const pool = pools[d];
        const o = layout.domains + d * LIVE_DOMAIN_SLOTS;
        out[o] = pool ? pool.busyTimeAt(kernel.now) : 0;
        out[o + 1] = pool ? pool.queued() : 0;
      }
      for (let i = 0; i < D * D; i++) {
        let m = 0;
        for (let k = 0; k < N_KINDS; k++) m += pairMessages[i * N_KINDS + k];
        out[layout.pairMessages + i] = m;
        out[layout.pairBytes + i] = pairBytes[i];
        out[layout.pairNotify + i] = pairMessages[i * N_KINDS + M_NOTIFY] + pairMessages[i * N_KINDS + M_LIST_NOTIFY];
        out[layout.pairIm + i] = pairMessages[i * N_KINDS + M_MESSAGE];
      }
    },
    /** The live state of this partition, for in-process stepping (teaching view). */
    snapshot() {
      const ctr: Record<string, number> = {};
      COUNTERS.forEach((n, i) => (ctr[n] = counters[i]));
      return { counters: ctr, trace: trace as readonly TraceRecord[] };
    },
    init(d: number) {
      if (warmup > 0) kernel.schedule(warmup, ev.warmup, d);
      for (const c of faults.crashes) if (c.domain === d) kernel.schedule(c.at, ev.crash, d, 0, 0);
      // users of this domain log in: the online fraction at once (spread over 10 s), the others later
      for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
        const u = rng.uniform(d);
        if (u < s.population.online) kernel.schedule(rng.uniform(d) * 10_000, ev.login, d, g);
        else if (beh.loginWindow > 0) kernel.schedule(beh.loginStart + rng.uniform(d) * beh.loginWindow, ev.login, d, g);
        else kernel.schedule(rng.exponential(d, beh.offlineLength), ev.login, d, g);
      }
    },
    finish(): ImppPart {
      const owned: number[] = [];
      for (let d = 0; d < D; d++) if (kernel.owns(d)) owned.push(d);
      // with a warm-up, every statistic is the change since the baseline
      const b0 = base as typeof base;
      const ctr: Record<string, number> = {};
      COUNTERS.forEach((n, i) => (ctr[n] = counters[i] - (b0?.counters[i] ?? 0)));
      const sumOf = (st: FifoStation[], f: (g: FifoStation) => number) => st.reduce((x, g) => x + f(g), 0);
      return {
        domains: owned,
        counters: ctr,
        imFailures: minus(imFailures, b0?.imFailures),
        ops: owned.map((d) => {
          const p = pools[d]!;
          const pb = b0?.pools[d] ?? null;
          return {
            domain: d,
            count: minus(p.count, pb?.count),
            sumWait: minus(p.sumWait, pb?.sumWait),
            sumService: minus(p.sumService, pb?.sumService),
            rejected: minus(p.rejected, pb?.rejected),
            busy: p.busyTimeAt(kernel.now) - (pb?.busy ?? 0),
            maxQueue: p.maxQueue,
            rejectedOverload: p.rejectedOverload - (pb?.rejectedOverload ?? 0),
          };
        }),
        pairMessages: minus(pairMessages, b0?.pairMessages),
        pairBytes: minus(pairBytes, b0?.pairBytes),
        notification: notifLatency.encode(),
        im: imLatency.encode(),
        trace,
        memory: { edges: E, users: U },
        domainUsers: Array.from(pop.domainUsers),
        gateways: owned.map((d) => {
          const st = gateways[d]!;
          const gb = b0?.gateways[d] ?? null;
          const before = (f: (g: { jobs: number; sumWait: number; sumService: number; busy: number; rejected: number }) => number) => (gb ? gb.reduce((x, g) => x + f(g), 0) : 0);
          return {
            domain: d,
            jobs: sumOf(st, (g) => g.jobs) - before((g) => g.jobs),
            sumWait: sumOf(st, (g) => g.sumWait) - before((g) => g.sumWait),
            sumService: sumOf(st, (g) => g.sumService) - before((g) => g.sumService),
            busy: sumOf(st, (g) => g.busyAt(kernel.now)) - before((g) => g.busy),
            maxQueue: st.reduce((x, g) => Math.max(x, g.maxQueue), 0),
            rejected: sumOf(st, (g) => g.rejected) - before((g) => g.rejected),
            hosts: st.length,
            cores: s.domains[d].gateway.cores,
          };
        }),
        links: {
          messages: minus(linkMsgs, b0?.links[0]),
          bytes: minus(linkBytes, b0?.links[1]),
          busy: minus(linkBusy, b0?.links[2]),
          retransmissions: minus(linkRetx, b0?.links[3]),
          failed: minus(linkFailed, b0?.links[4]),
        },
        recovery: recovery.encode(),
        timeline: {
          width: tlWidth,
          series: Object.fromEntries(TIMELINE_SERIES.map((n, i) => [n, Array.from(timeline.subarray(i * TIMELINE_BUCKETS, (i + 1) * TIMELINE_BUCKETS))])),
        },
        measuredFrom: b0?.at ?? 0,
        imOpenAtStart: b0 ? b0.counters[C.imSent] - b0.counters[C.imDelivered] - b0.counters[C.imFailed] : 0,
        activeAtStart: b0?.activeSubs ?? 0,
        activeAtEnd: (() => {
          let n = 0;
          for (const d of owned) {
            for (let e = pop.revStart[pop.domainStart[d]]; e < pop.revStart[pop.domainStart[d + 1]]; e++) if (subState[e] !== SUB_NONE) n++;
          }
          return n;
        })(),
      };
    },
  };
}

export { N_KINDS };
