/**
 * The scenario schema as data: one table of fields per object (name, kind, unit, default, range,
 * description). The same table validates files, fills defaults, guides `--set` overrides and
 * renders the field reference in docs/scenarios.md, so the documentation cannot drift from the
 * checks.
 *
 * Validation walks the table and the raw document side by side and collects every problem as
 * `{ path, message }` (paths such as `domains[1].servers.cores`); it never stops at the first one.
 * Cross-field rules (unique domain names, links to known domains, refresh timing, ...) run after
 * the per-field pass on whatever resolved.
 */
export type { ArrayNode, BoolNode, CountDistNode, DefaultContext, DistNode, DurationNode, Field, FractionNode, IntNode, MixNode, NullableNode, NumberNode, ObjectNode, RateNode, ScenarioProblem, SchemaNode, SizeNode, StringNode } from './schema-nodes.js';
export { DOMAIN_NAME_RE, EXTENSION_PREFIX, MAX_BUDDIES, MAX_CELEBRITY_SUBSCRIBERS, MAX_DOMAINS, MAX_LINK_PAIRS, MAX_USERS } from './fields-common.js';
export { formatCount, hasOwn, isPlainObject, joinPath, renderRaw, suggest } from './wording.js';
export { COUNT_DIST_KEYS, DIST_KEYS } from './validate-fields.js';
export { scenarioFieldDocs, scenarioFieldDocsMarkdown, type FieldDoc } from './field-docs.js';
import { MAX_DOMAINS, MAX_RUN, NAME_RE } from './fields-common.js';
import { accessNode, domainNode, faultNode, federationNode, linksNode } from './fields-topology.js';
import { behaviourNode, populationNode, traceNode } from './fields-population.js';
import { describeValue } from './units.js';
import { hasOwn, isPlainObject, quoteList } from './wording.js';
import { type DefaultContext, type ObjectNode, type ScenarioProblem } from './schema-nodes.js';
import { type Dist, type LinkSpec, type Scenario } from './types.js';
import { type Tree, crossCheck } from './cross-check.js';
import { type VCtx, validateFields } from './validate-fields.js';


/** The whole scenario document. */
export const SCENARIO_SCHEMA: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'name',
      node: { kind: 'string', maxLength: 64, pattern: NAME_RE, patternHint: 'a name of lower-case letters, digits and \'-\' such as "office"' },
      required: true,
      description: 'scenario name',
    },
    { name: 'description', node: { kind: 'string', maxLength: 4000 }, default: '', description: 'what the scenario shows and for whom' },
    { name: 'seed', node: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER }, default: 1, description: 'random seed; the same seed gives the same run' },
    { name: 'duration', node: { kind: 'duration', min: 0, max: MAX_RUN, minExclusive: true }, required: true, description: 'simulated time' },
    {
      name: 'warmup',
      node: { kind: 'duration', min: 0, max: MAX_RUN },
      default: 0,
      description: 'measure from this time on: the report\'s counts, latencies, utilisation and rates cover (warmup, duration] only (the log-in burst of the start left out); must be less than duration',
    },
    {
      name: 'domains',
      node: { kind: 'array', item: domainNode, min: 1, max: MAX_DOMAINS, what: 'domains', keyField: 'name' },
      required: true,
      description: 'the domains; each is a presence/IM service with its users',
    },
    { name: 'links', node: linksNode, default: {}, description: 'latencies, bandwidth and loss between domains' },
    { name: 'federation', node: federationNode, default: {}, description: 'CPIM federation: SRV resolution, hop limits, retransmission and recovery, saving options' },
    { name: 'access', node: accessNode, default: {}, description: 'the client-server leg (RFC 2779 section 2): the access link from each principal\'s agents to its home server; notification and IM latency include it' },
    {
      name: 'faults',
      node: { kind: 'array', item: faultNode, min: 0, max: 1000, what: 'faults' },
      default: [],
      description: 'scheduled faults: gateways down, links partitioned or slow, servers crashing (and their recovery)',
    },
    { name: 'population', node: populationNode, default: {}, description: 'who the users are and whom they watch' },
    { name: 'behaviour', node: behaviourNode, default: {}, description: 'what users do and how the services answer' },
    { name: 'trace', node: traceNode, default: {}, description: 'message trace for teaching' },
  ],
};

function toScenario(tree: Tree): Scenario {
  const links = tree.links as { default: Dist; pairs: (LinkSpec & { symmetric: boolean })[]; bandwidthMbps: number; loss: number };
  const expanded: LinkSpec[] = [];
  for (const p of links.pairs) {
    expanded.push({ from: p.from, to: p.to, latency: { ...p.latency }, bandwidthMbps: p.bandwidthMbps, loss: p.loss });
    if (p.symmetric) expanded.push({ from: p.to, to: p.from, latency: { ...p.latency }, bandwidthMbps: p.bandwidthMbps, loss: p.loss });
  }
  return {
    name: tree.name as string,
    description: tree.description as string,
    seed: tree.seed as number,
    duration: tree.duration as number,
    warmup: tree.warmup as number,
    domains: tree.domains as Scenario['domains'],
    defaultLinkLatency: links.default,
    links: expanded,
    linkBandwidthMbps: links.bandwidthMbps,
    linkLoss: links.loss,
    federation: tree.federation as Scenario['federation'],
    access: tree.access as Scenario['access'],
    faults: tree.faults as Scenario['faults'],
    population: tree.population as Scenario['population'],
    behaviour: tree.behaviour as Scenario['behaviour'],
    trace: tree.trace as Scenario['trace'],
  };
}

export function defaultContext(raw: unknown): DefaultContext {
  const domains = isPlainObject(raw) && hasOwn(raw, 'domains') ? raw.domains : undefined;
  return { domainCount: Array.isArray(domains) ? domains.length : 1 };
}

/** Validates a raw document; returns the Scenario or every problem found. Never throws on bad input. */
export function validateRaw(raw: unknown): { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioProblem[] } {
  const ctx: VCtx = { ...defaultContext(raw), errors: [] };
  if (!isPlainObject(raw)) {
    return {
      ok: false,
      errors: [{ path: '', message: `a scenario must be a mapping with fields ${quoteList(SCENARIO_SCHEMA.fields.map((f) => f.name))}, got ${describeValue(raw)}` }],
    };
  }
  // per field, then cross-field rules on the top-level parts that resolved
  const parts: Tree = {};
  validateFields(ctx, '', raw, SCENARIO_SCHEMA, parts);
  crossCheck(ctx, raw, parts);
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  return { ok: true, scenario: toScenario(parts) };
}
