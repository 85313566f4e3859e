/**
 * Checks a scenario that was changed after loading (a sweep point, a sizing probe) against the same
 * schema as a file: the resolved `Scenario` is turned back into a document in the model's units
 * (milliseconds, per hour, bytes: plain numbers, which the schema reads in those units) and
 * validated, so a point such as `users=1e9` is refused with the field's own limit before anything
 * runs.
 */
import type { Scenario } from './types.js';
import { invalidScenario } from './load.js';
import { validateRaw } from './schema.js';

/** The document form of a resolved scenario (links back in their `links:` section, one direction each). */
export function scenarioToDocument(sc: Scenario): Record<string, unknown> {
  const { defaultLinkLatency, links, linkBandwidthMbps, linkLoss, ...rest } = structuredClone(sc);
  return {
    ...rest,
    links: {
      default: defaultLinkLatency,
      pairs: links.map((l) => ({ ...l, symmetric: false })),
      bandwidthMbps: linkBandwidthMbps,
      loss: linkLoss,
    },
  };
}

/** Throws SIM_ERR_SCENARIO_INVALID (every problem, as for a file) unless the resolved scenario is within the schema. */
export function checkResolvedScenario(sc: Scenario, source: string): void {
  const r = validateRaw(scenarioToDocument(sc));
  if (!r.ok) throw invalidScenario(source, r.errors);
}
