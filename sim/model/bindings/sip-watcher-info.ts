/**
 * Watcher information on SIP (RFC 3857, bodies RFC 3858): the agent of a presentity that
 * subscribes to its watcher list (population.watcherInfoSubscribers) holds a presence.winfo
 * dialog with its home server while it is online (sip-dialogs.ts). The NOTIFY after the
 * SUBSCRIBE and after each refresh carries the full state (every watcher whose subscription is
 * pending or active and who does not keep itself out of it, population.hiddenWatchers); each
 * change of a watcher's standing (watcherinfo.ts) sends a partial document of that watcher.
 * Bodies are sized from the real encoding (watcherinfo-size.ts) with the domain's longest URIs,
 * as the model's watcher information is.
 */
import type { ModelContext } from '../context.js';
import { SUB_NONE, SUB_PENDING, type SubscriptionTable } from '../subscriptions.js';
import { hiddenFromWatcherInfo, subscribesToWatcherInfo } from '../watcherinfo.js';
import { WATCHER_EVENTS } from '../../wire/watcherinfo.js';
import { watcherinfoSize } from '../../wire/watcherinfo-size.js';
import { F_WINFO, type ClientDialogs, type DialogBodies } from './sip-dialogs.js';
import { digitsOf } from './sip-messages.js';

const STATUS = ['pending', 'active', 'terminated'] as const;

export class SipWatcherInfo implements DialogBodies {
  private readonly resourceLen: number[];
  private readonly watcherLen: number;
  /** bytes per numeric shape key (no allocation once measured) */
  private readonly memo = new Map<number, number>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly dialogs: ClientDialogs,
    private readonly subs: SubscriptionTable,
  ) {
    const { s, pop } = ctx;
    this.resourceLen = s.domains.map((dom, d) => `sip:u${Math.max(0, pop.domainUsers[d] - 1)}@${dom.name}`.length);
    this.watcherLen = this.resourceLen.reduce((x, y) => Math.max(x, y), 0);
    dialogs.bodiesOf(F_WINFO, this);
  }

  private size(d: number, watchers: number, status: number, event: number, versionDigits: number, partial: boolean): number {
    const key = ((((d * 4096 + Math.min(watchers, 4095)) * 3 + status) * 8 + event) * 12 + versionDigits) * 2 + (partial ? 1 : 0);
    let v = this.memo.get(key);
    if (v === undefined) {
      v = watcherinfoSize({ resourceLength: this.resourceLen[d], watchers, watcherLength: this.watcherLen, status: STATUS[status], event: WATCHER_EVENTS[event], versionDigits, partial });
      if (watchers > 4095) return v;
      this.memo.set(key, v);
    }
    return v;
  }

  /** p logged in at d: its agent subscribes to its watcher list */
  login(d: number, p: number): void {
    if (subscribesToWatcherInfo(this.ctx.s, this.ctx.seed, p)) this.dialogs.create(d, p, F_WINFO);
  }
  logout(d: number, p: number, crashed: boolean): void {
    this.dialogs.end(d, p, F_WINFO, crashed);
  }
  /** a watcher's standing at p changed: a partial document of that watcher; returns its NOTIFY's delay down p's access link (0: none of its own) */
  changed(d: number, p: number, status: number, event: number): number {
    if (this.dialogs.up[F_WINFO][p] === 0) return 0;
    return this.dialogs.change(d, p, F_WINFO, this.size(d, 1, status, event, digitsOf(this.dialogs.nextVersion(p, F_WINFO)), true));
  }

  /** the full state: every pending or active watcher of p (watcher lines are of one length per status: additive) */
  full(d: number, p: number, version: number): number {
    const { pop, s, seed } = this.ctx;
    let active = 0;
    let pending = 0;
    for (let e = pop.revStart[p]; e < pop.revStart[p + 1]; e++) {
      const st = this.subs.state[e];
      if (st === SUB_NONE || hiddenFromWatcherInfo(s, seed, pop.edgeWatcher[e], p)) continue;
      if (st === SUB_PENDING) pending++;
      else active++;
    }
    const vd = digitsOf(version);
    const n = active + pending;
    if (n === 0 || pending === 0) return this.size(d, n, 1, 0, vd, false);
    const line = (st: number) => this.size(d, 2, st, 0, vd, false) - this.size(d, 1, st, 0, vd, false);
    return this.size(d, n, 1, 0, vd, false) + pending * (line(0) - line(1));
  }
}
