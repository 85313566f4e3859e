/**
 * What a live run drives: the scenario's population mapped to XMPP accounts and rosters, and the
 * list of what was mapped how and what XMPP cannot express (RFC 6121 has no fetch or poll, no
 * subscription expiry or refresh, no watcher information, no visibility classes and one presence
 * per resource). The population comes from the simulator's own generator (sim/model/population.ts)
 * with the scenario's seed, so the live run and the simulated run have the very same buddy lists.
 *
 * Roster states per ordered pair (watcher w, presentity p) of the population:
 *   allow (and pollers and fetchers, which watch by subscription here): w has `to` p, p has `from` w;
 *   deny: w keeps p on its roster with subscription `none` (the request was refused);
 *   pending and polite blocking: w's item asks (`ask='subscribe'`), p holds the request pending
 *   and never answers it, so w sees nothing, as polite blocking intends.
 * Two opposite directions on one pair combine into `both`.
 */
import { SimError } from '../errors.js';
import {
  buildPopulation,
  PRINCIPAL_INBOX_ONLY,
  PRINCIPAL_PRESENTITY_ONLY,
  RULE_ALLOW,
  RULE_DENY,
} from '../model/population.js';
import type { Scenario } from '../scenario/types.js';
import type { LiveAccount, RosterItem, Subscription } from './prosody-provision.js';

/** Live runs drive at most this many users (two descriptors each: the driver's and the server's). */
export const LIVE_MAX_USERS = 5000;

export interface LivePlan {
  users: number;
  /** domain index per user, and its name */
  domains: string[];
  domainOf: Int32Array;
  names: string[];
  accounts: LiveAccount[];
  /** users whose presence each user's changes reach (CSR: followers of u are followerIdx[followerStart[u]..followerStart[u+1]]) */
  followerStart: Int32Array;
  followerIdx: Int32Array;
  /** IM recipients per user (its buddies with an inbox), CSR like followers */
  imStart: Int32Array;
  imIdx: Int32Array;
  /** the user publishes presence changes / has an inbox */
  publishes: Uint8Array;
  hasInbox: Uint8Array;
  /** roster items written (each direction of a pair is one item) */
  rosterItems: number;
  mapped: string[];
  notMapped: string[];
}

/** Sets the scenario's user count to n, spread over its domains in proportion to their sizes. */
export function withUsers(s: Scenario, n: number): Scenario {
  const total = s.domains.reduce((a, d) => a + d.users, 0);
  let left = n;
  const domains = s.domains.map((d, i) => {
    const u = i === s.domains.length - 1 ? left : Math.max(1, Math.round((n * d.users) / total));
    left -= u;
    return { ...d, users: u };
  });
  if (domains.some((d) => d.users < 1)) throw new SimError('SIM_ERR_CLI_USAGE', `--users ${n} is too few for ${s.domains.length} domains`);
  return { ...s, domains };
}

function describe(s: Scenario): { mapped: string[]; notMapped: string[] } {
  const p = s.population;
  const b = s.behaviour;
  const mapped = ['buddy lists: rosters (subscription to/from, both where two users watch each other)', 'presence changes: available presence with a new <show> (RFC 6121 4.2), broadcast by the server', 'log-in: TCP, SASL PLAIN, resource binding, initial presence, roster get; log-out: unavailable presence and stream close', 'instant messages: chat messages with XEP-0184 receipt requests; the receipt is the delivery report'];
  const notMapped: string[] = [];
  if (p.watchers.poller > 0 || p.watchers.fetcher > 0) mapped.push('pollers and fetchers: watch by subscription (XMPP clients neither poll nor fetch)');
  if (p.access.deny > 0) mapped.push('deny: the watcher keeps the contact with subscription none');
  if (p.access.pending > 0 || p.access.politeBlock > 0) mapped.push('pending and polite blocking: the request stays pending, never answered (behaviour.pendingDecisionDelay is not driven)');
  mapped.push(b.offlineStorage ? 'behaviour.offlineStorage: the server stores messages for offline users (mod_offline) and delivers them at log-in' : 'behaviour.offlineStorage off: a message for an offline user bounces (service-unavailable)');
  if (b.crashFraction > 0) mapped.push('crashes: the connection is dropped without unavailable presence');
  if (p.principals.presentityOnly > 0 || p.principals.inboxOnly > 0) mapped.push('principal kinds: presentity-only users send and receive no IMs, inbox-only users send no presence changes');
  const no = (cond: boolean, what: string) => cond && notMapped.push(what);
  no(p.visibility.firstTupleOnly > 0, 'population.visibility (XMPP presence has no visibility classes): every subscribed contact sees the full presence');
  no(p.tuples > 1, `population.tuples (${p.tuples}): one resource per user, one presence`);
  no(p.watcherInfoSubscribers > 0, 'population.watcherInfoSubscribers (XMPP has no watcher information)');
  no(p.hiddenWatchers > 0, 'population.hiddenWatchers (no watcher information)');
  no(p.blockedSenders > 0, 'population.blockedSenders (XEP-0191 blocking is not provisioned)');
  no(b.pollInterval > 0 && p.watchers.poller > 0, 'behaviour.pollInterval (no polling in XMPP)');
  no(b.fetchRate > 0 && p.watchers.fetcher > 0, 'behaviour.fetchRate (no fetch in XMPP)');
  no(true, 'behaviour.subscriptionDuration, maxSubscriptionDuration, refreshBefore (XMPP subscriptions neither expire nor refresh)');
  no(b.publicationLease > 0, 'behaviour.publicationLease (presence lasts the session)');
  no(b.revocationRate > 0, 'behaviour.revocationRate (revocations are not driven)');
  no(b.authFailureFraction > 0, 'behaviour.authFailureFraction (every log-in uses good credentials)');
  no(b.duplicateFraction > 0, 'behaviour.duplicateFraction (no retransmitted IMs)');
  no(b.unknownRecipientFraction > 0, 'behaviour.unknownRecipientFraction (IMs go to known users only)');
  no(b.imContacts > 0, 'behaviour.imContacts (IMs go to buddies only)');
  no(s.faults.length > 0, `faults (${s.faults.length}): no faults are injected into a real server`);
  no(true, 'access links, link latency and loss, gateways, servers.cores: the real server and loopback are what is measured');
  if (s.domains.length > 1) mapped.push('domains: one embedded Prosody per domain, federated by server-to-server streams on loopback (dialback, no TLS); a --target server must serve every domain itself');
  no(s.domains.length > 1, 'federation.* (SRV, gateways, hop budget, list subscriptions...): the servers talk s2s directly');
  return { mapped, notMapped };
}

/** Builds the live plan of a scenario (the users already set, e.g. by withUsers). */
export function livePlan(s: Scenario, seed: number, password: (u: number) => string): LivePlan {
  const pop = buildPopulation(s, seed);
  const N = pop.totalUsers;
  if (N > LIVE_MAX_USERS) throw new SimError('SIM_ERR_CLI_USAGE', `a live run drives at most ${LIVE_MAX_USERS} users; the scenario has ${N} (set --users)`);
  const domains = s.domains.map((d) => d.name);
  const names: string[] = new Array(N);
  for (let g = 0; g < N; g++) names[g] = `u${g - pop.domainStart[pop.domainOf[g]]}`;
  const jid = (g: number) => `${names[g]}@${domains[pop.domainOf[g]]}`;
  // per ordered pair: does w see p (allow), did w ask (pending/polite), was w refused (deny)
  const items: Map<number, { sub: Subscription; ask: boolean }>[] = Array.from({ length: N }, () => new Map());
  const pendingIn: string[][] = Array.from({ length: N }, () => []);
  const item = (a: number, b: number) => {
    let it = items[a].get(b);
    if (!it) items[a].set(b, (it = { sub: 'none', ask: false }));
    return it;
  };
  const addTo = (it: { sub: Subscription }) => (it.sub = it.sub === 'from' || it.sub === 'both' ? 'both' : 'to');
  const addFrom = (it: { sub: Subscription }) => (it.sub = it.sub === 'to' || it.sub === 'both' ? 'both' : 'from');
  for (let e = 0; e < pop.edges; e++) {
    const w = pop.edgeWatcher[e];
    const p = pop.edgePresentity[e];
    const rule = pop.edgeRule[e] & 3;
    const wi = item(w, p);
    if (rule === RULE_ALLOW) {
      addTo(wi);
      addFrom(item(p, w));
    } else if (rule !== RULE_DENY) {
      wi.ask = true;
      pendingIn[p].push(jid(w));
    }
  }
  const followers: number[][] = Array.from({ length: N }, () => []);
  const accounts: LiveAccount[] = [];
  let rosterItems = 0;
  for (let a = 0; a < N; a++) {
    const roster: RosterItem[] = [];
    for (const [b, it] of items[a]) {
      roster.push({ jid: jid(b), subscription: it.sub, ask: it.ask && it.sub !== 'to' && it.sub !== 'both' });
      if (it.sub === 'from' || it.sub === 'both') followers[a].push(b);
    }
    rosterItems += roster.length;
    accounts.push({ user: names[a], host: domains[pop.domainOf[a]], password: password(a), roster, pendingIn: pendingIn[a] });
  }
  const hasInbox = new Uint8Array(N);
  const publishes = new Uint8Array(N);
  for (let g = 0; g < N; g++) {
    hasInbox[g] = pop.principal[g] === PRINCIPAL_PRESENTITY_ONLY ? 0 : 1;
    publishes[g] = pop.principal[g] === PRINCIPAL_INBOX_ONLY ? 0 : 1;
  }
  // IM recipients: the users a user watches (any rule: a buddy list entry), with an inbox
  const ims: number[][] = Array.from({ length: N }, () => []);
  for (let w = 0; w < N; w++) {
    if (!hasInbox[w]) continue;
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      const p = pop.edgePresentity[pop.fwdEdge[i]];
      if (hasInbox[p]) ims[w].push(p);
    }
  }
  const csr = (lists: number[][]) => {
    const start = new Int32Array(N + 1);
    for (let u = 0; u < N; u++) start[u + 1] = start[u] + lists[u].length;
    const idx = new Int32Array(start[N]);
    for (let u = 0; u < N; u++) idx.set(lists[u], start[u]);
    return { start, idx };
  };
  const f = csr(followers);
  const m = csr(ims);
  return { users: N, domains, domainOf: pop.domainOf, names, accounts, followerStart: f.start, followerIdx: f.idx, imStart: m.start, imIdx: m.idx, publishes, hasInbox, rosterItems, ...describe(s) };
}
