/**
 * Message sizes from the real encodings (sim/wire), computed once per shape and domain: a PIDF
 * document of one or all tuples, a message/cpim instant message, and the envelope of the carrying
 * protocol around them.
 */
import type { Scenario } from '../scenario/types.js';
import { cpimMessageSize, pidfSize } from '../wire/size.js';
import { ENVELOPE } from './messages.js';
import type { Population } from './population.js';
import { ViewSizer } from './presence-document.js';

/** What the sizer reads of the tuple columns. */
interface TupleColumns {
  readonly tuples: number;
  readonly activity: Uint8Array;
  readonly note: Uint8Array;
}

export interface Sizes {
  /** per domain: length of its longest presentity URI */
  readonly entityLen: number[];
  /** per domain: a notification carrying all tuples, or one */
  readonly notifyFull: number[];
  readonly notifyOne: number[];
  /** per domain: an instant message */
  readonly im: number[];
  /** a PIDF body of `tuples` tuples for a presentity of domain d */
  pidf(d: number, tuples: number): number;
  /** a request naming a presentity of domain d */
  request(d: number): number;
  /** the PIDF body of presentity g's tuples first .. first + count - 1 (every stride-th: a device's) in `view`, from its current state, without the fields `hide` (visibility.ts) */
  view(g: number, view: number, first: number, count: number, t: TupleColumns, hide?: number, stride?: number): number;
}

export function computeSizes(s: Scenario, pop: Population): Sizes {
  const T = s.population.tuples;
  const entityLen = s.domains.map((dom, d) => `pres:u${Math.max(0, pop.domainUsers[d] - 1)}@${dom.name}`.length);
  const pidf = (d: number, tuples: number) =>
    pidfSize({ entityLength: entityLen[d], tuples, withContact: true, withNote: false, withTimestamp: true, extendedStatus: true });
  const sizer = new ViewSizer(s, pop, T);
  return {
    view: (g, view, first, count, t, hide = 0, stride = 1) => sizer.size(g, view, first, count, g * t.tuples, t.activity, t.note, hide, stride),
    entityLen,
    notifyFull: entityLen.map((_, d) => ENVELOPE.request + pidf(d, T)),
    notifyOne: entityLen.map((_, d) => ENVELOPE.request + pidf(d, 1)),
    im: entityLen.map((len) => ENVELOPE.request + cpimMessageSize({ fromLength: len, toLength: len, bodyLength: s.behaviour.imBodyBytes, withDateTime: true, withSubject: false })),
    pidf,
    request: (d) => ENVELOPE.request + entityLen[d],
  };
}
