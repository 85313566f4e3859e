/**
 * The timer service: every far-future timer of a model (subscription refreshes and expiries,
 * publication leases, session ends) is set here rather than with kernel.schedule, so that such
 * timers do not each hold an entry of the event heap for the hour they wait.
 *
 * Semantics are those of a self-event: `set(delay, type, lp, a, b)` called in a handler of `lp`
 * makes the kernel run `type` on `lp` with payload (a, b) at now + delay. A timer that is no longer
 * wanted is not cancelled: the model recognises it as stale when it fires (epochs), as real
 * servers do with lazy deletion.
 *
 * How (a calendar of buckets, as servers keep their timers): time is cut into buckets of `bucket`
 * ms. A timer at least two buckets away is kept in the bucket of its LP and its due time, a record
 * in paged typed arrays (no object per timer) linked into that (LP, bucket) list; a hash table of
 * typed arrays finds the list. A record is 26 bytes: 24 side by side (due time 8, origin sequence
 * number 4, link 4, payload 4 + 4) and the event type with a wide flag (2). A payload that is not
 * two integers from 0 to 2^32 - 1 (the common case is ids and epochs) is wide: kept as two doubles
 * in a part of the record's page made when its first wide record lands there (records took 36
 * bytes before; `npm run bench -- timers` measures the memory). The first timer of a list
 * schedules one release event, a self-event of the LP, one bucket before the bucket starts; its
 * handler moves the list's timers into the event heap with their exact times. Nearer timers go
 * straight into the heap. The heap then holds about two buckets' worth of timers instead of all of them.
 *
 * Order: a timer takes its key (origin LP, origin sequence number) when it is set, exactly as
 * kernel.schedule would, and keeps it, so the events a model sees and their order are identical to
 * scheduling every timer directly, ties included. Release events are self-events keyed from
 * their LP's own sequence, so their number and place depend on the model only, never on how
 * LPs are spread over workers. (They consume sequence numbers, which shifts later keys of that LP
 * but keeps their relative order and their order against every other LP's events.)
 *
 * IMPP_SIM_TIMERS=direct (or the option `direct`) places every timer in the heap, for comparison.
 */
import { SimError } from '../errors.js';
import type { Kernel } from './kernel.js';
import { PAYLOAD_BIT, TARGET_SHIFT } from './queue.js';

export interface TimerOptions {
  /** bucket width in ms (default 1,000); timers under two buckets away go straight to the heap */
  bucket?: number;
  /** place every timer in the event heap (default: IMPP_SIM_TIMERS=direct, else false) */
  direct?: boolean;
}

export interface TimerStats {
  /** timers placed straight into the event heap */
  direct: number;
  /** timers kept in buckets */
  bucketed: number;
  /** bucketed timers moved to the heap so far */
  released: number;
  /** release events handled */
  releases: number;
  /** timers kept in buckets now, and the most at once */
  pending: number;
  pendingPeak: number;
}

const ENV = process.env.IMPP_SIM_TIMERS;
const envError =
  ENV === undefined || ENV === '' || ENV === 'direct' || ENV === 'wheel'
    ? null
    : `the environment variable IMPP_SIM_TIMERS must be 'wheel' or 'direct', got '${ENV}'`;

const PAGE_BITS = 16;
const PAGE_MASK = (1 << PAGE_BITS) - 1;
const KEY_LP_FACTOR = 4294967296;
/** the wide flag beside a record's event type (types are below 1,024) */
const WIDE = 0x8000;
const REC_BYTES = 24;

export class TimerService {
  private readonly kernel: Kernel;
  private readonly width: number;
  /** delays below this go straight to the heap (Infinity when direct) */
  private readonly near: number;
  private readonly RELEASE: number;
  /** delay, a, b of the timer being set (doubles cross calls through here, unboxed) */
  private readonly inD = new Float64Array(3);

  // timer records, in pages of 2^16 records of REC_BYTES, three views of one buffer: due time at
  // F[3i]; origin sequence U[6i + 2], the next of its list I[6i + 3], payload U[6i + 4], U[6i + 5]
  // (two uint32; a wide payload is two doubles in the page's wide part, made when a wide record
  // first lands in it); beside them type | WIDE
  private rF: Float64Array[] = [];
  private rU: Uint32Array[] = [];
  private rI: Int32Array[] = [];
  private rType: Uint16Array[] = [];
  private rWide: (Float64Array | null)[] = [];
  private used = 0;
  private freeRec = -1;

  // (LP, bucket) lists: the LP, the bucket number, the home slot in the table, the first record
  private bLP = new Int32Array(256);
  private bK = new Float64Array(256);
  private bHome = new Int32Array(256);
  private bHead = new Int32Array(256);
  private bUsed = 0;
  private freeB = -1;
  /** open addressing with linear probing: list numbers, -1 empty */
  private table = new Int32Array(1024).fill(-1);
  private mask = 1023;
  private live = 0;

  private nDirect = 0;
  private nBucketed = 0;
  private nReleased = 0;
  private nReleases = 0;
  private peak = 0;

  constructor(kernel: Kernel, opts: TimerOptions = {}) {
    if (envError !== null) throw new SimError('SIM_ERR_BAD_OPTION', envError);
    const bucket = opts.bucket ?? 1000;
    if (!(bucket > 0) || !Number.isFinite(bucket)) {
      throw new SimError('SIM_ERR_BAD_OPTION', `the timer service's bucket width must be a finite number of ms > 0, got ${bucket}`);
    }
    if (kernel.timers !== null) throw new SimError('SIM_ERR_BAD_OPTION', 'this kernel already has a timer service (create one per kernel)');
    this.kernel = kernel;
    this.width = bucket;
    this.near = opts.direct ?? ENV === 'direct' ? Infinity : 2 * bucket;
    this.RELEASE = kernel.defineEvent('timers.release', (lp, list) => this.release(lp, list));
    kernel.timers = this;
  }

  /** Sets a timer: event `type` on LP `lp` (the LP whose handler is running) after `delay` ms. */
  set(delay: number, type: number, lp: number, a = 0, b = 0): void {
    const k = this.kernel;
    if (lp !== k.lp) this.notSelf(type, lp);
    if (delay < this.near) {
      this.nDirect++;
      k.schedule(delay, type, lp, a, b);
      return;
    }
    const d = this.inD;
    d[0] = delay;
    d[1] = a;
    d[2] = b;
    this.setFar(type, lp);
  }

  get stats(): TimerStats {
    return {
      direct: this.nDirect,
      bucketed: this.nBucketed,
      released: this.nReleased,
      releases: this.nReleases,
      pending: this.nBucketed - this.nReleased,
      pendingPeak: this.peak,
    };
  }

  private setFar(type: number, lp: number): void {
    const k = this.kernel;
    const d = this.inD;
    const now = k.now;
    const t = now + d[0];
    const w = this.width;
    const bucket = Math.floor(t / w);
    const at = (bucket - 1) * w;
    if (!(at > now) || !(t < Infinity) || lp < 0) {
      // not two buckets away (rounding), or a bad delay or LP, which schedule() reports
      this.nDirect++;
      k.schedule(d[0], type, lp, d[1], d[2]);
      return;
    }
    const seq = k.takeSeq(lp, type);
    const a = d[1];
    const b = d[2];
    // (Object.is: -0 is no integer here, it is kept as a double and arrives as -0)
    const narrow = Object.is(a >>> 0, a) && Object.is(b >>> 0, b);
    let list = this.find(lp, bucket);
    if (list < 0) {
      list = this.addList(lp, bucket);
      k.schedule(at - now, this.RELEASE, lp, list, 0);
    }
    let id = this.freeRec;
    if (id >= 0) this.freeRec = this.rI[id >>> PAGE_BITS][6 * (id & PAGE_MASK) + 3];
    else id = this.newRecord();
    const page = id >>> PAGE_BITS;
    const i = id & PAGE_MASK;
    const U = this.rU[page];
    this.rF[page][3 * i] = t;
    U[6 * i + 2] = seq;
    this.rType[page][i] = narrow ? type : type | WIDE;
    if (narrow) {
      U[6 * i + 4] = a;
      U[6 * i + 5] = b;
    } else {
      const w = this.rWide[page] ?? this.widePage(page);
      w[2 * i] = a;
      w[2 * i + 1] = b;
    }
    this.rI[page][6 * i + 3] = this.bHead[list];
    this.bHead[list] = id;
    const pending = ++this.nBucketed - this.nReleased;
    if (pending > this.peak) this.peak = pending;
  }

  /** The release event's handler: moves list `list` of LP `lp` into the heap, frees its records. */
  private release(lp: number, list: number): void {
    if (this.bLP[list] !== lp) throw new SimError('SIM_ERR_BAD_OPTION', `timer release for LP ${lp} names list ${list}, which is not that LP's`);
    this.unmap(list);
    const q = this.kernel.queue;
    const lpKey = lp * KEY_LP_FACTOR;
    const target = lp << TARGET_SHIFT;
    const head = this.bHead[list];
    let id = head;
    let last = -1;
    let n = 0;
    while (id >= 0) {
      const page = id >>> PAGE_BITS;
      const i = id & PAGE_MASK;
      if (q.freeTop === 0) q.grow();
      const s = q.free[--q.freeTop];
      const U = this.rU[page];
      q.sKey[s] = lpKey + U[6 * i + 2];
      const type = this.rType[page][i];
      let a: number;
      let b: number;
      if ((type & WIDE) !== 0) {
        const w = this.rWide[page]!;
        a = w[2 * i];
        b = w[2 * i + 1];
      } else {
        a = U[6 * i + 4];
        b = U[6 * i + 5];
      }
      let meta = target | (type & ~WIDE);
      if (!Object.is(a, 0) || !Object.is(b, 0)) {
        meta |= PAYLOAD_BIT;
        q.sP[3 * s] = a;
        q.sP[3 * s + 1] = b;
        q.sP[3 * s + 2] = 0;
      }
      q.inT[0] = this.rF[page][3 * i];
      q.place(meta, s);
      last = id;
      id = this.rI[page][6 * i + 3];
      n++;
    }
    if (last >= 0) {
      this.rI[last >>> PAGE_BITS][6 * (last & PAGE_MASK) + 3] = this.freeRec;
      this.freeRec = head;
    }
    this.nReleased += n;
    this.nReleases++;
    this.bLP[list] = -1;
    this.bHead[list] = this.freeB;
    this.freeB = list;
  }

  private newRecord(): number {
    const id = this.used++;
    if ((id & PAGE_MASK) === 0) {
      const buf = new ArrayBuffer(REC_BYTES << PAGE_BITS);
      this.rF.push(new Float64Array(buf));
      this.rU.push(new Uint32Array(buf));
      this.rI.push(new Int32Array(buf));
      this.rType.push(new Uint16Array(1 << PAGE_BITS));
      this.rWide.push(null);
    }
    return id;
  }

  private widePage(page: number): Float64Array {
    const w = new Float64Array(2 << PAGE_BITS);
    this.rWide[page] = w;
    return w;
  }

  private static home(lp: number, bucket: number): number {
    let h = Math.imul(lp, 0x9e3779b1) ^ Math.imul(bucket >>> 0, 0x85ebca6b) ^ ((bucket / KEY_LP_FACTOR) >>> 0);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    return h ^ (h >>> 12);
  }

  private find(lp: number, bucket: number): number {
    const T = this.table;
    const m = this.mask;
    for (let i = TimerService.home(lp, bucket) & m; ; i = (i + 1) & m) {
      const x = T[i];
      if (x < 0) return -1;
      if (this.bK[x] === bucket && this.bLP[x] === lp) return x;
    }
  }

  private addList(lp: number, bucket: number): number {
    let x = this.freeB;
    if (x >= 0) this.freeB = this.bHead[x];
    else {
      x = this.bUsed++;
      if (x === this.bLP.length) this.growLists();
    }
    this.bLP[x] = lp;
    this.bK[x] = bucket;
    this.bHome[x] = TimerService.home(lp, bucket);
    this.bHead[x] = -1;
    if (2 * ++this.live > this.table.length) this.rehash(2 * this.table.length);
    else this.insertSlot(x);
    return x;
  }

  private insertSlot(x: number): void {
    const T = this.table;
    const m = this.mask;
    let i = this.bHome[x] & m;
    while (T[i] >= 0) i = (i + 1) & m;
    T[i] = x;
  }

  /** Removes list `x` from the table (backward-shift deletion keeps probe chains unbroken). */
  private unmap(x: number): void {
    const T = this.table;
    const m = this.mask;
    let i = this.bHome[x] & m;
    while (T[i] !== x) i = (i + 1) & m;
    for (let j = (i + 1) & m; T[j] >= 0; j = (j + 1) & m) {
      const h = this.bHome[T[j]] & m;
      // T[j] may fill the gap at i unless its home lies cyclically in (i, j]
      const stays = i <= j ? h > i && h <= j : h > i || h <= j;
      if (!stays) {
        T[i] = T[j];
        i = j;
      }
    }
    T[i] = -1;
    this.live--;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let x = 0; x < this.bUsed; x++) if (this.bLP[x] >= 0) this.insertSlot(x);
  }

  private growLists(): void {
    const n = this.bLP.length * 2;
    const lp = new Int32Array(n);
    lp.set(this.bLP);
    this.bLP = lp;
    const k = new Float64Array(n);
    k.set(this.bK);
    this.bK = k;
    const home = new Int32Array(n);
    home.set(this.bHome);
    this.bHome = home;
    const head = new Int32Array(n);
    head.set(this.bHead);
    this.bHead = head;
  }

  private notSelf(type: number, lp: number): never {
    const k = this.kernel;
    throw new SimError(
      'SIM_ERR_BAD_OPTION',
      k.lp < 0
        ? `timer '${k.eventName(type)}' for LP ${lp} was set outside a handler; set timers in a handler of the LP, or inside kernel.asLP(lp, fn)`
        : `timer '${k.eventName(type)}' was set for LP ${lp} in a handler of LP ${k.lp}: a timer is a self-event of the LP whose handler is running (send events to other LPs with kernel.schedule)`,
    );
  }
}
