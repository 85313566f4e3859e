/**
 * The discrete-event kernel. It knows nothing of presence: it holds the clock, the pending-event
 * heap, one random stream per logical process (LP), a handler table indexed by event type, and
 * counters. Models register handlers and schedule through the kernel (STYLE.md: ROSS's lptype).
 *
 * A handler is `(lp, a, b, c) => void`: the target LP and the three payload slots (most events
 * use two; the model's gateways carry a transaction id in c). It reads
 * `kernel.now` for the time and schedules with `kernel.schedule(...)`; the origin of a scheduled
 * event is always the LP being handled, which fixes the event's place in the total order
 * (time, origin LP, origin sequence) independently of any partitioning.
 *
 * The same kernel class runs sequential runs (all LPs local) and one partition of a parallel run
 * (then `outbox` receives events for LPs owned by other partitions; see parallel.ts).
 */
import { SimError } from '../errors.js';
import { checkKernelOptions, type KernelOptions } from './kernel-options.js';
import { EventQueue, MAX_EVENT_TYPES, PAYLOAD_BIT, TARGET_SHIFT, TYPE_MASK } from './queue.js';
import { RandomStreams } from './rng.js';
import type { TimerStats } from './timers.js';

export type Handler = (lp: number, a: number, b: number, c: number) => void;

/** Where events for LPs of other partitions go (implemented by the parallel exchange). */
export interface Outbox {
  send(partition: number, time: number, key: number, type: number, target: number, a: number, b: number, c: number): void;
}

export type { KernelOptions } from './kernel-options.js';

export { MAX_LPS } from './kernel-options.js';
const KEY_LP_FACTOR = 4294967296;
const MAX_SEQ = 4294967295;

export class Kernel {
  /** current simulated time, ms */
  now = 0;
  /** LP whose event is being handled (-1 outside handlers) */
  lp = -1;
  /** events handled so far */
  events = 0;
  readonly lpCount: number;
  readonly lookahead: number;
  readonly rng: RandomStreams;
  readonly queue: EventQueue;
  readonly partitionOf: Int32Array | null;
  readonly partition: number;
  readonly groupOf: Int32Array | null;
  readonly groupLookahead: Float64Array | null;
  outbox: Outbox | null = null;
  /** smallest time of any event sent to another partition since the last reset */
  minSent = Infinity;
  /** the timer service of this kernel, once one was created (timers.ts; its statistics) */
  timers: { readonly stats: TimerStats } | null = null;

  private handlers: Handler[] = [];
  private names: string[] = [];
  /** events handled per type */
  typeCounts: Float64Array = new Float64Array(0);
  private seq: Float64Array;
  private disposed = false;
  private stopRequested = false;
  private stopReason: string | null = null;
  /** the simulated time of the first stop() (windowed runs with LP groups stop on a grid after it) */
  stopTime = Infinity;
  /** set by windowed runs: stop() then ends the run at the end of the window, not at once */
  deferStop = false;
  private haltLoop = false;

  constructor(opts: KernelOptions) {
    const { lpCount, lookahead } = checkKernelOptions(opts);
    this.lpCount = lpCount;
    this.lookahead = lookahead;
    this.rng = new RandomStreams(lpCount, opts.seed);
    this.queue = new EventQueue(opts.capacity ?? 1024);
    this.seq = new Float64Array(lpCount);
    this.partitionOf = opts.partitionOf ?? null;
    this.partition = opts.partition ?? 0;
    this.groupOf = opts.groupOf ?? null;
    this.groupLookahead = opts.groupLookahead ?? null;
  }

  /** Registers a handler and returns its event type number. */
  defineEvent(name: string, handler: Handler): number {
    const type = this.handlers.length;
    if (type >= MAX_EVENT_TYPES) {
      throw new SimError('SIM_ERR_BAD_OPTION', `cannot define event '${name}': a model may define at most ${MAX_EVENT_TYPES} event types`);
    }
    this.handlers.push(handler);
    this.names.push(name);
    const counts = new Float64Array(type + 1);
    counts.set(this.typeCounts);
    this.typeCounts = counts;
    return type;
  }

  eventName(type: number): string {
    return this.names[type] ?? `#${type}`;
  }

  eventNames(): string[] {
    return this.names.slice();
  }

  /** Does this kernel own the given LP? (always true in a sequential run) */
  owns(lp: number): boolean {
    return this.partitionOf === null || this.partitionOf[lp] === this.partition;
  }

  /**
   * Schedules an event `delay` ms after now, for LP `target`, originating from the current LP.
   */
  schedule(delay: number, type: number, target: number, a = 0, b = 0, c = 0): void {
    // Fast path, kept small (in bytecode) so that it inlines into handlers with their random
    // draws: an event for the LP itself, with a valid delay, a free slot and no payload.
    const q = this.queue;
    const src = this.lp;
    // (the type is checked here, not only when handled: a type beyond the meta word's 10 bits
    // would spill into the target; Object.is: a payload of -0 is a payload, it arrives as -0)
    if (
      target === src && src >= 0 && delay >= 0 && delay !== Infinity && q.freeTop !== 0 &&
      type >>> 0 < this.handlers.length && Object.is(a, 0) && Object.is(b, 0) && Object.is(c, 0)
    ) {
      const s = this.seq[src]++;
      if (s > MAX_SEQ) this.seqOverflow(src);
      const slot = q.free[--q.freeTop];
      q.sKey[slot] = src * KEY_LP_FACTOR + s;
      // the queue is called with integers only: a double passed to a call that is not inlined
      // is boxed (a heap allocation per event)
      q.inT[0] = this.now + delay;
      q.place((target << TARGET_SHIFT) | type, slot);
      return;
    }
    this.scheduleOther(delay, type, target, a, b, c);
  }

  /** Every other event: payloads, other LPs (maybe in another partition), a full slot pool, errors. */
  private scheduleOther(delay: number, type: number, target: number, a: number, b: number, c: number): void {
    const src = this.lp;
    if (this.disposed) this.afterDispose();
    if (src < 0) {
      throw new SimError(
        'SIM_ERR_BAD_OPTION',
        `event '${this.eventName(type)}' was scheduled outside a handler; initial and injected events are scheduled inside kernel.asLP(lp, fn) or forEachOwnedLP, so that they have an origin LP`,
      );
    }
    if (!(delay >= 0) || delay === Infinity) this.badDelay(delay, type, src, target);
    this.checkType(type, target);
    if (target !== src) {
      if (!(target >= 0 && target < this.lpCount)) this.lpRange(target, type, src);
      const g = this.groupOf;
      const need = g !== null && g[src] === g[target] ? this.groupLookahead![g[src]] : this.lookahead;
      if (delay < need) this.lookaheadViolation(delay, type, src, target, need, g !== null && g[src] === g[target]);
    }
    const key = this.nextKey(src);
    const pOf = this.partitionOf;
    if (pOf !== null && target !== src) {
      const p = pOf[target];
      if (p !== this.partition) {
        const time = this.now + delay;
        if (time < this.minSent) this.minSent = time;
        this.outbox!.send(p, time, key, type, target, a, b, c);
        return;
      }
    }
    // (push inlines here, so its doubles are not boxed)
    this.queue.push(this.now + delay, key, type, target, a, b, c);
  }

  /** Inserts an event produced elsewhere (another partition); its key was fixed by its origin. */
  insert(time: number, key: number, type: number, target: number, a: number, b: number, c = 0): void {
    this.checkType(type, target);
    this.queue.push(time, key, type, target, a, b, c);
  }

  /**
   * @internal The next sequence number of LP `src` (the origin half of an event's key), taken for
   * an event that the timer service keeps until it is due; checks like schedule() does.
   */
  takeSeq(src: number, type: number): number {
    if (this.disposed) this.afterDispose();
    this.checkType(type, src);
    const s = this.seq[src]++;
    if (s > MAX_SEQ) this.seqOverflow(src);
    return s;
  }

  /** Refuses a type no handler was defined for (before it is packed into a heap entry). */
  private checkType(type: number, target: number): void {
    if (!(type >>> 0 < this.handlers.length)) this.unknownType(type, target);
  }

  /** Calls `fn(lp)` for each LP this kernel owns, with the clock at 0 and `lp` set, so that
   *  events it schedules originate from that LP. */
  /** Calls fn for every pending event of this partition (end-of-run censuses; not the hot path). */
  forEachPending(fn: (time: number, type: number, target: number, a: number, b: number, c: number) => void): void {
    this.queue.forEach(fn);
  }

  forEachOwnedLP(fn: (lp: number) => void): void {
    const saved = this.lp;
    for (let lp = 0; lp < this.lpCount; lp++) {
      if (!this.owns(lp)) continue;
      this.lp = lp;
      fn(lp);
    }
    this.lp = saved;
  }

  /** Runs `fn` as if it were a handler of LP `lp` (used for initial and externally injected events). */
  asLP(lp: number, fn: () => void): void {
    const saved = this.lp;
    this.lp = lp;
    try {
      fn();
    } finally {
      this.lp = saved;
    }
  }

  /** Asks the run loop to stop after the current event (sequential) or window (parallel). */
  stop(reason = 'stopped by the model'): void {
    if (!this.stopRequested) {
      this.stopReason = reason;
      this.stopTime = this.now;
    }
    this.stopRequested = true;
    if (!this.deferStop) this.haltLoop = true;
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  get stoppedBecause(): string | null {
    return this.stopReason;
  }

  /** Clears a stop request (the caller decides to go on). */
  resume(): void {
    this.stopRequested = false;
    this.haltLoop = false;
    this.stopReason = null;
  }

  /**
   * Gives the event queue's share of the thread's heap arena back (runs call it when they end;
   * a kernel dropped without it is reclaimed when garbage-collected). The clock, counts and
   * random streams stay readable; no event can be handled or scheduled any more.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.queue.dispose();
  }

  private afterDispose(): never {
    throw new SimError('SIM_ERR_BAD_OPTION', 'this kernel was disposed (its run has ended); it cannot handle or schedule events');
  }

  /** Time of the next pending event, or Infinity. */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Events in the heap now (timers the timer service still keeps are not among them). */
  get pending(): number {
    return this.queue.size;
  }

  /** The most events the heap held at once so far (its depth is log2 of it). */
  get pendingPeak(): number {
    return this.queue.peak;
  }

  /**
   * Handles every event with time < until (and at most `maxEvents` of them), in total order.
   * Returns the number handled. The clock ends at `until` when the queue ran past it, otherwise
   * at the last handled event's time. Stops early if a handler calls `stop()`.
   */
  run(until = Infinity, maxEvents = Infinity): number {
    const q = this.queue;
    const handlers = this.handlers;
    const counts = this.typeCounts;
    if (this.disposed) this.afterDispose();
    let handled = 0;
    // The queue's pop is inlined here (this loop is the engine's hottest code): take the root,
    // leave a hole that the handler's first schedule() refills with a single sift.
    while (handled < maxEvents && !this.haltLoop) {
      if (q.hole) q.fillHole();
      if (q.n === 0) break;
      const t = q.rootTime();
      if (t >= until) break;
      const meta = q.rootMeta();
      const slot = q.rootSlot();
      q.hole = true;
      const type = meta & TYPE_MASK;
      const target = meta >>> TARGET_SHIFT;
      let a = 0;
      let b = 0;
      let c = 0;
      if ((meta & PAYLOAD_BIT) !== 0) {
        const sP = q.sP;
        a = sP[3 * slot];
        b = sP[3 * slot + 1];
        c = sP[3 * slot + 2];
      }
      q.free[q.freeTop++] = slot;
      this.now = t;
      this.lp = target;
      // (no type check here: schedule() and insert() let only defined types into the heap)
      counts[type]++;
      handled++;
      handlers[type](target, a, b, c);
    }
    this.events += handled;
    this.lp = -1;
    if (until !== Infinity && !this.haltLoop && handled < maxEvents && this.now < until) this.now = until;
    return handled;
  }

  /** Handles exactly one event if there is one; returns false when the queue is empty. */
  step(): boolean {
    return this.run(Infinity, 1) === 1;
  }

  private nextKey(src: number): number {
    const s = this.seq[src]++;
    if (s > MAX_SEQ) this.seqOverflow(src);
    return src * KEY_LP_FACTOR + s;
  }

  private seqOverflow(src: number): never {
    throw new SimError('SIM_ERR_BAD_OPTION', `LP ${src} scheduled more than 2^32 events; the total order would no longer be exact (split the work over more LPs)`);
  }

  private badDelay(delay: number, type: number, src: number, target: number): never {
    throw new SimError(
      'SIM_ERR_BAD_DELAY',
      `event '${this.eventName(type)}' from LP ${src} to LP ${target} at t=${this.now} has delay ${delay}; delays must be finite and >= 0`,
      { delay, from: src, to: target },
    );
  }

  private lookaheadViolation(delay: number, type: number, src: number, target: number, need: number, inGroup: boolean): never {
    const where = inGroup ? `the lookahead inside their group ${this.groupOf![src]} (a cluster's latency between its nodes)` : 'the lookahead';
    throw new SimError(
      'SIM_ERR_LOOKAHEAD_VIOLATION',
      `event '${this.eventName(type)}' from LP ${src} to LP ${target} at t=${this.now} has delay ${delay}, less than ${where} ${need}; ` +
        `every event sent to another LP must be delayed by at least the lookahead (raise the minimum link latency or lower the declared lookahead)`,
      { delay, from: src, to: target, lookahead: need },
    );
  }

  private lpRange(target: number, type: number, src: number): never {
    throw new SimError('SIM_ERR_LP_RANGE', `event '${this.eventName(type)}' from LP ${src} targets LP ${target}, outside 0..${this.lpCount - 1}`, {
      from: src,
      to: target,
    });
  }

  private unknownType(type: number, target: number): never {
    throw new SimError('SIM_ERR_UNKNOWN_EVENT_TYPE', `event type ${type} for LP ${target} has no handler (registered: ${this.names.join(', ')})`);
  }
}
