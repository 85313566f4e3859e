/**
 * The readable summary printed after a run (the JSON report holds everything; this is for people).
 */
import type { Report } from './run.js';

const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const bytes = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`);

export function formatSummary(r: Report): string {
  const simS = r.parameters.duration / 1000;
  const L: string[] = [];
  const p = r.presence;
  const warm = r.parameters.warmup ?? 0;
  L.push(
    `scenario ${r.scenario}  seed ${r.seed}  ${fmt(r.parameters.domains)} domain(s)  ${fmt(r.parameters.users)} users  ${fmt(r.parameters.subscriptionEdges)} buddy edges  ${fmt(simS)} s simulated${warm > 0 ? ` after a ${fmt(warm / 1000)} s warm-up (figures cover the ${fmt(simS)} s only)` : ''}`,
  );
  L.push(
    `engine   ${fmt(r.engine.events)} events in ${fmt(Math.round(r.engine.wallMs))} ms wall (${fmt(Math.round(r.engine.eventsPerSec))} events/s, ${r.engine.workers} worker(s), ${fmt(r.engine.windows)} windows)`,
  );
  if (r.engine.autoWorkers !== undefined) L.push(`workers  ${r.engine.workers} (auto): ${r.engine.autoWorkers}`);
  if (r.stopped) L.push(`stopped  at ${fmt(r.stopped.at / 1000)} s of ${fmt(r.stopped.planned / 1000)} s planned: ${r.stopped.reason}`);
  L.push('');
  L.push(`presence publishes ${fmt(p.publishes)}  fetches ${fmt(p.fetches)}  polls ${fmt(p.polls)}  watcher-info ${fmt(p.watcherInfo)}`);
  const s = p.subscriptions;
  L.push(
    `         subscriptions created ${fmt(s.created)}  refreshed ${fmt(s.refreshed)}  expired ${fmt(s.expired)}  terminated ${fmt(s.terminated)}  rejected ${fmt(s.rejected)}  polite-blocked ${fmt(s.politeBlocked)}  pending ${fmt(s.pending)}`,
  );
  L.push(
    `         notifications sent ${fmt(p.notifications.sent)}  delivered ${fmt(p.notifications.delivered)}  (${fmt(p.notifications.delivered / simS)}/s simulated)`,
  );
  L.push(
    `im       sent ${fmt(r.im.sent)}  delivered ${fmt(r.im.delivered)}  failed ${fmt(r.im.failed)}  duplicates suppressed ${fmt(r.im.duplicates)}  in flight ${fmt(r.im.inFlight)}`,
  );
  L.push('');
  L.push('latency (simulated)       count       mean        p50        p90        p99        max');
  for (const [name, l] of Object.entries(r.latency)) {
    L.push(
      `  ${name.padEnd(20)}${fmt(l.count).padStart(9)}${ms(l.mean).padStart(11)}${ms(l.p50).padStart(11)}${ms(l.p90).padStart(11)}${ms(l.p99).padStart(11)}${ms(l.max).padStart(11)}`,
    );
  }
  L.push('');
  L.push('domain                  users   util     maxQ  overload  busiest operation (count, mean sojourn)');
  for (const [name, d] of Object.entries(r.domains)) {
    const busiest = Object.entries(d.operations).sort((a, b) => b[1].count - a[1].count)[0];
    L.push(
      `  ${name.padEnd(20)}${fmt(d.users).padStart(7)}${(d.utilisation * 100).toFixed(1).padStart(7)}%${fmt(d.maxQueue).padStart(9)}${fmt(d.rejectedOverload).padStart(10)}  ${busiest[0]} (${fmt(busiest[1].count)}, ${ms(busiest[1].meanSojourn)})`,
    );
  }
  const cross = r.pairs.filter((x) => x.total > 0);
  if (cross.length > 0) {
    L.push('');
    L.push('between domains         messages      bytes  (notify / message)');
    for (const x of cross) {
      L.push(`  ${`${x.from} -> ${x.to}`.padEnd(22)}${fmt(x.total).padStart(9)}${bytes(x.bytes).padStart(11)}  (${fmt(x.messages.notify)} / ${fmt(x.messages.message)})`);
    }
  }
  if (r.bindings) {
    // the protocol bindings' wire messages (docs/bindings.md)
    L.push('');
    L.push('binding      messages   msg/s      bytes  bytes/s  create / change / refresh / terminate');
    for (const [name, b] of Object.entries(r.bindings).filter(([k]) => ['cpim', 'sip', 'xmpp'].includes(k)) as [string, NonNullable<typeof r.bindings.sip>][]) {
      const lc = b.lifecycle;
      L.push(`  ${name.padEnd(8)}${fmt(b.messages).padStart(11)}${fmt(b.perSecond.messages).padStart(8)}${bytes(b.bytes).padStart(11)}${bytes(b.perSecond.bytes).padStart(9)}  ${fmt(lc.create)} / ${fmt(lc.change)} / ${fmt(lc.refresh)} / ${fmt(lc.terminate)}`);
    }
  }
  L.push('');
  const sec = r.security;
  L.push(`security rejected-auth ${fmt(sec.rejectedAuth)}  denied ${fmt(sec.denied)}  polite-blocked ${fmt(sec.politeBlocked)}  leaks ${fmt(sec.leaks)}`);
  return L.join('\n');
}
