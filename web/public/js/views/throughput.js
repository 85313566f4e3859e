/**
 * The throughput view: notifications, IMs and messages between domains per simulated second,
 * utilisation and queue length per domain, against simulated time.
 */
import d3 from '../d3.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/common.js';
import { registerView, S } from '../state.js';
import { fan } from './fanout.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const tpRates = lineChart().title('Throughput').xLabel('simulated time (s)').yLabel('per simulated second').width(980).testid('throughput-rates');
const tpUtil = lineChart().title('Utilisation').xLabel('simulated time (s)').yLabel('busy cores / cores').yDomain([0, 1]).yTickFormat(d3.format('.0%')).testid('throughput-utilisation');
const tpQueue = lineChart().title('Queue length').xLabel('simulated time (s)').yLabel('jobs waiting').testid('throughput-queue');

function render() {
  const snaps = S.snaps.filter((s) => s.rates && s.rates.intervalSec > 0);
  let t = snaps.map((s) => s.clock / 1000);
  let nps = snaps.map((s) => s.rates.notificationsPerSec);
  let ips = snaps.map((s) => s.rates.imsPerSec);
  let mps = snaps.map((s) => s.rates.messagesPerSec);
  let domains = fan.domains().map((d) => d.name);
  /** @type {Map<string, Array<[number, number]>>} */
  const util = new Map();
  /** @type {Map<string, Array<[number, number]>>} */
  const queue = new Map();
  for (const s of snaps) {
    for (const d of s.rates.domains) {
      if (!util.has(d.name)) util.set(d.name, []);
      if (!queue.has(d.name)) queue.set(d.name, []);
      util.get(d.name).push([s.clock / 1000, d.utilisation]);
      queue.get(d.name).push([s.clock / 1000, d.queue]);
    }
  }
  // after the end the server's series (every snapshot of the run) replaces what this page saw
  if (S.series && S.series.t.length > snaps.length) {
    ({ t, nps, ips, mps } = S.series);
    domains = S.series.domains;
    util.clear();
    S.series.domains.forEach((name, j) => util.set(name, S.series.t.map((x, i) => [x, S.series.util[j][i]])));
  }
  const zip = (ys) => t.map((x, i) => [x, ys[i]]);
  d3.select('#tp-rates')
    .datum([
      { key: 'n', label: 'notifications / s', color: BLUE, values: zip(nps) },
      { key: 'i', label: 'IMs / s', color: ORANGE, values: zip(ips) },
      { key: 'm', label: 'messages between domains / s', color: PALETTE[2], values: zip(mps), dash: '5 3' },
    ])
    .call(tpRates);
  const names = domains.length ? domains : Array.from(util.keys());
  d3.select('#tp-util')
    .datum(names.map((name, i) => ({ key: name, label: name, color: PALETTE[(i + 2) % PALETTE.length], values: util.get(name) ?? [] })))
    .call(tpUtil);
  tpQueue.emptyText(snaps.length ? 'no data yet' : 'queue lengths are sampled live only');
  d3.select('#tp-queue')
    .datum(names.map((name, i) => ({ key: name, label: name, color: PALETTE[(i + 2) % PALETTE.length], values: queue.get(name) ?? [] })))
    .call(tpQueue);
}

/** The server's time-series CSV as columns. */
export function parseSeriesCsv(text) {
  const rows = d3.csvParse(text);
  const cols = rows.columns ?? [];
  const domains = cols.filter((c) => c.startsWith('utilisation_')).map((c) => c.slice('utilisation_'.length));
  const num = (r, c) => Number(r[c]);
  return {
    t: rows.map((r) => num(r, 'time_s')),
    nps: rows.map((r) => num(r, 'notifications_per_s')),
    ips: rows.map((r) => num(r, 'ims_per_s')),
    mps: rows.map((r) => num(r, 'messages_per_s')),
    domains,
    util: domains.map((d) => rows.map((r) => num(r, `utilisation_${d}`))),
  };
}

registerView('throughput', { render });
