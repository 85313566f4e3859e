/**
 * Invariants of the IMPP model over randomised tiny runs (fast-check on the suite's fixed seed; see
 * test/setup-fuzz.ts to explore with FUZZ_SEED), and identical reports for 1, 2 and 3 workers.
 *
 * Worker runs use the compiled model under dist/: run `npx tsc -p .` (or `npm test`) first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import type { Scenario } from '../../sim/scenario/types.js';

/** A mix of `names` from integer weights (sums to exactly 1 after the last one takes the rest). */
const mix = (names: string[], weights: number[]) => {
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const parts = weights.map((w) => Math.round((1000 * w) / total) / 1000);
  const fixed = parts.slice(0, -1);
  const last = Math.max(0, Math.round(1000 * (1 - fixed.reduce((a, b) => a + b, 0))) / 1000);
  return `{ ${names.map((n, i) => `${n}: ${i < names.length - 1 ? fixed[i] : last}`).join(', ')} }`;
};

const weights = (n: number) => fc.array(fc.integer({ min: 0, max: 10 }), { minLength: n, maxLength: n }).filter((w) => w.some((x) => x > 0));

const arbParams = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  domains: fc.integer({ min: 1, max: 3 }),
  users: fc.integer({ min: 3, max: 20 }),
  minutes: fc.integer({ min: 5, max: 20 }),
  cores: fc.integer({ min: 1, max: 4 }),
  queueLimit: fc.constantFrom(0, 0, 4),
  buddies: fc.integer({ min: 1, max: 4 }),
  federated: fc.double({ min: 0, max: 1, noNaN: true }),
  principals: weights(3),
  watchers: weights(3),
  access: weights(4),
  firstTupleOnly: fc.double({ min: 0, max: 1, noNaN: true }),
  tuples: fc.integer({ min: 1, max: 4 }),
  online: fc.double({ min: 0, max: 1, noNaN: true }),
  blockedSenders: fc.double({ min: 0, max: 0.5, noNaN: true }),
  presenceRate: fc.integer({ min: 0, max: 240 }),
  imRate: fc.integer({ min: 0, max: 240 }),
  fetchRate: fc.integer({ min: 0, max: 120 }),
  sessionMin: fc.integer({ min: 1, max: 15 }),
  offlineMin: fc.integer({ min: 1, max: 10 }),
  subMin: fc.integer({ min: 2, max: 10 }),
  crash: fc.double({ min: 0, max: 1, noNaN: true }),
  pendingAllow: fc.double({ min: 0, max: 1, noNaN: true }),
  auth: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicates: fc.double({ min: 0, max: 0.5, noNaN: true }),
  unknown: fc.double({ min: 0, max: 0.3, noNaN: true }),
});
type Params = typeof arbParams extends fc.Arbitrary<infer T> ? T : never;

const f3 = (x: number) => Math.round(x * 1000) / 1000;

function scenarioOf(p: Params): Scenario {
  const names = ['a.example', 'b.example', 'c.example'].slice(0, p.domains);
  const duplicates = f3(p.duplicates);
  const yaml = `name: random-invariants
seed: ${p.seed}
duration: ${p.minutes}min
domains:
${names.map((n, i) => `  - { name: ${n}, users: ${p.users + 3 * i}, servers: { count: ${1 + (i % 2)}, cores: ${p.cores}, queueLimit: ${p.queueLimit} } }`).join('\n')}
links:
  default: { dist: lognormal, median: 20ms, sigma: 0.3 }
population:
  buddies: { dist: uniform, min: 1, max: ${p.buddies} }
  federatedFraction: ${p.domains > 1 ? f3(p.federated) : 0}
  principals: ${mix(['both', 'presentityOnly', 'inboxOnly'], p.principals)}
  watchers: ${mix(['subscriber', 'poller', 'fetcher'], p.watchers)}
  access: ${mix(['allow', 'deny', 'politeBlock', 'pending'], p.access)}
  visibility: { full: ${f3(1 - f3(p.firstTupleOnly))}, firstTupleOnly: ${f3(p.firstTupleOnly)} }
  tuples: ${p.tuples}
  online: ${f3(p.online)}
  blockedSenders: ${f3(p.blockedSenders)}
behaviour:
  presenceChangeRate: ${p.presenceRate}/h
  imRate: ${p.imRate}/h
  fetchRate: ${p.fetchRate}/h
  pollInterval: 1min
  sessionLength: ${p.sessionMin}min
  offlineLength: ${p.offlineMin}min
  subscriptionDuration: ${p.subMin}min
  maxSubscriptionDuration: ${p.subMin}min
  refreshBefore: 20s
  crashFraction: ${f3(p.crash)}
  pendingDecisionDelay: { dist: exponential, mean: 30s }
  pendingAllowFraction: ${f3(p.pendingAllow)}
  authFailureFraction: ${f3(p.auth)}
  duplicateFraction: ${duplicates}
  unknownRecipientFraction: ${f3(p.unknown)}
trace: { enabled: ${p.domains === 1}, limit: 1000000 }
`;
  return parseScenario(yaml, 'random-invariants.yaml');
}

function checkInvariants(r: Report): void {
  const im = r.im;
  const pr = r.presence;
  const s = pr.subscriptions;
  const n = pr.notifications;
  // RFC 2779 2.3.1, 2.3.3, 3.3.3, 5.3.2: nothing is disclosed that the access rules forbid
  expect(r.security.leaks).toBe(0);
  // RFC 2779 4.2.1, 5.4.1: every IM has exactly one outcome (delivered, failed, indeterminate), or
  // is counted by the end-of-run census of what is still queued or travelling; every extra copy
  // (a client retransmission) is suppressed as a duplicate, refused at its sender, or in the census
  expect(im.sent + im.copies + im.inFlightAtStart).toBe(im.delivered + im.failed + im.indeterminate + im.duplicates + im.copiesRefused + im.inFlight);
  expect(im.inFlight).toBeGreaterThanOrEqual(0);
  expect(Object.values(im.failedBy).reduce((a, b) => a + b, 0)).toBe(im.failed);
  // RFC 2779 5.4.2: retransmissions suppressed are copies of messages sent
  expect(im.duplicates).toBeLessThanOrEqual(im.sent);
  expect(r.latency.im.count).toBe(im.delivered);
  // notifications: what arrives (to an online or a vanished watcher) was sent
  expect(n.delivered + n.undelivered).toBeLessThanOrEqual(n.sent);
  expect(r.latency.notification.count).toBeLessThanOrEqual(n.delivered);
  // a subscription ends at most once: every one created expired, was ended (unsubscribe, pending
  // refusal), was lost when its server crashed, or is still held at the end
  expect(s.expired + s.terminated).toBeLessThanOrEqual(s.created);
  expect(s.created).toBe(s.expired + s.terminated + s.lostInCrash + s.activeAtEnd);
  expect(s.politeBlocked + s.pending).toBeLessThanOrEqual(s.created);
  // a pending subscription is decided at most once
  expect(s.pendingAllowed + s.pendingDenied).toBeLessThanOrEqual(s.pending);
  expect(r.security.politeBlocked).toBeGreaterThanOrEqual(s.politeBlocked);
  // sessions
  expect(r.sessions.crashes).toBeLessThanOrEqual(r.sessions.logouts);
  expect(r.sessions.logouts).toBeLessThanOrEqual(r.sessions.logins);
  for (const d of Object.values(r.domains)) {
    expect(d.utilisation).toBeGreaterThanOrEqual(0);
    expect(d.utilisation).toBeLessThanOrEqual(1);
  }
  if (r.trace) {
    // RFC 2779 5.3.2: a watcher is notified only by presentities it asked to subscribe to
    const asked = new Map<string, number>();
    for (const x of r.trace) if (x.op === 'subscribe' && !asked.has(`${x.from} ${x.to}`)) asked.set(`${x.from} ${x.to}`, x.t);
    for (const x of r.trace) {
      if (x.op !== 'notify') continue;
      const t = asked.get(`${x.to} ${x.from}`);
      expect(t !== undefined && t <= x.t, `notify ${x.from} -> ${x.to} at ${x.t} without a subscribe`).toBe(true);
    }
    // every message report answers a message
    const messages = r.trace.filter((x) => x.op === 'message').length;
    expect(r.trace.filter((x) => x.op === 'messageReport').length).toBeLessThanOrEqual(messages);
  }
}

const strip = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0 } });

describe('IMPP model invariants', () => {
  it('RFC 2779 2.3.1, 4.2.1, 5.3.2, 5.4.2: invariants hold over randomised runs (access mix, online and crash fractions, auth failures, duplicates, unknown recipients, 1-3 domains)', async () => {
    let runs = 0;
    let notified = 0;
    let messaged = 0;
    await fc.assert(
      fc.asyncProperty(arbParams, async (p) => {
        const r = await runScenario(scenarioOf(p), { workers: 1 });
        checkInvariants(r);
        runs++;
        if (r.presence.notifications.sent > 0) notified++;
        if (r.im.sent > 0) messaged++;
      }),
      { numRuns: 40 },
    );
    // the generated runs did exercise the model
    expect(runs).toBeGreaterThanOrEqual(40);
    expect(notified).toBeGreaterThan(runs / 2);
    expect(messaged).toBeGreaterThan(runs / 2);
  });

  it('identical reports for 1, 2 and 3 workers on randomised 3-domain scenarios (all but wall-clock figures)', async () => {
    await fc.assert(
      fc.asyncProperty(arbParams, async (p) => {
        const sc = scenarioOf({ ...p, domains: 3, federated: Math.max(0.3, p.federated) });
        const r1 = await runScenario(sc, { workers: 1 });
        const r2 = await runScenario(sc, { workers: 2 });
        const r3 = await runScenario(sc, { workers: 3 });
        expect(r1.engine.workers).toBe(1);
        expect(r2.engine.workers).toBe(2);
        expect(r3.engine.workers).toBe(3);
        expect(strip(r2)).toBe(strip(r1));
        expect(strip(r3)).toBe(strip(r1));
        checkInvariants(r1);
      }),
      { numRuns: 3 },
    );
  });

  it('invariants hold under server overload (bounded queues) without retransmissions', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await runScenario(
        parseScenario(`name: overload
seed: ${seed}
duration: 5min
domains:
  - { name: a.example, users: 15, servers: { count: 1, cores: 1, queueLimit: 2 }, serviceTimes: { imDeliver: { dist: exponential, mean: 5ms }, notify: 2ms } }
  - { name: b.example, users: 15, servers: { count: 1, cores: 1, queueLimit: 2 }, serviceTimes: { imDeliver: { dist: exponential, mean: 5ms }, notify: 2ms } }
population: { buddies: 4, online: 1, access: { allow: 1 } }
behaviour: { imRate: 1500/h, presenceChangeRate: 600/h, duplicateFraction: 0, sessionLength: 1h }
`),
        { workers: 1 },
      );
      expect(r.im.failedBy.overload).toBeGreaterThan(0);
      checkInvariants(r);
    }
  });

  // Regression: the first copy of a message sent twice with one id is refused by the recipient's
  // full queue (a failure report goes back); the second copy, arriving later, must count as a
  // duplicate, not be delivered, so that the message has exactly one outcome (4.2.1, 5.4.1).
  it('RFC 2779 4.2.1, 5.4.2: with retransmissions under overload every IM still has exactly one outcome', async () => {
    const r = await runScenario(
      parseScenario(`name: dup-overload
seed: 1
duration: 2min
domains:
  - { name: a.example, users: 10, servers: { cores: 1, queueLimit: 1 }, serviceTimes: { imSend: 1ms, imDeliver: { dist: exponential, mean: 5ms }, imReport: 1ms } }
  - { name: b.example, users: 10, servers: { cores: 1, queueLimit: 1 }, serviceTimes: { imSend: 1ms, imDeliver: { dist: exponential, mean: 5ms }, imReport: 1ms } }
population: { buddies: 3, principals: { both: 1 }, watchers: { fetcher: 1 }, online: 1, blockedSenders: 0 }
behaviour: { presenceChangeRate: 0, fetchRate: 0, imRate: 3000/h, sessionLength: 366d, duplicateFraction: 1, unknownRecipientFraction: 0, authFailureFraction: 0 }
`),
      { workers: 1 },
    );
    expect(r.im.failedBy.overload).toBeGreaterThan(0);
    expect(r.im.duplicates).toBeGreaterThan(0);
    // every message and every copy is accounted for exactly once (the census counts what is left)
    expect(r.im.copies).toBe(r.im.sent);
    expect(r.im.sent + r.im.copies).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
    // a message is delivered at most once: no more deliveries than messages sent
    expect(r.im.delivered).toBeLessThanOrEqual(r.im.sent);
    checkInvariants(r);
  });
});
