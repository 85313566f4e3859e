/**
 * The analytic per-pair rows count each instant message once, between its end domains; a report
 * counts every crossing. Where static routes or hosting relay messages over other pairs, those
 * rows are approximations and say so.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { analyticModel } from '../../sim/toolkit/analytic.js';

const pairRows = (name: string, sets: string[] = []) =>
  analyticModel(loadScenario(name, ['duration=1min', ...sets])).rows.filter((r) => r.figure.startsWith('pairs[') && r.figure.endsWith('message/s') || r.figure === 'crossDomain.messages.message/s');

describe('analytic cross-check: relayed pairs', () => {
  it('direct federation: the IM pair rows are exact', () => {
    const rows = pairRows('federation');
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(r.exact, r.figure).toBe(true);
  });

  it('static routes (the loop scenario) or hosting: the IM pair rows are approximations that name the reason', () => {
    const hosted = ['domains[3].srv={records: [{service: im, target: gw1.alpha.example}]}'];
    for (const rows of [pairRows('loop'), pairRows('federation', hosted)]) {
      expect(rows.length).toBeGreaterThan(1);
      for (const r of rows) {
        expect(r.exact, r.figure).toBe(false);
        expect(r.note).toMatch(/static routes or hosting/);
      }
    }
    // a domain's records that name its own gateways relay nothing
    for (const r of pairRows('federation', ['domains[3].srv={records: [{service: im, target: gw1.delta.example}]}'])) expect(r.exact, r.figure).toBe(true);
  });
});
