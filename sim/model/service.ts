/**
 * The servers of every domain this partition owns, as the other concerns use them: `submit` offers
 * a job (operation, a, b) to the server that serves its subject, a completion event ends it, and
 * the concern that registered the operation's completion handles the result. Service times are
 * drawn per operation from the domain's `serviceTimes`. A job offered while the domain's servers
 * are down (a serverCrash fault) is refused.
 *
 * Operation N_OPS + dir x N_WIRE + k is one wire message of kind k of a protocol binding
 * (bindings/kinds.ts) leaving (dir OUTBOUND) or entering (INBOUND) the servers: its service time
 * is `serviceTimes.wire`, looked up once per domain, kind and direction (wireOp, wireDists). The
 * pool of a SIP or XMPP domain counts these jobs per server node (servers.ts).
 */
import type { Dist, WireCostSpec } from '../scenario/types.js';
import { OPERATIONS } from '../scenario/types.js';
import { C, type Completion, type ModelContext } from './context.js';
import type { FaultSchedule } from './federation.js';
import { N_OPS } from './messages.js';
import { chargedKind, INBOUND, isWireResponse, N_WIRE, OUTBOUND } from './bindings/kinds.js';
import { ServerPool } from './servers.js';
import { drawDist } from './topology.js';

export interface Service {
  /** per domain: its servers (null for domains of other partitions) */
  readonly pools: (ServerPool | null)[];
  /** Offers a job to the server of domain d that serves `subject`. Returns false if refused. */
  submit(d: number, op: number, subject: number, a: number, b: number): boolean;
  /** Registers what happens when a job of `op` is done. */
  onComplete(op: number, fn: Completion): void;
  /**
   * [0]: the time the job being completed arrived at its server (read in a completion handler;
   * kept here rather than passed, which would box the double once per job)
   */
  readonly arrived: Float64Array;
}

/** The operation of a wire message of kind k in direction dir (OUTBOUND or INBOUND). */
export const wireOp = (k: number, dir: number): number => N_OPS + dir * N_WIRE + k;

/** The service time of every wire kind, outbound kinds first, then inbound: a kind's own entry, else its request or response default. */
export function wireDists(w: WireCostSpec): Dist[] {
  const out: Dist[] = [];
  for (const dir of [OUTBOUND, INBOUND]) {
    const side = dir === INBOUND ? w.inbound : w.outbound;
    for (let k = 0; k < N_WIRE; k++) out.push(isWireResponse(k) ? side.response : side.request);
  }
  for (const x of w.kinds) {
    const k = chargedKind(x.kind);
    out[k] = x.outbound;
    out[N_WIRE + k] = x.inbound;
  }
  return out;
}

export function createService(ctx: ModelContext, faults: FaultSchedule): Service {
  const { kernel, rng, s, D, counters } = ctx;
  const { nodeBase } = ctx.cluster;
  const pools: (ServerPool | null)[] = [];
  for (let d = 0; d < D; d++) {
    const sv = s.domains[d].servers;
    // a domain of a binding counts its wire jobs per server node (the report's bindings.<protocol>.perNode)
    const nodeFrom = s.domains[d].protocol === 'cpim' ? N_OPS + 2 * N_WIRE : N_OPS;
    pools.push(ctx.cluster.ownsAny(kernel, d) ? new ServerPool(sv.count, sv.cores, sv.queueLimit, N_OPS + 2 * N_WIRE, nodeFrom) : null);
  }
  const serviceDist: Dist[][] = s.domains.map((dom) => [...OPERATIONS.map((op) => dom.serviceTimes[op]), ...wireDists(dom.serviceTimes.wire)]);
  const complete: Completion[] = new Array(N_OPS + 2 * N_WIRE).fill(() => undefined);
  const arrived = new Float64Array(1);

  const done = ctx.on('serviceDone', (d, core) => {
    const pool = pools[d]!;
    const op = pool.coreOp[core];
    const a = pool.coreA[core];
    const b = pool.coreB[core];
    arrived[0] = pool.coreArrive[core];
    const next = pool.complete(core, kernel.now);
    if (next >= 0) {
      const service = drawDist(rng, kernel.lp, serviceDist[d][next]);
      pool.startNext(core, kernel.now, service);
      kernel.schedule(service, done, kernel.lp, core);
    }
    complete[op](d, a, b);
  });

  return {
    pools,
    arrived,
    submit(d, op, subject, a, b) {
      if (faults.serversDown(d, kernel.now)) {
        counters[C.rejectedServerDown]++;
        return false;
      }
      const pool = pools[d]!;
      let server = pool.servers === 1 ? 0 : subject % pool.servers;
      // a job offered on another node of the domain than its subject's (a gateway's charge for a
      // wire message, a forger's request) is served by the node it is offered on
      if (nodeBase[d] + server !== kernel.lp && ctx.dom[kernel.lp] === d) server = kernel.lp - nodeBase[d];
      const service = drawDist(rng, kernel.lp, serviceDist[d][op]);
      const core = pool.submit(server, op, a, b, kernel.now, service);
      // (the job's node is the LP that serves its subject: the completion is a self-event there)
      if (core >= 0) kernel.schedule(service, done, nodeBase[d] + server, core);
      return core !== -2;
    },
    onComplete(op, fn) {
      complete[op] = fn;
    },
  };
}
