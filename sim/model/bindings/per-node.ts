/**
 * The bindings report per server node (`bindings.<protocol>.perNode`, docs/report.md): for each
 * node of each domain speaking the binding, the wire jobs it took per direction and kind, the
 * server time they cost and the node's utilisation (every job it served, the model's operations
 * included). A job goes to node `subject % servers` (service.ts). A domain of more than
 * PER_NODE_LIMIT nodes lists its busiest nodes (most wire jobs, then lowest index) and one
 * `others` row summing the rest, so that the report stays small.
 */
import type { Scenario } from '../../scenario/types.js';
import type { ImppPart, NodeFigures } from '../part.js';
import { INBOUND, N_WIRE, OUTBOUND, WIRE_KINDS } from './kinds.js';
import { mergedOps } from '../../report/sum.js';

export const PER_NODE_LIMIT = 64;

export interface NodeRow {
  domain: string;
  /** the node's index in its domain, or `others` for the nodes a large domain leaves out */
  node: number | 'others';
  /** on the `others` row: how many nodes it sums */
  nodes?: number;
  /** wire jobs, inbound + outbound */
  messages: number;
  inbound: number;
  outbound: number;
  /** server time (ms) of its wire jobs */
  serverMs: number;
  /** busy time over cores x the measured span, every job the node served */
  utilisation: number;
  /** wire jobs per kind, both directions, non-zero kinds only */
  kinds: Record<string, number>;
}

const round = (x: number, p: number) => Math.round(x * 10 ** p) / 10 ** p;

/** Sums the figures of `nodes` of one domain into a row (ks: the binding's kinds). */
function row(domain: string, node: number | 'others', nodes: number[], f: NodeFigures, ks: number[], cores: number, spanMs: number): NodeRow {
  const per = 2 * N_WIRE;
  let inbound = 0;
  let outbound = 0;
  let ms = 0;
  let busy = 0;
  const kinds: Record<string, number> = {};
  for (const k of ks) {
    let m = 0;
    for (const n of nodes) {
      const o = f.count[n * per + OUTBOUND * N_WIRE + k];
      const i = f.count[n * per + INBOUND * N_WIRE + k];
      outbound += o;
      inbound += i;
      m += o + i;
      ms += f.serviceMs[n * per + OUTBOUND * N_WIRE + k] + f.serviceMs[n * per + INBOUND * N_WIRE + k];
    }
    if (m !== 0) kinds[WIRE_KINDS[k][0]] = m;
  }
  for (const n of nodes) busy += f.busy[n];
  const head: Pick<NodeRow, 'domain' | 'node' | 'nodes'> = node === 'others' ? { domain, node, nodes: nodes.length } : { domain, node };
  return { ...head, messages: inbound + outbound, inbound, outbound, serverMs: round(ms, 3), utilisation: round(busy / (cores * nodes.length * spanMs), 5), kinds };
}

/** The per-node rows of the domains `doms` (ks: the binding's wire kinds), domain by domain. */
export function perNodeReport(sc: Scenario, parts: ImppPart[], doms: number[], ks: number[], spanMs: number): NodeRow[] {
  const rows: NodeRow[] = [];
  const ops = mergedOps(parts);
  for (const d of doms) {
    const f = ops.find((o) => o.domain === d)?.nodes;
    if (f === undefined || f.count.length === 0) continue;
    const { name, servers } = sc.domains[d];
    const all = Array.from({ length: servers.count }, (_, n) => n);
    let shown = all;
    let rest: number[] = [];
    if (all.length > PER_NODE_LIMIT) {
      const per = 2 * N_WIRE;
      const jobs = (n: number) => ks.reduce((x, k) => x + f.count[n * per + OUTBOUND * N_WIRE + k] + f.count[n * per + INBOUND * N_WIRE + k], 0);
      const load = all.map(jobs);
      const busiest = [...all].sort((a, b) => load[b] - load[a] || a - b);
      shown = busiest.slice(0, PER_NODE_LIMIT).sort((a, b) => a - b);
      rest = busiest.slice(PER_NODE_LIMIT).sort((a, b) => a - b);
    }
    for (const n of shown) rows.push(row(name, n, [n], f, ks, servers.cores, spanMs));
    if (rest.length > 0) rows.push(row(name, 'others', rest, f, ks, servers.cores, spanMs));
  }
  return rows;
}
