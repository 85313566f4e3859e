/**
 * Checks threshold paths before a long run or sweep: a typo such as `latency.notifcation.p99`
 * should fail in a second, not after an hour. The check evaluates the thresholds on the report
 * of a tiny run of the same scenario (same domains, links and options; a handful of users, one
 * simulated millisecond), whose shape is the shape of the real report.
 */
import { MESSAGE_KINDS } from '../model/impp.js';
import { runScenario, type Report } from '../run.js';
import type { Scenario } from '../scenario/index.js';
import { checkThresholdPaths, type Threshold } from './thresholds.js';

const PROBE_USERS = 4;

/** Pairs and links of the probe listed densely up to this many ordered pairs (the real report's are sparse). */
const DENSE_PAIRS = 10_000;

/**
 * The report of a tiny run with the scenario's shape. The report's pairs and links list only the
 * pairs that exchanged messages, and a one-millisecond run exchanges none: the probe lists every
 * ordered pair (with zeros), so that a path such as `pairs.0.bytes` checks against the fields a
 * pair has.
 */
export async function shapeReport(sc: Scenario): Promise<Report> {
  const small: Scenario = structuredClone(sc);
  small.duration = 1;
  small.warmup = 0;
  for (const d of small.domains) d.users = Math.min(d.users, PROBE_USERS);
  const r = await runScenario(small, { workers: 1, inProcess: true });
  const D = sc.domains.length;
  if (D * (D - 1) > DENSE_PAIRS) return r;
  const names = sc.domains.map((d) => d.name);
  const pairs = new Map(r.pairs.map((p) => [`${p.from}\u0000${p.to}`, p]));
  const links = new Map(r.links.map((l) => [`${l.from}\u0000${l.to}`, l]));
  const zeroKinds = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, 0]));
  r.pairs = [];
  r.links = [];
  for (const from of names) {
    for (const to of names) {
      if (from === to) continue;
      const key = `${from}\u0000${to}`;
      r.pairs.push(pairs.get(key) ?? { from, to, messages: { ...zeroKinds }, total: 0, bytes: 0 });
      r.links.push(links.get(key) ?? { from, to, messages: 0, bytes: 0, bandwidthMbps: 0, utilisation: 0, retransmissions: 0, failed: 0 });
    }
  }
  return r;
}

/** Throws the thresholds' error (naming the path and the valid fields) when one names a field no report has. */
export async function probeThresholdPaths(sc: Scenario, thresholds: readonly Threshold[]): Promise<void> {
  if (thresholds.length === 0) return;
  checkThresholdPaths(thresholds, await shapeReport(sc));
}
