/**
 * Session expectations for the analytic cross-check. A user who logs in at time s is online for
 * Exp(sessionLength) S, offline for Exp(offlineLength) O, and so on: a two-state Markov chain of
 * rate k = 1/S + 1/O with steady online fraction p = S/(S+O). Users online at the start log in
 * uniformly within the first 10 s, the others after Exp(O) (the chain started offline: closed
 * form) or uniformly within the login window (a midpoint rule over the log-in time). Every form is
 * a sum of non-negative terms, finite for any S, O and T from 1 ms to 366 d.
 */
import type { Scenario } from '../scenario/types.js';

/**
 * w - 1 + e^-w for w >= 0, without the cancellation of the direct form: for small w it is about
 * w^2 / 2, which `w + expm1(-w)` loses to rounding (a relative error of about 2e-16 / w).
 */
export function phi1(w: number): number {
  if (w < 1e-3) return w * w * (1 / 2 - w * (1 / 6 - w * (1 / 24 - w / 120)));
  return w + Math.expm1(-w);
}

/**
 * The on/off chain of one user (see the module comment): steady online fraction p = S/(S+O), its
 * complement q = O/(S+O) (computed apart, so that q keeps its digits when S >> O), rate k. Every
 * form below is a sum of non-negative terms, so none cancels whatever the ratio of S, O and T.
 */
function chain(S: number, O: number) {
  return { p: S / (S + O), q: O / (S + O), k: 1 / S + 1 / O };
}

/** Expected online time, log-ins and log-outs over [0, T] of a user who logs in at time s. */
function fromLogin(T: number, s: number, S: number, O: number): { on: number; li: number; lo: number } {
  if (s >= T) return { on: 0, li: 0, lo: 0 };
  const x = T - s;
  const { p, q, k } = chain(S, O);
  // online probability p + q e^{-kt} after the log-in; its integral over (0, x)
  const on = p * x + (q * -Math.expm1(-k * x)) / k;
  // offline time is x - on = q (x - (1 - e^{-kx}) / k); each offline stretch ends in a log-in
  return { on, li: 1 + (q * phi1(k * x)) / k / O, lo: on / S };
}

/**
 * Expected online time, log-ins and log-outs over [0, T] of a user offline at 0 who logs in after
 * Exp(O): the chain started offline, online with probability p (1 - e^{-kt}). Closed form (a
 * quadrature over the Exp(O) log-in time underflows when O is tiny next to T).
 */
export function fromOffline(T: number, S: number, O: number): { on: number; li: number; lo: number } {
  const { p, q, k } = chain(S, O);
  const on = (p * phi1(k * T)) / k;
  // log-ins: the offline time q T + p (1 - e^{-kT}) / k, at rate 1/O
  const off = q * T + (p * -Math.expm1(-k * T)) / k;
  return { on, li: off / O, lo: on / S };
}

function averageOver(n: number, at: (i: number) => number, T: number, S: number, O: number) {
  let on = 0, li = 0, lo = 0;
  for (let i = 0; i < n; i++) {
    const r = fromLogin(T, at(i), S, O);
    on += r.on;
    li += r.li;
    lo += r.lo;
  }
  return { on: on / n, li: li / n, lo: lo / n };
}

/** Per-user session expectations over [0, T]: online ms, log-ins, log-outs (see the module comment). */
export function sessionExpectations(sc: Scenario, T: number) {
  const b = sc.behaviour;
  const S = b.sessionLength;
  const O = b.offlineLength;
  const p0 = sc.population.online;
  const n = 200;
  // log-in times uniform over a window: a midpoint rule with equal weights (nothing to underflow)
  const online = averageOver(n, (i) => ((i + 0.5) / n) * 10_000, T, S, O);
  const offline = b.loginWindow > 0 ? averageOver(n, (i) => b.loginStart + ((i + 0.5) / n) * b.loginWindow, T, S, O) : fromOffline(T, S, O);
  return {
    on: p0 * online.on + (1 - p0) * offline.on,
    li: p0 * online.li + (1 - p0) * offline.li,
    lo: p0 * online.lo + (1 - p0) * offline.lo,
  };
}

/** Online probability at time t of the population mixture (ignoring the first 10 s spread). */
export function onlineAt(sc: Scenario, t: number): number {
  const S = sc.behaviour.sessionLength;
  const O = sc.behaviour.offlineLength;
  const k = 1 / S + 1 / O;
  const pinf = S / (S + O);
  const p0 = sc.population.online;
  return pinf + (p0 - pinf) * Math.exp(-k * t);
}

/** (1/w) of the online time at t of the chain after a log-in uniform over [a, a + w]: (1/w) ∫ (p + q e^{-k(t-s)}) ds over the log-ins before t. */
function uniformLogin(t: number, a: number, w: number, p: number, q: number, k: number): number {
  if (t <= a) return 0;
  const x = Math.min(t - a, w);
  return (p * x + (q * Math.exp(-k * (t - a - x)) * -Math.expm1(-k * x)) / k) / w;
}

/**
 * Online probability at time t of one session chain of the population (a device's, with several
 * devices), with the start as the model draws it: a fraction `online` logs in uniformly within
 * the first 10 s, the others uniformly within the log-in window or after Exp(offlineLength).
 */
export function deviceOnlineAt(sc: Scenario, t: number): number {
  const b = sc.behaviour;
  const { p, q, k } = chain(b.sessionLength, b.offlineLength);
  const p0 = sc.population.online;
  const later = b.loginWindow > 0 ? uniformLogin(t, b.loginStart, b.loginWindow, p, q, k) : p * -Math.expm1(-k * t);
  return p0 * uniformLogin(t, 0, 10_000, p, q, k) + (1 - p0) * later;
}

/**
 * ∫ f(p(t)) dt over (from, to] with p = deviceOnlineAt: a midpoint rule of `steps` per piece,
 * the pieces split where p has a kink (the end of the first 10 s, the log-in window's ends).
 */
export function integrateOnline(sc: Scenario, from: number, to: number, f: (p: number) => number, steps = 2000): number {
  const b = sc.behaviour;
  const cuts = [from, to, 10_000, ...(b.loginWindow > 0 ? [b.loginStart, b.loginStart + b.loginWindow] : [])].filter((x) => x >= from && x <= to).sort((x, y) => x - y);
  let sum = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const h = (cuts[i + 1] - cuts[i]) / steps;
    if (!(h > 0)) continue;
    for (let j = 0; j < steps; j++) sum += f(deviceOnlineAt(sc, cuts[i] + (j + 0.5) * h)) * h;
  }
  return sum;
}

/**
 * The principal's session expectations over (from, to] with n = population.devices > 1 devices,
 * each an independent on/off chain: the principal is online while any device is, with
 * probability P = 1 - (1 - p)^n; it goes offline when a device logs out (rate 1/S each) while the
 * n - 1 others are offline; it comes online as often as it goes offline, plus P(to) - P(from).
 */
export function principalExpectations(sc: Scenario, from: number, to: number): { on: number; li: number; lo: number } {
  const n = sc.population.devices;
  const S = sc.behaviour.sessionLength;
  const P = (p: number) => -Math.expm1(n * Math.log1p(-Math.min(p, 1)));
  const on = integrateOnline(sc, from, to, P);
  const lo = integrateOnline(sc, from, to, (p) => ((n * p) / S) * (1 - p) ** (n - 1));
  return { on, li: lo + P(deviceOnlineAt(sc, to)) - P(deviceOnlineAt(sc, from)), lo };
}
