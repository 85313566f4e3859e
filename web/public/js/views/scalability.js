/**
 * The scalability view: a sweep of one parameter over values (POST /api/sweeps), followed through
 * its event stream (GET /api/sweeps/:id/events; polled when the stream fails) until it ends, with
 * notifications / s, p99 and the busiest domain's utilisation against the value, and its progress
 * (sweep-progress.js): runs done, time so far and left, the executor and the workers seen.
 */
import d3 from '../d3.js';
import { ApiError, getJson, postJson, sweepEvents } from '../api.js';
import { lineChart } from '../charts/line-chart.js';
import { PALETTE } from '../charts/common.js';
import { fmtCount, fmtMs, fmtPct, parseOverrides, parseValues } from '../shape.js';
import { $, invalidate, registerView, S } from '../state.js';
import { sweepProgress } from '../sweep-progress.js';

const BLUE = PALETTE[0];
const ORANGE = PALETTE[1];
const swN = lineChart().title('Notifications / s').yLabel('notifications / s').width(460).height(300).testid('sweep-notifications');
const swP = lineChart().title('p99 notification latency').yLabel('ms').width(460).height(300).testid('sweep-p99');
const swU = lineChart().title('Max utilisation').yLabel('utilisation').yTickFormat(d3.format('.0%')).width(460).height(300).testid('sweep-utilisation');

let sweep = /** @type {any} */ (null);
let timer = 0;
/** redraws the progress once a second while a sweep runs: a long run sends nothing for minutes */
let ticker = 0;
/**
 * The sweep this page follows: since (the page's clock when it asked for it), endedAt (when it saw
 * it end), mode (`stream`, or `poll` once the stream failed) and close (the stream's).
 * @type {{ id: string, since: number, endedAt: number | null, mode: 'stream' | 'poll', close: () => void } | null}
 */
let follow = null;

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
  const since = Date.now();
  try {
    const { id } = await postJson('/api/sweeps', body);
    sweep = { id, status: 'running', param: body.param, values, replications: reps > 1 ? reps : 1, points: values.map((value) => ({ value, status: 'pending', runs: [] })), threshold: 0.8, saturatesAt: null };
    followSweep(id, since);
  } catch (e) {
    $('sweep-status').textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
    $('sweep-start').disabled = false;
  }
}

function unfollow() {
  clearTimeout(timer);
  clearInterval(ticker);
  follow?.close();
  follow = null;
}

/** Follows the sweep through its event stream; polls it instead when the stream fails. */
function followSweep(id, since) {
  unfollow();
  const f = /** @type {NonNullable<typeof follow>} */ ({ id, since, endedAt: null, mode: 'stream', close: () => {} });
  follow = f;
  invalidate('scalability');
  ticker = window.setInterval(() => {
    if (follow === f && sweep?.id === f.id && sweep.status === 'running') renderProgress(sweep);
  }, 1000);
  f.close = sweepEvents(id, {
    sweep: (s) => {
      if (follow !== f) return;
      sweep = s;
      if (s.status !== 'running') ended(f);
      invalidate('scalability');
    },
    end: () => {
      // the last state frame precedes `end`; read it once more in case the stream skipped one
      if (follow === f) pollSweep(f);
    },
    error: () => {
      if (follow !== f) return;
      f.mode = 'poll';
      pollSweep(f);
    },
  });
}

/** The page saw the sweep end: its time stops there. */
function ended(f) {
  f.endedAt ??= Date.now();
  clearInterval(ticker);
}

async function pollSweep(f) {
  clearTimeout(timer);
  try {
    const s = await getJson(`/api/sweeps/${f.id}`);
    if (follow !== f) return;
    sweep = s;
    if (sweep.status === 'running') {
      invalidate('scalability');
      if (f.mode === 'poll') timer = window.setTimeout(() => pollSweep(f), 600);
      return;
    }
    ended(f);
    invalidate('scalability');
  } catch (e) {
    if (follow !== f) return;
    $('sweep-status').textContent = `Cannot read the sweep: ${e.message}`;
  }
  $('sweep-start').disabled = false;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The progress bar, the times, the executor and the workers seen (sweep-progress.js). */
function renderProgress(sw) {
  const box = $('sweep-progress');
  const followed = follow !== null && follow.id === sw.id ? follow : null;
  // a command-line sweep shown here (cli-sweeps.js) has a shape of its own and no progress
  box.hidden = sw.id === undefined || (followed === null && sw.executor === undefined);
  if (box.hidden) return;
  const p = sweepProgress(sw, followed, Date.now());
  box.dataset.follow = followed?.mode ?? 'none';
  box.dataset.executor = p.executor;
  const bar = $('sweep-progress-bar');
  bar.setAttribute('aria-valuemax', String(p.total));
  bar.setAttribute('aria-valuenow', String(p.done));
  $('sweep-progress-fill').style.width = `${p.total > 0 ? (100 * p.done) / p.total : 0}%`;
  $('sweep-progress-text').textContent = `${p.done} of ${plural(p.total, 'run', 'runs')} done`;
  const clock = p.clock === 'page' ? " (this page's clock)" : p.clock === 'server' && sw.status === 'running' ? ' (the server, at the last result)' : '';
  let times = 'time: not known (a sweep this page did not start)';
  if (p.elapsedMs !== null) {
    times = sw.status === 'running' ? `elapsed ${fmtMs(p.elapsedMs)}${clock}` : `took ${fmtMs(p.elapsedMs)}${clock}`;
    if (sw.status === 'running') times += p.etaMs === null ? ' · time left: estimated after the first run' : ` · about ${fmtMs(p.etaMs)} left (estimate at the pace so far)`;
  }
  $('sweep-eta').textContent = times;
  $('sweep-executor').textContent = p.executor === 'queue' ? `executor: queue at ${p.where ?? '(address not given)'}` : "executor: local (this server's worker threads, one run at a time)";
  $('sweep-workers-line').hidden = p.executor !== 'queue';
  const list = $('sweep-workers');
  list.textContent = p.workers.length === 0 ? 'none yet' : '';
  p.workers.forEach((w, i) => {
    const el = document.createElement('span');
    el.dataset.testid = 'sweep-worker';
    el.dataset.worker = w.name;
    el.dataset.runs = String(w.runs);
    el.textContent = `${i > 0 ? ', ' : ''}${w.name} (${plural(w.runs, 'run', 'runs')})`;
    list.append(el);
  });
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
    $('sweep-progress').hidden = true;
    return;
  }
  renderProgress(sw);
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
  unfollow();
  $('sweep-start').disabled = false;
  sweep = sw;
  invalidate('scalability');
}

export function wireScalability() {
  $('sweep-form').addEventListener('submit', startSweep);
}

registerView('scalability', { render });
