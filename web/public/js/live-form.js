/**
 * The Live run form: a built-in scenario driven against a real XMPP server through
 * POST /api/live-runs (users, measured duration, rate scale), then watched like any run (runs.js
 * follows its progress frames and loads its measured report at the end). The targets are the ones
 * the API lists (`targets` of GET /api/live-runs: the embedded servers installed on its machine)
 * or, where it lists none, the embedded Prosody. Errors of the API show in the form, with their code.
 */
import d3 from './d3.js';
import { getJson, postJson } from './api.js';
import { errorText, $, on, S } from './state.js';
import { openRun, refreshHistory } from './runs.js';

/** whether the API lists targets (then the chosen one is sent), else the embedded Prosody only */
let listed = false;

/** The scenarios of the form: the built-in ones, the one picked in the Scenario card preselected. */
export function fillLiveScenarios(preferred = S.scenarioName) {
  const el = $('live-scenario');
  const keep = el.dataset.user === '1' ? el.value : preferred;
  d3.select(el)
    .selectAll('option')
    .data(S.scenarios, (s) => s.name)
    .join('option')
    .attr('value', (s) => s.name)
    .text((s) => `${s.name} (${s.users} users)`);
  if (keep) el.value = keep;
}

async function fillTargets() {
  let targets = null;
  try {
    const got = await getJson('/api/live-runs');
    if (Array.isArray(got?.targets) && got.targets.length) targets = got.targets;
  } catch {
    // the list is read again when a run starts; the form offers the embedded Prosody meanwhile
  }
  listed = targets !== null;
  const opts = (targets ?? [{ name: 'prosody', description: 'embedded Prosody on loopback' }]).map((t) => (typeof t === 'string' ? { name: t, description: t } : t));
  d3.select('#live-target')
    .selectAll('option')
    .data(opts, (t) => t.name)
    .join('option')
    .attr('value', (t) => t.name)
    .text((t) => (t.description && t.description !== t.name ? `${t.name}: ${t.description}` : t.name));
}

/** The request body from the form; an input the API would refuse is named here first. */
function liveBody() {
  const body = /** @type {any} */ ({ scenario: $('live-scenario').value });
  const users = $('live-users').value.trim();
  if (users !== '') body.users = Number(users);
  const duration = $('live-duration').value.trim();
  if (duration !== '') body.duration = /^\d+$/.test(duration) ? `${duration}ms` : duration;
  const scale = $('live-rate-scale').value.trim();
  if (scale !== '') body.rateScale = Number(scale);
  if (listed) body.target = $('live-target').value;
  return body;
}

async function startLive(ev) {
  ev.preventDefault();
  const btn = $('live-start');
  $('live-error').textContent = '';
  $('live-status').textContent = 'starting…';
  btn.disabled = true;
  try {
    const { id } = await postJson('/api/live-runs', liveBody());
    $('live-status').textContent = `live run ${id} started`;
    await openRun(id);
    // listed in the history from its start, with its badge
    refreshHistory();
  } catch (e) {
    $('live-status').textContent = '';
    $('live-error').textContent = errorText(e);
  } finally {
    btn.disabled = false;
  }
}

/** The state of the watched measured run, in the form: its end and its error. */
function followRun() {
  const run = S.run;
  if (!run || run.mode !== 'live') return;
  if (run.status === 'running') $('live-status').textContent = `live run ${run.id}: running`;
  else $('live-status').textContent = `live run ${run.id}: ${run.status}`;
  if (run.status === 'failed' && run.error) $('live-error').textContent = `The live run failed: ${run.error}`;
}

export function wireLiveForm() {
  $('live-form').addEventListener('submit', startLive);
  $('live-scenario').addEventListener('change', () => ($('live-scenario').dataset.user = '1'));
  $('scenario-select').addEventListener('change', (ev) => fillLiveScenarios(/** @type {HTMLSelectElement} */ (ev.target).value));
  on('run-ui', followRun);
  fillTargets();
}
