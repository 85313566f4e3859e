/**
 * The analytic cross-check per binding, held to the simulation where the closed form is exact:
 * one PUBLISH (or client presence) per publish, one MESSAGE (or message stanza) per IM and copy,
 * an XMPP stream per log-in and its close both ways per clean log-out.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/index.js';
import { runSweep } from '../../sim/toolkit/sweep.js';

const SC = `
name: bindings-rates
seed: 5
duration: 30min
domains:
  - { name: a.example, users: 200, protocol: sip }
  - { name: b.example, users: 100, protocol: xmpp }
population: { buddies: 0, online: 0.5, watchers: { subscriber: 1 }, visibility: { full: 1 } }
behaviour: { presenceChangeRate: 30/h, imRate: 20/h, sessionLength: 10min, offlineLength: 10min, duplicateFraction: 0.05, crashFraction: 0.2, publicationLease: 0 }
`;

describe('analytic cross-check per binding', () => {
  it("publish, message, log-in and log-out rates of SIP and XMPP domains fall within the replications' 95% CI", async () => {
    const r = await runSweep(parseScenario(SC, 'bindings-rates.yaml'), { params: [], replications: 6, parallel: 2, analytic: true });
    const rows = new Map(r.points[0].crossCheck!.map((x) => [x.figure, x]));
    for (const f of ['bindings.sip.publish/s', 'bindings.sip.message/s', 'bindings.xmpp.publish/s', 'bindings.xmpp.message/s', 'bindings.xmpp.login/s', 'bindings.xmpp.logout/s']) {
      const row = rows.get(f)!;
      expect(row, f).toBeDefined();
      expect(row.exact, `${f} exact`).toBe(true);
      expect(row.simulated, f).toBeGreaterThan(0);
      expect(row.withinCi, `${f}: simulated ${row.simulated} ± ${row.ci95}, analytic ${row.analytic}`).toBe(true);
    }
    expect(rows.get('bindings.sip.refresh/s')!.exact).toBe(false);
  });
});
