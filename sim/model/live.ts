/**
 * The live view of a running model: a Float64Array per partition that the coordinator sums slot
 * by slot (counters, coarse latency buckets, per-domain server figures, per-pair traffic).
 */
import type { Scenario } from '../scenario/types.js';
import { COUNTERS } from './context.js';

/** Upper edges (ms) of the coarse latency buckets of the live view; one more bucket for the rest. */
export const LIVE_LATENCY_EDGES_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
export const LIVE_BUCKETS = LIVE_LATENCY_EDGES_MS.length + 1;
/** Per-domain slots of the live view: busy core-ms so far, jobs waiting now. */
export const LIVE_DOMAIN_SLOTS = 2;

/** Offsets of the live view (a Float64Array the coordinator sums over partitions). */
export function liveLayout(s: Scenario) {
  const D = s.domains.length;
  const counters = 0;
  const latNotification = counters + COUNTERS.length;
  const latIm = latNotification + LIVE_BUCKETS;
  const domains = latIm + LIVE_BUCKETS;
  const pairMessages = domains + D * LIVE_DOMAIN_SLOTS;
  const pairBytes = pairMessages + D * D;
  /** per ordered pair: notifications (notify and list notify) and instant messages among the messages */
  const pairNotify = pairBytes + D * D;
  const pairIm = pairNotify + D * D;
  const size = pairIm + D * D;
  return { counters, latNotification, latIm, domains, pairMessages, pairBytes, pairNotify, pairIm, size, buckets: LIVE_BUCKETS, counterNames: COUNTERS };
}

/** The live bucket of a latency in ms. */
export function liveBucket(ms: number): number {
  const e = LIVE_LATENCY_EDGES_MS;
  let i = 0;
  while (i < e.length && ms >= e[i]) i++;
  return i;
}
