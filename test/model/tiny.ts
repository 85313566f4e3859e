/**
 * Tiny scenarios written as YAML, for the RFC 2779, exact-count and invariant tests.
 *
 * `tinyYaml` writes a one-domain scenario of `example.com` whose defaults make outcomes derivable
 * by hand: every operation takes a fixed 1 ms on a server with 64 cores (so nothing ever waits in
 * a queue), everybody is online from the start (log-ins spread over the first 10 s) and stays
 * online for the whole run, everybody watches everybody else (buddy lists of users - 1, chosen
 * uniformly; the generator gives up on a buddy after a few draws, so tests that need the complete
 * graph ask for it with `runComplete`), every rule allows with full
 * visibility, and nothing random happens unless a test asks for it (no publishes after log-in, no
 * IMs, no authentication failures, duplicates, unknown recipients or crashes). A test overrides
 * any field; the text goes through `parseScenario`, so units, defaults and validation apply.
 */
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import type { Scenario } from '../../sim/scenario/types.js';

export type Fields = Record<string, string | number | boolean>;

export interface TinyOptions {
  name?: string;
  seed?: number;
  duration?: string;
  users?: number;
  /** replaces the whole `domains:` list (YAML text of the list items, indented by two spaces) */
  domains?: string;
  servers?: string;
  serviceTimes?: string;
  links?: string;
  population?: Fields;
  behaviour?: Fields;
  trace?: string;
  /** the access block (YAML flow); default: a LAN link of no delay, so exact counts and times hold */
  access?: string;
}

/** Every operation takes exactly 1 ms. */
export const FIXED_1MS =
  '{ publish: 1ms, fetch: 1ms, subscribe: 1ms, refresh: 1ms, unsubscribe: 1ms, notify: 1ms, watcherinfo: 1ms, imSend: 1ms, imDeliver: 1ms, imReport: 1ms }';

const fields = (f: Fields) =>
  Object.entries(f)
    .map(([k, v]) => `  ${k}: ${v}`)
    .join('\n');

export function tinyYaml(o: TinyOptions = {}): string {
  const users = o.users ?? 3;
  const population: Fields = {
    buddies: users - 1,
    principals: '{ both: 1 }',
    watchers: '{ subscriber: 1 }',
    access: '{ allow: 1 }',
    visibility: '{ full: 1 }',
    tuples: 2,
    online: 1,
    blockedSenders: 0,
    popularity: 0,
    ...o.population,
  };
  const behaviour: Fields = {
    presenceChangeRate: 0,
    imRate: 0,
    fetchRate: 0,
    sessionLength: '366d',
    offlineLength: '366d',
    subscriptionDuration: '1h',
    maxSubscriptionDuration: '1h',
    crashFraction: 0,
    authFailureFraction: 0,
    duplicateFraction: 0,
    unknownRecipientFraction: 0,
    ...o.behaviour,
  };
  const domains =
    o.domains ??
    `  - name: example.com
    users: ${users}
    servers: ${o.servers ?? '{ count: 1, cores: 64 }'}
    serviceTimes: ${o.serviceTimes ?? FIXED_1MS}`;
  return `name: ${o.name ?? 'tiny'}
seed: ${o.seed ?? 1}
duration: ${o.duration ?? '10min'}
domains:
${domains}
${o.links ? `links: ${o.links}\n` : ''}access: ${o.access ?? '{ lan: { latency: { dist: fixed, value: 0ms }, bandwidthMbps: 0 } }'}
population:
${fields(population)}
behaviour:
${fields(behaviour)}
trace: ${o.trace ?? '{ enabled: true, limit: 1000000 }'}
`;
}

export function tiny(o: TinyOptions = {}): Scenario {
  return parseScenario(tinyYaml(o), `${o.name ?? 'tiny'}.yaml`);
}

export function runTiny(o: TinyOptions = {}): Promise<Report> {
  return runScenario(tiny(o), { workers: 1 });
}

/**
 * Runs `o` with seeds 1, 2, ... until `pred` holds of the report (a precondition a test needs,
 * such as "exactly one of the two users is online"), and returns that report. Fails if no seed
 * up to `maxSeed` gives it.
 */
export async function runUntil(o: TinyOptions, pred: (r: Report) => boolean, what: string, maxSeed = 40): Promise<Report> {
  for (let seed = 1; seed <= maxSeed; seed++) {
    const r = await runTiny({ ...o, seed });
    if (pred(r)) return r;
  }
  throw new Error(`no seed from 1 to ${maxSeed} gives ${what}`);
}

/** Runs `o` on the first seed whose population is complete: each of the n users watches the n - 1 others. */
export function runComplete(o: TinyOptions): Promise<Report> {
  const n = o.users ?? 3;
  return runUntil(o, (r) => r.parameters.subscriptionEdges === n * (n - 1), `a complete watch graph of ${n} users`);
}

export type Rec = NonNullable<Report['trace']>[number];

export const recs = (r: Report, op?: string, detail?: string): Rec[] =>
  (r.trace ?? []).filter((x) => (op === undefined || x.op === op) && (detail === undefined || x.detail === detail));

/** Records between two users, either direction given as (from, to). */
export const between = (r: Report, op: string, from: string, to: string): Rec[] => recs(r, op).filter((x) => x.from === from && x.to === to);

/** Distinct (from, to) pairs of the records of one operation. */
export const pairsOf = (r: Report, op: string): Array<[string, string]> => {
  const seen = new Map<string, [string, string]>();
  for (const x of recs(r, op)) seen.set(`${x.from} ${x.to}`, [x.from, x.to]);
  return [...seen.values()];
};

export const count = (xs: readonly unknown[]) => xs.length;
