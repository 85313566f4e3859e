/**
 * buildReport: the partitions' parts merged into one report. Each section comes from the module
 * named after its concern (servers, links, presence, im, federation, access, trace); this file only
 * composes them with the run's parameters, latencies and timeline.
 */
import { linkLookahead, TIMELINE_BUCKETS, TIMELINE_SERIES, type ImppPart } from '../model/impp.js';
import { bindingsReport } from '../model/bindings/report.js';
import { cdf, mergeHistograms, summarise } from '../model/latency.js';
import type { Scenario } from '../scenario/types.js';
import { accessReport } from './access.js';
import { cpimReport, federationReport } from './federation.js';
import { imReport } from './im.js';
import { linksReport, pairsReport } from './links.js';
import { presenceReport } from './presence.js';
import { domainsReport } from './servers.js';
import { REPORT_SCHEMA_VERSION, type Report } from './shape.js';
import { round, sumArrays, sumCounters } from './sum.js';
import { traceReport } from './trace.js';

export type EngineFigures = { events: number; wallMs: number; eventsPerSec: number; workers: number; windows: number };

export function buildReport(
  sc: Scenario,
  seed: number,
  parts: ImppPart[],
  engine: EngineFigures,
  /** simulated ms actually run (less than the scenario's duration when the run was stopped) */
  elapsed: number = sc.duration,
): Report {
  const D = sc.domains.length;
  // statistics cover (from, elapsed]: from is the warm-up when the run reached it
  const from = parts.reduce((x, p) => Math.max(x, p.measuredFrom ?? 0), 0);
  const span = elapsed - from;
  const c = sumCounters(parts);
  const series: Record<string, number[]> = {};
  for (const name of TIMELINE_SERIES) series[name] = sumArrays(parts, TIMELINE_BUCKETS, (p) => p.timeline.series[name]);
  const notif = mergeHistograms(parts.map((p) => p.notification));
  const im = mergeHistograms(parts.map((p) => p.im));
  const trace = traceReport(sc, parts);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    scenario: sc.name,
    seed,
    parameters: {
      duration: span,
      warmup: from,
      domains: D,
      users: parts[0].memory.users,
      subscriptionEdges: parts[0].memory.edges,
      tuples: sc.population.tuples,
      devices: sc.population.devices,
    },
    engine: { ...engine, wallMs: round(engine.wallMs, 1), eventsPerSec: Math.round(engine.eventsPerSec), lookahead: D > 1 ? linkLookahead(sc) : 0 },
    presence: presenceReport(c, parts),
    im: imReport(c, parts, from),
    latency: { notification: summarise(notif), im: summarise(im) },
    latencyCdf: { notification: cdf(notif), im: cdf(im) },
    domains: domainsReport(sc, parts, span),
    pairs: pairsReport(sc, parts),
    security: { rejectedAuth: c.rejectedAuth, denied: c.denied, politeBlocked: c.politeBlocked, leaks: c.leaks, spoofed: c.spoofed },
    links: linksReport(sc, parts, span),
    timeline: { bucketMs: round(sc.duration / TIMELINE_BUCKETS, 3), series },
    federation: federationReport(c, parts),
    cpim: cpimReport(c),
    staleness: { changes: c.stalenessChanges, held: c.stalenessHeld, ended: c.stalenessEnded, missed: c.stalenessMissed, time: summarise(mergeHistograms(parts.map((p) => p.staleness))) },
    sessions: { logins: c.logins, logouts: c.logouts, crashes: c.crashes, ...(sc.population.devices > 1 ? { deviceLogins: c.deviceLogins, deviceLogouts: c.deviceLogouts } : {}) },
    access: accessReport(parts),
  };
  if (trace) report.trace = trace;
  const bindings = bindingsReport(sc, parts, span);
  if (bindings) report.bindings = bindings;
  return report;
}
