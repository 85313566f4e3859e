/**
 * The compare view: two finished runs side by side (key figures and their difference) and their
 * latency CDFs overlaid.
 */
import d3 from '../d3.js';
import { PALETTE } from '../charts/common.js';
import { latencyCdfChart } from '../charts/latency-cdf.js';
import { cdfPoints, fmtClock, fmtCount, fmtMs, fmtPct } from '../shape.js';
import { $, invalidate, on, registerView, S, showError } from '../state.js';
import { reportOf } from '../runs.js';
import { runKind } from '../measured.js';
import { kindBadge } from '../kind-badge.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const cmpCdf = latencyCdfChart().title('Latency CDFs').height(320).testid('compare-cdf');

function fillSelects() {
  const done = S.runs.filter((r) => r.figures);
  const label = (r) =>
    `${r.tags?.length ? `[${r.tags.join(', ')}] ` : ''}${r.scenario}${runKind(r) ? ` (${runKind(r)})` : ''} · seed ${r.seed} · ${fmtClock(r.duration)}` +
    `${r.overrides?.length ? ` · ${r.overrides.join(' ')}` : ''} · ${new Date(r.createdAt).toLocaleTimeString()} (${r.id})${r.note ? ` · ${r.note}` : ''}`;
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
  { k: 'events', f: (r) => r.engine?.events },
  { k: 'wall-clock time', f: (r) => r.engine?.wallMs, fmt: fmtMs, worse: 1 },
  { k: 'events / s (wall)', f: (r) => r.engine?.eventsPerSec, worse: -1 },
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
  { k: 'leaks', f: (r) => r.security?.leaks, worse: 1 },
  // only a measured run has these (docs/live.md)
  { k: 'server utilisation (measured)', f: (r) => r.server?.utilisation, fmt: fmtPct, worse: 1 },
  { k: 'server CPU per stanza (measured)', f: (r) => r.server?.cpuPerStanzaUs, fmt: (x) => `${fmtCount(x)} µs`, worse: 1 },
  { k: 'server RSS (measured)', f: (r) => r.server?.rssBytes, fmt: (x) => `${(x / 1e6).toFixed(1)} MB`, worse: 1 },
  { k: "driver's CPU share (measured)", f: (r) => r.driver?.cpuShare, fmt: fmtPct, worse: 1 },
];

/**
 * The parameters in which two runs differ: from their summaries (seed, duration, workers, mode,
 * speed, overrides, tags, note) and their reports (warm-up, users, servers and cores per domain).
 */
export function paramDiff(sa, sb, ra, rb) {
  const rows = [];
  const add = (k, a, b) => {
    if (String(a) !== String(b)) rows.push({ k, a: String(a), b: String(b) });
  };
  add('kind', runKind(sa) ?? '–', runKind(sb) ?? '–');
  add('scenario', sa.scenario, sb.scenario);
  add('seed', sa.seed, sb.seed);
  add('duration', fmtClock(sa.duration), fmtClock(sb.duration));
  add('warm-up', fmtClock(ra.parameters.warmup ?? 0), fmtClock(rb.parameters.warmup ?? 0));
  add('mode', sa.mode, sb.mode);
  add('workers', sa.workers, sb.workers);
  add('speed', sa.speed || 'fastest', sb.speed || 'fastest');
  const oa = new Set(sa.overrides ?? []);
  const ob = new Set(sb.overrides ?? []);
  add('overrides', [...oa].filter((o) => !ob.has(o)).join(' ') || '–', [...ob].filter((o) => !oa.has(o)).join(' ') || '–');
  for (const name of new Set([...Object.keys(ra.domains), ...Object.keys(rb.domains)])) {
    const da = ra.domains[name];
    const db = rb.domains[name];
    for (const f of ['users', 'servers', 'cores']) if (da?.[f] !== undefined || db?.[f] !== undefined) add(`${name} ${f}${f === 'cores' ? ' per server' : ''}`, da?.[f] ?? '–', db?.[f] ?? '–');
  }
  add('tags', (sa.tags ?? []).join(', ') || '–', (sb.tags ?? []).join(', ') || '–');
  add('note', sa.note || '–', sb.note || '–');
  return rows;
}

let seq = 0;
async function render() {
  const a = $('compare-a').value;
  const b = $('compare-b').value;
  const my = ++seq;
  if (!a || !b) {
    d3.select('#compare-cdf').datum([]).call(cmpCdf.emptyText('finish two runs to compare them'));
    return;
  }
  let ra;
  let rb;
  try {
    [ra, rb] = await Promise.all([reportOf(a), reportOf(b)]);
  } catch (e) {
    showError(`Cannot load the reports to compare: ${e.message}`);
    return;
  }
  if (my !== seq) return;
  const sa = S.runs.find((r) => r.id === a) ?? { scenario: ra.scenario, seed: ra.seed };
  const sb = S.runs.find((r) => r.id === b) ?? { scenario: rb.scenario, seed: rb.seed };
  const diff = paramDiff(sa, sb, ra, rb);
  for (const [slot, s] of [
    ['compare-a-kind', sa],
    ['compare-b-kind', sb],
  ]) {
    const kind = runKind(s);
    $(slot).replaceChildren(...(kind ? [kindBadge(kind)] : []));
  }
  d3.select('#compare-params tbody')
    .selectAll('tr')
    .data(diff.length ? diff : [{ k: 'none: the two runs have the same parameters', a: '', b: '' }], (r) => r.k)
    .join((e) => {
      const tr = e.append('tr').attr('data-testid', 'param-diff');
      tr.append('th').attr('scope', 'row');
      tr.append('td');
      tr.append('td');
      return tr;
    })
    .call((tr) => {
      tr.select('th').text((r) => r.k);
      tr.selectAll('td')
        .data((r) => [r.a, r.b])
        .text((d) => d);
    });
  // a figure neither report has (a measured one of two simulated runs) is left out
  const rows = FIGURES.filter((f) => f.f(ra) !== undefined || f.f(rb) !== undefined).map((f) => {
    const va = f.f(ra) ?? '–';
    const vb = f.f(rb) ?? '–';
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
      { key: 'an', label: 'A notification', color: BLUE, values: cdfPoints(ra.latencyCdf.notification) },
      { key: 'ai', label: 'A IM', color: BLUE, dash: '6 3', values: cdfPoints(ra.latencyCdf.im) },
      { key: 'bn', label: 'B notification', color: ORANGE, values: cdfPoints(rb.latencyCdf.notification) },
      { key: 'bi', label: 'B IM', color: ORANGE, dash: '6 3', values: cdfPoints(rb.latencyCdf.im) },
    ])
    .call(cmpCdf);
}

export function wireCompare() {
  for (const id of ['compare-a', 'compare-b']) {
    $(id).addEventListener('change', () => {
      $(id).dataset.user = '1';
      invalidate('compare');
    });
  }
}

registerView('compare', { render });
on('runs', fillSelects);
