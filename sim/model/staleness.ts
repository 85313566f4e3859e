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
 * Per edge, at the watcher: 2 bytes, the time it came to hold its version, in whole ms modulo
 * 65.536 s (the version itself is the watcher table's column, watchers.ts). A change held through
 * an earlier-computed notification is sampled to the ms; when it was more than 65.5 s old at its
 * own notification's arrival, its latency is kept as the sample (an upper bound).
 */
import { C, type ModelContext } from './context.js';
import { LatencyRecorder, type EncodedHistogram } from './latency.js';

/** heldAt is kept in whole ms modulo 2^16 (65.536 s) */
const WRAP = 65536;
/** x mod 2^16 for an integer x (ToInt32 takes x mod 2^32, a multiple of 2^16): no float modulo on the hot path */
const WRAP_MASK = WRAP - 1;

export class Staleness {
  /**
   * Most samples equal the notification's own latency (now - change time), which the notification
   * recorder already holds: only the differences are recorded here (the latency of a notification
   * whose change was held earlier or never, and that change's own sample), and the histogram is
   * the latency's corrected by them (encode).
   */
  private readonly minus = new LatencyRecorder();
  private readonly plus = new LatencyRecorder();
  private readonly counters: Float64Array;
  /** per edge, at the watcher: when it came to hold the version it holds (whole ms, wrapping) */
  private readonly heldAt: Uint16Array;
  private readonly iChanges = C.stalenessChanges;
  private readonly iHeld = C.stalenessHeld;
  private readonly iEnded = C.stalenessEnded;
  private readonly iMissed = C.stalenessMissed;

  constructor(
    ctx: ModelContext,
    /** versions are carried modulo this */
    private readonly versionMod: number,
  ) {
    // (arrived() takes differences of versions with a mask)
    if (!Number.isInteger(Math.log2(versionMod)) || versionMod > 1 << 30) throw new Error(`staleness: the version modulus ${versionMod} is not a power of two up to 2^30`);
    this.counters = ctx.counters;
    this.heldAt = new Uint16Array(ctx.E);
  }

  /** forgets the samples so far (the end of a warm-up, with the latency recorder's reset) */
  reset(): void {
    this.minus.reset();
    this.plus.reset();
  }

  /** the staleness histogram, from the notification latency recorder `latency` that received every arrival's (now - since) */
  encode(latency: LatencyRecorder): EncodedHistogram {
    return latency.encodeCorrected(this.minus, this.plus);
  }

  /** an allowed change (at `since`) is on its way to one watcher */
  changed(since: number): void {
    if (since >= 0) this.counters[this.iChanges]++;
  }

  ended(since: number): void {
    if (since >= 0) this.counters[this.iEnded]++;
  }

  missed(since: number): void {
    if (since >= 0) this.counters[this.iMissed]++;
  }

  /**
   * A notification of edge e carrying version `version` (modulo versionMod), made for the change
   * at `since` (-1: no change, such as the state sent on subscribe), reached an online watcher
   * that held version `held`. A newer version is held from now on; a change whose version the
   * watcher already holds (a notification computed later carried it first) was held since then.
   * The caller records (now - since) as the notification's latency when since >= 0.
   */
  arrived(e: number, since: number, version: number, held: number, now: number): void {
    const m = this.versionMod;
    // (version - held) mod m; both are below m, a power of two
    const ahead = (version - held) & (m - 1);
    if (ahead > m / 2) {
      // overtaken by a newer version in transit
      if (since >= 0) this.minus.record(now - since);
      return this.missed(since);
    }
    // (the Uint16Array store keeps the whole ms modulo 2^16)
    if (ahead > 0) this.heldAt[e] = Math.round(now) & WRAP_MASK;
    if (since < 0) return;
    this.counters[this.iHeld]++;
    if (ahead > 0) return; // the sample is the notification's latency
    // held since heldAt, which is after the change: the wrapped difference is exact when the change
    // is less than 65.536 s old; an older one keeps its latency as the sample, an upper bound
    if (now - since >= WRAP - 1) return;
    const ago = (Math.round(now) - this.heldAt[e]) & WRAP_MASK;
    this.minus.record(now - since);
    this.plus.record(Math.max(0, now - since - ago));
  }
}
