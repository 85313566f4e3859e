/**
 * What every concern of the IMPP model shares in one partition: the kernel and its random streams,
 * the scenario, the static population, the counters, the timeline and the timer service. Each
 * concern module (sessions, presence, subscriptions, access, watcher information, IM, servers,
 * gateways) receives the context and the modules it calls, keeps its own typed columns and registers
 * its own handlers, so that the composition file (impp.ts) only wires them.
 *
 * Counters are one Float64Array indexed by the names below; the report and the live view read them
 * by name.
 */
import type { Kernel } from '../engine/kernel.js';
import type { RandomStreams } from '../engine/rng.js';
import { TimerService } from '../engine/timers.js';
import type { Scenario } from '../scenario/types.js';
import type { Population } from './population.js';
import { Trace } from './trace.js';
import { Cluster } from './cluster.js';
import { CPIM_ONLY, type WireHooks } from './bindings/hooks.js';

export const COUNTERS = [
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
  'imCopies',
  'imCopiesRefused',
  'imIndeterminate',
  'imPastEnd',
  'publishRefreshes',
  'publishRefreshFailed',
  'leaseExpired',
  'subRevoked',
  'terminationsSent',
  'terminationsReceived',
  'terminationsLost',
  'watcherInfoSent',
  'imStored',
  'decisionsDeferred',
  'cpimTransactions',
  'cpimResponsesMatched',
  'cpimResponsesUnmatched',
  'cpimTransactionsExpired',
  'cpimIndeterminant',
  'cpimUnknownSubscriptId',
  'cpimNotifyNoSubscription',
  'notifyForged',
  'forgedNotifiesSent',
  'thirdPartyAttempts',
  'thirdPartyRefused',
  'stalenessChanges',
  'stalenessHeld',
  'stalenessEnded',
  'stalenessMissed',
  'deviceLogins',
  'deviceLogouts',
  'watcherInfoUndelivered',
  'imReportsUndelivered',
] as const;
export type Counter = (typeof COUNTERS)[number];
/** Counter indices by name (C.publishes is the index of 'publishes'). */
export const C = Object.fromEntries(COUNTERS.map((n, i) => [n, i])) as Record<Counter, number>;

/** Series of the report's timeline (counts per bucket of simulated time). */
export const TIMELINE_SERIES = ['notificationsDelivered', 'imDelivered', 'imFailed', 'crossDomainMessages', 'transfersFailed'] as const;
export const TIMELINE_BUCKETS = 120;
export const TL_NOTIFY_DELIVERED = 0;
export const TL_IM_DELIVERED = 1;
export const TL_IM_FAILED = 2;
export const TL_CROSS_DOMAIN = 3;
export const TL_TRANSFER_FAILED = 4;

/** A job handler: a server finished operation `op` of domain d with job fields (a, b) (it arrived at Service.arrived[0]). */
export type Completion = (d: number, a: number, b: number) => void;

/**
 * Event types that one concern sends and another defines (a request and its response live in
 * different modules): each module fills in the types it defines at creation; senders read them
 * when they send.
 */
export interface ModelEvents {
  /** a presence request (subscribe, refresh, unsubscribe, fetch) arriving at the presentity's domain, by operation */
  request: number[];
  subResponse: number;
  fetchResponse: number;
  notifyArrive: number;
  listArrive: number;
  imArrive: number;
  imReport: number;
  terminated: number;
}

/** The shared state of one partition's model. */
export interface ModelContext {
  readonly kernel: Kernel;
  readonly rng: RandomStreams;
  readonly s: Scenario;
  readonly seed: number;
  readonly pop: Population;
  readonly timers: TimerService;
  /** domains, tuples per presentity, users, subscription edges */
  readonly D: number;
  readonly T: number;
  readonly U: number;
  readonly E: number;
  readonly counters: Float64Array;
  readonly timeline: Float64Array;
  readonly timelineWidth: number;
  readonly trace: Trace;
  /** sessions: who is online now, and the session epoch (timers of an ended session are stale) */
  readonly online: Uint8Array;
  readonly epoch: Uint32Array;
  /**
   * with population.devices > 1, each device's own session (k = g * devices + j): online, and its
   * epoch (a device's timers set in an ended device session are stale); empty with one device,
   * whose session is the principal's
   */
  readonly deviceOnline: Uint8Array;
  readonly deviceEpoch: Uint32Array;
  readonly ev: ModelEvents;
  /** the domains' protocol bindings (bindings/wire.ts; CPIM_ONLY until impp.ts sets them) */
  wire: WireHooks;
  /** the domains' server nodes as LPs (cluster.ts): each principal's LP, the intra-cluster network */
  readonly cluster: Cluster;
  /** per LP: its domain (cluster.domainOfLp) */
  readonly dom: Int32Array;
  /**
   * Defines an event whose handler receives the domain of the LP it runs on (the LP itself is
   * kernel.lp): the concerns think in domains, the kernel in LPs.
   */
  on(name: string, fn: (d: number, a: number, b: number, c: number) => void): number;
  /** Registers what a concern schedules when an LP starts (called in registration order, with the LP's domain). */
  onInit(fn: (d: number, lp: number) => void): void;
  /** Runs the registered start-up of LP lp. */
  init(lp: number): void;
}

export function createContext(kernel: Kernel, s: Scenario, seed: number, pop: Population): ModelContext {
  const timelineWidth = s.duration / TIMELINE_BUCKETS;
  const inits: ((d: number, lp: number) => void)[] = [];
  const cluster = new Cluster(s, pop.domainOf, pop.totalUsers);
  const dom = cluster.domainOfLp;
  return {
    onInit: (fn) => {
      inits.push(fn);
    },
    init: (lp) => {
      for (const fn of inits) fn(dom[lp], lp);
    },
    cluster,
    dom,
    on: (name, fn) => kernel.defineEvent(name, (lp, a, b, c) => fn(dom[lp], a, b, c)),
    kernel,
    rng: kernel.rng,
    s,
    seed,
    pop,
    timers: new TimerService(kernel),
    D: pop.domains,
    T: s.population.tuples,
    U: pop.totalUsers,
    E: pop.edges,
    counters: new Float64Array(COUNTERS.length),
    timeline: new Float64Array(TIMELINE_SERIES.length * TIMELINE_BUCKETS),
    timelineWidth,
    trace: new Trace(s, pop, kernel),
    online: new Uint8Array(pop.totalUsers),
    epoch: new Uint32Array(pop.totalUsers),
    deviceOnline: new Uint8Array(s.population.devices > 1 ? pop.totalUsers * s.population.devices : 0),
    deviceEpoch: new Uint32Array(s.population.devices > 1 ? pop.totalUsers * s.population.devices : 0),
    wire: CPIM_ONLY,
    ev: { request: [], subResponse: -1, fetchResponse: -1, notifyArrive: -1, listArrive: -1, imArrive: -1, imReport: -1, terminated: -1 },
  };
}

/** Adds one to a timeline series in the bucket of the current time. */
export function tick(ctx: ModelContext, series: number, n = 1): void {
  const k = Math.min(TIMELINE_BUCKETS - 1, Math.floor(ctx.kernel.now / ctx.timelineWidth));
  ctx.timeline[series * TIMELINE_BUCKETS + k] += n;
}
