/**
 * The dashboard's wiring: fetch -> shape -> call(chart). It owns the page state (the scenario,
 * the run being watched, its snapshots, trace and report), talks to the API through api.js and
 * re-draws only the view on screen, at most once per animation frame.
 */
import d3 from './d3.js';
import { ApiError, getJson, getText, postJson, runEvents } from './api.js';
import { scenarioEditor } from './editor.js';
import { downloadPng, downloadSvg } from './export.js';
import { lineChart } from './charts/line-chart.js';
import { histogramChart } from './charts/histogram-chart.js';
import { fanoutGraph } from './charts/fanout-graph.js';
import { sequenceChart } from './charts/sequence-chart.js';
import { msTick, PALETTE } from './charts/common.js';
import {
  binsFromBuckets,
  cdfFromBins,
  fmtClock,
  fmtCount,
  fmtMs,
  fmtPct,
  pairRates,
  parseOverrides,
  parseValues,
  percentiles,
  quantileFromCdf,
} from './shape.js';

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const VIEWS = ['fanout', 'latency', 'throughput', 'teaching', 'scalability', 'compare'];
const ACTIVE = new Set(['running', 'paused']);
const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const MAX_SNAPS = 1500;

/** Page state. */
const S = {
  scenarios: /** @type {any[]} */ ([]),
  scenarioName: '',
  builtinYaml: '',
  /** the resolved scenario of the editor text (from the API) */
  model: /** @type {any} */ (null),
  run: /** @type {any} */ (null),
  closeStream: /** @type {null | (() => void)} */ (null),
  streamTraceSeen: 0,
  snaps: /** @type {any[]} */ ([]),
  lastSnap: /** @type {any} */ (null),
  pairRates: new Map(),
  trace: /** @type {Array<{index: number, record: any}>} */ ([]),
  report: /** @type {any} */ (null),
  series: /** @type {any} */ (null),
  selected: -1,
  view: 'fanout',
  dirty: new Set(VIEWS),
  frame: 0,
  runs: /** @type {any[]} */ ([]),
  reports: new Map(),
  sweep: /** @type {any} */ (null),
  sweepTimer: 0,
};

// ---------------------------------------------------------------- charts

const fan = fanoutGraph().testid('fanout');
const histN = histogramChart().title('Notification latency').color(BLUE).testid('latency-hist-notification');
const histI = histogramChart().title('Instant message latency').color(ORANGE).testid('latency-hist-im');
/** A latency CDF: log-scale latency against the cumulative fraction, drawn as steps. */
const latencyCdfChart = () =>
  lineChart()
    .xType('log')
    .yDomain([0, 1])
    .xLabel('latency (log scale)')
    .yLabel('fraction ≤ latency')
    .xTickFormat(msTick)
    .yTickFormat(d3.format('.0%'))
    .curve(d3.curveStepAfter);
const cdf = latencyCdfChart().title('Latency CDF').height(300).width(980).testid('latency-cdf');
const tpRates = lineChart().title('Throughput').xLabel('simulated time (s)').yLabel('per simulated second').width(980).testid('throughput-rates');
const tpUtil = lineChart().title('Utilisation').xLabel('simulated time (s)').yLabel('busy cores / cores').yDomain([0, 1]).yTickFormat(d3.format('.0%')).testid('throughput-utilisation');
const tpQueue = lineChart().title('Queue length').xLabel('simulated time (s)').yLabel('jobs waiting').testid('throughput-queue');
const msc = sequenceChart().onSelect((index) => selectTrace(index));
const swN = lineChart().title('Notifications / s').yLabel('notifications / s').width(460).height(300).testid('sweep-notifications');
const swP = lineChart().title('p99 notification latency').yLabel('ms').width(460).height(300).testid('sweep-p99');
const swU = lineChart().title('Max utilisation').yLabel('utilisation').yTickFormat(d3.format('.0%')).width(460).height(300).testid('sweep-utilisation');
const cmpCdf = latencyCdfChart().title('Latency CDFs').height(320).testid('compare-cdf');

// ---------------------------------------------------------------- rendering

function invalidate(...views) {
  for (const v of views.length ? views : VIEWS) S.dirty.add(v);
  if (!S.frame) S.frame = requestAnimationFrame(flush);
}

function flush() {
  S.frame = 0;
  renderCounters();
  if (S.dirty.has(S.view)) {
    S.dirty.delete(S.view);
    try {
      RENDER[S.view]();
    } catch (e) {
      showRunError(`drawing the ${S.view} view failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

const RENDER = {
  fanout: renderFanout,
  latency: renderLatency,
  throughput: renderThroughput,
  teaching: renderTeaching,
  scalability: renderSweep,
  compare: renderCompare,
};

const COUNTERS = [
  { key: 'events', label: 'events' },
  { key: 'publishes', label: 'publishes' },
  { key: 'notifySent', label: 'notifications sent' },
  { key: 'notifyDelivered', label: 'notifications delivered' },
  { key: 'notifRate', label: 'notifications / s' },
  { key: 'p99', label: 'p99 notification' },
  { key: 'imSent', label: 'IMs sent' },
  { key: 'imDelivered', label: 'IMs delivered' },
  { key: 'imFailed', label: 'IMs failed' },
  { key: 'msgRate', label: 'messages between domains / s' },
  { key: 'maxUtil', label: 'busiest domain' },
  { key: 'leaks', label: 'leaks (must be 0)' },
];

function counterValues() {
  const snap = S.lastSnap;
  const c = snap?.counters ?? {};
  const r = S.report;
  const notif = snap ? percentiles(binsFromBuckets(snap.latency.edgesMs, snap.latency.notification)) : null;
  const util = snap?.rates?.domains?.length ? d3.max(snap.rates.domains, (d) => d.utilisation) : NaN;
  const v = {
    events: r ? r.engine.events : (snap?.events ?? S.run?.events),
    publishes: r ? r.presence.publishes : c.publishes,
    notifySent: r ? r.presence.notifications.sent : c.notifySent,
    notifyDelivered: r ? r.presence.notifications.delivered : c.notifyDelivered,
    notifRate: snap?.rates?.notificationsPerSec,
    p99: r ? r.latency.notification.p99 : notif?.p99,
    imSent: r ? r.im.sent : c.imSent,
    imDelivered: r ? r.im.delivered : c.imDelivered,
    imFailed: r ? r.im.failed : c.imFailed,
    msgRate: snap?.rates?.messagesPerSec,
    maxUtil: r ? d3.max(Object.values(r.domains), (d) => d.utilisation) : util,
    leaks: r ? r.security.leaks : c.leaks,
  };
  return v;
}

function renderCounters() {
  const v = counterValues();
  const fmt = (k, x) => (x === undefined || x === null ? '–' : k === 'p99' ? fmtMs(x) : k === 'maxUtil' ? fmtPct(x) : fmtCount(x));
  d3.select('#counter-list')
    .selectAll('div.counter')
    .data(COUNTERS, (d) => d.key)
    .join((enter) => {
      const e = enter.append('div').attr('class', 'counter');
      e.append('dd');
      e.append('dt');
      return e;
    })
    .call((g) => {
      g.select('dt').text((d) => d.label);
      g.select('dd')
        .attr('id', (d) => `counter-${d.key}`)
        .attr('data-testid', (d) => `counter-${d.key}`)
        .classed('alarm', (d) => d.key === 'leaks' && v.leaks > 0)
        .text((d) => fmt(d.key, v[d.key]));
    });
  const run = S.run;
  const clock = S.report ? (S.report.parameters.warmup ?? 0) + S.report.parameters.duration : (S.lastSnap?.clock ?? run?.clock ?? 0);
  const until = S.lastSnap?.until ?? run?.until ?? 0;
  const pct = until > 0 ? Math.min(100, (100 * clock) / until) : 0;
  $('progress-fill').style.width = `${pct}%`;
  $('progress-bar').setAttribute('aria-valuenow', pct.toFixed(0));
  $('clock').textContent = run ? `${fmtClock(clock)} of ${fmtClock(until)} simulated` : '–';
}

// ---------------------------------------------------------------- fan-out

function renderFanout() {
  const stats = new Map();
  const snap = S.lastSnap;
  if (snap) {
    for (const d of snap.rates?.domains ?? []) stats.set(d.name, { utilisation: d.utilisation, queue: d.queue });
    for (const d of snap.domains ?? []) if (!stats.has(d.name)) stats.set(d.name, { utilisation: d.utilisation, queue: d.queue });
  } else if (S.report) {
    for (const [name, d] of Object.entries(S.report.domains)) stats.set(name, { utilisation: d.utilisation, queue: d.maxQueue });
  }
  let pr = S.pairRates;
  if (!snap && S.report) {
    pr = new Map();
    const sec = S.report.parameters.duration / 1000;
    for (const p of S.report.pairs) pr.set(`${p.from}\u0000${p.to}`, { from: p.from, to: p.to, perSec: p.total / sec });
  }
  d3.select('#fanout').datum({ stats, pairRates: pr }).call(fan);

  const out = new Map();
  for (const p of pr.values()) out.set(p.from, (out.get(p.from) ?? 0) + p.perSec);
  const rows = fan.domains().map((d) => ({ name: d.name, cores: d.servers * d.cores, ...(stats.get(d.name) ?? {}), out: out.get(d.name) ?? 0 }));
  d3.select('#domain-table tbody')
    .selectAll('tr')
    .data(rows, (r) => r.name)
    .join((enter) => {
      const tr = enter.append('tr');
      for (let i = 0; i < 5; i++) tr.append('td');
      return tr;
    })
    .selectAll('td')
    .data((r) => [r.name, fmtCount(r.cores), fmtPct(r.utilisation), fmtCount(r.queue ?? 0), fmtCount(r.out)])
    .text((d) => d);
}

/** Fan-out particles for the events between two snapshots (sampled inside the chart). */
function spawnFromSnapshot(prev, cur) {
  if (S.view !== 'fanout' || document.hidden || !prev) return;
  const dn = (cur.counters.notifyDelivered ?? 0) - (prev.counters.notifyDelivered ?? 0);
  const di = (cur.counters.imDelivered ?? 0) - (prev.counters.imDelivered ?? 0);
  if (!(dn + di > 0)) return;
  const fN = dn / (dn + di);
  const reqs = [];
  let crossN = 0;
  let crossI = 0;
  for (const p of S.pairRates.values()) {
    if (!(p.delta > 0)) continue;
    // the live view counts notifications and IMs per boundary; older snapshots only totals
    const n = p.notify ?? Math.round(p.delta * fN);
    const m = p.message ?? p.delta - n;
    reqs.push({ kind: 'notification', from: p.from, to: p.to, n });
    reqs.push({ kind: 'im', from: p.from, to: p.to, n: m });
    crossN += n;
    crossI += m;
  }
  const doms = fan.domains();
  const users = d3.sum(doms, (d) => d.users) || doms.length || 1;
  for (const d of doms) {
    const w = (d.users || 1) / users;
    reqs.push({ kind: 'notification', from: d.name, to: d.name, n: Math.max(0, dn - crossN) * w });
    reqs.push({ kind: 'im', from: d.name, to: d.name, n: Math.max(0, di - crossI) * w });
  }
  fan.spawn(reqs.filter((r) => r.n > 0));
}

/** Exact particles for traced messages (interactive runs): one per notify or IM. */
function spawnFromTrace(records) {
  if (S.view !== 'fanout' || document.hidden) return;
  const reqs = [];
  for (const r of records) {
    if (r.op === 'notify') reqs.push({ kind: 'notification', from: r.fromDomain, to: r.toDomain, n: 1 });
    else if (r.op === 'message') reqs.push({ kind: 'im', from: r.fromDomain, to: r.toDomain, n: 1 });
  }
  if (reqs.length) fan.spawn(reqs);
}

// ---------------------------------------------------------------- latency

function latencyData() {
  const snap = S.lastSnap;
  const binsN = snap ? binsFromBuckets(snap.latency.edgesMs, snap.latency.notification) : [];
  const binsI = snap ? binsFromBuckets(snap.latency.edgesMs, snap.latency.im) : [];
  if (S.report) {
    const L = S.report.latency;
    return {
      source: 'final report',
      binsN,
      binsI,
      n: { count: L.notification.count, p50: L.notification.p50, p95: L.notification.p95, p99: L.notification.p99, max: L.notification.max },
      i: { count: L.im.count, p50: L.im.p50, p95: L.im.p95, p99: L.im.p99, max: L.im.max },
      cdfN: S.report.latencyCdf.notification,
      cdfI: S.report.latencyCdf.im,
    };
  }
  const pn = percentiles(binsN);
  const pi = percentiles(binsI);
  const maxOf = (bins) => {
    for (let k = bins.length - 1; k >= 0; k--) if (bins[k].count > 0) return Number.isFinite(bins[k].x1) ? bins[k].x1 : bins[k].x0;
    return NaN;
  };
  return {
    source: snap ? `live buckets at ${fmtClock(snap.clock)} simulated` : '',
    binsN,
    binsI,
    n: { ...pn, max: maxOf(binsN) },
    i: { ...pi, max: maxOf(binsI) },
    cdfN: cdfFromBins(binsN),
    cdfI: cdfFromBins(binsI),
  };
}

const marksOf = (p, color) => [
  { x: p.p50, label: 'p50', color },
  { x: p.p95, label: 'p95', color },
  { x: p.p99, label: 'p99', color },
];

function renderLatency() {
  const L = latencyData();
  $('latency-source').textContent = L.source ? `Source: ${L.source}. Histograms count samples per latency bucket (log scale).` : 'Start a run to see latencies.';
  d3.select('#lat-hist-notif').datum({ bins: L.binsN, marks: marksOf(L.n, '#003d63') }).call(histN);
  d3.select('#lat-hist-im').datum({ bins: L.binsI, marks: marksOf(L.i, '#7a3300') }).call(histI);
  const series = [];
  if (L.cdfN.length) series.push({ key: 'n', label: 'notification', color: BLUE, values: L.cdfN });
  if (L.cdfI.length) series.push({ key: 'i', label: 'instant message', color: ORANGE, values: L.cdfI, dash: '6 3' });
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

// ---------------------------------------------------------------- throughput

function renderThroughput() {
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

function parseSeriesCsv(text) {
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

// ---------------------------------------------------------------- teaching

function renderTeaching() {
  msc.selected(S.selected);
  d3.select('#msc').datum(S.trace).call(msc);
  const n = S.trace.length;
  $('teach-count').textContent = n ? `${n} message${n === 1 ? '' : 's'}${n > msc.maxRows() ? ` (the last ${msc.maxRows()} shown)` : ''}` : 'no messages yet';
  const box = $('msc-scroll');
  if ($('teach-follow').checked && n) box.scrollTop = box.scrollHeight;
  renderLaneHeader();
  const interactive = S.run?.mode === 'interactive' && ACTIVE.has(S.run.status);
  $('teach-play').textContent = interactive && S.run.status === 'running' ? 'Pause' : 'Play in slow motion';
}

/** Lane names that stay on top while the chart scrolls (the chart's own header scrolls away). */
function renderLaneHeader() {
  const box = $('msc-scroll');
  const svg = box.querySelector('svg.chart');
  const scrolled = box.scrollTop > msc.headerHeight() * 0.6;
  const head = d3.select('#msc-head').classed('stuck', scrolled);
  if (!svg || !scrolled) {
    head.selectAll('div').remove();
    return;
  }
  const k = svg.getBoundingClientRect().width / msc.width();
  head
    .selectAll('div.lane-head')
    .data(msc.lanes(), (l) => l.id)
    .join('div')
    .attr('class', 'lane-head')
    .style('left', (l) => `${l.x * k}px`)
    .style('width', `${86 * k}px`)
    .text((l) => l.label);
}

function appendTrace(records) {
  const fresh = [];
  for (const r of records) {
    const idx = S.streamTraceSeen++;
    if (idx < S.trace.length) continue;
    S.trace.push({ index: idx, record: r });
    fresh.push(r);
  }
  if (fresh.length) {
    spawnFromTrace(fresh);
    invalidate('teaching');
  }
}

async function selectTrace(index) {
  S.selected = index;
  invalidate('teaching');
  const run = S.run;
  if (!run) return;
  const item = S.trace.find((x) => x.index === index);
  const r = item?.record;
  $('insp-empty').hidden = true;
  const kv = r
    ? [
        ['index', index],
        ['operation', r.op],
        ['time', fmtMs(r.t)],
        ['from', `${r.from} (${r.fromDomain})`],
        ['to', `${r.to} (${r.toDomain})`],
        ['bytes', r.bytes],
      ]
    : [['index', index]];
  d3.select('#insp-record')
    .selectAll('div')
    .data(kv)
    .join((e) => {
      const g = e.append('div').style('display', 'contents');
      g.append('dt');
      g.append('dd');
      return g;
    })
    .call((g) => {
      g.select('dt').text((d) => d[0]);
      g.select('dd').text((d) => d[1]);
    });
  setRule(r?.detail ?? '');
  $('insp-body').textContent = 'loading…';
  $('insp-decoded').textContent = '';
  $('insp-type').textContent = '';
  try {
    const p = await getJson(`/api/runs/${run.id}/trace/${index}`);
    if (S.selected !== index) return;
    setRule(p.rule ? `${p.detail} — ${p.rule}` : p.detail ?? p.record?.detail ?? '');
    const type = p.contentType ? `(${p.contentType}${p.version !== undefined ? `, state version ${p.version}` : ''})` : '';
    $('insp-type').textContent = p.note ? `${type} ${p.note}` : type;
    $('insp-body').textContent = p.body ?? 'This message carries no body (a request, a response or a report).';
    $('insp-decoded').textContent = p.decoded ? JSON.stringify(p.decoded, null, 2) : '';
  } catch (e) {
    $('insp-body').textContent = `Cannot load the payload: ${e.message}`;
  }
}

function setRule(detail) {
  const el = $('insp-rule');
  el.textContent = detail || '–';
  const blocked = /denied|block|fail|reject|unknown|pending|closed|expired/i.test(detail);
  el.className = 'rule ' + (detail ? (blocked ? 'blocked' : 'allowed') : '');
}

// ---------------------------------------------------------------- runs

function setModel(scenario, overrides = []) {
  if (!scenario?.domains) return;
  const doms = scenario.domains.map((d) => ({ name: d.name, users: d.users, servers: d.servers?.count ?? 1, cores: d.servers?.cores ?? 1 }));
  // the overrides the run used that change the picture (users, servers, cores of a domain)
  for (const o of overrides) {
    const m = /^domains\[(\d+)\]\.(users|servers\.count|servers\.cores)\s*=\s*(\d+)$/.exec(o);
    if (!m || !doms[+m[1]]) continue;
    const k = m[2] === 'users' ? 'users' : m[2] === 'servers.count' ? 'servers' : 'cores';
    doms[+m[1]][k] = Number(m[3]);
  }
  fan.domains(doms);
  invalidate('fanout', 'throughput');
}

function resetRunView() {
  if (S.closeStream) S.closeStream();
  S.closeStream = null;
  S.snaps = [];
  S.lastSnap = null;
  S.pairRates = new Map();
  S.trace = [];
  S.streamTraceSeen = 0;
  S.report = null;
  S.series = null;
  S.selected = -1;
  fan.clear();
  d3.select('#msc').selectAll('*').remove();
  $('insp-empty').hidden = false;
  d3.select('#insp-record').selectAll('*').remove();
  setRule('');
  $('insp-body').textContent = '';
  $('insp-decoded').textContent = '';
  $('insp-type').textContent = '';
  showRunError('');
}

function ingestSnapshot(snap) {
  const prev = S.lastSnap;
  if (prev && snap.clock < prev.clock) return;
  S.pairRates = pairRates(prev, snap);
  S.lastSnap = snap;
  S.snaps.push(snap);
  if (S.snaps.length > MAX_SNAPS) S.snaps = S.snaps.filter((_, i) => i % 2 === 1);
  if (fan.domains().length === 0 && snap.domains?.length) {
    fan.domains(snap.domains.map((d) => ({ name: d.name, users: 0, servers: 1, cores: d.cores })));
  }
  if (S.run?.mode !== 'interactive') spawnFromSnapshot(prev, snap);
  invalidate('fanout', 'latency', 'throughput');
}

function follow(run) {
  S.run = run;
  updateRunUi();
  S.closeStream = runEvents(run.id, {
    open: () => (S.streamTraceSeen = 0),
    status: (s) => {
      if (S.run?.id !== s.id) return;
      S.run = s;
      updateRunUi();
    },
    snapshot: (snap) => ingestSnapshot(snap),
    trace: (records) => appendTrace(records),
    end: (e) => {
      if (S.run) S.run = { ...S.run, status: e.status, error: e.error ?? S.run.error };
      if (e.error) showRunError(`The run ${e.status}: ${e.error}`);
      finishRun(S.run.id);
    },
    error: () => finishRun(S.run.id),
  });
}

/** After the end: the summary, the report and the server's time series. */
async function finishRun(id) {
  try {
    const got = await getJson(`/api/runs/${id}`);
    if (S.run?.id !== id) return;
    const { snapshot, ...summary } = got;
    S.run = summary;
    if (snapshot && (!S.lastSnap || snapshot.clock >= S.lastSnap.clock)) ingestSnapshot(snapshot);
    if (summary.figures) {
      const report = await reportOf(id);
      if (S.run?.id !== id) return;
      S.report = report;
      if (report.trace && report.trace.length > S.trace.length) {
        S.trace = report.trace.map((record, index) => ({ index, record }));
        S.streamTraceSeen = S.trace.length;
      }
    }
    try {
      S.series = parseSeriesCsv(await getText(`/api/runs/${id}/timeseries.csv`));
    } catch {
      S.series = null;
    }
  } catch (e) {
    showRunError(`Cannot read the run's results: ${e.message}`);
  }
  updateRunUi();
  invalidate();
  await refreshHistory();
}

async function reportOf(id) {
  if (S.reports.has(id)) return S.reports.get(id);
  const r = await getJson(`/api/runs/${id}/report`);
  S.reports.set(id, r);
  while (S.reports.size > 12) S.reports.delete(S.reports.keys().next().value);
  return r;
}

function runBody() {
  const mode = $('mode-interactive').checked ? 'interactive' : 'batch';
  const body = /** @type {any} */ ({ mode, overrides: parseOverrides($('overrides').value) });
  const text = editor.get();
  if (S.scenarioName && text === S.builtinYaml) body.scenario = S.scenarioName;
  else body.yaml = text;
  const seed = $('seed').value.trim();
  if (seed !== '') body.seed = Number(seed);
  const workers = $('workers').value.trim();
  if (workers !== '') body.workers = Number(workers);
  const duration = $('duration').value.trim();
  if (duration !== '') body.duration = /^\d+(\.\d+)?$/.test(duration) ? Number(duration) : duration;
  const speed = $('speed').value.trim();
  if (speed !== '') body.speed = Number(speed);
  else if (mode === 'interactive') body.speed = Number($('teach-speed').value);
  return body;
}

async function startRun() {
  const body = runBody();
  $('start-btn').disabled = true;
  showRunError('');
  try {
    const run = await postJson('/api/runs', body);
    resetRunView();
    const modelFrom = body.yaml !== undefined ? S.model : await scenarioOf(body.scenario);
    if (modelFrom) setModel(modelFrom, body.overrides);
    follow(run);
    invalidate();
    refreshHistory();
    return run;
  } catch (e) {
    if (e instanceof ApiError && e.problems?.length) editor.showProblems(e.problems);
    showRunError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    return null;
  } finally {
    $('start-btn').disabled = false;
  }
}

async function control(action, extra = {}) {
  const run = S.run;
  if (!run) return;
  try {
    const s = await postJson(`/api/runs/${run.id}/control`, { action, ...extra });
    if (S.run?.id === s.id && ACTIVE.has(S.run.status)) {
      S.run = s;
      updateRunUi();
    }
  } catch (e) {
    showRunError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
  }
}

function stepTo() {
  return control('step', { to: $('step-to').value });
}

function showRunError(msg) {
  $('run-error').textContent = msg;
}

function updateRunUi() {
  const run = S.run;
  const active = run && ACTIVE.has(run.status);
  const interactive = run?.mode === 'interactive';
  $('pause-btn').disabled = !active;
  $('pause-btn').textContent = run?.status === 'paused' ? 'Resume' : 'Pause';
  $('step-btn').disabled = !(active && interactive);
  $('speed-btn').disabled = !active;
  $('stop-btn').disabled = !active;
  const badge = $('run-badge');
  badge.replaceChildren();
  if (run) {
    const st = document.createElement('span');
    st.className = `status ${run.status}`;
    st.textContent = run.status;
    st.setAttribute('data-testid', 'run-status');
    badge.append(
      st,
      `${run.scenario} · ${run.mode} · seed ${run.seed} · ${run.workers} worker${run.workers === 1 ? '' : 's'}` +
        (run.speed > 0 ? ` · speed ${run.speed}×` : '') +
        ` · ${run.id}`,
    );
  } else badge.textContent = 'no run';
  const done = run && run.figures;
  const rep = $('export-report');
  const csv = $('export-csv');
  if (run && done) {
    rep.href = `/api/runs/${run.id}/report`;
    rep.download = `impp-sim-${run.scenario}-${run.id}-report.json`;
    rep.setAttribute('aria-disabled', 'false');
  } else {
    rep.removeAttribute('href');
    rep.setAttribute('aria-disabled', 'true');
  }
  if (run) {
    csv.href = `/api/runs/${run.id}/timeseries.csv`;
    csv.download = `impp-sim-${run.scenario}-${run.id}-timeseries.csv`;
    csv.setAttribute('aria-disabled', 'false');
  } else {
    csv.removeAttribute('href');
    csv.setAttribute('aria-disabled', 'true');
  }
  invalidate('teaching');
  renderHistory();
}

/** Loads a run from the history into every view. */
async function openRun(id) {
  resetRunView();
  try {
    const got = await getJson(`/api/runs/${id}`);
    const { snapshot, ...summary } = got;
    S.run = summary;
    const sc = S.scenarios.find((s) => s.name === summary.scenario) ? await scenarioOf(summary.scenario) : null;
    if (sc) setModel(sc);
    else fan.domains([]);
    if (snapshot) ingestSnapshot(snapshot);
    if (ACTIVE.has(summary.status)) follow(summary);
    else await finishRun(id);
  } catch (e) {
    showRunError(`Cannot open run ${id}: ${e.message}`);
  }
  updateRunUi();
  invalidate();
}

// ---------------------------------------------------------------- history and compare

async function refreshHistory() {
  try {
    S.runs = (await getJson('/api/runs')).runs ?? [];
  } catch {
    return;
  }
  renderHistory();
  fillCompareSelects();
}

function renderHistory() {
  const li = d3
    .select('#history')
    .selectAll('li')
    .data(S.runs.slice(0, 60), (r) => r.id)
    .join((e) => {
      const l = e.append('li');
      l.append('button').attr('type', 'button').attr('class', 'open');
      l.append('span').attr('class', 'st');
      return l;
    })
    .classed('current', (r) => r.id === S.run?.id)
    .attr('data-testid', 'history-item')
    .attr('data-id', (r) => r.id);
  li.select('button.open')
    .text((r) => `${r.scenario} · ${new Date(r.createdAt).toLocaleTimeString()}`)
    .attr('title', (r) => `Open run ${r.id}`)
    .on('click', (ev, r) => openRun(r.id));
  li.select('span.st').text((r) => `${r.status}${r.figures ? ` · p99 ${fmtMs(r.figures.p99NotificationMs)}` : ''}`);
}

function fillCompareSelects() {
  const done = S.runs.filter((r) => r.figures);
  const label = (r) => `${r.scenario} · seed ${r.seed} · ${fmtClock(r.duration)} · ${new Date(r.createdAt).toLocaleTimeString()} (${r.id})`;
  for (const [sel, pick] of [
    ['compare-a', 1],
    ['compare-b', 0],
  ]) {
    const el = $(sel);
    const keep = el.value;
    d3.select(el)
      .selectAll('option')
      .data(done, (r) => r.id)
      .join('option')
      .attr('value', (r) => r.id)
      .text(label);
    // the newest two runs, unless the user picked another one
    if (el.dataset.user === '1' && keep && done.some((r) => r.id === keep)) el.value = keep;
    else if (done.length) el.value = done[Math.min(pick, done.length - 1)].id;
  }
  invalidate('compare');
}

const FIGURES = [
  { k: 'scenario', f: (r) => r.scenario, text: true },
  { k: 'seed', f: (r) => r.seed, text: true },
  { k: 'measured duration', f: (r) => r.parameters.duration, fmt: fmtClock, text: true },
  { k: 'warm-up', f: (r) => r.parameters.warmup ?? 0, fmt: fmtClock, text: true },
  { k: 'users', f: (r) => r.parameters.users },
  { k: 'subscription edges', f: (r) => r.parameters.subscriptionEdges },
  { k: 'events', f: (r) => r.engine.events },
  { k: 'wall-clock time', f: (r) => r.engine.wallMs, fmt: fmtMs, worse: 1 },
  { k: 'events / s (wall)', f: (r) => r.engine.eventsPerSec, worse: -1 },
  { k: 'publishes', f: (r) => r.presence.publishes },
  { k: 'notifications delivered', f: (r) => r.presence.notifications.delivered },
  { k: 'notification p50', f: (r) => r.latency.notification.p50, fmt: fmtMs, worse: 1 },
  { k: 'notification p95', f: (r) => r.latency.notification.p95, fmt: fmtMs, worse: 1 },
  { k: 'notification p99', f: (r) => r.latency.notification.p99, fmt: fmtMs, worse: 1 },
  { k: 'IMs delivered', f: (r) => r.im.delivered },
  { k: 'IMs failed', f: (r) => r.im.failed, worse: 1 },
  { k: 'IM p99', f: (r) => r.latency.im.p99, fmt: fmtMs, worse: 1 },
  { k: 'max utilisation', f: (r) => d3.max(Object.values(r.domains), (d) => d.utilisation), fmt: fmtPct, worse: 1 },
  { k: 'max queue', f: (r) => d3.max(Object.values(r.domains), (d) => d.maxQueue), worse: 1 },
  { k: 'leaks', f: (r) => r.security.leaks, worse: 1 },
];

let compareSeq = 0;
async function renderCompare() {
  const a = $('compare-a').value;
  const b = $('compare-b').value;
  const my = ++compareSeq;
  if (!a || !b) {
    d3.select('#compare-cdf').datum([]).call(cmpCdf.emptyText('finish two runs to compare them'));
    return;
  }
  let ra;
  let rb;
  try {
    [ra, rb] = await Promise.all([reportOf(a), reportOf(b)]);
  } catch (e) {
    showRunError(`Cannot load the reports to compare: ${e.message}`);
    return;
  }
  if (my !== compareSeq) return;
  const rows = FIGURES.map((f) => {
    const va = f.f(ra);
    const vb = f.f(rb);
    const fmt = f.fmt ?? fmtCount;
    let diff = '';
    let cls = '';
    if (!f.text && typeof va === 'number' && typeof vb === 'number') {
      const d = vb - va;
      const pct = va !== 0 ? ` (${d >= 0 ? '+' : ''}${((100 * d) / Math.abs(va)).toFixed(1)} %)` : '';
      diff = d === 0 ? '=' : `${d > 0 ? '+' : '−'}${fmt(Math.abs(d))}${pct}`;
      if (f.worse && d !== 0) cls = d * f.worse > 0 ? 'worse' : 'better';
    }
    return { k: f.k, cells: [typeof va === 'number' ? fmt(va) : String(va), typeof vb === 'number' ? fmt(vb) : String(vb), diff], cls };
  });
  d3.select('#compare-table tbody')
    .selectAll('tr')
    .data(rows, (r) => r.k)
    .join((e) => {
      const tr = e.append('tr');
      tr.append('th').attr('scope', 'row');
      for (let i = 0; i < 3; i++) tr.append('td');
      return tr;
    })
    .call((tr) => {
      tr.select('th').text((r) => r.k);
      tr.selectAll('td')
        .data((r) => r.cells.map((c, i) => ({ c, cls: i === 2 ? r.cls : '' })))
        .text((d) => d.c)
        .attr('class', (d) => d.cls);
    });
  cmpCdf.markers([
    { x: ra.latency.notification.p99, label: `A p99 ${fmtMs(ra.latency.notification.p99)}`, color: BLUE },
    { x: rb.latency.notification.p99, label: `B p99 ${fmtMs(rb.latency.notification.p99)}`, color: ORANGE },
  ]);
  d3.select('#compare-cdf')
    .datum([
      { key: 'an', label: 'A notification', color: BLUE, values: ra.latencyCdf.notification },
      { key: 'ai', label: 'A IM', color: BLUE, dash: '6 3', values: ra.latencyCdf.im },
      { key: 'bn', label: 'B notification', color: ORANGE, values: rb.latencyCdf.notification },
      { key: 'bi', label: 'B IM', color: ORANGE, dash: '6 3', values: rb.latencyCdf.im },
    ])
    .call(cmpCdf);
}

// ---------------------------------------------------------------- sweeps

async function startSweep(ev) {
  ev.preventDefault();
  const values = parseValues($('sweep-values').value);
  // the run form's overrides apply at every point (for example warmup=10min)
  const body = /** @type {any} */ ({ scenario: S.scenarioName, param: $('sweep-param').value.trim(), values, overrides: parseOverrides($('overrides').value) });
  const duration = $('sweep-duration').value.trim();
  if (duration) body.duration = /^\d+$/.test(duration) ? Number(duration) : duration;
  const reps = Number($('sweep-reps').value);
  if (reps > 1) body.replications = reps;
  $('sweep-status').textContent = 'starting…';
  $('sweep-start').disabled = true;
  try {
    const { id } = await postJson('/api/sweeps', body);
    S.sweep = { id, status: 'running', param: body.param, values, points: values.map((value) => ({ value, status: 'pending' })), threshold: 0.8, saturatesAt: null };
    invalidate('scalability');
    pollSweep(id);
  } catch (e) {
    $('sweep-status').textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
    $('sweep-start').disabled = false;
  }
}

async function pollSweep(id) {
  clearTimeout(S.sweepTimer);
  try {
    const sw = await getJson(`/api/sweeps/${id}`);
    S.sweep = sw;
    invalidate('scalability');
    if (sw.status === 'running') {
      S.sweepTimer = window.setTimeout(() => pollSweep(id), 600);
      return;
    }
  } catch (e) {
    $('sweep-status').textContent = `Cannot read the sweep: ${e.message}`;
  }
  $('sweep-start').disabled = false;
}

function renderSweep() {
  const sw = S.sweep;
  if (!sw) {
    for (const [sel, ch] of [
      ['#sw-notif', swN],
      ['#sw-p99', swP],
      ['#sw-util', swU],
    ])
      d3.select(sel).datum([]).call(ch.emptyText('run a sweep'));
    return;
  }
  const done = sw.points.filter((p) => p.figures).length;
  $('sweep-status').textContent = `${sw.status}: ${done} of ${sw.points.length} point(s)` + (sw.saturatesAt !== null && sw.saturatesAt !== undefined ? ` · saturates at ${sw.param} = ${sw.saturatesAt}` : '');
  const numeric = sw.values.every((v) => typeof v === 'number');
  const xOf = (v) => (numeric ? v : sw.values.indexOf(v));
  const xf = numeric ? null : (i) => (Number.isInteger(i) && sw.values[i] !== undefined ? String(sw.values[i]) : '');
  const pts = (f) => sw.points.filter((p) => p.figures).map((p) => [xOf(p.value), f(p.figures)]);
  const sat = sw.saturatesAt !== null && sw.saturatesAt !== undefined ? [{ x: xOf(sw.saturatesAt), label: `saturates at ${sw.saturatesAt}`, color: '#b3261e' }] : [];
  for (const ch of [swN, swP, swU]) ch.xLabel(sw.param).markers(sat).xTickFormat(xf).emptyText(sw.status === 'running' ? 'running…' : 'no finished points');
  d3.select('#sw-notif').datum([{ key: 'n', label: 'notifications / s', color: BLUE, points: true, values: pts((f) => f.notificationsPerSec) }]).call(swN);
  d3.select('#sw-p99').datum([{ key: 'p', label: 'p99', color: ORANGE, points: true, values: pts((f) => f.p99NotificationMs) }]).call(swP);
  swU.rules([{ y: sw.threshold, label: `threshold ${fmtPct(sw.threshold)}`, color: '#b3261e' }]).yDomain([0, Math.max(1, d3.max(sw.points, (p) => p.figures?.maxUtilisation ?? 0) ?? 1)]);
  d3.select('#sw-util').datum([{ key: 'u', label: 'max utilisation', color: PALETTE[2], points: true, values: pts((f) => f.maxUtilisation) }]).call(swU);
  d3.select('#sweep-table tbody')
    .selectAll('tr')
    .data(sw.points, (p) => String(p.value))
    .join((e) => {
      const tr = e.append('tr');
      for (let i = 0; i < 6; i++) tr.append('td');
      return tr;
    })
    .attr('data-testid', 'sweep-point')
    .selectAll('td')
    .data((p) => [
      String(p.value),
      p.status + (p.error ? `: ${p.error}` : ''),
      fmtCount(p.figures?.notificationsPerSec),
      fmtMs(p.figures?.p99NotificationMs),
      fmtPct(p.figures?.maxUtilisation),
      fmtCount(p.figures?.imPerSec),
    ])
    .text((d) => d);
}

// ---------------------------------------------------------------- scenarios

const scenarioCache = new Map();
async function scenarioOf(name) {
  if (!scenarioCache.has(name)) scenarioCache.set(name, await getJson(`/api/scenarios/${encodeURIComponent(name)}`));
  return scenarioCache.get(name).scenario;
}

async function pickScenario(name) {
  S.scenarioName = name;
  const meta = S.scenarios.find((s) => s.name === name);
  $('scenario-description').textContent = meta?.description ?? '';
  try {
    const got = scenarioCache.get(name) ?? (await getJson(`/api/scenarios/${encodeURIComponent(name)}`));
    scenarioCache.set(name, got);
    S.builtinYaml = got.yaml;
    editor.set(got.yaml, got.scenario);
  } catch (e) {
    showRunError(`Cannot load scenario ${name}: ${e.message}`);
  }
}

const editor = scenarioEditor({
  textarea: $('yaml-editor'),
  gutter: $('yaml-gutter'),
  problems: $('validation-problems'),
  state: $('yaml-state'),
  onValid: (scenario) => {
    S.model = scenario;
    if (!S.run) {
      setModel(scenario);
    }
  },
});

// ---------------------------------------------------------------- tabs, exports, preferences

function showView(name, focus = false) {
  if (!VIEWS.includes(name)) name = 'fanout';
  S.view = name;
  for (const v of VIEWS) {
    const tab = $(`tab-${v}`);
    tab.setAttribute('aria-selected', String(v === name));
    tab.tabIndex = v === name ? 0 : -1;
    $(`view-${v}`).hidden = v !== name;
  }
  if (focus) $(`tab-${name}`).focus();
  // '#/name' rather than '#name' so that the browser does not scroll to an element of that id
  if (location.hash !== `#/${name}`) history.replaceState(null, '', `#/${name}`);
  if (name !== 'fanout') fan.clear();
  invalidate(name);
}

function wire() {
  for (const v of VIEWS) $(`tab-${v}`).addEventListener('click', () => showView(v));
  $('views').addEventListener('keydown', (ev) => {
    const i = VIEWS.indexOf(S.view);
    if (ev.key === 'ArrowRight') showView(VIEWS[(i + 1) % VIEWS.length], true);
    else if (ev.key === 'ArrowLeft') showView(VIEWS[(i + VIEWS.length - 1) % VIEWS.length], true);
    else if (ev.key === 'Home') showView(VIEWS[0], true);
    else if (ev.key === 'End') showView(VIEWS[VIEWS.length - 1], true);
    else return;
    ev.preventDefault();
  });
  window.addEventListener('hashchange', () => showView(location.hash.replace(/^#\/?/, '')));

  document.addEventListener('click', async (ev) => {
    const b = /** @type {HTMLElement} */ (ev.target).closest?.('[data-export]');
    if (!b) return;
    const fig = b.closest('figure');
    const svg = fig?.querySelector('svg.chart');
    if (!svg) return;
    const name = `impp-sim-${fig.dataset.name ?? 'chart'}${S.run ? '-' + S.run.id : ''}`;
    try {
      if (b.getAttribute('data-export') === 'png') await downloadPng(svg, name);
      else downloadSvg(svg, name);
    } catch (e) {
      showRunError(`Export failed: ${e.message}`);
    }
  });

  $('scenario-select').addEventListener('change', (ev) => pickScenario(ev.target.value));
  $('validate-btn').addEventListener('click', () => editor.validate());
  $('revert-btn').addEventListener('click', () => pickScenario(S.scenarioName));
  $('start-btn').addEventListener('click', () => startRun());
  $('pause-btn').addEventListener('click', () => control(S.run?.status === 'paused' ? 'resume' : 'pause'));
  $('step-btn').addEventListener('click', () => stepTo());
  $('speed-btn').addEventListener('click', () => control('speed', { speed: Number($('speed').value || 0) }));
  $('stop-btn').addEventListener('click', () => control('stop'));
  $('history-refresh').addEventListener('click', () => refreshHistory());
  for (const id of ['compare-a', 'compare-b']) {
    $(id).addEventListener('change', () => {
      $(id).dataset.user = '1';
      invalidate('compare');
    });
  }
  $('sweep-form').addEventListener('submit', startSweep);

  $('teach-step').addEventListener('click', async () => {
    if (!(S.run?.mode === 'interactive' && ACTIVE.has(S.run.status))) {
      $('mode-interactive').checked = true;
      const run = await startRun();
      if (!run) return;
    }
    await control('step', { to: 'message' });
  });
  $('teach-play').addEventListener('click', async () => {
    if (!(S.run?.mode === 'interactive' && ACTIVE.has(S.run.status))) {
      $('mode-interactive').checked = true;
      await startRun();
      return;
    }
    if (S.run.status === 'running') await control('pause');
    else {
      await control('speed', { speed: Number($('teach-speed').value) });
      await control('resume');
    }
  });
  $('msc-scroll').addEventListener('scroll', () => renderLaneHeader(), { passive: true });
  $('teach-speed').addEventListener('change', () => {
    if (S.run?.mode === 'interactive' && ACTIVE.has(S.run.status)) control('speed', { speed: Number($('teach-speed').value) });
  });

  const large = $('large-type');
  large.checked = localStorage.getItem('impp-sim.large') === '1';
  document.body.classList.toggle('large', large.checked);
  large.addEventListener('change', () => {
    document.body.classList.toggle('large', large.checked);
    localStorage.setItem('impp-sim.large', large.checked ? '1' : '0');
  });
  $('toggle-side').addEventListener('click', (ev) => {
    const layout = document.querySelector('.layout');
    const hide = !layout.classList.contains('no-side');
    layout.classList.toggle('no-side', hide);
    ev.target.textContent = hide ? 'Show controls' : 'Hide controls';
    ev.target.setAttribute('aria-expanded', String(!hide));
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) fan.clear();
  });
}

async function init() {
  wire();
  showView(location.hash.replace(/^#\/?/, '') || 'fanout');
  try {
    S.scenarios = (await getJson('/api/scenarios')).scenarios ?? [];
  } catch (e) {
    showRunError(`Cannot list the scenarios: ${e.message}`);
  }
  d3.select('#scenario-select')
    .selectAll('option')
    .data(S.scenarios, (s) => s.name)
    .join('option')
    .attr('value', (s) => s.name)
    .text((s) => `${s.name} (${fmtCount(s.users)} users, ${s.domains} domain${s.domains === 1 ? '' : 's'})`);
  const first = S.scenarios.find((s) => s.name === 'teach-basic') ?? S.scenarios[0];
  if (first) {
    $('scenario-select').value = first.name;
    await pickScenario(first.name);
  }
  await refreshHistory();
  invalidate();
  document.body.dataset.ready = '1';
}

init();
