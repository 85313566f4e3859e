/**
 * The session expectations of the analytic cross-check over the whole documented range of
 * behaviour.sessionLength and behaviour.offlineLength (1 ms to 366 d): finite, consistent, equal to
 * a fine independent quadrature where one is feasible, and close to what a run measures at an
 * extreme where the former quadrature gave NaN.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { analyticModel, crossCheck, fromOffline, phi1, sessionExpectations } from '../../sim/toolkit/analytic.js';

const FIXTURE = new URL('./fixtures/mm1.yaml', import.meta.url).pathname;
const MS = 1;
const MIN = 60_000;
const H = 3_600_000;
const DAY = 24 * H;
const LENGTHS = [1 * MS, 37 * MS, 1 * MIN, 2 * H, 30 * DAY, 366 * DAY];

/**
 * Reference for a user offline at 0: online probability p (1 - e^{-kt}) integrated by a midpoint
 * rule on a grid refined near 0 (where the transient lives), independent of the closed form.
 */
function reference(T: number, S: number, O: number) {
  const p = S / (S + O);
  const k = 1 / S + 1 / O;
  let on = 0;
  // geometric grid from min(T, 1e-6 / k) up to T, plus the first cell
  const n = 20_000;
  const t0 = Math.min(T, 1e-6 / k);
  const ratio = Math.pow(T / t0, 1 / n);
  let a = 0;
  let b = t0;
  for (let i = 0; i <= n; i++) {
    const m = (a + b) / 2;
    on += p * -Math.expm1(-k * m) * (b - a);
    a = b;
    b = Math.min(T, b * ratio);
    if (a >= T) break;
  }
  return { on, li: (T - on) / O, lo: on / S };
}

describe('analytic session expectations', () => {
  it('phi1(w) = w - 1 + e^-w keeps its digits for tiny w and matches the direct form elsewhere', () => {
    expect(phi1(0)).toBe(0);
    expect(phi1(1e-12) / (0.5e-24)).toBeCloseTo(1, 10);
    expect(phi1(1e-3)).toBeCloseTo(1e-3 - 1 + Math.exp(-1e-3), 15);
    for (const w of [2e-3, 0.5, 3, 40]) expect(phi1(w) / (w - 1 + Math.exp(-w))).toBeCloseTo(1, 10);
  });

  it('a user starting offline: closed form = fine quadrature, and online + offline time = T, over every documented length', () => {
    for (const S of LENGTHS) {
      for (const O of LENGTHS) {
        for (const T of [1 * MS, 10 * MIN, 8 * H, 366 * DAY]) {
          const r = fromOffline(T, S, O);
          const at = `S=${S} O=${O} T=${T}`;
          for (const v of [r.on, r.li, r.lo]) expect(Number.isFinite(v) && v >= 0, at).toBe(true);
          expect(r.on, at).toBeLessThanOrEqual(T);
          // offline time (li x O) and online time add up to the run
          expect((r.li * O + r.on) / T, at).toBeCloseTo(1, 9);
          const ref = reference(T, S, O);
          if (ref.on > 1e-300) expect(r.on / ref.on, at).toBeCloseTo(1, 5);
        }
      }
    }
  });

  it('the mixture of the scenario is finite at the extremes: offlineLength 1ms, sessionLength 1ms, both 366d', () => {
    const sc = loadScenario(FIXTURE, ['population.online=0.5', 'duration=8h']);
    for (const [S, O] of [
      [2 * H, 1 * MS],
      [1 * MS, 2 * H],
      [1 * MS, 1 * MS],
      [366 * DAY, 366 * DAY],
      [366 * DAY, 1 * MS],
      [1 * MS, 366 * DAY],
    ]) {
      const u = sessionExpectations({ ...sc, behaviour: { ...sc.behaviour, sessionLength: S, offlineLength: O } }, sc.duration);
      for (const v of [u.on, u.li, u.lo]) expect(Number.isFinite(v), `S=${S} O=${O}`).toBe(true);
      expect(u.on).toBeLessThanOrEqual(sc.duration);
    }
    // offline users come back at once when offlineLength is 1 ms: almost the whole run online
    const u = sessionExpectations({ ...sc, behaviour: { ...sc.behaviour, sessionLength: 2 * H, offlineLength: 1 * MS } }, sc.duration);
    expect(u.on / sc.duration).toBeGreaterThan(0.999);
  });

  it('offlineLength 1ms: the log-in and publish rows are finite and agree with a run', async () => {
    // half the users start offline and come back after Exp(1 ms); sessions of 5 min, so every
    // user logs in about 1 + 60 min / 5 min times; no presence changes besides log-in and -out
    const sc = loadScenario(FIXTURE, ['population.online=0.5', 'duration=1h', 'behaviour.sessionLength=5min', 'behaviour.offlineLength=1ms', 'behaviour.presenceChangeRate=0']);
    const model = analyticModel(sc);
    const report = await runScenario(sc, { workers: 1 });
    const rows = new Map(crossCheck(model, [model.simulated(report)]).map((r) => [r.figure, r]));
    for (const f of ['sessions.logins', 'publishesPerSec', 'domains.queue.example.utilisation']) {
      const row = rows.get(f)!;
      expect(Number.isFinite(row.analytic), `${f}: ${row.analytic}`).toBe(true);
      // about 1,250 log-ins: a count within 10% (about 3.5 standard deviations)
      expect(Math.abs(row.relDiff), `${f}: simulated ${row.simulated}, analytic ${row.analytic}`).toBeLessThan(0.1);
    }
    expect(rows.get('sessions.logins')!.analytic).toBeGreaterThan(100 * 10);
  });
});
