/**
 * Checks threshold paths before a long run or sweep: a typo such as `latency.notifcation.p99`
 * should fail in a second, not after an hour. The check evaluates the thresholds on the report
 * of a tiny run of the same scenario (same domains, links and options; a handful of users, one
 * simulated millisecond), whose shape is the shape of the real report.
 */
import { runScenario, type Report } from '../run.js';
import type { Scenario } from '../scenario/index.js';
import { checkThresholdPaths, type Threshold } from './thresholds.js';

const PROBE_USERS = 4;

/** The report of a tiny run with the scenario's shape. */
export async function shapeReport(sc: Scenario): Promise<Report> {
  const small: Scenario = structuredClone(sc);
  small.duration = 1;
  small.warmup = 0;
  for (const d of small.domains) d.users = Math.min(d.users, PROBE_USERS);
  return runScenario(small, { workers: 1, inProcess: true });
}

/** Throws the thresholds' error (naming the path and the valid fields) when one names a field no report has. */
export async function probeThresholdPaths(sc: Scenario, thresholds: readonly Threshold[]): Promise<void> {
  if (thresholds.length === 0) return;
  checkThresholdPaths(thresholds, await shapeReport(sc));
}
