/**
 * The static population of a run: users of every domain, their principal and watcher kinds, buddy
 * lists, and for every (watcher, presentity) pair its access rule and visibility class.
 *
 * It is generated from the scenario and seed alone, with a generator of its own (not the LPs'
 * streams), so every partition of a parallel run builds the very same population and refers to
 * users and edges by the same integer ids. Storage is columnar:
 *   users:  domainOf (Int32), principal kind, watcher kind (Uint8)
 *   edges:  presentity-major CSR (revStart per user, edgeWatcher per edge) and a watcher-major
 *           index (fwdStart per user, fwdEdge per entry) pointing at the same edge ids,
 *           rule (Uint8: access rule in the low 2 bits, first-tuple visibility in bit 2, the
 *           named visibility class in bits 3-5, visibility.ts).
 * About 13 bytes per edge and 12 per user, before the dynamic state the model adds.
 */
import { RandomStreams, ZipfTable } from '../engine/rng.js';
import type { CountDist, Scenario } from '../scenario/types.js';
import { classOfPair, CLASS_SHIFT } from './visibility.js';

export const PRINCIPAL_BOTH = 0;
export const PRINCIPAL_PRESENTITY_ONLY = 1;
export const PRINCIPAL_INBOX_ONLY = 2;

export const WATCHER_SUBSCRIBER = 0;
export const WATCHER_POLLER = 1;
export const WATCHER_FETCHER = 2;

export const RULE_ALLOW = 0;
export const RULE_DENY = 1;
export const RULE_POLITE = 2;
export const RULE_PENDING = 3;
export const VIS_FIRST_TUPLE_ONLY = 4;

/** Largest number of users (plus domains) whose ids fit the 26-bit fields of IM payloads. */
export const MAX_TOTAL_USERS = (1 << 26) - 1;

export interface Population {
  domains: number;
  totalUsers: number;
  /** first global user id of each domain; domainStart[domains] = totalUsers */
  domainStart: Int32Array;
  /** users per domain including extra celebrity watchers */
  domainUsers: Int32Array;
  domainOf: Int32Array;
  principal: Uint8Array;
  watcherKind: Uint8Array;
  /** presentity-major edge store */
  revStart: Int32Array;
  edgeWatcher: Int32Array;
  edgePresentity: Int32Array;
  /** watcher-major index into edges */
  fwdStart: Int32Array;
  fwdEdge: Int32Array;
  edgeRule: Uint8Array;
  edges: number;
  /** global id of the celebrity presentity, or -1 */
  celebrity: number;
}

/** Deterministic 32-bit hash of up to three integers with the seed (for per-pair decisions). */
export function hash3(seed: number, x: number, y: number, z = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (x >>> 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ (y >>> 0), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ (z >>> 0), 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

/** hash3 mapped to [0, 1). */
export function hashUnit(seed: number, x: number, y: number, z = 0): number {
  return hash3(seed, x, y, z) / 4294967296;
}

function pick3(u: number, a: number, b: number): number {
  return u < a ? 0 : u < a + b ? 1 : 2;
}

function drawCount(r: RandomStreams, d: CountDist): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + Math.floor(r.uniform(0) * (d.max - d.min + 1));
    case 'powerlaw': {
      // discrete power law on [min, max] by inversion of the continuous Pareto, truncated
      for (let i = 0; i < 100; i++) {
        const x = Math.floor(r.powerLaw(0, d.min, d.alpha));
        if (x <= d.max) return x;
      }
      return d.max;
    }
  }
}

/**
 * A growing list of int32 (the pairs drawn while the buddy lists are built): typed storage that
 * doubles, so that no JavaScript array is sized by the edge count (V8 cannot grow one past about
 * 112 million entries, and it takes 8 bytes per entry where this takes 4).
 */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
}

/** Users per domain: the scenario's, plus the celebrity's extra subscriber-only watchers. */
interface DomainLayout {
  D: number;
  baseUsers: Int32Array;
  domainUsers: Int32Array;
  domainStart: Int32Array;
  totalUsers: number;
  celebDomain: number;
}

/**
 * Celebrity: user 0 of its domain; extra subscriber-only principals are added to the other
 * domains in proportion to their size (to the same domain when it is the only one).
 */
function layDomains(s: Scenario): DomainLayout {
  const D = s.domains.length;
  const pop = s.population;
  const domainUsers = new Int32Array(D);
  for (let d = 0; d < D; d++) domainUsers[d] = s.domains[d].users;
  let celebDomain = -1;
  const extra = new Int32Array(D);
  if (pop.celebrity !== null) {
    celebDomain = s.domains.findIndex((d) => d.name === pop.celebrity!.domain);
    const others: number[] = [];
    for (let d = 0; d < D; d++) if (d !== celebDomain || D === 1) others.push(d);
    const total = others.reduce((acc, d) => acc + domainUsers[d], 0);
    let left = pop.celebrity.subscribers;
    others.forEach((d, i) => {
      const n = i === others.length - 1 ? left : Math.floor((pop.celebrity!.subscribers * domainUsers[d]) / total);
      extra[d] = n;
      left -= n;
    });
  }
  const baseUsers = new Int32Array(D);
  for (let d = 0; d < D; d++) {
    baseUsers[d] = domainUsers[d];
    domainUsers[d] += extra[d];
  }
  const domainStart = new Int32Array(D + 1);
  for (let d = 0; d < D; d++) domainStart[d + 1] = domainStart[d] + domainUsers[d];
  const totalUsers = domainStart[D];
  if (totalUsers + D > MAX_TOTAL_USERS) {
    throw new RangeError(`the scenario has ${totalUsers} users in all; at most ${MAX_TOTAL_USERS - D} are supported`);
  }
  return { D, baseUsers, domainUsers, domainStart, totalUsers, celebDomain };
}

/** Whether user g of domain d is one of the celebrity's extra watchers. */
const isExtra = (L: DomainLayout, g: number, d: number) => g - L.domainStart[d] >= L.baseUsers[d];

/** Each user's domain, principal kind and watcher kind (drawn in user order). */
function drawKinds(s: Scenario, L: DomainLayout, r: RandomStreams): { domainOf: Int32Array; principal: Uint8Array; watcherKind: Uint8Array; celebrity: number } {
  const pop = s.population;
  const domainOf = new Int32Array(L.totalUsers);
  const principal = new Uint8Array(L.totalUsers);
  const watcherKind = new Uint8Array(L.totalUsers);
  for (let d = 0; d < L.D; d++) {
    for (let g = L.domainStart[d]; g < L.domainStart[d + 1]; g++) {
      domainOf[g] = d;
      if (isExtra(L, g, d)) {
        principal[g] = PRINCIPAL_INBOX_ONLY; // watcher principals with an inbox, no presentity
        watcherKind[g] = WATCHER_SUBSCRIBER;
        continue;
      }
      principal[g] = pick3(r.uniform(0), pop.principals.both, pop.principals.presentityOnly);
      watcherKind[g] = pick3(r.uniform(0), pop.watchers.subscriber, pop.watchers.poller);
    }
  }
  const celebrity = L.celebDomain >= 0 ? L.domainStart[L.celebDomain] : -1;
  if (celebrity >= 0) principal[celebrity] = PRINCIPAL_BOTH;
  return { domainOf, principal, watcherKind, celebrity };
}

/** A domain other than d, weighted by its users, from one uniform draw u in [0, 1). */
function otherDomainPicker(L: DomainLayout): (d: number, u: number) => number {
  const D = L.D;
  // cum[d]: users of domains 0..d, for draws of another domain weighted by size
  const cum = new Float64Array(D);
  let accU = 0;
  for (let d = 0; d < D; d++) {
    accU += L.baseUsers[d];
    cum[d] = accU;
  }
  return (d, u) => {
    // a point among the other domains' users, moved past d's own block
    let x = Math.min(u * (accU - L.baseUsers[d]), accU - L.baseUsers[d] - 0.5);
    if (x >= cum[d] - L.baseUsers[d]) x += L.baseUsers[d];
    let lo = 0;
    let hi = D - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * The buddy lists as (watcher, presentity) pairs, watcher by watcher. Popular users are picked
 * more often (Zipf over a domain's users by index).
 */
function drawBuddies(s: Scenario, L: DomainLayout, r: RandomStreams, principal: Uint8Array, domainOf: Int32Array, celebrity: number): { fwdStart: Int32Array; presentities: IntList } {
  const pop = s.population;
  const { D, baseUsers, domainStart, totalUsers } = L;
  const zipfs = new Map<number, ZipfTable>();
  const zipfFor = (d: number): ZipfTable => {
    let z = zipfs.get(d);
    if (!z) {
      z = new ZipfTable(baseUsers[d], pop.popularity);
      zipfs.set(d, z);
    }
    return z;
  };
  const otherDomain = otherDomainPicker(L);
  // seen[u] === w + 1: u is already on watcher w's list (one stamp per user, no set to clear)
  const seen = new Int32Array(totalUsers);
  const free = (w: number, cand: number) => cand !== w && seen[cand] !== w + 1 && principal[cand] !== PRINCIPAL_INBOX_ONLY;
  // presentities per domain: a domain without any is not searched
  const presIn = new Int32Array(D);
  for (let d = 0; d < D; d++) for (let g = domainStart[d]; g < domainStart[d] + baseUsers[d]; g++) if (principal[g] !== PRINCIPAL_INBOX_ONLY) presIn[d]++;
  /** The next free presentity of domain td from a deterministic offset, or -1. */
  const nextFree = (w: number, td: number, from: number): number => {
    const n = presIn[td] === 0 ? 0 : baseUsers[td];
    for (let j = 0; j < n; j++) {
      const cand = domainStart[td] + ((from + j) % n);
      if (free(w, cand)) return cand;
    }
    return -1;
  };
  // the pairs come watcher by watcher: a count per watcher (fwdStart[w + 1]) says whose they are
  const fwdStart = new Int32Array(totalUsers + 1);
  const presentities = new IntList(pop.buddies.dist === 'fixed' ? Math.min(totalUsers - 1, pop.buddies.value) * totalUsers : 1024);
  for (let w = 0; w < totalUsers; w++) {
    const d = domainOf[w];
    if (isExtra(L, w, d)) {
      fwdStart[w + 1] = 1;
      presentities.push(celebrity);
      continue;
    }
    const k = Math.min(drawCount(r, pop.buddies), totalUsers - 1);
    const before = presentities.length;
    for (let i = 0; i < k; i++) {
      // a federated buddy (one draw per buddy, so federatedFraction is the share exactly) lives
      // in another domain chosen by size; the others in the watcher's own domain
      const federated = D > 1 && r.uniform(0) < pop.federatedFraction;
      let target = -1;
      for (let attempt = 0; attempt < 8 && target < 0; attempt++) {
        const td = federated ? otherDomain(d, r.uniform(0)) : d;
        const cand = domainStart[td] + r.zipf(0, zipfFor(td)) - 1;
        if (free(w, cand)) target = cand;
      }
      // the draws kept hitting taken users (a small domain, or a few very popular users): take
      // the next free user, so a list asked for is complete whenever it can be (no extra random
      // draw: other lists unchanged). A federated buddy looks through the other domains in turn
      // from one picked by the watcher's id; only when none has a free presentity left does it
      // come from the own domain.
      if (target < 0 && federated) {
        for (let j = 0; j < D - 1 && target < 0; j++) target = nextFree(w, (d + 1 + ((w + i + j) % (D - 1))) % D, w + i);
      }
      if (target < 0) target = nextFree(w, d, w + i);
      if (target < 0) continue;
      seen[target] = w + 1;
      presentities.push(target);
    }
    fwdStart[w + 1] = presentities.length - before;
  }
  for (let w = 0; w < totalUsers; w++) fwdStart[w + 1] += fwdStart[w];
  return { fwdStart, presentities };
}

/**
 * The edge stores: presentity-major CSR and the watcher-major index over the same edge ids. The
 * pairs' presentity list becomes the watcher-major index in place (pair i is entry i of that index:
 * the pairs were generated watcher by watcher), so the build holds no array of pairs beside it.
 */
function indexEdges(totalUsers: number, fwdStart: Int32Array, presentities: IntList): Pick<Population, 'revStart' | 'edgeWatcher' | 'edgePresentity' | 'fwdStart' | 'fwdEdge' | 'edges'> {
  const E = presentities.length;
  const fwdEdge = presentities.data.length === E ? presentities.data : presentities.data.slice(0, E);
  presentities.data = fwdEdge;
  // presentity-major CSR by counting sort (stable: keeps watcher order within a presentity)
  const revStart = new Int32Array(totalUsers + 1);
  for (let i = 0; i < E; i++) revStart[fwdEdge[i] + 1]++;
  for (let p = 0; p < totalUsers; p++) revStart[p + 1] += revStart[p];
  const edgePresentity = new Int32Array(E);
  for (let p = 0; p < totalUsers; p++) edgePresentity.fill(p, revStart[p], revStart[p + 1]);
  // each presentity's next free edge, while the pairs are placed in watcher order
  const fill = revStart.slice(0, totalUsers);
  const edgeWatcher = new Int32Array(E);
  for (let w = 0; w < totalUsers; w++) {
    for (let i = fwdStart[w]; i < fwdStart[w + 1]; i++) {
      const e = fill[fwdEdge[i]]++;
      edgeWatcher[e] = w;
      fwdEdge[i] = e;
    }
  }
  return { revStart, edgeWatcher, edgePresentity, fwdStart, fwdEdge, edges: E };
}

/** Each edge's access rule, first-tuple visibility and named visibility class, from the seed per pair. */
function edgeRules(s: Scenario, seed: number, L: DomainLayout, domainOf: Int32Array, celebrity: number, edges: Pick<Population, 'edgeWatcher' | 'edgePresentity' | 'edges'>): Uint8Array {
  const pop = s.population;
  const edgeRule = new Uint8Array(edges.edges);
  const acc = pop.access;
  for (let e = 0; e < edges.edges; e++) {
    const w = edges.edgeWatcher[e];
    const p = edges.edgePresentity[e];
    let rule: number;
    if (p === celebrity && isExtra(L, w, domainOf[w])) rule = RULE_ALLOW;
    else {
      const u = hashUnit(seed, p, w, 1);
      rule = u < acc.allow ? RULE_ALLOW : u < acc.allow + acc.deny ? RULE_DENY : u < acc.allow + acc.deny + acc.politeBlock ? RULE_POLITE : RULE_PENDING;
    }
    const vis = hashUnit(seed, p, w, 2) < pop.visibility.firstTupleOnly ? VIS_FIRST_TUPLE_ONLY : 0;
    edgeRule[e] = rule | vis | (classOfPair(s, seed, p, w, domainOf[p] === domainOf[w]) << CLASS_SHIFT);
  }
  return edgeRule;
}

export function buildPopulation(s: Scenario, seed: number): Population {
  const r = new RandomStreams(1, seed ^ 0x5eed5eed);
  const L = layDomains(s);
  const { domainOf, principal, watcherKind, celebrity } = drawKinds(s, L, r);
  const pairs = drawBuddies(s, L, r, principal, domainOf, celebrity);
  const edges = indexEdges(L.totalUsers, pairs.fwdStart, pairs.presentities);
  return {
    domains: L.D,
    totalUsers: L.totalUsers,
    domainStart: L.domainStart,
    domainUsers: L.domainUsers,
    domainOf,
    principal,
    watcherKind,
    ...edges,
    edgeRule: edgeRules(s, seed, L, domainOf, celebrity, edges),
    celebrity,
  };
}
