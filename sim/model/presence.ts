/**
 * The presence service (RFC 2778 2.1, 3): presentities' tuples, the presence user agents that
 * publish them, and fetch (a one-time request for the current state, also a poller's poll).
 *
 * Each presentity has `population.tuples` tuples with a basic status (open/closed), an extended
 * status and a timestamp. A publish job at the presentity's servers changes one tuple, or all of
 * them at log-in and log-out, then hands the change to notification.
 */
import type { Access } from './access.js';
import { C, type ModelContext } from './context.js';
import type { Gateways } from './gateways.js';
import { ENVELOPE, M_FETCH, M_FETCH_RESPONSE, OP_FETCH, OP_PUBLISH } from './messages.js';
import type { Notification } from './notification.js';
import { RULE_PENDING, RULE_POLITE } from './population.js';
import type { Service } from './service.js';
import type { Sizes } from './sizes.js';
import { DEC_ALLOW } from './access.js';
import type { WatcherInfo } from './watcherinfo.js';

/** Extended status values of a tuple (index 0 means closed/offline). */
export const STATUS_NAMES = ['offline', 'available', 'away', 'busy', 'idle'] as const;

/** The tuples of every presentity: basic status (1 = open), extended status and time of the last change. */
export class TupleTable {
  readonly basic: Uint8Array;
  readonly status: Uint8Array;
  readonly time: Float64Array;
  constructor(
    users: number,
    readonly tuples: number,
  ) {
    this.basic = new Uint8Array(users * tuples);
    this.status = new Uint8Array(users * tuples);
    this.time = new Float64Array(users * tuples);
  }
}

export interface Presence {
  readonly tuples: TupleTable;
  /** the presentity's agent publishes `tuple` (T: all tuples) with `status` (0 = closed) */
  publish(g: number, d: number, tuple: number, status: number): void;
  /** a presentity logged in (session epoch ep): its agent starts publishing changes */
  startAgent(g: number, d: number, ep: number): void;
}

export function createPresence(ctx: ModelContext, deps: { service: Service; gateways: Gateways; access: Access; notification: Notification; watcherInfo: WatcherInfo; sizes: Sizes }): Presence {
  const { kernel, rng, pop, s, T, U, counters, trace, ev, online, epoch } = ctx;
  const { service, gateways, access, notification, watcherInfo, sizes } = deps;
  const beh = s.behaviour;
  const tuples = new TupleTable(U, T);

  const publish = (g: number, d: number, tuple: number, status: number) => {
    if (!s.domains[d].presence) {
      counters[C.presenceDisabled]++;
      return;
    }
    service.submit(d, OP_PUBLISH, g, g, tuple * 16 + status);
  };

  service.onComplete(OP_PUBLISH, (d, g, b, arrive) => {
    const tuple = Math.floor(b / 16);
    const status = b % 16;
    counters[C.publishes]++;
    // the presence user agent's update reaching the presence service (RFC 2778 2.1)
    if (trace.on) trace.message('publish', g, d, -1, d, tuple >= T ? sizes.notifyFull[d] : sizes.notifyOne[d], `${tuple >= T ? 'all tuples' : `tuple ${tuple}`} ${status > 0 ? 'open' : 'closed'}`);
    const first = tuple >= T ? 0 : tuple;
    const last = tuple >= T ? T : tuple + 1;
    for (let i = g * T + first; i < g * T + last; i++) {
      tuples.basic[i] = status > 0 ? 1 : 0;
      tuples.status[i] = status;
      tuples.time[i] = kernel.now;
    }
    notification.fanOut(d, g, tuple, arrive);
  });

  const publishTimer = kernel.defineEvent('publishTimer', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    publish(g, d, rng.int(d, T), 1 + rng.int(d, 4));
    kernel.schedule(rng.exponential(d, 3_600_000 / beh.presenceChangeRate), publishTimer, d, g, ep);
  });

  // ---- fetch ----
  const respond = (d: number, e: number, requestTime: number, bytes: number, detail: string) => {
    const w = pop.edgeWatcher[e];
    const wd = pop.domainOf[w];
    gateways.send(d, wd, ev.fetchResponse, e, requestTime, M_FETCH_RESPONSE, bytes);
    trace.message('fetchResponse', pop.edgePresentity[e], d, w, wd, bytes, detail);
  };
  ev.request[OP_FETCH] = kernel.defineEvent('request:fetch', (d, e, b) => {
    if (!s.domains[d].presence) {
      counters[C.presenceDisabled]++;
      respond(d, e, b, ENVELOPE.response, 'presence service disabled');
      return;
    }
    service.submit(d, OP_FETCH, pop.edgePresentity[e], e, b);
  });
  service.onComplete(OP_FETCH, (d, e, requestTime) => {
    counters[C.fetches]++;
    if (access.authFails(d)) {
      counters[C.rejectedAuth]++;
      return respond(d, e, requestTime, ENVELOPE.response, 'authentication failed');
    }
    const rule = access.rule(e);
    watcherInfo.changed(d, pop.edgePresentity[e]);
    if (access.denied(e)) {
      counters[C.denied]++;
      return respond(d, e, requestTime, ENVELOPE.response, 'denied');
    }
    if (rule === RULE_POLITE) {
      counters[C.politeBlocked]++;
      if (!access.guard(e, 0, true)) counters[C.leaks]++;
      return respond(d, e, requestTime, ENVELOPE.response + sizes.pidf(d, 1), 'polite block: fixed closed view');
    }
    if (rule === RULE_PENDING && access.decision[e] !== DEC_ALLOW) return respond(d, e, requestTime, ENVELOPE.response, 'pending authorisation');
    const vis = access.visibleTuples(e);
    if (!access.guard(e, vis - 1, false)) counters[C.leaks]++;
    respond(d, e, requestTime, ENVELOPE.response + sizes.pidf(d, vis), trace.on ? `${vis} tuple(s)` : '');
  });
  ev.fetchResponse = kernel.defineEvent('fetchResponse', () => {
    counters[C.fetchResponses]++;
  });

  gateways.register(M_FETCH, {
    arrive: ev.request[OP_FETCH],
    dest: (a) => pop.domainOf[pop.edgePresentity[a]],
    bytes: (a) => ENVELOPE.request + sizes.entityLen[pop.domainOf[pop.edgePresentity[a]]],
    failed: () => {
      counters[C.fetchFailed]++;
    },
    refused: () => {
      counters[C.fetchFailed]++;
    },
  });
  gateways.register(M_FETCH_RESPONSE, {
    arrive: ev.fetchResponse,
    dest: (a) => pop.domainOf[pop.edgeWatcher[a]],
    bytes: () => ENVELOPE.response,
    failed: () => {
      counters[C.responsesLost]++;
    },
    refused: () => undefined,
  });

  return {
    tuples,
    publish,
    startAgent(g, d, ep) {
      if (beh.presenceChangeRate > 0) kernel.schedule(rng.exponential(d, 3_600_000 / beh.presenceChangeRate), publishTimer, d, g, ep);
    },
  };
}
