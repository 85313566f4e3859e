/**
 * The machinery at domain boundaries: gateway hosts as FIFO stations, SRV records and the RFC 2782
 * choice among them, and the fault schedule.
 *
 * A gateway host is a FIFO multi-core station whose jobs never need to be held: a job that arrives
 * at t takes the core that frees first, starts at max(t, free) and leaves after its service time.
 * Start times are non-decreasing in arrival order, so the jobs still waiting at any moment are a
 * suffix of the arrivals; a ring of start times gives the queue length without a queue of jobs.
 *
 * Faults are static intervals of the scenario, so every logical process can ask "is gateway X down
 * at time t" for any t without a message, and runs stay identical for any number of workers.
 */
import type { RandomStreams } from '../engine/rng.js';
import type { FaultSpec, Scenario } from '../scenario/types.js';

export class FifoStation {
  private readonly free: Float64Array;
  private ring: Float64Array;
  private head = 0;
  private len = 0;
  jobs = 0;
  sumWait = 0;
  sumService = 0;
  busy = 0;
  maxQueue = 0;
  rejected = 0;

  constructor(
    readonly cores: number,
    readonly queueLimit: number,
  ) {
    this.free = new Float64Array(cores);
    this.ring = new Float64Array(64);
  }

  /** Jobs waiting (not yet started) at time `now`. */
  waiting(now: number): number {
    while (this.len > 0 && this.ring[this.head] <= now) {
      this.head = (this.head + 1) & (this.ring.length - 1);
      this.len--;
    }
    return this.len;
  }

  /** Admits a job at `now` with the given service time; returns its departure time, or -1 if refused. */
  admit(now: number, service: number): number {
    const q = this.waiting(now);
    if (this.queueLimit > 0 && q >= this.queueLimit) {
      this.rejected++;
      return -1;
    }
    let c = 0;
    for (let i = 1; i < this.cores; i++) if (this.free[i] < this.free[c]) c = i;
    const start = this.free[c] > now ? this.free[c] : now;
    const done = start + service;
    this.free[c] = done;
    this.jobs++;
    this.sumWait += start - now;
    this.sumService += service;
    this.busy += service;
    if (start > now) {
      if (this.len === this.ring.length) this.grow();
      this.ring[(this.head + this.len) & (this.ring.length - 1)] = start;
      this.len++;
      if (this.len > this.maxQueue) this.maxQueue = this.len;
    }
    return done;
  }

  /** Busy core time up to `now` (work admitted but not yet done is left out). */
  busyAt(now: number): number {
    let ahead = 0;
    for (let i = 0; i < this.cores; i++) if (this.free[i] > now) ahead += this.free[i] - now;
    return this.busy - Math.min(this.busy, ahead);
  }

  private grow(): void {
    const old = this.ring;
    const next = new Float64Array(old.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.ring = next;
    this.head = 0;
  }
}

// ---- SRV ----

export const SERVICE_PRES = 0;
export const SERVICE_IM = 1;

/**
 * The SRV records of every domain, resolved to (domain, gateway host) targets, following RFC 3861
 * section 4 and RFC 2782's usage rules for each service (`_pres`, `_im`) apart:
 * - `srv: null`: one record (priority 10, weight 1) per own gateway host;
 * - records for the service: those records (a target may be another domain's gateway: hosting);
 * - no record for the service: the domain's address records stand in, as one implicit record
 *   (priority 0, weight 0) at the domain's own gateway;
 * - one record whose target is `.`: the service is decidedly not offered; the domain is unreachable
 *   for it (an empty list).
 */
export interface SrvTable {
  /** records[d * 2 + service]: sorted by priority */
  records: { domain: number; host: number; priority: number; weight: number }[][];
  /** the record names, for reports: `_pres._tcp.alpha.example` (federation.protocolLabel) */
  names: string[];
  /** [d * 2 + service]: the domain has no record for the service and is reached at its own address */
  implicit: boolean[];
  /** [d * 2 + service]: why a request for the service finds no target (the failure's detail) */
  unreachable: string[];
  /** (dest * D + h) * 2 + service: 1 when a record of dest names a gateway of h != dest; null without any */
  hosted: Uint8Array | null;
  D: number;
}

/** The target `.` of a lone record: the service is not offered at the domain (RFC 2782). */
export const SRV_NOT_OFFERED = '.';

export function buildSrvTable(s: Scenario): SrvTable {
  const idx = new Map(s.domains.map((d, i) => [d.name, i]));
  const D = s.domains.length;
  const records: SrvTable['records'] = [];
  const names: string[] = [];
  const implicit: boolean[] = [];
  const unreachable: string[] = [];
  let hosted: Uint8Array | null = null;
  s.domains.forEach((dom, d) => {
    for (const [service, label] of [
      [SERVICE_PRES, '_pres'],
      [SERVICE_IM, '_im'],
    ] as const) {
      const i = d * 2 + service;
      const name = `${label}.${s.federation.protocolLabel}.${dom.name}`;
      names[i] = name;
      implicit[i] = false;
      let list: SrvTable['records'][number] = [];
      if (dom.srv === null) {
        for (let h = 0; h < dom.gateway.count; h++) list.push({ domain: d, host: h, priority: 10, weight: 1 });
      } else {
        const own = dom.srv.records.filter((r) => r.service === (service === SERVICE_PRES ? 'pres' : 'im'));
        if (own.length === 0) {
          // no SRV record: the domain itself, as an implicit record of priority 0 (RFC 3861 section 4)
          implicit[i] = true;
          list.push({ domain: d, host: 0, priority: 0, weight: 0 });
        } else if (!(own.length === 1 && own[0].target === SRV_NOT_OFFERED)) {
          list = own.map((r) => {
            const m = /^gw([1-9][0-9]*)\.(.+)$/.exec(r.target)!;
            return { domain: idx.get(m[2]!)!, host: Number(m[1]) - 1, priority: r.priority, weight: r.weight };
          });
        }
      }
      list.sort((a, b) => a.priority - b.priority);
      records[i] = list;
      unreachable[i] = list.length === 0 ? `unreachable: ${name} says the service is not offered (target '.')` : `unreachable: every target of ${name} is down`;
      for (const r of list) {
        if (r.domain === d) continue;
        hosted ??= new Uint8Array(D * D * 2);
        hosted[(d * D + r.domain) * 2 + service] = 1;
      }
    }
  });
  return { records, names, implicit, unreachable, hosted, D };
}

/**
 * Hosting: whether a record of `dest` for `service` names a gateway of domain h (h != dest). Such a
 * gateway serves as dest's gateway: a request for dest that reaches it (or starts in h) goes
 * straight over the link h -> dest, without a lookup of dest's records (which would name h again).
 */
export function hostsGateway(srv: SrvTable, h: number, dest: number, service: number): boolean {
  return srv.hosted !== null && srv.hosted[(dest * srv.D + h) * 2 + service] === 1;
}

/**
 * RFC 2782 choice: the lowest priority that has a usable target; within it a weighted random
 * draw (weight-0 records first in the running sums, so they win only when the draw is 0).
 * `usable(domain, host)` says whether a target can be tried now (fail-over skips the others).
 * Returns the index of the chosen record, or -1 when none is usable; `skipped` counts fail-overs.
 */
export function chooseSrv(
  list: SrvTable['records'][number],
  rng: RandomStreams,
  lp: number,
  usable: (domain: number, host: number) => boolean,
  skipped: { n: number },
): number {
  let i = 0;
  while (i < list.length) {
    const prio = list[i].priority;
    let j = i;
    let total = 0;
    let any = false;
    while (j < list.length && list[j].priority === prio) {
      if (usable(list[j].domain, list[j].host)) {
        total += list[j].weight;
        any = true;
      } else skipped.n++;
      j++;
    }
    if (any) {
      // a uniform draw in [0, total]; the first record (weight-0 ones first) whose running sum
      // reaches it wins, so shares tend to the weight ratios and weight 0 wins only on a 0 draw
      const draw = rng.uniform(lp) * total;
      let sum = 0;
      let last = -1;
      for (const zero of [true, false]) {
        for (let k = i; k < j; k++) {
          const r = list[k];
          if ((r.weight === 0) !== zero || !usable(r.domain, r.host)) continue;
          sum += r.weight;
          last = k;
          if (sum >= draw) return k;
        }
      }
      return last;
    }
    i = j;
  }
  return -1;
}

// ---- faults ----

export interface FaultSchedule {
  gatewayDown(d: number, t: number): boolean;
  serversDown(d: number, t: number): boolean;
  linkDown(a: number, b: number, t: number): boolean;
  /** latency multiplier of the link a-b at t */
  slow(a: number, b: number, t: number): number;
  /** the first time >= t at which neither the link a-b nor the gateway of b is down */
  nextUp(a: number, b: number, t: number): number;
  crashes: { domain: number; at: number; until: number }[];
}

export function buildFaults(s: Scenario): FaultSchedule {
  const idx = new Map(s.domains.map((d, i) => [d.name, i]));
  const D = s.domains.length;
  const gw: { at: number; until: number }[][] = Array.from({ length: D }, () => []);
  const srv: { at: number; until: number }[][] = Array.from({ length: D }, () => []);
  const link = new Map<number, { at: number; until: number }[]>();
  const slowL = new Map<number, { at: number; until: number; factor: number }[]>();
  const crashes: FaultSchedule['crashes'] = [];
  const key = (a: number, b: number) => Math.min(a, b) * D + Math.max(a, b);
  const add = <T>(m: Map<number, T[]>, k: number, v: T) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const f of s.faults as FaultSpec[]) {
    const w = { at: f.at, until: f.at + f.duration };
    if (f.kind === 'gatewayDown') gw[idx.get(f.domain)!].push(w);
    else if (f.kind === 'serverCrash') {
      srv[idx.get(f.domain)!].push(w);
      crashes.push({ domain: idx.get(f.domain)!, ...w });
    } else if (f.kind === 'linkDown') add(link, key(idx.get(f.from)!, idx.get(f.to)!), w);
    else add(slowL, key(idx.get(f.from)!, idx.get(f.to)!), { ...w, factor: f.factor });
  }
  const inAny = (l: { at: number; until: number }[] | undefined, t: number) => {
    if (l === undefined) return false;
    for (const w of l) if (t >= w.at && t < w.until) return true;
    return false;
  };
  const sched: FaultSchedule = {
    gatewayDown: (d, t) => gw[d].length > 0 && inAny(gw[d], t),
    serversDown: (d, t) => srv[d].length > 0 && inAny(srv[d], t),
    linkDown: (a, b, t) => link.size > 0 && inAny(link.get(key(a, b)), t),
    slow: (a, b, t) => {
      if (slowL.size === 0) return 1;
      let f = 1;
      for (const w of slowL.get(key(a, b)) ?? []) if (t >= w.at && t < w.until) f = Math.max(f, w.factor);
      return f;
    },
    nextUp: (a, b, t) => {
      let x = t;
      for (let guard = 0; guard < 10_000; guard++) {
        let moved = false;
        for (const w of [...(link.get(key(a, b)) ?? []), ...gw[b]]) {
          if (x >= w.at && x < w.until) {
            x = w.until;
            moved = true;
          }
        }
        if (!moved) return x;
      }
      return Infinity;
    },
    crashes,
  };
  return sched;
}
