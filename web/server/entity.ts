/**
 * One user of a small run as the trace shows it up to a step (the teaching view's entity panel,
 * GET /api/runs/:id/entity/:user): its presence state as last published, the presentities it
 * watches and the state of each subscription, who watches it, and its inbox. Everything is read
 * from the traced messages, so it is what went over the wire up to that message, not the model's
 * internal columns (a subscription still shows active after a crash until an unsubscribe or
 * a failed refresh is traced).
 */
import type { TraceRecord } from '../../sim/model/impp.js';
import { ACTIVITIES, NOTES } from '../../sim/model/presence-document.js';

export interface EntityView {
  user: string;
  /** trace records read (0..upTo) */
  upTo: number;
  /** the presence document last published: version and tuples (basic status, activity, note) */
  state: { version: number; at: number; tuples: { index: number; basic: 'open' | 'closed'; activity: string; note: string }[] } | null;
  /** presentities this user watches (subscriptions) or fetches / polls */
  watching: Relation[];
  /** watchers of this user */
  watchers: Relation[];
  /** instant messages that reached this user's inbox, and those it sent */
  inbox: { from: string; at: number; bytes: number }[];
  sent: { to: string; at: number; outcome: string }[];
}

export interface Relation {
  peer: string;
  /** subscribe: pending, active, polite block (looks granted), refused, ended; fetch / poll: the last answer */
  kind: 'subscription' | 'fetch';
  status: string;
  since: number;
}

const same = (a: string, b: string) => a === b || a.split('@')[0] === b;

function relate(map: Map<string, Relation>, peer: string, r: TraceRecord, kind: Relation['kind'], status: string): void {
  const key = `${kind}\u0000${peer}`;
  const cur = map.get(key);
  if (cur === undefined || cur.status !== status) map.set(key, { peer, kind, status, since: r.t });
}

/** The status a subscribe response gives (from its detail). */
function answer(detail: string): string {
  if (/polite/i.test(detail)) return 'polite block (looks granted)';
  if (/accept|allow/i.test(detail)) return 'active';
  if (/pending/i.test(detail)) return 'pending (waiting for the presentity)';
  return `refused: ${detail}`;
}

export function entityView(trace: readonly TraceRecord[], user: string, upTo = trace.length - 1): EntityView {
  const last = Math.min(upTo, trace.length - 1);
  const out: EntityView = { user, upTo: last, state: null, watching: [], watchers: [], inbox: [], sent: [] };
  const watching = new Map<string, Relation>();
  const watchers = new Map<string, Relation>();
  const sentIdx: number[] = [];
  for (let i = 0; i <= last; i++) {
    const r = trace[i];
    const from = same(r.from, user);
    const to = same(r.to, user);
    if (!from && !to) continue;
    switch (r.op) {
      case 'publish':
        if (from && r.state !== undefined) {
          out.state = {
            version: r.state.version,
            at: r.t,
            tuples: r.state.tuples.map((t) => ({ index: t.index, basic: t.basic ? 'open' : 'closed', activity: ACTIVITIES[t.activity] ?? String(t.activity), note: NOTES[t.note] ?? '' })),
          };
        }
        break;
      case 'subscribe':
        if (from) relate(watching, r.to, r, 'subscription', 'pending');
        if (to) relate(watchers, r.from, r, 'subscription', 'pending');
        break;
      case 'subscribeResponse':
        // from the presentity's side to the watcher
        if (to) relate(watching, r.from, r, 'subscription', answer(r.detail));
        if (from) relate(watchers, r.to, r, 'subscription', answer(r.detail));
        break;
      case 'unsubscribe':
        if (from) relate(watching, r.to, r, 'subscription', 'ended');
        if (to) relate(watchers, r.from, r, 'subscription', 'ended');
        break;
      case 'fetch':
      case 'poll':
        if (from) relate(watching, r.to, r, 'fetch', 'asked');
        if (to) relate(watchers, r.from, r, 'fetch', 'asked');
        break;
      case 'fetchResponse':
        if (to) relate(watching, r.from, r, 'fetch', `answered: ${r.detail}`);
        if (from) relate(watchers, r.to, r, 'fetch', `answered: ${r.detail}`);
        break;
      case 'message':
        if (to) out.inbox.push({ from: r.from, at: r.t, bytes: r.bytes });
        if (from) {
          sentIdx.push(out.sent.length);
          out.sent.push({ to: r.to, at: r.t, outcome: 'sent' });
        }
        break;
      case 'messageReport':
        // the report of the oldest message still without one
        if (to) {
          const k = out.sent.findIndex((m) => m.outcome === 'sent');
          if (k >= 0) out.sent[k].outcome = r.detail;
        }
        break;
    }
  }
  out.watching = [...watching.values()];
  out.watchers = [...watchers.values()];
  return out;
}
