/**
 * Live snapshots of a running scenario: the summed live view of the partitions (sim/model/live.ts)
 * decoded into named counters, latency buckets, per-domain load and the pairs that carried traffic.
 */
import type { Progress } from '../engine/parallel.js';
import { LIVE_DOMAIN_SLOTS, LIVE_LATENCY_EDGES_MS, liveLayout } from '../model/impp.js';
import type { Scenario } from '../scenario/types.js';
import { round } from './sum.js';

/**
 * What a running scenario looks like now: cumulative figures since the start, taken between
 * windows (so slightly behind the clock of the slowest partition). Rates are the caller's to
 * compute from two snapshots.
 */
export interface LiveSnapshot {
  /** simulated ms reached by every partition */
  clock: number;
  until: number;
  events: number;
  wallMs: number;
  /** the model's counters (names as in ImppPart.counters: publishes, notifySent, imDelivered, ...) */
  counters: Record<string, number>;
  /** cumulative counts per latency bucket; bucket i holds values below edgesMs[i], the last one the rest */
  latency: { edgesMs: number[]; notification: number[]; im: number[] };
  domains: { name: string; busyMs: number; cores: number; queue: number; utilisation: number }[];
  /** per ordered pair that has carried a message so far (sparse): all messages and bytes, and how many of the messages were notifications (notify, list notify) and instant messages */
  pairs: { from: string; to: string; messages: number; bytes: number; notify: number; message: number }[];
}

/** Decodes a summed live view of the IMPP model into a snapshot. */
export function decodeLive(sc: Scenario, v: Float64Array | null, p: Progress, wallMs: number): LiveSnapshot {
  const L = liveLayout(sc);
  const D = sc.domains.length;
  const at = (i: number) => (v === null ? 0 : v[i]);
  const counters: Record<string, number> = {};
  L.counterNames.forEach((n, i) => (counters[n] = at(L.counters + i)));
  const buckets = (o: number) => Array.from({ length: L.buckets }, (_, i) => at(o + i));
  const clock = p.clock;
  const domains = sc.domains.map((dom, d) => {
    const busyMs = at(L.domains + d * LIVE_DOMAIN_SLOTS);
    const cores = dom.servers.count * dom.servers.cores;
    return {
      name: dom.name,
      busyMs,
      cores,
      queue: at(L.domains + d * LIVE_DOMAIN_SLOTS + 1),
      utilisation: clock > 0 ? round(busyMs / (cores * clock), 5) : 0,
    };
  });
  const pairs: LiveSnapshot['pairs'] = [];
  for (let a = 0; a < D; a++) {
    for (let b = 0; b < D; b++) {
      if (a === b) continue;
      const i = a * D + b;
      // sparse: only pairs that have carried a message so far (D x (D - 1) entries otherwise)
      if (at(L.pairMessages + i) === 0 && at(L.pairBytes + i) === 0) continue;
      pairs.push({ from: sc.domains[a].name, to: sc.domains[b].name, messages: at(L.pairMessages + i), bytes: at(L.pairBytes + i), notify: at(L.pairNotify + i), message: at(L.pairIm + i) });
    }
  }
  return {
    clock,
    until: p.until,
    events: p.events,
    wallMs: round(wallMs, 1),
    counters,
    latency: { edgesMs: [...LIVE_LATENCY_EDGES_MS], notification: buckets(L.latNotification), im: buckets(L.latIm) },
    domains,
    pairs,
  };
}
