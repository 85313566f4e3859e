/**
 * `live --compare`: the live run's scenario simulated as it was driven (the same users, seed and
 * rates times --rate-scale; a warm-up for the simulated log-ins, which the live run does before
 * its window; then the measured duration), printed beside the measurement: presence changes,
 * notifications, IMs, latency, and per boundary the notifications and IMs that crossed it.
 *
 * The simulated side counts the abstract model's messages and uses the scenario's service times
 * and links (estimates unless it names a calibration); the live side counts XMPP stanzas on
 * loopback. Where they differ, the difference is the model's error or a feature not mapped.
 */
import { runScenario, type Report } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import type { LiveReport } from './live-report.js';

/** simulated log-ins are spread over the first 10 s; the window starts after them */
const WARMUP_MS = 15_000;

export async function simulateAsDriven(sc: Scenario, live: LiveReport): Promise<Report> {
  const F = live.parameters.rateScale;
  const driven: Scenario = {
    ...sc,
    seed: live.seed,
    warmup: WARMUP_MS,
    duration: WARMUP_MS + live.parameters.duration,
    behaviour: { ...sc.behaviour, presenceChangeRate: sc.behaviour.presenceChangeRate * F, imRate: sc.behaviour.imRate * F },
  };
  return runScenario(driven, { workers: 1, seed: live.seed });
}

const cell = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function formatComparison(live: LiveReport, sim: Report, calibration?: string): string {
  const rows: [string, number, number][] = [
    ['presence changes', live.presence.publishes, sim.presence.publishes],
    ['notifications delivered', live.presence.notifications.delivered, sim.presence.notifications.delivered],
    ['IMs sent', live.im.sent, sim.im.sent],
    ['IMs delivered', live.im.delivered, sim.im.delivered],
    ['notification p50 (ms)', live.latency.notification.p50, sim.latency.notification.p50],
    ['notification p99 (ms)', live.latency.notification.p99, sim.latency.notification.p99],
    ['IM p50 (ms)', live.latency.im.p50, sim.latency.im.p50],
    ['IM p99 (ms)', live.latency.im.p99, sim.latency.im.p99],
  ];
  for (const p of live.pairs) {
    const s = sim.pairs.find((q) => q.from === p.from && q.to === p.to);
    rows.push([`${p.from} > ${p.to} notifications`, p.notifications, (s?.messages.notify ?? 0) + (s?.messages.listNotify ?? 0)]);
    rows.push([`${p.from} > ${p.to} IMs`, p.messages, s?.messages.message ?? 0]);
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = [`simulated as driven (seed ${live.seed}, ${live.parameters.users} users, rates x${live.parameters.rateScale}, ${live.parameters.duration} ms after a ${WARMUP_MS / 1000} s warm-up; ${calibration ? `calibration ${calibration}` : 'service times: the scenario\'s (estimates)'}):`];
  lines.push(`${'figure'.padEnd(w)}  measured  simulated`);
  for (const [k, m, s] of rows) lines.push(`${k.padEnd(w)}  ${cell(m).padStart(8)}  ${cell(s).padStart(9)}`);
  return lines.join('\n');
}
