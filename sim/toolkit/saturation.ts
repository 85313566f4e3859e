/**
 * When is a run saturated? One rule for the dashboard (a run's verdict, a sweep's "saturates at")
 * and the CLI, its report part written as thresholds (thresholds.ts, the syntax `size --target`
 * and `run --threshold` take), so that every tool judges saturation the same way:
 *
 * - the busiest domain's utilisation over the run reaches 70 % (queueing delay grows fast past it);
 * - or the p99 notification latency reaches 5 s (users see stale presence, whatever the average
 *   utilisation says);
 * - or (where a time series exists: the dashboard's runs and sweeps, web/server/saturation.ts) a
 *   domain's queue grows over each of the run's last buckets and ends at 10 jobs per core or more.
 *
 * A run is saturated when any of them fails. docs/toolkit.md and docs/dashboard.md state it.
 */
import type { Report } from '../run.js';
import { evaluateThresholds, formatWithUnit, parseThreshold, type ThresholdOutcome } from './thresholds.js';

export const SATURATION_TARGETS = ['maxUtilisation < 0.7', 'latency.notification.p99 < 5s'] as const;

const PARSED = SATURATION_TARGETS.map((t) => parseThreshold(t));

export interface SaturationVerdict {
  saturated: boolean;
  /** the targets that failed, each with its deciding value ("maxUtilisation: 0.83 vs 0.7") */
  reasons: string[];
  outcomes: ThresholdOutcome[];
}

/** The saturation verdict of one report. */
export function saturation(report: Report): SaturationVerdict {
  const outcomes = evaluateThresholds(PARSED, report);
  const reasons = outcomes
    .filter((o) => !o.passed)
    .map((o) => {
      const w = o.worst;
      const f = (x: number) => formatWithUnit(x, o.threshold);
      return w === null ? o.threshold : `${o.threshold} failed (${w.binding ? `${w.binding}: ` : ''}${f(w.left)} vs ${f(w.right)})`;
    });
  return { saturated: reasons.length > 0, reasons, outcomes };
}
