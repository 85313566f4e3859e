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
export function driveLive(s: Scenario, plan: LivePlan, targets: LiveTarget[], o: DriveOptions): Promise<DriveResult> {
  return new LiveDriver(s, plan, targets, o).run();
}

/** One live run's users, their sessions and the counts; the sink of every connection. */
class LiveDriver implements StanzaSink {
  private readonly N: number;
  private readonly beh: Scenario['behaviour'];
  private readonly rng: RandomStreams;
  private readonly state: Uint8Array;
  private readonly epoch: Int32Array;
  private readonly conns: (XmppConnection | null)[];
  private readonly userOf = new Map<string, number>();
  private readonly c = newCounters();
  private readonly lat = { notification: new LatencyRecorder(), im: new LatencyRecorder(), imReport: new LatencyRecorder() };
  private readonly buckets: number;
  private readonly series: Record<string, number[]>;
  private readonly changeMean: number;
  private readonly imMean: number;
  private readonly q: RealTimeQueue;
  private readonly loginErrors: string[] = [];
  private measuring = false;
  private t0 = 0;
  private lastArrival = performance.now();
  private imSeq = 0;

  constructor(
    private readonly s: Scenario,
    private readonly plan: LivePlan,
    private readonly targets: LiveTarget[],
    private readonly o: DriveOptions,
  ) {
    const N = (this.N = plan.users);
    this.beh = s.behaviour;
    this.rng = new RandomStreams(N, o.seed ^ 0x11e11e);
    this.state = new Uint8Array(N);
    this.epoch = new Int32Array(N);
    this.conns = new Array(N).fill(null);
    for (let u = 0; u < N; u++) this.userOf.set(`${plan.names[u]}@${plan.domains[plan.domainOf[u]]}`, u);
    this.buckets = Math.ceil(o.duration / 1000) + 1;
    const zeros = () => new Array<number>(this.buckets).fill(0);
    this.series = { publishes: zeros(), notifications: zeros(), imSent: zeros(), imDelivered: zeros() };
    this.changeMean = this.beh.presenceChangeRate > 0 ? 3_600_000 / (this.beh.presenceChangeRate * o.rateScale) : Infinity;
    this.imMean = this.beh.imRate > 0 ? 3_600_000 / (this.beh.imRate * o.rateScale) : Infinity;
    this.q = new RealTimeQueue((kind, u, ep) => this.dispatch(kind, u, ep));
  }

  async run(): Promise<DriveResult> {
    const setup = await this.startUp();
    // what happened during the start-up (log-ins, early log-outs, probe answers) is not the window's
    Object.assign(this.c, newCounters());
    this.o.onWindow?.('start');
    this.measuring = true;
    this.t0 = performance.now();
    for (let u = 0; u < this.N; u++) if (this.state[u] === ONLINE) this.startActivity(u);
    const cpu0 = process.cpuUsage();
    await this.window();
    this.q.stop();
    const windowMs = performance.now() - this.t0;
    const drainMs = await this.drain();
    const cpu = process.cpuUsage(cpu0);
    for (const conn of this.conns) if (conn !== null) this.retire(conn);
    this.o.onWindow?.('end');
    this.measuring = false;
    // everyone leaves; nothing is counted any more
    for (let u = 0; u < this.N; u++) if (this.state[u] !== OFF) this.state[u] = LOGGING_OUT;
    await Promise.all(this.conns.map((conn) => conn?.logout(false)));
    return { counters: this.c, setup, windowMs, drainMs, latency: this.lat, timeline: { bucketMs: 1000, series: this.series }, driverCpuSeconds: (cpu.user + cpu.system) / 1e6, loginErrors: this.loginErrors };
  }

  /** The online fraction logs in before the measured window, LOGIN_CONCURRENCY at a time; the others log in later. */
  private async startUp(): Promise<{ logins: number; ms: number }> {
    const start = performance.now();
    const first: number[] = [];
    const beh = this.beh;
    for (let u = 0; u < this.N; u++) {
      if (this.rng.uniform(u) < this.s.population.online) first.push(u);
      else this.q.add(beh.loginWindow > 0 ? beh.loginStart + this.rng.uniform(u) * beh.loginWindow : this.rng.exponential(u, beh.offlineLength), EV_LOGIN, u, 0);
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(LOGIN_CONCURRENCY, first.length) }, async () => {
        while (next < first.length) await this.login(first[next++]);
      }),
    );
    return { logins: this.c.logins, ms: Math.round(performance.now() - start) };
  }

  /** The measured window: its duration, or until the signal aborts it. */
  private window(): Promise<void> {
    const o = this.o;
    return new Promise<void>((resolve) => {
      let ticks = 0;
      const iv = setInterval(() => {
        ticks++;
        o.onTick?.(this.c, performance.now() - this.t0);
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
  }

  /** Lets what is in flight arrive: until nothing has come for DRAIN_QUIET_MS (at most DRAIN_MAX_MS). */
  private async drain(): Promise<number> {
    const start = performance.now();
    while (performance.now() - this.lastArrival < DRAIN_QUIET_MS && performance.now() - start < DRAIN_MAX_MS) await new Promise((r) => setTimeout(r, 50));
    return performance.now() - start;
  }

  private dispatch(kind: number, u: number, ep: number): void {
    if (kind === EV_LOGIN) {
      if (ep === this.epoch[u] && this.state[u] === OFF) void this.login(u);
      return;
    }
    if (ep !== this.epoch[u] || this.state[u] !== ONLINE) return;
    if (kind === EV_LOGOUT) return this.logout(u);
    if (kind === EV_CHANGE) {
      this.change(u);
      this.q.add(this.rng.exponential(u, this.changeMean), EV_CHANGE, u, ep);
    } else if (kind === EV_IM) {
      this.im(u);
      this.q.add(this.rng.exponential(u, this.imMean), EV_IM, u, ep);
    }
  }

  private bucket(): number {
    return Math.min(this.buckets - 1, Math.max(0, Math.floor((performance.now() - this.t0) / 1000)));
  }

  /** One stanza received by b from a, counted when a and b are of different domains. */
  private pair(a: number | undefined, b: number, kind: keyof PairCounts): void {
    if (a === undefined || !this.measuring) return;
    const da = this.plan.domainOf[a];
    const db = this.plan.domainOf[b];
    if (da === db) return;
    const k = `${this.plan.domains[da]}>${this.plan.domains[db]}`;
    const p = (this.c.pairs[k] ??= { presence: 0, notifications: 0, messages: 0, receipts: 0, errors: 0 });
    p[kind]++;
  }

  presence(conn: XmppConnection, fromBare: string, type: string | null, sentAt: number): void {
    const c = this.c;
    this.lastArrival = performance.now();
    if (this.measuring) c.stanzasOut++;
    const from = this.userOf.get(fromBare);
    this.pair(from, conn.index, 'presence');
    if (type === 'unavailable') return void c.unavailable++;
    if (type !== null) return;
    if (Number.isNaN(sentAt)) return void c.loginPresence++;
    if (conn.phase === 'online-wait' || sentAt < conn.availableAt) return void c.probeAnswers++;
    if (this.state[conn.index] !== ONLINE) return void c.notifyLate++;
    c.notifyDelivered++;
    this.pair(from, conn.index, 'notifications');
    this.series.notifications[this.bucket()]++;
    this.lat.notification.record(this.lastArrival - sentAt);
  }

  message(conn: XmppConnection, fromBare: string, type: string | null, id: string | null, sentAt: number, receiptFor: string | null, wantsReceipt: boolean): void {
    const c = this.c;
    const now = (this.lastArrival = performance.now());
    if (this.measuring) c.stanzasOut++;
    const from = this.userOf.get(fromBare);
    if (type === 'error') return void (c.imBounced++, this.pair(from, conn.index, 'errors'));
    if (receiptFor !== null) {
      c.imReports++;
      this.pair(from, conn.index, 'receipts');
      // the id carries the original send time after its last '-'
      const t = Number(receiptFor.slice(receiptFor.lastIndexOf('-') + 1));
      if (Number.isFinite(t)) this.lat.imReport.record(now - t);
      return;
    }
    if (!Number.isNaN(sentAt)) this.lat.im.record(now - sentAt);
    c.imDelivered++;
    this.pair(from, conn.index, 'messages');
    this.series.imDelivered[this.bucket()]++;
    if (wantsReceipt && id !== null) {
      conn.sendReceipt(fromBare, id, now);
      if (this.measuring) c.stanzasIn++;
    }
  }

  closed(conn: XmppConnection): void {
    const u = conn.index;
    if (this.conns[u] !== conn) return;
    this.retire(conn);
    if (this.state[u] !== ONLINE) return;
    // the server ended the session: counted as a crash, and the user comes back later
    this.state[u] = OFF;
    this.conns[u] = null;
    this.epoch[u]++;
    this.c.crashes++;
    this.q.add(this.rng.exponential(u, this.beh.offlineLength), EV_LOGIN, u, this.epoch[u]);
  }

  private retire(conn: XmppConnection): void {
    if (!this.measuring) return;
    this.c.bytesIn += conn.bytesOut;
    this.c.bytesOut += conn.bytesIn;
    conn.bytesIn = conn.bytesOut = 0;
  }

  private async login(u: number): Promise<boolean> {
    const { plan, c } = this;
    const d = plan.domainOf[u];
    this.state[u] = LOGGING_IN;
    const conn = new XmppConnection({ host: this.targets[d].host, port: this.targets[d].port, domain: plan.domains[d], user: plan.names[u], password: this.o.password(u) }, u, this);
    this.conns[u] = conn;
    try {
      await conn.login();
    } catch (e) {
      c.loginFailures++;
      if (this.loginErrors.length < 5) this.loginErrors.push((e as Error).message);
      this.state[u] = OFF;
      this.conns[u] = null;
      return false;
    }
    if (this.state[u] !== LOGGING_IN) return false;
    this.state[u] = ONLINE;
    c.logins++;
    if (this.measuring) {
      c.stanzasIn += LOGIN_STANZAS;
      c.stanzasOut += LOGIN_STANZAS;
    }
    const ep = ++this.epoch[u];
    this.q.add(this.rng.exponential(u, this.beh.sessionLength), EV_LOGOUT, u, ep);
    // before the window opens, nobody changes presence or sends IMs (run() starts them then)
    if (this.measuring) this.startActivity(u);
    return true;
  }

  private startActivity(u: number): void {
    const plan = this.plan;
    if (plan.publishes[u] && this.changeMean < Infinity) this.q.add(this.rng.exponential(u, this.changeMean), EV_CHANGE, u, this.epoch[u]);
    if (plan.hasInbox[u] && plan.imStart[u + 1] > plan.imStart[u] && this.imMean < Infinity) this.q.add(this.rng.exponential(u, this.imMean), EV_IM, u, this.epoch[u]);
  }

  private logout(u: number): void {
    const conn = this.conns[u];
    if (conn === null || this.state[u] !== ONLINE) return;
    this.state[u] = LOGGING_OUT;
    const crash = this.rng.chance(u, this.beh.crashFraction);
    if (crash) this.c.crashes++;
    else this.c.logouts++;
    if (this.measuring && !crash) this.c.stanzasIn++;
    void conn.logout(crash).then(() => {
      this.retire(conn);
      if (this.conns[u] !== conn) return;
      this.conns[u] = null;
      this.state[u] = OFF;
      const ep = ++this.epoch[u];
      this.q.add(this.rng.exponential(u, this.beh.offlineLength), EV_LOGIN, u, ep);
    });
  }

  private change(u: number): void {
    const { plan, c } = this;
    const now = performance.now();
    let expected = 0;
    for (let i = plan.followerStart[u]; i < plan.followerStart[u + 1]; i++) if (this.state[plan.followerIdx[i]] === ONLINE) expected++;
    this.conns[u]!.sendPresence(SHOWS[this.rng.int(u, SHOWS.length)], now);
    c.publishes++;
    c.notifyExpected += expected;
    c.stanzasIn++;
    this.series.publishes[this.bucket()]++;
  }

  private im(u: number): void {
    const plan = this.plan;
    const k = plan.imStart[u + 1] - plan.imStart[u];
    const to = plan.imIdx[plan.imStart[u] + this.rng.int(u, k)];
    const now = performance.now();
    this.conns[u]!.sendMessage(`${plan.names[to]}@${plan.domains[plan.domainOf[to]]}`, `m${this.imSeq++}-${now.toFixed(3)}`, 'hello', now);
    this.c.imSent++;
    this.c.stanzasIn++;
    this.series.imSent[this.bucket()]++;
  }
}
