/**
 * Staleness: what "presence is correct" means to a user (issue 11, item 3). For each allowed
 * change (a publish, or a lease expiry, that a subscribed watcher's class may see) and each such
 * watcher, the time from the change until the watcher holds that version of the presentity's
 * state or a newer one.
 *
 * Each notification carries the version of the state it was computed from (at least that of its
 * change) and the time of the change it was made for. When it reaches an online watcher that held
 * an older version, the change is held: one sample of (now - change time). When the watcher
 * already holds that version (a notification computed after the change, for an earlier change,
 * carried it first), the change was held since that one arrived: the sample ends then. A change
 * that never reaches the watcher is counted apart:
 * - `ended`: its subscription ended first (cancelled or expired before the notification was sent,
 *   refused by the watcher's gateway for want of a live subscription, or the watcher went
 *   offline);
 * - `missed`: the notification did not bring it, the subscription going on (rate control folded
 *   it into the next one, the server dropped the job, the notification was lost crossing, or a
 *   newer version overtook it in transit): the watcher holds it with a later notification, if any.
 * changes = held + ended + missed + those on their way at the end.
 *
 * Per edge, at the watcher: 4 bytes, the time it came to hold its version (the version itself is
 * the watcher table's column, watchers.ts).
 */
import { C, type ModelContext } from './context.js';
import { LatencyRecorder } from './latency.js';

/** heldAt is kept in 10 us units modulo 2^32 (about 11.9 h: gaps are far shorter) */
const UNIT = 100;
const WRAP = 4294967296;

export class Staleness {
  readonly recorder = new LatencyRecorder();
  private readonly counters: Float64Array;
  /** per edge, at the watcher: when it came to hold the version it holds (10 us units, wrapping) */
  private readonly heldAt: Uint32Array;

  constructor(
    ctx: ModelContext,
    /** versions are carried modulo this */
    private readonly versionMod: number,
  ) {
    this.counters = ctx.counters;
    this.heldAt = new Uint32Array(ctx.E);
  }

  /** an allowed change (at `since`) is on its way to one watcher */
  changed(since: number): void {
    if (since >= 0) this.counters[C.stalenessChanges]++;
  }

  ended(since: number): void {
    if (since >= 0) this.counters[C.stalenessEnded]++;
  }

  missed(since: number): void {
    if (since >= 0) this.counters[C.stalenessMissed]++;
  }

  /**
   * A notification of edge e carrying version `version` (modulo versionMod), made for the change
   * at `since` (-1: no change, such as the state sent on subscribe), reached an online watcher
   * that held version `held`. A newer version is held from now on; a change whose version the
   * watcher already holds (a notification computed later carried it first) was held since then.
   */
  arrived(e: number, since: number, version: number, held: number, now: number): void {
    const m = this.versionMod;
    const ahead = (version - held + m) % m;
    if (ahead > m / 2) return this.missed(since); // overtaken by a newer version in transit
    if (ahead > 0) this.heldAt[e] = Math.round(now * UNIT) % WRAP;
    if (since < 0) return;
    let t = now - since;
    if (ahead === 0) {
      const ago = (((Math.round(now * UNIT) - this.heldAt[e]) % WRAP) + WRAP) % WRAP;
      t = Math.max(0, t - ago / UNIT);
    }
    this.counters[C.stalenessHeld]++;
    this.recorder.record(t);
  }
}
