/**
 * The latency view: notification and IM histograms, their CDFs with p50 / p95 / p99, and the
 * percentile table; live from the snapshot's buckets, from the report once the run has ended.
 */
import d3 from '../d3.js';
import { histogramChart } from '../charts/histogram-chart.js';
import { msTick, PALETTE } from '../charts/common.js';
import { latencyCdfChart } from '../charts/latency-cdf.js';
import { binsFromBuckets, cdfFromBins, cdfPoints, fmtClock, fmtCount, fmtMs, percentiles } from '../shape.js';
import { $, registerView, S } from '../state.js';
import { lineChart } from '../charts/line-chart.js';
import { burstDominatesP99, percentilesOverTime } from '../series.js';
import { binsFromCdf, isMeasuredReport, runKind } from '../measured.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const histN = histogramChart().title('Notification latency').color(BLUE).testid('latency-hist-notification');
const histI = histogramChart().title('Instant message latency').color(ORANGE).testid('latency-hist-im');
const cdf = latencyCdfChart().title('Latency CDF').height(300).width(980).testid('latency-cdf');
const overTime = lineChart().title('Percentiles over time').xLabel('simulated time (s)').yLabel('latency (log scale)').yType('log').yTickFormat(decadeTick).height(280).width(980).testid('latency-over-time');

/** Labels on the powers of ten only (a log axis has a tick at every 1..9 of each decade). */
function decadeTick(v) {
  const e = Math.log10(v);
  return Math.abs(e - Math.round(e)) < 1e-9 ? msTick(v) : '';
}

const edgesOf = () => S.series?.latencyEdgesMs ?? S.lastSnap?.latency?.edgesMs ?? [];

/** p50 / p95 / p99 per bucket, and the note when the log-in burst dominates p99. */
function renderOverTime() {
  const q = percentilesOverTime(S.series, edgesOf());
  const at = (k) => q.map((p) => [p.t / 1000, p[k]]);
  const warmup = S.report?.parameters?.warmup ?? 0;
  overTime.markers(warmup > 0 ? [{ x: warmup / 1000, label: 'end of warm-up', color: '#666' }] : []);
  overTime.emptyText(S.run ? 'no latencies in the buckets yet' : 'start a run');
  d3.select('#lat-time')
    .datum([
      { key: 'p50', label: 'p50', color: PALETTE[2], values: at('p50') },
      { key: 'p95', label: 'p95', color: BLUE, values: at('p95'), dash: '6 3' },
      { key: 'p99', label: 'p99', color: ORANGE, values: at('p99') },
    ])
    .call(overTime);
  const burst = S.report ? burstDominatesP99(S.series, edgesOf(), warmup) : null;
  const note = $('latency-burst');
  note.hidden = !burst?.dominated;
  if (burst?.dominated) {
    note.textContent =
      `The start of the run (the log-in burst) dominates p99: ${fmtMs(burst.p99)} over the measured period, ${fmtMs(burst.p99After)} without its first tenth ` +
      `(before ${fmtClock(burst.skipMs)}). To measure the steady state, add the override warmup=${Math.ceil(burst.skipMs / 60_000)}min (these bucket percentiles are from the live view's coarse buckets).`;
  }
}

function latencyData() {
  const snap = S.lastSnap;
  const binsN = snap ? binsFromBuckets(snap.latency.edgesMs, snap.latency.notification) : [];
  const binsI = snap ? binsFromBuckets(snap.latency.edgesMs, snap.latency.im) : [];
  if (S.report) {
    const L = S.report.latency;
    const pick = (x) => ({ count: x.count, p50: x.p50, p95: x.p95, p99: x.p99, max: x.max });
    if (isMeasuredReport(S.report)) {
      // a live report has no latency buckets: its histograms are the bands between its percentiles
      const C = S.report.latencyCdf;
      return {
        source: "measured report (HdrHistogram, at the receiving clients); each bar holds the samples between two of the report's percentiles",
        binsN: binsFromCdf(C.notification, L.notification.count),
        binsI: binsFromCdf(C.im, L.im.count),
        n: pick(L.notification),
        i: pick(L.im),
        cdfN: C.notification,
        cdfI: C.im,
      };
    }
    return { source: 'final report', binsN, binsI, n: pick(L.notification), i: pick(L.im), cdfN: S.report.latencyCdf.notification, cdfI: S.report.latencyCdf.im };
  }
  const maxOf = (bins) => {
    for (let k = bins.length - 1; k >= 0; k--) if (bins[k].count > 0) return Number.isFinite(bins[k].x1) ? bins[k].x1 : bins[k].x0;
    return NaN;
  };
  if (runKind(S.run) === 'measured') {
    const none = { count: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
    return { source: "a live run's latencies come with its measured report, at the end of the run", binsN: [], binsI: [], n: none, i: none, cdfN: [], cdfI: [] };
  }
  return {
    source: snap ? `live buckets at ${fmtClock(snap.clock)} simulated` : '',
    binsN,
    binsI,
    n: { ...percentiles(binsN), max: maxOf(binsN) },
    i: { ...percentiles(binsI), max: maxOf(binsI) },
    cdfN: cdfFromBins(binsN),
    cdfI: cdfFromBins(binsI),
  };
}

const marksOf = (p, color) => [
  { x: p.p50, label: 'p50', color },
  { x: p.p95, label: 'p95', color },
  { x: p.p99, label: 'p99', color },
];

function render() {
  const L = latencyData();
  $('latency-source').textContent = L.source ? `Source: ${L.source}. Histograms count samples per latency bucket (log scale).` : 'Start a run to see latencies.';
  d3.select('#lat-hist-notif').datum({ bins: L.binsN, marks: marksOf(L.n, '#003d63') }).call(histN);
  d3.select('#lat-hist-im').datum({ bins: L.binsI, marks: marksOf(L.i, '#7a3300') }).call(histI);
  const series = [];
  if (L.cdfN.length) series.push({ key: 'n', label: 'notification', color: BLUE, values: cdfPoints(L.cdfN) });
  if (L.cdfI.length) series.push({ key: 'i', label: 'instant message', color: ORANGE, values: cdfPoints(L.cdfI), dash: '6 3' });
  cdf.markers([
    ...marksOf(L.n, BLUE).map((m) => ({ ...m, label: `notif ${m.label} ${fmtMs(m.x)}` })),
    ...marksOf(L.i, ORANGE).map((m) => ({ ...m, label: `IM ${m.label} ${fmtMs(m.x)}` })),
  ]);
  cdf.rules([
    { y: 0.5, label: '50 %', color: '#999' },
    { y: 0.95, label: '95 %', color: '#999' },
    { y: 0.99, label: '99 %', color: '#999' },
  ]);
  d3.select('#lat-cdf').datum(series).call(cdf);
  renderOverTime();
  const rows = [
    { k: 'notification (publish → watcher)', ...L.n },
    { k: 'instant message (send → inbox)', ...L.i },
  ];
  d3.select('#latency-table tbody')
    .selectAll('tr')
    .data(rows)
    .join((e) => {
      const tr = e.append('tr');
      for (let i = 0; i < 6; i++) tr.append(i === 0 ? 'th' : 'td');
      tr.select('th').attr('scope', 'row');
      return tr;
    })
    .selectAll('th, td')
    .data((r) => [r.k, fmtCount(r.count), fmtMs(r.p50), fmtMs(r.p95), fmtMs(r.p99), fmtMs(r.max)])
    .text((d) => d);
}

registerView('latency', { render });

