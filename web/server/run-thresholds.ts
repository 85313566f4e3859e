/**
 * Thresholds declared on a run from the page (the CLI's `--threshold` syntax, thresholds.ts):
 * checked where they enter, judged live on the run so far at every bucket of the series (from the
 * live view: counts and rates exact, percentiles interpolated in its coarse buckets, watch.ts),
 * and judged exactly on the report at the end.
 */
import type { LiveSnapshot, Report } from '../../sim/run.js';
import { evaluateSides, evaluateThresholds, formatWithUnit, judge, parseThreshold, type Threshold, type ThresholdOutcome } from '../../sim/toolkit/thresholds.js';
import { watchable, windowView } from '../../sim/toolkit/watch.js';
import { ApiError } from './errors.js';

export const MAX_RUN_THRESHOLDS = 20;

/** One threshold's verdict as the page shows it. */
export interface ThresholdVerdict {
  threshold: string;
  /** null: the live view does not hold the figure; judged at the end only */
  passed: boolean | null;
  /** the deciding value in the bound's unit ("29.86 s vs 5 s"), or why there is none */
  value: string;
  /** live: over the run so far (from the live view); final: on the report */
  source: 'live' | 'final';
}

/** Parses a run's thresholds; a bad one is a 400 naming it. */
export function parseRunThresholds(list: readonly string[] | undefined): Threshold[] {
  if (list === undefined) return [];
  if (list.length > MAX_RUN_THRESHOLDS) throw new ApiError('BAD_REQUEST', `body.thresholds: at most ${MAX_RUN_THRESHOLDS}, got ${list.length}`);
  return list.map((t, i) => {
    try {
      return parseThreshold(t);
    } catch (e) {
      throw new ApiError('BAD_REQUEST', `body.thresholds[${i}]: ${(e as Error).message.replace(/^SIM_ERR_\w+: /, '')}`);
    }
  });
}

function verdict(o: ThresholdOutcome, source: 'live' | 'final'): ThresholdVerdict {
  const w = o.worst;
  const f = (x: number) => formatWithUnit(x, o.threshold);
  return { threshold: o.threshold, passed: o.passed, value: w === null ? 'no values' : `${w.binding ? `${w.binding}: ` : ''}${f(w.left)} vs ${f(w.right)}`, source };
}

/** A snapshot of nothing yet (the start of the run), the other end of the "so far" window. */
function startOf(s: LiveSnapshot): LiveSnapshot {
  const zero = Object.fromEntries(Object.keys(s.counters).map((k) => [k, 0]));
  return {
    ...s,
    clock: 0,
    events: 0,
    counters: zero,
    latency: { edgesMs: s.latency.edgesMs, notification: s.latency.notification.map(() => 0), im: s.latency.im.map(() => 0) },
    domains: s.domains.map((d) => ({ ...d, busyMs: 0, queue: 0 })),
    pairs: s.pairs.map((p) => ({ ...p, messages: 0, bytes: 0, notify: 0, message: 0 })),
  };
}

/** The thresholds judged on the live view of the run so far. */
export function liveVerdicts(thresholds: readonly Threshold[], snap: LiveSnapshot): ThresholdVerdict[] {
  if (thresholds.length === 0) return [];
  const { unwatched } = watchable(thresholds, snap);
  const view = windowView(startOf(snap), snap);
  return thresholds.map((t) => {
    if (unwatched.includes(t)) return { threshold: t.text, passed: null, value: 'judged at the end (the live view does not hold this figure)', source: 'live' };
    const s = evaluateSides(t, view);
    return verdict(judge(t, s.left, s.right), 'live');
  });
}

/** The thresholds judged exactly on the report. */
export function finalVerdicts(thresholds: readonly Threshold[], report: Report): ThresholdVerdict[] {
  try {
    return evaluateThresholds(thresholds, report).map((o) => verdict(o, 'final'));
  } catch (e) {
    return thresholds.map((t) => ({ threshold: t.text, passed: false, value: (e as Error).message, source: 'final' }));
  }
}
