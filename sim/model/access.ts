/**
 * Access and visibility (RFC 2779 2.3, 5.1-5.3): per (presentity, watcher) edge a static rule
 * (allow, deny, polite blocking, pending authorisation) and a visibility class, and the decisions
 * the presentity takes on pending requests.
 *
 * `allows` is the independent disclosure check: it reads only the static rules and the decisions
 * actually taken (on pending requests, and revocations), never the subscription state machine, and
 * every disclosure (notification or fetch result) passes it; what it catches is counted as a leak.
 */
import type { ModelContext } from './context.js';
import { hashUnit, RULE_DENY, RULE_PENDING, RULE_POLITE, VIS_FIRST_TUPLE_ONLY } from './population.js';
import { VIEW_POLITE } from './presence-document.js';
import { CLASS_MASK, CLASS_SHIFT, describeClass, hiddenFields } from './visibility.js';

export const DEC_UNDECIDED = 0;
export const DEC_ALLOW = 1;
export const DEC_DENY = 2;

export interface Access {
  /** per edge: the presentity's decision on a pending request (DEC_*) */
  readonly decision: Uint8Array;
  /** the edge's static rule (RULE_*) */
  rule(e: number): number;
  /** whether the edge's class sees the first tuple only */
  firstTupleOnly(e: number): boolean;
  /** tuples the edge's class may see */
  visibleTuples(e: number): number;
  /** the fields of each tuple the edge's named class hides (visibility.ts HIDE_*) */
  hidden(e: number): number;
  /** denied now: by the rules, or by the presentity's decision on a pending request */
  denied(e: number): boolean;
  /**
   * The independent disclosure check of a presence document: may edge e see `view` (VIEW_*) of
   * tuples below `end`, with the fields `hide` (HIDE_*) left out, now? Reads only the static
   * rules and the decisions taken.
   */
  allows(e: number, view: number, end: number, hide: number): boolean;
  /** the rule that decides edge e now, in words (trace and inspector) */
  describe(e: number): string;
  /** true when principal g's credentials are wrong (behaviour.authFailureFraction of the principals): its every request fails authentication */
  authFails(g: number): boolean;
}

export function createAccess(ctx: ModelContext): Access {
  const { pop, E, T } = ctx;
  const authFailure = ctx.s.behaviour.authFailureFraction;
  const decision = new Uint8Array(E);
  const edgeRule = pop.edgeRule;
  const classes = ctx.s.population.classes;
  const hide = Uint8Array.from({ length: 8 }, (_, k) => (k <= classes.length ? hiddenFields(classes, k) : 0));
  return {
    hidden: (e) => hide[(edgeRule[e] & CLASS_MASK) >> CLASS_SHIFT],
    decision,
    rule: (e) => edgeRule[e] & 3,
    firstTupleOnly: (e) => (edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0,
    visibleTuples: (e) => ((edgeRule[e] & VIS_FIRST_TUPLE_ONLY) !== 0 ? 1 : T),
    denied(e) {
      // the presentity's decision (on a pending request, or a revocation) overrides the rule
      return (edgeRule[e] & 3) === RULE_DENY || decision[e] === DEC_DENY;
    },
    allows(e, view, end, hidden) {
      const r = edgeRule[e];
      const rule = r & 3;
      if (rule === RULE_DENY || decision[e] === DEC_DENY) return false;
      if (rule === RULE_POLITE) return view === VIEW_POLITE;
      if (view === VIEW_POLITE) return false;
      if (rule === RULE_PENDING && decision[e] !== DEC_ALLOW) return false;
      const must = hide[(r & CLASS_MASK) >> CLASS_SHIFT];
      if ((hidden & must) !== must) return false;
      return (r & VIS_FIRST_TUPLE_ONLY) === 0 || end <= 1;
    },
    describe(e) {
      const r = edgeRule[e];
      const named = classes.length > 0 ? `, ${describeClass(classes, (r & CLASS_MASK) >> CLASS_SHIFT)}` : '';
      const cls = ((r & VIS_FIRST_TUPLE_ONLY) !== 0 ? 'visibility class: first tuple only' : 'visibility class: all tuples') + named;
      if (decision[e] === DEC_DENY && (r & 3) !== RULE_PENDING) return 'revoked by the presentity';
      switch (r & 3) {
        case RULE_DENY:
          return 'deny';
        case RULE_POLITE:
          return 'polite block (the watcher sees a fixed closed view)';
        case RULE_PENDING:
          return `pending authorisation, ${['undecided', 'allowed', 'denied'][decision[e]]} by the presentity; ${cls}`;
        default:
          return `allow; ${cls}`;
      }
    },
    authFails: (g) => authFailure > 0 && hashUnit(ctx.seed, g, 0, 8) < authFailure,
  };
}
