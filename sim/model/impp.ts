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
export const IM_FAILURES = ['closed', 'unknown', 'blocked', 'disabled', 'overload', 'auth'] as const;
const F_CLOSED = 1;
const F_UNKNOWN = 2;
const F_BLOCKED = 3;
const F_DISABLED = 4;
const F_OVERLOAD = 5;
const F_AUTH = 6;

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
}

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
      return d.median * 0.1;
  }
}

/** Draws from a distribution on stream `lp`; exponential and lognormal are floored at 10% of their scale. */
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
  const size = pairBytes + D * D;
  return { counters, latNotification, latIm, domains, pairMessages, pairBytes, size, buckets: LIVE_BUCKETS, counterNames: COUNTERS };
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
  };

  const count = (c: number, n = 1) => {
    counters[c] += n;
  };

  // ---- servers ----
  /** Offers a job to the server of domain d that serves `subject`. Returns false if rejected. */
  const submit = (d: number, op: number, subject: number, a: number, b: number): boolean => {
    const pool = pools[d]!;
    const server = pool.servers === 1 ? 0 : subject % pool.servers;
    const service = drawDist(rng, d, serviceDist[d][op]);
    const core = pool.submit(server, op, a, b, kernel.now, service);
    if (core >= 0) kernel.schedule(service, ev.done, d, core);
    return core !== -2;
  };

  /** Sends an event to domain `to` over the link from `from` (delay 0 inside a domain). */
  const send = (from: number, to: number, type: number, a: number, b: number, kind: number, bytes: number): void => {
    const i = from * D + to;
    pairMessages[i * N_KINDS + kind]++;
    pairBytes[i] += bytes;
    const delay = from === to ? 0 : drawDist(rng, from, links[i]!, lookahead);
    kernel.schedule(delay, type, to, a, b);
  };

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
  const queueNotify = (d: number, e: number, tuple: number, fake: number, since: number) => {
    if (!submit(d, OP_NOTIFY, pop.edgePresentity[e], e * 32 + tuple * 2 + fake, since)) count(C.notifyDropped);
  };

  complete[OP_PUBLISH] = (d, g, b, arrive) => {
    const tuple = Math.floor(b / 16);
    const status = b % 16;
    count(C.publishes);
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
    // fan-out: one notification per active subscription that may see the change
    for (let e = pop.revStart[g]; e < pop.revStart[g + 1]; e++) {
      if (subState[e] !== SUB_ACTIVE) continue;
      if (tuple > 0 && tuple < T && (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0) continue;
      queueNotify(d, e, tuple >= T ? 0 : tuple, 0, arrive);
    }
  };

  complete[OP_NOTIFY] = (d, a, since) => {
    const e = Math.floor(a / 32);
    const tuple = Math.floor((a % 32) / 2);
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
    const bytes = fake ? notifyBytesOne[d] : (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0 ? notifyBytesOne[d] : notifyBytesFull[d];
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
        respondSub(d, e, -1, 'presence service disabled');
        return;
      }
      if (!submit(d, op, pop.edgePresentity[e], e, b)) {
        if (op === OP_SUBSCRIBE) respondSub(d, e, -1, 'overload');
      }
    });
  }

  /** Response to a subscribe: granted >= 0 (ms) accepted, -1 rejected, -2 pending. */
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
      respondSub(d, e, g, 'already subscribed: refreshed');
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
    if (granted === -3) {
      // expired at the service: subscribe again
      sendRequest(e, OP_SUBSCRIBE, M_SUBSCRIBE, beh.subscriptionDuration);
      return;
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
    if (!submit(d, OP_IMDELIVER, subject, a, sentAt)) report(d, a, F_OVERLOAD);
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
    imLatency.record(kernel.now - sentAt);
    liveIm[liveBucket(kernel.now - sentAt)]++;
    report(d, a, 0);
  };

  complete[OP_IMREPORT] = () => undefined;

  ev.imReport = kernel.defineEvent('imReport', (_d, _a, code) => {
    count(C.imReportsReceived);
    if (code !== 0) imFail(code);
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
      }
    },
    /** The live state of this partition, for in-process stepping (teaching view). */
    snapshot() {
      const ctr: Record<string, number> = {};
      COUNTERS.forEach((n, i) => (ctr[n] = counters[i]));
      return { counters: ctr, trace: trace as readonly TraceRecord[] };
    },
    init(d: number) {
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
      const ctr: Record<string, number> = {};
      COUNTERS.forEach((n, i) => (ctr[n] = counters[i]));
      return {
        domains: owned,
        counters: ctr,
        imFailures: Array.from(imFailures),
        ops: owned.map((d) => {
          const p = pools[d]!;
          return {
            domain: d,
            count: Array.from(p.count),
            sumWait: Array.from(p.sumWait),
            sumService: Array.from(p.sumService),
            rejected: Array.from(p.rejected),
            busy: p.busyTimeAt(kernel.now),
            maxQueue: p.maxQueue,
            rejectedOverload: p.rejectedOverload,
          };
        }),
        pairMessages: Array.from(pairMessages),
        pairBytes: Array.from(pairBytes),
        notification: notifLatency.encode(),
        im: imLatency.encode(),
        trace,
        memory: { edges: E, users: U },
        domainUsers: Array.from(pop.domainUsers),
      };
    },
  };
}

export { N_KINDS };
