/**
 * The page's address: `#/<view>` with an optional `?run=<id>`, for example
 * `#/throughput?run=lx2k9-1a2b3c4d`. Tabs switch views; the address follows the view and the run
 * being watched, so a reload or a link opens the same view of the same run.
 */
import { $, invalidate, S, viewNames, viewOf } from './state.js';

/** Reads the address: { view, run } (either may be ''). */
export function parseHash(hash = location.hash) {
  const m = /^#\/?([^?]*)(?:\?(.*))?$/.exec(hash) ?? [];
  const params = new URLSearchParams(m[2] ?? '');
  return { view: m[1] ?? '', run: params.get('run') ?? '' };
}

/** The address of a view and a run. */
export function hashOf(view, run) {
  return `#/${view}${run ? `?run=${encodeURIComponent(run)}` : ''}`;
}

/** Writes the address of the current view and run (without adding a history entry). */
export function writeHash() {
  const h = hashOf(S.view, S.run?.id ?? '');
  if (location.hash !== h) history.replaceState(null, '', h);
}

export function showView(name, focus = false) {
  const names = viewNames();
  if (!names.includes(name)) name = names[0];
  const before = S.view;
  S.view = name;
  for (const v of names) {
    const tab = $(`tab-${v}`);
    tab.setAttribute('aria-selected', String(v === name));
    tab.tabIndex = v === name ? 0 : -1;
    $(`view-${v}`).hidden = v !== name;
  }
  if (focus) $(`tab-${name}`).focus();
  writeHash();
  if (before !== name) viewOf(before)?.hide?.();
  invalidate(name);
}

/** Tabs: click, arrow keys, Home and End; the address bar's hash. */
export function wireRouter(onRunInHash) {
  const names = viewNames();
  for (const v of names) $(`tab-${v}`).addEventListener('click', () => showView(v));
  $('views').addEventListener('keydown', (ev) => {
    const i = names.indexOf(S.view);
    if (ev.key === 'ArrowRight') showView(names[(i + 1) % names.length], true);
    else if (ev.key === 'ArrowLeft') showView(names[(i + names.length - 1) % names.length], true);
    else if (ev.key === 'Home') showView(names[0], true);
    else if (ev.key === 'End') showView(names[names.length - 1], true);
    else return;
    ev.preventDefault();
  });
  window.addEventListener('hashchange', () => {
    const h = parseHash();
    if (h.run && h.run !== S.run?.id) onRunInHash(h.run);
    showView(h.view);
  });
}
