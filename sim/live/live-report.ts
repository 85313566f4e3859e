/**
 * The report of a live run: the shape of a simulated run's report where the figures exist
 * (scenario, seed, parameters, presence and IM counts, latency summaries and CDFs from
 * HdrHistogram, counts per operation, pairs of domains, sessions, timeline), plus what only a
 * measurement has: `measured: true`, `tls: false`, the target, the server's CPU seconds per
 * stanza and memory from procfs, the driver's own CPU share, and the scenario mapping.
 */
import { cpus } from 'node:os';
import * as hdr from 'hdr-histogram-js';
import { cdf, summarise, type LatencySummary } from '../model/latency.js';
import { REPORT_SCHEMA_VERSION } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import { formatDuration } from '../scenario/units.js';
import type { DriveResult, PairCounts } from './live-driver.js';
import type { LivePlan } from './live-plan.js';
import type { ProcSample } from './proc-stat.js';

/** A driver above this share of one core may be what limits the run */
export const DRIVER_BUSY_SHARE = 0.7;

export interface LiveReport {
  schemaVersion: number;
  measured: true;
  tls: false;
  scenario: string;
  seed: number;
  target: { kind: 'embedded-prosody' | 'embedded-ejabberd' | 'xmpp'; host: string; port: number; server: string | null };
  /** present when the run was stopped before its duration: when (ms measured), the planned duration, why */
  stopped?: { at: number; planned: number; reason: string };
  parameters: { duration: number; warmup: 0; domains: number; users: number; subscriptionEdges: number; rosterItems: number; rateScale: number };
  setup: { provisionMs: number; serverStartMs: number; loginMs: number; logins: number; loginServerCpuSeconds: number | null };
  presence: { publishes: number; notifications: { sent: number; delivered: number; undelivered: number; arrivedWhileLeaving: number }; probeAnswers: number; loginPresence: number; unavailable: number };
  im: { sent: number; delivered: number; reports: number; failed: number; indeterminate: number; failedBy: Record<string, number> };
  latency: { notification: LatencySummary; im: LatencySummary; imReport: LatencySummary };
  latencyCdf: { notification: Array<[number, number]>; im: Array<[number, number]> };
  domains: Record<string, { users: number; operations: Record<string, { count: number }> }>;
  /** per ordered pair of domains: stanzas users of `to` received from users of `from` (total, and by kind) */
  pairs: ({ from: string; to: string; total: number } & PairCounts)[];
  sessions: { logins: number; logouts: number; crashes: number; loginFailures: number };
  timeline: { bucketMs: number; series: Record<string, number[]> };
  /**
   * all servers together (utilisation: their CPU seconds per wall-clock second). procfs counts CPU
   * in clock ticks (10 ms): a run that cost less than a tick shows 0 s and no per-stanza figure.
   */
  server: { pids: (number | null)[]; cpuSeconds: number | null; stanzasIn: number; stanzasOut: number; cpuPerStanzaUs: number | null; cpuPerInboundStanzaUs: number | null; utilisation: number | null; rssBytes: number | null; rssPeakBytes: number | null; bytesIn: number; bytesOut: number };
  /** each server: its domain (federation; null when one server serves every domain), port, CPU and memory */
  servers: { domain: string | null; port: number; pid: number | null; cpuSeconds: number | null; rssBytes: number | null; rssPeakBytes: number | null }[];
  driver: { cpuSeconds: number; cpuShare: number; busy: boolean };
  mapping: { mapped: string[]; notMapped: string[] };
  environment: { cpus: number; cpuModel: string; node: string; note: string };
  loginErrors: string[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function histogramOf(rec: { encode(): { count: number; data: string } }): hdr.Histogram {
  const e = rec.encode();
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 7 * 24 * 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  if (e.count > 0) h.add(hdr.decodeFromCompressedBase64(e.data));
  return h;
}

export interface LiveReportInput {
  scenario: Scenario;
  seed: number;
  plan: LivePlan;
  drive: DriveResult;
  target: LiveReport['target'];
  rateScale: number;
  setup: { provisionMs: number; serverStartMs: number; loginServerCpuSeconds: number | null };
  servers: { domain: string | null; port: number; pid: number | null; start: ProcSample | null; end: ProcSample | null }[];
}

export function buildLiveReport(i: LiveReportInput): LiveReport {
  const c = i.drive.counters;
  const h = { notification: histogramOf(i.drive.latency.notification), im: histogramOf(i.drive.latency.im), imReport: histogramOf(i.drive.latency.imReport) };
  const per = i.servers.map((v) => ({ domain: v.domain, port: v.port, pid: v.pid, cpuSeconds: v.start && v.end ? r3(v.end.cpuSeconds - v.start.cpuSeconds) : null, rssBytes: v.end?.rssBytes ?? null, rssPeakBytes: v.end?.rssPeakBytes ?? null }));
  const cpu = per.length > 0 && per.every((v) => v.cpuSeconds !== null) ? per.reduce((a, v) => a + v.cpuSeconds!, 0) : null;
  const sum = (k: 'rssBytes' | 'rssPeakBytes') => (per.every((v) => v[k] !== null) ? per.reduce((a, v) => a + v[k]!, 0) : null);
  const stanzas = c.stanzasIn + c.stanzasOut;
  const measuredMs = i.drive.windowMs + i.drive.drainMs;
  const driverShare = i.drive.driverCpuSeconds / (measuredMs / 1000);
  const domains: LiveReport['domains'] = {};
  i.plan.domains.forEach((name, d) => {
    let users = 0;
    for (let u = 0; u < i.plan.users; u++) if (i.plan.domainOf[u] === d) users++;
    // the counts are driver-wide; with one domain they are the domain's
    const only = i.plan.domains.length === 1;
    domains[name] = { users, operations: only ? { publish: { count: c.publishes }, notify: { count: c.notifyDelivered }, imSend: { count: c.imSent }, imDeliver: { count: c.imDelivered }, imReport: { count: c.imReports } } : {} };
  });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    measured: true,
    tls: false,
    scenario: i.scenario.name,
    seed: i.seed,
    target: i.target,
    parameters: { duration: Math.round(i.drive.windowMs), warmup: 0, domains: i.plan.domains.length, users: i.plan.users, subscriptionEdges: i.plan.followerIdx.length, rosterItems: i.plan.rosterItems, rateScale: i.rateScale },
    setup: { ...i.setup, loginMs: i.drive.setup.ms, logins: i.drive.setup.logins },
    presence: {
      publishes: c.publishes,
      notifications: { sent: c.notifyExpected, delivered: c.notifyDelivered, undelivered: c.notifyExpected - c.notifyDelivered, arrivedWhileLeaving: c.notifyLate },
      probeAnswers: c.probeAnswers,
      loginPresence: c.loginPresence,
      unavailable: c.unavailable,
    },
    im: { sent: c.imSent, delivered: c.imDelivered, reports: c.imReports, failed: c.imBounced, indeterminate: Math.max(0, c.imSent - c.imDelivered - c.imBounced), failedBy: c.imBounced > 0 ? { bounced: c.imBounced } : {} },
    latency: { notification: summarise(h.notification), im: summarise(h.im), imReport: summarise(h.imReport) },
    latencyCdf: { notification: cdf(h.notification), im: cdf(h.im) },
    domains,
    pairs: Object.entries(c.pairs)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, p]) => {
        const [from, to] = k.split('>');
        return { from, to, total: p.presence + p.messages + p.receipts + p.errors, ...p };
      }),
    sessions: { logins: c.logins, logouts: c.logouts, crashes: c.crashes, loginFailures: c.loginFailures },
    timeline: i.drive.timeline,
    server: {
      pids: per.map((v) => v.pid),
      cpuSeconds: cpu === null ? null : r3(cpu),
      stanzasIn: c.stanzasIn,
      stanzasOut: c.stanzasOut,
      cpuPerStanzaUs: cpu === null || cpu === 0 || stanzas === 0 ? null : r3((cpu * 1e6) / stanzas),
      cpuPerInboundStanzaUs: cpu === null || cpu === 0 || c.stanzasIn === 0 ? null : r3((cpu * 1e6) / c.stanzasIn),
      utilisation: cpu === null ? null : r3(cpu / (measuredMs / 1000)),
      rssBytes: sum('rssBytes'),
      rssPeakBytes: sum('rssPeakBytes'),
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
    },
    servers: per,
    driver: { cpuSeconds: r3(i.drive.driverCpuSeconds), cpuShare: r3(driverShare), busy: driverShare > DRIVER_BUSY_SHARE },
    mapping: { mapped: i.plan.mapped, notMapped: i.plan.notMapped },
    environment: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, note: 'measured on loopback without TLS; the server and the driver share this machine with whatever else runs on it' },
    loginErrors: i.drive.loginErrors,
  };
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** A few lines for the terminal. */
export function formatLiveSummary(r: LiveReport): string {
  const n = r.presence.notifications;
  const s = r.server;
  const lines = [
    `${r.scenario} live against ${r.target.server ?? 'an XMPP server'} at ${r.target.host}:${r.target.port} (measured, no TLS), seed ${r.seed}, ${r.parameters.users} users, ${formatDuration(r.parameters.duration)}${r.parameters.rateScale !== 1 ? `, rates x${r.parameters.rateScale}` : ''}`,
    `  setup: ${r.setup.provisionMs} ms provisioning, ${r.setup.serverStartMs} ms server start, ${r.setup.logins} log-ins in ${r.setup.loginMs} ms (server CPU ${r.setup.loginServerCpuSeconds ?? '?'} s)`,
    `  sessions: ${r.sessions.logins} log-ins, ${r.sessions.logouts} log-outs, ${r.sessions.crashes} crashes, ${r.sessions.loginFailures} failed log-ins`,
    `  presence: ${r.presence.publishes} changes; notifications ${n.delivered} delivered of ${n.sent} expected (${n.undelivered} undelivered), ${r.presence.probeAnswers} probe answers`,
    `  IM: ${r.im.sent} sent, ${r.im.delivered} delivered, ${r.im.reports} receipts, ${r.im.failed} bounced, ${r.im.indeterminate} without outcome`,
    `  latency: notification p50 ${ms(r.latency.notification.p50)} p99 ${ms(r.latency.notification.p99)}; IM p50 ${ms(r.latency.im.p50)} p99 ${ms(r.latency.im.p99)}; receipt round trip p50 ${ms(r.latency.imReport.p50)}`,
    `  server: ${s.cpuSeconds ?? '?'} CPU s for ${s.stanzasIn} stanzas in and ${s.stanzasOut} out = ${s.cpuPerStanzaUs === null ? (s.cpuSeconds === 0 ? 'under one 10 ms clock tick in all' : '?') : `${s.cpuPerStanzaUs} us per stanza (${s.cpuPerInboundStanzaUs} us per inbound)`}, utilisation ${s.utilisation ?? '?'}, RSS ${s.rssBytes === null ? '?' : (s.rssBytes / 1e6).toFixed(1) + ' MB'}`,
    `  driver: ${r.driver.cpuSeconds} CPU s, ${(r.driver.cpuShare * 100).toFixed(1)}% of one core${r.driver.busy ? ' (BUSY: the driver may limit the run)' : ''}`,
  ];
  if (r.servers.length > 1) for (const v of r.servers) lines.push(`    ${v.domain}: ${v.cpuSeconds ?? '?'} CPU s, RSS ${v.rssBytes === null ? '?' : (v.rssBytes / 1e6).toFixed(1) + ' MB'}`);
  const internal = r.target.kind === 'embedded-ejabberd' ? ', routed inside the one node, no s2s' : '';
  if (r.pairs.length > 0) lines.push(`  across boundaries (stanzas received from the other domain${internal}): ${r.pairs.map((p) => `${p.from} > ${p.to} ${p.total} (${p.notifications} changes, ${p.messages} IMs)`).join(', ')}`);
  if (r.mapping.notMapped.length > 0) lines.push(`  not mapped to XMPP (${r.mapping.notMapped.length}): ${r.mapping.notMapped.map((x) => x.split(' (')[0]).join('; ')}`);
  if (r.loginErrors.length > 0) lines.push(`  log-in errors: ${r.loginErrors.join('; ')}`);
  return lines.join('\n');
}
