/**
 * Capacity search from the Scalability tab (POST /api/sizes, the CLI's `size`): the smallest
 * number of servers or cores per server that meets the targets (none: the saturation rule),
 * probes listed as they finish, the answer in total cores and the sizing report.
 */
import d3 from '../d3.js';
import { getJson, postJson } from '../api.js';
import { parseOverrides } from '../shape.js';
import { $, errorText, S } from '../state.js';

let timer = 0;

function render(z) {
  $('size-status').textContent = z.status === 'running' ? `searching: ${z.probes.length} probe(s) so far` : z.status === 'failed' ? `failed: ${z.error}` : `finished after ${z.probes.length} probe(s)`;
  d3.select('#size-probes')
    .selectAll('li')
    .data(z.probes)
    .join('li')
    .attr('data-testid', 'size-probe')
    .text((p) => `${p.passed ? 'pass' : 'FAIL'}  ${Object.entries(p.setting).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  $('size-answer').hidden = !z.text;
  $('size-answer').textContent = z.text ?? '';
  $('size-report').hidden = z.status !== 'finished';
  if (z.status === 'finished') $('size-report').href = `/api/sizes/${z.id}/report.html`;
}

async function poll(id) {
  clearTimeout(timer);
  try {
    const z = await getJson(`/api/sizes/${id}`);
    render(z);
    if (z.status === 'running') {
      timer = window.setTimeout(() => poll(id), 700);
      return;
    }
  } catch (e) {
    $('size-status').textContent = errorText(e);
  }
  $('size-start').disabled = false;
}

async function start(ev) {
  ev.preventDefault();
  const targets = $('size-targets').value.split(';').map((t) => t.trim()).filter(Boolean);
  const body = /** @type {any} */ ({ scenario: S.scenarioName, vary: $('size-vary').value, overrides: parseOverrides($('overrides').value) });
  if (targets.length) body.targets = targets;
  const duration = $('size-duration').value.trim();
  if (duration) body.duration = /^\d+$/.test(duration) ? Number(duration) : duration;
  const reps = Number($('size-reps').value);
  if (reps > 1) body.replications = reps;
  $('size-start').disabled = true;
  $('size-status').textContent = 'starting…';
  try {
    const { id } = await postJson('/api/sizes', body);
    poll(id);
  } catch (e) {
    $('size-status').textContent = errorText(e);
    $('size-start').disabled = false;
  }
}

export function wireSizing() {
  $('size-form').addEventListener('submit', start);
}
