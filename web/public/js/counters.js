/**
 * The counters above the views and the progress bar of simulated time: the run being watched,
 * from its last snapshot while it goes on and from its report once it has ended.
 */
import d3 from './d3.js';
import { buildText } from './build-eta.js';
import { headline } from './figures.js';
import { binsFromBuckets, fmtClock, fmtCount, fmtMs, fmtPct, percentiles } from './shape.js';
import { measuredCounters, runKind } from './measured.js';
import { $, everyFrame, S } from './state.js';

// `now`: over the last snapshot's interval (live runs); `run`: over the whole run
const COUNTERS = [
  { key: 'events', label: 'events' },
  { key: 'publishes', label: 'publishes' },
  { key: 'notifySent', label: 'notifications sent' },
  { key: 'notifyDelivered', label: 'notifications delivered' },
  { key: 'notifRateNow', label: 'notifications / s, now', kind: 'now' },
  { key: 'notifRate', label: 'notifications / s, whole run' },
  { key: 'p99', label: 'p99 notification' },
  { key: 'imSent', label: 'IMs sent' },
  { key: 'imDelivered', label: 'IMs delivered' },
  { key: 'imFailed', label: 'IMs failed' },
  { key: 'msgRateNow', label: 'messages between domains / s, now', kind: 'now' },
  { key: 'msgRate', label: 'messages between domains / s, whole run' },
  { key: 'maxUtilNow', label: 'busiest domain, now', kind: 'now' },
  { key: 'maxUtil', label: 'busiest domain, whole run' },
  { key: 'leaks', label: 'leaks (must be 0)' },
];

// a measured (live) run: the driver's counts while it runs, the report's figures after
const MEASURED = [
  { key: 'loggedIn', label: 'logged in before the window' },
  { key: 'logins', label: 'log-ins in the window' },
  { key: 'publishes', label: 'presence changes sent' },
  { key: 'notifyExpected', label: 'notifications expected' },
  { key: 'notifyDelivered', label: 'notifications received' },
  { key: 'p99', label: 'p99 notification' },
  { key: 'imSent', label: 'IMs sent' },
  { key: 'imDelivered', label: 'IMs delivered' },
  { key: 'imReports', label: 'receipts' },
  { key: 'cpuPerStanza', label: 'server CPU per stanza', fmt: (x) => `${fmtCount(x)} µs` },
  { key: 'rss', label: 'server RSS', fmt: (x) => `${(x / 1e6).toFixed(1)} MB` },
  { key: 'driverShare', label: "driver's CPU share (one core)", fmt: (x) => fmtPct(x) },
];

const busy = (b) => (b ? `${fmtPct(b.utilisation)} ${b.name}` : undefined);

function counterValues() {
  const snap = S.lastSnap;
  const c = snap?.counters ?? {};
  const r = S.report;
  const notif = snap ? percentiles(binsFromBuckets(snap.latency.edgesMs, snap.latency.notification)) : null;
  const h = headline({ report: r, snap });
  return {
    events: r ? r.engine.events : (snap?.events ?? S.run?.events),
    publishes: r ? r.presence.publishes : c.publishes,
    notifySent: r ? r.presence.notifications.sent : c.notifySent,
    notifyDelivered: r ? r.presence.notifications.delivered : c.notifyDelivered,
    notifRateNow: h.notifNow,
    notifRate: h.notifRun,
    p99: r ? r.latency.notification.p99 : notif?.p99,
    imSent: r ? r.im.sent : c.imSent,
    imDelivered: r ? r.im.delivered : c.imDelivered,
    imFailed: r ? r.im.failed : c.imFailed,
    msgRateNow: h.msgNow,
    msgRate: h.msgRun,
    maxUtilNow: busy(h.busiestNow),
    maxUtil: busy(h.busiest),
    leaks: r ? r.security.leaks : c.leaks,
  };
}

function render() {
  const measured = runKind(S.run) === 'measured';
  const v = measured ? measuredCounters(S.report, S.liveProgress) : counterValues();
  const list = measured ? MEASURED : COUNTERS;
  const fmtOf = new Map(list.map((d) => [d.key, d.fmt]));
  const fmt = (k, x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : typeof x === 'string' ? x : k === 'p99' ? fmtMs(x) : (fmtOf.get(k) ?? fmtCount)(x));
  // after the end there is no "now": those counters are hidden
  const live = !S.report && S.run && S.lastSnap;
  d3.select('#counter-list')
    .selectAll('div.counter')
    .data(list, (d) => d.key)
    .join((enter) => {
      const e = enter.append('div').attr('class', 'counter');
      e.append('dd');
      e.append('dt');
      return e;
    })
    .classed('now', (d) => d.kind === 'now')
    .style('display', (d) => (d.kind === 'now' && !live ? 'none' : null))
    .call((g) => {
      g.select('dt').text((d) => d.label);
      g.select('dd')
        .attr('id', (d) => `counter-${d.key}`)
        .attr('data-testid', (d) => `counter-${d.key}`)
        .classed('alarm', (d) => d.key === 'leaks' && v.leaks > 0)
        .text((d) => fmt(d.key, v[d.key]));
    });
  renderNotes();
  if (measured) return renderMeasuredClock(v);
  const run = S.run;
  const clock = S.report ? (S.report.parameters.warmup ?? 0) + S.report.parameters.duration : (S.lastSnap?.clock ?? run?.clock ?? 0);
  const until = S.lastSnap?.until ?? run?.until ?? 0;
  const pct = until > 0 ? Math.min(100, (100 * clock) / until) : 0;
  $('progress-fill').style.width = `${pct}%`;
  $('progress-bar').setAttribute('aria-valuenow', pct.toFixed(0));
  $('clock').textContent = run ? `${fmtClock(clock)} of ${fmtClock(until)} simulated` : '–';
  // before its first event a run builds its population (seconds for millions of users)
  if (run && run.status === 'running' && !(clock > 0) && !(S.lastSnap?.events > 0) && run.mode !== 'interactive') $('clock').textContent = buildText(run, Date.now());
}

/** A measured run's progress: wall-clock time of its measured window. */
function renderMeasuredClock(v) {
  const run = S.run;
  const until = run.duration;
  const at = Number.isFinite(v.elapsed) ? Math.min(v.elapsed, until) : 0;
  const pct = until > 0 ? Math.min(100, (100 * at) / until) : 0;
  $('progress-fill').style.width = `${pct}%`;
  $('progress-bar').setAttribute('aria-valuenow', pct.toFixed(0));
  const starting = run.status === 'running' && !S.liveProgress;
  $('clock').textContent = starting ? 'starting the server, provisioning and logging in the users…' : `${fmtClock(at)} of ${fmtClock(until)} measured (wall-clock time)`;
}

/** IM failures by reason (after the end) and the live overload warning. */
function renderNotes() {
  const r = S.report;
  const by = r?.im?.failedBy ? Object.entries(r.im.failedBy).filter(([, n]) => n > 0) : [];
  const fails = $('im-failures');
  fails.hidden = !(r && r.im.failed > 0);
  if (r && r.im.failed > 0) {
    fails.textContent = `IMs failed: ${fmtPct(r.im.failed / Math.max(1, r.im.sent))} of those sent, by reason: ` + by.sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${fmtCount(n)}`).join(' · ') + ' (docs/report.md: im.failedBy)';
  }
  // thresholds: the report's verdicts after the end, the live ones before
  const verdicts = S.run?.figures?.thresholds ?? (S.report ? [] : S.liveThresholds);
  d3.select('#threshold-list')
    .selectAll('li')
    .data(verdicts, (v) => v.threshold)
    .join((e) => {
      const li = e.append('li');
      li.append('span').attr('class', 'verdict');
      li.append('code');
      li.append('span').attr('class', 'value');
      return li;
    })
    .attr('data-testid', 'threshold')
    .attr('class', (v) => (v.passed === true ? 'pass' : v.passed === false ? 'fail' : 'later'))
    .call((li) => {
      li.select('.verdict').text((v) => (v.passed === true ? 'PASS' : v.passed === false ? 'FAIL' : 'at the end'));
      li.select('code').text((v) => v.threshold);
      li.select('.value').text((v) => ` ${v.value} (${v.source === 'final' ? 'on the report' : 'live, the run so far'})`);
    });
  const over = $('overload');
  const live = S.run && !S.report && S.overload.length > 0;
  over.hidden = !live;
  if (live) over.textContent = `Overload: ${S.overload.join('; ')}. The servers fall further behind every bucket: add servers or cores, or lower the load.`;
}

everyFrame(render);
