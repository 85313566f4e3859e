/**
 * The calibration of the model from live steps: server CPU seconds per step (procfs) fitted by
 * least squares to  cpu = idle x seconds + publish x changes + notify x deliveries + im x IMs,
 * where an IM stands for the message, its delivery, the receipt and the receipt's delivery. The
 * presence terms are the XMPP binding's cost per inbound change (a) and per delivered broadcast
 * (b): one change to F contacts costs a + b x F. Steps at several fan-outs make a and b separable.
 *
 * The calibration file is the fit, the steps behind it, and the scenario overrides that put the
 * fit into the model (one single-core server, as Prosody is single-threaded; fixed service times,
 * as CPU per stanza hardly varies; the access link's one-way latency from the lightest step).
 *
 * The model charges an operation's job and, in a SIP or XMPP domain, a job per wire message
 * (`serviceTimes.wire`). So that one change to F contacts costs a + b x F in every binding, as
 * measured, the fit goes where each binding charges it once: the operations carry the measured
 * stanzas (publish a, notify b per watcher, the IM's three jobs its cost), and the wire costs of
 * the XMPP binding's kinds are a per stanza entering the servers and b per stanza leaving them,
 * except those the operations carry (client presence in, notifications and IM stanzas out: 0).
 * A CPIM domain, which has no wire jobs, is then calibrated too; a SIP domain keeps its defaults.
 */
import { P_XMPP, WIRE_KINDS } from '../model/bindings/kinds.js';

export interface StepFigures {
  mix: 'presence' | 'im';
  fanout: number;
  /** offered changes or IMs per second */
  rate: number;
  seconds: number;
  changes: number;
  deliveries: number;
  ims: number;
  cpuSeconds: number;
  p50: number;
  p99: number;
  utilisation: number;
  /** changes or IMs actually sent per second (below the offered rate when the driver or the server lags) */
  achieved: number;
  /** notifications expected but not delivered */
  lost: number;
  /** the driver's CPU per wall-clock second (above ~0.7 it may be what limits the step) */
  driverShare: number;
}

export interface Fit {
  idleUsPerSecond: number;
  publishUs: number;
  notifyUs: number;
  imUs: number;
  /** root mean square of the residuals, in CPU ms per step */
  rmsResidualMs: number;
  steps: number;
}

export interface CalibrationFile {
  kind: 'impp-sim-calibration';
  version: 1;
  server: string;
  createdAt: string;
  environment: { cpus: number; cpuModel: string; pinned: boolean; note: string };
  fit: Fit;
  accessLatencyMs: number;
  /** scenario overrides, `domains[*]` standing for every domain */
  overrides: string[];
  steps: StepFigures[];
}

/** Solves the normal equations of a least-squares fit (Gaussian elimination, partial pivoting). */
export function leastSquares(rows: number[][], y: number[]): number[] {
  const k = rows[0]?.length ?? 0;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += rows[r][i] * rows[r][j];
      a[i][k] += rows[r][i] * y[r];
    }
  }
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    if (Math.abs(a[c][c]) < 1e-12) throw new RangeError(`the steps do not determine term ${c} of the fit (add steps that vary it)`);
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row, i) => row[k] / a[i][i]);
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The fit; a term that no step exercises (no IM steps, say) is left out and reported as 0. */
export function fitSteps(steps: StepFigures[]): Fit {
  const all = steps.map((s) => [s.seconds, s.changes, s.deliveries, s.ims]);
  const used = [0, 1, 2, 3].filter((j) => all.some((r) => r[j] !== 0));
  const rows = all.map((r) => used.map((j) => r[j]));
  const y = steps.map((s) => s.cpuSeconds);
  const beta = leastSquares(rows, y);
  const coef = [0, 0, 0, 0];
  used.forEach((j, i) => (coef[j] = beta[i]));
  const [idle, pub, notify, im] = coef;
  let sq = 0;
  all.forEach((r, i) => (sq += (r[0] * idle + r[1] * pub + r[2] * notify + r[3] * im - y[i]) ** 2));
  return { idleUsPerSecond: r3(idle * 1e6), publishUs: r3(pub * 1e6), notifyUs: r3(notify * 1e6), imUs: r3(im * 1e6), rmsResidualMs: r3(Math.sqrt(sq / rows.length) * 1000), steps: rows.length };
}

const fixedMs = (us: number) => `{dist: fixed, value: ${(Math.max(0, us) / 1000).toFixed(4)}ms}`;

/** XMPP kinds whose cost an operation's job carries: [kind, inbound carried, outbound carried]. */
const CARRIED: Record<string, [boolean, boolean]> = {
  'presence.client': [true, true], // publish (it only ever enters)
  'presence.client.unavailable': [true, true],
  'presence.broadcast': [false, true], // notify, at the presentity's servers
  'presence.answer': [false, true],
  'presence.unavailable': [false, true],
  message: [true, true], // imSend and imDeliver
  'message.receipt': [true, true], // imReport
  'message.error': [true, true],
};

/** The wire costs of the XMPP binding's kinds under a fit (a `serviceTimes.wire` value). */
export function xmppWireCosts(fit: Fit): string {
  const kinds = WIRE_KINDS.filter((k) => k[1] === P_XMPP).map(([name]) => {
    const [inCarried, outCarried] = CARRIED[name] ?? [false, false];
    return `{kind: ${name}, inbound: ${fixedMs(inCarried ? 0 : fit.publishUs)}, outbound: ${fixedMs(outCarried ? 0 : fit.notifyUs)}}`;
  });
  return `{kinds: [${kinds.join(', ')}]}`;
}

/** The scenario overrides that put a fit into the model. */
export function calibrationOverrides(fit: Fit, accessLatencyMs: number): string[] {
  // an IM's cost is split as the defaults split it: send 0.5, deliver 0.5, report 0.2
  const im = Math.max(0, fit.imUs);
  return [
    'domains[*].servers={count: 1, cores: 1, queueLimit: 0}',
    `domains[*].serviceTimes.publish=${fixedMs(fit.publishUs)}`,
    `domains[*].serviceTimes.notify=${fixedMs(fit.notifyUs)}`,
    `domains[*].serviceTimes.imSend=${fixedMs((im * 0.5) / 1.2)}`,
    `domains[*].serviceTimes.imDeliver=${fixedMs((im * 0.5) / 1.2)}`,
    `domains[*].serviceTimes.imReport=${fixedMs((im * 0.2) / 1.2)}`,
    `domains[*].serviceTimes.wire=${xmppWireCosts(fit)}`,
    'access.mobileFraction=0',
    `access.lan.latency={dist: fixed, value: ${Math.max(0, accessLatencyMs).toFixed(4)}ms}`,
  ];
}
