/**
 * A run's state as the run manager keeps it while the run is live, and the summary the API gives
 * of a run (live, ended, or read from the store).
 */
import type { InteractiveRun } from '../../sim/interactive.js';
import type { TraceRecord } from '../../sim/model/impp.js';
import type { Report, ScenarioRunHandle } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario/index.js';
import type { BucketClock } from './buckets.js';
import type { BuildInfo } from './build-eta.js';
import type { LiveSnapshot } from '../../sim/run.js';
import type { RatedSnapshot, SeriesPoint, TimeSeries } from './rates.js';
import { saturationReasons } from './saturation.js';
import type { Threshold } from '../../sim/toolkit/thresholds.js';
import type { ThresholdVerdict } from './run-thresholds.js';
import type { RunFigures, RunMode, RunRecord, RunStatus, StoredRun } from './store.js';

/** A stored record that cannot be read is listed with this status (and the reason in `error`). */
export type SummaryStatus = RunStatus | 'corrupt';

export interface RunSummary {
  id: string;
  scenario: string;
  status: SummaryStatus;
  mode: RunMode;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  clock: number;
  until: number;
  events: number;
  figures: RunFigures | null;
  /** the run's overrides (path=value), and a person's tags and note (run-notes.ts) */
  overrides: string[];
  tags: string[];
  note: string;
  /** thresholds declared on the run (their verdicts are in figures.thresholds once it ended) */
  thresholds: string[];
  /** a live run (mode live): measured on a real server, not simulated */
  measured?: true;
  /** while a batch run builds its population (clock at 0, no event yet): the build and its ETA basis (build-eta.ts) */
  build?: BuildInfo & { elapsedMs: number };
}

export type RunEvent =
  | { type: 'status'; data: RunSummary }
  | { type: 'snapshot'; data: RatedSnapshot }
  | { type: 'trace'; data: TraceRecord[] }
  /**
   * points of the simulated-time series from index `from` on (a reconnect gets them all from 0);
   * `overload`: the domains whose queue keeps growing (saturation.ts), judged at every bucket
   */
  | { type: 'series'; data: { from: number; bucketMs: number; domains: string[]; points: SeriesPoint[]; overload?: string[]; thresholds?: ThresholdVerdict[] } }
  | { type: 'end'; data: { status: RunStatus; error?: string } };

export type RunListener = (ev: RunEvent) => void;

export const ACTIVE: ReadonlySet<string> = new Set(['running', 'paused']);

export interface LiveRun {
  stored: StoredRun;
  scenario: Scenario;
  snapshot: RatedSnapshot | null;
  series: TimeSeries;
  /** the next boundary of the series' buckets, and the live view at the last one closed */
  buckets: BucketClock | null;
  bucketPrev: LiveSnapshot | null;
  report: Report | null;
  listeners: Set<RunListener>;
  /** trace records already announced to subscribers */
  traceSent: number;
  done: Promise<void>;
  /** counted against maxRuns (sweep points are counted through their sweep) */
  counted: boolean;
  /** clock of the last checkpoint written to the store */
  checkpointClock: number;
  /** wall time (performance.now) of the last control action or change of watchers (run-idle.ts) */
  idleSince: number;
  /** why the server stopped the run itself (the idle timeout); recorded as its error */
  stopReason: string | null;
  /** thresholds declared on the run, and their latest live verdicts */
  thresholds: Threshold[];
  liveThresholds: ThresholdVerdict[];
  // batch runs
  handle: ScenarioRunHandle | null;
  stopRequested: boolean;
  timer: NodeJS.Timeout | null;
  lastSnapshotAt: number;
  /** pacing anchor: wall time and simulated time when speed, pause or resume last changed */
  anchorWall: number;
  anchorSim: number;
  /** wall time (performance.now) of the run's creation; a batch run's population build (build-eta.ts), null once built */
  startedWall: number;
  build: BuildInfo | null;
  // interactive runs
  interactive: InteractiveRun | null;
  driving: boolean;
  /** resolves `done` of an interactive run */
  resolveDone: (() => void) | null;
}

/**
 * A run that ended while the store could not record its end (disk full, store gone): kept in
 * memory, as `failed` with the reason, with its report when one was computed.
 */
export interface UnrecordedRun {
  summary: RunSummary;
  report: Report | null;
  series: TimeSeries;
  snapshot: RatedSnapshot | null;
}

export function figuresOf(report: Report, series: TimeSeries | null = null): RunFigures {
  let maxUtilisation = 0;
  for (const d of Object.values(report.domains)) maxUtilisation = Math.max(maxUtilisation, d.utilisation);
  return {
    notificationsDelivered: report.presence.notifications.delivered,
    p99NotificationMs: report.latency.notification.p99,
    imDelivered: report.im.delivered,
    maxUtilisation,
    saturation: saturationReasons(report, series),
  };
}

export function liveSummary(run: LiveRun): RunSummary {
  const s = run.stored;
  const p = s.params;
  return {
    id: s.id,
    scenario: s.scenario,
    status: s.status,
    mode: p.mode,
    seed: p.seed,
    workers: p.workers,
    duration: p.duration,
    speed: p.speed,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    error: s.error,
    clock: s.clock,
    until: p.duration,
    events: s.events,
    figures: s.figures,
    overrides: p.overrides,
    tags: p.tags ?? [],
    note: p.note ?? '',
    thresholds: p.thresholds ?? [],
    ...(run.build !== null && ACTIVE.has(s.status) ? { build: { ...run.build, elapsedMs: performance.now() - run.startedWall } } : {}),
  };
}

export function recordSummary(r: RunRecord): RunSummary {
  return {
    id: r.id,
    scenario: r.scenario,
    status: r.damage !== null ? 'corrupt' : r.status,
    mode: r.mode,
    seed: r.seed,
    workers: r.workers,
    duration: r.duration,
    speed: r.speed,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    error: r.damage !== null ? `the stored record is damaged: ${r.damage}` : r.error,
    clock: r.clock,
    until: r.duration,
    events: r.events,
    figures: r.damage !== null ? null : r.figures,
    overrides: r.overrides,
    tags: r.tags,
    note: r.note,
    thresholds: r.thresholds,
    ...(r.mode === 'live' ? { measured: true } : {}),
  };
}
