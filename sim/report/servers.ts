/**
 * The report's per-domain section: each domain's servers (FIFO stations: operations with their
 * waits and service times, utilisation, queues, overload) and its CPIM gateways.
 */
import type { ImppPart } from '../model/impp.js';
import { OPERATIONS, type Scenario } from '../scenario/types.js';
import type { ClusterReport, DomainReport, OperationStats } from './shape.js';
import { mergedOps, round, sumArrays } from './sum.js';
import { clusterSlots, MATRIX_NODES } from '../model/cluster.js';


/** The intra-cluster traffic of domain d (n nodes), from the summed per-pair counts. */
function clusterReport(sc: Scenario, d: number, messages: number[], bytes: number[]): ClusterReport {
  const n = sc.domains[d].servers.count;
  let base = 0;
  for (let x = 0; x < d; x++) base += clusterSlots(sc.domains[x].servers.count);
  const nodes: ClusterReport['nodes'] = [];
  for (let i = 0; i < n; i++) nodes.push({ node: i, out: { messages: 0, bytes: 0 }, in: { messages: 0, bytes: 0 } });
  let total = 0;
  let totalBytes = 0;
  if (n > MATRIX_NODES) {
    // counted per node (cluster.ts): sent, then received
    for (let i = 0; i < n; i++) {
      nodes[i].out = { messages: messages[base + i], bytes: bytes[base + i] };
      nodes[i].in = { messages: messages[base + n + i], bytes: bytes[base + n + i] };
      total += messages[base + i];
      totalBytes += bytes[base + i];
    }
  }
  for (let i = 0; n <= MATRIX_NODES && i < n; i++) {
    for (let j = 0; j < n; j++) {
      const m = messages[base + i * n + j];
      const b = bytes[base + i * n + j];
      nodes[i].out.messages += m;
      nodes[i].out.bytes += b;
      nodes[j].in.messages += m;
      nodes[j].in.bytes += b;
      total += m;
      totalBytes += b;
    }
  }
  const out: ClusterReport = { latencyMs: sc.domains[d].servers.clusterLatency ?? 0.5, messages: total, bytes: totalBytes, nodes };
  if (n <= MATRIX_NODES) out.matrix = Array.from({ length: n }, (_, i) => messages.slice(base + i * n, base + (i + 1) * n));
  return out;
}

/** Figures of one domain's servers and gateways over `span` simulated ms. */
export function domainsReport(sc: Scenario, parts: ImppPart[], span: number): Record<string, DomainReport> {
  const domains: Record<string, DomainReport> = {};
  const ops = mergedOps(parts);
  const gateways = parts.flatMap((p) => p.gateways);
  const pairs = sc.domains.reduce((x, dom) => x + clusterSlots(dom.servers.count), 0);
  const cMessages = sumArrays(parts, pairs, (p) => p.cluster?.messages ?? []);
  const cBytes = sumArrays(parts, pairs, (p) => p.cluster?.bytes ?? []);
  for (const o of ops) {
    const dom = sc.domains[o.domain];
    const operations: Record<string, OperationStats> = {};
    OPERATIONS.forEach((name, i) => {
      const n = o.count[i];
      operations[name] = {
        count: n,
        meanWait: n > 0 ? round(o.sumWait[i] / n, 4) : 0,
        meanService: n > 0 ? round(o.sumService[i] / n, 4) : 0,
        meanSojourn: n > 0 ? round((o.sumWait[i] + o.sumService[i]) / n, 4) : 0,
        rejected: o.rejected[i],
      };
    });
    const capacity = dom.servers.count * dom.servers.cores * span;
    const gw = gateways.find((g) => g.domain === o.domain)!;
    domains[dom.name] = {
      users: parts[0].domainUsers[o.domain],
      servers: dom.servers.count,
      cores: dom.servers.cores,
      operations,
      utilisation: round(o.busy / capacity, 5),
      maxQueue: o.maxQueue,
      rejectedOverload: o.rejectedOverload,
      gateway: {
        hosts: gw.hosts,
        cores: gw.cores,
        messages: gw.jobs,
        meanWait: gw.jobs > 0 ? round(gw.sumWait / gw.jobs, 4) : 0,
        meanService: gw.jobs > 0 ? round(gw.sumService / gw.jobs, 4) : 0,
        utilisation: round(gw.busy / (gw.hosts * gw.cores * span), 5),
        maxQueue: gw.maxQueue,
        rejected: gw.rejected,
      },
      ...(dom.servers.count > 1 ? { cluster: clusterReport(sc, o.domain, cMessages, cBytes) } : {}),
    };
  }
  return domains;
}
