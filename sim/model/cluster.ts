/**
 * A domain's servers as a cluster of nodes, each one logical process (LP): LP = nodeBase[d] + node.
 * A principal g of domain d lives on its home node g % servers (the node that serves its jobs,
 * service.ts), with its agents, its access link, its watcher-side view of each edge and its
 * presentity's service state. Node 0 of a domain (its "home" LP) also holds what belongs to the
 * domain as a whole: its gateway hosts, its CPIM transaction tables and its domain-level timers
 * (crashes, forgers, warm-up of the bindings).
 *
 * Between two nodes of one domain a message crosses the intra-cluster network: it takes
 * `servers.clusterLatency` (the lookahead inside a domain) and is counted per (domain, from node,
 * to node): messages and bytes, for the report (report.md: domains[].cluster).
 */
import type { Scenario } from '../scenario/types.js';

/** Largest cluster whose traffic is counted node by node pair (the report's matrix); larger ones count per node. */
export const MATRIX_NODES = 16;
/** Counting slots of a cluster of n nodes (Cluster.pairBase). */
export function clusterSlots(n: number): number {
  return n <= MATRIX_NODES ? n * n : 2 * n;
}

/** The LP layout of a scenario: which LPs belong to which domain (no population needed). */
export interface LpLayout {
  /** LPs in all */
  readonly lps: number;
  /** per domain: its first LP; nodeBase[D] = lps */
  readonly nodeBase: Int32Array;
  /** per domain: its nodes (servers.count) */
  readonly nodes: Int32Array;
  /** per LP: its domain */
  readonly domainOfLp: Int32Array;
  /** per domain: the one-way latency between two of its nodes, ms */
  readonly latency: Float64Array;
}

export function lpLayout(s: Scenario): LpLayout {
  const D = s.domains.length;
  const nodeBase = new Int32Array(D + 1);
  const nodes = new Int32Array(D);
  const latency = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    const sv = s.domains[d].servers;
    nodes[d] = sv.count;
    latency[d] = sv.clusterLatency ?? 0.5;
    nodeBase[d + 1] = nodeBase[d] + nodes[d];
  }
  const lps = nodeBase[D];
  const domainOfLp = new Int32Array(lps);
  for (let d = 0; d < D; d++) domainOfLp.fill(d, nodeBase[d], nodeBase[d + 1]);
  return { lps, nodeBase, nodes, domainOfLp, latency };
}

/** The layout with the population: each principal's LP, and the intra-cluster traffic counts. */
export class Cluster implements LpLayout {
  readonly lps: number;
  readonly nodeBase: Int32Array;
  readonly nodes: Int32Array;
  readonly domainOfLp: Int32Array;
  readonly latency: Float64Array;
  /** per principal: its home node's LP */
  readonly lpOfUser: Int32Array;
  /**
   * per domain d of n nodes, from node i to node j: messages and bytes, at pairBase[d] + i * n + j
   * up to MATRIX_NODES nodes; beyond, per node only (sent at pairBase[d] + i, received at
   * pairBase[d] + n + j), so that a domain of 10,000 servers needs 20,000 slots, not 10^8
   */
  readonly pairBase: Int32Array;
  readonly messages: Float64Array;
  readonly bytes: Float64Array;

  constructor(s: Scenario, domainOf: ArrayLike<number>, users: number) {
    const l = lpLayout(s);
    this.lps = l.lps;
    this.nodeBase = l.nodeBase;
    this.nodes = l.nodes;
    this.domainOfLp = l.domainOfLp;
    this.latency = l.latency;
    const D = l.nodes.length;
    this.lpOfUser = new Int32Array(users);
    for (let g = 0; g < users; g++) {
      const d = domainOf[g];
      this.lpOfUser[g] = l.nodeBase[d] + (l.nodes[d] === 1 ? 0 : g % l.nodes[d]);
    }
    this.pairBase = new Int32Array(D + 1);
    for (let d = 0; d < D; d++) this.pairBase[d + 1] = this.pairBase[d] + clusterSlots(l.nodes[d]);
    this.messages = new Float64Array(this.pairBase[D]);
    this.bytes = new Float64Array(this.pairBase[D]);
  }

  /** The LP of domain d that serves subject g there (its home node; node 0 for one not of d, e.g. an unknown recipient). */
  lpIn(d: number, g: number): number {
    return g >= 0 && g < this.lpOfUser.length && this.domainOfLp[this.lpOfUser[g]] === d ? this.lpOfUser[g] : this.nodeBase[d];
  }

  /** Does this kernel own some node of domain d? (its servers' figures are then partly here) */
  ownsAny(kernel: { owns(lp: number): boolean }, d: number): boolean {
    for (let lp = this.nodeBase[d]; lp < this.nodeBase[d + 1]; lp++) if (kernel.owns(lp)) return true;
    return false;
  }

  /** Domain d's home LP (node 0): its gateways and domain-level state. */
  home(d: number): number {
    return this.nodeBase[d];
  }

  /**
   * The extra delay of a message from LP `from` to LP `to` of the same domain: the cluster's
   * latency when they differ (counted with its bytes), else 0.
   */
  hop(from: number, to: number, bytes: number): number {
    if (from === to) return 0;
    const d = this.domainOfLp[from];
    // (between domains the link's latency applies, added by the gateways)
    if (this.domainOfLp[to] !== d) return 0;
    const base = this.nodeBase[d];
    const n = this.nodes[d];
    const p = this.pairBase[d];
    if (n <= MATRIX_NODES) {
      const i = p + (from - base) * n + (to - base);
      this.messages[i]++;
      this.bytes[i] += bytes;
    } else {
      this.messages[p + from - base]++;
      this.bytes[p + from - base] += bytes;
      this.messages[p + n + to - base]++;
      this.bytes[p + n + to - base] += bytes;
    }
    return this.latency[d];
  }
}
