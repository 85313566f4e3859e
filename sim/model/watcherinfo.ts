/**
 * Watcher information (RFC 2778 2.4, RFC 2779 5.1.11): the presentity learns of watchers as it
 * happens. Each change of a watcher's standing (a subscription created, refused, ended; a fetch)
 * is a job of `serviceTimes.watcherInfo` at the presentity's servers.
 */
import { C, type ModelContext } from './context.js';
import { OP_WATCHERINFO } from './messages.js';
import type { Service } from './service.js';

export interface WatcherInfo {
  /** a watcher of presentity p (domain d) changed its standing */
  changed(d: number, p: number): void;
}

export function createWatcherInfo(ctx: ModelContext, service: Service): WatcherInfo {
  const { counters } = ctx;
  service.onComplete(OP_WATCHERINFO, () => undefined);
  return {
    changed(d, p) {
      counters[C.watcherInfo]++;
      service.submit(d, OP_WATCHERINFO, p, p, 0);
    },
  };
}
