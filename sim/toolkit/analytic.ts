/**
 * Closed-form cross-check: expected figures of a scenario from its rates, next to what a run
 * measured. Where the model's rules make an expectation exact (Poisson presence changes while
 * online, exponential sessions, a static population), a row is marked `exact`; where the formula
 * leans on an approximation (independence of two users' sessions, mixed service times, arrivals
 * that are not Poisson), it is marked `approx`.
 *
 * Sessions: the expected online time, log-ins and log-outs per user of the two-state on/off
 * chain (Exp(sessionLength) online, Exp(offlineLength) offline), in analytic-sessions.ts. With
 * several devices each device is such a chain of its own, and the principal is online while any
 * device is (probability 1 - (1 - p)^devices, integrated numerically): the principal's agents
 * (changes, IMs, subscriptions, polls, fetches, a binding's stream) follow its sessions, the
 * devices' log-in and log-out publishes and lease refreshes follow theirs.
 *
 * Rates: publishes = presentities x (principal's online hours x presenceChangeRate + devices x
 * (device log-ins + device log-outs x (1 - crashFraction))): each device publishes its tuples at
 * log-in and, unless it crashes, at log-out; lease refreshes go per device's online time;
 * IMs sent = inboxes x online hours x imRate; IMs from domain a to b (each of a sender's messages
 * goes to a uniform buddy, or with unknownRecipientFraction to a uniform domain; duplicates cross
 * too). Notifications (approx): per allowed subscriber edge, changes of the presentity while both
 * are online (visibility: a first-tuple-only watcher sees 1/tuples of the timer changes), one
 * notification per device at each log-in and clean log-out of the presentity while the watcher is
 * online, plus one initial notification per subscription; at the start of a run (no warm-up), a
 * pair both online at once gets each device's log-in publish half the time (the watcher
 * subscribed first).
 *
 * Servers: utilisation = sum of arrival rate x mean service time / (servers x cores). Waiting time
 * per server (load split evenly over servers): cores = 1: Pollaczek-Khinchine (M/G/1, which is
 * M/M/1 or M/D/1 for exponential or fixed service); cores > 1: Erlang C (M/M/c) when every
 * operation's service is exponential with one mean, else Allen-Cunneen (approx).
 */
import { buildPopulation, PRINCIPAL_INBOX_ONLY, PRINCIPAL_PRESENTITY_ONLY, RULE_ALLOW, RULE_PENDING, RULE_POLITE, VIS_FIRST_TUPLE_ONLY, WATCHER_POLLER, WATCHER_FETCHER, WATCHER_SUBSCRIBER } from '../model/population.js';
import { hashUnit } from '../model/population.js';
import type { Report } from '../run.js';
import type { OperationName, Scenario } from '../scenario/types.js';
import { integrateOnline, onlineAt, principalExpectations, sessionExpectations } from './analytic-sessions.js';
import { bindingRows } from './analytic-bindings.js';
import { simulatedChecks } from './analytic-compare.js';
import { addLoad, distMoments, mg1Wait, mmcWait, type Load } from './analytic-queues.js';
import { wireWork } from './analytic-wire.js';
import { N_WIRE } from '../model/bindings/kinds.js';
import { wireDists } from '../model/service.js';

export { deviceOnlineAt, fromOffline, phi1, principalExpectations, sessionExpectations } from './analytic-sessions.js';
export { distMoments, erlangC, mg1Wait, mmcWait } from './analytic-queues.js';
export { crossCheck, formatCrossCheck, formatDiff, simulatedChecks } from './analytic-compare.js';

const HOUR = 3_600_000;

export interface CrossCheckRow {
  /** what is compared, e.g. `publishesPerSec`, `domains.office.example.utilisation` */
  figure: string;
  analytic: number;
  simulated: number;
  /** (simulated - analytic) / analytic; 0 when both are 0 */
  relDiff: number;
  exact: boolean;
  note: string;
  /** with replications: half-width of the simulated mean's 95% confidence interval */
  ci95?: number;
  /** with replications: |simulated - analytic| <= ci95 (+ 0.1% of the value for rounding) */
  withinCi?: boolean;
}

export interface AnalyticModel {
  /** per user (its principal's sessions: with several devices, online while any device is): expected online ms, log-ins, log-outs over the run; fraction of time online */
  perUser: { onlineMs: number; logins: number; logouts: number; onlineFraction: number };
  /** expected allowed subscriber watchers per presentity (watchers that get change notifications) */
  watchersPerPresentity: number;
  fractionAllowed: number;
  rows: Omit<CrossCheckRow, 'simulated' | 'relDiff'>[];
  /** the simulated counterpart of each row from a report */
  simulated: (r: Report) => Record<string, number>;
}

/** Per-pair rows of the cross-check: at most this many pairs, those with the most expected traffic (1,000 domains have 999,000 pairs). */
export const MAX_PAIR_ROWS = 50;

/**
 * The cross-domain rows: the totals over every pair (crossDomain.messages.message/s, .notify/s)
 * and per pair those of the MAX_PAIR_ROWS pairs with the most expected messages, in pair order.
 */
function pairRows(sc: Scenario, msgPair: Float64Array, notifPair: Float64Array, secs: number, rows: AnalyticModel['rows']): void {
  const D = sc.domains.length;
  if (D < 2) return;
  // the formula counts each message once, between its end domains; a report counts every crossing,
  // so static routes and hosting (SRV targets in other domains) relay messages over other pairs
  const relayed = sc.domains.some((d) => d.gateway.routes.length > 0 || (d.srv?.records.some((r) => r.target !== '.' && r.target.slice(r.target.indexOf('.') + 1) !== d.name) ?? false));
  const via = relayed ? 'approx: static routes or hosting relay messages over other pairs; ' : '';
  let im = 0;
  let nf = 0;
  const busy: number[] = [];
  for (let a = 0; a < D; a++) {
    for (let t = 0; t < D; t++) {
      if (a === t) continue;
      const i = a * D + t;
      im += msgPair[i];
      nf += notifPair[i];
      busy.push(i);
    }
  }
  rows.push({ figure: 'crossDomain.messages.message/s', analytic: im / secs, exact: !relayed, note: `${via}IMs between distinct domains, every pair` });
  if (nf > 0) rows.push({ figure: 'crossDomain.messages.notify/s', analytic: nf / secs, exact: false, note: 'approx: see notificationsPerSec' });
  let chosen = busy;
  if (busy.length > MAX_PAIR_ROWS) {
    const load = (i: number) => msgPair[i] + notifPair[i];
    chosen = busy.sort((x, y) => load(y) - load(x) || x - y).slice(0, MAX_PAIR_ROWS).sort((x, y) => x - y);
  }
  for (const i of chosen) {
    const key = `${sc.domains[Math.floor(i / D)].name}->${sc.domains[i % D].name}`;
    rows.push({ figure: `pairs[${key}].messages.message/s`, analytic: msgPair[i] / secs, exact: !relayed, note: `${via}IMs to buddies and unknown users, duplicates included` });
    if (notifPair[i] > 0) rows.push({ figure: `pairs[${key}].messages.notify/s`, analytic: notifPair[i] / secs, exact: false, note: 'approx: see notificationsPerSec' });
  }
}

/** Builds the analytic model of a scenario (the population is generated from the seed, as the model does). */
export function analyticModel(sc: Scenario, opts: { seed?: number; duration?: number; from?: number } = {}): AnalyticModel {
  const seed = opts.seed ?? sc.seed;
  // the measured window (from, end]: a report with a warm-up covers (warmup, duration]
  const end = opts.duration ?? sc.duration;
  const W = Math.min(opts.from ?? 0, end);
  const T = end - W;
  const secs = T / 1000;
  const pop = buildPopulation(sc, seed);
  const D = pop.domains;
  const b = sc.behaviour;
  const tuples = sc.population.tuples;
  // the expectations are cumulative from time 0, so a window is a difference
  const uEnd = sessionExpectations(sc, end);
  const uW = W > 0 ? sessionExpectations(sc, W) : { on: 0, li: 0, lo: 0 };
  // u: one session chain (a device's with several devices); P: the principal's sessions (online
  // while any device is), which its agents follow: changes, IMs, subscriptions, polls, fetches
  const u = { on: uEnd.on - uW.on, li: uEnd.li - uW.li, lo: uEnd.lo - uW.lo };
  const rPub = b.presenceChangeRate / HOUR;
  const rIm = b.imRate / HOUR;
  const c = b.crashFraction;
  const devs = sc.population.devices;
  const P = devs === 1 ? u : principalExpectations(sc, W, end);
  // the principal's last device crashes: nobody cancels the subscriptions
  const cAll = c;

  // integrals of the online curve for the notification approximation
  const steps = 2000;
  let I2 = 0, I3 = 0;
  for (let i = 0; i < steps; i++) {
    const p = onlineAt(sc, W + ((i + 0.5) / steps) * T);
    I2 += p * p;
    I3 += p * (1 - p);
  }
  I2 *= T / steps;
  I3 *= T / steps;
  // several devices: the presentity changes while its principal is online (probability 1 - (1 - p)^n
  // for a device's p), each device logs in at rate 1/O while offline and out at 1/S while online
  const Pn = (p: number) => 1 - (1 - p) ** devs;
  const J2 = devs === 1 ? I2 : integrateOnline(sc, W, end, (p) => Pn(p) ** 2);
  const Jin = devs === 1 ? I3 / b.offlineLength : integrateOnline(sc, W, end, (p) => (Pn(p) * (1 - p)) / b.offlineLength);
  const Jout = devs === 1 ? I2 / b.sessionLength : integrateOnline(sc, W, end, (p) => (Pn(p) * p) / b.sessionLength);

  const publishes = new Float64Array(D);
  const leaseRefreshes = new Float64Array(D);
  const revokes = new Float64Array(D);
  const lease = b.publicationLease;
  const leaseEvery = lease - b.refreshBefore >= lease / 2 ? lease - b.refreshBefore : lease / 2;
  const ims = new Float64Array(D);
  const msgPair = new Float64Array(D * D); // IM messages a -> b (incl. duplicates, incl. a == b)
  const notifPair = new Float64Array(D * D); // notifications presentity domain -> watcher domain
  const notif = new Float64Array(D);
  const unknownFrom = new Float64Array(D);
  const unavailable = new Float64Array(D); // publishes at clean log-outs
  const subPair = new Float64Array(D * D); // subscriptions at log-in and refreshes, watcher's domain -> presentity's
  const refreshPair = new Float64Array(D * D);
  const initPair = new Float64Array(D * D); // initial notifications, presentity's domain -> watcher's
  const subscribes = new Float64Array(D);
  const fetches = new Float64Array(D);
  const refreshes = new Float64Array(D);
  let presentities = 0;
  let allowedSubEdges = 0;
  let subEdges = 0;
  const grant = Math.min(b.subscriptionDuration, b.maxSubscriptionDuration);
  const refreshEvery = Math.max(1, grant - b.refreshBefore);

  for (let g = 0; g < pop.totalUsers; g++) {
    const d = pop.domainOf[g];
    const dom = sc.domains[d];
    const hasPres = pop.principal[g] !== PRINCIPAL_INBOX_ONLY;
    const hasInbox = pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;
    if (hasPres) presentities++;
    if (dom.presence && hasPres) publishes[d] += P.on * rPub + devs * (u.li + u.lo * (1 - c));
    if (dom.presence && hasPres) unavailable[d] += devs * u.lo * (1 - c);
    // approx: each device refreshes every leaseEvery of its session (a session shorter than that refreshes never)
    if (dom.presence && hasPres && lease > 0) leaseRefreshes[d] += (devs * u.on) / leaseEvery;
    // approx: an agent tries to revoke at this rate while online (a try with no active subscription costs nothing)
    if (dom.presence && hasPres) revokes[d] += (P.on * b.revocationRate) / HOUR;
    const nb = pop.fwdStart[g + 1] - pop.fwdStart[g];
    if (dom.im && hasInbox && rIm > 0) {
      const self = nb === 0 ? 1 / Math.max(1, pop.domainUsers[d]) : 0;
      const sent = P.on * rIm;
      ims[d] += sent * (1 - b.unknownRecipientFraction) * (1 - self) + sent * b.unknownRecipientFraction;
      const perMsg = sent * (1 + b.duplicateFraction);
      // unknown recipients go to a uniform domain: spread once per domain below (not per user)
      unknownFrom[d] += (perMsg * b.unknownRecipientFraction) / D;
      const known = perMsg * (1 - b.unknownRecipientFraction);
      const m = b.imContacts;
      if (nb + m === 0) msgPair[d * D + d] += known * (1 - self);
      else {
        for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) msgPair[d * D + pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]]] += known / (nb + m);
        // other contacts: in the own domain, or with the federated fraction uniformly in another
        const toContacts = (known * m) / (nb + m);
        const fed = D > 1 ? sc.population.federatedFraction : 0;
        msgPair[d * D + d] += toContacts * (1 - fed);
        for (let t = 0; t < D; t++) if (t !== d) msgPair[d * D + t] += (toContacts * fed) / (D - 1);
      }
    }
    // watcher side: requests to the presentities' domains
    if (dom.presence) {
      const kind = pop.watcherKind[g];
      for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) {
        const pd = pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]];
        if (kind === WATCHER_SUBSCRIBER) {
          subscribes[pd] += P.li;
          refreshes[pd] += P.on / refreshEvery;
          subPair[d * D + pd] += P.li;
          refreshPair[d * D + pd] += P.on / refreshEvery;
        } else if (kind === WATCHER_POLLER) fetches[pd] += P.on / b.pollInterval;
      }
      if (kind === WATCHER_FETCHER && nb > 0) {
        const f = P.on * (b.fetchRate / HOUR);
        for (let i = pop.fwdStart[g]; i < pop.fwdStart[g + 1]; i++) fetches[pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]]] += f / nb;
      }
    }
  }
  for (let d = 0; d < D; d++) if (unknownFrom[d] > 0) for (let t = 0; t < D; t++) msgPair[d * D + t] += unknownFrom[d];
  // presentity side: notifications per edge (approx)
  for (let e = 0; e < pop.edges; e++) {
    const p = pop.edgePresentity[e];
    const w = pop.edgeWatcher[e];
    const pd = pop.domainOf[p];
    const wd = pop.domainOf[w];
    if (!sc.domains[pd].presence || !sc.domains[wd].presence || pop.watcherKind[w] !== WATCHER_SUBSCRIBER) continue;
    subEdges++;
    const rule = pop.edgeRule[e] & 3;
    const allowed = rule === RULE_ALLOW || (rule === RULE_PENDING && hashUnit(seed, p, w, 3) < b.pendingAllowFraction);
    let n = 0;
    if (allowed) {
      allowedSubEdges++;
      const firstOnly = (pop.edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0;
      const v = firstOnly ? 1 / tuples : 1;
      // a watcher that sees the first tuple only is told of the log-ins and log-outs of device 0, which owns it
      const dv = firstOnly ? 1 : devs;
      n += J2 * rPub * v + dv * Jin + dv * (1 - c) * Jout + P.li;
      // the start: of a pair both online at once (log-ins spread over the first 10 s), half the
      // time the watcher subscribes first, and each of the presentity's devices' log-in publishes
      // then notifies it (a pending pair is not decided yet)
      if (W === 0 && rule === RULE_ALLOW) n += (dv * sc.population.online * (1 - (1 - sc.population.online) ** devs)) / 2;
    } else if (rule === RULE_POLITE) n += P.li;
    if (allowed || rule === RULE_POLITE) initPair[pd * D + wd] += P.li;
    notif[pd] += n;
    notifPair[pd * D + wd] += n;
  }

  const rows: AnalyticModel['rows'] = [];
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const poissonOnly = sc.population.online === 1 && P.lo < 0.001 && sum(notif) === 0 && sum(ims) === 0 && sum(subscribes) === 0 && sum(fetches) === 0;
  rows.push({ figure: 'sessions.logins', analytic: P.li * pop.totalUsers, exact: true, note: devs === 1 ? 'exponential sessions (Markov on/off)' : "the principal's sessions: online while any of its devices' independent on/off chains is (numeric integral)" });
  if (devs > 1) rows.push({ figure: 'sessions.deviceLogins', analytic: devs * u.li * pop.totalUsers, exact: true, note: 'each device an exponential on/off chain of its own' });
  rows.push({ figure: 'publishesPerSec', analytic: sum(publishes) / secs, exact: true, note: devs === 1 ? 'presentities x (online time x change rate + log-ins + clean log-outs)' : 'presentities x (online time x change rate + devices x (log-ins + clean log-outs))' });
  rows.push({ figure: 'imPerSec', analytic: sum(ims) / secs, exact: true, note: 'inboxes x online time x IM rate' });
  rows.push({ figure: 'notificationsPerSec', analytic: sum(notif) / secs, exact: sum(notif) === 0, note: sum(notif) === 0 ? 'no subscriptions' : 'approx: independent sessions, initial notifications per log-in, the log-in burst at the start' });
  const imsWithCopies = ims.map((n) => n * (1 + b.duplicateFraction));
  rows.push(...bindingRows(sc, pop, { publishes, leaseRefreshes, refreshes, ims: imsWithCopies, logins: P.li, logouts: P.lo }, secs));
  const crossIm = (a: number, t: number) => msgPair[a * D + t];
  pairRows(sc, msgPair, notifPair, secs, rows);
  const onlineThroughout = sc.population.online === 1 && P.lo < 0.001;
  const noFailures = b.unknownRecipientFraction === 0 && sc.population.blockedSenders === 0 && b.authFailureFraction === 0;
  const wire = wireWork(sc, pop.domainUsers, { publishes, unavailable, leaseRefreshes, msgPair, subPair, refreshPair, notifPair, initPair, onlineFraction: T > 0 ? P.on / T : 0, logins: P.li, logouts: P.lo, receiptsExact: onlineThroughout && noFailures });
  // servers
  for (let d = 0; d < D; d++) {
    const dom = sc.domains[d];
    let incoming = 0;
    for (let a = 0; a < D; a++) incoming += crossIm(a, d);
    const arrivals: Partial<Record<OperationName, number>> = {
      publish: publishes[d],
      notify: notif[d],
      imSend: ims[d] * (1 + b.duplicateFraction),
      imDeliver: incoming,
      // one report per message back at its sender's servers (copies are suppressed before an outcome)
      imReport: ims[d],
      publishRefresh: leaseRefreshes[d],
      revoke: revokes[d],
      subscribe: subscribes[d],
      refresh: refreshes[d],
      unsubscribe: subscribes[d] * (1 - cAll) * 0.5,
      fetch: fetches[d],
      watcherinfo: subscribes[d] * 1.5 + fetches[d],
    };
    const approxOps: string[] = (['subscribe', 'refresh', 'unsubscribe', 'fetch', 'watcherinfo', 'notify'] as OperationName[]).filter((o) => (arrivals[o] ?? 0) > 0);
    const load: Load = { busy: 0, lam: 0, m2: 0, allExp: true, allFixed: true, expMean: -1 };
    for (const [op, n] of Object.entries(arrivals) as [OperationName, number][]) addLoad(load, n, T, distMoments(dom.serviceTimes[op]));
    // the wire messages of a SIP or XMPP domain: a job each, besides the operations'
    const costs = wireDists(dom.serviceTimes.wire);
    let wired = 0;
    for (let j = 0; j < 2 * N_WIRE; j++) {
      wired += wire.counts[d * 2 * N_WIRE + j];
      addLoad(load, wire.counts[d * 2 * N_WIRE + j], T, distMoments(costs[j]));
    }
    if (wire.approx[d].size > 0) approxOps.push(`wire messages (${[...wire.approx[d]].join(', ')})`);
    const { busy, lam, m2, allExp } = load;
    const cores = dom.servers.cores;
    const capacity = dom.servers.count * cores * T;
    const exactLoad = approxOps.length === 0;
    rows.push({ figure: `domains.${dom.name}.utilisation`, analytic: busy / capacity, exact: exactLoad, note: exactLoad ? `sum of arrival rate x mean service${wired > 0 ? ' (operations and wire messages)' : ''} / (servers x cores)` : `approx: rates of ${approxOps.join(', ')}` });
    if (lam > 0) {
      const ls = lam / dom.servers.count; // per server
      const m1 = (busy / T) / lam;
      const es2 = m2 / lam;
      let wait: number;
      let model: string;
      if (cores === 1) {
        wait = mg1Wait(ls, m1, es2);
        model = allExp ? 'M/M/1' : load.allFixed ? 'M/D/1' : 'M/G/1';
      } else if (allExp) {
        wait = mmcWait(cores, ls, m1);
        model = `M/M/${cores}`;
      } else {
        const cs2 = es2 / (m1 * m1) - 1;
        wait = (mmcWait(cores, ls, m1) * (1 + cs2)) / 2;
        model = `M/G/${cores} (Allen-Cunneen)`;
      }
      const exact = poissonOnly && (cores === 1 || allExp) && dom.servers.count === 1;
      rows.push({ figure: `domains.${dom.name}.meanWait`, analytic: wait, exact, note: `${model} per server${exact ? '' : ': approx (Poisson arrivals assumed; fan-out bursts, sessions and several servers make real waits differ)'}` });
    }
  }
  return {
    perUser: { onlineMs: P.on, logins: P.li, logouts: P.lo, onlineFraction: P.on / T },
    watchersPerPresentity: presentities > 0 ? allowedSubEdges / presentities : 0,
    fractionAllowed: subEdges > 0 ? allowedSubEdges / subEdges : 0,
    rows,
    simulated: (r) => simulatedChecks(r),
  };
}
