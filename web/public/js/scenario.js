/**
 * The scenario card: the list of built-in scenarios, the YAML editor and what it resolves to.
 */
import d3 from './d3.js';
import { getJson } from './api.js';
import { scenarioEditor } from './editor.js';
import { fmtCount } from './shape.js';
import { $, S, showError } from './state.js';
import { setModel } from './views/fanout.js';

const cache = new Map();

async function fetchScenario(name) {
  if (!cache.has(name)) cache.set(name, await getJson(`/api/scenarios/${encodeURIComponent(name)}`));
  return cache.get(name);
}

/** The resolved built-in scenario `name`. */
export async function scenarioOf(name) {
  return (await fetchScenario(name)).scenario;
}

export const editor = scenarioEditor({
  textarea: $('yaml-editor'),
  gutter: $('yaml-gutter'),
  problems: $('validation-problems'),
  state: $('yaml-state'),
  onValid: (scenario) => {
    S.model = scenario;
    if (!S.run) setModel(scenario);
  },
});

/** Loads built-in scenario `name` into the editor (or `yaml`, the user's edits of it). */
export async function pickScenario(name, yaml) {
  S.scenarioName = name;
  const meta = S.scenarios.find((s) => s.name === name);
  $('scenario-description').textContent = meta?.description ?? '';
  try {
    const got = await fetchScenario(name);
    S.builtinYaml = got.yaml;
    const edited = yaml !== undefined && yaml !== got.yaml;
    editor.set(edited ? yaml : got.yaml, edited ? undefined : got.scenario);
    if (edited) await editor.validate();
  } catch (e) {
    showError(`Cannot load scenario ${name}: ${e.message}`);
  }
}

/** Lists the built-in scenarios in the select; resolves to the server's default scenario. */
export async function loadScenarios() {
  let def = '';
  try {
    const got = await getJson('/api/scenarios');
    S.scenarios = got.scenarios ?? [];
    def = got.default ?? '';
  } catch (e) {
    showError(`Cannot list the scenarios: ${e.message}`);
  }
  d3.select('#scenario-select')
    .selectAll('option')
    .data(S.scenarios, (s) => s.name)
    .join('option')
    .attr('value', (s) => s.name)
    .text((s) => `${s.name} (${fmtCount(s.users)} users, ${s.domains} domain${s.domains === 1 ? '' : 's'})`);
  return def;
}
