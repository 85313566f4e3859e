/**
 * The report's per-domain section: each domain's servers (FIFO stations: operations with their
 * waits and service times, utilisation, queues, overload) and its CPIM gateways.
 */
import type { ImppPart } from '../model/impp.js';
import { OPERATIONS, type Scenario } from '../scenario/types.js';
import type { DomainReport, OperationStats } from './shape.js';
import { round } from './sum.js';

/** Figures of one domain's servers and gateways over `span` simulated ms. */
export function domainsReport(sc: Scenario, parts: ImppPart[], span: number): Record<string, DomainReport> {
  const domains: Record<string, DomainReport> = {};
  const ops = parts.flatMap((p) => p.ops).sort((a, b) => a.domain - b.domain);
  const gateways = parts.flatMap((p) => p.gateways);
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
    };
  }
  return domains;
}
