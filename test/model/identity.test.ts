/**
 * Identity at the boundary (RFC 2779 5.1.12, 5.3.3; RFC 3860 MaxForwards): forgers and principals
 * with wrong credentials are part of the population, not a coin flip per request; the hop budget
 * has no 7-bit cap.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';

const run = (federation: string, behaviour = '') =>
  runScenario(
    parseScenario(
      `name: identity
seed: 3
duration: 20min
domains:
  - { name: a.example, users: 10 }
  - { name: b.example, users: 10 }
links: { default: { dist: fixed, value: 10ms } }
federation: ${federation}
population: { buddies: 3, federatedFraction: 1, online: 1, access: { allow: 1 } }
behaviour: { presenceChangeRate: 60/h, sessionLength: 366d, subscriptionDuration: 3min, maxSubscriptionDuration: 3min, refreshBefore: 30s${behaviour || ", authFailureFraction: 0"} }
trace: { enabled: true, limit: 1000000 }
`,
      'identity.yaml',
    ),
    { workers: 1 },
  );

/** Watchers by what their subscribe requests got: refused as forged, or accepted. */
function answers(r: Report, why: string) {
  const out = new Map<string, Set<string>>();
  for (const x of r.trace!) if (x.op === 'subscribeResponse') out.set(x.to, (out.get(x.to) ?? new Set()).add(x.detail));
  const refused = [...out].filter(([, s]) => s.has(why)).map(([w]) => w);
  return { refused, out };
}

describe('identity and hop budget', () => {
  it('RFC 2779 5.1.12, 5.4.3: forgers are principals: a forger is refused at every request and every message to another domain, an honest principal never', async () => {
    const r = await run('{ spoofFraction: 0.3 }', ', imRate: 60/h, authFailureFraction: 0');
    const { refused, out } = answers(r, 'spoofed identity');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(out.size);
    expect(r.security.spoofed).toBeGreaterThan(refused.length); // each forger tried more than once
    for (const w of refused) expect([...out.get(w)!]).toEqual(['spoofed identity']);
    // instant messages: the recipient's gateway refuses a forger's message, and only a forger's
    const forgers = new Set(refused);
    const reports = r.trace!.filter((x) => x.op === 'messageReport');
    expect(r.im.failedBy.spoofed).toBeGreaterThan(0);
    for (const x of reports) if (x.detail === 'failed: spoofed') expect(forgers.has(x.to), x.to).toBe(true);
    expect(reports.filter((x) => x.detail === 'failed: spoofed').length).toBe(r.im.failedBy.spoofed);
  });

  it('RFC 2779 5.1.12: a principal with wrong credentials fails every request; the others never fail authentication', async () => {
    const r = await run('{}', ', authFailureFraction: 0.25');
    const { refused, out } = answers(r, 'authentication failed');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(out.size);
    for (const w of refused) expect([...out.get(w)!]).toEqual(['authentication failed']);
  });

  it('RFC 3860: MaxForwards above 127 is accepted and spent relay by relay before a loop is rejected', async () => {
    const relays = async (hops: number) => {
      const r = await runScenario(loadScenario('loop', ['duration=5min', `federation.maxForwards=${hops}`]), { workers: 1 });
      expect(r.federation.loops).toBeGreaterThan(0);
      const ab = r.links.filter((l) => (l.from === 'alpha.example' && l.to === 'beta.example') || (l.from === 'beta.example' && l.to === 'alpha.example'));
      return ab.reduce((x, l) => x + l.messages, 0) / r.federation.loops;
    };
    const r100 = await relays(100);
    const r300 = await relays(300);
    // a looping request circles until its budget is spent: three times the budget, about three times the relays
    expect(r300 / r100).toBeGreaterThan(2.5);
    expect(r300 / r100).toBeLessThan(3.5);
  });
});
