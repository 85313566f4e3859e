/**
 * Which server node of a domain serves a wire message that a CPIM message maps to: the node of
 * the user in that domain whom the message concerns, as the model's own operations route their
 * jobs (service.ts: node `subject % servers`). About a subscription edge: its presentity's node in
 * the presentity's domain, its watcher's in the watcher's; an IM or its report: the sender's node
 * in the sender's domain, the recipient's in the recipient's (node 0 for an unknown recipient,
 * as the model's delivery job); a list notification: the
 * presentity's, on both sides.
 */
import type { Population } from '../population.js';
import type { ModelContext } from '../context.js';
import { M_FETCH, M_FETCH_RESPONSE, M_LIST_NOTIFY, M_MESSAGE, M_NOTIFY, M_REPORT, M_SUB_RESPONSE, M_TERMINATED, M_WIRE, TWO26 } from '../messages.js';
import { N_WIRE } from './kinds.js';
import { notifyEdge, VERSION_MOD } from '../notification.js';

/** The user whose node serves, at domain d, the wire message of CPIM message (kind, a). */
export function nodeUser(pop: Population, D: number, U: number, d: number, kind: number, a: number): number {
  if (kind === M_MESSAGE || kind === M_REPORT) {
    const from = Math.floor(a / TWO26);
    const to = a % TWO26;
    if (pop.domainOf[from] === d) return from;
    return to >= U ? 0 : to; // an unknown recipient: node 0, as the model's delivery job
  }
  if (kind === M_LIST_NOTIFY) return Math.floor(Math.floor(a / VERSION_MOD) / D / 16);
  // a binding's own wire message (bindings/wire.ts packWire): its edge
  const e = kind === M_NOTIFY ? notifyEdge(a) : kind === M_WIRE ? Math.floor(a / 8 / N_WIRE) : a;
  const g = pop.edgePresentity[e];
  return pop.domainOf[g] === d ? g : pop.edgeWatcher[e];
}

/**
 * The user of domain d who receives a CPIM message of (kind, a) there (its node is where the
 * message arrives, cluster.ts): a request's presentity, a response's, notification's or
 * termination's watcher, an IM's recipient, a report's sender; other kinds as nodeUser.
 */
export function recipientUser(pop: Population, D: number, U: number, d: number, kind: number, a: number): number {
  if (kind <= M_FETCH) return pop.edgePresentity[a];
  if (kind === M_SUB_RESPONSE || kind === M_FETCH_RESPONSE || kind === M_TERMINATED) return pop.edgeWatcher[a];
  if (kind === M_NOTIFY) return pop.edgeWatcher[notifyEdge(a)];
  if (kind === M_MESSAGE) return a % TWO26;
  if (kind === M_REPORT) return Math.floor(a / TWO26);
  return nodeUser(pop, D, U, d, kind, a);
}

/** The LP of domain d that a message of `kind` with payload a concerns there (its sender's side, for a failure). */
export function concernedLp(ctx: ModelContext, d: number, kind: number, a: number): number {
  return ctx.cluster.lpIn(d, nodeUser(ctx.pop, ctx.D, ctx.U, d, kind, a));
}

/** The LP of domain d where a message of `kind` with payload a arrives: its recipient's node. */
export function arrivalLp(ctx: ModelContext, d: number, kind: number, a: number): number {
  return ctx.cluster.lpIn(d, recipientUser(ctx.pop, ctx.D, ctx.U, d, kind, a));
}
