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
import { CpimTransactions, runTransIdOf } from './cpim-transactions.js';
import { GatewayIds } from './bindings/gateway-ids.js';
import { arrivalLp, concernedLp } from './bindings/node-user.js';
import { P_CPIM, PROTOCOLS } from './bindings/kinds.js';
import { buildSrvTable, chooseSrv, FifoStation, hostsGateway, SERVICE_IM, SERVICE_PRES, type FaultSchedule } from './federation.js';
import { F_LOOP, F_OVERLOAD, F_SPOOFED, isResponse, M_MESSAGE, MESSAGE_KINDS, N_KINDS } from './messages.js';
import { hashUnit } from './population.js';
import { drawDist, linkLookahead, linkTable } from './topology.js';
import type { Gateways, KindHandlers } from './gateway-kinds.js';

export { responseKind, type Gateways, type KindHandlers } from './gateway-kinds.js';
/** b and the hop budget (plus a spoof flag) packed in one number while a message is between gateways. */
// b travels at 10 us resolution (exact to 2^53 for 509 days), the hop budget in 10 bits
// (MaxForwards up to 1023, RFC 3860 recommends over 100) and the forged-identity flag above it
const HOP_BITS = 2048;
const pack = (b: number, hops: number) => Math.round(b * 100) * HOP_BITS + hops;
const unpackB = (x: number) => Math.floor(x / HOP_BITS) / 100;
const unpackHops = (x: number) => x - Math.floor(x / HOP_BITS) * HOP_BITS;
const SPOOF = 1024;

type Link = Gateways['link'];

/**
 * The gateways' handler table: one method per event (a message entering or leaving a gateway, a
 * transfer that failed) and per step of a crossing, registered once in the constructor (the
 * closures that forward to the methods are made there, never per message).
 */
class GatewayService implements Gateways {
  transitB = 0;
  readonly stations: (FifoStation[] | null)[];
  readonly pairMessages: Float64Array;
  readonly pairBytes: Float64Array;
  readonly link: Link;
  readonly cpim: CpimTransactions;
  readonly ids: GatewayIds | null;
  /** per domain: its binding (PROTOCOLS index) */
  private readonly proto: Uint8Array;
  private readonly ctx: ModelContext;
  private readonly faults: FaultSchedule;
  private readonly kernel: ModelContext['kernel'];
  private readonly rng: ModelContext['rng'];
  private readonly s: ModelContext['s'];
  private readonly fed: ModelContext['s']['federation'];
  private readonly D: number;
  private readonly counters: Float64Array;
  private readonly srv: ReturnType<typeof buildSrvTable>;
  private readonly gwCount: number[];
  /** static route of domain d for destination x: the next-hop domain, or -1 */
  private readonly routeOf: Int32Array;
  private readonly cacheUntil: Float64Array;
  private readonly linkBw: Float64Array;
  private readonly linkLossP: Float64Array;
  private readonly links: ReturnType<typeof linkTable>;
  private readonly lookahead: number;
  private readonly linkFree: Float64Array;
  private readonly kinds: KindHandlers[] = new Array(N_KINDS);
  private readonly gwIn: number[] = [];
  private readonly gwOut: number[] = [];
  private readonly xferFail: number[] = [];
  /** a failure handed to the sender's node (its LP), the reason's index in `whys` in c */
  private readonly failAt: number[] = [];
  /** a message leaving for another domain, on its way from the sender's node to the domain's home node (its gateways) */
  private readonly toGateway: number[] = [];
  /** a binding's receipt of a message from another node of the domain, on the receiving node (bindings/wire.ts received) */
  private readonly wireIn: number[] = [];
  /** the reasons a transfer fails (an event carries the index) */
  private readonly whys: string[] = ['unreachable', 'loop', 'gateway down', 'gateway overload'];
  private readonly skipped = { n: 0 };
  private readonly ready = { t: 0 };
  /** the time an SRV target's gateway must be up at (read by `up`, made once) */
  private srvAt = 0;
  private readonly up: (x: number) => boolean;
  private readonly forgers: number;
  private readonly until: number;
  private readonly transitKind: Int32Array;
  private readonly packed: Uint8Array;

  constructor(ctx: ModelContext, faults: FaultSchedule) {
    const { kernel, s, D } = ctx;
    this.ctx = ctx;
    this.faults = faults;
    this.kernel = kernel;
    this.rng = ctx.rng;
    this.s = s;
    this.fed = s.federation;
    this.D = D;
    this.counters = ctx.counters;
    this.srv = buildSrvTable(s);
    this.stations = s.domains.map((dom, d) => (kernel.owns(ctx.cluster.home(d)) ? Array.from({ length: dom.gateway.count }, () => new FifoStation(dom.gateway.cores, dom.gateway.queueLimit)) : null));
    this.gwCount = s.domains.map((dom) => dom.gateway.count);
    const idx = new Map(s.domains.map((dom, i) => [dom.name, i]));
    this.routeOf = new Int32Array(D * D).fill(-1);
    s.domains.forEach((dom, d) => dom.gateway.routes.forEach((r) => (this.routeOf[d * D + idx.get(r.destination)!] = idx.get(r.via)!)));
    this.cacheUntil = new Float64Array(D * D * 2);
    this.linkBw = new Float64Array(D * D).fill(s.linkBandwidthMbps);
    this.linkLossP = new Float64Array(D * D).fill(s.linkLoss);
    for (const l of s.links) {
      const i = idx.get(l.from)! * D + idx.get(l.to)!;
      if (l.bandwidthMbps > 0) this.linkBw[i] = l.bandwidthMbps;
      if (l.loss > 0) this.linkLossP[i] = l.loss;
    }
    this.links = linkTable(s);
    this.lookahead = linkLookahead(s);
    this.linkFree = new Float64Array(D * D);
    this.link = { messages: new Float64Array(D * D), bytes: new Float64Array(D * D), busy: new Float64Array(D * D), retransmissions: new Float64Array(D * D), failed: new Float64Array(D * D) };
    this.pairMessages = new Float64Array(D * D * N_KINDS);
    this.pairBytes = new Float64Array(D * D);
    this.forgers = this.fed.spoofFraction;
    this.until = s.duration;
    this.up = (x) => !faults.gatewayDown(x, this.srvAt);
    // a message that crosses carries its CPIM attributes (TransID, origin, SubscriptID) in c
    const srv = this.srv;
    this.cpim = new CpimTransactions(ctx, this.fed.transactionTimeout, (o, dest) => o === dest || hostsGateway(srv, o, dest, SERVICE_PRES));
    const proto = (this.proto = Uint8Array.from(s.domains, (dom) => PROTOCOLS.indexOf(dom.protocol ?? 'cpim')));
    const mixed = proto.some((p) => p !== proto[0]) && proto.some((p) => p !== P_CPIM);
    this.ids = mixed ? new GatewayIds(ctx, proto, this.fed.transactionTimeout) : null;
    MESSAGE_KINDS.forEach((name, kind) => {
      this.gwIn[kind] = ctx.on(`gatewayIn:${name}`, (h, a, x, c) => this.onGatewayIn(kind, h, a, x, c));
      this.gwOut[kind] = ctx.on(`gatewayOut:${name}`, (h, a, x, c) => this.onGatewayOut(kind, name, h, a, x, c));
      this.xferFail[kind] = ctx.on(`transferFailed:${name}`, (d, a, b, c) => this.transferFailed(d, kind, a, b, this.whys[c]));
      this.failAt[kind] = ctx.on(`transferFailedAt:${name}`, (d, a, b, c) => this.kinds[kind].failed(d, a, b, this.whys[c]));
      this.wireIn[kind] = ctx.on(`wireIn:${name}`, (d, a, b) => this.ctx.wire.received(d, kind, a, b, 0));
      this.toGateway[kind] = ctx.on(`toGateway:${name}`, (d, a, b, bytes) => this.leave(d, this.kinds[kind].dest(a), kind, a, b, bytes));
    });
    for (const why of this.srv.unreachable) if (!this.whys.includes(why)) this.whys.push(why);
    this.transitKind = new Int32Array(kernel.eventNames().length + 3 * N_KINDS + 64).fill(-1);
    this.packed = new Uint8Array(this.transitKind.length);
    for (let k = 0; k < N_KINDS; k++) {
      this.transitKind[this.gwIn[k]] = this.transitKind[this.gwOut[k]] = this.transitKind[this.xferFail[k]] = k;
      this.packed[this.gwIn[k]] = this.packed[this.gwOut[k]] = 1;
    }
  }

  register(kind: number, h: KindHandlers): void {
    this.kinds[kind] = h;
  }

  inTransit(type: number, b: number): number {
    const k = type < this.transitKind.length ? this.transitKind[type] : -1;
    if (k >= 0) this.transitB = this.packed[type] ? unpackB(b) : b;
    return k;
  }

  send(from: number, to: number, type: number, a: number, b: number, kind: number, size: number): void {
    const ctx = this.ctx;
    // in the sender's binding (bindings/wire.ts): counted, and the bytes it takes on the link
    const bytes = ctx.wire.sent(from, to, kind, a, b, size);
    const k = this.kinds[kind];
    const cluster = ctx.cluster;
    const src = this.kernel.lp;
    if (from === to) {
      // to the node of the user it concerns, across the cluster when that is another node
      const dst = arrivalLp(this.ctx, to, kind, a);
      const delay = (k.lastHop === undefined ? 0 : k.lastHop(to, a, b)) + cluster.hop(src, dst, bytes);
      if (dst !== src && ctx.wire.on) {
        // the receiving side of a binding keeps its state on the receiving node: told there, just before the arrival
        this.kernel.schedule(delay, this.wireIn[kind], dst, a, b);
        this.kernel.schedule(delay, type, dst, a, b);
        return;
      }
      this.kernel.schedule(delay, type, dst, a, b);
      ctx.wire.received(to, kind, a, b, delay);
      return;
    }
    // the domain's gateways are on its home node
    const home = cluster.home(from);
    if (src !== home) {
      this.kernel.schedule(cluster.hop(src, home, bytes), this.toGateway[kind], home, a, b, bytes);
      return;
    }
    this.leave(from, to, kind, a, b, bytes);
  }

  /** A message leaves domain `from` (on its home node) for domain `to` through its gateways. */
  private leave(from: number, to: number, kind: number, a: number, b: number, bytes: number): void {
    const ctx = this.ctx;
    const k = this.kinds[kind];
    // a forger's request names a principal of another domain than the one it leaves from; the
    // receiving gateway checks the claim against the peer it came from
    const claimant = this.forgers > 0 ? (k.claimant?.(a) ?? -1) : -1;
    const spoof = claimant >= 0 && hashUnit(ctx.seed, claimant, 0, 9) < this.forgers;
    const c = this.cpim.leave(from, kind, a, b);
    const ids = this.ids;
    const mapped = ids !== null && ids.translates(from, kind, a);
    if (mapped) ids.map(from, kind, a, runTransIdOf(c), this.cpim.subscriptionOf(from, kind, a, c));
    if (ctx.trace.on) this.traceIds(from, kind, a, c, mapped);
    this.cross(from, to, kind, a, b, bytes, this.fed.maxForwards, spoof, c);
  }

  /** the trace record of the message leaving `from` now carries its TransID and SubscriptID (trace.ts cpimHint) */
  private traceIds(from: number, kind: number, a: number, c: number, mapped: boolean): void {
    const t = runTransIdOf(c);
    const trace = this.ctx.trace;
    if (t === 0) return trace.cpimHint('', from, 0, -1); // a response nothing asked for: it carries no TransID
    trace.cpimHint(MESSAGE_KINDS[kind], from, t, this.cpim.subscriptionOf(from, kind, a, c));
    // the identifiers of the sender's side that its gateway mapped to them
    if (mapped && this.ids!.callId > 0) trace.cpimSide(PROTOCOLS[this.proto[from]], this.ids!.callId, this.ids!.cseq);
  }

  private transferFailed(d: number, kind: number, a: number, b: number, why: string): void {
    this.counters[C.transfersFailed]++;
    tick(this.ctx, TL_TRANSFER_FAILED);
    // the sender hears of it on its own node
    const dst = concernedLp(this.ctx, d, kind, a);
    const src = this.kernel.lp;
    if (dst === src) return this.kinds[kind].failed(d, a, b, why);
    this.kernel.schedule(this.ctx.cluster.hop(src, dst, 0), this.failAt[kind], dst, a, b, this.whyIndex(why));
  }

  private whyIndex(why: string): number {
    const i = this.whys.indexOf(why);
    if (i >= 0) return i;
    this.whys.push(why);
    return this.whys.length - 1;
  }

  /** The next hop from d towards dest (reverse path for responses, a static route, or SRV), or -1 after a failure. */
  private nextHop(d: number, dest: number, kind: number, a: number, b: number, now: number): number {
    const { D, counters, srv, fed, ready } = this;
    const route = this.routeOf[d * D + dest];
    if (isResponse(kind)) return dest;
    if (route >= 0) return route;
    const service = kind === M_MESSAGE ? SERVICE_IM : SERVICE_PRES;
    if (hostsGateway(srv, d, dest, service)) return dest; // d's gateway is one of dest's SRV targets: straight to dest
    const ci = (d * D + dest) * 2 + service;
    counters[C.srvLookups]++;
    if (this.cacheUntil[ci] > now) counters[C.srvCacheHits]++;
    else {
      ready.t += drawDist(this.rng, this.kernel.lp, fed.resolverTime);
      this.cacheUntil[ci] = ready.t + fed.srvTtl;
    }
    const list = srv.records[dest * 2 + service];
    this.skipped.n = 0;
    this.srvAt = ready.t;
    const k = list.length === 0 ? -1 : chooseSrv(list, this.rng, this.kernel.lp, this.up, this.skipped);
    counters[C.srvFailovers] += this.skipped.n;
    if (k < 0) {
      counters[C.unreachable]++;
      this.transferFailed(d, kind, a, b, srv.unreachable[dest * 2 + service]);
      return -1;
    }
    return list[k].domain;
  }

  /** A message leaves domain d for domain `dest`: pass d's gateway, cross the link, arrive at the next hop's gateway. */
  private cross(d: number, dest: number, kind: number, a: number, b: number, bytes: number, hops: number, spoof: boolean, c: number): void {
    const { kernel, counters, faults } = this;
    const now = kernel.now;
    const k = this.kinds[kind];
    if (k.settled !== undefined && k.settled(a, b)) {
      // a copy of a message that has already failed for good: its outcome is given
      counters[C.imDuplicates]++;
      return;
    }
    this.ready.t = now;
    const hop = this.nextHop(d, dest, kind, a, b, now);
    if (hop < 0) return;
    if (hop === d) {
      // the next hop is this very gateway: the request would circle here until its budget ran out
      counters[C.loops]++;
      return this.transferFailed(d, kind, a, b, 'loop');
    }
    const at = this.ready.t;
    if (faults.gatewayDown(d, at)) return this.transferFailed(d, kind, a, b, 'gateway down');
    const station = this.stations[d]![this.gwCount[d] === 1 ? 0 : a % this.gwCount[d]];
    const depart = station.admit(at, drawDist(this.rng, this.kernel.lp, this.s.domains[d].gateway.serviceTime));
    if (depart < 0) {
      counters[C.gatewayRejected]++;
      return this.transferFailed(d, kind, a, b, 'gateway overload');
    }
    const i = d * this.D + hop;
    this.pairMessages[i * N_KINDS + kind]++;
    this.pairBytes[i] += bytes;
    this.link.messages[i]++;
    this.link.bytes[i] += bytes;
    tick(this.ctx, TL_CROSS_DOMAIN);
    this.transmit(d, hop, kind, a, b, bytes, hops + (spoof ? SPOOF : 0), depart, now, c);
  }

  /** The link from d to hop: bandwidth queue, latency, loss and retransmission, faults. */
  private transmit(d: number, hop: number, kind: number, a: number, b: number, bytes: number, hops: number, depart: number, now: number, c: number): void {
    const { faults, fed, link, linkFree, counters } = this;
    const i = d * this.D + hop;
    const persistent = isResponse(kind);
    const tx = this.linkBw[i] > 0 ? (bytes * 8) / (this.linkBw[i] * 1000) : 0;
    let t = depart;
    for (let attempt = 0; ; attempt++) {
      const start = linkFree[i] > t ? linkFree[i] : t;
      const end = start + tx;
      const arrive = end + drawDist(this.rng, this.kernel.lp, this.links[i]!, this.lookahead) * faults.slow(d, hop, end);
      const down = faults.linkDown(d, hop, start) || faults.gatewayDown(hop, arrive);
      if (!down) {
        linkFree[i] = end;
        link.busy[i] += tx;
      }
      if (!down && !(this.linkLossP[i] > 0 && this.rng.uniform(this.kernel.lp) < this.linkLossP[i])) {
        this.kernel.schedule(arrive - now, this.gwIn[kind], this.ctx.cluster.home(hop), a, pack(b, hops), c);
        this.kinds[kind].crossed?.(a, b);
        return;
      }
      counters[C.retransmissions]++;
      link.retransmissions[i]++;
      if (persistent) {
        // responses and reports keep trying until the path is back
        t = down ? Math.max(end + fed.retransmitTimeout, faults.nextUp(d, hop, end)) : end + fed.retransmitTimeout;
        if (t >= this.until) {
          counters[C.responsesLost]++;
          link.failed[i]++;
          this.kinds[kind].pastEnd?.(a, b);
          return;
        }
      } else if (attempt >= fed.maxRetransmits) {
        link.failed[i]++;
        const at = end + fed.retransmitTimeout;
        if (at < this.until) this.kernel.schedule(at - now, this.xferFail[kind], this.kernel.lp, a, b, 0);
        else this.kinds[kind].pastEnd?.(a, b);
        return;
      } else t = end + fed.retransmitTimeout;
    }
  }

  /** a gateway of h refuses a request: the response the refusal causes carries the request's TransID */
  private refuse(kind: number, h: number, a: number, c: number, why: string, code: number): void {
    this.cpim.replyTo = c;
    this.kinds[kind].refused(h, a, why, code);
    this.cpim.replyTo = -1;
  }

  /** A message reached a gateway of domain h: the identity check, then the gateway's queue. */
  private onGatewayIn(kind: number, h: number, a: number, x: number, c: number): void {
    const { kernel, counters } = this;
    const hops = unpackHops(x);
    const b = unpackB(x);
    if ((hops & SPOOF) !== 0) {
      // the claimed identity belongs to a domain other than the one the request came from
      counters[C.spoofed]++;
      counters[C.rejectedAuth]++;
      this.refuse(kind, h, a, c, 'spoofed identity', F_SPOOFED);
      return;
    }
    if (this.faults.gatewayDown(h, kernel.now)) return; // the sender's transport sees the loss
    const station = this.stations[h]![this.gwCount[h] === 1 ? 0 : a % this.gwCount[h]];
    const depart = station.admit(kernel.now, drawDist(this.rng, this.kernel.lp, this.s.domains[h].gateway.serviceTime));
    if (depart < 0) {
      counters[C.gatewayRejected]++;
      this.refuse(kind, h, a, c, 'gateway overload', F_OVERLOAD);
      return;
    }
    kernel.schedule(depart - kernel.now, this.gwOut[kind], kernel.lp, a, pack(b, hops), c);
  }

  /** A gateway of h has handled a message: deliver it in h (after the CPIM checks), or relay it. */
  private onGatewayOut(kind: number, name: string, h: number, a: number, x: number, c: number): void {
    const hops = unpackHops(x);
    const b = unpackB(x);
    const k = this.kinds[kind];
    const dest = k.dest(a);
    if (dest === h) {
      // CPIM checks of the final domain's gateway: a response is handed over as the request it
      // answers (by TransID), a notify only for a live subscription from the presentity's peer
      if (!this.cpim.enter(h, kind, a, b, c)) return;
      // a gateway between bindings gives the message its side's identifiers
      const ids = this.ids;
      if (ids !== null && ids.translates(h, kind, a)) ids.map(h, kind, a, runTransIdOf(c), this.cpim.subscriptionOf(h, kind, a, c));
      const m = this.cpim.matchedA;
      const dst = arrivalLp(this.ctx, h, kind, m);
      const delay = (k.lastHop === undefined ? 0 : k.lastHop(h, m, b)) + (dst === this.kernel.lp ? 0 : this.ctx.cluster.hop(this.kernel.lp, dst, k.hopBytes !== undefined ? k.hopBytes(m, h) : k.bytes(m, h)));
      this.kernel.schedule(delay, k.arrive, dst, m, b);
      this.ctx.wire.received(h, kind, m, b, delay);
      return;
    }
    // not for this domain: relay, spending one unit of the hop budget (RFC 3860 3.4.2)
    if (hops <= 1) {
      this.counters[C.loops]++;
      this.ctx.trace.message(name, -1, h, -1, dest, 0, 'hop budget spent: rejected as a loop');
      this.refuse(kind, h, a, c, 'loop detected', F_LOOP);
      return;
    }
    this.cross(h, dest, kind, a, b, k.bytes(a, h), hops - 1, false, c);
  }
}

export function createGateways(ctx: ModelContext, faults: FaultSchedule): Gateways {
  return new GatewayService(ctx, faults);
}
