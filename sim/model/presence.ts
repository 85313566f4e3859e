/**
 * The presence service (RFC 2778 2.1, 3): presentities' tuples, the presence user agents that
 * publish them, and fetch (a one-time request for the current state, also a poller's poll).
 *
 * Each presentity has `population.tuples` tuples with a basic status (open/closed), an extended
 * status and a timestamp. A principal has `population.devices` devices (presence user agents):
 * device j owns the tuples i with i % devices = j. A publish job at the presentity's servers
 * changes one tuple (made by the device that owns it, drawn among the tuples of the devices
 * online: a device publishes only in its own session), or all of one device's tuples at its
 * log-in and log-out, then hands the change to notification. Changes come at
 * behaviour.presenceChangeRate per principal while any of its devices is online. The presentity
 * reads closed once no device's tuple is open.
 */
import type { Access } from './access.js';
import { C, type ModelContext } from './context.js';
import { responseKind, type Gateways } from './gateways.js';
import { ENVELOPE, M_FETCH, M_FETCH_RESPONSE, OP_FETCH, OP_PUBLISH } from './messages.js';
import type { Notification } from './notification.js';
import { RULE_PENDING, RULE_POLITE } from './population.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';
import { DEC_ALLOW } from './access.js';
import { WI_TIMEOUT, type WatcherInfo } from './watcherinfo.js';
import type { Leases } from './leases.js';
import { bindingAnswersPublish, DOWN, UP, type AccessLink } from './access-link.js';
import { ACTIVITIES, entityOf, noteFor, VIEW_FIRST_TUPLE, VIEW_FULL, VIEW_POLITE, type TupleState } from './presence-document.js';
import { hashUnit } from './population.js';
import { traceLocalRequest } from './watchers.js';

/**
 * The tuples of every presentity (user g's tuple i at g * tuples + i): basic status (1 = open),
 * activity (ACTIVITIES), note (NOTES, 0 = none) and time of the last change; per presentity the
 * version of its state, raised by every publish the service processes. Tuple i belongs to device
 * i % devices; device j owns owned[j] tuples.
 */
export class TupleTable {
  readonly basic: Uint8Array;
  readonly activity: Uint8Array;
  readonly note: Uint8Array;
  readonly time: Float64Array;
  readonly version: Uint32Array;
  readonly owned: Uint8Array;
  constructor(
    users: number,
    readonly tuples: number,
    readonly devices = 1,
  ) {
    this.basic = new Uint8Array(users * tuples);
    this.activity = new Uint8Array(users * tuples);
    this.note = new Uint8Array(users * tuples);
    this.time = new Float64Array(users * tuples);
    this.version = new Uint32Array(users);
    this.owned = Uint8Array.from({ length: devices }, (_, j) => Math.ceil((tuples - j) / devices));
  }

  /**
   * The tuple a change of all of device j's tuples is told as (notification.fanOut): T (all) for
   * one device or several tuples per device; the device's one tuple otherwise (so that a watcher
   * who sees only the first tuple is not told of another device's change).
   */
  changedBy(j: number): number {
    return this.devices > 1 && this.owned[j] === 1 ? j : this.tuples;
  }

  /** Closes device j's tuples of presentity g at time `now` (its publication is gone). */
  closeDevice(g: number, j: number, now: number): void {
    for (let i = g * this.tuples + j; i < (g + 1) * this.tuples; i += this.devices) {
      this.basic[i] = 0;
      this.activity[i] = 0;
      this.note[i] = 0;
      this.time[i] = now;
    }
  }

  /** The state of `count` of presentity g's tuples from `first`, every `stride`-th (for the trace). */
  snapshotOf(g: number, first: number, count: number, stride: number): TupleState[] {
    const all = this.snapshot(g);
    const out: TupleState[] = [];
    for (let k = 0, i = first; k < count; k++, i += stride) out.push(all[i]);
    return out;
  }

  /** The state of presentity g's tuples (for the trace and the inspector). */
  snapshot(g: number): TupleState[] {
    const out: TupleState[] = [];
    for (let k = 0; k < this.tuples; k++) {
      const i = g * this.tuples + k;
      out.push({ index: k, basic: this.basic[i], activity: this.activity[i], note: this.note[i], atMs: this.time[i] });
    }
    return out;
  }
}

export interface Presence {
  readonly tuples: TupleTable;
  /** the presentity's agent publishes `tuple` (T + j: all tuples of device j) with `status` (0 = closed) */
  publish(g: number, d: number, tuple: number, status: number): void;
  /** a presentity logged in (session epoch ep): its agent starts publishing changes (one device: and refreshing its lease) */
  startAgent(g: number, d: number, ep: number): void;
  /** several devices: device j logged in (its own epoch ep) and keeps its lease */
  startDevice(g: number, d: number, j: number, ep: number): void;
}

export function createPresence(ctx: ModelContext, deps: { service: Service; gateways: Gateways; access: Access; notification: Notification; watcherInfo: WatcherInfo; sizes: Sizes; tuples: TupleTable; leases: Leases; link: AccessLink }): Presence {
  const { kernel, rng, pop, s, seed, T, U, counters, trace, ev, online, epoch } = ctx;
  const { service, gateways, access, notification, watcherInfo, sizes } = deps;
  const beh = s.behaviour;
  const tuples = deps.tuples;
  const devs = tuples.devices;
  // a publish of all of device j's tuples from domain d (one device: all tuples) on the up link
  const deviceBytes = new Float64Array(ctx.D * devs);
  for (let d = 0; d < ctx.D; d++) for (let j = 0; j < devs; j++) deviceBytes[d * devs + j] = ENVELOPE.request + sizes.pidf(d, tuples.owned[j]);

  const publish = (g: number, d: number, tuple: number, status: number) => {
    if (!s.domains[d].presence) {
      counters[C.presenceDisabled]++;
      return;
    }
    // up the agent's access link; the job carries the time that took (us), so that notification
    // latency counts from the agent's publish
    const up = deps.link.delay(d, g, tuple >= T ? deviceBytes[d * devs + tuple - T] : sizes.notifyOne[d], UP);
    kernel.schedule(up + ctx.cluster.hop(kernel.lp, ctx.cluster.lpOfUser[g], 0), publishUp, ctx.cluster.lpOfUser[g], g, tuple * 16 + status + 256 * Math.round(up * 1000));
  };
  const publishUp = ctx.on('publishUp', (d, g, b) => {
    service.submit(d, OP_PUBLISH, g, g, b);
  });

  service.onComplete(OP_PUBLISH, (d, g, b) => {
    const queued = service.arrived[0];
    // the service's answer goes down the agent's access link (nothing waits for it; a binding's own, client-wire.ts)
    if (!bindingAnswersPublish(ctx, d)) deps.link.delay(d, g, ENVELOPE.response, DOWN);
    // code: one tuple (< T), or T + j: every tuple of device j
    const code = Math.floor((b % 256) / 16);
    const status = b % 16;
    const arrive = queued - Math.floor(b / 256) / 1000;
    counters[C.publishes]++;
    const whole = code >= T;
    const dev = whole ? code - T : code % devs;
    const first = whole ? dev : code;
    const stride = whole ? devs : 1;
    const count = whole ? tuples.owned[dev] : 1;
    const version = ++tuples.version[g];
    for (let k = 0, i = g * T + first; k < count; k++, i += stride) {
      tuples.basic[i] = status > 0 ? 1 : 0;
      tuples.activity[i] = status;
      // the agent's note goes with the activity (a deterministic draw per presentity, version and tuple)
      tuples.note[i] = noteFor(status, hashUnit(seed, g, version, i - g * T));
      tuples.time[i] = kernel.now;
    }
    ctx.wire.published(d, g, first, count, status, stride);
    // the presence user agent's update reaching the presence service (RFC 2778 2.1), with the tuples it set
    if (trace.on) tracePublish(d, g, code, status, version);
    deps.leases.published(d, g, dev, status, whole);
    notification.fanOut(d, g, whole ? tuples.changedBy(dev) : code, arrive);
  });

  const tracePublish = (d: number, g: number, code: number, status: number, version: number) => {
    const whole = code >= T;
    const dev = whole ? code - T : code % devs;
    const first = whole ? dev : code;
    const count = whole ? tuples.owned[dev] : 1;
    const stride = whole ? devs : 1;
    const bytes = ENVELOPE.request + sizes.view(g, VIEW_FULL, first, count, tuples, 0, stride);
    const what = !whole ? `tuple ${code}${devs > 1 ? ` (device ${dev})` : ''}` : devs === 1 ? 'all tuples' : `device ${dev}: its tuples`;
    trace.presence('publish', g, d, -1, d, bytes, `${what} ${status > 0 ? ACTIVITIES[status] : 'closed'}`, { entity: entityOf(s, pop, g), version, view: VIEW_FULL, rule: 'the presentity publishes its own state', tuples: tuples.snapshotOf(g, first, count, stride) });
  };

  // a change: the drawn tuple's device publishes it (so each device changes its own tuples); with
  // several devices the tuple is drawn among those of the devices online now (at least one is, as
  // the principal is online), so that only an online device publishes
  const deviceOnline = ctx.deviceOnline;
  const drawTuple = (d: number, g: number): number => {
    if (devs === 1) return rng.int(kernel.lp, T);
    let n = 0;
    for (let j = 0; j < devs; j++) if (deviceOnline[g * devs + j] !== 0) n += tuples.owned[j];
    let r = rng.int(kernel.lp, n);
    for (let j = 0; j < devs; j++) {
      if (deviceOnline[g * devs + j] === 0) continue;
      if (r < tuples.owned[j]) return j + r * devs;
      r -= tuples.owned[j];
    }
    return 0; // not reached: r < n
  };
  const publishTimer = ctx.on('publishTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    publish(g, d, drawTuple(d, g), 1 + rng.int(kernel.lp, 4));
    kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / beh.presenceChangeRate), publishTimer, kernel.lp, g, ep);
  });

  // ---- fetch ----
  // (the response carries its size, for the watcher's access link down)
  const respond = (d: number, e: number, bytes: number, detail: string, view = -1) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    const p = pop.edgePresentity[e];
    gateways.send(d, wd, ev.fetchResponse, e, bytes, M_FETCH_RESPONSE, bytes);
    if (!trace.on) return;
    if (view < 0) trace.message('fetchResponse', p, d, w, wd, bytes, detail);
    else trace.presence('fetchResponse', p, d, w, wd, bytes, detail, notification.describe(e, view, 0, view === VIEW_FULL ? T : 1));
  };
  /** a fetch result: the view of the presentity's current state */
  const result = (e: number, view: number) => ENVELOPE.response + sizes.view(pop.edgePresentity[e], view, 0, view === VIEW_FULL ? T : 1, tuples, access.hidden(e));
  ev.request[OP_FETCH] = ctx.on('request:fetch', (d, e, b) => {
    if (trace.on) traceLocalRequest(ctx, d, OP_FETCH, e, sizes.request(d));
    if (!s.domains[d].presence) {
      counters[C.presenceDisabled]++;
      respond(d, e, ENVELOPE.response, 'presence service disabled');
      return;
    }
    service.submit(d, OP_FETCH, pop.edgePresentity[e], e, b);
  });
  service.onComplete(OP_FETCH, (d, e) => {
    counters[C.fetches]++;
    if (access.authFails(pop.edgeWatcher[e])) {
      counters[C.rejectedAuth]++;
      return respond(d, e, ENVELOPE.response, 'authentication failed');
    }
    const rule = access.rule(e);
    // a fetch is a one-time subscription: it ends as it starts (RFC 3857: expires 0)
    watcherInfo.changed(d, pop.edgePresentity[e], e, WI_TIMEOUT);
    if (access.denied(e)) {
      counters[C.denied]++;
      return respond(d, e, ENVELOPE.response, 'denied');
    }
    if (rule === RULE_POLITE) {
      counters[C.politeBlocked]++;
      if (!access.allows(e, VIEW_POLITE, 1, 0)) counters[C.leaks]++;
      return respond(d, e, result(e, VIEW_POLITE), 'polite block: fixed closed view', VIEW_POLITE);
    }
    if (rule === RULE_PENDING && access.decision[e] !== DEC_ALLOW) return respond(d, e, ENVELOPE.response, 'pending authorisation');
    const view = access.firstTupleOnly(e) ? VIEW_FIRST_TUPLE : VIEW_FULL;
    if (!access.allows(e, view, view === VIEW_FULL ? T : 1, access.hidden(e))) counters[C.leaks]++;
    respond(d, e, result(e, view), trace.on ? `${access.visibleTuples(e)} tuple(s)` : '', view);
  });
  ev.fetchResponse = ctx.on('fetchResponse', () => {
    counters[C.fetchResponses]++;
  });

  gateways.register(M_FETCH, {
    arrive: ev.request[OP_FETCH],
    dest: (a) => pop.domainOf[pop.edgePresentity[a]],
    claimant: (a) => pop.edgeWatcher[a],
    bytes: (a) => ENVELOPE.request + sizes.entityLen[pop.domainOf[pop.edgePresentity[a]]],
    failed: () => {
      counters[C.fetchFailed]++;
    },
    refused: () => {
      counters[C.fetchFailed]++;
    },
  });
  gateways.register(M_FETCH_RESPONSE, responseKind(counters, ev.fetchResponse, (a) => pop.domainOf[pop.edgeWatcher[a]], { lastHop: (h, a, bytes) => deps.link.delay(h, pop.edgeWatcher[a], bytes, DOWN) }));

  deps.leases.republish = (g, d, j) => publish(g, d, T + j, 1);
  return {
    tuples,
    publish,
    startAgent(g, d, ep) {
      deps.leases.startAgent(g, d, ep);
      if (beh.presenceChangeRate > 0) kernel.schedule(rng.exponential(kernel.lp, 3_600_000 / beh.presenceChangeRate), publishTimer, kernel.lp, g, ep);
    },
    startDevice(g, d, j, ep) {
      deps.leases.startDevice(g, d, j, ep);
    },
  };
}
