/**
 * Principals' sessions (RFC 2778 2.1, RFC 2779 3.2.5): users log in and out. At log-in a
 * presentity's agent publishes all its tuples open and starts publishing changes, an inbox owner's
 * agent starts sending messages, and a watcher starts subscribing, polling or fetching; at log-out
 * it publishes closed and unsubscribes, unless its agent crashes (behaviour.crashFraction), which
 * sends nothing. Each session has an epoch: timers set in an ended session are stale.
 */
import { C, type ModelContext } from './context.js';
import type { InstantMessaging } from './im.js';
import { PRINCIPAL_INBOX_ONLY, PRINCIPAL_PRESENTITY_ONLY } from './population.js';
import type { Presence } from './presence.js';
import type { Subscriptions } from './subscriptions.js';
import type { Watchers } from './watchers.js';

export function createSessions(ctx: ModelContext, deps: { presence: Presence; im: InstantMessaging; watchers: Watchers; subscriptions: Subscriptions }): void {
  const { kernel, rng, pop, s, T, counters, online, epoch, timers } = ctx;
  const { presence, im, watchers } = deps;
  const beh = s.behaviour;
  const hasPresentity = (g: number) => pop.principal[g] !== PRINCIPAL_INBOX_ONLY;
  const hasInbox = (g: number) => pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;

  const start = (g: number, d: number) => {
    const ep = epoch[g];
    const dom = s.domains[d];
    if (dom.presence && hasPresentity(g)) {
      presence.startAgent(g, d, ep);
      deps.subscriptions.startAgent(g, d, ep);
    }
    if (dom.im && hasInbox(g)) im.startAgent(g, d, ep);
    if (dom.presence) watchers.start(g, d, ep);
    timers.set(rng.exponential(d, beh.sessionLength), logout, d, g, ep);
  };

  const login = kernel.defineEvent('login', (d, g) => {
    if (online[g]) return;
    online[g] = 1;
    epoch[g]++;
    counters[C.logins]++;
    // XMPP: the client sets up its stream first, then sends its initial presence (bindings/wire.ts)
    if (ctx.wire.login(d, g, streamUp)) return;
    loggedIn(g, d);
  });
  const loggedIn = (g: number, d: number) => {
    if (hasPresentity(g)) presence.publish(g, d, T, 1 + rng.int(d, 4));
    if (hasInbox(g)) im.inboxOpened(g, d);
    start(g, d);
  };
  const streamUp = kernel.defineEvent('streamUp', (d, g, ep) => {
    if (online[g] && epoch[g] === ep) loggedIn(g, d);
  });

  const logout = kernel.defineEvent('logout', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    online[g] = 0;
    epoch[g]++;
    counters[C.logouts]++;
    const crashed = rng.uniform(d) < beh.crashFraction;
    ctx.wire.logout(d, g, crashed);
    if (crashed) {
      // crash-stop (RFC 2779 3.2.5): no goodbye; subscriptions simply stop being refreshed
      counters[C.crashes]++;
      watchers.forget(g);
    } else {
      if (hasPresentity(g)) presence.publish(g, d, T, 0);
      watchers.stop(g);
    }
    timers.set(rng.exponential(d, beh.offlineLength), login, d, g);
  });

  ctx.onInit((d) => {
    // users of this domain log in: the online fraction at once (spread over 10 s), the others later
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      const u = rng.uniform(d);
      if (u < s.population.online) kernel.schedule(rng.uniform(d) * 10_000, login, d, g);
      else if (beh.loginWindow > 0) kernel.schedule(beh.loginStart + rng.uniform(d) * beh.loginWindow, login, d, g);
      else kernel.schedule(rng.exponential(d, beh.offlineLength), login, d, g);
    }
  });
}
