/**
 * Measured (live) runs on the page, pure and tested without a browser: which kind a stored run is
 * (from its summary's mode, never guessed from its figures), histogram bins from a live report's
 * latency CDF, the counters of a live run (its progress frames while it runs, its report after),
 * and its per-second timeline as chart series.
 */

/**
 * 'measured' for a live run (mode `live`, listed with `measured: true`), 'simulated' for a batch
 * or interactive one, null for a summary that says neither (nothing is guessed).
 * @param {{ mode?: string, measured?: boolean } | null | undefined} run
 * @returns {'measured' | 'simulated' | null}
 */
export function runKind(run) {
  if (!run) return null;
  if (run.measured === true || run.mode === 'live') return 'measured';
  if (run.mode === 'batch' || run.mode === 'interactive') return 'simulated';
  return null;
}

/** Whether a report is a live run's (the report says `measured: true`). */
export const isMeasuredReport = (r) => r?.measured === true;

/**
 * Histogram bins from a report's latency CDF ([ms, fraction] at fixed percentiles, HdrHistogram)
 * and the sample count: one bin per band between two consecutive distinct percentile values, with
 * the samples at or below the upper percentile less those at or below the lower one
 * (ceil(fraction x count)), so the bins add up to the count. One sample (or all alike) is one bin
 * of zero width at its value.
 * @param {Array<[number, number]>} cdf
 * @param {number} count
 * @returns {Array<{ x0: number, x1: number, count: number }>}
 */
export function binsFromCdf(cdf, count) {
  if (!Array.isArray(cdf) || cdf.length === 0 || !(count > 0)) return [];
  // each distinct value with the highest fraction at or below it
  const pts = [];
  for (const [x, f] of cdf) {
    const last = pts[pts.length - 1];
    if (last && x <= last[0]) last[1] = Math.max(last[1], f);
    else pts.push([x, f]);
  }
  if (pts.length === 1) return [{ x0: pts[0][0], x1: pts[0][0], count }];
  const below = (f) => Math.min(count, Math.ceil(f * count - 1e-9));
  const bins = [];
  // the samples at the lowest value go into the first band
  let n0 = 0;
  for (let i = 1; i < pts.length; i++) {
    const n = i === pts.length - 1 ? count : below(pts[i][1]);
    if (n > n0) bins.push({ x0: pts[i - 1][0], x1: pts[i][0], count: n - n0 });
    n0 = Math.max(n0, n);
  }
  return bins;
}

/**
 * The counters of a measured run: from its report once ended, else from its last progress frame.
 * @param {any} report a live report, or null
 * @param {any} progress the last `progress` frame, or null
 */
export function measuredCounters(report, progress) {
  if (report) {
    return {
      elapsed: report.parameters.duration,
      loggedIn: report.setup.logins,
      logins: report.sessions.logins,
      publishes: report.presence.publishes,
      notifyExpected: report.presence.notifications.sent,
      notifyDelivered: report.presence.notifications.delivered,
      p99: report.latency.notification.count > 0 ? report.latency.notification.p99 : NaN,
      imSent: report.im.sent,
      imDelivered: report.im.delivered,
      imReports: report.im.reports,
      cpuPerStanza: report.server.cpuPerStanzaUs,
      rss: report.server.rssBytes,
      driverShare: report.driver.cpuShare,
    };
  }
  const p = progress ?? {};
  return {
    elapsed: p.elapsedMs,
    loggedIn: undefined,
    logins: p.logins,
    publishes: p.publishes,
    notifyExpected: p.notificationsExpected,
    notifyDelivered: p.notificationsDelivered,
    p99: NaN,
    imSent: p.imSent,
    imDelivered: p.imDelivered,
    imReports: p.imReports,
    cpuPerStanza: undefined,
    rss: undefined,
    driverShare: undefined,
  };
}

/**
 * A live report's timeline (counts per wall-clock bucket) as [seconds at the bucket's end, count
 * per second] series: publishes, notifications received, IMs sent and delivered.
 * @param {{ bucketMs: number, series: Record<string, number[]> } | undefined} timeline
 */
export function timelineRates(timeline) {
  const out = {};
  if (!timeline || !(timeline.bucketMs > 0)) return out;
  const sec = timeline.bucketMs / 1000;
  for (const [name, counts] of Object.entries(timeline.series ?? {})) out[name] = counts.map((n, i) => [((i + 1) * timeline.bucketMs) / 1000, n / sec]);
  return out;
}
