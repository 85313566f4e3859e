/**
 * sim/scenario: the scenario language. YAML or JSON files (docs/scenarios.md) are parsed, overridden
 * with `--set path=value`, validated against one data-driven schema table and resolved into the
 * normalised `Scenario` (types.ts) that the model reads: every unit resolved (ms, per user per
 * hour, bytes, fractions) and every default filled in.
 */
export type {
  BehaviourSpec,
  CountDist,
  Dist,
  DomainSpec,
  LinkSpec,
  OperationName,
  PopulationSpec,
  Scenario,
  ServersSpec,
  TraceSpec,
} from './types.js';
export { OPERATIONS } from './types.js';
export {
  MAX_SCENARIO_BYTES,
  applyOverrides,
  builtinScenariosDir,
  durationOverride,
  listScenarios,
  loadScenario,
  parseScenario,
  parseScenarioDocument,
  validateScenarioText,
} from './load.js';
export { checkResolvedScenario, scenarioToDocument } from './resolved.js';
export {
  MAX_USERS,
  scenarioFieldDocs,
  scenarioFieldDocsMarkdown,
  type FieldDoc,
  type ScenarioProblem,
} from './schema.js';
export {
  formatDuration,
  formatRate,
  formatSize,
  parseDuration,
  parseFraction,
  parseRate,
  parseSize,
  tryParseDuration,
  tryParseFraction,
  tryParseRate,
  tryParseSize,
  type UnitResult,
} from './units.js';
