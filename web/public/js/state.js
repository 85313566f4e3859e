/**
 * The page's shared state and its redraw loop: what the page is watching (scenario, run,
 * snapshots, trace, report), which views need drawing, and a tiny event bus so that the run
 * lifecycle (runs.js) and the views (views/*.js) do not import each other.
 */

export const $ = (id) => /** @type {any} */ (document.getElementById(id));
export const ACTIVE = new Set(['running', 'paused']);
/** Live snapshots the page keeps (older ones are thinned, every other one dropped). */
export const MAX_SNAPS = 1500;

/** Page state. */
export const S = {
  scenarios: /** @type {any[]} */ ([]),
  scenarioName: '',
  builtinYaml: '',
  /** the resolved scenario of the editor text (from the API) */
  model: /** @type {any} */ (null),
  run: /** @type {any} */ (null),
  closeStream: /** @type {null | (() => void)} */ (null),
  streamTraceSeen: 0,
  snaps: /** @type {any[]} */ ([]),
  lastSnap: /** @type {any} */ (null),
  pairRates: new Map(),
  trace: /** @type {Array<{index: number, record: any}>} */ ([]),
  report: /** @type {any} */ (null),
  /** the server's time series of the run (simulated-time buckets) */
  series: /** @type {any} */ (null),
  /** the live overload warning: domains whose queue keeps growing (the server's rule) */
  overload: /** @type {string[]} */ ([]),
  /** the run's thresholds judged on the live view so far (the server's) */
  liveThresholds: /** @type {any[]} */ ([]),
  /** a measured (live) run's last progress frame: the driver's counts so far */
  liveProgress: /** @type {any} */ (null),
  selected: -1,
  view: 'fanout',
  runs: /** @type {any[]} */ ([]),
  reports: new Map(),
};

// ---------------------------------------------------------------- views and redraws

/** @type {Map<string, { render: () => void | Promise<void>, hide?: () => void }>} */
const views = new Map();
const dirty = new Set();
const always = [];
let frame = 0;

/** Registers a view (its tab is `#tab-<name>`, its panel `#view-<name>`). */
export function registerView(name, view) {
  views.set(name, view);
  dirty.add(name);
}

export const viewNames = () => [...views.keys()];
export const viewOf = (name) => views.get(name);

/** Registers something drawn on every frame whatever the view (the counters). */
export function everyFrame(fn) {
  always.push(fn);
}

/** Marks views (all when none is named) for redrawing at the next animation frame. */
export function invalidate(...names) {
  for (const v of names.length ? names : views.keys()) dirty.add(v);
  if (!frame) frame = requestAnimationFrame(flush);
}

function flush() {
  frame = 0;
  for (const fn of always) fn();
  if (!dirty.has(S.view)) return;
  dirty.delete(S.view);
  try {
    const out = views.get(S.view)?.render();
    if (out && typeof out.catch === 'function') out.catch((e) => showError(`drawing the ${S.view} view failed: ${e instanceof Error ? e.message : e}`));
  } catch (e) {
    showError(`drawing the ${S.view} view failed: ${e instanceof Error ? e.message : e}`);
  }
}

// ---------------------------------------------------------------- events between modules

/** @type {Map<string, Function[]>} */
const handlers = new Map();
export function on(name, fn) {
  if (!handlers.has(name)) handlers.set(name, []);
  handlers.get(name).push(fn);
}
export function emit(name, ...args) {
  for (const fn of handlers.get(name) ?? []) fn(...args);
}

// ---------------------------------------------------------------- errors

/**
 * Shows (or, with '', clears) the page's error: in the banner at the top of the page, which
 * stays visible with the controls hidden, and in the run card.
 */
export function showError(msg) {
  const banner = $('page-error');
  if (banner) {
    banner.hidden = !msg;
    $('page-error-text').textContent = msg;
  }
  const inCard = $('run-error');
  if (inCard) inCard.textContent = msg;
}

/** The text of an error from the API (code: message) or anything else. */
export const errorText = (e) => (e && e.code && e.message ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e));
