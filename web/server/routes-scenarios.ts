/** /api/scenarios: the built-in scenarios and validation of scenario text. */
import type { FastifyInstance } from 'fastify';
import { validateScenarioText, type ScenarioProblem } from '../../sim/scenario/index.js';
import { catalog } from './catalog.js';
import { ApiError, type ApiProblem } from './errors.js';
import { loadBuiltin } from './run-input.js';
import { scenarioRoutes } from './schemas.js';

/** The scenario the dashboard preselects (the teaching view uses teach-basic). */
export const DEFAULT_SCENARIO = 'office';

/** A parse problem's message starts 'line L, column C: ...'; give the position as fields too. */
function withPosition(p: ScenarioProblem): ApiProblem {
  const m = /^line (\d+), column (\d+)/.exec(p.message);
  return m ? { path: p.path, message: p.message, line: Number(m[1]), column: Number(m[2]) } : { path: p.path, message: p.message };
}

export async function scenarioRoutesPlugin(app: FastifyInstance): Promise<void> {
  // the built-in files are read and parsed once (catalog.ts), not on every request
  app.get('/api/scenarios', { schema: scenarioRoutes.list }, async () => {
    const scenarios = catalog.list().map((e) => ({ name: e.name, description: e.description, domains: e.domains, users: e.users }));
    return { scenarios, default: DEFAULT_SCENARIO };
  });

  app.get<{ Params: { name: string } }>('/api/scenarios/:name', { schema: scenarioRoutes.get }, async (req) => {
    const entry = catalog.find(req.params.name);
    if (entry === undefined) {
      throw new ApiError('SCENARIO_NOT_FOUND', `no built-in scenario named '${req.params.name}'; built-in scenarios: ${catalog.names().join(', ')}`);
    }
    const scenario = loadBuiltin(entry.name);
    return { name: entry.name, description: entry.description, yaml: entry.text, scenario };
  });

  app.post<{ Body: { yaml: string } }>('/api/scenarios/validate', { schema: scenarioRoutes.validate }, async (req) => {
    const r = validateScenarioText(req.body.yaml);
    if (r.ok) return { ok: true, scenario: r.scenario };
    const n = r.errors.length;
    const first = r.errors[0];
    throw new ApiError(
      'SCENARIO_INVALID',
      `${n} problem${n === 1 ? '' : 's'} in the scenario; first: ${first.path === '' ? '' : `${first.path}: `}${first.message}`,
      r.errors.map(withPosition),
    );
  });
}
