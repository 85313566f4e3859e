/**
 * The report's message trace: the partitions' records in simulated-time order (ties broken by
 * sender, operation, receiver and detail, so the order is the same for any worker count), cut to the scenario's
 * record limit and byte budget.
 */
import type { ImppPart, TraceRecord } from '../model/impp.js';
import { traceRecordBytes } from '../model/trace.js';
import type { Scenario } from '../scenario/types.js';

export function traceReport(sc: Scenario, parts: ImppPart[]): TraceRecord[] | undefined {
  if (!sc.trace.enabled) return undefined;
  const trace = parts
    .flatMap((p) => p.trace)
    .sort((x, y) => x.t - y.t || x.fromDomain.localeCompare(y.fromDomain) || x.from.localeCompare(y.from) || x.op.localeCompare(y.op) || x.to.localeCompare(y.to) || x.detail.localeCompare(y.detail))
    .slice(0, sc.trace.limit);
  // the same byte budget as each partition's: a record is kept while those before it take less
  let bytes = 0;
  let keep = 0;
  while (keep < trace.length && bytes < sc.trace.maxBytes) bytes += traceRecordBytes(trace[keep++]);
  trace.length = keep;
  return trace;
}
