/**
 * The command line's sweeps in the scalability view (GET /api/cli-sweeps): each with its status,
 * executor, scenario, parameters and recorded runs; one opens (GET /api/cli-sweeps/:id) with its
 * points, the replications of each and the worker that ran each replication, as the API gives
 * them. A finished sweep of one parameter is also drawn in the sweep charts.
 */
import d3 from '../d3.js';
import { getJson } from '../api.js';
import { fmtCount, fmtMs, fmtPct } from '../shape.js';
import { $, errorText, on, S } from '../state.js';
import { showSweep } from './scalability.js';

let list = /** @type {any[]} */ ([]);
let listError = '';

async function refresh() {
  try {
    list = (await getJson('/api/cli-sweeps')).sweeps ?? [];
    listError = '';
  } catch (e) {
    listError = errorText(e);
  }
  renderList();
}

function renderList() {
  const rows = listError ? [{ error: listError }] : list.length ? list : [{ empty: true }];
  d3.select('#cli-sweeps tbody')
    .selectAll('tr')
    .data(rows, (s) => s.id ?? (s.error ? 'error' : 'empty'))
    .join('tr')
    .attr('data-testid', (s) => (s.id ? 'cli-sweep-row' : null))
    .attr('data-id', (s) => s.id ?? null)
    .each(function (s) {
      const tr = d3.select(this);
      tr.selectAll('*').remove();
      if (!s.id) {
        tr.append('td').attr('colspan', 8).attr('class', s.error ? 'error' : 'muted').text(s.error ?? 'none in this store yet: a `sweep` with --data pointing at this server\'s data folder records one');
        return;
      }
      const cells = [s.id, s.status + (s.damage ? ` (damaged: ${s.damage})` : ''), new Date(s.createdAt).toLocaleString(), s.executor, s.scenario ?? '–', s.params.join(', ') || '–', fmtCount(s.runs)];
      for (const c of cells) tr.append('td').text(c);
      tr.append('td')
        .append('button')
        .attr('type', 'button')
        .attr('class', 'small-btn')
        .attr('data-testid', 'cli-sweep-open')
        .text('Open')
        .on('click', () => openCliSweep(s.id));
    });
}

const MEANS = [
  ['notifications / s', 'notificationsPerSec', fmtCount],
  ['p99 notification', 'latency.notification.p99', fmtMs],
  ['max utilisation', 'maxUtilisation', fmtPct],
  ['IMs / s', 'imPerSec', fmtCount],
];

/** The rows of an opened sweep: one per point of its result, or (still running) one per recorded run. */
function pointRows(sw) {
  const r = sw.result;
  if (r && Array.isArray(r.points)) {
    const params = r.params.map((p) => p.path);
    const head = [...params, 'replications', ...MEANS.map((m) => `${m[0]} (mean)`), 'worker of each replication'];
    const rows = r.points.map((p) => [
      ...params.map((k) => String(p.point[k])),
      String(p.runs.length),
      ...MEANS.map(([, k, f]) => f(p.mean?.[k])),
      p.runs.map((run, i) => `#${i + 1} seed ${run.seed}: ${run.worker}`).join(' · '),
    ]);
    return { head, rows, workers: r.points.map((p) => p.runs.map((run) => run.worker)) };
  }
  const head = ['run', 'worker', 'finished'];
  return { head, rows: sw.recorded.map((x) => [String(x.index), x.worker, new Date(x.finishedAt).toLocaleString()]), workers: [] };
}

/** A finished one-parameter sweep in the sweep charts, with its means (the API's figures). */
function toChart(sw) {
  const r = sw.result;
  if (!r || !Array.isArray(r.points) || r.params.length !== 1) return null;
  const path = r.params[0].path;
  const values = r.points.map((p) => p.point[path]);
  const points = r.points.map((p) => ({
    value: p.point[path],
    status: 'finished',
    figures: { notificationsPerSec: p.mean.notificationsPerSec, p99NotificationMs: p.mean['latency.notification.p99'], maxUtilisation: p.mean.maxUtilisation, imPerSec: p.mean.imPerSec },
  }));
  return { id: sw.id, status: `command-line sweep ${sw.id} ${sw.status}`, param: path, values, points, threshold: 0.7, saturatesAt: null };
}

export async function openCliSweep(id) {
  const box = $('cli-sweep');
  box.hidden = false;
  let sw;
  try {
    sw = await getJson(`/api/cli-sweeps/${encodeURIComponent(id)}`);
  } catch (e) {
    $('cli-sweep-title').textContent = `Cannot open sweep ${id}: ${errorText(e)}`;
    d3.select('#cli-sweep-points tbody').selectAll('tr').remove();
    return;
  }
  const { head, rows } = pointRows(sw);
  const reps = sw.result?.replications;
  $('cli-sweep-title').textContent =
    `Sweep ${sw.id}: ${sw.scenario ?? '?'}, ${sw.status}, executor ${sw.executor}` +
    (reps ? `, ${reps} replication${reps === 1 ? '' : 's'} per point` : '') +
    (sw.result ? `, ${sw.result.points.length} point(s)` : `, ${sw.recorded.length} run(s) recorded so far`) +
    (sw.damage ? ` (damaged: ${sw.damage})` : '');
  box.dataset.id = sw.id;
  d3.select('#cli-sweep-points thead tr').selectAll('th').data(head).join('th').attr('scope', 'col').text((h) => h);
  d3.select('#cli-sweep-points tbody')
    .selectAll('tr')
    .data(rows)
    .join('tr')
    .attr('data-testid', 'cli-sweep-point')
    .selectAll('td')
    .data((row) => row)
    .join('td')
    .text((c) => c);
  const chart = toChart(sw);
  if (chart) showSweep(chart);
}

export function wireCliSweeps() {
  $('cli-sweeps-refresh').addEventListener('click', () => refresh());
  $('tab-scalability').addEventListener('click', () => refresh());
  on('runs', () => {
    if (S.view === 'scalability') refresh();
  });
  refresh();
}
