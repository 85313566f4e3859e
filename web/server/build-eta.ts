/**
 * How long a batch run's population build will take. Before its first event a run builds its
 * population and subscriptions (tens of seconds for millions of users) and its clock stands at 0;
 * the page says what it is doing and, once this server has timed a build, about how long is left.
 *
 * The time is this server's own measure, not a constant: the work of a build is its users plus
 * its expected subscription edges (sim/estimate.ts), and the rate is the work per second of the
 * latest build that took at least MIN_TIMED_MS from the run's creation to its first event (shorter
 * ones are mostly the worker's start-up). Until such a build the ETA is unknown, and says so.
 */
import { estimateRun } from '../../sim/estimate.js';
import type { Scenario } from '../../sim/scenario/index.js';

/** Builds shorter than this (ms) do not time the rate. */
export const MIN_TIMED_MS = 1000;

/** What a live run's summary says of its population build while its clock stands at 0. */
export interface BuildInfo {
  users: number;
  edges: number;
  /** users + expected edges */
  work: number;
  /** work per second of the latest timed build on this server, or null */
  rate: number | null;
  /** which build timed the rate, in words, or why there is no rate */
  basis: string;
  /** estimated ms of the whole build (null without a rate) */
  expectedMs: number | null;
}

export class BuildTimer {
  private rate: number | null = null;
  private basis = 'no build on this server has taken long enough to time one';

  /** The build a run of `scenario` has to do, with the ETA basis known now. */
  info(scenario: Scenario): BuildInfo {
    const est = estimateRun(scenario);
    const users = Math.round(est.users);
    const edges = Math.round(est.edges);
    const work = users + edges;
    return { users, edges, work, rate: this.rate, basis: this.basis, expectedMs: this.rate === null ? null : (1000 * work) / this.rate };
  }

  /** A run's build took `ms` (creation to first event). */
  record(scenario: string, b: BuildInfo, ms: number): void {
    if (!(ms >= MIN_TIMED_MS) || !(b.work > 0)) return;
    this.rate = (1000 * b.work) / ms;
    this.basis = `timed by this server's last build (${scenario}: ${b.users.toLocaleString('en')} users and ${b.edges.toLocaleString('en')} edges in ${(ms / 1000).toFixed(1)} s)`;
  }
}
