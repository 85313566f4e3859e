/**
 * The report's IM section: every instant message's outcome (RFC 2779 4.2.1: delivered, failed with
 * its reason, indeterminate), duplicates and copies, store-and-forward, and the census of what is
 * still on its way.
 */
import { IM_FAILURES, type ImppPart } from '../model/impp.js';
import type { Report } from './shape.js';
import { sumArrays, sumOf } from './sum.js';

/** `from`: the end of the warm-up (0 without one). */
export function imReport(c: Record<string, number>, parts: ImppPart[], from: number): Report['im'] {
  const failures = sumArrays(parts, IM_FAILURES.length + 1, (p) => p.imFailures);
  const failedBy: Record<string, number> = {};
  IM_FAILURES.forEach((name, i) => (failedBy[name] = failures[i + 1]));
  const openAtEnd = sumOf(parts, (p) => p.imOpenAtEnd);
  // the census at the end is counted by each partition once every message between them has
  // arrived (not derived from the other figures); the one at the warm-up follows from it and
  // the outcomes of the measured period (mid-run, messages between partitions are in no heap,
  // so a count there would depend on the partitioning). Tests hold it equal to the counted
  // census of the same run cut at the warm-up.
  const settled = c.imSent + c.imCopies - c.imDelivered - c.imFailed - c.imIndeterminate - c.imDuplicates - c.imCopiesRefused;
  return {
    sent: c.imSent,
    delivered: c.imDelivered,
    failed: c.imFailed,
    indeterminate: c.imIndeterminate,
    duplicates: c.imDuplicates,
    copies: c.imCopies,
    copiesRefused: c.imCopiesRefused,
    stored: c.imStored,
    reportsUndelivered: c.imReportsUndelivered,
    inFlightAtStart: from > 0 ? openAtEnd - settled : 0,
    inFlight: openAtEnd,
    failedBy,
  };
}
