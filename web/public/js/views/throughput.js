/**
 * The throughput view: notifications, IMs and messages between domains per simulated second,
 * utilisation and queue length per domain, against simulated time. Every point is one bucket of
 * the server's series (regular buckets of simulated time, web/server/buckets.ts), whatever the
 * speed of the run.
 */
import d3 from '../d3.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/common.js';
import { fmtClock, fmtPct, fmtStep } from '../shape.js';
import { peakBucket } from '../series.js';
import { $, registerView, S } from '../state.js';
import { runKind, timelineRates } from '../measured.js';
import { fan } from './fanout.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const tpRates = lineChart().title('Throughput').xLabel('simulated time (s)').yLabel('per simulated second').width(980).testid('throughput-rates');
const tpUtil = lineChart().title('Utilisation').xLabel('simulated time (s)').yLabel('busy cores / cores').yDomain([0, 1]).yTickFormat(d3.format('.0%')).testid('throughput-utilisation');
const tpOnline = lineChart().title('Users online').xLabel('simulated time (s)').yLabel('users online').width(980).height(220).testid('throughput-online');
const tpQueue = lineChart().title('Queue length').xLabel('simulated time (s)').yLabel('jobs waiting').testid('throughput-queue');

const SIM_X = 'simulated time (s)';
const RATES_CAPTION = { simulated: 'Notifications, IMs and messages per simulated second', measured: 'Measured: notifications, presence changes and IMs per wall-clock second' };

/** The rates chart's caption says which clock its x axis is. */
function caption(kind) {
  const span = $('tp-rates').closest('figure')?.querySelector('figcaption span');
  if (span && span.textContent !== RATES_CAPTION[kind]) span.textContent = RATES_CAPTION[kind];
}
const charts = [tpRates, tpUtil, tpOnline, tpQueue];

/** A measured run: its report's timeline, counts per wall-clock second; no per-bucket utilisation or queue. */
function renderMeasured() {
  caption('measured');
  const rates = timelineRates(S.report?.timeline);
  for (const ch of charts) ch.xLabel('wall-clock time of the measured window (s)').markers([]);
  tpRates.yLabel('per second (measured)').emptyText(S.report ? 'no timeline in the report' : 'the timeline comes with the measured report');
  d3.select('#tp-rates')
    .datum([
      { key: 'n', label: 'notifications received / s', color: BLUE, values: rates.notifications ?? [] },
      { key: 'p', label: 'presence changes sent / s', color: PALETTE[2], values: rates.publishes ?? [], dash: '5 3' },
      { key: 'i', label: 'IMs sent / s', color: ORANGE, values: rates.imSent ?? [] },
      { key: 'd', label: 'IMs delivered / s', color: PALETTE[3], values: rates.imDelivered ?? [], dash: '2 2' },
    ])
    .call(tpRates);
  const none = "not measured per second in a live run (the server's CPU and memory are over the whole window: the panel above)";
  for (const [sel, ch] of [
    ['#tp-online', tpOnline],
    ['#tp-util', tpUtil],
    ['#tp-queue', tpQueue],
  ])
    d3.select(sel).datum([]).call(ch.emptyText(none));
  $('tp-peak').textContent = '';
  $('tp-saturation').hidden = true;
  const b = S.report?.timeline?.bucketMs;
  $('tp-buckets').textContent = b ? `Measured: one point per ${fmtStep(b)} of wall-clock time, the counts of the driver's clients in it.` : 'A live run: its timeline comes with its measured report, at the end.';
}

function render() {
  if (runKind(S.run) === 'measured') return renderMeasured();
  caption('simulated');
  for (const ch of charts) ch.xLabel(SIM_X).emptyText('no data yet');
  tpRates.yLabel('per simulated second');
  const series = S.series ?? { domains: [], points: [], bucketMs: 0 };
  const pts = series.points;
  const at = (f) => pts.map((p) => [p.t / 1000, f(p)]);
  const warmup = S.report?.parameters?.warmup ?? 0;
  const marks = warmup > 0 ? [{ x: warmup / 1000, label: 'end of warm-up', color: '#666' }] : [];
  tpRates.markers(marks);
  tpUtil.markers(marks);
  tpQueue.markers(marks);
  tpOnline.markers(marks);
  d3.select('#tp-online')
    .datum([{ key: 'online', label: 'users online', color: PALETTE[3], values: at((p) => p.online) }])
    .call(tpOnline);
  d3.select('#tp-rates')
    .datum([
      { key: 'n', label: 'notifications / s', color: BLUE, values: at((p) => p.notificationsPerSec) },
      { key: 'i', label: 'IMs / s', color: ORANGE, values: at((p) => p.imsPerSec) },
      { key: 'm', label: 'messages between domains / s', color: PALETTE[2], values: at((p) => p.messagesPerSec), dash: '5 3' },
    ])
    .call(tpRates);
  const names = series.domains.length ? series.domains : fan.domains().map((d) => d.name);
  const colour = (i) => PALETTE[(i + 2) % PALETTE.length];
  d3.select('#tp-util')
    .datum(names.map((name, j) => ({ key: name, label: name, color: colour(j), values: at((p) => p.utilisation[j]) })))
    .call(tpUtil);
  d3.select('#tp-queue')
    .datum(names.map((name, j) => ({ key: name, label: name, color: colour(j), values: at((p) => p.queue?.[j]) })))
    .call(tpQueue);
  const peak = peakBucket(series);
  $('tp-peak').textContent = peak
    ? `Peak bucket: ${peak.domain} at ${fmtPct(peak.utilisation)} from ${fmtClock(peak.from)} to ${fmtClock(peak.to)} simulated` +
      (S.report ? ` (whole run: ${fmtPct(S.report.domains[peak.domain]?.utilisation)}).` : '.')
    : '';
  const sat = S.run?.figures?.saturation ?? [];
  $('tp-saturation').hidden = sat.length === 0;
  $('tp-saturation').textContent = sat.length ? `Saturated: ${sat.join('; ')}.` : '';
  $('tp-buckets').textContent = series.bucketMs
    ? `One point per ${fmtStep(series.bucketMs)} of simulated time (${pts.length} bucket${pts.length === 1 ? '' : 's'} so far): rates and utilisation over the bucket, queue length at its end.`
    : S.run
      ? 'Waiting for the first bucket of simulated time.'
      : 'Start a run to see throughput over simulated time.';
}

registerView('throughput', { render });
