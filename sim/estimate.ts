/**
 * The provisional memory estimate of a run, checked before any worker starts (CLI `run`, `sweep`,
 * `size`, the server's POST /api/runs and /api/sweeps). A scenario within every documented field
 * limit can still ask for more than the machine has (50 million users with 100 buddies each are
 * 5 billion subscription edges); such a run is refused with the estimate, the limit and the fields
 * to change, instead of growing until the process dies.
 *
 * The estimate adds up what the model allocates (see sim/model/population.ts, sim/model/impp.ts):
 *   - population and model state per partition: every worker builds the whole population
 *     (USER_BYTES per user and tuple columns, EDGE_BYTES per expected subscription edge, counting
 *     the JavaScript arrays the edges are collected in) and the per-ordered-pair arrays
 *     (PAIR_STATE_BYTES per pair of domains, live view included);
 *   - the servers and gateways of every domain (queues and per-core state);
 *   - pending events (EVENT_BYTES each, EVENTS_PER_USER per user and EVENTS_PER_EDGE per edge);
 *   - in the coordinator: the partitions' per-pair results and their sum, and the report (domains,
 *     and the pairs and links that can carry messages: at most D x (D - 1), at most 2 per edge
 *     plus the unknown-recipient IMs), the trace when it is on.
 * It is an upper-bound guess from the scenario alone, not a measurement: the figures per item are
 * rounded up from the allocations and were compared against the peak RSS of runs (docs/scenarios.md).
 *
 * Besides memory, two structural limits apply: the expected subscription edges must stay below
 * MAX_EDGES (the documented maximum; the population builder collects edges in typed arrays, which
 * hold up to 2^31, where the JavaScript arrays it used before aborted the process past about 112
 * million entries), and the report's JSON below MAX_REPORT_BYTES.
 */
import { SimError } from './errors.js';
import { fmtBytes, memoryLimit, type MemoryLimit } from './memory-limit.js';
import type { CountDist, Scenario } from './scenario/types.js';

export { DEFAULT_MEMORY_FRACTION, fmtBytes, MEMORY_LIMIT_ENV, memoryLimit, type MemoryLimit } from './memory-limit.js';

/** Expected subscription edges a run may have (the documented maximum). */
export const MAX_EDGES = 100_000_000;
/** Largest report (JSON, pretty-printed) a run may produce: it is stored, served and rendered whole. */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** Bytes per user and partition: population columns, Zipf table, online state (plus 10 per tuple). */
export const USER_BYTES = 32;
export const TUPLE_BYTES = 10;
/** Bytes per expected subscription edge and partition: up to 24 in the build arrays (two int32 lists while one doubles), 17 of columns, 22 of state (2 of them the gateways' SubscriptID bytes). */
export const EDGE_BYTES = 63;
/** notifyMinInterval > 0 adds the last-notify time and a flag per edge. */
export const EDGE_RATE_LIMIT_BYTES = 9;
/** Bytes per ordered pair of domains and partition: 10 message-kind counters, 11 link and SRV arrays, the live view, the latency table. */
export const PAIR_STATE_BYTES = 212;
/** Bytes per ordered pair of each partition's result in the coordinator (its copy and the message carrying it), and of the merged sums. */
export const PAIR_RESULT_BYTES = 272;
export const PAIR_MERGED_BYTES = 136;
/** Bytes of a pending event (heap entry 16, key 8 and three payload slots 24: PENDING_EVENT_BYTES of sim/engine/queue.ts), and pending events per user and per edge. */
export const EVENT_BYTES = 48;
export const EVENTS_PER_USER = 4;
export const EVENTS_PER_EDGE = 0.5;
/** Bytes of a server (its four job queues) and of each of its cores. */
export const SERVER_BYTES = 1900;
export const CORE_BYTES = 48;
/** Bytes of a gateway host and of each of its cores. */
export const GATEWAY_BYTES = 800;
export const GATEWAY_CORE_BYTES = 8;
/** Report entries: bytes in memory (and in the pretty-printed JSON) per domain, pair, link, trace record. */
export const REPORT_DOMAIN = { memory: 4000, json: 3000 };
/** The rest of the report (latencies, CDFs, timeline, counters) in JSON. */
export const REPORT_BASE_JSON = 20_000;
export const REPORT_PAIR = { memory: 700, json: 400 };
export const REPORT_LINK = { memory: 400, json: 250 };
export const REPORT_TRACE = { memory: 500, json: 400 };
/** The process itself (modules, heaps) and each worker thread. */
export const BASE_BYTES = 80e6;
export const WORKER_BYTES = 60e6;

export interface EstimatePart {
  /** what the bytes are for */
  what: string;
  bytes: number;
  /** the scenario fields (or options) that size this part */
  fields: string;
}

export interface RunEstimate {
  /** estimated peak bytes of the whole run */
  bytes: number;
  parts: EstimatePart[];
  users: number;
  /** expected subscription edges */
  edges: number;
  /** ordered pairs of domains that can carry messages (report entries of pairs and links) */
  reportPairs: number;
  /** estimated size of the pretty-printed JSON report */
  reportJsonBytes: number;
  workers: number;
}

/** The mean of min(k, cap) for the buddy-count distribution, as the population builder draws it. */
export function meanBuddies(d: CountDist, cap: number): number {
  const c = Math.max(0, cap);
  switch (d.dist) {
    case 'fixed':
      return Math.min(d.value, c);
    case 'uniform': {
      let sum = 0;
      for (let k = d.min; k <= d.max; k++) sum += Math.min(k, c);
      return sum / (d.max - d.min + 1);
    }
    case 'powerlaw': {
      // floor of a Pareto(min, alpha) draw, redrawn while above max (100 tries, then max)
      if (d.alpha <= 1) return Math.min(d.alpha === 1 ? d.max : d.min, c);
      const tail = (x: number) => Math.pow(x / d.min, -(d.alpha - 1));
      const keep = 1 - tail(d.max + 1);
      let sum = 0;
      for (let k = d.min; k <= d.max; k++) sum += Math.min(k, c) * (tail(k) - tail(k + 1));
      const giveUp = Math.pow(1 - keep, 100);
      return (keep > 0 ? (sum / keep) * (1 - giveUp) : 0) + giveUp * Math.min(d.max, c);
    }
  }
}

const HOUR = 3_600_000;

/**
 * A generous guess of the messages a run sends, which bounds its trace records: per edge the
 * initial subscription (4 messages), notifications, refreshes and polls with their answers and the
 * resubscriptions of log-ins; per user publishes, IMs with their reports, fetches and sessions;
 * all three times over for retransmissions and gateway hops.
 */
export function expectedMessages(sc: Scenario, users: number, edges: number, duration: number): number {
  const b = sc.behaviour;
  const h = duration / HOUR;
  const refreshEvery = Math.max(1, Math.min(b.subscriptionDuration, b.maxSubscriptionDuration) - b.refreshBefore);
  const sessions = HOUR / Math.max(1, Math.min(b.sessionLength, b.offlineLength));
  const perEdge = 4 + h * (b.presenceChangeRate + (2 * HOUR) / refreshEvery + (2 * HOUR) / b.pollInterval + 4 * sessions);
  const perUser = 2 + h * (b.presenceChangeRate + 4 * b.imRate + 2 * b.fetchRate + sessions);
  return 3 * (edges * perEdge + users * perUser);
}

function servers(sc: Scenario): number {
  let b = 0;
  for (const d of sc.domains) {
    b += d.servers.count * (SERVER_BYTES + d.servers.cores * CORE_BYTES);
    b += d.gateway.count * (GATEWAY_BYTES + d.gateway.cores * GATEWAY_CORE_BYTES);
  }
  return b;
}

/** The provisional estimate of a run's peak memory (see the module comment). */
export function estimateRun(sc: Scenario, opts: { workers?: number; duration?: number } = {}): RunEstimate {
  const D = sc.domains.length;
  const workers = Math.max(1, Math.min(opts.workers ?? 1, D));
  const duration = opts.duration ?? sc.duration;
  const pop = sc.population;
  let base = 0;
  for (const d of sc.domains) base += d.users;
  const celebrity = pop.celebrity?.subscribers ?? 0;
  const users = base + celebrity;
  const edges = base * meanBuddies(pop.buddies, users - 1) + celebrity;
  const perUser = USER_BYTES + TUPLE_BYTES * pop.tuples;
  const perEdge = EDGE_BYTES + (sc.federation.notifyMinInterval > 0 ? EDGE_RATE_LIMIT_BYTES : 0);
  const pairsAll = D * (D - 1);
  const b = sc.behaviour;
  const imsUnknown = base * (b.imRate / 3_600_000) * duration * b.unknownRecipientFraction * (1 + b.duplicateFraction);
  let routed = 0;
  for (const d of sc.domains) routed += d.gateway.routes.length + (d.srv?.records.length ?? 0);
  const reportPairs = Math.ceil(Math.min(pairsAll, 2 * edges + imsUnknown + routed * D));
  // records stop at trace.limit, and once they take trace.maxBytes (a record takes 150 bytes or more)
  const trace = sc.trace.enabled ? Math.ceil(Math.min(sc.trace.limit, sc.trace.maxBytes / 150, expectedMessages(sc, users, edges, duration))) : 0;

  const parts: EstimatePart[] = [
    {
      what: `population and model state of ${fmtCount(users)} users and ${fmtCount(edges)} expected subscription edges, built by each of ${workers} partition(s)`,
      bytes: workers * (users * perUser + edges * perEdge),
      fields: 'domains[].users, population.buddies, population.celebrity.subscribers (or fewer workers)',
    },
    {
      what: `per-pair state of ${fmtCount(pairsAll)} ordered domain pairs in each of ${workers} partition(s) and their merged results`,
      bytes: D * D * (workers * (PAIR_STATE_BYTES + PAIR_RESULT_BYTES) + PAIR_MERGED_BYTES),
      fields: 'the number of domains (or fewer workers)',
    },
    {
      what: 'servers and gateways',
      bytes: servers(sc),
      fields: 'domains[].servers.count, domains[].servers.cores, domains[].gateway.count, domains[].gateway.cores',
    },
    {
      what: 'pending events',
      bytes: (EVENTS_PER_USER * users + EVENTS_PER_EDGE * edges) * EVENT_BYTES,
      fields: 'domains[].users, population.buddies',
    },
    {
      what: `the report (${fmtCount(D)} domains, up to ${fmtCount(reportPairs)} pairs and as many links${trace ? `, ${fmtCount(trace)} trace records` : ''})`,
      bytes: D * REPORT_DOMAIN.memory + reportPairs * (REPORT_PAIR.memory + REPORT_LINK.memory) + trace * REPORT_TRACE.memory * 2,
      fields: trace ? 'the number of domains, trace.limit or trace.maxBytes' : 'the number of domains',
    },
    { what: `the process and ${workers} worker thread(s)`, bytes: BASE_BYTES + workers * WORKER_BYTES, fields: '--workers' },
  ];
  const reportJsonBytes = REPORT_BASE_JSON + D * REPORT_DOMAIN.json + reportPairs * (REPORT_PAIR.json + REPORT_LINK.json) + trace * REPORT_TRACE.json;
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts, users, edges, reportPairs, reportJsonBytes, workers };
}

/**
 * Throws SIM_ERR_RUN_TOO_LARGE when the run's estimate exceeds the limit (or a structural limit);
 * returns the estimate otherwise. `what` names the run in the message (a sweep point).
 */
export function checkRunFits(
  sc: Scenario,
  opts: { workers?: number; duration?: number; limit?: MemoryLimit; what?: string } = {},
): RunEstimate {
  const est = estimateRun(sc, opts);
  const who = opts.what ?? `scenario '${sc.name}'`;
  const details = { estimate: est.bytes, edges: est.edges, reportJsonBytes: est.reportJsonBytes, parts: est.parts };
  if (est.edges > MAX_EDGES) {
    throw new SimError(
      'SIM_ERR_RUN_TOO_LARGE',
      `${who} would have about ${fmtCount(est.edges)} subscription edges (${fmtCount(est.users)} users x ${round(est.edges / Math.max(1, est.users))} buddies on average); ` +
        `at most ${fmtCount(MAX_EDGES)} are supported: lower domains[].users or population.buddies`,
      { ...details, limit: MAX_EDGES },
    );
  }
  if (est.reportJsonBytes > MAX_REPORT_BYTES) {
    throw new SimError(
      'SIM_ERR_RUN_TOO_LARGE',
      `${who} would produce a report of about ${fmtBytes(est.reportJsonBytes)} (${fmtCount(est.reportPairs)} domain pairs that can carry messages); ` +
        `at most ${fmtBytes(MAX_REPORT_BYTES)} are supported: use fewer domains${sc.trace.enabled ? ' or a lower trace.limit' : ''}`,
      { ...details, limit: MAX_REPORT_BYTES },
    );
  }
  const limit = opts.limit ?? memoryLimit();
  if (est.bytes > limit.bytes) {
    // the fixed cost of the process is no field's doing: name the largest parts the scenario sizes
    const top = est.parts.filter((p) => p.fields !== '--workers').sort((a, b) => b.bytes - a.bytes).slice(0, 2);
    const fixed = BASE_BYTES + est.workers * WORKER_BYTES;
    if (fixed >= limit.bytes) {
      throw new SimError(
        'SIM_ERR_RUN_TOO_LARGE',
        `${who} would need about ${fmtBytes(est.bytes)} of memory (estimate), more than the limit of ${fmtBytes(limit.bytes)} (${limit.source}), ` +
          `which is below the ${fmtBytes(fixed)} the process and its ${est.workers} worker thread(s) take in any case: raise the limit or use fewer workers`,
        { ...details, limit: limit.bytes },
      );
    }
    throw new SimError(
      'SIM_ERR_RUN_TOO_LARGE',
      `${who} would need about ${fmtBytes(est.bytes)} of memory (estimate; mostly ${top.map((p) => `${fmtBytes(p.bytes)} for ${p.what}`).join(' and ')}), ` +
        `more than the limit of ${fmtBytes(limit.bytes)} (${limit.source}); lower ${top[0].fields}`,
      { ...details, limit: limit.bytes },
    );
  }
  return est;
}

/**
 * For runs that execute side by side in one process (a sweep's replications on `concurrency`
 * threads): each must fit alone, and the `concurrency` largest together. Throws
 * SIM_ERR_RUN_TOO_LARGE naming the run, or the concurrency to lower.
 */
export function checkConcurrentRuns(
  runs: readonly { scenario: Scenario; duration?: number; what: string }[],
  concurrency: number,
  limit: MemoryLimit = memoryLimit(),
): void {
  const sizes = runs.map((r) => checkRunFits(r.scenario, { workers: 1, duration: r.duration, limit, what: r.what }).bytes - BASE_BYTES);
  sizes.sort((a, b) => b - a);
  const k = Math.max(1, Math.min(concurrency, sizes.length));
  let together = BASE_BYTES;
  let fits = 0;
  for (let i = 0; i < k; i++) {
    together += sizes[i];
    if (together <= limit.bytes) fits = i + 1;
  }
  if (together > limit.bytes) {
    throw new SimError(
      'SIM_ERR_RUN_TOO_LARGE',
      `${k} runs at once would need about ${fmtBytes(together)} of memory (estimate), more than the limit of ${fmtBytes(limit.bytes)} (${limit.source}); ` +
        `lower --parallel to ${Math.max(1, fits)} or less`,
      { estimate: together, limit: limit.bytes, concurrency: k },
    );
  }
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** 1234567 -> "1,234,567" (rounded to a whole number). */
export function fmtCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

