/**
 * What the page keeps in the browser (localStorage) so that a reload or a second tab loses no
 * work: the scenario picked, the YAML as edited, and the run form. The run and the view being
 * watched are in the address (router.js).
 */
import { $ } from './state.js';

const KEY = 'impp-sim.form';
const FIELDS = ['seed', 'workers', 'duration', 'speed', 'overrides', 'thresholds'];

/** The saved form, or null. */
export function loadForm() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

/** Saves the scenario, its text and the run form. */
export function saveForm(scenario, yaml) {
  const form = { scenario, yaml, mode: $('mode-interactive').checked ? 'interactive' : 'batch' };
  for (const f of FIELDS) form[f] = $(f).value;
  try {
    localStorage.setItem(KEY, JSON.stringify(form));
  } catch {
    // storage full or disabled: the page works, it just forgets on reload
  }
}

/** Puts a saved form's run fields back (the scenario and its text are the caller's). */
export function restoreFields(form) {
  for (const f of FIELDS) if (typeof form[f] === 'string') $(f).value = form[f];
  if (form.mode === 'interactive') $('mode-interactive').checked = true;
}

/** Saves whenever the editor or a form field changes (the editor a moment after typing stops). */
export function watchForm(current) {
  let timer = 0;
  const later = () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => saveForm(...current()), 300);
  };
  $('yaml-editor').addEventListener('input', later);
  for (const f of FIELDS) $(f).addEventListener('input', later);
  for (const id of ['mode-batch', 'mode-interactive']) $(id).addEventListener('change', later);
  window.addEventListener('pagehide', () => saveForm(...current()));
}
