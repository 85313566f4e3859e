/**
 * The throughput view: notifications, IMs and messages between domains per simulated second,
 * utilisation and queue length per domain, against simulated time. Every point is one bucket of
 * the server's series (regular buckets of simulated time, web/server/buckets.ts), whatever the
 * speed of the run.
 */
import d3 from '../d3.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/common.js';
import { fmtStep } from '../shape.js';
import { $, registerView, S } from '../state.js';
import { fan } from './fanout.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const tpRates = lineChart().title('Throughput').xLabel('simulated time (s)').yLabel('per simulated second').width(980).testid('throughput-rates');
const tpUtil = lineChart().title('Utilisation').xLabel('simulated time (s)').yLabel('busy cores / cores').yDomain([0, 1]).yTickFormat(d3.format('.0%')).testid('throughput-utilisation');
const tpQueue = lineChart().title('Queue length').xLabel('simulated time (s)').yLabel('jobs waiting').testid('throughput-queue');

function render() {
  const series = S.series ?? { domains: [], points: [], bucketMs: 0 };
  const pts = series.points;
  const at = (f) => pts.map((p) => [p.t / 1000, f(p)]);
  const warmup = S.report?.parameters?.warmup ?? 0;
  const marks = warmup > 0 ? [{ x: warmup / 1000, label: 'end of warm-up', color: '#666' }] : [];
  tpRates.markers(marks);
  tpUtil.markers(marks);
  tpQueue.markers(marks);
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
  $('tp-buckets').textContent = series.bucketMs
    ? `One point per ${fmtStep(series.bucketMs)} of simulated time (${pts.length} bucket${pts.length === 1 ? '' : 's'} so far): rates and utilisation over the bucket, queue length at its end.`
    : S.run
      ? 'Waiting for the first bucket of simulated time.'
      : 'Start a run to see throughput over simulated time.';
}

/** The server's time-series CSV as the stream's series ({ bucketMs, domains, points }). */
export function parseSeriesCsv(text) {
  const rows = d3.csvParse(text);
  const cols = rows.columns ?? [];
  const domains = cols.filter((c) => c.startsWith('utilisation_')).map((c) => c.slice('utilisation_'.length));
  const num = (r, c) => (r[c] === undefined || r[c] === '' ? NaN : Number(r[c]));
  const points = rows.map((r) => ({
    t: num(r, 'time_s') * 1000,
    notificationsPerSec: num(r, 'notifications_per_s'),
    imsPerSec: num(r, 'ims_per_s'),
    messagesPerSec: num(r, 'messages_per_s'),
    utilisation: domains.map((d) => num(r, `utilisation_${d}`)),
    queue: domains.map((d) => num(r, `queue_${d}`)),
  }));
  const bucketMs = points.length > 1 ? points[1].t - points[0].t : (points[0]?.t ?? 0);
  return { bucketMs, domains, points };
}

registerView('throughput', { render });
