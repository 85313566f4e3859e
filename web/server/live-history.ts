/**
 * Live runs in the run history: a live run (routes-live.ts) is a row of the run store like a
 * simulated one, with mode `live` (listed with `measured: true`), written when it starts and
 * finished with its measured report, so it is listed by GET /api/runs, survives restarts and opens
 * in the report views. Its figures are the measured ones; a figure the measurement lacks (server
 * CPU below one procfs tick) is left out rather than shown as 0.
 */
import type { LiveReport } from '../../sim/live/live-report.js';
import type { LiveCounters } from '../../sim/live/live-driver.js';
import type { RunFigures, RunStore, StoredRun } from './store.js';

/** What a live run's SSE `progress` frame says: the driver's counts so far. */
export interface LiveProgress {
  elapsedMs: number;
  logins: number;
  publishes: number;
  notificationsExpected: number;
  notificationsDelivered: number;
  imSent: number;
  imDelivered: number;
  imReports: number;
}

export function progressOf(c: LiveCounters, elapsedMs: number): LiveProgress {
  return {
    elapsedMs: Math.round(elapsedMs),
    logins: c.logins,
    publishes: c.publishes,
    notificationsExpected: c.notifyExpected,
    notificationsDelivered: c.notifyDelivered,
    imSent: c.imSent,
    imDelivered: c.imDelivered,
    imReports: c.imReports,
  };
}

/** The measured figures the history lists for a live report. */
export function liveFigures(r: LiveReport): RunFigures {
  const f: RunFigures = { notificationsDelivered: r.presence.notifications.delivered, p99NotificationMs: r.latency.notification.p99, imDelivered: r.im.delivered } as RunFigures;
  if (r.server.utilisation !== null) f.maxUtilisation = r.server.utilisation;
  return f;
}

/** Records a live run's start in the store and returns its stored row. */
export function recordLiveStart(store: RunStore, id: string, scenario: string, durationMs: number, seed: number): StoredRun {
  const run: StoredRun = {
    id,
    scenario,
    status: 'running',
    params: { mode: 'live', seed, workers: 1, duration: durationMs, speed: 1, overrides: [] },
    createdAt: new Date().toISOString(),
    finishedAt: null,
    error: null,
    clock: 0,
    events: 0,
    figures: null,
  };
  store.insert(run);
  return run;
}

/** Records a live run's end: finished with its report (stopped when it was cut short), or failed. */
export function recordLiveEnd(store: RunStore, run: StoredRun, report: LiveReport | null, error: string | null): void {
  run.finishedAt = new Date().toISOString();
  if (report !== null) {
    run.status = report.stopped ? 'stopped' : 'finished';
    run.clock = report.parameters.duration;
    run.events = report.server.stanzasIn + report.server.stanzasOut;
    run.figures = liveFigures(report);
  } else {
    run.status = 'failed';
    run.error = error;
  }
  store.finish(run, report, { domains: [], points: [] });
}
