/**
 * The analytic cross-check's utilisation rows count the wire messages' work of SIP and XMPP
 * domains (rate per kind and direction x its cost, `serviceTimes.wire`), held to the simulation:
 * exact where every message follows its operation one for one (publishes, IMs, receipts, log-ins
 * and log-outs), approximate, and said so, where subscriptions and notifications are involved.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/index.js';
import { analyticModel } from '../../sim/toolkit/analytic.js';
import { runSweep } from '../../sim/toolkit/sweep.js';

// wire costs well above the operations' so that leaving them out would show
const WIRE = 'wire: { inbound: { request: 0.4ms, response: 0.3ms }, outbound: { request: 0.5ms, response: 0.2ms }, kinds: [{ kind: presence.client, inbound: 0.6ms, outbound: 9ms }] }';
const ST = `{ publish: 0.1ms, imSend: 0.1ms, imDeliver: 0.1ms, imReport: 0.1ms, ${WIRE} }`;

const SC = `
name: wire-load
seed: 7
duration: 20min
domains:
  - { name: a.example, users: 200, protocol: sip, servers: { count: 1, cores: 1 }, serviceTimes: ${ST} }
  - { name: b.example, users: 200, protocol: xmpp, servers: { count: 1, cores: 1 }, serviceTimes: ${ST} }
population: { buddies: 0, online: 1, blockedSenders: 0, watchers: { subscriber: 1 }, visibility: { full: 1 } }
behaviour: { presenceChangeRate: 40/h, imRate: 30/h, sessionLength: 366d, offlineLength: 366d, duplicateFraction: 0.1, crashFraction: 0, publicationLease: 0, unknownRecipientFraction: 0, authFailureFraction: 0 }
`;

describe('analytic utilisation with the wire messages', () => {
  it("SIP and XMPP domains: the exact utilisation falls within the replications' 95% CI", async () => {
    const r = await runSweep(parseScenario(SC, 'wire-load.yaml'), { params: [], replications: 6, parallel: 2, analytic: true });
    const rows = new Map(r.points[0].crossCheck!.map((x) => [x.figure, x]));
    for (const f of ['domains.a.example.utilisation', 'domains.b.example.utilisation']) {
      const row = rows.get(f)!;
      expect(row.exact, `${f} exact (${row.note})`).toBe(true);
      expect(row.note).toMatch(/operations and wire messages/);
      expect(row.withinCi, `${f}: simulated ${row.simulated} ± ${row.ci95}, analytic ${row.analytic}`).toBe(true);
    }
  });

  it('the wire messages are most of the load here: without them the prediction would be far off', () => {
    const sc = parseScenario(SC, 'wire-load.yaml');
    const bare = parseScenario(SC.replaceAll(WIRE, 'wire: { inbound: { request: 0ms, response: 0ms }, outbound: { request: 0ms, response: 0ms } }'), 'bare.yaml');
    const u = (s: typeof sc, d: string) => analyticModel(s).rows.find((x) => x.figure === `domains.${d}.utilisation`)!.analytic;
    for (const d of ['a.example', 'b.example']) expect(u(sc, d)).toBeGreaterThan(3 * u(bare, d));
  });

  it('with subscriptions the row adds their messages and says it is approximate', async () => {
    const sc = parseScenario(SC.replace('buddies: 0, online: 1', 'buddies: 4, online: 1'), 'subs.yaml');
    const rows = analyticModel(sc).rows;
    const sip = rows.find((x) => x.figure === 'domains.a.example.utilisation')!;
    const xmpp = rows.find((x) => x.figure === 'domains.b.example.utilisation')!;
    expect(sip.exact).toBe(false);
    expect(sip.note).toMatch(/wire messages \(.*NOTIFY.*\)/);
    expect(xmpp.note).toMatch(/wire messages \(.*presence\.broadcast.*\)/);
  });
});
