/**
 * Early abort: while a run goes on, judge its thresholds on the last `window` of simulated time
 * and stop the run as soon as one fails over a whole window (`--abort-after WINDOW`). A sizing
 * probe or a CI gate then ends in seconds instead of running an overloaded system to the end.
 *
 * The figures of a window come from two live snapshots (cumulative counters, latency buckets,
 * busy time per domain) taken between engine chunks: counts and rates are exact for the interval
 * between the snapshots; percentiles are interpolated inside the live view's 1-2-5 latency
 * buckets, so they are close but not exact. The final verdict is always given on the exact report.
 * Thresholds on figures the live view does not hold (for example `links.*.utilisation`) are judged
 * at the end only; `unwatched` names them.
 */
import type { LiveSnapshot } from '../run.js';
import { evaluateSides, judge, type Threshold, type ThresholdOutcome } from './thresholds.js';

/** The q-quantile of a window's latency counts (bucket i holds values below edges[i]; the last the rest). */
export function bucketQuantile(edges: readonly number[], counts: readonly number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] <= 0) continue;
    if (seen + counts[i] >= rank) {
      const lo = i === 0 ? 0 : edges[i - 1];
      const hi = i < edges.length ? edges[i] : edges[edges.length - 1] * 2;
      return lo + ((hi - lo) * (rank - seen)) / counts[i];
    }
    seen += counts[i];
  }
  return edges[edges.length - 1];
}

function latencyView(edges: readonly number[], a: readonly number[], b: readonly number[]) {
  const d = b.map((v, i) => v - (a[i] ?? 0));
  return {
    count: d.reduce((x, y) => x + y, 0),
    p50: bucketQuantile(edges, d, 0.5),
    p90: bucketQuantile(edges, d, 0.9),
    p95: bucketQuantile(edges, d, 0.95),
    p99: bucketQuantile(edges, d, 0.99),
  };
}

/**
 * The report-shaped figures of the interval (a, b]: the fields a threshold may name, as far as a
 * live view holds them, with the same names as in the report and the key figures.
 */
export function windowView(a: LiveSnapshot, b: LiveSnapshot): Record<string, unknown> {
  const dt = b.clock - a.clock;
  const secs = dt / 1000;
  const c = (k: string) => (b.counters[k] ?? 0) - (a.counters[k] ?? 0);
  const domains: Record<string, { utilisation: number; queue: number }> = {};
  b.domains.forEach((d, i) => {
    const busy = d.busyMs - (a.domains[i]?.busyMs ?? 0);
    domains[d.name] = { utilisation: dt > 0 ? busy / (d.cores * dt) : 0, queue: d.queue };
  });
  // pairs are sparse (a pair appears once it carries a message), so compare sums, not items
  let msgs = 0;
  let bytes = 0;
  for (const p of b.pairs) {
    msgs += p.messages;
    bytes += p.bytes;
  }
  for (const p of a.pairs) {
    msgs -= p.messages;
    bytes -= p.bytes;
  }
  const sent = c('imSent');
  const edges = b.latency.edgesMs;
  return {
    presence: {
      publishes: c('publishes'),
      notifications: { sent: c('notifySent'), delivered: c('notifyDelivered'), undelivered: c('notifyUndelivered'), dropped: c('notifyDropped') },
    },
    im: { sent, delivered: c('imDelivered'), failed: c('imFailed') },
    latency: { notification: latencyView(edges, a.latency.notification, b.latency.notification), im: latencyView(edges, a.latency.im, b.latency.im) },
    domains,
    security: { leaks: c('leaks') },
    notificationsPerSec: secs > 0 ? c('notifySent') / secs : 0,
    imPerSec: secs > 0 ? sent / secs : 0,
    publishesPerSec: secs > 0 ? c('publishes') / secs : 0,
    maxUtilisation: Object.values(domains).reduce((x, d) => Math.max(x, d.utilisation), 0),
    crossDomainMessagesPerSec: secs > 0 ? msgs / secs : 0,
    crossDomainBytesPerSec: secs > 0 ? bytes / secs : 0,
    imFailedFraction: sent > 0 ? c('imFailed') / sent : 0,
    notificationsDropped: c('notifyDropped'),
    leaks: c('leaks'),
  };
}

export interface AbortDecision {
  /** simulated ms at which the run was judged to fail */
  at: number;
  window: number;
  outcome: ThresholdOutcome;
  /** a sentence for the report and the console */
  reason: string;
}

/** Splits thresholds into those a live window can judge and those judged at the end only. */
export function watchable(thresholds: readonly Threshold[], probe: LiveSnapshot): { watched: Threshold[]; unwatched: Threshold[] } {
  const view = windowView(probe, probe);
  const watched: Threshold[] = [];
  const unwatched: Threshold[] = [];
  for (const t of thresholds) {
    try {
      evaluateSides(t, view);
      watched.push(t);
    } catch {
      unwatched.push(t);
    }
  }
  return { watched, unwatched };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

/**
 * Feeds snapshots in order; returns a decision the first time a watched threshold fails over the
 * last `window` ms of simulated time (judged from the latest snapshot at least `window` older).
 */
export class ThresholdWatch {
  private readonly history: LiveSnapshot[] = [];
  private watched: Threshold[] | null = null;
  unwatched: Threshold[] = [];

  /**
   * @param from the warm-up: windows are judged from then on only, as the report's figures are
   */
  constructor(
    private readonly thresholds: readonly Threshold[],
    readonly window: number,
    readonly from = 0,
  ) {
    if (!(window > 0)) throw new Error(`abort window must be > 0 ms, got ${window}`);
  }

  observe(s: LiveSnapshot): AbortDecision | null {
    if (this.watched === null) {
      const split = watchable(this.thresholds, s);
      this.watched = split.watched;
      this.unwatched = split.unwatched;
    }
    // before the warm-up ends nothing is judged; the first snapshot after it anchors the windows
    if (s.clock < this.from) return null;
    if (this.history.length === 0 && s.clock > 0 && this.from === 0) {
      // the run starts from nothing: a zero snapshot at time 0 anchors the first window
      this.history.push(zeroLike(s));
    }
    this.history.push(s);
    if (this.watched.length === 0) return null;
    // the latest snapshot that is at least a window old
    let base = -1;
    for (let i = this.history.length - 2; i >= 0; i--) {
      if (this.history[i].clock <= s.clock - this.window) {
        base = i;
        break;
      }
    }
    if (base < 0) return null;
    if (base > 0) this.history.splice(0, base); // older ones can never be the base again
    const from = this.history[0];
    const view = windowView(from, s);
    for (const t of this.watched) {
      const sides = evaluateSides(t, view);
      const o = judge(t, sides.left, sides.right);
      if (!o.passed) {
        const v = o.worst ? `${o.worst.binding ? `${o.worst.binding}: ` : ''}${fmt(o.worst.left)}` : 'no value';
        return {
          at: s.clock,
          window: s.clock - from.clock,
          outcome: o,
          reason: `threshold '${t.text}' failed over simulated ${fmt(from.clock / 1000)}-${fmt(s.clock / 1000)} s (${v})`,
        };
      }
    }
    return null;
  }
}

function zeroLike(s: LiveSnapshot): LiveSnapshot {
  return {
    clock: 0,
    until: s.until,
    events: 0,
    wallMs: 0,
    counters: Object.fromEntries(Object.keys(s.counters).map((k) => [k, 0])),
    latency: { edgesMs: s.latency.edgesMs, notification: s.latency.notification.map(() => 0), im: s.latency.im.map(() => 0) },
    domains: s.domains.map((d) => ({ ...d, busyMs: 0, queue: 0, utilisation: 0 })),
    pairs: s.pairs.map((p) => ({ ...p, messages: 0, bytes: 0 })),
  };
}
