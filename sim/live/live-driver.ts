/**
 * The live driver: the scenario's behaviour in real time against an XMPP server, one lean
 * connection per user (sim/live/xmpp-connection.ts), from the scenario's seed (one random stream
 * per user). Sessions alternate online and offline (exponential, behaviour.sessionLength and
 * offlineLength; a fraction of log-outs are crashes), and while online a user changes presence
 * and sends IMs at the scenario's rates times rateScale (Poisson).
 *
 * Counting. A contact counts as online for a change once its log-in completed (its roster result
 * came back after its initial presence: the server routes to it from then on). A change is
 * expected at every follower online and not logging out when it is sent; it is counted delivered
 * when a follower receives it with a send time after its own log-in completed (changes sent before
 * come back as probe answers and are counted as those). Latency is taken at the receiver from the
 * send time carried in the stanza; every client lives in this process, so one clock serves both.
 */
import { RandomStreams } from '../engine/rng.js';
import { LatencyRecorder } from '../model/latency.js';
import type { Scenario } from '../scenario/types.js';
import type { LivePlan } from './live-plan.js';
import { RealTimeQueue } from './real-time-queue.js';
import { XmppConnection, type StanzaSink } from './xmpp-connection.js';

const EV_LOGIN = 1;
const EV_LOGOUT = 2;
const EV_CHANGE = 3;
const EV_IM = 4;

const OFF = 0;
const LOGGING_IN = 1;
const ONLINE = 2;
const LOGGING_OUT = 3;

const SHOWS = ['away', 'chat', 'dnd', 'xa'];
/** log-ins in flight at once in the start-up phase */
const LOGIN_CONCURRENCY = 64;
/** the end waits until nothing has arrived for this long (or DRAIN_MAX_MS) */
const DRAIN_QUIET_MS = 500;
const DRAIN_MAX_MS = 5000;

export interface LiveTarget {
  host: string;
  port: number;
}

export interface DriveOptions {
  /** measured duration (ms) */
  duration: number;
  rateScale: number;
  seed: number;
  password: (u: number) => string;
  /** called every second with the counters so far */
  onTick?: (c: LiveCounters, elapsedMs: number) => void;
  /** ends the measured window early (the report then says so) */
  signal?: AbortSignal;
  /** samples taken at the start and end of the measured window (server CPU) */
  onWindow?: (edge: 'start' | 'end') => void;
}

/** stanzas received across one boundary: every presence, the presence changes among them (counted as notifications), chat messages, receipts, error bounces */
export interface PairCounts {
  presence: number;
  notifications: number;
  messages: number;
  receipts: number;
  errors: number;
}

export interface LiveCounters {
  logins: number;
  loginFailures: number;
  logouts: number;
  crashes: number;
  publishes: number;
  notifyExpected: number;
  notifyDelivered: number;
  notifyLate: number;
  probeAnswers: number;
  loginPresence: number;
  unavailable: number;
  imSent: number;
  imDelivered: number;
  imReports: number;
  imBounced: number;
  /** stanzas the clients sent in the measured window, and stanzas they received */
  stanzasIn: number;
  stanzasOut: number;
  bytesIn: number;
  bytesOut: number;
  /** per ordered domain pair "a>b": stanzas users of b received from users of a */
  pairs: Record<string, PairCounts>;
}

export interface DriveResult {
  counters: LiveCounters;
  setup: { logins: number; ms: number };
  windowMs: number;
  drainMs: number;
  latency: { notification: LatencyRecorder; im: LatencyRecorder; imReport: LatencyRecorder };
  timeline: { bucketMs: number; series: Record<string, number[]> };
  /** the driver's own CPU seconds in the measured window */
  driverCpuSeconds: number;
  loginErrors: string[];
}

function newCounters(): LiveCounters {
  return { logins: 0, loginFailures: 0, logouts: 0, crashes: 0, publishes: 0, notifyExpected: 0, notifyDelivered: 0, notifyLate: 0, probeAnswers: 0, loginPresence: 0, unavailable: 0, imSent: 0, imDelivered: 0, imReports: 0, imBounced: 0, stanzasIn: 0, stanzasOut: 0, bytesIn: 0, bytesOut: 0, pairs: {} };
}

/** Login costs the server four client stanzas (auth, bind, presence, roster get) and brings back as many answers. */
const LOGIN_STANZAS = 4;

/** targets: one per domain (the server each domain's users log in to). */
export async function driveLive(s: Scenario, plan: LivePlan, targets: LiveTarget[], o: DriveOptions): Promise<DriveResult> {
  const N = plan.users;
  const beh = s.behaviour;
  const rng = new RandomStreams(N, o.seed ^ 0x11e11e);
  const state = new Uint8Array(N);
  const epoch = new Int32Array(N);
  const conns: (XmppConnection | null)[] = new Array(N).fill(null);
  const userOf = new Map<string, number>();
  for (let u = 0; u < N; u++) userOf.set(`${plan.names[u]}@${plan.domains[plan.domainOf[u]]}`, u);
  const c = newCounters();
  const lat = { notification: new LatencyRecorder(), im: new LatencyRecorder(), imReport: new LatencyRecorder() };
  const buckets = Math.ceil(o.duration / 1000) + 1;
  const series: Record<string, number[]> = { publishes: new Array(buckets).fill(0), notifications: new Array(buckets).fill(0), imSent: new Array(buckets).fill(0), imDelivered: new Array(buckets).fill(0) };
  let measuring = false;
  let t0 = 0;
  let lastArrival = performance.now();
  const loginErrors: string[] = [];
  const bucket = () => Math.min(buckets - 1, Math.max(0, Math.floor((performance.now() - t0) / 1000)));
  /** one stanza received by b from a, counted when a and b are of different domains */
  const pair = (a: number | undefined, b: number, kind: keyof PairCounts) => {
    if (a === undefined || !measuring) return;
    const da = plan.domainOf[a];
    const db = plan.domainOf[b];
    if (da === db) return;
    const k = `${plan.domains[da]}>${plan.domains[db]}`;
    const p = (c.pairs[k] ??= { presence: 0, notifications: 0, messages: 0, receipts: 0, errors: 0 });
    p[kind]++;
  };
  const changeMean = beh.presenceChangeRate > 0 ? 3_600_000 / (beh.presenceChangeRate * o.rateScale) : Infinity;
  const imMean = beh.imRate > 0 ? 3_600_000 / (beh.imRate * o.rateScale) : Infinity;
  let imSeq = 0;

  const sink: StanzaSink = {
    presence(conn, fromBare, type, sentAt) {
      lastArrival = performance.now();
      if (measuring) c.stanzasOut++;
      const from = userOf.get(fromBare);
      pair(from, conn.index, 'presence');
      if (type === 'unavailable') return void c.unavailable++;
      if (type !== null) return;
      if (Number.isNaN(sentAt)) return void c.loginPresence++;
      if (conn.phase === 'online-wait' || sentAt < conn.availableAt) return void c.probeAnswers++;
      if (state[conn.index] !== ONLINE) return void c.notifyLate++;
      c.notifyDelivered++;
      pair(from, conn.index, 'notifications');
      series.notifications[bucket()]++;
      lat.notification.record(lastArrival - sentAt);
    },
    message(conn, fromBare, type, id, sentAt, receiptFor, wantsReceipt) {
      const now = (lastArrival = performance.now());
      if (measuring) c.stanzasOut++;
      const from = userOf.get(fromBare);
      if (type === 'error') return void (c.imBounced++, pair(from, conn.index, 'errors'));
      if (receiptFor !== null) {
        c.imReports++;
        pair(from, conn.index, 'receipts');
        // the id carries the original send time after its last dot
        const t = Number(receiptFor.slice(receiptFor.lastIndexOf('-') + 1));
        if (Number.isFinite(t)) lat.imReport.record(now - t);
        return;
      }
      if (!Number.isNaN(sentAt)) lat.im.record(now - sentAt);
      c.imDelivered++;
      pair(from, conn.index, 'messages');
      series.imDelivered[bucket()]++;
      if (wantsReceipt && id !== null) {
        conn.sendReceipt(fromBare, id, now);
        if (measuring) c.stanzasIn++;
      }
    },
    closed(conn) {
      const u = conn.index;
      if (conns[u] !== conn) return;
      retire(conn);
      if (state[u] === ONLINE) {
        // the server ended the session: counted as a crash, and the user comes back later
        state[u] = OFF;
        conns[u] = null;
        epoch[u]++;
        c.crashes++;
        q.add(rng.exponential(u, beh.offlineLength), EV_LOGIN, u, epoch[u]);
      }
    },
  };

  const retire = (conn: XmppConnection) => {
    if (!measuring) return;
    c.bytesIn += conn.bytesOut;
    c.bytesOut += conn.bytesIn;
    conn.bytesIn = conn.bytesOut = 0;
  };

  const login = async (u: number): Promise<boolean> => {
    state[u] = LOGGING_IN;
    const conn = new XmppConnection({ host: targets[plan.domainOf[u]].host, port: targets[plan.domainOf[u]].port, domain: plan.domains[plan.domainOf[u]], user: plan.names[u], password: o.password(u) }, u, sink);
    conns[u] = conn;
    try {
      await conn.login();
    } catch (e) {
      c.loginFailures++;
      if (loginErrors.length < 5) loginErrors.push((e as Error).message);
      state[u] = OFF;
      conns[u] = null;
      return false;
    }
    if (state[u] !== LOGGING_IN) return false;
    state[u] = ONLINE;
    c.logins++;
    if (measuring) {
      c.stanzasIn += LOGIN_STANZAS;
      c.stanzasOut += LOGIN_STANZAS;
    }
    const ep = ++epoch[u];
    q.add(rng.exponential(u, beh.sessionLength), EV_LOGOUT, u, ep);
    // before the window opens, nobody changes presence or sends IMs (startActivity does it then)
    if (measuring) startActivity(u);
    return true;
  };

  const startActivity = (u: number) => {
    if (plan.publishes[u] && changeMean < Infinity) q.add(rng.exponential(u, changeMean), EV_CHANGE, u, epoch[u]);
    if (plan.hasInbox[u] && plan.imStart[u + 1] > plan.imStart[u] && imMean < Infinity) q.add(rng.exponential(u, imMean), EV_IM, u, epoch[u]);
  };

  const logout = (u: number) => {
    const conn = conns[u];
    if (conn === null || state[u] !== ONLINE) return;
    state[u] = LOGGING_OUT;
    const crash = rng.chance(u, beh.crashFraction);
    if (crash) c.crashes++;
    else c.logouts++;
    if (measuring && !crash) c.stanzasIn++;
    void conn.logout(crash).then(() => {
      retire(conn);
      if (conns[u] !== conn) return;
      conns[u] = null;
      state[u] = OFF;
      const ep = ++epoch[u];
      q.add(rng.exponential(u, beh.offlineLength), EV_LOGIN, u, ep);
    });
  };

  const change = (u: number) => {
    const conn = conns[u]!;
    const now = performance.now();
    let expected = 0;
    for (let i = plan.followerStart[u]; i < plan.followerStart[u + 1]; i++) if (state[plan.followerIdx[i]] === ONLINE) expected++;
    conn.sendPresence(SHOWS[rng.int(u, SHOWS.length)], now);
    c.publishes++;
    c.notifyExpected += expected;
    c.stanzasIn++;
    series.publishes[bucket()]++;
  };

  const im = (u: number) => {
    const conn = conns[u]!;
    const k = plan.imStart[u + 1] - plan.imStart[u];
    const to = plan.imIdx[plan.imStart[u] + rng.int(u, k)];
    const now = performance.now();
    conn.sendMessage(`${plan.names[to]}@${plan.domains[plan.domainOf[to]]}`, `m${imSeq++}-${now.toFixed(3)}`, 'hello', now);
    c.imSent++;
    c.stanzasIn++;
    series.imSent[bucket()]++;
  };

  const q = new RealTimeQueue((kind, u, ep) => {
    if (kind === EV_LOGIN) {
      if (ep === epoch[u] && state[u] === OFF) void login(u);
      return;
    }
    if (ep !== epoch[u] || state[u] !== ONLINE) return;
    if (kind === EV_LOGOUT) return logout(u);
    if (kind === EV_CHANGE) {
      change(u);
      q.add(rng.exponential(u, changeMean), EV_CHANGE, u, ep);
    } else if (kind === EV_IM) {
      im(u);
      q.add(rng.exponential(u, imMean), EV_IM, u, ep);
    }
  });

  // start-up: the online fraction logs in before the measured window; the others log in later
  const setupStart = performance.now();
  const first: number[] = [];
  for (let u = 0; u < N; u++) {
    if (rng.uniform(u) < s.population.online) first.push(u);
    else q.add(beh.loginWindow > 0 ? beh.loginStart + rng.uniform(u) * beh.loginWindow : rng.exponential(u, beh.offlineLength), EV_LOGIN, u, 0);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(LOGIN_CONCURRENCY, first.length) }, async () => {
      while (next < first.length) await login(first[next++]);
    }),
  );
  const setup = { logins: c.logins, ms: Math.round(performance.now() - setupStart) };
  // what happened during the start-up (log-ins, early log-outs, probe answers) is not the window's
  Object.assign(c, newCounters());
  // the measured window
  o.onWindow?.('start');
  measuring = true;
  t0 = performance.now();
  for (let u = 0; u < N; u++) if (state[u] === ONLINE) startActivity(u);
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    let ticks = 0;
    const iv = setInterval(() => {
      ticks++;
      o.onTick?.(c, performance.now() - t0);
      if (ticks * 1000 >= o.duration || o.signal?.aborted) {
        clearInterval(iv);
        resolve();
      }
    }, Math.min(1000, o.duration));
    o.signal?.addEventListener('abort', () => {
      clearInterval(iv);
      resolve();
    });
  });
  q.stop();
  const windowMs = performance.now() - t0;
  // let what is in flight arrive
  const drainStart = performance.now();
  while (performance.now() - lastArrival < DRAIN_QUIET_MS && performance.now() - drainStart < DRAIN_MAX_MS) await new Promise((r) => setTimeout(r, 50));
  const drainMs = performance.now() - drainStart;
  const cpu = process.cpuUsage(cpu0);
  for (const conn of conns) if (conn !== null) retire(conn);
  o.onWindow?.('end');
  measuring = false;
  // everyone leaves; nothing is counted any more
  for (let u = 0; u < N; u++) state[u] = state[u] === OFF ? OFF : LOGGING_OUT;
  await Promise.all(conns.map((conn) => conn?.logout(false)));
  return { counters: c, setup, windowMs, drainMs, latency: lat, timeline: { bucketMs: 1000, series }, driverCpuSeconds: (cpu.user + cpu.system) / 1e6, loginErrors };
}
