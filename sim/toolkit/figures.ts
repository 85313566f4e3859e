/**
 * The key figures of a run: what a sweep records per replication, what curves are drawn from and
 * what `size` compares. Every figure is a plain number computed from the report (docs/report.md).
 */
import type { Report } from '../run.js';

export const KEY_FIGURES = [
  'notificationsPerSec',
  'imPerSec',
  'publishesPerSec',
  'latency.notification.mean',
  'latency.notification.p50',
  'latency.notification.p99',
  'latency.im.mean',
  'latency.im.p99',
  'maxUtilisation',
  'maxQueue',
  'crossDomainMessagesPerSec',
  'crossDomainBytesPerSec',
  'imFailedFraction',
  'notificationsDropped',
  'leaks',
  'users',
  'servers',
  'cores',
  'eventsPerSec',
] as const;

export type FigureName = (typeof KEY_FIGURES)[number];

/** What each figure means (for reports and `help`). */
export const FIGURE_DOCS: Record<FigureName, string> = {
  notificationsPerSec: 'notifications sent by the presence services per simulated second',
  imPerSec: 'instant messages sent per simulated second',
  publishesPerSec: 'presence publishes processed per simulated second',
  'latency.notification.mean': 'mean publish -> notification latency (ms)',
  'latency.notification.p50': 'median publish -> notification latency (ms)',
  'latency.notification.p99': '99th percentile publish -> notification latency (ms)',
  'latency.im.mean': 'mean IM send -> delivery latency (ms)',
  'latency.im.p99': '99th percentile IM send -> delivery latency (ms)',
  maxUtilisation: 'utilisation of the busiest domain (0..1)',
  maxQueue: 'longest server queue seen in any domain (jobs)',
  crossDomainMessagesPerSec: 'messages between domains per simulated second (all ordered pairs)',
  crossDomainBytesPerSec: 'bytes between domains per simulated second (all ordered pairs)',
  imFailedFraction: 'failed IMs / IMs sent',
  notificationsDropped: 'notifications dropped (cancelled or rejected by an overloaded server)',
  leaks: 'disclosures the access rules do not allow (must be 0)',
  users: 'users in all domains',
  servers: 'servers in all domains',
  cores: 'cores in all domains',
  eventsPerSec: 'simulator events per wall-clock second (not deterministic)',
};

/** The key figures of one report. */
export function keyFigures(r: Report): Record<FigureName, number> {
  const secs = r.parameters.duration / 1000;
  const doms = Object.values(r.domains);
  let crossMsgs = 0;
  let crossBytes = 0;
  for (const p of r.pairs) {
    crossMsgs += p.total;
    crossBytes += p.bytes;
  }
  return {
    notificationsPerSec: r.presence.notifications.sent / secs,
    imPerSec: r.im.sent / secs,
    publishesPerSec: r.presence.publishes / secs,
    'latency.notification.mean': r.latency.notification.mean,
    'latency.notification.p50': r.latency.notification.p50,
    'latency.notification.p99': r.latency.notification.p99,
    'latency.im.mean': r.latency.im.mean,
    'latency.im.p99': r.latency.im.p99,
    maxUtilisation: doms.reduce((a, d) => Math.max(a, d.utilisation), 0),
    maxQueue: doms.reduce((a, d) => Math.max(a, d.maxQueue), 0),
    crossDomainMessagesPerSec: crossMsgs / secs,
    crossDomainBytesPerSec: crossBytes / secs,
    imFailedFraction: r.im.sent > 0 ? r.im.failed / r.im.sent : 0,
    notificationsDropped: r.presence.notifications.dropped,
    leaks: r.security.leaks,
    users: r.parameters.users,
    servers: doms.reduce((a, d) => a + d.servers, 0),
    cores: doms.reduce((a, d) => a + d.servers * d.cores, 0),
    eventsPerSec: r.engine.eventsPerSec,
  };
}
