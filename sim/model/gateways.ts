/**
 * CPIM at the boundary (RFC 3859/3860): every message from one domain to another leaves through a
 * gateway of its domain, found by a static route or by SRV (`_pres._tcp`, `_im._tcp`; RFC 2782
 * choice with fail-over, resolver cache with TTL), crosses the link (bandwidth queue, latency,
 * loss with retransmission, faults) and enters through a gateway of the next hop, which delivers
 * it or relays it, spending one unit of the hop budget (MaxForwards, RFC 3860 3.4.2); a request
 * whose budget is spent is rejected as a loop.
 *
 * Each concern registers the message kinds it sends (`register`): the event that receives the
 * message at its final domain, how to find that domain, its size when relayed, and what the sender
 * does when the message cannot cross or is refused at a gateway.
 */
import { C, tick, TL_CROSS_DOMAIN, TL_TRANSFER_FAILED, type ModelContext } from './context.js';
import { CpimTransactions } from './cpim-transactions.js';
import { buildSrvTable, chooseSrv, FifoStation, hostsGateway, SERVICE_IM, SERVICE_PRES, type FaultSchedule } from './federation.js';
import { ENVELOPE, F_LOOP, F_OVERLOAD, F_SPOOFED, isResponse, M_MESSAGE, MESSAGE_KINDS, N_KINDS } from './messages.js';
import { hashUnit } from './population.js';
import { drawDist, linkLookahead, linkTable } from './topology.js';

export interface KindHandlers {
  /** the event that receives the message in its final domain */
  arrive: number;
  /** the final domain of a message with first payload a */
  dest(a: number): number;
  /** its size when a gateway relays it from domain h */
  bytes(a: number, h: number): number;
  /** the message could not cross from d (why: unreachable, loop, gateway down, gateway overload) */
  failed(d: number, a: number, b: number, why: string): void;
  /** a gateway of domain h refused the message (the refusal travels back to the requester) */
  refused(h: number, a: number, why: string, imCode: number): void;
  /** the principal whose identity a request claims (subscriber, fetcher, sender), or -1 */
  claimant?(a: number): number;
  /** a copy of a message that already has its outcome: not sent again (IM retransmissions) */
  settled?(a: number, b: number): boolean;
  /** the message has crossed the link */
  crossed?(a: number, b: number): void;
  /** delay of the recipient's access link (the last hop), drawn in its domain h when the message (a, b) is delivered there */
  lastHop?(h: number, a: number, b: number): number;
  /** the message's next step (a retransmission, or the sender's failure handling) falls after the run's end: it is dropped */
  pastEnd?(a: number, b: number): void;
}

/**
 * The handlers of a response kind (subscribe and fetch responses, IM reports): it arrives as
 * `arrive` in domain dest(a), has the size of a response, and one that cannot cross is counted
 * as lost (responses follow the reverse path and are retransmitted until it is back).
 */
export function responseKind(counters: Float64Array, arrive: number, dest: (a: number) => number, extra: Partial<KindHandlers> = {}): KindHandlers {
  return {
    arrive,
    dest,
    bytes: () => ENVELOPE.response,
    failed: () => {
      counters[C.responsesLost]++;
    },
    refused: () => undefined,
    ...extra,
  };
}

export interface Gateways {
  /** Sends an event to domain `to`: at once inside a domain, else through the gateways. */
  send(from: number, to: number, type: number, a: number, b: number, kind: number, bytes: number): void;
  register(kind: number, h: KindHandlers): void;
  /**
   * For a pending event of type `type` with second payload b: the kind of message it carries
   * between gateways (or -1 when it is not a gateway's event), its own b in `transitB`. For
   * censuses at the end of a run.
   */
  inTransit(type: number, b: number): number;
  transitB: number;
  /** statistics for the report and the live view */
  readonly stations: (FifoStation[] | null)[];
  readonly pairMessages: Float64Array;
  readonly pairBytes: Float64Array;
  readonly link: { messages: Float64Array; bytes: Float64Array; busy: Float64Array; retransmissions: Float64Array; failed: Float64Array };
  /** TransID and SubscriptID at the boundary (cpim-transactions.ts) */
  readonly cpim: CpimTransactions;
}

/** b and the hop budget (plus a spoof flag) packed in one number while a message is between gateways. */
// b travels at 10 us resolution (exact to 2^53 for 509 days), the hop budget in 10 bits
// (MaxForwards up to 1023, RFC 3860 recommends over 100) and the forged-identity flag above it
const HOP_BITS = 2048;
const pack = (b: number, hops: number) => Math.round(b * 100) * HOP_BITS + hops;
const unpackB = (x: number) => Math.floor(x / HOP_BITS) / 100;
const unpackHops = (x: number) => x - Math.floor(x / HOP_BITS) * HOP_BITS;
const SPOOF = 1024;

export function createGateways(ctx: ModelContext, faults: FaultSchedule): Gateways {
  const { kernel, rng, s, D, counters, trace } = ctx;
  const fed = s.federation;
  const srv = buildSrvTable(s);
  const stations: (FifoStation[] | null)[] = s.domains.map((dom, d) =>
    kernel.owns(d) ? Array.from({ length: dom.gateway.count }, () => new FifoStation(dom.gateway.cores, dom.gateway.queueLimit)) : null,
  );
  const gwCount = s.domains.map((dom) => dom.gateway.count);
  const idx = new Map(s.domains.map((dom, i) => [dom.name, i]));
  /** static route of domain d for destination x: the next-hop domain, or -1 */
  const routeOf = new Int32Array(D * D).fill(-1);
  s.domains.forEach((dom, d) => dom.gateway.routes.forEach((r) => (routeOf[d * D + idx.get(r.destination)!] = idx.get(r.via)!)));
  const cacheUntil = new Float64Array(D * D * 2);
  const linkBw = new Float64Array(D * D).fill(s.linkBandwidthMbps);
  const linkLossP = new Float64Array(D * D).fill(s.linkLoss);
  for (const l of s.links) {
    const i = idx.get(l.from)! * D + idx.get(l.to)!;
    if (l.bandwidthMbps > 0) linkBw[i] = l.bandwidthMbps;
    if (l.loss > 0) linkLossP[i] = l.loss;
  }
  const links = linkTable(s);
  const lookahead = linkLookahead(s);
  const linkFree = new Float64Array(D * D);
  const link = {
    messages: new Float64Array(D * D),
    bytes: new Float64Array(D * D),
    busy: new Float64Array(D * D),
    retransmissions: new Float64Array(D * D),
    failed: new Float64Array(D * D),
  };
  const pairMessages = new Float64Array(D * D * N_KINDS);
  const pairBytes = new Float64Array(D * D);
  const kinds: KindHandlers[] = new Array(N_KINDS);
  const gwIn: number[] = [];
  const gwOut: number[] = [];
  const xferFail: number[] = [];
  const skipped = { n: 0 };
  const forgers = fed.spoofFraction;
  const until = s.duration;
  // a message that crosses carries its CPIM attributes (TransID, origin, SubscriptID) in c
  const cpim = new CpimTransactions(ctx, fed.transactionTimeout, (o, dest) => o === dest || hostsGateway(srv, o, dest, SERVICE_PRES));

  const transferFailed = (d: number, kind: number, a: number, b: number, why: string): void => {
    counters[C.transfersFailed]++;
    tick(ctx, TL_TRANSFER_FAILED);
    kinds[kind].failed(d, a, b, why);
  };

  /** The next hop from d towards dest (reverse path for responses, a static route, or SRV), or -1 after a failure. */
  const nextHop = (d: number, dest: number, kind: number, a: number, b: number, now: number, ready: { t: number }): number => {
    const route = routeOf[d * D + dest];
    if (isResponse(kind)) return dest;
    if (route >= 0) return route;
    const service = kind === M_MESSAGE ? SERVICE_IM : SERVICE_PRES;
    if (hostsGateway(srv, d, dest, service)) return dest; // d's gateway is one of dest's SRV targets: straight to dest
    const ci = (d * D + dest) * 2 + service;
    counters[C.srvLookups]++;
    if (cacheUntil[ci] > now) counters[C.srvCacheHits]++;
    else {
      ready.t += drawDist(rng, d, fed.resolverTime);
      cacheUntil[ci] = ready.t + fed.srvTtl;
    }
    const list = srv.records[dest * 2 + service];
    skipped.n = 0;
    const at = ready.t;
    const k = list.length === 0 ? -1 : chooseSrv(list, rng, d, (x) => !faults.gatewayDown(x, at), skipped);
    counters[C.srvFailovers] += skipped.n;
    if (k < 0) {
      counters[C.unreachable]++;
      transferFailed(d, kind, a, b, srv.unreachable[dest * 2 + service]);
      return -1;
    }
    return list[k].domain;
  };
  const ready = { t: 0 };

  /** A message leaves domain d for domain `dest`: pass d's gateway, cross the link, arrive at the next hop's gateway. */
  const cross = (d: number, dest: number, kind: number, a: number, b: number, bytes: number, hops: number, spoof: boolean, c: number): void => {
    const now = kernel.now;
    const k = kinds[kind];
    if (k.settled !== undefined && k.settled(a, b)) {
      // a copy of a message that has already failed for good: its outcome is given
      counters[C.imDuplicates]++;
      return;
    }
    ready.t = now;
    const hop = nextHop(d, dest, kind, a, b, now, ready);
    if (hop < 0) return;
    if (hop === d) {
      // the next hop is this very gateway: the request would circle here until its budget ran out
      counters[C.loops]++;
      return transferFailed(d, kind, a, b, 'loop');
    }
    if (faults.gatewayDown(d, ready.t)) return transferFailed(d, kind, a, b, 'gateway down');
    const station = stations[d]![gwCount[d] === 1 ? 0 : a % gwCount[d]];
    const depart = station.admit(ready.t, drawDist(rng, d, s.domains[d].gateway.serviceTime));
    if (depart < 0) {
      counters[C.gatewayRejected]++;
      return transferFailed(d, kind, a, b, 'gateway overload');
    }
    const i = d * D + hop;
    pairMessages[i * N_KINDS + kind]++;
    pairBytes[i] += bytes;
    link.messages[i]++;
    link.bytes[i] += bytes;
    tick(ctx, TL_CROSS_DOMAIN);
    transmit(d, hop, kind, a, b, bytes, hops + (spoof ? SPOOF : 0), depart, now, c);
  };

  /** The link from d to hop: bandwidth queue, latency, loss and retransmission, faults. */
  const transmit = (d: number, hop: number, kind: number, a: number, b: number, bytes: number, hops: number, depart: number, now: number, c: number): void => {
    const i = d * D + hop;
    const persistent = isResponse(kind);
    const tx = linkBw[i] > 0 ? (bytes * 8) / (linkBw[i] * 1000) : 0;
    let t = depart;
    for (let attempt = 0; ; attempt++) {
      const start = linkFree[i] > t ? linkFree[i] : t;
      const end = start + tx;
      const arrive = end + drawDist(rng, d, links[i]!, lookahead) * faults.slow(d, hop, end);
      const down = faults.linkDown(d, hop, start) || faults.gatewayDown(hop, arrive);
      if (!down) {
        linkFree[i] = end;
        link.busy[i] += tx;
      }
      if (!down && !(linkLossP[i] > 0 && rng.uniform(d) < linkLossP[i])) {
        kernel.schedule(arrive - now, gwIn[kind], hop, a, pack(b, hops), c);
        kinds[kind].crossed?.(a, b);
        return;
      }
      counters[C.retransmissions]++;
      link.retransmissions[i]++;
      if (persistent) {
        // responses and reports keep trying until the path is back
        t = down ? Math.max(end + fed.retransmitTimeout, faults.nextUp(d, hop, end)) : end + fed.retransmitTimeout;
        if (t >= until) {
          counters[C.responsesLost]++;
          link.failed[i]++;
          kinds[kind].pastEnd?.(a, b);
          return;
        }
      } else if (attempt >= fed.maxRetransmits) {
        link.failed[i]++;
        const at = end + fed.retransmitTimeout;
        if (at < until) kernel.schedule(at - now, xferFail[kind], d, a, b);
        else kinds[kind].pastEnd?.(a, b);
        return;
      } else t = end + fed.retransmitTimeout;
    }
  };

  /** a gateway of h refuses a request: the response the refusal causes carries the request's TransID */
  const refuse = (kind: number, h: number, a: number, c: number, why: string, code: number): void => {
    cpim.replyTo = c;
    kinds[kind].refused(h, a, why, code);
    cpim.replyTo = -1;
  };

  MESSAGE_KINDS.forEach((name, kind) => {
    gwIn[kind] = kernel.defineEvent(`gatewayIn:${name}`, (h, a, x, c) => {
      const hops = unpackHops(x);
      const b = unpackB(x);
      if ((hops & SPOOF) !== 0) {
        // the claimed identity belongs to a domain other than the one the request came from
        counters[C.spoofed]++;
        counters[C.rejectedAuth]++;
        refuse(kind, h, a, c, 'spoofed identity', F_SPOOFED);
        return;
      }
      if (faults.gatewayDown(h, kernel.now)) return; // the sender's transport sees the loss
      const station = stations[h]![gwCount[h] === 1 ? 0 : a % gwCount[h]];
      const depart = station.admit(kernel.now, drawDist(rng, h, s.domains[h].gateway.serviceTime));
      if (depart < 0) {
        counters[C.gatewayRejected]++;
        refuse(kind, h, a, c, 'gateway overload', F_OVERLOAD);
        return;
      }
      kernel.schedule(depart - kernel.now, gwOut[kind], h, a, pack(b, hops), c);
    });
    gwOut[kind] = kernel.defineEvent(`gatewayOut:${name}`, (h, a, x, c) => {
      const hops = unpackHops(x);
      const b = unpackB(x);
      const k = kinds[kind];
      const dest = k.dest(a);
      if (dest === h) {
        // CPIM checks of the final domain's gateway: a response is handed over as the request it
        // answers (by TransID), a notify only for a live subscription from the presentity's peer
        if (!cpim.enter(h, kind, a, b, c)) return;
        const m = cpim.matchedA;
        const delay = k.lastHop === undefined ? 0 : k.lastHop(h, m, b);
        kernel.schedule(delay, k.arrive, h, m, b);
        ctx.wire.received(h, kind, m, b, delay);
        return;
      }
      // not for this domain: relay, spending one unit of the hop budget (RFC 3860 3.4.2)
      if (hops <= 1) {
        counters[C.loops]++;
        trace.message(name, -1, h, -1, dest, 0, 'hop budget spent: rejected as a loop');
        refuse(kind, h, a, c, 'loop detected', F_LOOP);
        return;
      }
      cross(h, dest, kind, a, b, k.bytes(a, h), hops - 1, false, c);
    });
    xferFail[kind] = kernel.defineEvent(`transferFailed:${name}`, (d, a, b) => transferFailed(d, kind, a, b, 'unreachable'));
  });

  const transitKind = new Int32Array(kernel.eventNames().length + 3 * N_KINDS + 64).fill(-1);
  const packed = new Uint8Array(transitKind.length);
  for (let k = 0; k < N_KINDS; k++) {
    transitKind[gwIn[k]] = transitKind[gwOut[k]] = transitKind[xferFail[k]] = k;
    packed[gwIn[k]] = packed[gwOut[k]] = 1;
  }
  const self: Gateways = {
    transitB: 0,
    inTransit(type, b) {
      const k = type < transitKind.length ? transitKind[type] : -1;
      if (k >= 0) self.transitB = packed[type] ? unpackB(b) : b;
      return k;
    },
    send(from, to, type, a, b, kind, size) {
      // in the sender's binding (bindings/wire.ts): counted, and the bytes it takes on the link
      const bytes = ctx.wire.sent(from, to, kind, a, b, size);
      if (from === to) {
        const last = kinds[kind].lastHop;
        const delay = last === undefined ? 0 : last(to, a, b);
        kernel.schedule(delay, type, to, a, b);
        ctx.wire.received(to, kind, a, b, delay);
        return;
      }
      // a forger's request names a principal of another domain than the one it leaves from; the
      // receiving gateway checks the claim against the peer it came from
      const claimant = forgers > 0 ? (kinds[kind].claimant?.(a) ?? -1) : -1;
      cross(from, to, kind, a, b, bytes, fed.maxForwards, claimant >= 0 && hashUnit(ctx.seed, claimant, 0, 9) < forgers, cpim.leave(from, kind, a, b));
    },
    register(kind, h) {
      kinds[kind] = h;
    },
    stations,
    cpim,
    pairMessages,
    pairBytes,
    link,
  };
  return self;
}
