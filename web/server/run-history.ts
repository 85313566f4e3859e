/**
 * Ended runs: what the store holds, a small cache of reports, and the runs whose end the store
 * could not record (disk full, store gone) kept in memory as `failed` with the reason and, when
 * it was computed, their report. Live runs are the run manager's; this is everything after.
 */
import type { Report } from '../../sim/run.js';
import { ApiError, toApiError } from './errors.js';
import type { RatedSnapshot, TimeSeries } from './rates.js';
import { ACTIVE, liveSummary, recordSummary, type LiveRun, type RunSummary, type UnrecordedRun } from './run-state.js';
import type { RunStore } from './store.js';

const REPORT_CACHE = 8;
const UNRECORDED_KEEP = 100;

export interface HistoryLog {
  error(obj: unknown, msg?: string): void;
}

/** Runs a store read, turning store errors (a damaged record) into API errors. */
function read<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toApiError(e);
  }
}

export class RunHistory {
  private readonly reportCache = new Map<string, Report>();
  private readonly unrecorded = new Map<string, UnrecordedRun>();

  constructor(
    private readonly store: RunStore,
    private readonly log?: HistoryLog,
  ) {}

  /**
   * Records the end of a live run. When the store cannot take it, the run becomes `failed` with
   * the store's reason (its own outcome is kept in the message), the smallest record of that is
   * tried, and the run stays readable from memory until the server stops.
   */
  recordEnd(run: LiveRun, report: Report | null): void {
    const s = run.stored;
    try {
      this.store.finish(s, report, { ...run.series, snapshot: run.snapshot });
      if (report !== null) this.cacheReport(s.id, report);
      return;
    } catch (e) {
      const why = (e as Error).message;
      this.log?.error({ run: s.id, error: why }, 'cannot record the end of a run');
      const outcome = s.status === 'failed' ? `failed (${s.error ?? 'no reason'})` : s.status;
      s.status = 'failed';
      s.error = `the run ended ${outcome}, but the store could not record it: ${why}`;
      try {
        this.store.markEnded(s.id, 'failed', s.error, s.finishedAt ?? new Date().toISOString());
      } catch {
        // the store takes nothing now; the memory copy below is what there is
      }
    }
    this.unrecorded.set(s.id, { summary: liveSummary(run), report, series: run.series, snapshot: run.snapshot });
    while (this.unrecorded.size > UNRECORDED_KEEP) this.unrecorded.delete(this.unrecorded.keys().next().value!);
  }

  summary(id: string): RunSummary | null {
    const u = this.unrecorded.get(id);
    if (u !== undefined) return u.summary;
    const r = read(() => this.store.get(id));
    return r === null ? null : recordSummary(r);
  }

  list(): RunSummary[] {
    return read(() => this.store.list()).map((r) => this.unrecorded.get(r.id)?.summary ?? recordSummary(r));
  }

  private cacheReport(id: string, report: Report): void {
    this.reportCache.set(id, report);
    while (this.reportCache.size > REPORT_CACHE) this.reportCache.delete(this.reportCache.keys().next().value!);
  }

  /** The report of an ended run (409 while active, when it has none, or when it is damaged). */
  report(s: RunSummary): Report {
    if (ACTIVE.has(s.status)) throw new ApiError('NOT_FINISHED', `run '${s.id}' is ${s.status}; its report is ready when it ends`);
    const u = this.unrecorded.get(s.id);
    const r = u !== undefined ? u.report : (this.reportCache.get(s.id) ?? (read(() => this.store.report(s.id)) as Report | null));
    if (r === null) throw new ApiError('NO_REPORT', `run '${s.id}' ended ${s.status}${s.error ? ` (${s.error})` : ''} without a report`);
    if (u === undefined) this.cacheReport(s.id, r);
    return r;
  }

  snapshot(id: string): RatedSnapshot | null {
    const u = this.unrecorded.get(id);
    if (u !== undefined) return u.snapshot;
    const ts = read(() => this.store.timeseries(id)) as { snapshot?: RatedSnapshot | null } | null;
    return ts?.snapshot ?? null;
  }

  timeseries(id: string): TimeSeries {
    const u = this.unrecorded.get(id);
    if (u !== undefined) return u.series;
    const ts = read(() => this.store.timeseries(id)) as TimeSeries | null;
    return ts ?? { domains: [], points: [] };
  }
}
