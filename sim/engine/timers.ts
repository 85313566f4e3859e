/**
 * The timer service: every far-future timer of a model (subscription refreshes and expiries,
 * publication leases, session ends) is set here rather than with kernel.schedule, so that how such
 * timers are kept can change without touching the models that set them.
 *
 * Semantics are those of a self-event: `set(delay, type, lp, a, b)` called in a handler of `lp`
 * makes the kernel run `type` on `lp` with payload (a, b) at now + delay, ordered like any event.
 * A timer that is no longer wanted is not cancelled: the model recognises it as stale when it fires
 * (epochs), as real servers do with lazy deletion.
 *
 * This implementation places each timer in the kernel's event heap.
 */
import type { Kernel } from './kernel.js';

export class TimerService {
  constructor(private readonly kernel: Kernel) {}

  /** Sets a timer: event `type` on LP `lp` (the LP whose handler is running) after `delay` ms. */
  set(delay: number, type: number, lp: number, a = 0, b = 0): void {
    this.kernel.schedule(delay, type, lp, a, b);
  }
}
