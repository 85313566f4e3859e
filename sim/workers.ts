/**
 * `--workers auto`: how many worker threads a scenario's run should use, and why.
 *
 * A windowed parallel run pays off when (1) the scenario can be split at all: a server node of
 * a domain is the unit of partitioning (its users and state are one logical process, cluster.ts),
 * so one domain of one server runs on one worker; (2) the split is balanced enough: partitions
 * hold whole domains when there are at least as many domains as workers, else contiguous blocks
 * of nodes, and the run goes no faster than its largest partition; (3) each window holds enough
 * work to pay for the barrier between windows. A window lasts one lookahead of simulated time:
 * the shortest link between domains while domains stay whole, the cluster latency between a
 * domain's nodes (0.5 ms by default) once a domain is split, so one domain needs far more events
 * per simulated second than a federation before a second worker pays; a barrier costs tens of microseconds when partitions spin and more
 * when they sleep, and an event about a microsecond, so below MIN_EVENTS_PER_WINDOW events per
 * window and worker (a few hundred microseconds of work) the barrier costs about as much as the
 * work it spreads: a threshold judged from these costs, not fitted (measured on federation:
 * about 23 events per 20 ms window, 2 workers 0.49x of 1). More workers than cores never help.
 *
 * The events per window come from the run estimate's generous guess of the messages a run sends
 * (estimate.ts), at EVENTS_PER_EXPECTED_MESSAGE events each: a rough figure, compared against
 * measured runs (federation: 8.8 M expected messages, 1.4 M events; office with 100,000 users and
 * 25 buddies for 1 h: 282 M and 46 M).
 */
import { availableParallelism } from 'node:os';
import { partitionOfRun, windowLookahead } from './engine/parallel.js';
import { lpLayout } from './model/cluster.js';
import { estimateRun, expectedMessages, fmtCount } from './estimate.js';
import { linkLookahead } from './model/topology.js';
import type { Scenario } from './scenario/types.js';

/** Events per window and worker below which a second worker does not pay for the barrier. */
export const MIN_EVENTS_PER_WINDOW = 200;
/** Events the model handles per message of expectedMessages (calibrated, see above). */
export const EVENTS_PER_EXPECTED_MESSAGE = 1 / 6;
/** The speed-up the balance of domains must allow at least before more workers are used. */
export const MIN_BALANCE_GAIN = 1.2;

export interface WorkerChoice {
  workers: number;
  /** why, in one sentence, for the summary */
  reason: string;
}

/** The worker count for `--workers auto` (cores: this machine's unless given, for tests). */
export function chooseWorkers(sc: Scenario, cores = availableParallelism()): WorkerChoice {
  const D = sc.domains.length;
  const layout = lpLayout(sc);
  const lps = layout.lps;
  if (lps === 1) {
    return { workers: 1, reason: 'one domain of one server node: a server node is the unit of partitioning (its users and state are one logical process), so a second worker would have nothing to do' };
  }
  if (cores < 2) return { workers: 1, reason: `this machine has ${cores} core: more workers than cores only add waiting at the window barrier` };
  const est = estimateRun(sc);
  const events = expectedMessages(sc, est.users, est.edges, sc.duration) * EVENTS_PER_EXPECTED_MESSAGE;
  const between = linkLookahead(sc);
  const groups = { groupOf: layout.domainOfLp, lookahead: layout.latency };
  const weight = (lp: number) => {
    const d = layout.domainOfLp[lp];
    return sc.domains[d].users / layout.nodes[d] + 1;
  };
  let total = 0;
  for (let lp = 0; lp < lps; lp++) total += weight(lp);
  let best = 1;
  let bestGain = 1;
  let bestWindow = Infinity;
  // the first count the work per window rules out, and its window (for the reason)
  let thin: { w: number; perWindow: number; window: number } | null = null;
  for (let w = 2; w <= Math.min(lps, cores); w++) {
    const parts = partitionOfRun(lps, w, weight, groups);
    const window = windowLookahead(parts, between, groups);
    const perWindow = (events * window) / sc.duration;
    if (perWindow / w < MIN_EVENTS_PER_WINDOW) {
      thin ??= { w, perWindow, window };
      continue;
    }
    const load = new Float64Array(w);
    for (let lp = 0; lp < lps; lp++) load[parts[lp]] += weight(lp);
    const gain = total / Math.max(...load);
    if (gain > bestGain * 1.05) {
      best = w;
      bestGain = gain;
      bestWindow = window;
    }
  }
  const windowText = (perWindow: number, window: number) =>
    `about ${fmtCount(perWindow)} events per ${fmtMs(window)} window (the lookahead, ${window < between ? "the cluster latency between a domain's server nodes" : 'the shortest link between domains'})`;
  if (best === 1 && thin !== null) {
    return { workers: 1, reason: `${windowText(thin.perWindow, thin.window)}: below ${fmtCount(MIN_EVENTS_PER_WINDOW)} per worker the barrier between windows costs as much as the work it spreads` };
  }
  if (best === 1 || bestGain < MIN_BALANCE_GAIN) {
    return { workers: 1, reason: `the largest domain holds most of the users: whole domains per worker would gain at most ${bestGain.toFixed(2)}x` };
  }
  const window = windowText((events * bestWindow) / sc.duration, bestWindow);
  const capped = best === Math.min(lps, cores) ? (lps > cores ? `, one per core (${cores})` : D === 1 ? ', one per server node' : ', one per domain') : '';
  const what = D === 1 ? `1 domain of ${lps} server nodes` : `${D} domains`;
  return { workers: best, reason: `${what}, ${window}, balance allows ${bestGain.toFixed(2)}x${capped}` };
}

function fmtMs(ms: number): string {
  return ms >= 1 ? `${Math.round(ms * 10) / 10} ms` : `${Math.round(ms * 1000)} us`;
}
