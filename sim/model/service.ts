/**
 * The servers of every domain this partition owns, as the other concerns use them: `submit` offers
 * a job (operation, a, b) to the server that serves its subject, a completion event ends it, and
 * the concern that registered the operation's completion handles the result. Service times are
 * drawn per operation from the domain's `serviceTimes`. A job offered while the domain's servers
 * are down (a serverCrash fault) is refused.
 */
import type { Dist } from '../scenario/types.js';
import { OPERATIONS } from '../scenario/types.js';
import { C, type Completion, type ModelContext } from './context.js';
import type { FaultSchedule } from './federation.js';
import { N_OPS } from './messages.js';
import { isWireResponse, N_WIRE, WIRE_COST } from './bindings/kinds.js';
import { ServerPool } from './servers.js';
import { drawDist } from './topology.js';

export interface Service {
  /** per domain: its servers (null for domains of other partitions) */
  readonly pools: (ServerPool | null)[];
  /** Offers a job to the server of domain d that serves `subject`. Returns false if refused. */
  submit(d: number, op: number, subject: number, a: number, b: number): boolean;
  /** Registers what happens when a job of `op` is done. */
  onComplete(op: number, fn: Completion): void;
}

export function createService(ctx: ModelContext, faults: FaultSchedule): Service {
  const { kernel, rng, s, D, counters } = ctx;
  const pools: (ServerPool | null)[] = [];
  for (let d = 0; d < D; d++) {
    const sv = s.domains[d].servers;
    pools.push(kernel.owns(d) ? new ServerPool(sv.count, sv.cores, sv.queueLimit, N_OPS + N_WIRE) : null);
  }
  // operations N_OPS + k: handling one message of wire kind k of a protocol binding (bindings/kinds.ts)
  const wireDist: Dist[] = Array.from({ length: N_WIRE }, (_, k): Dist => ({ dist: 'fixed', value: isWireResponse(k) ? WIRE_COST.response : WIRE_COST.request }));
  const serviceDist: Dist[][] = s.domains.map((dom) => [...OPERATIONS.map((op) => dom.serviceTimes[op]), ...wireDist]);
  const complete: Completion[] = new Array(N_OPS + N_WIRE).fill(() => undefined);

  const done = kernel.defineEvent('serviceDone', (d, core) => {
    const pool = pools[d]!;
    const op = pool.coreOp[core];
    const a = pool.coreA[core];
    const b = pool.coreB[core];
    const arrive = pool.coreArrive[core];
    const next = pool.complete(core, kernel.now);
    if (next >= 0) {
      const service = drawDist(rng, d, serviceDist[d][next]);
      pool.startNext(core, kernel.now, service);
      kernel.schedule(service, done, d, core);
    }
    complete[op](d, a, b, arrive);
  });

  return {
    pools,
    submit(d, op, subject, a, b) {
      if (faults.serversDown(d, kernel.now)) {
        counters[C.rejectedServerDown]++;
        return false;
      }
      const pool = pools[d]!;
      const server = pool.servers === 1 ? 0 : subject % pool.servers;
      const service = drawDist(rng, d, serviceDist[d][op]);
      const core = pool.submit(server, op, a, b, kernel.now, service);
      if (core >= 0) kernel.schedule(service, done, d, core);
      return core !== -2;
    },
    onComplete(op, fn) {
      complete[op] = fn;
    },
  };
}
