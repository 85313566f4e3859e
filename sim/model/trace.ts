/**
 * The message trace of a run (teaching view, inspector, `trace` in the report): one record per
 * message the model sends, with its RFC 2778 role names, size and the reason it was sent. Records
 * are kept up to the scenario's trace limit.
 */
import type { Kernel } from '../engine/kernel.js';
import type { Scenario } from '../scenario/types.js';
import type { Population } from './population.js';

export interface TraceRecord {
  t: number;
  op: string;
  fromDomain: string;
  toDomain: string;
  from: string;
  to: string;
  bytes: number;
  detail: string;
}

export function userName(pop: Population, s: Scenario, g: number): string {
  const d = pop.domainOf[g];
  return `u${g - pop.domainStart[d]}@${s.domains[d].name}`;
}

export class Trace {
  readonly on: boolean;
  readonly records: TraceRecord[] = [];
  private readonly limit: number;

  constructor(
    private readonly s: Scenario,
    private readonly pop: Population,
    private readonly kernel: Kernel,
  ) {
    this.on = s.trace.enabled;
    this.limit = s.trace.limit;
  }

  /** Records a message from user (or, for -1, the domain itself) to user (or domain). */
  message(op: string, fromUser: number, fromDomain: number, toUser: number, toDomain: number, bytes: number, detail: string): void {
    if (!this.on || this.records.length >= this.limit) return;
    const s = this.s;
    this.records.push({
      t: this.kernel.now,
      op,
      fromDomain: s.domains[fromDomain].name,
      toDomain: s.domains[toDomain].name,
      from: fromUser >= 0 ? userName(this.pop, s, fromUser) : s.domains[fromDomain].name,
      to: toUser >= 0 ? userName(this.pop, s, toUser) : s.domains[toDomain].name,
      bytes,
      detail,
    });
  }
}
