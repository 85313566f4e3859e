/**
 * The scalability view: a sweep of one parameter over values (POST /api/sweeps), polled until it
 * ends, with notifications / s, p99 and the busiest domain's utilisation against the value.
 */
import d3 from '../d3.js';
import { ApiError, getJson, postJson } from '../api.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/common.js';
import { fmtCount, fmtMs, fmtPct, parseOverrides, parseValues } from '../shape.js';
import { $, invalidate, registerView, S } from '../state.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const swN = lineChart().title('Notifications / s').yLabel('notifications / s').width(460).height(300).testid('sweep-notifications');
const swP = lineChart().title('p99 notification latency').yLabel('ms').width(460).height(300).testid('sweep-p99');
const swU = lineChart().title('Max utilisation').yLabel('utilisation').yTickFormat(d3.format('.0%')).width(460).height(300).testid('sweep-utilisation');

let sweep = /** @type {any} */ (null);
let timer = 0;

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
    sweep = { id, status: 'running', param: body.param, values, points: values.map((value) => ({ value, status: 'pending' })), threshold: 0.8, saturatesAt: null };
    invalidate('scalability');
    pollSweep(id);
  } catch (e) {
    $('sweep-status').textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
    $('sweep-start').disabled = false;
  }
}

async function pollSweep(id) {
  clearTimeout(timer);
  try {
    sweep = await getJson(`/api/sweeps/${id}`);
    invalidate('scalability');
    if (sweep.status === 'running') {
      timer = window.setTimeout(() => pollSweep(id), 600);
      return;
    }
  } catch (e) {
    $('sweep-status').textContent = `Cannot read the sweep: ${e.message}`;
  }
  $('sweep-start').disabled = false;
}

function render() {
  const sw = sweep;
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
  const saturates = sw.saturatesAt !== null && sw.saturatesAt !== undefined;
  $('sweep-status').textContent = `${sw.status}: ${done} of ${sw.points.length} point(s)` + (saturates ? ` · saturates at ${sw.param} = ${sw.saturatesAt}` : '');
  const numeric = sw.values.every((v) => typeof v === 'number');
  const xOf = (v) => (numeric ? v : sw.values.indexOf(v));
  const xf = numeric ? null : (i) => (Number.isInteger(i) && sw.values[i] !== undefined ? String(sw.values[i]) : '');
  const pts = (f) => sw.points.filter((p) => p.figures).map((p) => [xOf(p.value), f(p.figures)]);
  const sat = saturates ? [{ x: xOf(sw.saturatesAt), label: `saturates at ${sw.saturatesAt}`, color: '#b3261e' }] : [];
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
      p.status + (p.error ? `: ${p.error}` : '') + (p.figures?.saturation?.length ? ` · saturated: ${p.figures.saturation.join('; ')}` : '') + (p.workers?.length ? ` · ran on ${[...new Set(p.workers)].join(', ')}` : ''),
      fmtCount(p.figures?.notificationsPerSec),
      fmtMs(p.figures?.p99NotificationMs),
      fmtPct(p.figures?.maxUtilisation),
      fmtCount(p.figures?.imPerSec),
    ])
    .text((d) => d);
}

/** Shows a sweep made elsewhere (a command-line sweep, cli-sweeps.js) in the charts and the table. */
export function showSweep(sw) {
  clearTimeout(timer);
  sweep = sw;
  invalidate('scalability');
}

export function wireScalability() {
  $('sweep-form').addEventListener('submit', startSweep);
}

registerView('scalability', { render });
