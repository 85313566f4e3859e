/**
 * What one partition returns at the end of a run (ImppPart, structured-cloneable), and the
 * warm-up: at s.warmup every statistic restarts from a baseline taken by the partition's first
 * warm-up event, and the part reports the change since then.
 */
import { COUNTERS, TIMELINE_BUCKETS, TIMELINE_SERIES, type ModelContext } from './context.js';
import type { FifoStation } from './federation.js';
import type { Gateways } from './gateways.js';
import type { InstantMessaging } from './im.js';
import type { EncodedHistogram } from './latency.js';
import type { Notification } from './notification.js';
import type { Service } from './service.js';
import type { ServerPool } from './servers.js';
import type { SubscriptionTable } from './subscriptions.js';
import type { TraceRecord } from './trace.js';
import type { Watchers } from './watchers.js';
import type { AccessLink } from './access-link.js';
import type { WirePart } from './bindings/counts.js';

/** What one partition returns (structured-cloneable). */
export interface ImppPart {
  domains: number[];
  counters: Record<string, number>;
  imFailures: number[];
  ops: { domain: number; count: number[]; sumWait: number[]; sumService: number[]; rejected: number[]; busy: number; maxQueue: number; rejectedOverload: number; nodes: NodeFigures }[];
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
  /** staleness (staleness.ts): change -> the watcher holds it */
  staleness: EncodedHistogram;
  activeAtEnd: number;
  timeline: { width: number; series: Record<string, number[]> };
  /** the time statistics start from (the scenario's warmup once it was reached, else 0) */
  measuredFrom: number;
  /** the census at the end: message copies without an outcome and failure reports on their way (im.census) */
  imOpenAtEnd: number;
  /** active subscriptions at measuredFrom */
  activeAtStart: number;
  /** access links: principals per class (owned domains), messages and bytes per class and direction (class * 2 + up 0 / down 1) */
  access: { users: number[]; messages: number[]; bytes: number[] };
  /** the protocol bindings' counts, when some domain speaks SIP or XMPP (bindings/counts.ts) */
  wire?: WirePart;
  /** messages and bytes between the server nodes of each domain (cluster.ts: pairBase[d] + from * nodes + to), sent from this partition's nodes */
  cluster: { messages: number[]; bytes: number[] };
}

/** per server node of a domain (servers.ts): busy time, and wire jobs and their service ms per node, direction and kind (node * 2 * N_WIRE + dir * N_WIRE + k; empty for a CPIM domain) */
export interface NodeFigures {
  busy: number[];
  count: number[];
  serviceMs: number[];
}

export interface PartSources {
  service: Service;
  gateways: Gateways;
  notification: Notification;
  im: InstantMessaging;
  watchers: Watchers;
  subs: SubscriptionTable;
  link: AccessLink;
}

type StationFigures = { jobs: number; sumWait: number; sumService: number; busy: number; rejected: number };
interface Baseline {
  at: number;
  counters: Float64Array;
  imFailures: Float64Array;
  pairMessages: Float64Array;
  pairBytes: Float64Array;
  links: Float64Array[];
  pools: ({ count: Float64Array; sumWait: Float64Array; sumService: Float64Array; rejected: Float64Array; busy: number; rejectedOverload: number; nodes: Float64Array[] } | null)[];
  gateways: (StationFigures[] | null)[];
  activeSubs: number;
  access: Float64Array[];
  cluster: Float64Array[];
}

const minus = (a: ArrayLike<number>, b: ArrayLike<number> | undefined) => Array.from(a, (x, i) => x - (b?.[i] ?? 0));
const nodeArrays = (p: ServerPool, now: number) => [p.nodeBusyAt(now), p.nodeCount, p.nodeService];
const linkArrays = (g: Gateways) => [g.link.messages, g.link.bytes, g.link.busy, g.link.retransmissions, g.link.failed];

export class PartBuilder {
  private base: Baseline | null = null;
  /** the concerns whose figures the part holds (set once they are created) */
  src!: PartSources;

  /** Created before the concerns, so that the warm-up event is scheduled first at each domain's start. */
  constructor(private readonly ctx: ModelContext) {
    const warmup = ctx.s.warmup ?? 0;
    if (warmup <= 0) return;
    const ev = ctx.on('warmup', () => this.takeBaseline());
    ctx.onInit((_d, lp) => ctx.kernel.schedule(warmup, ev, lp));
  }

  /** the domains of which this partition owns at least one node (a domain may span partitions: report/ merges them) */
  private ownedDomains(): number[] {
    const owned: number[] = [];
    for (let d = 0; d < this.ctx.D; d++) if (this.ctx.cluster.ownsAny(this.ctx.kernel, d)) owned.push(d);
    return owned;
  }

  private accessUsers(owned: number[]): number[] {
    // principals of the owned nodes per class (the link counts every principal of the population)
    const users = [0, 0];
    const { pop, kernel, cluster } = this.ctx;
    for (const d of owned) for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) if (kernel.owns(cluster.lpOfUser[g])) users[this.src.link.classOf(g)]++;
    return users;
  }

  private activeSubs(): number {
    let n = 0;
    for (const d of this.ownedDomains()) n += this.src.subs.heldIn(this.ctx, d);
    return n;
  }

  /** the first warm-up event of this partition takes the baseline for all of its domains */
  private takeBaseline(): void {
    if (this.base !== null) return;
    const { kernel, counters } = this.ctx;
    const { service, gateways, im, notification, watchers } = this.src;
    const now = kernel.now;
    this.base = {
      at: now,
      counters: counters.slice(),
      imFailures: im.failures.slice(),
      pairMessages: gateways.pairMessages.slice(),
      pairBytes: gateways.pairBytes.slice(),
      links: linkArrays(gateways).map((x) => x.slice()),
      pools: service.pools.map((p) => (p ? { count: p.count.slice(), sumWait: p.sumWait.slice(), sumService: p.sumService.slice(), rejected: p.rejected.slice(), busy: p.busyTimeAt(now), rejectedOverload: p.rejectedOverload, nodes: nodeArrays(p, now).map((x) => x.slice()) } : null)),
      gateways: gateways.stations.map((st) => (st ? st.map((g) => ({ jobs: g.jobs, sumWait: g.sumWait, sumService: g.sumService, busy: g.busyAt(now), rejected: g.rejected })) : null)),
      activeSubs: this.activeSubs(),
      access: [this.src.link.messages.slice(), this.src.link.bytes.slice()],
      cluster: [this.ctx.cluster.messages.slice(), this.ctx.cluster.bytes.slice()],
    };
    // longest queues and latencies are of the measured period only
    for (const p of service.pools) if (p) p.maxQueue = 0;
    for (const st of gateways.stations) if (st) for (const g of st) g.maxQueue = 0;
    notification.latency.reset();
    im.latency.reset();
    watchers.recovery.reset();
    notification.staleness.reset();
  }

  private stations(owned: number[]): ImppPart['gateways'] {
    const { kernel, s } = this.ctx;
    const b0 = this.base;
    const sumOf = (st: readonly (FifoStation | StationFigures)[], f: (g: StationFigures) => number) => st.reduce((x, g) => x + f(g as StationFigures), 0);
    // (a domain's gateways are on its home node: in one partition only)
    return owned.filter((d) => this.src.gateways.stations[d] !== null).map((d) => {
      const st = this.src.gateways.stations[d]!;
      const gb = b0?.gateways[d] ?? [];
      const diff = (f: (g: StationFigures) => number) => sumOf(st, f) - sumOf(gb, f);
      return {
        domain: d,
        jobs: diff((g) => g.jobs),
        sumWait: diff((g) => g.sumWait),
        sumService: diff((g) => g.sumService),
        busy: st.reduce((x, g) => x + g.busyAt(kernel.now), 0) - sumOf(gb, (g) => g.busy),
        maxQueue: st.reduce((x, g) => Math.max(x, g.maxQueue), 0),
        rejected: diff((g) => g.rejected),
        hosts: st.length,
        cores: s.domains[d].gateway.cores,
      };
    });
  }

  private nodes(p: ServerPool, base: Float64Array[] | undefined): NodeFigures {
    const [busy, count, serviceMs] = nodeArrays(p, this.ctx.kernel.now).map((x, i) => minus(x, base?.[i]));
    return { busy, count, serviceMs };
  }

  build(): ImppPart {
    const { kernel, counters, pop, E, U, timeline, timelineWidth, trace } = this.ctx;
    const { service, gateways, im, notification, watchers } = this.src;
    const owned = this.ownedDomains();
    const b0 = this.base;
    const ctr: Record<string, number> = {};
    COUNTERS.forEach((n, i) => (ctr[n] = counters[i] - (b0?.counters[i] ?? 0)));
    const links = linkArrays(gateways).map((x, i) => minus(x, b0?.links[i]));
    return {
      domains: owned,
      counters: ctr,
      imFailures: minus(im.failures, b0?.imFailures),
      ops: owned.map((d) => {
        const p = service.pools[d]!;
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
          nodes: this.nodes(p, pb?.nodes),
        };
      }),
      pairMessages: minus(gateways.pairMessages, b0?.pairMessages),
      pairBytes: minus(gateways.pairBytes, b0?.pairBytes),
      notification: notification.latency.encode(),
      im: im.latency.encode(),
      trace: trace.records,
      memory: { edges: E, users: U },
      domainUsers: Array.from(pop.domainUsers),
      gateways: this.stations(owned),
      links: { messages: links[0], bytes: links[1], busy: links[2], retransmissions: links[3], failed: links[4] },
      recovery: watchers.recovery.encode(),
      staleness: notification.staleness.encode(notification.latency),
      timeline: {
        width: timelineWidth,
        series: Object.fromEntries(TIMELINE_SERIES.map((n, i) => [n, Array.from(timeline.subarray(i * TIMELINE_BUCKETS, (i + 1) * TIMELINE_BUCKETS))])),
      },
      measuredFrom: b0?.at ?? 0,
      imOpenAtEnd: im.census(),
      access: { users: this.accessUsers(owned), messages: minus(this.src.link.messages, b0?.access[0]), bytes: minus(this.src.link.bytes, b0?.access[1]) },
      cluster: { messages: minus(this.ctx.cluster.messages, b0?.cluster[0]), bytes: minus(this.ctx.cluster.bytes, b0?.cluster[1]) },
      activeAtStart: b0?.activeSubs ?? 0,
      activeAtEnd: this.activeSubs(),
    };
  }
}
