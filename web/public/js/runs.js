/**
 * The run being watched: starting one from the run form, following its event stream, control
 * actions, loading its results at the end, opening a run from the history, and the history list.
 */
import d3 from './d3.js';
import { ApiError, getJson, liveEvents, postJson, runEvents } from './api.js';
import { kindBadge } from './kind-badge.js';
import { runKind } from './measured.js';
import { fmtClock, fmtMs, pairRates, parseOverrides } from './shape.js';
import { $, ACTIVE, emit, errorText, invalidate, MAX_SNAPS, S, showError } from './state.js';
import { writeHash } from './router.js';
import { editor, scenarioOf } from './scenario.js';
import { fan, setModel } from './views/fanout.js';

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
  S.overload = [];
  S.liveThresholds = [];
  S.liveProgress = null;
  emit('reset');
  showError('');
}

function ingestSnapshot(snap) {
  const prev = S.lastSnap;
  if (prev && snap.clock < prev.clock) return;
  S.pairRates = pairRates(prev, snap);
  S.lastSnap = snap;
  S.snaps.push(snap);
  if (S.snaps.length > MAX_SNAPS) S.snaps = S.snaps.filter((_, i) => i % 2 === 1);
  emit('snapshot', prev, snap);
  invalidate('fanout', 'latency', 'throughput');
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
    emit('trace', fresh);
    invalidate('teaching');
  }
}

/** Points of the run's simulated-time series from index `from` on (replayed whole on a reconnect). */
function ingestSeries(d) {
  const cur = S.series ?? { bucketMs: d.bucketMs, domains: d.domains, points: [] };
  cur.points.length = Math.min(cur.points.length, d.from);
  cur.points.push(...d.points);
  S.series = { ...cur, bucketMs: d.bucketMs || cur.bucketMs, domains: d.domains };
  S.overload = d.overload ?? [];
  S.liveThresholds = d.thresholds ?? [];
  invalidate('throughput', 'latency');
}

/** A measured run goes on in /api/live-runs: its progress frames (the driver's counts), then its end. */
function followLive(run) {
  S.run = run;
  updateRunUi();
  const mine = () => S.run?.id === run.id;
  S.closeStream = liveEvents(run.id, {
    status: (e) => {
      if (mine() && e.counts) S.liveProgress = e.counts;
      invalidate('latency', 'throughput');
    },
    progress: (p) => {
      if (!mine()) return;
      S.liveProgress = p;
      invalidate('latency', 'throughput');
    },
    end: (e) => {
      if (e.error && mine()) showError(`The live run ${e.status ?? e.state}: ${e.error}`);
      finishRun(run.id);
    },
    error: () => finishRun(run.id),
  });
}

function follow(run) {
  if (runKind(run) === 'measured') return followLive(run);
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
    series: (d) => ingestSeries(d),
    end: (e) => {
      if (S.run) S.run = { ...S.run, status: e.status, error: e.error ?? S.run.error };
      if (e.error) showError(`The run ${e.status}: ${e.error}`);
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
    if (summary.error && runKind(summary) === 'measured') showError(`The live run ${summary.status}: ${summary.error}`);
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
      S.series = await getJson(`/api/runs/${id}/timeseries`);
    } catch {
      // keep what the stream gave
    }
  } catch (e) {
    showError(`Cannot read the run's results: ${e.message}`);
  }
  updateRunUi();
  invalidate();
  await refreshHistory();
}

/** The report of an ended run (a few are cached). */
export async function reportOf(id) {
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
  const thresholds = $('thresholds').value.split('\n').map((t) => t.trim()).filter(Boolean);
  if (thresholds.length) body.thresholds = thresholds;
  const speed = $('speed').value.trim();
  if (speed !== '') body.speed = Number(speed);
  else if (mode === 'interactive') body.speed = Number($('teach-speed').value);
  return body;
}

/** Starts a run from the form; resolves to its summary, or null (the error is shown). */
export async function startRun() {
  const body = runBody();
  $('start-btn').disabled = true;
  showError('');
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
    showError(errorText(e));
    return null;
  } finally {
    $('start-btn').disabled = false;
  }
}

export async function control(action, extra = {}) {
  const run = S.run;
  if (!run) return;
  if (runKind(run) === 'measured') return stopLive(run, action);
  try {
    const s = await postJson(`/api/runs/${run.id}/control`, { action, ...extra });
    if (S.run?.id === s.id && ACTIVE.has(S.run.status)) {
      S.run = s;
      updateRunUi();
    }
  } catch (e) {
    showError(errorText(e));
  }
}

/** A measured run takes one action, stop (POST /api/live-runs/:id/control); its end comes on its stream. */
async function stopLive(run, action) {
  if (action !== 'stop') return;
  $('stop-btn').disabled = true;
  try {
    await postJson(`/api/live-runs/${encodeURIComponent(run.id)}/control`, { action });
  } catch (e) {
    showError(errorText(e));
  }
}

export const stepTo = () => control('step', { to: $('step-to').value });

function updateRunUi() {
  const run = S.run;
  // a measured run is driven by the live-run API, which takes stop only (below)
  const active = run && ACTIVE.has(run.status) && runKind(run) !== 'measured';
  const interactive = run?.mode === 'interactive';
  $('pause-btn').disabled = !active;
  $('pause-btn').textContent = run?.status === 'paused' ? 'Resume' : 'Pause';
  $('step-btn').disabled = !(active && interactive);
  $('speed-btn').disabled = !active;
  // a running measured run can be stopped (its report then covers the time measured)
  $('stop-btn').disabled = !(active || (run?.status === 'running' && runKind(run) === 'measured'));
  const badge = $('run-badge');
  badge.replaceChildren();
  if (run) {
    const st = document.createElement('span');
    st.className = `status ${run.status}`;
    st.textContent = run.status;
    st.setAttribute('data-testid', 'run-status');
    const kind = runKind(run);
    badge.append(st, ...(kind ? [kindBadge(kind)] : []));
    const what =
      kind === 'measured'
        ? `${run.scenario} · live · seed ${run.seed} · ${fmtClock(run.duration)} of wall-clock time`
        : `${run.scenario} · ${run.mode} · seed ${run.seed} · ${run.workers} worker${run.workers === 1 ? '' : 's'}` + (run.speed > 0 ? ` · speed ${run.speed}×` : '');
    badge.append(`${what} · ${run.id}`);
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
  const html = $('export-html');
  if (run && done) {
    html.href = `/api/runs/${run.id}/report.html`;
    html.setAttribute('aria-disabled', 'false');
  } else {
    html.removeAttribute('href');
    html.setAttribute('aria-disabled', 'true');
  }
  // a measured run has no simulated-time series (its timeline is in its report)
  if (run && runKind(run) !== 'measured') {
    csv.href = `/api/runs/${run.id}/timeseries.csv`;
    csv.download = `impp-sim-${run.scenario}-${run.id}-timeseries.csv`;
    csv.setAttribute('aria-disabled', 'false');
  } else {
    csv.removeAttribute('href');
    csv.setAttribute('aria-disabled', 'true');
  }
  // the run's tags and note (kept unless the user is editing them)
  $('run-notes-save').disabled = !run;
  if (run && $('run-tags').dataset.run !== run.id) {
    $('run-tags').dataset.run = run.id;
    $('run-tags').value = (run.tags ?? []).join(', ');
    $('run-note').value = run.note ?? '';
  }
  writeHash();
  invalidate('teaching');
  renderHistory();
  emit('run-ui');
}

/** Saves the tags and note of the run being watched. */
export async function saveNotes() {
  const run = S.run;
  if (!run) return;
  const tags = $('run-tags').value.split(',').map((t) => t.trim()).filter(Boolean);
  try {
    const s = await postJson(`/api/runs/${run.id}/notes`, { tags, note: $('run-note').value });
    if (S.run?.id === s.id) S.run = { ...S.run, tags: s.tags, note: s.note };
    $('run-notes-save').textContent = 'Saved';
    setTimeout(() => ($('run-notes-save').textContent = 'Save tags and note'), 1500);
    await refreshHistory();
  } catch (e) {
    showError(errorText(e));
  }
}

/** Loads a run (from the history or the address) into every view; a live run is followed. */
export async function openRun(id) {
  resetRunView();
  try {
    const got = await getJson(`/api/runs/${encodeURIComponent(id)}`);
    const { snapshot, ...summary } = got;
    S.run = summary;
    const sc = S.scenarios.find((s) => s.name === summary.scenario) ? await scenarioOf(summary.scenario) : null;
    if (sc) setModel(sc);
    else fan.domains([]);
    if (snapshot) ingestSnapshot(snapshot);
    if (ACTIVE.has(summary.status)) follow(summary);
    else await finishRun(id);
  } catch (e) {
    showError(`Cannot open run ${id}: ${e.message}`);
  }
  updateRunUi();
  invalidate();
}

// ---------------------------------------------------------------- history

export async function refreshHistory() {
  try {
    S.runs = (await getJson('/api/runs')).runs ?? [];
  } catch {
    return;
  }
  renderHistory();
  emit('runs');
}

function renderHistory() {
  const li = d3
    .select('#history')
    .selectAll('li')
    .data(S.runs.slice(0, 60), (r) => r.id)
    .join((e) => {
      const l = e.append('li');
      l.append('button').attr('type', 'button').attr('class', 'open');
      l.append('span').attr('class', 'kind-slot');
      l.append('span').attr('class', 'st');
      return l;
    })
    .classed('current', (r) => r.id === S.run?.id)
    .attr('data-testid', 'history-item')
    .attr('data-id', (r) => r.id);
  li.select('button.open')
    .text((r) => `${r.tags?.length ? `[${r.tags.join(', ')}] ` : ''}${r.scenario} · ${new Date(r.createdAt).toLocaleTimeString()}`)
    .attr('title', (r) => `Open run ${r.id}${r.note ? `: ${r.note}` : ''}`)
    .on('click', (ev, r) => openRun(r.id));
  li.select('span.kind-slot').each(function (r) {
    const kind = runKind(r);
    if (this.dataset.kind === (kind ?? '')) return;
    this.dataset.kind = kind ?? '';
    this.replaceChildren(...(kind ? [kindBadge(kind)] : []));
  });
  li.select('span.st').text((r) => `${r.status}${r.figures ? ` · p99 ${fmtMs(r.figures.p99NotificationMs)}` : ''}`);
}
