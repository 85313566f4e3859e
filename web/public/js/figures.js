/**
 * The headline figures of a run (pure, tested without a browser): from the report once the run
 * has ended, from the latest live snapshot while it goes on. Rates come in two kinds, labelled
 * on the page: `now` over the last snapshot's interval (live runs only) and `run` over the whole
 * run (the report's measured period; live, since the start).
 */

/** The domain with the highest utilisation of `[name, utilisation]` pairs, or null. */
export function busiestOf(pairs) {
  let best = null;
  for (const [name, u] of pairs) if (Number.isFinite(u) && (best === null || u > best.utilisation)) best = { name, utilisation: u };
  return best;
}

/**
 * @param {{ report?: any, snap?: any }} o
 * @returns {{ notifRun: number, notifNow: number, msgRun: number, msgNow: number, imRun: number, busiest: null | { name: string, utilisation: number }, busiestNow: null | { name: string, utilisation: number } }}
 */
export function headline({ report, snap }) {
  if (report) {
    const sec = report.parameters.duration / 1000;
    let cross = 0;
    for (const p of report.pairs ?? []) cross += p.total;
    return {
      notifRun: sec > 0 ? report.presence.notifications.delivered / sec : NaN,
      notifNow: NaN,
      imRun: sec > 0 ? report.im.delivered / sec : NaN,
      msgRun: sec > 0 ? cross / sec : NaN,
      msgNow: NaN,
      busiest: busiestOf(Object.entries(report.domains).map(([name, d]) => [name, d.utilisation])),
      busiestNow: null,
    };
  }
  if (!snap) return { notifRun: NaN, notifNow: NaN, imRun: NaN, msgRun: NaN, msgNow: NaN, busiest: null, busiestNow: null };
  const sec = snap.clock / 1000;
  let cross = 0;
  for (const p of snap.pairs ?? []) cross += p.messages;
  const c = snap.counters ?? {};
  return {
    notifRun: sec > 0 ? (c.notifyDelivered ?? 0) / sec : NaN,
    notifNow: snap.rates?.notificationsPerSec ?? NaN,
    imRun: sec > 0 ? (c.imDelivered ?? 0) / sec : NaN,
    msgRun: sec > 0 ? cross / sec : NaN,
    msgNow: snap.rates?.messagesPerSec ?? NaN,
    busiest: busiestOf((snap.domains ?? []).map((d) => [d.name, d.utilisation])),
    busiestNow: busiestOf((snap.rates?.domains ?? []).map((d) => [d.name, d.utilisation])),
  };
}
