/**
 * Presence state that is real and read (RFC 2778 2.1, 2.4; RFC 2779 2.3, 5.1, 5.2): every presence
 * document the model sends carries the presentity's current tuples, projected by the rules in
 * force; its size is the length of its real PIDF encoding.
 *
 * The checks are independent of the model's own bookkeeping: the expected state of each
 * presentity is replayed from the publish records of the trace, and the allowed projection is
 * computed from the static population (access rule, visibility class) and the pending decision
 * rule (population.ts hashUnit), not read from the model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIST_OVERHEAD, ENVELOPE } from '../../sim/model/messages.js';
import { buildPopulation, hashUnit, RULE_DENY, RULE_PENDING, RULE_POLITE, VIS_FIRST_TUPLE_ONLY } from '../../sim/model/population.js';
import { ACTIVITIES, NOTES, viewDocument, VIEW_FIRST_TUPLE, VIEW_FULL, VIEW_POLITE, type TupleState } from '../../sim/model/presence-document.js';
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import type { Scenario } from '../../sim/scenario/types.js';
import { decodePidf, encodePidf } from '../../sim/wire/index.js';

/** named visibility classes of the randomised runs, by rule (same domain, other domain, any) */
const CLASSES = `
  classes:
    - { name: co-workers, share: 0.35, among: same-domain, activity: true }
    - { name: family, share: 0.3, activity: true, note: true, contact: true }
    - { name: acquaintances, share: 0.3, among: other-domain }
    - { name: friends, share: 0.2, among: same-domain, note: true }`;
/** what the class of (p, w) hides, computed here from the scenario: activity 1, note 2, contact 4 */
function expectedHide(sc: Scenario, p: number, w: number, same: boolean): number {
  const u = hashUnit(sc.seed, p, w, 10);
  let acc = 0;
  for (const c of sc.population.classes) {
    if ((c.among === 'same-domain' && !same) || (c.among === 'other-domain' && same)) continue;
    acc += c.share;
    if (u < acc) return (c.activity ? 0 : 1) | (c.note ? 0 : 2) | (c.contact ? 0 : 4);
  }
  return 0;
}

const arb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  domains: fc.integer({ min: 1, max: 2 }),
  tuples: fc.integer({ min: 1, max: 4 }),
  partial: fc.boolean(),
  listed: fc.boolean(),
  pendingAllow: fc.constantFrom(0, 0.5, 1),
  classes: fc.boolean(),
});
type P = typeof arb extends fc.Arbitrary<infer T> ? T : never;

function scenarioOf(p: P): Scenario {
  const names = ['a.example', 'b.example'].slice(0, p.domains);
  return parseScenario(
    `name: presence-state
seed: ${p.seed}
duration: 20min
domains:
${names.map((n, i) => `  - { name: ${n}, users: ${6 + 5 * i}, serviceTimes: { notify: { dist: exponential, mean: 2ms }, publish: { dist: exponential, mean: 1ms } } }`).join('\n')}
links: { default: { dist: lognormal, median: 20ms, sigma: 0.3 } }
federation: { partialNotifications: ${p.partial}, listSubscriptions: ${p.listed} }
population:
  buddies: { dist: uniform, min: 1, max: 4 }
  federatedFraction: ${p.domains > 1 ? 0.5 : 0}
  watchers: { subscriber: 0.7, poller: 0.15, fetcher: 0.15 }
  access: { allow: 0.4, deny: 0.2, politeBlock: 0.2, pending: 0.2 }
  visibility: { full: 0.5, firstTupleOnly: 0.5 }${p.classes ? CLASSES : ''}
  tuples: ${p.tuples}
  online: 0.8
behaviour:
  presenceChangeRate: 120/h
  fetchRate: 60/h
  pollInterval: 2min
  sessionLength: 8min
  offlineLength: 3min
  crashFraction: 0.2
  pendingDecisionDelay: { dist: exponential, mean: 30s }
  pendingAllowFraction: ${p.pendingAllow}
  revocationRate: 3/h
trace: { enabled: true, limit: 10000000 }
`,
    'presence-state.yaml',
  );
}

type Rec = NonNullable<Report['trace']>[number];
const PRESENCE_OPS = new Set(['publish', 'notify', 'listNotify', 'fetchResponse']);
const envelope = (r: Rec) => (r.op === 'fetchResponse' ? ENVELOPE.response : ENVELOPE.request + (r.op === 'listNotify' ? LIST_OVERHEAD : 0));
const bodyOf = (r: Rec) => encodePidf(viewDocument(r.state!.entity, r.state!.view, r.state!.tuples, r.state!.hide ?? 0));

/** Checks every presence document of a run against replayed state and the static rules. */
function checkDocuments(sc: Scenario, r: Report): { documents: number; polite: number; firstOnly: number; classed: number } {
  const pop = buildPopulation(sc, sc.seed);
  const userId = (name: string) => {
    const [u, dom] = name.split('@');
    const d = sc.domains.findIndex((x) => x.name === dom);
    return pop.domainStart[d] + Number(u.slice(1));
  };
  const edgeOf = (p: number, w: number) => {
    for (let e = pop.revStart[p]; e < pop.revStart[p + 1]; e++) if (pop.edgeWatcher[e] === w) return e;
    return -1;
  };
  const T = sc.population.tuples;
  const state = new Map<number, TupleState[]>();
  const versions = new Map<number, number>();
  const current = (g: number) => state.get(g) ?? Array.from({ length: T }, (_, index) => ({ index, basic: 0, activity: 0, note: 0, atMs: 0 }));
  let documents = 0;
  let polite = 0;
  let firstOnly = 0;
  let classed = 0;
  // revocations are the owner's decisions (RFC 2779 5.1.16): nothing may follow them on that edge
  const revoked = new Set<string>();
  for (const x of r.trace!) {
    if (x.op === 'terminated' && x.detail === 'revoked') revoked.add(`${x.from} ${x.to}`);
    if (!PRESENCE_OPS.has(x.op) || x.state === undefined) continue;
    if (x.op !== 'publish' && x.op !== 'listNotify') expect(revoked.has(`${x.from} ${x.to}`), `${x.op} ${x.from} -> ${x.to} at ${x.t} after a revocation`).toBe(false);
    documents++;
    // the size on the wire is the real encoding's
    expect(x.bytes - envelope(x), `${x.op} at ${x.t}`).toBe(Buffer.byteLength(bodyOf(x)));
    // and that encoding is a strictly valid PIDF document
    expect(decodePidf(bodyOf(x)).entity).toBe(`pres:${x.from}`);
    const p = userId(x.from);
    if (x.op === 'publish') {
      const next = current(p).map((t) => ({ ...t }));
      for (const t of x.state.tuples) next[t.index] = t;
      state.set(p, next);
      versions.set(p, (versions.get(p) ?? 0) + 1);
      expect(x.state.version).toBe(versions.get(p));
      for (const t of x.state.tuples) {
        expect(t.basic === 1).toBe(t.activity > 0);
        expect(t.note === 0 || NOTES[t.note].length > 0).toBe(true);
      }
      continue;
    }
    // the document carries the presentity's state as last published, and its version
    expect(x.state.version, `${x.op} ${x.from} -> ${x.to} at ${x.t}`).toBe(versions.get(p) ?? 0);
    const now = current(p);
    if (x.state.view !== VIEW_POLITE) for (const t of x.state.tuples) expect(t).toEqual(now[t.index]);
    if (x.op === 'listNotify') {
      expect(x.state.view).toBe(VIEW_FULL);
      continue;
    }
    // the projection is the one the rules allow this watcher (computed here from the population)
    const w = userId(x.to);
    const e = edgeOf(p, w);
    expect(e, `no edge ${x.from} -> ${x.to}`).toBeGreaterThanOrEqual(0);
    const rule = pop.edgeRule[e] & 3;
    expect(rule).not.toBe(RULE_DENY);
    if (rule === RULE_POLITE) {
      polite++;
      expect(x.state.view).toBe(VIEW_POLITE);
      const doc = decodePidf(bodyOf(x));
      expect(doc.tuples.map((t) => [t.id, t.status.basic, t.timestamp])).toEqual([['t1', 'closed', '2026-01-01T00:00:00.000Z']]);
      continue;
    }
    if (rule === RULE_PENDING) expect(hashUnit(sc.seed, p, w, 3)).toBeLessThan(sc.behaviour.pendingAllowFraction);
    // the named class: the document carries exactly the fields it allows, each as published
    const hide = expectedHide(sc, p, w, pop.domainOf[p] === pop.domainOf[w]);
    expect(x.state.hide ?? 0, `class of ${x.from} -> ${x.to}`).toBe(hide);
    if (hide !== 0) classed++;
    const doc = decodePidf(bodyOf(x));
    doc.tuples.forEach((dt, i) => {
      const t = x.state!.tuples[i];
      expect(dt.status.basic).toBe(t.basic ? 'open' : 'closed');
      expect(dt.status.extensions.map((z) => z.text)).toEqual(hide & 1 ? [] : [ACTIVITIES[t.activity]]);
      expect(dt.notes.map((n) => n.text)).toEqual(hide & 2 || t.note === 0 ? [] : [NOTES[t.note]]);
      expect(dt.contact === undefined).toBe((hide & 4) !== 0);
    });
    if ((pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0) {
      if (T > 1) firstOnly++;
      expect(x.state.view).toBe(VIEW_FIRST_TUPLE);
      expect(x.state.tuples.map((t) => t.index)).toEqual([0]);
    } else {
      expect(x.state.view).toBe(VIEW_FULL);
    }
  }
  return { documents, polite, firstOnly, classed };
}

describe('presence state', () => {
  it('RFC 2779 2.3.1, 2.3.3, 3.1.1, 3.1.2, 5.1.15, 5.2.3: every document sent carries the state last published, projected as the rules allow, sized by its real encoding (randomised, 1-2 domains)', async () => {
    let polite = 0;
    let firstOnly = 0;
    let documents = 0;
    let classed = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (p) => {
        const sc = scenarioOf(p);
        const r = await runScenario(sc, { workers: 1 });
        const c = checkDocuments(sc, r);
        documents += c.documents;
        polite += c.polite;
        firstOnly += c.firstOnly;
        classed += c.classed;
        expect(r.security.leaks).toBe(0);
      }),
      { numRuns: 12 },
    );
    // the runs exercised every view
    expect(documents).toBeGreaterThan(500);
    expect(polite).toBeGreaterThan(0);
    expect(firstOnly).toBeGreaterThan(0);
    expect(classed).toBeGreaterThan(0);
  });

  it('RFC 2778 2.1: a presentity has several tuples, each with its own status, activity, note and time; a change of one tuple leaves the others', async () => {
    const sc = scenarioOf({ seed: 7, domains: 1, tuples: 3, partial: false, listed: false, pendingAllow: 1, classes: false });
    const r = await runScenario(sc, { workers: 1 });
    const pubs = r.trace!.filter((x) => x.op === 'publish' && x.state !== undefined);
    const one = pubs.filter((x) => x.state!.tuples.length === 1);
    expect(one.length).toBeGreaterThan(20);
    expect(new Set(one.map((x) => x.state!.tuples[0].index)).size).toBe(3);
    expect(new Set(pubs.flatMap((x) => x.state!.tuples.map((t) => ACTIVITIES[t.activity])))).toEqual(new Set(ACTIVITIES));
    expect(pubs.some((x) => x.state!.tuples.some((t) => t.note > 0))).toBe(true);
    // full notifications show tuples that differ from one another
    const full = r.trace!.filter((x) => x.op === 'notify' && x.state?.view === VIEW_FULL && x.state.tuples.length === 3);
    expect(full.some((x) => new Set(x.state!.tuples.map((t) => t.activity)).size > 1)).toBe(true);
  });
});
