/**
 * One user as the model holds it now (the inspector of a small interactive run, OMNeT++ Qtenv's
 * habit): read from the concern modules' columns, never from the trace, so it shows what the
 * services and agents hold at this step (a subscription a server crash lost before anyone told the
 * watcher shows `none` at the service while the watcher still wants it).
 *
 * - devices: each tuple of a presentity is one of its devices (PIDF: a tuple per contact), with
 *   its contact, priority (presence-document.ts), basic status, activity, note and time of change,
 *   and the device (presence user agent, population.devices) that owns it; agents: each such
 *   device, online or not (with several devices each has a session of its own), and its tuples;
 *   the presentity's state version; the principal's access link class (LAN or mobile);
 * - subscriptions it holds as a watcher (its buddy list) and those its watchers hold on it: the
 *   service's state and expiry, the access rule in force, the pending decision; on the watcher
 *   side, whether the agent wants the subscription, the last version and view it received and its
 *   retries;
 * - its inbox: open (its owner online) or closed, and the messages the service keeps for it
 *   (store-and-forward). Delivered messages are counted by the model, not kept: the trace shows them.
 *
 * A read only: nothing here writes a column or allocates on the model's hot path.
 */
import type { Kernel } from '../engine/kernel.js';
import type { Scenario } from '../scenario/types.js';
import { DEC_ALLOW, DEC_DENY } from './access.js';
import { ACCESS_CLASSES } from './access-link.js';
import type { InboxStore } from './inbox-store.js';
import { PRINCIPAL_INBOX_ONLY, PRINCIPAL_PRESENTITY_ONLY, WATCHER_POLLER, WATCHER_SUBSCRIBER, type Population } from './population.js';
import { TWO26 } from './messages.js';
import { GEN_LIVE, subscriptIdOf } from './cpim-transactions.js';
import { ACTIVITIES, NOTES, priorityOf, VIEW_NAMES } from './presence-document.js';
import type { TupleTable } from './presence.js';
import { SUB_ACTIVE, SUB_PENDING, SUB_POLITE, type SubscriptionTable } from './subscriptions.js';
import type { WatcherTable } from './watchers.js';

/** What the inspector reads: the model's columns (impp.ts `columns()`), never written here. */
export interface ModelColumns {
  s: Scenario;
  pop: Population;
  kernel: Kernel;
  online: Uint8Array;
  /** with several devices, each device's session (g * devices + j; empty with one device) */
  deviceOnline: Uint8Array;
  tuples: TupleTable;
  subs: SubscriptionTable;
  views: WatcherTable;
  decision: Uint8Array;
  describeRule(e: number): string;
  stored: InboxStore;
  accessClass(g: number): number;
  /** the gateways' SubscriptID columns (cpim-transactions.ts), for edges between two domains */
  cpim?: { watcherSide: Uint8Array; presentitySide: Uint8Array };
}

export interface DeviceState {
  tuple: string;
  /** the device (presence user agent) that owns the tuple: tuple index % devices */
  device: number;
  contact: string;
  priority: number;
  basic: 'open' | 'closed';
  activity: string;
  note: string;
  changedAt: number;
}

/** One device of the principal (population.devices): whether it is online (one device: the principal's session) and the tuples it owns. */
export interface AgentState {
  device: number;
  online: boolean;
  tuples: string[];
}

export interface SubscriptionState {
  /** the other end: the presentity watched, or the watcher */
  peer: string;
  /** at the presentity's service: none, active, pending, polite block */
  service: string;
  /** simulated ms when the service's subscription runs out (null when it holds none) */
  expiresAt: number | null;
  rule: string;
  decision: 'none' | 'allowed' | 'denied';
  /** at the watcher: whether its agent wants the subscription, what it last received, retries */
  watcher: { wants: boolean; version: number; view: string; retries: number };
  /**
   * between two domains: the SubscriptID (edge * 128 + generation) the watcher's gateway gave the
   * subscription, and whether each end's gateway holds it live (RFC 3859 3.4); null inside a domain
   */
  cpim?: { subscriptId: number; watcherGateway: 'live' | 'closed'; presentityGateway: 'live' | 'closed' } | null;
}

export interface EntityState {
  user: string;
  domain: string;
  at: number;
  events: number;
  online: boolean;
  principal: 'presentity and inbox' | 'presentity only' | 'inbox only';
  watcherKind: 'subscriber' | 'poller' | 'fetcher';
  accessLink: string;
  /** null when the principal has no presentity */
  presence: { version: number; devices: DeviceState[]; agents: AgentState[] } | null;
  /** at most LIST_LIMIT of each, in edge order; the totals say how many there are */
  watching: SubscriptionState[];
  watchers: SubscriptionState[];
  watchingTotal: number;
  watchersTotal: number;
  /** null when the principal has no inbox */
  inbox: { open: boolean; stored: { from: string; sentAt: number }[]; storeAndForward: boolean } | null;
}

/** Subscriptions listed each way (a celebrity of a small run may have thousands of watchers). */
export const LIST_LIMIT = 500;
const SERVICE_STATES = ['none', 'active', 'pending', 'polite block'];
const DECISIONS: SubscriptionState['decision'][] = ['none', 'allowed', 'denied'];

/** The name the trace gives user g: u<index in its domain>@<domain>. */
export function userName(c: ModelColumns, g: number): string {
  const d = c.pop.domainOf[g];
  return `u${g - c.pop.domainStart[d]}@${c.s.domains[d].name}`;
}

/** The global id of a user written as the trace writes it (u3@alpha.example), or -1. */
export function userIndex(c: ModelColumns, name: string): number {
  const m = /^u(\d{1,9})@(.+)$/.exec(name);
  if (m === null) return -1;
  const d = c.s.domains.findIndex((x) => x.name === m[2]);
  if (d < 0) return -1;
  const k = Number(m[1]);
  return k < c.pop.domainUsers[d] ? c.pop.domainStart[d] + k : -1;
}

function subscription(c: ModelColumns, e: number, peer: number): SubscriptionState {
  const st = c.subs.state[e];
  const held = st === SUB_ACTIVE || st === SUB_PENDING || st === SUB_POLITE;
  const dec = c.decision[e];
  return {
    peer: userName(c, peer),
    service: SERVICE_STATES[st] ?? `state ${st}`,
    expiresAt: held ? c.subs.expiry[e] : null,
    rule: c.describeRule(e),
    decision: DECISIONS[dec === DEC_ALLOW || dec === DEC_DENY ? dec : 0],
    watcher: { wants: c.views.subscribed[e] !== 0, version: c.views.version[e], view: VIEW_NAMES[c.views.view[e]] ?? `view ${c.views.view[e]}`, retries: c.views.retryCount[e] },
    ...(c.cpim === undefined ? {} : { cpim: gatewayState(c, e, c.cpim) }),
  };
}

/** The SubscriptID of edge e at the gateways, or null when both ends are in one domain. */
function gatewayState(c: ModelColumns, e: number, cpim: NonNullable<ModelColumns['cpim']>): SubscriptionState['cpim'] {
  const { pop } = c;
  if (pop.domainOf[pop.edgeWatcher[e]] === pop.domainOf[pop.edgePresentity[e]]) return null;
  const w = cpim.watcherSide[e];
  const live = (x: number) => (x & GEN_LIVE ? 'live' : 'closed');
  return { subscriptId: subscriptIdOf(e, w & (GEN_LIVE - 1)), watcherGateway: live(w), presentityGateway: live(cpim.presentitySide[e]) };
}

function devices(c: ModelColumns, g: number): DeviceState[] {
  const t = c.tuples;
  const contact = `im:${userName(c, g)}`;
  const out: DeviceState[] = [];
  for (let k = 0; k < t.tuples; k++) {
    const i = g * t.tuples + k;
    out.push({ tuple: `t${k + 1}`, device: k % t.devices, contact, priority: priorityOf(k), basic: t.basic[i] ? 'open' : 'closed', activity: ACTIVITIES[t.activity[i]], note: NOTES[t.note[i]], changedAt: t.time[i] });
  }
  return out;
}

/** Each device of presentity g: online (its own session with several devices), and its tuples. */
function agents(c: ModelColumns, g: number): AgentState[] {
  const n = c.tuples.devices;
  const out: AgentState[] = [];
  for (let j = 0; j < n; j++) {
    const tuples: string[] = [];
    for (let k = j; k < c.tuples.tuples; k += n) tuples.push(`t${k + 1}`);
    out.push({ device: j, online: n > 1 ? c.deviceOnline[g * n + j] !== 0 : c.online[g] !== 0, tuples });
  }
  return out;
}

/** User g as the model holds it now. */
export function inspectUser(c: ModelColumns, g: number): EntityState {
  const { pop, s } = c;
  const principal = pop.principal[g];
  const kind = pop.watcherKind[g];
  const hasPresentity = principal !== PRINCIPAL_INBOX_ONLY;
  const hasInbox = principal !== PRINCIPAL_PRESENTITY_ONLY;
  const watching: SubscriptionState[] = [];
  for (let i = pop.fwdStart[g]; i < Math.min(pop.fwdStart[g + 1], pop.fwdStart[g] + LIST_LIMIT); i++) {
    const e = pop.fwdEdge[i];
    watching.push(subscription(c, e, pop.edgePresentity[e]));
  }
  const watchers: SubscriptionState[] = [];
  for (let e = pop.revStart[g]; e < Math.min(pop.revStart[g + 1], pop.revStart[g] + LIST_LIMIT); e++) watchers.push(subscription(c, e, pop.edgeWatcher[e]));
  const stored: { from: string; sentAt: number }[] = [];
  if (hasInbox) c.stored.peek(g, (a, sentAt) => stored.push({ from: userName(c, Math.floor(a / TWO26)), sentAt }));
  return {
    user: userName(c, g),
    domain: s.domains[pop.domainOf[g]].name,
    at: c.kernel.now,
    events: c.kernel.events,
    online: c.online[g] !== 0,
    principal: principal === PRINCIPAL_PRESENTITY_ONLY ? 'presentity only' : principal === PRINCIPAL_INBOX_ONLY ? 'inbox only' : 'presentity and inbox',
    watcherKind: kind === WATCHER_SUBSCRIBER ? 'subscriber' : kind === WATCHER_POLLER ? 'poller' : 'fetcher',
    accessLink: ACCESS_CLASSES[c.accessClass(g)] ?? 'lan',
    presence: hasPresentity ? { version: c.tuples.version[g], devices: devices(c, g), agents: agents(c, g) } : null,
    watching,
    watchers,
    watchingTotal: pop.fwdStart[g + 1] - pop.fwdStart[g],
    watchersTotal: pop.revStart[g + 1] - pop.revStart[g],
    inbox: hasInbox ? { open: c.online[g] !== 0, stored, storeAndForward: s.behaviour.offlineStorage } : null,
  };
}
