/**
 * runScenario: the coordinator of an IMPP run. Domains are the logical processes; with N workers
 * they are spread over N piscina threads (sim/engine/parallel.ts). The partitions' results are
 * merged into one report whose every field, apart from engine.wallMs and the rates derived from
 * it, is identical for any worker count.
 */
import { availableParallelism } from 'node:os';
import { runModel, type RunHandle, type Progress } from './engine/parallel.js';
import type { TimerStats } from './engine/timers.js';
import { SimError } from './errors.js';
import { checkRunFits } from './estimate.js';
import { lpLayout } from './model/cluster.js';
import { chooseWorkers } from './workers.js';
import type { ImppParams, ImppPart } from './model/impp.js';
import { buildReport } from './report/build.js';
import { decodeLive, type LiveSnapshot } from './report/live-snapshot.js';
import type { Report } from './report/shape.js';
import type { Scenario } from './scenario/types.js';
import { formatDuration } from './scenario/units.js';

export { buildReport } from './report/build.js';
export { decodeLive, type LiveSnapshot } from './report/live-snapshot.js';
export { REPORT_SCHEMA_VERSION, type DomainReport, type LinkReport, type OperationStats, type PairReport, type Report } from './report/shape.js';

export interface RunScenarioOptions {
  /** worker threads, or 'auto': chosen from the scenario and the cores (sim/workers.ts; the report says why) */
  workers?: number | 'auto';
  /** overrides the scenario's seed */
  seed?: number;
  /** overrides the scenario's duration (ms) */
  duration?: number;
  onProgress?: (p: Progress) => void;
  onStart?: (h: ScenarioRunHandle) => void;
  /**
   * Run in the calling thread (the default for 1 worker). A server passes false so that even a
   * one-worker run goes to a worker thread and its event loop stays free.
   */
  inProcess?: boolean;
  /** count CPIM's messages in the report's bindings section even when every domain speaks CPIM (compare) */
  countCpim?: boolean;
  /** receives the engine's figures that are not part of the report (they depend on the partitioning) */
  onEngine?: (e: { pendingPeak: number; timers: TimerStats | null; windowLookahead: number }) => void;
  /** the reason recorded in report.stopped when the caller stopped the run (default: the engine's) */
  stopReason?: () => string | null;
}

export interface ScenarioRunHandle extends RunHandle {
  snapshot(): LiveSnapshot;
}

export function modelModuleUrl(): string {
  return new URL(import.meta.url.endsWith('.ts') ? './model/impp.ts' : './model/impp.js', import.meta.url).href;
}

export async function runScenario(scenario: Scenario, opts: RunScenarioOptions = {}): Promise<Report> {
  const seed = opts.seed ?? scenario.seed;
  const duration = opts.duration ?? scenario.duration;
  if (!(duration > 0)) throw new SimError('SIM_ERR_BAD_OPTION', `duration must be > 0 ms, got ${duration}`);
  const sc: Scenario = { ...scenario, seed, duration };
  if ((sc.warmup ?? 0) >= duration) {
    throw new SimError('SIM_ERR_BAD_OPTION', `the warm-up (${formatDuration(sc.warmup)}) must be shorter than the duration (${formatDuration(duration)})`);
  }
  const auto = opts.workers === 'auto' ? chooseWorkers(sc) : null;
  const asked = auto?.workers ?? (opts.workers as number | undefined);
  // the unit of partitioning is a server node of a domain (cluster.ts)
  const nodes = lpLayout(sc).lps;
  const workers = Math.min(asked ?? 1, nodes);
  if (opts.workers !== undefined && opts.workers !== 'auto' && opts.workers > nodes) {
    // more workers than server nodes cannot help: a node is the unit of partitioning
    process.emitWarning(`--workers ${opts.workers} exceeds the ${nodes} server node(s) of '${sc.name}'; using ${workers}`);
  }
  if (workers > availableParallelism()) {
    process.emitWarning(`${workers} workers on ${availableParallelism()} cores: partitions then sleep at every window barrier and the run is slower than with ${availableParallelism()} workers (results are the same)`);
  }
  // a run the memory estimate says will not fit is refused before any worker starts
  checkRunFits(sc, { workers });
  const params: ImppParams = { scenario: sc, seed, countCpim: opts.countCpim };
  const out = await runModel<ImppParams, ImppPart, ImppPart[]>(modelModuleUrl(), params, {
    workers,
    seed,
    until: duration,
    onProgress: opts.onProgress,
    onStart:
      opts.onStart === undefined
        ? undefined
        : (h) => {
            const t0 = performance.now();
            opts.onStart!({ ...h, snapshot: () => decodeLive(sc, h.live(), h.progress(), performance.now() - t0) });
          },
    inProcess: opts.inProcess,
  });
  opts.onEngine?.({ pendingPeak: out.pendingPeak, timers: out.timers, windowLookahead: out.windowLookahead });
  const stoppedAt = out.stopReason !== null && out.clock < duration ? Math.max(out.clock, 1) : null;
  const report = buildReport(
    sc,
    seed,
    out.result,
    { events: out.events, wallMs: out.wallMs, eventsPerSec: out.eventsPerSec, workers: out.workers, windows: out.windows },
    stoppedAt ?? duration,
  );
  if (auto !== null) report.engine.autoWorkers = auto.reason;
  if (stoppedAt !== null) report.stopped = { at: stoppedAt, planned: duration, reason: opts.stopReason?.() ?? out.stopReason! };
  return report;
}
