/**
 * The dashboard's entry: loads the views (one module per tab under views/), wires the controls
 * that are not a view's own, and opens the scenario and the run the address names.
 */
import { downloadPng, downloadSvg } from './export.js';
import { $, invalidate, S, showError } from './state.js';
import './counters.js';
import './measured-panel.js';
import { fillLiveScenarios, wireLiveForm } from './live-form.js';
import './views/fanout.js';
import './views/latency.js';
import './views/throughput.js';
import { wireTeaching } from './views/teaching.js';
import { wireScalability } from './views/scalability.js';
import { wireCliSweeps } from './views/cli-sweeps.js';
import { wireCompare } from './views/compare.js';
import { wireSizing } from './views/sizing.js';
import { parseHash, showView, wireRouter } from './router.js';
import { control, openRun, refreshHistory, saveNotes, startRun, stepTo } from './runs.js';
import { editor, loadScenarios, pickScenario } from './scenario.js';
import { loadForm, restoreFields, saveForm, watchForm } from './persist.js';

function wireExports() {
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
      showError(`Export failed: ${e.message}`);
    }
  });
}

function wireControls() {
  const save = () => saveForm(S.scenarioName, editor.get());
  $('scenario-select').addEventListener('change', async (ev) => {
    await pickScenario(ev.target.value);
    save();
  });
  $('validate-btn').addEventListener('click', () => editor.validate());
  $('revert-btn').addEventListener('click', async () => {
    await pickScenario(S.scenarioName);
    save();
  });
  watchForm(() => [S.scenarioName, editor.get()]);
  $('start-btn').addEventListener('click', () => startRun());
  $('pause-btn').addEventListener('click', () => control(S.run?.status === 'paused' ? 'resume' : 'pause'));
  $('step-btn').addEventListener('click', () => stepTo());
  $('speed-btn').addEventListener('click', () => control('speed', { speed: Number($('speed').value || 0) }));
  $('stop-btn').addEventListener('click', () => control('stop'));
  $('history-refresh').addEventListener('click', () => refreshHistory());
  $('run-notes-save').addEventListener('click', () => saveNotes());
  $('page-error-close').addEventListener('click', () => showError(''));
}

function wirePreferences() {
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
}

async function init() {
  wireRouter((id) => openRun(id));
  wireExports();
  wireControls();
  wireTeaching();
  wireScalability();
  wireCliSweeps();
  wireSizing();
  wireCompare();
  wireLiveForm();
  wirePreferences();
  const start = parseHash();
  showView(start.view);
  const defaultName = await loadScenarios();
  // the scenario and edits of the last visit, else the server's default scenario
  const saved = loadForm();
  const first = S.scenarios.find((s) => s.name === saved?.scenario) ?? S.scenarios.find((s) => s.name === defaultName) ?? S.scenarios[0];
  if (saved) restoreFields(saved);
  if (first) {
    $('scenario-select').value = first.name;
    await pickScenario(first.name, first.name === saved?.scenario && typeof saved.yaml === 'string' ? saved.yaml : undefined);
  }
  fillLiveScenarios();
  await refreshHistory();
  if (start.run) await openRun(start.run);
  invalidate();
  document.body.dataset.ready = '1';
}

init();
